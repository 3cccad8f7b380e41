import FoundationEssentials
import HTTP
import Store
import Tenancy

/// One chunk as the admin preview shows it.
public struct ChunkRecord: Sendable, Encodable {
    public let ordinal: Int
    public let text: String
    public let pageStart: Int?
    public let pageEnd: Int?
    public let headingPath: [String]
    public let charStart: Int
    public let charEnd: Int
    public let tokenCount: Int

    enum CodingKeys: String, CodingKey {
        case ordinal, text
        case pageStart = "page_start", pageEnd = "page_end", headingPath = "heading_path"
        case charStart = "char_start", charEnd = "char_end", tokenCount = "token_count"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ordinal, forKey: .ordinal)
        try c.encode(text, forKey: .text)
        try c.encode(pageStart, forKey: .pageStart)
        try c.encode(pageEnd, forKey: .pageEnd)
        try c.encode(headingPath, forKey: .headingPath)
        try c.encode(charStart, forKey: .charStart)
        try c.encode(charEnd, forKey: .charEnd)
        try c.encode(tokenCount, forKey: .tokenCount)
    }
}

extension DocumentStore {
    public struct ListFilter: Sendable {
        public var collection: String?
        public var status: DocumentRecord.Status?
        public var limit: Int
        /// The last document id of the previous page.
        public var after: String?

        public init(collection: String? = nil, status: DocumentRecord.Status? = nil, limit: Int = 20, after: String? = nil) {
            self.collection = collection
            self.status = status
            self.limit = limit
            self.after = after
        }
    }

    public static func find(id: String, audience: DocumentAudience, on connection: Connection) throws -> DocumentRecord {
        try connection.withTenant(audience.tenantID) { tx in
            try find(tenantID: audience.tenantID, id: id, includeInternal: audience.includeInternal, in: tx)
        }
    }

    static func find(tenantID: String, id: String, includeInternal: Bool = true, in tx: Connection) throws -> DocumentRecord {
        let rows = try tx.query("""
            SELECT \(DocumentRecord.columns) FROM \(DocumentRecord.from)
             WHERE d.tenant_id = \(tenantID) AND d.id = \(id) AND (\(includeInternal) OR c.visibility = 'public')
            """).rows
        guard let row = rows.first else { throw TenancyError.notFound("No document \(id).") }
        return try DocumentRecord(row: row)
    }

    /// Newest first, keyset-paginated on (created_at, id) so pages stay stable while documents
    /// are added.
    public static func list(_ filter: ListFilter, audience: DocumentAudience, on connection: Connection) throws -> Page<DocumentRecord> {
        let tenantID = audience.tenantID
        let limit = min(max(filter.limit, 1), 100)
        return try connection.withTenant(tenantID) { tx in
            var sql: SQL = """
                SELECT \(DocumentRecord.columns) FROM \(DocumentRecord.from)
                 WHERE d.tenant_id = \(tenantID) AND (\(audience.includeInternal) OR c.visibility = 'public')
                """
            if let collection = filter.collection { sql += " AND c.name = \(collection.lowercased())" }
            if let status = filter.status { sql += " AND v.status = \(status.rawValue)" }
            if let after = filter.after {
                sql += """
                     AND (d.created_at, d.id) < (SELECT a.created_at, a.id FROM documents a WHERE a.tenant_id = \(tenantID) AND a.id = \(after))
                    """
            }
            sql += " ORDER BY d.created_at DESC, d.id DESC LIMIT \(limit + 1)"
            var records = try tx.query(sql).rows.map(DocumentRecord.init(row:))
            let more = records.count > limit
            if more { records.removeLast() }
            return Page(data: records, nextCursor: more ? records.last?.id : nil)
        }
    }

    /// The chunks that answer for the document (its active version), in order.
    public static func chunks(of id: String, audience: DocumentAudience, afterOrdinal: Int?, limit: Int,
                              on connection: Connection) throws -> Page<ChunkRecord> {
        let tenantID = audience.tenantID
        let limit = min(max(limit, 1), 500)
        return try connection.withTenant(tenantID) { tx in
            let document = try find(tenantID: tenantID, id: id, includeInternal: audience.includeInternal, in: tx)
            guard let active = document.activeVersion else { return Page(data: [], nextCursor: nil) }
            let rows = try tx.query("""
                SELECT ordinal, text, page_start, page_end, heading_path, char_start, char_end, token_count
                  FROM chunks
                 WHERE tenant_id = \(tenantID) AND document_id = \(id) AND version = \(active) AND ordinal > \(afterOrdinal ?? -1)
                 ORDER BY ordinal LIMIT \(limit + 1)
                """).rows
            var chunks = try rows.map { row in
                ChunkRecord(ordinal: try row.int("ordinal"), text: try row.string("text"),
                            pageStart: try row.optionalInt("page_start"), pageEnd: try row.optionalInt("page_end"),
                            headingPath: try row.strings("heading_path"), charStart: try row.int("char_start"),
                            charEnd: try row.int("char_end"), tokenCount: try row.int("token_count"))
            }
            let more = chunks.count > limit
            if more { chunks.removeLast() }
            return Page(data: chunks, nextCursor: more ? chunks.last.map { String($0.ordinal) } : nil)
        }
    }

    /// Deletes the document, its versions, bytes and chunks in one transaction: it is gone from
    /// search when this returns. A job processing it loses its lease and discards its work.
    public static func delete(id: String, audience: DocumentAudience, on connection: Connection) throws {
        let tenantID = audience.tenantID
        try connection.withTenant(tenantID) { tx in
            _ = try find(tenantID: tenantID, id: id, includeInternal: audience.includeInternal, in: tx)
            _ = try tx.execute("DELETE FROM chunks WHERE tenant_id = \(tenantID) AND document_id = \(id)")
            _ = try tx.execute("DELETE FROM documents WHERE tenant_id = \(tenantID) AND id = \(id)")
        }
    }
}
