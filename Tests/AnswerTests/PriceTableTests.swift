import Answer
import FoundationEssentials
import Testing
import TestSupport

@Suite struct ModelPriceTests {
    @Test func cachedAndCacheWriteTokensArePricedApartFromThePlainPrompt() {
        let haiku = ModelPrice(prompt: Decimal(string: "0.80")!, completion: 4, cachedPrompt: Decimal(string: "0.08")!,
                               cacheWrite: 1)
        // 10,000 prompt tokens: 6,000 read from the cache, 3,000 written to it, 1,000 plain; 500 out.
        let usage = TokenUsage(promptTokens: 10_000, completionTokens: 500, cachedPromptTokens: 6_000, cacheWriteTokens: 3_000)
        // (1000 × 0.80 + 6000 × 0.08 + 3000 × 1.00 + 500 × 4.00) / 1e6 = (800 + 480 + 3000 + 2000) / 1e6
        #expect(haiku.cost(of: usage) == Decimal(string: "0.00628")!)
    }

    @Test func missingCachePricesFallBackToThePromptPrice() {
        let price = ModelPrice(prompt: 2, completion: 8)
        let usage = TokenUsage(promptTokens: 1_000_000, completionTokens: 1_000_000, cachedPromptTokens: 500_000)
        #expect(price.cost(of: usage) == 10)
        #expect(price.cost(of: TokenUsage()) == 0)
    }
}

@Suite(.enabled(if: TestDatabase.isConfigured, "needs the PostgreSQL scripts/test starts"))
struct PriceTableTests {
    @Test func datedModelNamesFindTheirLongestPricedPrefix() throws {
        let app = try TestDatabase.appConnection()
        let mini = try #require(try PriceTable.price(kind: .openai, model: "gpt-4o-mini-2024-07-18", on: app))
        #expect(mini == ModelPrice(prompt: Decimal(string: "0.15")!, completion: Decimal(string: "0.6")!,
                                   cachedPrompt: Decimal(string: "0.075")!, cacheWrite: nil))
        #expect(try PriceTable.price(kind: .openai, model: "gpt-4o", on: app)?.prompt == Decimal(string: "2.5")!)
        #expect(try PriceTable.price(kind: .anthropic, model: "claude-sonnet-4-5-20250929", on: app)?.cacheWrite == Decimal(string: "3.75")!)
        #expect(try PriceTable.price(kind: .anthropic, model: "claude-3-5-haiku-20241022", on: app)?.completion == 4)
        #expect(try PriceTable.price(kind: .openai, model: "gpt-4", on: app) == nil, "a prefix of a priced name is not that model")
        #expect(try PriceTable.price(kind: .anthropic, model: "gpt-4o-mini", on: app) == nil)
    }

    @Test func theExtractiveGeneratorIsFreeAndUnknownModelsSayTheyAreUnpriced() throws {
        let app = try TestDatabase.appConnection()
        let usage = TokenUsage(promptTokens: 2_000, completionTokens: 100)
        let free = try PriceTable.cost(of: usage, generator: .extractive, provider: nil, model: "extractive", on: app)
        #expect(free.cost == 0 && free.priced)
        let mini = try PriceTable.cost(of: usage, generator: .openai, provider: .openai, model: "gpt-4o-mini", on: app)
        // (2000 × 0.15 + 100 × 0.60) / 1e6
        #expect(mini.cost == Decimal(string: "0.00036")! && mini.priced)
        let unknown = try PriceTable.cost(of: usage, generator: .openai, provider: .openai, model: "llama3.1:8b", on: app)
        #expect(unknown.cost == 0 && !unknown.priced)
    }
}
