import Testing
import TestSupport
@testable import Answer

/// `OpenAIGenerator` against `FakeHTTPServer` speaking Chat Completions' streaming wire format.
/// Sleeps are recorded, not slept.
@Suite struct OpenAIGeneratorTests {
    typealias F = ProviderFixtures

    static func generator(_ server: FakeHTTPServer, sleeps: F.SleepLog = F.SleepLog(), breaker: CircuitBreaker = F.breaker(),
                          configure: (inout ProviderEndpoint) -> Void = { _ in }) throws -> OpenAIGenerator {
        try OpenAIGenerator(endpoint: F.endpoint(.openai, server, configure: configure), model: "gpt-4o-mini", breaker: breaker, hooks: sleeps.hooks)
    }

    static func unavailableReason(_ body: () throws -> Void) -> String? {
        do {
            try body()
        } catch GenerationError.unavailable(_, let reason) {
            return reason
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    @Test func streamsDeltasInOrderAndParsesUsage() throws {
        let server = FakeHTTPServer { _ in .eventStream(LLMWire.openAIStream(["The warranty", " lasts two", " years [1]."], delay: 0.02)) }
        try server.start()
        defer { server.stop() }
        let deltas = F.Deltas()
        let output = try Self.generator(server).generate(F.input(history: [Turn(role: .user, text: "Hi"), Turn(role: .assistant, text: "Hello")]),
                                                         onDelta: deltas.receive)
        #expect(deltas.pieces == ["The warranty", " lasts two", " years [1]."])
        #expect(output.text == "The warranty lasts two years [1].")
        #expect(output.usage == TokenUsage(promptTokens: 120, completionTokens: 9, cachedPromptTokens: 64))
        #expect(output.finishReason == "stop")
        #expect(output.model == "gpt-4o-mini-2024-07-18")

        let request = try #require(server.requests.first)
        #expect(request.path == "/v1/chat/completions")
        #expect(request.header("authorization") == "Bearer " + F.key)
        #expect(request.header("content-type") == "application/json")
        let sent = try F.decode(F.SentOpenAI.self, request)
        #expect(sent.model == "gpt-4o-mini")
        #expect(sent.stream && sent.stream_options.include_usage)
        #expect(sent.max_tokens == 200)
        #expect(sent.messages == [
            .init(role: "system", content: "Answer only from the sources.\n\n[1] The warranty lasts two years."),
            .init(role: "user", content: "Hi"), .init(role: "assistant", content: "Hello"),
            .init(role: "user", content: "How long is the warranty?"),
        ])
    }

    @Test func completeCollectsTheSameStream() throws {
        let server = FakeHTTPServer { _ in .eventStream(LLMWire.openAIStream(["What is", " the warranty?"])) }
        try server.start()
        defer { server.stop() }
        let output = try Self.generator(server).complete(F.input().prompt)
        #expect(output.text == "What is the warranty?")
    }

    @Test func rateLimitHonoursRetryAfterThenSucceeds() throws {
        let server = FakeHTTPServer { request in
            request.index == 0
                ? LLMWire.error("Rate limit reached for gpt-4o-mini", type: "requests", status: 429, headers: [("retry-after-ms", "1500")])
                : .eventStream(LLMWire.openAIStream(["ok"]))
        }
        try server.start()
        defer { server.stop() }
        let sleeps = F.SleepLog()
        let output = try Self.generator(server, sleeps: sleeps).generate(F.input()) { _ in true }
        #expect(output.text == "ok")
        #expect(output.usage.promptTokens == 120)  // from the successful attempt only
        #expect(server.requests.count == 2)
        #expect(sleeps.recorded == [1.5])
    }

    @Test func serverErrorIsRetriedWithBackoff() throws {
        let server = FakeHTTPServer { request in
            request.index == 0 ? LLMWire.error("The server had an error", type: "server_error", status: 500) : .eventStream(LLMWire.openAIStream(["ok"]))
        }
        try server.start()
        defer { server.stop() }
        let sleeps = F.SleepLog()
        #expect(try Self.generator(server, sleeps: sleeps).generate(F.input()) { _ in true }.text == "ok")
        #expect(sleeps.recorded == [0.5])
    }

