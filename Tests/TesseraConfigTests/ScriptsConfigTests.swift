import Testing
@testable import TesseraConfig

/// `[scripts]`: where the script service listens and how it budgets a region's scripts.
@Suite struct ScriptsConfigTests {
    static let base = """
        [grid]
        name = "G"
        secret = "0123456789abcdef"
        [[region_node]]
        name = "n"
        port = 1
          [[region_node.region]]
          name = "R"
          position = [1, 1]
        [[client_manager]]
        name = "m"
        port = 2

        """

    @Test func theTableIsReadWithItsDefaults() throws {
        let config = try GridConfig.parse(Self.base + "[scripts]\nport = 9310\n", file: "t.toml")
        #expect(config.scripts == ScriptServiceConfig(name: "scripts", host: "127.0.0.1", port: 9310, frameBudgetMicros: 4000, sliceInstructions: 2000))
        #expect(try GridConfig.parse(Self.base, file: "t.toml").scripts == nil)
    }

    @Test func everyKeyIsRead() throws {
        let text = Self.base + """
            [scripts]
            name = "s1"
            host = "0.0.0.0"
            port = 9310
            frame_budget_micros = 2500
            slice_instructions = 500
            metrics_port = 9295
            """
        // A host beyond loopback: the links are TLS, and the secret comes from the environment.
        let config = try GridConfig.parse(text + "\n[tls]\ndirectory = \"certs\"\n", file: "t.toml", environment: ["TESSERA_GRID_SECRET": "0123456789abcdef"])
        #expect(config.scripts == ScriptServiceConfig(
            name: "s1", host: "0.0.0.0", port: 9310, frameBudgetMicros: 2500, sliceInstructions: 500, metricsPort: 9295))
    }

    @Test func badValuesNameTheirKey() {
        #expect(throws: ConfigError(file: "t.toml", key: "scripts.frame_budget_micros", problem: "expected an integer in 100...100000, found 0")) {
            _ = try GridConfig.parse(Self.base + "[scripts]\nport = 9310\nframe_budget_micros = 0\n", file: "t.toml")
        }
        #expect(throws: ConfigError(file: "t.toml", key: "scripts.metrics_port", problem: "port 9310 is already scripts.port on 127.0.0.1")) {
            _ = try GridConfig.parse(Self.base + "[scripts]\nport = 9310\nmetrics_port = 9310\n", file: "t.toml")
        }
    }
}
