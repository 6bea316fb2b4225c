import Testing
import TesseraClientManager
import TesseraClientProtocol
import TesseraWire
import TesseraWorld

/// Random region activity and interest changes, streamed through a `ClientView` under random
/// budgets into a client mirror built only from decoded messages. Once the changes stop and a
/// few uncapped ticks pass, the mirror must hold exactly the entities in view, each at the
/// table's motion.
@Suite struct ClientViewPropertyTests {
    /// The routing side: the region's entities and one avatar's interest set, and the events
    /// queued for the client's next tick.
    struct Simulation {
        var rng: SplitMix64
        var table = EntityTable()
        var frame: UInt64 = 0
        var nextID: LocalID = 1
        var existing: [LocalID] = []
        var inView: Set<LocalID> = []
        var pending: [ClientEvent] = []
        /// Leaves for removed entities that reach the mailbox only after the next tick, as when
        /// a session reads the table between the region's update and its events.
        var delayed: [ClientEvent] = []
        var chatsSent: [String] = []

        init(seed: UInt64) { rng = SplitMix64(seed: seed) }

        mutating func below(_ bound: Int) -> Int { Int(rng.next(upperBound: UInt64(bound))) }

        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

        mutating func randomMotion() -> EntityMotion {
            Fixture.motion(
                x: Float(below(256)), y: Float(below(256)),
                z: Float(below(100)), yaw: Float(below(628)) / 100,
                vx: Float(below(11)) - 5
            )
        }

        /// A new motion differing from `old` in a random subset of its fields (possibly none).
        mutating func vary(_ old: EntityMotion) -> EntityMotion {
            let fresh = randomMotion()
            var motion = old
            if chance(60) { motion.position = fresh.position }
            if chance(30) { motion.rotation = fresh.rotation }
            if chance(30) { motion.velocity = fresh.velocity }
            return motion
        }

        mutating func pick(_ ids: [LocalID]) -> LocalID? {
            ids.isEmpty ? nil : ids[below(ids.count)]
        }

        /// One region frame and the interest changes that come with it.
        mutating func step() {
            pending += delayed
            delayed = []
            frame += 1
            var appeared: [EntityInfo] = []
            for _ in 0..<below(4) {
                appeared.append(Fixture.info(nextID, motion: randomMotion()))
                nextID += 1
            }
            var moved: [MovedEntity] = []
            for id in existing where chance(40) {
                moved.append(MovedEntity(localID: id, motion: vary(table[id]!.motion)))
            }
            var removed: [LocalID] = []
            if chance(30), let id = pick(existing) { removed.append(id) }
            table.apply(Fixture.frame(frame, timeMillis: frame * 22, appeared: appeared, moved: moved, removed: removed))
            existing = existing.filter { !removed.contains($0) } + appeared.map(\.localID)

            for id in removed where inView.remove(id) != nil {
                if chance(25) { delayed.append(.leave([id])) } else { pending.append(.leave([id])) }
            }
            var entering: [LocalID] = []
            for _ in 0..<below(4) {
                if let id = pick(existing), inView.insert(id).inserted { entering.append(id) }
            }
            if chance(10), let again = pick(Array(inView).sorted()) { entering.append(again) }  // a repeated enter
            if !entering.isEmpty { pending.append(.enter(entering)) }
            var leaving: [LocalID] = []
            for _ in 0..<below(2) {
                if let id = pick(Array(inView).sorted()), chance(50) {
                    inView.remove(id)
                    leaving.append(id)
                }
            }
            if !leaving.isEmpty { pending.append(.leave(leaving)) }
            if chance(10) {
                let text = "line \(chatsSent.count)"
                chatsSent.append(text)
                pending.append(Fixture.chat(text))
            }
        }

        mutating func takeEvents() -> [ClientEvent] {
            defer { pending = [] }
            return pending
        }
    }

    @Test(arguments: 1...24 as ClosedRange<UInt64>)
    func mirrorConvergesToTheTable(seed: UInt64) throws {
        var sim = Simulation(seed: seed &* 0x9E37_79B9)
        var view = ClientView()
        view.protocolVersion = 6  // EntityUpdate; version 7: EntityDeltaStreamingTests
        var mirror = ClientMirror()
        let budgets = [256, 1024, 4096, 1 << 20]
        for _ in 0..<300 {
            sim.step()
            guard sim.chance(50) else { continue }
            let budget = budgets[sim.below(budgets.count)]
            let tick = try view.tick(sim.takeEvents(), table: sim.table, maxBytes: budget)
            if let stamp = tick.stamp { #expect(stamp.frame == sim.frame) }
            mirror.apply(tick)
            // What the server believes it sent is what the client holds.
            #expect(mirror.entities == view.known)
        }
        #expect(sim.nextID > 200, "the run should build up a crowd")

        sim.pending += sim.delayed
        sim.delayed = []
        var quiet = false
        for _ in 0..<5 {
            let tick = try view.tick(sim.takeEvents(), table: sim.table, maxBytes: 1 << 20)
            mirror.apply(tick)
            if tick.count == 0 { quiet = true; break }
        }
        #expect(quiet, "still sending after the changes stopped")
        #expect(mirror.problems == [])
        #expect(view.waitingCount == 0)
        #expect(Set(mirror.entities.keys) == sim.inView)
        for id in sim.inView {
            #expect(mirror.entities[id] == sim.table[id]?.motion, "entity \(id)")
        }
        #expect(mirror.chats == sim.chatsSent)
        #expect(mirror.enterCounts.values.reduce(0, +) >= sim.inView.count)
    }
}
