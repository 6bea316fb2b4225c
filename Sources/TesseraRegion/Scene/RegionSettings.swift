import TesseraWorld

/// What a region is and how it runs; built from the grid config by the composition root.
public struct RegionSettings: Sendable, Hashable {
    public var name: String
    public var gridPosition: GridPosition
    /// Nominal simulation frames per second.
    public var frameRate: Int
    /// Metres within which an avatar sees entities.
    public var viewDistance: Float
    /// The ground: a base height with hills.
    public var terrain: Terrain
    /// Where the region's physics runs (nil: kinematic movement only).
    public var physics: PhysicsEndpoint?
    /// Where the region's scripts run (nil: objects' scripts do not run).
    public var scripts: PhysicsEndpoint?
    public var maxAvatars: Int
    public var maxObjects: Int
    /// Objects one owner may have here, built or rezzed (a quota, so one account cannot fill the region).
    public var maxObjectsPerOwner: Int
    /// Interest is recomputed for each avatar every this many frames (staggered across avatars).
    public var interestInterval: Int
    /// Arrivals land within this many metres of the region's centre.
    public var spawnRadius: Float
    /// Seconds between scene flushes to storage (objects are never written per update).
    public var flushIntervalSeconds: Double
    /// Entities within this many metres of a border are ghosted to the neighbour behind it.
    public var ghostMargin: Float

    public init(
        name: String, gridPosition: GridPosition, frameRate: Int = 45, viewDistance: Float = 64,
        terrainHeight: Float = 21, maxAvatars: Int = 2000, maxObjects: Int = 15000, maxObjectsPerOwner: Int = 1000, interestInterval: Int = 4,
        spawnRadius: Float = 48, flushIntervalSeconds: Double = 30, ghostMargin: Float? = nil,
        terrain: Terrain? = nil, physics: PhysicsEndpoint? = nil, scripts: PhysicsEndpoint? = nil
    ) {
        self.terrain = terrain ?? .flat(terrainHeight)
        self.physics = physics
        self.scripts = scripts
        self.ghostMargin = min(ghostMargin ?? viewDistance, PackedPosition.horizontalOffset)
        self.flushIntervalSeconds = flushIntervalSeconds
        self.name = name
        self.gridPosition = gridPosition
        self.frameRate = frameRate
        self.viewDistance = viewDistance
        self.maxAvatars = maxAvatars
        self.maxObjects = maxObjects
        self.maxObjectsPerOwner = maxObjectsPerOwner
        self.interestInterval = interestInterval
        self.spawnRadius = spawnRadius
    }

    public var handle: RegionHandle { gridPosition.handle }
    public var frameSeconds: Float { 1 / Float(frameRate) }
    /// An entity in view leaves it only beyond this distance, so it does not flicker at the edge.
    public var leaveDistance: Float { viewDistance + 4 }
}

/// The physics service a region attaches to.
public struct PhysicsEndpoint: Sendable, Hashable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}
