extension Connection {
    /// Runs `body` in a transaction: COMMIT if it returns, ROLLBACK if it throws.
    ///
    /// Nested calls become savepoints, so an inner failure can be caught without losing the outer
    /// work. If `body` swallowed a statement error, the transaction is already aborted on the server
    /// (a COMMIT would silently roll back), so this rolls back and throws instead of pretending.
    /// When rolling back fails too (typically because the connection died, which is why `body`
    /// threw), the original error is the one rethrown.
    @discardableResult
    public func transaction<T>(_ body: (Connection) throws -> T) throws -> T {
        if isInTransaction { return try savepoint(body) }
        try command("BEGIN")
        let value: T
        do {
            value = try body(self)
        } catch {
            rollbackQuietly("ROLLBACK")
            throw error
        }
        if isInFailedTransaction {
            rollbackQuietly("ROLLBACK")
            throw Self.swallowedFailure
        }
        try command("COMMIT")
        return value
    }

    /// The RLS wall: runs `body` in a transaction whose `parley.tenant_id` setting is `tenantID`, so
    /// every row-level security policy keyed on `parley_current_tenant()` admits that tenant's rows
    /// only, even for a query that forgets its `WHERE tenant_id = …`.
    ///
    /// The setting is transaction-local (`set_config(…, true)`): it ends with the transaction and
    /// cannot leak into the next request served by this connection. For that reason this refuses to
    /// run inside a transaction that is already open, whose scope it does not control.
    @discardableResult
    public func withTenant<T>(_ tenantID: String, _ body: (Connection) throws -> T) throws -> T {
        guard !tenantID.isEmpty else {
            throw StoreError(kind: .query, message: "withTenant needs a tenant id; an empty one would see no rows")
        }
        guard !isInTransaction else {
            throw StoreError(kind: .query, message: "withTenant must begin its own transaction, but one is already open")
        }
        return try transaction { connection in
            _ = try connection.queryPrepared("SELECT set_config('parley.tenant_id', \(tenantID), true)")
            return try body(connection)
        }
    }

    private func savepoint<T>(_ body: (Connection) throws -> T) throws -> T {
        savepointCounter += 1
        let name = "parley_savepoint_\(savepointCounter)"
        try command("SAVEPOINT \(name)")
        let value: T
        do {
            value = try body(self)
        } catch {
            rollbackQuietly("ROLLBACK TO SAVEPOINT \(name); RELEASE SAVEPOINT \(name)")
            throw error
        }
        if isInFailedTransaction {
            rollbackQuietly("ROLLBACK TO SAVEPOINT \(name); RELEASE SAVEPOINT \(name)")
            throw Self.swallowedFailure
        }
        try command("RELEASE SAVEPOINT \(name)")
        return value
    }

    /// Rollback on an error path: its own failure is dropped so it cannot mask the error that led here.
    private func rollbackQuietly(_ command: String) {
        guard isOK, isInTransaction else { return }
        _ = try? self.command(command)
    }

    private static var swallowedFailure: StoreError {
        StoreError(
            kind: .query, sqlState: .inFailedSQLTransaction,
            message: "a statement in the transaction failed and its error was caught; the transaction was rolled back")
    }
}
