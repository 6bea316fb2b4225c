import Foundation
import Logging
import NIOCore
import NIOSSL
import Synchronization
import TesseraTLS
import X509

/// A process's identity on the grid's wire links when the grid runs with certificates
/// (`[tls]`, docs/security.md): its certificate and key, issued by the grid's authority for one
/// role, and the authority every peer's certificate must chain to. With it every Tessera wire
/// link is mutual TLS 1.3: each side presents its certificate, and each checks the other's
/// chain, validity and role before a single wire frame is read. The grid secret is then not
/// needed; the `Hello` must name the role and node of the certificate.
public struct WireTLS: Sendable {
    /// The node and role this process's certificate names.
    public let node: String
    public let role: WireRole
    let authority: Certificate
    let serverContext: NIOSSLContext
    let clientContext: NIOSSLContext
    let logger: Logger

    /// Loads `NODE.pem` and `NODE-key.pem` from the certificate folder (`CertificateFiles`) and
    /// its `ca.pem`. The certificate must be for `role`: a region node cannot start with a grid
    /// certificate by mistake, and the error says which file is wrong.
    public static func load(directory: String, node: String, role: WireRole, logger: Logger) throws -> WireTLS {
        let files = CertificateFiles(directory: directory)
        let authorityPEM = try read(files.authorityCertificate)
        let certificatePEM = try read(files.certificate(node))
        let keyPEM = try read(files.key(node))
        return try WireTLS(authorityPEM: authorityPEM, certificatePEM: certificatePEM, keyPEM: keyPEM, role: role, logger: logger,
                           source: files.certificate(node))
    }

    /// From PEM text: the authority's certificate, the node's certificate and its private key.
    public init(authorityPEM: String, certificatePEM: String, keyPEM: String, role: WireRole, logger: Logger, source: String = "the node certificate") throws {
        let authority = try GridCertificates.readCertificate(authorityPEM, "the grid's authority certificate")
        let certificate = try GridCertificates.readCertificate(certificatePEM, source)
        let identity: GridCertificates.NodeIdentity
        do { identity = try GridCertificates.identity(of: certificate) } catch {
            throw WireTLSError.wrongCertificate("\(source) names no Tessera role")
        }
        guard identity.role.rawValue == role.description else {
            throw WireTLSError.wrongCertificate("\(source) is for role \(identity.role), but this process is a \(role)")
        }
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        let trust: NIOSSLCertificate
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
            key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
            trust = try NIOSSLCertificate(bytes: Array(authorityPEM.utf8), format: .pem)
        } catch {
            throw WireTLSError.wrongCertificate("cannot load \(source) or its key: \(error)")
        }
        // Peers are checked by `verify` (chain to the grid's authority, validity, role); asking
        // for the certificate makes the accepting side require one.
        func secured(_ base: TLSConfiguration) -> TLSConfiguration {
            var configuration = base
            configuration.minimumTLSVersion = .tlsv13
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates([trust])
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(key)
            return configuration
        }
        let server = secured(TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        let client = secured(TLSConfiguration.makeClientConfiguration())
        do {
            serverContext = try NIOSSLContext(configuration: server)
            clientContext = try NIOSSLContext(configuration: client)
        } catch {
            throw WireTLSError.wrongCertificate("\(source) and its key do not form a usable TLS identity: \(error)")
        }
        self.authority = authority
        self.node = identity.node
        self.role = role
        self.logger = logger
    }

