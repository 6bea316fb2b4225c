import Foundation
import Testing
import TesseraGridProtocol
import TesseraRegion
import TesseraWire
import TesseraWorld

/// The region's side of the script exchange, driven by hand: the test plays the script
/// service (its answers are written here), so every case of timing can be chosen.
@Suite("The region's scripts bridge")
struct RegionScriptsBridgeTests {
    static let source = "default { touch_start(integer n) { llSay(0, \"Hello, \" + llDetectedName(0)); } }"
    static let hash = AssetID(Data(repeating: 0x5C, count: 32))!
    static let objectID = UUID(uuidString: "0B1EC700-0000-4000-8000-000000000001")!
    static let scriptID = UUID(uuidString: "5C219700-0000-4000-8000-000000000001")!
    static let ballScriptID = UUID(uuidString: "5C219700-0000-4000-8000-000000000002")!
    static var key: ScriptKey { ScriptKey(object: objectID, item: scriptID) }

    static func settings() -> RegionSettings {
        RegionSettings(
            name: "Scripted", gridPosition: GridPosition(x: 1000, y: 1000)!, spawnRadius: 2,
            scripts: PhysicsEndpoint(host: "127.0.0.1", port: 1))
    }

    static func greeter(at position: Vector3 = Vector3(130, 128, 22), state: [UInt8]? = nil, withBall: Bool = false) -> SceneObjectRecord {
        var contents = [ContentItem(id: scriptID, name: "greeter", kind: .script, asset: hash, source: source, state: state)]
        if withBall {
            let ballScript = ContentItem(id: ballScriptID, name: "bounce", kind: .script, asset: hash, source: source)
            contents.append(ContentItem(
                id: UUID(), name: "ball", kind: .object, asset: ContentItem.noAsset,
                template: ObjectTemplate(name: "Ball", shape: .sphere, scale: Vector3(0.5, 0.5, 0.5), physical: true, reportsCollisions: true, contents: [ballScript])))
        }
        return SceneObjectRecord(
            id: objectID, owner: agent(1), creator: agent(1), asset: nil, name: "Sign", shape: .box, position: position, rotation: .identity,
            scale: Vector3(1, 1, 1), masks: [0x7FFF_FFFF, 0x7FFF_FFFF, 0, 0, 0x7FFF_FFFF], contents: contents)
    }

    /// A region with Ada near a restored greeter, attached to the (pretend) service.
    static func attached(_ record: SceneObjectRecord = greeter(), east: Bool = false) throws -> (RegionHarness, ScriptFrame) {
        var harness = RegionHarness(settings())
        harness.region.restore([record])
        _ = try harness.add(agent(1), name: "Ada Lovelace")
        if east { harness.step([.regions([GridPosition(x: 1001, y: 1000)!.handle: "East"])]) }
        harness.run(2)
        #expect(harness.lastOutput.scriptFrame == nil, "nothing is sent before the link is up")
        let snapshot = try #require(harness.step([.scriptsAttached]).scriptFrame)
        return (harness, snapshot)
    }

    static func answer(_ frame: ScriptFrame, _ effects: [ScriptEffect] = [], captures: [ScriptCapture] = []) -> RegionInput {
        .scriptResult(ScriptResult(
            region: frame.region, frame: frame.frame, effects: effects.map { ScriptEffectRecord(key: key, effect: $0) }, captures: captures))
    }

