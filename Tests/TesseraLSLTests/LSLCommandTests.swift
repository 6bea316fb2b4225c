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
}
