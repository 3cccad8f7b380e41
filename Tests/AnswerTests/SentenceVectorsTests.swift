import Answer
import Embed
import Store
import Testing
import TestSupport

/// Loading stored sentence vectors for a request, against real PostgreSQL as the service role.
@Suite(.enabled(if: TestDatabase.isConfigured, "needs the database scripts/test starts"))
struct SentenceVectorsTests {
    /// Inserts a chunk as the owner and returns its id.
    private func insertChunk(tenant: String, ordinal: Int, text: String, sentences: [UInt8]?, on owner: Connection) throws -> Int64 {
        let row = try #require(try owner.query("""
            INSERT INTO chunks (tenant_id, document_id, version, collection_id, ordinal, text, tsv, embedding, model,
                                char_start, char_end, token_count, sentence_vectors)
            VALUES (\(tenant), \("doc_" + tenant), 1, 'col_sv', \(ordinal), \(text), to_tsvector('english', \(text)), \([Float](repeating: 0, count: 3)),
                    'test', 0, 0, 0, \(sentences))
            RETURNING id
            """).rows.first)
        return try row.int64("id")
    }

    @Test func vectorsLoadForTheTenantsOwnChunksOnly() throws {
        let owner = try TestDatabase.ownerConnection()
        let tenant = try TestDatabase.createTenant(on: owner)
        let other = try TestDatabase.createTenant(on: owner)
        defer { try? TestDatabase.deleteTenants([tenant, other], on: owner) }
        let text = "First sentence here. Second one follows."
        let blob = SentenceVectorCoding.encode([.init(range: 0..<20, vector: [0.6, 0.8, 0]), .init(range: 21..<40, vector: [0, 0, 1])])
        let withVectors = try insertChunk(tenant: tenant, ordinal: 0, text: text, sentences: blob, on: owner)
        let without = try insertChunk(tenant: tenant, ordinal: 1, text: text, sentences: nil, on: owner)
        let foreign = try insertChunk(tenant: other, ordinal: 0, text: text, sentences: blob, on: owner)

        let app = try TestDatabase.appConnection()
        let loaded = try app.withTenant(tenant) { tx in
            try SentenceVectors.load(chunkIDs: [withVectors, without, foreign], tenantID: tenant, on: tx)
        }
        #expect(Set(loaded.keys) == [withVectors], "NULL and other tenants' chunks are absent")
        let sentences = try #require(loaded[withVectors])
        #expect(sentences.map { $0.start..<$0.end } == [0..<20, 21..<40])
        #expect(abs(sentences[0].vector[0] - 0.6) < 0.01 && abs(sentences[1].vector[2] - 1) < 0.01)

        // Even outside RLS (the owner bypasses it) the WHERE clause keeps the other tenant out.
        #expect(try SentenceVectors.load(chunkIDs: [foreign], tenantID: tenant, on: owner).isEmpty)

        let source = Source(n: 1, chunkID: withVectors, documentID: "doc_sv", title: "t", page: nil, url: nil, headingPath: [],
                            text: text, fusedScore: 1, denseScore: nil, bm25Score: nil)
        let attached = try app.withTenant(tenant) { try SentenceVectors.attach(to: [source], tenantID: tenant, on: $0) }
        #expect(attached.first?.sentences?.count == 2)
    }
}
