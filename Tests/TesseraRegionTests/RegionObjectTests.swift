import Testing
import TesseraRegion
import TesseraWire
import TesseraWorld

@Suite struct RegionObjectTests {
    /// Two avatars near the centre, one on each manager, past their initial views.
    private func scene(_ settings: RegionSettings = .test()) throws -> (RegionHarness, LocalID, LocalID) {
        var harness = RegionHarness(settings)
        let a = try harness.add(agent(1))
        let b = try harness.add(agent(2), manager: 2)
        harness.run(4)
        return (harness, a, b)
    }

    private func spec(
        _ shape: Shape = .box, at position: Vector3 = Vector3(130, 130, 21.5),
        rotation: Quaternion = .identity, scale: Vector3 = Vector3(1, 1, 1), name: String = "Crate"
    ) -> ObjectSpec {
        ObjectSpec(shape: shape, position: position, rotation: rotation, scale: scale, name: name)
    }

    private func reply(_ output: RegionOutput, manager: ManagerID = 1) -> CommandReply? {
        output.frame(for: manager)?.replies.first
    }

    @Test func createdObjectAppearsAndEntersNearbyViewsInTheSameFrame() throws {
        var (harness, a, b) = try scene()
        let output = harness.send(agent(1), .createObject(requestID: 77, spec(.sphere, scale: Vector3(0.5, 2, 3), name: "Ball ●")))
        let answer = try #require(reply(output))
        #expect(answer.agent == a)
        #expect(answer.requestID == 77)
        guard case .created(let id) = answer.outcome else {
            Issue.record("expected created, got \(answer.outcome)")
            return
        }
        #expect(harness.region.objectIDs() == [id])
        #expect(harness.region.objectCount == 1)
        #expect(output.frame(for: 2)?.replies.isEmpty == true, "the reply goes to the creator's manager only")

        for manager: ManagerID in [1, 2] {
            let frame = try #require(output.frame(for: manager))
            let info = try #require(frame.appeared.first { $0.localID == id })
            #expect(info.kind == .object)
            #expect(info.shape == .sphere)
            #expect(info.name == "Ball ●")
            #expect(info.scale == Vector3(0.5, 2, 3))
            #expect(info.motion == EntityMotion(position: Vector3(130, 130, 21.5), rotation: .identity, velocity: .zero))
            #expect(!frame.moved.contains { $0.localID == id }, "objects are not re-sent as moved")
        }
        #expect(output.interest(of: a, manager: 1)?.entered == [id])
        #expect(output.interest(of: b, manager: 2)?.entered == [id])
        #expect(harness.region.avatarState(agent(1))?.visible.contains(id) == true)
        #expect(harness.region.avatarState(agent(2))?.visible.contains(id) == true)

        // Later frames neither re-announce nor re-send it.
        for later in harness.run(8) {
            #expect(later.frame(for: 1)?.appeared.isEmpty == true)
            #expect(later.interest(of: a)?.entered.contains(id) != true)
        }
    }

    @Test func aDistantObjectAppearsButEntersNoView() throws {
        var (harness, a, _) = try scene()
        let output = harness.send(agent(1), .createObject(requestID: 1, spec(at: Vector3(250, 250, 21))))
        guard case .created(let id)? = reply(output)?.outcome else {
            Issue.record("expected created")
            return
        }
        #expect(output.frame(for: 1)?.appeared.map(\.localID) == [id])
        #expect(output.interest(of: a)?.entered.contains(id) != true)
        #expect(harness.region.avatarState(agent(1))?.visible.contains(id) == false)
    }

    @Test func rotationIsStoredNormalized() throws {
        var (harness, _, _) = try scene()
        let output = harness.send(agent(1), .createObject(requestID: 1, spec(rotation: Quaternion(x: 0, y: 0, z: 2, w: 2))))
        let info = try #require(output.frame(for: 1)?.appeared.first)
        #expect(info.motion.rotation.rotation.isClose(to: Quaternion(yaw: .pi / 2), tolerance: 1e-5))
    }

