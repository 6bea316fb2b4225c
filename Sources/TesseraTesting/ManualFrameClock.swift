import Synchronization
import TesseraRegion

/// A `FrameClock` that moves only when told: every reading is the same until `advance(by:)`,
/// so a frame loop (or a whole `DeterministicGrid`) steps in exact, repeatable time. The wall
/// clock moves with the monotonic one, in whole milliseconds from `startMillis`.
public final class ManualFrameClock: FrameClock {
    /// The monotonic reading the clock starts at (any value; rates use differences only).
    public static let startSeconds: Double = 1_000
    /// The wall-clock reading it starts at: 2023-11-14 22:13:20 UTC.
    public static let startMillis: UInt64 = 1_700_000_000_000

    private let elapsed = Mutex<Double>(0)

    public init() {}

    public func now() -> FrameInstant {
        let seconds = elapsed.withLock { $0 }
        return FrameInstant(seconds: Self.startSeconds + seconds, wallMillis: Self.startMillis + UInt64((seconds * 1000).rounded()))
    }

    /// Moves time forward; negative or non-finite amounts are ignored (the clock is monotonic).
    public func advance(by seconds: Double) {
        guard seconds.isFinite, seconds > 0 else { return }
        elapsed.withLock { $0 += seconds }
    }

    /// Seconds since the clock was made.
    public var elapsedSeconds: Double { elapsed.withLock { $0 } }
}
