import Answer
import HTTP
import Tenancy

/// `/v1/settings/answers`: how the tenant's questions are answered. GET shows the stored settings
/// and the generator in effect; PATCH is a JSON merge patch (absent: unchanged, null: reset).
enum AnswerSettingsRoutes {
    /// The settings plus what answers now, resolved from the plan and the override (never a key).
    struct View: Encodable {
        let settings: AnswerSettings
        let effective: EffectiveAnswerSettings

        enum CodingKeys: String, CodingKey { case effective }
        enum EffectiveKeys: String, CodingKey { case generator, provider, model, origin }

        func encode(to encoder: any Encoder) throws {
            try settings.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            var e = c.nestedContainer(keyedBy: EffectiveKeys.self, forKey: .effective)
            try e.encode(effective.generator, forKey: .generator)
            try e.encode(effective.provider?.name, forKey: .provider)
            try e.encode(effective.model, forKey: .model)
            try e.encode(effective.origin, forKey: .origin)
        }
    }

    /// Reads the patch's fields by hand so that `null` (reset) and absent (unchanged) differ, and
    /// the generator is checked as a value (422) rather than as a JSON type (400).
    struct PatchBody: Decodable {
        let patch: AnswerSettingsPatch

        enum Keys: String, CodingKey, CaseIterable {
            case generator, provider, model, instructions
            case confidenceThreshold = "confidence_threshold", refusalText = "refusal_text"
            case historyTokenBudget = "history_token_budget", retentionDays = "retention_days"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            var patch = AnswerSettingsPatch()
            patch.generator = try Self.field(c, .generator, String.self).map { name in
                guard let kind = GeneratorKind(rawValue: name) else {
                    throw Problem.unprocessable("generator is one of \(GeneratorKind.allCases.map(\.rawValue).joined(separator: ", ")), or null for the plan's.")
                }
                return kind
            }
            patch.provider = try Self.field(c, .provider, String.self)
            patch.model = try Self.field(c, .model, String.self)
            patch.confidenceThreshold = try Self.field(c, .confidenceThreshold, Double.self)
            patch.instructions = try Self.field(c, .instructions, String.self)
            patch.refusalText = try Self.field(c, .refusalText, String.self)
            patch.historyTokenBudget = try Self.field(c, .historyTokenBudget, Int.self)
            patch.retentionDays = try Self.field(c, .retentionDays, Int.self)
            self.patch = patch
        }

        private static func field<T: Decodable & Sendable & Equatable>(
            _ c: KeyedDecodingContainer<Keys>, _ key: Keys, _ type: T.Type
        ) throws -> AnswerSettingsPatch.Field<T> {
            guard c.contains(key) else { return .unchanged }
            if try c.decodeNil(forKey: key) { return .reset }
            return .set(try c.decode(T.self, forKey: key))
        }
    }

    static let settingsSchema: JSONValue = [
        "type": "object",
        "properties": [
            "generator": ["type": ["string", "null"], "enum": ["extractive", "openai", "anthropic", nil],
                          "description": "Override of the plan's generator; null keeps the plan's"],
            "provider": ["type": ["string", "null"], "description": "A provider configured by the operator (openai and anthropic generators)"],
            "model": ["type": ["string", "null"], "maxLength": 200],
            "confidence_threshold": ["type": "number", "minimum": 0, "maximum": 1, "default": 0.7],
            "instructions": ["type": "string", "maxLength": 4000, "description": "Tone, language and other guidance for the answers"],
            "refusal_text": ["type": "string", "minLength": 1, "maxLength": 1000],
            "history_token_budget": ["type": "integer", "minimum": 0, "maximum": 32000, "default": 1500],
            "retention_days": ["type": ["integer", "null"], "minimum": 1, "maximum": 3650,
                               "description": "Idle conversations are deleted after this many days; null keeps them"],
        ],
    ]

    static let viewSchema: JSONValue = [
        "allOf": [settingsSchema, ["type": "object", "properties": [
            "effective": ["type": "object", "description": "What answers now: the plan's generator unless overridden", "properties": [
                "generator": ["type": "string", "enum": ["extractive", "openai", "anthropic"]],
                "provider": ["type": ["string", "null"]], "model": ["type": ["string", "null"]],
                "origin": ["type": "string", "enum": ["plan", "tenant"]],
            ]],
        ]]],
    ]

    static func view(_ context: TenantContext) throws -> View {
        let environment = context.base.configuration.environment.values
        let effective = try context.withConnection {
            try AnswerSettingsStore.effective(tenantID: context.tenantID, environment: environment, on: $0)
        }
        return View(settings: effective.settings, effective: effective)
    }

    static func register(into router: inout Router<RequestContext>) {
        router.add(.GET, "/v1/settings/answers", scope: .admin, doc: RouteDoc(
            summary: "The tenant's answer settings and the generator in effect", operationID: "getAnswerSettings", tag: "settings",
            responses: [(200, "The settings", viewSchema)]
        )) { _, _, context in
            try .json(try view(context))
        }

        router.add(.PATCH, "/v1/settings/answers", scope: .admin, maxBodyBytes: 32 * 1024, doc: RouteDoc(
            summary: "Change answer settings (JSON merge patch: absent fields stay, null resets)",
            operationID: "updateAnswerSettings", tag: "settings", requestSchema: settingsSchema,
            responses: [
                (200, "The settings after the change", viewSchema),
                (422, "A value out of range, an unknown generator or provider, or a provider the generator cannot call",
                 OpenAPI.problemRef),
            ]
        )) { request, _, context in
            let body = try JSON.decode(PatchBody.self, from: request.body)
            _ = try context.withConnection {
                try AnswerSettingsStore.update(tenantID: context.tenantID, patch: body.patch, on: $0)
            }
            return try .json(try view(context))
        }
    }
}
