import Foundation
import Testing
import TesseraClientManager
import TesseraClientProtocol
import TesseraWire
import TesseraWorld

/// The per-client priority under a byte budget: the own avatar and the nearest entities first,
/// every changed entity refreshed within the bound however small the budget, an avatar that
/// spoke to the client ahead of equally old ones, and entries nearest first.
@Suite struct ClientViewPriorityTests {
    /// The client's own avatar: entity 1 at (128, 128).
    static let viewer: LocalID = 1
    static let centre = (x: Float(128), y: Float(128))

    static func welcome(_ id: LocalID = viewer) -> ClientEvent {
        .message(.welcome(Welcome(
            agentID: UUID(), localID: id, regionName: "Plaza", regionHandle: Fixture.region, frameRate: 45,
            updateRate: 10, viewDistance: 64, sessionToken: "")))
    }

    /// Entity `id` (2...) on a spiral around the viewer: the higher the id, the farther, from
    /// 1.5 m to about 60 m; every step moves it 5 cm further round.
    static func motion(_ id: LocalID, step: Int) -> EntityMotion {
        if id == viewer { return Fixture.motion(x: centre.x + Float(step) * 0.01, y: centre.y) }
        let radius = 1.5 + Float(id - 2) * 0.2
        let angle = Float(id) * 2.399 + Float(step) * 0.05 / radius
        return Fixture.motion(x: centre.x + radius * cos(angle), y: centre.y + radius * sin(angle))
    }

    static func distance(_ id: LocalID) -> Float { 1.5 + Float(id - 2) * 0.2 }

    static func table(_ ids: ClosedRange<LocalID>) -> EntityTable {
        var table = EntityTable()
        table.apply(Fixture.frame(appeared: ids.map { Fixture.info($0, motion: motion($0, step: 0)) }))
        return table
    }

    static func move(_ ids: ClosedRange<LocalID>, step: Int, in table: inout EntityTable) {
        table.apply(Fixture.frame(UInt64(10 + step), moved: ids.map { MovedEntity(localID: $0, motion: motion($0, step: step)) }))
    }

    /// A view that holds all of `ids` after one unlimited tick.
    static func enteredView(_ ids: ClosedRange<LocalID>, table: EntityTable, policy: StreamingPolicy = .everyTick) throws -> (ClientView, ClientMirror) {
        var view = ClientView(policy: policy)
        // Version 6: the priority is the same for every version, and EntityUpdates name each entity.
        view.protocolVersion = 6
        var mirror = ClientMirror()
        mirror.apply(try view.tick([welcome(), .enter(Array(ids))], table: table))
        #expect(view.known.count == ids.count)
        return (view, mirror)
    }

    @Test func aShortBudgetSendsTheOwnAvatarAndTheNearestFirst() throws {
        let ids: ClosedRange<LocalID> = 1...300
        var table = Self.table(ids)
        var (view, mirror) = try Self.enteredView(ids, table: table)
        // An unlimited tick brings every entity up to date at once: all of the same age.
        Self.move(ids, step: 1, in: &table)
        mirror.apply(try view.tick(table: table))
        Self.move(ids, step: 2, in: &table)
        let tick = try view.tick(table: table, maxBytes: 400)
        mirror.apply(tick)
        let sent = tick.updates.map(\.localID)
        #expect(sent.count >= 20 && sent.count < 40, "\(sent.count) updates in 400 bytes")
        #expect(sent.first == Self.viewer, "the own avatar goes first")
        // Equal age, equal size, velocity unchanged: the weight falls with distance only.
        #expect(sent == Array(1...LocalID(sent.count)), "\(sent)")
        #expect(mirror.problems == [])
    }

