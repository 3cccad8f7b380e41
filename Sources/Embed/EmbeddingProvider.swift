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
