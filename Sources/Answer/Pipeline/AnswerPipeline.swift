import HTTP
import Search
import Store
import Tenancy

/// Turns a question into a cited answer: settings and conversation → answer cache → retrieval →
/// prompt → generator (with fallback to extractive) → citations and confidence → one transaction that
/// stores the exchange and the day's usage.
///
/// `prepare` does everything that can fail because of the request (unknown conversation, bad
/// question) before any byte of a streamed response is sent, so those failures stay proper
/// problem+json; `answer` then generates, streaming to the sink when there is one.
///
/// Not Sendable: it uses the calling thread's searcher and connection. No transaction stays open
/// while a generator runs: an LLM may take seconds.
public struct AnswerPipeline {
    let database: ConnectionSlot
    let searcher: Searcher
    let generators: GeneratorFactory

    public init(database: ConnectionSlot, searcher: Searcher, generators: GeneratorFactory) {
        self.database = database
        self.searcher = searcher
        self.generators = generators
    }

    /// How many retrieved chunks become numbered sources.
    public static let sourceCount = 5

    /// What `prepare` found: enough to answer without touching the request again.
    public struct Prepared {
        let request: QuestionRequest
        let audience: SearchAudience
        let settings: AnswerSettings
        let history: [Turn]
        let generation: Int64
        let cacheKey: [UInt8]?
        let cached: CachedAnswer?
        let started: Double
    }

    public func prepare(_ request: QuestionRequest, audience: SearchAudience, plan: String) throws -> Prepared {
        let started = Clock.monotonicSeconds()
        let question = request.question.trimmingSpaces
        guard !question.isEmpty else { throw AnswerError.invalid("question must not be empty.") }
        guard question.count <= QuestionRequest.maxQuestionCharacters else {
            throw AnswerError.invalid("question is limited to \(QuestionRequest.maxQuestionCharacters) characters.")
        }
        var request = request
        request.question = question
        let tenantID = audience.tenantID
        return try inTenant(tenantID) { tx in
            let settings = try AnswerSettingsStore.effective(tenantID: tenantID, plan: plan, on: tx)
            var history: [Turn] = []
            if let id = request.conversationID {
                guard try ConversationStore.exists(id: id, tenantID: tenantID, on: tx) else {
                    throw AnswerError.notFound("No conversation \(id) for this tenant.")
                }
                history = try ConversationStore.recentTurns(conversationID: id, tenantID: tenantID, limit: 12, on: tx)
            }
            let generation = try KnowledgeGeneration.current(tenantID: tenantID, on: tx)
            // A follow-up's answer depends on the conversation, so only opening questions are cached.
            let key = history.isEmpty
                ? AnswerCache.key(question: question, collections: request.collections, includeInternal: audience.includeInternal)
                : nil
            let cached = try key.flatMap { try AnswerCache.lookup(tenantID: tenantID, key: $0, generation: generation, on: tx) }
            return Prepared(request: request, audience: audience, settings: settings, history: history, generation: generation,
                            cacheKey: key, cached: cached, started: started)
        }
    }

    public func answer(_ prepared: Prepared, sink: AnswerSink?) throws -> AnswerEnvelope {
        if let cached = prepared.cached { return try answerFromCache(cached, prepared, sink: sink) }
        let settings = prepared.settings
        let tenantID = prepared.audience.tenantID
        var generator = generators.make(settings)

        // Retrieval, with the conversation's context for follow-ups.
        let retrieveStarted = Clock.monotonicSeconds()
        var query = FollowUp.retrievalQuery(question: prepared.request.question, history: prepared.history)
        if generator.kind != .extractive, !prepared.history.isEmpty, FollowUp.looksLikeFollowUp(prepared.request.question) {
            query = standalone(prepared, generator: generator) ?? query
        }
        let search = SearchRequest(query: query, collections: prepared.request.collections, topK: Self.sourceCount, mode: .hybrid)
        let result = try database.with { try searcher.search(search, audience: prepared.audience, on: $0) }
        var sources = result.hits.enumerated().map { index, hit in
            Source(n: index + 1, chunkID: hit.chunkID, documentID: hit.documentID, title: hit.title ?? hit.filename,
                   page: hit.pageStart, url: hit.sourceURL, headingPath: hit.headingPath, text: hit.text, fusedScore: hit.score,
                   denseScore: hit.denseScore, bm25Score: hit.bm25Score, snippet: hit.snippet)
        }
        let retrieveMilliseconds = (Clock.monotonicSeconds() - retrieveStarted) * 1000

        // Generation. A failing provider hands over to the extractive generator; when it already
        // streamed part of its answer, the client is told to discard it first.
        let generateStarted = Clock.monotonicSeconds()
        let prompt = PromptBuilder.build(question: prepared.request.question, sources: sources, history: prepared.history,
                                         instructions: settings.instructions, refusal: settings.refusalText,
                                         historyTokenBudget: settings.historyTokenBudget)
        if generator.kind == .extractive { sources = try attachSentences(sources, tenantID: tenantID) }
        var input = GenerationInput(question: prepared.request.question, questionVector: result.queryVector, sources: sources,
                                    prompt: prompt, refusal: settings.refusalText)
        var streamed = false
        var fallbackReason: String?
        var output: GenerationOutput
        do {
            output = try generator.generate(input) { delta in
                streamed = true
                return sink?.token(delta) ?? true
            }
        } catch let error as GenerationError {
            fallbackReason = error.description
            if streamed { _ = sink?.reset(reason: error.description) }
            generator = generators.fallback
            input.sources = try attachSentences(sources, tenantID: tenantID)
            output = try generator.generate(input) { sink?.token($0) ?? true }
        }
        let generateMilliseconds = (Clock.monotonicSeconds() - generateStarted) * 1000

        let resolved = Citations.resolve(output.text, sources: input.sources)
        let refused = resolved.citations.isEmpty && output.text.trimmingSpaces == settings.refusalText.trimmingSpaces
        let confidence = Confidence.score(sources: input.sources, resolved: resolved, refused: refused || resolved.citations.isEmpty)
        let escalate = confidence < settings.confidenceThreshold
        let cost = try inTenant(tenantID) { tx in
            try PriceTable.cost(generator: generator.kind, model: output.model, usage: output.usage, on: tx)
        }
        var envelope = AnswerEnvelope(
            answer: resolved.text, citations: resolved.citations, confidence: confidence, escalate: escalate,
            conversationID: prepared.request.conversationID ?? "", messageID: "",
            usage: .init(promptTokens: output.usage.promptTokens, completionTokens: output.usage.completionTokens, cost: cost),
            timings: .init(retrieveMilliseconds: rounded(retrieveMilliseconds), generateMilliseconds: rounded(generateMilliseconds),
                           totalMilliseconds: 0),
            generator: generator.kind.rawValue, model: output.model, fallback: fallbackReason != nil,
            fallbackReason: fallbackReason, cached: false)
        // An answer from the fallback is not what the tenant configured: never cache it.
        let cacheKey = fallbackReason == nil ? prepared.cacheKey : nil
        return try finish(&envelope, prepared, usage: output.usage, cacheKey: cacheKey, sink: sink)
    }

