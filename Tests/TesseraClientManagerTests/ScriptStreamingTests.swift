import NIOCore
import Testing
import TesseraClientManager
import TesseraClientProtocol
import TesseraWire
import TesseraWorld

/// Protocol 6 in the update stream: object appearances (in EntityEnter, and ObjectAppearance
/// when they change, to clients that have the object), and what older clients get instead.
@Suite struct ScriptStreamingTests {
    static let clock = ObjectAppearance(text: "12:00", textColor: Vector3(1, 1, 0), textAlpha: 1, color: Vector3(0, 0, 1), alpha: 0.5)
    static let later = ObjectAppearance(text: "12:01", textColor: Vector3(1, 1, 0), textAlpha: 1, color: Vector3(0, 0, 1), alpha: 0.5)
    static let latest = ObjectAppearance(text: "12:02", textColor: Vector3(1, 1, 0), textAlpha: 1, color: Vector3(0, 0, 1), alpha: 0.5)

    static func object(_ id: LocalID, appearance: ObjectAppearance? = nil) -> EntityInfo {
        EntityInfo(localID: id, kind: .object, shape: .box, name: "object-\(id)", scale: Vector3(1, 1, 1), motion: Fixture.motion(for: id), appearance: appearance)
    }

    static func change(_ id: LocalID, _ appearance: ObjectAppearance, frame: UInt64 = 2) -> RegionFrame {
        RegionFrame(
            region: Fixture.region, frame: frame, timeMillis: 1_700_000_000_000, timeDilation: 1,
            appearance: [AppearanceChange(localID: id, appearance: appearance)])
    }

    static func appearances(_ tick: Tick) -> [AppearanceUpdate] {
        tick.messages.compactMap { if case .objectAppearance(let m) = $0 { m } else { nil } }
    }

    @Test func theTableKeepsTheNewestAppearanceAndStampsEachChange() {
        var table = EntityTable()
        table.apply(Fixture.frame(appeared: [Self.object(1, appearance: Self.clock), Self.object(3)]))
        #expect(table.infos[1]?.appearance == Self.clock)
        #expect(table.appearanceGeneration == 0 && table.appearanceStamps.isEmpty, "an appearance at entry is no change")
        table.apply(Self.change(1, Self.later))
        table.apply(Self.change(3, Self.clock, frame: 3))
        #expect(table.infos[1]?.appearance == Self.later && table.infos[3]?.appearance == Self.clock)
        #expect(table.appearanceGeneration == 2 && table.appearanceStamps == [1: 1, 3: 2])
        table.apply(Self.change(3, Self.clock, frame: 4))
        #expect(table.appearanceGeneration == 2, "the same appearance again is no change")
        table.apply(Self.change(9, Self.clock, frame: 5))
        #expect(table.infos[9] == nil && table.appearanceGeneration == 2, "a change for an unknown entity is ignored")
        table.apply(Fixture.frame(6, removed: [1]))
        #expect(table.appearanceStamps == [3: 2])
    }

