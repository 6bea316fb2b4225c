import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing
import TesseraTLS
import TesseraWire

/// Mutual TLS on a real loopback wire link (docs/security.md, "Wire links"): a peer is admitted
/// only with a certificate of the grid's authority, valid now, for a role the link accepts, and
/// its `Hello` must agree with the certificate; every refusal is logged with its reason.
@Suite struct WireTLSTests {
    /// An authority and certificates issued by it, kept as PEM text.
    struct Authority {
        let authority: GridCertificates.Issued

        init(grid: String = "Test Grid") throws {
            authority = try GridCertificates.makeAuthority(gridName: grid)
        }

        func issue(_ node: String, _ role: GridCertificates.Role, days: Int = 30, now: Date = Date()) throws -> GridCertificates.Issued {
            try GridCertificates.issue(
                node: node, role: role, hosts: ["127.0.0.1"], days: days, now: now,
                authorityCertificatePEM: authority.certificatePEM, authorityKeyPEM: authority.privateKeyPEM)
        }

        /// A process identity: `certificate` (issued by this or another authority) for `role`,
        /// trusting this authority.
        func identity(_ certificate: GridCertificates.Issued, role: WireRole, logger: Logger) throws -> WireTLS {
            try WireTLS(
                authorityPEM: authority.certificatePEM, certificatePEM: certificate.certificatePEM, keyPEM: certificate.privateKeyPEM,
                role: role, logger: logger)
        }
    }

    /// A listener of the role `grid` holding `tls`, accepting `roles`, that answers every
    /// `StatusRequest` with a `StatusReply` naming itself.
    private func listen(tls: WireTLS?, roles: Set<WireRole> = [.region, .tool], secret: String = "a-grid-secret-of-length") async throws -> (WireListener, Int) {
        let listener = WireListener()
        let reply = HelloAccepted(role: .grid, nodeName: "grid-1", regions: [])
        let address = try await listener.start(
            host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton, tls: tls,
            handshake: { WireHandshakeHandler(acceptingSecret: secret, allowedRoles: roles, reply: reply) },
            handler: { StatusAnswerer() })
        return (listener, try #require(address.port))
    }

    private func ask(port: Int, hello: Hello, tls: WireTLS.Dialing?) async throws -> WireMessage {
        try await WireRequest.ask(
            host: "127.0.0.1", port: port, hello: hello, .statusRequest(StatusRequest()), group: MultiThreadedEventLoopGroup.singleton,
            timeout: .seconds(10), tls: tls)
    }

    @Test func certifiedPeersTalkWithoutTheSecret() async throws {
        let ca = try Authority()
        let log = LogCapture()
        let server = try ca.identity(try ca.issue("grid-1", .grid), role: .grid, logger: log.logger)
        let client = try ca.identity(try ca.issue("node-1", .region), role: .region, logger: log.logger)
        let (listener, port) = try await listen(tls: server)
        defer { Task { await listener.shutdown() } }
        let answer = try await ask(port: port, hello: Hello(role: .region, nodeName: "node-1/Plaza", gridSecret: ""), tls: client.dialing(.grid))
        guard case .statusReply(let reply) = answer else {
            Issue.record("expected a StatusReply, got \(answer.messageType)")
            return
        }
        #expect(reply.node == "grid-1")
        #expect(client.node == "node-1")
        #expect(log.lines.isEmpty)
    }

    /// Dials a listener holding `server` (admitting `roles`) with `client`, expects the dial to
    /// fail, and returns the line the listener logged about it.
    private func refusal(
        server: (GridCertificates.Issued, WireRole), client: WireTLS, hello: Hello, dialing role: WireRole, roles: Set<WireRole> = [.region, .tool],
        ca: Authority
    ) async throws -> String {
        let log = LogCapture()
        let listening = try ca.identity(server.0, role: server.1, logger: log.logger)
        let (listener, port) = try await listen(tls: listening, roles: roles)
        defer { Task { await listener.shutdown() } }
        await #expect(throws: (any Error).self) {
            _ = try await ask(port: port, hello: hello, tls: client.dialing(role))
        }
        let line = try #require(await log.waitForLine())
        #expect(line.hasPrefix("refused wire peer 127.0.0.1:"))
        return line
    }

    @Test func aCertificateOfAnotherAuthorityIsRefusedAndLogged() async throws {
        let ca = try Authority()
        let stranger = try Authority(grid: "Another Grid")
        // The stranger's node trusts our authority (so it accepts our server) but holds a
        // certificate our authority never signed.
        let client = try ca.identity(try stranger.issue("node-1", .region), role: .region, logger: Logger(label: "client"))
        let line = try await refusal(
            server: (try ca.issue("grid-1", .grid), .grid), client: client, hello: Hello(role: .region, nodeName: "node-1", gridSecret: ""),
            dialing: .grid, ca: ca)
        #expect(line.hasSuffix("certificate of node-1 is not valid: it is not signed by the grid's authority"))
    }

    @Test func anExpiredCertificateIsRefusedAndLogged() async throws {
        let ca = try Authority()
        let expired = try ca.issue("node-1", .region, days: 1, now: Date().addingTimeInterval(-3 * 86400))
        let client = try ca.identity(expired, role: .region, logger: Logger(label: "client"))
        let line = try await refusal(
            server: (try ca.issue("grid-1", .grid), .grid), client: client, hello: Hello(role: .region, nodeName: "node-1", gridSecret: ""),
            dialing: .grid, ca: ca)
        #expect(line.contains("certificate of node-1 is not valid: it expired at 20"))
        #expect(line.hasSuffix(" UTC"))
    }

