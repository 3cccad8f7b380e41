/// Answers through Chat Completions, streamed (OpenAI, Azure OpenAI and compatible servers such
/// as vLLM, Ollama's `/v1` and llama.cpp).
///
/// Thread rule: immutable and `Sendable`; each `generate` is one blocking call on its caller's
/// thread (one curl handle per attempt). Nothing to close. The circuit breaker is shared per
/// endpoint URL within the process unless one is injected.
public struct OpenAIGenerator: Generator {
    public var kind: GeneratorKind { .openai }
    public let model: String
    public let endpoint: ProviderEndpoint
    private let call: ProviderCall

    /// - Parameters:
    ///   - endpoint: kind `.openai` or `.azure`.
    ///   - model: the model name (for Azure the deployment decides; the name is still reported).
    ///   - breaker: defaults to the process's breaker for the endpoint's URL.
    ///   - hooks: backoff sleeping, clock and jitter; tests inject them.
    public init(endpoint: ProviderEndpoint, model: String, breaker: CircuitBreaker? = nil,
                hooks: ProviderHooks = ProviderHooks()) throws(ProviderEndpoint.ConfigurationError) {
        call = try ProviderCall(endpoint: endpoint, for: "OpenAIGenerator", accepting: [.openai, .azure], breaker: breaker, hooks: hooks)
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
        let request = OpenAIWire.Request(model: model, messages: Self.messages(for: prompt), maxTokens: prompt.maxTokens,
                                         temperature: prompt.temperature)
        let body = try ProviderCall.encode(request, provider: endpoint.name)
        return try call.run(OpenAIStreamDecoder.self, body: body, model: model, onDelta: onDelta)
    }

    /// System (instructions, then the sources), the history oldest first, then the question.
    static func messages(for prompt: Prompt) -> [OpenAIWire.Message] {
        let system = prompt.context.isEmpty ? prompt.instructions : prompt.instructions + "\n\n" + prompt.context
        return [OpenAIWire.Message(role: "system", content: system)]
            + prompt.history.map { OpenAIWire.Message(role: $0.role.rawValue, content: $0.text) }
            + [OpenAIWire.Message(role: "user", content: prompt.question)]
    }
}
