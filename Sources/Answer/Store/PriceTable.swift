import FoundationEssentials
import Store

/// A model's list price in USD per million tokens (a `model_prices` row). Cached and cache-write
/// prices default to the prompt price when the provider has no separate one.
public struct ModelPrice: Sendable, Equatable {
    public var prompt: Decimal
    public var completion: Decimal
    public var cachedPrompt: Decimal?
    public var cacheWrite: Decimal?

    public init(prompt: Decimal, completion: Decimal, cachedPrompt: Decimal? = nil, cacheWrite: Decimal? = nil) {
        self.prompt = prompt
        self.completion = completion
        self.cachedPrompt = cachedPrompt
        self.cacheWrite = cacheWrite
    }

    /// What `usage` costs at this price, exactly (Decimal, no binary rounding).
    ///
    /// `usage.promptTokens` counts every prompt token, cached and cache-written ones included (as
    /// OpenAI reports `prompt_tokens`; the Anthropic generator adds `cache_read_input_tokens` and
    /// `cache_creation_input_tokens` to `input_tokens` to match). Those two parts are billed at their
    /// own prices and the rest at the prompt price.
    public func cost(of usage: TokenUsage) -> Decimal {
        let cached = max(0, usage.cachedPromptTokens)
        let written = max(0, usage.cacheWriteTokens)
        let plain = max(0, usage.promptTokens - cached - written)
        let total = Decimal(plain) * prompt + Decimal(cached) * (cachedPrompt ?? prompt)
            + Decimal(written) * (cacheWrite ?? prompt) + Decimal(max(0, usage.completionTokens)) * completion
        return total / 1_000_000
    }
}

/// Prices per provider kind and model, from `model_prices` (operators keep it current with SQL).
public enum PriceTable {
    /// The price of `model` as the provider named it. Providers report dated names
    /// (`gpt-4o-mini-2024-07-18`, `claude-3-5-haiku-20241022`), so the longest priced name that
    /// equals it or is followed in it by '-' wins; nil when nothing matches.
    public static func price(kind: ProviderKind, model: String, on connection: Connection) throws -> ModelPrice? {
        let rows = try connection.queryPrepared("""
            SELECT prompt_usd, completion_usd, cached_prompt_usd, cache_write_usd FROM model_prices
             WHERE provider_kind = \(kind.rawValue) AND (model = \(model) OR left(\(model), length(model) + 1) = model || '-')
             ORDER BY length(model) DESC LIMIT 1
            """).rows
        guard let row = rows.first else { return nil }
        return ModelPrice(prompt: try row.decimal("prompt_usd"), completion: try row.decimal("completion_usd"),
                          cachedPrompt: try row.optionalDecimal("cached_prompt_usd"),
                          cacheWrite: try row.optionalDecimal("cache_write_usd"))
    }

    /// The cost of one generation in USD. The extractive generator costs nothing; a model without
    /// a price is costed 0 and reported with `priced: false`, so the caller can log it once.
    public static func cost(of usage: TokenUsage, generator: GeneratorKind, provider: ProviderKind?, model: String,
                            on connection: Connection) throws -> (cost: Decimal, priced: Bool) {
        guard generator != .extractive, let provider else { return (0, true) }
        guard let price = try price(kind: provider, model: model, on: connection) else { return (0, false) }
        return (price.cost(of: usage), true)
    }
}

extension Row {
    /// A numeric column as an exact Decimal (Store delivers numerics as their decimal text).
    func decimal(_ column: String) throws -> Decimal {
        guard let value = try optionalDecimal(column) else {
            throw StoreError(kind: .decoding, message: "column \"\(column)\" is NULL; read it with an optional accessor")
        }
        return value
    }

    func optionalDecimal(_ column: String) throws -> Decimal? {
        switch try value(column) {
        case .null: return nil
        case .numeric(let text):
            guard let decimal = Decimal(string: text) else {
                throw StoreError(kind: .decoding, message: "column \"\(column)\" holds \(text), which is not a decimal number")
            }
            return decimal
        case .int(let number): return Decimal(number)
        case .double(let number): return Decimal(number)
        default:
            throw StoreError(kind: .decoding, message: "column \"\(column)\" cannot be read as a decimal")
        }
    }
}

extension Decimal {
    /// Binds as numeric, exactly: Decimal's description is plain decimal text (no exponent), which
    /// is what PostgreSQL's numeric input reads.
    var sqlNumeric: SQLValue { .numeric(description) }
}
