import Store

/// The chunks a search reads straight from SQL: those committed after the tenant's index file was
/// built (or all of them when there is no usable file), analyzed on the spot. This is what makes a
/// document searchable the moment its ingestion commits.
struct FreshChunks {
    struct Chunk {
        let id: Int64
        let termCounts: [String: Int]
        let length: Int
        let embedding: [Float]
    }

    var chunks: [Chunk] = []
    var totalLength = 0
    /// Document frequency of the query's terms among these chunks.
    var documentFrequency: [String: Int] = [:]

    static func load(tenantID: String, after watermark: Int64, scope: SearchScope, queryTerms: [String],
                     analyzer: Analyzer, in tx: Connection) throws -> FreshChunks {
        var sql: SQL = """
            SELECT id, text, heading_path, embedding FROM chunks
             WHERE tenant_id = \(tenantID) AND id > \(watermark) AND collection_id = ANY(\(scope.collectionIDs))
            """
        if let documents = scope.documentIDs { sql += " AND document_id = ANY(\(Array(documents)))" }
        var fresh = FreshChunks()
        for row in try tx.queryPrepared(sql).rows {
            let text = IndexedText.of(text: try row.string("text"), headingPath: try row.strings("heading_path"))
            let (counts, length) = analyzer.termCounts(text)
            fresh.chunks.append(Chunk(id: try row.int64("id"), termCounts: counts, length: length, embedding: try row.floats("embedding")))
            fresh.totalLength += length
            for term in queryTerms where counts[term] != nil { fresh.documentFrequency[term, default: 0] += 1 }
        }
        return fresh
    }
}
