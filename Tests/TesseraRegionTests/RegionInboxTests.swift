import Testing
import TesseraGridProtocol
import TesseraRegion
import TesseraWire
import TesseraWorld

@Suite struct RegionInboxTests {
    private let handle = GridPosition(x: 1000, y: 1000)!.handle

    private func command(_ number: UInt8) -> RegionInput {
        .command(1, AgentInput(region: handle, agentID: agent(number), command: .move(.stop)))
    }

    private func agentNumbers(_ inputs: [RegionInput]) -> [String] {
        inputs.map { input in
            switch input {
            case .managerConnected(let id): "connected \(id)"
            case .managerDisconnected(let id): "disconnected \(id)"
            case .join(_, let join): "join \(join.agentID.uuid.15)"
            case .leave(_, let leave): "leave \(leave.agentID.uuid.15)"
            case .command(_, let input): "command \(input.agentID.uuid.15)"
            case .rezResult(let agent, _, let requestID, _): "rez result \(agent)/\(requestID)"
            case .takeResult(let agent, _, let requestID, _, _): "take result \(agent)/\(requestID)"
            case .managerNamed(let id, let name): "named \(id) \(name)"
            case .regions(let regions): "regions \(regions.count)"
            case .peer(let message): "peer \(message.messageType)"
            case .managerSignal(let id, let signal): "signal \(id) \(signal.handoffID)"
            case .objectMoved(let id, _): "object moved \(id)"
            case .serviceAttached(let service): "\(service) attached"
            case .serviceLost(let service): "\(service) lost"
            case .physicsResult(let result): "physics result \(result.frame)"
            case .scriptResult(let result): "script result \(result.frame)"
            case .scriptReady(let agent, _, let requestID, _, _): "script ready \(agent)/\(requestID)"
            }
        }
    }

    @Test func commandsPastCapacityAreDroppedAndCounted() {
        let inbox = RegionInbox(capacity: 3)
        #expect(inbox.capacity == 3)
        let admitted = (1...5).map { inbox.push(command($0)) }
        #expect(admitted == [true, true, true, false, false])
        #expect(inbox.droppedCount == 2)
        #expect(agentNumbers(inbox.drain()) == ["command 1", "command 2", "command 3"])
    }

    @Test func joinsLeavesAndConnectionsAreAlwaysAdmitted() {
        let inbox = RegionInbox(capacity: 1)
        #expect(inbox.push(command(1)))
        #expect(!inbox.push(command(2)))
        #expect(inbox.push(.managerConnected(2)))
        #expect(inbox.push(.join(2, AgentJoin(region: handle, agentID: agent(3), name: "A"))))
        #expect(inbox.push(.leave(2, AgentLeave(region: handle, agentID: agent(4), reason: .logout))))
        #expect(inbox.push(.managerDisconnected(2)))
        #expect(!inbox.push(command(5)))
        #expect(inbox.droppedCount == 2)
        #expect(agentNumbers(inbox.drain()) == ["command 1", "connected 2", "join 3", "leave 4", "disconnected 2"])
    }

    @Test func gridResultsAreAlwaysAdmitted() {
        // A rez or take answer from the grid is never dropped: losing one would leave the
        // avatar without a reply and a taken object stuck in the scene.
        let inbox = RegionInbox(capacity: 1)
        #expect(inbox.push(command(1)))
        #expect(!inbox.push(command(2)))
        #expect(inbox.push(.rezResult(agent: 5, manager: 1, requestID: 6, .failure(CallStatus(.unknownItem, "no item")))))
        #expect(inbox.push(.takeResult(agent: 5, manager: 1, requestID: 7, object: 9, .success(agent(9)))))
        #expect(inbox.droppedCount == 1)
        #expect(agentNumbers(inbox.drain()) == ["command 1", "rez result 5/6", "take result 5/7"])
    }

    @Test func drainEmptiesAndResetsTheCommandBudget() {
        let inbox = RegionInbox(capacity: 2)
        for number: UInt8 in 1...4 { inbox.push(command(number)) }
        #expect(inbox.drain().count == 2)
        #expect(inbox.drain().isEmpty)
        #expect(inbox.push(command(7)))
        #expect(inbox.push(command(8)))
        #expect(!inbox.push(command(9)))
        #expect(agentNumbers(inbox.drain()) == ["command 7", "command 8"])
        #expect(inbox.droppedCount == 3, "the drop count is cumulative")
    }

    @Test func drainedInputsDriveARegion() {
        let inbox = RegionInbox()
        inbox.push(.managerConnected(1))
        inbox.push(.join(1, AgentJoin(region: handle, agentID: agent(1), name: "A")))
        var region = Region(settings: .test())
        let output = region.step(now: FrameInstant(seconds: 1, wallMillis: 1), inputs: inbox.drain())
        #expect(region.avatarCount == 1)
        #expect(output.messages(for: 1).count == 2)
    }
}
