import TesseraClientProtocol
import TesseraWorld

/// What a protocol 8 client is told about the grid around its avatar (docs/client-protocol.md,
/// `RegionMap` and `RegionTerrain`): the regions of the grid's config, nearest first, and the
/// ground of the avatar's region and of its neighbours. Built once from the settings.
public struct RegionAtlas: Sendable {
    public var regions: [RegionMap.Entry]
    public var terrains: [RegionHandle: Terrain]

    public init(regions: [RegionMap.Entry], terrains: [RegionHandle: Terrain]) {
        self.regions = regions
        self.terrains = terrains
    }

    /// The messages that follow a `Welcome` or a `RegionChanged` into `region`: the map, then
    /// the terrain of the region and of each neighbour the map has (the eight around it).
    public func messages(for region: RegionHandle) -> [ServerMessage] {
        let center = region.gridPosition
        var messages: [ServerMessage] = [.regionMap(RegionMap.nearest(regions, to: center))]
        for dy in -1...1 {
            for dx in -1...1 {
                guard let position = center.offset(dx: dx, dy: dy), let terrain = terrains[position.handle] else { continue }
                messages.append(.regionTerrain(RegionTerrain(region: position.handle, terrain: terrain)))
            }
        }
        return messages
    }
}
