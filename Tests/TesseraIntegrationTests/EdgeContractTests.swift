import Foundation
import NIOCore
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraGridProtocol
import TesseraLocalGrid
import TesseraWorld
import TesseraTesting

/// What docs/client-protocol.md promises at the edge, checked on real sockets: the order of
/// checks before Login, the message size limit and its close, shutdown, slow and half-open
/// clients, and the pending-connection bound.
@Suite("The client manager keeps the documented contract at its edge", .serialized)
struct EdgeContractTests {
    private static func errorCodes(_ messages: [ServerMessage]) -> [ErrorCode?] {
        messages.compactMap { if case .error(let error) = $0 { error.errorCode } else { nil } }
    }

    private static func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw ScenarioError.timedOut(what) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test("before Login, decoding comes first: text 4001, unknown type 4002, malformed 4001; only a message that decodes gets 4003")
    func orderOfChecksBeforeLogin() async throws {
        let grid = try await ScenarioGrid.start()
        let port = RawClientSocket.port(of: grid.url)
        let cases: [(String, @Sendable (RawClientSocket) throws -> Void, Int, ErrorCode)] = [
            ("a text frame", { try $0.sendFrame(opcode: 1, Array("Login".utf8)) }, 4001, .malformedMessage),
            ("an unknown type", { try $0.sendFrame(opcode: 2, [0x7F, 1, 2]) }, 4002, .unknownMessageType),
            ("a truncated Move", { try $0.sendFrame(opcode: 2, [0x02, 0x01]) }, 4001, .malformedMessage),
            ("a valid Move", { try $0.sendMessage(.move(Move(mode: .walk, heading: 0))) }, 4003, .notLoggedIn),
        ]
        for (what, send, code, error) in cases {
            let socket = try RawClientSocket(port: port)
            try await socket.upgrade()
            try send(socket)
            let (messages, closeCode, _) = try await socket.readUntilClose()
            #expect(closeCode == code, "\(what)")
            #expect(Self.errorCodes(messages) == [error], "\(what)")
        }
        await grid.stop()
    }

    @Test("65 536 bytes are taken; one byte more, in one frame or several, gets Error code 1 and close 1009")
    func messageSizeLimit() async throws {
        let grid = try await ScenarioGrid.start()
        let port = RawClientSocket.port(of: grid.url)
        func storeAsset(totalBytes: Int) -> [UInt8] {
            // 1 type + 4 request ID + 1 call + 2 asset type + 2 + 1 name + 4 blob length.
            let message = ClientMessage.inventory(InventoryRequest(
                requestID: 7, call: .storeAsset(type: 0, name: "a", data: Data(count: totalBytes - 15))))
            let bytes = Array(message.encoded().readableBytesView)
            #expect(bytes.count == totalBytes)
            return bytes
        }
        let reason = "a client message is at most 65536 bytes"

        // Exactly the limit decodes: before Login it is refused for its place, not its size.
        let fits = try RawClientSocket(port: port)
        try await fits.upgrade()
        try fits.sendFrame(opcode: 2, storeAsset(totalBytes: 65536))
        let fitsClose = try await fits.readUntilClose()
        #expect(fitsClose.code == 4003)

        let over = try RawClientSocket(port: port)
        try await over.upgrade()
        try over.sendFrame(opcode: 2, storeAsset(totalBytes: 65537))
        let overClose = try await over.readUntilClose()
        #expect(overClose.code == 1009)
        #expect(overClose.reason == reason)
        #expect(Self.errorCodes(overClose.messages) == [.malformedMessage])
        #expect(overClose.messages.contains { if case .error(let error) = $0 { error.message == reason } else { false } })

        let fragmented = try RawClientSocket(port: port)
        try await fragmented.upgrade()
        let big = storeAsset(totalBytes: 70000)
        try fragmented.sendFrame(opcode: 2, fin: false, Array(big[..<40000]))
        try fragmented.sendFrame(opcode: 0, fin: true, Array(big[40000...]))
        let fragmentedClose = try await fragmented.readUntilClose()
        #expect(fragmentedClose.code == 1009)
        #expect(fragmentedClose.reason == reason)
        #expect(Self.errorCodes(fragmentedClose.messages) == [.malformedMessage])

        // A frame the WebSocket decoder refuses from its header (over 131 072 bytes), from a
        // client in the world: the same Error and close.
        let huge = try RawClientSocket(port: port)
        try await huge.upgrade()
        try huge.sendMessage(.login(Login(name: "Huge", password: "")))
        while true {
            let frame = try await huge.readFrame()
            if frame.opcode == 2, try ServerMessage.decodeFrame(ByteBuffer(bytes: frame.payload)).contains(where: {
                if case .welcome = $0 { true } else { false }
            }) { break }
        }
        try huge.sendFrame(opcode: 2, [UInt8](repeating: 0x03, count: 200_000))
        let hugeClose = try await huge.readUntilClose()
        #expect(hugeClose.code == 1009)
        #expect(hugeClose.reason == reason)
        #expect(Self.errorCodes(hugeClose.messages).last == .malformedMessage)

        // Other clients are not affected.
        let ada = try await ScenarioClient.connect(grid.url)
        try await ada.login("Ada")
        await ada.close()
        await grid.stop()
    }

