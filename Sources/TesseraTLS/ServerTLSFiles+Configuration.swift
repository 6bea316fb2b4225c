import NIOSSL
import TesseraConfig

extension ServerTLSFiles {
    /// The server side of TLS from the configured certificate and key, checked first: a
    /// missing, unreadable or malformed file, or a key that is not the certificate's, is a
    /// config error that names the key and the file.
    public func serverConfiguration() throws -> TLSConfiguration {
        do {
            return try ServerCertificate.read(certificateFile: certificate, keyFile: key).serverConfiguration()
        } catch let problem as ServerCertificate.Problem {
            throw error(aboutKey: problem.inKeyFile, problem.description)
        } catch {
            throw self.error(aboutKey: false, "cannot use \(certificate) and \(key) for TLS: \(error)")
        }
    }
}
