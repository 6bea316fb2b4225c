import Crypto
import Foundation
import TesseraWorld

/// A login request refused before any account is looked at: `field` is the parameter (or
/// `methodName`, `params`), `problem` what was wrong with it.
public struct ViewerLoginError: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(field): \(problem)" }
}

/// A viewer's `login_to_simulator` call, validated (docs/sl-protocol.md, "Login").
public struct ViewerLoginRequest: Sendable, Equatable {
    public static let methodName = "login_to_simulator"
    /// First and last names: at most 31 bytes each, so `first last` fits `maxNameBytes` (63).
    public static let maxNamePartBytes = 31
    public static let maxPlainPasswordBytes = 256
    public static let maxChannelBytes = 255
    public static let maxVersionBytes = 64
    public static let maxOptions = 64
    public static let maxOptionBytes = 64
    public static let maxStartBytes = 512

    public var firstName: String
    public var lastName: String
    /// The MD5 digest of the password, 32 lowercase hexadecimal digits: what the account store's
    /// viewer verifier is checked against (docs/sl-protocol.md, "Login").
    public var passwordMD5: String
    public var start: StartLocation
    public var channel: String
    public var version: String
    public var options: [String]

    /// The Tessera avatar (account) name: `first last`, or just `first` when the last name is
    /// `Resident` (any case) or empty — viewers send `Resident` for a one-word user name.
    public var avatarName: String {
        lastName.isEmpty || lastName.lowercased() == "resident" ? firstName : firstName + " " + lastName
    }

    public init(
        firstName: String, lastName: String, passwordMD5: String, start: StartLocation = .last,
        channel: String = "", version: String = "", options: [String] = []
    ) {
        self.firstName = firstName
        self.lastName = lastName
        self.passwordMD5 = passwordMD5
        self.start = start
        self.channel = channel
        self.version = version
        self.options = options
    }

    /// Validates a parsed call: the method must be `login_to_simulator`.
    public init(_ request: XMLRPCRequest) throws(ViewerLoginError) {
        guard request.methodName == Self.methodName else {
            throw ViewerLoginError(field: "methodName", problem: "expected \(Self.methodName), got \"\(LLSDXML.clip(request.methodName))\"")
        }
        try self.init(params: request.params)
    }

    /// Validates the call's parameters: one struct. Fields other than the ones kept here (mac,
    /// id0, platform, agree_to_tos, …) are ignored, whatever their type.
    public init(params: [XMLRPCValue]) throws(ViewerLoginError) {
        guard let first = params.first, case .struct(let members) = first else {
            throw ViewerLoginError(field: "params", problem: "expected one struct")
        }
        firstName = try Self.name(members, "first")
        lastName = try Self.name(members, "last", allowEmpty: true)
        guard let password = members["passwd"] else { throw ViewerLoginError(field: "passwd", problem: "missing") }
        guard case .string(let passwd) = password else {
            throw ViewerLoginError(field: "passwd", problem: "expected a string, got \(password.typeName)")
        }
        passwordMD5 = try Self.passwordDigest(passwd)
        let startText = try Self.text(members, "start", max: Self.maxStartBytes) ?? "last"
        start = try StartLocation(parsing: startText)
        channel = try Self.text(members, "channel", max: Self.maxChannelBytes) ?? ""
        version = try Self.text(members, "version", max: Self.maxVersionBytes) ?? ""
        options = try Self.options(members["options"])
    }

    /// `$1$` followed by 32 hexadecimal digits (either case) gives those digits in lowercase;
    /// anything else is a plain password and gives the MD5 of its UTF-8 bytes.
    public static func passwordDigest(_ passwd: String) throws(ViewerLoginError) -> String {
        if passwd.hasPrefix("$1$") {
            let digest = passwd.dropFirst(3)
            guard digest.utf8.count == 32, digest.utf8.allSatisfy({ isHexDigit($0) }) else {
                throw ViewerLoginError(field: "passwd", problem: "$1$ must be followed by 32 hexadecimal digits")
            }
            return digest.lowercased()
        }
        guard !passwd.isEmpty else { throw ViewerLoginError(field: "passwd", problem: "empty") }
        guard passwd.utf8.count <= maxPlainPasswordBytes else {
            throw ViewerLoginError(field: "passwd", problem: "longer than \(maxPlainPasswordBytes) bytes")
        }
        return md5Hex(passwd)
    }

    /// The MD5 digest of a text's UTF-8 bytes, 32 lowercase hexadecimal digits.
    public static func md5Hex(_ text: String) -> String {
        Insecure.MD5.hash(data: Array(text.utf8)).map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }

    static func text(_ members: [String: XMLRPCValue], _ field: String, max: Int) throws(ViewerLoginError) -> String? {
        guard let value = members[field] else { return nil }
        guard case .string(let text) = value else {
            throw ViewerLoginError(field: field, problem: "expected a string, got \(value.typeName)")
        }
        guard text.utf8.count <= max else { throw ViewerLoginError(field: field, problem: "longer than \(max) bytes") }
        guard text.unicodeScalars.allSatisfy({ !$0.properties.generalCategory.isControl }) else {
            throw ViewerLoginError(field: field, problem: "has a control character")
        }
        return text
    }

    static func name(_ members: [String: XMLRPCValue], _ field: String, allowEmpty: Bool = false) throws(ViewerLoginError) -> String {
        guard let text = try text(members, field, max: maxStartBytes) else { throw ViewerLoginError(field: field, problem: "missing") }
        let name = text.trimmingCharacters(in: .whitespaces)
        guard allowEmpty || !name.isEmpty else { throw ViewerLoginError(field: field, problem: "empty") }
        guard name.utf8.count <= maxNamePartBytes else {
            throw ViewerLoginError(field: field, problem: "longer than \(maxNamePartBytes) bytes")
        }
        return name
    }

    static func options(_ value: XMLRPCValue?) throws(ViewerLoginError) -> [String] {
        guard let value else { return [] }
        guard case .array(let items) = value else {
            throw ViewerLoginError(field: "options", problem: "expected an array, got \(value.typeName)")
        }
        guard items.count <= maxOptions else { throw ViewerLoginError(field: "options", problem: "more than \(maxOptions) entries") }
        var options: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let option) = item else {
                throw ViewerLoginError(field: "options[\(index)]", problem: "expected a string, got \(item.typeName)")
            }
            guard option.utf8.count <= maxOptionBytes,
                  option.unicodeScalars.allSatisfy({ !$0.properties.generalCategory.isControl }) else {
                throw ViewerLoginError(field: "options[\(index)]", problem: "not an option name of at most \(maxOptionBytes) bytes")
            }
            options.append(option)
        }
        return options
    }
}
