import ArgumentParser
import Foundation
import TesseraLocalGrid

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scripted scenes against a running grid.",
        subcommands: [InventoryDemoCommand.self]
    )
}

struct InventoryDemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Two avatars log in with their passwords; one gives an item to the other, rezzes one and takes it back.",
        discussion: """
            Make the accounts first with `tessera user create NAME`. Passwords are prompted for, or \
            read from standard input with --password-stdin (the giver's on the first line, the \
            taker's on the second).
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: "Client manager URL (default: the first client manager of the config).")
    var url: String?

    @Option(help: "The avatar that makes, gives, rezzes and takes the item.")
    var giver: String

    @Option(help: "The avatar that receives the item.")
    var taker: String

    @Flag(help: "Read the two passwords from standard input, one per line.")
    var passwordStdin = false

    @OptionGroup var trust: TrustOptions

    func run() async throws {
        let target: String
        if let url {
            target = url
        } else {
            guard let manager = try options.load().clientManagers.first else { throw ValidationError("no [[client_manager]] in \(options.config)") }
            target = manager.url
        }
        let giverPassword = try password(for: giver)
        let takerPassword = try password(for: taker)
        do {
            try await InventoryDemo(
                url: target, giver: .init(name: giver, password: giverPassword), taker: .init(name: taker, password: takerPassword),
                tls: try trust.tlsConfiguration(), output: printLine
            ).run()
        } catch {
            printLine("Inventory demo failed: \(error)")
            throw ExitCode(1)
        }
    }

    private func password(for name: String) throws -> String {
        if passwordStdin {
            guard let line = Swift.readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("no password for \(name) on standard input")
            }
            return line
        }
        guard let typed = getpass("Password for \(name): ").map({ String(cString: $0) }) else {
            throw ValidationError("cannot read a password from the terminal; use --password-stdin")
        }
        return typed
    }
}
