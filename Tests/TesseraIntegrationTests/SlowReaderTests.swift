import Foundation
import NIOCore
import Synchronization
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraWorld

/// Adaptive streaming on real sockets: a client that reads slowly has its budget cut to what
/// it drains and keeps hearing about its nearest neighbours, without being closed, while a
/// client beside it in the same crowd still hears about everyone as the policy promises.
@Suite("A slow reader keeps its nearest neighbours; the others do not notice", .serialized)
struct SlowReaderTests {
    static let walkers = 40

    /// Server frames taken out of a byte stream that arrives in arbitrary pieces.
    struct FrameReader {
        var pending: [UInt8] = []
        var closed = false

        mutating func take(_ bytes: [UInt8]) throws -> [[ServerMessage]] {
            pending += bytes
            var frames: [[ServerMessage]] = []
            while pending.count >= 2 {
                var length = Int(pending[1] & 0x7F)
                var header = 2
                if length == 126 {
                    guard pending.count >= 4 else { break }
                    length = Int(pending[2]) << 8 | Int(pending[3])
                    header = 4
                } else if length == 127 {
                    guard pending.count >= 10 else { break }
                    length = pending[2..<10].reduce(0) { $0 << 8 | Int($1) }
                    header = 10
                }
                guard pending.count >= header + length else { break }
                let opcode = pending[0] & 0x0F
                let payload = Array(pending[header..<(header + length)])
                pending.removeFirst(header + length)
                if opcode == 8 { closed = true }
                if opcode == 2 { frames.append(try ServerMessage.decodeFrame(ByteBuffer(bytes: payload))) }
            }
            return frames
        }
    }

    @Test("40 walkers; a client reading 2.5 KB/s gets its nearest walkers far more often than its farthest and stays connected")
    func slowReaderKeepsItsNearestNeighbours() async throws {
        let grid = try await ScenarioGrid.start(spawnRadius: 30, extraClientManagerKeys: "min_bytes_per_tick = 128")
        var walkers: [ScenarioClient] = []
        for index in 0..<Self.walkers {
            let walker = try await ScenarioClient.connect(grid.url)
            _ = try await walker.login("Walker \(index)")
            walkers.append(walker)
        }
        let normal = try await ScenarioClient.connect(grid.url)
        _ = try await normal.login("Normal")
        // The walkers pace east and west, turning every second, so the crowd stays together.
        let pacing = Task {
            var heading: UInt16 = 0
            while !Task.isCancelled {
                for walker in walkers { try? await walker.send(.move(Move(mode: .walk, heading: heading))) }
                heading ^= 0x8000
                try? await Task.sleep(for: .seconds(1))
            }
        }

        // The slow client: a 2 KiB receive buffer, 256 bytes read every 100 ms (2.5 KB/s, about
        // half of what the crowd would send it, twice the 128-byte floor).
        let slow = try RawClientSocket(port: RawClientSocket.port(of: grid.url), receiveBuffer: 2048)
        try await slow.upgrade()
        try slow.sendMessage(.login(Login(version: 6, name: "Slow", password: "")))
        var reader = FrameReader()
        var mirror = WorldMirror()
        var slowUpdates: [LocalID: Int] = [:]
        let normalUpdatesBefore = normal.mirror.entityUpdates
        let start = ContinuousClock.now
        while ContinuousClock.now < start + .seconds(20), !reader.closed {
            let bytes = try await slow.read(256, timeout: .seconds(20))
            guard !bytes.isEmpty else {
                reader.closed = true
                break
            }
            for frame in try reader.take(bytes) {
                try mirror.apply(frame: frame)
                for message in frame {
                    if case .entityUpdate(let update) = message { slowUpdates[update.localID, default: 0] += 1 }
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        pacing.cancel()
        let stats = grid.clientManager.stats.snapshot
        #expect(!reader.closed, "the slow client was closed")
        #expect(stats.slowClientsClosed == 0)
        #expect(grid.clientManager.stats.budgetCuts.load(ordering: .relaxed) > 0, "no budget was ever cut")

        // What the slow client holds: every walker, the nearest updated far more often.
        let me = try #require(mirror.myLocalID)
        let myPosition = try #require(mirror.entities[me]?.motion.position.position)
        let walkerIDs = mirror.entities.filter { $0.key != me && $0.value.name.hasPrefix("Walker") }
        #expect(walkerIDs.count == Self.walkers, "the slow client holds \(walkerIDs.count) walkers")
        let byDistance = walkerIDs.sorted {
            $0.value.motion.position.position.distanceSquared(to: myPosition) < $1.value.motion.position.position.distanceSquared(to: myPosition)
        }.map(\.key)
        let nearest = byDistance.prefix(5).map { slowUpdates[$0] ?? 0 }
        let farthest = byDistance.suffix(5).map { slowUpdates[$0] ?? 0 }
        print("slow reader: nearest \(nearest) farthest \(farthest) cuts \(grid.clientManager.stats.budgetCuts.load(ordering: .relaxed)) late \(grid.clientManager.stats.lateRefreshes.load(ordering: .relaxed)) normal updates \(normal.mirror.entityUpdates - normalUpdatesBefore)")
        #expect(nearest.min()! > 0, "a nearest walker got no update: \(nearest)")
        #expect(nearest.reduce(0, +) >= 2 * farthest.reduce(0, +), "nearest \(nearest), farthest \(farthest)")

        // The normal client in the same crowd heard about every walker, at least every 4th
        // tick while it was within view (here: at least 10 updates each in 20 s).
        let normalMirror = normal.mirror
        let normalWalkers = normalMirror.entities.filter { $0.value.name.hasPrefix("Walker") }
        #expect(normalWalkers.count == Self.walkers)
        #expect(normal.mirror.entityUpdates - normalUpdatesBefore >= Self.walkers * 10)
        #expect(normal.violations.isEmpty)
        #expect(!normal.isFinished)

        for walker in walkers { await walker.close() }
        await normal.close()
        await grid.stop()
    }
}
