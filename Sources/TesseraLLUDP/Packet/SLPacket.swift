import NIOCore

/// One LLUDP datagram: flags, a big-endian sequence number, an optional extra header, the
/// message number and body, then appended acks (docs/sl-protocol.md, "Packets and circuits").
///
///     0      flags: zerocoded 0x80, reliable 0x40, resent 0x20, acks 0x10
///     1…4    sequence number, big-endian
///     5      extra header length E
///     6…     [zerocoded when flagged:] E extra bytes, message number, body
///     end    [with acks:] N big-endian U32 sequence numbers, then N as one byte
public struct SLPacket: Sendable, Equatable {
    public struct Flags: OptionSet, Sendable, Hashable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let zerocoded = Flags(rawValue: 0x80)
        public static let reliable = Flags(rawValue: 0x40)
        public static let resent = Flags(rawValue: 0x20)
        public static let acks = Flags(rawValue: 0x10)
    }

    public var flags: Flags
    public var sequence: UInt32
    public var extra: [UInt8]
    public var frequency: SLFrequency
    public var number: UInt32
    /// The message body after the number, zero runs already expanded.
    public var body: ByteBuffer
    public var acks: [UInt32]

    public init(
        flags: Flags = [], sequence: UInt32, extra: [UInt8] = [], frequency: SLFrequency, number: UInt32,
        body: ByteBuffer, acks: [UInt32] = []
    ) {
        self.flags = flags
        self.sequence = sequence
        self.extra = extra
        self.frequency = frequency
        self.number = number
        self.body = body
        self.acks = acks
    }

    /// A packet carrying `message`; `zerocoded` is set when the template says so (`encode` drops
    /// it again when zerocoding would not make the packet smaller).
    public init<Message: SLMessageBody>(_ message: Message, sequence: UInt32, reliable: Bool = false, acks: [UInt32] = []) {
        var body = ByteBuffer()
        message.encode(into: &body)
        let info = Message.info
        var flags: Flags = reliable ? [.reliable] : []
        if info.zerocoded { flags.insert(.zerocoded) }
        self.init(flags: flags, sequence: sequence, frequency: info.frequency, number: info.number, body: body, acks: acks)
    }

    public var isReliable: Bool { flags.contains(.reliable) }

    /// The body as its generated message, `.other` for template messages without one.
    public func decoded() throws(SLDecodeError) -> SLDecoded {
        try SLCatalog.decode(frequency: frequency, number: number, body: body)
    }

    // MARK: Decoding

    public static func decode(_ datagram: ByteBuffer) throws(SLPacketError) -> SLPacket {
        let bytes = datagram.readableBytesView
        let length = bytes.count
        guard length >= 7 else { throw .tooShort(length) }
        guard length <= SLProtocol.maxDatagramBytes else { throw .tooLong(length) }
        let start = bytes.startIndex
        let flags = Flags(rawValue: bytes[start] & 0xF0)
        var sequence: UInt32 = 0
        for offset in 1...4 { sequence = sequence << 8 | UInt32(bytes[start + offset]) }
        let extraLength = Int(bytes[start + 5])

        var payloadEnd = start + length
        var acks: [UInt32] = []
        if flags.contains(.acks) {
            let count = Int(bytes[payloadEnd - 1])
            guard count * 4 + 1 <= length - 7 else { throw .badAcks(count: count, length: length) }
            payloadEnd -= 1 + count * 4
            acks.reserveCapacity(count)
            var index = payloadEnd
            for _ in 0..<count {
                var ack: UInt32 = 0
                for offset in 0..<4 { ack = ack << 8 | UInt32(bytes[index + offset]) }
                acks.append(ack)
                index += 4
            }
        }
        let raw = bytes[(start + 6)..<payloadEnd]
        let payload: [UInt8] = flags.contains(.zerocoded) ? try SLZerocode.decode(raw) : Array(raw)

        guard extraLength <= payload.count else { throw .extraHeaderTooLong(extraLength) }
        let extra = Array(payload[0..<extraLength])
        var index = extraLength
        func byte(_ at: Int) throws(SLPacketError) -> UInt8 {
            guard at < payload.count else { throw .missingMessageNumber }
            return payload[at]
        }
        let frequency: SLFrequency
        let number: UInt32
        if try byte(index) != 0xFF {
            (frequency, number) = (.high, UInt32(try byte(index)))
            index += 1
        } else if try byte(index + 1) != 0xFF {
            (frequency, number) = (.medium, UInt32(try byte(index + 1)))
            index += 2
        } else if try byte(index + 2) != 0xFF {
            (frequency, number) = (.low, UInt32(try byte(index + 2)) << 8 | UInt32(try byte(index + 3)))
            index += 4
        } else {
            (frequency, number) = (.fixed, 0xFFFF_FF00 | UInt32(try byte(index + 3)))
            index += 4
        }
        var body = ByteBuffer()
        body.writeBytes(payload[index...])
        return SLPacket(flags: flags, sequence: sequence, extra: extra, frequency: frequency, number: number, body: body, acks: acks)
    }

    // MARK: Encoding

    /// The datagram. Zerocodes when the `zerocoded` flag is set and it makes the payload
    /// smaller (the flag is cleared otherwise); appends at most 255 acks.
    public func encode() -> ByteBuffer {
        let extra = self.extra.prefix(255)
        var payload: [UInt8] = Array(extra)
        Self.appendNumber(frequency: frequency, number: number, to: &payload)
        payload.append(contentsOf: body.readableBytesView)
        var flags = self.flags
        if flags.contains(.zerocoded) {
            let coded = SLZerocode.encode(payload)
            if coded.count < payload.count {
                payload = coded
            } else {
                flags.remove(.zerocoded)
            }
        }
        let acks = self.acks.prefix(255)
        if acks.isEmpty { flags.remove(.acks) } else { flags.insert(.acks) }
        var out = ByteBuffer()
        out.reserveCapacity(6 + payload.count + acks.count * 4 + 1)
        out.writeInteger(flags.rawValue)
        out.writeInteger(sequence, endianness: .big)
        out.writeInteger(UInt8(truncatingIfNeeded: extra.count))
        out.writeBytes(payload)
        if !acks.isEmpty {
            for ack in acks { out.writeInteger(ack, endianness: .big) }
            out.writeInteger(UInt8(acks.count))
        }
        return out
    }

    static func appendNumber(frequency: SLFrequency, number: UInt32, to bytes: inout [UInt8]) {
        switch frequency {
        case .high: bytes.append(UInt8(truncatingIfNeeded: number))
        case .medium: bytes.append(contentsOf: [0xFF, UInt8(truncatingIfNeeded: number)])
        case .low: bytes.append(contentsOf: [0xFF, 0xFF, UInt8(truncatingIfNeeded: number >> 8), UInt8(truncatingIfNeeded: number)])
        case .fixed: bytes.append(contentsOf: [0xFF, 0xFF, 0xFF, UInt8(truncatingIfNeeded: number)])
        }
    }
}
