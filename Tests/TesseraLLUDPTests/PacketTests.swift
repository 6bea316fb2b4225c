import NIOCore
import Testing
import TesseraWorld
@testable import TesseraLLUDP

@Suite struct PacketTests {
    @Test func zerocodingRoundTripsAndHasKnownBytes() throws {
        #expect(SLZerocode.encode([1, 0, 0, 0, 2, 0]) == [1, 0, 3, 2, 0, 1])
        #expect(try SLZerocode.decode([1, 0, 3, 2, 0, 1]) == [1, 0, 0, 0, 2, 0])
        let long = [UInt8](repeating: 0, count: 300) + [7]
        #expect(SLZerocode.encode(long) == [0, 255, 0, 45, 7])
        #expect(try SLZerocode.decode(SLZerocode.encode(long)) == long)
        var generator = SplitMix64(seed: 16)
        for _ in 0..<200 {
            let bytes = (0..<Int(generator.next() % 600)).map { _ in generator.next() % 3 == 0 ? UInt8(truncatingIfNeeded: generator.next()) : 0 }
            #expect(try SLZerocode.decode(SLZerocode.encode(bytes)) == bytes)
        }
    }

    @Test func aZeroRunBombIsRefused() {
        // 1,400 bytes that would expand to 178,500 zeros.
        let bomb = [UInt8](repeating: 0, count: 1) + [UInt8](repeating: 255, count: 1) + Array(repeating: [0, 255], count: 699).flatMap { $0 }
        #expect(throws: SLPacketError.zerocodeTooLarge(limit: 8192)) { try SLZerocode.decode(bomb) }
        #expect(throws: SLPacketError.zerocodeTruncated) { try SLZerocode.decode([5, 0]) }
        #expect(throws: SLPacketError.zerocodeEmptyRun) { try SLZerocode.decode([0, 0]) }
        var datagram = ByteBuffer(bytes: [0x80, 0, 0, 0, 1, 0])
        datagram.writeBytes(bomb)
        #expect(throws: SLPacketError.zerocodeTooLarge(limit: 8192)) { try SLPacket.decode(datagram) }
    }

    @Test func headerFlagsSequenceAndMessageNumbersOfEveryFrequency() throws {
        // High 4 (AgentUpdate, zerocoded), Medium 7, Low 0x0103, Fixed 0xFFFFFFFC.
        let cases: [(SLFrequency, UInt32, [UInt8])] = [
            (.high, 4, [4]), (.medium, 7, [0xFF, 7]), (.low, 0x0103, [0xFF, 0xFF, 1, 3]), (.fixed, 0xFFFF_FFFC, [0xFF, 0xFF, 0xFF, 0xFC]),
        ]
        for (frequency, number, numberBytes) in cases {
            let packet = SLPacket(flags: [.reliable, .resent], sequence: 0x00AB_CDEF, frequency: frequency, number: number,
                                  body: ByteBuffer(bytes: [9, 8]), acks: [])
            let datagram = packet.encode()
            #expect(Array(datagram.readableBytesView) == [0x60, 0, 0xAB, 0xCD, 0xEF, 0] + numberBytes + [9, 8])
            #expect(try SLPacket.decode(datagram) == packet)
        }
    }

    @Test func appendedAcksCarryTheirCountAtTheEnd() throws {
        let packet = SLPacket(flags: [], sequence: 5, frequency: .high, number: 2, body: ByteBuffer(bytes: [3]), acks: [1, 0x0102_0304])
        let datagram = packet.encode()
        #expect(Array(datagram.readableBytesView) == [0x10, 0, 0, 0, 5, 0, 2, 3, 0, 0, 0, 1, 1, 2, 3, 4, 2])
        let decoded = try SLPacket.decode(datagram)
        #expect(decoded.acks == [1, 0x0102_0304])
        #expect(decoded.flags == [.acks])
        #expect(Array(decoded.body.readableBytesView) == [3])
        // A count larger than the datagram can hold.
        #expect(throws: SLPacketError.badAcks(count: 200, length: 9)) {
            try SLPacket.decode(ByteBuffer(bytes: [0x10, 0, 0, 0, 5, 0, 2, 0, 200]))
        }
    }

    @Test func zerocodedMessagesAreCodedOnlyWhenItHelpsAndAcceptedEitherWay() throws {
        let update = SL.AgentUpdate(agentData: .init(state: 1, far: 64, controlFlags: 1))
        let coded = SLPacket(update, sequence: 3, reliable: false).encode()
        #expect(coded.getInteger(at: 0, as: UInt8.self) == 0x80)
        #expect(coded.readableBytes < 6 + 1 + 114)
        let decoded = try SLPacket.decode(coded)
        #expect(try decoded.decoded() == .agentUpdate(update))
        // The same message sent without zerocoding (a client may do so) decodes the same.
        var plain = SLPacket(update, sequence: 3)
        plain.flags.remove(.zerocoded)
        let plainDatagram = plain.encode()
        #expect(plainDatagram.readableBytes == 6 + 1 + 114)
        #expect(try SLPacket.decode(plainDatagram).decoded() == .agentUpdate(update))
        // Zerocoding that would not shrink the payload is skipped and the flag cleared.
        let dense = SLPacket(flags: [.zerocoded], sequence: 1, frequency: .high, number: 1, body: ByteBuffer(bytes: [1, 2, 3, 4, 5]))
        #expect(dense.encode().getInteger(at: 0, as: UInt8.self) == 0)
        // The extra header travels before the message number.
        let extra = SLPacket(flags: [], sequence: 1, extra: [0xEE, 0xDD], frequency: .high, number: 1, body: ByteBuffer(bytes: [7]))
        #expect(Array(extra.encode().readableBytesView) == [0, 0, 0, 0, 1, 2, 0xEE, 0xDD, 1, 7])
        #expect(try SLPacket.decode(extra.encode()) == extra)
    }

    @Test func truncatedAndGarbageDatagramsAreErrorsNotTraps() throws {
        #expect(throws: SLPacketError.tooShort(6)) { try SLPacket.decode(ByteBuffer(bytes: [0, 0, 0, 0, 1, 0])) }
        #expect(throws: SLPacketError.missingMessageNumber) { try SLPacket.decode(ByteBuffer(bytes: [0, 0, 0, 0, 1, 0, 0xFF])) }
        #expect(throws: SLPacketError.extraHeaderTooLong(9)) { try SLPacket.decode(ByteBuffer(bytes: [0, 0, 0, 0, 1, 9, 1])) }
        #expect(throws: SLPacketError.tooLong(1501)) { try SLPacket.decode(ByteBuffer(repeating: 1, count: 1501)) }
        var generator = SplitMix64(seed: 0x5EED)
        var packets = 0
        var bodies = 0
        for _ in 0..<10_000 {
            let length = Int(generator.next() % 120)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            // Half of them look like packets of real messages, so the body decoders get garbage too.
            if bytes.count > 8, generator.next() % 2 == 0 {
                bytes[5] = 0
                bytes[0] &= 0xE0
                if bytes[0] & 0x80 == 0 { bytes[6] = UInt8(truncatingIfNeeded: generator.next() % 32 + 1) }
            }
            guard let packet = try? SLPacket.decode(ByteBuffer(bytes: bytes)) else { continue }
            packets += 1
            if (try? packet.decoded()) != nil { bodies += 1 }
        }
        // Seeded: these counts are exact, and show that both decoders were reached.
        #expect(packets == 5264)
        #expect(bodies == 2027)
    }
}
