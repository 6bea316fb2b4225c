import Foundation
import Testing
@testable import TesseraLLUDP

/// The login call of an independent client, exactly as Python 3.12's `xmlrpc.client.dumps`
/// writes it (the client's payload, with a fixed MAC digest, options in a fixed order and the
/// password "secret").
let pythonLoginRequest = """
<?xml version='1.0'?>
<methodCall>
<methodName>login_to_simulator</methodName>
<params>
<param>
<value><struct>
<member>
<name>address_size</name>
<value><int>64</int></value>
</member>
<member>
<name>agree_to_tos</name>
<value><int>0</int></value>
</member>
<member>
<name>channel</name>
<value><string>Hippolyzer</string></value>
</member>
<member>
<name>extended_errors</name>
<value><int>1</int></value>
</member>
<member>
<name>first</name>
<value><string>Ada</string></value>
</member>
<member>
<name>last</name>
<value><string>Lovelace</string></value>
</member>
<member>
<name>host_id</name>
<value><string></string></value>
</member>
<member>
<name>id0</name>
<value><string>81dc9bdb52d04dc20036dbd8313ed055</string></value>
</member>
<member>
<name>mac</name>
<value><string>81dc9bdb52d04dc20036dbd8313ed055</string></value>
</member>
<member>
<name>mfa_hash</name>
<value><string></string></value>
</member>
<member>
<name>passwd</name>
<value><string>$1$5ebe2294ecd0e0f08eab7690d2a6ee69</string></value>
</member>
<member>
<name>platform</name>
<value><string>lnx</string></value>
</member>
<member>
<name>platform_string</name>
<value><string>Linux 6.6</string></value>
</member>
<member>
<name>platform_version</name>
<value><string>2.38.0</string></value>
</member>
<member>
<name>read_critical</name>
<value><int>0</int></value>
</member>
<member>
<name>start</name>
<value><string>uri:Tessera Plaza&amp;128&amp;128&amp;128</string></value>
</member>
<member>
<name>token</name>
<value><string></string></value>
</member>
<member>
<name>version</name>
<value><string>0.17.6</string></value>
</member>
<member>
<name>options</name>
<value><array><data>
<value><string>inventory-root</string></value>
<value><string>inventory-skeleton</string></value>
<value><string>inventory-lib-root</string></value>
<value><string>inventory-lib-owner</string></value>
<value><string>inventory-skel-lib</string></value>
<value><string>initial-outfit</string></value>
<value><string>gestures</string></value>
<value><string>display_names</string></value>
<value><string>event_notifications</string></value>
<value><string>classified_categories</string></value>
<value><string>adult_compliant</string></value>
<value><string>buddy-list</string></value>
<value><string>newuser-config</string></value>
<value><string>ui-config</string></value>
<value><string>advanced-mode</string></value>
<value><string>max-agent-groups</string></value>
<value><string>map-server-url</string></value>
<value><string>voice-config</string></value>
<value><string>tutorial_setting</string></value>
<value><string>login-flags</string></value>
<value><string>global-textures</string></value>
<value><string>pyogp-client</string></value>
</data></array></value>
</member>
</struct></value>
</param>
</params>
</methodCall>

"""

private func parse(_ text: String, limits: XMLRPCLimits = .login) throws(XMLRPCError) -> XMLRPCRequest {
    try XMLRPCRequest.parse(Array(text.utf8), limits: limits)
}

@Suite struct XMLRPCTests {
    @Test func readsThePythonLoginRequest() throws {
        let request = try parse(pythonLoginRequest)
        #expect(request.methodName == "login_to_simulator")
        #expect(request.params.count == 1)
        let payload = try #require(request.params.first?.structValue)
        #expect(payload.count == 19)
        #expect(payload["address_size"] == .int(64))
        #expect(payload["agree_to_tos"] == .int(0))
        #expect(payload["first"] == .string("Ada"))
        #expect(payload["last"] == .string("Lovelace"))
        #expect(payload["host_id"] == .string(""))
        #expect(payload["passwd"] == .string("$1$5ebe2294ecd0e0f08eab7690d2a6ee69"))
        #expect(payload["start"] == .string("uri:Tessera Plaza&128&128&128"))
        #expect(payload["platform_string"] == .string("Linux 6.6"))
        #expect(payload["version"] == .string("0.17.6"))
        let options = try #require(payload["options"]?.arrayValue)
        #expect(options.count == 22)
        #expect(options.first == .string("inventory-root"))
        #expect(options.last == .string("pyogp-client"))
    }

    @Test func everyValueTypeRoundTrips() throws {
        let value = XMLRPCValue.struct([
            "i": .int(-2_147_483_648), "t": .bool(true), "f": .bool(false), "s": .string("a & <b> \"c\"\r\n"),
            "empty": .string(""), "d": .double(0.25), "when": .dateTime(1_138_804_193), "bytes": .base64([0, 1, 255]),
            "list": .array([.int(1), .array([]), .struct([:])]),
        ])
        let request = XMLRPCRequest(methodName: "echo", params: [value, .string("second")])
        #expect(try parse(request.encode()) == request)
        let response = try XMLRPCResponse.parse(Array(XMLRPCResponse.value(value).encode().utf8))
        #expect(response == .value(value))
    }

    @Test func untypedValuesAndI4AreRead() throws {
        let request = try parse("""
            <?xml version="1.0"?><methodCall><methodName>m</methodName><params>
            <param><value>plain &amp; text</value></param>
            <param><value><i4> 42 </i4></value></param>
            <param><value><boolean>true</boolean></value></param>
            <param><value><dateTime.iso8601>2006-02-01T14:29:53Z</dateTime.iso8601></value></param>
            <param><value/></param>
            </params></methodCall>
            """)
        #expect(request.params == [.string("plain & text"), .int(42), .bool(true), .dateTime(1_138_804_193), .string("")])
        #expect(try parse("<methodCall><methodName>m</methodName></methodCall>").params == [])
    }

