import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import TesseraLLUDP
import TesseraWorld

/// What a Second Life bot's single consumer task works through, in arrival order.
enum LLUDPBotEvent: Sendable {
    case datagram(ByteBuffer, SocketAddress)
    case events(port: Int, [LLSD], bytes: Int)
    case eventQueueFailed(port: Int, String)
    case tick
}

/// Hands a bot's datagrams to its task; a full inbox drops them and counts the drops.
final class DatagramInbox: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let continuation: AsyncStream<LLUDPBotEvent>.Continuation
    let dropped = Atomic<Int>(0)

    init(_ continuation: AsyncStream<LLUDPBotEvent>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        if case .dropped = continuation.yield(.datagram(envelope.data, envelope.remoteAddress)) {
            dropped.add(1, ordering: .relaxed)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable after a region closed its endpoint shows up here as
        // ECONNREFUSED: not a reason to stop; the circuit's own timeouts judge the peer.
    }
}

/// One simulated Second Life viewer: logs in over XML-RPC, speaks LLUDP to each region
/// endpoint it is sent to (one UDP socket, a circuit per endpoint), polls each region's event
/// queue, walks and chats like the WebSocket bots, and measures (docs/benchmarks.md):
/// the latency from an AgentUpdate that changes its movement to the first update of its own
/// avatar showing the new velocity, bytes received, bytes per terse object update, and
/// crossings from the moment its own avatar left the square (seen in an update, or
/// extrapolated from the newest one: `estimatedExit`) to the new region's RegionHandshake.
struct LLUDPBot: Sendable {
    let account: BotAccount
    let loginURI: String
    let settings: BotSwarm.Settings
    var startRegion = ""
    let measureFrom: ContinuousClock.Instant
    let deadline: ContinuousClock.Instant
    let counters: SwarmCounters
    let group: EventLoopGroup
    let http: HTTPClient
    /// Names of the swarm's bots that use another protocol.
    let otherProtocolNames: Set<String>
    let logger: Logger

    static let inboxSize = 8192

    func run() async -> BotReport {
        let box = ReportBox()
        await session(box)
        var report = box.report
        report.stayedToTheEnd = report.welcomed && ContinuousClock.now >= deadline - .milliseconds(200)
        if report.welcomed { counters.connected.subtract(1, ordering: .relaxed) }
        counters.errors.add(report.errors.count, ordering: .relaxed)
        return report
    }

    private func session(_ box: ReportBox) async {
        guard case .password(let password) = account.credential else {
            return box.error("\(account.name): LLUDP bots log in with a password (viewer login), not a session token")
        }
        let grant: LLUDPLoginGrant
        do {
            grant = try await LLUDPLogin.login(
                uri: loginURI, name: account.name, password: password, start: LLUDPLogin.start(region: startRegion), http: http)
        } catch {
            return box.error("\(account.name): login failed: \(error)")
        }
        let (stream, continuation) = AsyncStream.makeStream(of: LLUDPBotEvent.self, bufferingPolicy: .bufferingOldest(Self.inboxSize))
        let inbox = DatagramInbox(continuation)
        let channel: Channel
        do {
            channel = try await DatagramBootstrap(group: group)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                // Whole datagrams up to 8 KiB, so one over the protocol's limit is seen (and
                // reported) at its real size rather than cut.
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 8192))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(inbox) }
                }
                .bind(host: "0.0.0.0", port: 0).get()
        } catch {
            return box.error("\(account.name): cannot open a UDP socket: \(error)")
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                continuation.yield(.tick)
            }
        }
        let driver = LLUDPBotDriver(bot: self, grant: grant, channel: channel, continuation: continuation, box: box)
        await driver.run(stream)
        ticker.cancel()
        driver.stop()
        continuation.finish()
        try? await channel.close()
        let dropped = inbox.dropped.load(ordering: .relaxed)
        if dropped > 0 { box.error("\(account.name): \(dropped) datagrams dropped, the bot's inbox was full") }
    }
}

/// A bot's state, owned by its one consumer task.
final class LLUDPBotDriver {
    struct Link {
        var handle: UInt64
        var address: SocketAddress
        var circuit: SLCircuit
        var handshake = false
        var eventQueue: Task<Void, Never>?
    }

