import Crypto
import Foundation
import Logging
import TesseraConfig
import TesseraGrid
import TesseraGridProtocol
import TesseraWorld

/// The scripted demo objects of `tessera up`: on the first start of a grid whose config has
/// `[scripts]`, its default region gets a greeter, a door, a clock, a light, a mover and a ball
/// launcher, owned by the account `Demo Scripter`, around the point where avatars arrive
/// (docs/scripts.md, "The local grid's demo"). Their sources are those of
/// `examples/lsl/world/`. The objects are written to the region's stored scene before its node
/// starts, so the region loads them like any other; their ids are fixed, and a region whose
/// scene holds any of them, or that `state/script-demo-seeded` names, is never seeded again.
public struct ScriptDemo: Sendable {
    /// One demo object: its name, look, place relative to the region's centre, and scripts.
    public struct Piece: Sendable {
        public var name: String
        public var shape: Shape
        public var scale: Vector3
        /// From the region's centre, metres; the object stands on the ground there.
        public var offset: Vector3
        public var color: Vector3
        /// (item name, file name in examples/lsl/world/)
        public var scripts: [(String, String)]
        /// For the launcher: the ball it rezzes, with its own script.
        public var rezzes: Bool = false
    }

    public static let ownerName = "Demo Scripter"
    /// The file in the state directory naming the regions already seeded, one per line.
    public static let markerFile = "script-demo-seeded"

    public static let pieces: [Piece] = [
        Piece(name: "Greeter", shape: .box, scale: Vector3(0.6, 0.6, 0.6), offset: Vector3(4, 6, 0), color: Vector3(1, 0.85, 0.3),
              scripts: [("Greeter", "greeter.lsl")]),
        Piece(name: "Door", shape: .box, scale: Vector3(0.2, 1.2, 2.4), offset: Vector3(8, 6, 0), color: Vector3(0.55, 0.35, 0.2),
              scripts: [("Door", "door.lsl")]),
        Piece(name: "Clock", shape: .cylinder, scale: Vector3(0.5, 0.5, 1.2), offset: Vector3(-4, 6, 0), color: Vector3(0.8, 0.8, 0.9),
              scripts: [("Clock", "clock.lsl")]),
        Piece(name: "Light", shape: .sphere, scale: Vector3(0.5, 0.5, 0.5), offset: Vector3(-8, 6, 0), color: Vector3(0.15, 0.15, 0.2),
              scripts: [("Light", "sensor-light.lsl")]),
        Piece(name: "Mover", shape: .box, scale: Vector3(0.5, 0.5, 0.5), offset: Vector3(0, 10, 0), color: Vector3(0.4, 0.6, 1),
              scripts: [("Mover", "mover.lsl")]),
        Piece(name: "Ball Launcher", shape: .cylinder, scale: Vector3(0.6, 0.6, 0.8), offset: Vector3(0, -8, 0), color: Vector3(1, 0.5, 0.2),
              scripts: [("Launcher", "launcher.lsl")], rezzes: true),
    ]

    /// The ball the launcher rezzes: physical, so it flies under physics.
    public static func ballTemplate() -> ObjectTemplate {
        let source = ScriptDemoSources.source(of: "ball.lsl")
        let script = ContentItem(
            id: fixedID("Ball/Ball"), name: "Ball", kind: .script, asset: scriptAsset(source), source: source)
        return ObjectTemplate(
            name: "Ball", shape: .sphere, scale: Vector3(0.3, 0.3, 0.3), physical: true, reportsCollisions: false,
            look: ObjectLook(color: Vector3(0.9, 0.2, 0.2), alpha: 1, text: "", textColor: Vector3(1, 1, 1), textAlpha: 1),
            contents: [script])
    }

    let config: GridConfig
    let operations: GridOperations
    let logger: Logger

    public init(config: GridConfig, operations: GridOperations, logger: Logger) {
        self.config = config
        self.operations = operations
        self.logger = logger
    }

