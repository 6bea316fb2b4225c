import Foundation
import NIOCore
import Testing
import TesseraClientProtocol
import TesseraLLUDP
import TesseraWire
import TesseraWorld

@testable import TesseraClientManager

/// The Second Life front end's translations, pure: Tessera entities as ObjectUpdate and
/// ImprovedTerseObjectUpdate blocks, the viewer's controls as movement intents, throttles,
/// the minimap, batching, names, the frame sink's budget, and every message the front end
/// builds through its generated codec (docs/sl-protocol.md).
@Suite struct SLTranslationTests {
    static let region = GridPosition(x: 1000, y: 1000)!.handle
    static let adaID = UUID(uuidString: "0A0A0A0A-1111-4222-8333-444455556666")!

    static let identity = ViewerIdentity(
        agentID: adaID, sessionID: UUID(uuidString: "5E551011-0000-4000-8000-000000000001")!,
        secureSessionID: UUID(uuidString: "5EC00000-0000-4000-8000-000000000002")!, circuitCode: 123_456,
        name: "Ada Lovelace", firstName: "Ada", lastName: "Lovelace", token: nil)

    // MARK: Reading the motion bytes back

    /// A little-endian reader over an object's motion bytes.
    struct Reader {
        var bytes: [UInt8]
        var offset = 0

        mutating func u8() -> UInt8 {
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func u16() -> UInt16 {
            defer { offset += 2 }
            return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
        }

        mutating func u32() -> UInt32 {
            defer { offset += 4 }
            return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
        }

        mutating func float() -> Float { Float(bitPattern: u32()) }

        mutating func floats(_ count: Int) -> [Float] { (0..<count).map { _ in float() } }

        /// A U16 quantised over [lower, upper], as a viewer reads it.
        mutating func quantised(_ count: Int, _ lower: Float, _ upper: Float) -> [Float] {
            (0..<count).map { _ in Float(u16()) / 65535 * (upper - lower) + lower }
        }

        var atEnd: Bool { offset == bytes.count }
    }

    /// One step of a 16-bit quantisation over [lower, upper]: the error bound of a round trip
    /// is half of it; a step is allowed for float rounding on top.
    static func step(_ lower: Float, _ upper: Float) -> Float { (upper - lower) / 65535 }

