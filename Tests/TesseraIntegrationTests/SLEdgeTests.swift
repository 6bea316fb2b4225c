import Foundation
import NIOCore
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraLLUDP
import TesseraTesting
import TesseraWorld

/// The Second Life front end's edges on real sockets (docs/sl-protocol.md): the XML-RPC login
/// and its refusals, the grid info and capabilities, garbage datagrams beside a working
/// independent client, a forged UseCircuitCode, and duplicate and out-of-order reliable
/// packets from a circuit of the test's own.
@Suite("Second Life front end: bad input and edges", .serialized)
struct SLEdgeTests {
    /// "Cy Raw" on a raw circuit (logged in and moved in) and "Bob" over WebSocket in West, once
    /// Bob sees Cy.
    static func rawViewerBesideBob(_ grid: ScenarioGrid) async throws -> (RawSLViewer, ScenarioClient) {
        let operations = try #require(grid.gridServices).operations
        _ = try await makeAccount(operations, "Cy Raw", password: "raw circuit")
        _ = try await makeAccount(operations, "Bob", password: "correct horse")
        let uri = try #require(grid.clientManager.viewerLoginURI)
        let bob = try await ScenarioClient.connect(grid.url)
        _ = try await bob.login("Bob", password: "correct horse", startRegion: "West")
        let cy = try await RawSLViewer(uri: uri, first: "Cy", last: "Raw", password: "raw circuit")
        try await cy.connect()
        try await bob.waitFor("Bob sees Cy") { $0.entity(named: "Cy Raw") != nil }
        return (cy, bob)
    }

    static func withGrid(_ body: (ScenarioGrid) async throws -> Void) async throws {
        let grid = try await ScenarioGrid.start(
            extraClientManagerKeys: "lludp_port = 0\n", migrationsDirectory: migrationsDirectory, layout: ScenarioGrid.square)
        do {
            try await body(grid)
        } catch {
            await grid.stop()
            throw error
        }
        await grid.stop()
    }

    static func protocolErrors(_ grid: ScenarioGrid) -> Int { grid.clientManager.stats.protocolErrors.load(ordering: .relaxed) }

    // MARK: XML-RPC login, grid info, capabilities

