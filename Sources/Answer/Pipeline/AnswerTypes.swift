/// A question, as the API and the channels pose it.
public struct QuestionRequest: Sendable {
    public var question: String
    public var conversationID: String?
    public var collections: [String]?
    /// The channel the question came through ("api", "widget", "whatsapp", …), kept on the conversation.
    public var channel: String
    /// A widget visitor's first question: the new conversation keeps this hash of their token.
    public var visitorTokenHash: [UInt8]?

    public init(question: String, conversationID: String? = nil, collections: [String]? = nil, channel: String = "api",
                visitorTokenHash: [UInt8]? = nil) {
        self.question = question
        self.conversationID = conversationID
        self.collections = collections
        self.channel = channel
        self.visitorTokenHash = visitorTokenHash
    }

    public static let maxQuestionCharacters = 1000
}

/// The answer, as `POST /v1/query` returns it (and its `done` event summarizes).
public struct AnswerEnvelope: Sendable, Encodable {
    public var answer: String
    public var citations: [Citation]
    public var confidence: Double
    public var escalate: Bool
    public var conversationID: String
    public var messageID: String
    public var usage: Usage
    public var timings: Timings
    public var generator: String
    public var model: String
    /// The configured LLM failed and the extractive generator answered instead; `fallbackReason` says why.
    public var fallback: Bool
    public var fallbackReason: String?
    public var cached: Bool
    /// Only on a widget conversation's first answer: the token that continues and reads it, shown
    /// this once (omitted from the JSON otherwise).
    public var visitorToken: String?

    public struct Usage: Sendable, Encodable {
        public var promptTokens: Int
        public var completionTokens: Int
        public var cost: Double
        enum CodingKeys: String, CodingKey { case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", cost }
    }

    public struct Timings: Sendable, Encodable {
        public var retrieveMilliseconds: Double
        public var generateMilliseconds: Double
        public var totalMilliseconds: Double
        enum CodingKeys: String, CodingKey {
            case retrieveMilliseconds = "retrieve_ms", generateMilliseconds = "generate_ms", totalMilliseconds = "total_ms"
        }
    }

    enum CodingKeys: String, CodingKey {
        case answer, citations, confidence, escalate, usage, timings, generator, model, fallback, cached
        case conversationID = "conversation_id", messageID = "message_id", fallbackReason = "fallback_reason"
        case visitorToken = "visitor_token"
    }
}

/// Where a streamed answer goes as it is made (server-sent events over FastCGI in production).
/// Every call returns false once the client has gone.
public protocol AnswerSink: AnyObject {
    func token(_ text: String) -> Bool
    /// The text streamed so far is void (the LLM failed mid-answer); the fallback answer follows.
    func reset(reason: String) -> Bool
    func citations(_ citations: [Citation]) -> Bool
    func done(_ envelope: AnswerEnvelope) -> Bool
}

/// Errors a client caused or must hear about; App maps them to problem+json.
public enum AnswerError: Error, Equatable, CustomStringConvertible {
    case invalid(String)
    case notFound(String)

    public var description: String {
        switch self {
        case .invalid(let text), .notFound(let text): text
        }
    }
}
