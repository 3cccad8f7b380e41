import FoundationEssentials
import Store

/// A source an answer cited, as stored with the message and shown in transcripts.
public struct Citation: Sendable, Codable, Equatable {
    public var n: Int
    public var documentID: String
    public var chunkID: Int64
    public var title: String?
    public var page: Int?
    public var snippet: String
    public var url: String?

    public init(n: Int, documentID: String, chunkID: Int64, title: String?, page: Int?, snippet: String, url: String?) {
        self.n = n
        self.documentID = documentID
        self.chunkID = chunkID
        self.title = title
        self.page = page
        self.snippet = snippet
        self.url = url
    }

    enum CodingKeys: String, CodingKey {
        case n, title, page, snippet, url
        case documentID = "document_id", chunkID = "chunk_id"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        n = try c.decode(Int.self, forKey: .n)
        documentID = try c.decode(String.self, forKey: .documentID)
        if let text = try? c.decode(String.self, forKey: .chunkID), let id = Int64(text) {
            chunkID = id
        } else {
            chunkID = try c.decode(Int64.self, forKey: .chunkID)
        }
        title = try c.decodeIfPresent(String.self, forKey: .title)
        page = try c.decodeIfPresent(Int.self, forKey: .page)
        snippet = try c.decode(String.self, forKey: .snippet)
        url = try c.decodeIfPresent(String.self, forKey: .url)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(n, forKey: .n)
        try c.encode(documentID, forKey: .documentID)
        // A string, as in /v1/search: chunk ids are 64-bit and JavaScript numbers are not.
        try c.encode(String(chunkID), forKey: .chunkID)
        try c.encode(title, forKey: .title)
        try c.encode(page, forKey: .page)
        try c.encode(snippet, forKey: .snippet)
        try c.encode(url, forKey: .url)
    }
}

/// Milliseconds spent answering: retrieval, generation, and the whole request.
public struct AnswerTimings: Sendable, Equatable, Codable {
    public var retrieveMs: Int?
    public var generateMs: Int?
    public var totalMs: Int?

    public init(retrieveMs: Int? = nil, generateMs: Int? = nil, totalMs: Int? = nil) {
        self.retrieveMs = retrieveMs
        self.generateMs = generateMs
        self.totalMs = totalMs
    }

    enum CodingKeys: String, CodingKey { case retrieveMs = "retrieve_ms", generateMs = "generate_ms", totalMs = "total_ms" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(retrieveMs, forKey: .retrieveMs)
        try c.encode(generateMs, forKey: .generateMs)
        try c.encode(totalMs, forKey: .totalMs)
    }
}

/// The answer half of an exchange, as the pipeline hands it to `ConversationStore.append`.
public struct AssistantReply: Sendable {
    public var text: String
    public var citations: [Citation]
    public var confidence: Double?
    /// The answer asks for a person (low confidence, or the user asked): the conversation is marked.
    public var escalate: Bool
    public var generator: GeneratorKind
    public var model: String?
    /// The configured LLM failed and the extractive generator answered.
    public var fallback: Bool
    public var cacheHit: Bool
    /// What the provider counted; zero for extractive answers and cache hits.
    public var usage: TokenUsage
    /// USD, from `PriceTable`.
    public var cost: Decimal
    public var timings: AnswerTimings

    public init(text: String, citations: [Citation] = [], confidence: Double? = nil, escalate: Bool = false,
                generator: GeneratorKind, model: String? = nil, fallback: Bool = false, cacheHit: Bool = false,
                usage: TokenUsage = TokenUsage(), cost: Decimal = 0, timings: AnswerTimings = AnswerTimings()) {
        self.text = text
        self.citations = citations
        self.confidence = confidence
        self.escalate = escalate
        self.generator = generator
        self.model = model
        self.fallback = fallback
        self.cacheHit = cacheHit
        self.usage = usage
        self.cost = cost
        self.timings = timings
    }
}

public struct ConversationRecord: Sendable, Equatable, Encodable {
    public let id: String
    public let channel: String
    public let escalated: Bool
    public let createdAt: Date
    public let updatedAt: Date
    public let lastMessageAt: Date?
    /// The visitor (or an agent) asked for a person.
    public let handoffRequestedAt: Date?

    static let columns = SQL("id, channel, escalated, created_at, updated_at, last_message_at, handoff_requested_at")

    init(row: Row) throws {
        id = try row.string("id")
        channel = try row.string("channel")
        escalated = try row.bool("escalated")
        createdAt = try row.date("created_at")
        updatedAt = try row.date("updated_at")
        lastMessageAt = try row.optionalDate("last_message_at")
        handoffRequestedAt = try row.optionalDate("handoff_requested_at")
    }

