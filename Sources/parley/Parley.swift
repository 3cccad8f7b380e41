import App
import ArgumentParser
import Store

@main
struct Parley: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parley",
        abstract: "Parley: grounded answers from your documents, served by a FastCGI pool behind nginx.",
        version: ParleyVersion.current,
        subcommands: [Serve.self, Migrate.self, IngestCommand.self, IndexCommand.self, EvalCommand.self, MaintainCommand.self, TenantCommand.self, KeyCommand.self, UserCommand.self, ProviderCommand.self,
                      EmbedCommand.self, Doctor.self]
    )
}

/// Shared by the subcommands: the parsed configuration and an owner connection for admin work.
enum CommandSupport {
    static func configuration() throws -> Configuration {
        try Configuration(environment: ProcessEnvironment.current())
    }

    static func ownerConnection() throws -> Connection {
        try Connection(conninfo: try configuration().requireOwnerDatabaseURL())
    }
}
