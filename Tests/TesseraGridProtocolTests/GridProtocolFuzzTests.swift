import Foundation
import NIOCore
import Testing
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

/// Seeded fuzzing of the four grid protocol decoders (and `CallStatus`): each must return a
/// value or throw `CodecError`, never anything else and never crash, and whatever decodes must
/// survive its own re-encoding.
@Suite struct GridProtocolFuzzTests {
    private struct Tally {
        var decoded = 0
        var rejected = 0
        var problems: [String] = []

        mutating func run<T: GridCodable>(_: T.Type, _ bytes: [UInt8]) {
            do {
                let (value, rest) = try T.decode(bytes)
                decoded += 1
                // Re-encoding gives back exactly the bytes the decoder read.
                if value.bytes != Array(bytes.prefix(bytes.count - rest)) { problems.append("\(T.self) not canonical: \(bytes)") }
                if (try? T.decode(value.bytes).value) != value { problems.append("\(T.self) unstable: \(bytes)") }
            } catch is CodecError {
                rejected += 1
            } catch {
                problems.append("\(T.self) \(bytes): \(error)")
            }
        }

        /// One input through every decoder.
        mutating func all(_ bytes: [UInt8]) {
            run(InventoryCall.self, bytes)
            run(InventoryAnswer.self, bytes)
            run(GridCall.self, bytes)
            run(GridAnswer.self, bytes)
            run(CallStatus.self, bytes)
        }
    }

    private static func mutate(_ input: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        guard !bytes.isEmpty else { return [UInt8.random(in: 0...255, using: &rng)] }
        switch Int.random(in: 0..<7, using: &rng) {
        case 0:
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            }
        case 1:
            bytes.removeLast(Int.random(in: 1...bytes.count, using: &rng))
        case 2:
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        case 3:
            let extra = (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes.insert(contentsOf: extra, at: Int.random(in: 0...bytes.count, using: &rng))
        case 4:
            let start = Int.random(in: 0..<bytes.count, using: &rng)
            bytes.removeSubrange(start..<min(bytes.count, start + Int.random(in: 1...8, using: &rng)))
        case 5:
            // A forged count or length: four bytes of 0xFF, or a huge-but-positive u32.
            let start = Int.random(in: 0..<bytes.count, using: &rng)
            let value: [UInt8] = Bool.random(using: &rng) ? [0xFF, 0xFF, 0xFF, 0xFF] : [0xFF, 0xFF, 0xFF, 0x7F]
            for (offset, byte) in value.enumerated() where start + offset < bytes.count { bytes[start + offset] = byte }
        default:
            // A small plausible count, so the element decoders run on whatever follows.
            let start = Int.random(in: 0..<bytes.count, using: &rng)
            bytes[start] = UInt8.random(in: 0...4, using: &rng)
            for offset in 1..<4 where start + offset < bytes.count { bytes[start + offset] = 0 }
        }
        return bytes
    }

    @Test func randomBytes() {
        var rng = SplitMix64(seed: 0x6121_D0C5)
        var tally = Tally()
        let inventoryCodes = InventoryCall.Code.allCases.map(\.rawValue)
        let gridCodes = GridCall.Code.allCases.map(\.rawValue)
        for iteration in 0..<20_000 {
            var bytes = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Most of the time start with a known code so the case decoders get exercised.
            if !iteration.isMultiple(of: 4), !bytes.isEmpty {
                bytes[0] = Bool.random(using: &rng)
                    ? inventoryCodes.randomElement(using: &rng)!
                    : gridCodes.randomElement(using: &rng)!
            }
            tally.all(bytes)
        }
        #expect(tally.problems.isEmpty, "\(tally.problems.prefix(3))")
        #expect(tally.rejected > 0)
        #expect(tally.decoded > 0)
    }

    @Test func mutatedSamples() {
        var rng = SplitMix64(seed: 0x5EED_F00D)
        var tally = Tally()
        let samples: [[UInt8]] =
            GridProtocolSamples.inventoryCalls.map(\.bytes)
            + GridProtocolSamples.inventoryAnswers.map(\.bytes)
            + GridProtocolSamples.gridCalls.map(\.bytes)
            + GridProtocolSamples.gridAnswers.map(\.bytes)
            + GridProtocolSamples.statuses.map(\.bytes)
        for _ in 0..<20_000 {
            var bytes = samples.randomElement(using: &rng)!
            for _ in 0..<Int.random(in: 1...3, using: &rng) { bytes = Self.mutate(bytes, using: &rng) }
            tally.all(bytes)
        }
        #expect(tally.problems.isEmpty, "\(tally.problems.prefix(3))")
        // Both outcomes occur: the fuzzer reaches deep into valid values and also breaks them.
        #expect(tally.decoded > 0)
        #expect(tally.rejected > 0)
    }

    @Test func mutatedSamplesOfEachKindStillDecodeSometimes() {
        // Mutating one kind and decoding it as that kind: some mutations (a flipped bit in a
        // uuid, a changed count of a text...) leave a valid value, so the deep paths run.
        var rng = SplitMix64(seed: 0xC0FF_EE11)
        func fuzz<T: GridCodable>(_ samples: [T]) -> (decoded: Int, problems: [String]) {
            var tally = Tally()
            let inputs = samples.map(\.bytes)
            for _ in 0..<5_000 {
                var bytes = inputs.randomElement(using: &rng)!
                bytes = Self.mutate(bytes, using: &rng)
                tally.run(T.self, bytes)
            }
            return (tally.decoded, tally.problems)
        }
        for result in [
            fuzz(GridProtocolSamples.inventoryCalls), fuzz(GridProtocolSamples.inventoryAnswers),
            fuzz(GridProtocolSamples.gridCalls), fuzz(GridProtocolSamples.gridAnswers),
        ] {
            #expect(result.problems.isEmpty, "\(result.problems.prefix(3))")
            #expect(result.decoded > 0)
        }
    }
}
