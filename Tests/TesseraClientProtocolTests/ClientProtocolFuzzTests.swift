import TesseraWorld
import NIOCore
import Testing
import TesseraClientProtocol
import TesseraCodec

/// Seeded fuzzing: decoders must return a value or throw `CodecError`, never anything else,
/// and whatever decodes must survive its own re-encoding.
@Suite struct ClientProtocolFuzzTests {
    private struct Tally {
        var decoded = 0
        var rejected = 0
        var problems: [String] = []

        mutating func client(_ bytes: [UInt8]) {
            do {
                let message = try decodeClient(bytes)
                decoded += 1
                if (try? decodeClient(message.bytes)) != message { problems.append("unstable \(bytes)") }
            } catch is CodecError {
                rejected += 1
            } catch {
                problems.append("\(bytes): \(error)")
            }
        }

        mutating func server(_ bytes: [UInt8]) {
            do {
                let messages = try decodeServer(bytes)
                decoded += 1
                if (try? decodeServer(Array(serverFrame(messages).readableBytesView))) != messages {
                    problems.append("unstable \(bytes)")
                }
            } catch is CodecError {
                rejected += 1
            } catch {
                problems.append("\(bytes): \(error)")
            }
        }
    }

    private static func mutate(_ input: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        guard !bytes.isEmpty else { return [UInt8.random(in: 0...255, using: &rng)] }
        switch Int.random(in: 0..<5, using: &rng) {
        case 0:
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
        case 1:
            bytes.removeLast(Int.random(in: 1...bytes.count, using: &rng))
        case 2:
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        case 3:
            let extra = (0..<Int.random(in: 1...6, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes.insert(contentsOf: extra, at: Int.random(in: 0...bytes.count, using: &rng))
        default:
            let start = Int.random(in: 0..<bytes.count, using: &rng)
            bytes.removeSubrange(start..<min(bytes.count, start + Int.random(in: 1...6, using: &rng)))
        }
        return bytes
    }

    @Test func randomBytes() {
        var rng = SplitMix64(seed: 0xFACE_FEED)
        var tally = Tally()
        let clientTypes = ClientMessage.TypeCode.allCases.map(\.rawValue)
        let serverTypes = ServerMessage.TypeCode.allCases.map(\.rawValue)
        for iteration in 0..<20_000 {
            var bytes = (0..<Int.random(in: 0...160, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var client = bytes
            if iteration.isMultiple(of: 2), !bytes.isEmpty {
                client[0] = clientTypes.randomElement(using: &rng)!
                bytes[0] = serverTypes.randomElement(using: &rng)!
                // A plausible body length makes the server decoder reach the body decoders.
                if bytes.count >= 3 {
                    let length = UInt16(Int.random(in: 0...(bytes.count - 3), using: &rng))
                    bytes[1] = UInt8(truncatingIfNeeded: length)
                    bytes[2] = UInt8(length >> 8)
                }
            }
            tally.client(client)
            tally.server(bytes)
        }
        #expect(tally.problems.isEmpty, "\(tally.problems.prefix(3))")
        #expect(tally.rejected > 0)
        #expect(tally.decoded > 0)
    }

    @Test func mutatedSamples() {
        var rng = SplitMix64(seed: 0x0DDB_A11)
        var tally = Tally()
        let clients = ClientProtocolSamples.clientMessages.map(\.bytes)
        let servers = ClientProtocolSamples.serverMessages.map(\.bytes)
        for _ in 0..<20_000 {
            var client = clients.randomElement(using: &rng)!
            // Several messages per server frame, so mutations hit headers between messages too.
            var server = (0..<Int.random(in: 1...3, using: &rng)).flatMap { _ in servers.randomElement(using: &rng)! }
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                client = Self.mutate(client, using: &rng)
                server = Self.mutate(server, using: &rng)
            }
            tally.client(client)
            tally.server(server)
        }
        #expect(tally.problems.isEmpty, "\(tally.problems.prefix(3))")
        #expect(tally.rejected > 0)
        #expect(tally.decoded > 0)
    }
}
