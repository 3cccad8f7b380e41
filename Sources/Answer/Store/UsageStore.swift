import FoundationEssentials
import Store

/// One tenant's usage on one UTC day (`usage_daily`).
public struct DailyUsage: Sendable, Equatable, Encodable {
    /// YYYY-MM-DD, UTC.
    public let day: String
    public let questions: Int
    public let answeredByCache: Int
    public let escalations: Int
    public let fallbacks: Int
    public let promptTokens: Int64
    public let completionTokens: Int64
    public let cost: Decimal

    enum CodingKeys: String, CodingKey {
        case day, questions, escalations, fallbacks, cost
        case answeredByCache = "answered_by_cache", promptTokens = "prompt_tokens", completionTokens = "completion_tokens"
    }
}

/// Daily usage counters. Written only by `ConversationStore`, inside the transaction that stores
/// the answer, so a counted answer is always a stored one and vice versa.
///
/// Each database connection adds to its own slot of the day (backend pid modulo 16), so concurrent
/// answers of one tenant do not queue on one row's lock; `usage_by_day` sums the slots
/// (sql/008_usage_slots.sql).
public enum UsageStore {
    static func record(_ reply: AssistantReply, tenantID: String, in tx: Connection) throws {
        _ = try tx.queryPrepared("""
            INSERT INTO usage_daily AS u (tenant_id, day, slot, questions, answered_by_cache, escalations, fallbacks,
                                          prompt_tokens, completion_tokens, cost)
            VALUES (\(tenantID), (now() AT TIME ZONE 'UTC')::date, pg_backend_pid() % 16, 1, \(reply.cacheHit ? 1 : 0),
                    \(reply.escalate ? 1 : 0), \(reply.fallback ? 1 : 0), \(reply.usage.promptTokens), \(reply.usage.completionTokens),
                    \(reply.cost.sqlNumeric))
            ON CONFLICT (tenant_id, day, slot) DO UPDATE SET
                questions = u.questions + 1, answered_by_cache = u.answered_by_cache + EXCLUDED.answered_by_cache,
                escalations = u.escalations + EXCLUDED.escalations, fallbacks = u.fallbacks + EXCLUDED.fallbacks,
                prompt_tokens = u.prompt_tokens + EXCLUDED.prompt_tokens,
                completion_tokens = u.completion_tokens + EXCLUDED.completion_tokens, cost = u.cost + EXCLUDED.cost
            """)
    }

    /// The tenant's days from `since` (UTC date, YYYY-MM-DD) on, oldest first.
    public static func daily(tenantID: String, since: String, on connection: Connection) throws -> [DailyUsage] {
        try connection.withTenant(tenantID) { tx in
            try tx.query("""
                SELECT to_char(day, 'YYYY-MM-DD') AS day, questions, answered_by_cache, escalations, fallbacks,
                       prompt_tokens, completion_tokens, cost
                  FROM usage_by_day WHERE tenant_id = \(tenantID) AND day >= \(since)::date ORDER BY day
                """).rows.map { row in
                DailyUsage(day: try row.string("day"), questions: try row.int("questions"),
                           answeredByCache: try row.int("answered_by_cache"), escalations: try row.int("escalations"),
                           fallbacks: try row.int("fallbacks"), promptTokens: try row.int64("prompt_tokens"),
                           completionTokens: try row.int64("completion_tokens"), cost: try row.decimal("cost"))
            }
        }
    }
}
