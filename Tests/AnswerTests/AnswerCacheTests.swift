import Answer
import HTTP
import Ingest
import Store
import Tenancy
import Testing
import TestSupport

@Suite struct AnswerCacheKeyTests {
    @Test func questionsAreNormalizedBeforeKeying() {
        #expect(AnswerCache.normalize("  What are the\tOpening   HOURS?! ") == "what are the opening hours")
        #expect(AnswerCache.normalize("Où est la gare ?") == "où est la gare")
        #expect(AnswerCache.normalize("v2.0") == "v2.0", "only trailing punctuation goes")
        let key = AnswerCache.key(question: "Opening hours?", collections: ["faq", "manuals"], includeInternal: false)
        #expect(key.count == 32)
        #expect(key == AnswerCache.key(question: "opening  hours", collections: ["manuals", "faq", "faq"], includeInternal: false))
        #expect(key != AnswerCache.key(question: "opening hours", collections: ["faq"], includeInternal: false))
        #expect(key != AnswerCache.key(question: "opening hours", collections: ["faq", "manuals"], includeInternal: true))
        #expect(key != AnswerCache.key(question: "closing hours", collections: ["faq", "manuals"], includeInternal: false))
    }
}

/// The cache and the knowledge generation against real PostgreSQL, through the same Ingest code
/// the API and the job use, as the service role.
@Suite(.enabled(if: TestDatabase.isConfigured, "needs the PostgreSQL scripts/test starts"))
struct AnswerCacheTests {
    struct Cached: Codable, Equatable, Sendable { let text: String }

    private let limits = PlanLimits(requestsPerMinute: 60, queriesPerMonth: 1000, maxDocuments: 50, maxStorageBytes: 1 << 30,
                                    maxUploadBytes: 1 << 26, maxAPIKeys: 3)

    private func upload(_ text: String, _ fixture: StoreFixture) throws -> String {
        let audience = DocumentAudience(tenantID: fixture.tenantID, includeInternal: true)
        let upload = Upload(filename: "notes.txt", format: .text, bytes: Array(text.utf8)[...])
        return try DocumentStore.create(upload, collection: nil, audience: audience, limits: limits, on: fixture.app).record.id
    }

    /// What the ingest job's commit does (DocumentIngestion.finish): make the version the active one.
    private func activate(_ document: String, _ fixture: StoreFixture) throws {
        try fixture.app.withTenant(fixture.tenantID) { tx in
            _ = try tx.execute("""
                UPDATE documents SET active_version = 1, updated_at = now() WHERE tenant_id = \(fixture.tenantID) AND id = \(document)
                """)
        }
    }

    private func generation(_ fixture: StoreFixture) throws -> Int64 {
        try KnowledgeGeneration.current(tenantID: fixture.tenantID, on: fixture.app)
    }

    @Test func theGenerationBumpsOnUploadActivationDeleteAndSettings() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        #expect(try generation(fixture) == 0)
        let document = try upload("Opening hours are 9 to 5.", fixture)
        let uploaded = try generation(fixture)
        #expect(uploaded == 1)
        try activate(document, fixture)
        let activated = try generation(fixture)
        #expect(activated == uploaded + 1)
        // Touching a document without changing what answers (same active version) does not bump.
        try fixture.app.withTenant(fixture.tenantID) { tx in
            _ = try tx.execute("UPDATE documents SET updated_at = now() WHERE tenant_id = \(fixture.tenantID) AND id = \(document)")
        }
        #expect(try generation(fixture) == activated)
        var patch = AnswerSettingsPatch()
        patch.instructions = .set("Be brief.")
        _ = try AnswerSettingsStore.update(tenantID: fixture.tenantID, patch: patch, on: fixture.app)
        let configured = try generation(fixture)
        #expect(configured == activated + 1)
        try DocumentStore.delete(id: document, audience: DocumentAudience(tenantID: fixture.tenantID, includeInternal: true), on: fixture.app)
        #expect(try generation(fixture) == configured + 1)
    }

    @Test func aCachedAnswerHitsUntilTheKnowledgeChanges() throws {
        let fixture = try StoreFixture()
        let other = try StoreFixture()
        defer { fixture.remove(); other.remove() }
        let key = AnswerCache.key(question: "When are you open?", collections: [], includeInternal: false)
        guard case .miss(let generation) = try AnswerCache.lookup(Cached.self, tenantID: fixture.tenantID, key: key, on: fixture.app) else {
            Issue.record("an empty cache hit"); return
        }
        try AnswerCache.store(Cached(text: "9 to 5 [1]"), tenantID: fixture.tenantID, key: key, generation: generation, on: fixture.app)
        for _ in 0..<2 {
            guard case .hit(let answer) = try AnswerCache.lookup(Cached.self, tenantID: fixture.tenantID, key: key, on: fixture.app) else {
                Issue.record("a stored answer missed"); return
            }
            #expect(answer == Cached(text: "9 to 5 [1]"))
        }
        let hits = try fixture.owner.query("SELECT hits FROM answer_cache WHERE tenant_id = \(fixture.tenantID)").rows.first?.int("hits")
        #expect(hits == 2)
        // Another tenant asking the same question never sees it.
        guard case .miss = try AnswerCache.lookup(Cached.self, tenantID: other.tenantID, key: key, on: other.app) else {
            Issue.record("another tenant's answer hit"); return
        }

        _ = try upload("We now open at 8.", fixture)
        guard case .miss(let newer) = try AnswerCache.lookup(Cached.self, tenantID: fixture.tenantID, key: key, on: fixture.app) else {
            Issue.record("a stale answer hit after the knowledge changed"); return
        }
        #expect(newer > generation)
        // A slow request finishing late with the old generation does not replace a fresher answer.
        try AnswerCache.store(Cached(text: "8 to 5"), tenantID: fixture.tenantID, key: key, generation: newer, on: fixture.app)
        try AnswerCache.store(Cached(text: "9 to 5 [1]"), tenantID: fixture.tenantID, key: key, generation: generation, on: fixture.app)
        guard case .hit(let fresh) = try AnswerCache.lookup(Cached.self, tenantID: fixture.tenantID, key: key, on: fixture.app) else {
            Issue.record("the fresh answer missed"); return
        }
        #expect(fresh == Cached(text: "8 to 5"))
        #expect(try AnswerCache.prune(tenantID: fixture.tenantID, on: fixture.app) == 0, "the only entry is current")
    }
}
