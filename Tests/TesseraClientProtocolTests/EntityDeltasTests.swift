import Foundation
import NIOCore
import Testing
import TesseraClientProtocol
import TesseraCodec
import TesseraWorld

/// Protocol 7's `EntityDeltas` (0x90): the worked example of docs/client-protocol.md byte for
/// byte, the server's rules, every malformed form, and random motion streamed through the wire.
@Suite struct EntityDeltasTests {
    // MARK: - The worked example (docs/client-protocol.md, "0x90 EntityDeltas")

    /// Every entity of the example was held at (10, 20, 30) m, yaw 0, at rest.
    static let held = EntityMotion(position: Vector3(10, 20, 30), rotation: Quaternion(yaw: 0), velocity: .zero)

    /// The targets of the example, by local ID.
    static let targets: [(LocalID, held: EntityMotion, target: EntityMotion)] = [
        // 5 walks east: 0.32 m further, velocity and heading as before.
        (5, EntityMotion(position: Vector3(10, 20, 30), rotation: Quaternion(yaw: 0), velocity: Vector3(3.2, 0, 0)),
         EntityMotion(position: Vector3(10.32, 20, 30), rotation: Quaternion(yaw: 0), velocity: Vector3(3.2, 0, 0))),
        // 9 turns north and starts walking: 1.5 cm north.
        (9, held, EntityMotion(position: Vector3(10, 20.015, 30), rotation: Quaternion(yaw: .pi / 2), velocity: Vector3(0, 3.2, 0))),
        // 300 falls: 1.5625 m lower, at 9.8 m/s.
        (300, EntityMotion(position: Vector3(10, 20, 30), rotation: Quaternion(yaw: 0), velocity: Vector3(0, 0, -8.3)),
         EntityMotion(position: Vector3(10, 20, 28.4375), rotation: Quaternion(yaw: 0), velocity: Vector3(0, 0, -9.8))),
        // 301 is teleported to (200, 100, 25) and tilted (a packed rotation with y dropped).
        (301, held, EntityMotion(position: PackedPosition(Vector3(200, 100, 25)), rotation: PackedRotation(rawValue: 0x5FF7_FFFE), velocity: .zero)),
    ]

    static let workedExample = EntityDeltas(entries: [
        EntityDelta(localID: 5, dx: 41),
        EntityDelta(localID: 9, dy: 2, yaw: 0x4000, shortVelocity: SIMD3(0, 51, 0)),
        EntityDelta(localID: 300, dz: -200, velocity: PackedVelocity(x: 0, y: 0, z: -980)),
        EntityDelta(localID: 301, position: PackedPosition(rawValue: 0x0190_0072_000A_4000), rotation: PackedRotation(rawValue: 0x5FF7_FFFE)),
    ])

    /// The bytes as the document prints them.
    static let workedExampleHex = """
        90 26 00
        05 01 52 00
        03 29 00 04 00 40 00 33 00
        A2 02 42 8F 03 00 00 00 00 2C FC
        00 14 00 40 0A 00 72 00 90 01 FE FF F7 5F
        """

    static func bytes(hex: String) -> [UInt8] {
        hex.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { UInt8($0, radix: 16)! }
    }

    @Test func workedExampleBytes() throws {
        let expected = Self.bytes(hex: Self.workedExampleHex)
        #expect(ServerMessage.entityDeltas(Self.workedExample).bytes == expected)
        #expect(try decodeServer(expected) == [.entityDeltas(Self.workedExample)])
        var fast = ByteBuffer()
        #expect(EntityDeltas.writeMessages(Self.workedExample.entries.reversed(), into: &fast) == 1)
        #expect(Array(fast.readableBytesView) == expected)
    }

