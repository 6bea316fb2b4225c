import Testing
@testable import TesseraLSL

@Suite struct LSLConsoleHostTests {
    /// A host whose output lines are collected, and a way to call a world function by name.
    final class Console {
        var lines: [String] = []
        var events: [LSLEvent] = []
        lazy var host: LSLConsoleHost = {
            let host = LSLConsoleHost { [unowned self] in self.lines.append($0) }
            host.onEvent = { [unowned self] in self.events.append($0) }
            return host
        }()

        @discardableResult
        func call(_ name: String, _ arguments: LSLValue...) -> LSLValue {
            call(name, arguments)
        }

        func call(_ name: String, _ arguments: [LSLValue]) -> LSLValue {
            host.perform(LSLDefinitions.functions[name]!, LSLConsoleHost.Arguments(values: arguments))
        }
    }

    @Test func chatIsOneLinePerMessage() {
        let console = Console()
        console.call("llSay", .integer(0), .string("Hello, Avatar!"))
        console.call("llSay", .integer(-42), .string("on a channel"))
        console.call("llWhisper", .integer(0), .string("psst"))
        console.call("llShout", .integer(7), .string("HEY"))
        console.call("llOwnerSay", .string("for you"))
        console.call("llRegionSay", .integer(5), .string("region wide"))
        console.call("llRegionSay", .integer(0), .string("not allowed"))
        console.call("llRegionSayTo", .key(console.host.ownerKey), .integer(0), .string("just you"))
        console.call("llInstantMessage", .key(console.host.avatarKey(for: "Alice")), .string("hi Alice"))
        #expect(console.lines == [
            "Object: Hello, Avatar!",
            "Object [channel -42]: on a channel",
            "Object whispers: psst",
            "Object shouts [channel 7]: HEY",
            "Object [owner]: for you",
            "Object [region, channel 5]: region wide",
            "llRegionSay: channel 0 is not allowed, nothing said",
            "Object [to Owner, channel 0]: just you",
            "Object [IM to Alice]: hi Alice",
        ])
    }

    @Test func listensAreKeptRemovedAndMatched() {
        let console = Console()
        let host = console.host
        #expect(console.call("llListen", .integer(0), .string(""), .key(""), .string("")) == .integer(1))
        #expect(console.call("llListen", .integer(5), .string("Alice"), .key(LSLConsoleHost.nullKey), .string("open")) == .integer(2))
        #expect(host.hears(channel: 0, speaker: "Bob", text: "anything"))
        #expect(host.hears(channel: 5, speaker: "Alice", text: "open"))
        #expect(!host.hears(channel: 5, speaker: "Bob", text: "open"))
        #expect(!host.hears(channel: 5, speaker: "Alice", text: "close"))
        #expect(!host.hears(channel: 6, speaker: "Alice", text: "open"))
        console.call("llListenControl", .integer(1), .integer(0))
        #expect(!host.hears(channel: 0, speaker: "Bob", text: "anything"))
        console.call("llListenControl", .integer(1), .integer(1))
        #expect(host.hears(channel: 0, speaker: "Bob", text: "anything"))
        console.call("llListenRemove", .integer(1))
        console.call("llListenRemove", .integer(99))
        #expect(!host.hears(channel: 0, speaker: "Bob", text: "anything"))
        #expect(host.listens.keys.sorted() == [2])
        #expect(console.lines == [
            "llListen: handle 1 on channel 0",
            "llListen: handle 2 on channel 5, name \"Alice\", message \"open\"",
            "llListenControl: handle 1 off",
            "llListenControl: handle 1 on",
            "llListenRemove: handle 1 removed",
        ])
    }

    @Test func theObjectChangesAndAnswers() {
        let console = Console()
        #expect(console.call("llGetPos") == .vector(LSLVector(128, 128, 25)))
        console.call("llSetPos", .vector(LSLVector(1, 2, 3)))
        #expect(console.call("llGetPos") == .vector(LSLVector(1, 2, 3)))
        console.call("llSetRot", .rotation(LSLRotation(0, 0, 0.70711, 0.70711)))
        #expect(console.call("llGetRot") == .rotation(LSLRotation(0, 0, 0.70711, 0.70711)))
        console.call("llSetScale", .vector(LSLVector(2, 1, 0.25)))
        console.call("llSetText", .string("Hello"), .vector(LSLVector(1, 0, 0)), .float(0.5))
        console.call("llSetColor", .vector(LSLVector(0, 1, 0)), .integer(-1))
        console.call("llSetAlpha", .float(0.25), .integer(2))
        console.call("llSetObjectName", .string("Door"))
        console.call("llSetObjectDesc", .string("a door"))
        #expect(console.call("llGetObjectName") == .string("Door"))
        #expect(console.call("llGetObjectDesc") == .string("a door"))
        #expect(console.call("llGetColor", .integer(3)) == .vector(LSLVector(0, 1, 0)))
        console.call("llSetColor", .vector(LSLVector(1, 1, 1)), .integer(0))
        console.call("llSetColor", .vector(LSLVector(1, 1, 1)), .integer(1))
        console.call("llSetColor", .vector(LSLVector(1, 1, 1)), .integer(2))
        #expect(console.call("llGetColor", .integer(-1)) == .vector(LSLVector(0.5, 1, 0.5)))
        #expect(console.call("llGetAlpha", .integer(2)) == .float(0.25))
        #expect(console.call("llGetAlpha", .integer(-1)) == .float(5.25))
        #expect(console.call("llGetScale") == .vector(LSLVector(2, 1, 0.25)))
        #expect(console.lines == [
            "llSetPos: position is now <1.00000, 2.00000, 3.00000>",
            "llSetRot: rotation is now <0.00000, 0.00000, 0.70711, 0.70711>",
            "llSetScale: scale is now <2.00000, 1.00000, 0.25000>",
            "llSetText: text is now \"Hello\", color <1.00000, 0.00000, 0.00000>, alpha 0.50000",
            "llSetColor: every face color is now <0.00000, 1.00000, 0.00000>",
            "llSetAlpha: face 2 alpha is now 0.25000",
            "llSetObjectName: name is now \"Door\"",
            "llSetObjectDesc: description is now \"a door\"",
            "llSetColor: face 0 color is now <1.00000, 1.00000, 1.00000>",
            "llSetColor: face 1 color is now <1.00000, 1.00000, 1.00000>",
            "llSetColor: face 2 color is now <1.00000, 1.00000, 1.00000>",
        ])
    }

    @Test func primitiveParameters() {
        let console = Console()
        console.call("llSetPrimitiveParams", .list([
            .integer(6), .vector(LSLVector(10, 20, 30)), .integer(7), .vector(LSLVector(1, 1, 1)),
            .integer(18), .integer(1), .vector(LSLVector(1, 0, 0)), .float(1), .integer(26), .string("sign"), .vector(LSLVector(1, 1, 1)), .float(1),
            .integer(9), .integer(0),
        ]))
        console.call("llSetLinkPrimitiveParamsFast", .integer(2), .list([.integer(27), .string("child")]))
        console.call("llSetLinkPrimitiveParamsFast", .integer(-4), .list([.integer(27), .string("Sign")]))
        #expect(console.host.position == LSLVector(10, 20, 30))
        #expect(console.host.colors[1] == LSLVector(1, 0, 0))
        #expect(console.host.text == "sign")
        #expect(console.host.objectName == "Sign")
        #expect(console.call("llGetPrimitiveParams", .list([.integer(6), .integer(18), .integer(1), .integer(27), .integer(26), .integer(9), .integer(7)]))
            == .list([.vector(LSLVector(10, 20, 30)), .vector(LSLVector(1, 0, 0)), .float(1), .string("Sign"),
                      .string("sign"), .vector(LSLVector(1, 1, 1)), .float(1)]))
        #expect(console.call("llGetLinkPrimitiveParams", .integer(0), .list([.integer(18), .integer(-1)]))
            == .list([.vector(LSLVector(1, 1, 1)), .float(1), .vector(LSLVector(1, 0, 0)), .float(1)]
                     + Array(repeating: [LSLValue.vector(LSLVector(1, 1, 1)), .float(1)], count: 4).flatMap { $0 }))
        #expect(console.call("llGetLinkPrimitiveParams", .integer(3), .list([.integer(6)])) == .list([]))
        #expect(console.lines == [
            "llSetPrimitiveParams: position <10.00000, 20.00000, 30.00000>, size <1.00000, 1.00000, 1.00000>, face 1 color <1.00000, 0.00000, 0.00000> alpha 1.00000, text \"sign\", rule 9 and what follows skipped (pretend)",
            "llSetLinkPrimitiveParamsFast: name \"Sign\"",
        ])
    }

    @Test func keysNamesAndDetected() {
        let console = Console()
        let host = console.host
        #expect(console.call("llGetKey") == .key("a0b1c2d3-0000-4000-8000-00000000cafe"))
        #expect(console.call("llGetOwner") == .key("0f0e0d0c-0000-4000-8000-0000000000a1"))
        #expect(console.call("llGetCreator") == .key(host.ownerKey))
        #expect(console.call("llKey2Name", .key(host.ownerKey)) == .string("Owner"))
        #expect(console.call("llKey2Name", .key(host.objectKey)) == .string("Object"))
        #expect(console.call("llKey2Name", .key(LSLConsoleHost.nullKey)) == .string(""))
        let alice = host.avatarKey(for: "Alice Resident")
        #expect(alice == host.avatarKey(for: "Alice Resident"))
        #expect(alice != host.avatarKey(for: "Bob"))
        #expect(alice.count == 36)
        #expect(console.call("llGetDisplayName", .key(alice)) == .string("Alice Resident"))
        #expect(console.call("llGetUsername", .key(alice)) == .string("alice.resident"))
        host.detected = [host.avatar(named: "Alice Resident")]
        #expect(console.call("llDetectedName", .integer(0)) == .string("Alice Resident"))
        #expect(console.call("llDetectedKey", .integer(0)) == .key(alice))
        #expect(console.call("llDetectedType", .integer(0)) == .integer(1))
        #expect(console.call("llDetectedPos", .integer(0)) == .vector(LSLVector(129, 128, 25)))
        #expect(console.call("llDetectedName", .integer(1)) == .string(""))
        #expect(console.call("llDetectedKey", .integer(1)) == .key(LSLConsoleHost.nullKey))
        #expect(console.call("llGetLinkNumber") == .integer(0))
        #expect(console.call("llGetNumberOfPrims") == .integer(1))
        #expect(console.call("llGetInventoryNumber", .integer(-1)) == .integer(0))
        #expect(console.call("llGetInventoryName", .integer(-1), .integer(0)) == .string(""))
        #expect(console.call("llGetRegionName") == .string("Console"))
        #expect(console.call("llGetRegionCorner") == .vector(LSLVector(256_000, 256_000, 0)))
        #expect(console.lines == [])
    }

    @Test func clockFunctionsReadScriptTime() {
        let console = Console()
        console.host.now = 90_061.25 // one day, one hour, one minute, 1.25 s
        #expect(console.call("llGetUnixTime") == .integer(1_767_225_600 + 90_061))
        #expect(console.call("llGetDate") == .string("2026-01-02"))
        #expect(console.call("llGetTimestamp") == .string("2026-01-02T01:01:01.250000Z"))
        #expect(console.call("llGetGMTclock") == .float(3661.25))
        // Pacific standard time, 8 hours behind: 17:01:01.25 of the day before.
        #expect(console.call("llGetWallclock") == .float(61261.25))
        let epoch = LSLConsoleHost.civilDate(daysSince1970: 0)
        #expect([epoch.year, epoch.month, epoch.day] == [1970, 1, 1])
        let leapDay = LSLConsoleHost.civilDate(daysSince1970: 19_782)
        #expect([leapDay.year, leapDay.month, leapDay.day] == [2024, 2, 29])
    }

    @Test func worldFunctionsThatCauseEvents() {
        let console = Console()
        let alice = console.host.avatarKey(for: "Alice")
        console.call("llRequestPermissions", .key(alice), .integer(0x410))
        #expect(console.call("llGetPermissions") == .integer(0x410))
        #expect(console.call("llGetPermissionsKey") == .key(alice))
        console.call("llMessageLinked", .integer(-1), .integer(7), .string("hello"), .key(""))
        console.call("llMessageLinked", .integer(-2), .integer(8), .string("others"), .key(""))
        console.call("llSensor", .string(""), .key(""), .integer(1), .float(10), .float(3.14159))
        #expect(console.events == [
            LSLEvent("run_time_permissions", [.integer(0x410)]),
            LSLEvent("link_message", [.integer(0), .integer(7), .string("hello"), .key("")]),
            LSLEvent("no_sensor"),
        ])
        #expect(console.lines == [
            "llRequestPermissions: Alice grants 0x00000410",
            "llMessageLinked: to link -1, number 7, \"hello\", no key",
            "llMessageLinked: to link -2, number 8, \"others\", no key",
            "llSensor: no one around",
        ])
    }

    @Test func everyOtherWorldFunctionIsPretendedWithTheZeroOfItsType() {
        let console = Console()
        #expect(console.call("llApplyImpulse", .vector(LSLVector(0, 0, 1.5)), .integer(1)) == .integer(0))
        #expect(console.call("llGetObjectMass", .key("k")) == .float(0))
        #expect(console.call("llGetAgentInfo", .key("k")) == .integer(0))
        #expect(console.lines == [
            "llApplyImpulse(<0.00000, 0.00000, 1.50000>, 1) (pretend)",
            "llGetObjectMass(\"k\") (pretend)",
            "llGetAgentInfo(\"k\") (pretend)",
        ])
    }

    @Test func everyWorldFunctionAnswersWithItsReturnType() {
        let console = Console()
        for name in LSLBuiltins.worldFunctions.sorted() {
            let definition = LSLDefinitions.functions[name]!
            let answer = console.call(name, definition.parameters.map { LSLValue.zero(of: $0.type) })
            if let type = definition.returnType {
                #expect(answer.type == type, "\(name)")
            }
        }
    }

    @Test func stateChangesAndResetsEndListens() {
        let console = Console()
        console.call("llListen", .integer(0), .string(""), .key(""), .string(""))
        #expect(console.host.listens.count == 1)
        console.host.enteredState("other")
        #expect(console.host.listens.isEmpty)
        console.call("llListen", .integer(0), .string(""), .key(""), .string(""))
        console.call("llRequestPermissions", .key(console.host.ownerKey), .integer(0x10))
        console.host.resetScript()
        #expect(console.host.listens.isEmpty)
        #expect(console.call("llGetPermissions") == .integer(0))
    }

    @Test func numbersAsTheConsoleShowsThem() {
        #expect(LSLConsoleHost.describe(.float(-0.5)) == "-0.500000")
        #expect(LSLConsoleHost.describe(.float(1e10)) == "10000000000.000000")
        #expect(LSLConsoleHost.describe(.list([.integer(1), .string("a\"b"), .key("k"), .rotation(.identity)])) == "[1, \"a\\\"b\", \"k\", <0.00000, 0.00000, 0.00000, 1.00000>]")
    }
}
