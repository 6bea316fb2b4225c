import Foundation
import Testing
import TesseraRegion
import TesseraWire
import TesseraWorld

/// The region's side of the frame exchange, driven by hand: the test plays the physics
/// service (answers are written here, not computed), so every case of timing can be chosen.
@Suite("The region's physics bridge")
struct RegionPhysicsBridgeTests {
    static func settings(hills: Bool = false) -> RegionSettings {
        RegionSettings(
            name: "Physics Region", gridPosition: GridPosition(x: 1000, y: 1000)!, spawnRadius: 2,
            terrain: hills ? Terrain(base: 21, hills: [Terrain.Hill(x: 128, y: 160, radius: 30, height: 6)]) : nil,
            physics: PhysicsEndpoint(host: "127.0.0.1", port: 1))
    }

    static func crate(_ harness: inout RegionHarness, by agent: AgentID, at position: Vector3, physical: Bool = true) throws -> LocalID {
        let output = harness.send(agent, .createObject(requestID: 1, ObjectSpec(
            shape: .box, position: position, rotation: .identity, scale: Vector3(1, 1, 1), name: "crate", physical: physical)))
        guard case .created(let id)? = output.frame(for: 1)?.replies.first?.outcome else {
            throw Failure("crate not created: \(String(describing: output.frame(for: 1)?.replies))")
        }
        return id
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test("nothing is sent before the link is up; on attach one snapshot carries the terrain and every body")
    func snapshotOnAttach() throws {
        var harness = RegionHarness(Self.settings(hills: true))
        #expect(harness.region.physicsStatus.state == .lost)
        let ada = try harness.add(agent(1))
        let crate = try Self.crate(&harness, by: agent(1), at: Vector3(130, 130, 30))
        #expect(harness.lastOutput.physicsFrame == nil, "not attached: nothing to send")
        let output = harness.step([.physicsAttached])
        let snapshot = try #require(output.physicsFrame)
        #expect(snapshot.terrain == Self.settings(hills: true).terrain)
        #expect(snapshot.added.map(\.id) == [ada, crate])
        #expect(snapshot.added.map(\.kind) == [.avatar, .prim])
        #expect(snapshot.added[1].mass == 100, "a 1 m³ crate at 100 kg/m³")
        #expect(snapshot.intents.map(\.id) == [ada])
        #expect(harness.region.physicsStatus.snapshots == 1)
        #expect(harness.region.physicsStatus.bodies == 2)
        // The next frame only carries what changed: an intent.
        let walk = harness.send(agent(1), .move(MovementIntent(mode: .walk, heading: 0)))
        let delta = try #require(walk.physicsFrame)
        #expect(delta.terrain == nil && delta.added.isEmpty)
        #expect(delta.intents == [AvatarIntent(id: ada, velocity: Vector3(3.2, 0, 0))])
    }

    @Test("answers move avatars and physical objects; a late answer is applied and counted; stale ones are dropped")
    func answersAppliedAndCounted() throws {
        var harness = RegionHarness(Self.settings())
        let ada = try harness.add(agent(1))
        let crate = try Self.crate(&harness, by: agent(1), at: Vector3(130, 130, 30))
        let first = try #require(harness.step([.physicsAttached]).physicsFrame)
        let answer = PhysicsResult(region: harness.handle, frame: first.frame, bodies: [
            PhysicsBodyState(id: ada, position: Vector3(120, 121, 21), rotation: .identity, velocity: Vector3(1, 0, 0)),
            PhysicsBodyState(id: crate, position: Vector3(130, 130, 29), rotation: Quaternion(yaw: 0.3), velocity: Vector3(0, 0, -2)),
        ])
        harness.step([.physicsResult(answer)])
        #expect(harness.region.physicsStatus.onTime == 1)
        #expect(harness.position(agent(1)) == Vector3(120, 121, 21), "the avatar is where physics put it, not moved again kinematically")
        let crateState = try #require(harness.region.objectStates().first { $0.localID == crate })
        #expect(crateState.position == Vector3(130, 130, 29) && crateState.velocity == Vector3(0, 0, -2))
        #expect(harness.lastOutput.frame(for: 1)?.moved.contains { $0.localID == crate } == true, "clients are told the crate moved")

        // The answer to this frame comes two frames late.
        let sent = try #require(harness.step().physicsFrame)
        harness.step()
        harness.step([.physicsResult(PhysicsResult(region: harness.handle, frame: sent.frame, bodies: [
            PhysicsBodyState(id: crate, position: Vector3(130, 130, 25), rotation: .identity, velocity: .zero),
        ]))])
        #expect(harness.region.physicsStatus.late == 1)
        #expect(harness.region.objectStates().first { $0.localID == crate }?.position == Vector3(130, 130, 25))
        // An answer older than one already applied changes nothing.
        harness.step([.physicsResult(PhysicsResult(region: harness.handle, frame: first.frame, bodies: [
            PhysicsBodyState(id: crate, position: Vector3(1, 1, 1), rotation: .identity, velocity: .zero),
        ]))])
        #expect(harness.region.objectStates().first { $0.localID == crate }?.position == Vector3(130, 130, 25))
    }

    @Test("with too many frames unanswered the region holds its changes and sends them together later")
    func framesHeldWhileUnanswered() throws {
        var harness = RegionHarness(Self.settings())
        _ = try harness.add(agent(1))
        harness.step([.physicsAttached])
        let sent = harness.run(10).compactMap(\.physicsFrame)
        #expect(sent.count == 3, "four frames in flight at most, the snapshot among them")
        #expect(harness.region.physicsStatus.held == 7)
        let walk = harness.send(agent(1), .move(MovementIntent(mode: .run, heading: 0)))
        #expect(walk.physicsFrame == nil)
        let resumed = try #require(harness.step([.physicsResult(PhysicsResult(region: harness.handle, frame: sent.last!.frame))]).physicsFrame)
        #expect(resumed.intents.count == 1, "the held intent goes with the next frame sent")
        #expect(abs(resumed.seconds - 9.0 / 45) < 1e-4, "and that frame covers the time held back: \(resumed.seconds)")
    }

    @Test("when the service is lost avatars walk kinematically on the terrain and physical objects stop; a refusal of the frame asks for a snapshot")
    func lostThenKinematic() throws {
        var harness = RegionHarness(Self.settings(hills: true))
        _ = try harness.add(agent(1))
        let crate = try Self.crate(&harness, by: agent(1), at: Vector3(130, 130, 30))
        let frame = try #require(harness.step([.physicsAttached]).physicsFrame)
        harness.step([.physicsResult(PhysicsResult(region: harness.handle, frame: frame.frame, bodies: [
            PhysicsBodyState(id: crate, position: Vector3(130, 130, 29), rotation: .identity, velocity: Vector3(3, 0, -2)),
        ]))])
        harness.step([.physicsLost])
        #expect(harness.region.physicsStatus.state == .lost)
        #expect(harness.region.physicsStatus.losses == 1)
        let frozen = try #require(harness.region.objectStates().first { $0.localID == crate })
        #expect(frozen.velocity == .zero && frozen.position == Vector3(130, 130, 29))
        #expect(harness.lastOutput.physicsFrame == nil)
        // North up the hill (its top at y = 160): the avatar's height follows the ground.
        harness.move(agent(1), .walk, heading: .pi / 2)
        harness.run(45 * 6)
        let here = try #require(harness.position(agent(1)))
        #expect(here.y > 140, "walked on: \(here)")
        #expect(abs(here.z - harness.settings.terrain.height(at: here)) < 0.01, "on the terrain: \(here)")
        #expect(harness.region.objectStates().first { $0.localID == crate }?.position == Vector3(130, 130, 29), "the crate waits")

        // Back: a fresh snapshot holds where the region last knew everything.
        let snapshot = try #require(harness.step([.physicsAttached]).physicsFrame)
        #expect(snapshot.terrain != nil)
        #expect(snapshot.added.first { $0.id == crate }?.position == Vector3(130, 130, 29))
        #expect(snapshot.added.first { $0.kind == .avatar }?.position == harness.position(agent(1)))
        // A service that answers "no world here" gets another snapshot.
        let next = try #require(harness.step([.physicsResult(PhysicsResult(
            region: harness.handle, frame: snapshot.frame, refused: [PhysicsRefusal(id: 0, reason: "no world")]))]).physicsFrame)
        #expect(next.terrain != nil && next.added.count == 2)
        #expect(harness.region.physicsStatus.snapshots == 3)
    }

    @Test("a placement wins over answers computed before it; a body found under the ground is put back on it")
    func placementsWin() throws {
        var harness = RegionHarness(Self.settings())
        let ada = try harness.add(agent(1))
        let crate = try Self.crate(&harness, by: agent(1), at: Vector3(130, 130, 21.5))
        let snapshot = try #require(harness.step([.physicsAttached]).physicsFrame)
        let before = try #require(harness.step().physicsFrame)
        // A teleport within the region: the placement goes with the next frame.
        let teleport = harness.send(agent(1), .teleport(requestID: 4, region: "", gridPosition: GridPosition(x: 1000, y: 1000)!, position: Vector3(60, 60, 21)))
        let placed = try #require(teleport.physicsFrame)
        #expect(placed.placements.map(\.id) == [ada])
        // Answers to the frames before it, still in flight, would put the avatar back.
        for old in [snapshot, before] {
            harness.step([.physicsResult(PhysicsResult(region: harness.handle, frame: old.frame, bodies: [
                PhysicsBodyState(id: ada, position: Vector3(128, 128, 21), rotation: .identity, velocity: .zero),
            ]))])
        }
        #expect(harness.position(agent(1)) == Vector3(60, 60, 21), "the teleport holds")
        // The answer to the frame that carried the placement is applied again.
        harness.step([.physicsResult(PhysicsResult(region: harness.handle, frame: placed.frame, bodies: [
            PhysicsBodyState(id: ada, position: Vector3(60.5, 60, 21), rotation: .identity, velocity: .zero),
            PhysicsBodyState(id: crate, position: Vector3(130, 130, 5), rotation: .identity, velocity: Vector3(0, 0, -30)),
        ]))])
        #expect(harness.position(agent(1)) == Vector3(60.5, 60, 21))
        let rescued = try #require(harness.region.objectStates().first { $0.localID == crate })
        #expect(rescued.position == Vector3(130, 130, 21.5) && rescued.velocity == .zero, "back on the ground, stopped: \(rescued)")
        #expect(harness.lastOutput.physicsFrame?.placements.map(\.id) == [crate], "and physics is told")
    }

    @Test("pushes reach physics only for physical objects, while attached, within the limit")
    func pushes() throws {
        var harness = RegionHarness(Self.settings())
        _ = try harness.add(agent(1))
        let crate = try Self.crate(&harness, by: agent(1), at: Vector3(130, 130, 21.5))
        let post = try Self.crate(&harness, by: agent(1), at: Vector3(140, 130, 21.5), physical: false)
        func outcome(_ output: RegionOutput) -> CommandReply.Outcome? { output.frame(for: 1)?.replies.first?.outcome }
        let early = harness.send(agent(1), .push(requestID: 2, crate, impulse: Vector3(100, 0, 0)))
        guard case .failed(let code, _)? = outcome(early) else { Issue.record("push while lost: \(String(describing: outcome(early)))"); return }
        #expect(code == ErrorCode.serviceUnavailable.rawValue)
        harness.step([.physicsAttached])
        let pushed = harness.send(agent(1), .push(requestID: 3, crate, impulse: Vector3(100, 0, 0)))
        #expect(outcome(pushed) == .moved(crate))
        #expect(pushed.physicsFrame?.pushes == [PhysicsPush(id: crate, kind: .impulse, vector: Vector3(100, 0, 0))])
        let still = harness.send(agent(1), .push(requestID: 4, post, impulse: Vector3(100, 0, 0)))
        guard case .failed(let notPhysical, let message)? = outcome(still) else { Issue.record("static push accepted"); return }
        #expect(notPhysical == ErrorCode.notAllowed.rawValue && message.contains("not physical"))
        let huge = harness.send(agent(1), .push(requestID: 5, crate, impulse: Vector3(1e6, 0, 0)))
        guard case .failed(let tooBig, _)? = outcome(huge) else { Issue.record("huge push accepted"); return }
        #expect(tooBig == ErrorCode.invalidValue.rawValue)
        #expect(huge.physicsFrame?.pushes.isEmpty == true)
    }

    @Test("a physical object carried past a border with no region behind it is put back inside and stopped")
    func wallForPhysicalObjects() throws {
        var harness = RegionHarness(Self.settings())
        _ = try harness.add(agent(1))
        let crate = try Self.crate(&harness, by: agent(1), at: Vector3(250, 130, 21.5))
        let frame = try #require(harness.step([.physicsAttached]).physicsFrame)
        let output = harness.step([.physicsResult(PhysicsResult(region: harness.handle, frame: frame.frame, bodies: [
            PhysicsBodyState(id: crate, position: Vector3(256.4, 130, 21.5), rotation: .identity, velocity: Vector3(6, 0, 0)),
        ]))])
        let state = try #require(harness.region.objectStates().first { $0.localID == crate })
        #expect(state.position.x <= 255.95 && state.velocity == .zero, "\(state)")
        #expect(output.physicsFrame?.placements.map(\.id) == [crate], "physics is told where it is now")
    }
}
