import Foundation
import TesseraGridProtocol
import TesseraHandoff
import TesseraWire
import TesseraWorld

/// Identifies one client manager connection to a region node.
public typealias ManagerID = UInt64

/// Everything that reaches a region between two frames, in arrival order.
public enum RegionInput: Sendable {
    case managerConnected(ManagerID)
    case managerDisconnected(ManagerID)
    case join(ManagerID, AgentJoin)
    case leave(ManagerID, AgentLeave)
    case command(ManagerID, AgentInput)
    /// The grid's answer to a `GridEffect.rez`.
    case rezResult(agent: LocalID, manager: ManagerID, requestID: UInt32, Result<SceneObjectRecord, CallStatus>)
    /// The grid's answer to a `GridEffect.take`.
    case takeResult(agent: LocalID, manager: ManagerID, requestID: UInt32, object: LocalID, Result<UUID, CallStatus>)
    /// The node name a manager connection announced (hand-offs name client managers by it).
    case managerNamed(ManagerID, String)
    /// Every other region this region can reach now (hand-off destinations, ghost neighbours), by handle.
    case regions([RegionHandle: String])
    /// From another region: an offer, a hand-off signal, a ghost frame or relayed chat.
    case peer(WireMessage)
    /// From a client manager: a step of a hand-off.
    case managerSignal(ManagerID, HandoffSignal)
    /// The grid's answer to a `GridEffect.moveObject`.
    case objectMoved(HandoffID, Result<Void, CallStatus>)
    /// The link to an offloaded service is up (a snapshot follows) or lost
    /// (docs/service-exchange.md).
    case serviceAttached(ServiceKind)
    case serviceLost(ServiceKind)
    /// The physics service's answer to one of the region's frames.
    case physicsResult(PhysicsResult)
    /// The script service's answer to one of the region's frames.
    case scriptResult(ScriptResult)
    /// The grid's answer to `GridEffect.storeScript` or `.scriptItem`: the script to add.
    case scriptReady(agent: LocalID, manager: ManagerID, requestID: UInt32, object: LocalID, Result<ContentItem, CallStatus>)
}

extension RegionInput {
    /// The physics link is up: `serviceAttached(.physics)`.
    public static var physicsAttached: RegionInput { .serviceAttached(.physics) }
    /// The physics link is lost: `serviceLost(.physics)`.
    public static var physicsLost: RegionInput { .serviceLost(.physics) }
    /// The scripts link is up: `serviceAttached(.scripts)`.
    public static var scriptsAttached: RegionInput { .serviceAttached(.scripts) }
    /// The scripts link is lost: `serviceLost(.scripts)`.
    public static var scriptsLost: RegionInput { .serviceLost(.scripts) }
}

/// What a frame sends, in order: direct replies first (e.g. `AgentJoined`), then each
/// manager's `RegionFrame`.
public struct RegionOutput: Sendable {
    public var messages: [(ManagerID, WireMessage)] = []
    /// Calls for the grid services that the runner makes after the frame.
    public var gridEffects: [GridEffect] = []
    /// Messages for other regions (hand-offs, ghosts, relayed chat), by destination region.
    public var peerMessages: [(RegionHandle, WireMessage)] = []
    /// The frame for the physics service (nil when none is attached, or it is held back).
    public var physicsFrame: PhysicsFrame?
    /// The frame for the script service (nil when none is attached, or it is held back).
    public var scriptFrame: ScriptFrame?

    public init() {}

    public func messages(for manager: ManagerID) -> [WireMessage] {
        messages.filter { $0.0 == manager }.map(\.1)
    }
}

/// The injected time of a frame: a monotonic reading for rates, a wall-clock reading for
/// timestamps that clients compare with their own clocks.
public struct FrameInstant: Sendable, Hashable {
    public var seconds: Double
    public var wallMillis: UInt64

    public init(seconds: Double, wallMillis: UInt64) {
        self.seconds = seconds
        self.wallMillis = wallMillis
    }
}

/// Achieved frame rate over a sliding window, divided by the nominal rate.
struct TimeDilationMeter {
    private var times: [Double] = []
    private var next = 0
    let window: Int
    let nominalPeriod: Double

    init(frameRate: Int, window: Int = 45) {
        self.window = window
        self.nominalPeriod = 1 / Double(frameRate)
    }

    mutating func record(_ seconds: Double) {
        if times.count < window {
            times.append(seconds)
        } else {
            times[next] = seconds
            next = (next + 1) % window
        }
    }

    /// Mean seconds between the frames of the window; nil until two frames have run.
    var achievedPeriod: Double? {
        guard times.count >= 2 else { return nil }
        let newest = times[(next + times.count - 1) % times.count]
        let oldest = times.count < window ? times[0] : times[next]
        let period = (newest - oldest) / Double(times.count - 1)
        return period > 0 ? period : nil
    }

    /// Achieved rate divided by nominal, in [0, 1]; 1 until two frames have run.
    var dilation: Float {
        guard let period = achievedPeriod else { return 1 }
        return Float(min(1, nominalPeriod / period))
    }

    var achievedFrameRate: Double {
        guard let period = achievedPeriod else { return 1 / nominalPeriod }
        return 1 / period
    }
}
