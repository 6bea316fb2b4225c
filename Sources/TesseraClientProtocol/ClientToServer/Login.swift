import NIOCore
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

/// 0x01 — the first message of a connection: an account name with its password, or with a
/// session token from an earlier Welcome.
public struct Login: Hashable, Sendable {
    public enum Credential: Hashable, Sendable {
        case password(String)
        case sessionToken(String)
    }

    public var version: UInt16
    public var name: String
    public var credential: Credential
    /// The region to arrive in; empty for the grid's default.
    public var startRegion: String

    public init(version: UInt16 = clientProtocolVersion, name: String, credential: Credential, startRegion: String = "") {
        self.version = version
        self.name = name
        self.credential = credential
        self.startRegion = startRegion
    }

    public init(version: UInt16 = clientProtocolVersion, name: String, password: String, startRegion: String = "") {
        self.init(version: version, name: name, credential: .password(password), startRegion: startRegion)
    }

    init(from buffer: inout ByteBuffer) throws {
        version = try buffer.readLE(UInt16.self, "login.version")
        // A client of another version is told so by the Error it gets, not by a decoding error.
        guard supportedClientProtocolVersions.contains(version) else {
            name = ""
            credential = .password("")
            startRegion = ""
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return
        }
        name = try buffer.readText("login.name", maxBytes: maxNameBytes)
        switch try buffer.readLE(UInt8.self, "login.credentialKind") {
        case 1: credential = .password(try buffer.readText("login.password", maxBytes: maxPasswordBytes))
        case 2: credential = .sessionToken(try buffer.readText("login.token", maxBytes: maxTokenBytes))
        case let other: throw CodecError.invalidValue(field: "login.credentialKind", reason: "expected 1 (password) or 2 (token), got \(other)")
        }
        startRegion = try buffer.readText("login.startRegion", maxBytes: maxNameBytes)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(version)
        buffer.writeText(name)
        switch credential {
        case .password(let password):
            buffer.writeLE(UInt8(1))
            buffer.writeText(password)
        case .sessionToken(let token):
            buffer.writeLE(UInt8(2))
            buffer.writeText(token)
        }
        buffer.writeText(startRegion)
    }
}

extension Login: CustomStringConvertible {
    /// Never prints the password or the token.
    public var description: String { "Login(v\(version), \(name))" }
}
