import Foundation
import NIOCore
import Testing
import TesseraCodec
@testable import TesseraWire
import TesseraWorld

/// The script parts of the status reply and the admin requests (docs/wire-protocol.md):
/// exact sizes, and values a decoder must refuse.
@Suite struct ScriptsAdminWireTests {
    static func payload(_ message: WireMessage) -> [UInt8] {
        var buffer = ByteBuffer()
        message.body.encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    static func field(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch CodecError.invalidValue(let field, _) {
            return field
        } catch {
            return "\(error)"
        }
    }

    @Test("ScriptsLinkStatus is 97 bytes, in the documented order")
    func linkStatusLayout() throws {
        var buffer = ByteBuffer()
        WireSamples.scriptsStatus.encode(into: &buffer)
        #expect(buffer.readableBytes == 97)
        #expect(ScriptsLinkStatus.bytes == 97)
        let bytes = Array(buffer.readableBytesView)
        #expect(bytes[0] == 2)
        #expect(Array(bytes[1..<5]) == [6, 0, 0, 0])
        // lastRunMicros after five u32 counts and four u64 counters.
        #expect(Array(bytes[53..<57]) == [0x9F, 0x0F, 0, 0])
        var read = buffer
        #expect(try ScriptsLinkStatus(from: &read) == WireSamples.scriptsStatus)
    }

    @Test("a status whose state is unknown, or with more running scripts than scripts, is refused")
    func badLinkStatus() {
        var status = WireSamples.scriptsStatus
        var buffer = ByteBuffer()
        status.encode(into: &buffer)
        var unknown = Array(buffer.readableBytesView)
        unknown[0] = 3
        #expect(Self.field { var b = ByteBuffer(bytes: unknown); _ = try ScriptsLinkStatus(from: &b) } == "scripts.state")
        status.running = status.scripts + 1
        buffer.clear()
        status.encode(into: &buffer)
        #expect(Self.field { var b = buffer; _ = try ScriptsLinkStatus(from: &b) } == "scripts.running")
    }

    @Test("controlScript: an unknown action or an empty item name is refused")
    func badControl() throws {
        let good = Self.payload(.adminRequest(AdminRequest(.controlScript(WireSamples.handle, object: WireSamples.agentA, item: "Door", .stop))))
        // action 7, region 8, object 16, name 2 + 4, then the script action.
        #expect(good.count == 1 + 8 + 16 + 2 + 4 + 1)
        #expect(good.last == 2)
        var unknown = good
        unknown[unknown.count - 1] = 4
        #expect(Self.field { var b = ByteBuffer(bytes: unknown); _ = try AdminRequest(from: &b) } == "adminRequest.scriptAction")
        let empty = Self.payload(.adminRequest(AdminRequest(.controlScript(WireSamples.handle, object: WireSamples.agentA, item: "", .stop))))
        #expect(Self.field { var b = ByteBuffer(bytes: empty); _ = try AdminRequest(from: &b) } == "adminRequest.item")
    }

    @Test("a scripts report with more than 20 top scripts, or a negative time, is refused")
    func badReport() {
        let entry = ScriptTime(key: ScriptKey(object: WireSamples.agentA, item: WireSamples.agentB), name: "s", objectName: "o", micros: 1)
        let report = ScriptsReport(region: WireSamples.handle, regionName: "r", status: ScriptsLinkStatus(), top: [entry])
        // Encoding keeps at most 20; a forged count of 21 is refused.
        var buffer = ByteBuffer()
        AdminReply(.scripts(report)).encode(into: &buffer)
        var bytes = Array(buffer.readableBytesView)
        let countAt = 1 + 8 + 3 + ScriptsLinkStatus.bytes
        #expect(Array(bytes[countAt..<(countAt + 4)]) == [1, 0, 0, 0])
        bytes.replaceSubrange(countAt..<(countAt + 4), with: [21, 0, 0, 0])
        bytes += [UInt8](repeating: 0, count: 20 * 40)
        #expect(Self.field { var b = ByteBuffer(bytes: bytes); _ = try AdminReply(from: &b) } == "scriptsReport.top")
        buffer.clear()
        AdminReply(.scripts(report)).encode(into: &buffer)
        var negative = Array(buffer.readableBytesView)
        let micros = Float(-1).bitPattern
        negative.replaceSubrange((negative.count - 4)..., with: [UInt8(micros & 0xFF), UInt8((micros >> 8) & 0xFF), UInt8((micros >> 16) & 0xFF), UInt8(micros >> 24)])
        #expect(Self.field { var b = ByteBuffer(bytes: negative); _ = try AdminReply(from: &b) } == "scriptsReport.top.micros")
        let many = ScriptsReport(region: WireSamples.handle, regionName: "r", status: ScriptsLinkStatus(), top: Array(repeating: entry, count: 25))
        buffer.clear()
        AdminReply(.scripts(many)).encode(into: &buffer)
        guard case .scripts(let decoded) = try? AdminReply(from: &buffer).outcome else {
            Issue.record("the report did not decode")
            return
        }
        #expect(decoded.top.count == 20)
    }

    @Test("combining: a scripts report wins over done, failed and notHere, not over agent lists")
    func combine() {
        let report = ScriptsReport(region: WireSamples.handle, regionName: "r", status: ScriptsLinkStatus(), top: [])
        #expect(AdminReply.Outcome.combine([.notHere, .failed(code: 18, message: "x"), .scripts(report)]) == .scripts(report))
        #expect(AdminReply.Outcome.combine([.agents([]), .scripts(report)]) == .agents([]))
    }
}
