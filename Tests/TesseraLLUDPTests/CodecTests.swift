import Foundation
import NIOCore
import Testing
import TesseraWorld
@testable import TesseraLLUDP

/// Non-default sample values for any template message, built from the template model.
enum SLSamples {
    static func value(_ type: SLFieldType, _ seed: Int) -> SLFieldValue {
        let small = UInt8(truncatingIfNeeded: seed % 200 + 1)
        let f = Float(seed % 97 + 1) * 0.25
        switch type {
        case .u8: return .u8(small)
        case .u16: return .u16(UInt16(seed % 60_000 + 258))
        case .u32: return .u32(UInt32(seed) &* 2_654_435_761 | 1)
        case .u64: return .u64(UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1)
        case .s8: return .s8(-Int8(truncatingIfNeeded: seed % 100 + 1))
        case .s16: return .s16(-Int16(seed % 30_000 + 1))
        case .s32: return .s32(-Int32(seed * 7919 + 1))
        case .s64: return .s64(-Int64(seed) * 1_000_000_007 - 1)
        case .f32: return .f32(f)
        case .f64: return .f64(Double(seed) * 0.125 + 1)
        case .vector3: return .vector3(Vector3(f, -f, f * 2))
        case .vector3d: return .vector3d(SIMD3(Double(seed) + 0.5, 256_000.25, -3))
        case .vector4: return .vector4(SIMD4(f, 2, -f, 0.5))
        case .quaternion: return .quaternion(SLWireQuaternion.expand(x: 0.125, y: -0.25, z: Float(seed % 5) * 0.0625 + 0.0625))
        case .uuid:
            var bytes = (0..<16).map { UInt8(truncatingIfNeeded: seed &* 31 &+ $0 &* 17 &+ 1) }
            bytes[0] |= 1
            return .uuid(UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                                     bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15])))
        case .bool: return .bool(true)
        case .ipAddress: return .ipAddress(SLIPv4(10, 0, small, 7))
        case .ipPort: return .ipPort(UInt16(9000 + seed % 1000))
        case .fixed(let count): return .bytes((0..<count).map { UInt8(truncatingIfNeeded: $0 + seed) | 0x40 })
        case .variable:
            // Printable text with its NUL, as most Variable fields carry.
            return .bytes(Array("sample \(seed) ü".utf8) + [0])
        }
    }

    static func message(_ spec: SLMessageSpec) -> SLDynamicMessage {
        var seed = spec.name.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF }
        return SLDynamicMessage(name: spec.name, blocks: spec.blocks.map { block in
            let count = switch block.quantity {
            case .single: 1
            case .multiple(let n): n
            case .variable: 2
            }
            return (0..<count).map { _ in
                block.fields.map { field in
                    seed += 1
                    return value(field.type, seed)
                }
            }
        })
    }

    static func bytes(_ spec: SLMessageSpec) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        try spec.encode(message(spec), into: &buffer)
        return buffer
    }
}

