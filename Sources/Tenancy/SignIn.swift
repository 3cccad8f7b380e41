import FoundationEssentials
import Store

/// Signing in to the admin console with email and password: tenant resolution, PBKDF2
/// verification, the lockout, and the new session.
///
/// Every wrong answer looks the same to the caller (`.invalid`), whether the email exists or not:
/// an unknown email still costs one PBKDF2 verification against a decoy hash, so timing does not
/// tell either. Only after the password is proven does the caller learn that the email exists in
/// several tenants (`.tenantRequired`, with those tenants).
public enum SignIn {
    /// Consecutive failures that lock a user, and for how long (seconds).
    public static let lockoutThreshold = 5
    public static let lockoutSeconds = 15 * 60

    public struct TenantSummary: Sendable, Equatable {
        public let id: String
        public let name: String
    }

    public struct Session: Sendable {
        public let user: SignedInUser
        public let tenant: TenantSummary
        /// For the cookie only: never logged, never stored.
        public let token: String
    }

    public enum Outcome: Sendable {
        case signedIn(Session)
        case invalid
        /// Locked after repeated failures; try again in `retryAfter` seconds.
        case locked(retryAfter: Int)
        /// The email and password are right in several tenants; ask again with one of these.
        case tenantRequired([TenantSummary])
        case tenantDisabled
    }

    /// A hash nobody's password matches, verified when no user has the email so that answer
    /// takes as long as a wrong password. Made once per process.
    static let decoy: String = (try? Passwords.hash("parley decoy password \(UInt64.random(in: 0 ... .max))")) ?? ""

    private struct Candidate {
        let userID: String
        let tenantID: String
        let email: String
        let passwordHash: String
        let role: Role?
        let lockedUntil: Date?
        let tenant: TenantSummary
        let tenantActive: Bool
        let checkedAt: Date

        init(row: Row) throws {
            userID = try row.string("user_id")
            tenantID = try row.string("tenant_id")
            email = try row.string("email")
            passwordHash = try row.string("password_hash")
            role = Role(rawValue: try row.string("role"))
            lockedUntil = try row.optionalDate("locked_until")
            tenant = TenantSummary(id: tenantID, name: try row.string("tenant_name"))
            tenantActive = try row.string("tenant_status") == Tenant.Status.active.rawValue
            checkedAt = try row.date("checked_at")
        }

        /// Seconds the lock still holds (measured on the database's clock), or nil if not locked.
        var lockRemaining: Double? {
            guard let lockedUntil, lockedUntil > checkedAt else { return nil }
            return lockedUntil.timeIntervalSince(checkedAt)
        }
    }

    public static func attempt(email: String, password: String, tenantID: String?, on connection: Connection) throws -> Outcome {
        let email = email.trimmingWhitespace()
        guard (3...254).contains(email.utf8.count), email.contains("@"), !password.isEmpty else {
            _ = Passwords.verify(password, against: decoy)
            return .invalid
        }
        var candidates = try connection.query("SELECT * FROM parley_login_candidates(\(email))").rows.map(Candidate.init(row:))
        if let tenantID { candidates = candidates.filter { $0.tenantID == tenantID } }
        guard !candidates.isEmpty else {
            _ = Passwords.verify(password, against: decoy)
            return .invalid
        }
        let open = candidates.filter { $0.lockRemaining == nil }
        guard !open.isEmpty else {
            let wait = candidates.compactMap(\.lockRemaining).min() ?? Double(lockoutSeconds)
            return .locked(retryAfter: max(1, Int(wait.rounded(.up))))
        }
        let matched = open.filter { $0.role != nil && Passwords.verify(password, against: $0.passwordHash) }
        guard let user = matched.first, let role = user.role else {
            for candidate in open { try recordFailure(candidate, on: connection) }
            return .invalid
        }
        if candidates.count > 1, tenantID == nil { return .tenantRequired(matched.map(\.tenant)) }
        guard user.tenantActive else { return .tenantDisabled }
        let (sessionID, token) = try connection.withTenant(user.tenantID) { tx in
            try tx.execute("""
                UPDATE users SET failed_logins = 0, locked_until = NULL
                 WHERE tenant_id = \(user.tenantID) AND id = \(user.userID) AND (failed_logins <> 0 OR locked_until IS NOT NULL)
                """)
            return try SessionStore.insert(tenantID: user.tenantID, userID: user.userID, in: tx)
        }
        return .signedIn(Session(user: SignedInUser(id: user.userID, email: user.email, role: role, sessionID: sessionID),
                                 tenant: user.tenant, token: token))
    }

    /// Counts a failure; the one that reaches the threshold locks the user and starts the count
    /// again, so after the lock ends there are another `lockoutThreshold` tries. One statement,
    /// so concurrent failures cannot lose counts.
    private static func recordFailure(_ candidate: Candidate, on connection: Connection) throws {
        try connection.withTenant(candidate.tenantID) { tx in
            try tx.execute("""
                UPDATE users
                   SET failed_logins = CASE WHEN failed_logins + 1 >= \(lockoutThreshold) THEN 0 ELSE failed_logins + 1 END,
                       locked_until = CASE WHEN failed_logins + 1 >= \(lockoutThreshold)
                                           THEN now() + make_interval(secs => \(Double(lockoutSeconds))) ELSE locked_until END
                 WHERE tenant_id = \(candidate.tenantID) AND id = \(candidate.userID)
                   AND (locked_until IS NULL OR locked_until <= now())
                """)
        }
    }
}
