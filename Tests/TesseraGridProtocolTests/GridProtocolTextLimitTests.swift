import Foundation
import NIOCore
import Testing
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

/// Issue 13, item 8: an asset name of at most 63 characters but more than 63 bytes (22 kanji
/// are 66 bytes) was stored, encoded whole, and refused by the decoder of every link that
/// carried it. Every field the decoders limit is now written within that limit.
@Suite struct GridProtocolTextLimitTests {
    static let kanji22 = String(repeating: "漢", count: 22)
    static let samples = GridProtocolSamples.self

    @Test("22 kanji (66 bytes) as an asset chunk's name: decoded, cut to the 21 kanji that fit in 63 bytes")
    func assetChunkName() throws {
        #expect(Self.kanji22.count == 22 && Self.kanji22.utf8.count == 66)
        var chunk = Self.samples.chunk
        chunk.name = Self.kanji22
        let (decoded, rest) = try InventoryAnswer.decode(InventoryAnswer.assetChunk(chunk).bytes)
        #expect(rest == 0)
        guard case .assetChunk(let read) = decoded else { Issue.record("decoded \(decoded)"); return }
        #expect(read.name == String(repeating: "漢", count: 21))
        #expect(read.data == chunk.data && read.asset == chunk.asset, "the rest of the chunk is intact")
    }

    @Test("a cut never splits a character: combining marks and emoji stay whole or go")
    func cutsAtCharacterBoundaries() {
        #expect("abc".prefix(utf8Bytes: 2) == "ab")
        #expect("漢字".prefix(utf8Bytes: 5) == "漢", "3-byte characters: 5 bytes hold one")
        #expect("e\u{301}e\u{301}".prefix(utf8Bytes: 4) == "e\u{301}", "é as e + U+0301 is 3 bytes and one character")
        #expect("👩‍👩‍👧".prefix(utf8Bytes: 10) == "", "one 18-byte character does not fit in 10")
        #expect("".prefix(utf8Bytes: 0) == "")
    }

    /// Every limited text field of every message, filled far past its limit with 3-byte
    /// characters: each message decodes, and each such field is within its limit.
    @Test("every call and answer with over-long text in every limited field still decodes")
    func everyLimitedFieldIsWrittenWithinItsLimit() throws {
        let long = String(repeating: "漢", count: 400)
        var record = Self.samples.recordMinimal
        record.name = long
        var folder = Self.samples.folderRoot
        folder.name = long
        var item = Self.samples.itemFull
        item.name = long
        var chunk = Self.samples.chunk
        chunk.name = long
        let inventoryCalls: [InventoryCall] = [
            .createFolder(parent: Self.samples.a, name: long), .renameFolder(Self.samples.a, name: long),
            .createItem(folder: Self.samples.a, asset: Self.samples.assetA, name: long, nextOwner: 0),
            .renameItem(Self.samples.a, name: long), .give(Self.samples.a, to: long), .storeAsset(type: 0, name: long, data: Data([1])),
        ]
        let gridCalls: [GridCall] = [
            .login(name: long, password: long, address: long), .resumeSession(token: long), .endSession(token: long),
            .registerRegion(name: long, gridX: 1, gridY: 2, address: long, node: long), .locateRegion(name: long),
            .botSessions(prefix: long, count: 1),
        ] + inventoryCalls.map { .inventory(account: Self.samples.a, $0) }
        let inventoryAnswers: [InventoryAnswer] = [
            .page(FolderPage(folder: Self.samples.a, total: 2, start: 0, folders: [folder], items: [item])), .assetChunk(chunk),
        ]
        let gridAnswers: [GridAnswer] = [
            .session(SessionGrant(account: Self.samples.a, name: long, token: long, expiresMillis: 1)),
            .location(RegionLocation(id: Self.samples.a, name: long, gridX: 1, gridY: 1, address: long)),
            .sceneObject(record),
        ] + inventoryAnswers.map { .inventory($0) }
        for call in inventoryCalls {
            do { #expect(try InventoryCall.decode(call.bytes).rest == 0) } catch { Issue.record("\(call.code): \(error)") }
        }
        for call in gridCalls {
            do { #expect(try GridCall.decode(call.bytes).rest == 0) } catch { Issue.record("\(call.code): \(error)") }
        }
        for answer in inventoryAnswers {
            do { #expect(try InventoryAnswer.decode(answer.bytes).rest == 0) } catch { Issue.record("\(answer.code): \(error)") }
        }
        for answer in gridAnswers {
            do { #expect(try GridAnswer.decode(answer.bytes).rest == 0) } catch { Issue.record("\(answer.code): \(error)") }
        }
        let (session, _) = try GridAnswer.decode(gridAnswers[0].bytes)
        guard case .session(let grant) = session else { Issue.record("decoded \(session)"); return }
        #expect(grant.name.utf8.count == 63 && grant.name.count == 21, "a name is cut to \(maxNameBytes) bytes")
        #expect(grant.token.utf8.count <= maxTokenBytes && grant.token.utf8.count > maxTokenBytes - 3)
    }

    @Test("a name within the limit is written as it is")
    func namesWithinTheLimitAreUntouched() throws {
        var chunk = Self.samples.chunk
        chunk.name = String(repeating: "漢", count: 21)
        let (decoded, _) = try InventoryAnswer.decode(InventoryAnswer.assetChunk(chunk).bytes)
        #expect(decoded == .assetChunk(chunk))
    }
}
