import Foundation
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraRegion
import TesseraTesting
import TesseraWire
import TesseraWorld

/// Scripts and helpers shared by the script integration tests: objects made by a client, the
/// ticks of a timer counter heard as chat, and the checks that its count neither repeats nor
/// skips against its own script time.
enum ScriptTesting {
    static let greeter = """
        default {
            touch_start(integer n) { llSay(0, "Hello, " + llDetectedName(0)); }
        }
        """

    /// A timer counter: every 0.5 s of script time it says "tick <count> <llGetTime()>".
    static let period = 0.5
    static let counter = """
        integer count;
        default {
            state_entry() { llSetTimerEvent(0.5); }
            timer() {
                ++count;
                llSay(0, "tick " + (string)count + " " + (string)llGetTime());
            }
        }
        """

    /// One tick heard: the script's count and its script time when it counted.
    struct Tick: Equatable, CustomStringConvertible {
        var count: Int
        var time: Double
        var description: String { "\(count)@\(String(format: "%.3f", time))" }
    }

    /// The ticks `object` said in the chat `client` heard, in the order heard, from line `after` on.
    static func ticks(_ client: ScenarioClient, from object: String, after: Int = 0) -> [Tick] {
        client.mirror.chat.dropFirst(after).compactMap { line in
            guard line.speakerName == object else { return nil }
            let words = line.text.split(separator: " ")
            guard words.count == 3, words[0] == "tick", let count = Int(words[1]), let time = Double(words[2]) else { return nil }
            return Tick(count: count, time: time)
        }
    }

    /// Waits until `object` has said a tick whose count is at least `count` (after line `after`); returns the ticks.
    @discardableResult
    static func waitForTicks(
        _ client: ScenarioClient, from object: String, after: Int = 0, count: Int, timeout: Duration = .seconds(30)
    ) async throws -> [Tick] {
        try await client.waitFor(timeout: timeout, "\(object) counts to \(count)") { mirror in
            mirror.chat.dropFirst(after).contains { line in
                guard line.speakerName == object else { return false }
                let words = line.text.split(separator: " ")
                return words.count == 3 && words[0] == "tick" && (Int(words[1]) ?? 0) >= count
            }
        }
        return ticks(client, from: object, after: after)
    }

    /// Waits until `object` says one more tick than it had when called (heard after line `after`).
    @discardableResult
    static func waitForNextTick(_ client: ScenarioClient, from object: String, timeout: Duration = .seconds(30)) async throws -> Tick {
        let heard = client.mirror.chat.count
        try await client.waitFor(timeout: timeout, "a tick from \(object)") { mirror in
            mirror.chat.dropFirst(heard).contains { $0.speakerName == object && $0.text.hasPrefix("tick ") }
        }
        return try #require(ticks(client, from: object, after: heard).first)
    }

    /// The counter's contract, checked between every two ticks heard in a row: the count
    /// strictly increases, and the script time between them holds exactly the ticks counted —
    /// at least `d` periods for `d` counts (no repeat, no tick without its time) and less than
    /// `d + 1` periods (no tick skipped). Ticks come when the script is next run after they are
    /// due, so script time runs a little ahead of `count × period`; a tick is never that late.
    /// The count also never runs ahead of script time: `count ≤ time / period`.
    static func expectSteady(_ ticks: [Tick], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for tick in ticks {
            #expect(Double(tick.count) * period <= tick.time + 0.001, "\(what): count ahead of script time at \(tick)", sourceLocation: sourceLocation)
        }
        for (earlier, later) in zip(ticks, ticks.dropFirst()) {
            let counted = later.count - earlier.count
            let elapsed = later.time - earlier.time
            #expect(counted >= 1, "\(what): the count went from \(earlier) to \(later)", sourceLocation: sourceLocation)
            #expect(
                elapsed >= Double(counted) * period - 0.001 && elapsed < Double(counted + 1) * period,
                "\(what): \(counted) ticks in \(elapsed) s of script time, \(earlier) → \(later)", sourceLocation: sourceLocation)
        }
    }

    /// Creates a box named `name` at `position` and answers its local id.
    static func createBox(_ client: ScenarioClient, _ name: String, at position: Vector3, requestID: UInt32) async throws -> LocalID {
        try await client.send(.createObject(CreateObject(requestID: requestID, shape: .box, position: position, scale: Vector3(0.5, 0.5, 0.5), name: name)))
        try await client.waitFor("\(name) created") { mirror in
            mirror.results.contains { $0.requestID == requestID } || mirror.errors.contains { $0.requestID == requestID }
        }
        let result = try #require(client.mirror.results.first { $0.requestID == requestID }, "created: \(client.mirror.errors)")
        #expect(result.outcome == .created)
        return result.localID
    }

    /// The name the region knows this client's avatar by.
    static func avatarName(_ client: ScenarioClient) async throws -> String {
        let me = try #require(client.mirror.welcome?.localID)
        try await client.waitFor("own avatar seen") { $0.entities[me] != nil }
        return try #require(client.mirror.entities[me]?.name)
    }

    /// The local id under which region `name` holds the object named `object` (not travelling).
    static func local(_ object: String, in name: String, of grid: ScenarioGrid) async throws -> LocalID? {
        guard let runner = grid.runner(name) else { return nil }
        return try await runner.inspect { $0.objectStates().first { $0.name == object && !$0.travelling }?.localID }
    }

    static func waitForScripts(_ state: ServiceLinkState, in region: String, of grid: ScenarioGrid, timeout: Duration = .seconds(30)) async throws {
        try await Eventually.until("scripts \(state) in \(region)", timeout: timeout) {
            grid.runner(region)?.stats.scripts.state == state
        }
    }
}
