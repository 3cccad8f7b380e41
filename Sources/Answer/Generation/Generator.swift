/// Writes the text of an answer. Three kinds exist: `extractive` (the embedded default: no network,
/// no key), `openai` (Chat Completions and every server that speaks it) and `anthropic` (Messages).
/// The pipeline hands each the same `GenerationInput`; LLM generators read its `prompt`, the
/// extractive one its `sources` and `questionVector`.
public protocol Generator: Sendable {
    var kind: GeneratorKind { get }
    /// The model actually used, as the provider names it (priced by the `model_prices` table).
    var model: String { get }
    /// Produces the answer, calling `onDelta` with each piece of text as it is generated (in order;
    /// their concatenation is `GenerationOutput.text`). `onDelta` returns false once the client is
    /// gone: the generator should stop early and return what it has.
    ///
    /// Throws `GenerationError.unavailable` when the provider cannot serve now (transport error,
    /// timeout, 429/5xx after retries, open circuit, a cut or malformed stream): the pipeline then
    /// falls back to `extractive`. `.rejected` means the request or configuration is wrong (401,
    /// 400, 404): also answered by the fallback, but logged as a configuration problem.
    func generate(_ input: GenerationInput, onDelta: (String) -> Bool) throws -> GenerationOutput
}

public enum GeneratorKind: String, Sendable, Codable, CaseIterable {
    case extractive, openai, anthropic
}

/// One retrieved chunk as a numbered source. `n` is what `[n]` markers in the answer refer to.
public struct Source: Sendable {
    public var n: Int
    public var chunkID: Int64
    public var documentID: String
    public var title: String
    public var page: Int?
    public var url: String?
    public var headingPath: [String]
    public var text: String
    /// The search snippet (the passage around the matched terms), shown with the citation.
    public var snippet: String
    /// Retrieval evidence: the fused score and the dense cosine (nil when the dense signal missed).
    public var fusedScore: Double
    public var denseScore: Double?
    public var bm25Score: Double?
    /// Sentence vectors stored at ingestion (see `SentenceVectors`), attached by the pipeline when
    /// the extractive generator runs; nil for chunks ingested before they existed.
    public var sentences: [SentenceVector]?

    public init(n: Int, chunkID: Int64, documentID: String, title: String, page: Int?, url: String?,
                headingPath: [String], text: String, fusedScore: Double, denseScore: Double?, bm25Score: Double?,
                sentences: [SentenceVector]? = nil, snippet: String = "") {
        self.n = n
        self.chunkID = chunkID
        self.documentID = documentID
        self.title = title
        self.page = page
        self.url = url
        self.headingPath = headingPath
        self.text = text
        self.fusedScore = fusedScore
        self.denseScore = denseScore
        self.bm25Score = bm25Score
        self.sentences = sentences
        self.snippet = snippet
    }
}

/// A sentence of a chunk: its range in the chunk's text (UTF-8 byte offsets) and its unit vector.
public struct SentenceVector: Sendable {
    public var start: Int
    public var end: Int
    public var vector: [Float]

    public init(start: Int, end: Int, vector: [Float]) {
        self.start = start
        self.end = end
        self.vector = vector
    }
}

/// A previous turn of the conversation.
public struct Turn: Sendable, Equatable {
    public enum Role: String, Sendable, Codable { case user, assistant }
    public var role: Role
    public var text: String

    public init(role: Role, text: String) {
        self.role = role
        self.text = text
    }
}

/// What an LLM is sent. `instructions` and `context` are stable for a given question and
/// knowledge, so Anthropic marks both for prompt caching; `history` is already trimmed to the
/// token budget, oldest first.
public struct Prompt: Sendable, Equatable {
    /// The rules (answer only from the sources, cite them as [n], say so when they do not answer)
    /// followed by the tenant's own instructions (tone, language, refusal text).
    public var instructions: String
    /// The numbered, fenced sources.
    public var context: String
    public var history: [Turn]
    public var question: String
    public var maxTokens: Int
    public var temperature: Double

    public init(instructions: String, context: String, history: [Turn], question: String, maxTokens: Int = 700,
                temperature: Double = 0.1) {
        self.instructions = instructions
        self.context = context
        self.history = history
        self.question = question
        self.maxTokens = maxTokens
        self.temperature = temperature
    }
}

public struct GenerationInput: Sendable {
    public var question: String
    /// The question's unit vector from the search step (reused, never recomputed).
    public var questionVector: [Float]?
    public var sources: [Source]
    public var prompt: Prompt
    /// The tenant's refusal text, said when the sources do not answer the question.
    public var refusal: String

    public init(question: String, questionVector: [Float]?, sources: [Source], prompt: Prompt, refusal: String) {
        self.question = question
        self.questionVector = questionVector
        self.sources = sources
        self.prompt = prompt
        self.refusal = refusal
    }
}

/// Tokens as the provider counted them (`usage` fields); the extractive generator reports zero.
public struct TokenUsage: Sendable, Equatable, Codable {
    public var promptTokens: Int
    public var completionTokens: Int
    /// Prompt tokens served from the provider's cache (Anthropic cache reads, OpenAI cached_tokens).
    public var cachedPromptTokens: Int
    /// Prompt tokens written to Anthropic's cache (billed at a premium).
    public var cacheWriteTokens: Int

    public init(promptTokens: Int = 0, completionTokens: Int = 0, cachedPromptTokens: Int = 0, cacheWriteTokens: Int = 0) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedPromptTokens = cachedPromptTokens
        self.cacheWriteTokens = cacheWriteTokens
    }
}

public struct GenerationOutput: Sendable {
    public var text: String
    public var usage: TokenUsage
    public var model: String
    /// "stop", "length", "cancelled" (client gone), or the provider's own reason.
    public var finishReason: String

    public init(text: String, usage: TokenUsage, model: String, finishReason: String) {
        self.text = text
        self.usage = usage
        self.model = model
        self.finishReason = finishReason
    }
}

public enum GenerationError: Error, Equatable, CustomStringConvertible {
    /// The provider cannot serve now; `reason` is safe to log and to show (no keys, no bodies).
    case unavailable(provider: String, reason: String)
    /// The provider refused the request itself (bad key, unknown model, invalid request).
    case rejected(provider: String, status: Int, reason: String)

    public var description: String {
        switch self {
        case .unavailable(let provider, let reason): "\(provider) unavailable: \(reason)"
        case .rejected(let provider, let status, let reason): "\(provider) refused the request (\(status)): \(reason)"
        }
    }
}
