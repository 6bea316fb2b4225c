import TesseraConfig
import TesseraWire

/// How a client manager runs; built from `[[client_manager]]` of the grid config.
public struct ClientManagerSettings: Sendable {
    public var name: String
    public var host: String
    public var port: Int
    public var gridSecret: String
    /// Region nodes to connect to.
    public var regionNodes: [(host: String, port: Int)]
    /// The grid services that check logins and answer inventory calls; nil accepts any name
    /// without a password (development mode, no inventory).
    public var grid: (host: String, port: Int)?
    public var defaultRegion: String
    public var updateRate: Int
    public var maxClients: Int
    public var maxBytesPerTick: Int
    public var maxQueuedEvents: Int
    public var loginTimeoutSeconds: Double
    /// Largest WebSocket frame a client may send.
    public var maxClientFrameBytes = 65536
    /// Sustained commands per second per client; twice as many may come in a burst.
    public var commandsPerSecond: Double = 30

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
        maxQueuedEvents = config.maxQueuedEvents
        loginTimeoutSeconds = config.loginTimeoutSeconds
    }
}
