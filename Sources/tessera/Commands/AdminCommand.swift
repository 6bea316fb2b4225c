import ArgumentParser
import Foundation
import Logging
import TesseraStorage

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Administer the grid: the admin role and the REST console's bearer tokens.",
        subcommands: [GrantAdmin.self, RevokeAdmin.self, AdminToken.self]
    )
}

/// Runs `body` with an admin store on the migrated database of the options; store errors
/// become the command's error message.
private func withAdmins<T: Sendable>(_ database: DatabaseOptions, _ body: @escaping @Sendable (AdminStore) async throws -> T) async throws -> T {
    var logger = Logger(label: "tessera.admin")
    logger.logLevel = .notice
    return try await database.withMigratedDatabase(logger: logger) { client in
        do {
            return try await body(AdminStore(client: client, logger: logger))
        } catch let error as AdminError {
            throw ValidationError("\(error)")
        }
    }
}

struct GrantAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant", abstract: "Give an account the admin role (tokens from an earlier grant stay revoked).",
        discussion: "A disabled account gets the role but no token until `tessera user enable NAME`.")

    @Argument(help: "The account's name.")
    var name: String

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let name = name
        guard try await withAdmins(database, { try await $0.setAdmin(name: name, true) }) else {
            throw ValidationError("no account is named \(name) (create it with: tessera user create \(name))")
        }
        printLine("\(name) is an admin")
    }
}

struct RevokeAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ungrant",
        abstract: "Take the admin role from an account; its tokens are revoked at once.",
        discussion: "Refused for the last enabled admin: grant the role to another account first.")

    @Argument(help: "The account's name.")
    var name: String

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let name = name
        guard try await withAdmins(database, { try await $0.setAdmin(name: name, false) }) else {
            throw ValidationError("no account is named \(name)")
        }
        printLine("\(name) is no longer an admin")
    }
}

struct AdminToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Bearer tokens for the REST console.", subcommands: [CreateToken.self, ListTokens.self, RevokeToken.self])
}

struct CreateToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a token for an admin account and print it (it is shown only this once).",
        discussion: "Only the token's SHA-256 is stored. It expires after --days and can be revoked with `tessera admin token revoke ID`.")

    @Option(help: "The admin account the token acts as.")
    var user: String

    @Option(help: "A label to recognise the token by in listings.")
    var label = ""

    @Option(help: "Days until the token expires (1–365).")
    var days = 30

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let (user, label, days) = (user, label, days)
        let (id, token) = try await withAdmins(database) { try await $0.createToken(forAdmin: user, label: label, lifetimeDays: days) }
        FileHandle.standardError.write(Data("token \(id.uuidString.lowercased()) for \(user), expires in \(days) days:\n".utf8))
        printLine(token)
    }
}

struct ListTokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List admin tokens (never the tokens themselves).")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let tokens = try await withAdmins(database) { try await $0.tokens() }
        let format = ISO8601DateFormatter()
        printLine("id                                    account              label                expires               state")
        for token in tokens {
            let state = token.revokedAt != nil ? "revoked" : token.expiresAt < Date() ? "expired" : "valid"
            func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
            printLine("\(token.id.uuidString.lowercased())  \(pad(token.accountName, 20)) \(pad(token.label, 20)) \(format.string(from: token.expiresAt))  \(state)")
        }
    }
}

struct RevokeToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke an admin token by its id.")

    @Argument(help: "The token's id (from `tessera admin token list`).")
    var id: String

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        guard let tokenID = UUID(uuidString: id) else { throw ValidationError("\(id) is not a token id (a UUID)") }
        guard try await withAdmins(database, { try await $0.revoke(tokenID: tokenID) }) else {
            throw ValidationError("no valid token has the id \(id)")
        }
        printLine("revoked token \(id)")
    }
}
