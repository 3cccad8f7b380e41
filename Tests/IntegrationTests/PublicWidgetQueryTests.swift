import Foundation
import HTTP
import Store
import Testing
import TestSupport

/// The widget's question path through nginx on ingested documents: the same pipeline and SSE as
/// /v1/query, from an allowed Origin only, with the visitor token guarding the conversation; then
/// feedback, hand-off and the analytics that count them.
@Suite(.enabled(if: IngestJob.isAvailable, "needs the stack scripts/test starts and the embedding model"))
struct PublicWidgetQueryTests {
    static let returns = "How many days do customers have to return unused items?"
    static let unknown = "Which programming language is the mobile app written in?"

    @Test func aVisitorAsksContinuesAndReadsTheirConversationOnlyWithTheToken() throws {
        let loaded = try QueryAPITests.load()
        defer { loaded.fixture.remove() }
        let widget = try Widgets.create(loaded.fixture.adminKey)
        let visitor = Visitor(address: "127.0.0.31", origin: Visitor.shop)

        let first = try visitor.ask(widget, Self.returns)
        #expect(first.status == 200, "\(first.text)")
        #expect(first.header("access-control-allow-origin") == Visitor.shop && first.header("cache-control") == "no-store")
        #expect(Widgets.string(first.json?["answer"])?.contains("30 days") == true, "\(first.text)")
        #expect(QueryAPITests.citedDocuments(first).first == loaded.ids["returns.md"])
        let conversation = try #require(Widgets.string(first.json?["conversation_id"]))
        let token = try #require(Widgets.string(first.json?["visitor_token"]))
        #expect(token.hasPrefix("vt_") && token.count > 40)
        let stored = try TestDatabase.ownerConnection().query("""
            SELECT channel, visitor_token_hash FROM conversations WHERE tenant_id = \(loaded.fixture.tenantID) AND id = \(conversation)
            """).rows.first
        #expect(try stored?.string("channel") == "widget" && stored?.bytes("visitor_token_hash").count == 32)

        let followUp = try visitor.ask(widget, "and where does the money go?", conversation: conversation, token: token)
        #expect(followUp.status == 200 && followUp.json?["conversation_id"] == .string(conversation), "\(followUp.text)")
        #expect(followUp.json?["visitor_token"] == nil, "the token is shown once")
        let noToken = try visitor.ask(widget, "and then?", conversation: conversation)
        #expect(noToken.status == 403 && noToken.problemType == "visitor-token", "\(noToken.text)")
        #expect(noToken.header("access-control-allow-origin") == Visitor.shop, "problems carry CORS so the widget can read them")
        #expect(try visitor.ask(widget, "and then?", conversation: conversation, token: token + "x").status == 403)

        let path = "/v1/public/widgets/\(widget)/conversations/\(conversation)"
        let transcript = try visitor.send("GET", path, token: token)
        #expect(transcript.status == 200, "\(transcript.text)")
        guard case .array(let messages)? = transcript.json?["messages"] else { Issue.record("no messages: \(transcript.text)"); return }
        #expect(messages.count == 4 && messages.first?["role"] == "user" && messages.first?["text"] == .string(Self.returns))
        #expect(messages[1]["citations"] != nil && !transcript.text.contains("\"cost\"") && !transcript.text.contains("\"model\""))
        #expect(try visitor.send("GET", path).status == 403)
        #expect(try visitor.send("GET", path, token: "vt_" + String(repeating: "a", count: 52)).status == 403)
        #expect(try visitor.send("GET", "/v1/public/widgets/\(widget)/conversations/conv_aaaaaaaaaaaaaaaaaaaa", token: token).status == 404)

        // An API conversation has no visitor token: no token opens it through a widget.
        let api = try QueryAPITests.ask(loaded.fixture.queryKey, Self.returns)
        let apiConversation = try #require(Widgets.string(api.json?["conversation_id"]))
        #expect(try visitor.send("GET", "/v1/public/widgets/\(widget)/conversations/\(apiConversation)", token: token).status == 404)
        // Another tenant's widget cannot reach this conversation, token or not.
        let other = try TenantFixture.make()
        defer { other.remove() }
        let foreign = try Widgets.create(other.adminKey)
        #expect(try visitor.send("GET", "/v1/public/widgets/\(foreign)/conversations/\(conversation)", token: token).status == 404)
    }

