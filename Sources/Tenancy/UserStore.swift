import Store

/// Admin users of a tenant (the admin pages use them in a later release).
public enum UserStore {
    public static func create(tenantID: String, email: String, password: String, role: String = "admin",
                              on connection: Connection) throws -> String {
        let email = email.trimmingWhitespace()
        guard email.contains("@"), email.count <= 254 else { throw TenancyError.invalid("'\(email)' is not an email address.") }
        guard ["admin", "agent"].contains(role) else { throw TenancyError.invalid("A role is admin or agent.") }
        let passwordHash = try Passwords.hash(password)
        let id = try Identifier.make(.user)
        do {
            try connection.withTenant(tenantID) { tx in
                try tx.execute("""
                    INSERT INTO users (id, tenant_id, email, password_hash, role)
                    VALUES (\(id), \(tenantID), \(email), \(passwordHash), \(role))
                    """)
            }
        } catch SQLState.uniqueViolation {
            throw TenancyError.conflict("A user with email \(email) already exists for this tenant.")
        } catch SQLState.foreignKeyViolation {
            throw TenancyError.notFound("No tenant \(tenantID).")
        }
        return id
    }
}