    private static func read(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw WireTLSError.missingFile(path)
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw WireTLSError.missingFile(path) }
        return text
    }

    /// Checks a peer's presented chain (leaf first) against the authority, the clock and
    /// `roles`; the outcome goes to `promise`, and the identity to `peer` when accepted.
    func verify(
        _ presented: [NIOSSLCertificate], roles: Set<WireRole>, peer: CertifiedPeerBox, remote: String, accepting: Bool,
        promise: EventLoopPromise<NIOSSLVerificationResult>
    ) {
        let authority = authority
        let logger = logger
        let leaf: Certificate
        do {
            guard let first = presented.first else { throw WireTLSError.wrongCertificate("no certificate") }
            leaf = try Certificate(derEncoded: try first.toDERBytes())
        } catch {
            let problem = "presented no readable certificate"
            peer.refuse(problem)
            if accepting { logger.warning("refused wire peer \(remote): \(problem)") }
            promise.succeed(.failed)
            return
        }
        let wanted = Set(roles.compactMap { GridCertificates.Role(rawValue: $0.description) })
        Task {
            if let problem = await GridCertificates.check(leaf, authority: authority, roles: wanted) {
                peer.refuse(problem)
                if accepting {
                    logger.warning("refused wire peer \(remote): \(problem)")
                } else {
                    logger.warning("refused wire link to \(remote): \(problem)")
                }
                promise.succeed(.failed)
                return
            }
            guard let identity = try? GridCertificates.identity(of: leaf), let role = WireRole(certificateRole: identity.role) else {
                peer.refuse("the certificate names no wire role")
                promise.succeed(.failed)
                return
            }
            peer.certify(CertifiedPeer(node: identity.node, role: role))
            promise.succeed(.certificateVerified)
        }
    }

    /// The accepting side's TLS handler for a connection from `remote`, admitting `roles`.
    func serverHandler(roles: Set<WireRole>, peer: CertifiedPeerBox, remote: String) -> NIOSSLServerHandler {
        NIOSSLServerHandler(context: serverContext) { presented, promise in
            self.verify(presented, roles: roles, peer: peer, remote: remote, accepting: true, promise: promise)
        }
    }

    /// The connecting side's TLS handler for a link to a peer of one of `roles` at `remote`.
    func clientHandler(roles: Set<WireRole>, peer: CertifiedPeerBox, remote: String) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: clientContext, serverHostname: nil) { presented, promise in
            self.verify(presented, roles: roles, peer: peer, remote: remote, accepting: false, promise: promise)
        }
    }

    /// What a dial needs: this identity and the roles the dialed peer may have.
    public func dialing(_ roles: WireRole...) -> Dialing {
        Dialing(tls: self, roles: Set(roles))
    }

    public struct Dialing: Sendable {
        public let tls: WireTLS
        public let roles: Set<WireRole>
    }
}

/// A peer whose certificate passed the TLS handshake's check.
public struct CertifiedPeer: Sendable, Equatable {
    public var node: String
    public var role: WireRole

    public init(node: String, role: WireRole) {
        self.node = node
        self.role = role
    }
}

/// What the TLS check of one connection found, for the `Hello` check that follows it and for
/// the dial's error.
final class CertifiedPeerBox: Sendable {
    private let state = Mutex<(peer: CertifiedPeer?, problem: String?)>((nil, nil))

    func certify(_ peer: CertifiedPeer) { state.withLock { $0.peer = peer } }
    func refuse(_ problem: String) { state.withLock { $0.problem = problem } }
    var peer: CertifiedPeer? { state.withLock { $0.peer } }
    var problem: String? { state.withLock { $0.problem } }
}

public enum WireTLSError: Error, CustomStringConvertible, Equatable {
    case missingFile(String)
    case wrongCertificate(String)
    /// The dialed peer's certificate was not acceptable.
    case peerRefused(String, String)

    public var description: String {
        switch self {
        case .missingFile(let path): "cannot read \(path) (make it with `tessera certs`; docs/security.md)"
        case .wrongCertificate(let problem): problem
        case .peerRefused(let address, let problem): "the peer at \(address) is not trusted: \(problem)"
        }
    }
}

extension WireRole {
    /// The wire role a certificate's role grants; the console's certificates open no wire link.
    init?(certificateRole: GridCertificates.Role) {
        guard let role = WireRole.allCases.first(where: { $0.description == certificateRole.rawValue }) else { return nil }
        self = role
    }
}
