import TesseraWire
import TesseraWorld

extension RegionInput {
    /// What a client manager's message becomes in the inbox of the region it addresses: the
    /// region's handle and the input. Nil for a message a client manager may not send. The
    /// node's connection handler and in-memory harnesses route with this one function.
    public static func fromManager(_ manager: ManagerID, _ message: WireMessage) -> (region: RegionHandle, input: RegionInput)? {
        switch message {
        case .agentJoin(let join): (join.region, .join(manager, join))
        case .agentLeave(let leave): (leave.region, .leave(manager, leave))
        case .agentInput(let input): (input.region, .command(manager, input))
        case .handoffSignal(let signal): (signal.to, .managerSignal(manager, signal))
        default: nil
        }
    }
}

extension WireMessage {
    /// The region a region-to-region message is for (hand-off steps, ghost frames, relayed
    /// chat); nil for any other message.
    public var peerDestination: RegionHandle? {
        switch self {
        case .handoffOffer(let offer): offer.destination
        case .handoffSignal(let signal): signal.to
        case .ghostFrame(let frame): frame.destination
        case .chatRelay(let relay): relay.destination
        default: nil
        }
    }
}
