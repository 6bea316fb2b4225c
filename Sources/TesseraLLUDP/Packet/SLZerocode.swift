/// Zerocoding: each run of 1…255 zero bytes becomes `00 n`. It covers everything after the
/// six-byte header up to the appended acks (docs/sl-protocol.md, "Packets and circuits").
public enum SLZerocode {
    /// The largest expansion accepted: a datagram of at most 1,500 bytes cannot honestly
    /// expand past this, and a run-length bomb stops here.
    public static let maxExpandedBytes = 8192

    public static func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount)
        var zeros = 0
        for byte in bytes {
            if byte == 0 {
                zeros += 1
                if zeros == 255 {
                    out.append(0)
                    out.append(255)
                    zeros = 0
                }
            } else {
                if zeros > 0 {
                    out.append(0)
                    out.append(UInt8(zeros))
                    zeros = 0
                }
                out.append(byte)
            }
        }
        if zeros > 0 {
            out.append(0)
            out.append(UInt8(zeros))
        }
        return out
    }

    public static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes, limit: Int = maxExpandedBytes) throws(SLPacketError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Swift.min(limit, bytes.count * 2))
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            index = bytes.index(after: index)
            if byte != 0 {
                guard out.count < limit else { throw .zerocodeTooLarge(limit: limit) }
                out.append(byte)
                continue
            }
            guard index != bytes.endIndex else { throw .zerocodeTruncated }
            let run = Int(bytes[index])
            index = bytes.index(after: index)
            guard run > 0 else { throw .zerocodeEmptyRun }
            guard out.count + run <= limit else { throw .zerocodeTooLarge(limit: limit) }
            out.append(contentsOf: repeatElement(0, count: run))
        }
        return out
    }
}