    /// A cached answer is streamed as one piece and stored like any other exchange (counted as a hit).
    private func answerFromCache(_ cached: CachedAnswer, _ prepared: Prepared, sink: AnswerSink?) throws -> AnswerEnvelope {
        _ = sink?.token(cached.answer)
        var envelope = AnswerEnvelope(
            answer: cached.answer, citations: cached.citations, confidence: cached.confidence,
            escalate: cached.confidence < prepared.settings.confidenceThreshold,
            conversationID: prepared.request.conversationID ?? "", messageID: "",
            usage: .init(promptTokens: 0, completionTokens: 0, cost: 0),
            timings: .init(retrieveMilliseconds: 0, generateMilliseconds: 0, totalMilliseconds: 0),
            generator: cached.generator, model: cached.model, fallback: false, fallbackReason: nil, cached: true)
        return try finish(&envelope, prepared, usage: TokenUsage(), cacheKey: nil, sink: sink)
    }

    /// Stores the exchange (creating the conversation on its first question) with the day's usage in
    /// one transaction, caches a fresh answer, and sends the closing events.
    private func finish(_ envelope: inout AnswerEnvelope, _ prepared: Prepared, usage: TokenUsage, cacheKey: [UInt8]?,
                        sink: AnswerSink?) throws -> AnswerEnvelope {
        envelope.timings.totalMilliseconds = rounded((Clock.monotonicSeconds() - prepared.started) * 1000)
        let tenantID = prepared.audience.tenantID
        let stored = try inTenant(tenantID) { tx in
            let ids = try ConversationStore.recordExchange(
                tenantID: tenantID, conversationID: prepared.request.conversationID, channel: prepared.request.channel,
                question: prepared.request.question, answer: envelope, usage: usage, on: tx)
            if let cacheKey {
                try AnswerCache.store(tenantID: tenantID, key: cacheKey, generation: prepared.generation,
                                      answer: CachedAnswer(envelope), on: tx)
            }
            return ids
        }
        envelope.conversationID = stored.conversationID
        envelope.messageID = stored.messageID
        _ = sink?.citations(envelope.citations)
        _ = sink?.done(envelope)
        return envelope
    }

    /// The LLM's standalone form of a follow-up, or nil when the provider cannot say (retrieval then
    /// falls back to the history-aware query).
    private func standalone(_ prepared: Prepared, generator: any Generator) -> String? {
        let prompt = FollowUp.rewritePrompt(question: prepared.request.question, history: prepared.history)
        let input = GenerationInput(question: prepared.request.question, questionVector: nil, sources: [], prompt: prompt, refusal: "")
        guard let output = try? generator.generate(input, onDelta: { _ in true }) else { return nil }
        let text = output.text.trimmingSpaces
        return text.isEmpty ? nil : String(text.prefix(QuestionRequest.maxQuestionCharacters))
    }

    private func attachSentences(_ sources: [Source], tenantID: String) throws -> [Source] {
        guard !sources.isEmpty, sources.contains(where: { $0.sentences == nil }) else { return sources }
        let vectors = try inTenant(tenantID) { tx in
            try SentenceVectors.load(chunkIDs: sources.map(\.chunkID), tenantID: tenantID, on: tx)
        }
        return sources.map { source in
            var source = source
            source.sentences = vectors[source.chunkID]
            return source
        }
    }

    private func inTenant<T>(_ tenantID: String, _ body: (Connection) throws -> T) throws -> T {
        try database.with { try $0.withTenant(tenantID, body) }
    }

    private func rounded(_ milliseconds: Double) -> Double { (milliseconds * 100).rounded() / 100 }
}
