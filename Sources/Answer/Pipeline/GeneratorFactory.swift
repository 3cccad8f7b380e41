/// Builds the generator a tenant's settings name, per request, from plain values: endpoints are
/// cheap structs, and what must outlive a request (one circuit breaker per provider URL) lives in
/// `CircuitBreaker.shared`. One factory per process.
public final class GeneratorFactory: Sendable {
    /// The embedded default, and what answers whenever a provider cannot.
    public let fallback: any Generator

    /// The process's factory: the default extractive generator as fallback.
    public static let shared = GeneratorFactory()

    public init(fallback: any Generator = ExtractiveGenerator()) {
        self.fallback = fallback
    }

    /// The configured generator, or the fallback with the reason when the configuration cannot work
    /// (no provider row, its key variable unset, an invalid endpoint): a configuration problem is
    /// answered, marked as a fallback, rather than failing every question.
    public func make(_ effective: EffectiveAnswerSettings) -> (generator: any Generator, fallbackReason: String?) {
        guard effective.generator != .extractive else { return (fallback, nil) }
        guard let provider = effective.provider else {
            return (fallback, "no provider is configured for the \(effective.generator.rawValue) generator")
        }
        if let variable = provider.missingKeyVariable {
            return (fallback, "provider \(provider.name): its key variable \(variable) is not set")
        }
        guard let model = effective.model, !model.isEmpty else {
            return (fallback, "provider \(provider.name): no model is configured")
        }
        let kind: ProviderEndpoint.Kind = switch provider.kind {
        case .openai: .openai
        case .azure: .azure
        case .anthropic: .anthropic
        }
        let endpoint = ProviderEndpoint(
            name: provider.name, kind: kind, baseURL: provider.baseURL, apiKey: provider.apiKey, apiVersion: provider.apiVersion,
            deployment: provider.kind == .azure ? provider.deployment(for: model) : nil,
            connectTimeoutSeconds: Double(provider.connectTimeoutMs) / 1000,
            totalTimeoutSeconds: Double(provider.requestTimeoutMs) / 1000)
        let breaker = CircuitBreaker.shared(for: endpoint.url)
        do {
            switch provider.kind.generator {
            case .anthropic: return (try AnthropicGenerator(endpoint: endpoint, model: model, breaker: breaker), nil)
            default: return (try OpenAIGenerator(endpoint: endpoint, model: model, breaker: breaker), nil)
            }
        } catch {
            return (fallback, "provider \(provider.name): \(error)")
        }
    }
}
