import NIOCore
import Testing
import TesseraClientProtocol
import TesseraCodec
import TesseraWorld

/// Values a client controls are checked when its message is decoded, into types that cannot
/// hold bad ones: nothing a client sends reaches trapping arithmetic or the database.
@Suite struct ClientEdgeValidationTests {
    /// `Teleport` with gridX = 2²⁴ once trapped on the region's frame thread computing its
    /// handle (x·2⁴⁰ overflowed), which stopped the whole process.
    @Test(arguments: [
        (UInt32(16_777_216), UInt32(0)), (0, 16_777_216), (UInt32.max, UInt32.max), (16_777_216, 1000),
    ])
    func teleportBeyondTheGridIsMalformed(x: UInt32, y: UInt32) {
        var frame = ByteBuffer(bytes: [0x09, 1, 0, 0, 0, 0, 0])
        frame.writeInteger(x, endianness: .little)
        frame.writeInteger(y, endianness: .little)
        frame.writeInteger(UInt8(0))
        #expect {
            try ClientMessage.decode(frame)
        } throws: { error in
            guard case CodecError.invalidValue(let field, let reason) = error else { return false }
            return field == "teleport.gridX" && reason.contains("16777215")
        }
    }

    @Test func teleportToTheLastGridPositionDecodes() throws {
        var frame = ByteBuffer(bytes: [0x09, 1, 0, 0, 0, 0, 0])
        frame.writeInteger(GridPosition.maxCoordinate, endianness: .little)
        frame.writeInteger(GridPosition.maxCoordinate, endianness: .little)
        frame.writeInteger(UInt8(0))
        guard case .teleport(let teleport) = try ClientMessage.decode(frame) else {
            Issue.record("not a teleport")
            return
        }
        #expect(teleport.gridPosition.handle.rawValue == 0xFFFF_FF00_FFFF_FF00)
    }

    /// U+0000 in an object name once stopped a region's persistence (every flush failed).
    @Test func nulInAnyTextFieldIsMalformed() {
        let messages: [ClientMessage] = [
            .chat(ChatSend(type: .say, text: "hello\u{0}world")),
            .createObject(CreateObject(
                requestID: 1, shape: .box, position: Vector3(10, 10, 22), rotation: .identity, scale: Vector3(1, 1, 1), name: "crate\u{0}")),
            .teleport(Teleport(requestID: 2, region: "\u{0}")),
        ]
        for message in messages {
            var frame = ByteBuffer()
            message.encode(into: &frame)
            #expect {
                try ClientMessage.decode(frame)
            } throws: { error in
                guard case CodecError.invalidValue(_, let reason) = error else { return false }
                return reason.contains("U+0000")
            }
        }
    }
}
