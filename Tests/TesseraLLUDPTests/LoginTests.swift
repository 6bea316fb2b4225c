import Foundation
import Testing
import TesseraWorld
@testable import TesseraLLUDP

private func login(_ members: [String: XMLRPCValue]) throws(ViewerLoginError) -> ViewerLoginRequest {
    try ViewerLoginRequest(XMLRPCRequest(methodName: "login_to_simulator", params: [.struct(members)]))
}

private let base: [String: XMLRPCValue] = [
    "first": .string("Ada"), "last": .string("Lovelace"), "passwd": .string("$1$5ebe2294ecd0e0f08eab7690d2a6ee69"),
]

private func with(_ key: String, _ value: XMLRPCValue?) -> [String: XMLRPCValue] {
    var members = base
    members[key] = value
    return members
}

private let agent = UUID(uuidString: "11111111-2222-4333-8444-555555555555")!
private let session = UUID(uuidString: "21111111-2222-4333-8444-555555555555")!
private let secure = UUID(uuidString: "31111111-2222-4333-8444-555555555555")!
private let root = UUID(uuidString: "41111111-2222-4333-8444-555555555555")!
private let trash = UUID(uuidString: "51111111-2222-4333-8444-555555555555")!
private let zero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

@Suite struct LoginTests {
    @Test func readsThePythonClientsRequest() throws {
        let request = try ViewerLoginRequest(XMLRPCRequest.parse(Array(pythonLoginRequest.utf8)))
        #expect(request.firstName == "Ada")
        #expect(request.lastName == "Lovelace")
        #expect(request.avatarName == "Ada Lovelace")
        #expect(request.passwordMD5 == "5ebe2294ecd0e0f08eab7690d2a6ee69")
        #expect(request.start == .region(name: "Tessera Plaza", x: 128, y: 128, z: 128))
        #expect(request.channel == "Hippolyzer")
        #expect(request.version == "0.17.6")
        #expect(request.options.count == 22)
        #expect(request.options.contains("inventory-skeleton"))
    }

    @Test func passwordsBecomeLowercaseMD5Hex() throws {
        #expect(try login(with("passwd", .string("$1$5EBE2294ECD0E0F08EAB7690D2A6EE69"))).passwordMD5 == "5ebe2294ecd0e0f08eab7690d2a6ee69")
        #expect(try login(with("passwd", .string("secret"))).passwordMD5 == "5ebe2294ecd0e0f08eab7690d2a6ee69")
        #expect(ViewerLoginRequest.md5Hex("") == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(ViewerLoginRequest.md5Hex("pässwörd") == "12841e4ba5e37d2fbfc78458c6714ade")
    }

    @Test func resident() throws {
        #expect(try login(with("last", .string("Resident"))).avatarName == "Ada")
        #expect(try login(with("last", .string("resident"))).avatarName == "Ada")
        #expect(try login(with("last", .string(""))).avatarName == "Ada")
        #expect(try login(with("first", .string(" Ada "))).avatarName == "Ada Lovelace")
    }

    @Test func defaultsWhenOptionalFieldsAreMissing() throws {
        let request = try login(base)
        #expect(request == ViewerLoginRequest(firstName: "Ada", lastName: "Lovelace", passwordMD5: "5ebe2294ecd0e0f08eab7690d2a6ee69"))
        #expect(request.start == .last)
    }

