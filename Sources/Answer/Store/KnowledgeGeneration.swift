import Store

/// A tenant's knowledge generation: a counter that triggers in PostgreSQL bump whenever what an
/// answer could say changes (documents added, deleted or given a new active version, a
/// collection's visibility, search or answer settings). See sql/004_answers.sql.
public enum KnowledgeGeneration {
    public static func current(tenantID: String, on connection: Connection) throws -> Int64 {
        try connection.withTenant(tenantID) { try current(tenantID: tenantID, in: $0) }
    }

    /// 0 for a tenant whose knowledge never changed since the counter existed.
    public static func current(tenantID: String, in tx: Connection) throws -> Int64 {
        try tx.queryPrepared("""
            SELECT coalesce((SELECT generation FROM knowledge_generation WHERE tenant_id = \(tenantID)), 0) AS generation
            """).rows.first?.int64("generation") ?? 0
    }
}
