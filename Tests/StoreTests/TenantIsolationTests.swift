import Store
import TestSupport
import Testing

/// The second wall: as the service role, queries that forget `WHERE tenant_id = …` still see only
/// the tenant named by `withTenant`, and nothing at all outside it.
@Suite(.enabled(if: TestDatabase.isConfigured))
struct TenantIsolationTests {
    private static func insertKey(for tenant: String, on owner: Connection) throws -> String {
        let id = TestDatabase.randomID(prefix: "key")
        var generator = SystemRandomNumberGenerator()
        let hash = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try owner.execute("""
            INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, scopes)
            VALUES (\(id), \(tenant), \("test key"), \("pk_test"), \(hash), \(["query"]))
            """)
        return id
    }

    @Test func serviceRoleSeesOnlyTheCurrentTenant() throws {
        let owner = try TestDatabase.ownerConnection()
        let tenantA = try TestDatabase.createTenant(on: owner, name: "Tenant A")
        let tenantB = try TestDatabase.createTenant(on: owner, name: "Tenant B")
        defer { _ = try? TestDatabase.deleteTenants([tenantA, tenantB], on: owner) }
        let keysA = try [Self.insertKey(for: tenantA, on: owner), Self.insertKey(for: tenantA, on: owner)]
        let keyB = try Self.insertKey(for: tenantB, on: owner)

        let app = try TestDatabase.appConnection()
        let seen = try app.withTenant(tenantA) { connection in
            try connection.query("SELECT * FROM api_keys").map { (try $0.string("id"), try $0.string("tenant_id")) }
        }
        #expect(Set(seen.map(\.0)) == Set(keysA))
        #expect(seen.allSatisfy { $0.1 == tenantA })
        #expect(!seen.contains { $0.0 == keyB })

        let tenants = try app.withTenant(tenantA) { connection in
            try connection.query("SELECT id FROM tenants").map { try $0.string("id") }
        }
        #expect(tenants == [tenantA])

        // Outside withTenant (and after it) the service role sees nothing.
        #expect(try app.query("SELECT * FROM api_keys").isEmpty)
        #expect(try app.query("SELECT * FROM tenants").isEmpty)
        // The owner, which RLS does not bind, still sees both tenants' keys.
        let ownerCount = try owner.query("SELECT count(*) AS c FROM api_keys WHERE tenant_id IN (\(tenantA), \(tenantB))")
        #expect(try ownerCount.first?.int("c") == 3)
    }

    @Test func serviceRoleCannotWriteAnotherTenantsRows() throws {
        let owner = try TestDatabase.ownerConnection()
        let tenantA = try TestDatabase.createTenant(on: owner)
        let tenantB = try TestDatabase.createTenant(on: owner)
        defer { _ = try? TestDatabase.deleteTenants([tenantA, tenantB], on: owner) }
        let keyB = try Self.insertKey(for: tenantB, on: owner)

        let app = try TestDatabase.appConnection()
        var refused = false
        do {
            try app.withTenant(tenantA) { connection in
                _ = try Self.insertKey(for: tenantB, on: connection)
            }
        } catch SQLState.insufficientPrivilege {
            refused = true
        }
        #expect(refused)
        #expect(!app.isInTransaction)

        // Updates and deletes of B's rows under A's setting find nothing to touch.
        let touched = try app.withTenant(tenantA) { connection in
            try connection.execute("UPDATE api_keys SET name = \("stolen") WHERE id = \(keyB)")
                + connection.execute("DELETE FROM api_keys WHERE id = \(keyB)")
        }
        #expect(touched == 0)
        let name = try owner.query("SELECT name FROM api_keys WHERE id = \(keyB)")
        #expect(try name.first?.string("name") == "test key")
    }
}
