import Store

/// A tenant's search settings (`search_settings`), with the defaults when it has none.
public struct SearchSettings: Sendable, Equatable {
    public var language = "english"
    public var bm25 = BM25Parameters()
    public var weightBM25 = 1.0
    public var weightDense = 1.0
    public var rrfK = 60.0

    public init() {}

    static func load(tenantID: String, in tx: Connection) throws -> SearchSettings {
        var settings = SearchSettings()
        guard let row = try tx.queryPrepared("""
            SELECT language, bm25_k1, bm25_b, weight_bm25, weight_dense, rrf_k FROM search_settings WHERE tenant_id = \(tenantID)
            """).rows.first else { return settings }
        settings.language = try row.string("language")
        settings.bm25 = BM25Parameters(k1: try row.double("bm25_k1"), b: try row.double("bm25_b"))
        settings.weightBM25 = try row.double("weight_bm25")
        settings.weightDense = try row.double("weight_dense")
        settings.rrfK = try row.double("rrf_k")
        return settings
    }
}

/// The text of a chunk that BM25 indexes: its heading path, then its text. The index builder and
/// the fresh-chunk path at query time must agree on it, hence one function.
enum IndexedText {
    static func of(text: String, headingPath: [String]) -> String {
        headingPath.isEmpty ? text : headingPath.joined(separator: " ") + "\n" + text
    }
}
