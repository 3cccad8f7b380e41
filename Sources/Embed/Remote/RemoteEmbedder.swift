internal import FoundationEssentials
internal import HTTP

/// Embeddings from an OpenAI-compatible HTTP API (`POST {baseURL}/embeddings`).
///
/// Thread rule: immutable after init and `Sendable`; concurrent `embed` calls are independent
/// blocking requests on their callers' threads (`HTTPClient` makes one curl handle per call).
/// Nothing to close.
///
/// Inputs are sent in batches of `batchSize`; each batch is retried on its own, so a rate limit
/// half-way through a large document does not resend the batches already embedded.
public final class RemoteEmbedder: EmbeddingProvider {
    /// Blocks the calling thread for the given seconds. Injected so tests observe backoff
    /// decisions instead of waiting through them.
    public typealias Sleeper = @Sendable (_ seconds: Double) -> Void

    public let configuration: Configuration
    public var dimensions: Int { configuration.dimensions }

    private let sleep: Sleeper
    private let now: @Sendable () -> Double
    private let jitter: @Sendable () -> Double
    private let policy: RetryPolicy

    /// - Parameters:
    ///   - sleep: defaults to `nanosleep`.
    ///   - now: seconds since 1970, only used to turn an HTTP-date `Retry-After` into a delay.
    ///   - jitter: a number in 0...1 per retry; random by default.
    public init(
        configuration: Configuration,
        sleep: @escaping Sleeper = RemoteEmbedder.systemSleep,
        now: @escaping @Sendable () -> Double = RemoteEmbedder.systemNow,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) throws(RemoteEmbeddingError) {
        try configuration.validate()
        self.configuration = configuration
        self.sleep = sleep
        self.now = now
        self.jitter = jitter
        policy = RetryPolicy(
            maxRetries: configuration.maxRetries, initialBackoffSeconds: configuration.initialBackoffSeconds,
            maxBackoffSeconds: configuration.maxBackoffSeconds, maxRetryAfterSeconds: configuration.maxRetryAfterSeconds)
    }

    public func embed(texts: [String], kind: EmbeddingKind) throws -> [[Float]] {
        let prefix = kind == .query ? configuration.queryPrefix : configuration.passagePrefix
        let inputs = prefix.isEmpty ? texts : texts.map { prefix + $0 }
        var vectors: [[Float]] = []
        vectors.reserveCapacity(inputs.count)
        var start = 0
        while start < inputs.count {
            let end = min(start + configuration.batchSize, inputs.count)
            vectors += try embedBatch(Array(inputs[start..<end]), offset: start)
            start = end
        }
        return vectors
    }

    /// Wall-clock seconds since 1970.
    public static let systemNow: @Sendable () -> Double = RetryPolicy.systemNow

    /// `nanosleep`, resumed after signal interruptions.
    public static let systemSleep: Sleeper = RetryPolicy.systemSleep

    // MARK: - One batch

    private func embedBatch(_ inputs: [String], offset: Int) throws(RemoteEmbeddingError) -> [[Float]] {
        let body: [UInt8]
        do {
            let request = OpenAIEmbeddingsWire.Request(
                model: configuration.model, input: inputs,
                dimensions: configuration.requestsDimensions ? configuration.dimensions : nil)
            body = Array(try JSONEncoder().encode(request))
        } catch {
            throw .malformedResponse("the request could not be encoded: \(error)")
        }
        // Floats arrive as JSON text (up to ~25 bytes each); the bound scales with the batch instead of
        // HTTPClient's 16 MiB default, which large batches of 3,072-dimension vectors can exceed.
        let limit = max(16 << 20, inputs.count * configuration.dimensions * 32 + (1 << 16))
        let reply = try sendWithRetries(body: body, maxResponseBytes: limit)
        return try Self.vectors(from: reply.body, expectedCount: inputs.count, dimensions: configuration.dimensions, offset: offset)
    }

