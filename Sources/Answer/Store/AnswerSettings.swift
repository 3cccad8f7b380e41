import FoundationEssentials

/// A tenant's stored answer settings (`answer_settings`), or the defaults when it has no row.
/// `generator`, `provider` and `model` are the tenant's override: nil keeps the plan's.
public struct AnswerSettings: Sendable, Equatable, Encodable {
    public static let defaultRefusal = "I don't know based on the available documents."

    public var generator: GeneratorKind?
    public var provider: String?
    public var model: String?
    public var confidenceThreshold: Double = 0.7
    public var instructions: String = ""
    public var refusalText: String = AnswerSettings.defaultRefusal
    public var historyTokenBudget: Int = 1500
    /// Days an idle conversation is kept; nil keeps conversations forever.
    public var retentionDays: Int?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case generator, provider, model, instructions
        case confidenceThreshold = "confidence_threshold", refusalText = "refusal_text"
        case historyTokenBudget = "history_token_budget", retentionDays = "retention_days"
    }

    /// Unset overrides are written as explicit nulls, so every settings object has the same fields.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(generator, forKey: .generator)
        try c.encode(provider, forKey: .provider)
        try c.encode(model, forKey: .model)
        try c.encode(confidenceThreshold, forKey: .confidenceThreshold)
        try c.encode(instructions, forKey: .instructions)
        try c.encode(refusalText, forKey: .refusalText)
        try c.encode(historyTokenBudget, forKey: .historyTokenBudget)
        try c.encode(retentionDays, forKey: .retentionDays)
    }
}

/// A change to a tenant's settings, as `PATCH /v1/settings/answers` reads it (JSON merge patch):
/// an absent field is left alone, `null` resets it (to the plan's generator, or the default).
public struct AnswerSettingsPatch: Sendable, Equatable {
    public enum Field<Value: Sendable & Equatable>: Sendable, Equatable {
        case unchanged, reset, set(Value)

        /// Converts a set value (e.g. a name into an enum), keeping unchanged and reset as they are.
        public func map<T>(_ transform: (Value) throws -> T) rethrows -> Field<T> {
            switch self {
            case .unchanged: .unchanged
            case .reset: .reset
            case .set(let value): .set(try transform(value))
            }
        }

        func applied(to current: Value, default value: Value) -> Value {
            switch self {
            case .unchanged: current
            case .reset: value
            case .set(let new): new
            }
        }
    }

    public var generator: Field<GeneratorKind> = .unchanged
    public var provider: Field<String> = .unchanged
    public var model: Field<String> = .unchanged
    public var confidenceThreshold: Field<Double> = .unchanged
    public var instructions: Field<String> = .unchanged
    public var refusalText: Field<String> = .unchanged
    public var historyTokenBudget: Field<Int> = .unchanged
    public var retentionDays: Field<Int> = .unchanged

    public init() {}

    /// The settings after the patch. Choosing `extractive` or resetting the generator clears
    /// provider and model unless the patch sets them (which validation then refuses).
    public func applied(to settings: AnswerSettings) -> AnswerSettings {
        let defaults = AnswerSettings()
        var result = settings
        result.generator = optional(generator, settings.generator)
        if case .set(.extractive) = generator { result.provider = nil; result.model = nil }
        if case .reset = generator { result.provider = nil; result.model = nil }
        result.provider = optional(provider, result.provider)
        result.model = optional(model, result.model)
        result.confidenceThreshold = confidenceThreshold.applied(to: settings.confidenceThreshold, default: defaults.confidenceThreshold)
        result.instructions = instructions.applied(to: settings.instructions, default: defaults.instructions)
        result.refusalText = refusalText.applied(to: settings.refusalText, default: defaults.refusalText)
        result.historyTokenBudget = historyTokenBudget.applied(to: settings.historyTokenBudget, default: defaults.historyTokenBudget)
        result.retentionDays = optional(retentionDays, settings.retentionDays)
        return result
    }

    private func optional<T>(_ field: Field<T>, _ current: T?) -> T? {
        switch field {
        case .unchanged: current
        case .reset: nil
        case .set(let value): value
        }
    }
}

/// What answers a tenant's questions now: the plan's generator unless the tenant overrides it,
/// with the provider resolved to plain values (the pipeline builds its endpoint from them).
public struct EffectiveAnswerSettings: Sendable {
    public enum Origin: String, Sendable, Encodable { case plan, tenant }

    public var generator: GeneratorKind
    /// nil for the extractive generator.
    public var provider: ResolvedProvider?
    /// The model to ask for; nil for the extractive generator.
    public var model: String?
    /// Whether the generator came from the plan or from the tenant's override.
    public var origin: Origin
    /// The tenant's settings (threshold, instructions, refusal, history budget, retention).
    public var settings: AnswerSettings
}

/// A provider row with its API key read from the environment variable it names. The key never
/// appears in descriptions, so logging this value cannot leak it.
public struct ResolvedProvider: Sendable, CustomStringConvertible {
    public var record: ProviderRecord
    /// nil when the endpoint needs no key, or when its variable is unset (see `missingKeyVariable`).
    public var apiKey: String?

    public var name: String { record.name }
    public var kind: ProviderKind { record.kind }
    public var baseURL: String { record.baseURL }
    public var apiVersion: String? { record.apiVersion }
    public var connectTimeoutMs: Int { record.connectTimeoutMs }
    public var requestTimeoutMs: Int { record.requestTimeoutMs }

    /// The Azure deployment to call: the configured one, else the model's name.
    public func deployment(for model: String) -> String { record.deployment ?? model }

    /// The variable the row names but the environment lacks: the provider cannot be called, and the
    /// pipeline should answer extractively and log this (a configuration problem, not an outage).
    public var missingKeyVariable: String? {
        guard let variable = record.apiKeyEnv, apiKey == nil else { return nil }
        return variable
    }

    public var description: String {
        "\(record.name) (\(record.kind.rawValue) \(record.baseURL), key \(apiKey == nil ? "none" : "***"))"
    }

    init(record: ProviderRecord, environment: [String: String]) {
        self.record = record
        apiKey = record.apiKeyEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
    }
}
