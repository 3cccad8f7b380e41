import Answer
import Foundation
import HTTP
import Store
import Testing
import TestSupport

/// `POST /v1/query` through nginx on documents ingested by `parley ingest`: extractive answers with
/// citations, follow-ups, the answer cache, isolation, and LLM providers faked on 127.0.0.1 in
/// their real wire formats (streaming, retries, fallback, usage recorded once).
@Suite(.enabled(if: IngestJob.isAvailable, "needs the stack scripts/test starts and the embedding model"))
struct QueryAPITests {
    static let documents: [(String, String)] = [
        ("returns.md", "# Returns\n\nCustomers may return unused items within 30 days of delivery for a full refund. Refunds go back to the original payment card within five business days."),
        ("shipping.md", "# Shipping\n\nParcels leave our warehouse in Lyon every weekday. Express delivery arrives the next morning across France."),
        ("battery.md", "# Battery care\n\nCharge the scooter battery to 80 percent for storage. Never leave the battery below freezing temperatures."),
        ("security.md", "# Account security\n\nUse a long passphrase and turn on two-factor authentication to protect your account from intruders."),
    ]

    struct Loaded {
        let fixture: TenantFixture
        let ids: [String: String]
    }

    static func load(plan: String = "pro") throws -> Loaded {
        let fixture = try TenantFixture.make(plan: plan)
        var ids: [String: String] = [:]
        for (name, text) in documents {
            let reply = try Uploads.post(fixture.adminKey, name: name, bytes: Array(text.utf8))
            ids[name] = try #require(reply.documentID, "\(reply.text)")
        }
        let run = try IngestJob.run(["--tenant", fixture.tenantID])
        #expect(run.status == 0, "\(run.output)")
        return Loaded(fixture: fixture, ids: ids)
    }

    static func ask(_ key: String, _ question: String, conversation: String? = nil) throws -> HTTPClient.Reply {
        var body: [(String, JSONValue)] = [("question", .string(question))]
        if let conversation { body.append(("conversation_id", .string(conversation))) }
        return try TestStack.send("POST", "/v1/query", key: key, json: String(decoding: JSONValue.object(body).serialized(), as: UTF8.self))
    }

    static func citedDocuments(_ reply: HTTPClient.Reply) -> [String] {
        guard case .array(let citations)? = reply.json?["citations"] else { return [] }
        return citations.compactMap { if case .string(let id)? = $0["document_id"] { id } else { nil } }
    }

    static func string(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { text } else { nil }
    }

    @Test func extractiveAnswerCitesTheChunkWithTheFactAndIsStored() throws {
        let loaded = try Self.load()
        defer { loaded.fixture.remove() }
        let reply = try Self.ask(loaded.fixture.queryKey, "How many days do customers have to return unused items?")
        #expect(reply.status == 200, "\(reply.text)")
        let answer = try #require(Self.string(reply.json?["answer"]))
        #expect(answer.contains("30 days"), "\(answer)")
        #expect(answer.contains("[1]"), "\(answer)")
        #expect(Self.citedDocuments(reply).first == loaded.ids["returns.md"], "\(reply.text)")
        #expect(reply.json?["generator"] == "extractive" && reply.json?["fallback"] == false && reply.json?["cached"] == false)
        guard case .number(let confidence)? = reply.json?["confidence"] else { Issue.record("no confidence"); return }
        #expect(confidence > 0.5 && confidence <= 1)
        #expect(reply.json?["usage"]?["prompt_tokens"] == 0 && reply.json?["usage"]?["cost"] == 0)
        guard case .number(let total)? = reply.json?["timings"]?["total_ms"] else { Issue.record("no timings"); return }
        #expect(total > 0)

        let conversation = try #require(Self.string(reply.json?["conversation_id"]))
        #expect(conversation.hasPrefix("conv_"))
        let transcript = try TestStack.send("GET", "/v1/conversations/\(conversation)", key: loaded.fixture.queryKey)
        #expect(transcript.status == 200, "\(transcript.text)")
        guard case .array(let messages)? = transcript.json?["messages"] else { Issue.record("no messages: \(transcript.text)"); return }
        #expect(messages.count == 2)
        #expect(Self.string(messages.last?["id"]) == Self.string(reply.json?["message_id"]))
        #expect(transcript.text.contains(loaded.ids["returns.md"] ?? "?"))
    }

