import Foundation
import NIOSSL
import Testing
import TesseraTLS

/// The certificate of a public port (client manager, console): read from PEM files and checked
/// before the port opens; each problem names the file it is about and which of the two it is.
@Suite struct ServerCertificateTests {
    /// A folder with a server certificate and key (`edge.pem`, `edge-key.pem`) and another
    /// authority's key (`other-key.pem`); removed by the caller.
    static func folder(days: Int = 30, now: Date = Date()) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-server-cert-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let ca = try GridCertificates.makeAuthority(gridName: "Edge Test", now: now)
        let edge = try GridCertificates.issue(
            node: "edge-public", role: .clientManager, hosts: ["127.0.0.1", "localhost"], days: days, now: now,
            authorityCertificatePEM: ca.certificatePEM, authorityKeyPEM: ca.privateKeyPEM)
        let other = try GridCertificates.makeAuthority(gridName: "Other", now: now)
        try ca.certificatePEM.write(toFile: "\(folder)/ca.pem", atomically: true, encoding: .utf8)
        try edge.certificatePEM.write(toFile: "\(folder)/edge.pem", atomically: true, encoding: .utf8)
        try edge.privateKeyPEM.write(toFile: "\(folder)/edge-key.pem", atomically: true, encoding: .utf8)
        try other.privateKeyPEM.write(toFile: "\(folder)/other-key.pem", atomically: true, encoding: .utf8)
        try (edge.certificatePEM + ca.certificatePEM).write(toFile: "\(folder)/chain.pem", atomically: true, encoding: .utf8)
        return folder
    }

    static func problem(_ certificate: String, _ key: String, now: Date = Date()) -> ServerCertificate.Problem? {
        do {
            _ = try ServerCertificate.read(certificateFile: certificate, keyFile: key, now: now)
            return nil
        } catch {
            return error
        }
    }

    @Test("a certificate, or a chain, with its own key is read and makes a server configuration of TLS 1.2 at least")
    func accepted() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let single = try ServerCertificate.read(certificateFile: "\(folder)/edge.pem", keyFile: "\(folder)/edge-key.pem")
        #expect(single.chain.count == 1)
        let chain = try ServerCertificate.read(certificateFile: "\(folder)/chain.pem", keyFile: "\(folder)/edge-key.pem")
        #expect(chain.chain.count == 2)
        let configuration = try chain.serverConfiguration()
        #expect(configuration.minimumTLSVersion == .tlsv12)
        #expect(configuration.certificateChain.count == 2)
    }

    @Test("refused, naming the file: missing, not PEM, no certificate in it, a key that is not the certificate's, a key file that is no key, an expired certificate")
    func refused() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let certificate = "\(folder)/edge.pem"
        let key = "\(folder)/edge-key.pem"
        #expect(Self.problem("\(folder)/absent.pem", key) == .init(description: "\(folder)/absent.pem does not exist", inKeyFile: false))
        #expect(Self.problem(certificate, "\(folder)/absent-key.pem") == .init(description: "\(folder)/absent-key.pem does not exist", inKeyFile: true))
        try "not a certificate\n".write(toFile: "\(folder)/text.pem", atomically: true, encoding: .utf8)
        #expect(Self.problem("\(folder)/text.pem", key) == .init(
            description: "\(folder)/text.pem holds no certificate (expected -----BEGIN CERTIFICATE----- blocks)", inKeyFile: false))
        // A key where the certificate should be: PEM, but no certificate.
        #expect(Self.problem(key, key) == .init(
            description: "\(key) holds no certificate (expected -----BEGIN CERTIFICATE----- blocks)", inKeyFile: false))
        try "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".write(toFile: "\(folder)/broken.pem", atomically: true, encoding: .utf8)
        #expect(Self.problem("\(folder)/broken.pem", key) == .init(
            description: "certificate 1 of \(folder)/broken.pem is not a valid X.509 certificate", inKeyFile: false))
        #expect(Self.problem(certificate, "\(folder)/other-key.pem") == .init(
            description: "the private key in \(folder)/other-key.pem does not belong to the certificate in \(certificate)", inKeyFile: true))
        #expect(Self.problem(certificate, certificate) == .init(
            description: "\(certificate) is not a PEM private key (PKCS #8, SEC 1 or RSA)", inKeyFile: true))
        let later = Date().addingTimeInterval(31 * 86400)
        let expired = try #require(Self.problem(certificate, key, now: later))
        #expect(expired.inKeyFile == false)
        #expect(expired.description.hasPrefix("the certificate in \(certificate) expired on "))
    }

    @Test("clients trust the system's roots and a CA file's certificates; a CA file that is missing or holds none is refused by name")
    func clientTrust() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(ClientTrust.caFile(option: nil, environment: ["TESSERA_CA_FILE": "/etc/ca.pem"]) == "/etc/ca.pem")
        #expect(ClientTrust.caFile(option: "/opt/ca.pem", environment: ["TESSERA_CA_FILE": "/etc/ca.pem"]) == "/opt/ca.pem")
        #expect(ClientTrust.caFile(option: nil, environment: [:]) == nil)
        let plain = try ClientTrust.configuration(caFile: nil)
        #expect(plain.additionalTrustRoots.isEmpty)
        #expect(plain.minimumTLSVersion == .tlsv12)
        let extra = try ClientTrust.configuration(caFile: "\(folder)/ca.pem")
        #expect(extra.additionalTrustRoots.count == 1)
        #expect(throws: ServerCertificate.Problem(description: "CA file \(folder)/none.pem does not exist", inKeyFile: false)) {
            try ClientTrust.configuration(caFile: "\(folder)/none.pem")
        }
        #expect(throws: ServerCertificate.Problem(description: "CA file \(folder)/edge-key.pem holds no certificate (expected -----BEGIN CERTIFICATE----- blocks)", inKeyFile: false)) {
            try ClientTrust.configuration(caFile: "\(folder)/edge-key.pem")
        }
    }
}
