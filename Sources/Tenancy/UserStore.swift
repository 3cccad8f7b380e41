import Store

/// Admin-console users of a tenant: created and disabled by the CLI, signed in by `SignIn`.
public enum UserStore {
    public static func create(tenantID: String, email: String, password: String, role: Role = .admin,
                              on connection: Connection) throws -> String {
        let email = email.trimmingWhitespace()
        guard email.contains("@"), email.count <= 254 else { throw TenancyError.invalid("'\(email)' is not an email address.") }
        let passwordHash = try Passwords.hash(password)
        let id = try Identifier.make(.user)
        do {
            try connection.withTenant(tenantID) { tx in
                try tx.execute("""
                    INSERT INTO users (id, tenant_id, email, password_hash, role)
                    VALUES (\(id), \(tenantID), \(email), \(passwordHash), \(role.rawValue))
                    """)
            }
        } catch SQLState.uniqueViolation {
            throw TenancyError.conflict("A user with email \(email) already exists for this tenant.")
        } catch SQLState.foreignKeyViolation {
            throw TenancyError.notFound("No tenant \(tenantID).")
        }
        return id
    }

    /// Disables a user and ends their sessions in the same transaction: their next request is
    /// refused, and they cannot sign in again. Returns the user's id.
    @discardableResult
    public static func disable(tenantID: String, email: String, on connection: Connection) throws -> String {
        try connection.withTenant(tenantID) { tx in
            let rows = try tx.query("""
                UPDATE users SET disabled_at = coalesce(disabled_at, now())
                 WHERE tenant_id = \(tenantID) AND lower(email) = lower(\(email.trimmingWhitespace()))
                RETURNING id
                """).rows
            guard let id = try rows.first?.string("id") else { throw TenancyError.notFound("No user \(email) in this tenant.") }
            _ = try SessionStore.revokeAll(tenantID: tenantID, userID: id, in: tx)
            return id
        }
    }

    /// Changes a user's role; it applies from their next request (sessions read the role each time).
    public static func setRole(_ role: Role, tenantID: String, email: String, on connection: Connection) throws {
        let changed = try connection.withTenant(tenantID) { tx in
            try tx.execute("""
                UPDATE users SET role = \(role.rawValue)
                 WHERE tenant_id = \(tenantID) AND lower(email) = lower(\(email.trimmingWhitespace()))
                """)
        }
        guard changed == 1 else { throw TenancyError.notFound("No user \(email) in this tenant.") }
    }
}
