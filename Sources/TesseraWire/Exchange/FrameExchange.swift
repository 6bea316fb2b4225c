/// The region's side of the frame exchange with one offloaded service, as a pure state
/// machine (docs/service-exchange.md). It knows nothing of the service's frames: the region
/// asks it whether this frame may go out (and whether as a snapshot), hands it the frame
/// number each answer is for, and tells it when the link is attached or lost. Every service
/// keeps its own part of the region's state beside it (what the service holds, what changed).
///
/// Frame numbers are the region's frame counter: they only grow, and each frame is sent at
/// most once. Answers come back in the order the frames went out.
public struct FrameExchange: Hashable, Sendable {
    /// How far (in region frames) the last frame sent may be ahead of the last answered one
    /// before the region holds its changes back: with one frame sent per region frame, the
    /// frames sent and not answered.
    public let maxInFlight: UInt64
    public private(set) var status: ServiceLinkStatus
    /// Set on attach and by `requestSnapshot()`: the next frame sent is a snapshot.
    public private(set) var needsSnapshot = false
    /// The last frame sent (on attach: the frame before, as if sent and answered).
    public private(set) var lastSentFrame: UInt64 = 0
    /// The last frame whose answer was applied (on attach: the frame before).
    public private(set) var lastAnsweredFrame: UInt64 = 0
    /// The frame that carried the last snapshot: answers to frames before it belong to a
    /// world the service has dropped.
    public private(set) var snapshotFrame: UInt64 = 0
    private var sentSinceAttach = false

    /// What the region sends this frame.
    public struct Outgoing: Hashable, Sendable {
        /// A full snapshot: the service drops what it held for the region and takes this frame
        /// as the whole state. Otherwise a delta: what changed since the last frame sent.
        public var snapshot: Bool
        /// Region frames since the last frame sent (at least 1 after an attach): the time the
        /// frame covers, held-back frames included.
        public var framesCovered: UInt64

        public init(snapshot: Bool, framesCovered: UInt64) {
            self.snapshot = snapshot
            self.framesCovered = framesCovered
        }
    }

    /// How an answer was taken.
    public enum Answer: Hashable, Sendable {
        /// Apply it: it came in time for the frame after the one it answers.
        case onTime
        /// Apply it: it came later than that.
        case late
        /// Drop it: before the last snapshot, not newer than one applied, or for a frame never sent.
        case stale
        /// Drop it: the link is not attached (not counted).
        case notAttached

        public var apply: Bool { self == .onTime || self == .late }
    }

    /// `configured` false: the region has no such service (state `none`, nothing is ever sent).
    public init(configured: Bool, maxInFlight: UInt64 = 4) {
        self.maxInFlight = max(maxInFlight, 1)
        status = ServiceLinkStatus(state: configured ? .lost : .none)
    }

    public var isAttached: Bool { status.state == .attached }

    /// Region frames from the last answered frame to the last sent one: the frames in flight
    /// when none was held, the held ones among them otherwise.
    public var inFlight: UInt64 { isAttached ? lastSentFrame &- lastAnsweredFrame : 0 }

    /// The link reached the service in region frame `frame`: the next frame sent is a snapshot,
    /// and nothing is in flight yet. (A region without the service configured has no link to
    /// attach it; a harness that plays the service may attach it all the same.)
    public mutating func attach(at frame: UInt64) {
        status.state = .attached
        needsSnapshot = true
        sentSinceAttach = false
        lastSentFrame = frame &- 1
        lastAnsweredFrame = frame &- 1
    }

    /// The link went down. True when it was attached: the service's part of the region's
    /// state must then be forgotten (the next attach sends a snapshot).
    @discardableResult
    public mutating func lose() -> Bool {
        guard isAttached else { return false }
        status.state = .lost
        status.losses += 1
        needsSnapshot = false
        return true
    }

    /// The service asked for the whole state again (it holds nothing for the region).
    public mutating func requestSnapshot() {
        if isAttached { needsSnapshot = true }
    }

    /// Whether region frame `frame` goes out, and how. Nil when not attached, when this frame
    /// number was already sent, or when `maxInFlight` frames are unanswered (then the frame
    /// is counted `held`: its changes wait for the next frame sent). A snapshot always goes.
    public mutating func send(frame: UInt64) -> Outgoing? {
        guard isAttached else { return nil }
        if sentSinceAttach && frame <= lastSentFrame { return nil }
        guard needsSnapshot || lastSentFrame &- lastAnsweredFrame < maxInFlight else {
            status.held += 1
            return nil
        }
        let covered = frame &- lastSentFrame
        lastSentFrame = frame
        sentSinceAttach = true
        status.framesSent += 1
        guard needsSnapshot else { return Outgoing(snapshot: false, framesCovered: covered) }
        needsSnapshot = false
        snapshotFrame = frame
        status.snapshots += 1
        return Outgoing(snapshot: true, framesCovered: covered)
    }

    /// An answer to frame `answered` reached the region in region frame `frame`.
    public mutating func receive(answerTo answered: UInt64, at frame: UInt64) -> Answer {
        guard isAttached else { return .notAttached }
        let ahead = answered &- lastAnsweredFrame
        guard sentSinceAttach, answered >= snapshotFrame, ahead >= 1, ahead <= lastSentFrame &- lastAnsweredFrame else {
            status.stale += 1
            return .stale
        }
        lastAnsweredFrame = answered
        if answered &+ 1 >= frame {
            status.onTime += 1
            return .onTime
        }
        status.late += 1
        return .late
    }
}