    @Test func theWrongRoleIsRefusedAndLogged() async throws {
        let ca = try Authority()
        let manager = try ca.identity(try ca.issue("edge-1", .clientManager), role: .clientManager, logger: Logger(label: "client"))
        let line = try await refusal(
            server: (try ca.issue("physics-1", .physics), .physics), client: manager,
            hello: Hello(role: .clientManager, nodeName: "edge-1", gridSecret: ""), dialing: .physics, ca: ca)
        #expect(line.hasSuffix("certificate of edge-1 is for role client-manager, not region or tool"))
    }

    @Test func theDialingSideChecksTheServerRole() async throws {
        let ca = try Authority()
        let log = LogCapture()
        // A region node's certificate where the grid services are expected.
        let impostor = try ca.identity(try ca.issue("node-9", .region), role: .region, logger: Logger(label: "server"))
        let client = try ca.identity(try ca.issue("node-1", .region), role: .region, logger: log.logger)
        let (listener, port) = try await listen(tls: impostor)
        defer { Task { await listener.shutdown() } }
        let error = await #expect(throws: WireTLSError.self) {
            _ = try await ask(port: port, hello: Hello(role: .region, nodeName: "node-1", gridSecret: ""), tls: client.dialing(.grid))
        }
        #expect(error == .peerRefused("127.0.0.1:\(port)", "certificate of node-9 is for role region, not grid"))
        #expect(log.lines == ["refused wire link to 127.0.0.1:\(port): certificate of node-9 is for role region, not grid"])
    }

    @Test func aHelloThatDisagreesWithTheCertificateIsRefused() async throws {
        let ca = try Authority()
        let server = try ca.identity(try ca.issue("grid-1", .grid), role: .grid, logger: Logger(label: "server"))
        let client = try ca.identity(try ca.issue("node-1", .region), role: .region, logger: Logger(label: "client"))
        let (listener, port) = try await listen(tls: server)
        defer { Task { await listener.shutdown() } }
        for hello in [
            Hello(role: .tool, nodeName: "node-1", gridSecret: ""),  // a role the certificate does not grant
            Hello(role: .region, nodeName: "node-2", gridSecret: ""),  // another node's name
            Hello(role: .region, nodeName: "node-10", gridSecret: ""),  // a name that only starts like it
        ] {
            let error = await #expect(throws: WireConnectionError.self) {
                _ = try await ask(port: port, hello: hello, tls: client.dialing(.grid))
            }
            guard case .refused(let refusal)? = error else { continue }
            #expect(refusal.reason == .certificateMismatch)
        }
    }

    @Test func plainPeersAndTLSPeersDoNotMix() async throws {
        let ca = try Authority()
        let server = try ca.identity(try ca.issue("grid-1", .grid), role: .grid, logger: Logger(label: "server"))
        let client = try ca.identity(try ca.issue("node-1", .region), role: .region, logger: Logger(label: "client"))
        let (tlsListener, tlsPort) = try await listen(tls: server)
        let (plainListener, plainPort) = try await listen(tls: nil)
        defer { Task { await tlsListener.shutdown(); await plainListener.shutdown() } }
        // Even with the right secret, a plain Hello is not TLS: the link never opens.
        await #expect(throws: (any Error).self) {
            _ = try await ask(port: tlsPort, hello: Hello(role: .region, nodeName: "node-1", gridSecret: "a-grid-secret-of-length"), tls: nil)
        }
        await #expect(throws: (any Error).self) {
            _ = try await ask(port: plainPort, hello: Hello(role: .region, nodeName: "node-1", gridSecret: ""), tls: client.dialing(.grid))
        }
        // The TLS listener still serves certified peers.
        let answer = try await ask(port: tlsPort, hello: Hello(role: .region, nodeName: "node-1", gridSecret: ""), tls: client.dialing(.grid))
        guard case .statusReply = answer else {
            Issue.record("expected a StatusReply, got \(answer.messageType)")
            return
        }
    }

    @Test func aProcessCannotStartWithAnotherRolesCertificate() throws {
        let ca = try Authority()
        #expect(throws: WireTLSError.wrongCertificate("the node certificate is for role grid, but this process is a region")) {
            _ = try ca.identity(try ca.issue("grid-1", .grid), role: .region, logger: Logger(label: "t"))
        }
    }

    @Test func missingFilesAreNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-wire-tls-\(UUID().uuidString)").path
        #expect(throws: WireTLSError.missingFile("\(folder)/ca.pem")) {
            _ = try WireTLS.load(directory: folder, node: "node-1", role: .region, logger: Logger(label: "t"))
        }
    }
}

/// Answers each `StatusRequest` with a `StatusReply` of the node "grid-1".
private final class StatusAnswerer: ChannelInboundHandler {
    typealias InboundIn = WireMessage
    typealias OutboundOut = WireMessage

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .statusRequest = unwrapInboundIn(data) {
            context.writeAndFlush(wrapOutboundOut(.statusReply(StatusReply(node: "grid-1", regions: []))), promise: nil)
        }
    }
}

/// Keeps the warning lines a logger writes.
final class LogCapture: Sendable {
    private let storage = Mutex<[String]>([])

    var lines: [String] { storage.withLock { $0 } }

    var logger: Logger {
        Logger(label: "capture") { _ in Handler(capture: self) }
    }

    func append(_ line: String) { storage.withLock { $0.append(line) } }

    /// The first line, waiting up to 10 s for it (the refusal is logged as the TLS check ends,
    /// which may be just after the dialing side gives up).
    func waitForLine() async -> String? {
        for _ in 0..<1000 {
            if let line = lines.first { return line }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .warning

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.append("\(event.message)")
        }
    }
}