    @Test("XML-RPC login: refusals name their reason alike for a wrong password and an unknown name; malformed and oversized requests; the reply's endpoint, region and seed capability")
    func xmlrpcLogin() async throws {
        try await Self.withGrid { grid in
            let operations = try #require(grid.gridServices).operations
            let adaID = try await makeAccount(operations, "Ada Lovelace", password: "analytical engine")
            _ = try await makeAccount(operations, "Grace Hopper", password: "compiler")
            let uri = try #require(grid.clientManager.viewerLoginURI)
            let httpPort = try #require(grid.clientManager.address?.port)
            #expect(uri == "http://127.0.0.1:\(httpPort)/")

            // A wrong password and an unknown name: the same reason and the same message.
            let (wrongStatus, wrong) = try await ViewerHTTP.login(uri, first: "Ada", last: "Lovelace", password: "difference engine")
            #expect(wrongStatus == 200)
            #expect(wrong["login"] == .string("false"))
            #expect(wrong["reason"] == .string("key"))
            let message = try #require(wrong["message"]?.stringValue)
            #expect(!message.isEmpty)
            let (_, unknown) = try await ViewerHTTP.login(uri, first: "Nobody", last: "Here", password: "difference engine")
            #expect(unknown["login"] == .string("false"))
            #expect(unknown["reason"] == .string("key"))
            #expect(unknown["message"] == .string(message), "no probing: \(unknown) vs \(wrong)")
            #expect(unknown.count == 3 && wrong.count == 3, "login, reason and message only")

            // Malformed requests: reason input, and the message names the problem.
            let truncated = try await ViewerHTTP.post(uri, body: Array("<?xml version=\"1.0\"?><methodCall><methodName>login_to_simulator</methodName><params>".utf8))
            #expect(truncated.status == 200)
            let broken = try ViewerHTTP.members(of: truncated)
            #expect(broken["login"] == .string("false") && broken["reason"] == .string("input"), "\(broken)")
            let brokenMessage = try #require(broken["message"]?.stringValue)
            #expect(brokenMessage.hasPrefix("the login request is malformed: "), "\(brokenMessage)")
            #expect(brokenMessage.count > "the login request is malformed: ".count)
            let noPassword = ViewerHTTP.loginXML(first: "Ada", last: "Lovelace", password: "x")
                .replacingOccurrences(of: "<name>passwd</name>", with: "<name>password</name>")
            let missing = try ViewerHTTP.members(of: try await ViewerHTTP.post(uri, body: Array(noPassword.utf8)))
            #expect(missing["reason"] == .string("input"))
            #expect(missing["message"] == .string("the login request is malformed: passwd: missing"))
            let badDigest = ViewerHTTP.loginXML(first: "Ada", last: "Lovelace", password: "x")
                .replacingOccurrences(of: "$1$" + ViewerLoginRequest.md5Hex("x"), with: "$1$not-hex")
            let digest = try ViewerHTTP.members(of: try await ViewerHTTP.post(uri, body: Array(badDigest.utf8)))
            #expect(digest["message"] == .string("the login request is malformed: passwd: $1$ must be followed by 32 hexadecimal digits"))
            let otherMethod = try ViewerHTTP.members(of: try await ViewerHTTP.post(
                uri, body: Array("<?xml version=\"1.0\"?><methodCall><methodName>get_balance</methodName><params></params></methodCall>".utf8)))
            #expect(otherMethod["reason"] == .string("input"))
            #expect(otherMethod["message"] == .string("this login server answers login_to_simulator, not get_balance"))

            // The body bound: 16 KiB is read (a padded request, refused for its password), one byte more is 413.
            let bound = 16 * 1024
            let base = ViewerHTTP.loginXML(first: "Ada", last: "Lovelace", password: "difference engine")
            let shell = "<member><name>pad</name><value><string></string></value></member>"
            let padded = base.replacingOccurrences(
                of: "</struct>",
                with: shell.replacingOccurrences(of: "<string></string>", with: "<string>" + String(repeating: "p", count: bound - base.utf8.count - shell.utf8.count) + "</string>") + "</struct>")
            #expect(padded.utf8.count == bound)
            let atBound = try await ViewerHTTP.post(uri, body: Array(padded.utf8))
            #expect(atBound.status == 200)
            #expect(try ViewerHTTP.members(of: atBound)["reason"] == .string("key"))
            let over = try await ViewerHTTP.post(uri, body: Array(padded.utf8) + [0x20])
            #expect(over.status == 413)

            // The right password: the circuit, the endpoint, the region in metres, a seed capability.
            let (okStatus, ok) = try await ViewerHTTP.login(uri, first: "Ada", last: "Lovelace", password: "analytical engine")
            #expect(okStatus == 200)
            #expect(ok["login"] == .string("true"), "\(ok)")
            #expect(ok["agent_id"] == .string(adaID.uuidString.lowercased()))
            #expect(ok["first_name"] == .string("\"Ada\"") && ok["last_name"] == .string("Lovelace"))
            #expect(ok["sim_ip"] == .string("127.0.0.1"))
            #expect(ok["region_x"] == .int(256_000) && ok["region_y"] == .int(256_000), "West is at (1000, 1000)")
            guard case .int(let simPort)? = ok["sim_port"], case .int(let code)? = ok["circuit_code"] else {
                Issue.record("sim_port and circuit_code must be ints: \(ok)")
                return
            }
            #expect(simPort > 0 && simPort <= 65535 && code > 0)
            let seed = try #require(ok["seed_capability"]?.stringValue)
            #expect(seed.hasPrefix("http://127.0.0.1:\(httpPort)/caps/"), "\(seed)")
            #expect(UUID(uuidString: String(seed.dropFirst("http://127.0.0.1:\(httpPort)/caps/".count))) != nil, "an unguessable id")
            // sim_port is a bound UDP endpoint: a UseCircuitCode there is acknowledged.
            let agent = try #require(ok["agent_id"]?.stringValue.flatMap(UUID.init(uuidString:)))
            let session = try #require(ok["session_id"]?.stringValue.flatMap(UUID.init(uuidString:)))
            let socket = try await RawUDPSocket()
            let use = SLPacket(SL.UseCircuitCode(circuitCode: .init(code: UInt32(code), sessionID: session, id: agent)), sequence: 1, reliable: true)
            try await socket.send(use.encode(), to: Int(simPort))
            try await Eventually.until("the endpoint acknowledges UseCircuitCode") { socket.acknowledged.contains(1) }
            await socket.close()

            // Another start region: its own endpoint and its corner in metres.
            let (_, east) = try await ViewerHTTP.login(uri, first: "Grace", last: "Hopper", password: "compiler", start: "uri:East&128&128&25")
            #expect(east["login"] == .string("true"), "\(east)")
            #expect(east["region_x"] == .int(256_256) && east["region_y"] == .int(256_000), "East is at (1001, 1000)")
            #expect(east["sim_port"] != nil && east["sim_port"] != .int(simPort), "one endpoint per region")

            // The seed capability answers an LLSD array of names with the event queue's URL.
            let asked = try await ViewerHTTP.post(
                seed, body: Array("<llsd><array><string>EventQueueGet</string><string>FetchInventory2</string></array></llsd>".utf8),
                contentType: "application/llsd+xml")
            #expect(asked.status == 200)
            let caps = try LLSDXML.decode(Array(asked.body.utf8), maxDepth: 8, maxBytes: 1 << 16)
            let eventQueue = try #require(caps["EventQueueGet"]?.stringValue, "\(asked.body)")
            #expect(eventQueue.hasPrefix("http://127.0.0.1:\(httpPort)/caps/") && eventQueue != seed)
            #expect(caps["FetchInventory2"] == nil, "only what the grid serves")
            let badPoll = try await ViewerHTTP.post(eventQueue, body: Array("<llsd><array/></llsd>".utf8), contentType: "application/llsd+xml")
            #expect(badPoll.status == 400, "an event-queue poll that is not an LLSD map: \(badPoll.body)")
            #expect(!badPoll.body.isEmpty)
            let notLLSD = try await ViewerHTTP.post(seed, body: Array("hello".utf8), contentType: "application/llsd+xml")
            #expect(notLLSD.status == 400)
            #expect(notLLSD.body.hasPrefix("the seed request is not LLSD: "), "\(notLLSD.body)")
            let notArray = try await ViewerHTTP.post(seed, body: Array("<llsd><map></map></llsd>".utf8), contentType: "application/llsd+xml")
            #expect(notArray.status == 400)
            #expect(notArray.body == "the seed capability takes an LLSD array of capability names")
            let unknownCap = try await ViewerHTTP.post("http://127.0.0.1:\(httpPort)/caps/\(UUID().uuidString.lowercased())", body: Array("<llsd><array/></llsd>".utf8))
            #expect(unknownCap.status == 404)
            #expect(unknownCap.body == "no such capability")

            // Grid info: the grid's name and the login URI.
            let info = try await ViewerHTTP.get("http://127.0.0.1:\(httpPort)/get_grid_info")
            #expect(info.status == 200)
            #expect(info.body.contains("<gridname>Scenario</gridname>"), "\(info.body)")
            #expect(info.body.contains("<gridnick>scenario</gridnick>"), "\(info.body)")
            #expect(info.body.contains("<login>\(uri)</login>"), "\(info.body)")
        }
    }

