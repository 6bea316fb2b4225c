import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TesseraStorage

/// `POST /console`: one OpenSimulator-style command line in (`{"command": "show regions"}`,
/// or the line itself as `text/plain`), lines of text out. Every command is one of the JSON
/// routes' actions (`GridControl`), with the same checks and the same audit trail.
extension AdminConsole {
    func addCommandRoutes(to router: Router<ConsoleContext>) {
        router.post("/console") { request, context -> Response in
            let line: String
            if request.headers[.contentType]?.hasPrefix("text/plain") == true {
                line = String(decoding: try await Self.bodyData(request, context, limit: 4096), as: UTF8.self)
                try ConsoleInput.check(line, field: "the command")
            } else {
                line = try await Self.body(CommandBody.self, request, context).command
            }
            let command: ConsoleCommand
            do throws(ConsoleCommand.ParseError) {
                command = try ConsoleCommand.parse(line)
            } catch {
                throw Problem(.badRequest, "invalid-command", "Invalid command", detail: error.description)
            }
            let lines = try await self.execute(command, by: context.identity)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: lines.map { $0 + "\n" }.joined())))
        }
    }

    func execute(_ command: ConsoleCommand, by actor: AdminPrincipal?) async throws -> [String] {
        switch command {
        case .help:
            return ConsoleCommand.helpLines
        case .showRegions:
            let regions = try await control.regions()
            return TextTable.render(
                header: ["Region", "Node", "Grid", "Agents", "Objects", "FPS", "Dilation", "Physics"],
                rows: regions.map { region in
                    [region.name, region.node, "\(region.gridX),\(region.gridY)", region.agents.map(String.init) ?? "-",
                     region.objects.map(String.init) ?? "-", region.frameRate.map { String(format: "%.1f", $0) } ?? "unreachable",
                     region.timeDilation.map { String(format: "%.2f", $0) } ?? "-", region.physics ?? "-"]
                }) + ["\(regions.count) regions, \(regions.compactMap(\.agents).reduce(0, +)) agents"]
        case .showRegion(let name):
            let region = try await control.region(named: name)
            return [
                "Region: \(region.name)", "Id: \(region.id)", "Node: \(region.node) (\(region.address))",
                "Grid position: \(region.gridX), \(region.gridY)", "Reachable: \(region.reachable ? "yes" : "no")",
                "Agents: \(region.agents.map(String.init) ?? "-")", "Ghosts: \(region.ghosts.map(String.init) ?? "-")",
                "Objects: \(region.objects.map(String.init) ?? "-")",
                "Frame rate: \(region.frameRate.map { String(format: "%.1f", $0) } ?? "-")",
                "Time dilation: \(region.timeDilation.map { String(format: "%.3f", $0) } ?? "-")",
                "Hand-offs in progress: \(region.handoffsInProgress.map(String.init) ?? "-")", "Physics: \(region.physics ?? "-")",
            ]
        case .showUsers:
            let agents = try await control.agents()
            return TextTable.render(
                header: ["Name", "Region", "Position", "In region since", "Client manager"],
                rows: agents.map { agent in
                    [agent.name, agent.region, agent.position.map { String(format: "%.0f", $0) }.joined(separator: ","), agent.inRegionSince, agent.clientManager]
                }) + ["\(agents.count) agents in the grid"]
        case .showAccounts(let search):
            let found = try await accounts.list(search: search, limit: 101)
            return TextTable.render(
                header: ["Name", "Admin", "Disabled", "Created"],
                rows: found.prefix(100).map { [$0.name, $0.isAdmin ? "yes" : "", $0.disabled ? "yes" : "", consoleDate($0.createdAt)] })
                + [found.count > 100 ? "first 100 accounts shown; GET /users pages through all" : "\(found.count) accounts"]
        case .showUptime:
            let seconds = Int(Date().timeIntervalSince(started))
            return ["Console started at \(consoleDate(started))", "Uptime: \(seconds / 86400)d \(seconds / 3600 % 24)h \(seconds / 60 % 60)m \(seconds % 60)s"]
        case .showLogins:
            let state = try await logins.state()
            return [state.enabled ? "Logins are enabled for everyone" : "Logins are disabled for non-admins: \(state.message)"]
        case .alert(let message):
            let result = try await control.alert(AlertBody(message: message), by: actor)
            return ["Alert delivered to \(result.delivered) avatars"]
        case .alertRegion(let region, let message):
            let result = try await control.alert(AlertBody(message: message, region: region), by: actor)
            return ["Alert delivered to \(result.delivered) avatars in \(region)"]
        case .alertUser(let words):
            let (name, rest) = try await avatarName(words)
            let result = try await control.alert(AlertBody(message: rest.joined(separator: " "), agent: name), by: actor)
            return ["Alert delivered to \(name) (\(result.delivered))"]
        case .kickUser(let words):
            let (name, rest) = try await avatarName(words)
            let result = try await control.kick(name, message: rest.joined(separator: " "), by: actor)
            return ["Kicked \(name): \(result.detail)"]
        case .teleportUser(let words):
            let (name, rest) = try await avatarName(words)
            guard !rest.isEmpty else { throw Problem(.badRequest, "invalid-command", "Invalid command", detail: "missing a region; usage: teleport user NAME REGION") }
            let result = try await control.teleport(name, to: TeleportBody(region: rest.joined(separator: " ")), by: actor)
            return ["Teleported \(name): \(result.detail)"]
        case .loginDisable(let message):
            _ = try await control.disableLogins(message: message, by: actor)
            return ["Logins disabled for non-admins" + (message.isEmpty ? "" : " with the message: \(message)")]
        case .loginEnable:
            _ = try await control.enableLogins(by: actor)
            return ["Logins enabled"]
        case .restartRegion(let region, let message):
            let result = try await control.restart(region, message: message, by: actor)
            return [result.detail]
        case .moveRegion(let region, let node):
            return [try await control.move(region, to: node, by: actor).line]
        case .drainNode(let node):
            let result = try await control.drain(node, by: actor)
            return result.moved.map(\.line) + result.failed.map { "\($0.region) stays on \(node): \($0.detail)" }
                + ["Node \(node): \(result.moved.count) regions moved, \(result.failed.count) stayed"]
        }
    }

    /// The longest leading run of words naming an avatar in the grid, and the words after it.
    private func avatarName(_ words: [String]) async throws -> (String, [String]) {
        let names = Set(try await control.agents().map { $0.name.lowercased() })
        guard let (name, rest) = ConsoleCommand.splitName(words, isName: { names.contains($0.lowercased()) }) else {
            throw Problem(.notFound, "not-found", "No such agent", detail: "no avatar in the grid is named \(words.joined(separator: " ")) (or a prefix of it)")
        }
        return (name, rest)
    }
}

struct CommandBody: Decodable {
    var command: String
}

/// Columns padded to their widest cell, for the console's text answers.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> [String] {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return [line(header)] + rows.map(line)
    }
}
