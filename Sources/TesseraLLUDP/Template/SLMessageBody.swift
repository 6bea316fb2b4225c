import Foundation
import NIOCore

/// What a generated message knows about itself (from the template).
public struct SLMessageInfo: Sendable, Hashable {
    public var name: String
    public var frequency: SLFrequency
    /// The id within its frequency; Fixed messages carry the whole `0xFFFFFFxx`.
    public var number: UInt32
    public var trusted: Bool
    public var zerocoded: Bool

    public init(name: String, frequency: SLFrequency, number: UInt32, trusted: Bool, zerocoded: Bool) {
        self.name = name
        self.frequency = frequency
        self.number = number
        self.trusted = trusted
        self.zerocoded = zerocoded
    }
}

/// A message body generated from the template (`Generated/SLMessages.swift`). Decoding never
/// traps: a short or malformed body is an `SLDecodeError` naming message, block and field.
public protocol SLMessageBody: Sendable, Equatable {
    static var info: SLMessageInfo { get }
    init(body: inout ByteBuffer) throws(SLDecodeError)
    func encode(into body: inout ByteBuffer)
    /// The event-queue form: `{"message": Name, "body": {Block: [{Field: value}]}}`.
    var llsd: LLSD { get }
}

/// A body that could not be decoded: where (`Message.Block.Field`) and why.
public struct SLDecodeError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// The all-zero UUID, the default of every LLUUID field.
public let slNullUUID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

/// An IPv4 address as the template's IPADDR carries it: four bytes in wire (network) order.
public struct SLIPv4: Sendable, Hashable, CustomStringConvertible {
    public var a: UInt8
    public var b: UInt8
    public var c: UInt8
    public var d: UInt8

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        self.a = a
        self.b = b
        self.c = c
        self.d = d
    }

    /// From dotted-quad text ("127.0.0.1"); nil when it is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = UInt8(part) else { return nil }
            octets.append(value)
        }
        self.init(octets[0], octets[1], octets[2], octets[3])
    }

    public static let zero = SLIPv4(0, 0, 0, 0)

    public var bytes: [UInt8] { [a, b, c, d] }

    public var description: String { "\(a).\(b).\(c).\(d)" }
}

/// Text in Variable and Fixed fields: UTF-8 with a terminating NUL.
public enum SLText {
    /// `text` as UTF-8 with a NUL, at most `max` bytes in all, cut on a character boundary.
    public static func bytes(_ text: String, max: Int) -> [UInt8] {
        guard max > 0 else { return [] }
        var out: [UInt8] = []
        for character in text {
            let utf8 = character.utf8
            guard out.count + utf8.count + 1 <= max else { break }
            out.append(contentsOf: utf8)
        }
        out.append(0)
        return out
    }

    /// The text up to the first NUL; invalid UTF-8 is replaced, never an error.
    public static func string(_ bytes: [UInt8]) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