    // MARK: Garbage datagrams

    /// A small seeded generator (SplitMix64), so every run sends the same garbage.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One garbage datagram of kind `index % 6`: random bytes; a valid header and message
    /// number with a random body; a forged UseCircuitCode (random code and ids); a PacketAck;
    /// a zero-run bomb (a zerocoded body of `00 FF` pairs); a header whose ACK count runs past
    /// the datagram. At most 1500 bytes.
    static func garbage(_ index: Int, _ random: inout SeededGenerator) -> ByteBuffer {
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) } }
        func header(_ flags: UInt8) -> [UInt8] {
            [flags] + bytes(4) + [0]
        }
        let numbers: [[UInt8]] = [
            [0x04], [0x0F], [0x11], [0xFF, 0x01], [0xFF, 0x06], [0xFF, 0xFF, 0x00, 0x03], [0xFF, 0xFF, 0x00, 0x50],
            [0xFF, 0xFF, 0x00, 0xF9], [0xFF, 0xFF, 0xFF, 0xFB], [0xFF, 0xFF, 0xFF, 0xFC], [0xFF, 0xFF, 0xFF, 0xFE], bytes(4),
        ]
        var out: [UInt8]
        switch index % 6 {
        case 0:
            out = bytes(Int.random(in: 0...1500, using: &random))
        case 1:
            let flags = [0x00, 0x40, 0x80, 0xC0, 0x20, 0x60][Int.random(in: 0..<6, using: &random)]
            let number = numbers[Int.random(in: 0..<numbers.count, using: &random)]
            out = header(UInt8(flags)) + number
            out += bytes(Int.random(in: 0...(1500 - out.count), using: &random))
        case 2:
            let use = SL.UseCircuitCode(circuitCode: .init(code: UInt32.random(in: 0...UInt32.max, using: &random), sessionID: UUID(), id: UUID()))
            return SLPacket(use, sequence: UInt32.random(in: 1...0xFF_FFFF, using: &random), reliable: true).encode()
        case 3:
            let ids = (0..<Int.random(in: 0...255, using: &random)).map { _ in SL.PacketAck.Packets(id: UInt32.random(in: 0...UInt32.max, using: &random)) }
            return SLPacket(SL.PacketAck(packets: ids), sequence: UInt32.random(in: 1...0xFF_FFFF, using: &random)).encode()
        case 4:
            out = header(0x80 | (Bool.random(using: &random) ? 0x40 : 0))
            let pairs = Int.random(in: 1...747, using: &random)
            for _ in 0..<pairs { out += [0x00, 0xFF] }
        default:
            out = header(0x10) + [0xFF, 0xFF, 0x00, 0x03] + bytes(Int.random(in: 0...40, using: &random)) + [0xFF]
        }
        return ByteBuffer(bytes: out)
    }

    @Test("the garbage is varied: empty and full-size datagrams, packets the packet layer reads, bodies a message decoder reads, bombs it refuses")
    func garbageMix() {
        var random = SeededGenerator(state: 16)
        var sizes: [Int] = []
        var packets = 0
        var messages = 0
        var refusedZerocoded = 0
        for index in 0..<10_000 {
            let datagram = Self.garbage(index, &random)
            sizes.append(datagram.readableBytes)
            guard let packet = try? SLPacket.decode(datagram) else {
                if index % 6 == 4 { refusedZerocoded += 1 }
                continue
            }
            packets += 1
            if (try? packet.decoded()) != nil { messages += 1 }
        }
        // The generator is seeded: the same mix every run.
        #expect(sizes.min() == 0 && sizes.max() == 1500)
        #expect(sizes.filter { $0 == 0 }.count == 2)
        #expect(packets == 6313, "datagrams the packet layer reads (valid headers)")
        #expect(messages == 4292, "of which bodies decode as their message")
        #expect(refusedZerocoded == 1583, "zero-run bombs refused by the expansion bound")
    }

    @Test("10,000 garbage datagrams at every endpoint: each is dropped and counted, the independent client still chats both ways")
    func garbageDatagrams() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: HippoProcess.python), "run scripts/sl-client-venv.sh .build/sl-venv first (scripts/test.sh does)")
        try await Self.withGrid { grid in
            let operations = try #require(grid.gridServices).operations
            _ = try await makeAccount(operations, "Ada Lovelace", password: "analytical engine")
            _ = try await makeAccount(operations, "Bob", password: "correct horse")
            _ = try await makeAccount(operations, "Port Probe", password: "probe password")
            let uri = try #require(grid.clientManager.viewerLoginURI)

            let bob = try await ScenarioClient.connect(grid.url)
            _ = try await bob.login("Bob", password: "correct horse", startRegion: "West")
            let ada = try HippoProcess(arguments: [
                "--login-uri", uri, "--first", "Ada", "--last", "Lovelace", "--password", "analytical engine",
                "--region", "West", "--x", "128", "--y", "128", "--z", "25", "--timeout", "30", "--log-level", "info",
            ])
            defer { ada.stop() }
            let login = try await ada.step(nil as String?)
            #expect(login["ok"] as? Bool == true, "login: \(login)\n\(ada.log)")
            let sawBob = try await ada.step("wait-avatar Bob Resident")
            #expect(sawBob["ok"] as? Bool == true, "\(sawBob)\n\(ada.log)")

            // Every region's endpoint: the login of another account names each in turn.
            var ports: [Int] = []
            for region in ["West", "East", "Northwest", "Northeast"] {
                let (_, reply) = try await ViewerHTTP.login(uri, first: "Port", last: "Probe", password: "probe password", start: "uri:\(region)&128&128&25")
                let port = try #require(reply["sim_port"]?.intValue, "\(region): \(reply)")
                ports.append(Int(port))
            }
            #expect(Set(ports).count == 4, "one endpoint per region: \(ports)")

            // The flood, from a socket without a circuit, in batches: each batch is counted
            // before the next goes, so the socket buffers never overflow and every datagram
            // is accounted for.
            let socket = try await RawUDPSocket()
            var random = SeededGenerator(state: 16)
            let before = Self.protocolErrors(grid)
            let total = 10_000
            let batch = 100
            for start in stride(from: 0, to: total, by: batch) {
                for index in start..<(start + batch) {
                    let datagram = Self.garbage(index, &random)
                    #expect(datagram.readableBytes <= 1500)
                    try await socket.send(datagram, to: ports[index % ports.count])
                }
                try await Eventually.until("batch \(start / batch) counted", timeout: .seconds(60), every: .milliseconds(5)) {
                    Self.protocolErrors(grid) - before >= start + batch
                }
            }
            #expect(Self.protocolErrors(grid) - before == total, "each datagram rejected once, nothing else counted")
            #expect(socket.received.isEmpty, "nothing answers a sender without a circuit")
            await socket.close()

            // The circuit of the independent client and the other clients keep working.
            let said = try await ada.step("say hello after the flood")
            #expect(said["ok"] as? Bool == true, "\(said)\n\(ada.log)")
            try await bob.waitFor("Bob hears Ada") { mirror in
                mirror.chat.contains { $0.speakerName == "Ada Lovelace" && $0.text == "hello after the flood" }
            }
            try await bob.say("and hello back")
            let heard = try await ada.step("wait-chat and hello back")
            #expect(heard["ok"] as? Bool == true, "\(heard)\n\(ada.log)")
            #expect(heard["from_name"] as? String == "Bob", "\(heard)")
            let info = try await ViewerHTTP.get(uri + "get_grid_info")
            #expect(info.status == 200, "the client manager still serves")
            #expect(!bob.isFinished)
            let out = try await ada.step("logout")
            #expect(out["ok"] as? Bool == true, "\(out)\n\(ada.log)")
            await bob.close()
        }
    }

    // MARK: A forged UseCircuitCode

    @Test("a UseCircuitCode with the right code but another session id opens nothing: it and the next datagram are dropped, unanswered")
    func useCircuitCodeWithWrongSession() async throws {
        try await Self.withGrid { grid in
            let operations = try #require(grid.gridServices).operations
            _ = try await makeAccount(operations, "Dee Probe", password: "probe password")
            let uri = try #require(grid.clientManager.viewerLoginURI)
            let (_, reply) = try await ViewerHTTP.login(uri, first: "Dee", last: "Probe", password: "probe password")
            let agent = try #require(reply["agent_id"]?.stringValue.flatMap(UUID.init(uuidString:)))
            let session = try #require(reply["session_id"]?.stringValue.flatMap(UUID.init(uuidString:)))
            let code = UInt32(bitPattern: try #require(reply["circuit_code"]?.intValue))
            let port = Int(try #require(reply["sim_port"]?.intValue))
            let socket = try await RawUDPSocket()
            let before = Self.protocolErrors(grid)

            // The right code and agent with another session id, then what would follow it.
            let forged = SL.UseCircuitCode(circuitCode: .init(code: code, sessionID: UUID(), id: agent))
            try await socket.send(SLPacket(forged, sequence: 1, reliable: true).encode(), to: port)
            let complete = SL.CompleteAgentMovement(agentData: .init(agentID: agent, sessionID: session, circuitCode: code))
            try await socket.send(SLPacket(complete, sequence: 2, reliable: true).encode(), to: port)
            try await Eventually.until("both dropped") { Self.protocolErrors(grid) - before >= 2 }
            // The right session id from another agent is refused the same way.
            let wrongAgent = SL.UseCircuitCode(circuitCode: .init(code: code, sessionID: session, id: UUID()))
            try await socket.send(SLPacket(wrongAgent, sequence: 3, reliable: true).encode(), to: port)
            try await socket.send(SLPacket(SL.StartPingCheck(pingID: .init(pingID: 1, oldestUnacked: 0)), sequence: 4).encode(), to: port)
            try await Eventually.until("both dropped") { Self.protocolErrors(grid) - before >= 4 }

            // The genuine UseCircuitCode from the same address opens the circuit: its ACK is
            // the first thing the endpoint ever sent there, and a ping is answered.
            let genuine = SL.UseCircuitCode(circuitCode: .init(code: code, sessionID: session, id: agent))
            try await socket.send(SLPacket(genuine, sequence: 5, reliable: true).encode(), to: port)
            try await Eventually.until("the genuine UseCircuitCode is acknowledged") { socket.acknowledged.contains(5) }
            try await socket.send(SLPacket(SL.StartPingCheck(pingID: .init(pingID: 9, oldestUnacked: 0)), sequence: 6).encode(), to: port)
            try await Eventually.until("the ping is answered") {
                socket.received.contains { datagram in
                    if case .completePingCheck(let pong)? = try? SLPacket.decode(datagram).decoded() { pong.pingID.pingID == 9 } else { false }
                }
            }
            #expect(Self.protocolErrors(grid) - before == 4, "the genuine packets were not counted as errors")
            #expect(Set(socket.acknowledged).isSubset(of: [5, 6]), "nothing before the genuine UseCircuitCode was acknowledged: \(socket.acknowledged)")
            let answeredPings = socket.received.compactMap { datagram -> UInt8? in
                if case .completePingCheck(let pong)? = try? SLPacket.decode(datagram).decoded() { pong.pingID.pingID } else { nil }
            }
            #expect(answeredPings == [9], "the ping sent without a circuit went unanswered")
            await socket.close()
        }
    }

    // MARK: Duplicate and out-of-order reliable packets

    @Test("a reliable ChatFromViewer sent twice (and resent once more) is heard once; packets out of order are each delivered once")
    func duplicateChat() async throws {
        try await Self.withGrid { grid in
            let (cy, bob) = try await Self.rawViewerBesideBob(grid)

            func chat(_ text: String) -> SL.ChatFromViewer {
                SL.ChatFromViewer(agentData: .init(agentID: cy.agentID, sessionID: cy.sessionID), chatData: .init(message: SLText.bytes(text, max: 1024), type: 1, channel: 0))
            }
            // Sequence numbers far from the circuit's own.
            let base: UInt32 = 0x00A0_0000
            var once = SLPacket(chat("heard once"), sequence: base, reliable: true)
            let datagram = once.encode()
            try await cy.sendRaw(datagram)
            try await cy.sendRaw(datagram)
            once.flags.insert(.resent)
            try await cy.sendRaw(once.encode())
            // Out of order: the later sequence number first.
            try await cy.sendRaw(SLPacket(chat("second of a pair"), sequence: base + 2, reliable: true).encode())
            try await cy.sendRaw(SLPacket(chat("first of a pair"), sequence: base + 1, reliable: true).encode())
            try await cy.sendRaw(SLPacket(chat("second of a pair"), sequence: base + 2, reliable: true, acks: []).encode())
            try await cy.send(chat("the last line"))

            try await bob.waitFor("Bob hears the last line") { mirror in
                mirror.chat.contains { $0.speakerName == "Cy Raw" && $0.text == "the last line" }
            }
            let lines = bob.mirror.chat.filter { $0.speakerName == "Cy Raw" }.map(\.text)
            #expect(lines == ["heard once", "second of a pair", "first of a pair", "the last line"], "\(lines)")
            // Every copy was acknowledged, the duplicates too (so a viewer stops resending).
            try await Eventually.until("three ACKs of the duplicated packet") { cy.socket.acknowledged.filter { $0 == base }.count >= 3 }
            #expect(cy.socket.acknowledged.filter { $0 == base }.count == 3)
            try await Eventually.until("two ACKs of the repeated out-of-order packet") { cy.socket.acknowledged.filter { $0 == base + 2 }.count >= 2 }
            #expect(cy.socket.acknowledged.filter { $0 == base + 1 }.count == 1)
            #expect(Self.protocolErrors(grid) == 0)
            await cy.close()
            await bob.close()
        }
    }

    // MARK: Garbage on a circuit

    @Test("garbage from a circuit's own address: what the packet layer refuses is counted, nothing is acted on, the circuit keeps working")
    func garbageOnACircuit() async throws {
        try await Self.withGrid { grid in
            let (cy, bob) = try await Self.rawViewerBesideBob(grid)

            // Batches of garbage, each followed by a name request through the circuit: its
            // answer means the endpoint has taken every datagram before it (one event loop, in order).
            var random = SeededGenerator(state: 1616)
            let before = Self.protocolErrors(grid)
            var refusedByPacketLayer = 0
            let total = 3000
            let batch = 100
            func nameReplies() -> Int {
                cy.messages.filter { message in
                    if case .uuidNameReply(let reply) = message { reply.uuidNameBlock.contains { $0.id == cy.agentID } } else { false }
                }.count
            }
            for start in stride(from: 0, to: total, by: batch) {
                for index in start..<(start + batch) {
                    let datagram = Self.garbage(index, &random)
                    if (try? SLPacket.decode(datagram)) == nil { refusedByPacketLayer += 1 }
                    try await cy.sendRaw(datagram)
                }
                try await cy.send(SL.UUIDNameRequest(uuidNameBlock: [.init(id: cy.agentID)]), reliable: false)
                try await Eventually.until("batch \(start / batch) taken", timeout: .seconds(60), every: .milliseconds(5)) {
                    nameReplies() >= start / batch + 1
                }
            }
            let counted = Self.protocolErrors(grid) - before
            #expect(refusedByPacketLayer > 1000)
            #expect(counted >= refusedByPacketLayer, "every datagram the packet layer refuses is counted: \(counted) < \(refusedByPacketLayer)")
            #expect(counted <= total, "none counted twice")

            // The circuit still carries chat, once, and the WebSocket client is unaffected.
            try await cy.send(SL.ChatFromViewer(
                agentData: .init(agentID: cy.agentID, sessionID: cy.sessionID),
                chatData: .init(message: SLText.bytes("still here", max: 1024), type: 1, channel: 0)))
            try await bob.waitFor("Bob hears Cy") { mirror in
                mirror.chat.contains { $0.speakerName == "Cy Raw" && $0.text == "still here" }
            }
            #expect(bob.mirror.chat.filter { $0.speakerName == "Cy Raw" }.map(\.text) == ["still here"], "the garbage said nothing")
            #expect(grid.clientManager.viewerCount == 1)
            #expect(!bob.isFinished)
            await cy.close()
            await bob.close()
        }
    }
}
