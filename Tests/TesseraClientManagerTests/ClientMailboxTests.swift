import Testing
@testable import TesseraClientManager
import TesseraClientProtocol
import TesseraWorld

@Suite struct ClientMailboxTests {
    @Test func eventsDrainInOrderAndOnlyOnce() {
        let mailbox = ClientMailbox(capacity: 8)
        let events: [ClientEvent] = [.enter([1, 2]), Fixture.chat("hi"), .leave([1]), .message(.pong(Pong(nonce: 1, clientTimeMillis: 2)))]
        for event in events { mailbox.push(event) }
        let first = mailbox.drain()
        #expect(first.events == events)
        #expect(first.closure == nil)
        #expect(!mailbox.isClosed)
        #expect(mailbox.drain().events == [])
        mailbox.push(.enter([3]))
        #expect(mailbox.drain().events == [.enter([3])])
    }

    @Test func fillingToCapacityIsFine() {
        let mailbox = ClientMailbox(capacity: 4)
        for id in 1...4 as ClosedRange<LocalID> { mailbox.push(.enter([id])) }
        #expect(!mailbox.isClosed)
        #expect(mailbox.drain().events.count == 4)
        // Draining makes room again.
        for id in 1...4 as ClosedRange<LocalID> { mailbox.push(.enter([id])) }
        #expect(!mailbox.isClosed)
    }

    @Test func pushingPastCapacityClosesAsTooSlowAndDropsTheQueue() throws {
        let mailbox = ClientMailbox(capacity: 4)
        for id in 1...5 as ClosedRange<LocalID> { mailbox.push(.enter([id])) }
        #expect(mailbox.isClosed)
        let (events, closure) = mailbox.drain()
        #expect(events == [])
        let request = try #require(closure)
        #expect(request.code == .tooSlow)
        #expect(request.reason.contains("4"))
        #expect(!request.peerGone)
        #expect(!request.goingAway)
    }

    @Test func pushesAfterClosureAreIgnored() {
        let mailbox = ClientMailbox(capacity: 4)
        mailbox.push(.enter([1]))
        mailbox.close(nil, reason: "logout")
        mailbox.push(.enter([2]))
        mailbox.push(Fixture.chat("late"))
        let (events, closure) = mailbox.drain()
        #expect(events == [.enter([1])], "events queued before the close are still delivered")
        #expect(closure == CloseRequest(code: nil, reason: "logout"))
        #expect(mailbox.drain().events == [])
    }

    @Test func pushesAfterOverflowAreIgnored() {
        let mailbox = ClientMailbox(capacity: 2)
        for id in 1...3 as ClosedRange<LocalID> { mailbox.push(.enter([id])) }
        mailbox.push(.enter([4]))
        #expect(mailbox.drain().events == [])
    }

    @Test func theFirstCloseReasonWins() {
        let mailbox = ClientMailbox(capacity: 4)
        mailbox.close(.rateLimited, reason: "too many commands")
        mailbox.close(nil, reason: "logout")
        mailbox.peerClosed()
        mailbox.serverStopping()
        for id in 1...10 as ClosedRange<LocalID> { mailbox.push(.enter([id])) }
        #expect(mailbox.drain().closure == CloseRequest(code: .rateLimited, reason: "too many commands"))
    }

    @Test func overflowDoesNotReplaceAnEarlierClose() {
        let mailbox = ClientMailbox(capacity: 1)
        mailbox.push(.enter([1]))
        mailbox.serverStopping()
        mailbox.push(.enter([2]))
        let (events, closure) = mailbox.drain()
        #expect(events == [.enter([1])])
        #expect(closure?.code == nil)
        #expect(closure?.goingAway == true)
    }

    @Test func peerClosedSetsPeerGone() throws {
        let mailbox = ClientMailbox(capacity: 4)
        mailbox.peerClosed()
        let closure = try #require(mailbox.drain().closure)
        #expect(closure.peerGone)
        #expect(!closure.goingAway)
        #expect(closure.code == nil)
    }

    @Test func serverStoppingSetsGoingAway() throws {
        let mailbox = ClientMailbox(capacity: 4)
        mailbox.serverStopping()
        let closure = try #require(mailbox.drain().closure)
        #expect(closure.goingAway)
        #expect(!closure.peerGone)
        #expect(closure.code == nil)
        #expect(mailbox.isClosed)
    }

    @Test func theClosureStaysAfterDraining() {
        let mailbox = ClientMailbox(capacity: 4)
        mailbox.close(.tooSlow, reason: "x")
        _ = mailbox.drain()
        #expect(mailbox.drain().closure?.code == .tooSlow)
        #expect(mailbox.isClosed)
    }
}
