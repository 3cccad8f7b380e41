import Answer
import FoundationEssentials
import Store
import Tenancy
import Testing
import TestSupport

@Suite(.enabled(if: TestDatabase.isConfigured, "needs the PostgreSQL scripts/test starts"))
struct ConversationStoreTests {
    private func reply(_ text: String, cacheHit: Bool = false, escalate: Bool = false, fallback: Bool = false,
                       prompt: Int = 0, completion: Int = 0, cost: Decimal = 0) -> AssistantReply {
        AssistantReply(text: text, citations: [Citation(n: 1, documentID: "doc_abcdefghij2345abcdef", chunkID: 42, title: "Guide",
                                                        page: 3, snippet: "Open 9 to 5", url: nil)],
                       confidence: 0.82, escalate: escalate, generator: .openai, model: "gpt-4o-mini", fallback: fallback,
                       cacheHit: cacheHit, usage: TokenUsage(promptTokens: prompt, completionTokens: completion), cost: cost,
                       timings: AnswerTimings(retrieveMs: 12, generateMs: 340, totalMs: 360))
    }

    @Test func exchangesAreStoredInOrderWithCitationsAndHistoryIsOldestFirst() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let conversation = try ConversationStore.create(tenantID: fixture.tenantID, channel: "widget", on: fixture.app)
        #expect(conversation.id.hasPrefix("conv_") && Identifier.isValid(conversation.id, kind: .conversation))
        #expect(conversation.channel == "widget" && !conversation.escalated && conversation.lastMessageAt == nil)

