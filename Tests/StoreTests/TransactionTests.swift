import Store
import TestSupport
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured))
struct TransactionTests {
    struct Boom: Error {}

    let connection: Connection

    init() throws {
        connection = try TestDatabase.appConnection()
        try connection.execute("CREATE TEMP TABLE ledger (n int)")
    }

    private func count() throws -> Int {
        try #require(try connection.query("SELECT count(*) AS c FROM ledger").first).int("c")
    }

    @Test func commitsWhenBodyReturns() throws {
        let value = try connection.transaction { connection in
            #expect(connection.isInTransaction)
            try connection.execute("INSERT INTO ledger VALUES (\(1))")
            return "done"
        }
        #expect(value == "done")
        #expect(!connection.isInTransaction)
        #expect(try count() == 1)
    }

    @Test func rollsBackAndRethrowsWhenBodyThrows() throws {
        #expect(throws: Boom.self) {
            try connection.transaction { connection in
                try connection.execute("INSERT INTO ledger VALUES (\(1))")
                throw Boom()
            }
        }
        #expect(!connection.isInTransaction)
        #expect(try count() == 0)
    }

    @Test func nestedTransactionIsASavepoint() throws {
        try connection.transaction { connection in
            try connection.execute("INSERT INTO ledger VALUES (\(1))")
            do {
                try connection.transaction { connection in
                    try connection.execute("INSERT INTO ledger VALUES (\(2))")
                    throw Boom()
                }
            } catch is Boom {}
            try connection.transaction { connection in
                try connection.execute("INSERT INTO ledger VALUES (\(3))")
            }
        }
        let values = try connection.query("SELECT n FROM ledger ORDER BY n").map { try $0.int("n") }
        #expect(values == [1, 3])
    }

    @Test func innerFailureCanBeRecoveredInASavepoint() throws {
        try connection.transaction { connection in
            try connection.execute("INSERT INTO ledger VALUES (\(1))")
            #expect(throws: StoreError.self) {
                try connection.transaction { connection in try connection.execute("SELECT 1 / \(0)") }
            }
            try connection.execute("INSERT INTO ledger VALUES (\(2))")
        }
        #expect(try count() == 2)
    }

    @Test func swallowedStatementErrorIsNotReportedAsCommitted() throws {
        let error = try #require(throws: StoreError.self) {
            try connection.transaction { connection in
                try connection.execute("INSERT INTO ledger VALUES (\(1))")
                _ = try? connection.execute("SELECT 1 / \(0)")
            }
        }
        #expect(error.sqlState == .inFailedSQLTransaction)
        #expect(!connection.isInTransaction)
        #expect(try count() == 0)
    }

    @Test func withTenantScopesTheSettingToItsTransaction() throws {
        let tenant = TestDatabase.randomID(prefix: "ten")
        let inside = try connection.withTenant(tenant) { connection in
            try #require(try connection.query("SELECT parley_current_tenant() AS t").first).optionalString("t")
        }
        #expect(inside == tenant)
        let after = try #require(try connection.query("SELECT parley_current_tenant() AS t").first)
        #expect(try after.optionalString("t") == nil)
    }

    @Test func withTenantRefusesAnOpenTransaction() throws {
        let error = try #require(throws: StoreError.self) {
            try connection.transaction { connection in
                try connection.withTenant(TestDatabase.randomID(prefix: "ten")) { _ in }
            }
        }
        #expect(error.kind == .query)
        #expect(!connection.isInTransaction)
        #expect(throws: StoreError.self) { try connection.withTenant("") { _ in } }
    }
}
