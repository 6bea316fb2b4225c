import ArgumentParser
import Foundation
import Logging
import TesseraStorage

struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage avatar accounts.",
        subcommands: [CreateUser.self, ListUsers.self, DisableUser.self, EnableUser.self, RevokeSessions.self]
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

struct ListUsers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List accounts by name: whether each is an admin and whether it is disabled.")

    @Argument(help: "Only the accounts whose name contains this (case-insensitive).")
    var search: String?

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        var logger = Logger(label: "tessera.user")
        logger.logLevel = .notice
        let search = search
        let accounts = try await database.withMigratedDatabase(logger: logger) { client in
            try await AccountStore(client: client, logger: logger).list(search: search, limit: 1000)
        }
        func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
        printLine("\(pad("name", 32)) admin  disabled")
        for account in accounts {
            printLine("\(pad(account.name, 32)) \(pad(account.isAdmin ? "yes" : "", 6)) \(account.disabled ? "yes" : "")")
        }
        if accounts.count == 1000 { printLine("(the first 1000; narrow it with a search)") }
    }
}

/// `tessera user disable` and `enable`: the console's `POST /users/{name}/disable` and
/// `enable`, from the command line with only the config, so an operator can undo what a
/// console did (or recover an admin account) without a token.
private func setDisabled(_ name: String, _ disabled: Bool, database: DatabaseOptions) async throws {
    var logger = Logger(label: "tessera.user")
    logger.logLevel = .notice
    let found = try await database.withMigratedDatabase(logger: logger) { client in
        do {
            return try await AccountStore(client: client, logger: logger).setDisabled(name: name, disabled)
        } catch let error as AdminError {
            throw ValidationError("\(error)")
        }
    }
    guard found else { throw ValidationError("no account is named \(name)") }
}

struct DisableUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Disable an account: it cannot log in, and its session tokens and admin tokens are revoked.",
        discussion: "Refused for the last enabled admin. `tessera user enable` undoes it (revoked tokens stay revoked).")

    @Argument(help: "The avatar name.")
    var name: String

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await setDisabled(name, true, database: database)
        printLine("\(name) is disabled")
    }
}

struct EnableUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Enable a disabled account again.",
        discussion: """
            Its old session and admin tokens stay revoked: it logs in with its password, and an admin \
            gets a new console token with `tessera admin token create --user NAME`.
            """)

    @Argument(help: "The avatar name.")
    var name: String

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await setDisabled(name, false, database: database)
        printLine("\(name) is enabled")
    }
}