    /// The objects of the demo in `region` (ids fixed by the region's name), owned by `owner`.
    public static func records(region: RegionConfig, owner: UUID) -> [SceneObjectRecord] {
        let centre = Vector3(Float(regionSize) / 2, Float(regionSize) / 2, 0)
        return pieces.map { piece in
            let x = centre.x + piece.offset.x
            let y = centre.y + piece.offset.y
            let ground = region.terrain.height(x: x, y: y)
            var contents = piece.scripts.map { item, file -> ContentItem in
                let source = ScriptDemoSources.source(of: file)
                return ContentItem(
                    id: fixedID("\(region.name)/\(piece.name)/\(item)"), name: item, kind: .script, asset: scriptAsset(source), source: source)
            }
            if piece.rezzes {
                contents.append(ContentItem(
                    id: fixedID("\(region.name)/\(piece.name)/Ball"), name: "Ball", kind: .object, asset: ContentItem.noAsset,
                    template: ballTemplate()))
            }
            return SceneObjectRecord(
                id: fixedID("\(region.name)/\(piece.name)"), owner: owner, creator: owner, asset: nil, name: piece.name, shape: piece.shape,
                position: Vector3(x, y, ground + piece.scale.z / 2), rotation: Quaternion(x: 0, y: 0, z: 0, w: 1), scale: piece.scale,
                masks: [0x7FFF_FFFF, 0x7FFF_FFFF, 0, 0, 0x7FFF_FFFF],
                look: ObjectLook(color: piece.color, alpha: 1, text: "", textColor: Vector3(1, 1, 1), textAlpha: 1),
                contents: contents)
        }
    }

    /// Seeds the default region unless it was seeded before; returns what it did, for the log.
    public func seed() async throws -> [String] {
        guard let region = config.defaultRegion, let node = config.regionNodes.first(where: { $0.regions.contains { $0.name == region.name } }) else {
            return []
        }
        let marker = "\(config.database.stateDirectory)/\(Self.markerFile)"
        let seeded = (try? String(contentsOfFile: marker, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        guard !seeded.contains(region.name) else { return [] }

        // The region's id: registering it as its node will (the node's own registration keeps it).
        let address = "\(node.host == "0.0.0.0" ? "127.0.0.1" : node.host):\(node.port)"
        let regionID: UUID
        switch await operations.perform(.registerRegion(
            name: region.name, gridX: region.gridPosition.x, gridY: region.gridPosition.y, address: address, node: node.name), for: .region) {
        case .success(.region(let id)): regionID = id
        case let other: throw ScriptDemoError("registering \(region.name): \(other)")
        }
        guard case .success(.scene(let stored)) = await operations.perform(.loadScene(region: regionID), for: .region) else {
            throw ScriptDemoError("reading the scene of \(region.name)")
        }
        let owner = try await ownerAccount()
        let records = Self.records(region: region, owner: owner)
        let ids = Set(records.map(\.id))
        if !stored.contains(where: { ids.contains($0.id) }) {
            // Each source as an asset of type 10, as a client's new script is stored.
            for source in Set(records.flatMap(\.contents).compactMap(\.source) + [ScriptDemoSources.source(of: "ball.lsl")]).sorted() {
                guard case .success(.asset) = await operations.perform(.storeScript(account: owner, name: "Demo script", source: source), for: .region) else {
                    throw ScriptDemoError("storing a demo script")
                }
            }
            guard case .success = await operations.perform(.flushScene(region: regionID, created: records, changed: [], deleted: []), for: .region) else {
                throw ScriptDemoError("writing the demo objects into \(region.name)")
            }
        }
        try (seeded + [region.name]).joined(separator: "\n").appending("\n").write(toFile: marker, atomically: true, encoding: .utf8)
        return ["Scripts demo: \(records.map(\.name).joined(separator: ", ")) in \(region.name) (owned by \(Self.ownerName)); their sources are in examples/lsl/world/"]
    }

    private func ownerAccount() async throws -> UUID {
        if let account = try await operations.accounts.account(named: Self.ownerName) { return account.id }
        return try await operations.accounts.create(name: Self.ownerName, password: "demo-" + UUID().uuidString).id
    }

    /// A fixed id from a name: the first 16 bytes of its SHA-256, as a version 4 style UUID.
    static func fixedID(_ name: String) -> UUID {
        var bytes = Array(SHA256.hash(data: Data("tessera script demo/\(name)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// A script source's asset id: the SHA-256 of its UTF-8 bytes.
    public static func scriptAsset(_ source: String) -> AssetID {
        AssetID(Data(SHA256.hash(data: Data(source.utf8))))!
    }
}

struct ScriptDemoError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
