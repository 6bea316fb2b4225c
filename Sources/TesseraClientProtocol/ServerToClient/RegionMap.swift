import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x91 (protocol 8) — the grid's regions as the client manager knows them (from the grid's
/// config), nearest to the avatar's region first: a viewer's mini-map and teleport targets.
/// Sent right after `Welcome` and after each `RegionChanged`.
public struct RegionMap: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var name: String
        public var position: GridPosition

        public init(name: String, position: GridPosition) {
            self.name = name
            self.position = position
        }

        /// A name's count (2), gridX and gridY (4 each).
        static let minWireBytes = 10
    }

    /// Most regions one message lists.
    public static let maxRegions = 256

    public var regions: [Entry]

    public init(regions: [Entry]) {
        self.regions = regions
    }

    /// The regions nearest to `center` (by grid steps, the larger of the two; then by name),
    /// at most `maxRegions`.
    public static func nearest(_ all: [Entry], to center: GridPosition) -> RegionMap {
        func distance(_ entry: Entry) -> UInt32 {
            max(entry.position.x > center.x ? entry.position.x - center.x : center.x - entry.position.x,
                entry.position.y > center.y ? entry.position.y - center.y : center.y - entry.position.y)
        }
        let sorted = all.sorted { (distance($0), $0.name) < (distance($1), $1.name) }
        return RegionMap(regions: Array(sorted.prefix(maxRegions)))
    }

    init(from buffer: inout ByteBuffer) throws {
        let count = try buffer.readCount("regionMap.regions", minElementBytes: Entry.minWireBytes)
        guard count <= Self.maxRegions else {
            throw CodecError.invalidValue(field: "regionMap.regions", reason: "\(count) regions, at most \(Self.maxRegions) allowed")
        }
        regions = try (0..<count).map { _ in
            let name = try buffer.readText("regionMap.name", maxBytes: maxNameBytes)
            let x = try buffer.readLE(UInt32.self, "regionMap.gridX")
            let y = try buffer.readLE(UInt32.self, "regionMap.gridY")
            guard let position = GridPosition(x: x, y: y) else {
                throw CodecError.invalidValue(field: "regionMap.grid", reason: "(\(x), \(y)) is past the grid's largest position \(GridPosition.maxCoordinate)")
            }
            return Entry(name: name, position: position)
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        let kept = regions.prefix(Self.maxRegions)
        buffer.writeCount(kept.count)
        for entry in kept {
            buffer.writeText(entry.name, maxBytes: maxNameBytes)
            buffer.writeLE(entry.position.x)
            buffer.writeLE(entry.position.y)
        }
    }
}

/// 0x92 (protocol 8) — one region's ground, as the region computes it (`Terrain`): a base
/// height and rounded hills. Sent with the `RegionMap` for the avatar's region and each of its
/// neighbours in the map, so that a viewer draws the ground it stands on and the one across
/// each border.
public struct RegionTerrain: Hashable, Sendable {
    public var region: RegionHandle
    public var terrain: Terrain

    public init(region: RegionHandle, terrain: Terrain) {
        self.region = region
        self.terrain = terrain
    }

    init(from buffer: inout ByteBuffer) throws {
        region = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "regionTerrain.regionHandle"))
        let base = try buffer.readFloatLE("regionTerrain.base")
        let count = try buffer.readCount("regionTerrain.hills", minElementBytes: 16)
        guard count <= Terrain.maxHills else {
            throw CodecError.invalidValue(field: "regionTerrain.hills", reason: "\(count) hills, at most \(Terrain.maxHills) allowed")
        }
        let hills = try (0..<count).map { _ in
            Terrain.Hill(
                x: try buffer.readFloatLE("regionTerrain.hill.x"), y: try buffer.readFloatLE("regionTerrain.hill.y"),
                radius: try buffer.readFloatLE("regionTerrain.hill.radius"), height: try buffer.readFloatLE("regionTerrain.hill.height"))
        }
        terrain = Terrain(base: base, hills: hills)
        if let problem = terrain.problem {
            throw CodecError.invalidValue(field: "regionTerrain", reason: problem)
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(region.rawValue)
        buffer.writeFloatLE(terrain.base)
        let hills = terrain.hills.prefix(Terrain.maxHills)
        buffer.writeCount(hills.count)
        for hill in hills {
            buffer.writeFloatLE(hill.x)
            buffer.writeFloatLE(hill.y)
            buffer.writeFloatLE(hill.radius)
            buffer.writeFloatLE(hill.height)
        }
    }
}
