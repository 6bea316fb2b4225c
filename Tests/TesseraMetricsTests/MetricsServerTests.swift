import AsyncHTTPClient
import Logging
import Metrics
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing
import TesseraConfig
import TesseraMetrics

/// `MetricsServer` over a real loopback socket.
@Suite struct MetricsServerTests {
    private let logger = Logger(label: "tessera.metrics.test")

    private func get(_ path: String, port: Int) async throws -> (status: UInt, contentType: String?, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 4 << 20)
        return (response.status.code, response.headers.first(name: "content-type"), String(buffer: body))
    }

    /// Runs a server on a free port in a service group while `body` runs, then shuts it down.
    private func withServer(_ body: (MetricsServer, Int) async throws -> Void) async throws {
        let server = MetricsServer(host: "127.0.0.1", port: 0, name: "metrics-test", group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        let services = ServiceGroup(configuration: .init(services: [server], logger: logger))
        let running = Task { try await services.run() }
        do {
            let port = try #require(try await server.listening().port)
            try await body(server, port)
        } catch {
            await services.triggerGracefulShutdown()
            throw error
        }
        await services.triggerGracefulShutdown()
        try await running.value
    }

    @Test func servesTheRegistryAtMetrics() async throws {
        TesseraMetrics.bootstrap()
        Counter(label: "tessera_client_protocol_errors_total", dimensions: [("node", "served")]).increment(by: 2)
        try await withServer { server, port in
            #expect(port != 0)
            #expect(server.address?.port == port)

            let metrics = try await get("/metrics", port: port)
            #expect(metrics.status == 200)
            #expect(metrics.contentType == "text/plain; version=0.0.4; charset=utf-8")
            #expect(metrics.body.contains("# TYPE tessera_client_protocol_errors_total counter\n"))
            #expect(metrics.body.contains(#"tessera_client_protocol_errors_total{node="served"} 2"#))

            let health = try await get("/health", port: port)
            #expect(health.status == 200)
            #expect(health.body == "ok")
            #expect(try await get("/nothing", port: port).status == 404)
        }
    }

    @Test func closesItsPortOnGracefulShutdown() async throws {
        var stopped: (server: MetricsServer, port: Int)?
        try await withServer { server, port in stopped = (server, port) }
        let (server, port) = try #require(stopped)
        #expect(server.address == nil)
        await #expect(throws: MetricsServerError.self) { try await server.listening() }
        await #expect(throws: (any Error).self) {
            try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get().close()
        }
    }

    @Test func startAllServesTheNodesThatAskForIt() async throws {
        let text = """
            [grid]
            name = "Metrics"
            secret = "sixteen-chars-ok"

            [[region_node]]
            name = "node-m"
            port = 9100
            metrics_port = 0

              [[region_node.region]]
              name = "Metered"
              position = [7, 8]

            [[region_node]]
            name = "node-quiet"
            port = 9101

              [[region_node.region]]
              name = "Quiet"
              position = [8, 8]

            [[client_manager]]
            name = "edge-m"
            port = 9000
            metrics_port = 0
            """
        let config = try GridConfig.parse(text, file: "metrics.toml")
        let running = MetricsServer.startAll(for: config, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        #expect(running.servers.map(\.name) == ["node-m", "edge-m"])
        for server in running.servers {
            let port = try #require(try await server.listening().port)
            #expect(try await get("/metrics", port: port).status == 200)
        }
        await running.stop()
        for server in running.servers {
            await #expect(throws: MetricsServerError.self) { try await server.listening() }
        }
    }
}
