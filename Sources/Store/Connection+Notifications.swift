internal import CLibPQ
import Glibc

/// LISTEN/NOTIFY: how one process learns, within milliseconds, that another changed something it
/// caches. A listening connection is dedicated to waiting (it runs no other queries), on its own
/// thread.
extension Connection {
    public struct Notification: Sendable, Equatable {
        public let channel: String
        public let payload: String

        public init(channel: String, payload: String) {
            self.channel = channel
            self.payload = payload
        }
    }

    /// Subscribes this connection to `channel` (an SQL identifier, quoted here).
    public func listen(_ channel: String) throws {
        try command("LISTEN \(SQL.quoteIdentifier(channel))")
    }

    /// Waits up to `timeoutMilliseconds` for notifications and returns those that arrived (empty
    /// on timeout). Throws a connection failure when the server went away, so the caller knows
    /// notifications may have been missed and must treat its cache as stale.
    public func waitForNotifications(timeoutMilliseconds: Int32) throws -> [Notification] {
        var received = drainNotifications()
        guard received.isEmpty else { return received }
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw StoreError(kind: .connection, message: "connection has no socket", sql: nil) }
        var entry = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, timeoutMilliseconds)
        if ready < 0 && errno != EINTR {
            throw StoreError(kind: .connection, message: "poll failed: \(String(cString: strerror(errno)))", sql: nil)
        }
        guard ready > 0 else { return [] }
        // Readable with nothing to read means the server closed the connection.
        guard PQconsumeInput(handle) == 1, isOK else {
            throw StoreError(kind: .connection, message: Self.trimmed(PQerrorMessage(handle)), sql: nil)
        }
        received = drainNotifications()
        return received
    }

    private func drainNotifications() -> [Notification] {
        var received: [Notification] = []
        while let notify = PQnotifies(handle) {
            received.append(Notification(channel: String(cString: notify.pointee.relname),
                                         payload: String(cString: notify.pointee.extra)))
            PQfreemem(notify)
        }
        return received
    }
}
