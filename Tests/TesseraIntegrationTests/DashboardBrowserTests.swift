import Foundation
import Testing
import TesseraBots
import TesseraConsole
import TesseraGrid
import TesseraTesting
import TesseraStorage

/// The dashboard in a real browser: headless Chromium (Debian's `chromium`) opens it against a
/// running grid with avatars, signs in with an admin token (`#token=`), and the map must show
/// the regions and as many avatars as the grid reports. The screenshot is saved under
/// `artifacts/` (kept by CI).
@Suite("The web dashboard in headless Chromium", .serialized)
struct DashboardBrowserTests {
    static let chromium = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs the browser on `url` until it ends (or 90 s), and answers what it printed.
    static func browse(_ arguments: [String], url: String) async throws -> String {
        let browser = try #require(chromium, "chromium is not installed (apt-get install -y chromium)")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-chromium-\(UUID().uuidString).txt").path
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-chromium-profile-\(UUID().uuidString)").path
        let pid = try ChildProcess.spawn(browser, [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
            "--user-data-dir=\(profile)", "--window-size=1400,1000", "--virtual-time-budget=8000",
        ] + arguments + [url], outputPath: output)
        try? await Eventually.until("the browser exits", timeout: .seconds(90), every: .milliseconds(100)) { ChildProcess.poll(pid) != nil }
        if ChildProcess.poll(pid) == nil { await ChildProcess.stop(pid) }
        defer { try? FileManager.default.removeItem(atPath: profile) }
        return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    }

    /// The first `name="value"` of the element `tag` with `marker` in its attributes.
    static func attribute(_ name: String, ofTagContaining marker: String, in html: String) -> String? {
        guard let start = html.range(of: marker) else { return nil }
        let tagStart = html[..<start.lowerBound].lastIndex(of: "<") ?? start.lowerBound
        guard let tagEnd = html[start.upperBound...].firstIndex(of: ">") else { return nil }
        let tag = html[tagStart..<tagEnd]
        guard let attribute = tag.range(of: " \(name)=\"") else { return nil }
        return tag[attribute.upperBound...].prefix { $0 != "\"" }.description
    }

    /// The text right after the opening tag with `marker` in its attributes.
    static func text(ofTagContaining marker: String, in html: String) -> String? {
        guard let start = html.range(of: marker), let tagEnd = html[start.upperBound...].firstIndex(of: ">") else { return nil }
        return String(html[html.index(after: tagEnd)...].prefix { $0 != "<" })
    }

    @Test("the map shows the grid's regions and its avatars, the total matches GET /regions, and a screenshot is saved")
    func mapShowsTheGrid() async throws {
        try await withGridServices { grid, operations in
            let (console, token) = try await AdminConsoleTests.gridConsole(grid, operations)
            let running = Task { try await console.run() }
            defer { running.cancel() }
            try? await Eventually.until("the console listens", timeout: .seconds(30)) { console.address != nil }
            let port = try #require(console.address?.port)
            var clients: [ScenarioClient] = []
            for index in 1...3 {
                _ = try await makeAccount(operations, "Dash Bot \(index)")
                let client = try await ScenarioClient.connect(grid.url)
                try await client.login("Dash Bot \(index)", password: "correct horse")
                clients.append(client)
            }
            let reported = grid.regionNode.status().regions.map(\.rootAgents.count).reduce(0, +)
            #expect(reported == 3)
            let url = "http://127.0.0.1:\(port)/dashboard/#token=\(token)"
            // The console looks at the grid once a second and the page draws its latest look, so a
            // page loaded right after the logins may show the look before them: load it again
            // (up to 20 times, a second apart) until the map has the avatars, then check it all.
            var dom = try await Self.browse(["--dump-dom"], url: url)
            for _ in 0..<20 where Self.attribute("data-avatars", ofTagContaining: "id=\"map\"", in: dom) != String(reported) {
                try await Task.sleep(for: .seconds(1))
                dom = try await Self.browse(["--dump-dom"], url: url)
            }
            #expect(dom.contains("data-state=\"live\""), "the page went live: \(dom.prefix(2000))")
            #expect(Self.attribute("data-regions", ofTagContaining: "id=\"map\"", in: dom) == "1", "one region square")
            #expect(Self.attribute("data-avatars", ofTagContaining: "id=\"map\"", in: dom) == String(reported), "a dot per avatar")
            #expect(Self.attribute("data-agents", ofTagContaining: "data-name=\"Scenario Region\"", in: dom) == String(reported))
            #expect(Self.text(ofTagContaining: "id=\"avatar-total\"", in: dom) == String(reported), "the summary total")
            #expect(dom.contains("Scenario Region"))
            let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("artifacts").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let screenshot = "\(folder)/dashboard.png"
            try? FileManager.default.removeItem(atPath: screenshot)
            _ = try await Self.browse(["--screenshot=\(screenshot)"], url: url)
            let size = (try? FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? Int) ?? 0
            #expect(size > 10_000, "a screenshot of the dashboard at \(screenshot)")
            // Without a token the page stays on sign-in and shows no grid.
            let signedOut = try await Self.browse(["--dump-dom"], url: "http://127.0.0.1:\(port)/dashboard/")
            #expect(signedOut.contains("data-state=\"signin\"") && !signedOut.contains("Dash Bot"))
            for client in clients { await client.close() }
        }
    }
}