    @Test func responsesAndFaultsHaveExactText() {
        #expect(XMLRPCResponse.value(.struct(["login": .string("false"), "n": .int(3), "ok": .bool(true)])).encode() == """
            <?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param><value><struct>\
            <member><name>login</name><value><string>false</string></value></member>\
            <member><name>n</name><value><int>3</int></value></member>\
            <member><name>ok</name><value><boolean>1</boolean></value></member>\
            </struct></value></param></params></methodResponse>
            """)
        #expect(XMLRPCResponse.fault(code: 4, message: "bad <x>").encode() == """
            <?xml version="1.0" encoding="UTF-8"?><methodResponse><fault><value><struct>\
            <member><name>faultCode</name><value><int>4</int></value></member>\
            <member><name>faultString</name><value><string>bad &lt;x&gt;</string></value></member>\
            </struct></value></fault></methodResponse>
            """)
        #expect(XMLRPCValue.dateTime(1_138_804_193).xml == "<value><dateTime.iso8601>20060201T14:29:53</dateTime.iso8601></value>")
    }

    @Test func readsPythonResponsesAndFaults() throws {
        let response = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n<member>\n<name>login</name>\n<value><string>true</string></value>\n</member>\n<member>\n<name>region_x</name>\n<value><int>256000</int></value>\n</member>\n<member>\n<name>ok</name>\n<value><boolean>1</boolean></value>\n</member>\n<member>\n<name>r</name>\n<value><double>0.5</double></value>\n</member>\n<member>\n<name>when</name>\n<value><dateTime.iso8601>20060201T14:29:53</dateTime.iso8601></value>\n</member>\n<member>\n<name>b</name>\n<value><base64>\nAQID\n</base64></value>\n</member>\n<member>\n<name>list</name>\n<value><array><data>\n<value><int>1</int></value>\n<value><string>two</string></value>\n</data></array></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodResponse>\n"
        #expect(try XMLRPCResponse.parse(Array(response.utf8)) == .value(.struct([
            "login": .string("true"), "region_x": .int(256_000), "ok": .bool(true), "r": .double(0.5),
            "when": .dateTime(1_138_804_193), "b": .base64([1, 2, 3]), "list": .array([.int(1), .string("two")]),
        ])))
        let fault = "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>4</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>bad &lt;x&gt;</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n"
        #expect(try XMLRPCResponse.parse(Array(fault.utf8)) == .fault(code: 4, message: "bad <x>"))
    }

    @Test func malformedRequestsAreRefusedWithWhatWasWrong() {
        let call = { (inside: String) in "<methodCall><methodName>m</methodName><params><param>\(inside)</param></params></methodCall>" }
        let cases: [(String, XMLRPCError)] = [
            (call("<value><int>12x</int></value>"), .badValue(element: "int", value: "12x")),
            (call("<value><int>4294967296</int></value>"), .badValue(element: "int", value: "4294967296")),
            (call("<value><boolean>yes</boolean></value>"), .badValue(element: "boolean", value: "yes")),
            (call("<value><double>inf</double></value>"), .badValue(element: "double", value: "inf")),
            (call("<value><dateTime.iso8601>yesterday</dateTime.iso8601></value>"), .badValue(element: "dateTime.iso8601", value: "yesterday")),
            (call("<value><base64>!!</base64></value>"), .badValue(element: "base64", value: "!!")),
            (call("<value><nil/></value>"), .unexpectedElement("nil", inside: "value",
                expected: "int, i4, boolean, string, double, dateTime.iso8601, base64, struct or array")),
            (call("<value><int>1</int><int>2</int></value>"), .unexpectedElement("int", inside: "value", expected: "one type element")),
            (call("<value><struct><member><name>a</name></member></struct></value>"), .missingElement("value", inside: "member")),
            (call("<value><struct><member><name>a</name><value/></member><member><name>a</name><value/></member></struct></value>"),
             .duplicateMember("a")),
            (call("<value><array><value/></array></value>"), .unexpectedElement("value", inside: "array", expected: "<data>")),
            (call("<int>1</int>"), .missingElement("value", inside: "param")),
            ("<methodCall><params/></methodCall>", .unexpectedElement("params", inside: "methodCall", expected: "<methodName>")),
            ("<methodCall><methodName>a b</methodName></methodCall>", .badValue(element: "methodName", value: "a b")),
            ("<methodResponse/>", .unexpectedElement("methodResponse", inside: "document", expected: "<methodCall>")),
            ("<methodCall><methodName>m</methodName>", .document(.syntax("unclosed <methodCall> at end of document", offset: 38))),
        ]
        for (text, expected) in cases {
            #expect(throws: expected, "\(text)") { try parse(text) }
        }
    }

    @Test func limitsAreEnforced() {
        #expect(throws: XMLRPCError.document(.tooBig(bytes: pythonLoginRequest.utf8.count, limit: 1000))) {
            try parse(pythonLoginRequest, limits: XMLRPCLimits(maxBytes: 1000, maxDepth: 20))
        }
        // The login request is 11 elements deep (methodCall … options' <string>).
        #expect((try? parse(pythonLoginRequest, limits: XMLRPCLimits(maxBytes: 65536, maxDepth: 11))) != nil)
        #expect(throws: XMLRPCError.document(.tooDeep(element: "string", depth: 11, limit: 10))) {
            try parse(pythonLoginRequest, limits: XMLRPCLimits(maxBytes: 65536, maxDepth: 10))
        }
    }
}
