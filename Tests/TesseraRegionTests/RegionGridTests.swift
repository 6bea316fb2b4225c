import Foundation
import Testing
import TesseraGridProtocol
import TesseraRegion
import TesseraWire
import TesseraWorld

/// Rez and take (the region asks the grid services and applies their answer), and what the
/// region's scene flushes write.
@Suite struct RegionGridTests {
    static let asset = AssetID(Data(repeating: 0xA5, count: 32))!
    static let item = UUID(uuidString: "11111111-2222-4333-8444-555555555555")!
    static let spot = Vector3(130, 130, 21.5)

    /// Two avatars near the centre, one on each manager, past their initial views.
    private func scene(attached: Bool = true, _ settings: RegionSettings = .test()) throws -> (RegionHarness, LocalID, LocalID) {
        var harness = RegionHarness(settings)
        harness.region.gridServicesAttached = attached
        let a = try harness.add(agent(1))
        let b = try harness.add(agent(2), manager: 2)
        harness.run(4)
        return (harness, a, b)
    }

    private func reply(_ output: RegionOutput, manager: ManagerID = 1) -> CommandReply? {
        output.frame(for: manager)?.replies.first
    }

    /// What the grid answers a rez with.
    private func record(owner: AgentID = agent(1), id: UUID = UUID()) -> SceneObjectRecord {
        SceneObjectRecord(
            id: id, owner: owner, creator: owner, asset: Self.asset, name: "Chair", shape: .cylinder,
            position: Self.spot, rotation: .identity, scale: Vector3(1, 1, 2), masks: [0x7FFF_FFFF, 0x7FFF_FFFF, 0, 0, 0x8000]
        )
    }

    /// A rez answered by the grid with `record`; returns the object's local id.
    private func rez(_ harness: inout RegionHarness, _ record: SceneObjectRecord, by agentLocal: LocalID, requestID: UInt32 = 5) throws -> LocalID {
        let asked = harness.send(agent(1), .rez(requestID: requestID, item: Self.item, position: record.position))
        try #require(asked.gridEffects.count == 1)
        let output = harness.step([.rezResult(agent: agentLocal, manager: 1, requestID: requestID, .success(record))])
        guard case .rezzed(let local, let object)? = reply(output)?.outcome, object == record.id else {
            throw RezFailed(outcome: reply(output)?.outcome)
        }
        return local
    }

    struct RezFailed: Error { let outcome: CommandReply.Outcome? }

    // MARK: Without grid services

    @Test func withoutGridServicesRezAndTakeFail() throws {
        var (harness, _, _) = try scene(attached: false)
        let rez = harness.send(agent(1), .rez(requestID: 1, item: Self.item, position: Self.spot))
        #expect(rez.gridEffects.isEmpty)
        #expect(reply(rez)?.outcome == .callFailed(code: ErrorCode.serviceUnavailable.rawValue, message: "this region runs without grid services"))

        guard case .created(let id)? = reply(harness.send(agent(1), .createObject(requestID: 2, ObjectSpec(
            shape: .box, position: Self.spot, rotation: .identity, scale: Vector3(1, 1, 1), name: "Crate"))))?.outcome
        else {
            Issue.record("create failed")
            return
        }
        let take = harness.send(agent(1), .take(requestID: 3, id))
        #expect(take.gridEffects.isEmpty)
        #expect(reply(take)?.outcome == .callFailed(code: ErrorCode.serviceUnavailable.rawValue, message: "this region runs without grid services"))
        #expect(harness.region.objectIDs() == [id])
    }

    // MARK: Rez

    @Test func rezAsksTheGridThenPlacesTheObject() throws {
        var (harness, a, b) = try scene()
        let asked = harness.send(agent(1), .rez(requestID: 5, item: Self.item, position: Self.spot))
        #expect(asked.gridEffects == [.rez(agent: a, manager: 1, requestID: 5, account: agent(1), item: Self.item, position: Self.spot)])
        #expect(reply(asked) == nil, "no answer until the grid's")
        #expect(harness.region.objectCount == 0)

        let stored = record()
        let output = harness.step([.rezResult(agent: a, manager: 1, requestID: 5, .success(stored))])
        let answer = try #require(reply(output))
        #expect(answer.agent == a && answer.requestID == 5)
        guard case .rezzed(let local, let object) = answer.outcome else {
            Issue.record("expected rezzed, got \(answer.outcome)")
            return
        }
        #expect(object == stored.id)
        #expect(harness.region.objectIDs() == [local])
        #expect(reply(output, manager: 2) == nil, "the reply goes to the rezzer's manager only")
        for manager: ManagerID in [1, 2] {
            let info = try #require(output.frame(for: manager)?.appeared.first { $0.localID == local })
            #expect(info.kind == .object && info.shape == .cylinder && info.name == "Chair" && info.scale == Vector3(1, 1, 2))
        }
        #expect(output.interest(of: a, manager: 1)?.entered == [local])
        #expect(output.interest(of: b, manager: 2)?.entered == [local])
        // The grid stored it: the next flush has nothing to write.
        #expect(harness.region.pendingObjectCount == 0)
        #expect(harness.region.takeSceneDelta().isEmpty)
    }

