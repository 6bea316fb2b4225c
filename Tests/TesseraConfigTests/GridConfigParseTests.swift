import Foundation
import Testing
@testable import TesseraConfig
import TesseraWorld

@Suite struct GridConfigParseTests {
    @Test func fullConfigGivesTypedValues() throws {
        let config = try GridConfig.parse(ConfigSamples.full, file: ConfigSamples.file)
        #expect(config.file == ConfigSamples.file)
        #expect(config.grid.name == "Test Grid")
        #expect(config.grid.secret == "0123456789abcdef-secret")
        #expect(config.grid.defaultRegion == "Beta")
        #expect(config.defaultRegion?.name == "Beta")

        try #require(config.regionNodes.count == 2)
        let nodeA = config.regionNodes[0]
        #expect(nodeA.name == "node-a")
        #expect(nodeA.host == "10.0.0.5")
        #expect(nodeA.port == 9100)
        try #require(nodeA.regions.count == 2)
        #expect(nodeA.regions[0] == RegionConfig(
            name: "Alpha", gridPosition: GridPosition(x: 1000, y: 1000)!,
            frameRate: 30, viewDistance: 48.5, maxAvatars: 300, maxObjects: 700, spawnRadius: 48,
            flushIntervalSeconds: 30, ghostMargin: 48.5, terrain: .flat(21)
        ))
        #expect(nodeA.regions[1] == RegionConfig(
            name: "Beta", gridPosition: GridPosition(x: 1001, y: 1000)!,
            frameRate: 60, viewDistance: 96, maxAvatars: 50, maxObjects: 0, spawnRadius: 48,
            flushIntervalSeconds: 30, ghostMargin: 96, terrain: .flat(21)
        ))
        #expect(config.regionNodes[1].name == "node-b")
        #expect(config.regionNodes[1].port == 9101)
        #expect(config.regions.map(\.name) == ["Alpha", "Beta", "Gamma"])

        try #require(config.clientManagers.count == 1)
        let manager = config.clientManagers[0]
        #expect(manager.name == "edge-1")
        #expect(manager.host == "0.0.0.0")
        #expect(manager.port == 9000)
        #expect(manager.updateRate == 20)
        #expect(manager.maxClients == 1234)
        #expect(manager.maxBytesPerTick == 4096)
        #expect(manager.maxQueuedEvents == 512)
        #expect(manager.loginTimeoutSeconds == 2.5)
        #expect(manager.url == "ws://0.0.0.0:9000/ws")
        #expect(config.gridServices == nil, "no [grid_services]: the development mode without them")
    }

    @Test func gridServicesAndFlushInterval() throws {
        let text = ConfigSamples.full(inserting: "flush_interval_seconds = 2.5", after: "max_objects = 700")
            + """

            [grid_services]
            name = "grid-7"
            host = "10.0.0.9"
            port = 9200
            session_lifetime_seconds = 3600
            """
        let config = try GridConfig.parse(text, file: ConfigSamples.file)
        #expect(config.regions.map(\.flushIntervalSeconds) == [2.5, 30, 30])
        #expect(config.gridServices == GridServicesConfig(name: "grid-7", host: "10.0.0.9", port: 9200, sessionLifetimeSeconds: 3600))

        let defaults = try GridConfig.parse(ConfigSamples.full + "\n[grid_services]\nport = 9200\n", file: ConfigSamples.file)
        #expect(defaults.gridServices == GridServicesConfig(name: "grid", host: "127.0.0.1", port: 9200, sessionLifetimeSeconds: 86400))
    }

    @Test func omittedOptionalKeysTakeTheirDefaults() throws {
        let config = try GridConfig.parse(ConfigSamples.minimal, file: "minimal.toml")
        #expect(config.grid.defaultRegion == "Only", "default_region defaults to the first region")
        let node = try #require(config.regionNodes.first)
        #expect(node.host == "127.0.0.1")
        #expect(node.regions == [RegionConfig(
            name: "Only", gridPosition: GridPosition(x: 7, y: 8)!,
            frameRate: 45, viewDistance: 64, maxAvatars: 2000, maxObjects: 15000, spawnRadius: 48,
            flushIntervalSeconds: 30, ghostMargin: 64, terrain: .flat(21)
        )])
        let manager = try #require(config.clientManagers.first)
        #expect(manager.host == "127.0.0.1")
        #expect(manager.port == 9000)
        #expect(manager.updateRate == 10)
        #expect(manager.maxClients == 5000)
        #expect(manager.maxBytesPerTick == 65536)
        #expect(manager.maxQueuedEvents == 4096)
        #expect(manager.loginTimeoutSeconds == 10)
    }

    @Test func boundaryValuesAreAccepted() throws {
        let text = ConfigSamples.full(replacing: "frame_rate = 30", with: "frame_rate = 200")
            .replacingOccurrences(of: "update_rate = 20", with: "update_rate = 60")
            .replacingOccurrences(of: "view_distance = 48.5", with: "view_distance = 1")
            .replacingOccurrences(of: "port = 9000", with: "port = 65535")
        let config = try GridConfig.parse(text, file: ConfigSamples.file)
        #expect(config.regions[0].frameRate == 200)
        #expect(config.regions[0].viewDistance == 1)
        #expect(config.clientManagers[0].updateRate == 60)
        #expect(config.clientManagers[0].port == 65535)
    }

    @Test func repositoryIdleConfigLoads() throws {
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try GridConfig.load(path: repository.appendingPathComponent("grid-config/idle.toml").path)
        #expect(config.gridServices == nil)
        #expect(config.physics == nil)
        #expect(config.scripts == nil)
        #expect(config.regionNodes.map(\.port) == [9150, 9151])
        #expect(config.regions.count == 4)
        #expect(config.regions.map(\.maxAvatars) == [15000, 15000, 15000, 15000])
        #expect(config.regions.map(\.viewDistance) == [1, 1, 1, 1])
        #expect(config.regions.map(\.ghostMargin) == [0, 0, 0, 0])
        #expect(config.clientManagers.map(\.port) == [9050])
        #expect(config.clientManagers.map(\.maxClients) == [60000])
    }

    @Test func repositoryLocalConfigLoads() throws {
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = repository.appendingPathComponent("grid-config/local.toml").path
        let config = try GridConfig.load(path: path)
        #expect(config.file == path)
        #expect(config.grid.name == "Tessera Local")
        #expect(config.grid.defaultRegion == "Tessera Plaza")
        let region = try #require(config.defaultRegion)
        #expect(region.gridPosition == GridPosition(x: 1000, y: 1000)!)
        #expect(region.frameRate == 45)
        #expect(region.viewDistance == 64)
        // The 2×2 square: two nodes of two regions each.
        #expect(config.regionNodes.map(\.port) == [9100, 9101])
        #expect(Set(config.regions.map(\.gridPosition)) == [
            GridPosition(x: 1000, y: 1000)!, GridPosition(x: 1000, y: 1001)!, GridPosition(x: 1001, y: 1000)!, GridPosition(x: 1001, y: 1001)!,
        ])
        #expect(region.ghostMargin == 64)
        // Two client managers over the same regions, each with its own ports.
        #expect(config.clientManagers.map(\.name) == ["edge-1", "edge-2"])
        #expect(config.clientManagers.map(\.port) == [9000, 9001])
        #expect(config.clientManagers.map(\.metricsPort) == [9293, 9296])
        #expect(config.clientManagers.map(\.lludpPort) == [9010, 9020])
        #expect(config.clientManagers.map(\.updateRate) == [10, 10])
        #expect(config.gridServices?.port == 9200)
        #expect(region.flushIntervalSeconds == 30)
        #expect(config.physics?.port == 9300)
        #expect(config.physics?.stepRate == 60)
        #expect(config.scripts == ScriptServiceConfig(
            name: "scripts-1", host: "127.0.0.1", port: 9310, frameBudgetMicros: 4000, sliceInstructions: 2000, metricsPort: 9295))
        // Hills: the plaza's highest is 14 m over its 21 m base, flat at its foot.
        #expect(region.terrain.hills.count == 2)
        #expect(abs(region.terrain.height(x: 200, y: 70) - 35) < 0.001)
        #expect(region.terrain.height(x: 128, y: 128) == 21)
    }

    @Test func hillsAndPhysicsAreRead() throws {
        let text = """
            [grid]
            name = "G"
            secret = "0123456789abcdef"
            [physics]
            port = 9300
            max_substeps = 8
            [[region_node]]
            name = "n"
            port = 1
              [[region_node.region]]
              name = "R"
              position = [1, 1]
              terrain_height = 10
                [[region_node.region.hill]]
                x = 50
                y = 60
                radius = 20
                height = 5
            [[client_manager]]
            name = "m"
            port = 2
            """
        let config = try GridConfig.parse(text, file: "t.toml")
        #expect(config.physics == PhysicsServiceConfig(name: "physics", host: "127.0.0.1", port: 9300, stepRate: 60, maxSubsteps: 8))
        #expect(config.regions[0].terrain == Terrain(base: 10, hills: [Terrain.Hill(x: 50, y: 60, radius: 20, height: 5)]))
        // Half-way down the cosine: half the height.
        #expect(abs(config.regions[0].terrain.height(x: 60, y: 60) - 12.5) < 0.001)
    }

    @Test func aBadHillNamesItsKey() throws {
        let text = """
            [grid]
            name = "G"
            secret = "0123456789abcdef"
            [[region_node]]
            name = "n"
            port = 1
              [[region_node.region]]
              name = "R"
              position = [1, 1]
                [[region_node.region.hill]]
                x = 50
                y = 60
                radius = 0
                height = 5
            [[client_manager]]
            name = "m"
            port = 2
            """
        let error = try #require(throws: ConfigError.self) { try GridConfig.parse(text, file: "t.toml") }
        #expect(error.key == "region_node[0].region[0].hill[0].radius")
    }

    @Test func loadingAMissingFileNamesIt() throws {
        let path = "/nonexistent/tessera/missing.toml"
        let error = try #require(throws: ConfigError.self) { try GridConfig.load(path: path) }
        #expect(error.file == path)
        #expect(error.key == "")
        #expect(error.description.contains(path))
        #expect(error.description.contains("cannot read"))
    }
}
