/// What to search for, and where.
public struct SearchRequest: Sendable {
    public enum Mode: String, Sendable, CaseIterable { case hybrid, bm25, dense }

    public var query: String
    /// Collection names; nil searches every collection the caller may see.
    public var collections: [String]?
    /// Only chunks of these documents (ids); nil for all.
    public var documentIDs: [String]?
    public var topK: Int
    public var mode: Mode
    /// How many candidates each signal contributes to fusion (a single-signal mode ranks at least
    /// `topK`).
    public var candidates: Int
    /// Also fetch each hit's stored sentence vectors (`SearchHit.sentenceVectors`), for the
    /// extractive answerer; off for the search API, which never shows them.
    public var includeSentenceVectors: Bool

    public init(query: String, collections: [String]? = nil, documentIDs: [String]? = nil, topK: Int = 10,
                mode: Mode = .hybrid, candidates: Int = 100, includeSentenceVectors: Bool = false) {
        self.query = query
        self.collections = collections
        self.documentIDs = documentIDs
        self.topK = topK
        self.mode = mode
        self.candidates = max(candidates, 1)
        self.includeSentenceVectors = includeSentenceVectors
    }
}

/// Who is searching: the tenant, and whether internal collections are visible to them.
public struct SearchAudience: Sendable {
    public let tenantID: String
    public let includeInternal: Bool

    public init(tenantID: String, includeInternal: Bool) {
        self.tenantID = tenantID
        self.includeInternal = includeInternal
    }
}

/// One ranked chunk, with what a citation needs.
public struct SearchHit: Sendable, Encodable {
    public let chunkID: Int64
    public let documentID: String
    public let title: String?
    public let filename: String
    /// The document's own address (`source_url` at upload), for citation links; nil when unknown.
    public let sourceURL: String?
    public let collection: String
    public let ordinal: Int
    public let pageStart: Int?
    public let pageEnd: Int?
    public let headingPath: [String]
    public let text: String
    public let snippet: String
    /// Offsets in Unicode scalars of `snippet` where query terms matched.
    public let highlights: [[Int]]
    /// The fused score, and each signal's score and rank (nil when that signal did not find it).
    public let score: Double
    public let bm25Score: Double?
    public let bm25Rank: Int?
    public let denseScore: Double?
    public let denseRank: Int?
    /// `chunks.sentence_vectors` as stored (see `SentenceVectorCoding`), when the request asked for
    /// them and the chunk has them. Not serialized.
    public var sentenceVectors: [UInt8]? = nil

    enum CodingKeys: String, CodingKey {
        case title, filename, collection, ordinal
        case sourceURL = "source_url", text, snippet, highlights, score, scores
        case chunkID = "chunk_id", documentID = "document_id", pageStart = "page_start", pageEnd = "page_end"
        case headingPath = "heading_path"
    }

    enum ScoreKeys: String, CodingKey {
        case bm25, dense
        case bm25Rank = "bm25_rank", denseRank = "dense_rank", fused
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(String(chunkID), forKey: .chunkID)
        try c.encode(documentID, forKey: .documentID)
        try c.encode(title, forKey: .title)
        try c.encode(filename, forKey: .filename)
        try c.encode(sourceURL, forKey: .sourceURL)
        try c.encode(collection, forKey: .collection)
        try c.encode(ordinal, forKey: .ordinal)
        try c.encode(pageStart, forKey: .pageStart)
        try c.encode(pageEnd, forKey: .pageEnd)
        try c.encode(headingPath, forKey: .headingPath)
        try c.encode(text, forKey: .text)
        try c.encode(snippet, forKey: .snippet)
        try c.encode(highlights, forKey: .highlights)
        try c.encode(score, forKey: .score)
        var scores = c.nestedContainer(keyedBy: ScoreKeys.self, forKey: .scores)
        try scores.encode(score, forKey: .fused)
        try scores.encode(bm25Score, forKey: .bm25)
        try scores.encode(bm25Rank, forKey: .bm25Rank)
        try scores.encode(denseScore, forKey: .dense)
        try scores.encode(denseRank, forKey: .denseRank)
    }
}

public struct SearchResult: Sendable, Encodable {
    public let hits: [SearchHit]
    /// "index+delta" when the tenant's index file served most chunks, "exact" when every chunk
    /// was read from SQL (no file yet, or it could not be opened).
    public let path: String
    public let tookMilliseconds: Double
    /// The question's unit vector (nil in BM25 mode), for callers that score more text against it
    /// (the extractive answer generator) without embedding the question twice. Not serialized.
    public var queryVector: [Float]? = nil

    enum CodingKeys: String, CodingKey { case hits = "data", path, tookMilliseconds = "took_ms" }
}

/// Module errors stay HTTP-free; App maps them.
public enum SearchError: Error, Equatable, CustomStringConvertible {
    case invalid(String)
    case unavailable(String)

    public var description: String {
        switch self {
        case .invalid(let text), .unavailable(let text): text
        }
    }
}
