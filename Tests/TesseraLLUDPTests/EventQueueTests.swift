import Foundation
import Testing
@testable import TesseraLLUDP

private func event(_ n: Int32) -> LLSD {
    EventQueueMessages.event("Test", body: .map(["n": .integer(n)]))
}

@Suite struct EventQueueTests {
    @Test func nothingToSendHoldsThePoll() {
        var queue = SLEventQueue()
        #expect(queue.poll(ack: nil) == nil)
        #expect(queue.lastID == 0)
    }

    @Test func batchesGetIncreasingIdsOnceAcked() {
        var queue = SLEventQueue()
        queue.push(event(1))
        queue.push(event(2))
        #expect(queue.poll(ack: nil) == SLEventQueue.Batch(id: 1, events: [event(1), event(2)]))
        queue.push(event(3))
        #expect(queue.poll(ack: 1) == SLEventQueue.Batch(id: 2, events: [event(3)]))
        // Acked with nothing new: the poll is held.
        #expect(queue.poll(ack: 2) == nil)
        #expect(queue.inFlight == nil)
        queue.push(event(4))
        #expect(queue.poll(ack: 2) == SLEventQueue.Batch(id: 3, events: [event(4)]))
    }

    @Test func anAckThatIsNotTheInFlightIdGetsTheBatchAgain() {
        var queue = SLEventQueue()
        queue.push(event(1))
        #expect(queue.poll(ack: nil) == SLEventQueue.Batch(id: 1, events: [event(1)]))
        queue.push(event(2))
        #expect(queue.poll(ack: 1) == SLEventQueue.Batch(id: 2, events: [event(2)]))
        queue.push(event(3))
        // The answer with id 2 was lost: the viewer acks 1 again, or restarts without an ack.
        #expect(queue.poll(ack: 1) == SLEventQueue.Batch(id: 2, events: [event(2)]))
        #expect(queue.poll(ack: nil) == SLEventQueue.Batch(id: 2, events: [event(2)]))
        #expect(queue.poll(ack: 77) == SLEventQueue.Batch(id: 2, events: [event(2)]))
        // Event 3 waited; it comes once 2 is acked.
        #expect(queue.poll(ack: 2) == SLEventQueue.Batch(id: 3, events: [event(3)]))
    }

    @Test func pushingPastCapacityOverflowsAndCloses() {
        var queue = SLEventQueue(capacity: 3)
        let queued1 = queue.push(event(1))
        #expect(queued1)
        let queued2 = queue.push(event(2))
        #expect(queued2)
        #expect(queue.poll(ack: nil)?.id == 1)
        // In flight events count against the capacity too.
        let queued3 = queue.push(event(3))
        #expect(queued3)
        #expect(queue.count == 3)
        let queued4 = queue.push(event(4))
        #expect(!queued4)
        #expect(queue.overflowed)
        #expect(queue.isClosed)
        let queued5 = queue.push(event(5))
        #expect(!queued5)
        #expect(queue.poll(ack: 1) == nil)
        #expect(SLEventQueue().capacity == 256)
    }

    @Test func defaultCapacityIs256() {
        var queue = SLEventQueue()
        for n in 0..<256 {
            let queued = queue.push(event(Int32(n)))
            #expect(queued)
        }
        let queued6 = queue.push(event(256))
        #expect(!queued6)
        #expect(queue.overflowed)
    }

    @Test func doneClosesTheQueueAfterTakingTheAck() {
        var queue = SLEventQueue()
        queue.push(event(1))
        #expect(queue.poll(ack: nil)?.id == 1)
        queue.push(event(2))
        #expect(queue.poll(ack: 1, done: true) == nil)
        #expect(queue.inFlight == nil)
        #expect(queue.isClosed)
        #expect(!queue.overflowed)
        let queued7 = queue.push(event(3))
        #expect(!queued7)
        #expect(queue.poll(ack: nil) == nil)
    }

    @Test func hasEventsAndClose() {
        var queue = SLEventQueue()
        #expect(!queue.hasEvents)
        queue.push(message: "Test", body: .map(["n": .integer(1)]))
        #expect(queue.hasEvents)
        #expect(queue.poll(ack: nil) == SLEventQueue.Batch(id: 1, events: [event(1)]))
        // In flight until acked: a poll would be answered at once.
        #expect(queue.hasEvents)
        #expect(queue.poll(ack: 1) == nil)
        #expect(!queue.hasEvents)
        queue.push(event(2))
        queue.close()
        #expect(queue.isClosed)
        #expect(!queue.overflowed)
        #expect(queue.poll(ack: nil) == nil)
        let queued8 = queue.push(event(3))
        #expect(!queued8)
    }

