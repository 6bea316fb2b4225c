import Foundation
import TesseraStorage

/// The local grid's operator: an admin account made on first start, and a fresh one-day
/// token at each start, written where `tessera console` finds it (owner-only file).
enum LocalAdmin {
    static let accountName = "Local Admin"

    static func issueToken(admins: AdminStore, accounts: AccountStore, stateDirectory: String) async throws -> String {
        if try await accounts.summary(named: accountName) == nil {
            // Nobody logs in with it: the password is random and never shown.
            let password = (0..<4).map { _ in UInt64.random(in: .min ... .max) }.map { String($0, radix: 36) }.joined()
            _ = try await accounts.create(name: accountName, password: password)
        }
        _ = try await admins.setAdmin(name: accountName, true)
        let (_, token) = try await admins.createToken(forAdmin: accountName, label: "tessera up", lifetimeDays: 1)
        let path = "\(stateDirectory)/admin-token"
        FileManager.default.createFile(atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600])
        return token
    }
}
