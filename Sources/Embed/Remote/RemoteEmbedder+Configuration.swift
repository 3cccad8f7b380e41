extension RemoteEmbedder {
    /// Settings for one OpenAI-compatible embeddings endpoint (OpenAI, Azure-style proxies, vLLM,
    /// text-embeddings-inference, Ollama's `/v1`). Defaults follow OpenAI's documented limits.
    ///
    /// `description` and `customMirror` hide `apiKey`, so the configuration can be logged or dumped.
    public struct Configuration: Sendable, CustomStringConvertible, CustomReflectable {
        /// Up to and including the version segment, e.g. `https://api.openai.com/v1`; `/embeddings` is appended.
        public var baseURL: String
        /// Sent as `Authorization: Bearer <key>`; nil for self-hosted servers without auth.
        public var apiKey: String?
        /// e.g. `text-embedding-3-small`.
        public var model: String
        /// The length every returned vector must have; the index is built for it.
        public var dimensions: Int
        /// Also send `"dimensions"` in the request, asking the model to shorten its vectors. Only
        /// some models accept it (OpenAI's text-embedding-3-*); others answer 400.
        public var requestsDimensions: Bool
        /// Texts per request. 96 stays well inside OpenAI's 2,048-input and ~300k-token request limits
        /// for passage-sized chunks, and matches Cohere-style servers that cap at 96.
        public var batchSize: Int
        /// Per attempt, covering connect and the whole reply.
        public var timeoutSeconds: Double
        /// Retries after the first attempt, for 408, 429, 5xx and transport failures.
        public var maxRetries: Int
        /// Backoff before retry n (from 0) is `initialBackoffSeconds * 2^n`, capped at
        /// `maxBackoffSeconds`, then jittered down by up to half so clients that failed together
        /// do not retry together.
        public var initialBackoffSeconds: Double
        public var maxBackoffSeconds: Double
        /// Ceiling on a server's `Retry-After`: a provider asking for an hour should fail the request
        /// now rather than hold a worker thread that long.
        public var maxRetryAfterSeconds: Double
        /// Prepended to every text of that kind, for models trained with prefixes (e5: "query: ",
        /// "passage: "); empty for OpenAI models.
        public var queryPrefix: String
        public var passagePrefix: String

        public init(
            baseURL: String, apiKey: String?, model: String, dimensions: Int, requestsDimensions: Bool = false,
            batchSize: Int = 96, timeoutSeconds: Double = 30, maxRetries: Int = 4,
            initialBackoffSeconds: Double = 0.5, maxBackoffSeconds: Double = 20, maxRetryAfterSeconds: Double = 60,
            queryPrefix: String = "", passagePrefix: String = ""
        ) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.model = model
            self.dimensions = dimensions
            self.requestsDimensions = requestsDimensions
            self.batchSize = batchSize
            self.timeoutSeconds = timeoutSeconds
            self.maxRetries = maxRetries
            self.initialBackoffSeconds = initialBackoffSeconds
            self.maxBackoffSeconds = maxBackoffSeconds
            self.maxRetryAfterSeconds = maxRetryAfterSeconds
            self.queryPrefix = queryPrefix
            self.passagePrefix = passagePrefix
        }

        /// The endpoint, tolerating a trailing slash on `baseURL`.
        var endpoint: String {
            (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/embeddings"
        }

        func validate() throws(RemoteEmbeddingError) {
            guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") else {
                throw .invalidConfiguration("baseURL must start with http:// or https://")
            }
            guard !model.isEmpty else { throw .invalidConfiguration("model is empty") }
            guard dimensions >= 1 else { throw .invalidConfiguration("dimensions must be at least 1") }
            guard batchSize >= 1 else { throw .invalidConfiguration("batchSize must be at least 1") }
            guard maxRetries >= 0 else { throw .invalidConfiguration("maxRetries must not be negative") }
            guard timeoutSeconds > 0 else { throw .invalidConfiguration("timeoutSeconds must be positive") }
            // A key with CR/LF would inject headers into the request.
            guard apiKey?.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) != true else {
                throw .invalidConfiguration("apiKey contains a line break")
            }
        }

        public var description: String {
            "RemoteEmbedder.Configuration(baseURL: \(baseURL), apiKey: \(apiKey == nil ? "none" : "***"), model: \(model), "
                + "dimensions: \(dimensions), batchSize: \(batchSize), timeoutSeconds: \(timeoutSeconds), maxRetries: \(maxRetries))"
        }

        public var customMirror: Mirror {
            Mirror(self, children: [
                "baseURL": baseURL, "apiKey": apiKey == nil ? "none" : "***", "model": model, "dimensions": dimensions,
                "requestsDimensions": requestsDimensions, "batchSize": batchSize, "timeoutSeconds": timeoutSeconds,
                "maxRetries": maxRetries, "queryPrefix": queryPrefix, "passagePrefix": passagePrefix,
            ])
        }
    }
}
