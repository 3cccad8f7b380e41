import Store

/// A tenant's search settings (`search_settings`), with the defaults when it has none.
public struct SearchSettings: Sendable, Equatable {
    public var language = "english"
    public var bm25 = BM25Parameters()
    public var weightBM25 = 1.0
    public var weightDense = 1.0
    public var rrfK = 60.0

    public init() {}

    /// The tenant's settings and its index file's generation and language (nil when it has no
    /// file yet), in one round trip: both are read at the start of every search.
    static func load(tenantID: String, in tx: Connection) throws -> (settings: SearchSettings, index: (generation: Int64, language: String)?) {
        var settings = SearchSettings()
        guard let row = try tx.queryPrepared("""
            SELECT s.language, s.bm25_k1, s.bm25_b, s.weight_bm25, s.weight_dense, s.rrf_k,
                   i.generation AS index_generation, i.language AS index_language
              FROM (SELECT 1) AS one
              LEFT JOIN search_settings s ON s.tenant_id = \(tenantID)
              LEFT JOIN search_indexes i ON i.tenant_id = \(tenantID)
            """).rows.first else { return (settings, nil) }
        if let language = try row.optionalString("language") {
            settings.language = language
            settings.bm25 = BM25Parameters(k1: try row.double("bm25_k1"), b: try row.double("bm25_b"))
            settings.weightBM25 = try row.double("weight_bm25")
            settings.weightDense = try row.double("weight_dense")
            settings.rrfK = try row.double("rrf_k")
        }
        let index = try row.optionalString("index_language").map { (Int64(try row.int64("index_generation")), $0) }
        return (settings, index)
    }
}

/// The text of a chunk that BM25 indexes: its heading path, then its text. The index builder and
/// the fresh-chunk path at query time must agree on it, hence one function.
enum IndexedText {
    static func of(text: String, headingPath: [String]) -> String {
        headingPath.isEmpty ? text : headingPath.joined(separator: " ") + "\n" + text
    }
}
