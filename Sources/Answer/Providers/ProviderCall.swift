import FoundationEssentials
import HTTP

/// Turns one provider's stream of Server-Sent Events into text deltas, usage and a finish reason.
/// A fresh decoder serves each attempt, so a retried request never adds up usage.
protocol ProviderStreamDecoder {
    init()
    /// Consumes one event, returning the text it carries (often none).
    mutating func consume(_ event: ServerSentEvent) throws(StreamFailure) -> String?
    /// The provider's terminal event was seen ([DONE], message_stop).
    var isFinished: Bool { get }
    var usage: TokenUsage { get }
    var finishReason: String? { get }
    /// The model the provider says answered.
    var model: String? { get }
}

/// What a provider call does besides I/O, injectable so tests record backoff instead of waiting.
public struct ProviderHooks: Sendable {
    /// Blocks the calling thread for the given seconds (default `nanosleep`).
    public var sleep: @Sendable (Double) -> Void
    /// Wall-clock seconds since 1970, only to turn an HTTP-date `Retry-After` into a delay.
    public var now: @Sendable () -> Double
    /// A number in 0...1 per retry, spreading retries of clients that failed together.
    public var jitter: @Sendable () -> Double

    public init(sleep: (@Sendable (Double) -> Void)? = nil, now: (@Sendable () -> Double)? = nil,
                jitter: (@Sendable () -> Double)? = nil) {
        self.sleep = sleep ?? RetryPolicy.systemSleep
        self.now = now ?? RetryPolicy.systemNow
        self.jitter = jitter ?? { Double.random(in: 0...1) }
    }
}

/// A stream that cannot be trusted to continue. `retryable` tells a passing condition (an error
/// event such as overloaded_error) from a server speaking another format (malformed JSON).
struct StreamFailure: Error {
    var reason: String
    var retryable: Bool
}

/// The request/retry/stream loop both LLM generators share: circuit breaker, attempts with
/// jittered backoff (honouring Retry-After), SSE parsing, delta delivery, error mapping.
///
/// Retries happen only while nothing has reached `onDelta`: once the client has seen text, a
/// second attempt would show it a different answer, so a failure then is `.unavailable` and the
/// pipeline resets the client onto the fallback.
struct ProviderCall: Sendable {
    let endpoint: ProviderEndpoint
    let breaker: CircuitBreaker
    let hooks: ProviderHooks

    /// Provider error bodies are read up to this size; the message is cut much shorter.
    private static let maxErrorBodyBytes = 64 * 1024

    /// The call a generator makes, after checking that the endpoint is one it speaks to and is
    /// valid. The breaker defaults to the process's one for the endpoint's URL.
    init(endpoint: ProviderEndpoint, for generator: String, accepting kinds: Set<ProviderEndpoint.Kind>, breaker: CircuitBreaker?,
         hooks: ProviderHooks) throws(ProviderEndpoint.ConfigurationError) {
        guard kinds.contains(endpoint.kind) else {
            let names = kinds.map(\.rawValue).sorted().joined(separator: " or ")
            throw ProviderEndpoint.ConfigurationError(description: "\(endpoint.name): \(generator) needs an \(names) endpoint")
        }
        try endpoint.validate()
        self.init(endpoint: endpoint, breaker: breaker ?? CircuitBreaker.shared(for: endpoint.url), hooks: hooks)
    }

    init(endpoint: ProviderEndpoint, breaker: CircuitBreaker, hooks: ProviderHooks) {
        self.endpoint = endpoint
        self.breaker = breaker
        self.hooks = hooks
    }

