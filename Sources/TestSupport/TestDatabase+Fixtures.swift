public import Store

/// Rows that many modules' tests need, inserted as the owner (RLS does not stop it) so a test can
/// then look at them through the service role.
extension TestDatabase {
    /// Inserts a tenant on `plan` and returns its id. Pair with `deleteTenants`.
    @discardableResult
    public static func createTenant(on owner: Connection, name: String = "Test tenant", plan: String = "free") throws -> String {
        let id = randomID(prefix: "ten")
        try owner.execute("INSERT INTO tenants (id, name, plan_id) VALUES (\(id), \(name), \(plan))")
        return id
    }

    /// Deletes tenants and, through ON DELETE CASCADE, their keys and users.
    public static func deleteTenants(_ ids: [String], on owner: Connection) throws {
        try owner.execute("DELETE FROM tenants WHERE id = ANY(\(ids))")
    }
}
