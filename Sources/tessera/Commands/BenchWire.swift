import ArgumentParser
import Foundation
import TesseraBench

struct WireBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire",
        abstract: "What mutual TLS costs a wire link: region frames per second and link set-up, plain and TLS in the same run.",
        discussion: """
            Streams region frames one way over loopback TCP between two event loops (a region \
            node's link to a client manager), once with the grid secret over plain TCP (the \
            baseline) and once with mutual TLS 1.3 and the grid's certificates; the two alternate \
            for --rounds rounds and each figure is the median. Also times opening a link (TCP, \
            the TLS handshake with both certificates checked, the Hello exchange). Run a release build.
            """
    )

    @Option(help: "Entities moved per region frame, comma-separated (10 is about 310 bytes, 500 about 15 KB).")
    var entities = "10,500"

    @Option(help: "Frames streamed per measurement.")
    var frames = 100_000

    @Option(help: "Rounds of plain and TLS.")
    var rounds = 3

    func run() async throws {
        let sizes = entities.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ (1...20_000).contains($0) }), (1...10_000_000).contains(frames) else {
            throw ValidationError("--entities takes counts of 1 to 20000, --frames 1 to 10000000")
        }
        print("Wire link, region frames over loopback TCP (median of \(rounds) rounds)")
        print("frame bytes | plain frames/s | TLS frames/s | TLS/plain | plain MB/s | TLS MB/s")
        var dial: (plain: (Double, Double), tls: (Double, Double))?
        for size in sizes {
            let frames = size >= 100 ? max(1, frames / 10) : frames
            let (plain, tls) = try await WireLinkBenchmark(entities: size, frames: frames, rounds: rounds).run()
            print(String(
                format: "%11d | %14.0f | %12.0f | %9.2f | %10.1f | %8.1f", plain.frameBytes, plain.framesPerSecond, tls.framesPerSecond,
                tls.framesPerSecond / plain.framesPerSecond, plain.megabytesPerSecond, tls.megabytesPerSecond))
            dial = ((plain.dialMedianMillis, plain.dialP99Millis), (tls.dialMedianMillis, tls.dialP99Millis))
        }
        if let dial {
            print(String(
                format: "Opening a link: plain %.2f ms median (p99 %.2f), TLS %.2f ms median (p99 %.2f)", dial.plain.0, dial.plain.1, dial.tls.0,
                dial.tls.1))
        }
    }
}
