import Testing
import TesseraConfig

/// The certificates of the public ports: `tls_certificate` / `tls_key` on `[[client_manager]]`,
/// `console_tls_certificate` / `console_tls_key` on `[grid_services]`; both or neither, paths
/// relative to the config's folder.
@Suite struct EdgeTLSConfigTests {
    static let services = """

        [grid_services]
        port = 9200
        console_port = 9280
        """

    @Test("absent: plain ws:// and http://")
    func absent() throws {
        let config = try GridConfig.parse(ConfigSamples.full + Self.services, file: ConfigSamples.file)
        #expect(config.clientManagers[0].tls == nil)
        #expect(config.clientManagers[0].url == "ws://0.0.0.0:9000/ws")
        #expect(config.gridServices?.consoleTLS == nil)
    }

    @Test("both keys: the files, the keys they came from, wss:// in the client URL; relative paths resolve against the config's folder")
    func both() throws {
        let text = ConfigSamples.full(inserting: "tls_certificate = \"certs/edge-public.pem\"\ntls_key = \"/etc/tessera/edge-public-key.pem\"", after: "port = 9000")
            + Self.services + "\nconsole_tls_certificate = \"console.pem\"\nconsole_tls_key = \"console-key.pem\"\n"
        var config = try GridConfig.parse(text, file: ConfigSamples.file)
        let edge = try #require(config.clientManagers[0].tls)
        #expect(edge == ServerTLSFiles(
            certificate: "certs/edge-public.pem", key: "/etc/tessera/edge-public-key.pem", configFile: ConfigSamples.file,
            certificateSetting: "client_manager[0].tls_certificate", keySetting: "client_manager[0].tls_key"))
        #expect(config.clientManagers[0].url == "wss://0.0.0.0:9000/ws")
        #expect(config.gridServices?.consoleTLS?.certificateSetting == "grid_services.console_tls_certificate")
        config.resolveCertificatePaths(with: GridPaths(configDirectory: "/srv/grid/grid-config", executableDirectory: nil, currentDirectory: "/home/op"))
        #expect(config.clientManagers[0].tls?.certificate == "/srv/grid/grid-config/certs/edge-public.pem")
        #expect(config.clientManagers[0].tls?.key == "/etc/tessera/edge-public-key.pem")
        #expect(config.gridServices?.consoleTLS?.certificate == "/srv/grid/grid-config/console.pem")
        #expect(config.gridServices?.consoleTLS?.key == "/srv/grid/grid-config/console-key.pem")
    }

    @Test("one key without the other is an error that names the missing one")
    func onlyOne() throws {
        let certificateOnly = ConfigSamples.full(inserting: "tls_certificate = \"edge.pem\"", after: "port = 9000")
        let error = try #require(throws: ConfigError.self) { try GridConfig.parse(certificateOnly, file: ConfigSamples.file) }
        #expect(error == ConfigError(
            file: ConfigSamples.file, key: "client_manager[0].tls_key",
            problem: "missing; client_manager[0].tls_certificate is set, and a certificate needs its private key (set both or neither)"))
        let keyOnly = ConfigSamples.full + Self.services + "\nconsole_tls_key = \"console-key.pem\"\n"
        let consoleError = try #require(throws: ConfigError.self) { try GridConfig.parse(keyOnly, file: ConfigSamples.file) }
        #expect(consoleError == ConfigError(
            file: ConfigSamples.file, key: "grid_services.console_tls_certificate",
            problem: "missing; grid_services.console_tls_key is set, and a private key needs its certificate (set both or neither)"))
    }

    @Test("a file's problem is reported against the key it came from")
    func problemsNameTheKey() throws {
        let files = ServerTLSFiles(
            certificate: "/c.pem", key: "/k.pem", configFile: "grid.toml",
            certificateSetting: "client_manager[1].tls_certificate", keySetting: "client_manager[1].tls_key")
        #expect(files.error(aboutKey: true, "bad").description == "grid.toml: client_manager[1].tls_key: bad")
        #expect(files.error(aboutKey: false, "bad").description == "grid.toml: client_manager[1].tls_certificate: bad")
    }
}
