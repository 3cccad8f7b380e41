import FoundationEssentials
import Store
import Testing
import TestSupport
@testable import Tenancy

/// Sign-in, lockout and sessions against the migrated database, through the service role (RLS in
/// force); the owner connection only arranges fixtures and moves clocks.
@Suite(.enabled(if: TestDatabase.isConfigured, "needs the PostgreSQL scripts/test starts"))
struct SignInTests {
    static let password = "correct horse battery staple"

    struct Fixture {
        let owner: Connection
        let app: Connection
        let tenantID: String
        let userID: String
        let email: String

        func remove() { try? TestDatabase.deleteTenants([tenantID], on: owner) }

        func signIn(_ password: String = SignInTests.password) throws -> SignIn.Outcome {
            try SignIn.attempt(email: email, password: password, tenantID: nil, on: app)
        }
    }

    func fixture(role: Role = .admin) throws -> Fixture {
        let owner = try TestDatabase.ownerConnection()
        let tenant = try TenantStore.create(name: "Sign-in test", plan: "free", on: owner)
        let email = TestDatabase.uniqueName("user") + "@example.com"
        let userID = try UserStore.create(tenantID: tenant.id, email: email, password: Self.password, role: role, on: owner)
        return Fixture(owner: owner, app: try TestDatabase.appConnection(), tenantID: tenant.id, userID: userID, email: email)
    }

