import Foundation
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraRegion
import TesseraTesting
import TesseraWire
import TesseraWorld

/// Scripts in objects on a whole grid in-process: a client makes an object, adds a script as
/// text, and sees what the script does; the script service is a real `ScriptService` on its own
/// loop, attached to the region over Tessera wire.
@Suite("Scripts in objects, end to end", .serialized)
struct ScriptGridTests {
    /// A grid with an in-process script service, and Ada logged in at the centre of its region.
    static func withGrid(_ body: (ScenarioGrid, ScenarioClient) async throws -> Void) async throws {
        let grid = try await ScenarioGrid.start(spawnRadius: 0, inProcessScripts: true)
        var client: ScenarioClient?
        do {
            try await ScriptTesting.waitForScripts(.attached, in: "Scenario Region", of: grid)
            let ada = try await ScenarioClient.connect(grid.url)
            client = ada
            try await ada.login("Ada")
            try await body(grid, ada)
        } catch {
            await client?.close()
            await grid.stop()
            throw error
        }
        await client?.close()
        await grid.stop()
    }

    @Test("a greeter answers a touch with the toucher's name")
    func greeter() async throws {
        try await Self.withGrid { grid, ada in
            let name = try await ScriptTesting.avatarName(ada)
            let box = try await ScriptTesting.createBox(ada, "Greeter", at: Vector3(130, 128, 21), requestID: 1)
            let added = try await ada.addScript(to: box, name: "greet", source: ScriptTesting.greeter)
            #expect(added == ObjectResult(requestID: added.requestID, outcome: .updated, localID: box))
            let contents = try await ada.contents(of: box)
            #expect(contents.items.map(\.name) == ["greet"] && contents.items.first?.running == true && contents.items.first?.error == nil, "\(contents)")

            let heard = ada.mirror.chat.count
            try await ada.touch(box)
            let line = try await ada.waitForChat(from: "Greeter", after: heard)
            #expect(line.text == "Hello, \(name)")
            #expect(line.channel == 0 && line.type == .say && line.speaker == box && line.speakerKind == .object)
            // One touch, one greeting (the touch's end has no handler).
            try await ada.touch(box)
            _ = try await ada.waitForChat(from: "Greeter", after: heard + 1)
            #expect(ada.mirror.chat.dropFirst(heard).filter { $0.speakerName == "Greeter" }.map(\.text) == ["Hello, \(name)", "Hello, \(name)"])
        }
    }

    static let listener = """
        default {
            state_entry() {
                llListen(7, "", NULL_KEY, "");
                llSay(0, "ready");
            }
            listen(integer channel, string name, key id, string message) {
                llSetText(message, <1.0, 1.0, 1.0>, 1.0);
                llSay(0, "heard " + (string)channel + " " + message + " from " + name);
            }
        }
        """

    @Test("a listener obeys chat on its channel and ignores chat on other channels")
    func listener() async throws {
        try await Self.withGrid { grid, ada in
            let name = try await ScriptTesting.avatarName(ada)
            let box = try await ScriptTesting.createBox(ada, "Listener", at: Vector3(126, 128, 21), requestID: 1)
            let start = ada.mirror.chat.count
            try await ada.addScript(to: box, name: "listen", source: Self.listener)
            _ = try await ada.waitForChat(from: "Listener", after: start) { $0.text == "ready" }

            // Said first, on channels nobody listens to: were they heard, their answers would come first.
            let before = ada.mirror.chat.count
            try await ada.say("blue", channel: 8)
            try await ada.say("green", channel: 0)
            try await ada.say("red", channel: 7)
            let line = try await ada.waitForChat(from: "Listener", after: before)
            #expect(line.text == "heard 7 red from \(name)")
            try await ada.waitFor("the floating text") { $0.entities[box]?.appearance?.text == "red" }
            try await ada.say("yellow", channel: -7)
            try await ada.say("off", channel: 7)
            _ = try await ada.waitForChat(from: "Listener", after: before) { $0.text.hasPrefix("heard 7 off") }
            let answers = ada.mirror.chat.dropFirst(before).filter { $0.speakerName == "Listener" }.map(\.text)
            #expect(answers == ["heard 7 red from \(name)", "heard 7 off from \(name)"])
            try await ada.waitFor("the floating text") { $0.entities[box]?.appearance?.text == "off" }
        }
    }

