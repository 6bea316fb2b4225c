import Foundation

/// A Linden Lab Structured Data value: what capabilities, the event queue and the login's
/// extras carry. Maps keep their keys sorted when encoded, so an encoding is deterministic.
public indirect enum LLSD: Sendable, Equatable {
    case undefined
    case boolean(Bool)
    case integer(Int32)
    case real(Double)
    case string(String)
    case uuid(UUID)
    /// Seconds since 1970-01-01 UTC.
    case date(Double)
    case uri(String)
    case binary([UInt8])
    case array([LLSD])
    case map([String: LLSD])

    public subscript(key: String) -> LLSD? {
        if case .map(let map) = self { return map[key] }
        return nil
    }

    public var stringValue: String? {
        switch self {
        case .string(let text), .uri(let text): text
        default: nil
        }
    }

    public var integerValue: Int32? {
        switch self {
        case .integer(let value): value
        case .real(let value) where value.isFinite && value >= Double(Int32.min) && value <= Double(Int32.max): Int32(value)
        case .boolean(let value): value ? 1 : 0
        default: nil
        }
    }

    public var arrayValue: [LLSD]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
