import Store
import TestSupport
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured))
struct ConnectionTests {
    @Test func connectsAndAnswersPing() throws {
        let connection = try TestDatabase.appConnection()
        #expect(connection.isOK)
        #expect(connection.serverVersion >= 100_000)
        #expect(connection.backendPID > 0)
        try connection.ping()
    }

    @Test func failedConnectNamesNoPassword() throws {
        let error = try #require(throws: StoreError.self) {
            try Connection(conninfo: "host=/nonexistent/socket/dir port=1 user=nobody password=hunter2secret connect_timeout=2")
        }
        #expect(error.kind == .connection)
        #expect(error.isConnectionFailure)
        #expect(!error.message.isEmpty)
        #expect(!error.description.contains("hunter2secret"))
    }

    @Test func unparsableConninfoIsNotEchoed() throws {
        let error = try #require(throws: StoreError.self) {
            try Connection(conninfo: "host=/tmp password hunter2secret")
        }
        #expect(error.kind == .connection)
        #expect(!error.description.contains("hunter2secret"))
    }

    @Test func executeReportsAffectedRows() throws {
        let connection = try TestDatabase.appConnection()
        try connection.executeScript("CREATE TEMP TABLE counted (n int); INSERT INTO counted SELECT generate_series(1, 5);")
        #expect(try connection.execute("UPDATE counted SET n = n + 1 WHERE n > \(2)") == 3)
        #expect(try connection.execute("DELETE FROM counted") == 5)
        let result = try connection.query("SELECT 1 AS a UNION ALL SELECT 2")
        #expect(result.count == 2)
        #expect(result.affectedRows == 2)
        #expect(result.commandTag == "SELECT 2")
        #expect(try result.map { try $0.int("a") } == [1, 2])
    }

    @Test func preparedStatementsArePreparedOncePerTextAndTypes() throws {
        let connection = try TestDatabase.appConnection()
        let first = try connection.queryPrepared("SELECT \(20) + 1 AS n")
        let second = try connection.queryPrepared("SELECT \(41) + 1 AS n")
        #expect(try first.first?.int("n") == 21)
        #expect(try second.first?.int("n") == 42)
        let statementText = "SELECT $1 + 1 AS n"
        let count = try connection.query("SELECT count(*) AS c FROM pg_prepared_statements WHERE statement = \(statementText)")
        #expect(try count.first?.int("c") == 1)
        // A parameter of another type needs its own statement: prepared parameter types are fixed.
        _ = try connection.queryPrepared("SELECT \(Int.max - 1) + 1 AS n")
        let after = try connection.query("SELECT count(*) AS c FROM pg_prepared_statements WHERE statement = \(statementText)")
        #expect(try after.first?.int("c") == 2)
    }

    @Test func lostPreparedStatementIsPreparedAgain() throws {
        let connection = try TestDatabase.appConnection()
        #expect(try connection.queryPrepared("SELECT \("again") AS word").first?.string("word") == "again")
        try connection.execute("DEALLOCATE ALL")
        #expect(try connection.queryPrepared("SELECT \("again") AS word").first?.string("word") == "again")
    }

    @Test func catchMatchesSQLState() throws {
        let connection = try TestDatabase.appConnection()
        try connection.execute("CREATE TEMP TABLE uniques (value text CONSTRAINT uniques_value_key UNIQUE)")
        let secret = "secret-value-\(TestDatabase.uniqueName())"
        try connection.execute("INSERT INTO uniques VALUES (\(secret))")
        var matched = false
        do {
            try connection.execute("INSERT INTO uniques VALUES (\(secret))")
        } catch SQLState.uniqueViolation {
            matched = true
        } catch {
            Issue.record("expected a unique violation, got \(error)")
        }
        #expect(matched)
        let error = try #require(throws: StoreError.self) { try connection.execute("INSERT INTO uniques VALUES (\(secret))") }
        #expect(error.sqlState == .uniqueViolation)
        #expect(error.constraint == "uniques_value_key")
        #expect(error.sql == "INSERT INTO uniques VALUES ($1)")
        #expect(!error.isConnectionFailure)
        // The server's DETAIL line would quote the value; it must not reach the description.
        #expect(!error.description.contains(secret))
        #expect(!(SQLState.checkViolation ~= error))
    }

    @Test func dataExceptionsDoNotEchoTheInput() throws {
        let connection = try TestDatabase.appConnection()
        let secret = "not-a-uuid-\(TestDatabase.uniqueName())"
        let error = try #require(throws: StoreError.self) { try connection.query("SELECT \(secret)::uuid") }
        #expect(error.sqlState == .invalidTextRepresentation)
        #expect(error.message.contains("uuid"))
        #expect(!error.description.contains(secret))
    }

    @Test func unsupportedTypeErrorNamesColumnAndOID() throws {
        let connection = try TestDatabase.appConnection()
        let row = try #require(try connection.query("SELECT interval '1 day' AS span, 1 AS fine").first)
        #expect(try row.int("fine") == 1)
        let error = try #require(throws: StoreError.self) { try row.string("span") }
        #expect(error.kind == .decoding)
        #expect(error.message.contains("\"span\""))
        #expect(error.message.contains("1186"))
        #expect(error.sql == "SELECT interval '1 day' AS span, 1 AS fine")
    }

    @Test func wrongTypeErrorNamesColumn() throws {
        let connection = try TestDatabase.appConnection()
        let row = try #require(try connection.query("SELECT 'words'::text AS label").first)
        let error = try #require(throws: StoreError.self) { try row.int("label") }
        #expect(error.kind == .decoding)
        #expect(error.message.contains("\"label\""))
        #expect(error.message.contains("text"))
        let missing = try #require(throws: StoreError.self) { try row.string("lable") }
        #expect(missing.message.contains("lable"))
    }

    @Test func syntaxErrorCarriesStateAndSQL() throws {
        let connection = try TestDatabase.appConnection()
        let error = try #require(throws: StoreError.self) { try connection.query("SELEC 1") }
        #expect(error.kind == .query)
        #expect(error.sqlState == .syntaxError)
        #expect(error.sql == "SELEC 1")
        #expect(connection.isOK)
        try connection.ping()
    }
}
