import Testing
@testable import TesseraLSL

@Suite struct LSLEventsFileTests {
    @Test func everyKindOfLine() throws {
        let text = """
            # a door opened by Alice, then chat
            at 2.5 touch_start Alice
            at 2.5 touch_end Alice
              at 3 say 0 Alice hello there   friend
            at 1 collision_start "Bob Resident"

            at 4 say -5 Bob
            at 5 event changed 0x80
            at 6 event listen 7 "Carol X" 00000000-0000-0000-0000-000000000001 "open \\"now\\""
            at 7 event land_collision_start <1, 2.5, -3>
            at 8 event http_response k 200 [] "body"
            at 0 event on_rez -1\r
            """
        let events = try LSLEventsFile.parse(text, file: "events.txt")
        #expect(events == [
            LSLScriptedEvent(time: 0, action: .event(LSLEvent("on_rez", [.integer(-1)])), line: 12),
            LSLScriptedEvent(time: 1, action: .collision(event: "collision_start", avatar: "Bob Resident"), line: 5),
            LSLScriptedEvent(time: 2.5, action: .touch(event: "touch_start", avatar: "Alice"), line: 2),
            LSLScriptedEvent(time: 2.5, action: .touch(event: "touch_end", avatar: "Alice"), line: 3),
            LSLScriptedEvent(time: 3, action: .chat(channel: 0, avatar: "Alice", text: "hello there   friend"), line: 4),
            LSLScriptedEvent(time: 4, action: .chat(channel: -5, avatar: "Bob", text: ""), line: 7),
            LSLScriptedEvent(time: 5, action: .event(LSLEvent("changed", [.integer(0x80)])), line: 8),
            LSLScriptedEvent(time: 6, action: .event(LSLEvent("listen", [
                .integer(7), .string("Carol X"), .key("00000000-0000-0000-0000-000000000001"), .string("open \"now\""),
            ])), line: 9),
            LSLScriptedEvent(time: 7, action: .event(LSLEvent("land_collision_start", [.vector(LSLVector(1, 2.5, -3))])), line: 10),
            LSLScriptedEvent(time: 8, action: .event(LSLEvent("http_response", [.key("k"), .integer(200), .list([]), .string("body")])), line: 11),
        ])
    }

    @Test func windowsLineEnds() throws {
        let events = try LSLEventsFile.parse("at 1 touch_start Alice\r\n# note\r\nat 2 say 3 Bob hi\r\n", file: "e.txt")
        #expect(events == [
            LSLScriptedEvent(time: 1, action: .touch(event: "touch_start", avatar: "Alice"), line: 1),
            LSLScriptedEvent(time: 2, action: .chat(channel: 3, avatar: "Bob", text: "hi"), line: 3),
        ])
    }

    @Test(arguments: [
        ("touch_start Alice", "ev.txt:2: a line starts with 'at SECONDS'"),
        ("at soon touch_start Alice", "ev.txt:2: 'soon' is no time in seconds (a number, 0 or more)"),
        ("at -1 touch_start Alice", "ev.txt:2: '-1' is no time in seconds (a number, 0 or more)"),
        ("at 1", "ev.txt:2: expected what happens after 'at 1'"),
        ("at 1 poke Alice", "ev.txt:2: unknown event kind 'poke' (touch_start, touch, touch_end, collision_start, collision, collision_end, say or event)"),
        ("at 1 touch_start", "ev.txt:2: expected the name of who touches"),
        ("at 1 touch_start Alice Resident", "ev.txt:2: unexpected 'Resident' at the end of the line (quote a name with spaces)"),
        ("at 1 say loud Alice hi", "ev.txt:2: 'loud' is no channel (an integer)"),
        ("at 1 event wiggle", "ev.txt:2: unknown event 'wiggle'"),
        ("at 1 event changed", "ev.txt:2: 'changed' needs 1 argument: integer changes"),
        ("at 1 event changed 1 2", "ev.txt:2: 'changed' takes 1 argument; there are more"),
        ("at 1 event changed x", "ev.txt:2: 'x' is no integer (for changes)"),
        ("at 1 event land_collision <1, 2>", "ev.txt:2: '<1, 2>' is no vector (for pos)"),
        ("at 1 touch_start \"Alice", "ev.txt:2: a quoted word has no closing \""),
    ])
    func badLines(line: String, expected: String) {
        #expect(throws: LSLEventsFileError.self) { try LSLEventsFile.parse("# first\n" + line, file: "ev.txt") }
        do {
            _ = try LSLEventsFile.parse("# first\n" + line, file: "ev.txt")
        } catch {
            #expect(error.description == expected)
        }
    }
}
