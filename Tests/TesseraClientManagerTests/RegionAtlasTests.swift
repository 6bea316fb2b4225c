import Testing
import TesseraClientManager
import TesseraClientProtocol
import TesseraWorld

/// What follows a Welcome or a RegionChanged for a protocol 8 client: the map nearest first,
/// the region's terrain, then its mapped neighbours' in the documented order.
@Suite struct RegionAtlasTests {
    static func entry(_ name: String, _ x: UInt32, _ y: UInt32) -> RegionMap.Entry {
        RegionMap.Entry(name: name, position: GridPosition(x: x, y: y)!)
    }

    static let atlas = RegionAtlas(
        regions: [entry("Plaza", 10, 10), entry("North", 10, 11), entry("East", 11, 10), entry("Southwest", 9, 9), entry("Far", 20, 20)],
        terrains: [
            GridPosition(x: 10, y: 10)!.handle: Terrain(base: 22, hills: [.init(x: 100, y: 100, radius: 30, height: 5)]),
            GridPosition(x: 11, y: 10)!.handle: .flat(30),
        ])

    @Test("map, own terrain, then the mapped neighbours south-west to north-east; unknown terrain is flat 21 m")
    func messagesAfterArrival() throws {
        let messages = Self.atlas.messages(for: GridPosition(x: 10, y: 10)!.handle)
        guard case .regionMap(let map) = messages.first else {
            Issue.record("the map comes first: \(messages)")
            return
        }
        #expect(map.regions.map(\.name) == ["Plaza", "East", "North", "Southwest", "Far"])
        let terrains = messages.dropFirst().compactMap { message -> RegionTerrain? in
            if case .regionTerrain(let terrain) = message { return terrain }
            return nil
        }
        #expect(terrains.count == messages.count - 1)
        #expect(terrains.map(\.region.gridPosition) == [
            GridPosition(x: 10, y: 10)!, GridPosition(x: 9, y: 9)!, GridPosition(x: 11, y: 10)!, GridPosition(x: 10, y: 11)!,
        ])
        #expect(terrains[0].terrain.base == 22 && terrains[0].terrain.hills.count == 1)
        #expect(terrains[1].terrain == .flat(21), "Southwest has no terrain in the settings")
        #expect(terrains[2].terrain == .flat(30))
    }

    @Test("a region off the map still gets its own terrain, and no neighbour's")
    func regionOffTheMap() {
        let messages = Self.atlas.messages(for: GridPosition(x: 40, y: 40)!.handle)
        #expect(messages.count == 2)
        if case .regionTerrain(let own) = messages[1] {
            #expect(own.region == GridPosition(x: 40, y: 40)!.handle && own.terrain == .flat(21))
        } else {
            Issue.record("the region's own terrain follows the map")
        }
    }
}
