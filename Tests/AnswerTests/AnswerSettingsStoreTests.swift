import Answer
import Store
import Tenancy
import Testing
import TestSupport

@Suite(.enabled(if: TestDatabase.isConfigured, "needs the PostgreSQL scripts/test starts"))
struct AnswerSettingsStoreTests {
    @Test func aTenantWithoutSettingsGetsDefaultsAndThePlansExtractiveGenerator() throws {
        let fixture = try StoreFixture(plan: "pro")
        defer { fixture.remove() }
        let effective = try AnswerSettingsStore.effective(tenantID: fixture.tenantID, environment: [:], on: fixture.app)
        #expect(effective.generator == .extractive && effective.provider == nil && effective.model == nil)
        #expect(effective.origin == .plan)
        #expect(effective.settings == AnswerSettings())
        #expect(effective.settings.confidenceThreshold == 0.7 && effective.settings.historyTokenBudget == 1500)
        #expect(effective.settings.refusalText == "I don't know based on the available documents.")
    }

    @Test func aTenantOverrideResolvesItsProviderAndReadsTheKeyFromTheNamedVariable() throws {
        let fixture = try StoreFixture()
        let provider = try fixture.addProvider(kind: .azure, keyVariable: "PARLEY_TEST_AZURE_KEY")
        defer { fixture.remove(); fixture.removeProvider(provider) }
        var patch = AnswerSettingsPatch()
        patch.generator = .set(.openai)
        patch.provider = .set(provider.name)
        patch.model = .set("gpt-4o-mini")
        patch.confidenceThreshold = .set(0.55)
        patch.instructions = .set("Answer in French.")
        let stored = try AnswerSettingsStore.update(tenantID: fixture.tenantID, patch: patch, on: fixture.app)
        #expect(stored.generator == .openai && stored.confidenceThreshold == 0.55 && stored.instructions == "Answer in French.")

        let environment = ["PARLEY_TEST_AZURE_KEY": "sk-test-secret"]
        let effective = try AnswerSettingsStore.effective(tenantID: fixture.tenantID, environment: environment, on: fixture.app)
        #expect(effective.origin == .tenant && effective.generator == .openai && effective.model == "gpt-4o-mini")
        let resolved = try #require(effective.provider)
        #expect(resolved.kind == .azure && resolved.apiKey == "sk-test-secret" && resolved.apiVersion == "2024-10-21")
        #expect(resolved.deployment(for: "gpt-4o-mini") == "gpt-4o-mini")
        #expect(!"\(resolved)".contains("sk-test-secret"), "the key never appears in descriptions")
        #expect(resolved.missingKeyVariable == nil)

        let withoutKey = try AnswerSettingsStore.effective(tenantID: fixture.tenantID, environment: [:], on: fixture.app)
        #expect(withoutKey.provider?.missingKeyVariable == "PARLEY_TEST_AZURE_KEY")

        // Resetting the generator returns to the plan's and clears provider and model.
        var reset = AnswerSettingsPatch()
        reset.generator = .reset
        let back = try AnswerSettingsStore.update(tenantID: fixture.tenantID, patch: reset, on: fixture.app)
        #expect(back.generator == nil && back.provider == nil && back.model == nil && back.confidenceThreshold == 0.55)
        #expect(try AnswerSettingsStore.effective(tenantID: fixture.tenantID, environment: [:], on: fixture.app).generator == .extractive)
    }

    @Test func invalidSettingsAreRefusedAndNothingChanges() throws {
        let fixture = try StoreFixture()
        let anthropic = try fixture.addProvider(kind: .anthropic)
        defer { fixture.remove(); fixture.removeProvider(anthropic) }
        func refused(_ change: (inout AnswerSettingsPatch) -> Void) -> Bool {
            var patch = AnswerSettingsPatch()
            change(&patch)
            do {
                _ = try AnswerSettingsStore.update(tenantID: fixture.tenantID, patch: patch, on: fixture.app)
                return false
            } catch let error as TenancyError {
                if case .invalid = error { return true }
                return false
            } catch { return false }
        }
        #expect(refused { $0.confidenceThreshold = .set(1.5) })
        #expect(refused { $0.confidenceThreshold = .set(-0.1) })
        #expect(refused { $0.historyTokenBudget = .set(-1) })
        #expect(refused { $0.retentionDays = .set(0) })
        #expect(refused { $0.refusalText = .set("") })
        #expect(refused { $0.generator = .set(.openai) }, "an LLM needs a provider and a model")
        #expect(refused { $0.generator = .set(.openai); $0.provider = .set("no-such-provider"); $0.model = .set("gpt-4o") })
        #expect(refused { $0.generator = .set(.openai); $0.provider = .set(anthropic.name); $0.model = .set("gpt-4o") },
                "the openai generator cannot call an anthropic provider")
        #expect(refused { $0.generator = .set(.extractive); $0.model = .set("x") })
        #expect(try AnswerSettingsStore.settings(tenantID: fixture.tenantID, on: fixture.app) == AnswerSettings())

        var good = AnswerSettingsPatch()
        good.generator = .set(.anthropic)
        good.provider = .set(anthropic.name)
        good.model = .set("claude-3-5-haiku-latest")
        good.retentionDays = .set(30)
        #expect(try AnswerSettingsStore.update(tenantID: fixture.tenantID, patch: good, on: fixture.app).retentionDays == 30)
        #expect(throws: TenancyError.self, "a provider in use cannot be removed") {
            try ProviderStore.remove(name: anthropic.name, on: fixture.owner)
        }
    }

    @Test func theServiceRoleCannotEditOperatorTables() throws {
        let app = try TestDatabase.appConnection()
        for statement: SQL in [
            "INSERT INTO providers (name, kind, base_url) VALUES ('evil', 'openai', 'http://evil.example')",
            "UPDATE model_prices SET prompt_usd = 0",
            "UPDATE plan_generators SET generator = 'extractive'",
            "UPDATE knowledge_generation SET generation = 1",
        ] {
            let error = try #require(throws: StoreError.self) { try app.execute(statement) }
            #expect(error.sqlState == .insufficientPrivilege, "\(statement)")
        }
    }
}
