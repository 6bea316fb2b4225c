import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A node's `/metrics` endpoint: a small HTTP server answering `GET /metrics` with the
/// process's Prometheus text (`TesseraMetrics.render()`) and `GET /health` with `ok`.
public final class MetricsServer: Service, Sendable {
    public let host: String
    public let port: Int
    /// The node it serves (its name in logs and the `Server` header).
    public let name: String
    private let group: EventLoopGroup
    private let logger: Logger
    private let state = Mutex(ListenState())

    private struct ListenState {
        var address: SocketAddress?
        var ended = false
        var waiters: [CheckedContinuation<SocketAddress, any Error>] = []
    }

    /// `port` 0 picks a free port; `address` then tells which.
    public init(host: String, port: Int, name: String = "tessera-metrics", group: EventLoopGroup, logger: Logger) {
        self.host = host
        self.port = port
        self.name = name
        self.group = group
        self.logger = logger
    }

    /// Where it listens, once it does; nil again once it stopped.
    public var address: SocketAddress? { state.withLock { $0.address } }

    /// Waits until the server listens and returns where; throws once it has stopped.
    public func listening() async throws -> SocketAddress {
        try await withCheckedThrowingContinuation { continuation in
            state.withLock { state in
                if let address = state.address {
                    continuation.resume(returning: address)
                } else if state.ended {
                    continuation.resume(throwing: MetricsServerError.notListening(host: host, port: port))
                } else {
                    state.waiters.append(continuation)
                }
            }
        }
    }

    /// Serves until graceful shutdown (or cancellation, which Hummingbird logs as an error).
    public func run() async throws {
        TesseraMetrics.bootstrap()
        defer { finish() }
        try await makeApplication().runService()
    }

    public func makeApplication() -> some ApplicationProtocol {
        let router = Router()
        router.get("/health") { _, _ in "ok" }
        router.addMetricsRoute()
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: name),
            onServerRunning: { channel in self.bound(channel.localAddress) },
            eventLoopGroupProvider: .shared(group),
            logger: logger)
    }

    private func bound(_ address: SocketAddress?) {
        guard let address else { return }
        let waiters = state.withLock { state in
            state.address = address
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: address) }
        logger.info("metrics listening", metadata: ["address": "\(address)", "node": "\(name)"])
    }

    private func finish() {
        let waiters = state.withLock { state in
            state.ended = true
            state.address = nil
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(throwing: MetricsServerError.notListening(host: host, port: port)) }
    }
}

public enum MetricsServerError: Error, CustomStringConvertible {
    case notListening(host: String, port: Int)

    public var description: String {
        switch self {
        case .notListening(let host, let port): "the metrics server for \(host):\(port) stopped before it listened"
        }
    }
}

extension RouterMethods {
    /// Answers `GET path` with the process's metrics in the Prometheus text format, for a
    /// router of any context (the admin console adds it to its own).
    @discardableResult
    public func addMetricsRoute(_ path: RouterPath = "/metrics") -> Self {
        get(path) { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: TesseraMetrics.contentType],
                body: .init(byteBuffer: ByteBuffer(bytes: TesseraMetrics.renderBytes())))
        }
    }
}
