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
    @Test(arguments: ["Ada Lovelace", "A", "Bot 12", "ada", "Ada Byron King", String(repeating: "x", count: maxNameBytes)])
    func acceptsNamesOfTheRule(name: String) {
        #expect(SessionCommands.nameProblem(name) == nil)
    }

    @Test(arguments: ["", " ", " Ada", "Ada ", "\tAda", "Ada  Lovelace"])
    func rejectsEmptyPaddedOrDoubleSpaced(name: String) throws {
        let problem = try #require(SessionCommands.nameProblem(name))
        #expect(problem.contains("space") || problem.contains("empty") || problem.contains("U+0009"), "\(problem)")
    }

    @Test func rejectsLookAlikes() throws {
        // Cyrillic А (U+0410) beside Latin A; a decomposed é; a no-break space; a zero-width space.
        let cyrillic = try #require(SessionCommands.nameProblem("\u{410}da"))
        #expect(cyrillic.contains("U+0410"), "\(cyrillic)")
        for name in ["Zoe\u{301}", "Zoë", "Ada\u{A0}Lovelace", "Ada\u{200B}", "名前", "Ada_Lovelace", "1Ada"] {
            #expect(SessionCommands.nameProblem(name) != nil, "\(name)")
        }
    }

    @Test(arguments: ["Ada\u{7}", "A\u{0}da", "Ada\nLovelace", "\u{1B}[31mAda"])
    func rejectsControlCharacters(name: String) throws {
        let problem = try #require(SessionCommands.nameProblem(name))
        #expect(problem.contains("U+00"), "\(problem)")
    }

    @Test func rejectsNamesLongerThanTheLimit() throws {
        let ascii = String(repeating: "x", count: 64)
        #expect(try #require(SessionCommands.nameProblem(ascii)).contains("\(maxNameBytes) characters"))
    }
}

@Suite struct TokenLoginLimiterTests {
    @Test func refusesPastTheLimitUntilTheWindowMoves() throws {
        let limiter = TokenLoginLimiter(limit: 3, window: .seconds(300))
        let start = ContinuousClock.now
        for second in 0..<3 {
            let slot = try #require(limiter.reserve("192.0.2.1", now: start + .seconds(second)))
            limiter.failed("192.0.2.1", slot, now: start + .seconds(second))
        }
        #expect(limiter.reserve("192.0.2.1", now: start + .seconds(10)) == nil)
        #expect(limiter.reserve("192.0.2.2", now: start + .seconds(10)) != nil, "another address has its own count")
        // The first failure leaves the window 300 s after it.
        #expect(limiter.reserve("192.0.2.1", now: start + .seconds(299)) == nil)
        #expect(limiter.reserve("192.0.2.1", now: start + .seconds(301)) != nil)
    }

    @Test func successesAndUncheckedAttemptsCountNothing() throws {
        let limiter = TokenLoginLimiter(limit: 1, window: .seconds(300))
        let now = ContinuousClock.now
        for _ in 0..<10 {
            let slot = try #require(limiter.reserve("192.0.2.1", now: now))
            limiter.release("192.0.2.1", slot)
        }
        let slot = try #require(limiter.reserve("192.0.2.1", now: now))
        limiter.failed("192.0.2.1", slot, now: now)
        #expect(limiter.reserve("192.0.2.1", now: now) == nil)
    }

    @Test func manyLoginsAtOnceFromOneAddressAreNotRefusedForWhatHasNotFailed() async {
        // People behind one address (a NAT) reconnecting together: 60 at once, limit 20.
        let limiter = TokenLoginLimiter(limit: 20, window: .seconds(300), maxInFlight: 256)
        let granted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<60 { group.addTask { limiter.reserve("192.0.2.1") != nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(granted == 60)
    }

    @Test func simultaneousAttemptsAreBoundedByTheInFlightCap() async throws {
        let limiter = TokenLoginLimiter(limit: 20, window: .seconds(300), maxInFlight: 32)
        let slots = await withTaskGroup(of: ContinuousClock.Instant?.self) { group in
            for _ in 0..<100 { group.addTask { limiter.reserve("192.0.2.1") } }
            return await group.reduce(into: [ContinuousClock.Instant]()) { if let slot = $1 { $0.append(slot) } }
        }
        #expect(slots.count == 32)
        // All 32 guesses fail: 32 failures, past the limit of 20; the address is then refused.
        for slot in slots { limiter.failed("192.0.2.1", slot) }
        #expect(limiter.reserve("192.0.2.1") == nil)
    }
}

@Suite struct PendingClientsTests {
    @Test func admitsUpToTheLimitAndTicketsReleaseOnce() throws {
        let pending = PendingClients(limit: 2)
        let first = try #require(pending.admit())
        let second = try #require(pending.admit())
        #expect(pending.admit() == nil)
        first.release()
        first.release()
        #expect(pending.current == 1)
        let third = try #require(pending.admit())
        #expect(pending.admit() == nil)
        // A connection already admitted is counted on through its login, whatever the count.
        let upgraded = pending.enter()
        #expect(pending.current == 3)
        for ticket in [second, third, upgraded] { ticket.release() }
        #expect(pending.current == 0)
    }
}

@Suite struct ClientTextTests {
    @Test func vectorsArePlainNumbers() {
        let message = "position \(SIMD3<Float>(256, 12.5, -3)) is outside the region"
        #expect(ClientText.plain(message) == "position (256.0, 12.5, -3.0) is outside the region")
        #expect(ClientText.plain("no object 7 in this region") == "no object 7 in this region")
    }
}
