import FoundationEssentials
import Store
import TestSupport
import Testing

/// Migrations run as the owner in a throwaway schema, from a throwaway directory.
@Suite(.enabled(if: TestDatabase.isConfigured))
struct MigratorTests {
    /// A temporary migrations directory, removed when the test ends.
    final class Directory {
        let path: String

        init() throws {
            path = FileManager.default.temporaryDirectory.path + "/" + TestDatabase.uniqueName("migrations")
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }

        func write(_ name: String, _ sql: String) {
            _ = FileManager.default.createFile(atPath: path + "/" + name, contents: Data(sql.utf8))
        }

        func remove(_ name: String) throws {
            try FileManager.default.removeItem(atPath: path + "/" + name)
        }
    }

    private static func tableExists(_ name: String, on connection: Connection) throws -> Bool {
        try #require(try connection.query("SELECT to_regclass(\(name)) IS NOT NULL AS e").first).bool("e")
    }

    @Test func appliesInOrderRecordsChecksumsAndIsIdempotent() throws {
        let directory = try Directory()
        directory.write("002_second.sql", "CREATE TABLE second_table (id int REFERENCES first_table (id));\n")
        directory.write("001_first.sql", "CREATE TABLE first_table (id int PRIMARY KEY);\nINSERT INTO first_table VALUES (1);\n")
        directory.write("README.md", "not a migration")
        try TestDatabase.withScratchSchema { connection, schema in
            let migrator = try Migrator(directory: directory.path)
            #expect(migrator.migrations.map(\.filename) == ["001_first.sql", "002_second.sql"])
            #expect(try migrator.pending(on: connection).map(\.version) == [1, 2])

            let applied = try migrator.migrate(connection)
            #expect(applied.map(\.version) == [1, 2])
            #expect(try Self.tableExists("\(schema).second_table", on: connection))

            let recorded = try connection.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
            #expect(try recorded.map { try $0.int("version") } == [1, 2])
            #expect(try recorded.map { try $0.string("name") } == ["first", "second"])
            #expect(try recorded.map { try $0.string("checksum") } == migrator.migrations.map(\.checksum))
            #expect(migrator.migrations[0].checksum == Migration(version: 1, name: "first", sql: "CREATE TABLE first_table (id int PRIMARY KEY);\nINSERT INTO first_table VALUES (1);\n").checksum)

            #expect(try migrator.migrate(connection).isEmpty)
            let status = try migrator.status(on: connection)
            #expect(status.isUpToDate)
            #expect(status.applied.map(\.version) == [1, 2])

            directory.write("003_third.sql", "ALTER TABLE second_table ADD COLUMN note text;")
            let later = try Migrator(directory: directory.path)
            #expect(try later.migrate(connection).map(\.filename) == ["003_third.sql"])
        }
    }

    @Test func refusesAnEditedLandedMigration() throws {
        let directory = try Directory()
        directory.write("001_first.sql", "CREATE TABLE first_table (id int);")
        try TestDatabase.withScratchSchema { connection, _ in
            try Migrator(directory: directory.path).migrate(connection)
            directory.write("001_first.sql", "CREATE TABLE first_table (id bigint);")
            directory.write("002_second.sql", "CREATE TABLE second_table (id int);")
            let edited = try Migrator(directory: directory.path)
            let error = try #require(throws: StoreError.self) { try edited.migrate(connection) }
            #expect(error.kind == .migration)
            #expect(error.message.contains("001_first.sql"))
            #expect(try !Self.tableExists("second_table", on: connection))
            #expect(!(try edited.status(on: connection).problems.isEmpty))
            #expect(throws: StoreError.self) { try edited.pending(on: connection) }
        }
    }

    @Test func refusesARemovedOrRenamedLandedMigration() throws {
        let directory = try Directory()
        directory.write("001_first.sql", "SELECT 1;")
        directory.write("002_second.sql", "SELECT 2;")
        try TestDatabase.withScratchSchema { connection, _ in
            try Migrator(directory: directory.path).migrate(connection)
            try directory.remove("002_second.sql")
            let removed = try #require(throws: StoreError.self) { try Migrator(directory: directory.path).migrate(connection) }
            #expect(removed.kind == .migration)
            #expect(removed.message.contains("002_second.sql"))

            directory.write("002_renamed.sql", "SELECT 2;")
            let renamed = try #require(throws: StoreError.self) { try Migrator(directory: directory.path).migrate(connection) }
            #expect(renamed.message.contains("002_renamed.sql"))
        }
    }

