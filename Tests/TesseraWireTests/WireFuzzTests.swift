import TesseraWorld
import NIOCore
import Testing
import TesseraCodec
import TesseraWire

/// Mutations of valid inputs that a seeded fuzz loop applies.
enum Mutation: CaseIterable {
    case flipBits, truncate, overwriteByte, insertBytes, deleteRange, forgeCount

    func apply(to input: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        guard !bytes.isEmpty else { return [UInt8.random(in: 0...255, using: &rng)] }
        switch self {
        case .flipBits:
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            }
        case .truncate:
            bytes.removeLast(Int.random(in: 1...bytes.count, using: &rng))
        case .overwriteByte:
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        case .insertBytes:
            let extra = (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes.insert(contentsOf: extra, at: Int.random(in: 0...bytes.count, using: &rng))
        case .deleteRange:
            let start = Int.random(in: 0..<bytes.count, using: &rng)
            let end = Int.random(in: start...min(bytes.count, start + 8), using: &rng)
            bytes.removeSubrange(start..<end)
        case .forgeCount:
            let start = Int.random(in: 0..<bytes.count, using: &rng)
            for index in start..<min(bytes.count, start + 4) { bytes[index] = 0xFF }
        }
        return bytes
    }
}

/// Tallies of a fuzz run; `foreign` holds errors that are not `CodecError`.
struct FuzzTally {
    var decoded = 0
    var rejected = 0
    var foreign: [String] = []
    var unstable: [String] = []

    /// Decodes a bare payload; a decoded message must survive its own re-encoding.
    mutating func payload(_ bytes: [UInt8]) {
        do {
            let message = try decodePayload(bytes)
            decoded += 1
            if (try? decodeStream(message.frameBytes)) != [message] { unstable.append("\(bytes)") }
        } catch is CodecError {
            rejected += 1
        } catch {
            foreign.append("\(bytes): \(error)")
        }
    }

    /// Runs bytes through framing and decoding, as a stream.
    mutating func stream(_ bytes: [UInt8]) {
        do {
            _ = try decodeStream(ByteBuffer(bytes: bytes), maxFrameBytes: 4096)
            decoded += 1
        } catch is CodecError {
            rejected += 1
        } catch {
            foreign.append("\(bytes): \(error)")
        }
    }
}

@Suite struct WireFuzzTests {
    @Test func randomBytesOnlyEverDecodeOrThrowCodecError() {
        var rng = SplitMix64(seed: 0x7E55_E7A0)
        var tally = FuzzTally()
        let types = WireMessageType.allCases.map(\.rawValue)
        for iteration in 0..<20_000 {
            let length = Int.random(in: 0...200, using: &rng)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Half the time start with a known type byte so the body decoders get exercised.
            if iteration.isMultiple(of: 2), !bytes.isEmpty { bytes[0] = types.randomElement(using: &rng)! }
            tally.payload(bytes)
            tally.stream(bytes)
        }
        #expect(tally.foreign.isEmpty, "\(tally.foreign.prefix(3))")
        #expect(tally.unstable.isEmpty, "\(tally.unstable.prefix(3))")
        #expect(tally.rejected > 0)
    }

    @Test func mutatedSamplesOnlyEverDecodeOrThrowCodecError() {
        var rng = SplitMix64(seed: 0xBADC_0DE)
        var tally = FuzzTally()
        let payloads = WireSamples.all.map(\.payloadBytes)
        let frames = WireSamples.all.map { Array($0.frameBytes.readableBytesView) }
        for _ in 0..<20_000 {
            let index = Int.random(in: 0..<payloads.count, using: &rng)
            var payload = payloads[index]
            var framed = frames[index]
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let mutation = Mutation.allCases.randomElement(using: &rng)!
                payload = mutation.apply(to: payload, using: &rng)
                framed = mutation.apply(to: framed, using: &rng)
            }
            tally.payload(payload)
            tally.stream(framed)
        }
        #expect(tally.foreign.isEmpty, "\(tally.foreign.prefix(3))")
        #expect(tally.unstable.isEmpty, "\(tally.unstable.prefix(3))")
        // Both outcomes occur: the fuzzer reaches deep into valid messages and also breaks them.
        #expect(tally.decoded > 0)
        #expect(tally.rejected > 0)
    }
}
