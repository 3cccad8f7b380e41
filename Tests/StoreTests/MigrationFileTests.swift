import Store
import Testing

/// File-level rules that need no database.
@Suite struct MigrationFileTests {
    @Test func checksumIsSHA256OfTheBytes() {
        // FIPS 180-2 test vector.
        let migration = Migration(version: 1, name: "abc", sql: "abc")
        #expect(migration.checksum == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(migration.filename == "001_abc.sql")
    }

    @Test func migrationsAreOrderedByNumber() throws {
        let migrator = try Migrator(migrations: [
            Migration(version: 10, name: "ten", sql: "SELECT 10"),
            Migration(version: 2, name: "two", sql: "SELECT 2"),
            Migration(version: 1, name: "one", sql: "SELECT 1"),
        ])
        #expect(migrator.migrations.map(\.version) == [1, 2, 10])
    }

    @Test func duplicateNumbersAreRefused() throws {
        let error = try #require(throws: StoreError.self) {
            try Migrator(migrations: [
                Migration(version: 3, name: "alpha", sql: "SELECT 1"),
                Migration(version: 3, name: "beta", sql: "SELECT 2"),
            ])
        }
        #expect(error.kind == .migration)
        #expect(error.message.contains("003_alpha.sql"))
        #expect(error.message.contains("003_beta.sql"))
    }
}
