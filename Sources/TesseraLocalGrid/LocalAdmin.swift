import Foundation
import TesseraTLS
import TesseraStorage

/// The local grid's operator: an admin account made on first start, and a fresh one-day
/// token at each start, written where `tessera console` finds it (owner-only file) and
/// never printed.
public enum LocalAdmin {
    public static let accountName = "Local Admin"

    /// Issues the token and answers the path of the file that holds it.
    public static func issueToken(admins: AdminStore, accounts: AccountStore, stateDirectory: String) async throws -> String {
        if try await accounts.summary(named: accountName) == nil {
            // Nobody logs in with it: the password is random and never shown.
            let password = (0..<4).map { _ in UInt64.random(in: .min ... .max) }.map { String($0, radix: 36) }.joined()
            _ = try await accounts.create(name: accountName, password: password)
        }
        _ = try await admins.setAdmin(name: accountName, true)
        let (_, token) = try await admins.createToken(forAdmin: accountName, label: "tessera up", lifetimeDays: 1)
        let path = "\(stateDirectory)/admin-token"
        try writeOwnerOnly(token + "\n", to: path)
        return path
    }

    /// What `tessera up` prints about the console: its URLs and where the token is — never the
    /// token, for this output is the grid's log.
    public static func announcement(base: String, tokenPath: String) -> [String] {
        [
            "Admin token for the local operator: in \(tokenPath) (owner-only; it is never printed)",
            "  try: tessera console -c \"show regions\"   or open \(base)/dashboard/#token=$(cat \(tokenPath))",
        ]
    }

    /// Writes the file as the owner's alone from its first byte (created 0600, then renamed
    /// over the old one), never readable by others even for a moment.
    static func writeOwnerOnly(_ text: String, to path: String) throws {
        guard SecretFile.save(text, to: path) else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
    }
}
