import ArgumentParser
import Foundation
import Logging
import TesseraStorage

struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage avatar accounts.",
        subcommands: [CreateUser.self, RevokeSessions.self]
    )
}

struct CreateUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an account; prompts for the password unless one is given.",
        discussion: "The password is hashed with scrypt and never logged or stored in clear."
    )

    @Argument(help: "The avatar name (1–63 bytes, no leading or trailing spaces).")
    var name: String

    @Flag(help: "Read the password from the first line of standard input.")
    var passwordStdin = false

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let password = try readPassword()
        var logger = Logger(label: "tessera.user")
        logger.logLevel = .notice
        let account = try await database.withMigratedDatabase(logger: logger) { client in
            do {
                return try await AccountStore(client: client, logger: logger).create(name: name, password: password)
            } catch let error as AccountError {
                throw ValidationError("\(error)")
            }
        }
        printLine("created \(account.name) (\(account.id.uuidString.lowercased()))")
    }

    private func readPassword() throws -> String {
        if passwordStdin {
            guard let line = Swift.readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("no password on standard input")
            }
            return line
        }
        guard let first = getpass("Password for \(name): ").map({ String(cString: $0) }),
            let second = getpass("Again: ").map({ String(cString: $0) })
        else {
            throw ValidationError("cannot read a password from the terminal; use --password-stdin")
        }
        guard first == second else { throw ValidationError("the passwords differ") }
        return first
    }
}

struct RevokeSessions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke every session token of an account.",
        discussion: "Logins with a revoked token are refused; the avatar must log in with its password again."
    )

    @Argument(help: "The avatar name.")
    var name: String

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        var logger = Logger(label: "tessera.user")
        logger.logLevel = .notice
        try await database.withMigratedDatabase(logger: logger) { client in
            guard let account = try await AccountStore(client: client, logger: logger).account(named: name) else {
                throw ValidationError("no account is named \(name)")
            }
            try await SessionStore(client: client, logger: logger).revokeAll(for: account.id)
        }
        printLine("revoked every session of \(name)")
    }
}
