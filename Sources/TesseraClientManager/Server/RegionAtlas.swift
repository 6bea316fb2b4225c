import Synchronization
import TesseraClientProtocol
import TesseraWorld

/// What a protocol 8 client is told about the grid around its avatar (docs/client-protocol.md,
/// `RegionMap` and `RegionTerrain`): the regions of the grid's config, nearest first, and the
/// ground of the avatar's region and of its neighbours. Built once from the settings.
public struct RegionAtlas: Sendable {
    public let regions: [RegionMap.Entry]
    public let terrains: [RegionHandle: Terrain]
    /// Each region's messages once built: the map sorts every region of the grid, which a
    /// grid of thousands of regions should not redo at every arrival. At most one entry per
    /// region of the config (`messages` is only asked for regions avatars arrive in).
    private let built = BuiltMessages()

    public init(regions: [RegionMap.Entry], terrains: [RegionHandle: Terrain]) {
        self.regions = regions
        self.terrains = terrains
    }

    private final class BuiltMessages: Sendable {
        let storage = Mutex<[RegionHandle: [ServerMessage]]>([:])
    }

    /// The messages that follow a `Welcome` or a `RegionChanged` into `region`: the map, the
    /// region's terrain, then that of each region of the map among the eight around it
    /// (south-west, south, south-east, west, east, north-west, north, north-east). A region
    /// without a known terrain is flat at 21 m, as regions are by default.
    public func messages(for region: RegionHandle) -> [ServerMessage] {
        if let messages = built.storage.withLock({ $0[region] }) { return messages }
        let messages = build(for: region)
        built.storage.withLock { $0[region] = messages }
        return messages
    }

    private func build(for region: RegionHandle) -> [ServerMessage] {
        let center = region.gridPosition
        let map = RegionMap.nearest(regions, to: center)
        var messages: [ServerMessage] = [.regionMap(map), .regionTerrain(RegionTerrain(region: region, terrain: terrain(region)))]
        let mapped = Set(map.regions.map(\.position.handle))
        for dy in -1...1 {
            for dx in -1...1 where dx != 0 || dy != 0 {
                guard let position = center.offset(dx: dx, dy: dy), mapped.contains(position.handle) else { continue }
                messages.append(.regionTerrain(RegionTerrain(region: position.handle, terrain: terrain(position.handle))))
            }
        }
        return messages
    }

    func terrain(_ region: RegionHandle) -> Terrain {
        terrains[region] ?? .flat(RegionAtlas.defaultGround)
    }

    /// A region's ground height when the config says nothing else.
    public static let defaultGround: Float = 21
}
