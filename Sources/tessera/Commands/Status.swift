import ArgumentParser
import Foundation
import NIOPosix
import TesseraWire
import TesseraConfig
import TesseraLocalGrid
import Logging
import TesseraWorld

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each region of the grid: its node, root avatars, ghosts, objects, frame rate and hand-offs.",
        discussion: """
            Asks every region node of the config (as an operator tool holding the grid secret). \
            With --json, prints one object with a "regions" array and, under "agents", how many \
            agents are root in exactly one region and which are root in more than one; exits \
            non-zero when a node does not answer or an agent is root twice.
            """
    )

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Print one JSON object on standard output.")
    var json = false

    struct Region: Codable {
        var name: String
        var node: String
        var gridX: UInt32
        var gridY: UInt32
        var rootAvatars: Int
        var ghosts: UInt32
        var objects: UInt32
        var frameRate: Double
        var timeDilation: Double
        var handoffsInProgress: UInt32
        var handoffsCommitted: UInt64
        var handoffsFailed: UInt64
        var physics: Physics
        var scripts: Scripts

        /// The region's link to its script service and the service's figures for it.
        struct Scripts: Codable {
            var state: String
            var scriptedObjects: UInt32
            var scripts: UInt32
            var running: UInt32
            var eventsQueued: UInt32
            var heldEvents: UInt32
            var eventsDropped: UInt64
            var heldDropped: UInt64
            var chatDropped: UInt64
            var errors: UInt64
            var losses: UInt64
            var runMicros: UInt32

            init(_ status: ScriptsLinkStatus) {
                state = status.state.description
                scriptedObjects = status.scriptedObjects
                scripts = status.scripts
                running = status.running
                eventsQueued = status.eventsQueued
                heldEvents = status.heldEvents
                eventsDropped = status.eventsDropped
                heldDropped = status.heldDropped
                chatDropped = status.chatDropped
                errors = status.errors
                losses = status.losses
                runMicros = status.lastRunMicros
            }

            enum CodingKeys: String, CodingKey {
                case state, scripts, running, errors, losses
                case scriptedObjects = "scripted_objects", eventsQueued = "events_queued", heldEvents = "held_events"
                case eventsDropped = "events_dropped", heldDropped = "held_dropped", chatDropped = "chat_dropped"
                case runMicros = "run_micros"
            }
        }

        /// The region's link to its physics service.
        struct Physics: Codable {
            var state: String
            var bodies: UInt32
            var late: UInt64
            var held: UInt64
            var snapshots: UInt64
            var losses: UInt64
            var contacts: UInt64
            var stepMicros: UInt32

            init(_ status: PhysicsLinkStatus) {
                state = status.state.description
                bodies = status.bodies
                late = status.late
                held = status.held
                snapshots = status.snapshots
                losses = status.losses
                contacts = status.contacts
                stepMicros = status.lastStepMicros
            }

            enum CodingKeys: String, CodingKey {
                case state, bodies, late, held, snapshots, losses, contacts
                case stepMicros = "step_micros"
            }
        }

        enum CodingKeys: String, CodingKey {
            case name, node, ghosts, objects, physics, scripts
            case gridX = "grid_x", gridY = "grid_y", rootAvatars = "root_avatars", frameRate = "frame_rate"
            case timeDilation = "time_dilation", handoffsInProgress = "handoffs_in_progress"
            case handoffsCommitted = "handoffs_committed", handoffsFailed = "handoffs_failed"
        }
    }

    struct Report: Codable {
        var regions: [Region]
        var unreachableNodes: [String]
        var agents: Agents

        struct Agents: Codable {
            var rootOnce: Int
            var rootTwice: [String]
            var inHandoff: UInt32

            enum CodingKeys: String, CodingKey {
                case rootOnce = "root_once", rootTwice = "root_twice", inHandoff = "in_handoff"
            }
        }

        enum CodingKeys: String, CodingKey {
            case regions, agents
            case unreachableNodes = "unreachable_nodes"
        }
    }

    func run() async throws {
        let config = try options.load()
        let tls = try config.toolTLS(logger: Logger(label: "tessera.status"))
        let hello = Hello(role: .tool, nodeName: GridConfig.toolNodeName("tessera-status", tls: tls), gridSecret: config.grid.secret)
        var regions: [Region] = []
        var unreachable: [String] = []
        var roots: [AgentID: Int] = [:]
        for node in config.regionNodes {
            do {
                let answer = try await WireRequest.ask(
                    host: node.host == "0.0.0.0" ? "127.0.0.1" : node.host, port: node.port, hello: hello, .statusRequest(StatusRequest()),
                    group: MultiThreadedEventLoopGroup.singleton, tls: tls?.dialing(.region))
                guard case .statusReply(let reply) = answer else { throw WireRequestError.closed }
                for region in reply.regions {
                    for agent in region.rootAgents { roots[agent, default: 0] += 1 }
                    let position = region.handle.gridPosition
                    regions.append(Region(
                        name: region.name, node: reply.node, gridX: position.x, gridY: position.y, rootAvatars: region.rootAgents.count,
                        ghosts: region.ghosts, objects: region.objects, frameRate: Double(region.achievedFrameRate),
                        timeDilation: Double(region.timeDilation), handoffsInProgress: region.handoffsInProgress,
                        handoffsCommitted: region.handoffsCommitted, handoffsFailed: region.handoffsFailed,
                        physics: Region.Physics(region.physics), scripts: Region.Scripts(region.scripts)))
                }
            } catch {
                unreachable.append(node.name)
                FileHandle.standardError.write(Data("node \(node.name) at \(node.host):\(node.port) did not answer: \(error)\n".utf8))
            }
        }
        let twice = roots.filter { $0.value > 1 }.map(\.key.uuidString).sorted()
        let report = Report(
            regions: regions, unreachableNodes: unreachable,
            agents: .init(rootOnce: roots.count - twice.count, rootTwice: twice, inHandoff: regions.reduce(0) { $0 + $1.handoffsInProgress }))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            printLine(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            printLine("region               node        grid          avatars ghosts objects    fps  dilation  hand-offs (now/done/failed)  physics  |  scripts")
            for region in regions {
                func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
                printLine(pad(region.name, 20) + " " + pad(region.node, 11) + " " + pad("(\(region.gridX), \(region.gridY))", 13) + String(
                    format: "%7d %6u %7u %6.1f %9.3f  %@  %@  |  %@",
                    region.rootAvatars, region.ghosts, region.objects, region.frameRate, region.timeDilation,
                    pad("\(region.handoffsInProgress)/\(region.handoffsCommitted)/\(region.handoffsFailed)", 27),
                    Self.describe(region.physics), Self.describe(region.scripts)))
            }
            printLine("agents root in exactly one region: \(report.agents.rootOnce); in more than one: \(twice.count)")
        }
        if !unreachable.isEmpty || !twice.isEmpty { throw ExitCode(1) }
    }

    static func describe(_ scripts: Region.Scripts) -> String {
        let figures = "\(scripts.scripts) scripts (\(scripts.running) running) in \(scripts.scriptedObjects) objects, "
            + "\(scripts.runMicros) µs/frame, \(scripts.eventsQueued) events queued, \(scripts.eventsDropped + scripts.heldDropped) dropped"
        switch scripts.state {
        case "attached": return "attached, " + figures
        case "lost": return "LOST (\(scripts.heldEvents) events held), \(scripts.losses) losses"
        default: return "none"
        }
    }

    static func describe(_ physics: Region.Physics) -> String {
        switch physics.state {
        case "attached": "attached, \(physics.bodies) bodies, step \(physics.stepMicros) µs, \(physics.late) late, \(physics.losses) lost"
        case "lost": "LOST (kinematic), \(physics.losses) losses"
        default: "none (kinematic)"
        }
    }
}
