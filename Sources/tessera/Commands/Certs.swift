import ArgumentParser
import Foundation
import TesseraTLS

struct Certs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The grid's certificate authority and its nodes' certificates (docs/security.md).",
        subcommands: [InitCertificates.self, IssueCertificate.self]
    )
}

struct InitCertificates: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Make the grid's certificate authority: DIR/ca.pem and DIR/ca-key.pem (0600).",
        discussion: "Made once per grid; keep ca-key.pem off the nodes (only `tessera certs issue` needs it)."
    )

    @Option(help: "The folder of the grid's certificates.")
    var dir = "certs"

    @Option(help: "The grid's name, in the authority's subject.")
    var grid = "Tessera"

    @Option(help: "Days the authority is valid.")
    var days = 3650

    func run() async throws {
        let files = CertificateFiles(directory: dir)
        do {
            try files.writeAuthority(try GridCertificates.makeAuthority(gridName: grid, days: days))
        } catch {
            throw ValidationError("\(error)")
        }
        print("made the grid's certificate authority: \(files.authorityCertificate) (key \(files.authorityKey), owner-only)")
    }
}

struct IssueCertificate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue a node's certificate for one role: DIR/NODE.pem and DIR/NODE-key.pem (0600).",
        discussion: "Roles: \(GridCertificates.Role.allCases.map(\.rawValue).joined(separator: ", ")). Issuing again renews."
    )

    @Argument(help: "The node's name (as in the grid config).")
    var node: String

    @Option(help: "The role the certificate grants.")
    var role: String

    @Option(name: .customLong("host"), help: "A DNS name or IP address peers reach the node at (repeatable).")
    var hosts: [String] = []

    @Option(help: "The folder of the grid's certificates.")
    var dir = "certs"

    @Option(help: "Days the certificate is valid.")
    var days = 365

    func run() async throws {
        guard let role = GridCertificates.Role(rawValue: role) else {
            throw ValidationError("--role must be one of \(GridCertificates.Role.allCases.map(\.rawValue).joined(separator: ", ")), not \(role)")
        }
        let files = CertificateFiles(directory: dir)
        do {
            let authority = try files.readAuthority()
            let issued = try GridCertificates.issue(
                node: node, role: role, hosts: hosts, days: days, authorityCertificatePEM: authority.certificate, authorityKeyPEM: authority.key)
            try files.writeNode(node, issued)
        } catch {
            throw ValidationError("\(error)")
        }
        print("issued \(node) as \(role): \(files.certificate(node)) (key \(files.key(node)), owner-only)")
    }
}