    @Test func workedExampleIsWhatTheServerRulesGive() throws {
        for (id, held, target) in Self.targets {
            let delta = try #require(EntityDelta(localID: id, held: held, target: target))
            #expect(delta == Self.workedExample.entries.first { $0.localID == id }, "entity \(id)")
        }
        // 5: X held 282 624, target 283 279: 655 steps = 40.94 units → 41; the client now holds 283 280.
        let walker = try #require(EntityDelta(localID: 5, held: Self.targets[0].held, target: Self.targets[0].target))
        #expect(walker.recorded.position.rawValue & 0xF_FFFF == 283_280)
        #expect(Self.targets[0].target.position.rawValue & 0xF_FFFF == 283_279)
        // 9: the client holds (0, 0, sin 45°, cos 45°) and 51/16 = 3.1875 m/s north.
        let held = HeldMotion(Self.held)
        let turned = try Self.workedExample.entries[1].applied(to: held)
        #expect(turned.rotation.isClose(to: Quaternion(yaw: .pi / 2), tolerance: 1e-6))
        #expect(turned.velocity == Vector3(0, 3.1875, 0))
        #expect(turned.position.rawValue >> 20 & 0xF_FFFF == 303_104 + 32)
        // 300: Z 122 880 − 6 400 = 116 480 = 28.4375 m exactly.
        let fallen = try Self.workedExample.entries[2].applied(to: held)
        #expect(fallen.position.position == Vector3(10, 20, 28.4375))
        #expect(fallen.velocity == Vector3(0, 0, -9.8))
        let teleported = try Self.workedExample.entries[3].applied(to: held)
        #expect(teleported.position.position == Vector3(200, 100, 25))
        #expect(teleported.rotation == PackedRotation(rawValue: 0x5FF7_FFFE).rotation)
    }

    @Test func workedExampleIsInTheDocument() throws {
        let document = try String(contentsOf: Self.documentURL, encoding: .utf8)
        let section = try #require(document.range(of: "### 0x90 EntityDeltas"))
        let hex = Self.workedExampleHex.split(separator: "\n").map { String($0) }
        for line in hex {
            #expect(document[section.lowerBound...].contains(line), "document lacks \(line)")
        }
    }

    static let documentURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/client-protocol.md")

    // MARK: - Server rules

    /// Half a step of the u16 yaw, π/65536 rad, and float rounding.
    static let yawBound = Double.pi / 65536 + 1e-6

    /// The angle between two rotations in radians (q and −q the same), well conditioned near 0.
    static func angle(_ a: Quaternion, _ b: Quaternion) -> Double {
        func length(_ x: Double, _ y: Double, _ z: Double, _ w: Double) -> Double { (x * x + y * y + z * z + w * w).squareRoot() }
        let (ax, ay, az, aw) = (Double(a.x), Double(a.y), Double(a.z), Double(a.w))
        let (bx, by, bz, bw) = (Double(b.x), Double(b.y), Double(b.z), Double(b.w))
        let minus = length(ax - bx, ay - by, az - bz, aw - bw)
        let plus = length(ax + bx, ay + by, az + bz, aw + bw)
        return 4 * atan2(min(minus, plus), max(minus, plus))
    }

    static func motion(_ x: Float, _ y: Float, _ z: Float, yaw: Float = 0, velocity: Vector3 = .zero) -> EntityMotion {
        EntityMotion(position: Vector3(x, y, z), rotation: Quaternion(yaw: yaw), velocity: velocity)
    }

    @Test func nothingChangedGivesNoEntry() {
        let motion = Self.motion(10, 10, 20)
        #expect(EntityDelta(localID: 1, held: motion, target: motion) == nil)
    }

    @Test func halfAUnitIsNotSentSoARestingEntitySettles() throws {
        let base = PackedPosition(Vector3(10, 10, 20)).rawValue
        func at(_ dx: UInt64, _ dz: UInt64) -> EntityMotion {
            EntityMotion(position: PackedPosition(rawValue: base + dx + (dz << 40)), rotation: PackedRotation(Quaternion.identity), velocity: .zero)
        }
        // 8 x/y steps and 16 z steps are half a unit: nothing is sent.
        #expect(EntityDelta(localID: 1, held: at(0, 0), target: at(8, 16)) == nil)
        // 9 and 17 are more: one unit each, and the client then holds 7 and 15 steps past.
        let step = try #require(EntityDelta(localID: 1, held: at(0, 0), target: at(9, 17)))
        #expect(step.dx == 1 && step.dy == 0 && step.dz == 1 && step.flags == [.deltaXY, .deltaZ])
        #expect(step.recorded == at(16, 32))
        // 24 steps are 1.5 units: one unit, 8 steps short, after which nothing more is sent.
        let once = try #require(EntityDelta(localID: 1, held: at(0, 0), target: at(24, 0)))
        #expect(once.dx == 1)
        #expect(EntityDelta(localID: 1, held: once.recorded, target: at(24, 0)) == nil)
        // Negative halves likewise.
        #expect(EntityDelta(localID: 1, held: at(8, 16), target: at(0, 0)) == nil)
        #expect(EntityDelta(localID: 1, held: at(9, 0), target: at(0, 0))?.dx == -1)
    }

