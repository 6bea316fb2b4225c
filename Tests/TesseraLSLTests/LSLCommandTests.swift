import Foundation
import Testing

/// `tessera lsl` through the built executable (`swift build --build-tests` builds it).
@Suite struct LSLCommandTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = repository.appendingPathComponent(".build/debug/tessera").path

    struct Result {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs `tessera ARGUMENTS` in the repository; waits for it to end.
    static func tessera(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = repository
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The outputs here are small: reading one pipe to its end cannot leave the other full.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      errors: String(decoding: errorText, as: UTF8.self))
    }

    static func temporaryFile(_ name: String, _ contents: Data) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-lsl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try contents.write(to: url)
        return url.path
    }

    @Test func checkPassesTheExamples() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build first: swift build --build-tests")
        let result = try Self.tessera(["lsl", "check", "examples/lsl/door.lsl", "examples/lsl/greeter.lsl",
                                       "examples/lsl/countdown.lsl", "examples/lsl/touch-counter.lsl"])
        #expect(result.status == 0)
        #expect(result.output == "")
        #expect(result.errors == "")
    }

    @Test func checkReportsEveryErrorAndFails() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build first: swift build --build-tests")
        let bad = try Self.temporaryFile("bad.lsl", Data("""
            default {
                state_entry() {
                    llSay(0 "one");
                    integer x = ;
                }
            }

            """.utf8))
        let result = try Self.tessera(["lsl", "check", "examples/lsl/door.lsl", bad])
        #expect(result.status == 1)
        #expect(result.output == "")
        #expect(result.errors == """
            \(bad):3:17: error: expected ',' or ')' after the arguments of 'llSay', found string literal
                    llSay(0 "one");
                            ^
            \(bad):4:21: error: expected an expression, found ';'
                    integer x = ;
                                ^

            """)
    }

    @Test func checkRefusesUnreadableAndNonUTF8Files() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build first: swift build --build-tests")
        let latin1 = try Self.temporaryFile("latin1.lsl", Data([0x64, 0x65, 0x66, 0xE9, 0x0A]))
        let missing = latin1 + ".missing"
        let result = try Self.tessera(["lsl", "check", missing, latin1])
        #expect(result.status == 1)
        #expect(result.errors == "error: \(missing): cannot be read\nerror: \(latin1): is not UTF-8 text\n")
    }

    @Test func runTheGreeterWithItsEvents() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build first: swift build --build-tests")
        let result = try Self.tessera(["lsl", "run", "examples/lsl/greeter.lsl", "--events", "examples/lsl/greeter.events"])
        #expect(result.status == 0)
        #expect(result.errors == "")
        #expect(result.output == """
            llListen: handle 1 on channel 0, message "hello"
            llListen: handle 2 on channel 7, key 0f0e0d0c-0000-4000-8000-0000000000a1
            llSetText: text is now "Say hello!", color <1.00000, 1.00000, 1.00000>, alpha 1.00000
            Object: Hello, Alice!
            Object [owner]: Unknown command: dance
            Object [owner]: Going quiet.
            llSetText: text is now "", color <0.00000, 0.00000, 0.00000>, alpha 0.00000
            llListen: handle 3 on channel 7, key 0f0e0d0c-0000-4000-8000-0000000000a1, message "wake"
            Object [owner]: Awake again.
            llListen: handle 4 on channel 0, message "hello"
            llListen: handle 5 on channel 7, key 0f0e0d0c-0000-4000-8000-0000000000a1
            llSetText: text is now "Say hello!", color <1.00000, 1.00000, 1.00000>, alpha 1.00000
            Object: Hello, Bob!

            """)
    }

    @Test func runStopsOnARunTimeError() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build first: swift build --build-tests")
        let script = try Self.temporaryFile("math.lsl", Data("""
            default { state_entry() { integer x; llOwnerSay("before"); llOwnerSay((string)(1 / x)); } }
            """.utf8))
        let result = try Self.tessera(["lsl", "run", script])
        #expect(result.status == 1)
        #expect(result.output == "Object [owner]: before\n")
        #expect(result.errors == "Script run-time error: Math Error\n")
    }

    @Test func runStopsAtTheLimitOfScriptTime() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build first: swift build --build-tests")
        let script = try Self.temporaryFile("tick.lsl", Data("""
            integer n;
            default { state_entry() { llSetTimerEvent(10); } timer() { n++; llOwnerSay("tick " + (string)n); } }
            """.utf8))
        let result = try Self.tessera(["lsl", "run", script, "--max-seconds", "35"])
        #expect(result.status == 0)
        #expect(result.output == "Object [owner]: tick 1\nObject [owner]: tick 2\nObject [owner]: tick 3\n")
        #expect(result.errors == "stopped at the limit: 35 seconds of script time (--max-seconds)\n")
    }

    @Test func runRefusesABadEventsFileAndABadScript() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build first: swift build --build-tests")
        let events = try Self.temporaryFile("bad.events", Data("at 1 touch_start Alice\nat x touch Bob\n".utf8))
        let badEvents = try Self.tessera(["lsl", "run", "examples/lsl/touch-counter.lsl", "--events", events])
        #expect(badEvents.status == 1)
        #expect(badEvents.output == "")
        #expect(badEvents.errors == "error: \(events):2: 'x' is no time in seconds (a number, 0 or more)\n")

        let script = try Self.temporaryFile("unknown.lsl", Data("default { state_entry() { llFly(); } }\n".utf8))
        let badScript = try Self.tessera(["lsl", "run", script])
        #expect(badScript.status == 1)
        #expect(badScript.output == "")
        #expect(badScript.errors == "\(script):1:27: error: unknown function 'llFly'\ndefault { state_entry() { llFly(); } }\n                          ^\n")
    }
}