    @Test("at shutdown every client is closed with 1001 and the reason server shutting down")
    func shutdownCloses1001() async throws {
        let grid = try await ScenarioGrid.start()
        let ada = try await ScenarioClient.connect(grid.url)
        try await ada.login("Ada")
        let bob = try await ScenarioClient.connect(grid.url)
        try await bob.login("Bob")
        await grid.stop()
        for client in [ada, bob] {
            try await client.waitForClose()
            #expect(client.closeCode == 1001)
            #expect(client.closeReason == "server shutting down")
            #expect(client.mirror.errors.isEmpty)
        }
    }

    @Test("a client that stops reading is closed as too slow and its avatar leaves; the other client carries on")
    func slowReaderIsClosed() async throws {
        let grid = try await ScenarioGrid.start(extraClientManagerKeys: "write_stall_seconds = 1")
        let port = RawClientSocket.port(of: grid.url)
        let shouter = try await ScenarioClient.connect(grid.url)
        try await shouter.login("Shouter")

        // A tiny receive window, then no reads at all after the upgrade.
        let slow = try RawClientSocket(port: port, receiveBuffer: 1024)
        try await slow.upgrade()
        try slow.sendMessage(.login(Login(name: "Slow", password: "")))
        try await shouter.waitFor("the slow avatar in view") { $0.entities.values.contains { $0.name == "Slow" } }
        let slowID = try #require(shouter.mirror.entities.first { $0.value.name == "Slow" }?.key)

        // Both shout long lines within the rate limit until the slow avatar leaves.
        let text = String(repeating: "x", count: maxChatBytes)
        let deadline = ContinuousClock.now + .seconds(90)
        var shouts = 0
        while shouter.mirror.entities[slowID] != nil, ContinuousClock.now < deadline {
            try await shouter.send(.chat(ChatSend(type: .shout, text: text)))
            try? slow.sendMessage(.chat(ChatSend(type: .shout, text: text)))
            shouts += 1
            try await Task.sleep(for: .milliseconds(40))
        }
        #expect(shouter.mirror.entities[slowID] == nil, "the slow avatar still in the world after \(shouts) shouts")
        #expect(grid.clientManager.stats.snapshot.slowClientsClosed == 1)
        #expect(!shouter.isFinished)
        #expect(shouter.violations.isEmpty)
        // The server has closed the connection: reading the backlog reaches its end.
        #expect(try await slow.readsToEnd())

        try await shouter.send(.ping(Ping(nonce: 9, clientTimeMillis: 0)))
        try await shouter.waitFor("Pong") { $0.pongs.contains { $0.nonce == 9 } }
        await shouter.close()
        await grid.stop()
    }

    @Test("a half-open HTTP request is closed after request_timeout_seconds; the WebSocket upgrade is not affected")
    func halfOpenRequestTimesOut() async throws {
        let grid = try await ScenarioGrid.start(extraClientManagerKeys: "request_timeout_seconds = 0.5")
        let port = RawClientSocket.port(of: grid.url)
        let halfOpen = try RawClientSocket(port: port)
        try halfOpen.send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: web")
        #expect(try await halfOpen.readsToEnd(timeout: .seconds(20)))
        let silent = try RawClientSocket(port: port)
        #expect(try await silent.readsToEnd(timeout: .seconds(20)))

        // An upgraded client stays well past the request timeout: 135 region frames are 3 s
        // (it walks, so that every tick has something to send).
        let ada = try await ScenarioClient.connect(grid.url)
        try await ada.login("Ada")
        try await ada.send(.move(Move(mode: .walk, heading: 0)))
        try await ada.waitFor("a region frame") { ($0.lastStamp?.frame ?? 0) > 0 }
        let firstFrame = try #require(ada.mirror.lastStamp?.frame)
        try await ada.waitFor(timeout: .seconds(30), "3 s of region frames") { ($0.lastStamp?.frame ?? 0) >= firstFrame + 135 }
        try await ada.send(.ping(Ping(nonce: 1, clientTimeMillis: 0)))
        try await ada.waitFor("Pong") { $0.pongs.contains { $0.nonce == 1 } }
        #expect(!ada.isFinished)
        await ada.close()
        await grid.stop()
    }

    @Test("past max_pending_clients a new connection is closed at once; the pending ones are not")
    func pendingConnectionsAreBounded() async throws {
        let grid = try await ScenarioGrid.start(extraClientManagerKeys: "max_pending_clients = 3")
        let port = RawClientSocket.port(of: grid.url)
        // One at a time: the accepted connections are set up on several event loops at once.
        var held: [RawClientSocket] = []
        for count in 1...3 {
            held.append(try RawClientSocket(port: port))
            try held.last!.send("GET /ws HTTP/1.1\r\n")
            try await Self.waitUntil("\(count) pending") { grid.clientManager.pendingClients == count }
        }
        let refused = try RawClientSocket(port: port)
        #expect(try await refused.readsToEnd(timeout: .seconds(20)))
        // The three are still open: the first finishes its upgrade and logs in.
        try held[0].send("Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        let answer = try await held[0].read(12)
        #expect(String(decoding: answer, as: UTF8.self) == "HTTP/1.1 101")
        // Upgraded but not logged in, it is still pending (its session counts it from its start).
        try await Self.waitUntil("the upgraded connection counted") { grid.clientManager.pendingClients == 3 }
        try held[0].sendMessage(.login(Login(name: "Held", password: "")))
        try await Self.waitUntil("the logged-in connection no longer pending") { grid.clientManager.pendingClients == 2 }
        await grid.stop()
    }
}
