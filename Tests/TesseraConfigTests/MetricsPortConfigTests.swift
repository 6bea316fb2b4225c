import Testing
import TesseraConfig

/// `metrics_port` on `[[region_node]]`, `[[client_manager]]` and `[physics]`.
@Suite struct MetricsPortConfigTests {
    private static let physics = """

        [physics]
        port = 9300
        metrics_port = 9294
        """

    @Test func absentMeansNone() throws {
        let config = try GridConfig.parse(ConfigSamples.full, file: ConfigSamples.file)
        #expect(config.regionNodes.map(\.metricsPort) == [nil, nil])
        #expect(config.clientManagers[0].metricsPort == nil)
    }

    @Test func everyNodeKindReadsIt() throws {
        let text = ConfigSamples.full(inserting: "metrics_port = 9290", after: "port = 9100")
            .replacingOccurrences(of: "port = 9000", with: "port = 9000\nmetrics_port = 9293") + Self.physics
        let config = try GridConfig.parse(text, file: ConfigSamples.file)
        #expect(config.regionNodes.map(\.metricsPort) == [9290, nil])
        #expect(config.clientManagers[0].metricsPort == 9293)
        #expect(config.physics?.metricsPort == 9294)
    }

    @Test func outOfRangeNamesTheKey() throws {
        let text = ConfigSamples.full(inserting: "metrics_port = 70000", after: "port = 9101")
        let error = try #require(throws: ConfigError.self) { try GridConfig.parse(text, file: ConfigSamples.file) }
        #expect(error.key == "region_node[1].metrics_port")
        #expect(error.description.contains("0...65535"))
    }

    @Test func notAnIntegerNamesTheKey() throws {
        let text = ConfigSamples.full(inserting: "metrics_port = \"9290\"", after: "port = 9000")
        let error = try #require(throws: ConfigError.self) { try GridConfig.parse(text, file: ConfigSamples.file) }
        #expect(error.key == "client_manager[0].metrics_port")
        #expect(error.description.contains("expected an integer"))
    }

    @Test func clashWithAnotherPortOnTheSameHost() throws {
        let text = ConfigSamples.full(inserting: "metrics_port = 9100", after: "port = 9100")
        let error = try #require(throws: ConfigError.self) { try GridConfig.parse(text, file: ConfigSamples.file) }
        #expect(error.key == "region_node[0].metrics_port")
        #expect(error.description.contains("region_node[0].port"))
    }

    @Test func clashBetweenMetricsPorts() throws {
        let text = ConfigSamples.full(replacing: "host = \"10.0.0.6\"", with: "host = \"10.0.0.5\"")
            .replacingOccurrences(of: "port = 9100", with: "port = 9100\nmetrics_port = 9290")
            .replacingOccurrences(of: "port = 9101", with: "port = 9101\nmetrics_port = 9290")
        let error = try #require(throws: ConfigError.self) { try GridConfig.parse(text, file: ConfigSamples.file) }
        #expect(error.key == "region_node[1].metrics_port")
    }

    @Test func zeroNeverClashes() throws {
        let text = ConfigSamples.full
            .replacingOccurrences(of: "port = 9100", with: "port = 9100\nmetrics_port = 0")
            .replacingOccurrences(of: "port = 9000", with: "port = 9000\nmetrics_port = 0")
        let config = try GridConfig.parse(text, file: ConfigSamples.file)
        #expect(config.regionNodes[0].metricsPort == 0)
    }
}