    @Test func persistentServerErrorsAreUnavailableAfterTheRetries() throws {
        let server = FakeHTTPServer { _ in LLMWire.error("The server had an error", type: "server_error", status: 500) }
        try server.start()
        defer { server.stop() }
        let sleeps = F.SleepLog()
        let generator = try Self.generator(server, sleeps: sleeps)
        let reason = Self.unavailableReason { _ = try generator.generate(F.input()) { _ in true } }
        #expect(reason == "HTTP 500: The server had an error (server_error) (after 3 attempts)")
        #expect(server.requests.count == 3)
        #expect(sleeps.recorded == [0.5, 1])
    }

    @Test func unauthorizedIsRejectedWithTheMessageButNotTheKey() throws {
        let server = FakeHTTPServer { _ in
            LLMWire.error("Incorrect API key provided: \(F.key). You can find your API key at https://platform.openai.com.",
                    type: "invalid_request_error", status: 401)
        }
        try server.start()
        defer { server.stop() }
        let sleeps = F.SleepLog()
        do {
            _ = try Self.generator(server, sleeps: sleeps).generate(F.input()) { _ in true }
            Issue.record("401 did not throw")
        } catch let error as GenerationError {
            guard case .rejected(let provider, let status, let reason) = error else { Issue.record("\(error)"); return }
            #expect(provider == "openai")
            #expect(status == 401)
            #expect(reason.hasPrefix("Incorrect API key provided: ***."))
            #expect(!"\(error)".contains(F.key))
        }
        #expect(server.requests.count == 1)
        #expect(sleeps.recorded.isEmpty)
    }

    @Test func aStreamCutAfterDeltasIsUnavailableWithoutRetry() throws {
        let server = FakeHTTPServer { _ in
            .eventStream([.init(LLMWire.openAIRoleChunk), .init(LLMWire.openAIChunk("The warranty")), .init(after: 0.02, LLMWire.openAIChunk(" lasts")),
                          .init(after: 0.1, "")],  // lets the client read before the reset discards unread bytes
                         end: .reset)
        }
        try server.start()
        defer { server.stop() }
        let deltas = F.Deltas()
        let generator = try Self.generator(server)
        let reason = Self.unavailableReason { _ = try generator.generate(F.input(), onDelta: deltas.receive) }
        #expect(reason?.hasSuffix("after the answer had started") == true, "\(reason ?? "")")
        #expect(deltas.pieces == ["The warranty", " lasts"])
        #expect(server.requests.count == 1)
    }

    @Test func aStreamEndingWithoutDoneBeforeAnyDeltaIsRetried() throws {
        let server = FakeHTTPServer { request in
            request.index == 0 ? .eventStream([.init(LLMWire.openAIRoleChunk)]) : .eventStream(LLMWire.openAIStream(["ok"]))
        }
        try server.start()
        defer { server.stop() }
        let sleeps = F.SleepLog()
        #expect(try Self.generator(server, sleeps: sleeps).generate(F.input()) { _ in true }.text == "ok")
        #expect(server.requests.count == 2)
        #expect(sleeps.recorded.count == 1)
    }

    @Test func aStreamEndingWithoutDoneAfterDeltasIsUnavailable() throws {
        let server = FakeHTTPServer { _ in .eventStream([.init(LLMWire.openAIRoleChunk), .init(LLMWire.openAIChunk("partial"))]) }
        try server.start()
        defer { server.stop() }
        let reason = Self.unavailableReason { _ = try Self.generator(server).generate(F.input()) { _ in true } }
        #expect(reason == "the stream ended before its final event after the answer had started")
        #expect(server.requests.count == 1)
    }

    @Test func aHungConnectionTimesOutAndIsUnavailable() throws {
        let server = FakeHTTPServer { _ in .eventStream([], end: .hang(seconds: 10)) }
        try server.start()
        defer { server.stop(graceSeconds: 0) }
        let start = ContinuousClock.now
        let generator = try Self.generator(server) {
            $0.idleTimeoutSeconds = 0.3
            $0.maxRetries = 1
        }
        let reason = Self.unavailableReason { _ = try generator.generate(F.input()) { _ in true } }
        #expect(reason?.contains("no data for 0.3 s") == true, "\(reason ?? "")")
        #expect(server.requests.count == 2)
        #expect(ContinuousClock.now - start < .seconds(8))
    }

