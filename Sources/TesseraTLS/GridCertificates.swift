import Crypto
import Foundation
import SwiftASN1
// A fixed validation time for `check(now:)`, so that expiry can be checked at a given moment
// (tests, and a peer that reports what it saw at one time).
@_spi(FixedExpiryValidationTime) import X509

/// The grid's own certificate authority and the certificates of its nodes (docs/security.md).
///
/// The authority is made once (`tessera certs init`); each process of the grid gets a
/// certificate from it (`tessera certs issue NODE --role ROLE`) that names the node and its role,
/// so that a peer on a Tessera wire link knows not only that the other side belongs to the grid
/// but what it may do there: a region node's certificate cannot open a grid services link.
/// Keys are ECDSA P-256. Pure: nothing here touches the network.
public enum GridCertificates {
    /// The role a node certificate grants, in the certificate as the URI `tessera:role:NAME`.
    public enum Role: String, Sendable, CaseIterable, CustomStringConvertible {
        case grid
        case region
        case clientManager = "client-manager"
        case physics
        case scripts
        case console
        case tool

        public var description: String { rawValue }
        var uri: String { "tessera:role:\(rawValue)" }
    }

    /// A certificate and its private key, as PEM text.
    public struct Issued: Sendable {
        public var certificatePEM: String
        public var privateKeyPEM: String
    }

    /// What a certificate says about the node that holds it.
    public struct NodeIdentity: Sendable, Equatable {
        public var node: String
        public var role: Role
        public var hosts: [String]

        public init(node: String, role: Role, hosts: [String]) {
            self.node = node
            self.role = role
            self.hosts = hosts
        }
    }

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case invalidName(String)
        case invalidHost(String)
        case invalidLifetime(Int)
        case notAnAuthority
        case noRole
        case unreadable(String)

