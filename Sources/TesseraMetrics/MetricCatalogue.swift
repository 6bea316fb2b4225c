/// One metric Tessera records: what `# HELP` says about it and what docs/metrics.md lists.
public struct MetricDescription: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// A swift-metrics `Counter`.
        case counter
        /// A `Gauge` or `Meter`.
        case gauge
        /// A `Timer`: a histogram of seconds over `TesseraMetrics.durationBuckets`.
        case timeHistogram
        /// An aggregating `Recorder`: a histogram over `TesseraMetrics.valueBuckets`.
        case valueHistogram

        /// The Prometheus type (`# TYPE`).
        public var prometheusType: String {
            switch self {
            case .counter: "counter"
            case .gauge: "gauge"
            case .timeHistogram, .valueHistogram: "histogram"
            }
        }
    }

    public var name: String
    public var kind: Kind
    /// Label names, in the order the recording code passes them.
    public var labels: [String]
    public var help: String

    public init(_ name: String, _ kind: Kind, labels: [String] = [], _ help: String) {
        self.name = name
        self.kind = kind
        self.labels = labels
        self.help = help
    }
}

/// Every metric of the grid, by the role that records it. The recording code names them with
/// the same strings (swift-metrics labels); docs/metrics.md describes the same list.
public enum MetricCatalogue {
    public static let region: [MetricDescription] = [
        .init("tessera_region_frame_seconds", .timeHistogram, labels: ["region"], "Time one frame of the region took to run (drain, step, deliver)."),
        .init("tessera_region_time_dilation_ratio", .gauge, labels: ["region"], "Simulated time per wall-clock time over recent frames (1 at full rate)."),
        .init("tessera_region_root_avatars", .gauge, labels: ["region"], "Avatars whose root (authoritative) region this is."),
        .init("tessera_region_ghosts", .gauge, labels: ["region"], "Read-only copies of neighbours' entities held by the region."),
        .init("tessera_region_objects", .gauge, labels: ["region"], "Scene objects in the region."),
        .init("tessera_region_handoffs_in_progress", .gauge, labels: ["region"], "Hand-offs under way in the region, as source or destination."),
        .init("tessera_region_dropped_commands_total", .counter, labels: ["region"], "Avatar commands dropped because the region's inbox was full."),
        .init("tessera_handoffs_total", .counter, labels: ["region", "outcome"], "Hand-offs the region started as the source, by outcome (committed, failed, dropped)."),
    ]

    public static let clientManager: [MetricDescription] = [
        .init("tessera_client_connections", .gauge, labels: ["node"], "Client sessions: open WebSocket connections and Second Life viewers."),
        .init("tessera_client_viewers", .gauge, labels: ["node"], "Second Life viewers logged in or logging in (LLUDP front end)."),
        .init("tessera_client_dropped_datagrams_total", .counter, labels: ["node"], "LLUDP datagrams dropped: malformed, unknown, or from an address without a circuit."),
        .init("tessera_client_queue_depth_events", .valueHistogram, labels: ["node"], "Events queued for one client each time its writer drained its mailbox."),
        .init("tessera_client_slow_closes_total", .counter, labels: ["node"], "Clients closed for falling too far behind (mailbox full, or a frame not taken in time)."),
        .init("tessera_client_refused_connections_total", .counter, labels: ["node", "reason"], "Connections closed before their WebSocket upgrade (pending_limit, request_timeout)."),
        .init("tessera_client_rate_limited_commands_total", .counter, labels: ["node"], "Client messages dropped by the per-client rate limit."),
        .init("tessera_client_protocol_errors_total", .counter, labels: ["node"], "Clients closed for sending something that is not the protocol."),
        .init("tessera_client_deferred_updates_total", .counter, labels: ["node"], "Client update ticks that hit the byte budget, so some updates waited a tick."),
        .init("tessera_client_budget_cuts_total", .counter, labels: ["node"], "Times a client's adaptive byte budget was cut because a frame's write waited for its connection."),
        .init("tessera_client_late_refreshes_total", .counter, labels: ["node"], "Entity updates sent later than the 2 s refresh bound."),
        .init("tessera_client_frames_received_total", .counter, labels: ["node"], "WebSocket frames received from clients."),
        .init("tessera_client_received_bytes_total", .counter, labels: ["node"], "Payload bytes of the WebSocket frames received from clients."),
        .init("tessera_client_frames_sent_total", .counter, labels: ["node"], "Update frames sent to clients."),
        .init("tessera_client_sent_bytes_total", .counter, labels: ["node"], "Payload bytes of the update frames sent to clients."),
        .init("tessera_login_attempts_total", .counter, labels: ["node", "outcome"], "Client logins by outcome (accepted, or why they were refused)."),
    ]