    @Test(arguments: [
        ("scale 0", ObjectSpec(shape: .box, position: Vector3(130, 130, 21), rotation: .identity, scale: Vector3(1, 0, 1), name: "n")),
        ("scale 100", ObjectSpec(shape: .box, position: Vector3(130, 130, 21), rotation: .identity, scale: Vector3(100, 1, 1), name: "n")),
        ("scale below 0.01", ObjectSpec(shape: .box, position: Vector3(130, 130, 21), rotation: .identity, scale: Vector3(1, 1, 0.009), name: "n")),
        ("negative scale", ObjectSpec(shape: .box, position: Vector3(130, 130, 21), rotation: .identity, scale: Vector3(-1, 1, 1), name: "n")),
        ("x outside", ObjectSpec(shape: .box, position: Vector3(256, 130, 21), rotation: .identity, scale: Vector3(1, 1, 1), name: "n")),
        ("y outside", ObjectSpec(shape: .box, position: Vector3(130, -0.5, 21), rotation: .identity, scale: Vector3(1, 1, 1), name: "n")),
        ("below zero", ObjectSpec(shape: .box, position: Vector3(130, 130, -1), rotation: .identity, scale: Vector3(1, 1, 1), name: "n")),
        ("too high", ObjectSpec(shape: .box, position: Vector3(130, 130, 4096), rotation: .identity, scale: Vector3(1, 1, 1), name: "n")),
        ("NaN position", ObjectSpec(shape: .box, position: Vector3(.nan, 130, 21), rotation: .identity, scale: Vector3(1, 1, 1), name: "n")),
        ("NaN scale", ObjectSpec(shape: .box, position: Vector3(130, 130, 21), rotation: .identity, scale: Vector3(1, .nan, 1), name: "n")),
        ("zero rotation", ObjectSpec(shape: .box, position: Vector3(130, 130, 21), rotation: Quaternion(x: 0, y: 0, z: 0, w: 0), scale: Vector3(1, 1, 1), name: "n")),
        ("infinite rotation", ObjectSpec(shape: .box, position: Vector3(130, 130, 21), rotation: Quaternion(x: .infinity, y: 0, z: 0, w: 1), scale: Vector3(1, 1, 1), name: "n")),
        ("empty name", ObjectSpec(shape: .box, position: Vector3(130, 130, 21), rotation: .identity, scale: Vector3(1, 1, 1), name: "")),
    ])
    func invalidSpecsFailWithInvalidValue(label: String, spec: ObjectSpec) throws {
        var (harness, a, _) = try scene()
        let output = harness.send(agent(1), .createObject(requestID: 5, spec))
        let answer = try #require(reply(output))
        #expect(answer.agent == a && answer.requestID == 5)
        guard case .failed(let code, let message) = answer.outcome else {
            Issue.record("\(label): expected failure, got \(answer.outcome)")
            return
        }
        #expect(code == ErrorCode.invalidValue.rawValue, "\(label)")
        #expect(!message.isEmpty)
        #expect(harness.region.objectCount == 0)
        #expect(output.frame(for: 1)?.appeared.isEmpty == true)
    }

    @Test func scaleBoundsAreInclusive() throws {
        var (harness, _, _) = try scene()
        for scale in [Vector3(0.01, 0.01, 0.01), Vector3(64, 64, 64)] {
            guard case .created? = reply(harness.send(agent(1), .createObject(requestID: 1, spec(scale: scale))))?.outcome else {
                Issue.record("scale \(scale) must be accepted")
                continue
            }
        }
        #expect(harness.region.objectCount == 2)
    }

    @Test func objectLimitIsEnforced() throws {
        var (harness, _, _) = try scene(.test(maxObjects: 1))
        harness.send(agent(1), .createObject(requestID: 1, spec()))
        let output = harness.send(agent(1), .createObject(requestID: 2, spec()))
        guard case .failed(let code, _)? = reply(output)?.outcome else {
            Issue.record("the second object must be refused")
            return
        }
        #expect(code == ErrorCode.objectLimit.rawValue)
        #expect(harness.region.objectCount == 1)
    }

    /// One account once filled a region's 15 000 objects in ten minutes; now each owner has a quota.
    @Test func eachOwnerHasAQuotaOthersCanStillBuild() throws {
        var settings = RegionSettings.test(maxObjects: 100)
        settings.maxObjectsPerOwner = 3
        var (harness, _, _) = try scene(settings)
        for request in UInt32(1)...3 {
            guard case .created? = reply(harness.send(agent(1), .createObject(requestID: request, spec())))?.outcome else {
                Issue.record("object \(request) within the quota must be built")
                return
            }
        }
        let refused = try #require(reply(harness.send(agent(1), .createObject(requestID: 4, spec()))))
        guard case .failed(let code, let message) = refused.outcome else {
            Issue.record("the fourth object must be refused")
            return
        }
        #expect(code == ErrorCode.objectLimit.rawValue)
        #expect(message.contains("the most one owner may have (3)"))
        #expect(harness.region.objectCount == 3)
        // Another owner still builds.
        guard case .created? = reply(harness.send(agent(2), .createObject(requestID: 5, spec()), manager: 2), manager: 2)?.outcome else {
            Issue.record("another owner must still build")
            return
        }
        #expect(harness.region.objectCount == 4)
    }

