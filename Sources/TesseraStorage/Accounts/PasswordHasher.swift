import Crypto
import CryptoExtras
import Foundation

/// Salted, slow password hashing with scrypt. The parameters are stored beside each hash
/// (`scrypt:N:r:p`), so they can be raised later without invalidating existing accounts.
public struct PasswordHasher: Sendable {
    public var cost: Int
    public var blockSize: Int
    public var parallelism: Int

    /// N = 2^15, r = 8, p = 1: about 32 MiB and tens of milliseconds per hash.
    public static let standard = PasswordHasher(cost: 1 << 15, blockSize: 8, parallelism: 1)

    public init(cost: Int, blockSize: Int, parallelism: Int) {
        self.cost = cost
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    public var descriptor: String { "scrypt:\(cost):\(blockSize):\(parallelism)" }

    public struct Hashed: Sendable {
        public var hash: [UInt8]
        public var salt: [UInt8]
        public var descriptor: String
    }

    public func hash(_ password: String) throws -> Hashed {
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255) }
        return Hashed(hash: try derive(password, salt: salt), salt: salt, descriptor: descriptor)
    }

    /// Checks `password` against a stored hash made with the parameters of `descriptor`.
    /// The descriptor of accounts that cannot log in with a password (their sessions are
    /// issued by an operator tool, e.g. load-test bots).
    public static let disabledDescriptor = "disabled"

    public static func verify(_ password: String, hash: [UInt8], salt: [UInt8], descriptor: String) throws -> Bool {
        if descriptor == disabledDescriptor { return false }
        let parts = descriptor.split(separator: ":")
        guard parts.count == 4, parts[0] == "scrypt", let cost = Int(parts[1]), let blockSize = Int(parts[2]),
            let parallelism = Int(parts[3])
        else {
            throw PasswordHasherError.unknownDescriptor(descriptor)
        }
        let derived = try PasswordHasher(cost: cost, blockSize: blockSize, parallelism: parallelism).derive(password, salt: salt)
        guard derived.count == hash.count else { return false }
        return zip(derived, hash).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The work of a check with these parameters, against a hash no password matches: what
    /// a login with an unknown name costs, so that it takes as long as a wrong password.
    public func verifyDummy(_ password: String) throws -> Bool {
        _ = try derive(password, salt: Self.dummySalt)
        return false
    }

    private static let dummySalt = [UInt8](repeating: 0x5A, count: 16)

    func derive(_ password: String, salt: [UInt8]) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: 32,
            rounds: cost, blockSize: blockSize, parallelism: parallelism, maxMemory: 256 << 20
        )
        return key.withUnsafeBytes { Array($0) }
    }
}

public enum PasswordHasherError: Error, CustomStringConvertible {
    case unknownDescriptor(String)

    public var description: String {
        switch self {
        case .unknownDescriptor(let descriptor): "unknown password hash parameters \(descriptor)"
        }
    }
}
