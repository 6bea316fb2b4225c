import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Testing
import TesseraBots
import TesseraClientManager
import TesseraConfig
import TesseraConsole
import TesseraGrid
import TesseraStorage
import TesseraTLS
import TesseraTesting

/// Issue 19, item 1 at the public ports: a client manager with a certificate serves the viewer
/// over https and clients over wss; a client that does not speak TLS, or does not trust the
/// certificate, is refused in the handshake while the server goes on; the console with a
/// certificate is https and still wants its token; unusable certificate files stop the start
/// with an error naming the config key. Real sockets on loopback.
@Suite("TLS at the client and console ports", .serialized)
struct EdgeTLSTests {
    /// A scratch folder: the authority `ca.pem`, the server's `edge.pem` / `edge-key.pem` (for
    /// 127.0.0.1 and localhost), another authority `other-ca.pem` and its key `other-key.pem`.
    struct Files {
        var folder: String
        var ca: String { "\(folder)/ca.pem" }
        var certificate: String { "\(folder)/edge.pem" }
        var key: String { "\(folder)/edge-key.pem" }
        var otherCA: String { "\(folder)/other-ca.pem" }
        var otherKey: String { "\(folder)/other-key.pem" }

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-edge-tls-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let ca = try GridCertificates.makeAuthority(gridName: "Edge TLS")
            let edge = try GridCertificates.issue(
                node: "edge-public", role: .clientManager, hosts: ["127.0.0.1", "localhost"],
                authorityCertificatePEM: ca.certificatePEM, authorityKeyPEM: ca.privateKeyPEM)
            let other = try GridCertificates.makeAuthority(gridName: "Someone Else")
            try ca.certificatePEM.write(toFile: "\(folder)/ca.pem", atomically: true, encoding: .utf8)
            try edge.certificatePEM.write(toFile: "\(folder)/edge.pem", atomically: true, encoding: .utf8)
            try edge.privateKeyPEM.write(toFile: "\(folder)/edge-key.pem", atomically: true, encoding: .utf8)
            try other.certificatePEM.write(toFile: "\(folder)/other-ca.pem", atomically: true, encoding: .utf8)
            try other.privateKeyPEM.write(toFile: "\(folder)/other-key.pem", atomically: true, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(atPath: folder) }

        /// The client manager's keys for a scenario grid.
        var managerKeys: String { "tls_certificate = \"\(certificate)\"\ntls_key = \"\(key)\"\n" }
    }

    static func httpClient(trusting tls: TLSConfiguration) -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.tlsConfiguration = tls
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Status, headers (names in lower case) and body of a GET.
    static func get(_ http: HTTPClient, _ url: String, token: String? = nil) async throws -> (status: Int, headers: [String: String], body: String) {
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 4 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return (Int(response.status.code), headers, String(buffer: body))
    }

    /// The text of the error a GET ends with, or nil when it is answered.
    static func getFailure(_ http: HTTPClient, _ url: String) async -> String? {
        do {
            _ = try await get(http, url)
            return nil
        } catch {
            return String(describing: error)
        }
    }

    /// What a WebSocket connection attempt ended with: nil when it was upgraded (and closed
    /// at once by this side), else the error's text.
    static func connectionFailure(_ url: String, tls: TLSConfiguration?) async -> String? {
        do {
            _ = try await WebSocketClient.connect(
                url: url, configuration: .init(), tlsConfiguration: tls, eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                logger: Logger(label: "tessera.edge-tls-test")
            ) { _, outbound, _ in
                try await outbound.close(.normalClosure, reason: nil)
            }
            return nil
        } catch {
            return String(describing: error)
        }
    }