    @Test func idsWrapToOne() {
        var queue = SLEventQueue()
        var ack: Int32?
        for n in 1...3 {
            queue.push(event(Int32(n)))
            ack = queue.poll(ack: ack)?.id
        }
        #expect(ack == 3)
        // Drive the counter to the top without two billion polls: a queue at Int32.max − 1.
        var high = SLEventQueue.atID(Int32.max - 1)
        high.push(event(1))
        #expect(high.poll(ack: nil)?.id == Int32.max)
        high.push(event(2))
        #expect(high.poll(ack: Int32.max)?.id == 1)
    }

    @Test func answerBodyHasExactText() {
        let batch = SLEventQueue.Batch(id: 7, events: [event(1)])
        #expect(LLSDXML.encode(batch.llsd) == """
            <?xml version="1.0" encoding="UTF-8"?><llsd><map><key>events</key><array><map><key>body</key><map>\
            <key>n</key><integer>1</integer></map><key>message</key><string>Test</string></map></array>\
            <key>id</key><integer>7</integer></map></llsd>
            """)
    }

    @Test func establishAgentCommunication() {
        let agent = UUID(uuidString: "11111111-2222-4333-8444-555555555555")!
        let message = EventQueueMessages.establishAgentCommunication(
            agent: agent, simIP: "127.0.0.1", simPort: 9002, seed: "http://127.0.0.1:9000/cap/seed-2")
        #expect(message == .map([
            "message": .string("EstablishAgentCommunication"),
            "body": .map([
                "agent-id": .uuid(agent), "sim-ip-and-port": .string("127.0.0.1:9002"),
                "seed-capability": .string("http://127.0.0.1:9000/cap/seed-2"),
            ]),
        ]))
    }

    @Test func pollRequests() throws {
        // What viewers and the Python client send.
        let first = "<?xml version=\"1.0\" ?><llsd><map><key>ack</key><undef /><key>done</key><boolean>false</boolean></map></llsd>"
        #expect(try EventQueuePollRequest(body: Array(first.utf8)) == EventQueuePollRequest(ack: nil, done: false))
        let next = "<llsd><map><key>ack</key><integer>12</integer><key>done</key><boolean>1</boolean></map></llsd>"
        #expect(try EventQueuePollRequest(body: Array(next.utf8)) == EventQueuePollRequest(ack: 12, done: true))
        #expect(try EventQueuePollRequest(body: []) == EventQueuePollRequest(ack: nil))
        #expect(try EventQueuePollRequest(body: Array("<llsd><map/></llsd>".utf8)) == EventQueuePollRequest(ack: nil))

        #expect(throws: EventQueuePollError.badField("ack", "<string>12</string>")) {
            try EventQueuePollRequest(body: Array("<llsd><map><key>ack</key><string>12</string></map></llsd>".utf8))
        }
        // The Python client writes `done` as an integer.
        let integer = "<llsd><map><key>ack</key><undef /><key>done</key><integer>0</integer></map></llsd>"
        #expect(try EventQueuePollRequest(body: Array(integer.utf8)) == EventQueuePollRequest(ack: nil, done: false))
        #expect(try EventQueuePollRequest(body: Array("<llsd><map><key>done</key><integer>1</integer></map></llsd>".utf8)) == EventQueuePollRequest(ack: nil, done: true))
        #expect(throws: EventQueuePollError.badField("done", "<string>yes</string>")) {
            try EventQueuePollRequest(body: Array("<llsd><map><key>done</key><string>yes</string></map></llsd>".utf8))
        }
        #expect(throws: EventQueuePollError.notAMap) { try EventQueuePollRequest(body: Array("<llsd><array/></llsd>".utf8)) }
        #expect(throws: EventQueuePollError.llsd(.document(.tooBig(bytes: 4097, limit: 4096)))) {
            try EventQueuePollRequest(body: Array(repeating: UInt8(ascii: " "), count: 4096) + [UInt8(ascii: "<")])
        }
    }
}
