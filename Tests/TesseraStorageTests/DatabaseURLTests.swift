import Testing
import TesseraStorage

/// `[database] url` as `DatabaseSettings` reads it: the server, and TLS in libpq's words.
@Suite struct DatabaseURLTests {
    @Test func plainURL() throws {
        let settings = try DatabaseSettings(url: "postgres://tessera:secret@10.77.0.2:5433/grid")
        #expect(settings == DatabaseSettings(host: "10.77.0.2", port: 5433, user: "tessera", password: "secret", database: "grid"))
        #expect(settings.tlsMode == .disable)
    }

    @Test func tlsModes() throws {
        #expect(try DatabaseSettings(url: "postgres://t@db/grid?sslmode=require").tlsMode == .require)
        let verified = try DatabaseSettings(url: "postgresql://t@db.example/grid?sslmode=verify-full&sslrootcert=/etc/tessera/db-ca.pem")
        #expect(verified.tlsMode == .verifyFull)
        #expect(verified.rootCertificate == "/etc/tessera/db-ca.pem")
        #expect(verified.port == 5432)
    }

    @Test func badOptionsAreNamed() {
        #expect(throws: DatabaseSettingsError.invalidOption("sslmode", "expected disable, require or verify-full, not prefer")) {
            _ = try DatabaseSettings(url: "postgres://t@db/grid?sslmode=prefer")
        }
        #expect(throws: DatabaseSettingsError.invalidOption("application_name", "the URL takes only sslmode and sslrootcert")) {
            _ = try DatabaseSettings(url: "postgres://t@db/grid?application_name=x")
        }
        #expect(throws: DatabaseSettingsError.invalidOption("sslrootcert", "only with sslmode=verify-full")) {
            _ = try DatabaseSettings(url: "postgres://t@db/grid?sslrootcert=/ca.pem")
        }
    }
}
