import Foundation
import NIOCore
import Testing
import TesseraClientProtocol
import TesseraCodec
import TesseraWorld

/// Protocol 8's `RegionMap` (0x91) and `RegionTerrain` (0x92): the examples of
/// docs/client-protocol.md byte for byte, the malformed forms, and older clients never seeing them.
@Suite struct RegionMapTests {
    static func encoded(_ message: ServerMessage) -> [UInt8] {
        var buffer = ByteBuffer()
        message.encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    static func decode(_ bytes: [UInt8]) throws -> [ServerMessage] {
        try ServerMessage.decodeFrame(ByteBuffer(bytes: bytes))
    }

    static let plaza = RegionMap.Entry(name: "Plaza", position: GridPosition(x: 1000, y: 1000)!)
    static let east = RegionMap.Entry(name: "East", position: GridPosition(x: 1001, y: 1000)!)

    @Test("the RegionMap example of the document, byte for byte, both ways")
    func mapExample() throws {
        let hex = "91 21 00 02 00 00 00 05 00 50 6C 61 7A 61 E8 03 00 00 E8 03 00 00 04 00 45 61 73 74 E9 03 00 00 E8 03 00 00"
        let bytes = EntityDeltasTests.bytes(hex: hex)
        let message = ServerMessage.regionMap(RegionMap(regions: [Self.plaza, Self.east]))
        #expect(Self.encoded(message) == bytes)
        #expect(try Self.decode(bytes) == [message])
    }

    @Test("the RegionTerrain example of the document, byte for byte, and its heights")
    func terrainExample() throws {
        let hex = "92 20 00 00 00 00 00 00 01 00 00 00 00 A8 41 01 00 00 00 00 00 00 43 00 00 C0 42 00 00 20 42 00 00 C0 40"
        let bytes = EntityDeltasTests.bytes(hex: hex)
        let handle = GridPosition(x: 1, y: 0)!.handle
        #expect(handle.rawValue == 0x0000_0100_0000_0000)
        let terrain = Terrain(base: 21, hills: [.init(x: 128, y: 96, radius: 40, height: 6)])
        let message = ServerMessage.regionTerrain(RegionTerrain(region: handle, terrain: terrain))
        #expect(Self.encoded(message) == bytes)
        #expect(try Self.decode(bytes) == [message])
        #expect(terrain.height(x: 128, y: 96) == 27)
        #expect(abs(terrain.height(x: 148, y: 96) - 24) < 1e-5)
        #expect(terrain.height(x: 168, y: 96) == 21)
    }

    @Test("nearest first: by the larger grid distance, then by name; at most 256")
    func nearestFirst() {
        var all = [Self.plaza, Self.east]
        all.append(RegionMap.Entry(name: "Far", position: GridPosition(x: 1003, y: 1000)!))
        all.append(RegionMap.Entry(name: "Corner", position: GridPosition(x: 999, y: 999)!))
        let map = RegionMap.nearest(all, to: GridPosition(x: 1000, y: 1000)!)
        #expect(map.regions.map(\.name) == ["Plaza", "Corner", "East", "Far"])
        let many = (0..<300).map { RegionMap.Entry(name: "R\($0)", position: GridPosition(x: UInt32($0), y: 0)!) }
        let cut = RegionMap.nearest(many, to: .origin)
        #expect(cut.regions.count == RegionMap.maxRegions)
        #expect(cut.regions.first?.name == "R0" && cut.regions.last?.name == "R255")
    }

    @Test("malformed: too many regions, a grid position past the largest, too many hills, bad terrain values")
    func malformed() throws {
        // A count of 257 with the bytes present.
        var over = ByteBuffer()
        over.writeLE(UInt32(257))
        for _ in 0..<257 {
            over.writeLE(UInt16(1)); over.writeBytes([0x41]); over.writeLE(UInt32(1)); over.writeLE(UInt32(1))
        }
        #expect(throws: CodecError.self) { try ServerMessage.decode(.regionMap, body: over) }
        var past = ByteBuffer()
        past.writeLE(UInt32(1)); past.writeLE(UInt16(1)); past.writeBytes([0x41]); past.writeLE(UInt32(1 << 24)); past.writeLE(UInt32(0))
        #expect(throws: CodecError.self) { try ServerMessage.decode(.regionMap, body: past) }
        // A forged count larger than the bytes could hold.
        var forged = ByteBuffer()
        forged.writeLE(UInt32(200))
        #expect(throws: CodecError.self) { try ServerMessage.decode(.regionMap, body: forged) }

        func terrainBody(base: Float, hills: [(Float, Float, Float, Float)], count: UInt32? = nil) -> ByteBuffer {
            var body = ByteBuffer()
            body.writeLE(UInt64(0)); body.writeFloatLE(base); body.writeLE(count ?? UInt32(hills.count))
            for hill in hills { body.writeFloatLE(hill.0); body.writeFloatLE(hill.1); body.writeFloatLE(hill.2); body.writeFloatLE(hill.3) }
            return body
        }
        #expect(throws: Never.self) { try ServerMessage.decode(.regionTerrain, body: terrainBody(base: 21, hills: [(1, 2, 3, 4)])) }
        #expect(throws: CodecError.self) { try ServerMessage.decode(.regionTerrain, body: terrainBody(base: -1, hills: [])) }
        #expect(throws: CodecError.self) { try ServerMessage.decode(.regionTerrain, body: terrainBody(base: .nan, hills: [])) }
        #expect(throws: CodecError.self) { try ServerMessage.decode(.regionTerrain, body: terrainBody(base: 21, hills: [(1, 2, 0, 4)])) }
        #expect(throws: CodecError.self) { try ServerMessage.decode(.regionTerrain, body: terrainBody(base: 21, hills: [(1, 2, 3, 201)])) }
        let tooMany = Array(repeating: (Float(1), Float(2), Float(3), Float(4)), count: 65)
        #expect(throws: CodecError.self) { try ServerMessage.decode(.regionTerrain, body: terrainBody(base: 21, hills: tooMany)) }
        #expect(throws: CodecError.self) { try ServerMessage.decode(.regionTerrain, body: terrainBody(base: 21, hills: [], count: 1)) }
    }

    @Test("clients of versions 3 to 7 are never sent RegionMap or RegionTerrain; version 8 is")
    func olderClients() {
        let map = ServerMessage.regionMap(RegionMap(regions: [Self.plaza]))
        let terrain = ServerMessage.regionTerrain(RegionTerrain(region: GridPosition.origin.handle, terrain: .flat(21)))
        for version in UInt16(3)...7 {
            #expect(map.forVersion(version) == nil)
            #expect(terrain.forVersion(version) == nil)
        }
        #expect(map.forVersion(8) == map)
        #expect(terrain.forVersion(8) == terrain)
        #expect(clientProtocolVersion == 8)
        #expect(supportedClientProtocolVersions == 3...8)
    }
}