    @Test(arguments: [
        Vector3(-0.5, 10, 21), Vector3(10, 256, 21), Vector3(10, 10, -0.5), Vector3(10, 10, 4096),
        Vector3(.nan, 10, 21), Vector3(10, .infinity, 21),
    ])
    func rezOutsideTheRegionIsRefusedWithoutAskingTheGrid(position: Vector3) throws {
        var (harness, _, _) = try scene()
        let output = harness.send(agent(1), .rez(requestID: 6, item: Self.item, position: position))
        #expect(output.gridEffects.isEmpty)
        guard case .callFailed(let code, _)? = reply(output)?.outcome else {
            Issue.record("expected callFailed, got \(String(describing: reply(output)?.outcome))")
            return
        }
        #expect(code == ErrorCode.invalidValue.rawValue)
    }

    @Test func rezAtTheObjectLimitIsRefused() throws {
        var (harness, _, _) = try scene(.test(maxObjects: 1))
        harness.send(agent(1), .createObject(requestID: 1, ObjectSpec(
            shape: .box, position: Self.spot, rotation: .identity, scale: Vector3(1, 1, 1), name: "Crate")))
        let output = harness.send(agent(1), .rez(requestID: 2, item: Self.item, position: Self.spot))
        #expect(output.gridEffects.isEmpty)
        #expect(reply(output)?.outcome == .callFailed(code: ErrorCode.objectLimit.rawValue, message: "region holds its limit of 1 objects"))
    }

    @Test func rezFailureCarriesTheGridsCode() throws {
        var (harness, a, _) = try scene()
        harness.send(agent(1), .rez(requestID: 5, item: Self.item, position: Self.spot))
        let failed = harness.step([.rezResult(agent: a, manager: 1, requestID: 5, .failure(CallStatus(.unknownItem, "no item x")))])
        #expect(reply(failed)?.outcome == .callFailed(code: ErrorCode.unknownItem.rawValue, message: "no item x"))
        #expect(reply(failed)?.requestID == 5)
        // A status without a code (never sent by the grid) still reaches the client as an error.
        let odd = harness.step([.rezResult(agent: a, manager: 1, requestID: 6, .failure(CallStatus(code: nil, message: "?")))])
        #expect(reply(odd)?.outcome == .callFailed(code: ErrorCode.serviceUnavailable.rawValue, message: "?"))
        #expect(harness.region.objectCount == 0)
    }

    @Test func aRepeatedRezResultDoesNotDuplicateTheObject() throws {
        var (harness, a, _) = try scene()
        let stored = record()
        let local = try rez(&harness, stored, by: a)
        let again = harness.step([.rezResult(agent: a, manager: 1, requestID: 9, .success(stored))])
        #expect(reply(again)?.outcome == .rezzed(local, object: stored.id))
        #expect(harness.region.objectIDs() == [local])
    }

    @Test func aRezResultAfterTheAvatarLeftPlacesTheObjectWithoutAReply() throws {
        var (harness, a, _) = try scene()
        harness.send(agent(1), .rez(requestID: 5, item: Self.item, position: Self.spot))
        harness.step([.leave(1, AgentLeave(region: harness.handle, agentID: agent(1), reason: .logout))])
        let output = harness.step([.rezResult(agent: a, manager: 1, requestID: 5, .success(record()))])
        #expect(reply(output) == nil)
        #expect(harness.region.objectCount == 1, "the grid stored the object; the scene shows it")
    }

