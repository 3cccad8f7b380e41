import FoundationEssentials
import HTTP
import Store
import Tenancy

/// Answers already given, per tenant, keyed on the question as people type it (normalized), the
/// collections asked and the audience. An entry remembers the knowledge generation it was computed
/// at and hits only while that generation is current, so new, changed or deleted documents (and
/// settings changes) retire it without any explicit invalidation.
///
/// Only questions that stand alone belong here: a follow-up ("and the second one?") means
/// something else in each conversation, so the pipeline caches the rewritten standalone question,
/// or nothing.
public enum AnswerCache {
    /// The outcome of a lookup. A miss carries the current generation: store the answer computed
    /// now with it, so an answer built from knowledge that changed meanwhile never hits.
    public enum Lookup<Answer: Sendable>: Sendable {
        case hit(Answer)
        case miss(generation: Int64)
    }

    /// Lowercased, whitespace collapsed to single spaces, trimmed, and trailing punctuation (`?`,
    /// `!`, `.`, `…`, `;` and the like) removed, so "What are the hours?" and "what are  the hours"
    /// share an entry.
    public static func normalize(_ question: String) -> String {
        var words = question.lowercased().split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
        while let last = words.last, last.isPunctuation || last.isWhitespace {
            words.removeLast()
        }
        return words
    }

    /// SHA-256 of the normalized question, the collections (sorted, deduplicated; none means all)
    /// and whether internal collections are included, separated by bytes that cannot occur in them.
    public static func key(question: String, collections: [String], includeInternal: Bool) -> [UInt8] {
        let scope = Set(collections.map { $0.lowercased() }).sorted().joined(separator: "\u{1}")
        return Crypto.sha256("v1\u{0}\(normalize(question))\u{0}\(scope)\u{0}\(includeInternal ? "internal" : "public")")
    }

    public static func lookup<Answer: Decodable & Sendable>(_ type: Answer.Type, tenantID: String, key: [UInt8],
                                                            on connection: Connection) throws -> Lookup<Answer> {
        try connection.withTenant(tenantID) { try lookup(type, tenantID: tenantID, key: key, in: $0) }
    }

    /// One round trip: counts the hit when the entry is current, else reads the generation. An entry
    /// that no longer decodes as `Answer` (its shape changed in an upgrade) is a miss.
    public static func lookup<Answer: Decodable & Sendable>(_ type: Answer.Type, tenantID: String, key: [UInt8],
                                                            in tx: Connection) throws -> Lookup<Answer> {
        let row = try tx.queryPrepared("""
            WITH now_gen AS (
                SELECT coalesce((SELECT generation FROM knowledge_generation WHERE tenant_id = \(tenantID)), 0) AS generation
            ), hit AS (
                UPDATE answer_cache c SET hits = c.hits + 1, last_hit_at = now()
                  FROM now_gen
                 WHERE c.tenant_id = \(tenantID) AND c.key = \(key) AND c.generation = now_gen.generation
                RETURNING c.answer::text AS answer
            )
            SELECT now_gen.generation, (SELECT answer FROM hit) AS answer FROM now_gen
            """).rows.first
        let generation = try row?.int64("generation") ?? 0
        guard let text = try row?.optionalString("answer"),
              let answer = try? JSONDecoder().decode(Answer.self, from: Data(text.utf8)) else {
            return .miss(generation: generation)
        }
        return .hit(answer)
    }

    public static func store(_ answer: some Encodable, tenantID: String, key: [UInt8], generation: Int64,
                             on connection: Connection) throws {
        try connection.withTenant(tenantID) { try store(answer, tenantID: tenantID, key: key, generation: generation, in: $0) }
    }

    /// Saves the answer computed at `generation` (from the miss). It replaces an entry of an older
    /// generation, never a newer one: a slow request must not overwrite a fresher answer.
    public static func store(_ answer: some Encodable, tenantID: String, key: [UInt8], generation: Int64, in tx: Connection) throws {
        let json = String(decoding: try JSON.encode(answer), as: UTF8.self)
        _ = try tx.queryPrepared("""
            INSERT INTO answer_cache AS c (tenant_id, key, generation, answer)
            VALUES (\(tenantID), \(key), \(generation), \(json)::jsonb)
            ON CONFLICT (tenant_id, key) DO UPDATE SET generation = EXCLUDED.generation, answer = EXCLUDED.answer,
                hits = 0, created_at = now(), last_hit_at = NULL
             WHERE c.generation < EXCLUDED.generation
            """)
    }

    /// Deletes the tenant's entries of past generations (they can never hit again); returns how many.
    @discardableResult
    public static func prune(tenantID: String, on connection: Connection) throws -> Int {
        try connection.withTenant(tenantID) { tx in
            try tx.execute("""
                DELETE FROM answer_cache
                 WHERE tenant_id = \(tenantID)
                   AND generation < coalesce((SELECT generation FROM knowledge_generation WHERE tenant_id = \(tenantID)), 0)
                """)
        }
    }
}
