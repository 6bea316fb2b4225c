import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraWorld

/// The pause avatars see during a live region migration, beside the ordinary gap between two
/// updates in the same run (docs/benchmarks.md, "Live region migration"). A measurement, not a
/// check: it runs only with `TESSERA_BENCH_MIGRATION=1` (moves, clients: `TESSERA_BENCH_MOVES`,
/// `TESSERA_BENCH_CLIENTS`), and prints its figures.
@Suite("Live region migration: the pause clients see", .serialized, .enabled(if: ProcessInfo.processInfo.environment["TESSERA_BENCH_MIGRATION"] == "1"))
struct MigrationPauseBenchmark {
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    static func line(_ what: String, _ values: [Double]) -> String {
        String(format: "%@: p50 %.0f ms  p99 %.0f ms  max %.0f ms  (%d samples)", what, percentile(values, 0.5), percentile(values, 0.99), values.max() ?? 0, values.count)
    }

    @Test("moves a region between two nodes under moving clients and prints the gaps they see, beside the same window without a move")
    func pauses() async throws {
        let environment = ProcessInfo.processInfo.environment
        let moves = environment["TESSERA_BENCH_MOVES"].flatMap(Int.init) ?? 20
        let count = environment["TESSERA_BENCH_CLIENTS"].flatMap(Int.init) ?? 100
        let grid = try await ScenarioGrid.start(
            migrationsDirectory: migrationsDirectory, layout: [[RegionMigrationTests.plaza], [RegionMigrationTests.far]])
        do {
            let operations = try #require(grid.gridServices).operations
            let clients = try await RegionMigrationTests.clients(count, grid, operations)
            // One client walks to and fro in everyone's view, so each gets an update at every
            // update tick (the others stand: the load is the move's, not a crowd's).
            let walking = Task {
                var heading: Float = 0
                while !Task.isCancelled {
                    try? await clients[0].send(.move(Move(mode: .walk, headingRadians: heading)))
                    heading = heading == 0 ? .pi : 0
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            try await Task.sleep(for: .seconds(2))
            let (console, token) = try await AdminConsoleTests.gridConsole(grid, operations)
            let window = Duration.seconds(2)
            @Sendable func millis(_ duration: Duration) -> Double {
                Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
            }
            let (baseline, seen, server) = try await console.makeApplication().test(.live) { http -> ([Double], [Double], [Double]) in
                var baseline: [Double] = []
                var seen: [Double] = []
                var server: [Double] = []
                for move in 0..<moves {
                    // The same window without a move: the ordinary longest gap.
                    for client in clients { _ = client.takeLongestGap() }
                    try await Task.sleep(for: window)
                    baseline += clients.map { millis($0.takeLongestGap()) }
                    // A window with a move in it.
                    let started = ContinuousClock.now
                    let to = move.isMultiple(of: 2) ? "scenario-node-2" : "scenario-node-1"
                    let response = try await AdminConsoleGridTests.post(http, "/regions/Plaza/move", token, #"{"to":"\#(to)"}"#)
                    #expect(response.status == .ok, "\(String(buffer: response.body))")
                    server.append(try AdminConsoleGridTests.decode(RegionMigrationTests.Moved.self, response).pause_ms)
                    try await Task.sleep(until: started + window)
                    seen += clients.map { millis($0.takeLongestGap()) }
                }
                return (baseline, seen, server)
            }
            walking.cancel()
            let disconnected = clients.filter(\.isFinished).count
            print("live region migration, \(count) clients (one walking), \(moves) moves between two nodes (2 s windows):")
            print(Self.line("  longest gap a client sees in a window with a move   ", seen))
            print(Self.line("  longest gap a client sees in a window without a move", baseline))
            print(Self.line("  the region's pause, as the source measures it       ", server))
            print("  clients disconnected: \(disconnected)")
            #expect(disconnected == 0)
            for client in clients { await client.close() }
        } catch {
            await grid.stop()
            throw error
        }
        await grid.stop()
    }
}