        for index in 1...3 {
            try ConversationStore.append(tenantID: fixture.tenantID, conversationID: conversation.id, question: "q\(index)",
                                         reply: reply("a\(index)"), on: fixture.app)
        }
        let turns = try ConversationStore.recentTurns(tenantID: fixture.tenantID, conversationID: conversation.id, limit: 4, on: fixture.app)
        #expect(turns == [Turn(role: .user, text: "q2"), Turn(role: .assistant, text: "a2"),
                          Turn(role: .user, text: "q3"), Turn(role: .assistant, text: "a3")])

        let transcript = try ConversationStore.transcript(tenantID: fixture.tenantID, id: conversation.id, on: fixture.app)
        #expect(transcript.messages.map(\.text) == ["q1", "a1", "q2", "a2", "q3", "a3"])
        let answer = try #require(transcript.messages.last)
        #expect(answer.role == .assistant && answer.citations.first?.chunkID == 42 && answer.citations.first?.page == 3)
        #expect(answer.confidence == 0.82 && answer.generator == .openai && answer.model == "gpt-4o-mini")
        #expect(answer.timings == AnswerTimings(retrieveMs: 12, generateMs: 340, totalMs: 360))
        #expect(transcript.conversation.lastMessageAt != nil)
    }

    @Test func anotherTenantsConversationIsNotFound() throws {
        let a = try StoreFixture()
        let b = try StoreFixture()
        defer { a.remove(); b.remove() }
        let conversation = try ConversationStore.create(tenantID: a.tenantID, on: a.app)
        try ConversationStore.append(tenantID: a.tenantID, conversationID: conversation.id, question: "secret?", reply: reply("yes"), on: a.app)

        #expect(throws: TenancyError.notFound("No conversation \(conversation.id).")) {
            try ConversationStore.transcript(tenantID: b.tenantID, id: conversation.id, on: b.app)
        }
        #expect(throws: TenancyError.notFound("No conversation \(conversation.id).")) {
            try ConversationStore.append(tenantID: b.tenantID, conversationID: conversation.id, question: "x", reply: reply("y"), on: b.app)
        }
        #expect(try ConversationStore.recentTurns(tenantID: b.tenantID, conversationID: conversation.id, on: b.app).isEmpty)
        #expect(try ConversationStore.list(tenantID: b.tenantID, filter: .init(), on: b.app).data.isEmpty)
        // RLS is the second wall: even a query naming a's tenant sees nothing inside b's scope.
        let leaked = try b.app.withTenant(b.tenantID) { tx in
            try tx.query("SELECT count(*) AS n FROM messages WHERE tenant_id = \(a.tenantID)").rows.first?.int("n")
        }
        #expect(leaked == 0)
    }

    @Test func usageIsSummedPerDayInTheAnswersTransaction() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let conversation = try ConversationStore.create(tenantID: fixture.tenantID, on: fixture.app)
        let id = conversation.id
        try ConversationStore.append(tenantID: fixture.tenantID, conversationID: id, question: "1",
                                     reply: reply("a", prompt: 1000, completion: 200, cost: Decimal(string: "0.00027")!), on: fixture.app)
        try ConversationStore.append(tenantID: fixture.tenantID, conversationID: id, question: "2",
                                     reply: reply("b", cacheHit: true), on: fixture.app)
        try ConversationStore.append(tenantID: fixture.tenantID, conversationID: id, question: "3",
                                     reply: reply("c", escalate: true, fallback: true, prompt: 500, completion: 50,
                                                  cost: Decimal(string: "0.000105")!), on: fixture.app)
        // A failing exchange (its answer is too long for the column's check) stores nothing and counts nothing.
        #expect(throws: StoreError.self) {
            try ConversationStore.append(tenantID: fixture.tenantID, conversationID: id, question: "4",
                                         reply: reply(String(repeating: "x", count: 100_001), prompt: 9999), on: fixture.app)
        }

        let days = try UsageStore.daily(tenantID: fixture.tenantID, since: "2000-01-01", on: fixture.app)
        #expect(days.count == 1)
        let day = try #require(days.first)
        #expect(day.questions == 3 && day.answeredByCache == 1 && day.escalations == 1 && day.fallbacks == 1)
        #expect(day.promptTokens == 1500 && day.completionTokens == 250)
        #expect(day.cost == Decimal(string: "0.000375")!)
        #expect(try ConversationStore.transcript(tenantID: fixture.tenantID, id: id, on: fixture.app).messages.count == 6)
        #expect(try ConversationStore.find(tenantID: fixture.tenantID, id: id, on: fixture.app).escalated, "escalation sticks")
    }

    /// A first question opens its conversation in the same transaction, escalation included.
    @Test func startOpensAConversationWithItsFirstExchange() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let started = try fixture.app.withTenant(fixture.tenantID) { tx in
            try ConversationStore.start(tenantID: fixture.tenantID, channel: "widget", visitorTokenHash: nil, question: "q1",
                                        reply: reply("a1", escalate: true), in: tx)
        }
        let transcript = try ConversationStore.transcript(tenantID: fixture.tenantID, id: started.conversationID, on: fixture.app)
        #expect(transcript.messages.map(\.text) == ["q1", "a1"])
        #expect(transcript.messages.map(\.id) == [started.questionID, started.answerID])
        #expect(transcript.conversation.channel == "widget" && transcript.conversation.escalated)
        #expect(transcript.conversation.lastMessageAt != nil)
        #expect(try UsageStore.daily(tenantID: fixture.tenantID, since: "2000-01-01", on: fixture.app).first?.questions == 1)
        #expect(throws: TenancyError.self) {
            try fixture.app.withTenant(fixture.tenantID) { tx in
                try ConversationStore.start(tenantID: fixture.tenantID, channel: "Bad Channel", visitorTokenHash: nil, question: "q",
                                            reply: reply("a"), in: tx)
            }
        }
    }

    /// Usage has a row per connection slot, so one tenant's answers on two connections do not
    /// wait for each other's COMMIT (with one row per tenant and day the second would block until
    /// the first transaction ended; lock_timeout turns that into a failure instead of a hang).
    @Test func concurrentAnswersOfOneTenantDoNotQueueOnItsUsageRow() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        func slot(_ connection: Connection) throws -> Int {
            try connection.query("SELECT pg_backend_pid() % 16 AS slot").rows[0].int("slot")
        }
        var other = try TestDatabase.appConnection()
        while try slot(other) == slot(fixture.app) { other = try TestDatabase.appConnection() }
        try other.execute("SET lock_timeout = '3s'")
        let first = try ConversationStore.create(tenantID: fixture.tenantID, on: fixture.app)
        let second = try ConversationStore.create(tenantID: fixture.tenantID, on: other)
        try fixture.app.withTenant(fixture.tenantID) { tx in
            try ConversationStore.append(tenantID: fixture.tenantID, conversationID: first.id, question: "1",
                                         reply: reply("a", prompt: 10), in: tx)
            try ConversationStore.append(tenantID: fixture.tenantID, conversationID: second.id, question: "2",
                                         reply: reply("b", prompt: 5), on: other)
        }
        let day = try #require(try UsageStore.daily(tenantID: fixture.tenantID, since: "2000-01-01", on: fixture.app).first)
        #expect(day.questions == 2 && day.promptTokens == 15, "the day's slots are summed")
    }

    @Test func listingIsKeysetPaginatedAndFiltered() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        var created: [String] = []
        for index in 0..<5 {
            let conversation = try ConversationStore.create(tenantID: fixture.tenantID, channel: index % 2 == 0 ? "api" : "widget", on: fixture.app)
            created.append(conversation.id)
        }
        try ConversationStore.append(tenantID: fixture.tenantID, conversationID: created[1], question: "help", reply: reply("a person will call", escalate: true),
                                     on: fixture.app)
        let first = try ConversationStore.list(tenantID: fixture.tenantID, filter: .init(limit: 2), on: fixture.app)
        let second = try ConversationStore.list(tenantID: fixture.tenantID, filter: .init(limit: 2, after: first.nextCursor), on: fixture.app)
        let third = try ConversationStore.list(tenantID: fixture.tenantID, filter: .init(limit: 2, after: second.nextCursor), on: fixture.app)
        let all = (first.data + second.data + third.data).map(\.id)
        #expect(Set(all) == Set(created) && all.count == 5)
        #expect(third.nextCursor == nil)
        #expect(try ConversationStore.list(tenantID: fixture.tenantID, filter: .init(channel: "widget"), on: fixture.app).data.count == 2)
        #expect(try ConversationStore.list(tenantID: fixture.tenantID, filter: .init(escalated: true), on: fixture.app).data.map(\.id) == [created[1]])
        #expect(throws: TenancyError.self) { try ConversationStore.create(tenantID: fixture.tenantID, channel: "Bad Channel", on: fixture.app) }
    }
}

