import Foundation
import Logging
import Testing
@testable import TesseraConfig
import TesseraGrid
import TesseraGridProtocol
import TesseraLocalGrid
import TesseraLSL
@testable import TesseraScripts
import TesseraTesting
import TesseraWorld

/// The local grid's scripted demo objects: their sources are examples/lsl/world/, compile,
/// use only world functions the script service implements, and are seeded once.
@Suite("The local grid's scripted demo", .serialized)
struct ScriptDemoTests {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/lsl/world")

    /// A region with a hill under part of the demo, so "on the ground" is not one height.
    static let region = RegionConfig(
        name: "Demo Region", gridPosition: GridPosition(x: 3000, y: 3000)!, frameRate: 45, viewDistance: 64, maxAvatars: 10, maxObjects: 100,
        spawnRadius: 8, flushIntervalSeconds: 30, ghostMargin: 64,
        terrain: Terrain(base: 21, hills: [Terrain.Hill(x: 136, y: 134, radius: 10, height: 3)]))

    @Test("each file of examples/lsl/world is a demo source, word for word, and compiles against the service's world functions")
    func sourcesCompile() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.examples.path).filter { $0.hasSuffix(".lsl") }.sorted()
        #expect(files == ["ball.lsl", "clock.lsl", "door.lsl", "greeter.lsl", "launcher.lsl", "mover.lsl", "sensor-light.lsl"])
        #expect(Set(ScriptDemoSources.all.keys) == Set(files))
        let options = LSLCompileOptions(worldFunctions: WorldFunctions.implemented)
        for file in files {
            let text = try String(contentsOf: Self.examples.appendingPathComponent(file), encoding: .utf8)
            #expect(ScriptDemoSources.source(of: file) == text, "\(file) differs from ScriptDemoSources")
            if case .failure(let failure) = LSLProgram.compile(text, file: file, options: options) {
                Issue.record("\(file): \(failure)")
            }
        }
    }

    @Test("the six objects stand on the ground of the default region with their scripts; the launcher holds a physical ball whose script dies")
    func records() throws {
        let region = Self.region
        let owner = UUID()
        let records = ScriptDemo.records(region: region, owner: owner)
        #expect(records.map(\.name) == ["Greeter", "Door", "Clock", "Light", "Mover", "Ball Launcher"])
        #expect(Set(records.map(\.id)).count == 6)
        #expect(ScriptDemo.records(region: region, owner: owner).map(\.id) == records.map(\.id), "ids are fixed")
        for record in records {
            #expect(record.owner == owner)
            #expect(record.position.z == region.terrain.height(x: record.position.x, y: record.position.y) + record.scale.z / 2)
            let script = try #require(record.contents.first)
            #expect(script.kind == .script && script.running && script.state == nil)
            #expect(script.asset == ScriptDemo.scriptAsset(try #require(script.source)))
        }
        let launcher = try #require(records.last)
        #expect(launcher.contents.map(\.name) == ["Launcher", "Ball"])
        let ball = try #require(launcher.contents[1].template)
        #expect(launcher.contents[1].kind == .object)
        #expect(ball.physical && ball.shape == .sphere)
        #expect(ball.contents.map(\.source) == [ScriptDemoSources.source(of: "ball.lsl")])
    }

    @Test("seeding writes the objects and their script assets once: a second start and a lost marker file leave them as they are")
    func seedsOnce() async throws {
        try await withGridServices { grid, operations in
            let state = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-demo-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: state) }
            var config = grid.config
            config.database.stateDirectory = state
            let region = Self.region
            config.regionNodes = [RegionNodeConfig(name: "demo-node", host: "127.0.0.1", port: 1, regions: [region])]
            config.grid.defaultRegion = "Demo Region"
            config.scripts = ScriptServiceConfig(name: "scripts", host: "127.0.0.1", port: 0, frameBudgetMicros: 4000, sliceInstructions: 2000)
            var logger = Logger(label: "tessera.demo-test")
            logger.logLevel = .warning
            let demo = ScriptDemo(config: config, operations: operations, logger: logger)
            let said = try await demo.seed()
            #expect(said.count == 1 && said[0].hasPrefix("Scripts demo: Greeter, Door, Clock, Light, Mover, Ball Launcher in Demo Region"))
            let regionID = try #require(try await operations.regions.online().first { $0.name == "Demo Region" }?.id)
            func scene() async throws -> [SceneObjectRecord] {
                guard case .success(.scene(let records)) = await operations.perform(.loadScene(region: regionID), for: .region) else {
                    throw ScriptDemoTestError.noScene
                }
                return records
            }
            let owner = try #require(try await operations.accounts.account(named: ScriptDemo.ownerName)?.id)
            let expected = ScriptDemo.records(region: region, owner: owner)
            let stored = try await scene()
            let storedIDs: Set<UUID> = Set(stored.map(\.id))
            let expectedIDs: Set<UUID> = Set(expected.map(\.id))
            #expect(storedIDs == expectedIDs)
            #expect(stored.count == 6)
            let greeter = try #require(stored.first { $0.name == "Greeter" })
            #expect(greeter.contents.map(\.source) == [ScriptDemoSources.source(of: "greeter.lsl")])
            #expect(try String(contentsOfFile: "\(state)/\(ScriptDemo.markerFile)", encoding: .utf8) == "Demo Region\n")

            #expect(try await demo.seed() == [], "the marker names the region")
            try FileManager.default.removeItem(atPath: "\(state)/\(ScriptDemo.markerFile)")
            _ = try await demo.seed()
            #expect(try await scene().count == 6, "the stored objects are not written twice")
            #expect(FileManager.default.fileExists(atPath: "\(state)/\(ScriptDemo.markerFile)"))
        }
    }
}

enum ScriptDemoTestError: Error {
    case noScene
}
