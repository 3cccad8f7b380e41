import FoundationEssentials
import Store
import Tenancy

/// A tenant's answer settings and the generator that answers for it. Every statement names the
/// tenant; the `on:` forms open their own `withTenant` transaction, the `in:` forms run inside the
/// caller's (so the pipeline can read settings, cache and history in one transaction).
public enum AnswerSettingsStore {
    private static let columns = SQL("""
        generator, provider, model, confidence_threshold, instructions, refusal_text, history_token_budget, retention_days
        """)

    public static func settings(tenantID: String, on connection: Connection) throws -> AnswerSettings {
        try connection.withTenant(tenantID) { try settings(tenantID: tenantID, in: $0) }
    }

    /// The stored settings, or the defaults when the tenant never changed them.
    public static func settings(tenantID: String, in tx: Connection) throws -> AnswerSettings {
        let rows = try tx.queryPrepared("SELECT \(columns) FROM answer_settings WHERE tenant_id = \(tenantID)").rows
        guard let row = rows.first else { return AnswerSettings() }
        return try decode(row)
    }

    public static func effective(tenantID: String, environment: [String: String], on connection: Connection) throws -> EffectiveAnswerSettings {
        try connection.withTenant(tenantID) { try effective(tenantID: tenantID, environment: environment, in: $0) }
    }

    /// The plan's generator, overridden by the tenant's, with its provider row and API key
    /// (read from `environment`, the serving process's variables) in one round trip.
    public static func effective(tenantID: String, environment: [String: String], in tx: Connection) throws -> EffectiveAnswerSettings {
        let rows = try tx.queryPrepared("""
            SELECT s.generator, s.provider, s.model, s.confidence_threshold, s.instructions, s.refusal_text,
                   s.history_token_budget, s.retention_days,
                   g.generator AS plan_generator, g.provider AS plan_provider, g.model AS plan_model,
                   p.name, p.kind, p.base_url, p.api_key_env, p.api_version, p.deployment, p.connect_timeout_ms, p.request_timeout_ms
              FROM tenants t
              LEFT JOIN plan_generators g ON g.plan_id = t.plan_id
              LEFT JOIN answer_settings s ON s.tenant_id = t.id
              LEFT JOIN providers p ON p.name = CASE WHEN s.generator IS NOT NULL THEN s.provider ELSE g.provider END
             WHERE t.id = \(tenantID)
            """).rows
        guard let row = rows.first else { throw TenancyError.notFound("No such tenant.") }
        let hasSettings = try row.optionalDouble("confidence_threshold") != nil
        let settings = hasSettings ? try decode(row) : AnswerSettings()
        let origin: EffectiveAnswerSettings.Origin = settings.generator == nil ? .plan : .tenant
        let generatorName = try settings.generator?.rawValue ?? row.optionalString("plan_generator") ?? GeneratorKind.extractive.rawValue
        guard let generator = GeneratorKind(rawValue: generatorName) else {
            throw TenancyError.internalFailure("unknown generator \(generatorName) in the settings")
        }
        guard generator != .extractive, try row.optionalString("name") != nil else {
            return EffectiveAnswerSettings(generator: .extractive, provider: nil, model: nil, origin: origin, settings: settings)
        }
        let model = origin == .tenant ? settings.model : try row.optionalString("plan_model")
        let provider = ResolvedProvider(record: try ProviderRecord(row: row), environment: environment)
        return EffectiveAnswerSettings(generator: generator, provider: provider, model: model, origin: origin, settings: settings)
    }

