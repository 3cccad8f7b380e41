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
        // Other tests change keys and tenants in parallel, so look for this test's own
        // transactions in the payloads ("table txid") rather than counting notifications.
        func payloads(waitingFor expected: String?) throws -> [String] {
            var seen: [String] = []
            for _ in 0..<25 {
                seen += try listener.waitForNotifications(timeoutMilliseconds: 100).map(\.payload)
                if let expected, seen.contains(expected) { break }
            }
            return seen
        }
        func transactionID(_ body: (Connection) throws -> Void) throws -> String {
            try owner.transaction { tx in
                let id = try tx.query("SELECT txid_current()::text AS id").rows.first?.string("id") ?? "?"
                try body(tx)
                return id
            }
        }
        let touch = try transactionID { _ = try $0.query("SELECT parley_touch_key(\(keyID))") }
        #expect(try !payloads(waitingFor: nil).contains("api_keys \(touch)"),
                "last_used_at refreshes must not flush every worker's cache")
        let revoke = try transactionID { try $0.execute("UPDATE api_keys SET revoked_at = now() WHERE id = \(keyID)") }
        #expect(try payloads(waitingFor: "api_keys \(revoke)").contains("api_keys \(revoke)"))
        let disable = try transactionID { try $0.execute("UPDATE tenants SET status = 'disabled' WHERE id = \(tenant)") }
        #expect(try payloads(waitingFor: "tenants \(disable)").contains("tenants \(disable)"))
    }
}
