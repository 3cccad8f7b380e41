import FoundationEssentials
import Store

/// `GET /v1/analytics`: a tenant's questions, escalations, cache hits, tokens, cost, latency and
/// feedback per UTC day, their totals, and the knowledge gaps (questions answered with low
/// confidence, grouped by normalised text).
///
/// Counters that must survive conversation retention (questions, cache hits, tokens, cost) come
/// from `usage_by_day`; what needs the answers themselves (latency percentiles, answers given
/// without a person, gaps) comes from `messages`, so after retention deletes old conversations
/// those figures cover the conversations still kept.
public enum AnalyticsStore {
    public static let maxDays = 365
    public static let gapLimit = 20

    public static func report(tenantID: String, days: Int, on connection: Connection) throws -> AnalyticsReport {
        let days = min(max(days, 1), maxDays)
        return try connection.withTenant(tenantID) { tx in
            let daily = try tx.query(dailySQL(tenantID: tenantID, days: days)).rows.map(AnalyticsDay.init(row:))
            let latency = try tx.query("""
                WITH bounds AS (\(since(days)))
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY m.total_ms) AS p50,
                       percentile_cont(0.95) WITHIN GROUP (ORDER BY m.total_ms) AS p95
                  FROM messages m, bounds
                 WHERE m.tenant_id = \(tenantID) AND m.role = 'assistant' AND m.created_at >= bounds.since
                """).rows.first
            let gaps = try tx.query("""
                WITH bounds AS (\(since(days)))
                SELECT (array_agg(q.text ORDER BY a.created_at DESC))[1] AS question, count(*) AS n,
                       avg(a.confidence) AS avg_confidence, max(a.created_at) AS last_asked
                  FROM bounds, messages a
                  JOIN LATERAL (
                      SELECT u.text FROM messages u
                       WHERE u.tenant_id = \(tenantID) AND u.conversation_id = a.conversation_id AND u.role = 'user' AND u.seq < a.seq
                       ORDER BY u.seq DESC LIMIT 1
                  ) q ON true
                 WHERE a.tenant_id = \(tenantID) AND a.role = 'assistant' AND a.escalate AND a.created_at >= bounds.since
                 GROUP BY btrim(lower(regexp_replace(q.text, '[[:space:][:punct:]]+', ' ', 'g')))
                 ORDER BY n DESC, last_asked DESC
                 LIMIT \(gapLimit)
                """).rows.map(KnowledgeGap.init(row:))
            return AnalyticsReport(days: daily, totals: AnalyticsTotals(daily, p50: try latency?.optionalDouble("p50"),
                                                                        p95: try latency?.optionalDouble("p95")),
                                   knowledgeGaps: gaps)
        }
    }

    /// The first instant of the window: today (UTC) and the `days - 1` days before it.
    private static func since(_ days: Int) -> SQL {
        "SELECT (((now() AT TIME ZONE 'UTC')::date - \(days - 1))::timestamp AT TIME ZONE 'UTC') AS since"
    }

    /// One row per day of the window, zeros included. Escalations are the answers that asked for a
    /// person (below the confidence threshold) plus the hand-offs visitors requested that day.
    private static func dailySQL(tenantID: String, days: Int) -> SQL {
        """
        WITH bounds AS (\(since(days))),
        calendar AS (
            SELECT d::date AS day FROM bounds, generate_series(bounds.since AT TIME ZONE 'UTC',
                                                               (now() AT TIME ZONE 'UTC')::date::timestamp, interval '1 day') d
        ),
        answers AS (
            SELECT (m.created_at AT TIME ZONE 'UTC')::date AS day,
                   count(*) FILTER (WHERE NOT m.escalate AND c.handoff_requested_at IS NULL) AS self_served,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY m.total_ms) AS p50,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY m.total_ms) AS p95
              FROM bounds, messages m
              JOIN conversations c ON c.id = m.conversation_id AND c.tenant_id = \(tenantID)
             WHERE m.tenant_id = \(tenantID) AND m.role = 'assistant' AND m.created_at >= bounds.since
             GROUP BY 1
        ),
        handoffs AS (
            SELECT (handoff_requested_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
              FROM bounds, conversations
             WHERE tenant_id = \(tenantID) AND handoff_requested_at >= bounds.since
             GROUP BY 1
        ),
        feedback AS (
            SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
                   count(*) FILTER (WHERE rating = 'up') AS up, count(*) FILTER (WHERE rating = 'down') AS down
              FROM bounds, message_feedback
             WHERE tenant_id = \(tenantID) AND created_at >= bounds.since
             GROUP BY 1
        )
        SELECT to_char(calendar.day, 'YYYY-MM-DD') AS date,
               coalesce(u.questions, 0) AS questions,
               coalesce(a.self_served, 0) AS answered_without_person,
               coalesce(u.escalations, 0) + coalesce(h.n, 0) AS escalations,
               coalesce(u.answered_by_cache, 0) AS cache_hits,
               coalesce(u.prompt_tokens, 0) AS prompt_tokens,
               coalesce(u.completion_tokens, 0) AS completion_tokens,
               coalesce(u.cost, 0) AS cost,
               a.p50, a.p95,
               coalesce(f.up, 0) AS feedback_up, coalesce(f.down, 0) AS feedback_down
          FROM calendar
          LEFT JOIN usage_by_day u ON u.tenant_id = \(tenantID) AND u.day = calendar.day
          LEFT JOIN answers a ON a.day = calendar.day
          LEFT JOIN handoffs h ON h.day = calendar.day
          LEFT JOIN feedback f ON f.day = calendar.day
         ORDER BY calendar.day
        """
    }
}
