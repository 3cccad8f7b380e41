import FoundationEssentials
import HTTP
import Search
import Store
import Tenancy

/// Turns a question into a cited answer: settings, conversation and answer cache (one transaction)
/// → retrieval → prompt → generator, falling back to extractive → citations and confidence → one
/// transaction that stores the exchange with the day's usage.
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
    public struct Prepared: Sendable {
        let request: QuestionRequest
        let audience: SearchAudience
        let effective: EffectiveAnswerSettings
        let history: [Turn]
        /// The knowledge generation the answer is built on (for the cache), when the question is cacheable.
        let cacheKey: [UInt8]?
        let generation: Int64
        let cached: CachedAnswer?
        let generator: any Generator
        let fallbackReason: String?
        /// Done inside the same transaction, except for an LLM's follow-up, which must be rewritten first.
        let retrieval: Retrieval?
        let started: Double
    }

    /// The numbered sources of an answer, and what found them.
    struct Retrieval: Sendable {
        let sources: [Source]
        let queryVector: [Float]?
        let milliseconds: Double
    }

    public func prepare(_ request: QuestionRequest, audience: SearchAudience, environment: [String: String]) throws -> Prepared {
        let started = Clock.monotonicSeconds()
        var request = request
        request.question = request.question.trimmingSpaces
        guard !request.question.isEmpty else { throw AnswerError.invalid("question must not be empty.") }
        guard request.question.count <= QuestionRequest.maxQuestionCharacters else {
            throw AnswerError.invalid("question is limited to \(QuestionRequest.maxQuestionCharacters) characters.")
        }
        let tenantID = audience.tenantID
        // One transaction for every read before generation: settings, history, the cache, and
        // (unless an LLM must first rewrite a follow-up) the search itself.
        return try inTenant(tenantID) { tx in
            let effective = try AnswerSettingsStore.effective(tenantID: tenantID, environment: environment, in: tx)
            let (generator, fallbackReason) = generators.make(effective)
            var history: [Turn] = []
            if let id = request.conversationID {
                _ = try ConversationStore.find(tenantID: tenantID, id: id, in: tx)
                history = try ConversationStore.recentTurns(tenantID: tenantID, conversationID: id, limit: 12, in: tx)
            }
            func prepared(cacheKey: [UInt8]?, generation: Int64, cached: CachedAnswer?, retrieval: Retrieval?) -> Prepared {
                Prepared(request: request, audience: audience, effective: effective, history: history, cacheKey: cacheKey,
                         generation: generation, cached: cached, generator: generator, fallbackReason: fallbackReason,
                         retrieval: retrieval, started: started)
            }
            // A follow-up means something different in each conversation: only opening questions
            // are cached.
            var key: [UInt8]?, generation: Int64 = 0
            if history.isEmpty {
                let candidate = AnswerCache.key(question: request.question, collections: request.collections ?? [],
                                                includeInternal: audience.includeInternal)
                switch try AnswerCache.lookup(CachedAnswer.self, tenantID: tenantID, key: candidate, in: tx) {
                case .hit(let answer): return prepared(cacheKey: nil, generation: 0, cached: answer, retrieval: nil)
                case .miss(let current): (key, generation) = (candidate, current)
                }
            }
            let rewriteFirst = generator.kind != .extractive && !history.isEmpty && FollowUp.looksLikeFollowUp(request.question)
            let retrieval = rewriteFirst ? nil
                : try retrieve(FollowUp.retrievalQuery(question: request.question, history: history), request, audience, in: tx)
            return prepared(cacheKey: key, generation: generation, cached: nil, retrieval: retrieval)
        }
    }

    /// Searches (hybrid, top `sourceCount`) and numbers the hits as sources, with their sentence
    /// vectors: the extractive generator, or the fallback, scores sentences with them.
    private func retrieve(_ query: String, _ request: QuestionRequest, _ audience: SearchAudience, in tx: Connection) throws -> Retrieval {
        let started = Clock.monotonicSeconds()
        let search = SearchRequest(query: query, collections: request.collections, topK: Self.sourceCount, mode: .hybrid,
                                   includeSentenceVectors: true)
        let result = try searcher.search(search, audience: audience, in: tx)
        let sources = result.hits.enumerated().map { index, hit in
            Source(n: index + 1, chunkID: hit.chunkID, documentID: hit.documentID, title: hit.title ?? hit.filename,
                   page: hit.pageStart, url: hit.sourceURL, headingPath: hit.headingPath, text: hit.text, fusedScore: hit.score,
                   denseScore: hit.denseScore, bm25Score: hit.bm25Score,
                   sentences: hit.sentenceVectors.flatMap(SentenceVectors.decode), snippet: hit.snippet)
        }
        return Retrieval(sources: sources, queryVector: result.queryVector, milliseconds: (Clock.monotonicSeconds() - started) * 1000)
    }

    public func answer(_ prepared: Prepared, sink: AnswerSink?) throws -> AnswerEnvelope {
        if let cached = prepared.cached { return try answerFromCache(cached, prepared, sink: sink) }
        let settings = prepared.effective.settings
        let tenantID = prepared.audience.tenantID
        var generator = prepared.generator
        var fallbackReason = prepared.fallbackReason
        let retrieval = try prepared.retrieval ?? {
            // An LLM follow-up: rewritten into a standalone question first, then searched.
            let query = standalone(prepared, generator: generator)
                ?? FollowUp.retrievalQuery(question: prepared.request.question, history: prepared.history)
            return try inTenant(tenantID) { tx in try retrieve(query, prepared.request, prepared.audience, in: tx) }
        }()
        let sources = retrieval.sources

        // Generation. A failing provider hands over to the extractive generator; when it already
        // streamed part of its answer, the client is told to discard that part first.
        let generateStarted = Clock.monotonicSeconds()
        let prompt = PromptBuilder.build(question: prepared.request.question, sources: sources, history: prepared.history,
                                         instructions: settings.instructions, refusal: settings.refusalText,
                                         historyTokenBudget: settings.historyTokenBudget)
        let input = GenerationInput(question: prepared.request.question, questionVector: retrieval.queryVector, sources: sources,
                                    prompt: prompt, refusal: settings.refusalText)
        var output: GenerationOutput
        do {
            var streamed = false
            do {
                output = try generator.generate(input) { delta in
                    streamed = true
                    return sink?.token(delta) ?? true
                }
            } catch let error as GenerationError {
                fallbackReason = error.description
                if streamed { _ = sink?.reset(reason: error.description) }
                generator = generators.fallback
                output = try generator.generate(input) { sink?.token($0) ?? true }
            }
        }
        let generateMilliseconds = (Clock.monotonicSeconds() - generateStarted) * 1000

        let resolved = Citations.resolve(output.text, sources: input.sources)
        let confidence = Confidence.score(sources: input.sources, resolved: resolved, refused: resolved.citations.isEmpty,
                                          question: retrieval.queryVector)
        let reply = AssistantReply(
            text: resolved.text, citations: resolved.citations, confidence: confidence,
            escalate: confidence < settings.confidenceThreshold, generator: generator.kind, model: output.model,
            fallback: fallbackReason != nil, usage: output.usage,
            timings: AnswerTimings(retrieveMs: Int(retrieval.milliseconds.rounded()), generateMs: Int(generateMilliseconds.rounded())))
        // An answer from the fallback is not what the tenant configured: never cache it.
        let cacheKey = fallbackReason == nil ? prepared.cacheKey : nil
        return try finish(reply, prepared, fallbackReason: fallbackReason, cacheKey: cacheKey, sink: sink,
                          retrieveMilliseconds: retrieval.milliseconds, generateMilliseconds: generateMilliseconds)
    }

    /// A cached answer is sent as one piece and stored like any other exchange, as a cache hit.
    private func answerFromCache(_ cached: CachedAnswer, _ prepared: Prepared, sink: AnswerSink?) throws -> AnswerEnvelope {
        _ = sink?.token(cached.answer)
        let reply = AssistantReply(
            text: cached.answer, citations: cached.citations, confidence: cached.confidence,
            escalate: cached.confidence < prepared.effective.settings.confidenceThreshold, generator: cached.generator,
            model: cached.model, cacheHit: true, timings: AnswerTimings(retrieveMs: 0, generateMs: 0))
        return try finish(reply, prepared, fallbackReason: nil, cacheKey: nil, sink: sink, retrieveMilliseconds: 0, generateMilliseconds: 0)
    }

    /// Stores the exchange (creating the conversation on its first question) with the day's usage,
    /// caches a fresh answer, and sends the closing events.
    private func finish(_ reply: AssistantReply, _ prepared: Prepared, fallbackReason: String?, cacheKey: [UInt8]?, sink: AnswerSink?,
                        retrieveMilliseconds: Double, generateMilliseconds: Double) throws -> AnswerEnvelope {
        var reply = reply
        let total = (Clock.monotonicSeconds() - prepared.started) * 1000
        reply.timings.totalMs = Int(total.rounded())
        let tenantID = prepared.audience.tenantID
        // One transaction: the conversation (on its first question), both messages, the day's
        // usage and the cache entry land together or not at all.
        let (conversationID, ids) = try inTenant(tenantID) { tx in
            reply.cost = try PriceTable.cost(of: reply.usage, generator: reply.generator,
                                             provider: prepared.effective.provider?.kind, model: reply.model ?? "", on: tx).cost
            let request = prepared.request
            let (conversationID, ids): (String, (questionID: String, answerID: String))
            if let existing = request.conversationID {
                conversationID = existing
                ids = try ConversationStore.append(tenantID: tenantID, conversationID: existing, question: request.question,
                                                   reply: reply, in: tx)
            } else {
                let started = try ConversationStore.start(tenantID: tenantID, channel: request.channel,
                                                          visitorTokenHash: request.visitorTokenHash, question: request.question,
                                                          reply: reply, in: tx)
                (conversationID, ids) = (started.conversationID, (started.questionID, started.answerID))
            }
            if let cacheKey {
                let entry = CachedAnswer(answer: reply.text, citations: reply.citations, confidence: reply.confidence ?? 0,
                                         generator: reply.generator, model: reply.model)
                try AnswerCache.store(entry, tenantID: tenantID, key: cacheKey, generation: prepared.generation, in: tx)
            }
            return (conversationID, ids)
        }
        let envelope = AnswerEnvelope(
            answer: reply.text, citations: reply.citations, confidence: reply.confidence ?? 0, escalate: reply.escalate,
            conversationID: conversationID, messageID: ids.answerID,
            usage: .init(promptTokens: reply.usage.promptTokens, completionTokens: reply.usage.completionTokens,
                         cost: Double("\(reply.cost)") ?? 0),
            timings: .init(retrieveMilliseconds: rounded(retrieveMilliseconds), generateMilliseconds: rounded(generateMilliseconds),
                           totalMilliseconds: rounded(total)),
            generator: reply.generator.rawValue, model: reply.model ?? reply.generator.rawValue, fallback: reply.fallback,
            fallbackReason: fallbackReason, cached: reply.cacheHit)
        _ = sink?.citations(envelope.citations)
        _ = sink?.done(envelope)
        return envelope
    }

    /// The LLM's standalone form of a follow-up, or nil when the provider cannot say (retrieval then
    /// uses the history-aware query).
    private func standalone(_ prepared: Prepared, generator: any Generator) -> String? {
        let prompt = FollowUp.rewritePrompt(question: prepared.request.question, history: prepared.history)
        let input = GenerationInput(question: prepared.request.question, questionVector: nil, sources: [], prompt: prompt, refusal: "")
        guard let output = try? generator.generate(input, onDelta: { _ in true }) else { return nil }
        let text = output.text.trimmingSpaces
        return text.isEmpty ? nil : String(text.prefix(QuestionRequest.maxQuestionCharacters))
    }

    private func inTenant<T>(_ tenantID: String, _ body: (Connection) throws -> T) throws -> T {
        try database.with { try $0.withTenant(tenantID, body) }
    }

    private func rounded(_ milliseconds: Double) -> Double { (milliseconds * 100).rounded() / 100 }
}

/// What the answer cache keeps of an answer.
public struct CachedAnswer: Sendable, Codable {
    public var answer: String
    public var citations: [Citation]
    public var confidence: Double
    public var generator: GeneratorKind
    public var model: String?
}