        public var description: String {
            switch self {
            case .invalidName(let name): "node name \"\(name)\" must be 1 to 63 letters, digits, '-', '_' or '.'"
            case .invalidHost(let host): "host \"\(host)\" is neither an IP address nor a DNS name"
            case .invalidLifetime(let days): "a certificate lives 1 to 36500 days, not \(days)"
            case .notAnAuthority: "the certificate given as the authority is not a certificate authority"
            case .noRole: "the certificate names no Tessera role (tessera:role:…)"
            case .unreadable(let what): "cannot read \(what)"
            }
        }
    }

    /// A new authority for the grid `gridName`, valid `days` days from `now`.
    public static func makeAuthority(gridName: String, days: Int = 3650, now: Date = Date()) throws -> Issued {
        guard (1...36500).contains(days) else { throw Problem.invalidLifetime(days) }
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName {
            OrganizationName("Tessera grid \(gridName)")
            CommonName("Tessera grid CA: \(gridName)")
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(Double(days) * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
            },
            issuerPrivateKey: key)
        return Issued(certificatePEM: try certificate.serializeAsPEM().pemString, privateKeyPEM: try key.serializeAsPEM().pemString)
    }

    /// A certificate for the node `node` in the role `role`, reachable at `hosts` (DNS names or
    /// IP addresses, for the peers that check them), signed by the authority.
    public static func issue(
        node: String, role: Role, hosts: [String], days: Int = 365, now: Date = Date(),
        authorityCertificatePEM: String, authorityKeyPEM: String
    ) throws -> Issued {
        guard isValidNodeName(node) else { throw Problem.invalidName(node) }
        guard (1...36500).contains(days) else { throw Problem.invalidLifetime(days) }
        let authority = try readCertificate(authorityCertificatePEM, "the authority's certificate")
        let authorityKey: Certificate.PrivateKey
        do { authorityKey = try Certificate.PrivateKey(pemEncoded: authorityKeyPEM) } catch { throw Problem.unreadable("the authority's private key") }
        guard case .isCertificateAuthority = try authority.extensions.basicConstraints else { throw Problem.notAnAuthority }
        var names: [GeneralName] = [.uniformResourceIdentifier(role.uri), .uniformResourceIdentifier("tessera:node:\(node)")]
        for host in hosts {
            if let address = ipAddressBytes(host) {
                names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(address))))
            } else if isDNSName(host) {
                names.append(.dnsName(host))
            } else {
                throw Problem.invalidHost(host)
            }
        }
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let subject = try DistinguishedName {
            OrganizationalUnitName(role.rawValue)
            CommonName(node)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-300),
            notValidAfter: min(now.addingTimeInterval(Double(days) * 86400), authority.notValidAfter),
            issuer: authority.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyAgreement: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames(names)
                SubjectKeyIdentifier(hash: key.publicKey)
                AuthorityKeyIdentifier(keyIdentifier: try authority.extensions.subjectKeyIdentifier?.keyIdentifier)
            },
            issuerPrivateKey: authorityKey)
        return Issued(certificatePEM: try certificate.serializeAsPEM().pemString, privateKeyPEM: try key.serializeAsPEM().pemString)
    }

    /// The node, role and hosts a certificate names.
    public static func identity(of certificate: Certificate) throws -> NodeIdentity {
        let names = try certificate.extensions.subjectAlternativeNames ?? SubjectAlternativeNames()
        var role: Role?
        var node: String?
        var hosts: [String] = []
        for name in names {
            switch name {
            case .uniformResourceIdentifier(let uri) where uri.hasPrefix("tessera:role:"):
                role = Role(rawValue: String(uri.dropFirst("tessera:role:".count)))
            case .uniformResourceIdentifier(let uri) where uri.hasPrefix("tessera:node:"):
                node = String(uri.dropFirst("tessera:node:".count))
            case .dnsName(let host):
                hosts.append(host)
            case .ipAddress(let bytes):
                hosts.append(ipAddressText(Array(bytes.bytes)))
            default:
                continue
            }
        }
        guard let role else { throw Problem.noRole }
        return NodeIdentity(node: node ?? "", role: role, hosts: hosts)
    }

    /// Why a peer's certificate is not acceptable for `roles`, or nil when it is: signed by the
    /// grid's authority, valid at `now`, and naming one of the roles.
    public static func check(_ certificate: Certificate, authority: Certificate, roles: Set<Role>, now: Date = Date()) async -> String? {
        let identity = try? identity(of: certificate)
        let name = identity.map(\.node).flatMap { $0.isEmpty ? nil : $0 } ?? "\(certificate.subject)"
        if now > certificate.notValidAfter {
            return "certificate of \(name) is not valid: it expired at \(Self.moment(certificate.notValidAfter))"
        }
        if now < certificate.notValidBefore {
            return "certificate of \(name) is not valid: it takes effect only at \(Self.moment(certificate.notValidBefore))"
        }
        var verifier = Verifier(rootCertificates: CertificateStore([authority])) {
            RFC5280Policy(fixedExpiryValidationTime: now)
        }
        switch await verifier.validate(leaf: certificate, intermediates: CertificateStore()) {
        case .validCertificate:
            break
        case .couldNotValidate(let failures):
            // The policy's reason quotes whole certificates; the node's name says enough.
            let reason = failures.first.map { "\($0.policyFailureReason)".replacingOccurrences(of: "Certificate \(certificate)", with: "the certificate") }
            return "certificate of \(name) is not valid: \(reason ?? "it is not signed by the grid's authority")"
        }
        guard let identity else { return "certificate of \(name) names no Tessera role" }
        guard roles.contains(identity.role) else {
            return "certificate of \(identity.node) is for role \(identity.role), not \(roles.map(\.rawValue).sorted().joined(separator: " or "))"
        }
        return nil
    }

    /// A moment as `2026-12-05 17:18:20 UTC`.
    static func moment(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: date)
    }

    public static func readCertificate(_ pem: String, _ what: String) throws -> Certificate {
        do { return try Certificate(pemEncoded: pem) } catch { throw Problem.unreadable(what) }
    }

    static func isValidNodeName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 63 && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }
    }

    static func isDNSName(_ host: String) -> Bool {
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return !host.isEmpty && host.utf8.count <= 253 && labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
        }
    }

    /// The 4 or 16 bytes of an IPv4 or IPv6 address in text, or nil.
    static func ipAddressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    static func ipAddressText(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: bytes.count - 1, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
    }
}
