import Foundation
import Hummingbird
import HummingbirdAuth
import Synchronization
import TesseraStorage

/// Authenticates every request but the public ones by its bearer admin token. A valid token
/// always passes. A request without one gets 401 and counts as a failure of its address; an
/// address with too many failures in the window gets 429 instead (for missing and invalid
/// tokens only), and every failure up to the limit is in the audit trail.
struct AdminAuthenticator: RouterMiddleware {
    typealias Context = ConsoleContext

    let admins: AdminStore
    let failures: FailureLimiter
    /// Paths answered without a token: health, metrics (for scrapers), and the dashboard's
    /// static files (which hold no data; the page asks for a token before it shows any).
    static let publicPaths: Set<String> = ["/health", "/metrics", "/", "/dashboard"]

    static func isPublic(_ path: String) -> Bool {
        publicPaths.contains(path) || path.hasPrefix("/dashboard/")
    }

    /// The token of an `Authorization: Bearer TOKEN` header. The scheme is case-insensitive
    /// (RFC 9110 §11.1): `bearer` and `BEARER` are `Bearer`; spaces around the token are dropped.
    static func bearerToken(_ authorization: String?) -> String? {
        guard let authorization else { return nil }
        let trimmed = authorization.drop { $0 == " " || $0 == "\t" }
        guard let gap = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }),
            trimmed[..<gap].lowercased() == "bearer"
        else { return nil }
        let token = trimmed[gap...].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    func handle(_ request: Request, context: ConsoleContext, next: (Request, ConsoleContext) async throws -> Response) async throws -> Response {
        if Self.isPublic(request.uri.path) { return try await next(request, context) }
        let token = Self.bearerToken(request.headers[.authorization])
        // The token first: guesses from an address cannot lock a valid token out of it. The
        // tokens carry 256 random bits, so the limit below guards the audit trail and the
        // database from floods, not the token space.
        if let token, let principal = try await admins.authenticate(token) {
            var context = context
            context.identity = principal
            return try await next(request, context)
        }
        guard failures.allows(context.remoteAddress) else {
            throw Problem(.tooManyRequests, "rate-limited", "Too many failed attempts from this address", detail: "wait a minute and try again")
        }
        failures.record(context.remoteAddress)
        try? await admins.audit(nil, action: "authenticate", target: "\(request.method) \(request.uri.path)",
            result: token == nil ? "no token" : "invalid token", detail: "from \(context.remoteAddress)")
        throw Problem.unauthorized
    }
}

/// Failed authentications per address over a sliding window.
final class FailureLimiter: Sendable {
    let limit: Int
    let window: Duration
    private let failures = Mutex<[String: [ContinuousClock.Instant]]>([:])

    init(limit: Int = 10, window: Duration = .seconds(60)) {
        self.limit = limit
        self.window = window
    }

    func allows(_ address: String) -> Bool {
        let now = ContinuousClock.now
        return failures.withLock { table in
            table[address] = table[address]?.filter { now - $0 < window }
            return (table[address]?.count ?? 0) < limit
        }
    }

    func record(_ address: String) {
        let now = ContinuousClock.now
        failures.withLock { table in
            table[address, default: []].append(now)
            // Bounded: an address keeps at most `limit` recent failures, and quiet ones go.
            if table[address]!.count > limit { table[address]!.removeFirst(table[address]!.count - limit) }
            if table.count > 10_000 { table = table.filter { $0.value.contains { now - $0 < window } } }
        }
    }
}
