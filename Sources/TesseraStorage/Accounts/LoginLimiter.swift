import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Failed password logins, counted in `login_failures` over a sliding window under subjects
/// (an address; an address with a name). The limit holds under concurrency because an attempt
/// takes its place *before* its password is checked: it records itself as pending under each
/// subject (`pending:` + subject), then counts. Every insert commits before its count starts,
/// so an attempt sees every earlier one that is still pending or has failed, and goes ahead
/// only if the failures and the pending attempts, itself included, stay within the limit:
/// however many attempts run at once, at most `limit` failures are ever checked. An attempt
/// that meets the limit with failures alone is refused; one that meets it with attempts still
/// pending waits for them (a burst of right passwords from one address is slowed, not
/// refused). A failed attempt's row becomes the record of its failure; a refused or
/// successful one deletes its rows.
struct LoginLimiter: Sendable {
    let client: PostgresClient
    let logger: Logger
    let windowSeconds: Int
    /// How long an attempt may wait for pending ones before it is refused as busy.
    var maxWait = Duration.seconds(20)
    /// A pending row older than this belongs to a check that died (a crash): it no longer counts.
    static let pendingLifetimeSeconds = 60
    static let pendingPrefix = "pending:"

    struct Reservation: Sendable {
        /// The rows' physical ids (`ctid`) as text.
        var rows: [String]
    }

    /// Takes a place under each subject. Throws `AccountError.rateLimited` (recording nothing)
    /// when one of them already holds `limit` failures within the window, and
    /// `PasswordCheckQueue.Busy` when pending attempts did not leave room within `maxWait`.
    func reserve(_ limits: [(subject: String, limit: Int)]) async throws -> Reservation {
        let subjects = limits.map(\.subject)
        let pending = subjects.map { Self.pendingPrefix + $0 }
        let deadline = ContinuousClock.now + maxWait
        var pause = Duration.milliseconds(10)
        while true {
            var rows: [String] = []
            for try await row in try await client.query(
                "INSERT INTO login_failures (subject) SELECT unnest(\(pending)::text[]) RETURNING ctid::text", logger: logger
            ).decode(String.self) { rows.append(row) }
            let reservation = Reservation(rows: rows)
            var counts: [String: Int] = [:]
            do {
                for try await (subject, count) in try await client.query("""
                    SELECT subject, count(*)::bigint FROM login_failures
                    WHERE (subject = ANY(\(subjects)::text[]) AND failed_at > now() - make_interval(secs => \(windowSeconds)))
                       OR (subject = ANY(\(pending)::text[]) AND failed_at > now() - make_interval(secs => \(Self.pendingLifetimeSeconds)))
                    GROUP BY subject
                    """, logger: logger).decode((String, Int).self) { counts[subject] = count }
            } catch {
                try? await release(reservation)
                throw error
            }
            let failures = limits.map { counts[$0.subject, default: 0] }
            let inFlight = limits.map { counts[Self.pendingPrefix + $0.subject, default: 0] }
            if zip(limits, failures).contains(where: { $1 >= $0.limit }) {
                try await release(reservation)
                throw AccountError.rateLimited
            }
            guard zip(limits, zip(failures, inFlight)).contains(where: { $1.0 + $1.1 > $0.limit }) else { return reservation }
            try await release(reservation)
            guard ContinuousClock.now + pause < deadline else { throw PasswordCheckQueue.Busy() }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(200))
        }
    }

    /// The attempt failed: its rows become the record of the failure.
    func recordFailure(_ reservation: Reservation) async throws {
        _ = try await client.query("""
            UPDATE login_failures SET subject = substr(subject, \(Self.pendingPrefix.count + 1)::int), failed_at = now()
            WHERE ctid = ANY(\(reservation.rows)::tid[])
            """, logger: logger)
    }

    /// Gives the places back: the attempt was not a failure.
    func release(_ reservation: Reservation) async throws {
        _ = try await client.query(
            "DELETE FROM login_failures WHERE ctid = ANY(\(reservation.rows)::tid[])", logger: logger)
    }

    /// The subject of a client address: an IPv4 address as it is, an IPv6 address by its /64
    /// prefix (one host commonly holds a whole /64, so counting single IPv6 addresses would
    /// let it guess without limit). IPv4-mapped IPv6 addresses count as their IPv4 address.
    static func source(of address: String) -> String {
        guard let socket = try? SocketAddress(ipAddress: address, port: 0) else { return address }
        switch socket {
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
                return bytes[12..<16].map(String.init).joined(separator: ".")
            }
            let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            return groups.joined(separator: ":") + "::/64"
        default:
            return socket.ipAddress ?? address
        }
    }
}
