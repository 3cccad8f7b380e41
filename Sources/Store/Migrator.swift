internal import FoundationEssentials

/// Applies the numbered SQL files of a directory (`sql/`) in order, each in its own transaction
/// together with its row in `schema_migrations`, so a migration either lands completely and is
/// recorded, or leaves no trace.
///
/// Refuses to run (`StoreError(kind: .migration)`, naming the file) when the history no longer
/// matches the files: a landed file edited, removed or renamed, two files sharing a number, a
/// badly named `.sql` file, or a new file numbered below one that already landed. A session advisory
/// lock, keyed on the schema, makes a second migrator wait rather than race.
///
/// `schema_migrations` lives in the first schema of the connection's `search_path`, as the
/// migrations' own tables do. Migration files must not contain BEGIN/COMMIT, nor statements that
/// cannot run in a transaction (`CREATE INDEX CONCURRENTLY`).
public struct Migrator: Sendable {
    public let directory: String
    /// Every migration file, in version order.
    public let migrations: [Migration]

    /// Reads and checks the directory's `.sql` files; other files (README, dotfiles) are ignored.
    public init(directory: String) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw StoreError(kind: .migration, message: "cannot read migrations directory \(directory): \(error)")
        }
        var migrations: [Migration] = []
        for name in names where name.hasSuffix(".sql") && !name.hasPrefix(".") {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw StoreError(kind: .migration, message: "\(name): cannot be read")
            }
            migrations.append(try Migration(filename: name, bytes: Array(data)))
        }
        try self.init(directory: directory, migrations: migrations)
    }

    /// Migrations given directly (tests, embedded SQL); checked like a directory's.
    public init(directory: String = "(memory)", migrations: [Migration]) throws {
        let sorted = migrations.sorted { ($0.version, $0.filename) < ($1.version, $1.filename) }
        for (earlier, later) in zip(sorted, sorted.dropFirst()) where earlier.version == later.version {
            throw StoreError(
                kind: .migration,
                message: "\(earlier.filename) and \(later.filename) share number \(later.version); renumber one")
        }
        self.directory = directory
        self.migrations = sorted
    }

    /// Compares the files with `schema_migrations` without changing anything. Needs only SELECT on
    /// `schema_migrations`; a database without that table has every migration pending.
    public func status(on connection: Connection) throws -> MigrationStatus {
        let applied = try appliedMigrations(connection)
        let files = Dictionary(migrations.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [String] = []
        for landed in applied {
            let recorded = Migration.filename(version: landed.version, name: landed.name)
            guard let file = files[landed.version] else {
                problems.append("\(recorded) was applied but its file is missing from \(directory)")
                continue
            }
            if file.name != landed.name {
                problems.append("\(file.filename) has the number of the applied \(recorded); landed files must not be renamed")
            } else if file.checksum != landed.checksum {
                problems.append(
                    "\(file.filename) was edited after it was applied (checksum \(file.checksum) differs from recorded "
                        + "\(landed.checksum)); put changes in a new migration")
            }
        }
        let landedVersions = Set(applied.map(\.version))
        let newest = applied.map(\.version).max() ?? Int.min
        let pending = migrations.filter { !landedVersions.contains($0.version) }
        for file in pending where file.version < newest {
            problems.append("\(file.filename) is numbered below migration \(newest), which already landed; renumber it")
        }
        return MigrationStatus(applied: applied, pending: pending, problems: problems)
    }

    /// The migrations `migrate` would apply; throws if it would refuse.
    public func pending(on connection: Connection) throws -> [Migration] {
        let status = try status(on: connection)
        try Self.refuseIfInconsistent(status)
        return status.pending
    }

    /// Applies what is pending, in order, and returns it. Running it again applies nothing.
    @discardableResult
    public func migrate(_ connection: Connection) throws -> [Migration] {
        guard !connection.isInTransaction else {
            throw StoreError(kind: .migration, message: "migrate needs a connection outside any transaction")
        }
        let lockKey: SQL = "hashtext('parley.migrate:' || current_schema())"
        try connection.execute("SELECT pg_advisory_lock(\(lockKey))")
        defer {
            if connection.isOK { _ = try? connection.execute("SELECT pg_advisory_unlock(\(lockKey))") }
        }
        try connection.transaction { connection in
            try connection.executeScript(Self.createTableSQL)
        }
        // Read the history only now, under the lock, so a migrator that just finished is seen.
        let pending = try pending(on: connection)
        for migration in pending {
            try apply(migration, on: connection)
        }
        return pending
    }

    private func apply(_ migration: Migration, on connection: Connection) throws {
        do {
            try connection.transaction { connection in
                try connection.executeScript(migration.sql)
                guard connection.isInTransaction else {
                    throw StoreError(
                        kind: .migration,
                        message: "\(migration.filename) ended the migration's transaction; remove BEGIN/COMMIT from it")
                }
                try connection.execute(
                    """
                    INSERT INTO schema_migrations (version, name, checksum, applied_at)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum), now())
                    """)
            }
        } catch let error as StoreError where error.kind != .migration && !error.isConnectionFailure {
            throw StoreError(
                kind: .migration, sqlState: error.sqlState, message: "\(migration.filename): \(error.message)",
                sql: nil, constraint: error.constraint)
        }
    }

    private func appliedMigrations(_ connection: Connection) throws -> [AppliedMigration] {
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
        guard try exists.first?.bool("present") == true else { return [] }
        return try connection.query("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version")
            .map { row in
                AppliedMigration(
                    version: try row.int("version"), name: try row.string("name"),
                    checksum: try row.string("checksum"), appliedAt: try row.date("applied_at"))
            }
    }

    private static func refuseIfInconsistent(_ status: MigrationStatus) throws {
        guard status.problems.isEmpty else {
            throw StoreError(kind: .migration, message: "refusing to migrate: " + status.problems.joined(separator: "; "))
        }
    }

    static let createTableSQL = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    integer PRIMARY KEY,
            name       text NOT NULL,
            checksum   text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """
}