    static func close(_ a: [Float], _ b: [Float], within bound: Float) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= bound }
    }

    static let motion = EntityMotion(position: Vector3(12.5, 200.25, 33.75), rotation: Quaternion(yaw: 1.0), velocity: Vector3(3.21, -150, 0.5))

    // MARK: ImprovedTerseObjectUpdate

    @Test("a prim's terse update is 44 bytes: local id, state, no plane, position, quantised velocity, acceleration, rotation, angular velocity")
    func tersePrim() {
        let block = SLObjects.terse(localID: 0x0102_0304, motion: Self.motion, avatar: false)
        #expect(block.data.count == 44)
        #expect(block.textureEntry.isEmpty)
        var reader = Reader(bytes: block.data)
        #expect(reader.u32() == 0x0102_0304, "LocalID little-endian")
        #expect(Array(block.data.prefix(4)) == [0x04, 0x03, 0x02, 0x01])
        #expect(reader.u8() == 0, "state")
        #expect(reader.u8() == 0, "no collision plane")
        #expect(reader.floats(3) == [Self.motion.position.position.x, Self.motion.position.position.y, Self.motion.position.position.z])
        let velocity = Self.motion.velocity.velocity
        let v = reader.quantised(3, -128, 128)
        #expect(Self.close(v, [velocity.x, -128, velocity.z], within: Self.step(-128, 128)), "\(v) (y clamped to -128)")
        #expect(v[1] == -128, "a velocity below -128 is the lowest step exactly")
        let acceleration = reader.quantised(3, -64, 64)
        #expect(Self.close(acceleration, [0, 0, 0], within: Self.step(-64, 64)), "\(acceleration)")
        let q = Self.motion.rotation.rotation
        let rotation = reader.quantised(4, -1, 1)
        #expect(Self.close(rotation, [q.x, q.y, q.z, q.w], within: Self.step(-1, 1)), "\(rotation) vs \(q)")
        let angular = reader.quantised(3, -64, 64)
        #expect(Self.close(angular, [0, 0, 0], within: Self.step(-64, 64)), "\(angular)")
        #expect(reader.atEnd)
    }

    @Test("an avatar's terse update is 60 bytes: the foot collision plane 0.95 m below its centre after the flag")
    func terseAvatar() {
        let block = SLObjects.terse(localID: 77, motion: Self.motion, avatar: true)
        #expect(block.data.count == 60)
        var reader = Reader(bytes: block.data)
        #expect(reader.u32() == 77)
        #expect(reader.u8() == 0)
        #expect(reader.u8() == 1, "has a collision plane")
        let position = Self.motion.position.position
        #expect(reader.floats(4) == [0, 0, 1, position.z - 0.95])
        #expect(reader.floats(3) == [position.x, position.y, position.z])
        let velocity = Self.motion.velocity.velocity
        #expect(Self.close(reader.quantised(3, -128, 128), [velocity.x, -128, velocity.z], within: Self.step(-128, 128)))
        #expect(Self.close(reader.quantised(3, -64, 64), [0, 0, 0], within: Self.step(-64, 64)))
        let q = Self.motion.rotation.rotation
        #expect(Self.close(reader.quantised(4, -1, 1), [q.x, q.y, q.z, q.w], within: Self.step(-1, 1)))
        #expect(Self.close(reader.quantised(3, -64, 64), [0, 0, 0], within: Self.step(-64, 64)))
        #expect(reader.atEnd)
    }

    @Test("quantize maps the range onto 0…65535, clamps outside it and puts what is not a number in the middle")
    func quantize() {
        #expect(SLObjects.quantize(-128, -128, 128) == 0)
        #expect(SLObjects.quantize(128, -128, 128) == 65535)
        #expect(SLObjects.quantize(0, -128, 128) == 32768)
        #expect(SLObjects.quantize(-1000, -128, 128) == 0)
        #expect(SLObjects.quantize(1000, -128, 128) == 65535)
        #expect(SLObjects.quantize(.greatestFiniteMagnitude, -1, 1) == 65535)
        #expect(SLObjects.quantize(-.greatestFiniteMagnitude, -1, 1) == 0)
        #expect(SLObjects.quantize(.infinity, -64, 64) == 65535)
        #expect(SLObjects.quantize(-.infinity, -64, 64) == 0)
        #expect(SLObjects.quantize(.nan, -64, 64) == 32768)
        #expect(SLObjects.quantize(.nan, 0, 1) == 32768)
        #expect(SLObjects.quantize(0.5, 0, 1) == 32768)
        #expect(SLObjects.quantize(0.25, 0, 1) == 16384)
        // Every value comes back within half a step.
        for value in stride(from: Float(-1), through: 1, by: 0.001) {
            let decoded = Float(SLObjects.quantize(value, -1, 1)) / 65535 * 2 - 1
            #expect(abs(decoded - value) <= Self.step(-1, 1) / 2 + 1e-6, "\(value) came back as \(decoded)")
        }
    }

    // MARK: ObjectUpdate

    @Test("an avatar's ObjectUpdate: PCode 47, its account as FullID, 76 bytes of motion with the foot plane, first and last name values")
    func objectDataAvatar() {
        let yawBack = EntityMotion(position: Vector3(40, 50, 26), rotation: Quaternion(yaw: -3.0), velocity: Vector3(1, 2, -3))
        let enter = EntityEnter(localID: 9, kind: .avatar, shape: .cylinder, name: "Ada Lovelace", scale: Vector3(0.45, 0.6, 1.9), motion: yawBack)
        let info = EntityInfo(
            localID: 9, kind: .avatar, shape: .cylinder, name: "Ada Lovelace", scale: Vector3(0.45, 0.6, 1.9), motion: yawBack, agentID: Self.adaID)
        let block = SLObjects.objectData(enter: enter, info: info, fullID: Self.adaID, owner: Self.adaID)
        #expect(block.id == 9)
        #expect(block.pCode == 47)
        #expect(block.fullID == Self.adaID)
        #expect(block.ownerID == Self.adaID)
        #expect(block.scale == Vector3(0.45, 0.6, 1.9))
        #expect(block.updateFlags == 0)
        #expect(block.objectData.count == 76)
        let text = "FirstName STRING RW SV Ada\nLastName STRING RW SV Lovelace"
        #expect(block.nameValue == Array(text.utf8) + [0], "\(String(decoding: block.nameValue, as: UTF8.self))")
        #expect(block.textureEntry.isEmpty)
        var reader = Reader(bytes: block.objectData)
        let position = yawBack.position.position
        #expect(reader.floats(4) == [0, 0, 1, position.z - 0.95])
        #expect(reader.floats(3) == [position.x, position.y, position.z])
        #expect(reader.floats(3) == [1, 2, -3])
        #expect(reader.floats(3) == [0, 0, 0], "acceleration")
        // Three components of the rotation with w ≥ 0 (the viewer derives w).
        let q = yawBack.rotation.rotation
        #expect(q.w < 0, "the packed form keeps z positive and w negative here: \(q)")
        #expect(reader.floats(3) == [-q.x, -q.y, -q.z])
        #expect(reader.floats(3) == [0, 0, 0], "angular velocity")
        #expect(reader.atEnd)
    }

    @Test("a prim's ObjectUpdate: PCode 9, 60 bytes of motion, its shape's path and profile, no name values")
    func objectDataPrim() {
        let enter = EntityEnter(localID: 10, kind: .object, shape: .box, name: "crate", scale: Vector3(1, 2, 3), motion: Self.motion)
        let info = EntityInfo(localID: 10, kind: .object, shape: .box, name: "crate", scale: Vector3(1, 2, 3), motion: Self.motion)
        let fullID = ViewerSession.fullID(region: Self.region, localID: 10, agentID: nil)
        let block = SLObjects.objectData(enter: enter, info: info, fullID: fullID, owner: nil)
        #expect(block.pCode == 9)
        #expect(block.objectData.count == 60)
        #expect(block.nameValue.isEmpty)
        #expect(block.ownerID == slNullUUID)
        #expect(block.pathCurve == 0x10 && block.profileCurve == 0x01)
        #expect(block.textureEntry == SLObjects.defaultTextureEntry)
        #expect(block.text == [0], "no floating text: an empty NUL-terminated string")
        var reader = Reader(bytes: block.objectData)
        let position = Self.motion.position.position
        #expect(reader.floats(3) == [position.x, position.y, position.z])
        let v = Self.motion.velocity.velocity
        #expect(reader.floats(3) == [v.x, v.y, v.z])
        #expect(reader.floats(3) == [0, 0, 0])
        let q = Self.motion.rotation.rotation
        let sign: Float = q.w < 0 ? -1 : 1
        #expect(reader.floats(3) == [q.x * sign, q.y * sign, q.z * sign])
        #expect(reader.floats(3) == [0, 0, 0])
        #expect(reader.atEnd)
        // Full ids of objects are stable per region and local id, distinct from each other.
        #expect(fullID == ViewerSession.fullID(region: Self.region, localID: 10, agentID: nil))
        #expect(fullID != ViewerSession.fullID(region: Self.region, localID: 11, agentID: nil))
        #expect(fullID != ViewerSession.fullID(region: GridPosition(x: 1001, y: 1000)!.handle, localID: 10, agentID: nil))
        #expect(SLObjects.PrimShape(.sphere).pathCurve == 0x20 && SLObjects.PrimShape(.sphere).profileCurve == 0x05)
        #expect(SLObjects.PrimShape(.cylinder).pathCurve == 0x10 && SLObjects.PrimShape(.cylinder).profileCurve == 0x00)
    }

    // MARK: Controls

    static func intent(_ flags: UInt32, yaw: Float = 0, alwaysRun: Bool = false) -> MovementIntent {
        SLControls.intent(flags: flags, body: Quaternion(yaw: yaw), alwaysRun: alwaysRun)
    }

    static func same(_ a: MovementIntent, _ mode: MovementMode, heading: Float, vertical: Int8 = 0) -> Bool {
        a.mode == mode && a.vertical == vertical && abs(a.heading - heading) < 1e-5
    }

    @Test("AgentUpdate controls as movement: forward, back, strafing, running, flying, stop, and the body's heading")
    func controls() {
        let c = SLControls.self
        #expect(Self.same(Self.intent(0), .stop, heading: 0))
        #expect(Self.same(Self.intent(c.atPos), .walk, heading: 0))
        #expect(Self.same(Self.intent(c.nudgeAtPos), .walk, heading: 0))
        #expect(Self.same(Self.intent(c.atNeg), .walk, heading: .pi))
        #expect(Self.same(Self.intent(c.nudgeAtNeg), .walk, heading: .pi))
        #expect(Self.same(Self.intent(c.leftPos), .walk, heading: .pi / 2), "left is +y, a quarter turn counter-clockwise")
        #expect(Self.same(Self.intent(c.leftNeg), .walk, heading: -.pi / 2))
        #expect(Self.same(Self.intent(c.nudgeLeftNeg), .walk, heading: -.pi / 2))
        #expect(Self.same(Self.intent(c.atPos | c.leftPos), .walk, heading: .pi / 4))
        #expect(Self.same(Self.intent(c.atPos | c.atNeg), .stop, heading: 0), "opposite keys cancel")
        // Running: the fast flag or always-run.
        #expect(Self.same(Self.intent(c.atPos | c.fastAt), .run, heading: 0))
        #expect(Self.same(Self.intent(c.atPos, alwaysRun: true), .run, heading: 0))
        #expect(Self.same(Self.intent(0, alwaysRun: true), .stop, heading: 0), "always-run alone does not move")
        // Flying: horizontal, up and down; flying beats running.
        #expect(Self.same(Self.intent(c.atPos | c.fly), .fly, heading: 0))
        #expect(Self.same(Self.intent(c.atPos | c.fly | c.fastAt), .fly, heading: 0))
        #expect(Self.same(Self.intent(c.fly | c.upPos), .fly, heading: 0, vertical: 1))
        #expect(Self.same(Self.intent(c.fly | c.upNeg), .fly, heading: 0, vertical: -1))
        #expect(Self.same(Self.intent(c.atPos | c.fly | c.upPos), .fly, heading: 0, vertical: 1))
        #expect(Self.same(Self.intent(c.fly), .stop, heading: 0), "hovering")
        #expect(Self.same(Self.intent(c.upPos), .stop, heading: 0), "up without flying (a jump) is not a movement")
        #expect(Self.same(Self.intent(c.atPos | c.upPos), .walk, heading: 0), "vertical only while flying")
        // The stop flag wins over the keys.
        #expect(Self.same(Self.intent(c.atPos | c.stop), .stop, heading: 0))
        #expect(Self.same(Self.intent(c.atPos | c.fastAt | c.stop), .stop, heading: 0))
        // The body's rotation turns everything: 90° about z faces +y.
        #expect(Self.same(Self.intent(c.atPos, yaw: .pi / 2), .walk, heading: .pi / 2))
        #expect(Self.same(Self.intent(c.leftPos, yaw: .pi / 2), .walk, heading: .pi))
        #expect(Self.same(Self.intent(0, yaw: .pi / 2), .stop, heading: .pi / 2), "a stop keeps the facing")
        let back = Self.intent(c.atNeg, yaw: .pi / 2)
        #expect(back.mode == .walk && abs(cos(back.heading)) < 1e-5 && abs(sin(back.heading) + 1) < 1e-5, "backwards while facing +y goes to -y: \(back)")
    }

    @Test("a body rotation that is not a number is heading 0, never NaN")
    func controlsNotANumber() {
        let c = SLControls.self
        for q in [
            Quaternion(x: .nan, y: 0, z: 0, w: 1), Quaternion(x: 0, y: 0, z: .nan, w: .nan),
            Quaternion(x: .infinity, y: 0, z: 0, w: 1), Quaternion(x: 0, y: 0, z: .infinity, w: -.infinity),
        ] {
            #expect(SLControls.yaw(of: q) == 0, "\(q)")
            let walk = SLControls.intent(flags: c.atPos, body: q, alwaysRun: false)
            #expect(Self.same(walk, .walk, heading: 0), "\(q): \(walk)")
            let left = SLControls.intent(flags: c.leftPos, body: q, alwaysRun: false)
            #expect(Self.same(left, .walk, heading: .pi / 2), "\(q): \(left)")
        }
        #expect(abs(SLControls.yaw(of: Quaternion(yaw: .pi / 2)) - .pi / 2) < 1e-6)
        #expect(SLControls.yaw(of: .identity) == 0)
    }

    @Test("a teleport's landing point is kept inside the region and at most 4095 m up; none (zeros or not a number) is nil")
    func landing() {
        #expect(SLControls.landing(.zero) == nil)
        #expect(SLControls.landing(Vector3(.nan, 10, 10)) == nil)
        #expect(SLControls.landing(Vector3(10, .infinity, 10)) == nil)
        #expect(SLControls.landing(Vector3(10, 10, -.infinity)) == nil)
        #expect(SLControls.landing(Vector3(10, 20, 30)) == Vector3(10, 20, 30))
        #expect(SLControls.landing(Vector3(300, -5, 5000)) == Vector3(255.9, 0, 4095))
        #expect(SLControls.landing(Vector3(-1, 256, -3)) == Vector3(0, 255.9, 0))
        #expect(SLControls.landing(Vector3(0, 0, 25)) == Vector3(0, 0, 25))
    }

    // MARK: Throttles

    static func throttleBytes(_ rates: [Float]) -> [UInt8] {
        rates.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }

    @Test("AgentThrottle: seven little-endian floats; the task rate in bytes per second, refused when short, not a number, zero or negative")
    func throttles() throws {
        let rates: [Float] = [150_000, 170_000, 34_000, 34_000, 446_000, 446_000, 220_000]
        let parsed = try #require(SLThrottles(Self.throttleBytes(rates)))
        #expect(parsed.rates == rates)
        #expect(parsed.taskBytesPerSecond == 55_750)
        // Extra bytes after the seven are ignored.
        #expect(SLThrottles(Self.throttleBytes(rates) + [1, 2, 3])?.rates == rates)
        #expect(SLThrottles(Array(Self.throttleBytes(rates).prefix(27))) == nil, "27 bytes are not seven floats")
        #expect(SLThrottles([]) == nil)
        func task(_ value: Float) -> Double? {
            var all = rates
            all[4] = value
            return SLThrottles(Self.throttleBytes(all))?.taskBytesPerSecond
        }
        #expect(task(.nan) == nil)
        #expect(task(.infinity) == nil)
        #expect(task(-8000) == nil)
        #expect(task(0) == nil)
        #expect(task(8) == 1)
        #expect(task(1e12) == 10_000_000, "bounded")
    }

    // MARK: Minimap

    @Test("CoarseLocationUpdate: metres in x and y, z in 4 m steps, clamped; You is the viewer's index (-1 without it)")
    func coarse() {
        let you = UUID()
        let other = UUID()
        let third = UUID()
        let update = SLObjects.coarse([(other, Vector3(10.7, 20.2, 30)), (you, Vector3(383.9, -128, 4095)), (third, Vector3(.nan, 1, 1))], you: you)
        #expect(update.location.map { [$0.x, $0.y, $0.z] } == [[10, 20, 7], [255, 0, 255], [0, 1, 0]])
        #expect(update.index.you == 1)
        #expect(update.index.prey == -1)
        #expect(update.agentData.map(\.agentID) == [other, you, third])
        let without = SLObjects.coarse([(other, Vector3(1, 2, 8))], you: you)
        #expect(without.index.you == -1)
        #expect(without.location.map { [$0.x, $0.y, $0.z] } == [[1, 2, 2]])
        #expect(SLObjects.coarse([], you: you).location.isEmpty)
    }

    // MARK: Batching

    @Test("batches stay within the byte budget and 255 blocks, keep the order, and give an oversized block a batch of its own")
    func batches() {
        let sized = SLObjects.batches(Array(0..<100), budget: 1100, size: { _ in 100 })
        #expect(sized.map(\.count) == [11, 11, 11, 11, 11, 11, 11, 11, 11, 1])
        #expect(sized.flatMap { $0 } == Array(0..<100))
        let many = SLObjects.batches(Array(0..<600), budget: 1_000_000, size: { _ in 1 })
        #expect(many.map(\.count) == [255, 255, 90])
        #expect(many.flatMap { $0 } == Array(0..<600))
        let oversized = SLObjects.batches([10, 5000, 10], budget: 1100, size: { $0 })
        #expect(oversized == [[10], [5000], [10]])
        #expect(SLObjects.batches([Int](), budget: 1100, size: { $0 }).isEmpty)
        // Objects of a real view: every ObjectUpdate of them fits one datagram.
        let blocks = (1...120).map { id -> SL.ObjectUpdate.ObjectData in
            let avatar = id % 3 == 0
            let motion = EntityMotion(position: Vector3(Float(id), 128, 25), rotation: Quaternion(yaw: Float(id) / 10), velocity: .zero)
            let info = EntityInfo(
                localID: LocalID(id), kind: avatar ? .avatar : .object, shape: avatar ? .cylinder : .sphere,
                name: avatar ? "Resident Number\(id)" : "object \(id)", scale: Vector3(1, 1, 1), motion: motion,
                appearance: avatar ? nil : ObjectAppearance(text: String(repeating: "é", count: 120)), agentID: avatar ? UUID() : nil)
            let enter = EntityEnter(localID: info.localID, kind: info.kind, shape: info.shape, name: info.name, scale: info.scale, motion: motion)
            return SLObjects.objectData(enter: enter, info: info, fullID: info.agentID ?? UUID(), owner: info.agentID)
        }
        let groups = SLObjects.batches(blocks, budget: ViewerSession.packetBodyBudget, size: SLObjects.encodedSize)
        #expect(groups.flatMap { $0 }.count == 120)
        for group in groups {
            var body = ByteBuffer()
            for block in group { #expect(SLObjects.encodedSize(block) >= Self.encodedBytes(block), "the estimate never undercounts") }
            SL.ObjectUpdate(regionData: .init(regionHandle: Self.region.rawValue, timeDilation: 65535), objectData: group).encode(into: &body)
            #expect(body.readableBytes <= ViewerSession.packetBodyBudget + 16)
            #expect(Self.datagramBytes(SL.ObjectUpdate(regionData: .init(regionHandle: 1, timeDilation: 1), objectData: group)) <= SLProtocol.maxDatagramBytes)
        }
    }

    /// What one ObjectUpdate block encodes to: a message of that block alone, less the
    /// region data (10 bytes) and the block count (1).
    static func encodedBytes(_ block: SL.ObjectUpdate.ObjectData) -> Int {
        var body = ByteBuffer()
        SL.ObjectUpdate(objectData: [block]).encode(into: &body)
        return body.readableBytes - 11
    }

    static func datagramBytes<M: SLMessageBody>(_ message: M) -> Int {
        SLPacket(message, sequence: 0xFF_FFFF, reliable: true).encode().readableBytes
    }

    // MARK: Names

    @Test("Tessera names as Second Life first and last names: one-part names get the last name Resident")
    func slName() {
        #expect(ViewerSession.slName("Ada Lovelace") == ("Ada", "Lovelace"))
        #expect(ViewerSession.slName("Bob") == ("Bob", "Resident"))
        #expect(ViewerSession.slName("Grace Brewster Hopper") == ("Grace", "Brewster Hopper"))
        #expect(ViewerSession.slName("") == ("", "Resident"))
    }

    // MARK: The frame sink

    @Test("the LLUDP sink keeps the tick's items in order and counts their bytes; a region change shuts the rest of the budget")
    func frameSinkRegionChange() {
        var sink = LLUDPFrameSink()
        #expect(sink.bytesWritten == 0)
        let motion = Self.motion
        let info = EntityInfo(localID: 5, kind: .object, shape: .box, name: "crate", scale: Vector3(1, 1, 1), motion: motion)
        let enter = EntityEnter(localID: 5, kind: .object, shape: .box, name: "crate", scale: Vector3(1, 1, 1), motion: motion)
        sink.beginFrame(FrameStamp(frame: 7, timeMillis: 1000, timeDilation: 60000))
        sink.entityEnter(enter, info: info)
        sink.entityLeave(6)
        #expect(sink.bytesWritten == LLUDPFrameSink.primBytes + 4)
        #expect(sink.stamp.frame == 7 && sink.stamp.timeDilation == 60000)
        let change = RegionChanged(kind: .crossing, localID: 12, regionName: "East", regionHandle: GridPosition(x: 1001, y: 1000)!.handle, startedMillis: 1)
        sink.message(.regionChanged(change))
        #expect(sink.bytesWritten == Int.max / 4, "shut: nothing more of the world fits this tick")
        #expect(sink.bytesSent == LLUDPFrameSink.primBytes + 4 + 64, "what the tick really carries")
        #expect(sink.items.count == 3)
        if case .enter(let e, _) = sink.items[0] { #expect(e.localID == 5) } else { Issue.record("first item \(sink.items[0])") }
        if case .leave(let id) = sink.items[1] { #expect(id == 6) } else { Issue.record("second item \(sink.items[1])") }
        if case .message(.regionChanged(let c)) = sink.items[2] { #expect(c == change) } else { Issue.record("third item \(sink.items[2])") }
        sink.discardFrame()
        #expect(sink.items.isEmpty && sink.bytesSent == 0)
    }

    @Test("through the view: after RegionChanged the same tick carries nothing of the new region; the next tick does")
    func viewRegionChangeWithLLUDPSink() {
        let west = Self.region
        let east = GridPosition(x: 1001, y: 1000)!.handle
        var table = EntityTable()
        let appeared = [1, 2, 3, 7].map { id in
            EntityInfo(localID: LocalID(id), kind: .object, shape: .box, name: "o\(id)", scale: Vector3(1, 1, 1),
                       motion: EntityMotion(position: Vector3(Float(id), 10, 21), rotation: .identity, velocity: .zero))
        }
        table.apply(RegionFrame(region: west, frame: 1, timeMillis: 1, timeDilation: 1, appeared: appeared, moved: [], removed: []))
        var view = ClientView()
        let welcome = Welcome(
            agentID: UUID(), localID: 1, regionName: "West", regionHandle: west, frameRate: 45, updateRate: 10, viewDistance: 64, sessionToken: "")
        var first = LLUDPFrameSink()
        _ = view.buildFrame(events: [.message(.welcome(welcome)), .enter([1, 2], region: west)], table: table, maxBytes: 1 << 20, into: &first)
        #expect(Self.entered(first) == [1, 2])

        let change = RegionChanged(kind: .crossing, localID: 7, regionName: "East", regionHandle: east, startedMillis: 1)
        var second = LLUDPFrameSink()
        let count = view.buildFrame(events: [.message(.regionChanged(change)), .enter([7, 3], region: east)], table: table, maxBytes: 1 << 20, into: &second)
        #expect(count == 1, "only the RegionChanged")
        #expect(second.items.count == 1)
        #expect(Self.entered(second).isEmpty)

        var third = LLUDPFrameSink()
        _ = view.buildFrame(events: [], table: table, maxBytes: 1 << 20, into: &third)
        #expect(Self.entered(third) == [3, 7])
    }

    static func entered(_ sink: LLUDPFrameSink) -> [LocalID] {
        sink.items.compactMap { if case .enter(let enter, _) = $0 { enter.localID } else { nil } }.sorted()
    }

    // MARK: Every message built, through its codec

    /// Encodes `message` in a reliable packet (with ACKs appended when given), checks the
    /// datagram fits, decodes it back and returns the decoded message.
    static func throughPacket<M: SLMessageBody>(_ message: M, acks: [UInt32] = [], sourceLocation: SourceLocation = #_sourceLocation) throws -> M {
        let datagram = SLPacket(message, sequence: 0xFF_FFFF, reliable: true, acks: acks).encode()
        #expect(datagram.readableBytes <= SLProtocol.maxDatagramBytes, "\(M.info.name): \(datagram.readableBytes) bytes", sourceLocation: sourceLocation)
        var packet = try SLPacket.decode(datagram)
        #expect(packet.frequency == M.info.frequency && packet.number == M.info.number, sourceLocation: sourceLocation)
        #expect(packet.acks == acks, sourceLocation: sourceLocation)
        let decoded = try M(body: &packet.body)
        #expect(packet.body.readableBytes == 0, "\(M.info.name): \(packet.body.readableBytes) bytes left over", sourceLocation: sourceLocation)
        // The catalog names it too.
        let again = try SLPacket.decode(datagram)
        if case .other(let name) = try again.decoded() { Issue.record("\(M.info.name) decoded as other(\(name))", sourceLocation: sourceLocation) }
        return decoded
    }

    static func roundTrips<M: SLMessageBody>(_ message: M, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try throughPacket(message, sourceLocation: sourceLocation) == message, "\(M.info.name)", sourceLocation: sourceLocation)
        #expect(try throughPacket(message, acks: Array(1...20), sourceLocation: sourceLocation) == message, sourceLocation: sourceLocation)
    }

    @Test("every reply the front end builds round-trips through its generated codec and fits one datagram")
    func repliesRoundTrip() throws {
        let identity = Self.identity
        try Self.roundTrips(SLReplies.agentData(identity))
        try Self.roundTrips(SLReplies.wearables(identity))
        let asked = SL.AgentCachedTexture(
            agentData: .init(agentID: identity.agentID, sessionID: identity.sessionID, serialNum: 4),
            wearableData: (0..<40).map { .init(id: UUID(), textureIndex: UInt8($0)) })
        let cached = SLReplies.cachedTextures(identity, asked)
        #expect(cached.wearableData.count == 32, "at most 32 answered")
        #expect(cached.wearableData.map(\.textureIndex) == (0..<32).map(UInt8.init))
        #expect(cached.agentData.serialNum == 4)
        try Self.roundTrips(cached)
        let balance = SLReplies.balance(identity, transaction: UUID())
        #expect(balance.moneyData.moneyBalance == 0 && balance.moneyData.transactionSuccess)
        try Self.roundTrips(balance)

        let movement = SLReplies.movementComplete(identity, region: Self.region, position: Vector3(128, 130, 25))
        #expect(movement.data.regionHandle == Self.region.rawValue)
        #expect(movement.data.position == Vector3(128, 130, 25))
        #expect(movement.agentData.agentID == identity.agentID && movement.agentData.sessionID == identity.sessionID)
        try Self.roundTrips(movement)

        let handshake = SLReplies.handshake(
            region: Self.region, name: "West", terrain: Terrain(base: 21, hills: [.init(x: 64, y: 64, radius: 40, height: 12)]))
        #expect(SLText.string(handshake.regionInfo.simName) == "West")
        #expect(handshake.regionInfo.simAccess == 13)
        #expect(handshake.regionInfo2.regionID == SLReplies.regionID(Self.region))
        try Self.roundTrips(handshake)
        try Self.roundTrips(SLReplies.handshake(region: Self.region, name: String(repeating: "x", count: 300), terrain: .flat(21)))

        let stats = SLReplies.simStats(region: Self.region, stamp: FrameStamp(frame: 1, timeMillis: 1, timeDilation: 65535 / 2), frameRate: 60, agents: 3, objects: 40)
        #expect(stats.region.regionX == 1000 && stats.region.regionY == 1000)
        #expect(stats.stat.map(\.statID) == [0, 1, 13, 11])
        #expect(abs(stats.stat[0].statValue - 0.5) < 1e-4, "time dilation")
        #expect(abs(stats.stat[1].statValue - 30) < 1e-2, "frame rate: the region's 60 × dilation")
        #expect(stats.stat[2].statValue == 3 && stats.stat[3].statValue == 40)
        try Self.roundTrips(stats)

        let longName = String(repeating: "Ω", count: 200)
        let chat = SLChat.fromSimulator(
            ChatReceived(
                speaker: 4, speakerName: longName, type: .shout, channel: 0, position: PackedPosition(Vector3(10, 20, 30)),
                text: String(repeating: "ü", count: 1000), speakerKind: .avatar),
            sourceID: Self.adaID, ownerID: Self.adaID)
        #expect(chat.chatData.chatType == 2 && chat.chatData.sourceType == 1 && chat.chatData.audible == 1)
        #expect(chat.chatData.message.count <= 1024 && chat.chatData.message.last == 0)
        #expect(chat.chatData.fromName.count <= 255 && chat.chatData.fromName.last == 0)
        try Self.roundTrips(chat)
        for (type, expected) in [(ChatType.whisper, UInt8(0)), (.say, 1), (.regionSay, 1), (.shout, 2), (.ownerSay, 8)] {
            let line = SLChat.fromSimulator(
                ChatReceived(speaker: 1, speakerName: "Box", type: type, channel: 0, position: PackedPosition(.zero), text: "hi", speakerKind: .object),
                sourceID: UUID(), ownerID: UUID())
            #expect(line.chatData.chatType == expected && line.chatData.sourceType == 2, "\(type)")
            #expect(SLText.string(line.chatData.message) == "hi")
        }
    }

    @Test("the map's answer for many regions, the minimap of a crowded region and the view's messages fit datagrams")
    func crowdedMessagesFit() throws {
        // The map: every region of a large grid, several answers if need be.
        let regions: [(GridPosition, String)] = (0..<200).map { (index: Int) -> (GridPosition, String) in
            let x = UInt32(900 + index % 20)
            let y = UInt32(900 + index / 20)
            return (GridPosition(x: x, y: y)!, "Region number \(index)")
        }
        let replies = SLReplies.mapBlocks(agent: Self.adaID, regions: regions)
        #expect(replies.count > 1)
        let blocks: [SL.MapBlockReply.Data] = replies.flatMap { $0.data }
        #expect(blocks.map { $0.x } == regions.map { UInt16($0.0.x) })
        #expect(blocks.map { SLText.string($0.name) } == regions.map { $0.1 })
        for reply in replies {
            #expect(reply.agentData.agentID == Self.adaID)
            try Self.roundTrips(reply)
        }
        // Names: 64 asked at once (what a viewer may ask), the longest names avatars may have.
        let known = (0..<64).map { index -> (UUID, String) in
            (UUID(), index % 2 == 0 ? "Bot\(index)" : String(repeating: "a", count: 31) + " " + String(repeating: "b", count: 31))
        }
        let names = SLReplies.names(known)
        #expect(names.count > 1)
        let answered = names.flatMap(\.uuidNameBlock)
        #expect(answered.map(\.id) == known.map(\.0))
        #expect(answered.map { SLText.string($0.firstName) + " " + SLText.string($0.lastName) }
            == known.map { $0.1.contains(" ") ? $0.1 : $0.1 + " Resident" })
        for reply in names { try Self.roundTrips(reply) }
        #expect(SLReplies.names([]).isEmpty)

        // The minimap with 255 avatars.
        let you = UUID()
        let avatars = (0..<255).map { index in (index == 100 ? you : UUID(), Vector3(Float(index), 10, 25)) }
        let coarse = SLObjects.coarse(avatars, you: you)
        #expect(SLObjects.maxCoarseAvatars == 57)
        #expect(coarse.location.count == 57 && coarse.agentData.count == 57)
        #expect(coarse.index.you >= 0 && coarse.agentData[Int(coarse.index.you)].agentID == you, "the viewer itself is always listed")
        #expect(coarse.location[Int(coarse.index.you)].x == 100)
        #expect(coarse.location.map(\.x).sorted() == Array(72...128), "the viewer and the 56 avatars nearest it")
        // Without the viewer among them: the first 57 of the same order (nearest the origin).
        let strangers = SLObjects.coarse(avatars.filter { $0.0 != you }, you: you)
        #expect(strangers.index.you == -1 && strangers.location.count == 57)
        #expect(strangers.location.map(\.x) == (0..<58).filter { $0 != 100 }.prefix(57).map(UInt8.init))
        try Self.roundTrips(coarse)

        // Terse updates as the session batches them, kills as it chunks them.
        let terse = (1...300).map { SLObjects.terse(localID: LocalID($0), motion: Self.motion, avatar: $0 % 2 == 0) }
        for batch in SLObjects.batches(terse, budget: ViewerSession.packetBodyBudget, size: { 3 + $0.data.count + $0.textureEntry.count }) {
            try Self.roundTrips(SL.ImprovedTerseObjectUpdate(regionData: .init(regionHandle: Self.region.rawValue, timeDilation: 65535), objectData: batch))
        }
        for chunk in Array(LocalID(1)...LocalID(450)).chunked(200) {
            try Self.roundTrips(SL.KillObject(objectData: chunk.map { .init(id: $0) }))
        }
        // The small answers sent inline.
        try Self.roundTrips(SL.CompletePingCheck(pingID: .init(pingID: 200)))
        try Self.roundTrips(SL.TeleportStart(info: .init(teleportFlags: SLTeleportFlags.viaLocation)))
        try Self.roundTrips(SL.TeleportLocal(info: .init(
            agentID: Self.adaID, locationID: 0, position: Vector3(1, 2, 3), lookAt: Vector3(1, 0, 0), teleportFlags: SLTeleportFlags.viaLocation)))
        try Self.roundTrips(SL.AlertMessage(alertData: .init(message: SLText.bytes(String(repeating: "a", count: 400), max: 255))))
        try Self.roundTrips(SL.LogoutReply(agentData: .init(agentID: Self.adaID, sessionID: Self.identity.sessionID), inventoryData: []))
        try Self.roundTrips(SL.KickUser(
            targetBlock: .init(targetIP: SLIPv4(127, 0, 0, 1), targetPort: 9000),
            userInfo: .init(agentID: Self.adaID, sessionID: Self.identity.sessionID, reason: SLText.bytes("the server is stopping", max: 65535))))
        try Self.roundTrips(SL.EconomyData())
        try Self.roundTrips(SL.DisableSimulator())
        // The terrain of a hilly region.
        let blobs = SLTerrainPatches.layerData(heights: SLTerrainPatches.heights(from: Terrain(base: 21, hills: [.init(x: 128, y: 128, radius: 60, height: 25)])))
        #expect(!blobs.isEmpty)
        for blob in blobs {
            try Self.roundTrips(SL.LayerData(layerID: .init(type: SLTerrainPatches.landLayerType), layerData: .init(data: blob)))
        }
    }
}
