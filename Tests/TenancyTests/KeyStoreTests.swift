import Store
import Testing
import TestSupport
@testable import Tenancy

@Suite(.enabled(if: TestDatabase.isConfigured, "needs the PostgreSQL scripts/test starts"))
struct KeyStoreTests {
    /// Keys are managed through the service role, as the API does, so RLS is in force throughout.
    @Test func serviceRoleCreatesListsAndRevokesWithinItsTenant() throws {
        let owner = try TestDatabase.ownerConnection()
        let tenant = try TenantStore.create(name: "Key store test", plan: "free", on: owner)
        defer { try? TestDatabase.deleteTenants([tenant.id], on: owner) }
        let app = try TestDatabase.appConnection()

        let (record, secret) = try KeyStore.create(tenantID: tenant.id, name: " ops ", scopes: [.query, .ingest], on: app)
        #expect(record.name == "ops")
        #expect(record.scopes == [.ingest, .query])
        #expect(try KeyStore.list(tenantID: tenant.id, on: app).map(\.id) == [record.id])

        guard case .authenticated(let principal) = try Authenticator.authenticate(secret, on: app) else {
            Issue.record("fresh key did not authenticate"); return
        }
        #expect(principal.tenant.id == tenant.id)
        #expect(principal.tenant.limits.maxAPIKeys == 3)
        #expect(principal.allows(.query) && !principal.allows(.admin))

        _ = try KeyStore.revoke(tenantID: tenant.id, reference: record.prefix, on: app)
        guard case .revoked = try Authenticator.authenticate(secret, on: app) else { Issue.record("revoked key accepted"); return }
    }

    @Test func anotherTenantsKeyIsNotFoundEvenByPrefix() throws {
        let owner = try TestDatabase.ownerConnection()
        let a = try TenantStore.create(name: "A", plan: "free", on: owner)
        let b = try TenantStore.create(name: "B", plan: "free", on: owner)
        defer { try? TestDatabase.deleteTenants([a.id, b.id], on: owner) }
        let app = try TestDatabase.appConnection()
        let (bKey, _) = try KeyStore.create(tenantID: b.id, name: "b", scopes: [.admin], on: app)
        for reference in [bKey.id, bKey.prefix] {
            #expect(throws: TenancyError.notFound("No such API key.")) { try KeyStore.find(tenantID: a.id, reference: reference, on: app) }
            #expect(throws: TenancyError.notFound("No such API key.")) { try KeyStore.revoke(tenantID: a.id, reference: reference, on: app) }
        }
        #expect(try KeyStore.list(tenantID: a.id, on: app).isEmpty)
        #expect(try KeyStore.find(tenantID: b.id, reference: bKey.id, on: app).revokedAt == nil)
    }

    @Test func planLimitCountsOnlyActiveKeys() throws {
        let owner = try TestDatabase.ownerConnection()
        let tenant = try TenantStore.create(name: "Limits", plan: "free", on: owner)
        defer { try? TestDatabase.deleteTenants([tenant.id], on: owner) }
        let app = try TestDatabase.appConnection()
        var first: KeyRecord?
        for index in 0..<3 {
            let (record, _) = try KeyStore.create(tenantID: tenant.id, name: "k\(index)", scopes: [.query], on: app)
            first = first ?? record
        }
        #expect(throws: TenancyError.self) { try KeyStore.create(tenantID: tenant.id, name: "k4", scopes: [.query], on: app) }
        _ = try KeyStore.revoke(tenantID: tenant.id, reference: first!.id, on: app)
        #expect(throws: Never.self) { try KeyStore.create(tenantID: tenant.id, name: "k4", scopes: [.query], on: app) }
    }

    @Test func disabledTenantsAndUnknownPlansAreHandled() throws {
        let owner = try TestDatabase.ownerConnection()
        #expect(throws: TenancyError.self) { try TenantStore.create(name: "x", plan: "platinum", on: owner) }
        let tenant = try TenantStore.create(name: "Disable me", plan: "pro", on: owner)
        defer { try? TestDatabase.deleteTenants([tenant.id], on: owner) }
        let (_, secret) = try KeyStore.create(tenantID: tenant.id, name: "k", scopes: [.admin], on: owner)
        _ = try TenantStore.setStatus(.disabled, tenantID: tenant.id, on: owner)
        guard case .tenantDisabled = try Authenticator.authenticate(secret, on: try TestDatabase.appConnection()) else {
            Issue.record("disabled tenant's key accepted"); return
        }
    }

    @Test func usersGetHashedPasswordsAndUniqueEmails() throws {
        let owner = try TestDatabase.ownerConnection()
        let tenant = try TenantStore.create(name: "Users", plan: "free", on: owner)
        defer { try? TestDatabase.deleteTenants([tenant.id], on: owner) }
        let id = try UserStore.create(tenantID: tenant.id, email: "Admin@Example.com", password: "a long enough password", on: owner)
        let stored = try owner.query("SELECT password_hash FROM users WHERE tenant_id = \(tenant.id) AND id = \(id)").rows.first?.string("password_hash")
        #expect(stored.map { Passwords.verify("a long enough password", against: $0) } == true)
        #expect(stored?.contains("a long enough password") == false)
        #expect(throws: TenancyError.self) {
            try UserStore.create(tenantID: tenant.id, email: "admin@example.com", password: "another long password", on: owner)
        }
    }
}
