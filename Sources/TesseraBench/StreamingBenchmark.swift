import Foundation
import NIOCore
import TesseraClientManager
import TesseraClientProtocol
import TesseraWire
import TesseraWorld

/// The client manager's per-client cost: M clients, each with its own `ClientView`, watching
/// N entities that all move every simulation frame, built into update frames at 10 Hz. Runs the
/// standard distance-tiered policy and, as the baseline in the same run, every entity every tick.
public struct StreamingBenchmark: Sendable {
    public struct Result: Sendable, Codable, Hashable {
        public var policy: String
        public var clients: Int
        public var entities: Int
        public var microsPerClientTick: Double
        public var bytesPerClientTick: Double
        public var updatesPerClientTick: Double
        public var protocolVersion: UInt16
        public var maxBytes: Int
        /// Bytes of the frame after its FrameStamp, per entity update.
        public var bytesPerUpdate: Double
    }

    public var clients: Int
    public var entities: Int
    public var ticks: Int
    public var spread: Float

    /// A FrameStamp with its header.
    static let frameStampBytes = 21

    public init(clients: Int = 200, entities: Int = 1000, ticks: Int = 50, spread: Float = 48) {
        self.clients = clients
        self.entities = entities
        self.ticks = ticks
        self.spread = spread
    }

    /// `protocolVersion` 7 sends compact `EntityDeltas`, older versions `EntityUpdate`s;
    /// `maxBytes` is every client's budget per tick.
    public func run(policy: StreamingPolicy, name: String, protocolVersion: UInt16 = 6, maxBytes: Int = 65536) -> Result {
        var random = SplitMix64(seed: 7)
        var positions = (1...entities).map { _ in
            Vector3(128 + Float(random.next() % 2000) / 1000 * spread - spread, 128 + Float(random.next() % 2000) / 1000 * spread - spread, 21)
        }
        func info(_ index: Int) -> EntityInfo {
            EntityInfo(
                localID: LocalID(index + 1), kind: .avatar, shape: .cylinder, name: "Avatar \(index + 1)",
                scale: Vector3(0.45, 0.6, 1.9), motion: EntityMotion(position: positions[index], rotation: .identity, velocity: Vector3(3.2, 0, 0))
            )
        }
        var table = EntityTable()
        table.apply(RegionFrame(region: RegionHandle(rawValue: 0), frame: 1, timeMillis: 1, timeDilation: 1, appeared: (0..<entities).map(info)))
        var views = (0..<clients).map { _ in
            var view = ClientView(policy: policy)
            view.protocolVersion = protocolVersion
            return view
        }
        var buffer = ByteBuffer()
        let everyone = (1...entities).map { LocalID($0) }
        for index in views.indices {
            let welcome = Welcome(
                agentID: UUID(), localID: LocalID(index % entities + 1), regionName: "Bench", regionHandle: RegionHandle(rawValue: 0),
                frameRate: 45, updateRate: 10, viewDistance: 64
            )
            buffer.clear()
            _ = views[index].buildFrame(events: [.message(.welcome(welcome)), .enter(everyone)], table: table, maxBytes: 1 << 22, into: &buffer)
        }
        var frame: UInt64 = 1
        var elapsed: UInt64 = 0
        var bytes = 0
        var updates = 0
        var stampBytes = 0
        for _ in 0..<ticks {
            // 4.5 simulation frames per 10 Hz tick: every entity moves a little each frame.
            for _ in 0..<4 {
                frame += 1
                var moved: [MovedEntity] = []
                moved.reserveCapacity(entities)
                for index in positions.indices {
                    positions[index].x += 3.2 / 45
                    if positions[index].x > 250 { positions[index].x = 6 }
                    moved.append(MovedEntity(localID: LocalID(index + 1), motion: EntityMotion(position: positions[index], rotation: .identity, velocity: Vector3(3.2, 0, 0))))
                }
                table.apply(RegionFrame(region: RegionHandle(rawValue: 0), frame: frame, timeMillis: frame, timeDilation: 1, moved: moved))
            }
            let start = DispatchTime.now().uptimeNanoseconds
            for index in views.indices {
                buffer.clear()
                let count = views[index].buildFrame(events: [], table: table, maxBytes: maxBytes, into: &buffer)
                updates += count
                bytes += buffer.readableBytes
                if count > 0 { stampBytes += Self.frameStampBytes }
            }
            elapsed += DispatchTime.now().uptimeNanoseconds - start
        }
        let clientTicks = Double(clients * ticks)
        return Result(
            policy: name, clients: clients, entities: entities,
            microsPerClientTick: Double(elapsed) / 1000 / clientTicks,
            bytesPerClientTick: Double(bytes) / clientTicks, updatesPerClientTick: Double(updates) / clientTicks,
            protocolVersion: protocolVersion, maxBytes: maxBytes,
            bytesPerUpdate: updates == 0 ? 0 : Double(bytes - stampBytes) / Double(updates)
        )
    }
}
