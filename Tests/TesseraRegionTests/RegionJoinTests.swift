import Testing
import TesseraRegion
import TesseraWire
import TesseraWorld

@Suite struct RegionJoinTests {
    @Test func joinRepliesBeforeTheFrameAndShowsTheAvatar() throws {
        var harness = RegionHarness()
        let output = harness.step([
            .managerConnected(1),
            .join(1, AgentJoin(region: harness.handle, agentID: agent(1), name: "Ada")),
        ])
        let messages = output.messages(for: 1)
        try #require(messages.count == 2)
        guard case .agentJoined(let joined) = messages[0], case .regionFrame(let frame) = messages[1] else {
            Issue.record("expected AgentJoined then RegionFrame, got \(messages.map(\.messageType))")
            return
        }
        #expect(joined.agentID == agent(1))
        #expect(joined.region == harness.handle)
        #expect(joined.regionName == "Test Region")
        #expect(joined.frameRate == 45)
        #expect(joined.viewDistance == 64)
        #expect(joined.localID != 0)

        let info = try #require(frame.appeared.first { $0.localID == joined.localID })
        #expect(info.kind == .avatar)
        #expect(info.shape == .cylinder)
        #expect(info.name == "Ada")
        let change = try #require(frame.interest.first { $0.agent == joined.localID })
        #expect(change.entered.contains(joined.localID))
        #expect(change.left.isEmpty)
        #expect(frame.moved.map(\.localID) == [joined.localID])

        let state = try #require(harness.region.avatarState(agent(1)))
        #expect(state.localID == joined.localID)
        #expect(state.visible.contains(joined.localID))
        #expect(state.position.isInsideRegionSquare)
        #expect(state.position.z == 21, "spawned on the terrain")
        #expect(info.motion.position == PackedPosition(state.position))
    }

