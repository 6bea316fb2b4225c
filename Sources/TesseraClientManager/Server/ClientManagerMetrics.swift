import Metrics
import TesseraWorld

/// A client manager's metrics (docs/metrics.md), labelled with its node name and made once
/// with the manager; sessions only increment and record.
final class ClientManagerMetrics: Sendable {
    let connections: Meter
    let viewers: Meter
    let droppedDatagrams: Counter
    /// Events waiting in a client's mailbox each time its writer drains it.
    let queueDepth: Recorder
    let slowCloses: Counter
    let rateLimitedCommands: Counter
    let protocolErrors: Counter
    let deferredUpdates: Counter
    let budgetCuts: Counter
    let lateRefreshes: Counter
    /// Connections closed before their upgrade, over the pending limit or past the request timeout.
    let refusedOverPendingLimit: Counter
    let refusedRequestTimeout: Counter
    private let framesReceived: Counter
    private let bytesReceived: Counter
    private let framesSent: Counter
    private let bytesSent: Counter
    private let logins: [LoginOutcome: Counter]

    init(node: String) {
        let node = [("node", node)]
        connections = Meter(label: "tessera_client_connections", dimensions: node)
        viewers = Meter(label: "tessera_client_viewers", dimensions: node)
        droppedDatagrams = Counter(label: "tessera_client_dropped_datagrams_total", dimensions: node)
        queueDepth = Recorder(label: "tessera_client_queue_depth_events", dimensions: node, aggregate: true)
        slowCloses = Counter(label: "tessera_client_slow_closes_total", dimensions: node)
        rateLimitedCommands = Counter(label: "tessera_client_rate_limited_commands_total", dimensions: node)
        protocolErrors = Counter(label: "tessera_client_protocol_errors_total", dimensions: node)
        deferredUpdates = Counter(label: "tessera_client_deferred_updates_total", dimensions: node)
        budgetCuts = Counter(label: "tessera_client_budget_cuts_total", dimensions: node)
        lateRefreshes = Counter(label: "tessera_client_late_refreshes_total", dimensions: node)
        refusedOverPendingLimit = Counter(label: "tessera_client_refused_connections_total", dimensions: node + [("reason", "pending_limit")])
        refusedRequestTimeout = Counter(label: "tessera_client_refused_connections_total", dimensions: node + [("reason", "request_timeout")])
        framesReceived = Counter(label: "tessera_client_frames_received_total", dimensions: node)
        bytesReceived = Counter(label: "tessera_client_received_bytes_total", dimensions: node)
        framesSent = Counter(label: "tessera_client_frames_sent_total", dimensions: node)
        bytesSent = Counter(label: "tessera_client_sent_bytes_total", dimensions: node)
        logins = Dictionary(uniqueKeysWithValues: LoginOutcome.allCases.map { outcome in
            (outcome, Counter(label: "tessera_login_attempts_total", dimensions: node + [("outcome", outcome.rawValue)]))
        })
    }

    func received(bytes: Int) {
        framesReceived.increment()
        bytesReceived.increment(by: bytes)
    }

    func sent(bytes: Int) {
        framesSent.increment()
        bytesSent.increment(by: bytes)
    }

    func login(_ outcome: LoginOutcome) {
        logins[outcome]?.increment()
    }
}

/// How a client's login ended, as the `outcome` label of `tessera_login_attempts_total`.
enum LoginOutcome: String, CaseIterable, Sendable {
    case accepted
    case badCredentials = "bad_credentials"
    case invalidSession = "invalid_session"
    /// Logins are closed (an admin's maintenance), or the account may not log in.
    case notAllowed = "not_allowed"
    case rateLimited = "rate_limited"
    case regionUnavailable = "region_unavailable"
    case serviceUnavailable = "service_unavailable"
    /// Any other refusal.
    case refused

    init(refusal code: ErrorCode?) {
        switch code {
        case .badCredentials: self = .badCredentials
        case .invalidSession: self = .invalidSession
        case .notAllowed: self = .notAllowed
        case .rateLimited: self = .rateLimited
        case .regionUnavailable: self = .regionUnavailable
        case .serviceUnavailable, nil: self = .serviceUnavailable
        default: self = .refused
        }
    }
}