    /// Sends until a 2xx, a non-retryable status, or the retry budget is spent.
    private func sendWithRetries(body: [UInt8], maxResponseBytes: Int) throws(RemoteEmbeddingError) -> HTTPClient.Reply {
        var headers = [("Content-Type", "application/json"), ("Accept", "application/json")]
        if let key = configuration.apiKey, !key.isEmpty { headers.append(("Authorization", "Bearer " + key)) }
        var attempt = 0
        while true {
            let failure: RemoteEmbeddingError
            var retryAfter: Double?
            do {
                let reply = try HTTPClient.send(
                    method: "POST", url: configuration.endpoint, headers: headers, body: body,
                    timeoutSeconds: configuration.timeoutSeconds, maxResponseBytes: maxResponseBytes)
                if (200...299).contains(reply.status) { return reply }
                let message = providerMessage(reply)
                guard RetryPolicy.isRetryable(status: reply.status) else {
                    throw RemoteEmbeddingError.rejected(status: reply.status, message: message)
                }
                failure = .unavailable(status: reply.status, message: message, attempts: attempt + 1)
                retryAfter = RetryPolicy.retryAfter(headers: reply.header, now: now())
            } catch let error as RemoteEmbeddingError {
                throw error
            } catch {
                // HTTPClient's description names the URL and curl's reason, never headers.
                failure = .transport(redacted("\(error)"), attempts: attempt + 1)
            }
            guard attempt < configuration.maxRetries else { throw failure }
            sleep(policy.delay(afterAttempt: attempt, retryAfter: retryAfter, jitter: jitter()))
            attempt += 1
        }
    }

    // MARK: - Parsing

    /// Vectors in input order (the API may return `data` in any order; `index` is authoritative),
    /// checked and L2-normalised. Parley's index scores by dot product and assumes unit vectors;
    /// OpenAI's are normalised already, but other servers (TEI with normalize=false, Ollama
    /// models) return raw ones, and normalising a unit vector again is harmless. `offset` is the
    /// batch's position in the caller's list, so errors name the caller's index.
    static func vectors(from body: [UInt8], expectedCount: Int, dimensions: Int, offset: Int = 0) throws(RemoteEmbeddingError) -> [[Float]] {
        let response: OpenAIEmbeddingsWire.Response
        do {
            response = try JSONDecoder().decode(OpenAIEmbeddingsWire.Response.self, from: Data(body))
        } catch {
            throw .malformedResponse(describe(error))
        }
        guard response.data.count == expectedCount else {
            throw .wrongCount(expected: expectedCount, received: response.data.count)
        }
        var ordered = [[Float]?](repeating: nil, count: expectedCount)
        for item in response.data {
            guard (0..<expectedCount).contains(item.index) else {
                throw .malformedResponse("index \(item.index) is outside 0..<\(expectedCount)")
            }
            guard ordered[item.index] == nil else { throw .malformedResponse("index \(item.index) appears twice") }
            guard item.embedding.count == dimensions else {
                throw .wrongDimensions(expected: dimensions, received: item.embedding.count, index: offset + item.index)
            }
            guard let unit = UnitVector.normalized(item.embedding) else { throw .invalidVector(index: offset + item.index) }
            ordered[item.index] = unit
        }
        // Count matched and indices are distinct and in range, so every slot is filled.
        return ordered.compactMap { $0 }
    }

    private static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "the body is not JSON" }
        switch decoding {
        case .keyNotFound(let key, let context):
            return "field '\(path(context.codingPath + [key]))' is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "field '\(path(context.codingPath))' has the wrong type (expected float arrays under data[].embedding)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the body is not JSON" : "field '\(path(context.codingPath))' is invalid"
        @unknown default:
            return "the body does not match the embeddings format"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".").description
    }

    /// The provider's own explanation (see `ProviderErrorMessage`), redacted.
    private func providerMessage(_ reply: HTTPClient.Reply) -> String? {
        ProviderErrorMessage.extract(from: reply.body).map(redacted)
    }

    /// Removes the API key wherever it appears; errors end up in logs and problem responses.
    private func redacted(_ text: String) -> String {
        guard let key = configuration.apiKey, key.count >= 4 else { return text }
        return text.replacing(key, with: "***")
    }
}
