import Foundation
import PostgresNIO
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraGrid
import TesseraGridProtocol
import TesseraLocalGrid
import TesseraTesting
import TesseraStorage

/// Issue 13, item 8 end to end: an asset whose stored name is 22 kanji (22 characters, 66
/// bytes; stored before names were limited in bytes) used to drop the client manager's link to
/// the grid services on every fetch. Now it is fetched with its name cut to what the wire
/// carries, as often as asked, and the link keeps serving everyone.
@Suite("An over-long stored asset name does not break the link that carries it")
struct AssetNameLinkTests {
    @Test("fetching it twice answers both times with the name cut to 63 bytes; the link still serves other calls and logins")
    func longStoredName() async throws {
        try await withGridServices { grid, operations in
            let client = try #require(grid.databaseClient)
            let data = Data("a notecard from before".utf8)
            let id = AssetStore.id(of: data)
            let kanji22 = String(repeating: "漢", count: 22)
            _ = try await client.query("""
                INSERT INTO assets (id, asset_type, name, creator_id, data, size)
                VALUES (\(id), \(Int16(7)), \(kanji22), \(UUID?.none), \(data), \(Int32(data.count)))
                """)
            _ = try await makeAccount(operations, "Ada")
            let ada = try await ScenarioClient.connect(grid.url)
            try await ada.login("Ada", password: "correct horse")
            for _ in 0..<2 {
                guard case .assetChunk(let chunk) = try await ada.call(.fetchAsset(try #require(AssetID(id)), offset: 0, length: 100)) else {
                    Issue.record("no chunk")
                    return
                }
                #expect(chunk.data == data && chunk.name == String(repeating: "漢", count: 21))
            }
            // The same link serves other calls, and another avatar logs in through it.
            guard case .page = try await ada.call(.listFolder(folder: nil, start: 0)) else { Issue.record("no page"); return }
            _ = try await makeAccount(operations, "Bea")
            let bea = try await ScenarioClient.connect(grid.url)
            try await bea.login("Bea", password: "correct horse")
            #expect(ada.violations.isEmpty, "\(ada.violations)")
            await bea.close()
            await ada.close()
        }
    }
}
