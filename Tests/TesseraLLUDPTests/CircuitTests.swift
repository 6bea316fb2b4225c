import NIOCore
import Testing
@testable import TesseraLLUDP

@Suite struct CircuitTests {
    /// The datagrams among actions, decoded.
    private func sent(_ actions: [SLCircuit.Action]) throws -> [SLPacket] {
        try actions.compactMap { action in
            if case .send(let datagram) = action { return try SLPacket.decode(datagram) }
            return nil
        }
    }

    private func delivered(_ actions: [SLCircuit.Action]) -> [SLPacket] {
        actions.compactMap { action in
            if case .deliver(let packet) = action { return packet }
            return nil
        }
    }

    private func chat(_ sequence: UInt32, reliable: Bool = true, resent: Bool = false) -> ByteBuffer {
        var packet = SLPacket(SL.ChatFromViewer(chatData: .init(message: SLText.bytes("hi \(sequence)", max: 1024), type: 1)),
                              sequence: sequence, reliable: reliable)
        if resent { packet.flags.insert(.resent) }
        return packet.encode()
    }

    @Test func sequenceNumbersIncreaseAndReliablePacketsWaitForAcks() throws {
        var circuit = SLCircuit(now: 0)
        let first = try sent(circuit.send(SL.LogoutReply(), reliable: true, now: 0))
        let second = try sent(circuit.send(SL.KillObject(), reliable: false, now: 0))
        #expect(first.map(\.sequence) == [1])
        #expect(second.map(\.sequence) == [2])
        #expect(first[0].isReliable && !second[0].isReliable)
        #expect(circuit.unackedCount == 1)
        // An appended ack clears it.
        let ack = SLPacket(SL.AgentPause(), sequence: 1, acks: [1]).encode()
        _ = try circuit.receive(ack, now: 0.1)
        #expect(circuit.unackedCount == 0)
        // So does a PacketAck.
        _ = circuit.send(SL.LogoutReply(), reliable: true, now: 0.2)
        _ = circuit.send(SL.LogoutReply(), reliable: true, now: 0.2)
        #expect(circuit.unackedCount == 2)
        let packetAck = SLPacket(SL.PacketAck(packets: [.init(id: 3), .init(id: 4), .init(id: 99)]), sequence: 2).encode()
        #expect(try circuit.receive(packetAck, now: 0.3).isEmpty)
        #expect(circuit.unackedCount == 0)
    }

    @Test func unackedPacketsAreResentWithTheResentFlagThenGivenUp() throws {
        var circuit = SLCircuit(now: 0)
        _ = circuit.send(SL.LogoutReply(), reliable: true, now: 0)
        #expect(try sent(circuit.tick(now: 0.4)).isEmpty)
        // Resend timeouts: 0.5 s, then doubled each time (1, 2), silence never reached.
        let firstResend = try sent(circuit.tick(now: 0.5))
        #expect(firstResend.map(\.sequence) == [1])
        #expect(firstResend[0].flags == [.zerocoded, .reliable, .resent])  // LogoutReply is zerocoded
        #expect(try sent(circuit.tick(now: 1.4)).isEmpty)
        #expect(try sent(circuit.tick(now: 1.5)).map(\.sequence) == [1])
        #expect(try sent(circuit.tick(now: 3.5)).map(\.sequence) == [1])
        // Then 4 s, then the 5 s cap (pings go out meanwhile, under other sequence numbers).
        func resent(_ now: Double) throws -> [UInt32] { try sent(circuit.tick(now: now)).map(\.sequence).filter { $0 == 1 } }
        #expect(try resent(7.4).isEmpty)
        #expect(try resent(7.5) == [1])
        #expect(try resent(12.4).isEmpty)
        #expect(try resent(12.5) == [1])
        #expect(circuit.statistics.resends == 5)
        #expect(circuit.unackedCount == 1)
        // The sixth timeout gives the packet up; the circuit stays open (the peer answered
        // within the silence timeout), and nothing of the packet is sent again.
        _ = try circuit.receive(chat(1), now: 15)
        #expect(try resent(17.5).isEmpty)
        #expect(circuit.statistics.abandoned == 1)
        #expect(circuit.unackedCount == 0)
        #expect(circuit.isOpen)
        #expect(try resent(30).isEmpty)
        #expect(circuit.statistics.resends == 5)
    }

    @Test func duplicatesAreDroppedButAckedAgain() throws {
        var circuit = SLCircuit(now: 0)
        #expect(delivered(try circuit.receive(chat(10), now: 0)).map(\.sequence) == [10])
        #expect(delivered(try circuit.receive(chat(10, resent: true), now: 0.01)).isEmpty)
        #expect(circuit.statistics.duplicates == 1)
        #expect(circuit.pendingAckCount == 2)
        // Both acks go out once the ack delay passes, as one PacketAck.
        let flushed = try sent(circuit.tick(now: 0.1))
        #expect(flushed.count == 1)
        #expect(try flushed[0].decoded() == .packetAck(SL.PacketAck(packets: [.init(id: 10), .init(id: 10)])))
        #expect(circuit.pendingAckCount == 0)
        // Unreliable packets are neither acked nor suppressed.
        #expect(delivered(try circuit.receive(chat(11, reliable: false), now: 0.2)).count == 1)
        #expect(delivered(try circuit.receive(chat(11, reliable: false), now: 0.2)).count == 1)
        #expect(circuit.pendingAckCount == 0)
    }

