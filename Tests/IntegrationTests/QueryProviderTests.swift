import Answer
import Foundation
import HTTP
import Store
import Synchronization
import Testing
import TestSupport

/// `POST /v1/query` with an LLM generator: the providers are fakes on 127.0.0.1 speaking OpenAI's and
/// Anthropic's real streaming wire formats, configured like real ones (a `providers` row naming the
/// key's environment variable, the tenant's answer settings choosing it).
@Suite(.enabled(if: IngestJob.isAvailable, "needs the stack scripts/test starts and the embedding model"))
struct QueryProviderTests {
    static let key = ProcessInfo.processInfo.environment["PARLEY_TEST_LLM_API_KEY"] ?? "unset"

    /// A tenant with the usual documents whose questions go to `server` as provider `kind`.
    static func tenant(using server: FakeHTTPServer, kind: ProviderKind, model: String) throws -> QueryAPITests.Loaded {
        let loaded = try QueryAPITests.load()
        let name = TestDatabase.uniqueName("llm")
        _ = try ProviderStore.save(ProviderRecord(name: name, kind: kind, baseURL: server.baseURL + "/v1",
                                                  apiKeyEnv: "PARLEY_TEST_LLM_API_KEY", requestTimeoutMs: 20_000),
                                   on: try TestDatabase.ownerConnection())
        let generator = kind == .anthropic ? "anthropic" : "openai"
        let patch = try TestStack.send("PATCH", "/v1/settings/answers", key: loaded.fixture.adminKey,
                                       json: #"{"generator":"\#(generator)","provider":"\#(name)","model":"\#(model)"}"#)
        #expect(patch.status == 200, "\(patch.text)")
        return loaded
    }

    /// One streamed answer: each SSE event with the seconds since the request started.
    struct Event {
        let name: String
        let data: String
        let at: Double
        var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(data.utf8)) }
    }

    static func stream(_ key: String, _ question: String) throws -> [Event] {
        let base = try #require(TestStack.baseURL)
        let started = Clock.monotonicSeconds()
        let parser = Mutex(ServerSentEventParser())
        var events: [Event] = []
        _ = try HTTPClient.stream(
            url: base + "/v1/query",
            headers: [("Authorization", "Bearer \(key)"), ("Content-Type", "application/json"), ("Accept", "text/event-stream")],
            body: Array(#"{"question":"\#(question)"}"#.utf8),
            timeouts: .init(connectSeconds: 5, totalSeconds: 60, idleSeconds: 30)
        ) { _, bytes in
            let at = Clock.monotonicSeconds() - started
            for event in parser.withLock({ $0.feed(Array(bytes)) }) {
                events.append(Event(name: event.event, data: event.data, at: at))
            }
            return true
        }
        return events
    }

    static func usage(_ tenantID: String) throws -> (prompt: Int, completion: Int, questions: Int) {
        let row = try TestDatabase.ownerConnection().query("""
            SELECT prompt_tokens, completion_tokens, questions FROM usage_by_day WHERE tenant_id = \(tenantID)
            """).rows.first
        return (try row?.int("prompt_tokens") ?? 0, try row?.int("completion_tokens") ?? 0, try row?.int("questions") ?? 0)
    }

    @Test func openAITokensStreamThroughNginxAsTheyAreGenerated() throws {
        let server = FakeHTTPServer { request in
            guard request.header("authorization") == "Bearer \(Self.key)" else {
                return LLMWire.error("Incorrect API key provided", type: "invalid_request_error", status: 401)
            }
            return .eventStream(LLMWire.openAIStream(["Unused items ", "may be returned ", "within 30 days ", "[1]."], delay: 0.25))
        }
        _ = try server.start()
        defer { server.stop() }
        let loaded = try Self.tenant(using: server, kind: .openai, model: "gpt-4o-mini")
        defer { loaded.fixture.remove() }

        let events = try Self.stream(loaded.fixture.queryKey, "How long do customers have to return unused items?")
        let tokens = events.filter { $0.name == "token" }
        #expect(tokens.count == 4, "\(events.map(\.name))")
        // Sent 0.25 s apart: nginx and the pool pass each one on, nothing collects them.
        if let first = tokens.first, let last = tokens.last { #expect(last.at - first.at > 0.5, "\(tokens.map(\.at))") }
        #expect(events.map(\.name).suffix(2) == ["citations", "done"])
        let done = try #require(events.last?.json)
        #expect(done["answer"] == "Unused items may be returned within 30 days [1].")
        #expect(done["generator"] == "openai" && done["model"] == "gpt-4o-mini-2024-07-18" && done["fallback"] == false)
        #expect(done["usage"]?["prompt_tokens"] == 120 && done["usage"]?["completion_tokens"] == 9)
        guard case .number(let cost)? = done["usage"]?["cost"] else { Issue.record("no cost"); return }
        #expect(cost > 0, "gpt-4o-mini is priced")
        guard case .array(let citations)? = done["citations"] else { Issue.record("no citations"); return }
        #expect(citations.count == 1 && citations.first?["n"] == 1)

        // The prompt: rules, fenced numbered sources, the question; the key only in its header.
        let sent = try #require(server.requests.last)
        let prompt = String(decoding: sent.body, as: UTF8.self)
        #expect(prompt.contains("<source n=\\\"1\\\"") && prompt.contains("How long do customers have to return unused items?"))
        #expect(!prompt.contains(Self.key))
        #expect(try Self.usage(loaded.fixture.tenantID) == (120, 9, 1))
    }

    @Test func rateLimitsAreRetriedAndUsageIsRecordedOnce() throws {
        let calls = Mutex(0)
        let server = FakeHTTPServer { _ in
            let call = calls.withLock { $0 += 1; return $0 }
            if call == 1 {
                return LLMWire.error("Rate limit reached for gpt-4o-mini", type: "rate_limit_exceeded", status: 429,
                                     headers: [("Retry-After", "1")])
            }
            if call == 2 { return LLMWire.error("The server had an error", type: "server_error", status: 500) }
            return .eventStream(LLMWire.openAIStream(["Refunds go back to the original payment card [1]."]))
        }
        _ = try server.start()
        defer { server.stop() }
        let loaded = try Self.tenant(using: server, kind: .openai, model: "gpt-4o-mini")
        defer { loaded.fixture.remove() }
        let started = Clock.monotonicSeconds()
        let reply = try QueryAPITests.ask(loaded.fixture.queryKey, "Where do refunds go?")
        #expect(reply.status == 200 && reply.json?["generator"] == "openai" && reply.json?["fallback"] == false, "\(reply.text)")
        #expect(Clock.monotonicSeconds() - started >= 1, "Retry-After: 1 was honoured")
        #expect(calls.withLock { $0 } == 3)
        #expect(try Self.usage(loaded.fixture.tenantID) == (120, 9, 1))
    }

    @Test func aProviderThatIsDownIsAnsweredByTheExtractiveFallback() throws {
        let server = FakeHTTPServer { _ in LLMWire.error("The server is overloaded", type: "server_error", status: 503) }
        _ = try server.start()
        defer { server.stop() }
        let loaded = try Self.tenant(using: server, kind: .openai, model: "gpt-4o-mini")
        defer { loaded.fixture.remove() }
        let reply = try QueryAPITests.ask(loaded.fixture.queryKey, "How many days do customers have to return unused items?")
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.json?["generator"] == "extractive" && reply.json?["fallback"] == true, "\(reply.text)")
        #expect(QueryAPITests.string(reply.json?["fallback_reason"])?.contains("503") == true, "\(reply.text)")
        #expect(QueryAPITests.citedDocuments(reply).first == loaded.ids["returns.md"])
        #expect(try Self.usage(loaded.fixture.tenantID) == (0, 0, 1))
        // A fallback answer is not cached: the next question tries the provider again.
        let before = server.requests.count
        _ = try QueryAPITests.ask(loaded.fixture.queryKey, "How many days do customers have to return unused items?")
        #expect(server.requests.count > before)
    }

    @Test func aStreamCutMidAnswerIsResetAndReplacedByTheFallback() throws {
        let server = FakeHTTPServer { _ in
            .eventStream([.init(LLMWire.openAIRoleChunk), .init(LLMWire.openAIChunk("Unused items ")),
                          .init(after: 0.1, LLMWire.openAIChunk("may be"))], end: .reset)
        }
        _ = try server.start()
        defer { server.stop() }
        let loaded = try Self.tenant(using: server, kind: .openai, model: "gpt-4o-mini")
        defer { loaded.fixture.remove() }
        let events = try Self.stream(loaded.fixture.queryKey, "How many days do customers have to return unused items?")
        let names = events.map(\.name)
        let reset = try #require(names.firstIndex(of: "reset"), "\(names)")
        #expect(names[..<reset].filter { $0 == "token" }.count == 2, "\(names)")
        #expect(names[(reset + 1)...].contains("token") && names.last == "done", "\(names)")
        let done = try #require(events.last?.json)
        #expect(done["fallback"] == true && done["generator"] == "extractive", "\(done)")
        #expect(QueryAPITests.string(done["answer"])?.contains("30 days") == true)
        #expect(server.requests.count == 1, "no retry once tokens were sent")
    }

    @Test func anthropicAnswersWithCachedPromptUsage() throws {
        let server = FakeHTTPServer { request in
            guard request.header("x-api-key") == Self.key, request.header("anthropic-version") == "2023-06-01" else {
                return LLMWire.error("invalid x-api-key", type: "authentication_error", status: 401)
            }
            return .eventStream(LLMWire.anthropicStream(["Express delivery ", "arrives the next morning [1]."]))
        }
        _ = try server.start()
        defer { server.stop() }
        let loaded = try Self.tenant(using: server, kind: .anthropic, model: "claude-sonnet-4-5")
        defer { loaded.fixture.remove() }
        let reply = try QueryAPITests.ask(loaded.fixture.queryKey, "How fast is express delivery?")
        #expect(reply.status == 200 && reply.json?["generator"] == "anthropic", "\(reply.text)")
        #expect(reply.json?["answer"] == "Express delivery arrives the next morning [1].")
        // input 25 + cache writes 1200 + cache reads 300, as Anthropic reports them.
        #expect(reply.json?["usage"]?["prompt_tokens"] == 1525 && reply.json?["usage"]?["completion_tokens"] == 15)
        let body = String(decoding: try #require(server.requests.last).body, as: UTF8.self)
        #expect(body.contains(#""cache_control":{"type":"ephemeral"}"#), "\(body.prefix(400))")
        let stored = try TestDatabase.ownerConnection().query("""
            SELECT cached_tokens, cache_write_tokens, cost FROM messages
             WHERE tenant_id = \(loaded.fixture.tenantID) AND role = 'assistant'
            """).rows
        #expect(stored.count == 1)
        #expect(try stored.first?.int("cached_tokens") == 300 && stored.first?.int("cache_write_tokens") == 1200)
    }

    @Test func anLLMFollowUpIsRewrittenIntoAStandaloneQuestionBeforeTheSearch() throws {
        let rewrites = Mutex(0)
        let server = FakeHTTPServer { request in
            let body = String(decoding: request.body, as: UTF8.self)
            if body.contains("Rewrite the user") {
                rewrites.withLock { $0 += 1 }
                return .eventStream(LLMWire.openAIStream(["Where do refunds for returned items go?"]))
            }
            return .eventStream(LLMWire.openAIStream(["They go back to the original payment card [1]."]))
        }
        _ = try server.start()
        defer { server.stop() }
        let loaded = try Self.tenant(using: server, kind: .openai, model: "gpt-4o-mini")
        defer { loaded.fixture.remove() }
        let first = try QueryAPITests.ask(loaded.fixture.queryKey, "Can customers return unused items?")
        let conversation = try #require(QueryAPITests.string(first.json?["conversation_id"]), "\(first.text)")
        #expect(rewrites.withLock { $0 } == 0, "an opening question is searched as asked")

        let followUp = try QueryAPITests.ask(loaded.fixture.queryKey, "and the money?", conversation: conversation)
        #expect(followUp.status == 200 && followUp.json?["generator"] == "openai", "\(followUp.text)")
        #expect(rewrites.withLock { $0 } == 1)
        // The rewrite found the returns policy: the answer's [1] is that document.
        #expect(QueryAPITests.citedDocuments(followUp) == [loaded.ids["returns.md"]].compactMap { $0 }, "\(followUp.text)")
        // The answer request itself carried the conversation so far.
        let answerRequest = String(decoding: try #require(server.requests.last).body, as: UTF8.self)
        #expect(answerRequest.contains("Can customers return unused items?") && answerRequest.contains("and the money?"))
    }
}