    @Test func deletingAnObjectRemovesItFromEveryView() throws {
        var (harness, a, b) = try scene()
        guard case .created(let id)? = reply(harness.send(agent(1), .createObject(requestID: 1, spec())))?.outcome else {
            Issue.record("create failed")
            return
        }
        harness.run(3)
        // Since inventory, objects have owners: the other manager's avatar may not delete it.
        let refused = harness.send(agent(2), .deleteObject(requestID: 8, id), manager: 2)
        let refusal = try #require(reply(refused, manager: 2))
        #expect(refusal.outcome == .failed(code: ErrorCode.notAllowed.rawValue, message: "object \(id) belongs to someone else"))
        #expect(refusal.agent == b && refusal.requestID == 8)
        #expect(harness.region.objectIDs() == [id])
        for manager: ManagerID in [1, 2] {
            #expect(refused.frame(for: manager)?.removed.isEmpty != false)
        }

        // Deleted by its owner, it leaves every view.
        let output = harness.send(agent(1), .deleteObject(requestID: 9, id))
        let answer = try #require(reply(output))
        #expect(answer.outcome == .deleted(id))
        #expect(answer.agent == a && answer.requestID == 9)
        #expect(harness.region.objectIDs().isEmpty)
        for manager: ManagerID in [1, 2] {
            #expect(output.frame(for: manager)?.removed == [id])
        }
        #expect(output.interest(of: a, manager: 1)?.left == [id])
        #expect(output.interest(of: b, manager: 2)?.left == [id])
        #expect(harness.region.avatarState(agent(1))?.visible.contains(id) == false)

        // A second delete of the same id finds nothing.
        let again = harness.send(agent(1), .deleteObject(requestID: 10, id))
        #expect(reply(again)?.outcome == .failed(code: ErrorCode.unknownEntity.rawValue, message: "no object \(id) in this region"))
    }

    @Test func deletingAnUnknownIDFails() throws {
        var (harness, _, _) = try scene()
        let output = harness.send(agent(1), .deleteObject(requestID: 3, 999_999))
        guard case .failed(let code, _)? = reply(output)?.outcome else {
            Issue.record("expected failure")
            return
        }
        #expect(code == ErrorCode.unknownEntity.rawValue)
        #expect(output.frame(for: 1)?.removed.isEmpty == true)
    }

    @Test func deletingAnAvatarIsNotAllowed() throws {
        var (harness, _, b) = try scene()
        let output = harness.send(agent(1), .deleteObject(requestID: 4, b))
        guard case .failed(let code, _)? = reply(output)?.outcome else {
            Issue.record("expected failure")
            return
        }
        #expect(code == ErrorCode.notAllowed.rawValue)
        #expect(harness.region.avatarState(agent(2))?.localID == b)
        #expect(output.frame(for: 2)?.removed.isEmpty == true)
    }

    @Test func aLateManagerSeesObjectsInItsSnapshot() throws {
        var (harness, a, b) = try scene()
        guard case .created(let id)? = reply(harness.send(agent(1), .createObject(requestID: 1, spec(.cylinder))))?.outcome else {
            Issue.record("create failed")
            return
        }
        let frame = try #require(harness.step([.managerConnected(3)]).frame(for: 3))
        #expect(frame.appeared.map(\.localID) == [a, b, id].sorted())
        #expect(frame.appeared.first { $0.localID == id }?.shape == .cylinder)
    }

    @Test func aNewcomerSeesExistingObjectsInItsInitialView() throws {
        var (harness, _, _) = try scene()
        guard case .created(let id)? = reply(harness.send(agent(1), .createObject(requestID: 1, spec())))?.outcome else {
            Issue.record("create failed")
            return
        }
        harness.run(2)
        let newcomer = try harness.add(agent(3), connect: false)
        #expect(harness.lastOutput.interest(of: newcomer)?.entered.contains(id) == true)
    }
}
