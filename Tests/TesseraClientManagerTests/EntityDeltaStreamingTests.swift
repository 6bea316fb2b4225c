import NIOCore
import Testing
import TesseraClientManager
import TesseraClientProtocol
import TesseraWire
import TesseraWorld

/// Protocol 7 through the streaming core: `ClientView` hands deltas to `WebSocketFrameSink`,
/// which writes them as `EntityDeltas` at the end of the frame; a client applying the decoded
/// frames holds what the server recorded, within the documented bound of the region's state.
@Suite struct EntityDeltaStreamingTests {
    /// What a version 7 client holds, from decoded messages only.
    struct DeltaMirror {
        var entities: [LocalID: HeldMotion] = [:]
        var problems: [String] = []
        var deltaEntries = 0
        var deltaBytes = 0

        mutating func apply(_ messages: [ServerMessage]) throws {
            var sawDeltas = false
            for message in messages {
                switch message {
                case .entityEnter(let enter):
                    if sawDeltas { problems.append("EntityEnter after EntityDeltas") }
                    if entities[enter.localID] != nil { problems.append("double enter of \(enter.localID)") }
                    entities[enter.localID] = HeldMotion(enter.motion)
                case .entityLeave(let leave):
                    if sawDeltas { problems.append("EntityLeave after EntityDeltas") }
                    if entities.removeValue(forKey: leave.localID) == nil { problems.append("leave of unknown \(leave.localID)") }
                case .entityUpdate(let update):
                    problems.append("EntityUpdate \(update.localID) sent to a version 7 client")
                case .entityDeltas(let deltas):
                    sawDeltas = true
                    deltaBytes += 3 + ServerMessage.entityDeltas(deltas).encodedBodySize
                    for delta in deltas.entries {
                        guard let held = entities[delta.localID] else {
                            problems.append("delta for unknown \(delta.localID)")
                            continue
                        }
                        if delta.flags.isEmpty { problems.append("empty entry for \(delta.localID)") }
                        entities[delta.localID] = try delta.applied(to: held)
                        deltaEntries += 1
                    }
                default:
                    break
                }
            }
        }
    }

    static func steps(_ p: PackedPosition) -> (Int64, Int64, Int64) {
        let s = EntityDelta.steps(p)
        return (s.x, s.y, s.z)
    }

