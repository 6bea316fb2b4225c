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
                url: url, configuration: .init(maxFrameSize: 1 << 22, sniHostname: settings.serverName), tlsConfiguration: settings.tls, eventLoopGroup: group, logger: logger
            ) { inbound, outbound, _ in
                try await outbound.write(.binary(ClientMessage.login(Login(version: settings.protocolVersion, name: account.name, credential: account.credential, startRegion: startRegion)).encoded()))
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

    /// Reads the server's frames: the stream's rules are checked on what a bot keeps
    /// (`BotMirror`), and one update of the report per frame records what was measured.
    private func read(_ inbound: WebSocketInboundStream, into box: ReportBox) async throws {
        var mirror = BotMirror()
        mirror.namesLookedFor = otherProtocolNames
        var sawOther = false
        /// A region change whose first view has not arrived yet: when the avatar left the old square.
        var crossingStarted: UInt64?
        var updatesSinceLook = 0
        for try await message in inbound.messages(maxSize: 1 << 22) {
            guard case .binary(let frame) = message else {
                box.error("text frame from server")
                continue
            }
            let received = wallClockMillis()
            let now = ContinuousClock.now
            let measuring = now >= measureFrom
            let parsed: BotMirror.Frame
            do {
                parsed = try mirror.apply(frame: frame)
            } catch {
                box.error("protocol error: \(error)")
                counters.errors.add(1, ordering: .relaxed)
                continue
            }
            if parsed.welcomed { counters.connected.add(1, ordering: .relaxed) }
            if let change = parsed.regionChange, change.kind == .crossing { crossingStarted = change.startedMillis }
            var crossingMicros: UInt64?
            if let started = crossingStarted, mirror.myPosition != nil {
                crossingStarted = nil
                if measuring { crossingMicros = UInt64(max(0, (received - Double(started)) * 1000)) }
            }
            // Now and then (every 64 entity updates), the objects within touching reach.
            var nearby: [LocalID]?
            updatesSinceLook += parsed.entityUpdates
            if updatesSinceLook >= 64, let me = mirror.myPosition {
                updatesSinceLook = 0
                let reach = Self.touchReach * Self.touchReach
                nearby = mirror.objects.filter { id in
                    mirror.entities[id].map { $0.position.position.distanceSquared(to: me) <= reach } ?? false
                }.sorted()
            }
            let seesOther = parsed.sawNamed && !sawOther
            if seesOther { sawOther = true }
            let me = mirror.myPosition
            let origin = mirror.regionHandle.map { SIMD2(Double($0.rawValue >> 32), Double($0.rawValue & 0xFFFF_FFFF)) }
            let velocity = mirror.myVelocity
            box.update { report in
                if parsed.welcomed { report.welcomed = true }
                for error in parsed.errors {
                    if error.code == ErrorCode.handoffFailed.rawValue {
                        report.crossingFailures += 1
                    } else if error.requestID == Self.pushRequest || error.requestID == Self.deleteRequest {
                        // The crate rolled into another region, or physics is away: forget the crates.
                        report.droppedBoxes = []
                    } else {
                        report.errors.append("server error \(error.code): \(error.message)")
                    }
                }
                // Local ids are per region: the boxes of the region left behind are not ours to push.
                if parsed.regionChange != nil { report.droppedBoxes = [] }
                for result in parsed.results where result.outcome == .created && result.requestID >= Self.boxRequests {
                    report.droppedBoxes.append(result.localID)
                }
                if let micros = crossingMicros {
                    report.crossings += 1
                    _ = report.crossingMicros.record(micros)
                }
                if let nearby { report.nearbyObjects = nearby }
                if let origin, let me {
                    report.localPosition = me
                    if report.homeOrigin == nil { report.homeOrigin = origin }
                    report.worldPosition = origin + SIMD2(Double(me.x), Double(me.y))
                }
                if seesOther { report.sawOtherProtocol = true }
                if parsed.regionChange == nil, me != nil {
                    if let latency = report.moveTimer.observed(velocity: velocity, at: now), measuring {
                        _ = report.moveLatencyMicros.record(UInt64(max(0, latency.seconds * 1_000_000)))
                    }
                } else {
                    report.moveTimer.reset()
                }
                guard measuring else { return }
                report.frames += 1
                report.bytesIn += frame.readableBytes
                report.entityUpdates += parsed.entityUpdates
                report.chatHeard += parsed.chat
                report.avatarUpdates += parsed.motionUpdates
                report.avatarUpdateBytes += parsed.motionUpdateBytes
                if let stamp = parsed.stamp, stamp.timeMillis > 0 {
                    _ = report.latencyMicros.record(UInt64(max(0, (received - Double(stamp.timeMillis)) * 1000)))
                }
            }
            counters.frames.add(1, ordering: .relaxed)
            counters.updates.add(parsed.entityUpdates, ordering: .relaxed)
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
    /// With `physicsProbability`, once a second that is the chance of a crate action (drop,
    /// shove or delete, as `nextAction`), so crates near the corner tumble over the borders too.
    private func crossBorders(_ outbound: WebSocketOutboundWriter, box: ReportBox, random: inout SystemRandomNumberGenerator) async throws {
        var target: SIMD2<Double>?
        var lastHeading: UInt16?
        var tick = 0
        if settings.crossFromCorner {
            try await teleportNearCorner(outbound, box: box, random: &random)
        }
        while ContinuousClock.now < deadline, !Task.isCancelled {
            tick += 1
            if tick % 2 == 0, settings.physicsProbability > 0, Double.random(in: 0..<1, using: &random) < settings.physicsProbability,
               let action = crateAction(&random, report: box.report, box: box) {
                try await outbound.write(.binary(action.encoded()))
            }
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

    /// A teleport within the home region (answered by `ObjectResult(moved)`; the avatar lands
    /// stopped) to a point 16–40 m south-west of its north-east corner, once the avatar's
    /// position is known (within 5 s of `Welcome`; else the bot walks from where it is).
    private func teleportNearCorner(_ outbound: WebSocketOutboundWriter, box: ReportBox, random: inout SystemRandomNumberGenerator) async throws {
        let known = ContinuousClock.now + .seconds(5)
        while box.report.homeOrigin == nil, ContinuousClock.now < known, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard let home = box.report.homeOrigin,
              let grid = GridPosition(x: UInt32(home.x / Double(regionSize)), y: UInt32(home.y / Double(regionSize))) else { return }
        let spot = Vector3(
            regionSize - Float.random(in: 16...40, using: &random), regionSize - Float.random(in: 16...40, using: &random), 0)
        try await outbound.write(.binary(ClientMessage.teleport(Teleport(requestID: Self.cornerTeleportRequest, gridPosition: grid, position: spot)).encoded()))
        try? await Task.sleep(for: .milliseconds(300))
    }

    /// Drops a physical crate beside the avatar, shoves the last one, or (past `maxBoxes`)
    /// deletes the oldest; nil while the avatar's position is not known.
    private func crateAction(_ random: inout SystemRandomNumberGenerator, report: BotReport, box: ReportBox) -> ClientMessage? {
        guard let here = report.localPosition else { return nil }
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
    static let cornerTeleportRequest: UInt32 = 3

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
        if Double.random(in: 0..<1, using: &random) < settings.physicsProbability, let action = crateAction(&random, report: report, box: box) {
            return action
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