    /// Applies `patch` and returns the stored result. Refuses (TenancyError.invalid, naming the field)
    /// values out of range, an unknown provider, a provider whose API the generator does not speak,
    /// and an LLM generator without a provider and model.
    public static func update(tenantID: String, patch: AnswerSettingsPatch, on connection: Connection) throws -> AnswerSettings {
        try connection.withTenant(tenantID) { tx in
            // Locks the row (when there is one), so two concurrent patches apply one after the other.
            let current = try tx.query("SELECT \(columns) FROM answer_settings WHERE tenant_id = \(tenantID) FOR UPDATE").rows.first
            let next = patch.applied(to: try current.map(decode) ?? AnswerSettings())
            try validate(next, in: tx)
            let row = try tx.query("""
                INSERT INTO answer_settings (tenant_id, generator, provider, model, confidence_threshold, instructions,
                                             refusal_text, history_token_budget, retention_days)
                VALUES (\(tenantID), \(next.generator?.rawValue), \(next.provider), \(next.model), \(next.confidenceThreshold),
                        \(next.instructions), \(next.refusalText), \(next.historyTokenBudget), \(next.retentionDays))
                ON CONFLICT (tenant_id) DO UPDATE SET
                    generator = EXCLUDED.generator, provider = EXCLUDED.provider, model = EXCLUDED.model,
                    confidence_threshold = EXCLUDED.confidence_threshold, instructions = EXCLUDED.instructions,
                    refusal_text = EXCLUDED.refusal_text, history_token_budget = EXCLUDED.history_token_budget,
                    retention_days = EXCLUDED.retention_days, updated_at = now()
                RETURNING \(columns)
                """).rows.first
            guard let row else { throw TenancyError.internalFailure("INSERT returned no row") }
            return try decode(row)
        }
    }

    static func validate(_ settings: AnswerSettings, in tx: Connection) throws {
        guard settings.confidenceThreshold.isFinite, (0...1).contains(settings.confidenceThreshold) else {
            throw TenancyError.invalid("confidence_threshold is a number from 0 to 1.")
        }
        guard settings.instructions.count <= 4000 else { throw TenancyError.invalid("instructions are at most 4000 characters.") }
        guard (1...1000).contains(settings.refusalText.count), !settings.refusalText.allSatisfy(\.isWhitespace) else {
            throw TenancyError.invalid("refusal_text is 1 to 1000 characters.")
        }
        guard (0...32000).contains(settings.historyTokenBudget) else { throw TenancyError.invalid("history_token_budget is 0 to 32000.") }
        if let days = settings.retentionDays, !(1...3650).contains(days) {
            throw TenancyError.invalid("retention_days is 1 to 3650, or null to keep conversations.")
        }
        switch settings.generator {
        case nil, .extractive:
            guard settings.provider == nil, settings.model == nil else {
                throw TenancyError.invalid("provider and model apply only to the openai and anthropic generators.")
            }
        case let generator?:
            guard let name = settings.provider else { throw TenancyError.invalid("The \(generator.rawValue) generator needs a provider.") }
            guard let model = settings.model, (1...200).contains(model.count) else {
                throw TenancyError.invalid("The \(generator.rawValue) generator needs a model (1 to 200 characters).")
            }
            guard let provider = try ProviderStore.find(name: name, on: tx) else {
                throw TenancyError.invalid("No provider named '\(name)'.")
            }
            guard provider.kind.generator == generator else {
                throw TenancyError.invalid("Provider '\(name)' is \(provider.kind.rawValue); the \(generator.rawValue) generator cannot call it.")
            }
        }
    }

    private static func decode(_ row: Row) throws -> AnswerSettings {
        var settings = AnswerSettings()
        if let generator = try row.optionalString("generator") {
            guard let kind = GeneratorKind(rawValue: generator) else {
                throw TenancyError.internalFailure("unknown generator \(generator) in answer_settings")
            }
            settings.generator = kind
        }
        settings.provider = try row.optionalString("provider")
        settings.model = try row.optionalString("model")
        // real: read back as the float it is, then rounded to the few digits people set.
        settings.confidenceThreshold = (try row.double("confidence_threshold") * 10000).rounded() / 10000
        settings.instructions = try row.string("instructions")
        settings.refusalText = try row.string("refusal_text")
        settings.historyTokenBudget = try row.int("history_token_budget")
        settings.retentionDays = try row.optionalInt("retention_days")
        return settings
    }
}
