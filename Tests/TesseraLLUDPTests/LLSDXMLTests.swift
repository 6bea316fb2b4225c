import Foundation
import Testing
@testable import TesseraLLUDP

private let agent = UUID(uuidString: "6f1e6d5c-0a1b-4c2d-9e8f-0123456789ab")!

private func decode(_ text: String, maxDepth: Int = 32, maxBytes: Int = 1 << 20) throws(LLSDXMLError) -> LLSD {
    try LLSDXML.decode(Array(text.utf8), maxDepth: maxDepth, maxBytes: maxBytes)
}

private func roundTrip(_ value: LLSD) throws -> LLSD {
    try LLSDXML.decode(Array(LLSDXML.encode(value).utf8))
}

@Suite struct LLSDXMLTests {
    @Test func everyTypeRoundTrips() throws {
        let values: [LLSD] = [
            .undefined, .boolean(true), .boolean(false), .integer(0), .integer(-2_147_483_648), .integer(2_147_483_647),
            .real(0.5), .real(-1e20), .real(3.25), .string(""), .string("Ada & <Bob> \"x\" 'y'\nline\ttab\r\n"),
            .string("ünïcödé ✓ 🙂"), .uuid(agent), .date(0), .date(1_139_005_793), .date(1_139_005_793.5),
            .date(-86_400), .uri("http://127.0.0.1:9000/cap/abc?x=1&y=2"), .binary([]), .binary([0, 1, 2, 254, 255]),
            .array([]), .map([:]),
            .array([.integer(1), .string("two"), .array([.real(3)]), .map(["k": .undefined])]),
            .map(["agent-id": .uuid(agent), "nested": .map(["list": .array([.boolean(true), .binary([9])])]), "": .string("empty key")]),
        ]
        for value in values {
            #expect(try roundTrip(value) == value)
        }
    }

    @Test func realSpecialValuesRoundTrip() throws {
        let decoded = try roundTrip(.array([.real(.infinity), .real(-.infinity), .real(.nan)]))
        guard case .array(let items) = decoded, items.count == 3,
              case .real(let positive) = items[0], case .real(let negative) = items[1], case .real(let nan) = items[2]
        else { Issue.record("decoded \(decoded)"); return }
        #expect(positive == .infinity)
        #expect(negative == -.infinity)
        #expect(nan.isNaN)
    }

