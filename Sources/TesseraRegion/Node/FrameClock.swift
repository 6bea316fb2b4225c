import Foundation

/// Where a frame loop gets its time; tests use `ManualFrameClock` (TesseraTesting).
public protocol FrameClock: Sendable {
    func now() -> FrameInstant
}

public struct SystemFrameClock: FrameClock {
    public init() {}

    public func now() -> FrameInstant {
        var monotonic = timespec()
        clock_gettime(CLOCK_MONOTONIC, &monotonic)
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        return FrameInstant(
            seconds: Double(monotonic.tv_sec) + Double(monotonic.tv_nsec) / 1e9,
            wallMillis: UInt64(wall.tv_sec) * 1000 + UInt64(wall.tv_nsec) / 1_000_000
        )
    }
}
