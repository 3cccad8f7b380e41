import FoundationEssentials
import Store

/// Admin-console sessions. A session is created by `SignIn`, found on every cookie-authenticated
/// request through `parley_session_lookup` (the one door past RLS, by token hash) and ended by
/// sign-out; everything else runs under `withTenant` with the tenant in the WHERE clause.
///
/// Sessions are deliberately not cached like API keys: the console's traffic is small, and a
/// lookup per request is what makes sign-out, a role change, a disabled or deleted user take
/// effect on the very next request, with no invalidation to get wrong.
public enum SessionStore {
    /// A session unused for this long is over (12 hours).
    public static let idleTimeout = 12 * 3600
    /// And every session ends this long after sign-in (7 days), however busy; the cookie's
    /// Max-Age is the same.
    public static let lifetime = 7 * 24 * 3600

    public enum Outcome: Sendable {
        case authenticated(Principal)
        case malformed
        case unknown
        /// Signed out, idle too long or past its lifetime, or its user was disabled.
        case ended
        case tenantDisabled
    }

    /// Inserts a session for a user whose password was just verified; `tx` is a `withTenant`
    /// transaction of that tenant. Returns the session id and the token for the cookie.
    static func insert(tenantID: String, userID: String, in tx: Connection) throws -> (id: String, token: String) {
        let id = try Identifier.make(.session)
        let (token, hash) = try SessionToken.mint()
        try tx.execute("""
            INSERT INTO sessions (id, tenant_id, user_id, token_hash, expires_at)
            VALUES (\(id), \(tenantID), \(userID), \(hash), now() + make_interval(secs => \(Double(lifetime))))
            """)
        return (id, token)
    }

    /// Authenticates a presented cookie value: one round trip, which also refreshes
    /// `last_seen_at` at most once a minute.
    public static func authenticate(_ token: String, on connection: Connection) throws -> Outcome {
        guard SessionToken.isWellFormed(token) else { return .malformed }
        let hash = Crypto.sha256(token)
        let rows = try connection.queryPrepared("SELECT * FROM parley_session_lookup(\(hash), \(idleTimeout)::integer)").rows
        guard let row = rows.first else { return .unknown }
        // Found by this hash; comparing again in constant time keeps the decision free of timing
        // differences whatever the index does.
        guard Crypto.constantTimeEquals(try row.bytes("token_hash"), hash) else { return .unknown }
        let now = try row.date("checked_at")
        let idleSince = now.timeIntervalSince(try row.date("last_seen_at"))
        if try row.bool("revoked") || row.bool("user_disabled") || row.date("expires_at") <= now
            || idleSince >= TimeInterval(idleTimeout) {
            return .ended
        }
        guard let role = Role(rawValue: try row.string("role")) else { return .ended }
        let tenant = try Tenant(authenticationRow: row)
        guard tenant.status == .active else { return .tenantDisabled }
        let sessionID = try row.string("session_id")
        let user = SignedInUser(id: try row.string("user_id"), email: try row.string("email"), role: role, sessionID: sessionID)
        return .authenticated(Principal(keyID: sessionID, scopes: role.scopes, tenant: tenant, user: user))
    }

    /// Ends one session (sign-out). Ending an ended session is a no-op.
    public static func revoke(tenantID: String, sessionID: String, on connection: Connection) throws {
        try connection.withTenant(tenantID) { tx in
            try tx.execute("""
                UPDATE sessions SET revoked_at = now()
                 WHERE tenant_id = \(tenantID) AND id = \(sessionID) AND revoked_at IS NULL
                """)
        }
    }

    /// Ends every session of a user ("sign out everywhere"); returns how many were not yet revoked
    /// (sessions that ended by time included).
    @discardableResult
    public static func revokeAll(tenantID: String, userID: String, on connection: Connection) throws -> Int {
        try connection.withTenant(tenantID) { tx in try revokeAll(tenantID: tenantID, userID: userID, in: tx) }
    }

    static func revokeAll(tenantID: String, userID: String, in tx: Connection) throws -> Int {
        try tx.execute("""
            UPDATE sessions SET revoked_at = now()
             WHERE tenant_id = \(tenantID) AND user_id = \(userID) AND revoked_at IS NULL
            """)
    }
}
