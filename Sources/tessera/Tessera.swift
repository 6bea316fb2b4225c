import ArgumentParser

@main
struct Tessera: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera",
        abstract: "A server grid for a shared 3D virtual world.",
        discussion: """
            One executable, one subcommand per role. A grid is described by a TOML config \
            (grid-config/local.toml by default); every role reads the same file.
            """,
        subcommands: [Up.self, GridCommand.self, RegionCommand.self, PhysicsCommand.self, ScriptsCommand.self, ClientManagerCommand.self, Bots.self, Status.self, Demo.self, Bench.self, Migrate.self, User.self, Admin.self, ConsoleCLI.self, Certs.self,
            GuardPostgres.self,
            LSLCommand.self,
        ]
    )
}
