import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import TesseraLLUDP
import TesseraTesting

/// HTTP and XML-RPC as a viewer speaks them to the client manager's login port.
enum ViewerHTTP {
    struct Answer {
        var status: Int
        var body: String
    }

    static func post(_ url: String, body: [UInt8], contentType: String = "text/xml") async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await answer(request)
    }

    static func get(_ url: String) async throws -> Answer {
        try await answer(HTTPClientRequest(url: url))
    }

    private static func answer(_ request: HTTPClientRequest) async throws -> Answer {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: Int(response.status.code), body: String(buffer: body))
    }

    /// A `login_to_simulator` call written out as a viewer's XML-RPC library does.
    static func loginXML(first: String, last: String, password: String, start: String = "last") -> String {
        func member(_ name: String, _ value: String) -> String {
            "<member><name>\(name)</name><value><string>\(XMLEscape.text(value))</string></value></member>"
        }
        return """
            <?xml version="1.0"?><methodCall><methodName>login_to_simulator</methodName><params><param><value><struct>\
            \(member("first", first))\(member("last", last))\
            \(member("passwd", "$1$" + ViewerLoginRequest.md5Hex(password)))\(member("start", start))\
            \(member("channel", "Tessera Edge Tests"))\(member("version", "1.0.0"))\(member("platform", "Lnx"))\
            \(member("mac", "00:00:00:00:00:00"))\(member("id0", "00000000000000000000000000000000"))\
            <member><name>options</name><value><array><data><value><string>inventory-root</string></value>\
            <value><string>inventory-skeleton</string></value></data></array></value></member>\
            </struct></value></param></params></methodCall>
            """
    }

    /// The login reply's members (an XML-RPC struct), with the HTTP status.
    static func login(_ uri: String, first: String, last: String, password: String, start: String = "last") async throws -> (Int, [String: XMLRPCValue]) {
        let answer = try await post(uri, body: Array(loginXML(first: first, last: last, password: password, start: start).utf8))
        return (answer.status, try members(of: answer))
    }

    static func members(of answer: Answer) throws -> [String: XMLRPCValue] {
        guard case .value(let value) = try XMLRPCResponse.parse(Array(answer.body.utf8)), let members = value.structValue else {
            throw RawViewerError("the login answer is not a struct: \(answer.body)")
        }
        return members
    }
}

struct RawViewerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A bare UDP socket on 127.0.0.1 that keeps every datagram it receives, in order.
final class RawUDPSocket: Sendable {
    let channel: any Channel
    private let inbox: Inbox

    final class Inbox: Sendable {
        let datagrams = Mutex<[ByteBuffer]>([])
        let onDatagram = Mutex<(@Sendable (ByteBuffer) -> Void)?>(nil)
    }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let inbox: Inbox
        init(inbox: Inbox) { self.inbox = inbox }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let datagram = unwrapInboundIn(data).data
            inbox.datagrams.withLock { $0.append(datagram) }
            inbox.onDatagram.withLock { $0 }?(datagram)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {}
    }

    init() async throws {
        let inbox = Inbox()
        self.inbox = inbox
        channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_rcvbuf), value: 1 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Handler(inbox: inbox)) }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }

    /// Sends one datagram and waits until it has been written.
    func send(_ bytes: ByteBuffer, to port: Int) async throws {
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: bytes)).get()
    }

    var received: [ByteBuffer] { inbox.datagrams.withLock { $0 } }

    /// Every sequence number the peer acknowledged so far (appended ACKs and PacketAck).
    var acknowledged: [UInt32] {
        received.flatMap { datagram -> [UInt32] in
            guard let packet = try? SLPacket.decode(datagram) else { return [] }
            var acks = packet.acks
            if case .packetAck(let message)? = try? packet.decoded() { acks += message.packets.map(\.id) }
            return acks
        }
    }

    func onDatagram(_ handler: @escaping @Sendable (ByteBuffer) -> Void) {
        inbox.onDatagram.withLock { $0 = handler }
    }

    func close() async {
        try? await channel.close()
    }
}