@Suite struct CodecTests {
    @Test func theCheckedInCodecsAreWhatTheGeneratorWrites() throws {
        let generated = try SLCodeGenerator.generate(template: SLReferenceFiles.template)
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/TesseraLLUDP/Generated/SLMessages.swift")
        let checkedIn = try String(contentsOf: path, encoding: .utf8)
        #expect(Array(generated.utf8) == Array(checkedIn.utf8),
                "Generated/SLMessages.swift is stale: run swift run slcodegen ../shared/data/sl/message_template.msg Sources/TesseraLLUDP/Generated/SLMessages.swift")
    }

    @Test func propertyNamesFollowTheNamingRule() {
        #expect(SLCodeGenerator.propertyName("AgentID") == "agentID")
        #expect(SLCodeGenerator.propertyName("ID") == "id")
        #expect(SLCodeGenerator.propertyName("SimIP") == "simIP")
        #expect(SLCodeGenerator.propertyName("CRCData") == "crcData")
        #expect(SLCodeGenerator.propertyName("RegionHandle") == "regionHandle")
        #expect(SLCodeGenerator.propertyName("PCode") == "pCode")
        #expect(SLCodeGenerator.propertyName("Type") == "type")
        #expect(SLCodeGenerator.propertyName("Default") == "`default`")
    }

    /// Every selected message: sample bytes from the template codec decode to a value whose
    /// event-queue form carries every sample field, and that value encodes to the same bytes.
    @Test func everySelectedMessageRoundTrips() throws {
        let template = SLReferenceFiles.template
        for name in SLSelection.messages {
            let spec = try #require(template.message(named: name))
            let sample = SLSamples.message(spec)
            let bytes = try SLSamples.bytes(spec)
            let decoded = try SLCatalog.decode(frequency: spec.frequency, number: spec.number, body: bytes)
            let message = try #require(decoded.message, "\(name) has no generated type")
            #expect(decoded.name == name)
            #expect(type(of: message).info == spec.info, "\(name)")
            var encoded = ByteBuffer()
            message.encode(into: &encoded)
            #expect(encoded == bytes, "\(name) re-encodes differently")
            #expect(try SLCatalog.decode(frequency: spec.frequency, number: spec.number, body: encoded) == decoded, "\(name)")
            #expect(message.llsd == spec.llsd(sample), "\(name) event-queue form")
            if !spec.blocks.isEmpty {
                #expect(encoded.readableBytes > 0)
            }
        }
    }

    @Test func theTemplateCodecReadsBackEveryMessageOfTheTemplate() throws {
        let template = SLReferenceFiles.template
        for spec in template.messages {
            let sample = SLSamples.message(spec)
            let bytes = try SLSamples.bytes(spec)
            #expect(try spec.decode(body: bytes) == sample, "\(spec.name)")
            #expect(SLCatalog.name(frequency: spec.frequency, number: spec.number) == spec.name)
        }
        #expect(template.messages.count == 483)
    }

    @Test func unknownNumbersAndShortBodiesAreNamedErrors() throws {
        #expect(throws: SLDecodeError(path: "High 200", reason: "no message of the template has this number")) {
            try SLCatalog.decode(frequency: .high, number: 200, body: ByteBuffer())
        }
        var short = ByteBuffer()
        short.writeInteger(UInt8(1))
        #expect(throws: SLDecodeError(path: "StartPingCheck.PingID.OldestUnacked", reason: "the body ends inside this field (4 bytes needed, 0 left)")) {
            try SLCatalog.decode(frequency: .high, number: 1, body: short)
        }
        #expect(try SLCatalog.decode(frequency: .low, number: 1, body: ByteBuffer(bytes: [1, 0, 0, 0] + [UInt8](repeating: 0, count: 16))) == .other(name: "TestMessage"))
        // A Variable count promising more blocks than the body holds.
        #expect(throws: SLDecodeError.self) {
            try SLCatalog.decode(frequency: .fixed, number: 0xFFFF_FFFB, body: ByteBuffer(bytes: [3, 1, 0, 0, 0]))
        }
    }

    @Test func packetAckHasItsExactBytes() throws {
        let ack = SL.PacketAck(packets: [.init(id: 1), .init(id: 0x0102_0304)])
        var body = ByteBuffer()
        ack.encode(into: &body)
        #expect(Array(body.readableBytesView) == [2, 1, 0, 0, 0, 4, 3, 2, 1])
        let packet = SLPacket(ack, sequence: 7).encode()
        #expect(Array(packet.readableBytesView) == [0x00, 0, 0, 0, 7, 0, 0xFF, 0xFF, 0xFF, 0xFB, 2, 1, 0, 0, 0, 4, 3, 2, 1])
    }

    @Test func startPingCheckHasItsExactBytes() throws {
        let ping = SL.StartPingCheck(pingID: .init(pingID: 9, oldestUnacked: 0x0000_0102))
        let packet = SLPacket(ping, sequence: 0x0102_0304, reliable: false).encode()
        #expect(Array(packet.readableBytesView) == [0x00, 1, 2, 3, 4, 0, 0x01, 9, 2, 1, 0, 0])
        #expect(try SLPacket.decode(packet).decoded() == .startPingCheck(ping))
    }

    @Test func improvedTerseObjectUpdateHasItsExactBytes() throws {
        let update = SL.ImprovedTerseObjectUpdate(
            regionData: .init(regionHandle: 0x0003_E800_0003_E800, timeDilation: 0xFFFF),
            objectData: [.init(data: [0xAA, 0xBB], textureEntry: [])])
        var body = ByteBuffer()
        update.encode(into: &body)
        #expect(Array(body.readableBytesView) == [
            0x00, 0xE8, 0x03, 0x00, 0x00, 0xE8, 0x03, 0x00, 0xFF, 0xFF,  // handle (LE), dilation
            1, 2, 0xAA, 0xBB, 0, 0,  // one block: Data (Variable 1), TextureEntry (Variable 2)
        ])
        let llsd = update.llsd
        #expect(llsd["message"] == .string("ImprovedTerseObjectUpdate"))
        #expect(llsd["body"]?["RegionData"] == .array([.map([
            "RegionHandle": .binary([0, 3, 0xE8, 0, 0, 3, 0xE8, 0]), "TimeDilation": .integer(65535),
        ])]))
    }

    @Test func typedFieldsTakeTheirEventQueueTypes() throws {
        let enable = SL.EnableSimulator(simulatorInfo: .init(handle: 0x0100_0000_0200_0000, ip: SLIPv4(127, 0, 0, 1), port: 9001))
        #expect(enable.llsd == .map([
            "message": .string("EnableSimulator"),
            "body": .map(["SimulatorInfo": .array([.map([
                "Handle": .binary([1, 0, 0, 0, 2, 0, 0, 0]), "IP": .binary([127, 0, 0, 1]), "Port": .integer(9001),
            ])])]),
        ]))
        var body = ByteBuffer()
        enable.encode(into: &body)
        // IPPORT is big-endian on the wire, IPADDR in network order.
        #expect(Array(body.readableBytesView) == [0, 0, 0, 2, 0, 0, 0, 1, 127, 0, 0, 1, 0x23, 0x29])
    }

    @Test func textHelpersCutOnCharactersAndStopAtNUL() {
        #expect(SLText.bytes("hello", max: 255) == Array("hello".utf8) + [0])
        #expect(SLText.bytes("aü", max: 3) == [0x61, 0])
        #expect(SLText.bytes("", max: 0) == [])
        #expect(SLText.string([0x68, 0x69, 0, 0x7A]) == "hi")
        #expect(SLText.string([0xFF, 0x41]) == "\u{FFFD}A")
        #expect(SLIPv4("192.168.1.20") == SLIPv4(192, 168, 1, 20))
        #expect(SLIPv4("192.168.1") == nil)
        #expect(SLIPv4("1.2.3.256") == nil)
        #expect(SLIPv4(10, 0, 0, 1).description == "10.0.0.1")
    }

    @Test func multipleBlocksTravelExactlyTheirCountAndQuaternionsAsThreeFloats() throws {
        // AgentThrottle has no Multiple block; ImprovedInstantMessage has none either: use the
        // template codec's TestMessage (NeighborBlock Multiple 4) to check the count rule.
        let spec = try #require(SLReferenceFiles.template.message(named: "TestMessage"))
        var body = ByteBuffer()
        try spec.encode(SLDynamicMessage(name: "TestMessage", blocks: [[[.u32(1)]], Array(repeating: [.u32(2), .u32(3), .u32(4)], count: 4)]), into: &body)
        #expect(body.readableBytes == 4 + 4 * 12)
        let update = SL.AgentUpdate(agentData: .init(bodyRotation: Quaternion(x: 0, y: 0, z: -0.6, w: -0.8)))
        var wire = ByteBuffer()
        update.encode(into: &wire)
        let decoded = try SL.AgentUpdate(body: &wire)
        // w < 0 is sent as the same rotation with w > 0.
        #expect(decoded.agentData.bodyRotation.z == 0.6)
        #expect(abs(decoded.agentData.bodyRotation.w - 0.8) < 1e-6)
    }
}
