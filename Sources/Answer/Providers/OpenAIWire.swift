/// The JSON of OpenAI's `POST /chat/completions` with `stream: true`, as OpenAI documents it and as
/// Azure, vLLM, Ollama and llama.cpp copy it. Only the fields Parley reads are decoded.
enum OpenAIWire {
    struct Request: Encodable {
        let model: String
        let messages: [Message]
        let stream = true
        /// Without it the stream carries no usage at all.
        let streamOptions = StreamOptions(includeUsage: true)
        /// `max_tokens` rather than `max_completion_tokens`: every compatible server and Azure API
        /// version accepts it.
        let maxTokens: Int
        let temperature: Double

        enum CodingKeys: String, CodingKey {
            case model, messages, stream, temperature
            case streamOptions = "stream_options"
            case maxTokens = "max_tokens"
        }
    }

    struct StreamOptions: Encodable {
        let includeUsage: Bool
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    struct Message: Encodable, Equatable {
        let role: String
        let content: String
    }

    /// One `chat.completion.chunk`. Azure's first chunk has empty `choices` (content-filter
    /// results only); the usage chunk, last before [DONE], has empty `choices` too.
    struct Chunk: Decodable {
        let model: String?
        let choices: [Choice]?
        let usage: Usage?
        /// Some servers report a failure mid-stream as a chunk carrying an error object.
        let error: ErrorDetail?
    }

    struct Choice: Decodable {
        let delta: Delta?
        let finishReason: String?
        enum CodingKeys: String, CodingKey {
            case delta
            case finishReason = "finish_reason"
        }
    }

    struct Delta: Decodable {
        let content: String?
    }

    struct Usage: Decodable {
        let promptTokens: Int?
        let completionTokens: Int?
        let promptTokensDetails: PromptDetails?
        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
            case promptTokensDetails = "prompt_tokens_details"
        }
    }

    struct PromptDetails: Decodable {
        let cachedTokens: Int?
        enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
    }

    struct ErrorDetail: Decodable {
        let message: String?
        let type: String?
    }
}

/// Reads Chat Completions chunks until `data: [DONE]`.
struct OpenAIStreamDecoder: ProviderStreamDecoder {
    private(set) var isFinished = false
    private(set) var usage = TokenUsage()
    private(set) var finishReason: String?
    private(set) var model: String?

    mutating func consume(_ event: ServerSentEvent) throws(StreamFailure) -> String? {
        if event.data == "[DONE]" {
            isFinished = true
            return nil
        }
        let chunk = try ProviderCall.decode(OpenAIWire.Chunk.self, event)
        if let error = chunk.error {
            let detail = [error.message, error.type.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
            throw StreamFailure(reason: "error in the stream: \(detail)", retryable: true)
        }
        if let name = chunk.model, !name.isEmpty { model = name }
        if let reported = chunk.usage {
            // OpenAI's prompt_tokens already include the cached ones.
            usage = TokenUsage(promptTokens: reported.promptTokens ?? 0, completionTokens: reported.completionTokens ?? 0,
                               cachedPromptTokens: reported.promptTokensDetails?.cachedTokens ?? 0)
        }
        guard let choice = chunk.choices?.first else { return nil }
        if let reason = choice.finishReason { finishReason = reason }
        return choice.delta?.content
    }
}
