import Foundation
import Testing
import TesseraConfig

/// Config texts for the tests: a full valid grid, and a minimal one that leaves every
/// optional key out.
enum ConfigSamples {
    /// In a folder of its own that also holds `grid-secret`, the file the full sample's
    /// `secret_file` names (a grid beyond loopback may not keep its secret inline).
    static let file: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-config-samples-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: folder + "/grid-secret", contents: Data("0123456789abcdef-secret\n".utf8))
        return folder + "/test-grid.toml"
    }()

    static let full = """
        [grid]
        name = "Test Grid"
        secret_file = "grid-secret"
        default_region = "Beta"

        [tls]
        directory = "certs"

        [[region_node]]
        name = "node-a"
        host = "10.0.0.5"
        port = 9100

          [[region_node.region]]
          name = "Alpha"
          position = [1000, 1000]
          frame_rate = 30
          view_distance = 48.5
          max_avatars = 300
          max_objects = 700

          [[region_node.region]]
          name = "Beta"
          position = [1001, 1000]
          frame_rate = 60
          view_distance = 96
          max_avatars = 50
          max_objects = 0

        [[region_node]]
        name = "node-b"
        host = "10.0.0.6"
        port = 9101

          [[region_node.region]]
          name = "Gamma"
          position = [1000, 1001]

        [[client_manager]]
        name = "edge-1"
        host = "0.0.0.0"
        port = 9000
        update_rate = 20
        max_clients = 1234
        max_bytes_per_tick = 4096
        max_queued_events = 512
        login_timeout_seconds = 2.5
        """

    static let minimal = """
        [grid]
        name = "Tiny"
        secret = "sixteen-chars-ok"

        [[region_node]]
        name = "node"
        port = 9100

          [[region_node.region]]
          name = "Only"
          position = [7, 8]

        [[client_manager]]
        name = "edge"
        port = 9000
        """

    /// `full` with one exact substring replaced; fails the test if the substring is absent,
    /// so a typo in a test cannot silently produce a valid config.
    static func full(replacing old: String, with new: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        #expect(full.contains(old), "sample has no \"\(old)\"", sourceLocation: sourceLocation)
        return full.replacingOccurrences(of: old, with: new)
    }

    /// `minimal` with one exact substring replaced (fails the test if it is absent).
    static func minimal(replacing old: String, with new: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        #expect(minimal.contains(old), "sample has no \"\(old)\"", sourceLocation: sourceLocation)
        return minimal.replacingOccurrences(of: old, with: new)
    }

    /// `full` with extra lines inserted right after the first line equal to `anchor`.
    static func full(inserting lines: String, after anchor: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        full(replacing: anchor, with: anchor + "\n" + lines, sourceLocation: sourceLocation)
    }
}