    enum CodingKeys: String, CodingKey {
        case id, channel, escalated
        case createdAt = "created_at", updatedAt = "updated_at", lastMessageAt = "last_message_at"
        case handoffRequestedAt = "handoff_requested_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(channel, forKey: .channel)
        try c.encode(escalated, forKey: .escalated)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(lastMessageAt, forKey: .lastMessageAt)
        try c.encode(handoffRequestedAt, forKey: .handoffRequestedAt)
    }
}

/// One stored message. Assistant messages carry the answer's evidence and accounting; for user
/// messages those fields are empty or null.
public struct MessageRecord: Sendable, Encodable {
    public struct Usage: Sendable, Equatable, Encodable {
        public let promptTokens: Int
        public let completionTokens: Int
        public let cachedTokens: Int
        public let cacheWriteTokens: Int
        public let cost: Decimal

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", cachedTokens = "cached_tokens"
            case cacheWriteTokens = "cache_write_tokens", cost
        }
    }

    public let id: String
    public let role: Turn.Role
    public let text: String
    public let citations: [Citation]
    public let confidence: Double?
    public let escalate: Bool
    public let generator: GeneratorKind?
    public let model: String?
    public let fallback: Bool
    public let cacheHit: Bool
    public let usage: Usage
    public let timings: AnswerTimings
    public let createdAt: Date

    static let columns = SQL("""
        id, role, text, citations::text AS citations, confidence, escalate, generator, model, fallback, cache_hit,
        prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens, cost, retrieve_ms, generate_ms, total_ms, created_at
        """)

    init(row: Row) throws {
        id = try row.string("id")
        role = Turn.Role(rawValue: try row.string("role")) ?? .user
        text = try row.string("text")
        citations = (try? JSONDecoder().decode([Citation].self, from: Data(try row.string("citations").utf8))) ?? []
        // real: rounded back to the few digits a confidence has, not float noise.
        confidence = try row.optionalDouble("confidence").map { ($0 * 10000).rounded() / 10000 }
        escalate = try row.bool("escalate")
        generator = try row.optionalString("generator").flatMap(GeneratorKind.init(rawValue:))
        model = try row.optionalString("model")
        fallback = try row.bool("fallback")
        cacheHit = try row.bool("cache_hit")
        usage = Usage(promptTokens: try row.int("prompt_tokens"), completionTokens: try row.int("completion_tokens"),
                      cachedTokens: try row.int("cached_tokens"), cacheWriteTokens: try row.int("cache_write_tokens"),
                      cost: try row.decimal("cost"))
        timings = AnswerTimings(retrieveMs: try row.optionalInt("retrieve_ms"), generateMs: try row.optionalInt("generate_ms"),
                                totalMs: try row.optionalInt("total_ms"))
        createdAt = try row.date("created_at")
    }

    enum CodingKeys: String, CodingKey {
        case id, role, text, citations, confidence, escalate, generator, model, fallback, usage, timings
        case cacheHit = "cache_hit", createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(role, forKey: .role)
        try c.encode(text, forKey: .text)
        try c.encode(createdAt, forKey: .createdAt)
        guard role == .assistant else { return }
        try c.encode(citations, forKey: .citations)
        try c.encode(confidence, forKey: .confidence)
        try c.encode(escalate, forKey: .escalate)
        try c.encode(generator, forKey: .generator)
        try c.encode(model, forKey: .model)
        try c.encode(fallback, forKey: .fallback)
        try c.encode(cacheHit, forKey: .cacheHit)
        try c.encode(usage, forKey: .usage)
        try c.encode(timings, forKey: .timings)
    }
}

/// A conversation with all its messages, oldest first, and what it cost in total.
public struct Transcript: Sendable, Encodable {
    public let conversation: ConversationRecord
    public let messages: [MessageRecord]

    public var totalCost: Decimal { messages.reduce(0) { $0 + $1.usage.cost } }

    enum CodingKeys: String, CodingKey { case messages, usage }
    enum UsageKeys: String, CodingKey { case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", cost }

    /// The conversation's fields, then `messages` and the summed `usage`.
    public func encode(to encoder: any Encoder) throws {
        try conversation.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(messages, forKey: .messages)
        var usage = c.nestedContainer(keyedBy: UsageKeys.self, forKey: .usage)
        try usage.encode(messages.reduce(0) { $0 + $1.usage.promptTokens }, forKey: .promptTokens)
        try usage.encode(messages.reduce(0) { $0 + $1.usage.completionTokens }, forKey: .completionTokens)
        try usage.encode(totalCost, forKey: .cost)
    }
}
