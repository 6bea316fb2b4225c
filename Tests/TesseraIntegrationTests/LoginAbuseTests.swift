import Foundation
import Logging
import PostgresNIO
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraGrid
import TesseraLocalGrid
import TesseraStorage
import TesseraTesting
import TesseraWorld

/// Logins under load and abuse (issue 13, item 5), and the login and logout contract of
/// docs/client-protocol.md, against a real PostgreSQL and real sockets.
@Suite("Logins under load and abuse", .serialized)
struct LoginAbuseTests {
    private static let wrong = "wrong horse!"

    /// A store on the grid's database with a queue of its own, to count KDF runs.
    private static func store(_ operations: GridOperations, hasher: PasswordHasher = PasswordHasher(cost: 1 << 10, blockSize: 8, parallelism: 1),
                              checks: PasswordCheckQueue = PasswordCheckQueue(width: 2)) -> AccountStore {
        AccountStore(client: operations.accounts.client, logger: Logger(label: "test"), hasher: hasher, checks: checks)
    }

    private static func outcome(_ body: () async throws -> Account) async -> String {
        do {
            _ = try await body()
            return "ok"
        } catch let error as AccountError {
            return "\(error)"
        } catch {
            return "other: \(error)"
        }
    }

    @Test("60 simultaneous wrong passwords for one name from one address: 5 are checked, every other one is refused")
    func limiterHoldsUnderConcurrency() async throws {
        try await withGridServices { _, operations in
            _ = try await makeAccount(operations, "Ada")
            let queue = PasswordCheckQueue(width: 2)
            let accounts = Self.store(operations, checks: queue)
            let outcomes = await withTaskGroup(of: String.self) { group in
                for _ in 0..<60 {
                    group.addTask { await Self.outcome { try await accounts.authenticate(name: "Ada", password: Self.wrong, address: "192.0.2.7") } }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            let bad = AccountError.badCredentials.description
            let limited = AccountError.rateLimited.description
            #expect(outcomes.count { $0 == bad } == 5, "\(outcomes)")
            #expect(outcomes.count { $0 == limited } == 55)
            #expect(queue.checksRun == 5)
            // The right password from there is refused too, without a check.
            #expect(await Self.outcome { try await accounts.authenticate(name: "Ada", password: "correct horse", address: "192.0.2.7") } == limited)
            #expect(queue.checksRun == 5)
        }
    }

    @Test("failures from one source do not lock the account for another; a source is limited over all names; IPv6 counts by /64")
    func limitsArePerSource() async throws {
        try await withGridServices { _, operations in
            _ = try await makeAccount(operations, "Ada")
            let accounts = Self.store(operations)
            let bad = AccountError.badCredentials.description
            let limited = AccountError.rateLimited.description
            for _ in 0..<5 {
                #expect(await Self.outcome { try await accounts.authenticate(name: "Ada", password: Self.wrong, address: "192.0.2.1") } == bad)
            }
            #expect(await Self.outcome { try await accounts.authenticate(name: "ada", password: "correct horse", address: "192.0.2.1") } == limited)
            // Ada herself, from elsewhere, is not locked out.
            #expect(await Self.outcome { try await accounts.authenticate(name: "Ada", password: "correct horse", address: "198.51.100.2") } == "ok")

            // 20 failures from one address over 20 names: the next name is refused.
            for index in 0..<20 {
                #expect(await Self.outcome { try await accounts.authenticate(name: "Stranger \(index)", password: Self.wrong, address: "192.0.2.9") } == bad)
            }
            #expect(await Self.outcome { try await accounts.authenticate(name: "Ada", password: "correct horse", address: "192.0.2.9") } == limited)

            // IPv6: the addresses of one /64 are one source; another /64 is another.
            for index in 0..<20 {
                let address = "2001:db8:0:7::\(String(index + 1, radix: 16))"
                #expect(await Self.outcome { try await accounts.authenticate(name: "Probe \(index)", password: Self.wrong, address: address) } == bad)
            }
            #expect(await Self.outcome { try await accounts.authenticate(name: "Ada", password: "correct horse", address: "2001:db8:0:7:ffff::1") } == limited)
            #expect(await Self.outcome { try await accounts.authenticate(name: "Ada", password: "correct horse", address: "2001:db8:0:8::1") } == "ok")
        }
    }

    @Test("an unknown name and an account without a password cost one KDF run, as a wrong password does")
    func unknownNamesRunTheKDF() async throws {
        try await withGridServices { _, operations in
            _ = try await makeAccount(operations, "Ada")
            _ = try await operations.accounts.ensureServiceAccount(name: "Bot 1")
            let queue = PasswordCheckQueue(width: 1)
            let accounts = Self.store(operations, checks: queue)
            let bad = AccountError.badCredentials.description
            #expect(await Self.outcome { try await accounts.authenticate(name: "Nobody", password: Self.wrong, address: "192.0.2.3") } == bad)
            #expect(queue.checksRun == 1)
            #expect(await Self.outcome { try await accounts.authenticate(name: "Ada", password: Self.wrong, address: "192.0.2.3") } == bad)
            #expect(queue.checksRun == 2)
            #expect(await Self.outcome { try await accounts.authenticate(name: "Bot 1", password: Self.wrong, address: "192.0.2.3") } == bad)
            #expect(queue.checksRun == 3)
        }
    }

    @Test("a full password-check queue refuses with busy at once, and a refused check is not run")
    func queueBound() async throws {
        let queue = PasswordCheckQueue(width: 1, maxWaiting: 2)
        let release = DispatchSemaphore(value: 0)
        let started = AsyncStream<Void>.makeStream()
        // Holds the only thread until released.
        let blocker = Task {
            try await queue.run {
                started.continuation.yield()
                release.wait()
            }
        }
        for await _ in started.stream { break }
        let waiting = (0..<2).map { _ in Task { try await queue.run { 1 } } }
        // The tasks start when they are scheduled: only once both are in the queue is the next
        // call over the bound (before, it could be queued behind the blocker and never return).
        try await Eventually.until("two checks wait beside the running one") { queue.waitingOrRunning == 3 }
        // Two wait beside the running one: the next is over the bound.
        await #expect(throws: PasswordCheckQueue.Busy.self) { try await queue.run { 1 } }
        release.signal()
        try await blocker.value
        for task in waiting { #expect(try await task.value == 1) }
        #expect(queue.checksRun == 3)
    }

    @Test("50 simultaneous correct logins through the client manager, with production scrypt, all get Welcome")
    func burstOfCorrectLogins() async throws {
        try await withGridServices { grid, operations in
            // One account hashed with the production parameters, copied to 49 more names.
            _ = try await Self.store(operations, hasher: .standard).create(name: "Load 1", password: "correct horse")
            let client = operations.accounts.client
            for index in 2...50 {
                _ = try await client.query("""
                    INSERT INTO accounts (id, name, password_hash, password_salt, password_kdf)
                    SELECT \(UUID()), \("Load \(index)"), password_hash, password_salt, password_kdf FROM accounts WHERE name = 'Load 1'
                    """)
            }
            let clients = try await withThrowingTaskGroup(of: ScenarioClient.self) { group in
                for _ in 1...50 { group.addTask { try await ScenarioClient.connect(grid.url) } }
                return try await group.reduce(into: [ScenarioClient]()) { $0.append($1) }
            }
            let start = ContinuousClock.now
            let welcomed = await withTaskGroup(of: Bool.self) { group in
                for (index, client) in clients.enumerated() {
                    group.addTask { (try? await client.login("Load \(index + 1)", password: "correct horse", timeout: .seconds(60))) != nil }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            let elapsed = ContinuousClock.now - start
            print("50 simultaneous production-scrypt logins: \(welcomed) welcomed in \(elapsed)")
            #expect(welcomed == 50, "\(clients.compactMap { $0.closeCode })")
            for client in clients { await client.close() }
        }
    }

    @Test("look-alike names are refused at account creation, for people and bots alike")
    func lookAlikeNames() async throws {
        try await withGridServices { _, operations in
            _ = try await makeAccount(operations, "Ada Lovelace")
            for name in ["\u{410}da Lovelace", "Ada  Lovelace", " Ada", "Ada ", "Zoe\u{301}", "Zoë", "Ada\u{200B}", "1Ada", "Ada_Lovelace"] {
                await #expect(throws: AccountError.self, "\(name)") { _ = try await operations.accounts.create(name: name, password: "correct horse") }
            }
            await #expect(throws: AccountError.self) { _ = try await operations.accounts.ensureServiceAccount(name: "Bot\u{A0}1") }
            #expect(try await operations.accounts.account(named: "ada lovelace") != nil)
            #expect(try await operations.accounts.list(limit: 100).count == 1)
        }
    }

    @Test("Logout revokes the token before the close: an immediate token login gets 4017, every time")
    func logoutRevokesBeforeTheClose() async throws {
        try await withGridServices { grid, operations in
            _ = try await makeAccount(operations, "Ada")
            for attempt in 1...4 {
                let client = try await ScenarioClient.connect(grid.url)
                let welcome = try await client.login("Ada", password: "correct horse")
                try await client.send(.logout)
                try await client.waitForClose()
                #expect(client.closeCode == 1000)
                #expect(client.closeReason == "logout")
                let again = try await ScenarioClient.connect(grid.url)
                try await again.send(.login(Login(name: "Ada", credential: .sessionToken(welcome.sessionToken))))
                try await again.waitForClose()
                #expect(again.closeCode == 4017, "attempt \(attempt)")
            }
        }
    }

    @Test("logins closed by an admin: the right password gets 4010 with the admin's message; a wrong one still 4016")
    func loginsDisabled() async throws {
        try await withGridServices { grid, operations in
            _ = try await makeAccount(operations, "Ada")
            try await operations.logins.disable(message: "back at noon")
            let right = try await ScenarioClient.connect(grid.url)
            try await right.send(.login(Login(name: "Ada", password: "correct horse")))
            try await right.waitForClose()
            #expect(right.closeCode == 4010)
            #expect(right.closeReason == "back at noon")
            #expect(right.mirror.errors.map(\.errorCode) == [.notAllowed])
            let wrong = try await ScenarioClient.connect(grid.url)
            try await wrong.send(.login(Login(name: "Ada", password: Self.wrong)))
            try await wrong.waitForClose()
            #expect(wrong.closeCode == 4016)
        }
    }

    @Test("20 failed token logins from an address: the 21st is refused with 4011 before the token is checked")
    func tokenGuessingIsLimited() async throws {
        try await withGridServices { grid, operations in
            _ = try await makeAccount(operations, "Ada")
            let ada = try await ScenarioClient.connect(grid.url)
            let token = try await ada.login("Ada", password: "correct horse").sessionToken
            await ada.close()
            for guess in 0..<20 {
                let client = try await ScenarioClient.connect(grid.url)
                try await client.send(.login(Login(name: "Ada", credential: .sessionToken("guess-\(guess)"))))
                try await client.waitForClose()
                #expect(client.closeCode == 4017)
            }
            let real = try await ScenarioClient.connect(grid.url)
            try await real.send(.login(Login(name: "Ada", credential: .sessionToken(token))))
            try await real.waitForClose()
            #expect(real.closeCode == 4011)
        }
    }
}