    @Test func everyChangedEntityIsRefreshedWithinTheBoundUnderAShortBudget() throws {
        let ids: ClosedRange<LocalID> = 1...300
        var table = Self.table(ids)
        var (view, mirror) = try Self.enteredView(ids, table: table)
        let bound = 20  // 2 s at 10 Hz, StreamingPolicy.refreshSeconds
        var lastUpdate = [LocalID: Int](uniqueKeysWithValues: ids.map { ($0, 0) })
        var gaps = [LocalID: Int]()
        var perTick: [Int] = []
        for step in 1...120 {
            Self.move(ids, step: step, in: &table)
            let tick = try view.tick(table: table, maxBytes: 600)
            mirror.apply(tick)
            perTick.append(tick.updates.count)
            for update in tick.updates {
                gaps[update.localID] = max(gaps[update.localID] ?? 0, step - lastUpdate[update.localID]!)
                lastUpdate[update.localID] = step
            }
        }
        #expect(perTick.allSatisfy { $0 < 60 }, "the budget did not bind: \(perTick.max() ?? 0)")
        #expect(Set(gaps.keys) == Set(ids), "never updated: \(Set(ids).subtracting(gaps.keys).sorted())")
        let worst = gaps.max { $0.value < $1.value }!
        #expect(worst.value <= bound + 1, "entity \(worst.key) waited \(worst.value) ticks")
        #expect(view.lateRefreshes == 0)
        // Nearer entities are refreshed more often than far ones.
        let near = (2...11).map { gaps[$0]! }.max()!
        let far = (291...300).map { gaps[$0]! }.min()!
        #expect(near <= 3, "the nearest waited \(near) ticks")
        #expect(far >= 10, "the farthest were refreshed every \(far) ticks")
        // Conflation: what the client holds is the newest state of every entity it was sent.
        for (id, step) in lastUpdate where step > 0 {
            #expect(mirror.entities[id] == Self.motion(id, step: step), "entity \(id)")
        }
        #expect(mirror.problems == [])
    }

    @Test func anAvatarThatSpokeToTheClientGoesBeforeEquallyOldOnes() throws {
        let ids: ClosedRange<LocalID> = 1...300
        var table = Self.table(ids)
        var (view, mirror) = try Self.enteredView(ids, table: table)
        Self.move(ids, step: 1, in: &table)
        // Entity 200, about 41 m away, speaks to the client.
        let tick = try view.tick([Fixture.chat("hello", speaker: 200)], table: table, maxBytes: 400)
        mirror.apply(tick)
        let sent = tick.updates.map(\.localID)
        #expect(sent.contains(200), "\(sent)")
        #expect(!sent.contains(150), "entity 150 is nearer than 200 but did not speak: \(sent)")
    }

    @Test func aVelocityChangeGoesBeforeASteadyMoveAtTheSameDistance() throws {
        let ids: ClosedRange<LocalID> = 1...300
        func sent(startingEntity80: Bool) throws -> [LocalID] {
            var table = Self.table(ids)
            var (view, _) = try Self.enteredView(ids, table: table)
            Self.move(ids, step: 1, in: &table)
            if startingEntity80 {
                // Entity 80 (17 m away) starts moving: its velocity changes, no other's does.
                var started = Self.motion(80, step: 1)
                started.velocity = PackedVelocity(Vector3(2, 0, 0))
                table.move(80, to: started, frame: 50)
            }
            return try view.tick(table: table, maxBytes: 1000).updates.map(\.localID)
        }
        let steady = try sent(startingEntity80: false)
        #expect(!steady.contains(80), "\(steady.count) updates reach 17 m without a change: the test needs a smaller budget")
        #expect(try sent(startingEntity80: true).contains(80))
    }

    @Test func entriesGoNearestFirstOnceTheViewerIsKnown() throws {
        let ids: ClosedRange<LocalID> = 1...200
        let table = Self.table(ids)
        var view = ClientView()
        view.protocolVersion = 6
        var entered: [LocalID] = []
        // Arrival order is far to near; the view enters the viewer, then nearest first.
        var events: [ClientEvent] = [Self.welcome(), .enter(Array(ids.reversed()))]
        for _ in 0..<100 where view.waitingCount > 0 || !events.isEmpty {
            entered += try view.tick(events, table: table, maxBytes: 1024).enters.map(\.localID)
            events = []
        }
        #expect(entered == Array(ids), "\(entered.prefix(20))")
    }

    @Test func unchangedEntitiesCostNothingAndStayFresh() throws {
        let ids: ClosedRange<LocalID> = 1...300
        var table = Self.table(ids)
        var (view, _) = try Self.enteredView(ids, table: table)
        for step in 1...40 {
            // Only the ten nearest move; the rest stand still and are never overdue.
            table.apply(Fixture.frame(UInt64(10 + step), moved: (1...10).map { MovedEntity(localID: $0, motion: Self.motion($0, step: step)) }))
            let tick = try view.tick(table: table, maxBytes: 400)
            #expect(Set(tick.updates.map(\.localID)) == Set(1...10), "step \(step)")
        }
        #expect(view.lateRefreshes == 0)
        #expect(view.deferredUpdates == 0)
    }
}