    @Test func refusesANewFileNumberedBelowALandedOne() throws {
        let directory = try Directory()
        directory.write("001_first.sql", "SELECT 1;")
        directory.write("003_third.sql", "SELECT 3;")
        try TestDatabase.withScratchSchema { connection, _ in
            try Migrator(directory: directory.path).migrate(connection)
            directory.write("002_late.sql", "SELECT 2;")
            let error = try #require(throws: StoreError.self) { try Migrator(directory: directory.path).migrate(connection) }
            #expect(error.message.contains("002_late.sql"))
        }
    }

    @Test func refusesDuplicateNumbersAndBadNames() throws {
        let duplicates = try Directory()
        duplicates.write("004_alpha.sql", "SELECT 1;")
        duplicates.write("0004_beta.sql", "SELECT 2;")
        let duplicate = try #require(throws: StoreError.self) { try Migrator(directory: duplicates.path) }
        #expect(duplicate.kind == .migration)
        #expect(duplicate.message.contains("004_alpha.sql") && duplicate.message.contains("0004_beta.sql"))

        for badName in ["4_short.sql", "005-dash.sql", "006_Upper.sql", "007_.sql", "abc_name.sql"] {
            let directory = try Directory()
            directory.write(badName, "SELECT 1;")
            let error = try #require(throws: StoreError.self) { try Migrator(directory: directory.path) }
            #expect(error.message.contains(badName))
        }

        #expect(throws: StoreError.self) { try Migrator(directory: "/nonexistent/migrations") }
    }

    @Test func failedMigrationLeavesNoTrace() throws {
        let directory = try Directory()
        directory.write("001_first.sql", "CREATE TABLE first_table (id int);")
        directory.write("002_broken.sql", "CREATE TABLE half_done (id int);\nSELECT 1 / 0;\n")
        try TestDatabase.withScratchSchema { connection, _ in
            let error = try #require(throws: StoreError.self) { try Migrator(directory: directory.path).migrate(connection) }
            #expect(error.kind == .migration)
            #expect(error.sqlState == SQLState("22012"))
            #expect(error.message.contains("002_broken.sql"))
            #expect(try Self.tableExists("first_table", on: connection))
            #expect(try !Self.tableExists("half_done", on: connection))
            let versions = try connection.query("SELECT version FROM schema_migrations").map { try $0.int("version") }
            #expect(versions == [1])
            #expect(!connection.isInTransaction)
        }
    }

    @Test func migrationThatCommitsItselfIsRefused() throws {
        let directory = try Directory()
        directory.write("001_sneaky.sql", "CREATE TABLE sneaky (id int); COMMIT;")
        try TestDatabase.withScratchSchema { connection, _ in
            let error = try #require(throws: StoreError.self) { try Migrator(directory: directory.path).migrate(connection) }
            #expect(error.kind == .migration)
            #expect(error.message.contains("001_sneaky.sql"))
            #expect(try connection.query("SELECT version FROM schema_migrations").isEmpty)
        }
    }

    @Test func concurrentMigratorsApplyEachFileOnce() async throws {
        let directory = try Directory()
        directory.write("001_slow.sql", "SELECT pg_sleep(0.3);\nCREATE TABLE slow_table (id int);")
        let path = directory.path
        let owner = try TestDatabase.ownerConnection()
        let schema = TestDatabase.uniqueName("scratch")
        try owner.execute("CREATE SCHEMA \(identifier: schema)")
        defer { _ = try? owner.execute("DROP SCHEMA IF EXISTS \(identifier: schema) CASCADE") }

        // Two migrators at once, each on its own connection: the advisory lock makes the second
        // wait and then find nothing pending, instead of failing on a duplicate table or row.
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    let connection = try TestDatabase.ownerConnection()
                    try connection.execute("SELECT set_config('search_path', \(SQL.quoteIdentifier(schema)), false)")
                    return try Migrator(directory: path).migrate(connection).count
                }
            }
            var counts: [Int] = []
            for try await count in group { counts.append(count) }
            return counts
        }
        #expect(counts.sorted() == [0, 1])
    }
}
