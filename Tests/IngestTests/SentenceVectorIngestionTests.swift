import Embed
import FoundationEssentials
@testable import Ingest
import Store
import Tenancy
import Testing
import TestSupport

private let ingestModel: String? = {
    let candidates = [ProcessInfo.processInfo.environment["PARLEY_TEST_EMBED_MODEL_DIR"], modelDirectory]
    return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0 + "/model.safetensors") }
}()

/// A provider without token states, as a remote embedding service is: same vectors, no spans.
private struct VectorsOnly: EmbeddingProvider {
    let inner: LocalEmbedder
    var dimensions: Int { inner.dimensions }
    func embed(texts: [String], kind: EmbeddingKind) throws -> [[Float]] { try inner.embed(texts: texts, kind: kind) }
}

/// The stored layout alone.
@Suite struct SentenceVectorCodingTests {
    @Test func theLayoutRoundTripsAndRejectsWhatItDoesNotKnow() {
        let a: [Float] = [0.6, -0.8, 0]
        let b: [Float] = [0, 0.28, -0.96]
        let bytes = SentenceVectorCoding.encode([.init(range: 0..<12, vector: a), .init(range: 13..<40, vector: b)])
        #expect(bytes.count == 8 + 2 * (12 + 3))
        let decoded = SentenceVectorCoding.decode(bytes)
        #expect(decoded?.map(\.range) == [0..<12, 13..<40])
        for (original, back) in zip([a, b], decoded?.map(\.vector) ?? []) {
            #expect(zip(original, back).allSatisfy { abs($0 - $1) < 0.01 })
        }
        var future = bytes
        future[0] = 2
        #expect(SentenceVectorCoding.decode(future) == nil, "another version")
        #expect(SentenceVectorCoding.decode(Array(bytes.dropLast())) == nil, "truncated")
        #expect(SentenceVectorCoding.decode(SentenceVectorCoding.encode([])) == [])
    }
}

/// `parley ingest` stores each chunk's sentence vectors in the same transaction as the chunk.
@Suite(.enabled(if: TestDatabase.isConfigured && ingestModel != nil, "needs the database and model scripts/test provides"))
struct SentenceVectorIngestionTests {
    private let limits = PlanLimits(requestsPerMinute: 60, queriesPerMonth: 1000, maxDocuments: 50, maxStorageBytes: 1 << 30,
                                    maxUploadBytes: 1 << 26, maxAPIKeys: 3)
    private let text = """
        # Returns

        You may return any item within 30 days of delivery. Refunds are paid within five business days.

        ## Damaged parcels

        Dr. Ames reviews every claim, e.g. broken glass. Photos help us decide 2.5 times faster!
        """

    /// Uploads `text` for a new tenant and runs the ingest job on it with `embedder`.
    private func ingest(with embedder: any EmbeddingProvider, tokenCount: @escaping @Sendable (String) -> Int) throws -> String {
        let owner = try TestDatabase.ownerConnection()
        let tenant = try TestDatabase.createTenant(on: owner)
        let app = try TestDatabase.appConnection()
        let upload = Upload(filename: "returns.md", format: .markdown, bytes: Array(text.utf8)[...])
        _ = try DocumentStore.create(upload, collection: nil, audience: DocumentAudience(tenantID: tenant, includeInternal: true),
                                     limits: limits, on: app)
        var options = IngestOptions(owner: "test-sentences")
        options.filter = IngestQueue.Filter(tenantID: tenant)
        let conninfo = try #require(TestDatabase.appConninfo)
        let runner = try IngestRunner(options: options, conninfo: conninfo, embedder: embedder, modelName: "all-MiniLM-L6-v2",
                                      tokenCount: tokenCount, shouldStop: { false }, observer: nil)
        #expect(try runner.run() == 1)
        return tenant
    }

    private func storedChunks(_ tenant: String) throws -> [(text: String, heading: [String], blob: [UInt8]?)] {
        try TestDatabase.appConnection().withTenant(tenant) { tx in
            try tx.query("SELECT text, heading_path, sentence_vectors FROM chunks WHERE tenant_id = \(tenant) ORDER BY ordinal").rows
                .map { (try $0.string("text"), try $0.strings("heading_path"), try $0.optionalBytes("sentence_vectors")) }
        }
    }

    @Test func theLocalModelStoresOneVectorPerSentenceThatRoundTrips() throws {
        let embedder = try LocalEmbedder(modelDirectory: try #require(ingestModel))
        let tenant = try ingest(with: embedder, tokenCount: { embedder.tokenCount($0) })
        defer { try? TestDatabase.deleteTenants([tenant], on: TestDatabase.ownerConnection()) }
        let chunks = try storedChunks(tenant)
        #expect(!chunks.isEmpty)
        for chunk in chunks {
            let blob = try #require(chunk.blob)
            let decoded = try #require(SentenceVectorCoding.decode(blob))
            let sentences = TextSegmenter.sentences(in: chunk.text)
            #expect(decoded.map(\.range) == sentences, "one vector per sentence, offsets in the chunk's text")
            // What ingestion computed, recomputed here: the model sees the headings before the text.
            let prefix = DocumentIngestion.embeddingText(Chunk(ordinal: 0, text: chunk.text, headingPath: chunk.heading,
                                                               charStart: 0, charEnd: 0, tokenCount: 0))
            let shift = prefix.utf8.count - chunk.text.utf8.count
            let fresh = try embedder.embed(texts: [prefix], spans: [sentences.map { ($0.lowerBound + shift)..<($0.upperBound + shift) }],
                                           kind: .passage)[0]
            for (stored, computed) in zip(decoded, fresh.spans) {
                let computed = try #require(computed)
                let cosine = zip(stored.vector, computed).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                #expect(cosine > 0.999, "int8 round trip")
            }
        }
        #expect(chunks.contains { $0.text.contains("Dr. Ames reviews every claim, e.g. broken glass.") })
    }

    @Test func aProviderWithoutTokenStatesStoresNoSentenceVectors() throws {
        let embedder = try LocalEmbedder(modelDirectory: try #require(ingestModel))
        let tenant = try ingest(with: VectorsOnly(inner: embedder), tokenCount: { embedder.tokenCount($0) })
        defer { try? TestDatabase.deleteTenants([tenant], on: TestDatabase.ownerConnection()) }
        let chunks = try storedChunks(tenant)
        #expect(!chunks.isEmpty && chunks.allSatisfy { $0.blob == nil })
    }
}