    func session(_ outcome: SignIn.Outcome) throws -> SignIn.Session {
        guard case .signedIn(let session) = outcome else { throw Failure("expected a session, got \(outcome)") }
        return session
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test func signInCreatesASessionStoredOnlyAsAHash() throws {
        let f = try fixture(role: .viewer)
        defer { f.remove() }
        let session = try session(try SignIn.attempt(email: f.email.uppercased(), password: Self.password, tenantID: nil, on: f.app))
        #expect(session.user.id == f.userID && session.user.role == .viewer)
        #expect(session.tenant.id == f.tenantID && session.tenant.name == "Sign-in test")

        let stored = try f.owner.query("SELECT * FROM sessions WHERE tenant_id = \(f.tenantID)").rows
        #expect(stored.count == 1)
        #expect(try stored[0].bytes("token_hash") == Crypto.sha256(session.token))
        #expect(!stored[0].columnNames.contains("token"))
        let lifetime = try stored[0].date("expires_at").timeIntervalSince(try stored[0].date("created_at"))
        #expect(abs(lifetime - Double(SessionStore.lifetime)) < 5)

        guard case .authenticated(let principal) = try SessionStore.authenticate(session.token, on: f.app) else {
            Issue.record("fresh session refused"); return
        }
        #expect(principal.tenant.id == f.tenantID)
        #expect(principal.user == session.user)
        #expect(principal.keyID == session.user.sessionID)
        #expect(principal.allows(.query) && principal.allows(.internal) && !principal.allows(.admin))
        guard case .unknown = try SessionStore.authenticate(try SessionToken.mint().token, on: f.app) else {
            Issue.record("unknown token accepted"); return
        }
        guard case .malformed = try SessionStore.authenticate("nope", on: f.app) else { Issue.record("malformed accepted"); return }
    }

    @Test func wrongPasswordAndUnknownEmailLookTheSame() throws {
        let f = try fixture()
        defer { f.remove() }
        guard case .invalid = try f.signIn("not the password at all") else { Issue.record("wrong password accepted"); return }
        guard case .invalid = try SignIn.attempt(email: "nobody-\(f.email)", password: Self.password, tenantID: nil, on: f.app) else {
            Issue.record("unknown email accepted"); return
        }
        guard case .invalid = try SignIn.attempt(email: f.email, password: Self.password, tenantID: "ten_abcdefghij2345abcdef", on: f.app) else {
            Issue.record("another tenant id accepted"); return
        }
    }

    @Test func fiveFailuresLockForFifteenMinutesAndTheLockEnds() throws {
        let f = try fixture()
        defer { f.remove() }
        for _ in 0..<SignIn.lockoutThreshold {
            guard case .invalid = try f.signIn("wrong password number x") else { Issue.record("not invalid"); return }
        }
        guard case .locked(let retryAfter) = try f.signIn() else { Issue.record("the right password got past the lock"); return }
        #expect((SignIn.lockoutSeconds - 5...SignIn.lockoutSeconds).contains(retryAfter))
        let row = try f.owner.query("SELECT failed_logins, locked_until > now() AS locked FROM users WHERE id = \(f.userID)").rows[0]
        #expect(try row.int("failed_logins") == 0 && row.bool("locked"))

        try f.owner.execute("UPDATE users SET locked_until = now() - interval '1 second' WHERE id = \(f.userID)")
        _ = try session(try f.signIn())
        let after = try f.owner.query("SELECT failed_logins, locked_until FROM users WHERE id = \(f.userID)").rows[0]
        #expect(try after.int("failed_logins") == 0 && after.optionalDate("locked_until") == nil)
    }

    @Test func aSuccessResetsTheCount() throws {
        let f = try fixture()
        defer { f.remove() }
        for _ in 0..<3 { _ = try f.signIn("wrong password number y") }
        _ = try session(try f.signIn())
        for _ in 0..<4 {
            guard case .invalid = try f.signIn("wrong password number z") else { Issue.record("locked too early"); return }
        }
        _ = try session(try f.signIn())
    }

    @Test func anEmailInTwoTenantsNeedsTheTenant() throws {
        let f = try fixture()
        defer { f.remove() }
        let other = try TenantStore.create(name: "Second tenant", plan: "free", on: f.owner)
        defer { try? TestDatabase.deleteTenants([other.id], on: f.owner) }
        _ = try UserStore.create(tenantID: other.id, email: f.email, password: Self.password, role: .agent, on: f.owner)

        guard case .tenantRequired(let tenants) = try f.signIn() else { Issue.record("ambiguous email signed in"); return }
        #expect(Set(tenants.map(\.id)) == [f.tenantID, other.id])
        guard case .invalid = try f.signIn("wrong password, ambiguous") else { Issue.record("tenants revealed without the password"); return }
        let chosen = try session(try SignIn.attempt(email: f.email, password: Self.password, tenantID: other.id, on: f.app))
        #expect(chosen.tenant.id == other.id && chosen.user.role == .agent)
    }

    @Test func sessionsEndBySignOutIdlenessExpiryAndTheirUser() throws {
        let f = try fixture()
        defer { f.remove() }
        func ended(_ token: String) throws -> Bool {
            if case .ended = try SessionStore.authenticate(token, on: f.app) { return true }
            return false
        }
        let a = try session(try f.signIn()), b = try session(try f.signIn()), c = try session(try f.signIn())

        try SessionStore.revoke(tenantID: f.tenantID, sessionID: a.user.sessionID, on: f.app)
        #expect(try ended(a.token))
        #expect(try !ended(b.token))

        try f.owner.execute("UPDATE sessions SET last_seen_at = now() - interval '13 hours' WHERE id = \(b.user.sessionID)")
        #expect(try ended(b.token), "idle for longer than 12 hours")
        try f.owner.execute("UPDATE sessions SET created_at = now() - interval '8 days', expires_at = now() - interval '1 second' WHERE id = \(c.user.sessionID)")
        #expect(try ended(c.token), "past its absolute expiry")

        let d = try session(try f.signIn()), e = try session(try f.signIn())
        // b and c ended by time but were never revoked: they are revoked now too, with d and e.
        #expect(try SessionStore.revokeAll(tenantID: f.tenantID, userID: f.userID, on: f.app) == 4)
        #expect(try ended(d.token) && ended(e.token))

        let g = try session(try f.signIn())
        try UserStore.disable(tenantID: f.tenantID, email: f.email, on: f.app)
        #expect(try ended(g.token))
        guard case .invalid = try f.signIn() else { Issue.record("a disabled user signed in"); return }
    }

    @Test func aDeletedUsersSessionsAreGone() throws {
        let f = try fixture()
        defer { f.remove() }
        let s = try session(try f.signIn())
        try f.owner.execute("DELETE FROM users WHERE id = \(f.userID)")
        guard case .unknown = try SessionStore.authenticate(s.token, on: f.app) else { Issue.record("deleted user's session lives"); return }
    }

    @Test func anotherTenantCannotSeeOrEndSessions() throws {
        let f = try fixture()
        defer { f.remove() }
        let s = try session(try f.signIn())
        let other = try TenantStore.create(name: "Other", plan: "free", on: f.owner)
        defer { try? TestDatabase.deleteTenants([other.id], on: f.owner) }
        let visible = try f.app.withTenant(other.id) { try $0.query("SELECT count(*) AS n FROM sessions").rows[0].int("n") }
        #expect(visible == 0)
        try SessionStore.revoke(tenantID: other.id, sessionID: s.user.sessionID, on: f.app)
        #expect(try SessionStore.revokeAll(tenantID: other.id, userID: f.userID, on: f.app) == 0)
        guard case .authenticated = try SessionStore.authenticate(s.token, on: f.app) else { Issue.record("ended by another tenant"); return }
    }
}
