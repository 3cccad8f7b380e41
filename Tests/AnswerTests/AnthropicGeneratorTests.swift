import Testing
import TestSupport
@testable import Answer

/// `AnthropicGenerator` against `FakeHTTPServer` speaking the Messages streaming wire format.
@Suite struct AnthropicGeneratorTests {
    typealias F = ProviderFixtures

    static func generator(_ server: FakeHTTPServer, sleeps: F.SleepLog = F.SleepLog(), breaker: CircuitBreaker = F.breaker(),
                          configure: (inout ProviderEndpoint) -> Void = { _ in }) throws -> AnthropicGenerator {
        try AnthropicGenerator(endpoint: F.endpoint(.anthropic, server, configure: configure), model: "claude-sonnet-4-5", breaker: breaker, hooks: sleeps.hooks)
    }

    @Test func streamsDeltasAndParsesUsageWithCacheCounts() throws {
        let server = FakeHTTPServer { _ in .eventStream(LLMWire.anthropicStream(["Two", " years", " [1]."], delay: 0.02)) }
        try server.start()
        defer { server.stop() }
        let deltas = F.Deltas()
        let output = try Self.generator(server).generate(F.input(), onDelta: deltas.receive)
        #expect(deltas.pieces == ["Two", " years", " [1]."])
        #expect(output.text == "Two years [1].")
        #expect(output.usage == TokenUsage(promptTokens: 25 + 300 + 1200, completionTokens: 15, cachedPromptTokens: 300, cacheWriteTokens: 1200))
        #expect(output.finishReason == "stop")
        #expect(output.model == "claude-sonnet-4-5-20250929")

        let request = try #require(server.requests.first)
        #expect(request.path == "/v1/messages")
        #expect(request.header("x-api-key") == F.key)
        #expect(request.header("anthropic-version") == "2023-06-01")
        #expect(request.header("authorization") == nil)
    }

    @Test func requestHasCachedSystemBlocksAndAlternatingRoles() throws {
        let server = FakeHTTPServer { _ in .eventStream(LLMWire.anthropicStream(["ok"], stopReason: "max_tokens")) }
        try server.start()
        defer { server.stop() }
        let history = [
            Turn(role: .assistant, text: "Welcome! Ask me anything."),  // cannot come first: dropped
            Turn(role: .user, text: "Hi"), Turn(role: .user, text: "Anyone there?"),  // merged
            Turn(role: .assistant, text: ""),  // empty: dropped
            Turn(role: .assistant, text: "Yes."),
            Turn(role: .user, text: "About the warranty"),  // merged with the question
        ]
        let output = try Self.generator(server).generate(F.input(history: history)) { _ in true }
        #expect(output.finishReason == "length")
        let sent = try F.decode(F.SentAnthropic.self, try #require(server.requests.first))
        #expect(sent.model == "claude-sonnet-4-5")
        #expect(sent.stream)
        #expect(sent.max_tokens == 200)
        #expect(sent.system.map(\.text) == ["Answer only from the sources.", "[1] The warranty lasts two years."])
        #expect(sent.system.allSatisfy { $0.type == "text" && $0.cache_control?.type == "ephemeral" })
        #expect(sent.messages == [
            .init(role: "user", content: "Hi\n\nAnyone there?"),
            .init(role: "assistant", content: "Yes."),
            .init(role: "user", content: "About the warranty\n\nHow long is the warranty?"),
        ])
    }

    @Test func overloadedStatusHonoursRetryAfterThenSucceeds() throws {
        let server = FakeHTTPServer { request in
            switch request.index {
            case 0: LLMWire.error("Overloaded", type: "overloaded_error", status: 529, headers: [("retry-after", "2")])
            case 1: LLMWire.error("Rate limited", type: "rate_limit_error", status: 429)
            default: .eventStream(LLMWire.anthropicStream(["ok"]))
            }
        }
        try server.start()
        defer { server.stop() }
        let sleeps = F.SleepLog()
        #expect(try Self.generator(server, sleeps: sleeps).generate(F.input()) { _ in true }.text == "ok")
        #expect(sleeps.recorded == [2, 1])
    }

    @Test func anErrorEventBeforeTextIsRetriedAndAfterTextIsUnavailable() throws {
        let overloaded = LLMWire.anthropicEvent("error", #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
        let early = FakeHTTPServer { request in
            request.index == 0 ? .eventStream([.init(LLMWire.anthropicStart), .init(overloaded)]) : .eventStream(LLMWire.anthropicStream(["ok"]))
        }
        try early.start()
        defer { early.stop() }
        #expect(try Self.generator(early).generate(F.input()) { _ in true }.text == "ok")
        #expect(early.requests.count == 2)

        let late = FakeHTTPServer { _ in .eventStream([.init(LLMWire.anthropicStart), .init(LLMWire.anthropicDelta("Two")), .init(overloaded)]) }
        try late.start()
        defer { late.stop() }
        do {
            _ = try Self.generator(late).generate(F.input()) { _ in true }
            Issue.record("an error event did not throw")
        } catch let error as GenerationError {
            #expect(error == .unavailable(provider: "anthropic",
                                          reason: "error event: overloaded_error: Overloaded after the answer had started"))
        }
        #expect(late.requests.count == 1)
    }

    @Test func aStreamCutBeforeAnyTextIsRetried() throws {
        let server = FakeHTTPServer { request in
            request.index == 0 ? .eventStream([.init(LLMWire.anthropicStart), .init(after: 0.1, "")], end: .reset)
                : .eventStream(LLMWire.anthropicStream(["ok"]))
        }
        try server.start()
        defer { server.stop() }
        let sleeps = F.SleepLog()
        #expect(try Self.generator(server, sleeps: sleeps).generate(F.input()) { _ in true }.text == "ok")
        #expect(server.requests.count == 2)
        #expect(sleeps.recorded.count == 1)
    }

    @Test func aMalformedEventIsUnavailable() throws {
        let server = FakeHTTPServer { _ in .eventStream([.init(LLMWire.anthropicStart), .init("event: content_block_delta\ndata: {\"type\":\n\n")]) }
        try server.start()
        defer { server.stop() }
        do {
            _ = try Self.generator(server).generate(F.input()) { _ in true }
            Issue.record("a malformed event did not throw")
        } catch let error as GenerationError {
            #expect(error == .unavailable(provider: "anthropic", reason: #"malformed content_block_delta event: {"type":"#))
        }
    }

    @Test func invalidKeyIsRejectedWithTheProvidersMessage() throws {
        let server = FakeHTTPServer { _ in LLMWire.error("invalid x-api-key", type: "authentication_error", status: 401) }
        try server.start()
        defer { server.stop() }
        #expect(throws: GenerationError.rejected(provider: "anthropic", status: 401, reason: "invalid x-api-key (authentication_error)")) {
            try Self.generator(server).generate(F.input()) { _ in true }
        }
    }
}
