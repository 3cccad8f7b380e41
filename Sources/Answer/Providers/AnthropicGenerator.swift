/// Answers through Anthropic's Messages API, streamed, with the instructions and the sources
/// marked for prompt caching: a follow-up question over the same sources reads them from the cache.
///
/// Thread rule: immutable and `Sendable`; each `generate` is one blocking call on its caller's
/// thread (one curl handle per attempt). Nothing to close. The circuit breaker is shared per
/// endpoint URL within the process unless one is injected.
public struct AnthropicGenerator: Generator {
    public var kind: GeneratorKind { .anthropic }
    public let model: String
    public let endpoint: ProviderEndpoint
    private let call: ProviderCall

    /// - Parameters:
    ///   - endpoint: kind `.anthropic`.
    ///   - breaker: defaults to the process's breaker for the endpoint's URL.
    ///   - hooks: backoff sleeping, clock and jitter; tests inject them.
    public init(endpoint: ProviderEndpoint, model: String, breaker: CircuitBreaker? = nil,
                hooks: ProviderHooks = ProviderHooks()) throws(ProviderEndpoint.ConfigurationError) {
        call = try ProviderCall(endpoint: endpoint, for: "AnthropicGenerator", accepting: [.anthropic], breaker: breaker, hooks: hooks)
        self.endpoint = endpoint
        self.model = model
    }

    public func generate(_ input: GenerationInput, onDelta: (String) -> Bool) throws -> GenerationOutput {
        try stream(input.prompt, onDelta: onDelta)
    }

    /// The whole answer at once, e.g. the standalone-question rewrite. Same path, same failures.
    public func complete(_ prompt: Prompt) throws(GenerationError) -> GenerationOutput {
        try stream(prompt) { _ in true }
    }

    private func stream(_ prompt: Prompt, onDelta: (String) -> Bool) throws(GenerationError) -> GenerationOutput {
        let request = AnthropicWire.Request(model: model, maxTokens: prompt.maxTokens, temperature: prompt.temperature,
                                            system: Self.system(for: prompt), messages: Self.messages(for: prompt))
        let body = try ProviderCall.encode(request, provider: endpoint.name)
        return try call.run(AnthropicStreamDecoder.self, body: body, model: model, onDelta: onDelta)
    }

    /// Instructions and sources as two blocks, each ending a cacheable prefix: the instructions
    /// alone are shared by every question of a tenant, the pair by follow-ups on the same sources.
    /// Anthropic rejects empty text blocks, so an empty part is left out.
    static func system(for prompt: Prompt) -> [AnthropicWire.TextBlock] {
        [prompt.instructions, prompt.context].filter { !$0.isEmpty }.map { AnthropicWire.TextBlock(text: $0) }
    }

    /// The history then the question, made valid for the Messages API, which requires non-empty
    /// turns alternating user/assistant and starting with user: empty turns are dropped, adjacent
    /// turns of one role are merged, and assistant turns before the first user turn are dropped.
    static func messages(for prompt: Prompt) -> [AnthropicWire.Message] {
        var turns: [(role: Turn.Role, text: String)] = []
        for turn in prompt.history + [Turn(role: .user, text: prompt.question)] where !turn.text.isEmpty {
            if turns.isEmpty && turn.role == .assistant { continue }
            if let last = turns.last, last.role == turn.role {
                turns[turns.count - 1].text += "\n\n" + turn.text
            } else {
                turns.append((turn.role, turn.text))
            }
        }
        return turns.map { AnthropicWire.Message(role: $0.role.rawValue, content: $0.text) }
    }
}
