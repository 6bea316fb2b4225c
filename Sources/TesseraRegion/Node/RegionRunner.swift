import NIOCore
import Synchronization
import TesseraWire

/// Where a frame's output goes: the node's manager connections, or a recorder in tests.
public protocol RegionOutputSink: Sendable {
    func deliver(_ output: RegionOutput)
}

/// Drives one `Region` at its fixed rate on one event loop. The region value is touched only
/// on that loop, so scene code needs no locks; everything else reaches it through the inbox.
public final class RegionRunner: @unchecked Sendable {
    public let settings: RegionSettings
    public let inbox: RegionInbox
    private let loop: EventLoop
    private let clock: FrameClock
    private let sink: RegionOutputSink
    private var region: Region
    private var nextDeadline = NIODeadline.now()
    private var scheduled: Scheduled<Void>?
    private var running = false
    private var totalFrameMicros: Double = 0
    private var frames = 0
    private let published = Mutex(RegionStats())

    public init(settings: RegionSettings, loop: EventLoop, clock: FrameClock, sink: RegionOutputSink, inbox: RegionInbox = RegionInbox()) {
        self.settings = settings
        self.loop = loop
        self.clock = clock
        self.sink = sink
        self.inbox = inbox
        self.region = Region(settings: settings)
    }

    public var stats: RegionStats { published.withLock { $0 } }

    private var period: TimeAmount { .nanoseconds(Int64(1e9 / Double(settings.frameRate))) }

    public func start() {
        loop.execute {
            guard !self.running else { return }
            self.running = true
            self.nextDeadline = .now()
            self.scheduleNext()
        }
    }

    /// Stops the loop after the current frame; completes on the region's loop.
    public func stop() async {
        try? await loop.submit {
            self.running = false
            self.scheduled?.cancel()
            self.scheduled = nil
        }.get()
    }

    private func scheduleNext() {
        guard running else { return }
        scheduled = loop.scheduleTask(deadline: nextDeadline) {
            self.runFrame()
            self.nextDeadline = self.nextDeadline + self.period
            let now = NIODeadline.now()
            if self.nextDeadline < now {
                // Overran: start the next frame now rather than racing to catch up.
                self.nextDeadline = now
                self.published.withLock { $0.overruns += 1 }
            }
            self.scheduleNext()
        }
    }

    /// One frame: drain, step, deliver. Public so a harness can step the loop by hand.
    public func runFrame() {
        let started = NIODeadline.now()
        let output = region.step(now: clock.now(), inputs: inbox.drain())
        sink.deliver(output)
        let micros = Double((NIODeadline.now() - started).nanoseconds) / 1000
        frames += 1
        totalFrameMicros += micros
        let snapshot = (region.frame, region.avatarCount, region.objectCount, region.timeDilation, region.achievedFrameRate)
        let mean = totalFrameMicros / Double(frames)
        let dropped = inbox.droppedCount
        published.withLock { stats in
            stats.name = settings.name
            stats.frame = snapshot.0
            stats.avatars = snapshot.1
            stats.objects = snapshot.2
            stats.timeDilation = snapshot.3
            stats.achievedFrameRate = snapshot.4
            stats.meanFrameMicros = mean
            stats.maxFrameMicros = max(stats.maxFrameMicros, micros)
            stats.droppedCommands = dropped
        }
    }
}
