import NIOCore
import NIOPosix
import TesseraClientProtocol
import Testing
@testable import TesseraClientManager

/// An idle WebSocket session rests after a quiet second and is woken by what could change its view.
@Suite("Idle sessions rest")
struct SessionRestTests {
    @Test("rests after update_rate quiet ticks; any tick that sent something starts the count again; a wake-up does too")
    func restsAfterAQuietSecond() {
        var rest = SessionRest(updateRate: 10)
        for _ in 0..<9 { rest.tick(quiet: true) }
        #expect(!rest.shouldRest)
        rest.tick(quiet: false)
        for _ in 0..<9 { rest.tick(quiet: true) }
        #expect(!rest.shouldRest)
        rest.tick(quiet: true)
        #expect(rest.shouldRest)
        rest.tick(quiet: true)
        #expect(rest.shouldRest, "a rest that ran its full time goes on")
        rest.woke()
        #expect(!rest.shouldRest)
        var never = SessionRest(updateRate: 10, enabled: false)
        for _ in 0..<100 { never.tick(quiet: true) }
        #expect(!never.shouldRest, "a transport that needs every tick never rests")
    }

    @Test("a resting wait ends at the first event pushed, and at a close request")
    func restingWaitEndsAtAnEvent() async {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let mailbox = ClientMailbox(capacity: 16)
        let resting = Task { await mailbox.sleep(until: NIODeadline.now() + TimeAmount.seconds(600), on: loop, resting: true) }
        try? await Task.sleep(for: .milliseconds(50))
        mailbox.push(.message(.pong(Pong(nonce: 1, clientTimeMillis: 0))))
        await resting.value
        #expect(mailbox.drain().events.count == 1)

        let closing = Task { await mailbox.sleep(until: NIODeadline.now() + TimeAmount.seconds(600), on: loop, resting: true) }
        try? await Task.sleep(for: .milliseconds(50))
        mailbox.peerClosed()
        await closing.value
        #expect(mailbox.drain().closure?.peerGone == true)
    }
}
