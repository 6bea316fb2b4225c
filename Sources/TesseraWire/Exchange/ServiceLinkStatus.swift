import NIOCore
import TesseraCodec

/// An offloaded service a region exchanges frames with (docs/service-exchange.md).
public enum ServiceKind: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case physics = 1
    case scripts = 2

    public var description: String {
        switch self {
        case .physics: "physics"
        case .scripts: "scripts"
        }
    }
}

/// Where a region's link to one service stands (docs/service-exchange.md, "States").
public enum ServiceLinkState: UInt8, Sendable, Hashable, CustomStringConvertible {
    /// The region has no such service configured.
    case none = 0
    /// Configured but not attached (never reached yet, or lost).
    case lost = 1
    case attached = 2

    public var description: String {
        switch self {
        case .none: "none"
        case .lost: "lost"
        case .attached: "attached"
        }
    }
}

/// The counters every frame exchange keeps, whatever the service (docs/service-exchange.md,
/// "Counters"). A service's own status adds its own figures beside these.
public struct ServiceLinkStatus: Hashable, Sendable {
    public var state: ServiceLinkState
    /// Frames sent to the service (snapshots included).
    public var framesSent: UInt64 = 0
    /// Answers applied in the frame after the one they answer.
    public var onTime: UInt64 = 0
    /// Answers that came later than that (applied when they came).
    public var late: UInt64 = 0
    /// Answers dropped: to a frame before the last snapshot, not newer than one already
    /// applied, or to a frame never sent.
    public var stale: UInt64 = 0
    /// Frames not sent because the in-flight window was full (their changes went with a later one).
    public var held: UInt64 = 0
    /// Full snapshots sent (after each attach, or when the service asked for one).
    public var snapshots: UInt64 = 0
    /// Times the link was lost while attached.
    public var losses: UInt64 = 0

    public init(state: ServiceLinkState = .none) {
        self.state = state
    }

    /// Encoded size: the state and seven counters.
    static let bytes = 1 + 8 * 7

    init(from buffer: inout ByteBuffer, _ field: String) throws {
        state = try buffer.readEnum(ServiceLinkState.self, "\(field).state")
        framesSent = try buffer.readLE(UInt64.self, "\(field).framesSent")
        onTime = try buffer.readLE(UInt64.self, "\(field).onTime")
        late = try buffer.readLE(UInt64.self, "\(field).late")
        stale = try buffer.readLE(UInt64.self, "\(field).stale")
        held = try buffer.readLE(UInt64.self, "\(field).held")
        snapshots = try buffer.readLE(UInt64.self, "\(field).snapshots")
        losses = try buffer.readLE(UInt64.self, "\(field).losses")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(state.rawValue)
        buffer.writeLE(framesSent)
        buffer.writeLE(onTime)
        buffer.writeLE(late)
        buffer.writeLE(stale)
        buffer.writeLE(held)
        buffer.writeLE(snapshots)
        buffer.writeLE(losses)
    }
}
