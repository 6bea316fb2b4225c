import Foundation
import Synchronization
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraWorld

/// An independent Second Life client (hippolyzer 0.17.6, from PyPI; Tests/sl-clients) driven
/// line by line through `hippo_session.py --commands`, against the 2×2 square with grid
/// services, beside a WebSocket client.
final class HippoProcess: Sendable {
    private let process: Process
    private let input: FileHandle
    private let output = HippoOutput()
    private let reader: Task<Void, Never>

    /// The venv made by scripts/sl-client-venv.sh (the test command runs it first).
    static var python: String {
        ProcessInfo.processInfo.environment["TESSERA_SL_PYTHON"] ?? packageRoot + "/.build/sl-venv/bin/python3"
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    init(arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [Self.packageRoot + "/Tests/sl-clients/hippo_session.py"] + arguments + ["--commands"]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        input = stdin.fileHandleForWriting
        try process.run()
        let output = output
        stderr.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            output.errors.withLock { $0 += String(decoding: data, as: UTF8.self); if $0.count > 4_000_000 { $0 = String($0.suffix(1_000_000)) } }
        }
        let source = stdout.fileHandleForReading
        reader = Task.detached {
            var pending = ""
            while true {
                let data = source.availableData
                if data.isEmpty { return }
                pending += String(decoding: data, as: UTF8.self)
                while let newline = pending.firstIndex(of: "\n") {
                    let line = String(pending[..<newline])
                    pending = String(pending[pending.index(after: newline)...])
                    output.lines.withLock { $0.append(line) }
                }
            }
        }
    }

    /// The stderr tail, for failure messages.
    var log: String { output.errors.withLock { String($0.suffix(4000)) } }

    /// Sends one command line (nil: only waits for the next answer).
    func step(_ command: String?, timeout: Duration = Duration.seconds(90)) async throws -> [String: Any] {
        let before = output.lines.withLock { $0.count }
        if let command { input.write(Data((command + "\n").utf8)) }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = output.lines.withLock({ $0.count > before ? $0[before] : nil }) {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
                return object
            }
            if !process.isRunning, output.lines.withLock({ $0.count <= before }) {
                throw HippoFailure("hippo_session.py exited (\(process.terminationStatus)) before answering \(command ?? "login"); its log:\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HippoFailure("no answer to \(command ?? "login") within \(timeout); its log:\n\(log)")
    }

    func stop() {
        // TESSERA_SL_LOG=path keeps the client's whole log for a look after the test.
        if let path = ProcessInfo.processInfo.environment["TESSERA_SL_LOG"] {
            _ = FileManager.default.createFile(atPath: path, contents: Data(output.errors.withLock { $0 }.utf8))
        }
        try? input.close()
        if process.isRunning { process.terminate() }
        reader.cancel()
    }
}

final class HippoOutput: Sendable {
    let lines = Mutex<[String]>([])
    let errors = Mutex<String>("")
}

struct HippoFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@Suite("Second Life viewers: hippolyzer beside a WebSocket client", .serialized)
struct SLViewerTests {
    @Test("hippolyzer logs in, sees and chats with a WebSocket avatar, crosses a border, teleports and logs out")
    func independentClient() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: HippoProcess.python), "run scripts/sl-client-venv.sh .build/sl-venv first (scripts/test.sh does)")
        let grid = try await ScenarioGrid.start(
            extraClientManagerKeys: "lludp_port = 0\n", migrationsDirectory: migrationsDirectory, layout: ScenarioGrid.square)
        do {
            try await Self.session(grid)
        } catch {
            await grid.stop()
            throw error
        }
        await grid.stop()
    }

    static func session(_ grid: ScenarioGrid) async throws {
        let operations = try #require(grid.gridServices).operations
        let adaID = try await makeAccount(operations, "Ada Lovelace", password: "analytical engine")
        _ = try await makeAccount(operations, "Bob", password: "correct horse")
        let loginURI = try #require(grid.clientManager.viewerLoginURI)

        // Bob is a WebSocket client at West (240, 128).
        let bob = try await ScenarioClient.connect(grid.url)
        _ = try await bob.login("Bob", password: "correct horse", startRegion: "West")
        try await GridCrossingTests.place(bob, x: 240, y: 128, request: 1)

        let ada = try HippoProcess(arguments: [
            "--login-uri", loginURI, "--first", "Ada", "--last", "Lovelace", "--password", "analytical engine",
            "--region", "West", "--x", "236", "--y", "128", "--z", "25", "--timeout", "30", "--log-level", "info",
        ])
        defer { ada.stop() }
        let login = try await ada.step(nil as String?)
        #expect(login["ok"] as? Bool == true, "login: \(login)\n\(ada.log)")
        #expect(login["agent_id"] as? String == adaID.uuidString.lowercased(), "the viewer's agent is the account: \(login)")
        #expect(login["region"] as? String == "West", "\(login)")

        // Each sees the other.
        let sawBob = try await ada.step("wait-avatar Bob Resident")
        #expect(sawBob["ok"] as? Bool == true, "\(sawBob)\n\(ada.log)")
        try await bob.waitFor("Bob sees Ada") { $0.entity(named: "Ada Lovelace") != nil }

        // Chat both ways.
        let said = try await ada.step("say hello from a viewer")
        #expect(said["ok"] as? Bool == true, "\(said)")
        try await bob.waitFor("Bob hears Ada") { mirror in
            mirror.chat.contains { $0.speakerName == "Ada Lovelace" && $0.text == "hello from a viewer" }
        }
        try await bob.say("hello from a web socket")
        let heard = try await ada.step("wait-chat hello from a web socket")
        #expect(heard["ok"] as? Bool == true, "\(heard)\n\(ada.log)")
        #expect(heard["from_name"] as? String == "Bob", "\(heard)")

        // Walk east across the border into East.
        let walked = try await ada.step("walk-east 60", timeout: Duration.seconds(120))
        #expect(walked["ok"] as? Bool == true, "\(walked)\n\(ada.log)")
        #expect(walked["to_region"] as? String == "East", "\(walked)")
        let eastRoots = try await GridCrossingTests.roots(of: adaID, in: grid)
        #expect(eastRoots == ["East"])

        // Teleport to Northwest (1000, 1001).
        let teleported = try await ada.step("teleport \(1000 * 256) \(1001 * 256) 128 128 30", timeout: Duration.seconds(120))
        #expect(teleported["ok"] as? Bool == true, "\(teleported)\n\(ada.log)")
        #expect(teleported["to_region"] as? String == "Northwest", "\(teleported)")
        let northwestRoots = try await GridCrossingTests.roots(of: adaID, in: grid)
        #expect(northwestRoots == ["Northwest"])

        // Log out: the reply comes, the avatar leaves, the session ends.
        let out = try await ada.step("logout")
        #expect(out["ok"] as? Bool == true, "\(out)\n\(ada.log)")
        try await Eventually.until("the viewer's session ends", timeout: .seconds(20)) { grid.clientManager.viewerCount == 0 }
        try await Eventually.until("no region holds Ada", timeout: .seconds(20)) {
            grid.regionNodes.flatMap { $0.status().regions }.allSatisfy { !$0.rootAgents.contains(adaID) }
        }
        #expect(!bob.isFinished, "the WebSocket client is unaffected")
        await bob.close()
    }
}