    /// Random walks, runs, turns, jumps and teleports of a crowd in view, streamed under
    /// random budgets to a version 7 client.
    @Test(arguments: 1...6 as ClosedRange<UInt64>)
    func crowdStreamsWithinTheBound(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed &* 0x2545_F491_4F6C_DD1D)
        func unit() -> Float { Float(rng.next() >> 40) / Float(1 << 24) }
        let ids = Array(LocalID(1)...LocalID(300))
        var table = EntityTable()
        table.apply(Fixture.frame(1, appeared: ids.map {
            Fixture.info($0, motion: Fixture.motion(x: 100 + unit() * 48, y: 100 + unit() * 48, yaw: unit() * 6))
        }))
        var view = ClientView()
        view.protocolVersion = 7
        var mirror = DeltaMirror()
        var headings = ids.map { _ in unit() * 6.28 }
        var speeds = ids.map { _ in Float(3.2) }
        let budgets = [512, 2048, 8192, 1 << 20]
        var frame: UInt64 = 1
        for round in 0..<200 {
            frame += 1
            var moved: [MovedEntity] = []
            for (index, id) in ids.enumerated() where rng.next() % 3 != 0 {
                var motion = table[id]!.motion
                var position = motion.position.position
                switch rng.next() % 20 {
                case 0: headings[index] += unit() * 2 - 1
                case 1: position = Vector3(unit() * 256, unit() * 256, 21 + unit() * 100)  // teleport
                case 2: position.z += unit() * 2  // jump
                case 3: speeds[index] = speeds[index] == 3.2 ? 5.1 : 3.2  // walk ↔ run
                default: break
                }
                let velocity = Vector3(speeds[index] * headings[index].cosine, speeds[index] * headings[index].sine, 0)
                position += velocity / 45 * Float(1 + rng.next() % 3)
                position = Vector3(min(max(position.x, 0), 255.9), min(max(position.y, 0), 255.9), min(max(position.z, 0), 4000))
                motion = EntityMotion(position: position, rotation: Quaternion(yaw: headings[index]), velocity: velocity)
                moved.append(MovedEntity(localID: id, motion: motion))
            }
            table.apply(Fixture.frame(frame, timeMillis: frame * 22, moved: moved))
            let events: [ClientEvent] = round == 0 ? [.enter(ids)] : []
            var buffer = ByteBuffer()
            _ = view.buildFrame(events: events, table: table, maxBytes: budgets[Int(rng.next() % 4)], into: &buffer)
            try mirror.apply(ServerMessage.decodeFrame(buffer))
            // What the server records is what the client holds: the same packed position.
            let known = view.known
            for (id, held) in mirror.entities {
                #expect(held.position == known[id]?.position, "entity \(id) in round \(round)")
            }
        }
        // The motion stops; a few uncapped ticks bring every client entity within the bound.
        for _ in 0..<6 {
            var buffer = ByteBuffer()
            _ = view.buildFrame(events: [], table: table, maxBytes: 1 << 20, into: &buffer)
            try mirror.apply(ServerMessage.decodeFrame(buffer))
        }
        var quiet = ByteBuffer()
        #expect(view.buildFrame(events: [], table: table, maxBytes: 1 << 20, into: &quiet) == 0, "still sending at rest")
        #expect(mirror.problems == [])
        #expect(Set(mirror.entities.keys) == Set(ids))
        for id in ids {
            let target = table[id]!.motion
            let held = try #require(mirror.entities[id])
            let (tx, ty, tz) = Self.steps(target.position)
            let (hx, hy, hz) = Self.steps(held.position)
            #expect(abs(tx - hx) <= 8 && abs(ty - hy) <= 8 && abs(tz - hz) <= 16, "entity \(id)")
            let turned = held.rotation.yaw - target.rotation.rotation.yaw
            #expect(abs(turned.remainder(dividingBy: 2 * .pi)) <= 1e-3, "entity \(id)")
            let error = held.velocity - target.velocity.velocity
            #expect(max(abs(error.x), abs(error.y), abs(error.z)) <= 0.03125 + 1e-6, "entity \(id)")
        }
        // Mostly walking steps: well under 6 bytes an entry, headers included.
        #expect(mirror.deltaEntries > 10_000)
        #expect(Double(mirror.deltaBytes) / Double(mirror.deltaEntries) < 6)
    }

    @Test func versionSixGetsEntityUpdatesAndVersionSevenDeltas() throws {
        var table = Fixture.table([2, 4])
        for version: UInt16 in [5, 6, 7] {
            var view = ClientView()
            view.protocolVersion = version
            var first = ByteBuffer()
            _ = view.buildFrame(events: [.enter([2, 4])], table: table, maxBytes: 1 << 20, into: &first)
            table.move(2, to: Fixture.motion(x: 10, y: 10, vx: 3.2), frame: 2)
            table.move(4, to: Fixture.motion(x: 20, y: 20, yaw: 1), frame: 3)
            var buffer = ByteBuffer()
            #expect(view.buildFrame(events: [], table: table, maxBytes: 1 << 20, into: &buffer) == 2)
            let messages = try ServerMessage.decodeFrame(buffer)
            let types = messages.map(\.typeCode)
            if version >= 7 {
                #expect(types == [.frameStamp, .entityDeltas])
            } else {
                #expect(types == [.frameStamp, .entityUpdate, .entityUpdate])
            }
            table = Fixture.table([2, 4])
        }
    }

    @Test func sinkWritesDeltasLastAndCountsThemBeforehand() throws {
        var sink = WebSocketFrameSink()
        sink.beginFrame(FrameStamp(frame: 7, timeMillis: 8, timeDilation: 65535))
        let afterStamp = sink.bytesWritten
        let deltas = [EntityDelta(localID: 30, dx: 41), EntityDelta(localID: 10, dy: -3, yaw: 9), EntityDelta(localID: 20, dz: 1)]
        let motion = Fixture.motion(x: 1, y: 1)
        for delta in deltas { sink.entityDelta(delta, motion: motion) }
        // Bodies + 2 bytes of idGap estimate each + one header.
        let estimate = deltas.map { $0.bodySize + 2 }.reduce(0, +) + 3
        #expect(sink.bytesWritten == afterStamp + estimate)
        sink.message(.chat(ChatReceived(speaker: 1, speakerName: "a", type: .say, channel: 0, position: motion.position, text: "hi")))
        sink.endFrame()
        let messages = try ServerMessage.decodeFrame(sink.buffer)
        #expect(messages.map(\.typeCode) == [.frameStamp, .chat, .entityDeltas])
        #expect(messages.last == .entityDeltas(EntityDeltas(entries: deltas.sorted { $0.localID < $1.localID })))
        // Every idGap here is one byte: one less than the estimate for each entry.
        #expect(sink.bytesWritten == sink.buffer.readableBytes)
        let chatBytes = messages[1].encodedBodySize + 3
        #expect(sink.bytesWritten == afterStamp + chatBytes + estimate - deltas.count)

        var discarded = WebSocketFrameSink()
        discarded.beginFrame(FrameStamp(frame: 1, timeMillis: 1, timeDilation: 1))
        discarded.entityDelta(deltas[0], motion: motion)
        discarded.discardFrame()
        #expect(discarded.bytesWritten == 0)
        discarded.endFrame()
        #expect(discarded.buffer.readableBytes == 0)
    }

    @Test func sinksWithoutDeltasGetTheWholeMotion() {
        struct Recorder: ClientFrameSink {
            var updates: [(EntityUpdate, EntityMotion)] = []
            var bytesWritten: Int { updates.count }
            mutating func beginFrame(_ stamp: FrameStamp) {}
            mutating func message(_ message: ServerMessage) {}
            mutating func entityEnter(_ enter: EntityEnter, info: EntityInfo) {}
            mutating func entityLeave(_ id: LocalID) {}
            mutating func entityUpdate(_ update: EntityUpdate, motion: EntityMotion) { updates.append((update, motion)) }
            mutating func appearance(_ update: AppearanceUpdate) {}
            mutating func endFrame() {}
            mutating func discardFrame() {}
        }
        var sink = Recorder()
        let motion = Fixture.motion(x: 5, y: 6, yaw: 1, vx: 2)
        sink.entityDelta(EntityDelta(localID: 9, dx: 1), motion: motion)
        #expect(sink.updates.count == 1)
        #expect(sink.updates.first?.0 == EntityUpdate(localID: 9, position: motion.position, rotation: motion.rotation, velocity: motion.velocity))
        #expect(sink.updates.first?.1 == motion)
    }
}

extension ServerMessage {
    /// The body length the header of this message carries.
    var encodedBodySize: Int {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return buffer.readableBytes - 3
    }
}
