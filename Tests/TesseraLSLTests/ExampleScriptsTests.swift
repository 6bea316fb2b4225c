import Foundation
import Testing
@testable import TesseraLSL

/// The scripts and events files of examples/lsl/ (docs/lsl.md, "tessera lsl check / run").
@Suite struct ExampleScriptsTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/lsl")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    @Test(arguments: ["door.lsl", "greeter.lsl", "countdown.lsl", "touch-counter.lsl"])
    func compilesClean(name: String) throws {
        let source = try Self.text(name)
        let (script, diagnostics) = LSLCompiler.check(source, file: name)
        #expect(diagnostics.rendered(source: source) == "")
        #expect(script != nil)
    }

    @Test(arguments: ["door.events", "greeter.events", "touch-counter.events"])
    func eventsFilesParse(name: String) throws {
        let events = try LSLEventsFile.parse(try Self.text(name), file: name)
        #expect(!events.isEmpty)
    }
}
