import Store
import Testing
import TestSupport

@Suite(.enabled(if: TestDatabase.isConfigured, "needs the PostgreSQL scripts/test starts"))
struct NotificationTests {
    @Test func listenerReceivesNotificationsAndTimesOutQuietly() throws {
        let listener = try TestDatabase.appConnection()
        let channel = TestDatabase.uniqueName("chan")
        try listener.listen(channel)
        #expect(try listener.waitForNotifications(timeoutMilliseconds: 50).isEmpty)
        let sender = try TestDatabase.appConnection()
        _ = try sender.query("SELECT pg_notify(\(channel), 'hello')")
        var received: [Connection.Notification] = []
        for _ in 0..<20 where received.isEmpty {
            received = try listener.waitForNotifications(timeoutMilliseconds: 100)
        }
        #expect(received == [Connection.Notification(channel: channel, payload: "hello")])
    }

    @Test func authChangesAreAnnouncedButLastUsedRefreshesAreNot() throws {
        let owner = try TestDatabase.ownerConnection()
        let tenant = try TestDatabase.createTenant(on: owner)
        defer { try? TestDatabase.deleteTenants([tenant], on: owner) }
        let keyID = TestDatabase.randomID(prefix: "key")
        try owner.execute("""
            INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, scopes)
            VALUES (\(keyID), \(tenant), 'k', 'pk_live_x', \([UInt8](repeating: 7, count: 32)), \(["query"]))
            """)
        let listener = try TestDatabase.appConnection()
        try listener.listen("parley_auth")
        func drained() throws -> Int {
            var count = 0
            while true {
                let batch = try listener.waitForNotifications(timeoutMilliseconds: 200)
                if batch.isEmpty { return count }
                count += batch.count
            }
        }
        _ = try drained()
        _ = try TestDatabase.appConnection().query("SELECT parley_touch_key(\(keyID))")
        #expect(try drained() == 0, "last_used_at refreshes must not flush every worker's cache")
        try owner.execute("UPDATE api_keys SET revoked_at = now() WHERE id = \(keyID)")
        #expect(try drained() >= 1)
        try owner.execute("UPDATE tenants SET status = 'disabled' WHERE id = \(tenant)")
        #expect(try drained() >= 1)
    }
}