    /// A second join of the same agent is a new login of the same account: it replaces the
    /// avatar (one avatar per agent, always), and the old one's manager is told.
    @Test func duplicateJoinReplacesTheAvatar() throws {
        var harness = RegionHarness()
        let id = try harness.add(agent(1))
        let output = harness.step([.join(1, AgentJoin(region: harness.handle, agentID: agent(1), name: "Again"))])
        let leave = try #require(output.messages(for: 1).compactMap { message -> AgentLeave? in
            if case .agentLeave(let leave) = message { leave } else { nil }
        }.first)
        #expect(leave.reason == .replaced)
        #expect(leave.agentID == agent(1))
        #expect(harness.region.avatarCount == 1)
        let replacement = try #require(harness.region.avatarState(agent(1))?.localID)
        #expect(replacement != id)
        #expect(output.frame(for: 1)?.removed == [id])
        #expect(output.frame(for: 1)?.appeared.map(\.name) == ["Again"])
    }

    @Test func fullRegionRefusesJoins() throws {
        var harness = RegionHarness(.test(maxAvatars: 2))
        try harness.add(agent(1))
        try harness.add(agent(2), connect: false)
        let output = harness.step([.join(1, AgentJoin(region: harness.handle, agentID: agent(3), name: "Late"))])
        guard case .agentLeave(let leave)? = output.messages(for: 1).first else {
            Issue.record("expected a refusal")
            return
        }
        #expect(leave.reason == .refused)
        #expect(harness.region.avatarCount == 2)
        #expect(harness.region.avatarState(agent(3)) == nil)
    }

    @Test func localIDsAreDistinctAndSpawnsSpread() throws {
        var harness = RegionHarness(.test(spawnRadius: 48))
        var ids: Set<LocalID> = []
        var positions: [Vector3] = []
        for number in 1...20 {
            ids.insert(try harness.add(agent(UInt8(number)), connect: number == 1))
            positions.append(try #require(harness.position(agent(UInt8(number)))))
        }
        #expect(ids.count == 20)
        #expect(!ids.contains(0))
        for (index, a) in positions.enumerated() {
            for b in positions[(index + 1)...] { #expect(a.distance(to: b) > 0.05) }
            #expect(a.distance(to: Vector3(128, 128, 21)) <= 48.01, "inside the spawn disc")
            #expect(a.z == 21, "on the terrain")
        }
        // Spread over the disc, not bunched at its centre or its rim.
        let distances = positions.map { $0.distance(to: Vector3(128, 128, 21)) }
        #expect(distances.contains { $0 < 24 })
        #expect(distances.contains { $0 > 30 })
    }

    @Test func aLateManagerGetsTheWholeSnapshot() throws {
        var harness = RegionHarness()
        let a = try harness.add(agent(1))
        let b = try harness.add(agent(2), connect: false)
        harness.run(3)
        let frame = try #require(harness.step([.managerConnected(2)]).frame(for: 2))
        #expect(frame.appeared.map(\.localID) == [a, b].sorted())
        let next = try #require(harness.step().frame(for: 2))
        #expect(next.appeared.isEmpty, "the snapshot is sent once")
        #expect(harness.lastOutput.frame(for: 1)?.appeared.isEmpty == true)
    }

    @Test func othersSeeANewcomerAndItSeesThem() throws {
        var harness = RegionHarness()
        let first = try harness.add(agent(1))
        harness.run(5)
        let second = try harness.add(agent(2), manager: 2)
        #expect(harness.lastOutput.frame(for: 1)?.appeared.map(\.localID) == [second])
        let initial = try #require(harness.lastOutput.interest(of: second, manager: 2))
        #expect(Set(initial.entered) == [first, second])
        // The first avatar's view is refreshed within one interest interval (maybe in the join frame).
        var announcements = harness.lastOutput.interest(of: first)?.entered.filter { $0 == second }.count ?? 0
        for _ in 0..<harness.settings.interestInterval {
            announcements += harness.step().interest(of: first)?.entered.filter { $0 == second }.count ?? 0
        }
        #expect(announcements == 1)
        #expect(harness.region.avatarState(agent(1))?.visible.contains(second) == true)
    }

    @Test func leaveRemovesTheAvatar() throws {
        var harness = RegionHarness()
        let a = try harness.add(agent(1))
        let b = try harness.add(agent(2), connect: false)
        harness.run(4)
        #expect(harness.region.avatarState(agent(2))?.visible.contains(a) == true)
        let output = harness.step([.leave(1, AgentLeave(region: harness.handle, agentID: agent(1), reason: .logout))])
        #expect(harness.region.avatarState(agent(1)) == nil)
        #expect(harness.region.avatarCount == 1)
        let frame = try #require(output.frame(for: 1))
        #expect(frame.removed == [a])
        #expect(frame.interest.first { $0.agent == b }?.left == [a])
        #expect(!frame.moved.contains { $0.localID == a })
    }

    @Test func leaveOrCommandFromAnotherManagerIsIgnored() throws {
        var harness = RegionHarness()
        try harness.add(agent(1))
        harness.step([.managerConnected(2)])
        harness.step([.leave(2, AgentLeave(region: harness.handle, agentID: agent(1), reason: .logout))])
        #expect(harness.region.avatarCount == 1)
        let before = try #require(harness.position(agent(1)))
        harness.move(agent(1), .walk, manager: 2)
        harness.run(10)
        #expect(harness.position(agent(1)) == before)
    }

    @Test func managerDisconnectRemovesItsAvatars() throws {
        var harness = RegionHarness()
        let a = try harness.add(agent(1))
        let b = try harness.add(agent(2), connect: false)
        let c = try harness.add(agent(3), manager: 2)
        harness.run(4)
        #expect(harness.region.avatarState(agent(3))?.visible.isSuperset(of: [a, b]) == true)

        let output = harness.step([.managerDisconnected(1)])
        #expect(output.messages(for: 1).isEmpty, "nothing goes to a gone manager")
        #expect(harness.region.avatarCount == 1)
        #expect(harness.region.avatarState(agent(1)) == nil)
        #expect(harness.region.avatarState(agent(2)) == nil)
        let frame = try #require(output.frame(for: 2))
        #expect(Set(frame.removed) == [a, b])
        #expect(Set(frame.interest.first { $0.agent == c }?.left ?? []) == [a, b])
        #expect(harness.region.avatarState(agent(3))?.visible == [c])
        // The ids are free of their agent: the same agent can join again through another manager.
        let rejoined = harness.join(agent(1), manager: 2, connect: false)
        #expect(rejoined != nil)
    }
}
