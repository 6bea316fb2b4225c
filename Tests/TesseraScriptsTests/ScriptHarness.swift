import Foundation
import TesseraGridProtocol
import TesseraLSL
import TesseraScripts
import TesseraWire
import TesseraWorld

/// A clock that moves `tick` nanoseconds each time it is read, so a slice "costs" one tick.
final class FakeClock: @unchecked Sendable {
    var nanos: UInt64 = 0
    let tick: UInt64

    init(tick: UInt64 = 1_000_000) { self.tick = tick }

    func read() -> UInt64 {
        nanos += tick
        return nanos
    }
}

/// One region of an engine driven frame by frame in engine time (seconds).
final class ScriptHarness {
    static let region = GridPosition(x: 1000, y: 1000)!.handle
    static let owner = UUID(uuidString: "0F0E0D0C-0000-4000-8000-0000000000A1")!
    static let alice = DetectedInfo(
        key: UUID(uuidString: "A11CE000-0000-4000-8000-000000000001")!, name: "Alice Resident",
        owner: UUID(uuidString: "A11CE000-0000-4000-8000-000000000001")!, kind: DetectedInfo.agent, position: Vector3(129, 128, 25), touchFace: 2)

    let engine: ScriptEngine
    let clock: FakeClock
    var frame: UInt64 = 0

    init(settings: ScriptEngineSettings = .init(), tick: UInt64 = 1_000_000) {
        let clock = FakeClock(tick: tick)
        self.clock = clock
        engine = ScriptEngine(settings: settings, clock: { clock.read() })
    }

    static func hash(_ source: String) -> AssetID {
        var bytes = [UInt8](repeating: 0, count: 32)
        for (i, byte) in source.utf8.enumerated() { bytes[i % 32] = bytes[i % 32] &* 31 &+ byte }
        return AssetID(Data(bytes))!
    }

    static func pose(_ object: UUID, at position: Vector3 = Vector3(128, 128, 25)) -> ObjectPose {
        ObjectPose(object: object, local: 7, position: position, rotation: .identity, velocity: .zero, scale: Vector3(0.5, 0.5, 0.5))
    }

    static func instance(
        _ key: ScriptKey, name: String = "script", source: String, state: [UInt8]? = nil, running: Bool = true, startParameter: Int32 = 0
    ) -> ScriptInstance {
        ScriptInstance(
            key: key, objectLocal: 7, name: name, program: hash(source), owner: owner, objectName: "Thing", running: running, state: state,
            startParameter: startParameter)
    }

    /// Applies one frame at engine time `now`.
    func step(
        _ now: Double, snapshot: Bool = false, sources: [String] = [], added: [ScriptInstance] = [], removed: [ScriptKey] = [],
        frozen: [ScriptKey] = [], control: [ScriptControl] = [], poses: [ObjectPose] = [], events: [ScriptEventDelivery] = [],
        chat: [ChatHeard] = []
    ) -> ScriptResult {
        frame += 1
        let programs = sources.map { ScriptProgram(hash: Self.hash($0), source: $0) }
        return engine.apply(
            ScriptFrame(
                region: Self.region, frame: frame, timeMillis: 1_767_225_600_000 + UInt64(now * 1000), snapshot: snapshot, programs: programs,
                added: added, removed: removed, frozen: frozen, control: control, poses: poses, events: events, chat: chat, regionName: "Testland"),
            now: now)
    }

    /// Starts scripts in objects in one snapshot frame at `now`.
    func start(_ scripts: [(ScriptKey, String)], at now: Double = 0) -> ScriptResult {
        let objects = Set(scripts.map(\.0.object))
        return step(
            now, snapshot: true, sources: Array(Set(scripts.map(\.1))), added: scripts.map { Self.instance($0.0, source: $0.1) },
            poses: objects.map { Self.pose($0) })
    }
}

extension ScriptResult {
    /// The texts said (any chat type) by one script, or by every script.
    func said(by key: ScriptKey? = nil) -> [String] {
        effects.compactMap { record in
            guard key == nil || record.key == key else { return nil }
            switch record.effect {
            case .say(_, _, let text): return text
            case .ownerSay(let text): return text
            default: return nil
            }
        }
    }
}

func newKey() -> ScriptKey { ScriptKey(object: UUID(), item: UUID()) }
