import Testing
@testable import TesseraClientManager
import TesseraWorld

@Suite struct RateLimiterTests {
    /// How many of `attempts` calls at time `now` the limiter allows.
    private static func take(_ limiter: inout RateLimiter, at now: Double, attempts: Int = 100) -> Int {
        (0..<attempts).count { _ in limiter.allow(now: now) }
    }

    @Test func burstThenRefusal() {
        var limiter = RateLimiter(rate: 10, burst: 20)
        let granted = Self.take(&limiter, at: 5)
        #expect(granted == 20)
        let again = limiter.allow(now: 5)
        #expect(!again)
    }

    @Test func refillsAtTheRate() {
        var limiter = RateLimiter(rate: 4, burst: 8)
        var granted: [Int] = []
        for now in [100, 100.25, 101.25, 101.375, 101.5] { granted.append(Self.take(&limiter, at: now)) }
        // The burst; a quarter second at 4/s is one token; a second is four; half a token is
        // not enough, and the half carries over to the next call.
        #expect(granted == [8, 1, 4, 0, 1])
    }

    @Test func neverSavesMoreThanTheBurst() {
        var limiter = RateLimiter(rate: 2, burst: 3)
        var granted: [Int] = []
        for now in [0, 1_000, 1_000.5] { granted.append(Self.take(&limiter, at: now)) }
        #expect(granted == [3, 3, 1])
    }

    @Test func aSteadyClientAtTheRateIsNeverRefused() {
        var limiter = RateLimiter(rate: 8, burst: 16)
        let refused = (0..<1_000).filter { !limiter.allow(now: Double($0) / 8) }
        #expect(refused == [])
    }

    @Test func aClientAtTwiceTheRateGetsTheRateAfterTheBurst() {
        var limiter = RateLimiter(rate: 8, burst: 16)
        // 16 calls a second for 10 s: the burst of 16, then 8 a second for the remaining ~10 s.
        let granted = (0..<160).count { limiter.allow(now: Double($0) / 16) }
        #expect(granted >= 16 + 79 && granted <= 16 + 80, "\(granted)")
    }
}

@Suite struct NameProblemTests {
    @Test(arguments: ["Ada Lovelace", "A", "Zoë Ångström", "名前", String(repeating: "x", count: maxNameBytes)])
    func acceptsReasonableNames(name: String) {
        #expect(SessionRunner.nameProblem(name) == nil)
    }

    @Test(arguments: ["", " ", " Ada", "Ada ", "\tAda"])
    func rejectsEmptyOrPaddedNames(name: String) throws {
        let problem = try #require(SessionRunner.nameProblem(name))
        #expect(problem.contains("spaces"))
    }

    @Test(arguments: ["Ada\u{7}", "A\u{0}da", "Ada\nLovelace", "\u{1B}[31mAda"])
    func rejectsControlCharacters(name: String) throws {
        let problem = try #require(SessionRunner.nameProblem(name))
        #expect(problem.contains("control"))
    }

    @Test func rejectsNamesLongerThanTheLimit() throws {
        let ascii = String(repeating: "x", count: 64)
        #expect(ascii.utf8.count == 64)
        #expect(try #require(SessionRunner.nameProblem(ascii)).contains("\(maxNameBytes) bytes"))
        // 32 two-byte characters: 32 characters but 64 bytes.
        let accented = String(repeating: "é", count: 32)
        #expect(accented.utf8.count == 64)
        #expect(SessionRunner.nameProblem(accented) != nil)
        #expect(SessionRunner.nameProblem(String(repeating: "é", count: 31) + "x") == nil)
    }
}
