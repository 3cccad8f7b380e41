import Embed
import Synchronization

/// What every searching thread of a process shares: the index catalog and the query embedder.
/// The embedder is made on first use (a worker that never searches never maps the model), and
/// then shared: `EmbeddingProvider` implementations are safe to call from several threads.
public final class SearchEngine: Sendable {
    public let catalog: IndexCatalog
    private let makeEmbedder: @Sendable () throws -> any EmbeddingProvider
    private let batcher = Mutex<QueryBatcher?>(nil)

    public init(catalog: IndexCatalog, makeEmbedder: @escaping @Sendable () throws -> any EmbeddingProvider) {
        self.catalog = catalog
        self.makeEmbedder = makeEmbedder
    }

    /// The unit vector of a question; concurrent float32 questions share forward passes
    /// (`QueryBatcher`).
    func embedQuery(_ text: String) throws -> [Float] {
        let batcher = try batcher.withLock { current in
            if let current { return current }
            let embedder = try makeEmbedder()
            let shares = (embedder as? LocalEmbedder)?.sharesQueryPasses ?? true
            let made = QueryBatcher(provider: embedder, maxBatch: shares ? 8 : 1)
            current = made
            return made
        }
        return try batcher.embed(text)
    }
}
