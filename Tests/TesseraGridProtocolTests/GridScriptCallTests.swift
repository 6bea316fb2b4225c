import Foundation
import NIOCore
import Testing
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

/// The grid calls and answers of scripted objects: what their decoders refuse.
@Suite("Grid calls of scripts and contents")
struct GridScriptCallTests {
    let a = GridProtocolSamples.a
    let b = GridProtocolSamples.b

    @Test("a take's flags name what follows; unknown bits are refused")
    func takeFlags() throws {
        let take = [GridCall.Code.take.rawValue] + .uuid(a) + .uuid(b)
        #expect(try GridCall.decode(take + [0]).value == .take(account: a, object: b, look: nil, contents: nil))
        #expect(try GridCall.decode(take + [2] + .le(UInt32(0))).value == .take(account: a, object: b, look: nil, contents: []))
        #expect(invalidField(thrownError { try GridCall.decode(take + [4]) }) == "take.flags")
        #expect(truncatedField(thrownError { try GridCall.decode(take + [1]) }) == "take.look.red")
        // More items than an object may hold.
        #expect(invalidField(thrownError { try GridCall.decode(take + [2] + .le(UInt32(17)) + [UInt8](repeating: 0, count: 17 * 52)) })
            == "take.contents")
    }

    @Test("storeScript refuses a source beyond the limit, NUL and bytes that are not UTF-8")
    func storeScriptLimits() throws {
        let head = [GridCall.Code.storeScript.rawValue] + .uuid(a) + .text("Door")
        let limit = UInt32(ContentItem.maxSourceBytes)
        #expect(invalidField(thrownError { try GridCall.decode(head + .le(limit + 1) + [UInt8](repeating: 0x61, count: Int(limit) + 1)) })
            == "storeScript.source")
        #expect(invalidField(thrownError { try GridCall.decode(head + .le(UInt32(3)) + [0x61, 0, 0x62]) }) == "storeScript.source")
        #expect(invalidField(thrownError { try GridCall.decode(head + .le(UInt32(2)) + [0xC3, 0x28]) }) == "storeScript.source")
        let largest = String(repeating: "a", count: ContentItem.maxSourceBytes)
        let call = GridCall.storeScript(account: a, name: "Door", source: largest)
        let decoded = try GridCall.decode(call.bytes)
        #expect(decoded.value == call && decoded.rest == 0)
    }

    @Test("a script item answer refuses a source beyond the limit")
    func scriptItemLimits() throws {
        let head = [GridAnswer.Code.scriptItem.rawValue] + .text("Door") + [UInt8](repeating: 7, count: 32)
        let over = UInt32(ContentItem.maxSourceBytes + 1)
        #expect(invalidField(thrownError { try GridAnswer.decode(head + .le(over) + [UInt8](repeating: 0x61, count: Int(over))) })
            == "scriptItem.source")
    }

    @Test("the description of storeScript never prints the source")
    func description() {
        let call = GridCall.storeScript(account: a, name: "Door", source: "secret plan")
        #expect(call.description == "storeScript")
    }
}
