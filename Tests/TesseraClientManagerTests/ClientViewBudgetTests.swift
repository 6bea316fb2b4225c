import NIOCore
import Testing
import TesseraClientManager
import TesseraClientProtocol
import TesseraWire
import TesseraWorld

/// The byte budget: entries and updates stop once a frame reaches `maxBytes`, what did not
/// fit follows on later ticks, and capped updates go round-robin so no entity starves.
@Suite struct ClientViewBudgetTests {
    static let cap = 1024

    /// The encoded size of the largest single EntityEnter or EntityUpdate among `ids`.
    static func largestEntityMessage(_ ids: ClosedRange<LocalID>, table: EntityTable) -> Int {
        ids.map { id in
            let record = table[id]!
            var buffer = ByteBuffer()
            ServerMessage.entityEnter(EntityEnter(
                localID: id, kind: record.info.kind, shape: record.info.shape, name: record.info.name,
                scale: record.info.scale, motion: record.motion
            )).encode(into: &buffer)
            return buffer.readableBytes
        }.max()!
    }

    /// Moves every entity in `ids` to a new position for step `step`.
    static func moveAll(_ ids: ClosedRange<LocalID>, step: Int, in table: inout EntityTable) {
        table.apply(Fixture.frame(UInt64(100 + step), moved: ids.map { id in
            MovedEntity(localID: id, motion: Fixture.motion(x: Float((Int(id) + step) % 250) + 1, y: Float(step % 100) + 101))
        }))
    }

    @Test func aCrowdArrivesOverSeveralTicksEachEnteredOnce() throws {
        let ids: ClosedRange<LocalID> = 1...500
        let table = Fixture.table(ids)
        let slack = Self.largestEntityMessage(ids, table: table)
        var view = ClientView()
        var mirror = ClientMirror()
        var entered: [LocalID] = []
        var ticks = 0
        var events: [ClientEvent] = [.enter(Array(ids))]
        while ticks < 500 {
            let tick = try view.tick(events, table: table, maxBytes: Self.cap)
            events = []
            ticks += 1
            #expect(tick.count > 0, "a tick with waiting entries sent nothing")
            #expect(tick.byteCount <= Self.cap + slack, "frame of \(tick.byteCount) bytes")
            #expect(tick.byteCount >= Self.cap || view.waitingCount == 0, "stopped below the budget with entries waiting")
            entered += tick.enters.map(\.localID)
            mirror.apply(tick)
            #expect(view.waitingCount == ids.count - entered.count)
            if view.waitingCount == 0 { break }
        }
        #expect(ticks > 10, "500 entries cannot fit in a few 1 KiB frames")
        #expect(view.waitingCount == 0)
        #expect(entered == Array(ids), "entries keep their arrival order, each once")
        #expect(mirror.problems == [])
        #expect(mirror.enterCounts.values.allSatisfy { $0 == 1 })
        #expect(mirror.entities == Dictionary(uniqueKeysWithValues: ids.map { ($0, table[$0]!.motion) }))
        #expect(try view.tick(table: table, maxBytes: Self.cap).count == 0)
    }

    @Test func messagesAndLeavesAreWrittenEvenOverBudget() throws {
        let table = Fixture.table(1...3)
        var view = ClientView()
        _ = try view.tick([.enter([1, 2, 3])], table: table)
        let long = String(repeating: "x", count: 1000)
        let events: [ClientEvent] = [Fixture.chat(long), Fixture.chat(long), .leave([1, 2, 3])]
        let tick = try view.tick(events, table: table, maxBytes: Self.cap)
        #expect(tick.count == 5)
        #expect(tick.leaves.map(\.localID) == [1, 2, 3])
        #expect(tick.byteCount > 2000)
    }

    @Test func cappedUpdatesRotateSoEveryEntityGetsItsTurn() throws {
        let ids: ClosedRange<LocalID> = 1...300
        var table = Fixture.table(ids)
        var view = ClientView()
        view.protocolVersion = 6  // EntityUpdate; version 7: EntityDeltaStreamingTests
        var mirror = ClientMirror()
        mirror.apply(try view.tick([.enter(Array(ids))], table: table))
        #expect(view.known.count == ids.count)

        var perTick: [Int] = []
        for step in 0..<12 {
            Self.moveAll(ids, step: step, in: &table)
            let deferredBefore = view.deferredUpdates
            let tick = try view.tick(table: table, maxBytes: Self.cap)
            mirror.apply(tick)
            perTick.append(tick.updates.count)
            #expect(tick.updates.count < ids.count, "the cap did not bind")
            #expect(tick.byteCount <= Self.cap + 32)
            #expect(view.deferredUpdates > deferredBefore, "updates that did not fit were not counted")
            // Whatever was sent is the newest state, never a stale one.
            for update in tick.updates { #expect(mirror.entities[update.localID] == table[update.localID]?.motion) }
        }
        // ~60 updates fit a tick: 300 entities take 5 ticks; in 12 each has had at least 2 turns.
        #expect(perTick.allSatisfy { $0 > 30 })
        #expect(Set(mirror.updateCounts.keys) == Set(ids))
        #expect(mirror.updateCounts.values.allSatisfy { $0 >= 2 }, "\(mirror.updateCounts.values.min() ?? 0)")
        #expect(mirror.problems == [])

        // Once the movement stops, the rest catches up and no further deferrals are counted.
        for _ in 0..<10 { mirror.apply(try view.tick(table: table, maxBytes: Self.cap)) }
        #expect(mirror.entities == Dictionary(uniqueKeysWithValues: ids.map { ($0, table[$0]!.motion) }))
        let settled = view.deferredUpdates
        #expect(try view.tick(table: table, maxBytes: Self.cap).count == 0)
        #expect(view.deferredUpdates == settled)
    }

    @Test func anUncappedTickDefersNothing() throws {
        let ids: ClosedRange<LocalID> = 1...300
        var table = Fixture.table(ids)
        var view = ClientView()
        view.protocolVersion = 6  // EntityUpdate; version 7: EntityDeltaStreamingTests
        _ = try view.tick([.enter(Array(ids))], table: table)
        Self.moveAll(ids, step: 1, in: &table)
        let tick = try view.tick(table: table, maxBytes: 1 << 20)
        #expect(tick.updates.count == ids.count)
        #expect(view.deferredUpdates == 0)
    }

    /// Entities entering and leaving view every tick (a busy place) must not send the
    /// round-robin back to the start, or the entities late in the order never get updates.
    @Test func rotationSurvivesEntriesAndLeavesEveryTick() throws {
        let ids: ClosedRange<LocalID> = 1...300
        let visitor: LocalID = 5000
        var table = Fixture.table(Array(ids) + [visitor])
        var view = ClientView()
        view.protocolVersion = 6  // EntityUpdate; version 7: EntityDeltaStreamingTests
        var mirror = ClientMirror()
        mirror.apply(try view.tick([.enter(Array(ids))], table: table))

        for step in 0..<12 {
            Self.moveAll(ids, step: step, in: &table)
            let churn: ClientEvent = step.isMultiple(of: 2) ? .enter([visitor]) : .leave([visitor])
            let tick = try view.tick([churn], table: table, maxBytes: Self.cap)
            mirror.apply(tick)
            #expect(tick.updates.count < ids.count, "the cap did not bind")
        }
        let starved = ids.filter { mirror.updateCounts[$0] == nil }
        #expect(starved.isEmpty, "\(starved.count) entities never got an update, from \(starved.first ?? 0)")
        #expect(mirror.problems == [])
    }
}
