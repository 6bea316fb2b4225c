import ArgumentParser
import NIOSSL
import TesseraTLS

/// What a tool trusts on https:// and wss://: the system's roots, and the authorities of
/// `--ca-file` (else `$TESSERA_CA_FILE`) beside them (docs/security.md, "Client and console ports").
struct TrustOptions: ParsableArguments {
    @Option(help: "A PEM file of certificate authorities to trust beside the system's for https:// and wss:// (default: $TESSERA_CA_FILE).")
    var caFile: String?

    /// The client side of TLS; a CA file that cannot be read is a usage error that names it.
    func tlsConfiguration() throws -> TLSConfiguration {
        do {
            return try ClientTrust.configuration(caFile: ClientTrust.caFile(option: caFile))
        } catch {
            throw ValidationError("--ca-file: \(error)")
        }
    }
}