    @Test func farMovesAndMovesOutOfRangeAreAbsolute() throws {
        let held = Self.motion(10, 10, 20)
        // 8191 units of 1/128 m is 63.99 m: the largest delta.
        let near = try #require(EntityDelta(localID: 1, held: held, target: Self.motion(10 + 8191 / 128, 10, 20)))
        #expect(near.dx == 8191 && near.position == nil)
        let far = try #require(EntityDelta(localID: 1, held: held, target: Self.motion(10 + 8192 / 128, 10, 20)))
        #expect(far.position == PackedPosition(Vector3(10 + 8192 / 128, 10, 20)) && far.dx == 0 && far.flags == .position)
        #expect(far.recorded.position == far.position)
        let high = Self.motion(10, 10, 100)
        #expect(try #require(EntityDelta(localID: 1, held: high, target: Self.motion(10, 10, 100 - 8191 / 128))).dz == -8191)
        let down = try #require(EntityDelta(localID: 1, held: high, target: Self.motion(10, 10, 100 - 8192 / 128)))
        #expect(down.position == PackedPosition(Vector3(10, 10, 36)) && down.dz == 0)
        // The top of the x range: rounding up would pass 2²⁰ − 1, so the position goes whole.
        let top = EntityMotion(position: PackedPosition(rawValue: 0xF_FFFF), rotation: held.rotation, velocity: held.velocity)
        let belowTop = EntityMotion(position: PackedPosition(rawValue: 0xF_FFFF - 9), rotation: held.rotation, velocity: held.velocity)
        let edge = try #require(EntityDelta(localID: 1, held: belowTop, target: top))
        #expect(edge.position == top.position && edge.dx == 0)
    }

    @Test func yawFormOnlyForTurnsAboutZ() throws {
        let held = Self.motion(10, 10, 20)
        for yaw in stride(from: Float(-6.2), to: 6.3, by: 0.37) {
            let target = Self.motion(10, 10, 20, yaw: yaw)
            guard target.rotation != held.rotation else { continue }
            let delta = try #require(EntityDelta(localID: 1, held: held, target: target))
            let sent = try #require(delta.yaw, "yaw \(yaw)")
            #expect(delta.rotation == nil && delta.flags == .yaw)
            // Within half a u16 step (plus float error) of the decoded packed rotation.
            #expect(Self.angle(EntityDelta.rotation(yaw: sent), target.rotation.rotation) <= Self.yawBound, "yaw \(yaw)")
        }
        let tilted = EntityMotion(position: held.position, rotation: PackedRotation(Quaternion(x: 0.1, y: 0, z: 0, w: 0.995)), velocity: .zero)
        let delta = try #require(EntityDelta(localID: 1, held: held, target: tilted))
        #expect(delta.yaw == nil && delta.rotation == tilted.rotation && delta.flags == .rotation)
        // Largest x or y dropped: never the yaw form, even with the others at 511.
        #expect(EntityDelta.yaw(of: PackedRotation(rawValue: 0x5FF7_FFFE)) == nil)
        #expect(EntityDelta.yaw(of: PackedRotation(rawValue: 0x1FF7_FFFE)) == nil)
        #expect(EntityDelta.yaw(of: PackedRotation(rawValue: 0xDFF7_FDFF)) == 0)
        #expect(EntityDelta.yaw(of: PackedRotation(Quaternion(yaw: .pi))) == 0x8000)
    }

    @Test func shortVelocityRounding() {
        #expect(EntityDelta.shortVelocity(PackedVelocity(x: 320, y: -320, z: 0)) == SIMD3(51, -51, 0))
        #expect(EntityDelta.shortVelocity(PackedVelocity(x: 3, y: -3, z: 4)) == SIMD3(0, 0, 1))  // 0.48, −0.48, 0.64
        #expect(EntityDelta.shortVelocity(PackedVelocity(x: 796, y: -796, z: 0)) == SIMD3(127, -127, 0))  // 127.36
        #expect(EntityDelta.shortVelocity(PackedVelocity(x: 797, y: 0, z: 0)) == nil)  // 127.52
        #expect(EntityDelta.shortVelocity(PackedVelocity(x: 0, y: -797, z: 0)) == nil)
        #expect(EntityDelta.shortVelocity(PackedVelocity(x: .max, y: .min, z: 0)) == nil)
        #expect(EntityDelta.velocity(short: SIMD3(51, -127, 1)) == Vector3(3.1875, -7.9375, 0.0625))
    }

