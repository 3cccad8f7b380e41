import Store

/// Deletes conversations idle for longer than their tenant's `retention_days` (messages go with
/// them), for `parley maintain`. Runs across tenants through `parley_expire_conversations()`, the
/// one SECURITY DEFINER door into conversations, which returns only tenant ids and counts.
public enum ConversationRetention {
    /// Returns how many conversations each tenant lost.
    public static func expire(on connection: Connection) throws -> [(tenantID: String, deleted: Int)] {
        try connection.transaction { tx in
            try tx.query("SELECT tenant_id, deleted FROM parley_expire_conversations() ORDER BY tenant_id").rows.map { row in
                (try row.string("tenant_id"), try row.int("deleted"))
            }
        }
    }
}