    public static let storage: [MetricDescription] = [
        .init("tessera_db_transaction_seconds", .timeHistogram, labels: ["kind"], "Time a database transaction took, retries included, by kind (transaction, statement)."),
        .init("tessera_db_transaction_failures_total", .counter, labels: ["kind", "reason"], "Database transactions that failed, by reason (timeout, database)."),
        .init("tessera_db_transaction_retries_total", .counter, labels: ["kind"], "Database transactions run again after a deadlock or serialization failure."),
    ]

    public static let wire: [MetricDescription] = [
        .init("tessera_wire_messages_received_total", .counter, "Tessera wire messages received over every link of the process."),
        .init("tessera_wire_received_bytes_total", .counter, "Tessera wire bytes received (length prefixes included)."),
        .init("tessera_wire_messages_sent_total", .counter, "Tessera wire messages sent over every link of the process."),
        .init("tessera_wire_sent_bytes_total", .counter, "Tessera wire bytes sent (length prefixes included)."),
    ]

    public static let physics: [MetricDescription] = [
        .init("tessera_physics_step_seconds", .timeHistogram, labels: ["node"], "Bullet time to apply one region's physics frame."),
        .init("tessera_physics_worlds", .gauge, labels: ["node"], "Region worlds the physics service holds."),
        .init("tessera_physics_bodies", .gauge, labels: ["node"], "Rigid bodies across the service's worlds."),
        .init("tessera_physics_refused_frames_total", .counter, labels: ["node"], "Physics frames refused as a whole (no world, bad terrain)."),
        .init("tessera_physics_refused_bodies_total", .counter, labels: ["node"], "Bodies of physics frames the service refused."),
    ]

    public static let regionScripts: [MetricDescription] = [
        .init("tessera_region_script_frame_seconds", .timeHistogram, labels: ["region"], "Script time the service spent on one region frame (the answer's runMicros)."),
        .init("tessera_region_script_link", .gauge, labels: ["region"], "The link to the script service: 0 none, 1 lost, 2 attached."),
        .init("tessera_region_script_link_losses_total", .counter, labels: ["region"], "Times the link to the script service was lost while attached."),
        .init("tessera_region_scripted_objects", .gauge, labels: ["region"], "Objects of the region with at least one script."),
        .init("tessera_region_scripts", .gauge, labels: ["region"], "Scripts the service holds for the region."),
        .init("tessera_region_scripts_running", .gauge, labels: ["region"], "Scripts of the region that run (not stopped, compiled)."),
        .init("tessera_region_script_events_queued", .gauge, labels: ["region"], "Events waiting in the region's scripts' queues on the service."),
        .init("tessera_region_script_events_held", .gauge, labels: ["region"], "Events the region holds while the script service is away."),
        .init("tessera_region_script_events_dropped_total", .counter, labels: ["region", "where"], "Script events dropped: queue (a script's 64-event queue was full) or held (the region's held events were full)."),
        .init("tessera_region_script_chat_dropped_total", .counter, labels: ["region"], "Script chat the service dropped by the per-script rate limit."),
    ]

    public static let scripts: [MetricDescription] = [
        .init("tessera_scripts_frame_seconds", .timeHistogram, labels: ["node"], "Time spent running one region's scripts for one frame."),
        .init("tessera_scripts_regions", .gauge, labels: ["node"], "Regions with scripts on the script service."),
        .init("tessera_scripts_scripts", .gauge, labels: ["node"], "Scripts the script service holds."),
        .init("tessera_scripts_events_queued", .gauge, labels: ["node"], "Events waiting in scripts' queues on the service."),
        .init("tessera_scripts_events_dropped_total", .counter, labels: ["node"], "Events dropped because a script's 64-event queue was full."),
        .init("tessera_scripts_chat_dropped_total", .counter, labels: ["node"], "Chat dropped by the per-script rate limit."),
        .init("tessera_scripts_refused_frames_total", .counter, labels: ["node"], "Messages that were no ScriptFrame (the connection was closed)."),
    ]

    public static let all: [MetricDescription] = region + regionScripts + clientManager + storage + wire + physics + scripts

    static let byName: [String: MetricDescription] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
}
