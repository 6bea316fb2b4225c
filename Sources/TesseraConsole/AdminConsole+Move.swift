import Foundation
import Hummingbird
import NIOCore
import TesseraStorage
import TesseraWire
import TesseraWorld

/// Live region migration from the console (docs/migration.md): `POST /regions/{name}/move`
/// moves one running region to another region node; `POST /nodes/{name}/drain` moves every
/// region off a node.
extension AdminConsole {
    func addMoveRoutes(to router: Router<ConsoleContext>) {
        let control = control
        router.post("/regions/{name}/move") { request, context -> MoveResult in
            let name = try Self.pathName(context)
            let body = try await Self.body(MoveBody.self, request, context)
            return try await control.move(name, to: body.to, by: context.identity)
        }
        router.post("/nodes/{name}/drain") { _, context -> DrainResult in
            try await control.drain(try Self.pathName(context), by: context.identity)
        }
    }
}

extension GridControl {
    /// A move waits for the region to freeze (up to 3 s), its flush, the transfer and the
    /// registry switch.
    static let moveTimeout: TimeAmount = .seconds(30)

    func move(_ name: String, to node: String, by actor: AdminPrincipal?) async throws -> MoveResult {
        try await audited(actor, action: "move region", target: name, detail: "to \(node)") {
            let node = node.trimmingCharacters(in: .whitespaces)
            guard !node.isEmpty, node.utf8.count <= 255 else {
                throw Problem(.badRequest, "invalid-body", "Invalid move", detail: "to must name a region node (1 to 255 bytes)")
            }
            let region = try await region(named: name)
            guard region.node != node else {
                throw Problem(.conflict, "already-there", "The region is already there", detail: "region \(region.name) already runs on node \(node)")
            }
            let result = try await moveRegion(region, to: node)
            events.post(.admin, "\(result.region) moved from \(result.from) to \(result.to) (\(result.avatars) avatars, paused \(result.pauseMilliseconds) ms)")
            return result
        }
    }

    /// Every region registered on `node` moves to another node: each to the node of the
    /// registry (besides `node`) that runs the fewest regions, one after another. A region whose
    /// move fails stays where it is, and the answer says why.
    func drain(_ node: String, by actor: AdminPrincipal?) async throws -> DrainResult {
        try await audited(actor, action: "drain node", target: node) {
            let all = try await directory.regions()
            let leaving = all.filter { $0.node == node }.sorted { $0.name.lowercased() < $1.name.lowercased() }
            guard !leaving.isEmpty else {
                throw Problem(.notFound, "not-found", "No such node", detail: "no online region runs on a node named \(node)")
            }
            var load: [String: Int] = [:]
            for region in all where region.node != node && region.reachable { load[region.node, default: 0] += 1 }
            var moved: [MoveResult] = []
            var failed: [DrainFailure] = []
            for region in leaving {
                // The least loaded other node of the registry; with none, any node the region's node is linked to.
                let target = load.min { $0.value == $1.value ? $0.key < $1.key : $0.value < $1.value }?.key ?? ""
                do {
                    let result = try await moveRegion(region, to: target)
                    load[result.to, default: 0] += 1
                    moved.append(result)
                } catch let problem as Problem {
                    failed.append(DrainFailure(region: region.name, status: Int(problem.status.code), detail: problem.detail.isEmpty ? problem.title : problem.detail))
                }
            }
            events.post(.admin, "Node \(node) drained: \(moved.count) regions moved, \(failed.count) stayed")
            return DrainResult(node: node, moved: moved, failed: failed)
        }
    }

    private func moveRegion(_ region: RegionItem, to node: String) async throws -> MoveResult {
        let handle = try Self.gridPosition(of: region).handle
        let outcome = try await directory.admin(.moveRegion(handle, toNode: node), timeout: Self.moveTimeout)
        switch outcome {
        case .moved(let report):
            return MoveResult(report)
        case .notHere:
            throw Problem(.notFound, "not-found", "No such region", detail: "region \(region.name) is not running on any node that answered")
        case .failed(let code, let message) where code == ErrorCode.unknownEntity.rawValue:
            throw Problem(.notFound, "not-found", "No such node", detail: message)
        case .failed(let code, let message) where code == ErrorCode.regionUnavailable.rawValue:
            throw Problem(.conflict, "node-unavailable", "The node is unavailable", detail: message)
        case .failed(let code, let message) where code == ErrorCode.serviceUnavailable.rawValue:
            throw Problem(.serviceUnavailable, "unavailable", "The move could not be made", detail: message)
        case .failed(_, let message):
            throw Problem(.conflict, "refused", "The move was refused", detail: message)
        default:
            throw Self.problem(outcome, what: "move \(region.name)")
        }
    }
}

struct MoveBody: Decodable {
    var to: String
}

/// What a move did.
struct MoveResult: ResponseCodable, Sendable, Hashable {
    var region: String
    var from: String
    var to: String
    var avatars: Int
    var objects: Int
    var scripts: Int
    /// How long the region ran no frame: from the source's freeze to the target's first frame.
    var pauseMilliseconds: Double
    /// From the request to the answer.
    var totalMilliseconds: Double

    enum CodingKeys: String, CodingKey {
        case region, from, to, avatars, objects, scripts
        case pauseMilliseconds = "pause_ms", totalMilliseconds = "total_ms"
    }

    init(_ report: RegionMoveReport) {
        region = report.regionName
        from = report.fromNode
        to = report.toNode
        avatars = Int(report.avatars)
        objects = Int(report.objects)
        scripts = Int(report.scripts)
        pauseMilliseconds = (Double(report.pauseMicros) / 100).rounded() / 10
        totalMilliseconds = (Double(report.totalMicros) / 100).rounded() / 10
    }
}

extension MoveResult {
    /// The console's line for a move.
    var line: String {
        "Moved \(region) from \(from) to \(to): \(avatars) avatars, \(objects) objects, \(scripts) scripts; paused \(String(format: "%.1f", pauseMilliseconds)) ms"
    }
}

struct DrainFailure: ResponseCodable, Sendable, Hashable {
    var region: String
    var status: Int
    var detail: String
}

struct DrainResult: ResponseCodable, Sendable {
    var node: String
    var moved: [MoveResult]
    var failed: [DrainFailure]
}