    @Test func smallMapHasExactText() {
        let value = LLSD.map([
            "message": .string("EstablishAgentCommunication"),
            "body": .map(["agent-id": .uuid(agent), "sim-ip-and-port": .string("127.0.0.1:9001"), "ok": .boolean(true), "n": .integer(-7)]),
            "when": .date(1_139_005_793.25), "data": .binary([1, 2, 3]), "r": .real(1), "nothing": .undefined,
            "link": .uri("http://a/b?c=1&d=<2>"),
        ])
        #expect(LLSDXML.encode(value) == """
            <?xml version="1.0" encoding="UTF-8"?><llsd><map><key>body</key><map><key>agent-id</key>\
            <uuid>6f1e6d5c-0a1b-4c2d-9e8f-0123456789ab</uuid><key>n</key><integer>-7</integer><key>ok</key>\
            <boolean>true</boolean><key>sim-ip-and-port</key><string>127.0.0.1:9001</string></map><key>data</key>\
            <binary encoding="base64">AQID</binary><key>link</key><uri>http://a/b?c=1&amp;d=&lt;2&gt;</uri>\
            <key>message</key><string>EstablishAgentCommunication</string><key>nothing</key><undef/><key>r</key>\
            <real>1.0</real><key>when</key><date>2006-02-03T22:29:53.25Z</date></map></llsd>
            """)
    }

    @Test func charactersXMLCannotCarryBecomeTheReplacementCharacter() throws {
        let encoded = LLSDXML.encode(.string("a\u{0}b\u{1B}c\u{FFFE}d\re"))
        #expect(encoded.contains("<string>a\u{FFFD}b\u{FFFD}c\u{FFFD}d&#13;e</string>"))
        #expect(try decode(encoded) == .string("a\u{FFFD}b\u{FFFD}c\u{FFFD}d\re"))
    }

    @Test func readsWhatOtherWritersProduce() throws {
        // Indented, a declaration with single quotes, self-closing and empty scalars, a comment.
        let text = """
            <?xml version='1.0' ?>
            <!-- an event queue poll -->
            <llsd>
            <map>
                <key>ack</key>
                <undef />
                <key>done</key>
                <boolean></boolean>
                <key>i</key><integer/>
                <key>s</key><string />
                <key>u</key><uuid/>
                <key>b</key><binary>
                AQID
                BA==
                </binary>
                <key>t</key><boolean>1</boolean>
                <key>d</key><date>2006-02-01T14:29:53+01:00</date>
                <key>c</key><string><![CDATA[<raw> & text]]></string>
                <key>e</key><string>&#x41;&#66;&apos;&quot;</string>
              </map>
            </llsd>
            """
        #expect(try decode(text) == .map([
            "ack": .undefined, "done": .boolean(false), "i": .integer(0), "s": .string(""),
            "u": .uuid(UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))), "b": .binary([1, 2, 3, 4]),
            "t": .boolean(true), "d": .date(1_138_800_593), "c": .string("<raw> & text"), "e": .string("AB'\""),
        ]))
        #expect(try decode("<llsd/>") == .undefined)
        #expect(try decode("\u{FEFF}<llsd><uuid>6F1E6D5C-0A1B-4C2D-9E8F-0123456789AB</uuid></llsd>") == .uuid(agent))
    }

    /// What Python's `llsd` package (used by an independent client) writes, compact and pretty.
    @Test func readsThePythonLLSDWriter() throws {
        let compact = "<?xml version=\"1.0\" ?><llsd><map><key>ack</key><undef /><key>done</key><boolean>false</boolean><key>i</key><integer>-3</integer><key>r</key><real>0.5</real><key>s</key><string>a&amp;&lt;b&gt;</string><key>u</key><uuid>11111111-2222-4333-8444-555555555555</uuid><key>d</key><date>2006-02-03T22:29:53.250000Z</date><key>l</key><uri>http://u/?a&amp;b</uri><key>b</key><binary>AQID</binary><key>a</key><array><integer>1</integer><boolean>true</boolean><map /></array></map></llsd>"
        let pretty = "<?xml version=\"1.0\" ?>\n<llsd>\n<map>\n    <key>a</key>\n    <array>\n      <integer>1</integer>\n      <boolean>true</boolean>\n      <map>\n      </map>\n    </array>\n    <key>ack</key>\n    <undef />\n    <key>b</key>\n    <binary>AQID</binary>\n    <key>d</key>\n    <date>2006-02-03T22:29:53.250000Z</date>\n    <key>done</key>\n    <boolean>false</boolean>\n    <key>i</key>\n    <integer>-3</integer>\n    <key>l</key>\n    <uri>http://u/?a&amp;b</uri>\n    <key>r</key>\n    <real>0.5</real>\n    <key>s</key>\n    <string>a&amp;&lt;b&gt;</string>\n    <key>u</key>\n    <uuid>11111111-2222-4333-8444-555555555555</uuid>\n  </map>\n</llsd>\n"
        let expected = LLSD.map([
            "ack": .undefined, "done": .boolean(false), "i": .integer(-3), "r": .real(0.5), "s": .string("a&<b>"),
            "u": .uuid(UUID(uuidString: "11111111-2222-4333-8444-555555555555")!), "d": .date(1_139_005_793.25),
            "l": .uri("http://u/?a&b"), "b": .binary([1, 2, 3]), "a": .array([.integer(1), .boolean(true), .map([:])]),
        ])
        #expect(try decode(compact) == expected)
        #expect(try decode(pretty) == expected)
    }

    @Test func malformedDocumentsAreRefusedWithWhatWasWrong() {
        let cases: [(String, LLSDXMLError)] = [
            ("<llsd><map><key>a</key><integer>1</integer></llsd>",
             .document(.syntax("closing </llsd> does not match <map>", offset: 43))),
            ("<llsd><array><integer>1</integer>", .document(.syntax("unclosed <array> at end of document", offset: 33))),
            ("<llsd><integer>12x</integer></llsd>", .badValue(element: "integer", value: "12x")),
            ("<llsd><integer>2147483648</integer></llsd>", .badValue(element: "integer", value: "2147483648")),
            ("<llsd><uuid>6f1e6d5c-0a1b-4c2d-9e8f-0123456789a</uuid></llsd>",
             .badValue(element: "uuid", value: "6f1e6d5c-0a1b-4c2d-9e8f-0123456789a")),
            ("<llsd><uuid>not-a-uuid</uuid></llsd>", .badValue(element: "uuid", value: "not-a-uuid")),
            ("<llsd><boolean>yes</boolean></llsd>", .badValue(element: "boolean", value: "yes")),
            ("<llsd><real>1.5.2</real></llsd>", .badValue(element: "real", value: "1.5.2")),
            ("<llsd><date>2006-02-30T00:00:00Z</date></llsd>", .badValue(element: "date", value: "2006-02-30T00:00:00Z")),
            ("<llsd><binary>AQI*</binary></llsd>", .badValue(element: "binary", value: "AQI*")),
            ("<llsd><binary encoding=\"base85\">AQID</binary></llsd>", .badValue(element: "binary", value: "encoding=base85")),
            ("<llsd><map><key>a</key></map></llsd>", .badMap("key \"a\" has no value")),
            ("<llsd><map><key>a</key><undef/><key>a</key><undef/></map></llsd>", .badMap("key \"a\" repeated")),
            ("<llsd><map><integer>1</integer></map></llsd>", .badMap("<integer> where a <key> belongs")),
            ("<llsd><array>text<undef/></array></llsd>", .unexpectedContent(element: "array")),
            ("<llsd><integer><integer>1</integer></integer></llsd>", .unexpectedElement("integer", inside: "integer")),
            ("<llsd><float>1</float></llsd>", .unexpectedElement("float", inside: "llsd")),
            ("<llsd><undef/><undef/></llsd>", .unexpectedElement("undef", inside: "llsd")),
            ("<root><undef/></root>", .notLLSD(root: "root")),
            ("<llsd><string>a &amp b</string></llsd>", .document(.syntax("unterminated reference after &", offset: 16))),
            ("<llsd><string>&ent;</string></llsd>", .document(.syntax("unknown or forbidden reference &ent;", offset: 14))),
            ("<llsd><string>&#0;</string></llsd>", .document(.syntax("unknown or forbidden reference &#0;", offset: 14))),
            ("<llsd><string>\u{1}</string></llsd>", .document(.syntax("character U+1 is not allowed in XML", offset: 14))),
            ("<llsd></llsd><llsd></llsd>", .document(.syntax("content after the root element </llsd>", offset: 13))),
            ("", .document(.syntax("no root element", offset: 0))),
            ("<?xml version=\"1.0\" encoding=\"UTF-16\"?><llsd/>",
             .document(.syntax("encoding \"utf-16\" is not supported (UTF-8 or ISO-8859-1 only)", offset: 0))),
        ]
        for (text, expected) in cases {
            #expect(throws: expected, "\(text)") { try decode(text) }
        }
        #expect(throws: LLSDXMLError.document(.syntax("invalid UTF-8", offset: 14))) {
            try LLSDXML.decode(Array("<llsd><string>".utf8) + [0xC3, 0x28] + Array("</string></llsd>".utf8))
        }
    }

    @Test func declaredLatin1IsReadAsUTF8WhenValidElseAsLatin1() throws {
        let head = Array("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><llsd><string>".utf8)
        let tail = Array("</string></llsd>".utf8)
        #expect(try LLSDXML.decode(head + [0x63, 0x61, 0x66, 0xE9] + tail) == .string("café"))
        #expect(try LLSDXML.decode(head + Array("café".utf8) + tail) == .string("café"))
    }

    @Test func entityDeclarationsAreNeverRead() {
        let text = """
            <?xml version="1.0"?>
            <!DOCTYPE llsd [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
            <llsd><string>&secret;</string></llsd>
            """
        #expect(throws: LLSDXMLError.document(.syntax("DOCTYPE is not allowed", offset: 22))) { try decode(text) }
    }

    @Test func tooDeepIsRefusedWhileReading() throws {
        let nested = String(repeating: "<array>", count: 4) + String(repeating: "</array>", count: 4)
        #expect(try decode("<llsd>\(nested)</llsd>", maxDepth: 5) == .array([.array([.array([.array([])])])]))
        #expect(throws: LLSDXMLError.document(.tooDeep(element: "array", depth: 6, limit: 5))) {
            try decode("<llsd><array>\(nested)</array></llsd>", maxDepth: 5)
        }
        // Never closed: refused at the depth limit, not at the end of the document.
        let bomb = "<llsd>" + String(repeating: "<array>", count: 100_000)
        #expect(throws: LLSDXMLError.document(.tooDeep(element: "array", depth: 33, limit: 32))) { try decode(bomb) }
    }

    @Test func tooBigIsRefusedBeforeReading() {
        let text = "<llsd><string>" + String(repeating: "x", count: 100) + "</string></llsd>"
        #expect(throws: LLSDXMLError.document(.tooBig(bytes: 130, limit: 129))) { try decode(text, maxBytes: 129) }
        #expect((try? decode(text, maxBytes: 130)) == .string(String(repeating: "x", count: 100)))
    }

    @Test func datesFormatAndParse() {
        #expect(ISO8601Date.format(0) == "1970-01-01T00:00:00Z")
        #expect(ISO8601Date.format(951_782_400) == "2000-02-29T00:00:00Z")
        #expect(ISO8601Date.format(-1.5) == "1969-12-31T23:59:58.5Z")
        #expect(ISO8601Date.format(.nan) == "1970-01-01T00:00:00Z")
        #expect(ISO8601Date.parse("2000-02-29T00:00:00Z") == 951_782_400)
        #expect(ISO8601Date.parse("2000-02-29T00:00:00.125Z") == 951_782_400.125)
        #expect(ISO8601Date.parse("2001-02-29T00:00:00Z") == nil)
        #expect(ISO8601Date.parse("2000-02-29 00:00:00Z") == nil)
        #expect(ISO8601Date.parse("2000-02-29T00:00:00") == nil)
    }
}
