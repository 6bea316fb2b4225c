import NIOCore

/// One viewer circuit's reliable delivery as a pure state machine: it takes datagrams, messages
/// to send and the time, and returns actions (datagrams to send, packets to deliver, closing).
/// Time is seconds on any monotonic clock, passed in as a Double. The rules and numbers are in
/// docs/sl-protocol.md, "Packets and circuits".
public struct SLCircuit: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Resend timeout bounds; the timeout is twice the smoothed round trip within them,
        /// doubled after each resend of the same packet.
        public var minimumResendTimeout: Double = 0.5
        public var maximumResendTimeout: Double = 5
        /// Resends of one packet; after the last one the packet is given up (counted in
        /// `statistics.abandoned`). The circuit stays open: whether the peer is alive is decided
        /// by silence (`silenceTimeout`, with pings every `pingInterval`), not by one packet.
        public var maximumResends = 5
        /// Reliable packets awaiting an ack; one more and the circuit is too slow.
        public var maximumUnacked = 256
        /// Incoming reliable sequence numbers remembered to drop duplicates.
        public var duplicateWindow = 1024
        /// How long an ack may wait for an outgoing packet to ride on before a PacketAck.
        public var ackDelay: Double = 0.1
        public var pingInterval: Double = 5
        /// Nothing heard for this long closes the circuit.
        public var silenceTimeout: Double = 60

        public init() {}
    }

    public enum CloseReason: Sendable, Equatable {
        /// Too many reliable packets await acks: the peer cannot keep up.
        case tooManyUnacked
        /// Nothing heard within the silence timeout.
        case silent
        /// Closed by the owner (logout, kick) or by CloseCircuit from the peer.
        case closed
    }

    public enum Action: Sendable, Equatable {
        case send(ByteBuffer)
        case deliver(SLPacket)
        case close(CloseReason)
    }

    public struct Statistics: Sendable, Equatable {
        public var packetsIn = 0
        public var packetsOut = 0
        public var duplicates = 0
        public var resends = 0
        /// Reliable packets given up after their last resend.
        public var abandoned = 0
        public var acksSent = 0
    }

    struct Unacked: Sendable {
        var datagram: ByteBuffer
        var sentAt: Double
        var resends: Int
    }

    public let configuration: Configuration
    public private(set) var closeReason: CloseReason?
    public private(set) var statistics = Statistics()
    /// The smoothed round trip from ping checks, nil before the first answer.
    public private(set) var roundTripTime: Double?

    private var nextSequence: UInt32 = 1
    private var unacked: [UInt32: Unacked] = [:]
    private var pendingAcks: [UInt32] = []
    private var oldestPendingAck: Double?
    private var recent: Set<UInt32> = []
    private var recentOrder: [UInt32] = []
    private var recentNext = 0
    private var lastHeard: Double
    private var lastPingSent: Double
    private var pingID: UInt8 = 0
    private var outstandingPing: (id: UInt8, sentAt: Double)?

    public init(configuration: Configuration = Configuration(), now: Double) {
        self.configuration = configuration
        lastHeard = now
        lastPingSent = now
    }

    public var isOpen: Bool { closeReason == nil }
    public var unackedCount: Int { unacked.count }
    public var pendingAckCount: Int { pendingAcks.count }

    // MARK: Sending

    /// Sends `message`; pending acks ride along as far as the datagram limit allows.
    public mutating func send<Message: SLMessageBody>(_ message: Message, reliable: Bool = false, now: Double) -> [Action] {
        guard isOpen else { return [] }
        if reliable, unacked.count >= configuration.maximumUnacked {
            return close(.tooManyUnacked)
        }
        var packet = SLPacket(message, sequence: takeSequence(), reliable: reliable)
        var datagram = packet.encode()
        let room = (SLProtocol.maxDatagramBytes - datagram.readableBytes - 1) / 4
        if room > 0, !pendingAcks.isEmpty {
            let count = min(room, 255, pendingAcks.count)
            packet.acks = Array(pendingAcks.prefix(count))
            pendingAcks.removeFirst(count)
            if pendingAcks.isEmpty { oldestPendingAck = nil }
            statistics.acksSent += count
            datagram = packet.encode()
        }
        if reliable {
            unacked[packet.sequence] = Unacked(datagram: datagram, sentAt: now, resends: 0)
        }
        statistics.packetsOut += 1
        return [.send(datagram)]
    }

    /// Closes the circuit from this side: CloseCircuit is sent once, nothing after it.
    public mutating func close(now: Double) -> [Action] {
        guard isOpen else { return [] }
        let goodbye = send(SL.CloseCircuit(), now: now)
        return goodbye + close(.closed)
    }

    private mutating func takeSequence() -> UInt32 {
        let sequence = nextSequence
        // Sequence numbers stay within 24 bits, as viewers expect, and skip 0.
        nextSequence = nextSequence >= 0xFF_FFFF ? 1 : nextSequence + 1
        return sequence
    }

    // MARK: Receiving

    /// One datagram from the peer. A malformed one throws and changes nothing; duplicates of
    /// reliable packets are acked again but not delivered; circuit messages (PacketAck, ping
    /// checks, CloseCircuit) are handled here, every other packet is delivered.
    public mutating func receive(_ datagram: ByteBuffer, now: Double) throws(SLPacketError) -> [Action] {
        guard isOpen else { throw .circuitClosed }
        let packet = try SLPacket.decode(datagram)
        var decoded: SLDecoded?
        if packet.frequency == .fixed || (packet.frequency == .high && packet.number <= 2) {
            do {
                decoded = try packet.decoded()
            } catch {
                throw .body(error)
            }
        }
        lastHeard = now
        statistics.packetsIn += 1
        for ack in packet.acks { unacked[ack] = nil }
        var actions: [Action] = []
        if packet.isReliable {
            queueAck(packet.sequence, now: now)
            if pendingAcks.count >= 255 { actions += flushAcks() }
            if recent.contains(packet.sequence) {
                statistics.duplicates += 1
                return actions
            }
            remember(packet.sequence)
        }
        switch decoded {
        case .packetAck(let message)?:
            for block in message.packets { unacked[block.id] = nil }
        case .startPingCheck(let message)?:
            actions += send(SL.CompletePingCheck(pingID: .init(pingID: message.pingID.pingID)), now: now)
        case .completePingCheck(let message)?:
            if let ping = outstandingPing, ping.id == message.pingID.pingID {
                let sample = max(0, now - ping.sentAt)
                roundTripTime = roundTripTime.map { $0 * 0.875 + sample * 0.125 } ?? sample
                outstandingPing = nil
            }
        case .closeCircuit?:
            actions += close(.closed)
        default:
            actions.append(.deliver(packet))
        }
        return actions
    }

    private mutating func queueAck(_ sequence: UInt32, now: Double) {
        if pendingAcks.isEmpty { oldestPendingAck = now }
        pendingAcks.append(sequence)
    }

    private mutating func remember(_ sequence: UInt32) {
        if recentOrder.count < configuration.duplicateWindow {
            recentOrder.append(sequence)
        } else {
            recent.remove(recentOrder[recentNext])
            recentOrder[recentNext] = sequence
            recentNext = (recentNext + 1) % recentOrder.count
        }
        recent.insert(sequence)
    }

    // MARK: Time

    /// Resends what is due, flushes acks that waited long enough, pings, and closes the circuit
    /// after silence or an exhausted resend.
    public mutating func tick(now: Double) -> [Action] {
        guard isOpen else { return [] }
        if now - lastHeard >= configuration.silenceTimeout {
            return close(.silent)
        }
        var actions: [Action] = []
        let base = min(max((roundTripTime ?? 0) * 2, configuration.minimumResendTimeout), configuration.maximumResendTimeout)
        for sequence in unacked.keys.sorted() {
            guard var entry = unacked[sequence] else { continue }
            let timeout = min(base * Double(1 << min(entry.resends, 16)), configuration.maximumResendTimeout)
            guard now - entry.sentAt >= timeout else { continue }
            guard entry.resends < configuration.maximumResends else {
                unacked[sequence] = nil
                statistics.abandoned += 1
                continue
            }
            entry.resends += 1
            entry.sentAt = now
            if let flags = entry.datagram.getInteger(at: entry.datagram.readerIndex, as: UInt8.self) {
                entry.datagram.setInteger(flags | SLPacket.Flags.resent.rawValue, at: entry.datagram.readerIndex)
            }
            unacked[sequence] = entry
            statistics.resends += 1
            actions.append(.send(entry.datagram))
        }
        if let oldest = oldestPendingAck, now - oldest >= configuration.ackDelay {
            actions += flushAcks()
        }
        if now - lastPingSent >= configuration.pingInterval {
            lastPingSent = now
            pingID &+= 1
            outstandingPing = (pingID, now)
            let oldest = unacked.keys.min() ?? nextSequence
            actions += send(SL.StartPingCheck(pingID: .init(pingID: pingID, oldestUnacked: oldest)), now: now)
        }
        return actions
    }

    /// Every pending ack as PacketAck messages of at most 255.
    private mutating func flushAcks() -> [Action] {
        var actions: [Action] = []
        while !pendingAcks.isEmpty {
            let count = min(255, pendingAcks.count)
            let ids = pendingAcks.prefix(count).map { SL.PacketAck.Packets(id: $0) }
            pendingAcks.removeFirst(count)
            statistics.acksSent += count
            let packet = SLPacket(SL.PacketAck(packets: ids), sequence: takeSequence())
            statistics.packetsOut += 1
            actions.append(.send(packet.encode()))
        }
        oldestPendingAck = nil
        return actions
    }

    private mutating func close(_ reason: CloseReason) -> [Action] {
        closeReason = reason
        unacked.removeAll()
        pendingAcks.removeAll()
        return [.close(reason)]
    }
}
