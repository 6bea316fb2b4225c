/// The message template (`message_template.msg`, version 2.0) as values: every LLUDP message with
/// its frequency and number, trust, encoding and typed blocks. See docs/sl-protocol.md, "Codecs".
public struct SLTemplate: Sendable, Equatable {
    /// The `version` line of the file ("2.0").
    public var version: String
    /// Every message, in file order.
    public var messages: [SLMessageSpec]

    public init(version: String, messages: [SLMessageSpec]) {
        self.version = version
        self.messages = messages
    }

    public func message(named name: String) -> SLMessageSpec? {
        messages.first { $0.name == name }
    }

    public func message(frequency: SLFrequency, number: UInt32) -> SLMessageSpec? {
        messages.first { $0.frequency == frequency && $0.number == number }
    }
}

/// How a message number is written: High one byte, Medium `FF` and one byte, Low `FF FF` and a
/// big-endian U16, Fixed `FF FF FF` and one byte (the template gives the whole `0xFFFFFFxx`).
public enum SLFrequency: String, Sendable, Hashable, CaseIterable {
    case high = "High"
    case medium = "Medium"
    case low = "Low"
    case fixed = "Fixed"
}

public struct SLMessageSpec: Sendable, Equatable {
    public var name: String
    public var frequency: SLFrequency
    /// The id within its frequency; Fixed messages carry the whole `0xFFFFFFxx`.
    public var number: UInt32
    public var trusted: Bool
    public var zerocoded: Bool
    /// `Deprecated` in the template.
    public var deprecated: Bool
    /// `UDPDeprecated`: still accepted over UDP, but meant for the event queue.
    public var udpDeprecated: Bool
    /// `UDPBlackListed`: must never travel over UDP.
    public var udpBlackListed: Bool
    public var blocks: [SLBlockSpec]

    public init(
        name: String, frequency: SLFrequency, number: UInt32, trusted: Bool, zerocoded: Bool,
        deprecated: Bool = false, udpDeprecated: Bool = false, udpBlackListed: Bool = false, blocks: [SLBlockSpec]
    ) {
        self.name = name
        self.frequency = frequency
        self.number = number
        self.trusted = trusted
        self.zerocoded = zerocoded
        self.deprecated = deprecated
        self.udpDeprecated = udpDeprecated
        self.udpBlackListed = udpBlackListed
        self.blocks = blocks
    }

    public var info: SLMessageInfo {
        SLMessageInfo(name: name, frequency: frequency, number: number, trusted: trusted, zerocoded: zerocoded)
    }
}

public struct SLBlockSpec: Sendable, Equatable {
    public var name: String
    public var quantity: SLBlockQuantity
    public var fields: [SLFieldSpec]

    public init(name: String, quantity: SLBlockQuantity, fields: [SLFieldSpec]) {
        self.name = name
        self.quantity = quantity
        self.fields = fields
    }
}

public enum SLBlockQuantity: Sendable, Hashable {
    /// Exactly one, no count on the wire.
    case single
    /// Exactly N, no count on the wire.
    case multiple(Int)
    /// A U8 count on the wire, then that many (at most 255).
    case variable
}

public struct SLFieldSpec: Sendable, Equatable {
    public var name: String
    public var type: SLFieldType

    public init(name: String, type: SLFieldType) {
        self.name = name
        self.type = type
    }
}

/// The template's field types. Numbers are little-endian on the wire except IPPORT (big-endian).
public enum SLFieldType: Sendable, Hashable {
    case u8, u16, u32, u64, s8, s16, s32, s64, f32, f64
    case vector3, vector3d, vector4, quaternion
    case uuid, bool, ipAddress, ipPort
    /// `Fixed N`: exactly N bytes.
    case fixed(Int)
    /// `Variable 1` or `Variable 2`: a little-endian length of that many bytes, then the bytes.
    case variable(Int)

    /// The bytes a value takes on the wire, or nil for `Variable` (length-prefixed).
    public var fixedSize: Int? {
        switch self {
        case .u8, .s8, .bool: 1
        case .u16, .s16, .ipPort: 2
        case .u32, .s32, .f32, .ipAddress: 4
        case .u64, .s64, .f64: 8
        case .vector3, .quaternion: 12
        case .vector3d: 24
        case .vector4: 16
        case .uuid: 16
        case .fixed(let count): count
        case .variable: nil
        }
    }

    /// The spelling in the template ("U32", "Variable 2", ...).
    public var templateName: String {
        switch self {
        case .u8: "U8"
        case .u16: "U16"
        case .u32: "U32"
        case .u64: "U64"
        case .s8: "S8"
        case .s16: "S16"
        case .s32: "S32"
        case .s64: "S64"
        case .f32: "F32"
        case .f64: "F64"
        case .vector3: "LLVector3"
        case .vector3d: "LLVector3d"
        case .vector4: "LLVector4"
        case .quaternion: "LLQuaternion"
        case .uuid: "LLUUID"
        case .bool: "BOOL"
        case .ipAddress: "IPADDR"
        case .ipPort: "IPPORT"
        case .fixed(let count): "Fixed \(count)"
        case .variable(let width): "Variable \(width)"
        }
    }
}
