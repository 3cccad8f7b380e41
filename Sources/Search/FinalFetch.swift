import Store

/// The last step of every search: the ranked chunk ids go back to SQL, with the tenant and the
/// visible collections in the WHERE clause. Whatever an index file or a filter produced, only rows
/// that exist now, for this tenant, in a collection this caller may see, become hits.
enum FinalFetch {
    /// The first `limit` of `ranked` that SQL still has and the scope allows, in rank order.
    ///
    /// Reads exactly `limit` rows when none is missing, which is nearly always: a chunk the index
    /// file lists but SQL no longer has (its document deleted since the file was built) is rare.
    /// Each row read costs its text and, for answers, its sentence vectors out of TOAST, so the
    /// slack for missing rows is fetched only when rows turn out missing: the next slice is twice
    /// the shortfall plus 10.
    static func hits(for ranked: [(id: Int64, score: Double)], candidates: CandidateLists, tenantID: String, scope: SearchScope,
                     queryTerms: Set<String>, analyzer: Analyzer, limit: Int, sentenceVectors: Bool = false,
                     in tx: Connection) throws -> [SearchHit] {
        var hits: [SearchHit] = []
        var start = 0, size = limit
        while hits.count < limit, start < ranked.count {
            let slice = Array(ranked[start..<min(ranked.count, start + size)])
            hits += try fetch(slice, candidates: candidates, tenantID: tenantID, scope: scope, queryTerms: queryTerms,
                              analyzer: analyzer, limit: limit - hits.count, sentenceVectors: sentenceVectors, in: tx)
            start += slice.count
            size = (limit - hits.count) * 2 + 10
        }
        return hits
    }

    private static func fetch(_ ranked: [(id: Int64, score: Double)], candidates: CandidateLists, tenantID: String, scope: SearchScope,
                              queryTerms: Set<String>, analyzer: Analyzer, limit: Int, sentenceVectors: Bool,
                              in tx: Connection) throws -> [SearchHit] {
        guard !ranked.isEmpty, limit > 0 else { return [] }
        // A constant per call, so the statement is one of two prepared forms.
        let vectorsColumn: SQL = sentenceVectors ? "c.sentence_vectors" : "NULL::bytea AS sentence_vectors"
        // The document and version of each of the ~10 chunks by primary key, one lookup per chunk.
        // As plain joins the planner hashed the tenant's whole documents table whenever it was
        // small (1,000 rows: 0.4 ms of the fetch's 0.47 ms); LIMIT 1 keeps each LATERAL subquery
        // from being flattened into such a join (0.07 ms). Both are keyed on their primary keys.
        let rows = try tx.queryPrepared("""
            SELECT c.id, c.document_id, c.collection_id, c.ordinal, c.text, c.page_start, c.page_end, c.heading_path,
                   d.title, d.source_url, v.filename, \(vectorsColumn)
              FROM chunks c
             CROSS JOIN LATERAL (SELECT title, source_url FROM documents
                                  WHERE id = c.document_id AND tenant_id = c.tenant_id LIMIT 1) d
             CROSS JOIN LATERAL (SELECT filename FROM document_versions
                                  WHERE document_id = c.document_id AND version = c.version AND tenant_id = c.tenant_id LIMIT 1) v
             WHERE c.tenant_id = \(tenantID) AND c.id = ANY(\(ranked.map(\.id))) AND c.collection_id = ANY(\(scope.collectionIDs))
            """).rows
        var byID: [Int64: Row] = [:]
        for row in rows { byID[try row.int64("id")] = row }
        let bm25 = Self.ranks(candidates.bm25)
        let dense = Self.ranks(candidates.dense)
        var hits: [SearchHit] = []
        for (id, score) in ranked {
            guard hits.count < limit, let row = byID[id] else { continue }
            if let documents = scope.documentIDs, !documents.contains(try row.string("document_id")) { continue }
            let text = try row.string("text")
            let (snippet, highlights) = Highlighter.snippet(text: text, queryTerms: queryTerms, analyzer: analyzer)
            var hit = SearchHit(
                chunkID: id, documentID: try row.string("document_id"), title: try row.optionalString("title"),
                filename: try row.string("filename"), sourceURL: try row.optionalString("source_url"), collection: scope.collections[try row.string("collection_id")] ?? "",
                ordinal: try row.int("ordinal"), pageStart: try row.optionalInt("page_start"), pageEnd: try row.optionalInt("page_end"),
                headingPath: try row.strings("heading_path"), text: text, snippet: snippet,
                highlights: highlights.map { [$0.lowerBound, $0.upperBound] }, score: score,
                bm25Score: bm25[id]?.score, bm25Rank: bm25[id]?.rank, denseScore: dense[id]?.score, denseRank: dense[id]?.rank)
            hit.sentenceVectors = try row.optionalBytes("sentence_vectors")
            hits.append(hit)
        }
        return hits
    }

    private static func ranks(_ list: [(id: Int64, score: Double)]) -> [Int64: (score: Double, rank: Int)] {
        var out: [Int64: (score: Double, rank: Int)] = [:]
        for (index, item) in list.enumerated() { out[item.id] = (item.score, index + 1) }
        return out
    }
}
