import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization
import TesseraClientProtocol
import TesseraCodec
import TesseraWorld

/// One simulated avatar: logs in, walks random paths, sometimes chats, and measures the age of
/// every update frame it receives against the region frame time that the frame carries.
struct Bot: Sendable {
    let account: BotAccount
    let url: String
    let settings: BotSwarm.Settings
    /// Where to log in; empty for the default region.
    var startRegion = ""
    /// Figures are recorded from this instant on (after the ramp and the warm-up).
    let measureFrom: ContinuousClock.Instant
    let deadline: ContinuousClock.Instant
    let counters: SwarmCounters
    let group: EventLoopGroup
    /// Names of the swarm's bots that use another protocol.
    var otherProtocolNames: Set<String> = []
    let logger: Logger

    func run() async -> BotReport {
        let box = ReportBox()
        do {
            let closeFrame = try await WebSocketClient.connect(
                url: url, configuration: .init(maxFrameSize: 1 << 22), eventLoopGroup: group, logger: logger
            ) { inbound, outbound, _ in
                try await outbound.write(.binary(ClientMessage.login(Login(name: account.name, credential: account.credential, startRegion: startRegion)).encoded()))
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await read(inbound, into: box) }
                    try await act(outbound, box: box)
                    try await tasks.next()
                }
            }
            if let closeFrame, closeFrame.closeCode != .normalClosure {
                box.error("closed by server: \(closeFrame.closeCode) \(closeFrame.reason ?? "")")
            }
        } catch {
            box.error("connection failed: \(error)")
        }
        var report = box.report
        report.stayedToTheEnd = report.welcomed && ContinuousClock.now >= deadline - .milliseconds(200)
        if report.welcomed { counters.connected.subtract(1, ordering: .relaxed) }
        return report
    }

    private func read(_ inbound: WebSocketInboundStream, into box: ReportBox) async throws {
        var mirror = WorldMirror()
        /// A region change whose first view has not arrived yet: when the avatar left the old square.
        var crossingStarted: UInt64?
        for try await message in inbound.messages(maxSize: 1 << 22) {
            guard case .binary(let frame) = message else {
                box.error("text frame from server")
                continue
            }
            let received = wallClockMillis()
            do {
                let messages = try ServerMessage.decodeFrame(frame)
                let wasWelcomed = mirror.welcome != nil
                let updatesBefore = mirror.entityUpdates
                let chatBefore = mirror.chat.count
                try mirror.apply(frame: messages)
                if !wasWelcomed, mirror.welcome != nil {
                    box.update { $0.welcomed = true }
                    counters.connected.add(1, ordering: .relaxed)
                }
                for case .error(let error) in messages {
                    if error.code == ErrorCode.handoffFailed.rawValue {
                        box.update { $0.crossingFailures += 1 }
                    } else if error.requestID == Self.pushRequest || error.requestID == Self.deleteRequest {
                        // The crate rolled into another region, or physics is away: forget the crates.
                        box.update { $0.droppedBoxes = [] }
                    } else {
                        box.error("server error \(error.code): \(error.message)")
                    }
                }
                for case .regionChanged(let change) in messages {
                    if change.kind == .crossing { crossingStarted = change.startedMillis }
                    // Local ids are per region: the boxes of the region left behind are not ours to push.
                    box.update { $0.droppedBoxes = [] }
                }
                for case .objectResult(let result) in messages where result.outcome == .created && result.requestID >= Self.boxRequests {
                    box.update { $0.droppedBoxes.append(result.localID) }
                }
                if let started = crossingStarted, mirror.me != nil {
                    crossingStarted = nil
                    let micros = max(0, (received - Double(started)) * 1000)
                    if ContinuousClock.now >= measureFrom {
                        box.update { report in
                            report.crossings += 1
                            _ = report.crossingMicros.record(UInt64(micros))
                        }
                    }
                }
                if mirror.entityUpdates / 64 != updatesBefore / 64, let me = mirror.me?.motion.position.position {
                    // Now and then (every 64 entity updates), the objects within touching reach.
                    let reach = Self.touchReach * Self.touchReach
                    let near = mirror.entities.compactMap { id, entity in
                        entity.kind == .object && entity.motion.position.position.distanceSquared(to: me) <= reach ? id : nil
                    }
                    box.update { $0.nearbyObjects = near }
                }
                if let handle = mirror.regionHandle, let me = mirror.me?.motion.position.position {
                    let origin = SIMD2(Double(handle.rawValue >> 32), Double(handle.rawValue & 0xFFFF_FFFF))
                    box.update { report in
                        report.localPosition = me
                        if report.homeOrigin == nil { report.homeOrigin = origin }
                        report.worldPosition = origin + SIMD2(Double(me.x), Double(me.y))
                    }
                }
                if !otherProtocolNames.isEmpty, !box.report.sawOtherProtocol,
                    mirror.entities.values.contains(where: { $0.kind == .avatar && otherProtocolNames.contains($0.name) }) {
                    box.update { $0.sawOtherProtocol = true }
                }
                if !messages.contains(where: { if case .regionChanged = $0 { true } else { false } }), let me = mirror.me {
                    let velocity = me.motion.velocity.velocity
                    let now = ContinuousClock.now
                    box.update { report in
                        if let latency = report.moveTimer.observed(velocity: velocity, at: now), now >= measureFrom {
                            _ = report.moveLatencyMicros.record(UInt64(max(0, latency.seconds * 1_000_000)))
                        }
                    }
                } else {
                    box.update { $0.moveTimer.reset() }
                }
                let (updateBytes, updateCount) = Self.entityUpdateBytes(frame)
                let stamp = messages.first.flatMap { if case .frameStamp(let s) = $0 { s } else { nil } }
                let updates = mirror.entityUpdates - updatesBefore
                let chat = mirror.chat.count - chatBefore
                let measuring = ContinuousClock.now >= measureFrom
                box.update { report in
                    guard measuring else { return }
                    report.frames += 1
                    report.bytesIn += frame.readableBytes
                    report.entityUpdates += updates
                    report.chatHeard += chat
                    report.avatarUpdates += updateCount
                    report.avatarUpdateBytes += updateBytes
                    if let stamp, stamp.timeMillis > 0 {
                        let micros = max(0, (received - Double(stamp.timeMillis)) * 1000)
                        _ = report.latencyMicros.record(UInt64(micros))
                    }
                }
                counters.frames.add(1, ordering: .relaxed)
                counters.updates.add(updates, ordering: .relaxed)
            } catch {
                box.error("protocol error: \(error)")
                counters.errors.add(1, ordering: .relaxed)
            }
        }
    }

    private func act(_ outbound: WebSocketOutboundWriter, box: ReportBox) async throws {
        var random = SystemRandomNumberGenerator()
        // A login still in progress when the run's end comes is waited for (up to 15 s), not
        // counted as a failure: on a loaded machine a short run can end before every Welcome.
        let welcomeBy = ContinuousClock.now + .seconds(15)
        while !box.report.welcomed {
            guard ContinuousClock.now < welcomeBy else {
                box.error("no Welcome within 15 s")
                try? await outbound.close(.normalClosure, reason: "giving up")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        if settings.cross {
            try await crossBorders(outbound, box: box, random: &random)
            try await outbound.write(.binary(ClientMessage.logout.encoded()))
            return
        }
        // Cancellation (e.g. `tessera up` stopping) ends the walk early but still logs out.
        while ContinuousClock.now < deadline, !Task.isCancelled {
            let pause = Duration.milliseconds(Int.random(in: 1500...4000, using: &random))
            try? await Task.sleep(until: min(ContinuousClock.now + pause, deadline))
            guard ContinuousClock.now < deadline, !Task.isCancelled else { break }
            for message in nextActions(&random, report: box.report, box: box) {
                sent(message, box: box)
                try await outbound.write(.binary(message.encoded()))
            }
        }
        try await outbound.write(.binary(ClientMessage.logout.encoded()))
    }

    /// Runs toward random points within 80 m of the home region's north-east corner, so the
    /// path crosses between the (up to) four regions that meet there, re-aiming twice a second.
    private func crossBorders(_ outbound: WebSocketOutboundWriter, box: ReportBox, random: inout SystemRandomNumberGenerator) async throws {
        var target: SIMD2<Double>?
        var lastHeading: UInt16?
        while ContinuousClock.now < deadline, !Task.isCancelled {
            let report = box.report
            if let position = report.worldPosition, let home = report.homeOrigin {
                let corner = home + SIMD2(256, 256)
                if target == nil || ((target! - position) * (target! - position)).sum() < 25 {
                    target = corner + SIMD2(Double.random(in: -80...80, using: &random), Double.random(in: -80...80, using: &random))
                }
                let delta = target! - position
                let heading = Move(mode: .run, headingRadians: Float(atan2(delta.y, delta.x)))
                if lastHeading.map({ abs(Int($0) - Int(heading.heading)) > 300 }) ?? true {
                    lastHeading = heading.heading
                    sent(.move(heading), box: box)
                    try await outbound.write(.binary(ClientMessage.move(heading).encoded()))
                }
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    /// The bytes (type, length and body) and the number of the EntityUpdate messages of a
    /// frame, read from the message headers.
    static func entityUpdateBytes(_ frame: ByteBuffer) -> (bytes: Int, count: Int) {
        var bytes = 0
        var count = 0
        var offset = frame.readerIndex
        while let type = frame.getInteger(at: offset, as: UInt8.self),
            let length = frame.getInteger(at: offset + 1, endianness: .little, as: UInt16.self) {
            if type == ServerMessage.TypeCode.entityUpdate.rawValue {
                bytes += 3 + Int(length)
                count += 1
            }
            offset += 3 + Int(length)
        }
        return (bytes, count)
    }

    /// A movement about to be sent starts the timing of its effect (`MoveTimer`).
    private func sent(_ message: ClientMessage, box: ReportBox) {
        guard case .move(let move) = message else { return }
        let now = ContinuousClock.now
        box.update { $0.moveTimer.sent(moving: move.mode != .stop, heading: move.headingRadians, at: now) }
    }

    /// Request ids of dropped boxes start here (below it: other requests).
    static let boxRequests: UInt32 = 1 << 30
    /// Crates a bot keeps in its region before it deletes the oldest.
    static let maxBoxes = 3
    static let pushRequest: UInt32 = 1
    static let deleteRequest: UInt32 = 2

    /// How near an object must be for a bot to touch it, in metres.
    static let touchReach: Float = 10

    /// The next action: one message, or two for a touch (its start and its end).
    private func nextActions(_ random: inout SystemRandomNumberGenerator, report: BotReport, box: ReportBox) -> [ClientMessage] {
        if Double.random(in: 0..<1, using: &random) < settings.touchProbability, let object = report.nearbyObjects.randomElement(using: &random) {
            return [.touch(TouchObject(localID: object, phase: .start)), .touch(TouchObject(localID: object, phase: .end))]
        }
        if Double.random(in: 0..<1, using: &random) < settings.channelChatProbability {
            return [.chat(ChatSend(type: .say, channel: settings.scriptChannel, text: "\(account.name) on channel \(settings.scriptChannel) at \(Int(wallClockMillis()) % 100_000)"))]
        }
        return [nextAction(&random, report: report, box: box)]
    }

    private func nextAction(_ random: inout SystemRandomNumberGenerator, report: BotReport, box: ReportBox) -> ClientMessage {
        if Double.random(in: 0..<1, using: &random) < settings.physicsProbability, let here = report.localPosition {
            if report.droppedBoxes.count >= Self.maxBoxes, let oldest = report.droppedBoxes.first {
                // Each bot keeps a few crates about, so a grid left running does not fill up with them.
                box.update { $0.droppedBoxes.removeFirst() }
                return .deleteObject(DeleteObject(requestID: Self.deleteRequest, localID: oldest))
            }
            if let crate = report.droppedBoxes.last, Bool.random(using: &random) {
                // A shove of about 4 m/s (the box is 0.8 m on a side: about 51 kg), a little upward.
                let angle = Float.random(in: 0..<(2 * .pi), using: &random)
                return .pushObject(PushObject(requestID: Self.pushRequest, localID: crate, impulse: Vector3(200 * angle.cosine, 200 * angle.sine, 60)))
            }
            let drop = Vector3(min(max(here.x + 2, 1), regionSize - 1), min(max(here.y + 1, 1), regionSize - 1), here.z + 4)
            return .createObject(CreateObject(
                requestID: Self.boxRequests + UInt32.random(in: 0..<(1 << 20), using: &random), shape: .box, position: drop,
                scale: Vector3(0.8, 0.8, 0.8), name: "\(account.name)'s crate", physical: true))
        }
        if Double.random(in: 0..<1, using: &random) < settings.chatProbability {
            return .chat(ChatSend(type: .say, text: "\(account.name) says hello at \(Int(wallClockMillis()) % 100_000)"))
        }
        let roll = Double.random(in: 0..<1, using: &random)
        let mode: MovementMode = roll < 0.6 ? .walk : roll < 0.8 ? .run : .stop
        return .move(Move(mode: mode, heading: UInt16.random(in: 0...UInt16.max, using: &random)))
    }
}

/// A bot's report, shared by its reading and acting tasks.
final class ReportBox: Sendable {
    private let state = Mutex(BotReport())

    var report: BotReport { state.withLock { $0 } }

    func update(_ change: (inout BotReport) -> Void) {
        state.withLock { change(&$0) }
    }

    func error(_ description: String) {
        state.withLock { $0.errors.append(description) }
    }
}

func wallClockMillis() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) * 1000 + Double(now.tv_nsec) / 1_000_000
}
