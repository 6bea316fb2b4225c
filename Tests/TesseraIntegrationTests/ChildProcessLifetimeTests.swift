import Foundation
import Logging
import Testing
import TesseraStorage
import TesseraTesting

/// Children of `tessera up` die with it: once a crash left the physics service and the embedded
/// PostgreSQL running, and the next `tessera up` attached to the stale physics.
@Suite("No child outlives the process that started it", .serialized)
struct ChildProcessLifetimeTests {
    static var binary: String { RegionNodeKillTests.repository.appendingPathComponent(".build/debug/tessera").path }

    /// Starts `command` under a shell that records the command's pid, and returns the shell's
    /// pid (the command's parent) and the command's pid.
    private func underShell(_ command: String, log: String) async throws -> (shell: pid_t, child: pid_t) {
        let pidFile = log + ".pid"
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let shell = try ChildProcess.spawn("/bin/sh", ["-c", "\(command) --parent-pid $$ & echo $! > \(pidFile); wait"], outputPath: log)
        let child = try await Eventually.value("the shell starts \(command)") {
            (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        return (shell, child)
    }

    /// True once `pid` has ended (gone, or a zombie nobody has reaped yet).
    private func hasEnded(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        return state == "Z" || state == "X"
    }

    private func waitUntilEnded(_ pid: pid_t, _ what: String) async throws {
        try await Eventually.until(what, timeout: .seconds(30)) { hasEnded(pid) }
    }

    @Test("the physics service ends when its parent is killed with SIGKILL")
    func physicsDiesWithItsParent() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw PhysicsTestFailure("\(Self.binary) is missing: build with `swift build --build-tests` first")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-lifetime-\(UUID().uuidString).toml")
        let log = file.path + ".log"
        defer { for path in [file.path, log] { try? FileManager.default.removeItem(atPath: path) } }
        let port = try await RegionNodeKillTests.freePort()
        try PhysicsServiceKillTests.config(port: port, secret: "lifetime-test-secret-0123").write(to: file, atomically: true, encoding: .utf8)
        let (shell, physics) = try await underShell("\(Self.binary) physics --config \(file.path) --log-level warning", log: log)
        defer { _ = kill(physics, SIGKILL) }
        // It runs while its parent lives: it gets as far as listening.
        try await Eventually.until("the service listens", timeout: .seconds(60)) {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("listening on") || hasEnded(physics)
        }
        #expect(!hasEnded(physics), "the service runs while its parent does: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        _ = kill(shell, SIGKILL)
        _ = ChildProcess.wait(shell)
        try await waitUntilEnded(physics, "the service ends after its parent was killed")
    }

    @Test("the embedded PostgreSQL is stopped when the process that started it is killed")
    func postgresStopsWithItsParent() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw PhysicsTestFailure("\(Self.binary) is missing: build with `swift build --build-tests` first")
        }
        var logger = Logger(label: "tessera.lifetime-test")
        logger.logLevel = .warning
        let directory = NSTemporaryDirectory() + "tessera-lifetime-pg-\(UUID().uuidString)"
        let postgres = try await EmbeddedPostgres.start(dataDirectory: directory, durable: false, logger: logger)
        defer { postgres.destroy() }
        let pidFile = directory + "/cluster/postmaster.pid"
        let postmaster = try #require(
            (try? String(contentsOfFile: pidFile, encoding: .utf8))?.split(separator: "\n").first.flatMap { pid_t($0) })
        let log = NSTemporaryDirectory() + "tessera-lifetime-guard-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let (shell, guardian) = try await underShell("\(Self.binary) guard-postgres --data \(directory)", log: log)
        defer { _ = kill(guardian, SIGKILL) }
        #expect(!hasEnded(guardian) && !hasEnded(postmaster), "the guard and the server run while the guarded process lives")
        _ = kill(shell, SIGKILL)
        _ = ChildProcess.wait(shell)
        try await waitUntilEnded(guardian, "the guard ends")
        try await waitUntilEnded(postmaster, "the server is stopped")
    }
}
