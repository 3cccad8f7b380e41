import Store

/// The chunks a search may see, resolved in SQL for the caller: the visible collections (public
/// ones only, unless the caller has the internal scope) narrowed to those the request names, and
/// the documents the request names among them. Ids a caller guessed from another tenant, or from
/// an internal collection it may not see, simply resolve to nothing.
struct SearchScope {
    /// Collection id → name.
    let collections: [String: String]
    let documentIDs: Set<String>?

    var collectionIDs: [String] { Array(collections.keys) }

    var filter: ChunkFilter {
        ChunkFilter(collectionIDs: Set(collections.keys), documentIDs: documentIDs)
    }

    static func resolve(_ request: SearchRequest, audience: SearchAudience, in tx: Connection) throws -> SearchScope {
        let tenantID = audience.tenantID
        var sql: SQL = """
            SELECT id, name FROM collections WHERE tenant_id = \(tenantID) AND (\(audience.includeInternal) OR visibility = 'public')
            """
        if let names = request.collections { sql += " AND name = ANY(\(names.map { $0.lowercased() }))" }
        var collections: [String: String] = [:]
        for row in try tx.queryPrepared(sql).rows { collections[try row.string("id")] = try row.string("name") }
        var documents: Set<String>?
        if let ids = request.documentIDs, !collections.isEmpty {
            let rows = try tx.queryPrepared("""
                SELECT id FROM documents
                 WHERE tenant_id = \(tenantID) AND id = ANY(\(ids)) AND collection_id = ANY(\(Array(collections.keys)))
                """).rows
            documents = Set(try rows.map { try $0.string("id") })
            if documents?.isEmpty == true { collections = [:] }
        }
        return SearchScope(collections: collections, documentIDs: documents)
    }
}
