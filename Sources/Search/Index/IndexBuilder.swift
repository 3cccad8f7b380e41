import FoundationEssentials
import Glibc
import Store

/// Rebuilds a tenant's index file from PostgreSQL alone, then records its generation.
///
/// The watermark must be exact: every chunk with an id at or below it has to be in the file, or
/// it would be invisible (searches read only ids above the watermark from SQL). Identity values are
/// handed out at insert but rows commit later, so "the highest id now" is not enough while an
/// ingestion transaction is open. Ingestion therefore holds a shared advisory lock on the tenant for
/// its whole work transaction, and the builder reads the watermark under the exclusive one: at that
/// instant nothing is being inserted for the tenant, so every id up to the watermark is committed.
/// If ingestion is busy the builder does not wait; it reports `busy` and a later run builds.
public enum IndexBuilder {
    public struct Outcome: Sendable, Equatable {
        public let generation: Int64
        public let chunkCount: Int
        public let watermark: Int64
    }

    public enum Result: Sendable, Equatable {
        case built(Outcome)
        /// Ingestion is writing this tenant's chunks right now.
        case busy
        /// The tenant has no chunks: its file and record were removed.
        case empty
    }

    static let batchSize = 2000

    public static func rebuild(tenantID: String, catalog: IndexCatalog, on connection: Connection) throws -> Result {
        let start = try connection.withTenant(tenantID) { tx -> (watermark: Int64, generation: Int64, language: String)? in
            guard try tx.query("SELECT pg_try_advisory_xact_lock(\(AdvisoryLocks.chunkWrites(tenantID: tenantID))) AS locked").rows.first?.bool("locked") == true else {
                return nil
            }
            let watermark = try tx.query("SELECT coalesce(max(id), 0) AS m FROM chunks WHERE tenant_id = \(tenantID)").rows.first?.int64("m") ?? 0
            let generation = try tx.query("""
                SELECT coalesce(max(generation), 0) AS g FROM search_indexes WHERE tenant_id = \(tenantID)
                """).rows.first?.int64("g") ?? 0
            return (Int64(watermark), Int64(generation) + 1, try SearchSettings.load(tenantID: tenantID, in: tx).settings.language)
        }
        guard let start else { return .busy }
        let path = catalog.path(for: tenantID)
        guard start.watermark > 0 else {
            try connection.withTenant(tenantID) { tx in _ = try tx.execute("DELETE FROM search_indexes WHERE tenant_id = \(tenantID)") }
            unlink(path)
            catalog.forget(tenantID: tenantID)
            return .empty
        }

        let analyzer = try Analyzer(language: start.language)
        let reader = ChunkReader(tenantID: tenantID, watermark: start.watermark, analyzer: analyzer, connection: connection)
        let dimensions = try reader.dimensions()
        try mkdirs(catalog.directory)
        try IndexFileWriter.write(reader, dimensions: dimensions, generation: start.generation, watermark: start.watermark, to: path)
        if let error = reader.failure {
            unlink(path)
            throw error
        }
        let outcome = Outcome(generation: start.generation, chunkCount: reader.count, watermark: start.watermark)
        try connection.withTenant(tenantID) { tx in
            // A concurrent builder that got further wins; generations only move forward.
            _ = try tx.execute("""
                INSERT INTO search_indexes (tenant_id, generation, watermark, chunk_count, language, built_at)
                VALUES (\(tenantID), \(outcome.generation), \(outcome.watermark), \(outcome.chunkCount), \(start.language), now())
                ON CONFLICT (tenant_id) DO UPDATE
                   SET generation = EXCLUDED.generation, watermark = EXCLUDED.watermark, chunk_count = EXCLUDED.chunk_count,
                       language = EXCLUDED.language, built_at = EXCLUDED.built_at
                 WHERE search_indexes.generation < EXCLUDED.generation
                """)
        }
        catalog.forget(tenantID: tenantID)
        return .built(outcome)
    }

    private static func mkdirs(_ path: String) throws {
        var built = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            built += "/" + component
            if mkdir(built, 0o750) != 0 && errno != EEXIST {
                throw SearchError.unavailable("cannot create the index directory \(built) (errno \(errno))")
            }
        }
    }
}

/// Streams a tenant's chunks (id order, up to the watermark) in batches of 2,000, each batch in its
/// own short transaction, analyzed into `IndexedChunk`s. A Sequence cannot throw, so a failure ends
/// the sequence early and is kept in `failure` for the builder to raise.
final class ChunkReader: Sequence {
    let tenantID: String
    let watermark: Int64
    let analyzer: Analyzer
    let connection: Connection
    private(set) var failure: (any Error)?
    private(set) var count = 0

    init(tenantID: String, watermark: Int64, analyzer: Analyzer, connection: Connection) {
        self.tenantID = tenantID
        self.watermark = watermark
        self.analyzer = analyzer
        self.connection = connection
    }

    func dimensions() throws -> Int {
        try connection.withTenant(tenantID) { tx in
            try tx.query("""
                SELECT coalesce(array_length(embedding, 1), 0) AS d FROM chunks WHERE tenant_id = \(tenantID) ORDER BY id LIMIT 1
                """).rows.first?.int("d") ?? 0
        }
    }

    struct Iterator: IteratorProtocol {
        let reader: ChunkReader
        var batch: [IndexedChunk] = []
        var position = 0
        var lastID: Int64 = 0
        var finished = false

        mutating func next() -> IndexedChunk? {
            if position == batch.count {
                guard !finished else { return nil }
                do {
                    batch = try reader.batch(after: lastID)
                } catch {
                    reader.failure = error
                    finished = true
                    return nil
                }
                position = 0
                if batch.count < IndexBuilder.batchSize { finished = true }
                guard let last = batch.last else { return nil }
                lastID = last.id
            }
            defer { position += 1 }
            reader.count += 1
            return batch[position]
        }
    }

    func makeIterator() -> Iterator { Iterator(reader: self) }

    fileprivate func batch(after lastID: Int64) throws -> [IndexedChunk] {
        try connection.withTenant(tenantID) { tx in
            try tx.query("""
                SELECT id, collection_id, document_id, text, heading_path, embedding FROM chunks
                 WHERE tenant_id = \(tenantID) AND id > \(lastID) AND id <= \(watermark)
                 ORDER BY id LIMIT \(IndexBuilder.batchSize)
                """).rows.map { row in
                let text = IndexedText.of(text: try row.string("text"), headingPath: try row.strings("heading_path"))
                let (counts, length) = analyzer.termCounts(text)
                return IndexedChunk(id: Int64(try row.int64("id")), collectionID: try row.string("collection_id"),
                                    documentID: try row.string("document_id"), termCounts: counts, length: length,
                                    embedding: try row.floats("embedding"))
            }
        }
    }
}