    @Test func concurrentRezzesStayWithinTheObjectLimit() throws {
        // A rez in flight holds a place under `maxObjects`: of two rezzes asked in one frame
        // only the first goes to the grid.
        var (harness, a, _) = try scene(.test(maxObjects: 1))
        let asked = harness.step([
            harness.command(agent(1), .rez(requestID: 1, item: Self.item, position: Self.spot)),
            harness.command(agent(1), .rez(requestID: 2, item: Self.item, position: Self.spot)),
        ])
        let effects = asked.gridEffects.count
        #expect(effects == 1, "the second rez is refused while the first is in flight")
        #expect(asked.frame(for: 1)?.replies.map(\.outcome) == [.callFailed(
            code: ErrorCode.objectLimit.rawValue, message: "region holds its limit of 1 objects")])
        harness.step([.rezResult(agent: a, manager: 1, requestID: 1, .success(record()))])
        #expect(harness.region.objectCount == 1)
        // A built object cannot take the place either while the rez is answered.
        let built = harness.send(agent(1), .createObject(requestID: 3, ObjectSpec(
            shape: .box, position: Self.spot, rotation: .identity, scale: Vector3(1, 1, 1), name: "Extra")))
        #expect(built.frame(for: 1)?.replies.first?.outcome == .failed(
            code: ErrorCode.objectLimit.rawValue, message: "region holds its limit of 1 objects"))
    }

    // MARK: Take

    @Test func takeAsksTheGridAndTheObjectLeavesOnSuccess() throws {
        var (harness, a, b) = try scene()
        let stored = record()
        let local = try rez(&harness, stored, by: a)
        harness.run(2)

        let asked = harness.send(agent(1), .take(requestID: 7, local))
        #expect(asked.gridEffects == [.take(agent: a, manager: 1, requestID: 7, account: agent(1), object: local, objectID: stored.id, look: .plain, contents: [])])
        #expect(reply(asked) == nil)

        // While the take is on its way the object can be neither deleted nor taken again.
        let delete = harness.send(agent(1), .deleteObject(requestID: 8, local))
        #expect(reply(delete)?.outcome == .failed(code: ErrorCode.notAllowed.rawValue, message: "object \(local) is being taken into inventory"))
        let twice = harness.send(agent(1), .take(requestID: 9, local))
        #expect(twice.gridEffects.isEmpty)
        #expect(reply(twice)?.outcome == .callFailed(code: ErrorCode.notAllowed.rawValue, message: "object \(local) is already being taken"))
        #expect(harness.region.objectIDs() == [local])

        let newItem = UUID()
        let output = harness.step([.takeResult(agent: a, manager: 1, requestID: 7, object: local, .success(newItem))])
        #expect(reply(output)?.outcome == .taken(item: newItem))
        #expect(reply(output)?.requestID == 7)
        #expect(harness.region.objectIDs().isEmpty)
        for manager: ManagerID in [1, 2] { #expect(output.frame(for: manager)?.removed == [local]) }
        #expect(output.interest(of: a, manager: 1)?.left == [local])
        #expect(output.interest(of: b, manager: 2)?.left == [local])
        // The take deleted the stored row; the flush must not delete it again.
        #expect(harness.region.takeSceneDelta().isEmpty)
    }

    @Test func aFailedTakeLeavesTheObjectInTheScene() throws {
        var (harness, a, _) = try scene()
        let stored = record()
        let local = try rez(&harness, stored, by: a)
        harness.send(agent(1), .take(requestID: 7, local))
        let output = harness.step([.takeResult(agent: a, manager: 1, requestID: 7, object: local, .failure(CallStatus(.serviceUnavailable, "grid down")))])
        #expect(reply(output)?.outcome == .callFailed(code: ErrorCode.serviceUnavailable.rawValue, message: "grid down"))
        #expect(harness.region.objectIDs() == [local])
        #expect(output.frame(for: 1)?.removed.isEmpty != false)

        // No longer being taken: it can be taken again, or deleted (and the flush deletes its row).
        let retry = harness.send(agent(1), .take(requestID: 8, local))
        #expect(retry.gridEffects.count == 1)
        harness.step([.takeResult(agent: a, manager: 1, requestID: 8, object: local, .failure(CallStatus(.unknownItem, "x")))])
        let delete = harness.send(agent(1), .deleteObject(requestID: 9, local))
        #expect(reply(delete)?.outcome == .deleted(local))
        #expect(harness.region.takeSceneDelta() == SceneDelta(deleted: [stored.id]))
    }

    @Test func takeRefusals() throws {
        var (harness, a, b) = try scene()
        let rezzed = try rez(&harness, record(), by: a)
        guard case .created(let built)? = reply(harness.send(agent(1), .createObject(requestID: 2, ObjectSpec(
            shape: .box, position: Self.spot, rotation: .identity, scale: Vector3(1, 1, 1), name: "Crate"))))?.outcome
        else {
            Issue.record("create failed")
            return
        }
        let cases: [(AgentID, ManagerID, LocalID, ErrorCode, String)] = [
            (agent(1), 1, built, .notAllowed, "object \(built) was built in the world; only objects rezzed from inventory can be taken"),
            (agent(2), 2, rezzed, .notAllowed, "object \(rezzed) belongs to someone else"),
            (agent(1), 1, 999_999, .unknownEntity, "no object 999999 in this region"),
            (agent(1), 1, b, .unknownEntity, "no object \(b) in this region"),
        ]
        for (who, manager, target, code, message) in cases {
            let output = harness.send(who, .take(requestID: 3, target), manager: manager)
            #expect(output.gridEffects.isEmpty, "\(message)")
            #expect(reply(output, manager: manager)?.outcome == .callFailed(code: code.rawValue, message: message))
        }
        #expect(harness.region.objectCount == 2)
    }

    // MARK: Scene flushes

    @Test func builtObjectsAreFlushedOnceAndTheirDeletionAfterwards() throws {
        var (harness, _, _) = try scene()
        harness.send(agent(1), .createObject(requestID: 1, ObjectSpec(
            shape: .sphere, position: Self.spot, rotation: .identity, scale: Vector3(0.5, 1, 2), name: "Ball")))
        #expect(harness.region.pendingObjectCount == 1)
        let first = harness.region.takeSceneDelta()
        let created = try #require(first.created.first)
        #expect(first.created.count == 1 && first.changed.isEmpty && first.deleted.isEmpty)
        #expect(created.owner == agent(1) && created.creator == agent(1) && created.asset == nil)
        #expect(created.name == "Ball" && created.shape == .sphere && created.scale == Vector3(0.5, 1, 2))
        #expect(created.masks.count == 5)
        #expect(harness.region.takeSceneDelta().isEmpty, "written once")

        let local = try #require(harness.region.objectIDs().first)
        harness.send(agent(1), .deleteObject(requestID: 2, local))
        #expect(harness.region.takeSceneDelta() == SceneDelta(deleted: [created.id]))
    }

    @Test func anObjectDeletedBeforeItsFirstFlushIsNeverWritten() throws {
        var (harness, _, _) = try scene()
        guard case .created(let local)? = reply(harness.send(agent(1), .createObject(requestID: 1, ObjectSpec(
            shape: .box, position: Self.spot, rotation: .identity, scale: Vector3(1, 1, 1), name: "Crate"))))?.outcome
        else {
            Issue.record("create failed")
            return
        }
        harness.send(agent(1), .deleteObject(requestID: 2, local))
        #expect(harness.region.takeSceneDelta().isEmpty)
    }

    @Test func aFailedFlushIsWrittenByTheNextOne() throws {
        var (harness, _, _) = try scene()
        harness.send(agent(1), .createObject(requestID: 1, ObjectSpec(
            shape: .box, position: Self.spot, rotation: .identity, scale: Vector3(1, 1, 1), name: "Crate")))
        let delta = harness.region.takeSceneDelta()
        #expect(delta.created.count == 1)
        harness.region.flushFailed(delta)
        #expect(harness.region.takeSceneDelta() == delta)
    }

    @Test func anObjectDeletedWhileItsFirstFlushFailsIsNeitherInsertedNorDeleted() throws {
        var (harness, _, _) = try scene()
        guard case .created(let local)? = reply(harness.send(agent(1), .createObject(requestID: 1, ObjectSpec(
            shape: .box, position: Self.spot, rotation: .identity, scale: Vector3(1, 1, 1), name: "Crate"))))?.outcome
        else {
            Issue.record("create failed")
            return
        }
        let delta = harness.region.takeSceneDelta()
        harness.send(agent(1), .deleteObject(requestID: 2, local))  // while the flush is on its way
        harness.region.flushFailed(delta)
        #expect(harness.region.takeSceneDelta().isEmpty)
    }

    @Test func restoredObjectsAreInTheSceneAndNotRewritten() throws {
        var harness = RegionHarness(.test(maxObjects: 2))
        harness.region.gridServicesAttached = true
        harness.region.restore([record(), record(), record()])
        #expect(harness.region.objectCount == 2, "restore keeps to the object limit")
        #expect(harness.region.takeSceneDelta().isEmpty)
        try harness.add(agent(1))
        harness.run(4)
        let visible = try #require(harness.region.avatarState(agent(1))?.visible)
        #expect(Set(harness.region.objectIDs()).isSubset(of: visible), "an arriving avatar sees restored objects")
        // A restored object can be taken by its owner.
        let local = try #require(harness.region.objectIDs().first)
        let take = harness.send(agent(1), .take(requestID: 1, local))
        #expect(take.gridEffects.count == 1)
    }
}
