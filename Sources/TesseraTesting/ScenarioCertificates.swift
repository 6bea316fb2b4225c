import Foundation
import Logging
import TesseraTLS
import TesseraWire

/// A grid authority made in memory for a test grid, and the wire identity of each of its
/// processes, issued on demand by name and role (as `tessera certs` would on disk).
public struct ScenarioCertificates: Sendable {
    public let authority: GridCertificates.Issued

    public init() throws {
        authority = try GridCertificates.makeAuthority(gridName: "Scenario")
    }

    public func identity(_ node: String, _ role: WireRole, logger: Logger) throws -> WireTLS {
        let issued = try GridCertificates.issue(
            node: node, role: GridCertificates.Role(rawValue: role.description)!, hosts: ["127.0.0.1"],
            authorityCertificatePEM: authority.certificatePEM, authorityKeyPEM: authority.privateKeyPEM)
        return try WireTLS(
            authorityPEM: authority.certificatePEM, certificatePEM: issued.certificatePEM, keyPEM: issued.privateKeyPEM, role: role, logger: logger,
            source: "\(node).pem")
    }
}
