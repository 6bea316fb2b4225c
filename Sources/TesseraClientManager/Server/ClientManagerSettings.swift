import TesseraClientProtocol
import TesseraConfig
import TesseraWire
import TesseraWorld

/// How a client manager runs; built from `[[client_manager]]` of the grid config.
public struct ClientManagerSettings: Sendable {
    public var name: String
    public var host: String
    public var port: Int
    public var gridSecret: String
    /// The client manager's certificate when the grid runs with TLS: its links to region nodes
    /// and the grid services are then mutual TLS (docs/security.md).
    public var tls: WireTLS?
    /// Region nodes to connect to.
    public var regionNodes: [(host: String, port: Int)]
    /// The grid services that check logins and answer inventory calls; nil accepts any name
    /// without a password (development mode, no inventory).
    public var grid: (host: String, port: Int)?
    public var defaultRegion: String
    public var updateRate: Int
    public var maxClients: Int
    public var maxBytesPerTick: Int
    /// The adaptive budget's floor (`min_bytes_per_tick`).
    public var minBytesPerTick = AdaptiveBudget.defaultFloor
    public var maxQueuedEvents: Int
    public var loginTimeoutSeconds: Double
    /// How long one update frame may wait for the client to take it (`write_stall_seconds`).
    public var writeStallSeconds: Double
    /// How long a connection may take to send its HTTP request head (`request_timeout_seconds`).
    public var requestTimeoutSeconds: Double
    /// Connections not yet in the world (`max_pending_clients`).
    public var maxPendingClients: Int
    /// How long the grid services may take to check a login's credential (its password check
    /// may queue behind others; they refuse one that waited 20 s without starting).
    public var loginCheckTimeoutSeconds: Double = 30
    /// Failed session-token logins allowed per client address within `tokenFailureWindowSeconds`.
    public var maxTokenFailuresPerAddress = 20
    public var tokenFailureWindowSeconds: Double = 300
    /// Largest WebSocket message a client may send.
    public var maxClientFrameBytes = 65536
    /// Sustained commands per second per client; twice as many may come in a burst.
    public var commandsPerSecond: Double = 30
    /// Sustained TouchObject messages per second per client (a touch is two: start and end);
    /// twice as many may come in a burst. They count against `commandsPerSecond` too.
    public var touchesPerSecond: Double = 8
    /// Sustained AddScript messages per second per client, with bursts of `scriptUploadBurst`
    /// (each may carry up to 64 KiB of source).
    public var scriptUploadsPerSecond: Double = 1
    public var scriptUploadBurst: Double = 5
    /// The Second Life front end's first UDP port (0: system-chosen ports); nil: none.
    public var lludpPort: Int?
    /// The IPv4 address viewers are told to reach this client manager at.
    public var publicHost: String
    /// The grid's name, for `GET /get_grid_info` and viewers' grid managers.
    public var gridName: String
    /// Each region's ground (from the grid config), sent to viewers as LayerData.
    public var terrains: [RegionHandle: Terrain]
    /// The grid's regions by name and place (from the grid config), for protocol 8's map.
    public var regionEntries: [RegionMap.Entry] = []
    /// Each region's simulation rate (from the grid config), for viewers' statistics.
    public var frameRates: [RegionHandle: Int]
    /// How long a viewer's event-queue poll is held when there is nothing to send.
    public var eventQueueHoldSeconds: Double = 20

    public init(config: ClientManagerConfig, grid: GridConfig) {
        name = config.name
        host = config.host
        port = config.port
        gridSecret = grid.grid.secret
        regionNodes = grid.regionNodes.map { (host: $0.host, port: $0.port) }
        self.grid = grid.gridServices.map { (host: $0.host, port: $0.port) }
        defaultRegion = grid.grid.defaultRegion
        updateRate = config.updateRate
        maxClients = config.maxClients
        maxBytesPerTick = config.maxBytesPerTick
        minBytesPerTick = config.minBytesPerTick
        maxQueuedEvents = config.maxQueuedEvents
        loginTimeoutSeconds = config.loginTimeoutSeconds
        writeStallSeconds = config.writeStallSeconds
        requestTimeoutSeconds = config.requestTimeoutSeconds
        maxPendingClients = config.maxPendingClients
        lludpPort = config.lludpPort
        // Viewers need an address: a host name or the wildcard falls back to the loopback.
        let dotted = config.host.split(separator: ".").count == 4 && config.host.split(separator: ".").allSatisfy { UInt8($0) != nil }
        publicHost = config.publicHost ?? (dotted && config.host != "0.0.0.0" ? config.host : "127.0.0.1")
        gridName = grid.grid.name
        terrains = Dictionary(grid.regions.map { ($0.gridPosition.handle, $0.terrain) }, uniquingKeysWith: { first, _ in first })
        regionEntries = grid.regions.map { RegionMap.Entry(name: $0.name, position: $0.gridPosition) }
        frameRates = Dictionary(grid.regions.map { ($0.gridPosition.handle, $0.frameRate) }, uniquingKeysWith: { first, _ in first })
    }
}
