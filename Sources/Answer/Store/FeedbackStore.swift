import FoundationEssentials
import Store
import Tenancy

/// A rating of one answer.
public struct FeedbackRecord: Sendable, Encodable {
    public let messageID: String
    public let rating: String
    public let comment: String?
    public let createdAt: Date

    enum CodingKeys: String, CodingKey { case rating, comment, messageID = "message_id", createdAt = "created_at" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(messageID, forKey: .messageID)
        try c.encode(rating, forKey: .rating)
        try c.encode(comment, forKey: .comment)
        try c.encode(createdAt, forKey: .createdAt)
    }
}

/// Thumbs up or down on answers (`message_feedback`): one per answer, the latest wins.
public enum FeedbackStore {
    public static let ratings = ["up", "down"]
    public static let maxCommentCharacters = 2000

    /// Records the rating of assistant message `messageID`. Questions cannot be rated (422); an
    /// unknown message, or another tenant's, is not found.
    public static func record(tenantID: String, messageID: String, rating: String, comment: String?,
                              in tx: Connection) throws -> FeedbackRecord {
        guard ratings.contains(rating) else { throw TenancyError.invalid("rating is 'up' or 'down'.") }
        var text = comment?.trimmingSpaces
        if text?.isEmpty == true { text = nil }
        if let text, text.count > maxCommentCharacters {
            throw TenancyError.invalid("comment is at most \(maxCommentCharacters) characters.")
        }
        guard Identifier.isValid(messageID, kind: .message),
              let message = try tx.queryPrepared("""
                  SELECT role FROM messages WHERE tenant_id = \(tenantID) AND id = \(messageID)
                  """).rows.first
        else { throw TenancyError.notFound("No message \(messageID).") }
        guard try message.string("role") == "assistant" else { throw TenancyError.invalid("Only answers can be rated, not questions.") }
        let rows = try tx.queryPrepared("""
            INSERT INTO message_feedback (message_id, tenant_id, rating, comment) VALUES (\(messageID), \(tenantID), \(rating), \(text))
            ON CONFLICT (message_id) DO UPDATE SET rating = EXCLUDED.rating, comment = EXCLUDED.comment, created_at = now()
             WHERE message_feedback.tenant_id = \(tenantID)
            RETURNING message_id, rating, comment, created_at
            """).rows
        guard let row = rows.first else { throw TenancyError.notFound("No message \(messageID).") }
        return FeedbackRecord(messageID: try row.string("message_id"), rating: try row.string("rating"),
                              comment: try row.optionalString("comment"), createdAt: try row.date("created_at"))
    }
}
