import Foundation
import Testing
import TesseraBots
import TesseraStorage
import TesseraTesting

/// The web viewer in Firefox (Debian's firefox-esr, headless, WebGL through Mesa's software
/// renderer): `scripts/viewer-firefox.py` drives it over Firefox's own remote protocol, logs in
/// through the form, and the page must reach the world and draw every avatar the grid has. The
/// Chromium tests (`ViewerBrowserTests`) go through the rest of the page; this one shows the same
/// page works in the other engine. The screenshot is saved under `artifacts/`.
@Suite("The web viewer in Firefox", .serialized)
struct ViewerFirefoxTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("Firefox logs in through the form and draws the grid's avatars")
    func firefoxDrawsTheWorld() async throws {
        let firefox = ["/usr/bin/firefox-esr", "/usr/bin/firefox"].first { FileManager.default.isExecutableFile(atPath: $0) }
        _ = try #require(firefox, "Firefox is not installed (apt-get install -y firefox-esr)")
        try await withGridServices { grid, operations in
            _ = try await makeAccount(operations, "Fox Visitor")
            var bots: [ScenarioClient] = []
            for index in 1...2 {
                _ = try await makeAccount(operations, "Fox Bot \(index)")
                let bot = try await ScenarioClient.connect(grid.url)
                try await bot.login("Fox Bot \(index)", password: "correct horse")
                bots.append(bot)
            }
            let page = grid.url.replacingOccurrences(of: "ws://", with: "http://").replacingOccurrences(of: "/ws", with: "/viewer/")
            let screenshot = Self.root.appendingPathComponent("artifacts/viewer-firefox.png").path
            try? FileManager.default.removeItem(atPath: screenshot)
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-firefox-\(UUID().uuidString).txt").path
            let pid = try ChildProcess.spawn("/usr/bin/python3", [
                Self.root.appendingPathComponent("scripts/viewer-firefox.py").path, page, "Fox Visitor", "correct horse",
                "--screenshot", screenshot, "--avatars", "3", "--timeout", "90",
            ], outputPath: output)
            try? await Eventually.until("Firefox's check ends", timeout: .seconds(150), every: .milliseconds(200)) { ChildProcess.poll(pid) != nil }
            if ChildProcess.poll(pid) == nil { await ChildProcess.stop(pid) }
            let printed = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: output)
            let line = try #require(printed.split(separator: "\n").last { $0.hasPrefix("{") }, "the check printed no result: \(printed)")
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            // The bots and the visitor while the page was in; the visitor's avatar leaves with the browser.
            let reported = bots.count + 1
            try? await Eventually.until("the visitor left with the browser", timeout: .seconds(20)) {
                grid.regionNode.status().regions.map(\.rootAgents.count).reduce(0, +) == bots.count
            }
            #expect(grid.regionNode.status().regions.map(\.rootAgents.count).reduce(0, +) == bots.count)
            #expect(seen["state"] as? String == "world", "\(line)")
            #expect(seen["webgl"] as? Bool == true)
            #expect(seen["avatars"] as? Int == reported, "every avatar drawn: \(line)")
            #expect(seen["region"] as? String == "Scenario Region")
            #expect(seen["error"] as? String == "")
            let size = (try? FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? Int) ?? 0
            #expect(size > 10_000, "a screenshot at \(screenshot)")
            for bot in bots { await bot.close() }
        }
    }
}
