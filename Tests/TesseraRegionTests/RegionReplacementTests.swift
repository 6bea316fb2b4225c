import Testing
import TesseraRegion
import TesseraWire
import TesseraWorld

@Suite struct RegionReplacementTests {
    @Test func aSecondJoinOfTheSameAgentReplacesTheFirstAndTellsItsManager() throws {
        var harness = RegionHarness()
        let first = try harness.add(agent(1), manager: 1)
        harness.run(2)
        let output = harness.step([.managerConnected(2), .join(2, AgentJoin(region: harness.handle, agentID: agent(1), name: "Avatar"))])
        #expect(output.messages(for: 1).contains(.agentLeave(AgentLeave(
            region: harness.handle, agentID: agent(1), reason: .replaced, message: "logged in again elsewhere"))))
        let joined = output.messages(for: 2).compactMap { message -> AgentJoined? in
            if case .agentJoined(let joined) = message { return joined }
            return nil
        }
        #expect(joined.count == 1)
        #expect(harness.region.avatarCount == 1, "never two avatars for one agent")
        #expect(harness.region.avatarState(agent(1))?.localID == joined.first?.localID)
        #expect(joined.first?.localID != first)
        #expect(output.frame(for: 2)?.removed.contains(first) == true || output.frame(for: 1)?.removed.contains(first) == true)
    }
}
