import Embed
import FoundationEssentials
import HTTP
import Store

/// Why an attempt stopped without an outcome to record.
enum IngestInterruption: Error {
    /// The version is no longer leased to this run (deleted, replaced, or reclaimed after a stall).
    case leaseLost
    /// SIGTERM or SIGINT: hand the version back.
    case stopping
}

/// Ingests one claimed document version: streams its stored bytes through the parser, the chunker
/// and the embedder, and writes its chunks, all inside ONE tenant-scoped transaction on `work`
/// that also makes the version the one that answers. Either every chunk of the version commits
/// with the switch, or none does: a killed run leaves nothing behind, and a re-run cannot
/// duplicate chunks. Progress and the lease go through `control`, in their own short
/// transactions, so the tenant sees progress while the work transaction is still open.
final class DocumentIngestion {
    struct Result {
        let chunkCount: Int
        let pages: Int?
        let timings: StageTimings
    }

    private let claim: Claim
    private let work: Connection
    private let control: Connection
    private let embedder: any EmbeddingProvider
    private let modelName: String
    private let tokenCount: @Sendable (String) -> Int
    private let leaseSeconds: Int
    private let batchSize: Int
    private let shouldStop: () -> Bool
    private let onProgress: (Int) -> Void

    private var timings = StageTimings()
    private var pending: [Chunk] = []
    private var stored = 0
    private var lastHeartbeat = Clock.monotonicSeconds()
    private var progress = 0
    private var stage = "parsing"

    init(claim: Claim, work: Connection, control: Connection, embedder: any EmbeddingProvider, modelName: String,
         tokenCount: @escaping @Sendable (String) -> Int, leaseSeconds: Int, batchSize: Int,
         shouldStop: @escaping () -> Bool, onProgress: @escaping (Int) -> Void) {
        self.claim = claim
        self.work = work
        self.control = control
        self.embedder = embedder
        self.modelName = modelName
        self.tokenCount = tokenCount
        self.leaseSeconds = leaseSeconds
        self.batchSize = batchSize
        self.shouldStop = shouldStop
        self.onProgress = onProgress
    }

    /// What the attempt measured so far, for the failure record when `run` throws.
    var partialTimings: StageTimings { timings }

    func run() throws -> Result {
        let started = Clock.monotonicSeconds()
        return try work.withTenant(claim.tenantID) { tx in
            // Shared with other ingestions of this tenant; the search index builder takes it
            // exclusively to read a watermark below which every chunk is committed.
            _ = try tx.query("SELECT pg_advisory_xact_lock_shared(\(AdvisoryLocks.chunkWrites(tenantID: claim.tenantID)))")
            guard let version = try IngestQueue.load(claim, in: tx) else { throw IngestInterruption.leaseLost }
            let counter = ReadCounter()
            var source = PartsSource(claim: claim, partCount: version.partCount, connection: tx, counter: counter)
            let parser = ParserRegistry.parser(for: version.format)
            var chunker = Chunker(tokenCount: tokenCount)
            let streamStarted = Clock.monotonicSeconds()
            let summary = try parser.parse(&source) { block in
                let chunkStarted = Clock.monotonicSeconds()
                let chunks = chunker.add(block)
                timings.chunk += Clock.monotonicSeconds() - chunkStarted
                try accept(chunks, collectionID: version.collectionID, in: tx)
                // Streaming formats report how far they are; whole-file formats jump at the end.
                let fraction = version.byteSize > 0 ? Double(counter.bytes) / Double(version.byteSize) : 0
                try checkpoint(progress: 5 + Int(fraction * 85))
            }
            let chunkStarted = Clock.monotonicSeconds()
            let tail = chunker.finish()
            timings.chunk += Clock.monotonicSeconds() - chunkStarted
            try accept(tail, collectionID: version.collectionID, in: tx)
            try flush(collectionID: version.collectionID, in: tx)
            // Time in the parser is the stream's time minus what its callbacks spent downstream.
            timings.parse = Clock.monotonicSeconds() - streamStarted - timings.chunk - timings.embed - timings.store
            guard stored > 0 else {
                throw ParseFailure("no text could be extracted from the \(version.format.rawValue.uppercased()) file")
            }
            try checkpoint(progress: 97, stage: "finishing", force: true)
            let finishStarted = Clock.monotonicSeconds()
            timings.total = Clock.monotonicSeconds() - started
            try finish(pages: summary.pages, in: tx)
            timings.store += Clock.monotonicSeconds() - finishStarted
            return Result(chunkCount: stored, pages: summary.pages, timings: timings)
        }
    }

    private func accept(_ chunks: [Chunk], collectionID: String, in tx: Connection) throws {
        pending += chunks
        if pending.count >= batchSize { try flush(collectionID: collectionID, in: tx) }
    }

