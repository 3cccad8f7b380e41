import FoundationEssentials
import Store
import Tenancy

/// Runs searches for one thread: BM25 and dense candidates from the tenant's index file plus the
/// chunks committed after it (read from SQL), fused by reciprocal rank, then one final SQL fetch
/// with `tenant_id` and the visible collections in its WHERE clause, so nothing another tenant owns,
/// nothing internal for a public key, and nothing deleted can come back, whatever the file holds.
///
/// Not Sendable: it keeps this thread's analyzers (a Snowball stemmer has state).
public final class Searcher {
    private let engine: SearchEngine
    private var analyzers: [String: Analyzer] = [:]

    public init(engine: SearchEngine) {
        self.engine = engine
    }

    public static let maxQueryCharacters = 1000
    /// The API allows 100 (see SearchRoutes); `parley eval` asks for more chunks so that 100
    /// distinct documents remain after chunks of one document are merged.
    public static let maxTopK = 1000

    public func search(_ request: SearchRequest, audience: SearchAudience, on connection: Connection) throws -> SearchResult {
        try connection.withTenant(audience.tenantID) { tx in try search(request, audience: audience, in: tx) }
    }

    /// The same, inside a transaction the caller opened with `withTenant(audience.tenantID)`, so a
    /// caller that reads more (the answer pipeline) pays for one transaction, not two.
    public func search(_ request: SearchRequest, audience: SearchAudience, in tx: Connection) throws -> SearchResult {
        let started = IndexCatalog.monotonicSeconds()
        let query = request.query.trimmingWhitespace()
        guard !query.isEmpty else { throw SearchError.invalid("query must not be empty.") }
        guard query.count <= Self.maxQueryCharacters else {
            throw SearchError.invalid("query is limited to \(Self.maxQueryCharacters) characters.")
        }
        guard (1...Self.maxTopK).contains(request.topK) else { throw SearchError.invalid("top_k is 1 to \(Self.maxTopK).") }
        let tenantID = audience.tenantID

        do {
            let (settings, index) = try SearchSettings.load(tenantID: tenantID, in: tx)
            let analyzer = try analyzer(for: settings.language)
            let scope = try SearchScope.resolve(request, audience: audience, in: tx)
            guard !scope.collectionIDs.isEmpty else { return SearchResult(hits: [], path: "exact", tookMilliseconds: 0) }

            // A file built for another language analyzed its chunks differently: not comparable.
            let file = index.flatMap { $0.language == settings.language
                ? engine.catalog.file(tenantID: tenantID, generation: $0.generation) : nil }
            let queryTerms = Array(Set(analyzer.terms(query)))
            let queryVector = request.mode == .bm25 ? nil : try engine.embedQuery(query)
            let fresh = try FreshChunks.load(tenantID: tenantID, after: file?.watermark ?? 0, scope: scope,
                                             queryTerms: queryTerms, analyzer: analyzer, in: tx)
            var candidates = CandidateLists()
            let count = request.mode == .hybrid ? request.candidates : max(request.candidates, request.topK)
            if request.mode != .dense {
                candidates.bm25 = bm25Candidates(terms: queryTerms, file: file, fresh: fresh, scope: scope,
                                                 settings: settings, count: count)
            }
            if let queryVector {
                candidates.dense = denseCandidates(queryVector, file: file, fresh: fresh, scope: scope, count: count)
            }
            let ranked = candidates.fused(mode: request.mode, settings: settings)
            let hits = try FinalFetch.hits(for: ranked, candidates: candidates, tenantID: tenantID, scope: scope,
                                           queryTerms: Set(queryTerms), analyzer: analyzer, limit: request.topK,
                                           sentenceVectors: request.includeSentenceVectors, in: tx)
            let took = (IndexCatalog.monotonicSeconds() - started) * 1000
            return SearchResult(hits: hits, path: file == nil ? "exact" : "index+delta", tookMilliseconds: (took * 100).rounded() / 100,
                                queryVector: queryVector)
        }
    }

    func analyzer(for language: String) throws -> Analyzer {
        if let existing = analyzers[language] { return existing }
        let made = try Analyzer(language: language)
        analyzers[language] = made
        return made
    }

    private func bm25Candidates(terms: [String], file: IndexFile?, fresh: FreshChunks, scope: SearchScope,
                                settings: SearchSettings, count: Int) -> [(id: Int64, score: Double)] {
        guard !terms.isEmpty else { return [] }
        let chunkCount = (file?.chunkCount ?? 0) + fresh.chunks.count
        guard chunkCount > 0 else { return [] }
        let totalLength = Double(file?.totalLength ?? 0) + Double(fresh.totalLength)
        let statistics = BM25Statistics(documentCount: chunkCount, averageLength: totalLength / Double(chunkCount))
        let weighted = terms.map { term in
            (term: term, idf: BM25.idf(documentFrequency: (file?.documentFrequency(term) ?? 0) + (fresh.documentFrequency[term] ?? 0),
                                       documentCount: chunkCount))
        }
        var top = TopK<Int64>(count)
        if let file {
            for hit in file.bm25(terms: weighted, parameters: settings.bm25, statistics: statistics,
                                 filter: scope.filter.compile(for: file), k: count) {
                top.insert(hit.chunkID, score: hit.score)
            }
        }
        for chunk in fresh.chunks {
            var score = 0.0
            for (term, idf) in weighted {
                guard let tf = chunk.termCounts[term] else { continue }
                score += BM25.termScore(tf: tf, length: chunk.length, idf: idf, statistics: statistics, parameters: settings.bm25)
            }
            if score > 0 { top.insert(chunk.id, score: score) }
        }
        return top.sorted().map { ($0.id, $0.score) }
    }

    private func denseCandidates(_ query: [Float], file: IndexFile?, fresh: FreshChunks, scope: SearchScope,
                                 count: Int) -> [(id: Int64, score: Double)] {
        var top = TopK<Int64>(count)
        if let file, file.dimensions == query.count {
            for hit in file.dense(query: query, filter: scope.filter.compile(for: file), k: count) {
                top.insert(hit.chunkID, score: hit.score)
            }
        }
        for chunk in fresh.chunks where chunk.embedding.count == query.count {
            var dot: Float = 0
            for index in 0..<query.count { dot += query[index] * chunk.embedding[index] }
            top.insert(chunk.id, score: Double(dot))
        }
        return top.sorted().map { ($0.id, $0.score) }
    }
}

/// Each signal's ranked candidates, and their fusion.
struct CandidateLists {
    var bm25: [(id: Int64, score: Double)] = []
    var dense: [(id: Int64, score: Double)] = []

    func fused(mode: SearchRequest.Mode, settings: SearchSettings) -> [(id: Int64, score: Double)] {
        switch mode {
        case .bm25: return bm25
        case .dense: return dense
        case .hybrid:
            return Fusion.reciprocalRank([bm25.map(\.id), dense.map(\.id)], weights: [settings.weightBM25, settings.weightDense],
                                         k: settings.rrfK).map { ($0.id, $0.score) }
        }
    }
}
