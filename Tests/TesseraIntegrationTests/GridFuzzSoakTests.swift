import Foundation
import NIOCore
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraGridProtocol
import TesseraTesting
import TesseraRegion
import TesseraWorld

/// Hostile clients against a whole running grid (two nodes, four regions, grid services on
/// PostgreSQL): every client message type with every field at its limits, and mutations of
/// their bytes (flips, cuts, insertions, forged lengths), sent through the client manager over
/// real sockets. Whatever arrives, no process traps, other clients carry on, and the world
/// stays consistent. `TESSERA_SOAK_FRAMES` sets the number of frames (default 4 000);
/// `scripts/fuzz-soak.sh` runs it under AddressSanitizer with more.
@Suite("A running grid under hostile clients", .serialized)
struct GridFuzzSoakTests {
    static var frameCount: Int {
        ProcessInfo.processInfo.environment["TESSERA_SOAK_FRAMES"].flatMap(Int.init) ?? 4000
    }

    @Test("mutated messages of every type: no crash, every avatar root once, a newcomer still logs in and chats")
    func soak() async throws {
        let grid = try await ScenarioGrid.start(migrationsDirectory: migrationsDirectory, layout: ScenarioGrid.square)
        let operations = try #require(grid.gridServices?.operations)
        let names = (1...4).map { "Fuzz \($0)" }
        for name in names { _ = try await makeAccount(operations, name) }
        _ = try await makeAccount(operations, "Witness")
        _ = try await makeAccount(operations, "Newcomer")

        var rng = SplitMix64(seed: 0x7E55_E7A)
        var clients: [ScenarioClient] = []
        for name in names {
            let client = try await ScenarioClient.connect(grid.url)
            _ = try await client.login(name, password: "correct horse")
            clients.append(client)
        }
        var closes: [Int: Int] = [:]
        var sent = 0
        while sent < Self.frameCount {
            let index = Int(rng.next() % UInt64(clients.count))
            if clients[index].isFinished {
                closes[clients[index].closeCode ?? 0, default: 0] += 1
                let client = try await ScenarioClient.connect(grid.url)
                _ = try await client.login(names[index], password: "correct horse")
                clients[index] = client
            }
            var frame = ByteBuffer()
            HostileMessages.message(&rng).encode(into: &frame)
            if rng.next() % 3 == 0 { HostileMessages.mutate(&frame, &rng) }
            try? await clients[index].sendRaw(frame)
            sent += 1
            // Let the grid breathe now and then, so the rate limiter is not all that is tested.
            if sent % 200 == 0 { try await Task.sleep(for: .milliseconds(50)) }
        }
        print("soak: \(sent) frames; clients closed by code: \(closes.sorted { $0.key < $1.key })")

        // The grid is healthy: a newcomer logs in and chats with a witness.
        let witness = try await ScenarioClient.connect(grid.url)
        _ = try await witness.login("Witness", password: "correct horse", startRegion: "West")
        let newcomer = try await ScenarioClient.connect(grid.url)
        _ = try await newcomer.login("Newcomer", password: "correct horse", startRegion: "West")
        try await newcomer.send(.chat(ChatSend(type: .shout, text: "after the storm")))
        try await witness.waitFor("the witness hears the newcomer") { $0.chat.contains { $0.text == "after the storm" } }

        // Every region still steps, and no avatar is root in two regions.
        let before = grid.regionNodes.flatMap { $0.runners.map(\.stats.frame) }
        try await Eventually.until("every region steps on") {
            zip(before, grid.regionNodes.flatMap { $0.runners.map(\.stats.frame) }).allSatisfy { $0 + 10 < $1 }
        }
        // With the hostile clients gone, exactly the witness and the newcomer are left, each
        // root in one region.
        for client in clients where !client.isFinished { await client.close() }
        try await Eventually.until("only the witness and the newcomer are left") {
            grid.regionNodes.flatMap { $0.status().regions.flatMap(\.rootAgents) }.count == 2
        }
        let roots = grid.regionNodes.flatMap { $0.status().regions.flatMap(\.rootAgents) }
        #expect(Set(roots).count == 2, "no avatar is root twice: \(roots)")
        // Every region still persists its scene.
        for runner in grid.regionNodes.flatMap(\.runners) {
            #expect(await runner.flushNow(), "\(runner.settings.name) flushes its scene")
        }
        await witness.close()
        await newcomer.close()
        await grid.stop()
    }
}

