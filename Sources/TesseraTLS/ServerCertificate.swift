import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The certificate of a public port (the client manager's https/wss, the console's https):
/// an ordinary server certificate from any authority, with its chain and private key, read
/// from PEM files and checked before the port opens (docs/security.md, "Client and console
/// ports"). Unlike the grid's own certificates it names no role: browsers and bots check it
/// against their usual trust roots and the host name they dialled.
public struct ServerCertificate: Sendable {
    /// The chain as read: the server's certificate first, then any intermediates.
    public let chain: [Certificate]
    let chainDER: [[UInt8]]
    let keyPEM: String

    /// What is wrong with a certificate or key file. `inKeyFile` says which of the two files
    /// (and so which config key) the problem is about.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var description: String
        public var inKeyFile: Bool

        public init(description: String, inKeyFile: Bool) {
            self.description = description
            self.inKeyFile = inKeyFile
        }
    }

    /// Reads and checks the pair: both files readable, the first a PEM chain of X.509
    /// certificates valid at `now`, the second a PEM private key (PKCS #8, SEC 1 or RSA) whose
    /// public half is the first certificate's.
    public static func read(certificateFile: String, keyFile: String, now: Date = Date()) throws(Problem) -> ServerCertificate {
        let chainText = try readText(certificateFile, inKeyFile: false)
        let documents: [PEMDocument]
        do { documents = try PEMDocument.parseMultiple(pemString: chainText) } catch {
            throw Problem(description: "\(certificateFile) is not PEM text (expected -----BEGIN CERTIFICATE----- blocks)", inKeyFile: false)
        }
        let blocks = documents.filter { $0.discriminator == "CERTIFICATE" }
        guard !blocks.isEmpty else {
            throw Problem(description: "\(certificateFile) holds no certificate (expected -----BEGIN CERTIFICATE----- blocks)", inKeyFile: false)
        }
        var chain: [Certificate] = []
        for (index, block) in blocks.enumerated() {
            do { chain.append(try Certificate(derEncoded: block.derBytes)) } catch {
                throw Problem(description: "certificate \(index + 1) of \(certificateFile) is not a valid X.509 certificate", inKeyFile: false)
            }
        }
        let leaf = chain[0]
        guard leaf.notValidAfter > now else {
            throw Problem(description: "the certificate in \(certificateFile) expired on \(leaf.notValidAfter.formatted(.iso8601))", inKeyFile: false)
        }
        guard leaf.notValidBefore <= now else {
            throw Problem(description: "the certificate in \(certificateFile) is not valid before \(leaf.notValidBefore.formatted(.iso8601))", inKeyFile: false)
        }
        let keyText = try readText(keyFile, inKeyFile: true)
        let key: Certificate.PrivateKey
        do { key = try Certificate.PrivateKey(pemEncoded: keyText) } catch {
            throw Problem(description: "\(keyFile) is not a PEM private key (PKCS #8, SEC 1 or RSA)", inKeyFile: true)
        }
        guard key.publicKey == leaf.publicKey else {
            throw Problem(description: "the private key in \(keyFile) does not belong to the certificate in \(certificateFile)", inKeyFile: true)
        }
        // NIOSSL reads the key again; a key X509 reads but BoringSSL does not is refused here too.
        do { _ = try NIOSSLPrivateKey(bytes: Array(keyText.utf8), format: .pem) } catch {
            throw Problem(description: "\(keyFile) holds a private key of a kind TLS cannot use (\(error))", inKeyFile: true)
        }
        return ServerCertificate(chain: chain, chainDER: blocks.map { Array($0.derBytes) }, keyPEM: keyText)
    }

    private static func readText(_ path: String, inKeyFile: Bool) throws(Problem) -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw Problem(description: "\(path) does not exist", inKeyFile: inKeyFile) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(description: "cannot read \(path) (permissions?)", inKeyFile: inKeyFile)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw Problem(description: "\(path) is not PEM text", inKeyFile: inKeyFile) }
        return text
    }

    /// The server side of TLS with this certificate: TLS 1.2 at least (1.3 when the client
    /// offers it, which BoringSSL prefers), no client certificates asked for.
    public func serverConfiguration() throws -> TLSConfiguration {
        let certificates = try chainDER.map { NIOSSLCertificateSource.certificate(try NIOSSLCertificate(bytes: $0, format: .der)) }
        let key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: certificates, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .none
        return configuration
    }
}

/// What a client of a public port (a bot, a scenario client, `tessera console`) trusts: the
/// system's roots, and the authorities of an extra PEM file when one is given (`--ca-file`,
/// `TESSERA_CA_FILE`), for a grid whose certificate comes from an authority of its own.
public enum ClientTrust {
    /// The environment variable that names an extra authorities file when `--ca-file` is not given.
    public static let environmentVariable = "TESSERA_CA_FILE"

    /// `--ca-file`, else `$TESSERA_CA_FILE`, else nil.
    public static func caFile(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let option, !option.isEmpty { return option }
        if let path = environment[environmentVariable], !path.isEmpty { return path }
        return nil
    }

    /// A client configuration trusting the system's roots plus the certificates of `caFile`;
    /// full verification (chain and host name), TLS 1.2 at least.
    public static func configuration(caFile: String?) throws(ServerCertificate.Problem) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile {
            configuration.additionalTrustRoots = [.certificates(try authorities(caFile))]
        }
        return configuration
    }

    /// The certificates of a PEM file of authorities.
    static func authorities(_ path: String) throws(ServerCertificate.Problem) -> [NIOSSLCertificate] {
        guard FileManager.default.fileExists(atPath: path) else { throw ServerCertificate.Problem(description: "CA file \(path) does not exist", inKeyFile: false) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServerCertificate.Problem(description: "cannot read the CA file \(path) (permissions?)", inKeyFile: false)
        }
        guard let text = String(data: data, encoding: .utf8), let documents = try? PEMDocument.parseMultiple(pemString: text) else {
            throw ServerCertificate.Problem(description: "CA file \(path) is not PEM text (expected -----BEGIN CERTIFICATE----- blocks)", inKeyFile: false)
        }
        let blocks = documents.filter { $0.discriminator == "CERTIFICATE" }
        guard !blocks.isEmpty else {
            throw ServerCertificate.Problem(description: "CA file \(path) holds no certificate (expected -----BEGIN CERTIFICATE----- blocks)", inKeyFile: false)
        }
        var certificates: [NIOSSLCertificate] = []
        for (index, block) in blocks.enumerated() {
            do { certificates.append(try NIOSSLCertificate(bytes: Array(block.derBytes), format: .der)) } catch {
                throw ServerCertificate.Problem(description: "certificate \(index + 1) of the CA file \(path) is not a valid X.509 certificate", inKeyFile: false)
            }
        }
        return certificates
    }
}
