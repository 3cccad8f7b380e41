internal import FoundationEssentials

/// The LLM providers' wire formats as their servers send them, for fakes on 127.0.0.1: OpenAI
/// Chat Completions chunks (captured shapes of gpt-4o-mini streams) and Anthropic Messages events
/// (as documented for streaming). Shared by the generator tests and the API's integration tests.
public enum LLMWire {
    public static func error(_ message: String, type: String, status: Int, headers: [(String, String)] = []) -> FakeHTTPServer.Response {
        .json(#"{"type":"error","error":{"message":"\#(message)","type":"\#(type)"}}"#, status: status, headers: headers)
    }

    // MARK: - OpenAI's wire format (captured shapes of gpt-4o-mini streams)

    public static func openAIChunk(_ content: String?, finish: String? = nil) -> String {
        let delta = content.map { #"{"content":\#(quoted($0))}"# } ?? "{}"
        let reason = finish.map { #""\#($0)""# } ?? "null"
        return #"data: {"id":"chatcmpl-B9","object":"chat.completion.chunk","created":1727000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_1","choices":[{"index":0,"delta":\#(delta),"logprobs":null,"finish_reason":\#(reason)}],"usage":null}"#
            + "\n\n"
    }

    public static let openAIRoleChunk = #"data: {"id":"chatcmpl-B9","object":"chat.completion.chunk","created":1727000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}"#
        + "\n\n"

    public static func openAIUsage(prompt: Int, completion: Int, cached: Int) -> String {
        #"data: {"id":"chatcmpl-B9","object":"chat.completion.chunk","created":1727000000,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"total_tokens":\#(prompt + completion),"prompt_tokens_details":{"cached_tokens":\#(cached),"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}"#
            + "\n\n"
    }

    public static let openAIDone = "data: [DONE]\n\n"

    public static func openAIStream(_ pieces: [String], delay: Double = 0) -> [FakeHTTPServer.Response.Chunk] {
        [.init(openAIRoleChunk)] + pieces.map { .init(after: delay, openAIChunk($0)) }
            + [.init(openAIChunk(nil, finish: "stop")), .init(openAIUsage(prompt: 120, completion: 9, cached: 64)), .init(openAIDone)]
    }

    // MARK: - Anthropic's wire format (as documented for streaming Messages)

    public static func anthropicEvent(_ name: String, _ data: String) -> String {
        "event: \(name)\ndata: \(data)\n\n"
    }

    public static let anthropicStart = anthropicEvent("message_start", #"{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":1200,"cache_read_input_tokens":300,"output_tokens":1}}}"#)

    public static func anthropicDelta(_ text: String) -> String {
        anthropicEvent("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":\#(quoted(text))}}"#)
    }

    public static func anthropicStream(_ pieces: [String], stopReason: String = "end_turn", delay: Double = 0) -> [FakeHTTPServer.Response.Chunk] {
        [.init(anthropicStart),
         .init(anthropicEvent("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#)),
         .init(anthropicEvent("ping", #"{"type": "ping"}"#))]
            + pieces.map { .init(after: delay, anthropicDelta($0)) }
            + [.init(anthropicEvent("content_block_stop", #"{"type":"content_block_stop","index":0}"#)),
               .init(anthropicEvent("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"\#(stopReason)","stop_sequence":null},"usage":{"output_tokens":15}}"#)),
               .init(anthropicEvent("message_stop", #"{"type":"message_stop"}"#))]
    }

    public static func quoted(_ text: String) -> String {
        (try? JSONEncoder().encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? #""""#
    }
}
