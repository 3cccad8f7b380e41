import FoundationEssentials
import HTTP
import Store
import Tenancy

/// A tenant's conversations and their messages. Every statement names the tenant in its WHERE
/// clause and runs inside `withTenant` (the `on:` forms open it; the `in:` forms run inside the
/// caller's), so RLS would stop one that forgot. Another tenant's conversation is "not found".
public enum ConversationStore {
    public static func create(tenantID: String, channel: String = "api", on connection: Connection) throws -> ConversationRecord {
        try connection.withTenant(tenantID) { try create(tenantID: tenantID, channel: channel, in: $0) }
    }

    /// `visitorTokenHash`: a widget visitor's conversation, readable and continued only with the
    /// token (`VisitorToken`).
    public static func create(tenantID: String, channel: String = "api", visitorTokenHash: [UInt8]? = nil,
                              in tx: Connection) throws -> ConversationRecord {
        try requireValidChannel(channel)
        let id = try Identifier.make(.conversation)
        let rows = try tx.queryPrepared("""
            INSERT INTO conversations (id, tenant_id, channel, visitor_token_hash) VALUES (\(id), \(tenantID), \(channel), \(visitorTokenHash))
            RETURNING \(ConversationRecord.columns)
            """).rows
        guard let row = rows.first else { throw TenancyError.internalFailure("INSERT returned no row") }
        return try ConversationRecord(row: row)
    }

    public static func find(tenantID: String, id: String, on connection: Connection) throws -> ConversationRecord {
        try connection.withTenant(tenantID) { try find(tenantID: tenantID, id: id, in: $0) }
    }

    /// Throws `TenancyError.notFound` for an unknown id, a malformed one, or another tenant's.
    public static func find(tenantID: String, id: String, in tx: Connection) throws -> ConversationRecord {
        guard Identifier.isValid(id, kind: .conversation),
              let row = try tx.queryPrepared("""
                  SELECT \(ConversationRecord.columns) FROM conversations WHERE tenant_id = \(tenantID) AND id = \(id)
                  """).rows.first
        else { throw TenancyError.notFound("No conversation \(id).") }
        return try ConversationRecord(row: row)
    }

    /// The last `limit` messages as turns for the prompt's history, oldest first. The pipeline
    /// trims them further to the tenant's history token budget.
    public static func recentTurns(tenantID: String, conversationID: String, limit: Int = 20, in tx: Connection) throws -> [Turn] {
        let rows = try tx.queryPrepared("""
            SELECT role, text FROM (
                SELECT seq, role, text FROM messages
                 WHERE tenant_id = \(tenantID) AND conversation_id = \(conversationID)
                 ORDER BY seq DESC LIMIT \(max(0, limit))
            ) recent ORDER BY seq
            """).rows
        return try rows.map { row in
            Turn(role: Turn.Role(rawValue: try row.string("role")) ?? .user, text: try row.string("text"))
        }
    }

    public static func recentTurns(tenantID: String, conversationID: String, limit: Int = 20, on connection: Connection) throws -> [Turn] {
        try connection.withTenant(tenantID) { try recentTurns(tenantID: tenantID, conversationID: conversationID, limit: limit, in: $0) }
    }

    /// Stores a question and its answer, and counts the answer in `usage_daily` (`UsageStore`), in one
    /// transaction: either all three land or none does, so usage is recorded exactly once per
    /// stored answer. The conversation's row lock orders concurrent exchanges, so each question is
    /// followed by its own answer. Returns the two message ids (user, assistant).
    @discardableResult
    public static func append(tenantID: String, conversationID: String, question: String, reply: AssistantReply,
                              on connection: Connection) throws -> (questionID: String, answerID: String) {
        try connection.withTenant(tenantID) { tx in
            try append(tenantID: tenantID, conversationID: conversationID, question: question, reply: reply, in: tx)
        }
    }