    @Test func sizesOfAWalkingAvatar() throws {
        // A step of a walker that also turned and changed speed: idGap 1 + flags 1 + dx, dy 2 +
        // yaw 2 + short velocity 3 = 9 bytes; the step alone is 4.
        let held = Self.motion(10, 10, 20, yaw: 0, velocity: Vector3(3.2, 0, 0))
        let target = Self.motion(10.3, 10.1, 20, yaw: 0.3, velocity: Vector3(2.8, 1.2, 0))
        let full = try #require(EntityDelta(localID: 40, held: held, target: target))
        #expect(full.flags == [.deltaXY, .yaw, .shortVelocity])
        #expect(full.bodySize == 8)
        #expect(ServerMessage.entityDeltas(EntityDeltas(entries: [full])).bytes.count == 3 + 1 + 8)
        var step = target
        step.position = PackedPosition(Vector3(10.4, 10.1, 20))
        let walk = try #require(EntityDelta(localID: 40, held: held, target: step.with(rotation: held.rotation, velocity: held.velocity)))
        #expect(walk.bodySize == 3)
    }

    // MARK: - The fast encoder

    @Test func fastEncoderSortsAndSplits() throws {
        // 13 000 entries of 8 + 1 bytes (an absolute position and gap 0) pass 65 535 bytes.
        let entries = (1...13_000).reversed().map { EntityDelta(localID: LocalID($0) * 3, position: PackedPosition(rawValue: UInt64($0))) }
        var buffer = ByteBuffer()
        let messages = EntityDeltas.writeMessages(entries, into: &buffer)
        #expect(messages == 2)
        let decoded = try ServerMessage.decodeFrame(buffer)
        let all = decoded.flatMap { message -> [EntityDelta] in
            guard case .entityDeltas(let deltas) = message else { return [] }
            return deltas.entries
        }
        #expect(all == entries.sorted { $0.localID < $1.localID })
        // Each message as large as fits: the first holds ⌊65 535 / 10⌋ entries of gap 2 (1 byte) + flags + 8.
        guard case .entityDeltas(let first) = decoded[0] else { Issue.record("not EntityDeltas"); return }
        #expect(first.entries.count == 6_553)
        #expect(buffer.getInteger(at: 1, endianness: .little, as: UInt16.self) == 65_530)
    }