/// The adaptive budget: back-pressure cuts it to the drain rate, a client that takes what
/// it is given lets it grow back, never past the ceiling nor under the floor.
@Suite struct AdaptiveBudgetTests {
    @Test func startsAtTheCeiling() {
        let budget = AdaptiveBudget(floor: 2048, ceiling: 65536)
        #expect(budget.current == 65536)
        #expect(budget.drainRate == nil)
    }

    @Test func backPressureCutsToEightyPercentOfTheDrainRate() {
        var budget = AdaptiveBudget(floor: 2048, ceiling: 65536)
        // 20 000 bytes took 0.5 s: 40 000 B/s, 4 000 per 0.1 s tick, 80 % → 3 200.
        budget.record(bytes: 20_000, waited: 0.5, interval: 0.1)
        #expect(budget.drainRate == 40_000)
        #expect(budget.current == 3200)
        #expect(budget.backPressureCount == 1)
    }

    @Test func backPressureAtLeastHalvesAndNeverGoesUnderTheFloor() {
        var budget = AdaptiveBudget(floor: 2048, ceiling: 65536)
        // A fast drain under back-pressure (1 MB/s → 80 000 per tick) still halves it.
        budget.record(bytes: 30_000, waited: 0.03, interval: 0.1)
        #expect(budget.current == 32768)
        for _ in 0..<20 { budget.record(bytes: 100, waited: 5, interval: 0.1) }
        #expect(budget.current == 2048)
    }

    @Test func aWriteThatWaitsUnderAQuarterTickIsNotBackPressure() {
        var budget = AdaptiveBudget(floor: 2048, ceiling: 65536)
        budget.record(bytes: 65536, waited: 0.025, interval: 0.1)
        #expect(budget.current == 65536)
        #expect(budget.backPressureCount == 0)
    }

    @Test func growsByAQuarterWhenTheBudgetWasUsedUpToTheCeiling() {
        var budget = AdaptiveBudget(floor: 2048, ceiling: 65536)
        budget.record(bytes: 4000, waited: 1, interval: 0.1)
        #expect(budget.current == 2048)
        budget.record(bytes: 2048, waited: 0, interval: 0.1)
        #expect(budget.current == 3072)
        // A frame with little in it says nothing about what the client could take.
        budget.record(bytes: 100, waited: 0, interval: 0.1)
        #expect(budget.current == 3072)
        var ticks = 0
        while budget.current < 65536 && ticks < 100 {
            budget.record(bytes: budget.current, waited: 0, interval: 0.1)
            ticks += 1
        }
        #expect(budget.current == 65536)
        #expect(ticks == 14, "from 3 KiB to 64 KiB by quarters")
    }

    @Test func aLowerCeilingTakesEffectAtOnceAndAHigherOneIsGrownInto() {
        var budget = AdaptiveBudget(floor: 2048, ceiling: 65536)
        budget.setCeiling(8000)
        #expect(budget.current == 8000)
        // A viewer's throttle under the floor wins: it asked for no more.
        budget.setCeiling(1500)
        #expect(budget.ceiling == 1500 && budget.current == 1500)
        budget.record(bytes: 1500, waited: 0, interval: 0.1)
        #expect(budget.current == 1500)
        // A higher ceiling is grown into as frames use the budget.
        budget.setCeiling(65536)
        #expect(budget.current == 2048)
        budget.record(bytes: 2048, waited: 0, interval: 0.1)
        #expect(budget.current == 3072)
    }

    @Test func nonsenseTimingsChangeNothing() {
        var budget = AdaptiveBudget(floor: 2048, ceiling: 65536)
        budget.record(bytes: 1000, waited: .nan, interval: 0.1)
        budget.record(bytes: 1000, waited: 1, interval: 0)
        budget.record(bytes: -5, waited: .infinity, interval: 0.1)
        #expect(budget.current == 65536)
    }
}
