import TesseraClientProtocol
import TesseraWire
import TesseraWorld

extension ClientMessage {
    /// The region command this message becomes, for messages that go to the region.
    var agentCommand: AgentCommand? {
        switch self {
        case .move(let move): .move(move.intent)
        case .chat(let chat): .chat(chat.type, channel: chat.channel, text: chat.text)
        case .createObject(let create):
            .createObject(requestID: create.requestID, ObjectSpec(
                shape: create.shape, position: create.position, rotation: create.rotation,
                scale: create.scale, name: create.name, physical: create.physical, reportsCollisions: create.reportsCollisions
            ))
        case .deleteObject(let delete): .deleteObject(requestID: delete.requestID, delete.localID)
        case .teleport(let teleport):
            .teleport(requestID: teleport.requestID, region: teleport.region, gridPosition: teleport.gridPosition, position: teleport.position)
        case .moveObject(let move): .moveObject(requestID: move.requestID, move.localID, position: move.position)
        case .pushObject(let push): .push(requestID: push.requestID, push.localID, impulse: push.impulse)
        case .touch(let touch): .touch(touch.localID, phase: touch.phase == .start ? .start : .end)
        case .addScript(let add):
            switch add.source {
            case .inventoryItem(let item): .addScript(requestID: add.requestID, add.localID, name: add.name, source: .inventory(item))
            case .text(let text): .addScript(requestID: add.requestID, add.localID, name: add.name, source: .text(text))
            }
        case .scriptControl(let control):
            .scriptControl(requestID: control.requestID, control.localID, item: control.item, action: control.action.wire)
        case .contents(let request): .contents(requestID: request.requestID, request.localID)
        case .login, .ping, .logout, .inventory: nil
        }
    }

    var requestID: UInt32 {
        switch self {
        case .createObject(let create): create.requestID
        case .deleteObject(let delete): delete.requestID
        case .inventory(let request): request.requestID
        case .teleport(let teleport): teleport.requestID
        case .moveObject(let move): move.requestID
        case .pushObject(let push): push.requestID
        case .addScript(let add): add.requestID
        case .scriptControl(let control): control.requestID
        case .contents(let request): request.requestID
        default: 0
        }
    }
}

extension ScriptControlRequest.Action {
    var wire: ScriptItemAction {
        switch self {
        case .reset: .reset
        case .stop: .stop
        case .start: .start
        case .remove: .remove
        }
    }
}
