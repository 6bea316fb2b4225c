import Foundation

/// Where `tessera certs` keeps the grid's authority and the nodes' certificates: a folder with
/// `ca.pem` and `ca-key.pem`, and `NODE.pem` and `NODE-key.pem` per node. Private keys are
/// written readable by their owner alone (0600) from their first byte.
public struct CertificateFiles: Sendable {
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var authorityCertificate: String { "\(directory)/ca.pem" }
    public var authorityKey: String { "\(directory)/ca-key.pem" }
    public func certificate(_ node: String) -> String { "\(directory)/\(node).pem" }
    public func key(_ node: String) -> String { "\(directory)/\(node)-key.pem" }

    public enum Problem: Error, CustomStringConvertible {
        case exists(String)
        case cannotWrite(String)
        case missing(String)

        public var description: String {
            switch self {
            case .exists(let path): "\(path) exists already; remove it first (a grid's authority is made once)"
            case .cannotWrite(let path): "cannot write \(path)"
            case .missing(let path): "\(path) does not exist; run `tessera certs init` first"
            }
        }
    }

    /// Writes a new authority; refuses to replace one (every node certificate hangs on it).
    public func writeAuthority(_ issued: GridCertificates.Issued) throws {
        for path in [authorityCertificate, authorityKey] where FileManager.default.fileExists(atPath: path) { throw Problem.exists(path) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try Self.writeFile(issued.privateKeyPEM, to: authorityKey, mode: 0o600)
        try Self.writeFile(issued.certificatePEM, to: authorityCertificate, mode: 0o644)
    }

    /// The authority's certificate and key, as `issue` needs them.
    public func readAuthority() throws -> (certificate: String, key: String) {
        func read(_ path: String) throws -> String {
            guard FileManager.default.fileExists(atPath: path) else { throw Problem.missing(path) }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw GridCertificates.Problem.unreadable(path) }
            return text
        }
        return (try read(authorityCertificate), try read(authorityKey))
    }

    /// Writes a node's certificate and key (replacing older ones: re-issuing renews).
    public func writeNode(_ node: String, _ issued: GridCertificates.Issued) throws {
        try Self.writeFile(issued.privateKeyPEM, to: key(node), mode: 0o600)
        try Self.writeFile(issued.certificatePEM, to: certificate(node), mode: 0o644)
    }

    /// Written to a new file created with `mode`, then renamed over the old one.
    static func writeFile(_ text: String, to path: String, mode: mode_t) throws {
        guard SecretFile.save(text, to: path, mode: mode) else { throw Problem.cannotWrite(path) }
    }
}

/// Files that hold keys and tokens: readable by their owner alone from their first byte.
public enum SecretFile {
    /// Writes `text` to a new file created with `mode` (0600 by default, so never readable by
    /// others even for a moment), then renamed over the old one. False when it could not be written.
    @discardableResult
    public static func save(_ text: String, to path: String, mode: mode_t = 0o600) -> Bool {
        let temporary = path + ".new"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard descriptor >= 0 else { return false }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }
}
