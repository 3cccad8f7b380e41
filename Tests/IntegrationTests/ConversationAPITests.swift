import Answer
import HTTP
import Store
import Testing
import TestSupport

/// Conversations and answer settings through nginx. Exchanges are stored with the same
/// `ConversationStore` the answer pipeline uses, as the service role.
@Suite(.enabled(if: TestStack.isRunning, "needs the stack scripts/test starts"))
struct ConversationAPITests {
    private func conversation(for fixture: TenantFixture, escalate: Bool = false) throws -> String {
        let app = try TestDatabase.appConnection()
        let conversation = try ConversationStore.create(tenantID: fixture.tenantID, channel: "api", on: app)
        let reply = AssistantReply(
            text: "We open at 9 [1].",
            citations: [Citation(n: 1, documentID: "doc_abcdefghij2345abcdef", chunkID: 7, title: "Hours", page: nil,
                                 snippet: "Open 9 to 5", url: "https://example.com/hours")],
            confidence: 0.9, escalate: escalate, generator: .extractive,
            timings: AnswerTimings(retrieveMs: 5, generateMs: 1, totalMs: 8))
        try ConversationStore.append(tenantID: fixture.tenantID, conversationID: conversation.id, question: "When do you open?",
                                     reply: reply, on: app)
        return conversation.id
    }

    @Test func aTranscriptIsVisibleToItsTenantAndNotFoundForAnother() throws {
        let a = try TenantFixture.make()
        let b = try TenantFixture.make()
        defer { a.remove(); b.remove() }
        let id = try conversation(for: a)

        let mine = try TestStack.send("GET", "/v1/conversations/\(id)", key: a.queryKey)
        #expect(mine.status == 200, "\(mine.text)")
        #expect(mine.json?["id"] == .string(id))
        guard case .array(let messages)? = mine.json?["messages"] else { Issue.record("no messages: \(mine.text)"); return }
        #expect(messages.count == 2)
        #expect(messages.first?["role"] == "user" && messages.first?["citations"] == nil)
        #expect(messages.last?["confidence"] == 0.9 && messages.last?["generator"] == "extractive")
        #expect(mine.text.contains("\"document_id\":\"doc_abcdefghij2345abcdef\""))
        #expect(mine.json?["usage"]?["cost"] == 0)

        let theirs = try TestStack.send("GET", "/v1/conversations/\(id)", key: b.adminKey)
        #expect(theirs.status == 404)
        #expect(theirs.problemType == "not-found")
        #expect(!theirs.text.contains("When do you open"))
        #expect(try TestStack.send("GET", "/v1/conversations/conv_nope", key: a.queryKey).status == 404)

        let listed = try TestStack.send("GET", "/v1/conversations?escalated=false&channel=api", key: a.adminKey)
        #expect(listed.status == 200)
        guard case .array(let aList)? = listed.json?["data"] else { Issue.record("no list: \(listed.text)"); return }
        #expect(aList.map { $0["id"] } == [.string(id)])
        guard case .array(let bList)? = try TestStack.send("GET", "/v1/conversations", key: b.adminKey).json?["data"] else {
            Issue.record("no list for b"); return
        }
        #expect(bList.isEmpty)
        #expect(try TestStack.send("GET", "/v1/conversations", key: a.queryKey).status == 403, "listing needs admin")
        #expect(try TestStack.send("GET", "/v1/conversations?limit=0", key: a.adminKey).status == 400)
    }

    @Test func answerSettingsAreValidatedAndPatched() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let initial = try TestStack.send("GET", "/v1/settings/answers", key: fixture.adminKey)
        #expect(initial.status == 200, "\(initial.text)")
        #expect(initial.json?["confidence_threshold"] == 0.7 && initial.json?["generator"] == .null)
        #expect(initial.json?["effective"]?["generator"] == "extractive" && initial.json?["effective"]?["origin"] == "plan")

        for body in [#"{"confidence_threshold": 1.5}"#, #"{"generator": "gpt"}"#,
                     #"{"generator": "openai", "provider": "no-such-provider", "model": "gpt-4o-mini"}"#,
                     #"{"history_token_budget": -5}"#] {
            let reply = try TestStack.send("PATCH", "/v1/settings/answers", key: fixture.adminKey, json: body)
            #expect(reply.status == 422, "\(body): \(reply.text)")
            #expect(reply.problemType == "validation-failed")
        }
        #expect(try TestStack.send("PATCH", "/v1/settings/answers", key: fixture.adminKey, json: #"{"confidence_threshold": "high"}"#).status == 400)
        #expect(try TestStack.send("PATCH", "/v1/settings/answers", key: fixture.queryKey, json: #"{"instructions": "x"}"#).status == 403)

        let patched = try TestStack.send("PATCH", "/v1/settings/answers", key: fixture.adminKey,
                                         json: #"{"confidence_threshold": 0.4, "instructions": "Réponds en français.", "retention_days": 90}"#)
        #expect(patched.status == 200, "\(patched.text)")
        #expect(patched.json?["confidence_threshold"] == 0.4 && patched.json?["retention_days"] == 90)
        #expect(patched.json?["instructions"] == "Réponds en français.")
        // null resets a field to its default; absent fields stay.
        let reset = try TestStack.send("PATCH", "/v1/settings/answers", key: fixture.adminKey, json: #"{"retention_days": null}"#)
        #expect(reset.json?["retention_days"] == .null && reset.json?["confidence_threshold"] == 0.4)
    }

    @Test func theKnowledgeGenerationFollowsUploadIngestAndDelete() throws {
        guard IngestJob.isAvailable else { return }
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        func generation() throws -> Int64 {
            try TestDatabase.ownerConnection().query("""
                SELECT coalesce((SELECT generation FROM knowledge_generation WHERE tenant_id = \(fixture.tenantID)), 0) AS g
                """).rows.first?.int64("g") ?? -1
        }
        let before = try generation()
        let id = try #require(try Uploads.post(fixture.adminKey, name: "hours.txt", bytes: Array("We open at nine.".utf8)).documentID)
        let uploaded = try generation()
        #expect(uploaded > before)
        #expect(try IngestJob.run(["--tenant", fixture.tenantID]).status == 0)
        let ingested = try generation()
        #expect(ingested > uploaded, "the job's switch to the new version bumps it")
        #expect(try TestStack.send("DELETE", "/v1/documents/\(id)", key: fixture.adminKey).status == 204)
        #expect(try generation() > ingested)
    }
}
