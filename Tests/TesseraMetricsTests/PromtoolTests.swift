import Foundation
import Metrics
import Testing
import TesseraMetrics

/// `promtool check metrics` (Debian package `prometheus`) accepts every metric of the
/// catalogue without a lint warning. Skipped without promtool, except under CI, where a
/// missing promtool fails the test.
@Suite struct PromtoolTests {
    static let promtool: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/promtool" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static let required = ProcessInfo.processInfo.environment["CI"] != nil

    @Test(.enabled(if: promtool != nil || required, "promtool is not installed (apt-get install prometheus)"))
    func everyCataloguedMetricPassesPromtool() throws {
        let promtool = try #require(Self.promtool, "CI is set but promtool is not installed (apt-get install prometheus)")
        TesseraMetrics.bootstrap()
        for description in MetricCatalogue.all {
            Self.recordSample(of: description)
        }
        let text = Self.tesseraFamilies(of: TesseraMetrics.render())
        for description in MetricCatalogue.all {
            #expect(text.contains("# HELP \(description.name) "), "\(description.name) has no HELP line")
            #expect(text.contains("# TYPE \(description.name) \(description.kind.prometheusType)\n"))
        }

        let (status, output) = try Self.run(promtool, ["check", "metrics"], input: text)
        #expect(status == 0, "promtool check metrics exited \(status): \(output)")
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "promtool: \(output)")
    }

    /// One recorded value of the metric, with label values of this test.
    private static func recordSample(of description: MetricDescription) {
        let dimensions = description.labels.map { ($0, "promtool") }
        switch description.kind {
        case .counter: Counter(label: description.name, dimensions: dimensions).increment()
        case .gauge: Gauge(label: description.name, dimensions: dimensions).record(1)
        case .timeHistogram: Metrics.Timer(label: description.name, dimensions: dimensions).recordMilliseconds(12)
        case .valueHistogram: Recorder(label: description.name, dimensions: dimensions).record(3)
        }
    }

    /// The lines of the `tessera_` families only: other tests of the process record metrics
    /// outside the catalogue on purpose.
    private static func tesseraFamilies(of text: String) -> String {
        text.split(separator: "\n").filter { line in
            let name = line.hasPrefix("# ") ? line.split(separator: " ").dropFirst(2).first ?? "" : line
            return name.hasPrefix("tessera_")
        }.joined(separator: "\n") + "\n"
    }

    private static func run(_ executable: String, _ arguments: [String], input: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe()
        let output = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = output
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