/// Client messages at the limits of every field, and byte mutations of them.
enum HostileMessages {
    static func pick<T>(_ values: [T], _ rng: inout SplitMix64) -> T { values[Int(rng.next() % UInt64(values.count))] }

    static let floats: [Float] = [
        0, -0.0, 1, -1, 0.5, 127.99, 128, 255.999, 256, 256.001, -256, 4095.9, 4096, 1e-38, Float.leastNonzeroMagnitude, -Float.leastNonzeroMagnitude,
        1e6, -1e6, 3.4e38, -3.4e38, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude,
    ]
    static let uint32s: [UInt32] = [0, 1, 2, 255, 256, 65_535, 65_536, 16_777_215, 16_777_216, 0x7FFF_FFFF, 0x8000_0000, .max]
    static let texts: [String] = [
        "", " ", "a", "Fuzz 1", "West", "East", "Northeast", String(repeating: "é", count: 31), String(repeating: "x", count: 63),
        String(repeating: "漢", count: 21), "\u{202E}evil", "tab\there", "line\nbreak", "'; DROP TABLE accounts; --", "%s%n%x",
        String(repeating: "🙂", count: 15), "\u{FEFF}bom",
    ]

    static func vector(_ rng: inout SplitMix64) -> Vector3 { Vector3(pick(floats, &rng), pick(floats, &rng), pick(floats, &rng)) }
    static func uuid(_ rng: inout SplitMix64) -> UUID {
        rng.next() % 4 == 0 ? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) : UUID()
    }
    static func text(_ rng: inout SplitMix64, maxBytes: Int = 63) -> String {
        let text = pick(texts, &rng)
        return text.utf8.count <= maxBytes ? text : "x"
    }

    static func message(_ rng: inout SplitMix64) -> ClientMessage {
        switch rng.next() % 11 {
        case 0:
            return .move(Move(mode: pick(MovementMode.allCases, &rng), heading: UInt16(truncatingIfNeeded: rng.next()), vertical: pick([Int8.min, -1, 0, 1, .max], &rng)))
        case 1:
            let text = rng.next() % 5 == 0 ? String(repeating: "ü", count: 511) : text(&rng)
            return .chat(ChatSend(type: pick(ChatType.allCases, &rng), channel: pick([Int32.min, -1, 0, 1, Int32.max], &rng), text: text))
        case 2:
            return .createObject(CreateObject(
                requestID: pick(uint32s, &rng), shape: pick(Shape.allCases, &rng), position: vector(&rng),
                rotation: Quaternion(x: pick(floats, &rng), y: pick(floats, &rng), z: pick(floats, &rng), w: pick(floats, &rng)),
                scale: vector(&rng), name: text(&rng), physical: rng.next() % 2 == 0, reportsCollisions: rng.next() % 2 == 0))
        case 3:
            return .deleteObject(DeleteObject(requestID: pick(uint32s, &rng), localID: pick(uint32s, &rng)))
        case 4:
            return .ping(Ping(nonce: pick(uint32s, &rng), clientTimeMillis: rng.next()))
        case 5:
            return rng.next() % 20 == 0 ? .logout : .ping(Ping(nonce: 1, clientTimeMillis: 0))
        case 6:
            return .inventory(InventoryRequest(requestID: pick(uint32s, &rng), call: inventoryCall(&rng)))
        case 7:
            let grid = GridPosition(x: pick([0, 999, 1000, 1001, GridPosition.maxCoordinate], &rng), y: pick([0, 1000, 1001, GridPosition.maxCoordinate], &rng))!
            return .teleport(Teleport(requestID: pick(uint32s, &rng), region: text(&rng), gridPosition: grid, position: rng.next() % 2 == 0 ? nil : vector(&rng)))
        case 8:
            return .moveObject(MoveObject(requestID: pick(uint32s, &rng), localID: pick(uint32s, &rng), position: vector(&rng)))
        case 9:
            return .pushObject(PushObject(requestID: pick(uint32s, &rng), localID: pick(uint32s, &rng), impulse: vector(&rng)))
        default:
            return .login(Login(name: text(&rng), password: text(&rng)))
        }
    }

    static func inventoryCall(_ rng: inout SplitMix64) -> InventoryCall {
        let asset = AssetID(Data((0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) }))!
        switch rng.next() % 15 {
        case 0: return .listFolder(folder: rng.next() % 2 == 0 ? nil : uuid(&rng), start: pick(uint32s, &rng))
        case 1: return .createFolder(parent: uuid(&rng), name: text(&rng))
        case 2: return .renameFolder(uuid(&rng), name: text(&rng))
        case 3: return .moveFolder(uuid(&rng), to: uuid(&rng))
        case 4: return .deleteFolder(uuid(&rng))
        case 5: return .createItem(folder: uuid(&rng), asset: asset, name: text(&rng), nextOwner: pick(uint32s, &rng))
        case 6: return .renameItem(uuid(&rng), name: text(&rng))
        case 7: return .moveItem(uuid(&rng), to: uuid(&rng))
        case 8: return .deleteItem(uuid(&rng))
        case 9: return .purgeTrash
        case 10: return .give(uuid(&rng), to: text(&rng))
        case 11:
            let size = pick([0, 1, 100, 4096, 60_000], &rng)
            return .storeAsset(type: pick([Int16.min, -1, 0, 1, 6, Int16.max], &rng), name: text(&rng), data: Data(repeating: 0x5A, count: size))
        case 12: return .fetchAsset(asset, offset: pick(uint32s, &rng), length: pick(uint32s, &rng))
        case 13: return .rez(uuid(&rng), at: vector(&rng))
        default: return .take(pick(uint32s, &rng))
        }
    }

    /// Flips bits, cuts the end, inserts bytes, or overwrites a 2- or 4-byte field with an extreme.
    static func mutate(_ frame: inout ByteBuffer, _ rng: inout SplitMix64) {
        var bytes = Array(frame.readableBytesView)
        guard !bytes.isEmpty else { return }
        switch rng.next() % 5 {
        case 0:
            for _ in 0..<(1 + rng.next() % 4) {
                let at = Int(rng.next() % UInt64(bytes.count))
                bytes[at] ^= UInt8(1) << (rng.next() % 8)
            }
        case 1:
            bytes.removeLast(Int(rng.next() % UInt64(bytes.count)))
        case 2:
            let at = Int(rng.next() % UInt64(bytes.count + 1))
            bytes.insert(contentsOf: (0..<(1 + rng.next() % 8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
        case 3 where bytes.count > 3:
            let at = 1 + Int(rng.next() % UInt64(bytes.count - 2))
            let value = pick([UInt16.max, 0, 0x8000, 0x7FFF], &rng)
            bytes[at] = UInt8(truncatingIfNeeded: value)
            bytes[at + 1] = UInt8(truncatingIfNeeded: value >> 8)
        default:
            if bytes.count > 5 {
                let at = 1 + Int(rng.next() % UInt64(bytes.count - 4))
                for offset in 0..<4 { bytes[at + offset] = pick([0xFF, 0x00, 0x80, 0x7F], &rng) }
            }
        }
        frame = ByteBuffer(bytes: bytes)
    }
}