    /// Embeds and inserts the pending chunks.
    private func flush(collectionID: String, in tx: Connection) throws {
        guard !pending.isEmpty else { return }
        if shouldStop() { throw IngestInterruption.stopping }
        let embedStarted = Clock.monotonicSeconds()
        let embedded = try SentenceEmbedding.embed(pending, texts: pending.map(Self.embeddingText), with: embedder)
        timings.embed += Clock.monotonicSeconds() - embedStarted
        guard embedded.count == pending.count else { throw ParseFailure("the embedding model returned \(embedded.count) vectors for \(pending.count) chunks") }
        let storeStarted = Clock.monotonicSeconds()
        for (chunk, embedding) in zip(pending, embedded) {
            _ = try tx.queryPrepared("""
                INSERT INTO chunks (tenant_id, document_id, version, collection_id, ordinal, text, tsv, embedding, model,
                                    page_start, page_end, heading_path, char_start, char_end, token_count, sentence_vectors)
                VALUES (\(claim.tenantID), \(claim.documentID), \(claim.version), \(collectionID), \(chunk.ordinal), \(chunk.text),
                        setweight(to_tsvector('english', array_to_string(\(chunk.headingPath), ' ')), 'B')
                            || to_tsvector('english', \(chunk.text)),
                        \(embedding.vector), \(modelName), \(chunk.pageStart), \(chunk.pageEnd), \(chunk.headingPath),
                        \(chunk.charStart), \(chunk.charEnd), \(chunk.tokenCount), \(embedding.sentences))
                """)
        }
        timings.store += Clock.monotonicSeconds() - storeStarted
        stored += pending.count
        pending.removeAll(keepingCapacity: true)
        stage = "embedding"
    }

    /// The text the model sees: the chunk under its nearest headings, which often carry the words a
    /// question uses ("Refunds > Digital goods") while the passage itself does not repeat them.
    static func embeddingText(_ chunk: Chunk) -> String {
        let headings = chunk.headingPath.suffix(2)
        return headings.isEmpty ? chunk.text : headings.joined(separator: " > ") + "\n" + chunk.text
    }

    /// Reports progress and renews the lease at most every two seconds; stops the attempt when the
    /// lease is gone or the job was asked to stop.
    private func checkpoint(progress: Int, stage: String? = nil, force: Bool = false) throws {
        if shouldStop() { throw IngestInterruption.stopping }
        self.progress = max(self.progress, min(progress, 99))
        if let stage { self.stage = stage }
        onProgress(self.progress)
        let now = Clock.monotonicSeconds()
        guard force || now - lastHeartbeat >= 2 else { return }
        lastHeartbeat = now
        guard try IngestQueue.heartbeat(claim, progress: self.progress, stage: self.stage, leaseSeconds: leaseSeconds,
                                        on: control) else {
            throw IngestInterruption.leaseLost
        }
    }

    /// Makes this version the one that answers, under a row lock that proves the lease is still
    /// ours and the document still exists; then drops the versions it replaces.
    private func finish(pages: Int?, in tx: Connection) throws {
        let locked = try tx.query("""
            SELECT d.active_version FROM document_versions v
              JOIN documents d ON d.id = v.document_id AND d.tenant_id = v.tenant_id
             WHERE v.tenant_id = \(claim.tenantID) AND v.document_id = \(claim.documentID) AND v.version = \(claim.version)
               AND v.status = 'processing' AND v.lease_owner = \(claim.owner)
               FOR UPDATE OF v, d
            """).rows
        guard let row = locked.first else { throw IngestInterruption.leaseLost }
        let active = try row.optionalInt("active_version") ?? 0
        let timingsText = String(decoding: timings.json.serialized(), as: UTF8.self)
        _ = try tx.execute("""
            UPDATE document_versions
               SET status = 'ready', progress = 100, stage = NULL, error = NULL, chunk_count = \(stored), pages = \(pages),
                   timings = \(timingsText)::jsonb, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
             WHERE tenant_id = \(claim.tenantID) AND document_id = \(claim.documentID) AND version = \(claim.version)
            """)
        guard claim.version > active else {
            // A newer version became ready while this one ran: this one never answers.
            _ = try tx.execute("""
                DELETE FROM chunks WHERE tenant_id = \(claim.tenantID) AND document_id = \(claim.documentID) AND version = \(claim.version)
                """)
            return
        }
        _ = try tx.execute("""
            UPDATE documents SET active_version = \(claim.version), updated_at = now()
             WHERE tenant_id = \(claim.tenantID) AND id = \(claim.documentID)
            """)
        _ = try tx.execute("""
            DELETE FROM chunks WHERE tenant_id = \(claim.tenantID) AND document_id = \(claim.documentID) AND version < \(claim.version)
            """)
        _ = try tx.execute("""
            DELETE FROM document_versions
             WHERE tenant_id = \(claim.tenantID) AND document_id = \(claim.documentID) AND version < \(claim.version)
               AND status IN ('ready', 'failed')
            """)
    }
}

/// Seconds spent per stage of one attempt; stored in milliseconds on the version.
struct StageTimings {
    var parse = 0.0
    var chunk = 0.0
    var embed = 0.0
    var store = 0.0
    var total = 0.0

    var json: JSONValue {
        func ms(_ seconds: Double) -> JSONValue { .number((max(seconds, 0) * 1000).rounded()) }
        return ["parse_ms": ms(parse), "chunk_ms": ms(chunk), "embed_ms": ms(embed), "store_ms": ms(store), "total_ms": ms(total)]
    }
}