    /// A WebSocket upgrade sent in plain text over TCP: what came back before the server closed.
    static func plainUpgrade(port: Int) async throws -> [UInt8] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"))
            var bytes: [UInt8] = []
            // Until the server closes the connection.
            for try await buffer in inbound { bytes += buffer.readableBytesView }
            return bytes
        }
    }

    @Test("with a certificate: the viewer over https, a client and bots over wss get their Welcome and updates; plain ws and untrusted clients fail the handshake and the server goes on")
    func clientManagerOverTLS() async throws {
        let files = try Files()
        defer { files.remove() }
        let grid = try await ScenarioGrid.start(extraClientManagerKeys: files.managerKeys)
        let trust = try ClientTrust.configuration(caFile: files.ca)
        let http = Self.httpClient(trusting: trust)
        do {
            #expect(grid.clientManager.isSecure)
            let port = try #require(grid.clientManager.address?.port)
            #expect(grid.url == "wss://127.0.0.1:\(port)/ws")
            // WebSocket clients dial the certificate's name: the client library sends the host
            // as the TLS server name, which an IP address cannot be.
            let secureURL = "wss://localhost:\(port)/ws"

            // The viewer's page and the health check, over https.
            let page = try await Self.get(http, "https://127.0.0.1:\(port)/viewer/")
            #expect(page.status == 200)
            #expect(page.body.contains("<title>"))
            #expect(page.headers["content-security-policy"]?.contains("connect-src 'self'") == true)
            let health = try await Self.get(http, "https://localhost:\(port)/health")
            #expect(health.status == 200)
            #expect(health.body == "ok")

            // A client that speaks plain WebSocket (no TLS) to the port: refused, and its
            // connection is no longer counted as pending.
            let plain = try await Self.plainUpgrade(port: port)
            #expect(plain == [], "no HTTP answer, only the close")
            // Plain HTTP to the port: no answer but a closed connection.
            #expect(await Self.getFailure(http, "http://127.0.0.1:\(port)/health") != nil)
            // Clients that do not trust the certificate: another authority's, and the system's roots only.
            let untrusted = await Self.connectionFailure(secureURL, tls: try ClientTrust.configuration(caFile: files.otherCA))
            #expect(untrusted?.contains("CERTIFICATE_VERIFY_FAILED") == true, "\(untrusted ?? "connected")")
            let systemOnly = await Self.connectionFailure(secureURL, tls: try ClientTrust.configuration(caFile: nil))
            #expect(systemOnly?.contains("CERTIFICATE_VERIFY_FAILED") == true, "\(systemOnly ?? "connected")")
            try await Eventually.until("the refused connections are no longer pending") { grid.clientManager.pendingClients == 0 }

            // The server went on: a client that trusts the authority logs in over wss and is
            // streamed its own avatar.
            let client = try await ScenarioClient.connect(secureURL, tls: trust)
            let welcome = try await client.login("Secure Visitor")
            #expect(welcome.regionName == "Scenario Region")
            try await client.waitFor("the visitor sees itself") { $0.me?.name == "Secure Visitor" }
            #expect(client.violations == [])

            // Bots over wss (`tessera bots --url wss://… --ca-file ca.pem`): welcomed, updated, no errors.
            var settings = BotSwarm.Settings(url: secureURL, count: 2, duration: .seconds(2), warmup: .seconds(1), connectRate: 20, namePrefix: "Tls Bot")
            settings.tls = trust
            var logger = Logger(label: "tessera.edge-tls-test")
            logger.logLevel = .warning
            let summary = await BotSwarm(settings: settings, group: MultiThreadedEventLoopGroup.singleton, logger: logger).run()
            #expect(summary.connected == 2)
            #expect(summary.failed == 0)
            #expect(summary.errors == 0, "\(summary.errorSamples)")
            #expect(summary.updatesPerS > 0)
            await client.close()
        } catch {
            try? await http.shutdown()
            await grid.stop()
            throw error
        }
        try await http.shutdown()
        await grid.stop()
    }

    /// A minimal grid config whose client manager has `keys`.
    static func config(managerKeys: String) throws -> GridConfig {
        try GridConfig.parse(
            """
            [grid]
            name = "Edge"
            secret = "edge-tls-test-secret"
            [[region_node]]
            name = "node-1"
            port = 0
              [[region_node.region]]
              name = "Only"
              position = [1000, 1000]
            [[client_manager]]
            name = "edge-1"
            port = 0
            \(managerKeys)
            """, file: "edge.toml")
    }

    /// The error a client manager with `managerKeys` stops its start with (before it listens).
    static func startError(_ managerKeys: String) async throws -> ConfigError {
        let config = try config(managerKeys: managerKeys)
        let manager = ClientManager(
            settings: ClientManagerSettings(config: config.clientManagers[0], grid: config), group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "tessera.edge-tls-test"))
        let error = try await #require(throws: ConfigError.self) { try await manager.run() }
        #expect(manager.address == nil)
        return error
    }

    @Test("a certificate file that is missing, or a key that is not the certificate's, stops the client manager's start with the key and the file named")
    func unusableFiles() async throws {
        let files = try Files()
        defer { files.remove() }
        let missing = try await Self.startError("tls_certificate = \"\(files.folder)/absent.pem\"\ntls_key = \"\(files.key)\"")
        #expect(missing == ConfigError(file: "edge.toml", key: "client_manager[0].tls_certificate", problem: "\(files.folder)/absent.pem does not exist"))
        let mismatched = try await Self.startError("tls_certificate = \"\(files.certificate)\"\ntls_key = \"\(files.otherKey)\"")
        #expect(mismatched == ConfigError(
            file: "edge.toml", key: "client_manager[0].tls_key",
            problem: "the private key in \(files.otherKey) does not belong to the certificate in \(files.certificate)"))
        let notAKey = try await Self.startError("tls_certificate = \"\(files.certificate)\"\ntls_key = \"\(files.certificate)\"")
        #expect(notAKey == ConfigError(
            file: "edge.toml", key: "client_manager[0].tls_key", problem: "\(files.certificate) is not a PEM private key (PKCS #8, SEC 1 or RSA)"))
    }

    @Test("the console with a certificate: https only, answers with a token and refuses without; a mismatched key is refused by name")
    func consoleOverTLS() async throws {
        let files = try Files()
        defer { files.remove() }
        var logger = Logger(label: "tessera.edge-tls-test")
        logger.logLevel = .warning
        let settings = try await TestDatabases.fresh(migrationsDirectory: migrationsDirectory, logger: logger)
        try await withDatabase(settings, logger: logger) { client in
            let accounts = AccountStore(client: client, logger: logger, hasher: PasswordHasher(cost: 1 << 10, blockSize: 8, parallelism: 1))
            let admins = AdminStore(client: client, logger: logger)
            _ = try await accounts.create(name: "Root", password: "root password")
            try await admins.setAdmin(name: "Root", true)
            let (_, token) = try await admins.createToken(forAdmin: "Root")
            func console(key: String) -> AdminConsole {
                let tls = ServerTLSFiles(
                    certificate: files.certificate, key: key, configFile: "grid.toml",
                    certificateSetting: "grid_services.console_tls_certificate", keySetting: "grid_services.console_tls_key")
                return AdminConsole(
                    settings: .init(host: "127.0.0.1", port: 0, tls: tls), admins: admins, accounts: accounts,
                    regions: RegistryRegionDirectory(
                        registry: RegionRegistry(client: client, logger: logger), gridSecret: "unused", group: MultiThreadedEventLoopGroup.singleton),
                    logins: LoginGate(client: client, logger: logger), group: MultiThreadedEventLoopGroup.singleton, logger: logger)
            }
            let refused = try #require(throws: ConfigError.self) { _ = try console(key: files.otherKey).makeApplication() }
            #expect(refused == ConfigError(
                file: "grid.toml", key: "grid_services.console_tls_key",
                problem: "the private key in \(files.otherKey) does not belong to the certificate in \(files.certificate)"))

            let secure = console(key: files.key)
            let services = ServiceGroup(configuration: .init(services: [secure], logger: logger))
            let running = Task { try await services.run() }
            let http = Self.httpClient(trusting: try ClientTrust.configuration(caFile: files.ca))
            do {
                // Waiting for the listener to be up, not timing anything.
                for _ in 0..<1000 where secure.address == nil { try await Task.sleep(for: .milliseconds(10)) }
                let port = try #require(secure.address?.port)
                #expect(secure.baseURL == "https://127.0.0.1:\(port)")
                let base = "https://127.0.0.1:\(port)"
                let tokens = try await Self.get(http, "\(base)/tokens", token: token)
                #expect(tokens.status == 200)
                #expect(tokens.body.contains("\"items\""))
                let anonymous = try await Self.get(http, "\(base)/tokens")
                #expect(anonymous.status == 401)
                let wrong = try await Self.get(http, "\(base)/tokens", token: "not-a-token")
                #expect(wrong.status == 401)
                // Plain HTTP to the console's port: no answer but a closed connection.
                #expect(await Self.getFailure(http, "http://127.0.0.1:\(port)/health") != nil)
                // A client that does not trust the certificate: refused in the handshake.
                let stranger = Self.httpClient(trusting: try ClientTrust.configuration(caFile: files.otherCA))
                let failure = await Self.getFailure(stranger, "\(base)/health")
                #expect(failure?.contains("CERTIFICATE_VERIFY_FAILED") == true, "\(failure ?? "answered")")
                try await stranger.shutdown()
                // And the console still answers.
                let health = try await Self.get(http, "\(base)/health")
                #expect(health.status == 200)
            } catch {
                try? await http.shutdown()
                await services.triggerGracefulShutdown()
                try? await running.value
                throw error
            }
            try await http.shutdown()
            await services.triggerGracefulShutdown()
            try await running.value
        }
    }
}