    @Test("on attach one snapshot carries every script with its source, state and pose; the restored scripts learn the region started")
    func snapshotOnAttach() throws {
        let (harness, snapshot) = try Self.attached(Self.greeter(state: [7, 7, 7]))
        #expect(snapshot.snapshot)
        #expect(snapshot.added == [ScriptInstance(
            key: Self.key, objectLocal: snapshot.added.first?.objectLocal ?? 0, name: "greeter", program: Self.hash, owner: agent(1),
            objectName: "Sign", state: [7, 7, 7])])
        #expect(snapshot.programs == [ScriptProgram(hash: Self.hash, source: Self.source)])
        #expect(snapshot.poses.map(\.position) == [Vector3(130, 128, 22)])
        #expect(snapshot.events == [ScriptEventDelivery(object: Self.objectID, name: "changed", arguments: [.integer(0x400)])])
        #expect(harness.region.scriptsStatus.state == .attached)
        #expect(harness.region.scriptsStatus.scriptedObjects == 1)
    }

    @Test("effects: chat reaches avatars in range, floating text is kept, listens decide which chat the service hears")
    func effectsApplied() throws {
        var (harness, snapshot) = try Self.attached()
        let output = harness.step([Self.answer(snapshot, [
            .say(channel: 0, type: .say, text: "Hello, Ada Lovelace"), .setText(text: "Open", color: Vector3(1, 0, 0), alpha: 2),
            .listenChannels([7, 7]),
        ])])
        let chat = try #require(output.frame(for: 1)?.chat.first)
        #expect(chat.text == "Hello, Ada Lovelace" && chat.speakerName == "Sign" && chat.type == .say)
        #expect(harness.region.scriptsStatus.link.onTime == 1 && harness.region.scriptsStatus.effects == 3)
        // Chat on the channel it listens to goes to the service, other channels do not.
        harness.send(agent(1), .chat(.say, channel: 8, text: "ignored"))
        let next = try #require(harness.send(agent(1), .chat(.say, channel: 7, text: "open")).scriptFrame)
        let heard = harness.lastOutput.scriptFrame?.chat ?? []
        #expect(next.chat == heard)
        #expect(heard.map(\.text) == ["open"] && heard.first?.speakerName == "Ada Lovelace" && heard.first?.speaker == agent(1))
    }

    @Test("a crossing waits for the scripts' capture and carries it in the offer")
    func crossingCarriesTheCapture() throws {
        var (harness, snapshot) = try Self.attached(Self.greeter(at: Vector3(250, 128, 22)), east: true)
        harness.step([Self.answer(snapshot)])
        let object = try #require(harness.region.objectIDs().first)
        let moved = harness.send(agent(1), .moveObject(requestID: 3, object, position: Vector3(258, 128, 22)))
        #expect(moved.peerMessages.isEmpty, "no offer before the scripts are captured")
        let frozen = try #require(moved.scriptFrame)
        #expect(frozen.frozen == [Self.key])
        let offered = harness.step([Self.answer(frozen, captures: [ScriptCapture(key: Self.key, state: [1, 2, 3], frozen: true)])])
        guard case .handoffOffer(let offer)? = offered.peerMessages.first?.1, case .object(let travelling) = offer.traveller else {
            Issue.record("expected an object offer, got \(offered.peerMessages)")
            return
        }
        #expect(travelling.record.contents.first?.state == [1, 2, 3])
        #expect(harness.region.scriptsStatus.freezes == 1 && harness.region.scriptsStatus.freezeTimeouts == 0)
    }

    @Test("a crossing whose capture never comes goes on after a second with the last checkpoint")
    func crossingTimesOut() throws {
        var (harness, _) = try Self.attached(Self.greeter(at: Vector3(250, 128, 22), state: [4, 4]), east: true)
        let object = try #require(harness.region.objectIDs().first)
        harness.send(agent(1), .moveObject(requestID: 3, object, position: Vector3(258, 128, 22)))
        var offer: HandoffOffer?
        for _ in 0..<60 where offer == nil {
            for case .handoffOffer(let sent) in harness.step().peerMessages.map(\.1) { offer = sent }
        }
        let sent = try #require(offer)
        guard case .object(let travelling) = sent.traveller else { Issue.record("not an object"); return }
        #expect(travelling.record.contents.first?.state == [4, 4])
        #expect(harness.region.scriptsStatus.freezeTimeouts == 1)
    }

    @Test("events wait while the service is away and go after the next snapshot")
    func eventsHeldWhileLost() throws {
        var (harness, snapshot) = try Self.attached()
        // A sensor sweep answers with an event for the next frame; the link drops before it goes.
        harness.step([Self.answer(snapshot, [.sensor(name: "", key: nil, kind: DetectedInfo.agent, range: 20, arc: .pi)]), .scriptsLost])
        #expect(harness.region.scriptsStatus.state == .lost)
        #expect(harness.region.scriptsStatus.heldEvents == 1)
        harness.run(3)
        let again = try #require(harness.step([.scriptsAttached]).scriptFrame)
        #expect(again.snapshot && again.added.map(\.key) == [Self.key])
        let sensed = try #require(again.events.first { $0.name == "sensor" })
        #expect(sensed.item == Self.scriptID && sensed.arguments == [.integer(1)] && sensed.detected.map(\.name) == ["Ada Lovelace"])
    }

    @Test("llRezObject makes the template's object with fresh scripts that get on_rez; llDie removes it")
    func rezAndDie() throws {
        var (harness, snapshot) = try Self.attached(Self.greeter(withBall: true))
        let before = harness.region.objectCount
        harness.step([Self.answer(snapshot, [
            .rez(item: "ball", position: Vector3(131, 128, 23), velocity: Vector3(5, 0, 0), rotation: .identity, parameter: 9),
            .rez(item: "missing", position: Vector3(131, 128, 23), velocity: .zero, rotation: .identity, parameter: 0),
            .rez(item: "ball", position: Vector3(200, 128, 23), velocity: .zero, rotation: .identity, parameter: 0),
        ])])
        #expect(harness.region.objectCount == before + 1, "one rez is good; a missing item and a far position are refused")
        #expect(harness.region.scriptsStatus.effectsRefused == 2)
        let next = try #require(harness.lastOutput.scriptFrame)
        let ball = try #require(next.added.first)
        #expect(ball.name == "bounce" && ball.state == nil && ball.key.item != Self.ballScriptID, "a rezzed copy's items are new")
        #expect(next.events.contains(ScriptEventDelivery(object: ball.key.object, name: "on_rez", arguments: [.integer(9)])))
        #expect(harness.region.objectStates().first { $0.localID == ball.objectLocal }?.velocity == Vector3(5, 0, 0))
        harness.step([.scriptResult(ScriptResult(region: next.region, frame: next.frame, effects: [ScriptEffectRecord(key: ball.key, effect: .die)]))])
        #expect(harness.region.objectCount == before)
        #expect(harness.lastOutput.scriptFrame?.removed == [ball.key])
    }

    @Test("a stale answer changes nothing; effects of unknown scripts are refused")
    func staleAndUnknown() throws {
        var (harness, snapshot) = try Self.attached()
        harness.step([Self.answer(snapshot, [.setText(text: "first", color: Vector3(1, 1, 1), alpha: 1)])])
        harness.step([Self.answer(snapshot, [.setText(text: "second", color: Vector3(1, 1, 1), alpha: 1)])])
        #expect(harness.region.scriptsStatus.link.stale == 1)
        let frame = try #require(harness.step().scriptFrame)
        harness.step([.scriptResult(ScriptResult(region: frame.region, frame: frame.frame, effects: [
            ScriptEffectRecord(key: ScriptKey(object: UUID(), item: UUID()), effect: .die),
        ]))])
        #expect(harness.region.scriptsStatus.effectsRefused == 1)
        #expect(harness.region.objectCount == 1)
    }

    @Test("a flush is cut into parts of about the given size, each object in exactly one, deletions with the first")
    func flushParts() {
        var records: [SceneObjectRecord] = []
        for index in 0..<10 {
            var record = Self.greeter()
            record.id = UUID()
            record.contents[0].state = [UInt8](repeating: UInt8(index), count: 1000)
            records.append(record)
        }
        let gone = [UUID(), UUID()]
        let delta = SceneDelta(created: Array(records[0..<4]), changed: Array(records[4...]), deleted: gone)
        let parts = delta.parts(ofAbout: 3000)
        #expect(parts.count == 5, "two objects of about 1.2 kB per part")
        #expect(parts.flatMap(\.created) == Array(records[0..<4]))
        #expect(parts.flatMap(\.changed) == Array(records[4...]))
        #expect(parts[0].deleted == gone && parts.dropFirst().allSatisfy(\.deleted.isEmpty))
        #expect(delta.parts(ofAbout: 100).count == 11, "the deletions, then each object larger than a part alone")
        #expect(SceneDelta().parts(ofAbout: 100).isEmpty)
    }
}
