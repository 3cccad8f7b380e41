import FoundationEssentials
import Synchronization
import Testing
import TestSupport
@testable import Answer

/// Shared pieces of the provider tests: recorded sleeps, a sample prompt, the fakes' wire text.
enum ProviderFixtures {
    static let key = "sk-test-0123456789abcdefSECRET"

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

    static func error(_ message: String, type: String, status: Int, headers: [(String, String)] = []) -> FakeHTTPServer.Response {
        .json(#"{"type":"error","error":{"message":"\#(message)","type":"\#(type)"}}"#, status: status, headers: headers)
    }

    // MARK: - OpenAI's wire format (captured shapes of gpt-4o-mini streams)

    static func openAIChunk(_ content: String?, finish: String? = nil) -> String {
        let delta = content.map { #"{"content":\#(quoted($0))}"# } ?? "{}"
        let reason = finish.map { #""\#($0)""# } ?? "null"
        return #"data: {"id":"chatcmpl-B9","object":"chat.completion.chunk","created":1727000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_1","choices":[{"index":0,"delta":\#(delta),"logprobs":null,"finish_reason":\#(reason)}],"usage":null}"#
            + "\n\n"
    }

    static let openAIRoleChunk = #"data: {"id":"chatcmpl-B9","object":"chat.completion.chunk","created":1727000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}"#
        + "\n\n"

    static func openAIUsage(prompt: Int, completion: Int, cached: Int) -> String {
        #"data: {"id":"chatcmpl-B9","object":"chat.completion.chunk","created":1727000000,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"total_tokens":\#(prompt + completion),"prompt_tokens_details":{"cached_tokens":\#(cached),"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}"#
            + "\n\n"
    }

    static let openAIDone = "data: [DONE]\n\n"

    static func openAIStream(_ pieces: [String], delay: Double = 0) -> [FakeHTTPServer.Response.Chunk] {
        [.init(openAIRoleChunk)] + pieces.map { .init(after: delay, openAIChunk($0)) }
            + [.init(openAIChunk(nil, finish: "stop")), .init(openAIUsage(prompt: 120, completion: 9, cached: 64)), .init(openAIDone)]
    }

    // MARK: - Anthropic's wire format (as documented for streaming Messages)

    static func anthropicEvent(_ name: String, _ data: String) -> String {
        "event: \(name)\ndata: \(data)\n\n"
    }

    static let anthropicStart = anthropicEvent("message_start", #"{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":1200,"cache_read_input_tokens":300,"output_tokens":1}}}"#)

    static func anthropicDelta(_ text: String) -> String {
        anthropicEvent("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":\#(quoted(text))}}"#)
    }

    static func anthropicStream(_ pieces: [String], stopReason: String = "end_turn", delay: Double = 0) -> [FakeHTTPServer.Response.Chunk] {
        [.init(anthropicStart),
         .init(anthropicEvent("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#)),
         .init(anthropicEvent("ping", #"{"type": "ping"}"#))]
            + pieces.map { .init(after: delay, anthropicDelta($0)) }
            + [.init(anthropicEvent("content_block_stop", #"{"type":"content_block_stop","index":0}"#)),
               .init(anthropicEvent("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"\#(stopReason)","stop_sequence":null},"usage":{"output_tokens":15}}"#)),
               .init(anthropicEvent("message_stop", #"{"type":"message_stop"}"#))]
    }

    static func quoted(_ text: String) -> String {
        (try? JSONEncoder().encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? #""""#
    }
}