    struct Seen {
        var fullID: UUID
        var avatar: Bool
        var name: String
        var position: Vector3
        var velocity: Vector3
    }

    let bot: LLUDPBot
    let grant: LLUDPLoginGrant
    let channel: Channel
    let continuation: AsyncStream<LLUDPBotEvent>.Continuation
    let box: ReportBox
    let base = ContinuousClock.now
    var random = SystemRandomNumberGenerator()

    var links: [Int: Link] = [:]
    var rootPort: Int
    var objects: [UInt64: [UInt32: Seen]] = [:]
    var ownLocalID: [UInt64: UInt32] = [:]
    var welcomed = false
    var done = false
    var loggingOutSince: ContinuousClock.Instant?
    var welcomeBy: ContinuousClock.Instant

    // Movement
    var controlFlags: UInt32 = 0
    var heading: Float = 0
    var lastAgentUpdate = ContinuousClock.now
    var nextAction = ContinuousClock.now
    var moveTimer = MoveTimer()
    var crossTarget: SIMD2<Double>?
    var lastCrossHeading: Float?
    var nextAim = ContinuousClock.now

    // Crossings
    var crossingStarted: ContinuousClock.Instant?
    var crossedRegionSeen = false
    /// The newest update of the own avatar in the root region: when, where, how fast.
    var lastOwn: (time: ContinuousClock.Instant, position: Vector3, velocity: Vector3)?

    static let atPos: UInt32 = 0x1
    static let fastAt: UInt32 = 0x400
    /// SL's default throttles (bits per second): resend, land, wind, cloud, task, texture, asset.
    static let throttles: [Float] = [207_360, 165_376, 33_075.2, 33_075.2, 682_700.75, 682_700.75, 269_312]

    init(bot: LLUDPBot, grant: LLUDPLoginGrant, channel: Channel, continuation: AsyncStream<LLUDPBotEvent>.Continuation, box: ReportBox) {
        self.bot = bot
        self.grant = grant
        self.channel = channel
        self.continuation = continuation
        self.box = box
        rootPort = grant.simPort
        welcomeBy = ContinuousClock.now + .seconds(15)
    }

    var now: Double { (ContinuousClock.now - base).seconds }
    var measuring: Bool { ContinuousClock.now >= bot.measureFrom }
    var name: String { bot.account.name }

    func error(_ text: String) {
        box.error("\(name): \(text)")
    }

    func run(_ stream: AsyncStream<LLUDPBotEvent>) async {
        connect(ip: grant.simIP, port: grant.simPort, handle: grant.regionHandle, seed: grant.seedCapability)
        for await event in stream {
            switch event {
            case .datagram(let datagram, let address):
                received(datagram, from: address)
            case .events(let port, let events, let bytes):
                eventQueue(port: port, events, bytes: bytes)
            case .eventQueueFailed(let port, let problem):
                // A queue of a region the bot already left may fail as the region closes it.
                if links[port] != nil, !done, loggingOutSince == nil { error("event queue of port \(port): \(problem)") }
            case .tick:
                tick()
            }
            if done { return }
        }
    }

    func stop() {
        for link in links.values { link.eventQueue?.cancel() }
        links = [:]
    }

    // MARK: Circuits

