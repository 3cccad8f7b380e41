import FoundationEssentials
import HTTP
import Store
import Tenancy

extension ConversationStore {
    public struct ListFilter: Sendable {
        public var channel: String?
        public var escalated: Bool?
        public var limit: Int
        /// The last conversation id of the previous page.
        public var after: String?

        public init(channel: String? = nil, escalated: Bool? = nil, limit: Int = 20, after: String? = nil) {
            self.channel = channel
            self.escalated = escalated
            self.limit = limit
            self.after = after
        }
    }

    /// Newest first, keyset-paginated on (created_at, id), so pages stay stable while new
    /// conversations start (ordering by last activity would move rows between pages).
    public static func list(tenantID: String, filter: ListFilter, on connection: Connection) throws -> Page<ConversationRecord> {
        let limit = min(max(filter.limit, 1), 100)
        return try connection.withTenant(tenantID) { tx in
            var sql: SQL = "SELECT \(ConversationRecord.columns) FROM conversations WHERE tenant_id = \(tenantID)"
            if let channel = filter.channel { sql += " AND channel = \(channel)" }
            if let escalated = filter.escalated { sql += " AND escalated = \(escalated)" }
            if let after = filter.after {
                sql += """
                     AND (created_at, id) < (SELECT a.created_at, a.id FROM conversations a WHERE a.tenant_id = \(tenantID) AND a.id = \(after))
                    """
            }
            sql += " ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)"
            var records = try tx.query(sql).rows.map(ConversationRecord.init(row:))
            let more = records.count > limit
            if more { records.removeLast() }
            return Page(data: records, nextCursor: more ? records.last?.id : nil)
        }
    }
}