/// A minimal viewer of its own: an XML-RPC login, then one circuit (`SLCircuit`, the
/// project's pure reliable delivery) with the start region's endpoint over a raw UDP socket.
/// Reliable packets from the server are acknowledged, pings answered, and every message
/// delivered is kept for the test to look at.
final class RawSLViewer: Sendable {
    let socket: RawUDPSocket
    let port: Int
    let agentID: UUID
    let sessionID: UUID
    let circuitCode: UInt32
    private let state: State

    /// The circuit and what it delivered, shared with the socket's handler and the ticker.
    final class State: Sendable {
        let circuit: Mutex<SLCircuit>
        let delivered = Mutex<[SLDecoded]>([])
        init(now: Double) { circuit = Mutex(SLCircuit(now: now)) }
    }
    private let ticker: Task<Void, Never>
    private static let clock = ContinuousClock()
    private static let origin = clock.now

    static var now: Double {
        let elapsed = clock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Logs in through XML-RPC at `uri`; the circuit is not used until `connect`.
    init(uri: String, first: String, last: String, password: String, start: String = "last") async throws {
        let (status, reply) = try await ViewerHTTP.login(uri, first: first, last: last, password: password, start: start)
        guard status == 200, reply["login"]?.stringValue == "true",
            let agent = reply["agent_id"]?.stringValue.flatMap(UUID.init(uuidString:)),
            let session = reply["session_id"]?.stringValue.flatMap(UUID.init(uuidString:)),
            let code = reply["circuit_code"]?.intValue, let port = reply["sim_port"]?.intValue
        else { throw RawViewerError("login of \(first) \(last) refused: \(status) \(reply)") }
        agentID = agent
        sessionID = session
        circuitCode = UInt32(bitPattern: code)
        self.port = Int(port)
        socket = try await RawUDPSocket()
        let state = State(now: Self.now)
        self.state = state
        let socket = socket
        let serverPort = self.port
        socket.onDatagram { datagram in
            let actions = (try? state.circuit.withLock { circuit throws(SLPacketError) in try circuit.receive(datagram, now: Self.now) }) ?? []
            Self.perform(actions, socket: socket, port: serverPort, state: state)
        }
        ticker = Task {
            while !Task.isCancelled {
                let actions = state.circuit.withLock { $0.tick(now: Self.now) }
                Self.perform(actions, socket: socket, port: serverPort, state: state)
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    private static func perform(_ actions: [SLCircuit.Action], socket: RawUDPSocket, port: Int, state: State) {
        for action in actions {
            switch action {
            case .send(let datagram):
                Task { try? await socket.send(datagram, to: port) }
            case .deliver(let packet):
                if let message = try? packet.decoded() { state.delivered.withLock { $0.append(message) } }
            case .close:
                break
            }
        }
    }

    /// Sends `message` through the circuit (sequence numbers, appended ACKs, resends).
    func send(_ message: some SLMessageBody, reliable: Bool = true) async throws {
        let actions = state.circuit.withLock { $0.send(message, reliable: reliable, now: Self.now) }
        for case .send(let datagram) in actions { try await socket.send(datagram, to: port) }
    }

    /// Sends a datagram as is, past the circuit.
    func sendRaw(_ datagram: ByteBuffer) async throws {
        try await socket.send(datagram, to: port)
    }

    var messages: [SLDecoded] { state.delivered.withLock { $0 } }

    /// UseCircuitCode, CompleteAgentMovement, then the AgentMovementComplete and
    /// RegionHandshake the server answers once the region admitted the avatar; then the
    /// RegionHandshakeReply.
    func connect() async throws {
        try await send(SL.UseCircuitCode(circuitCode: .init(code: circuitCode, sessionID: sessionID, id: agentID)))
        try await send(SL.CompleteAgentMovement(agentData: .init(agentID: agentID, sessionID: sessionID, circuitCode: circuitCode)))
        try await Eventually.until("AgentMovementComplete and RegionHandshake arrive") {
            let messages = messages
            return messages.contains { if case .agentMovementComplete = $0 { true } else { false } }
                && messages.contains { if case .regionHandshake = $0 { true } else { false } }
        }
        try await send(SL.RegionHandshakeReply(agentData: .init(agentID: agentID, sessionID: sessionID), regionInfo: .init(flags: 0)))
    }

    func close() async {
        ticker.cancel()
        await socket.close()
    }
}
