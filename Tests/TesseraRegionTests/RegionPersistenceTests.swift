import Foundation
import Testing
import TesseraGridProtocol
import TesseraRegion
import TesseraWire
import TesseraWorld

@Suite struct RegionPersistenceTests {
    private func scene() throws -> (RegionHarness, LocalID) {
        var harness = RegionHarness()
        harness.region.gridServicesAttached = true
        let a = try harness.add(agent(1))
        harness.run(2)
        return (harness, a)
    }

    private func record(_ id: UUID = UUID(), owner: AgentID = agent(1), name: String = "Crate", stored asset: Bool = true) -> SceneObjectRecord {
        SceneObjectRecord(
            id: id, owner: owner, creator: owner, asset: asset ? AssetID(Data(repeating: 7, count: 32)) : nil, name: name,
            shape: .box, position: Vector3(130, 130, 22), rotation: .identity, scale: Vector3(1, 1, 1),
            masks: [0x7FFF_FFFF, 0x7FFF_FFFF, 0, 0, 0x7FFF_FFFF])
    }

    private func reply(_ output: RegionOutput) -> CommandReply.Outcome? {
        output.frame(for: 1)?.replies.first?.outcome
    }

    @Test func rezAsksTheGridAndTheAnswerPutsTheObjectInTheWorld() throws {
        var (harness, a) = try scene()
        let item = UUID()
        let output = harness.send(agent(1), .rez(requestID: 5, item: item, position: Vector3(130, 130, 22)))
        #expect(output.gridEffects == [.rez(agent: a, manager: 1, requestID: 5, account: agent(1), item: item, position: Vector3(130, 130, 22))])
        #expect(reply(output) == nil, "no reply before the grid answers")

        let stored = record()
        let answered = harness.step([.rezResult(agent: a, manager: 1, requestID: 5, .success(stored))])
        guard case .rezzed(let localID, let object)? = reply(answered) else {
            Issue.record("expected rezzed, got \(String(describing: reply(answered)))")
            return
        }
        #expect(object == stored.id)
        #expect(answered.frame(for: 1)?.appeared.contains { $0.localID == localID && $0.name == "Crate" } == true)
        // Rezzed objects are already stored: the next flush has nothing to write.
        #expect(harness.region.takeSceneDelta().isEmpty)
    }

    @Test func rezOutsideTheRegionOrWithoutGridServicesIsRefusedWithoutAskingTheGrid() throws {
        var (harness, _) = try scene()
        let outside = harness.send(agent(1), .rez(requestID: 1, item: UUID(), position: Vector3(256, 10, 22)))
        #expect(outside.gridEffects.isEmpty)
        #expect(reply(outside) == .callFailed(code: ErrorCode.invalidValue.rawValue, message: "position (256.0, 10.0, 22.0) is outside the region"))
        harness.region.gridServicesAttached = false
        let detached = harness.send(agent(1), .rez(requestID: 2, item: UUID(), position: Vector3(10, 10, 22)))
        #expect(detached.gridEffects.isEmpty)
        #expect(reply(detached) == .callFailed(code: ErrorCode.serviceUnavailable.rawValue, message: "this region runs without grid services"))
    }

    @Test func takeLocksTheObjectUntilTheGridAnswers() throws {
        var (harness, a) = try scene()
        harness.region.restore([record()])
        harness.run(2)
        let object = try #require(harness.region.objectIDs().first)
        let output = harness.send(agent(1), .take(requestID: 3, object))
        guard case .take(_, _, 3, _, object, let objectID, _, _)? = output.gridEffects.first else {
            Issue.record("expected a take effect, got \(output.gridEffects)")
            return
        }
        // While the take is on its way: no second take, no delete.
        #expect(reply(harness.send(agent(1), .take(requestID: 4, object))) == .callFailed(
            code: ErrorCode.notAllowed.rawValue, message: "object \(object) is already being taken"))
        #expect(reply(harness.send(agent(1), .deleteObject(requestID: 5, object))) == .failed(
            code: ErrorCode.notAllowed.rawValue, message: "object \(object) is being taken into inventory"))

        // A refusal unlocks it; a success removes it without a delete for the flush.
        let refused = harness.step([.takeResult(agent: a, manager: 1, requestID: 3, object: object, .failure(CallStatus(.serviceUnavailable, "down")))])
        #expect(reply(refused) == .callFailed(code: ErrorCode.serviceUnavailable.rawValue, message: "down"))
        #expect(harness.region.objectIDs() == [object])
        _ = harness.send(agent(1), .take(requestID: 6, object))
        let item = UUID()
        let taken = harness.step([.takeResult(agent: a, manager: 1, requestID: 6, object: object, .success(item))])
        #expect(reply(taken) == .taken(item: item))
        #expect(harness.region.objectIDs().isEmpty)
        #expect(taken.frame(for: 1)?.removed == [object])
        #expect(harness.region.takeSceneDelta() == SceneDelta(), "the take already deleted the row: \(objectID)")
    }

    @Test func onlyTheOwnerTakesAndOnlyRezzedObjectsCanBeTaken() throws {
        var (harness, _) = try scene()
        harness.region.restore([record(owner: agent(9), name: "Theirs"), record(name: "Built", stored: false)])
        harness.run(1)
        let ids = harness.region.objectIDs()
        #expect(ids.count == 2)
        let outcomes = ids.map { reply(harness.send(agent(1), .take(requestID: 1, $0))) }
        #expect(outcomes.contains(.callFailed(code: ErrorCode.notAllowed.rawValue, message: "object \(ids[0]) belongs to someone else")))
        #expect(outcomes.contains(.callFailed(
            code: ErrorCode.notAllowed.rawValue, message: "object \(ids[1]) was built in the world; only objects rezzed from inventory can be taken")))
        #expect(reply(harness.send(agent(1), .take(requestID: 2, 424_242))) == .callFailed(
            code: ErrorCode.unknownEntity.rawValue, message: "no object 424242 in this region"))
    }

    @Test func flushesCarryCreatedChangedAndDeletedObjectsOnceAndRetryAfterAFailure() throws {
        var (harness, _) = try scene()
        let kept = record(name: "Kept")
        harness.region.restore([kept])
        #expect(harness.region.takeSceneDelta().isEmpty, "restored objects are stored already")
        _ = harness.send(agent(1), .createObject(requestID: 1, ObjectSpec(
            shape: .sphere, position: Vector3(120, 120, 22), rotation: .identity, scale: Vector3(1, 1, 1), name: "Ball")))
        let first = harness.region.takeSceneDelta()
        #expect(first.created.map(\.name) == ["Ball"] && first.changed.isEmpty && first.deleted.isEmpty)
        #expect(first.created.first?.owner == agent(1))
        #expect(harness.region.takeSceneDelta().isEmpty, "nothing changed since")

        // The flush failed: the next one carries the same object again.
        harness.region.flushFailed(first)
        let retry = harness.region.takeSceneDelta()
        #expect(retry.created.map(\.id) == first.created.map(\.id))

        // Deleting a stored object makes the next flush delete its row.
        // Local ids are handed out in order: the restored object got the lower one.
        let keptLocal = try #require(harness.region.objectIDs().min())
        _ = harness.send(agent(1), .deleteObject(requestID: 2, keptLocal))
        #expect(harness.region.takeSceneDelta().deleted == [kept.id])
    }
}