    @Test func aMalformedEventIsUnavailableWithoutRetry() throws {
        let server = FakeHTTPServer { _ in .eventStream([.init(LLMWire.openAIRoleChunk), .init("data: {\"choices\": [oops\n\n"), .init(LLMWire.openAIDone)]) }
        try server.start()
        defer { server.stop() }
        let reason = Self.unavailableReason { _ = try Self.generator(server).generate(F.input()) { _ in true } }
        #expect(reason?.hasPrefix("malformed message event: {\"choices\": [oops") == true, "\(reason ?? "")")
        #expect(server.requests.count == 1)
    }

    @Test func aClientThatLeavesCancelsTheTransfer() throws {
        let server = FakeHTTPServer { _ in .eventStream(LLMWire.openAIStream(["one", " two", " three", " four"], delay: 0.05)) }
        try server.start()
        defer { server.stop() }
        let deltas = F.Deltas(stopAfter: 2)
        let output = try Self.generator(server).generate(F.input(), onDelta: deltas.receive)
        #expect(output.finishReason == "cancelled")
        #expect(output.text == "one two")
        #expect(deltas.pieces == ["one", " two"])
    }

    @Test func azureUsesTheDeploymentURLAndApiKeyHeader() throws {
        let server = FakeHTTPServer { _ in .eventStream(LLMWire.openAIStream(["ok"])) }
        try server.start()
        defer { server.stop() }
        let generator = try Self.generator(server) {
            $0 = ProviderEndpoint(name: "azure-eu", kind: .azure, baseURL: server.baseURL, apiKey: F.key,
                                  apiVersion: "2024-10-21", deployment: "gpt4o mini")
        }
        _ = try generator.generate(F.input()) { _ in true }
        let request = try #require(server.requests.first)
        #expect(request.path == "/openai/deployments/gpt4o%20mini/chat/completions")
        #expect(request.query == ["api-version": "2024-10-21"])
        #expect(request.header("api-key") == F.key)
        #expect(request.header("authorization") == nil)
    }

    @Test func noKeyMeansNoAuthorizationHeader() throws {
        let server = FakeHTTPServer { _ in .eventStream(LLMWire.openAIStream(["ok"])) }
        try server.start()
        defer { server.stop() }
        _ = try Self.generator(server) { $0.apiKey = nil }.generate(F.input()) { _ in true }
        #expect(server.requests.first?.header("authorization") == nil)
    }

    @Test func theBreakerOpensAfterFailuresAndSkipsTheNetwork() throws {
        let server = FakeHTTPServer { _ in .text("upstream down", status: 503) }
        try server.start()
        defer { server.stop() }
        let breaker = F.breaker(threshold: 2)
        let generator = try Self.generator(server, breaker: breaker) { $0.maxRetries = 0 }
        for _ in 0..<2 { _ = Self.unavailableReason { _ = try generator.generate(F.input()) { _ in true } } }
        #expect(server.requests.count == 2)
        #expect(Self.unavailableReason { _ = try generator.generate(F.input()) { _ in true } } == "circuit open")
        #expect(server.requests.count == 2)
    }

    @Test func endpointsRejectBadConfigurationAndHideTheKey() {
        let endpoint = ProviderEndpoint(kind: .openai, baseURL: "https://api.openai.com/v1", apiKey: F.key)
        #expect(endpoint.url == "https://api.openai.com/v1/chat/completions")
        #expect(!"\(endpoint)".contains(F.key))
        var dumped = ""
        dump(endpoint, to: &dumped)
        #expect(!dumped.contains(F.key))
        #expect(throws: ProviderEndpoint.ConfigurationError.self) {
            try OpenAIGenerator(endpoint: ProviderEndpoint(kind: .azure, baseURL: "https://x.openai.azure.com"), model: "m")
        }
        #expect(throws: ProviderEndpoint.ConfigurationError.self) {
            try OpenAIGenerator(endpoint: ProviderEndpoint(kind: .openai, baseURL: "http://x/v1", apiKey: "k\r\nX: 1"), model: "m")
        }
        #expect(ProviderEndpoint(kind: .anthropic, baseURL: "https://api.anthropic.com/v1/").url == "https://api.anthropic.com/v1/messages")
    }
}
