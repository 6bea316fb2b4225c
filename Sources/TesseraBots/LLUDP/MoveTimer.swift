import TesseraWorld

/// Times a bot's movement changes until its own avatar shows them, the same way for both
/// protocols: a change is timed when the bot starts moving, stops, or turns by more than 45°;
/// it has shown when the avatar's horizontal velocity is above 0.5 m/s within about 25° of the
/// new heading (moving), or below 0.25 m/s (stopping). A change not shown within 5 s (the
/// avatar is blocked, or crossing) is dropped untimed.
struct MoveTimer: Sendable {
    struct Pending: Sendable {
        var sent: ContinuousClock.Instant
        var heading: Float
        var moving: Bool
    }

    private(set) var pending: Pending?
    private var moving = false
    private var heading: Float = 0

    /// A movement was sent.
    mutating func sent(moving nowMoving: Bool, heading newHeading: Float, at time: ContinuousClock.Instant) {
        let turned = abs(Self.angle(heading, newHeading)) > .pi / 4
        if moving != nowMoving || (nowMoving && turned) {
            pending = Pending(sent: time, heading: newHeading, moving: nowMoving)
        }
        moving = nowMoving
        if nowMoving { heading = newHeading }
    }

    /// Forgets the pending change (a region change makes the old one meaningless).
    mutating func reset() {
        pending = nil
    }

    /// The avatar's velocity as the bot just saw it: the time since the pending change was sent
    /// when this shows it.
    mutating func observed(velocity: Vector3, at time: ContinuousClock.Instant) -> Duration? {
        guard let change = pending else { return nil }
        let speed = (velocity.x * velocity.x + velocity.y * velocity.y).squareRoot()
        let shown: Bool
        if change.moving {
            let along = (velocity.x * change.heading.cosine + velocity.y * change.heading.sine) / max(speed, 0.001)
            shown = speed > 0.5 && along > 0.9
        } else {
            shown = speed < 0.25
        }
        if shown {
            pending = nil
            return time - change.sent
        }
        if time - change.sent > .seconds(5) { pending = nil }
        return nil
    }

    /// The signed difference of two angles, within -π...π.
    static func angle(_ a: Float, _ b: Float) -> Float {
        let d = (b - a).remainder(dividingBy: 2 * .pi)
        return d.isFinite ? d : 0
    }
}
