import Logging
import TesseraConfig
import TesseraWire

extension GridConfig {
    /// The wire identity of the process named `node` with `role`, when the grid runs with
    /// certificates (`[tls]`): `NODE.pem` and `NODE-key.pem` of the config's certificate folder.
    /// Nil without `[tls]` (links then use the grid secret).
    public func wireTLS(node: String, role: WireRole, logger: Logger) throws -> WireTLS? {
        guard let tls else { return nil }
        return try WireTLS.load(directory: tls.directory, node: node, role: role, logger: logger)
    }

    /// The identity of operator tools (`tessera bots`, `tessera status`): the certificate
    /// issued as `tool` (`tessera certs issue tool --role tool`).
    public func toolTLS(logger: Logger) throws -> WireTLS? {
        try wireTLS(node: "tool", role: .tool, logger: logger)
    }

    /// A tool's `Hello` name: under TLS it must be the certificate's node, with the tool's own
    /// name after a slash.
    public static func toolNodeName(_ name: String, tls: WireTLS?) -> String {
        tls.map { "\($0.node)/\(name)" } ?? name
    }
}
