import Foundation
import Testing
import TesseraTLS
import X509

/// The grid's authority and node certificates: what they name, and what a peer refuses (another
/// authority, an expired certificate, the wrong role).
@Suite struct GridCertificatesTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func authority(_ name: String = "Test Grid") throws -> (GridCertificates.Issued, Certificate) {
        let issued = try GridCertificates.makeAuthority(gridName: name, now: now)
        return (issued, try GridCertificates.readCertificate(issued.certificatePEM, "ca"))
    }

    static func node(_ name: String, _ role: GridCertificates.Role, hosts: [String] = ["127.0.0.1", "node.example"], days: Int = 30,
                     by authority: GridCertificates.Issued) throws -> Certificate {
        let issued = try GridCertificates.issue(
            node: name, role: role, hosts: hosts, days: days, now: now,
            authorityCertificatePEM: authority.certificatePEM, authorityKeyPEM: authority.privateKeyPEM)
        #expect(issued.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        return try GridCertificates.readCertificate(issued.certificatePEM, name)
    }

    @Test("a node certificate names its node, role and hosts, and is accepted for its role")
    func issuedAndAccepted() async throws {
        let (ca, caCertificate) = try Self.authority()
        let region = try Self.node("node-1", .region, hosts: ["10.0.0.7", "::1", "region-1.grid.example"], by: ca)
        let identity = try GridCertificates.identity(of: region)
        #expect(identity == .init(node: "node-1", role: .region, hosts: ["10.0.0.7", "0:0:0:0:0:0:0:1", "region-1.grid.example"]))
        #expect(await GridCertificates.check(region, authority: caCertificate, roles: [.region], now: Self.now) == nil)
        #expect(await GridCertificates.check(region, authority: caCertificate, roles: [.region, .tool], now: Self.now.addingTimeInterval(29 * 86400)) == nil)
    }

    @Test("refused: the wrong role, another grid's authority, an expired certificate, one not yet valid")
    func refused() async throws {
        let (ca, caCertificate) = try Self.authority()
        let region = try Self.node("node-1", .region, by: ca)
        let wrongRole = await GridCertificates.check(region, authority: caCertificate, roles: [.grid], now: Self.now)
        #expect(wrongRole == "certificate of node-1 is for role region, not grid")

        let (other, _) = try Self.authority("Other Grid")
        let stranger = try Self.node("node-1", .grid, by: other)
        let foreign = await GridCertificates.check(stranger, authority: caCertificate, roles: [.grid], now: Self.now)
        #expect(foreign?.hasPrefix("certificate of") == true && foreign?.contains("not valid") == true, "\(foreign ?? "accepted")")

        let expired = await GridCertificates.check(region, authority: caCertificate, roles: [.region], now: Self.now.addingTimeInterval(31 * 86400))
        #expect(expired?.contains("not valid") == true, "\(expired ?? "accepted")")
        let early = await GridCertificates.check(region, authority: caCertificate, roles: [.region], now: Self.now.addingTimeInterval(-3600))
        #expect(early?.contains("not valid") == true, "\(early ?? "accepted")")
    }

    @Test("a node certificate cannot sign another: only the authority issues")
    func nodeIsNoAuthority() throws {
        let (ca, _) = try Self.authority()
        let issued = try GridCertificates.issue(
            node: "node-1", role: .region, hosts: [], now: Self.now, authorityCertificatePEM: ca.certificatePEM, authorityKeyPEM: ca.privateKeyPEM)
        #expect(throws: GridCertificates.Problem.notAnAuthority) {
            try GridCertificates.issue(
                node: "evil", role: .grid, hosts: [], now: Self.now,
                authorityCertificatePEM: issued.certificatePEM, authorityKeyPEM: issued.privateKeyPEM)
        }
    }

    @Test("bad input is refused with what was wrong")
    func badInput() throws {
        let (ca, _) = try Self.authority()
        func issue(_ node: String, hosts: [String] = [], days: Int = 30) throws {
            _ = try GridCertificates.issue(
                node: node, role: .region, hosts: hosts, days: days, now: Self.now,
                authorityCertificatePEM: ca.certificatePEM, authorityKeyPEM: ca.privateKeyPEM)
        }
        #expect(throws: GridCertificates.Problem.invalidName("")) { try issue("") }
        #expect(throws: GridCertificates.Problem.invalidName("a b")) { try issue("a b") }
        #expect(throws: GridCertificates.Problem.invalidName("nöde")) { try issue("nöde") }
        #expect(throws: GridCertificates.Problem.invalidHost("bad host")) { try issue("n", hosts: ["bad host"]) }
        #expect(throws: GridCertificates.Problem.invalidHost("-x.example")) { try issue("n", hosts: ["-x.example"]) }
        #expect(throws: GridCertificates.Problem.invalidLifetime(0)) { try issue("n", days: 0) }
        #expect(throws: GridCertificates.Problem.unreadable("the authority's certificate")) {
            _ = try GridCertificates.issue(node: "n", role: .region, hosts: [], authorityCertificatePEM: "junk", authorityKeyPEM: ca.privateKeyPEM)
        }
        #expect(throws: GridCertificates.Problem.unreadable("the authority's private key")) {
            _ = try GridCertificates.issue(node: "n", role: .region, hosts: [], authorityCertificatePEM: ca.certificatePEM, authorityKeyPEM: "junk")
        }
        #expect(throws: GridCertificates.Problem.invalidLifetime(40000)) { _ = try GridCertificates.makeAuthority(gridName: "g", days: 40000) }
    }
}

/// The files of `tessera certs`: keys owner-only, an authority never replaced, a node renewed.
@Suite struct CertificateFilesTests {
    @Test("init writes the authority once with an owner-only key; issue writes and renews a node's pair")
    func files() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-certs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = CertificateFiles(directory: folder)
        #expect(throws: CertificateFiles.Problem.self) { _ = try files.readAuthority() }
        try files.writeAuthority(try GridCertificates.makeAuthority(gridName: "Files"))
        func mode(_ path: String) throws -> Int { try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) }
        #expect(try mode(files.authorityKey) == 0o600)
        #expect(try mode(files.authorityCertificate) == 0o644)
        let first = try String(contentsOfFile: files.authorityCertificate, encoding: .utf8)
        #expect(throws: CertificateFiles.Problem.self) { try files.writeAuthority(try GridCertificates.makeAuthority(gridName: "Again")) }
        #expect(try String(contentsOfFile: files.authorityCertificate, encoding: .utf8) == first, "the authority stays")

        let authority = try files.readAuthority()
        for _ in 0..<2 {
            let issued = try GridCertificates.issue(
                node: "edge-1", role: .clientManager, hosts: ["127.0.0.1"], authorityCertificatePEM: authority.certificate, authorityKeyPEM: authority.key)
            try files.writeNode("edge-1", issued)
            #expect(try String(contentsOfFile: files.certificate("edge-1"), encoding: .utf8) == issued.certificatePEM)
        }
        #expect(try mode(files.key("edge-1")) == 0o600)
        let certificate = try GridCertificates.readCertificate(try String(contentsOfFile: files.certificate("edge-1"), encoding: .utf8), "edge-1")
        #expect(try GridCertificates.identity(of: certificate) == .init(node: "edge-1", role: .clientManager, hosts: ["127.0.0.1"]))
    }
}
