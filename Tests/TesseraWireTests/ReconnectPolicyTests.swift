import NIOCore
import Testing
import TesseraWire

/// A random source that gives fixed numbers, so jitter has exact expectations.
private struct FixedRandom: RandomNumberGenerator {
    var values: [UInt64]
    var index = 0

    mutating func next() -> UInt64 {
        defer { index = (index + 1) % values.count }
        return values[index]
    }
}

@Suite("The reconnect policy")
struct ReconnectPolicyTests {
    @Test("pauses double from the first up to the cap")
    func doubling() {
        let policy = ReconnectPolicy.links
        #expect((0...7).map { policy.basePauseMillis(failures: $0) } == [200, 200, 400, 800, 1600, 2000, 2000, 2000])
        #expect(policy.basePauseMillis(failures: Int.max) == 2000, "no overflow")
        let process = ReconnectPolicy.childProcess
        #expect((1...7).map { process.basePauseMillis(failures: $0) } == [1000, 2000, 4000, 8000, 16000, 30000, 30000])
    }

    @Test("jitter takes off up to its share of the pause, as the random source says")
    func jitter() {
        let policy = ReconnectPolicy.links
        var random = FixedRandom(values: [0, 50, 51, 400, UInt64.max])
        let pauses = (0..<5).map { _ in policy.pause(failures: 4, using: &random) }
        // 1600 ms, up to 25 % (400 ms) off: the random number modulo 401.
        #expect(pauses == [.milliseconds(1600), .milliseconds(1550), .milliseconds(1549), .milliseconds(1200), .milliseconds(1600 - Int(UInt64.max % 401))])
        var none = FixedRandom(values: [123])
        check(ReconnectPolicy.childProcess.pause(failures: 1, using: &none), .seconds(1))
        #expect(none.index == 0, "no jitter draws nothing")
    }

    @Test("values out of range are brought into it")
    func clamped() {
        let policy = ReconnectPolicy(firstMillis: 0, capMillis: -5, jitterPercent: 300, stableAfter: 1)
        #expect(policy.firstMillis == 1 && policy.capMillis == 1 && policy.jitterPercent == 100)
    }

    @Test("failed dials grow the pause; a connection that lasted starts again from the first; one that did not counts as a failure")
    func reconnector() {
        var random = FixedRandom(values: [0])
        var link = Reconnector(policy: .links)
        check(link.dialFailed(using: &random), .milliseconds(200))
        #expect(link.logsDialFailure)
        check(link.dialFailed(using: &random), .milliseconds(400))
        #expect(!link.logsDialFailure)
        check(link.dialFailed(using: &random), .milliseconds(800))
        link.connected(at: 100)
        #expect(link.dialFailures == 0)
        check(link.disconnected(at: 101, using: &random), .milliseconds(1600), "up for 1 s: a fourth failure")
        link.connected(at: 200)
        check(link.disconnected(at: 210, using: &random), .milliseconds(200), "up for 10 s: the first pause again")
        #expect(link.failures == 1)
        check(link.dialFailed(using: &random), .milliseconds(400))
    }

    @Test("dial failures are logged first, then every tenth")
    func logging() {
        var random = FixedRandom(values: [0])
        var link = Reconnector()
        var logged: [Int] = []
        for attempt in 1...25 {
            _ = link.dialFailed(using: &random)
            if link.logsDialFailure { logged.append(attempt) }
        }
        #expect(logged == [1, 11, 21])
        link.connected(at: 0)
        _ = link.disconnected(at: 0.5, using: &random)
        _ = link.dialFailed(using: &random)
        #expect(link.logsDialFailure, "the first failure after a connection is logged again")
    }

    @Test("a Duration becomes the same TimeAmount")
    func timeAmount() {
        #expect(Duration.milliseconds(1550).timeAmount == .milliseconds(1550))
        #expect(Duration.seconds(30).timeAmount == .seconds(30))
    }
}
