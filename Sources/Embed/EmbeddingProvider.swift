/// Whether a text is a question or a passage: models such as e5 prepend different prefixes
/// ("query: ", "passage: "), read from their configuration.
public enum EmbeddingKind: Sendable {
    case query
    case passage
}

/// Turns texts into unit-length vectors. The local engine (`LocalEmbedder`) and remote
/// OpenAI-compatible services (`RemoteEmbedder`) both conform, so ingestion and search do not
/// care which one a tenant uses.
public protocol EmbeddingProvider: Sendable {
    /// Length of every vector this provider returns.
    var dimensions: Int { get }
    /// One L2-normalised vector per text, in order.
    func embed(texts: [String], kind: EmbeddingKind) throws -> [[Float]]
}

/// A text's vector together with vectors of spans of it (its sentences), pooled from the same
/// forward pass ("late chunking"): each span's tokens were encoded with the whole text around them.
public struct SpanEmbedding: Sendable {
    /// Exactly what `embed(texts:kind:)` returns for the text.
    public var vector: [Float]
    /// One per requested span, in order: a unit vector, or nil when the span has no tokens the
    /// model saw (empty, whitespace only, or cut off by the model's maximum length).
    public var spans: [[Float]?]

    public init(vector: [Float], spans: [[Float]?]) {
        self.vector = vector
        self.spans = spans
    }
}

/// A provider that sees token states and can pool spans of a text in the same pass: the local
/// model. Remote services only return one vector per text, so they do not conform, and callers
/// store no sentence vectors for them.
public protocol SpanEmbeddingProvider: EmbeddingProvider {
    /// One `SpanEmbedding` per text; `spans[i]` are UTF-8 byte ranges in `texts[i]` (a missing
    /// entry means no spans).
    func embed(texts: [String], spans: [[Range<Int>]], kind: EmbeddingKind) throws -> [SpanEmbedding]
}
