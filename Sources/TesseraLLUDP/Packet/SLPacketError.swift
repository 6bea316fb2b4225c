/// A datagram that is not a packet, or a circuit that refuses it. Each names what was wrong.
public enum SLPacketError: Error, Equatable, CustomStringConvertible {
    case tooShort(Int)
    case tooLong(Int)
    case badAcks(count: Int, length: Int)
    case zerocodeTruncated
    case zerocodeEmptyRun
    case zerocodeTooLarge(limit: Int)
    case extraHeaderTooLong(Int)
    case missingMessageNumber
    case body(SLDecodeError)
    case circuitClosed

    public var description: String {
        switch self {
        case .tooShort(let length): "a datagram of \(length) bytes is shorter than a packet header and a message number"
        case .tooLong(let length): "a datagram of \(length) bytes is longer than \(SLProtocol.maxDatagramBytes)"
        case .badAcks(let count, let length): "\(count) appended acks do not fit in a datagram of \(length) bytes"
        case .zerocodeTruncated: "the zerocoded payload ends inside a zero run"
        case .zerocodeEmptyRun: "the zerocoded payload has a zero run of length 0"
        case .zerocodeTooLarge(let limit): "the zerocoded payload expands past \(limit) bytes"
        case .extraHeaderTooLong(let length): "the extra header of \(length) bytes runs past the payload"
        case .missingMessageNumber: "the payload ends inside the message number"
        case .body(let error): "\(error)"
        case .circuitClosed: "the circuit is closed"
        }
    }
}
