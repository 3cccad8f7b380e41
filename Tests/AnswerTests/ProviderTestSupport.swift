import FoundationEssentials
import Synchronization
import Testing
import TestSupport
@testable import Answer

/// Shared pieces of the provider tests: recorded sleeps, a sample prompt, the fakes' wire text.
enum ProviderFixtures {
    static let key = "sk-test-0123456789abcdefSECRET"

    /// The endpoint a generator test talks to: the fake server, the test key, two retries.
    static func endpoint(_ kind: ProviderEndpoint.Kind, _ server: FakeHTTPServer,
                         configure: (inout ProviderEndpoint) -> Void) -> ProviderEndpoint {
        var endpoint = ProviderEndpoint(kind: kind, baseURL: server.baseURL + "/v1", apiKey: key, maxRetries: 2)
        configure(&endpoint)
        return endpoint
    }

    final class SleepLog: Sendable {
        let delays = Mutex<[Double]>([])
        var recorded: [Double] { delays.withLock { $0 } }
        var hooks: ProviderHooks {
            ProviderHooks(sleep: { [self] seconds in delays.withLock { $0.append(seconds) } }, now: { 1_000_000 }, jitter: { 1 })
        }
    }

    static func input(history: [Turn] = [], question: String = "How long is the warranty?") -> GenerationInput {
        GenerationInput(
            question: question, questionVector: nil, sources: [],
            prompt: Prompt(instructions: "Answer only from the sources.", context: "[1] The warranty lasts two years.",
                           history: history, question: question, maxTokens: 200, temperature: 0.1),
            refusal: "I don't know.")
    }

    /// A fresh breaker per test: the process-wide one would carry failures between tests.
    static func breaker(threshold: Int = 5) -> CircuitBreaker {
        CircuitBreaker(failureThreshold: threshold, coolDownSeconds: 30, clock: { 0 })
    }

    /// Collects deltas; `stopAfter` makes the client "leave" after that many.
    final class Deltas {
        var pieces: [String] = []
        let stopAfter: Int?
        init(stopAfter: Int? = nil) { self.stopAfter = stopAfter }
        func receive(_ piece: String) -> Bool {
            pieces.append(piece)
            return stopAfter.map { pieces.count < $0 } ?? true
        }
    }

    struct SentMessage: Decodable, Equatable {
        let role: String
        let content: String
    }

    /// A Chat Completions request as the fake received it.
    struct SentOpenAI: Decodable {
        struct Options: Decodable { let include_usage: Bool }
        let model: String
        let messages: [SentMessage]
        let stream: Bool
        let stream_options: Options
        let max_tokens: Int
        let temperature: Double
    }

    /// A Messages request as the fake received it.
    struct SentAnthropic: Decodable {
        struct Block: Decodable {
            struct Cache: Decodable { let type: String }
            let type: String
            let text: String
            let cache_control: Cache?
        }
        let model: String
        let max_tokens: Int
        let stream: Bool
        let system: [Block]
        let messages: [SentMessage]
    }

    static func decode<T: Decodable>(_: T.Type, _ request: FakeHTTPServer.Request) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(request.body))
    }
}