    /// `append` inside the caller's tenant transaction (the pipeline also caches the answer in it).
    @discardableResult
    public static func append(tenantID: String, conversationID: String, question: String, reply: AssistantReply,
                              in tx: Connection) throws -> (questionID: String, answerID: String) {
        let locked = try tx.queryPrepared("""
            UPDATE conversations SET last_message_at = now(), updated_at = now(), escalated = escalated OR \(reply.escalate)
             WHERE tenant_id = \(tenantID) AND id = \(conversationID)
            RETURNING id
            """)
        guard !locked.rows.isEmpty else { throw TenancyError.notFound("No conversation \(conversationID).") }
        return try insertExchange(tenantID: tenantID, conversationID: conversationID, question: question, reply: reply, in: tx)
    }

    /// A new conversation that opens with this exchange, inside the caller's tenant transaction (the
    /// pipeline's for a first question). The conversation row is written with the exchange's state,
    /// so unlike `create` + `append` no second statement has to update it.
    public static func start(tenantID: String, channel: String, visitorTokenHash: [UInt8]?, question: String,
                             reply: AssistantReply, in tx: Connection) throws -> (conversationID: String, questionID: String, answerID: String) {
        try requireValidChannel(channel)
        let id = try Identifier.make(.conversation)
        _ = try tx.queryPrepared("""
            INSERT INTO conversations (id, tenant_id, channel, visitor_token_hash, escalated, last_message_at)
            VALUES (\(id), \(tenantID), \(channel), \(visitorTokenHash), \(reply.escalate), now())
            """)
        let ids = try insertExchange(tenantID: tenantID, conversationID: id, question: question, reply: reply, in: tx)
        return (id, ids.questionID, ids.answerID)
    }

    /// Both messages and the day's usage. One INSERT for both rows: VALUES rows are inserted in
    /// their order, so the question's seq is the lower one.
    private static func insertExchange(tenantID: String, conversationID: String, question: String, reply: AssistantReply,
                                       in tx: Connection) throws -> (questionID: String, answerID: String) {
        let questionID = try Identifier.make(.message)
        let answerID = try Identifier.make(.message)
        let citations = String(decoding: try JSON.encode(reply.citations), as: UTF8.self)
        let usage = reply.usage
        _ = try tx.queryPrepared("""
            INSERT INTO messages (id, tenant_id, conversation_id, role, text, citations, confidence, escalate, generator, model,
                                  fallback, cache_hit, prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens, cost,
                                  retrieve_ms, generate_ms, total_ms)
            VALUES (\(questionID), \(tenantID), \(conversationID), 'user', \(question), '[]', NULL, false, NULL, NULL,
                    false, false, 0, 0, 0, 0, 0, NULL, NULL, NULL),
                   (\(answerID), \(tenantID), \(conversationID), 'assistant', \(reply.text), \(citations)::jsonb, \(reply.confidence),
                    \(reply.escalate), \(reply.generator.rawValue), \(reply.model), \(reply.fallback), \(reply.cacheHit),
                    \(usage.promptTokens), \(usage.completionTokens), \(usage.cachedPromptTokens), \(usage.cacheWriteTokens),
                    \(reply.cost.sqlNumeric), \(reply.timings.retrieveMs), \(reply.timings.generateMs), \(reply.timings.totalMs))
            """)
        try UsageStore.record(reply, tenantID: tenantID, in: tx)
        return (questionID, answerID)
    }

    /// The conversation and every message, oldest first.
    public static func transcript(tenantID: String, id: String, on connection: Connection) throws -> Transcript {
        try connection.withTenant(tenantID) { tx in
            let conversation = try find(tenantID: tenantID, id: id, in: tx)
            let rows = try tx.query("""
                SELECT \(MessageRecord.columns) FROM messages
                 WHERE tenant_id = \(tenantID) AND conversation_id = \(id) ORDER BY seq
                """).rows
            return Transcript(conversation: conversation, messages: try rows.map(MessageRecord.init(row:)))
        }
    }

    private static func requireValidChannel(_ channel: String) throws {
        guard isValidChannel(channel) else {
            throw TenancyError.invalid("channel is 1 to 32 of a-z, 0-9 and '_', starting with a letter.")
        }
    }

    static func isValidChannel(_ channel: String) -> Bool {
        let bytes = Array(channel.utf8)
        guard (1...32).contains(bytes.count), let first = bytes.first, first >= 0x61 && first <= 0x7a else { return false }
        return bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5f }
    }
}
