/// The JSON of Anthropic's `POST /v1/messages` with `stream: true` (version 2023-06-01). Only the
/// fields Parley reads are decoded.
enum AnthropicWire {
    struct Request: Encodable {
        let model: String
        let maxTokens: Int
        let temperature: Double
        let stream = true
        let system: [TextBlock]
        let messages: [Message]

        enum CodingKeys: String, CodingKey {
            case model, temperature, stream, system, messages
            case maxTokens = "max_tokens"
        }
    }

    /// A system text block; `cache_control` marks the end of a cacheable prefix.
    struct TextBlock: Encodable, Equatable {
        let type = "text"
        let text: String
        let cacheControl = CacheControl()

        enum CodingKeys: String, CodingKey {
            case type, text
            case cacheControl = "cache_control"
        }
    }

    struct CacheControl: Encodable, Equatable {
        let type = "ephemeral"
    }

    struct Message: Encodable, Equatable {
        let role: String
        let content: String
    }

    /// Every event's data carries its `type`; the fields below are filled for the types that have them.
    struct Event: Decodable {
        let type: String
        /// message_start
        let message: StartedMessage?
        /// content_block_delta (`text_delta`) and message_delta (`stop_reason`)
        let delta: Delta?
        /// message_delta (cumulative counts)
        let usage: Usage?
        /// error
        let error: ErrorDetail?
    }

    struct StartedMessage: Decodable {
        let model: String?
        let usage: Usage?
    }

    struct Delta: Decodable {
        let type: String?
        let text: String?
        let stopReason: String?
        enum CodingKeys: String, CodingKey {
            case type, text
            case stopReason = "stop_reason"
        }
    }

    struct Usage: Decodable {
        let inputTokens: Int?
        let outputTokens: Int?
        let cacheReadInputTokens: Int?
        let cacheCreationInputTokens: Int?
        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
            case cacheReadInputTokens = "cache_read_input_tokens"
            case cacheCreationInputTokens = "cache_creation_input_tokens"
        }
    }

    struct ErrorDetail: Decodable {
        let type: String?
        let message: String?
    }
}

/// Reads Messages events until `message_stop`.
///
/// Usage: Anthropic's `input_tokens` exclude cache reads and cache writes; `promptTokens` here is
/// all three added up, so it means what OpenAI's `prompt_tokens` means (every prompt token, cached
/// ones included) and `cachedPromptTokens`/`cacheWriteTokens` are parts of it.
struct AnthropicStreamDecoder: ProviderStreamDecoder {
    private(set) var isFinished = false
    private(set) var finishReason: String?
    private(set) var model: String?
    private var input = 0
    private var output = 0
    private var cacheRead = 0
    private var cacheWrite = 0

    var usage: TokenUsage {
        TokenUsage(promptTokens: input + cacheRead + cacheWrite, completionTokens: output,
                   cachedPromptTokens: cacheRead, cacheWriteTokens: cacheWrite)
    }

    mutating func consume(_ event: ServerSentEvent) throws(StreamFailure) -> String? {
        let decoded = try ProviderCall.decode(AnthropicWire.Event.self, event)
        switch decoded.type {
        case "message_start":
            model = decoded.message?.model
            if let usage = decoded.message?.usage { record(usage) }
        case "content_block_delta":
            // Other delta kinds (thinking, tool input) are not answer text.
            guard decoded.delta?.type == "text_delta" else { return nil }
            return decoded.delta?.text
        case "message_delta":
            if let reason = decoded.delta?.stopReason { finishReason = Self.finishReason(reason) }
            if let usage = decoded.usage { record(usage) }
        case "message_stop":
            isFinished = true
        case "error":
            let detail = [decoded.error?.type, decoded.error?.message].compactMap { $0 }.joined(separator: ": ")
            throw StreamFailure(reason: "error event: \(detail.isEmpty ? "unspecified" : detail)", retryable: true)
        default:
            break  // ping, content_block_start/stop, and event types added later
        }
        return nil
    }

    /// Counts are cumulative, so a later event's value replaces an earlier one.
    private mutating func record(_ usage: AnthropicWire.Usage) {
        input = usage.inputTokens ?? input
        output = usage.outputTokens ?? output
        cacheRead = usage.cacheReadInputTokens ?? cacheRead
        cacheWrite = usage.cacheCreationInputTokens ?? cacheWrite
    }

    /// Anthropic's reasons in the vocabulary `GenerationOutput` uses; others pass through.
    static func finishReason(_ reason: String) -> String {
        switch reason {
        case "end_turn", "stop_sequence": "stop"
        case "max_tokens": "length"
        default: reason
        }
    }
}
