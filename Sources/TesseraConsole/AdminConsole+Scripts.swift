import Foundation
import Hummingbird
import TesseraStorage
import TesseraWire
import TesseraWorld

/// `/regions/{name}/scripts`: a region's scripts (its link to the script service, the
/// service's figures, and its scripts by recent time, as Top Scripts), and resetting, stopping
/// or starting one of them — all through the region nodes' admin requests.
extension AdminConsole {
    func addScriptRoutes(to router: Router<ConsoleContext>) {
        let control = control
        router.get("/regions/{name}/scripts") { _, context -> RegionScripts in
            try await control.scripts(ofRegion: try Self.pathName(context))
        }
        for action in ScriptControlAction.allCases {
            router.post("/regions/{name}/scripts/{object}/{item}/\(action.pathWord)") { _, context -> ActionResult in
                let region = try Self.pathName(context)
                let rawObject = try context.parameters.require("object")
                guard let object = UUID(uuidString: rawObject) else {
                    throw Problem(.badRequest, "invalid-parameter", "Invalid object", detail: "object must be an object id (a UUID), got \(rawObject)")
                }
                let rawItem = try context.parameters.require("item")
                let item = rawItem.removingPercentEncoding ?? rawItem
                guard !item.isEmpty, item.utf8.count <= maxNameBytes else {
                    throw Problem(.badRequest, "invalid-parameter", "Invalid script name", detail: "item must be a script's name of 1 to \(maxNameBytes) bytes")
                }
                return try await control.controlScript(item, in: object, region: region, action, by: context.identity)
            }
        }
    }
}

extension ScriptControlAction {
    /// The last word of the console's route for it.
    var pathWord: String {
        switch self {
        case .reset: "reset"
        case .stop: "stop"
        case .start: "start"
        }
    }
}

extension GridControl {
    func scripts(ofRegion name: String) async throws -> RegionScripts {
        let region = try await region(named: name)
        let handle = try Self.gridPosition(of: region).handle
        let outcome = try await directory.admin(.scripts(handle), timeout: Self.askTimeout)
        guard case .scripts(let report) = outcome else {
            throw Self.problem(outcome, what: "the scripts of \(region.name)", missing: "\(region.name) is not running on any node that answered")
        }
        return RegionScripts(report)
    }

    func controlScript(
        _ item: String, in object: UUID, region name: String, _ action: ScriptControlAction, by actor: AdminPrincipal?
    ) async throws -> ActionResult {
        let target = "\(name)/\(object.uuidString.lowercased())/\(item)"
        return try await audited(actor, action: "\(action.pathWord) script", target: target) {
            let region = try await region(named: name)
            let handle = try Self.gridPosition(of: region).handle
            let outcome = try await directory.admin(.controlScript(handle, object: object, item: item, action), timeout: Self.askTimeout)
            if case .failed(let code, let message) = outcome, code == ErrorCode.unknownEntity.rawValue {
                throw Problem(.notFound, "not-found", "No such script", detail: message)
            }
            let result = try Self.done(outcome, what: "\(action.pathWord) script \(item)", missing: "\(region.name) is not running on any node that answered")
            events.post(.admin, "An admin \(result.detail)")
            return result
        }
    }
}

/// A region's scripts as the console shows them.
struct RegionScripts: ResponseEncodable, Sendable, Hashable {
    var region: String
    /// The region's link to the script service: none, lost or attached.
    var state: String
    var scriptedObjects: Int
    var scripts: Int
    var running: Int
    var eventsQueued: Int
    var heldEvents: Int
    var eventsDropped: UInt64
    var heldDropped: UInt64
    var chatDropped: UInt64
    var errors: UInt64
    var lastRunMicros: Int
    var losses: UInt64
    var top: [TopScript]

    struct TopScript: Codable, Sendable, Hashable {
        var object: String
        var objectName: String
        var item: String
        var name: String
        /// Script time, microseconds per second, averaged over the last few seconds.
        var microsPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case object, item, name
            case objectName = "object_name", microsPerSecond = "micros_per_second"
        }
    }

    init(_ report: ScriptsReport) {
        let status = report.status
        region = report.regionName
        state = status.state.description
        scriptedObjects = Int(status.scriptedObjects)
        scripts = Int(status.scripts)
        running = Int(status.running)
        eventsQueued = Int(status.eventsQueued)
        heldEvents = Int(status.heldEvents)
        eventsDropped = status.eventsDropped
        heldDropped = status.heldDropped
        chatDropped = status.chatDropped
        errors = status.errors
        lastRunMicros = Int(status.lastRunMicros)
        losses = status.losses
        top = report.top.map {
            TopScript(
                object: $0.key.object.uuidString.lowercased(), objectName: $0.objectName, item: $0.key.item.uuidString.lowercased(),
                name: $0.name, microsPerSecond: Double($0.micros))
        }
    }

    enum CodingKeys: String, CodingKey {
        case region, state, scripts, running, errors, losses, top
        case scriptedObjects = "scripted_objects", eventsQueued = "events_queued", heldEvents = "held_events"
        case eventsDropped = "events_dropped", heldDropped = "held_dropped", chatDropped = "chat_dropped"
        case lastRunMicros = "last_run_micros"
    }
}
