/// The connection a worker thread owns: made on first use, kept between requests, and replaced after
/// it fails.
///
/// A connection the server closed while it sat idle (restart, `pg_terminate_backend`) is noticed
/// before it is lent out, with a non-blocking read, and replaced. A connection that fails while in
/// use, or a server that is down, makes that use throw a `StoreError` whose `isConnectionFailure` is
/// true (the app answers 503); the dead connection is dropped and the next use connects afresh. So
/// a database restart needs no worker restart, and a use during the outage fails fast.
///
/// Thread rule: like `Connection`, not `Sendable`; one slot per thread. Calls may nest (the inner
/// call reuses the connection). `close()` or deinit closes the connection.
public final class ConnectionSlot {
    private let conninfo: String
    private var connection: Connection?
    private var depth = 0

    public init(conninfo: String) {
        self.conninfo = conninfo
    }

    /// True when a connection is open (it may still turn out dead on next use).
    public var isConnected: Bool { connection != nil }

    /// Lends the thread's connection to `body`, connecting first if there is none.
    ///
    /// After the outermost call, a transaction `body` left open is rolled back so the next request
    /// starts clean, and a connection that failed is dropped.
    @discardableResult
    public func with<T>(_ body: (Connection) throws -> T) throws -> T {
        let connection = try current()
        depth += 1
        defer { depth -= 1 }
        do {
            let value = try body(connection)
            settle(connection, after: nil)
            return value
        } catch {
            settle(connection, after: error)
            throw error
        }
    }

    /// Closes the connection; the next `with` reconnects.
    public func close() {
        connection = nil
    }

    private func current() throws -> Connection {
        if let connection, depth > 0 || connection.survivedIdle { return connection }
        connection = nil
        let fresh = try Connection(conninfo: conninfo)
        connection = fresh
        return fresh
    }

    private func settle(_ used: Connection, after error: (any Error)?) {
        guard depth == 1, connection === used else { return }
        if let storeError = error as? StoreError, storeError.isConnectionFailure {
            connection = nil
            return
        }
        guard used.isOK else {
            connection = nil
            return
        }
        if used.isInTransaction {
            do {
                try used.command("ROLLBACK")
            } catch {
                connection = nil
            }
        }
    }
}
