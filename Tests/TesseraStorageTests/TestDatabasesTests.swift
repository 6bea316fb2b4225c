import Foundation
import Testing
@testable import TesseraStorage
import TesseraTesting

@Suite("Throwaway test clusters")
struct TestDatabasesTests {
    @Test("a cluster whose owning process is gone is stopped and deleted; others are kept")
    func abandonedClustersRemoved() async throws {
        // A parent of its own, so that the sweep sees only this test's directories.
        let parent = NSTemporaryDirectory() + "tessera-abandoned-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let abandoned = parent + "/" + TestDatabases.directoryPrefix + "gone"
        let owned = parent + "/" + TestDatabases.directoryPrefix + "mine"
        let unclaimed = parent + "/" + TestDatabases.directoryPrefix + "starting"
        // No process has an id of pid_max or above.
        let pidMax = try #require(pid_t(try String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        try TestDatabases.claim(abandoned, owner: pidMax)
        try TestDatabases.claim(owned)
        try FileManager.default.createDirectory(atPath: unclaimed, withIntermediateDirectories: true)
        let postgres = try await EmbeddedPostgres.start(dataDirectory: abandoned, durable: false, logger: testLogger)
        defer { if FileManager.default.fileExists(atPath: abandoned) { postgres.destroy() } }
        let probe = ["-d", "postgres", "-tAc", "SELECT 1"]
        #expect(try postgres.runClientTool("psql", probe).trimmingCharacters(in: .whitespacesAndNewlines) == "1")

        TestDatabases.removeAbandonedClusters(in: parent, logger: testLogger)

        #expect(!FileManager.default.fileExists(atPath: abandoned), "the abandoned cluster's files are gone")
        #expect(throws: EmbeddedPostgresError.self, "its server is stopped") { try postgres.runClientTool("psql", probe) }
        #expect(FileManager.default.fileExists(atPath: owned), "a cluster of a living process is kept")
        #expect(FileManager.default.fileExists(atPath: unclaimed), "a directory without an owner yet is kept")
    }
}
