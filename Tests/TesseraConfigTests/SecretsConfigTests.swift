import Foundation
import Testing
import TesseraConfig

/// Where the grid secret and the database password come from (docs/configuration.md,
/// "Secrets"), and the `[tls]` folder.
@Suite struct SecretsConfigTests {
    /// A folder with `files` in it, and the path of a config file inside it.
    private func folder(_ files: [String: String]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-secrets-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, text) in files.merging(["grid-secret": "0123456789abcdef-secret"], uniquingKeysWith: { own, _ in own }) { try text.write(toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8) }
        return folder + "/grid.toml"
    }

    private func parse(_ text: String, file: String = ConfigSamples.file, environment: [String: String] = [:]) throws -> GridConfig {
        try GridConfig.parse(text, file: file, environment: environment)
    }

    private func error(_ text: String, file: String = ConfigSamples.file, environment: [String: String] = [:]) -> ConfigError? {
        do {
            _ = try parse(text, file: file, environment: environment)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            return nil
        }
    }

    @Test func secretFileIsReadRelativeToTheConfigAndTrimmed() throws {
        let file = try folder(["s": "a-secret-from-a-file\n"])
        let text = ConfigSamples.full(replacing: "secret_file = \"grid-secret\"", with: "secret_file = \"s\"")
        #expect(try parse(text, file: file).grid.secret == "a-secret-from-a-file")
    }

    @Test func environmentWinsOverTheFile() throws {
        let config = try parse(ConfigSamples.full, environment: ["TESSERA_GRID_SECRET": "from-the-environment"])
        #expect(config.grid.secret == "from-the-environment")
    }

    @Test func inlineSecretIsRefusedBeyondLoopback() throws {
        let text = ConfigSamples.full(replacing: "secret_file = \"grid-secret\"", with: "secret = \"0123456789abcdef-secret\"")
        let refusal = try #require(error(text))
        #expect(refusal.key == "grid.secret")
        #expect(refusal.problem.contains("secret_file or TESSERA_GRID_SECRET"))
        // The same inline secret is fine when every host is loopback.
        #expect(try parse(ConfigSamples.minimal).grid.secret == "sixteen-chars-ok")
    }

    @Test func missingSecretFileNamesThePath() throws {
        let text = ConfigSamples.full(replacing: "secret_file = \"grid-secret\"", with: "secret_file = \"nowhere/secret\"")
        let refusal = try #require(error(text))
        #expect(refusal.key == "grid.secret_file")
        #expect(refusal.problem.contains("nowhere/secret"))
    }

    @Test func hostsBeyondLoopbackNeedTLS() throws {
        let plain = ConfigSamples.full(replacing: "[tls]\ndirectory = \"certs\"\n", with: "")
        let refusal = try #require(error(plain))
        #expect(refusal.key == "tls")
        #expect(refusal.problem.contains("region_node[0].host is 10.0.0.5"))
    }

    @Test func withTLSTheSecretIsOptional() throws {
        let without = ConfigSamples.full(replacing: "secret_file = \"grid-secret\"\n", with: "")
        let file = try folder([:])
        let config = try parse(without, file: file)
        #expect(config.grid.secret == "")
        let expected = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("certs").standardizedFileURL.path
        #expect(config.tls == TLSConfig(directory: expected))
        // Without TLS (a loopback grid) a secret is required.
        let refusal = try #require(error(ConfigSamples.minimal(replacing: "secret = \"sixteen-chars-ok\"\n", with: "")))
        #expect(refusal.key == "grid.secret")
        #expect(refusal.problem.contains("[tls]"))
    }

    @Test func secretWithAControlCharacterIsRefused() throws {
        let refusal = try #require(error(ConfigSamples.full, environment: ["TESSERA_GRID_SECRET": "0123456789abcdef\u{1}"]))
        #expect(refusal.key == "grid.secret")
        #expect(refusal.problem.contains("control"))
    }

    @Test func databasePasswordComesFromItsFileOrTheEnvironment() throws {
        let file = try folder(["db-password": "p@ss word/:x\n"])
        let text = ConfigSamples.full + "\n[database]\nurl = \"postgres://tessera@10.0.0.2:5432/tessera\"\npassword_file = \"db-password\"\n"
        let database = try parse(text, file: file).database
        // The config keeps no password; the URL to connect with reads the file.
        #expect(database.url == "postgres://tessera@10.0.0.2:5432/tessera")
        let url = try #require(try database.connectionURL())
        #expect(URLComponents(string: url)?.password == "p@ss word/:x")
        #expect(URLComponents(string: url)?.user == "tessera")
        #expect(URLComponents(string: url)?.host == "10.0.0.2")
        let fromEnvironment = try #require(try parse(text, file: file, environment: ["TESSERA_DATABASE_PASSWORD": "other"]).database.connectionURL())
        #expect(URLComponents(string: fromEnvironment)?.password == "other")
    }

    @Test func aHostWithoutThePasswordFileCanReadTheConfig() throws {
        let file = try folder([:])
        let text = ConfigSamples.full + "\n[database]\nurl = \"postgres://tessera@10.0.0.2/tessera\"\npassword_file = \"db-password\"\n"
        // A region node's host has no password file: the config loads; only opening the
        // database would need it, and says which file.
        let database = try parse(text, file: file).database
        let expected = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("db-password").standardizedFileURL.path
        #expect(throws: DatabasePasswordError(path: expected)) { _ = try database.connectionURL() }
    }

    @Test func passwordInTheURLIsRefused() throws {
        let text = ConfigSamples.full + "\n[database]\nurl = \"postgres://tessera:hunter2@10.0.0.2/tessera\"\n"
        let refusal = try #require(error(text))
        #expect(refusal.key == "database.url")
        #expect(refusal.problem.contains("password_file"))
        #expect(!refusal.description.contains("hunter2"))
    }

    @Test func passwordFileWithoutURLIsRefused() throws {
        let text = ConfigSamples.full + "\n[database]\npassword_file = \"db-password\"\n"
        let refusal = try #require(error(text))
        #expect(refusal.key == "database.password_file")
    }
}
