import Foundation
import TesseraWire
import TesseraWorld

extension ScriptsStatus {
    /// What `tessera status` and the console show of it (`StatusReply`).
    public var wire: ScriptsLinkStatus {
        var link = ScriptsLinkStatus()
        link.state = switch state {
        case .none: .none
        case .lost: .lost
        case .attached: .attached
        }
        link.scriptedObjects = scriptedObjects
        link.scripts = service.scripts
        link.running = min(service.running, service.scripts)
        link.eventsQueued = service.eventsQueued
        link.heldEvents = heldEvents
        link.framesSent = framesSent
        link.late = late
        link.snapshots = snapshots
        link.losses = losses
        link.lastRunMicros = lastRunMicros
        link.runMicrosTotal = runMicrosTotal
        link.eventsDropped = service.eventsDropped
        link.heldDropped = eventsDropped
        link.chatDropped = service.chatDropped
        link.errors = errors
        return link
    }
}

extension Region {
    /// The admin console's script actions (`AdminRequest.Action.scripts` and `.controlScript`)
    /// on this region; `notHere` for another region's handle and for every other action.
    public mutating func adminScripts(_ action: AdminRequest.Action) -> AdminReply.Outcome {
        switch action {
        case .scripts(let handle):
            guard handle == settings.handle else { return .notHere }
            let top = topScripts.sorted { $0.micros > $1.micros }.prefix(ScriptRegionStats.maxTop)
            return .scripts(ScriptsReport(region: handle, regionName: settings.name, status: scriptsStatus.wire, top: Array(top)))
        case .controlScript(let handle, let object, let item, let control):
            guard handle == settings.handle else { return .notHere }
            guard adminControlScript(object: object, item: item, control) else {
                return .failed(code: ErrorCode.unknownEntity.rawValue, message: "no script \(item) in object \(object.uuidString.lowercased()) of \(settings.name)")
            }
            let verb = switch control {
            case .reset: "reset"
            case .stop: "stopped"
            case .start: "started"
            }
            return .done(affected: 0, detail: "\(verb) script \(item) in object \(object.uuidString.lowercased()) of \(settings.name)")
        default:
            return .notHere
        }
    }
}
