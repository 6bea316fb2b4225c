import NIOCore
import Testing
import TesseraClientManager
import TesseraClientProtocol
import TesseraWire
import TesseraWorld

@Suite struct ClientViewTests {
    @Test func firstMessageIsTheTablesFrameStamp() throws {
        var table = Fixture.table([1])
        table.apply(Fixture.frame(77, timeMillis: 1_700_000_001_000, dilation: 0.5))
        var view = ClientView()
        let tick = try view.tick([.enter([1])], table: table)
        #expect(tick.stamp == FrameStamp(frame: 77, timeMillis: 1_700_000_001_000, timeDilation: 32768))
        #expect(tick.count == 1)
    }

    @Test func enterCarriesTheTablesCurrentMotionAndInfo() throws {
        var table = EntityTable()
        let info = Fixture.info(4, name: "Ada Lovelace")
        table.apply(Fixture.frame(appeared: [info]))
        let current = Fixture.motion(x: 30, y: 40, yaw: 0.5, vx: 2)
        table.move(4, to: current)
        var view = ClientView()
        let tick = try view.tick([.enter([4])], table: table)
        #expect(tick.messages == [.entityEnter(EntityEnter(
            localID: 4, kind: .avatar, shape: .cylinder, name: "Ada Lovelace",
            scale: Vector3(0.45, 0.6, 1.9), motion: current
        ))])
        #expect(view.known[4] == current)
        #expect(view.waitingCount == 0)
    }

    @Test func changedPositionYieldsAnUpdateWithOnlyThePosition() throws {
        var table = Fixture.table([1, 2, 3])
        var view = ClientView()
        view.protocolVersion = 6  // EntityUpdate; version 7: EntityDeltaStreamingTests
        #expect(try view.tick([.enter([1, 2, 3])], table: table).enters.count == 3)

        var moved = Fixture.motion(for: 2)
        moved.position = PackedPosition(Vector3(100, 101, 22))
        table.move(2, to: moved)
        let tick = try view.tick(table: table)
        #expect(tick.messages == [.entityUpdate(EntityUpdate(localID: 2, position: moved.position))])
        #expect(tick.updates.first?.fields == [.position])
        #expect(view.known[2] == moved)

        var turned = moved
        turned.rotation = PackedRotation(Quaternion(yaw: 2))
        table.move(2, to: turned, frame: 3)
        let next = try view.tick(table: table)
        #expect(next.updates == [EntityUpdate(localID: 2, rotation: turned.rotation)])
        #expect(next.updates.first?.fields == [.rotation])
    }

    @Test func updateNamesEveryChangedField() throws {
        var table = Fixture.table([8])
        var view = ClientView()
        view.protocolVersion = 6  // EntityUpdate; version 7: EntityDeltaStreamingTests
        _ = try view.tick([.enter([8])], table: table)
        let all = Fixture.motion(x: 3, y: 4, yaw: 1, vx: 5)
        table.move(8, to: all)
        let tick = try view.tick(table: table)
        #expect(tick.updates == [EntityUpdate(localID: 8, position: all.position, rotation: all.rotation, velocity: all.velocity)])
        #expect(tick.updates.first?.fields == .all)
    }

    @Test func nothingToSayReturnsZeroAndRestoresTheWriterIndex() throws {
        let table = Fixture.table([1, 2])
        var view = ClientView()
        var buffer = ByteBuffer()
        // Empty view, no events.
        #expect(view.buildFrame(events: [], table: table, maxBytes: 1024, into: &buffer) == 0)
        #expect(buffer.writerIndex == 0)

        _ = try view.tick([.enter([1, 2])], table: table)
        buffer.writeBytes([0xAA, 0xBB, 0xCC])
        // Everything sent, nothing changed since.
        #expect(view.buildFrame(events: [], table: table, maxBytes: 1024, into: &buffer) == 0)
        #expect(buffer.writerIndex == 3)
        #expect(buffer.readableBytesView.elementsEqual([0xAA, 0xBB, 0xCC]))
    }

    @Test func aFrameIsAppendedAfterExistingBytes() throws {
        let table = Fixture.table([1])
        var view = ClientView()
        var buffer = ByteBuffer(bytes: [1, 2])
        let count = view.buildFrame(events: [.enter([1])], table: table, maxBytes: 1024, into: &buffer)
        #expect(count == 1)
        #expect(buffer.readBytes(length: 2) == [1, 2])
        let messages = try ServerMessage.decodeFrame(buffer)
        #expect(messages.map(\.typeCode) == [.frameStamp, .entityEnter])
    }

    @Test func conflationSendsOnlyTheNewestState() throws {
        var table = Fixture.table([1, 2])
        var view = ClientView()
        view.protocolVersion = 6  // EntityUpdate; version 7: EntityDeltaStreamingTests
        _ = try view.tick([.enter([1, 2])], table: table)
        let states = (0..<5).map { Fixture.motion(x: 10 + Float($0) * 7, y: 20, yaw: Float($0) * 0.3, vx: Float($0)) }
        for (index, state) in states.enumerated() { table.move(1, to: state, frame: UInt64(10 + index)) }
        let tick = try view.tick(table: table)
        #expect(tick.updates.count == 1)
        let update = try #require(tick.updates.first)
        #expect(update.localID == 1)
        #expect(update.applied(to: Fixture.motion(for: 1)) == states[4])
        #expect(update.position == states[4].position)
        #expect(tick.stamp?.frame == 14)
    }

    @Test func aMoveAndBackBetweenTicksSendsNothing() throws {
        var table = Fixture.table([1])
        var view = ClientView()
        _ = try view.tick([.enter([1])], table: table)
        table.move(1, to: Fixture.motion(x: 200, y: 200))
        table.move(1, to: Fixture.motion(for: 1), frame: 3)
        #expect(try view.tick(table: table).count == 0)
    }

    @Test func leaveOfAKnownEntityIsSentAndLaterChangesAreNot() throws {
        var table = Fixture.table([1, 2])
        var view = ClientView()
        _ = try view.tick([.enter([1, 2])], table: table)
        let tick = try view.tick([.leave([1])], table: table)
        #expect(tick.messages == [.entityLeave(EntityLeave(localID: 1))])
        #expect(view.known[1] == nil)
        table.move(1, to: Fixture.motion(x: 90, y: 90))
        #expect(try view.tick(table: table).count == 0)
        #expect(try view.tick([.leave([1])], table: table).count == 0, "a second leave is not repeated")
    }

    @Test func enterThenLeaveBeforeSendingSendsNeither() throws {
        let table = Fixture.table([1, 2])
        var view = ClientView()
        #expect(try view.tick([.enter([1]), .leave([1])], table: table).count == 0)
        #expect(view.waitingCount == 0)
        #expect(view.known.isEmpty)
        // Also when the enter is still waiting for budget from an earlier tick.
        let crowd = Fixture.table(1...200)
        var capped = ClientView()
        var mirror = ClientMirror()
        let first = try capped.tick([.enter(Array(1...200))], table: crowd, maxBytes: 1024)
        mirror.apply(first)
        #expect(!first.enters.map(\.localID).contains(200))
        #expect(capped.waitingCount == 200 - first.enters.count)
        mirror.apply(try capped.tick([.leave([200])], table: crowd, maxBytes: 1024))
        for _ in 0..<100 where capped.waitingCount > 0 {
            mirror.apply(try capped.tick(table: crowd, maxBytes: 1024))
        }
        #expect(capped.waitingCount == 0)
        #expect(mirror.enterCounts[200] == nil)
        #expect(mirror.entities.count == 199)
        #expect(mirror.problems == [])
    }

    @Test func enterForAnIDMissingFromTheTableSendsNothing() throws {
        let table = Fixture.table([1])
        var view = ClientView()
        #expect(try view.tick([.enter([42])], table: table).count == 0)
        #expect(view.waitingCount == 0)
        #expect(view.known[42] == nil)
        #expect(try view.tick([.leave([42])], table: table).count == 0)
        let tick = try view.tick([.enter([42, 1])], table: table)
        #expect(tick.enters.map(\.localID) == [1])
    }

    @Test func duplicateEntersYieldOneEntityEnter() throws {
        let table = Fixture.table([1, 2])
        var view = ClientView()
        let tick = try view.tick([.enter([1, 1]), .enter([2, 1])], table: table)
        #expect(tick.enters.map(\.localID) == [1, 2])
        #expect(try view.tick([.enter([1, 2])], table: table).count == 0, "already known")
    }

    @Test func leaveThenEnterAgainSendsAFreshEnter() throws {
        var table = Fixture.table([1])
        var view = ClientView()
        _ = try view.tick([.enter([1])], table: table)
        let back = Fixture.motion(x: 77, y: 66)
        table.move(1, to: back)
        let tick = try view.tick([.leave([1]), .enter([1])], table: table)
        #expect(tick.messages.map(\.typeCode) == [.entityLeave, .entityEnter])
        #expect(tick.enters.first?.motion == back)
    }

    @Test func messagesPassThroughInOrderBeforeEntries() throws {
        let table = Fixture.table([1, 2])
        var view = ClientView()
        _ = try view.tick([.enter([1])], table: table)
        let pong = ServerMessage.pong(Pong(nonce: 5, clientTimeMillis: 6))
        let events: [ClientEvent] = [Fixture.chat("first"), .message(pong), .leave([1]), Fixture.chat("second"), .enter([2])]
        let tick = try view.tick(events, table: table)
        guard case .message(let first) = events[0], case .message(let second) = events[3] else {
            Issue.record("fixture")
            return
        }
        #expect(tick.messages.count == 5)
        #expect(Array(tick.messages.prefix(4)) == [first, pong, .entityLeave(EntityLeave(localID: 1)), second])
        #expect(tick.messages.last?.typeCode == .entityEnter)
    }

    @Test func messagesAloneMakeAFrame() throws {
        var view = ClientView()
        let tick = try view.tick([Fixture.chat("hello")], table: EntityTable())
        #expect(tick.count == 1)
        #expect(tick.stamp == FrameStamp(frame: 0, timeMillis: 0, timeDilation: 65535))
        var mirror = ClientMirror()
        mirror.apply(tick)
        #expect(mirror.chats == ["hello"])
    }
}