    func run<Decoder: ProviderStreamDecoder>(_: Decoder.Type, body: [UInt8], model: String,
                                             onDelta: (String) -> Bool) throws(GenerationError) -> GenerationOutput {
        guard breaker.allowRequest() else { throw .unavailable(provider: endpoint.name, reason: "circuit open") }
        let headers = [("Content-Type", "application/json"), ("Accept", "text/event-stream")] + endpoint.authenticationHeaders
        let policy = endpoint.retryPolicy
        let timeouts = HTTPClient.StreamTimeouts(connectSeconds: endpoint.connectTimeoutSeconds,
                                                 totalSeconds: endpoint.totalTimeoutSeconds, idleSeconds: endpoint.idleTimeoutSeconds)
        var text = ""
        var attempt = 0
        while true {
            var decoder = Decoder()
            var parser = ServerSentEventParser()
            var errorBody: [UInt8] = []
            var streamFailure: StreamFailure?
            var cancelled = false
            let failure: StreamFailure
            var retryAfter: Double?
            do {
                let reply = try HTTPClient.stream(url: endpoint.url, headers: headers, body: body, timeouts: timeouts) { head, bytes in
                    guard (200...299).contains(head.status) else {
                        errorBody += bytes.prefix(max(0, Self.maxErrorBodyBytes - errorBody.count))
                        return true
                    }
                    for event in parser.feed(bytes) where !decoder.isFinished {
                        let piece: String?
                        do throws(StreamFailure) { piece = try decoder.consume(event) } catch {
                            streamFailure = error
                            return false
                        }
                        guard let piece, !piece.isEmpty else { continue }
                        text += piece
                        guard onDelta(piece) else {
                            cancelled = true
                            return false
                        }
                    }
                    return true
                }
                let status = reply.head.status
                if cancelled {
                    breaker.recordSuccess()
                    return GenerationOutput(text: text, usage: decoder.usage, model: decoder.model ?? model, finishReason: "cancelled")
                }
                if !(200...299).contains(status) {
                    let message = endpoint.redacted(ProviderErrorMessage.extract(from: errorBody) ?? "no message")
                    guard RetryPolicy.isRetryable(status: status) else {
                        breaker.recordSuccess()  // it answered: the request is wrong, not the provider
                        throw GenerationError.rejected(provider: endpoint.name, status: status, reason: message)
                    }
                    failure = StreamFailure(reason: "HTTP \(status): \(message)", retryable: true)
                    retryAfter = RetryPolicy.retryAfter(headers: reply.head.header, now: hooks.now())
                } else if let streamFailure {
                    failure = streamFailure
                } else if !decoder.isFinished {
                    failure = StreamFailure(reason: "the stream ended before its final event", retryable: true)
                } else {
                    breaker.recordSuccess()
                    return GenerationOutput(text: text, usage: decoder.usage, model: decoder.model ?? model,
                                            finishReason: decoder.finishReason ?? "stop")
                }
            } catch let error as GenerationError {
                throw error
            } catch {
                // HTTPClient's description names the URL and curl's reason, never headers.
                failure = StreamFailure(reason: endpoint.redacted("\(error)"), retryable: true)
            }
            let delivered = !text.isEmpty
            guard failure.retryable, !delivered, attempt < policy.maxRetries else {
                breaker.recordFailure()
                let attempts = attempt == 0 ? "" : " (after \(attempt + 1) attempts)"
                let when = delivered ? " after the answer had started" : ""
                throw .unavailable(provider: endpoint.name, reason: failure.reason + when + attempts)
            }
            hooks.sleep(policy.delay(afterAttempt: attempt, retryAfter: retryAfter, jitter: hooks.jitter()))
            attempt += 1
        }
    }

    /// Encodes a wire request; a failure here is a programming error, reported rather than crashing.
    static func encode(_ request: some Encodable, provider: String) throws(GenerationError) -> [UInt8] {
        do {
            return try JSON.encode(request)
        } catch {
            throw .rejected(provider: provider, status: 0, reason: "the request could not be encoded: \(error)")
        }
    }

    /// Decodes one event's JSON, naming the event in the failure.
    static func decode<T: Decodable>(_: T.Type, _ event: ServerSentEvent) throws(StreamFailure) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(event.data.utf8))
        } catch {
            let shown = event.data.count > 120 ? String(event.data.prefix(120)) + "…" : event.data
            throw StreamFailure(reason: "malformed \(event.event) event: \(shown)", retryable: false)
        }
    }
}
