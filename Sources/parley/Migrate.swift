import App
import ArgumentParser
import Store

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending sql/NNN_name.sql migrations in order, as the table owner.",
        discussion: "Refuses to run if a migration that already landed was edited since."
    )

    @Flag(help: "Only list pending migrations.") var dryRun = false

    func run() throws {
        let configuration = try CommandSupport.configuration()
        let migrator = try Migrator(directory: configuration.migrationsDirectory)
        let connection = try CommandSupport.ownerConnection()
        if dryRun {
            let pending = try migrator.pending(on: connection)
            print(pending.isEmpty ? "up to date" : pending.map { "pending \($0.filename)" }.joined(separator: "\n"))
            return
        }
        let applied = try migrator.migrate(connection)
        for migration in applied { print("applied \(migration.filename)") }
        print(applied.isEmpty ? "up to date" : "\(applied.count) migration(s) applied")
    }
}