    @Test func aQuestionTheDocumentsDoNotAnswerIsRefusedAndEscalated() throws {
        let loaded = try Self.load()
        defer { loaded.fixture.remove() }
        let reply = try Self.ask(loaded.fixture.queryKey, "Which programming language is the mobile app written in?")
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.json?["answer"] == .string(AnswerSettings.defaultRefusal), "\(reply.text)")
        #expect(reply.json?["citations"] == [])
        #expect(reply.json?["escalate"] == true && reply.json?["confidence"] == 0)
    }

    @Test func aFollowUpIsAnsweredWithTheConversationsContext() throws {
        let loaded = try Self.load()
        defer { loaded.fixture.remove() }
        let key = loaded.fixture.queryKey
        let first = try Self.ask(key, "Can customers return unused items for a refund?")
        #expect(Self.citedDocuments(first).first == loaded.ids["returns.md"], "\(first.text)")
        let conversation = try #require(Self.string(first.json?["conversation_id"]))

        let followUp = try Self.ask(key, "and where does the money go?", conversation: conversation)
        #expect(followUp.status == 200, "\(followUp.text)")
        #expect(Self.citedDocuments(followUp).first == loaded.ids["returns.md"], "\(followUp.text)")
        #expect(Self.string(followUp.json?["answer"])?.contains("payment card") == true, "\(followUp.text)")
        #expect(followUp.json?["conversation_id"] == .string(conversation))
        // The same words alone are not enough to find it: the history did the work.
        let alone = try Self.ask(key, "and where does the money go?")
        #expect(Self.citedDocuments(alone).first != loaded.ids["returns.md"], "\(alone.text)")
    }

    @Test func repeatedQuestionsHitTheCacheUntilTheKnowledgeChanges() throws {
        let loaded = try Self.load()
        defer { loaded.fixture.remove() }
        let key = loaded.fixture.queryKey
        let first = try Self.ask(key, "Where do parcels leave from?")
        #expect(first.json?["cached"] == false && Self.citedDocuments(first).first == loaded.ids["shipping.md"], "\(first.text)")
        let second = try Self.ask(key, "  where do PARCELS leave from ")
        #expect(second.json?["cached"] == true, "\(second.text)")
        #expect(second.json?["answer"] == first.json?["answer"] && second.json?["citations"] == first.json?["citations"])
        #expect(second.json?["conversation_id"] != first.json?["conversation_id"])

        let upload = try Uploads.post(loaded.fixture.adminKey, name: "depot.md",
                                      bytes: Array("# Depot\n\nSince May, parcels leave our new depot in Grenoble instead.".utf8))
        #expect(upload.status == 202, "\(upload.text)")
        #expect(try IngestJob.run(["--tenant", loaded.fixture.tenantID]).status == 0)
        let third = try Self.ask(key, "Where do parcels leave from?")
        #expect(third.json?["cached"] == false, "\(third.text)")

        let owner = try TestDatabase.ownerConnection()
        let hits = try owner.query("SELECT answered_by_cache FROM usage_by_day WHERE tenant_id = \(loaded.fixture.tenantID)").rows
        #expect(try hits.first?.int("answered_by_cache") == 1)
    }

    @Test func conversationsAndQuestionsStayWithinTheirTenant() throws {
        let a = try Self.load()
        let b = try TenantFixture.make()
        defer { a.fixture.remove(); b.remove() }
        let reply = try Self.ask(a.fixture.queryKey, "How should the scooter battery be stored?")
        let conversation = try #require(Self.string(reply.json?["conversation_id"]))
        let intruder = try Self.ask(b.queryKey, "and what else?", conversation: conversation)
        #expect(intruder.status == 404 && intruder.problemType == "not-found", "\(intruder.text)")
        // Tenant B has no documents: A's knowledge never answers B.
        let empty = try Self.ask(b.queryKey, "How should the scooter battery be stored?")
        #expect(empty.status == 200 && empty.json?["citations"] == [], "\(empty.text)")
        #expect(try TestStack.send("GET", "/v1/conversations/\(conversation)", key: b.queryKey).status == 404)
    }

    @Test func invalidQuestionsAreProblems() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let empty = try TestStack.send("POST", "/v1/query", key: fixture.queryKey, json: #"{"question":"   "}"#)
        #expect(empty.status == 422 && empty.problemType == "validation-failed", "\(empty.text)")
        let long = try Self.ask(fixture.queryKey, String(repeating: "why ", count: 300))
        #expect(long.status == 422, "\(long.text)")
        let missing = try TestStack.send("POST", "/v1/query", key: fixture.queryKey, json: #"{"stream":true}"#)
        #expect(missing.status == 400 || missing.status == 422, "\(missing.text)")
        let unknown = try Self.ask(fixture.queryKey, "hello?", conversation: "conv_doesnotexist000000000")
        #expect(unknown.status == 404, "\(unknown.text)")
    }
}

/// `parley maintain` on the test stack: retention and cache pruning, as the timer runs it.
@Suite(.enabled(if: IngestJob.isAvailable, "needs the stack scripts/test starts and the embedding model"))
struct MaintainCommandTests {
    @Test func expiredConversationsAndStaleCacheEntriesAreRemoved() throws {
        let loaded = try QueryAPITests.load()
        defer { loaded.fixture.remove() }
        let tenant = loaded.fixture.tenantID
        let old = try QueryAPITests.ask(loaded.fixture.queryKey, "Where do parcels leave from?")
        let recent = try QueryAPITests.ask(loaded.fixture.queryKey, "How should the scooter battery be stored?")
        let oldID = try #require(QueryAPITests.string(old.json?["conversation_id"]))
        let recentID = try #require(QueryAPITests.string(recent.json?["conversation_id"]))
        let patch = try TestStack.send("PATCH", "/v1/settings/answers", key: loaded.fixture.adminKey, json: #"{"retention_days":30}"#)
        #expect(patch.status == 200, "\(patch.text)")
        let owner = try TestDatabase.ownerConnection()
        _ = try owner.execute("""
            UPDATE conversations SET last_message_at = now() - interval '31 days', updated_at = now() - interval '31 days'
             WHERE tenant_id = \(tenant) AND id = \(oldID)
            """)
        // New knowledge: both cached answers belong to a past generation now.
        _ = try Uploads.post(loaded.fixture.adminKey, name: "depot.md", bytes: Array("# Depot\n\nA new depot opened in Grenoble.".utf8))

        let run = try IngestJob.runParley(["maintain"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains(#""tenant_id":"\#(tenant)","conversations_expired":1"#), "\(run.output)")
        #expect(run.output.contains(#""tenant_id":"\#(tenant)","cache_entries_pruned":2"#), "\(run.output)")
        #expect(try TestStack.send("GET", "/v1/conversations/\(oldID)", key: loaded.fixture.queryKey).status == 404)
        #expect(try TestStack.send("GET", "/v1/conversations/\(recentID)", key: loaded.fixture.queryKey).status == 200)
        let messages = try owner.query("SELECT count(*) AS n FROM messages WHERE tenant_id = \(tenant) AND conversation_id = \(oldID)").rows
        #expect(try messages.first?.int("n") == 0)
    }
}