    /// Opens a circuit to a region endpoint: UseCircuitCode, CompleteAgentMovement, the seed
    /// capability and its event queue. The RegionHandshake answers it.
    func connect(ip: String, port: Int, handle: UInt64, seed: String) {
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: ip, port: port)
        } catch {
            return self.error("region endpoint \(ip):\(port) is not an address: \(error)")
        }
        links[port]?.eventQueue?.cancel()
        links[port] = Link(handle: handle, address: address, circuit: SLCircuit(now: now))
        rootPort = port
        send(SL.UseCircuitCode(circuitCode: .init(code: grant.circuitCode, sessionID: grant.sessionID, id: grant.agentID)), reliable: true, to: port)
        send(SL.CompleteAgentMovement(agentData: .init(agentID: grant.agentID, sessionID: grant.sessionID, circuitCode: grant.circuitCode)), reliable: true, to: port)
        let continuation = continuation
        let queue = LLUDPEventQueue(seedCapability: seed, http: bot.http)
        links[port]?.eventQueue = Task {
            await queue.run(
                deliver: { events, bytes in continuation.yield(.events(port: port, events, bytes: bytes)) },
                fail: { problem in continuation.yield(.eventQueueFailed(port: port, problem)) })
        }
    }

    func send<Message: SLMessageBody>(_ message: Message, reliable: Bool = false, to port: Int) {
        guard var link = links[port] else { return }
        let actions = link.circuit.send(message, reliable: reliable, now: now)
        links[port] = link
        perform(actions, port: port, bytes: 0)
    }

    func perform(_ actions: [SLCircuit.Action], port: Int, bytes: Int) {
        for action in actions {
            switch action {
            case .send(let datagram):
                guard let link = links[port] else { continue }
                channel.writeAndFlush(AddressedEnvelope(remoteAddress: link.address, data: datagram), promise: nil)
            case .deliver(let packet):
                handle(packet, port: port, bytes: bytes)
            case .close(let reason):
                let wasRoot = port == rootPort
                links[port]?.eventQueue?.cancel()
                links[port] = nil
                // A circuit of a region the bot has left may go quiet (its DisableSimulator,
                // unreliable, lost): only the root circuit's death is a failure.
                if reason != .closed, wasRoot { error("circuit to port \(port) died: \(reason)") }
                if wasRoot, loggingOutSince == nil {
                    if reason == .closed { error("the region closed the circuit of port \(port)") }
                    done = true
                }
            }
        }
    }

    func received(_ datagram: ByteBuffer, from address: SocketAddress) {
        // Datagrams of a circuit already retired (resends after DisableSimulator) are ignored.
        guard let port = address.port, var link = links[port] else { return }
        let bytes = datagram.readableBytes
        let actions: [SLCircuit.Action]
        do {
            actions = try link.circuit.receive(datagram, now: now)
        } catch {
            return self.error("malformed datagram from port \(port): \(error)")
        }
        links[port] = link
        if measuring {
            box.update { report in
                report.frames += 1
                report.bytesIn += bytes
            }
            bot.counters.frames.add(1, ordering: .relaxed)
        }
        perform(actions, port: port, bytes: bytes)
    }

    // MARK: Acting

    func tick() {
        let time = now
        for port in Array(links.keys) {
            guard var link = links[port] else { continue }
            let actions = link.circuit.tick(now: time)
            links[port] = link
            perform(actions, port: port, bytes: 0)
        }
        if done { return }
        let clock = ContinuousClock.now
        if let since = loggingOutSince {
            if clock - since > .seconds(10) {
                error("no LogoutReply within 10 s")
                done = true
            }
            return
        }
        guard welcomed else {
            if clock > welcomeBy {
                error("no RegionHandshake within 15 s")
                done = true
            }
            return
        }
        if clock >= bot.deadline || Task.isCancelled {
            loggingOutSince = clock
            send(SL.LogoutRequest(agentData: .init(agentID: grant.agentID, sessionID: grant.sessionID)), reliable: true, to: rootPort)
            return
        }
        if bot.settings.cross {
            if clock >= nextAim {
                nextAim = clock + .milliseconds(500)
                aimAtCorner()
            }
        } else if clock >= nextAction {
            nextAction = clock + .milliseconds(Int.random(in: 1500...4000, using: &random))
            act()
        }
        if clock - lastAgentUpdate >= .milliseconds(500) { sendAgentUpdate() }
    }

    /// Runs toward random points within 80 m of the home region's north-east corner, as the
    /// WebSocket bots do.
    func aimAtCorner() {
        let report = box.report
        guard let position = report.worldPosition, let home = report.homeOrigin else { return }
        let corner = home + SIMD2(256, 256)
        if crossTarget == nil || ((crossTarget! - position) * (crossTarget! - position)).sum() < 25 {
            crossTarget = corner + SIMD2(Double.random(in: -80...80, using: &random), Double.random(in: -80...80, using: &random))
        }
        let delta = crossTarget! - position
        let wanted = Float(atan2(delta.y, delta.x))
        if lastCrossHeading.map({ abs(MoveTimer.angle($0, wanted)) > 0.03 }) ?? true {
            lastCrossHeading = wanted
            move(flags: Self.atPos | Self.fastAt, heading: wanted)
        }
    }

    func act() {
        let settings = bot.settings
        if Double.random(in: 0..<1, using: &random) < settings.channelChatProbability {
            return chat("\(name) on channel \(settings.scriptChannel) at \(Int(wallClockMillis()) % 100_000)", channel: settings.scriptChannel)
        }
        if Double.random(in: 0..<1, using: &random) < settings.chatProbability {
            return chat("\(name) says hello at \(Int(wallClockMillis()) % 100_000)", channel: 0)
        }
        let roll = Double.random(in: 0..<1, using: &random)
        let flags: UInt32 = roll < 0.6 ? Self.atPos : roll < 0.8 ? Self.atPos | Self.fastAt : 0
        move(flags: flags, heading: Float.random(in: -Float.pi..<Float.pi, using: &random))
    }

    func chat(_ text: String, channel: Int32) {
        send(SL.ChatFromViewer(
            agentData: .init(agentID: grant.agentID, sessionID: grant.sessionID),
            chatData: .init(message: SLText.bytes(text, max: 1023), type: 1, channel: channel)), reliable: true, to: rootPort)
    }

    /// A new movement: sent at once, and timed (`MoveTimer`) until the own avatar shows it.
    func move(flags: UInt32, heading newHeading: Float) {
        let moving = flags & Self.atPos != 0
        guard flags != controlFlags || (moving && newHeading != heading) else { return }
        moveTimer.sent(moving: moving, heading: newHeading, at: .now)
        controlFlags = flags
        if moving { heading = newHeading }
        sendAgentUpdate()
    }

    func sendAgentUpdate() {
        lastAgentUpdate = .now
        let rotation = Quaternion(yaw: heading)
        let position = box.report.localPosition ?? Vector3(128, 128, 25)
        send(SL.AgentUpdate(agentData: .init(
            agentID: grant.agentID, sessionID: grant.sessionID, bodyRotation: rotation, headRotation: rotation, state: 0,
            cameraCenter: position, cameraAtAxis: Vector3(cos(heading), sin(heading), 0), cameraLeftAxis: Vector3(-sin(heading), cos(heading), 0),
            cameraUpAxis: Vector3(0, 0, 1), far: 64, controlFlags: controlFlags, flags: 0)), to: rootPort)
    }

    // MARK: Decoding

    static func vector(_ data: [UInt8], at offset: Int) -> Vector3 {
        Vector3(float(data, at: offset), float(data, at: offset + 4), float(data, at: offset + 8))
    }

    static func float(_ data: [UInt8], at offset: Int) -> Float {
        Float(bitPattern: UInt32(data[offset]) | UInt32(data[offset + 1]) << 8 | UInt32(data[offset + 2]) << 16 | UInt32(data[offset + 3]) << 24)
    }

    static func u16(_ data: [UInt8], at offset: Int, _ lower: Float, _ upper: Float) -> Float {
        let raw = UInt16(data[offset]) | UInt16(data[offset + 1]) << 8
        return lower + Float(raw) * (upper - lower) / 65535
    }

    /// One ImprovedTerseObjectUpdate `Data`: local id, state, the collision-plane flag, the
    /// plane (avatars), position as floats, velocity as 16-bit values in ±128 m/s; the rest
    /// (acceleration, rotation, angular velocity) is not used by the bots. Nil when the length
    /// does not fit the layout.
    static func terse(_ data: [UInt8]) -> (localID: UInt32, position: Vector3, velocity: Vector3)? {
        guard data.count == 44 || data.count == 60 else { return nil }
        let plane = data[5] != 0
        guard plane == (data.count == 60) else { return nil }
        let localID = UInt32(data[0]) | UInt32(data[1]) << 8 | UInt32(data[2]) << 16 | UInt32(data[3]) << 24
        let base = plane ? 22 : 6
        let position = vector(data, at: base)
        let velocity = Vector3(u16(data, at: base + 12, -128, 128), u16(data, at: base + 14, -128, 128), u16(data, at: base + 16, -128, 128))
        return (localID, position, velocity)
    }

    /// "First Last" from an avatar's NameValue pairs (`FirstName STRING RW SV Ada\n…`).
    static func name(_ nameValue: String) -> String {
        var first = ""
        var last = ""
        for line in nameValue.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false)
            guard parts.count == 5 else { continue }
            if parts[0] == "FirstName" { first = String(parts[4]) }
            if parts[0] == "LastName" { last = String(parts[4]) }
        }
        return LLUDPLogin.join(first: first, last: last)
    }
}