    @Test func wrongOrMissingFieldsNameTheField() {
        let long = String(repeating: "a", count: 32)
        let cases: [([String: XMLRPCValue], ViewerLoginError)] = [
            (with("first", nil), ViewerLoginError(field: "first", problem: "missing")),
            (with("first", .string("  ")), ViewerLoginError(field: "first", problem: "empty")),
            (with("first", .int(3)), ViewerLoginError(field: "first", problem: "expected a string, got int")),
            (with("first", .string(long)), ViewerLoginError(field: "first", problem: "longer than 31 bytes")),
            (with("last", nil), ViewerLoginError(field: "last", problem: "missing")),
            (with("last", .string("Love\u{0}lace")), ViewerLoginError(field: "last", problem: "has a control character")),
            (with("passwd", nil), ViewerLoginError(field: "passwd", problem: "missing")),
            (with("passwd", .string("")), ViewerLoginError(field: "passwd", problem: "empty")),
            (with("passwd", .bool(true)), ViewerLoginError(field: "passwd", problem: "expected a string, got boolean")),
            (with("passwd", .string("$1$5ebe2294")), ViewerLoginError(field: "passwd", problem: "$1$ must be followed by 32 hexadecimal digits")),
            (with("passwd", .string("$1$5ebe2294ecd0e0f08eab7690d2a6ee6g")),
             ViewerLoginError(field: "passwd", problem: "$1$ must be followed by 32 hexadecimal digits")),
            (with("passwd", .string(String(repeating: "p", count: 257))), ViewerLoginError(field: "passwd", problem: "longer than 256 bytes")),
            (with("channel", .string(String(repeating: "c", count: 256))), ViewerLoginError(field: "channel", problem: "longer than 255 bytes")),
            (with("version", .array([])), ViewerLoginError(field: "version", problem: "expected a string, got array")),
            (with("options", .string("x")), ViewerLoginError(field: "options", problem: "expected an array, got string")),
            (with("options", .array([.string("a"), .int(1)])), ViewerLoginError(field: "options[1]", problem: "expected a string, got int")),
            (with("options", .array(Array(repeating: .string("a"), count: 65))), ViewerLoginError(field: "options", problem: "more than 64 entries")),
            (with("start", .string("somewhere")),
             ViewerLoginError(field: "start", problem: "expected last, home or uri:Region&x&y&z, got \"somewhere\"")),
        ]
        for (members, expected) in cases {
            #expect(throws: expected, "\(expected)") { try login(members) }
        }
        #expect(throws: ViewerLoginError(field: "methodName", problem: "expected login_to_simulator, got \"get_grid\"")) {
            try ViewerLoginRequest(XMLRPCRequest(methodName: "get_grid", params: [.struct(base)]))
        }
        #expect(throws: ViewerLoginError(field: "params", problem: "expected one struct")) {
            try ViewerLoginRequest(XMLRPCRequest(methodName: "login_to_simulator", params: [.string("Ada")]))
        }
        #expect(throws: ViewerLoginError(field: "params", problem: "expected one struct")) {
            try ViewerLoginRequest(XMLRPCRequest(methodName: "login_to_simulator", params: []))
        }
    }

    @Test func startLocations() throws {
        #expect(try StartLocation(parsing: "last") == .last)
        #expect(try StartLocation(parsing: "HOME") == .home)
        #expect(try StartLocation(parsing: "uri:Tessera Plaza&128&64&22") == .region(name: "Tessera Plaza", x: 128, y: 64, z: 22))
        #expect(try StartLocation(parsing: "uri:Tessera%20Plaza&128&64&22") == .region(name: "Tessera Plaza", x: 128, y: 64, z: 22))
        #expect(try StartLocation(parsing: "uri:Rock+Roll&0&256&4096") == .region(name: "Rock+Roll", x: 0, y: 256, z: 4096))
        #expect(try StartLocation(parsing: "uri:A&B&1.5&2&3") == .region(name: "A&B", x: 1.5, y: 2, z: 3))
        // Escaped once more by the viewer before its XML-RPC library escaped it.
        #expect(try StartLocation(parsing: "uri:Rock &amp; Roll&amp;128&amp;64&amp;22") == .region(name: "Rock & Roll", x: 128, y: 64, z: 22))
        #expect(try StartLocation(parsing: "uri:Tessera Plaza&amp;128&amp;64&amp;22") == .region(name: "Tessera Plaza", x: 128, y: 64, z: 22))
        #expect(try StartLocation(parsing: "uri:A&1e-05&2.5e1&0") == .region(name: "A", x: 1e-05, y: 25, z: 0))
        #expect(StartLocation.last.replyName == "last")
        #expect(StartLocation.home.replyName == "home")
        #expect(StartLocation.region(name: "A", x: 1, y: 2, z: 3).replyName == "url")

        let refusals: [(String, String)] = [
            ("uri:Plaza&128&128", "expected uri:Region&x&y&z, got \"uri:Plaza&128&128\""),
            ("uri:&128&128&20", "region name is empty"),
            ("uri:%zz&128&128&20", "region name has a bad %-escape"),
            ("uri:Plaza&257&128&20", "x must be a number from 0 to 256, got \"257\""),
            ("uri:Plaza&128&-1&20", "y must be a number from 0 to 256, got \"-1\""),
            ("uri:Plaza&128&128&4097", "z must be a number from 0 to 4096, got \"4097\""),
            ("uri:Plaza&1e3&128&20", "x must be a number from 0 to 256, got \"1e3\""),
            ("uri:Plaza&nan&128&20", "x must be a number from 0 to 256, got \"nan\""),
            ("uri:Plaza&1.2.3&128&20", "x must be a number from 0 to 256, got \"1.2.3\""),
            ("uri:Plaza&128&-0.5&20", "y must be a number from 0 to 256, got \"-0.5\""),
            ("uri:Plaza&128&128&1e39", "z must be a number from 0 to 4096, got \"1e39\""),
            ("uri:Plaza&&128&20", "x must be a number from 0 to 256, got \"\""),
            ("uri:" + String(repeating: "r", count: 64) + "&1&1&1", "region name is longer than 63 bytes"),
            ("uri:Pla%0Aza&1&1&1", "region name has a control character"),
        ]
        for (text, problem) in refusals {
            #expect(throws: ViewerLoginError(field: "start", problem: problem), "\(text)") { try StartLocation(parsing: text) }
        }
    }

    static let success = ViewerLoginSuccess(
        agentID: agent, sessionID: session, secureSessionID: secure, firstName: "Ada", lastName: "Lovelace",
        circuitCode: 123_456_789, simIP: "127.0.0.1", simPort: 9001, region: GridPosition(x: 1000, y: 1001)!,
        seedCapability: "http://127.0.0.1:9000/cap/seed-1", start: .region(name: "Plaza", x: 1, y: 2, z: 3),
        lookAt: Vector3(0, 1, 0), home: ViewerHome(region: GridPosition(x: 1000, y: 1000)!, position: Vector3(128, 128, 21.5)),
        inventoryRoot: root,
        inventorySkeleton: [
            InventorySkeletonFolder(folderID: root, parentID: zero, name: "My Inventory", typeDefault: 8),
            InventorySkeletonFolder(folderID: trash, parentID: root, name: "Trash", typeDefault: 14, version: 3),
        ],
        message: "Welcome to Tessera", secondsSinceEpoch: 1_800_000_000, mapServerURL: "http://127.0.0.1:9000/map/"
    )

    @Test func successCarriesWhatViewersAndClientsRead() throws {
        let reply = ViewerLoginReply.success(Self.success).xmlrpc
        let members = try #require(reply.structValue)
        #expect(members.keys.sorted() == [
            "agent_access", "agent_access_max", "agent_id", "agent_region_access", "buddy-list", "circuit_code",
            "classified_categories", "event_categories", "event_notifications", "first_name", "gestures", "global-textures",
            "home", "initial-outfit", "inventory-lib-owner", "inventory-lib-root", "inventory-root", "inventory-skel-lib",
            "inventory-skeleton", "last_name", "login", "login-flags", "look_at", "map-server-url", "max-agent-groups",
            "message", "region_x", "region_y", "seconds_since_epoch", "secure_session_id", "seed_capability",
            "session_id", "sim_ip", "sim_port", "start_location", "ui-config",
        ])
        #expect(members["login"] == .string("true"))
        #expect(members["agent_id"] == .string("11111111-2222-4333-8444-555555555555"))
        #expect(members["session_id"] == .string("21111111-2222-4333-8444-555555555555"))
        #expect(members["secure_session_id"] == .string("31111111-2222-4333-8444-555555555555"))
        #expect(members["first_name"] == .string("\"Ada\""))
        #expect(members["last_name"] == .string("Lovelace"))
        #expect(members["circuit_code"] == .int(123_456_789))
        #expect(members["sim_ip"] == .string("127.0.0.1"))
        #expect(members["sim_port"] == .int(9001))
        #expect(members["region_x"] == .int(256_000))
        #expect(members["region_y"] == .int(256_256))
        #expect(members["seed_capability"] == .string("http://127.0.0.1:9000/cap/seed-1"))
        #expect(members["start_location"] == .string("url"))
        #expect(members["look_at"] == .string("[r0.0,r1.0,r0.0]"))
        #expect(members["home"] == .string("{'look_at':[r1.0,r0.0,r0.0],'position':[r128.0,r128.0,r21.5],'region_handle':[r256000.0,r256000.0]}"))
        #expect(members["agent_access"] == .string("M"))
        #expect(members["agent_access_max"] == .string("A"))
        #expect(members["seconds_since_epoch"] == .int(1_800_000_000))
        #expect(members["message"] == .string("Welcome to Tessera"))
        #expect(members["max-agent-groups"] == .int(42))
        #expect(members["map-server-url"] == .string("http://127.0.0.1:9000/map/"))
        #expect(members["inventory-root"] == .array([.struct(["folder_id": .string("41111111-2222-4333-8444-555555555555")])]))
        #expect(members["inventory-skeleton"] == .array([
            .struct(["folder_id": .string("41111111-2222-4333-8444-555555555555"), "parent_id": .string("00000000-0000-0000-0000-000000000000"),
                     "name": .string("My Inventory"), "type_default": .int(8), "version": .int(1)]),
            .struct(["folder_id": .string("51111111-2222-4333-8444-555555555555"), "parent_id": .string("41111111-2222-4333-8444-555555555555"),
                     "name": .string("Trash"), "type_default": .int(14), "version": .int(3)]),
        ]))
        for empty in ["inventory-lib-root", "inventory-lib-owner", "inventory-skel-lib", "buddy-list", "gestures", "initial-outfit",
                      "event_categories", "event_notifications"] {
            #expect(members[empty] == .array([]), "\(empty)")
        }
        #expect(members["login-flags"] == .array([.struct([
            "stipend_since_login": .string("N"), "ever_logged_in": .string("Y"), "daylight_savings": .string("N"), "gendered": .string("Y"),
        ])]))
        #expect(members["ui-config"] == .array([.struct(["allow_first_life": .string("Y")])]))
        #expect(members["classified_categories"] == .array([.struct(["category_id": .int(1), "category_name": .string("Any")])]))
        #expect(members["global-textures"]?.arrayValue?.first?.structValue?.keys.sorted() == ["cloud_texture_id", "moon_texture_id", "sun_texture_id"])

        // The document reads back as the same value.
        #expect(try XMLRPCResponse.parse(Array(ViewerLoginReply.success(Self.success).encode().utf8)) == .value(reply))
    }

    @Test func regionMetresBeyondAnIntAreText() {
        var success = Self.success
        success.region = GridPosition(x: 8_388_608, y: 8_388_607)!
        let members = ViewerLoginReply.success(success).xmlrpc
        #expect(members["region_x"] == .string("2147483648"))
        #expect(members["region_y"] == .int(2_147_483_392))
        success.mapServerURL = nil
        #expect(ViewerLoginReply.success(success).xmlrpc["map-server-url"] == nil)
    }

    @Test func refusalHasExactText() {
        let reply = ViewerLoginReply.refusal(reason: .key, message: "Unknown name or wrong password.")
        #expect(reply.xmlrpc == .struct(["login": .string("false"), "reason": .string("key"), "message": .string("Unknown name or wrong password.")]))
        #expect(reply.encode() == """
            <?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param><value><struct>\
            <member><name>login</name><value><string>false</string></value></member>\
            <member><name>message</name><value><string>Unknown name or wrong password.</string></value></member>\
            <member><name>reason</name><value><string>key</string></value></member>\
            </struct></value></param></params></methodResponse>
            """)
        #expect(ViewerLoginRefusalReason.allCases.map(\.rawValue) == ["key", "presence", "update", "input", "region", "unavailable"])
    }

    @Test func gridInfoHasExactText() {
        let info = GridInfo(gridName: "Tessera Local", gridNick: "tessera", login: "http://127.0.0.1:9000/", welcome: "http://127.0.0.1:8080/welcome?a=1&b=2")
        #expect(info.xml() == """
            <?xml version="1.0" encoding="UTF-8"?>
            <gridinfo>
            <gridname>Tessera Local</gridname>
            <gridnick>tessera</gridnick>
            <login>http://127.0.0.1:9000/</login>
            <welcome>http://127.0.0.1:8080/welcome?a=1&amp;b=2</welcome>
            <platform>OpenSim</platform>
            </gridinfo>

            """)
    }

    @Test func notation() {
        #expect(LLSDNotation.encode(.map([
            "a": .array([.undefined, .boolean(true), .integer(-3), .real(0.5)]), "b": .string("it's \\ ok"),
            "c": .uuid(agent), "d": .date(0), "e": .uri("http://x/\"y\""), "f": .binary([1, 2, 3]),
        ])) == "{'a':[!,true,i-3,r0.5],'b':'it\\'s \\\\ ok','c':u11111111-2222-4333-8444-555555555555,"
            + "'d':d\"1970-01-01T00:00:00Z\",'e':l\"http://x/\\\"y\\\"\",'f':b64\"AQID\"}")
    }
}
