import Foundation
import TesseraHandoff
import TesseraWire
import TesseraWorld

/// How long each side of a hand-off waits before acting on silence (docs/handoff.md, "Timeouts").
enum HandoffTimeouts {
    /// The source: for the destination's answer, then for the client manager's.
    static let source: Double = 1.0
    /// The destination: for the activation (or a cancel) of a traveller it holds pending.
    static let destination: Double = 2.0
    /// Finished hand-offs are kept this long to answer late messages (a late accept is cancelled).
    static let linger: Double = 10.0
}

/// The source side of one hand-off in progress in this region.
struct OutgoingHandoff {
    var machine: HandoffSource
    let offer: HandoffOffer
    /// The traveller's local id here.
    let traveller: LocalID
    /// The avatar's manager connection, or for an object the mover's.
    let manager: ManagerID?
    /// The avatar that asked (a teleport, or the owner moving an object) and its request.
    let requester: LocalID?
    let requestID: UInt32
    var destinationLocalID: LocalID?
    var refusal: HandoffRefusal?
    var deadline: Double?
    var finishedAt: Double?

    var destination: RegionHandle { offer.destination }
    var isObject: Bool { if case .object = offer.traveller { true } else { false } }
}

/// The destination side of one hand-off offered to this region.
struct IncomingHandoff {
    var machine: HandoffDestination
    let offer: HandoffOffer
    /// The traveller's manager connection here (avatars).
    let manager: ManagerID?
    var deadline: Double?
    var finishedAt: Double?
}

/// Counters of the hand-offs this region started as the source.
public struct HandoffCounters: Sendable, Hashable {
    public var committed: UInt64 = 0
    public var failed: UInt64 = 0
    public var dropped: UInt64 = 0
}

extension RegionHandle {
    /// Where this region's local metres put a point given in `other`'s local metres.
    func offset(from other: RegionHandle) -> Vector3 {
        let mine = gridPosition
        let theirs = other.gridPosition
        return Vector3(
            (Float(theirs.x) - Float(mine.x)) * regionSize,
            (Float(theirs.y) - Float(mine.y)) * regionSize, 0)
    }

    /// The region `dx`, `dy` squares away, if the grid has such a position.
    func neighbour(dx: Int, dy: Int) -> RegionHandle? {
        gridPosition.offset(dx: dx, dy: dy)?.handle
    }

    /// True when the two regions share a border or a corner.
    func isAdjacent(to other: RegionHandle) -> Bool {
        let a = gridPosition
        let b = other.gridPosition
        let dx = abs(Int(a.x) - Int(b.x))
        let dy = abs(Int(a.y) - Int(b.y))
        return max(dx, dy) == 1
    }
}

/// Which square past the border a local point lies in: -1, 0 or +1 on each axis.
func squareStep(_ value: Float) -> Int {
    value < 0 ? -1 : value >= regionSize ? 1 : 0
}
