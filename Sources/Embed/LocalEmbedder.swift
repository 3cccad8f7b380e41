internal import FoundationEssentials

/// The in-process embedding engine: a BERT-family model in Hugging Face / sentence-transformers
/// layout (config.json, vocab, model.safetensors, modules.json, pooling config), run on the CPU,
/// giving the same vectors as sentence-transformers for that model, scaled to unit length.
///
/// Owns the tokenizer and the encoder, which owns the read-only mapping of the weights (shared
/// with every other process that maps the same file). Immutable after `init`, so one instance may
/// be shared by all threads of a worker; each `embed` call allocates its own scratch buffers.
///
/// Threads: matrix products run on OpenBLAS, whose thread count is a process-wide setting, so
/// `init` applies `threads` to the whole process (the last embedder created wins). The default 1
/// is right for the server: the pool already runs several worker processes and request threads,
/// and BLAS threads on top would oversubscribe the cores and spin against each other. A single
/// process embedding a large corpus (ingestion, benchmarks) may pass the core count instead.
public final class LocalEmbedder: SpanEmbeddingProvider {
    public let dimensions: Int
    /// The model directory's name, e.g. "all-MiniLM-L6-v2": recorded with stored vectors so that
    /// vectors from different models are never compared.
    public let modelName: String
    /// OpenBLAS threads requested at `init` (process-wide, see the type's comment).
    public let threads: Int
    /// Texts per forward pass: bounds the scratch memory of one call (~9 KB per token for MiniLM).
    public let batchSize: Int
    /// Whether the model's own pipeline ends in a Normalize module (the encoder reproduces
    /// sentence-transformers exactly either way; `embed` then returns unit vectors regardless).
    public var modelNormalizes: Bool { encoder.configuration.normalizes }
    /// How questions (`.query`) are embedded: what was asked for at `init`, unless the CPU has no
    /// VNNI, where `.int8` falls back to `.float32`. Passages always use `.float32`.
    public var queryPrecision: EmbeddingPrecision { encoder.effective(requestedQueryPrecision) }
    private let requestedQueryPrecision: EmbeddingPrecision
    /// Whether concurrent questions gain from sharing one forward pass: in float32 they do (a pass
    /// is bound by reading the weights), in int8 they do not (the weights stay in the cache).
    public var sharesQueryPasses: Bool { queryPrecision == .float32 }

    let encoder: BertEncoder
    let tokenizer: WordPieceTokenizer

    public init(modelDirectory: String, threads: Int = 1, batchSize: Int = 32, queryPrecision: EmbeddingPrecision = .float32) throws {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: modelDirectory, isDirectory: &isDirectory), isDirectory else {
            throw ModelError(.missingFile, file: modelDirectory, "model directory not found (scripts/fetch-model installs the default model)")
        }
        let product = MatrixProduct()
        encoder = try BertEncoder(modelDirectory: modelDirectory, product: product,
                                  quantize: queryPrecision == .int8 && product.hasFastInt8)
        requestedQueryPrecision = queryPrecision
        tokenizer = try WordPieceTokenizer(modelDirectory: modelDirectory)
        dimensions = encoder.configuration.hiddenSize
        modelName = modelDirectory.split(separator: "/").last.map(String.init) ?? modelDirectory
        self.threads = max(1, threads)
        self.batchSize = max(1, batchSize)
        try OpenBLAS.load().setThreads(Int32(self.threads))
    }

    /// One vector per text, in order. The kind selects the model's prompt ("query: " …), which is
    /// prepended before tokenization exactly as sentence-transformers' `prompt_name` does.
    public func embed(texts: [String], kind: EmbeddingKind = .passage) throws -> [[Float]] {
        let (prompt, promptTokens) = self.prompt(for: kind)
        let precision = kind == .query ? queryPrecision : .float32
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let end = min(start + batchSize, texts.count)
            let batch = texts[start..<end].map { text in
                var ids = tokenizer.encode(prompt + text)
                fitPositionTable(&ids)
                return ids
            }
            // Sequences are packed, not padded (see `Attention`), so batch order and lengths
            // cost nothing and no sorting by length is needed.
            // The provider contract is unit vectors (see UnitVector); for models with a Normalize
            // module this changes nothing, for the others it fixes the length, not the direction.
            vectors += try encoder.encode(batch, promptTokens: promptTokens, precision: precision).map { UnitVector.normalized($0) ?? $0 }
            start = end
        }
        return vectors
    }

    /// The model's prompt for `kind` and sentence-transformers' prompt_length: the prompt's tokens
    /// plus [CLS] (its [SEP] dropped).
    func prompt(for kind: EmbeddingKind) -> (text: String, tokens: Int) {
        let prompt = encoder.configuration.prompt(for: kind)
        return (prompt, prompt.isEmpty ? 0 : max(0, tokenizer.encode(prompt).count - 1))
    }

    /// The tokenizer truncates to max_seq_length; a model whose position table is shorter still
    /// must not read past it, so keep the head and the final [SEP]. Returns whether it cut.
    @discardableResult
    func fitPositionTable<T>(_ ids: inout [T]) -> Bool {
        let maxPositions = encoder.configuration.maxPositions
        guard ids.count > maxPositions, let last = ids.last else { return false }
        ids.removeSubrange((maxPositions - 1)...)
        ids.append(last)
        return true
    }

    /// Tokens the model sees for `text`, for chunking documents to fit max_seq_length.
    public func tokenCount(_ text: String) -> Int {
        tokenizer.tokenCount(text)
    }
}
