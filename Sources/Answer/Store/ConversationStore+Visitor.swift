import Store
import Tenancy

/// A widget visitor's access to their own conversation, checked against the token's hash.
extension ConversationStore {
    public enum VisitorAccessError: Error, Equatable {
        /// No such conversation in the tenant, or one that is not a visitor's (an API conversation).
        case notFound
        /// The token is missing or is not this conversation's.
        case wrongToken
    }

    /// Throws unless `token` is the visitor token of conversation `id` in this tenant.
    public static func verifyVisitor(tenantID: String, conversationID id: String, token: String?, in tx: Connection) throws {
        guard Identifier.isValid(id, kind: .conversation),
              let row = try tx.queryPrepared("""
                  SELECT visitor_token_hash FROM conversations WHERE tenant_id = \(tenantID) AND id = \(id)
                  """).rows.first,
              let stored = try row.optionalBytes("visitor_token_hash")
        else { throw VisitorAccessError.notFound }
        guard VisitorToken.matches(token, hash: stored) else { throw VisitorAccessError.wrongToken }
    }

    public static func verifyVisitor(tenantID: String, conversationID id: String, token: String?, on connection: Connection) throws {
        try connection.withTenant(tenantID) { try verifyVisitor(tenantID: tenantID, conversationID: id, token: token, in: $0) }
    }

    /// The conversation an answer belongs to, after checking the visitor's token against it.
    public static func verifyVisitor(tenantID: String, messageID: String, token: String?, in tx: Connection) throws {
        guard Identifier.isValid(messageID, kind: .message),
              let row = try tx.queryPrepared("""
                  SELECT conversation_id FROM messages WHERE tenant_id = \(tenantID) AND id = \(messageID)
                  """).rows.first
        else { throw VisitorAccessError.notFound }
        try verifyVisitor(tenantID: tenantID, conversationID: try row.string("conversation_id"), token: token, in: tx)
    }

    /// Flags the conversation for a person: `handoff_requested_at` (kept from the first request)
    /// and `escalated`. Returns the conversation as it is now.
    public static func requestHandoff(tenantID: String, conversationID id: String, in tx: Connection) throws -> ConversationRecord {
        guard Identifier.isValid(id, kind: .conversation),
              let row = try tx.queryPrepared("""
                  UPDATE conversations SET handoff_requested_at = coalesce(handoff_requested_at, now()), escalated = true,
                         updated_at = now()
                   WHERE tenant_id = \(tenantID) AND id = \(id)
                  RETURNING \(ConversationRecord.columns)
                  """).rows.first
        else { throw TenancyError.notFound("No conversation \(id).") }
        return try ConversationRecord(row: row)
    }
}