    @Test func aStreamedWidgetAnswerEndsWithTheVisitorTokenAndCarriesCORS() throws {
        let loaded = try QueryAPITests.load()
        defer { loaded.fixture.remove() }
        let widget = try Widgets.create(loaded.fixture.adminKey)
        let reply = try Visitor(address: "127.0.0.32", origin: Visitor.shop).ask(widget, "Where do parcels leave from?", stream: true)
        #expect(reply.status == 200 && reply.header("content-type")?.hasPrefix("text/event-stream") == true, "\(reply.text)")
        #expect(reply.header("access-control-allow-origin") == Visitor.shop)
        let events = Widgets.events(reply.text)
        #expect(events.contains { $0.0 == "token" } && events.contains { $0.0 == "citations" }, "\(reply.text)")
        let done = try #require(events.last { $0.0 == "done" }?.1)
        let envelope = try JSONDecoder().decode(JSONValue.self, from: Data(done.utf8))
        #expect(Widgets.string(envelope["visitor_token"])?.hasPrefix("vt_") == true && envelope["conversation_id"] != nil, "\(done)")
        #expect(Widgets.string(envelope["answer"])?.contains("Lyon") == true, "\(done)")
    }

    @Test func widgetsAnswerFromPublicCollectionsOnlyAndRefuseOtherOrigins() throws {
        let loaded = try QueryAPITests.load()
        defer { loaded.fixture.remove() }
        let hr = try TestStack.send("POST", "/v1/collections", key: loaded.fixture.adminKey, json: #"{"name":"hr","visibility":"internal"}"#)
        #expect(hr.status == 201, "\(hr.text)")
        let secret = try Uploads.post(loaded.fixture.adminKey, name: "salaries.md",
                                      bytes: Array("# Salaries\n\nThe warehouse manager earns 4200 euros per month.".utf8),
                                      fields: [("collection", "hr")])
        #expect(secret.status == 202, "\(secret.text)")
        #expect(try IngestJob.run(["--tenant", loaded.fixture.tenantID]).status == 0)
        let widget = try Widgets.create(loaded.fixture.adminKey)
        let visitor = Visitor(address: "127.0.0.33", origin: Visitor.shop)
        let reply = try visitor.ask(widget, "How much does the warehouse manager earn?")
        #expect(reply.status == 200 && !reply.text.contains("4200"), "\(reply.text)")
        // The same question with an internal key does find it: the document is there.
        let insider = try QueryAPITests.ask(loaded.fixture.adminKey, "How much does the warehouse manager earn?")
        #expect(insider.text.contains("4200"), "\(insider.text)")
        let refused = try Visitor(address: "127.0.0.33", origin: "https://evil.example").ask(widget, Self.returns)
        #expect(refused.status == 403 && refused.problemType == "origin-not-allowed" && refused.header("access-control-allow-origin") == nil)
    }

    @Test func feedbackAndHandOffAreRecordedAndCountedInAnalytics() throws {
        let loaded = try QueryAPITests.load()
        let quiet = try TenantFixture.make()
        defer { loaded.fixture.remove(); quiet.remove() }
        let key = loaded.fixture.queryKey
        let widget = try Widgets.create(loaded.fixture.adminKey)
        let visitor = Visitor(address: "127.0.0.34", origin: Visitor.shop)

        // Two API answers (the second from the cache), two refused widget questions in one
        // conversation (a follow-up, so not cached), then a hand-off of that conversation.
        let answered = try QueryAPITests.ask(key, Self.returns)
        #expect(try QueryAPITests.ask(key, Self.returns).json?["cached"] == true)
        let refused = try visitor.ask(widget, Self.unknown)
        #expect(refused.json?["escalate"] == true, "\(refused.text)")
        let conversation = try #require(Widgets.string(refused.json?["conversation_id"]))
        let token = try #require(Widgets.string(refused.json?["visitor_token"]))
        let again = try visitor.ask(widget, "which programming language is the mobile app written in", conversation: conversation, token: token)
        #expect(again.json?["escalate"] == true, "\(again.text)")

        // Feedback: the visitor's, with their token; the latest rating wins.
        let refusedAnswer = try #require(Widgets.string(refused.json?["message_id"]))
        let feedbackPath = "/v1/public/widgets/\(widget)/messages/\(refusedAnswer)/feedback"
        #expect(try visitor.send("POST", feedbackPath, json: #"{"rating":"up"}"#, token: token).status == 200)
        let down = try visitor.send("POST", feedbackPath, json: #"{"rating":"down","comment":"Not helpful"}"#, token: token)
        #expect(down.status == 200 && down.json?["rating"] == "down" && down.json?["comment"] == "Not helpful", "\(down.text)")
        #expect(down.header("access-control-allow-origin") == Visitor.shop)
        #expect(try visitor.send("POST", feedbackPath, json: #"{"rating":"up"}"#).status == 403)
        let badRating = try visitor.send("POST", feedbackPath, json: #"{"rating":"meh"}"#, token: token)
        #expect(badRating.status == 422, "\(badRating.text)")
        let longComment = try visitor.send("POST", feedbackPath, json: "{\"rating\":\"down\",\"comment\":\"" + String(repeating: "x", count: 2001) + "\"}", token: token)
        #expect(longComment.status == 422, "\(longComment.text)")
        // The API twin, with a query key; a question cannot be rated; another tenant's key finds nothing.
        let answeredID = try #require(Widgets.string(answered.json?["message_id"]))
        let up = try TestStack.send("POST", "/v1/messages/\(answeredID)/feedback", key: key, json: #"{"rating":"up"}"#)
        #expect(up.status == 200, "\(up.text)")
        #expect(try TestStack.send("POST", "/v1/messages/\(answeredID)/feedback", key: quiet.queryKey, json: #"{"rating":"up"}"#).status == 404)
        let owner = try TestDatabase.ownerConnection()
        let question = try owner.query("""
            SELECT id FROM messages WHERE tenant_id = \(loaded.fixture.tenantID) AND role = 'user' LIMIT 1
            """).rows.first?.string("id")
        let rateQuestion = try TestStack.send("POST", "/v1/messages/\(question ?? "")/feedback", key: key, json: #"{"rating":"up"}"#)
        #expect(rateQuestion.status == 422, "\(rateQuestion.text)")
        let feedbackRows = try owner.query("SELECT rating FROM message_feedback WHERE tenant_id = \(loaded.fixture.tenantID) ORDER BY rating").rows
        #expect(try feedbackRows.map { try $0.string("rating") } == ["down", "up"])

        // Hand-off: the visitor's, with the token; the API twin is idempotent.
        let handoffPath = "/v1/public/widgets/\(widget)/conversations/\(conversation)/handoff"
        #expect(try visitor.send("POST", handoffPath).status == 403)
        let handoff = try visitor.send("POST", handoffPath, token: token)
        #expect(handoff.status == 200 && handoff.json?["escalated"] == true && handoff.json?["handoff_requested_at"] != .null, "\(handoff.text)")
        let twin = try TestStack.send("POST", "/v1/conversations/\(conversation)/handoff", key: key)
        #expect(twin.status == 200 && twin.json?["handoff_requested_at"] == handoff.json?["handoff_requested_at"], "\(twin.text)")
        #expect(try TestStack.send("POST", "/v1/conversations/\(conversation)/handoff", key: quiet.queryKey).status == 404)

        // Analytics: 4 questions, 1 from the cache, 2 low-confidence answers + 1 hand-off,
        // 2 answered without a person, feedback 1 up and 1 down, one knowledge gap asked twice.
        let report = try TestStack.send("GET", "/v1/analytics?days=7", key: loaded.fixture.adminKey)
        #expect(report.status == 200, "\(report.text)")
        guard case .array(let days)? = report.json?["days"] else { Issue.record("no days: \(report.text)"); return }
        #expect(days.count == 7)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        #expect(Widgets.string(days.last?["date"]) == formatter.string(from: Date()), "\(report.text)")
        let today = try #require(days.last)
        #expect(today["questions"] == 4 && today["cache_hits"] == 1 && today["escalations"] == 3, "\(report.text)")
        #expect(today["answered_without_person"] == 2 && today["feedback_up"] == 1 && today["feedback_down"] == 1, "\(report.text)")
        #expect(today["latency_p50_ms"] != .null && today["latency_p95_ms"] != .null && today["cost"] == 0)
        #expect(days.first?["questions"] == 0 && days.first?["latency_p50_ms"] == .null)
        let totals = try #require(report.json?["totals"])
        #expect(totals["questions"] == 4 && totals["escalation_rate"] == 0.75 && totals["self_service_rate"] == 0.5, "\(report.text)")
        #expect(totals["cache_hit_rate"] == 0.25 && totals["feedback_down"] == 1, "\(report.text)")
        guard case .array(let gaps)? = report.json?["knowledge_gaps"] else { Issue.record("no gaps: \(report.text)"); return }
        #expect(gaps.count == 1 && gaps.first?["count"] == 2 && gaps.first?["avg_confidence"] == 0, "\(report.text)")
        #expect(Widgets.string(gaps.first?["question"])?.lowercased().contains("programming language") == true)

        // Another tenant sees only its own (empty) figures; query keys may not read analytics.
        let empty = try TestStack.send("GET", "/v1/analytics", key: quiet.adminKey)
        #expect(empty.status == 200 && empty.json?["totals"]?["questions"] == 0 && empty.json?["knowledge_gaps"] == [], "\(empty.text)")
        guard case .array(let thirty)? = empty.json?["days"] else { Issue.record("no days"); return }
        #expect(thirty.count == 30)
        #expect(try TestStack.send("GET", "/v1/analytics", key: key).status == 403)
        #expect(try TestStack.send("GET", "/v1/analytics?days=0", key: loaded.fixture.adminKey).status == 400)
    }
}