    @Test func enterCarriesTheAppearanceAndAChangeFollowsOnceToClientsThatHaveTheObject() throws {
        var table = EntityTable()
        table.apply(Fixture.frame(appeared: [Self.object(1, appearance: Self.clock), Self.object(3)]))
        var seeing = ClientView()
        var notSeeing = ClientView()
        let first = try seeing.tick([.enter([1, 3])], table: table)
        #expect(first.enters.map(\.appearance) == [Self.clock, nil])
        #expect(try notSeeing.tick(table: table).count == 0)

        table.apply(Self.change(1, Self.later))
        table.apply(Self.change(1, Self.latest, frame: 3))
        table.apply(Self.change(3, Self.clock, frame: 3))
        let tick = try seeing.tick(table: table)
        #expect(Self.appearances(tick) == [AppearanceUpdate(localID: 1, appearance: Self.latest), AppearanceUpdate(localID: 3, appearance: Self.clock)],
                "only the newest, once per object")
        #expect(try notSeeing.tick(table: table).count == 0, "no appearance for an object the client does not have")
        #expect(try seeing.tick(table: table).count == 0, "nothing new: nothing sent")
    }

    @Test func anObjectStillWaitingGetsItsNewAppearanceInItsEnterAlone() throws {
        var table = EntityTable()
        table.apply(Fixture.frame(appeared: (1...3).map { Self.object($0) }))
        var view = ClientView()
        // A budget of the stamp and one entry per tick: 3 waits.
        let small = 3 + 18 + 3 + 38 + "object-1".utf8.count
        #expect(try view.tick([.enter([1, 2, 3])], table: table, maxBytes: small).enters.map(\.localID) == [1])
        table.apply(Self.change(3, Self.clock))
        table.apply(Self.change(1, Self.clock, frame: 3))
        let second = try view.tick(table: table, maxBytes: small)
        #expect(second.enters.map(\.localID) == [2])
        #expect(Self.appearances(second).isEmpty, "the budget is spent")
        let third = try view.tick(table: table)
        #expect(third.enters.map(\.localID) == [3] && third.enters.first?.appearance == Self.clock)
        #expect(Self.appearances(third) == [AppearanceUpdate(localID: 1, appearance: Self.clock)], "3 had its appearance in its enter")
        #expect(try view.tick(table: table).count == 0)
    }

    @Test func appearancesPastTheBudgetGoNextTick() throws {
        var table = EntityTable()
        table.apply(Fixture.frame(appeared: [Self.object(1), Self.object(3)]))
        var view = ClientView()
        _ = try view.tick([.enter([1, 3])], table: table)
        table.apply(Self.change(1, Self.clock))
        table.apply(Self.change(3, Self.later, frame: 3))
        let one = try view.tick(table: table, maxBytes: 3 + 18 + 1)  // room to start one message after the stamp
        #expect(Self.appearances(one) == [AppearanceUpdate(localID: 1, appearance: Self.clock)])
        let two = try view.tick(table: table)
        #expect(Self.appearances(two) == [AppearanceUpdate(localID: 3, appearance: Self.later)])
        #expect(try view.tick(table: table).count == 0)
    }

    @Test(arguments: [UInt16(3), 4, 5])
    func olderClientsGetNeitherAppearancesNorScriptMessages(version: UInt16) throws {
        var table = EntityTable()
        table.apply(Fixture.frame(appeared: [Self.object(1, appearance: Self.clock)]))
        var view = ClientView()
        view.protocolVersion = version
        let diagnostics = ClientEvent.message(.scriptDiagnostics(ScriptDiagnostics(localID: 1, objectName: "object-1", item: "s", compile: true, lines: ["s:1:1: error: x"])))
        let regionSay = ClientEvent.message(.chat(ChatReceived(
            speaker: 1, speakerName: "object-1", type: .regionSay, channel: 0, position: PackedPosition(Vector3(1, 1, 21)), text: "hi", speakerKind: .object)))
        let first = try view.tick([.enter([1]), diagnostics, regionSay], table: table)
        #expect(first.messages == [
            .chat(ChatReceived(speaker: 1, speakerName: "object-1", type: .say, channel: 0, position: PackedPosition(Vector3(1, 1, 21)), text: "hi")),
            .entityEnter(EntityEnter(localID: 1, kind: .object, shape: .box, name: "object-1", scale: Vector3(1, 1, 1), motion: Fixture.motion(for: 1))),
        ])
        table.apply(Self.change(1, Self.later))
        #expect(try view.tick(table: table).count == 0)
    }

    @Test func versionSixClientsGetScriptMessagesAsTheyCame() throws {
        let table = EntityTable()
        var view = ClientView()
        let diagnostics = ServerMessage.scriptDiagnostics(ScriptDiagnostics(localID: 1, objectName: "o", item: "s", compile: false, lines: ["boom"]))
        let contents = ServerMessage.objectContents(ObjectContents(requestID: 4, localID: 1, items: [ObjectContents.Item(name: "s", kind: .script, running: true)]))
        let ownerSay = ServerMessage.chat(ChatReceived(
            speaker: 1, speakerName: "o", type: .ownerSay, channel: 0, position: PackedPosition(Vector3(1, 1, 21)), text: "mine", speakerKind: .object))
        let tick = try view.tick([.message(diagnostics), .message(contents), .message(ownerSay)], table: table)
        #expect(tick.messages == [diagnostics, contents, ownerSay])
    }
}
