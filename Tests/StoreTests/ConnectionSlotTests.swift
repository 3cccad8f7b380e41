import Store
import TestSupport
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured))
struct ConnectionSlotTests {
    @Test func connectsLazilyAndKeepsTheConnection() throws {
        let slot = ConnectionSlot(conninfo: try #require(TestDatabase.appConninfo))
        #expect(!slot.isConnected)
        let first = try slot.with { $0.backendPID }
        let second = try slot.with { $0.backendPID }
        #expect(slot.isConnected)
        #expect(first == second)
        slot.close()
        #expect(!slot.isConnected)
    }

    /// A backend of the same role may be terminated without superuser rights; the timeout makes the
    /// call return only once the process is gone.
    private static func terminate(_ pid: Int) throws {
        let killer = try TestDatabase.appConnection()
        let terminated = try killer.query("SELECT pg_terminate_backend(\(pid), 5000) AS done")
        #expect(try terminated.first?.bool("done") == true)
    }

    @Test func connectionLostDuringUseFailsOnceThenReconnects() throws {
        let slot = ConnectionSlot(conninfo: try #require(TestDatabase.appConninfo))
        let victim = try slot.with { $0.backendPID }
        let error = try #require(throws: StoreError.self) {
            try slot.with { connection in
                _ = try connection.queryPrepared("SELECT \(1) AS warm")
                try Self.terminate(connection.backendPID)
                return try connection.queryPrepared("SELECT \(1) AS warm")
            }
        }
        #expect(error.isConnectionFailure)
        #expect(!slot.isConnected)

        let (pid, warm) = try slot.with { connection in
            (connection.backendPID, try connection.queryPrepared("SELECT \(1) AS warm").first?.int("warm"))
        }
        #expect(warm == 1)
        #expect(pid != victim)
    }

    @Test func idleConnectionClosedByServerIsReplacedBeforeUse() throws {
        let slot = ConnectionSlot(conninfo: try #require(TestDatabase.appConninfo))
        let victim = try slot.with { connection in
            _ = try connection.queryPrepared("SELECT \(1) AS warm")
            return connection.backendPID
        }
        try Self.terminate(victim)
        let (pid, warm) = try slot.with { connection in
            (connection.backendPID, try connection.queryPrepared("SELECT \(1) AS warm").first?.int("warm"))
        }
        #expect(warm == 1)
        #expect(pid != victim)
    }

    @Test func unreachableServerThrowsConnectionFailure() throws {
        let slot = ConnectionSlot(conninfo: "host=/nonexistent/socket/dir port=1 connect_timeout=2")
        let error = try #require(throws: StoreError.self) { try slot.with { try $0.ping() } }
        #expect(error.isConnectionFailure)
        #expect(!slot.isConnected)
    }

    @Test func transactionLeftOpenIsRolledBack() throws {
        let slot = ConnectionSlot(conninfo: try #require(TestDatabase.appConninfo))
        try slot.with { connection in
            try connection.execute("CREATE TEMP TABLE leak (n int)")
            try connection.execute("BEGIN")
            try connection.execute("INSERT INTO leak VALUES (\(1))")
        }
        let (open, rows) = try slot.with { connection in
            (connection.isInTransaction, try connection.query("SELECT count(*) AS c FROM leak").first?.int("c"))
        }
        #expect(!open)
        #expect(rows == 0)
    }

    @Test func nestedUseSharesTheConnection() throws {
        let slot = ConnectionSlot(conninfo: try #require(TestDatabase.appConninfo))
        try slot.with { outer in
            try outer.transaction { _ in
                let sameConnection = try slot.with { inner in inner === outer && inner.isInTransaction }
                #expect(sameConnection)
            }
        }
    }

    @Test func storeErrorsDescribeConnectionFailures() {
        #expect(StoreError(kind: .query, sqlState: .adminShutdown, message: "x").isConnectionFailure)
        #expect(StoreError(kind: .query, sqlState: .cannotConnectNow, message: "x").isConnectionFailure)
        #expect(StoreError(kind: .query, sqlState: SQLState("08006"), message: "x").isConnectionFailure)
        #expect(!StoreError(kind: .query, sqlState: .uniqueViolation, message: "x").isConnectionFailure)
    }
}