    @Test func outOfOrderPacketsAreEachDeliveredOnce() throws {
        var circuit = SLCircuit(now: 0)
        var order: [UInt32] = []
        for sequence: UInt32 in [3, 1, 2, 5, 1, 4, 3] {
            order += delivered(try circuit.receive(chat(sequence), now: 0)).map(\.sequence)
        }
        #expect(order == [3, 1, 2, 5, 4])
        #expect(circuit.statistics.duplicates == 2)
    }

    @Test func pendingAcksRideOnOutgoingPackets() throws {
        var circuit = SLCircuit(now: 0)
        _ = try circuit.receive(chat(7), now: 0)
        _ = try circuit.receive(chat(8), now: 0)
        let out = try sent(circuit.send(SL.ChatFromSimulator(), now: 0.01))
        #expect(out.count == 1)
        #expect(out[0].acks == [7, 8])
        #expect(out[0].flags.contains(.acks))
        #expect(circuit.pendingAckCount == 0)
        #expect(try sent(circuit.tick(now: 1)).isEmpty)
    }

    @Test func manyPendingAcksAreFlushedInPacketAcksOfAtMost255() throws {
        var circuit = SLCircuit(now: 0)
        var flushed: [SLPacket] = []
        for sequence: UInt32 in 1...300 {
            flushed += try sent(circuit.receive(chat(sequence), now: 0))
        }
        #expect(flushed.count == 1)
        guard case .packetAck(let first) = try flushed[0].decoded() else { Issue.record("not a PacketAck"); return }
        #expect(first.packets.map(\.id) == Array(1...255))
        let rest = try sent(circuit.tick(now: 0.1))
        guard case .packetAck(let second) = try rest[0].decoded() else { Issue.record("not a PacketAck"); return }
        #expect(second.packets.map(\.id) == Array(256...300))
    }

    @Test func pingChecksAreAnsweredAndMeasureTheRoundTrip() throws {
        var circuit = SLCircuit(now: 0)
        let answer = try sent(circuit.receive(SLPacket(SL.StartPingCheck(pingID: .init(pingID: 42, oldestUnacked: 0)), sequence: 1).encode(), now: 1))
        #expect(answer.count == 1)
        #expect(try answer[0].decoded() == .completePingCheck(SL.CompletePingCheck(pingID: .init(pingID: 42))))
        let ping = try sent(circuit.tick(now: 5))
        #expect(ping.count == 1)
        guard case .startPingCheck(let start) = try ping[0].decoded() else { Issue.record("no ping"); return }
        #expect(start.pingID.pingID == 1)
        #expect(circuit.roundTripTime == nil)
        let reply = SLPacket(SL.CompletePingCheck(pingID: .init(pingID: 1)), sequence: 2).encode()
        #expect(try circuit.receive(reply, now: 5.25).isEmpty)
        #expect(circuit.roundTripTime == 0.25)
    }

    @Test func silenceClosesTheCircuit() throws {
        var circuit = SLCircuit(now: 0)
        _ = try circuit.receive(chat(1), now: 10)
        #expect(circuit.tick(now: 69.9).contains(.close(.silent)) == false)
        #expect(circuit.isOpen)
        #expect(circuit.tick(now: 70).contains(.close(.silent)))
        #expect(!circuit.isOpen)
    }

    @Test func garbageLeavesTheCircuitWorking() throws {
        var circuit = SLCircuit(now: 0)
        #expect(throws: SLPacketError.tooShort(3)) { try circuit.receive(ByteBuffer(bytes: [1, 2, 3]), now: 0) }
        #expect(throws: SLPacketError.self) {
            try circuit.receive(ByteBuffer(bytes: [0, 0, 0, 0, 1, 0, 0xFF, 0xFF, 0xFF, 0xFB, 9]), now: 0)
        }
        #expect(delivered(try circuit.receive(chat(1), now: 0)).count == 1)
        #expect(circuit.isOpen)
    }

    @Test func tooManyUnackedPacketsCloseTheCircuit() throws {
        var configuration = SLCircuit.Configuration()
        configuration.maximumUnacked = 4
        var circuit = SLCircuit(configuration: configuration, now: 0)
        for _ in 0..<4 { #expect(try sent(circuit.send(SL.LogoutReply(), reliable: true, now: 0)).count == 1) }
        #expect(circuit.send(SL.LogoutReply(), reliable: true, now: 0) == [.close(.tooManyUnacked)])
        #expect(!circuit.isOpen)
    }

    @Test func closeCircuitFromEitherSide() throws {
        var circuit = SLCircuit(now: 0)
        let actions = circuit.close(now: 1)
        #expect(try sent(actions).map(\.number) == [0xFFFF_FFFD])
        #expect(actions.last == .close(.closed))
        var other = SLCircuit(now: 0)
        #expect(try other.receive(SLPacket(SL.CloseCircuit(), sequence: 1).encode(), now: 0) == [.close(.closed)])
    }
}