    static let broken = """
        default {
            state_entry() {
                llSay(0, undefinedThing);
            }
        }
        """

    @Test("a compile error reaches the owner as ScriptDiagnostics with file:line:col, and the script does not run")
    func compileError() async throws {
        try await Self.withGrid { grid, ada in
            let box = try await ScriptTesting.createBox(ada, "Broken Box", at: Vector3(126, 130, 21), requestID: 1)
            try await ada.addScript(to: box, name: "broken", source: Self.broken)
            let diagnostics = try await ada.waitForDiagnostics(item: "broken")
            #expect(diagnostics.compile)
            #expect(diagnostics.localID == box && diagnostics.objectName == "Broken Box")
            let first = try #require(diagnostics.lines.first)
            #expect(first.hasPrefix("broken:3:18: error: "), "\(diagnostics.lines)")
            #expect(first.contains("undefinedThing"), "names what is wrong: \(first)")
            try await Eventually.until("the listing shows the error") {
                let contents = try await ada.contents(of: box)
                return contents.items.first?.error != nil
            }
            let contents = try await ada.contents(of: box)
            #expect(contents.items.count == 1 && contents.items[0].name == "broken" && !contents.items[0].running, "\(contents)")
            #expect(contents.items[0].error?.hasPrefix("broken:3:18: error: ") == true, "\(contents)")
            // A fixed script of the same name replaces it and runs.
            let heard = ada.mirror.chat.count
            try await ada.scriptControl(box, item: "broken", .remove)
            try await ada.addScript(to: box, name: "broken", source: Self.broken.replacingOccurrences(of: "undefinedThing", with: "\"fixed\""))
            let line = try await ada.waitForChat(from: "Broken Box", after: heard)
            #expect(line.text == "fixed")
        }
    }

    static let looper = """
        integer n;
        default {
            state_entry() { while (TRUE) { ++n; } }
        }
        """

    static let flooder = """
        integer n;
        default {
            state_entry() { while (TRUE) { llSay(0, "flood " + (string)(++n)); } }
        }
        """

    @Test("an endless loop and a chat flood beside a timer counter: its ticks go on, one per period of its script time")
    func endlessLoopAndFlood() async throws {
        try await Self.withGrid { grid, ada in
            let runner = try #require(grid.runner("Scenario Region"))
            // The loop and the flood are out of Ada's hearing (say reaches 20 m); the counter is not.
            let looper = try await ScriptTesting.createBox(ada, "Looper", at: Vector3(60, 60, 21), requestID: 1)
            let flooder = try await ScriptTesting.createBox(ada, "Flooder", at: Vector3(200, 200, 21), requestID: 2)
            let counter = try await ScriptTesting.createBox(ada, "Counter", at: Vector3(130, 128, 21), requestID: 3)
            try await ada.addScript(to: looper, name: "loop", source: Self.looper)
            try await ada.addScript(to: flooder, name: "flood", source: Self.flooder)
            try await Eventually.until("the flood is rate limited") { runner.stats.scripts.service.chatDropped > 0 }
            let framesBefore = runner.stats.frame
            let heard = ada.mirror.chat.count
            try await ada.addScript(to: counter, name: "count", source: ScriptTesting.counter)
            let ticks = try await ScriptTesting.waitForTicks(ada, from: "Counter", after: heard, count: 12, timeout: .seconds(60))
            #expect(ticks.first?.count == 1, "heard from its first tick: \(ticks)")
            #expect(ticks.map(\.count) == Array(1...ticks.count), "every tick heard once, in order: \(ticks)")
            ScriptTesting.expectSteady(ticks, "the counter beside a loop and a flood")
            #expect(!ada.mirror.chat.contains { $0.speakerName == "Flooder" }, "the flood is out of hearing")

            let stats = runner.stats.scripts
            #expect(stats.service.scripts == 3 && stats.service.running == 3, "\(stats.service)")
            #expect(stats.service.chatDropped > 0, "the flood is cut: \(stats.service)")
            #expect(stats.service.topScripts.first?.name == "loop" || stats.service.topScripts.first?.name == "flood", "\(stats.service.topScripts)")
            #expect(runner.stats.frame - framesBefore >= 12 * 5, "the region ran frames meanwhile: \(runner.stats.frame - framesBefore)")
            #expect(stats.state == .attached && stats.link.losses == 0, "\(stats.link)")
        }
    }
}