    @Test func fastEncoderPutsARepeatedEntityInALaterMessage() throws {
        let entries = [EntityDelta(localID: 9, dx: 1), EntityDelta(localID: 4, dx: 2), EntityDelta(localID: 9, dx: 3)]
        var buffer = ByteBuffer()
        #expect(EntityDeltas.writeMessages(entries, into: &buffer) == 2)
        #expect(try ServerMessage.decodeFrame(buffer) == [
            .entityDeltas(EntityDeltas(entries: [entries[1], entries[0]])),
            .entityDeltas(EntityDeltas(entries: [entries[2]])),
        ])
        var empty = ByteBuffer()
        #expect(EntityDeltas.writeMessages([], into: &empty) == 0 && empty.readableBytes == 0)
    }

    @Test func fastEncoderMatchesTheMessageEncoder() {
        var rng = SplitMix64(seed: 17)
        for _ in 0..<200 {
            var ids = Set<LocalID>()
            while ids.count < Int(rng.next(upperBound: UInt64(40))) + 1 { ids.insert(LocalID(truncatingIfNeeded: rng.next())) }
            let entries = ids.sorted().map { Self.randomEntry(localID: $0, rng: &rng) }
            var fast = ByteBuffer()
            EntityDeltas.writeMessages(entries.shuffled(using: &rng), into: &fast)
            #expect(Array(fast.readableBytesView) == ServerMessage.entityDeltas(EntityDeltas(entries: entries)).bytes)
        }
    }

    static func randomEntry(localID: LocalID, rng: inout SplitMix64) -> EntityDelta {
        func maybe<T>(_ value: @autoclosure () -> T) -> T? { rng.next() % 3 == 0 ? value() : nil }
        let absolute = rng.next() % 4 == 0
        return EntityDelta(
            localID: localID,
            dx: absolute ? 0 : Int32(truncatingIfNeeded: rng.next()) >> Int32(rng.next(upperBound: UInt64(32))),
            dy: absolute ? 0 : Int32(truncatingIfNeeded: rng.next()) >> Int32(rng.next(upperBound: UInt64(32))),
            dz: absolute ? 0 : Int32(truncatingIfNeeded: rng.next()) >> Int32(rng.next(upperBound: UInt64(32))),
            position: absolute ? PackedPosition(rawValue: rng.next()) : nil,
            yaw: maybe(UInt16(truncatingIfNeeded: rng.next())),
            rotation: nil,
            shortVelocity: maybe(SIMD3(Int8(truncatingIfNeeded: rng.next()), Int8(truncatingIfNeeded: rng.next()), Int8(truncatingIfNeeded: rng.next()))),
            velocity: nil
        )
    }

    // MARK: - Malformed

    func decodeError(_ body: [UInt8]) -> CodecError? {
        let bytes = [0x90, UInt8(body.count & 0xFF), UInt8(body.count >> 8)] + body
        return thrownError { try decodeServer(bytes) } as? CodecError
    }

    @Test func conflictingOrUnknownFlagsAreMalformed() {
        for flags: UInt8 in [0x80, 0x81, 0xFF, 0x05, 0x06, 0x07, 0x18, 0x60, 0x7F] {
            // Enough bytes for any field, so only the flags can be wrong.
            let body: [UInt8] = [0, flags] + Array(repeating: 0, count: 30)
            #expect(invalidField(decodeError(body)) == "entityDeltas.flags", "flags 0x\(String(flags, radix: 16))")
        }
        // Each allowed combination decodes.
        for flags: UInt8 in [0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x10, 0x20, 0x40, 0x2B, 0x54, 0x4B] {
            let entry = EntityDelta(localID: 0, flags: flags)
            var body = ByteBuffer()
            body.writeInteger(UInt8(0))
            body.writeInteger(flags)
            entry.writeZeroFields(into: &body)
            #expect(decodeError(Array(body.readableBytesView)) == nil, "flags 0x\(String(flags, radix: 16))")
        }
    }

    @Test func overlongVarintsAreMalformed() throws {
        // Six bytes.
        #expect(decodeError([0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0, 0]) == .invalidValue(field: "entityDeltas.idGap", reason: "varint longer than 5 bytes"))
        #expect(decodeError([0x00, 0x01, 0x80, 0x80, 0x80, 0x80, 0x81, 0x00, 0x00]) == .invalidValue(field: "entityDeltas.dx", reason: "varint longer than 5 bytes"))
        // Five bytes but 33 bits.
        #expect(decodeError([0x00, 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x10]) == .invalidValue(field: "entityDeltas.dy", reason: "varint value needs more than 32 bits"))
        #expect(decodeError([0x00, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F]) == .invalidValue(field: "entityDeltas.dz", reason: "varint value needs more than 32 bits"))
        // The largest five-byte value is fine: zigzag 0xFFFFFFFF is −2³¹.
        #expect(try decodeServer([0x90, 7, 0, 0x00, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]) == [.entityDeltas(EntityDeltas(entries: [EntityDelta(localID: 0, dz: .min)]))])
        // A varint that runs off the end of the body.
        #expect(decodeError([0x00, 0x01, 0x80]) == .truncated(field: "entityDeltas.dx"))
        #expect(decodeError([0xFF]) == .truncated(field: "entityDeltas.idGap"))
    }

    @Test func localIDsPastTheLargestAreMalformed() {
        // 0xFFFFFFFF as the first gap is local ID 2³² − 1; any entry after it passes the range.
        let last: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01, 0x02, 0x00]
        #expect(decodeError(last) == nil)
        #expect(invalidField(decodeError(last + [0x00, 0x01, 0x02, 0x00])) == "entityDeltas.idGap")
        // A gap that is large after an entry in the middle.
        #expect(invalidField(decodeError([0x0A, 0x01, 0x02, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01, 0x02, 0x00])) == "entityDeltas.idGap")
    }

    @Test func truncatedFieldsAreMalformed() {
        let cases: [([UInt8], String)] = [
            ([0x00], "entityDeltas.flags"),
            ([0x00, 0x01, 0x02], "entityDeltas.dy"),
            ([0x00, 0x04, 1, 2, 3, 4, 5, 6, 7], "entityDeltas.position"),
            ([0x00, 0x08, 1], "entityDeltas.yaw"),
            ([0x00, 0x10, 1, 2, 3], "entityDeltas.rotation"),
            ([0x00, 0x20, 1, 2], "entityDeltas.shortVelocity"),
            ([0x00, 0x40, 1, 2, 3, 4, 5], "entityDeltas.velocity"),
        ]
        for (body, field) in cases {
            #expect(decodeError(body) == .truncated(field: field))
        }
    }

    @Test func movesOutOfThePackedRangeAreMalformedWhenApplied() throws {
        let corner = HeldMotion(position: PackedPosition(rawValue: 0), rotation: .identity, velocity: .zero)
        let top = HeldMotion(position: PackedPosition(rawValue: UInt64(0xF_FFF0) | UInt64(0xF_FFF0) << 20 | UInt64(0xFF_FFE0) << 40), rotation: .identity, velocity: .zero)
        for (delta, held) in [
            (EntityDelta(localID: 3, dx: -1), corner), (EntityDelta(localID: 3, dy: -1), corner), (EntityDelta(localID: 3, dz: -1), corner),
            (EntityDelta(localID: 3, dx: 1), top), (EntityDelta(localID: 3, dy: 1), top), (EntityDelta(localID: 3, dz: 1), top),
            (EntityDelta(localID: 3, dx: .min, dy: .min, dz: .min), top), (EntityDelta(localID: 3, dx: .max, dy: .max, dz: .max), corner),
        ] {
            #expect(invalidField(thrownError { try delta.applied(to: held) }) == "entityDeltas.position", "\(delta)")
        }
        // The last step inside is fine: X 2²⁰ − 16 + 15 would pass, 2²⁰ − 16 stays.
        #expect(try EntityDelta(localID: 3, dx: -1, dy: -1, dz: -1).applied(to: top).position.rawValue
            == UInt64(0xF_FFE0) | UInt64(0xF_FFE0) << 20 | UInt64(0xFF_FFC0) << 40)
    }

    @Test func olderVersionsAreNeverSentDeltas() {
        let message = ServerMessage.entityDeltas(Self.workedExample)
        for version: UInt16 in 3...6 { #expect(message.forVersion(version) == nil) }
        #expect(message.forVersion(7) == message)
        #expect(message.forVersion(8) == message)
        #expect(clientProtocolVersion == 8)
        #expect(supportedClientProtocolVersions == 3...8)
        let update = ServerMessage.entityUpdate(EntityUpdate(localID: 1, position: PackedPosition(rawValue: 5)))
        #expect(update.forVersion(5) == update)
    }

    // MARK: - Random motion through the wire

    /// Thousands of random walks, runs, falls, teleports and spins, each tick's deltas written
    /// by the fast encoder, decoded, and applied by the client: after every tick the client
    /// holds exactly the server's record, within the documented bound of the target.
    @Test(arguments: 1...8 as ClosedRange<UInt64>)
    func randomMotionStaysWithinTheBound(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15)
        let count = 400
        func unit() -> Float { Float(rng.next() >> 40) / Float(1 << 24) }
        var targets: [EntityMotion] = (0..<count).map { _ in
            EntityMotion(
                position: Vector3(unit() * 256, unit() * 256, unit() * 100),
                rotation: Quaternion(yaw: unit() * 6.28), velocity: .zero
            )
        }
        var records = targets
        var held = targets.map(HeldMotion.init)
        var headings = (0..<count).map { _ in unit() * 6.28 }
        var sentEntries = 0
        var forms = [String: Int]()
        for _ in 0..<60 {
            var entries: [EntityDelta] = []
            for index in 0..<count {
                var target = targets[index]
                let roll = rng.next(upperBound: UInt64(100))
                var position = target.position.position
                var velocity = Vector3.zero
                switch roll {
                case 0..<50:  // walk or run on, sometimes turning
                    if roll < 10 { headings[index] += (unit() - 0.5) * 2 }
                    let speed: Float = roll < 35 ? 3.2 : 6.4
                    velocity = Vector3(speed * headings[index].cosine, speed * headings[index].sine, 0)
                    position += velocity / 10
                    target.rotation = PackedRotation(Quaternion(yaw: headings[index]))
                case 50..<60:  // fall or fly fast
                    velocity = Vector3((unit() - 0.5) * 40, (unit() - 0.5) * 40, (unit() - 0.5) * 60)
                    position += velocity / 10
                case 60..<63:  // teleport anywhere, even outside the region
                    position = Vector3(unit() * 512 - 128, unit() * 512 - 128, unit() * 4096)
                case 63..<68:  // spin and tumble on the spot
                    target.rotation = PackedRotation(Quaternion(x: unit() - 0.5, y: unit() - 0.5, z: unit() - 0.5, w: unit() - 0.5))
                case 68..<72:  // creep: a millimetre or two
                    position += Vector3((unit() - 0.5) * 0.004, (unit() - 0.5) * 0.004, (unit() - 0.5) * 0.004)
                default:  // stand
                    break
                }
                position = Vector3(min(max(position.x, -128), 383.9), min(max(position.y, -128), 383.9), min(max(position.z, 0), 4095))
                target.position = PackedPosition(position)
                target.velocity = PackedVelocity(velocity)
                targets[index] = target
                if let delta = EntityDelta(localID: LocalID(index * 7 + 1), held: records[index], target: target) {
                    entries.append(delta)
                    records[index] = delta.recorded
                    #expect(delta.recorded.rotation == target.rotation && delta.recorded.velocity == target.velocity)
                    if delta.position != nil { forms["absolute", default: 0] += 1 }
                    if delta.yaw != nil { forms["yaw", default: 0] += 1 }
                    if delta.rotation != nil { forms["rotation", default: 0] += 1 }
                    if delta.shortVelocity != nil { forms["short", default: 0] += 1 }
                    if delta.velocity != nil { forms["velocity", default: 0] += 1 }
                }
            }
            var buffer = ByteBuffer()
            EntityDeltas.writeMessages(entries.shuffled(using: &rng), into: &buffer)
            for message in try ServerMessage.decodeFrame(buffer) {
                guard case .entityDeltas(let deltas) = message else { Issue.record("unexpected \(message)"); continue }
                for delta in deltas.entries {
                    let index = Int(delta.localID - 1) / 7
                    held[index] = try delta.applied(to: held[index])
                    sentEntries += 1
                }
            }
            for index in 0..<count {
                let target = targets[index]
                #expect(held[index].position == records[index].position)
                let t = EntityDelta.steps(target.position)
                let h = EntityDelta.steps(held[index].position)
                #expect(abs(t.x - h.x) <= 8 && abs(t.y - h.y) <= 8 && abs(t.z - h.z) <= 16, "entity \(index): \(t) vs \(h)")
                #expect(held[index].position.position.distance(to: target.position.position) <= 0.0068)
                #expect(Self.angle(held[index].rotation, target.rotation.rotation) <= Self.yawBound, "entity \(index)")
                let velocityError = held[index].velocity - target.velocity.velocity
                #expect(max(abs(velocityError.x), abs(velocityError.y), abs(velocityError.z)) <= 0.03125 + 1e-6)
            }
        }
        #expect(sentEntries > 10_000)
        for form in ["absolute", "yaw", "rotation", "short", "velocity"] {
            #expect(forms[form, default: 0] > 20, "few \(form) forms: \(forms)")
        }
    }
}

extension EntityMotion {
    func with(rotation: PackedRotation, velocity: PackedVelocity) -> EntityMotion {
        EntityMotion(position: position, rotation: rotation, velocity: velocity)
    }
}

extension EntityDelta {
    /// An entry with these raw flags and every field present zero.
    init(localID: LocalID, flags: UInt8) {
        self.init(localID: localID)
        self.flags = Flags(rawValue: flags)
    }

    /// Writes a zero for each field the flags name (varints 0, fixed fields 0).
    func writeZeroFields(into buffer: inout ByteBuffer) {
        if flags.contains(.deltaXY) { buffer.writeBytes([0, 0]) }
        if flags.contains(.deltaZ) { buffer.writeBytes([0]) }
        if flags.contains(.position) { buffer.writeBytes([UInt8](repeating: 0, count: 8)) }
        if flags.contains(.yaw) { buffer.writeBytes([0, 0]) }
        if flags.contains(.rotation) { buffer.writeBytes([UInt8](repeating: 0, count: 4)) }
        if flags.contains(.shortVelocity) { buffer.writeBytes([0, 0, 0]) }
        if flags.contains(.velocity) { buffer.writeBytes([UInt8](repeating: 0, count: 6)) }
    }
}