@Suite(.enabled(if: TestDatabase.isConfigured, "needs the PostgreSQL scripts/test starts"))
struct ConversationRetentionTests {
    @Test func onlyConversationsIdleLongerThanTheirTenantsRetentionAreDeleted() throws {
        let keeping = try StoreFixture()
        let expiring = try StoreFixture()
        defer { keeping.remove(); expiring.remove() }
        var patch = AnswerSettingsPatch()
        patch.retentionDays = .set(30)
        _ = try AnswerSettingsStore.update(tenantID: expiring.tenantID, patch: patch, on: expiring.app)
        let old = try ConversationStore.create(tenantID: expiring.tenantID, on: expiring.app)
        let recent = try ConversationStore.create(tenantID: expiring.tenantID, on: expiring.app)
        let untouched = try ConversationStore.create(tenantID: keeping.tenantID, on: keeping.app)
        try expiring.owner.execute("""
            UPDATE conversations SET last_message_at = now() - interval '31 days' WHERE id = ANY(\([old.id, untouched.id]))
            """)

        let expired = try ConversationRetention.expire(on: expiring.app)
        #expect(expired.first { $0.tenantID == expiring.tenantID }?.deleted == 1)
        #expect(!expired.contains { $0.tenantID == keeping.tenantID }, "no retention set: kept forever")
        #expect(throws: TenancyError.self) { try ConversationStore.find(tenantID: expiring.tenantID, id: old.id, on: expiring.app) }
        #expect(try ConversationStore.find(tenantID: expiring.tenantID, id: recent.id, on: expiring.app).id == recent.id)
        #expect(try ConversationStore.find(tenantID: keeping.tenantID, id: untouched.id, on: keeping.app).id == untouched.id)
    }
}
