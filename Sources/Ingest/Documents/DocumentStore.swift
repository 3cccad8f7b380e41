import FoundationEssentials
import HTTP
import Store
import Tenancy

/// One file of an upload, already sniffed and accepted.
public struct Upload: Sendable {
    public var filename: String
    public var format: DocumentFormat
    public var bytes: ArraySlice<UInt8>
    public var title: String?
    public var sourceURL: String?
    /// A JSON object, or nil to keep (PUT) / leave empty (POST).
    public var metadata: JSONValue?

    public init(filename: String, format: DocumentFormat, bytes: ArraySlice<UInt8>, title: String? = nil,
                sourceURL: String? = nil, metadata: JSONValue? = nil) {
        self.filename = filename
        self.format = format
        self.bytes = bytes
        self.title = title
        self.sourceURL = sourceURL
        self.metadata = metadata
    }
}

/// Who is asking, as far as documents care: keys without the `internal` scope see only public
/// collections, and everything else behaves as if internal documents did not exist.
public struct DocumentAudience: Sendable {
    public let tenantID: String
    public let includeInternal: Bool

    public init(tenantID: String, includeInternal: Bool) {
        self.tenantID = tenantID
        self.includeInternal = includeInternal
    }
}

/// A tenant's documents: storing uploads and new versions. Nothing slow happens here; the
/// ingest job does the parsing. Every statement names the tenant and runs inside `withTenant`.
public enum DocumentStore {
    /// Size of the stored parts of a document's bytes: big enough that a 50 MB upload is 50
    /// inserts, small enough that the job streams a large CSV a megabyte at a time.
    public static let partSize = 1 << 20

    /// Stores a new document, or returns the existing one when the same bytes are already in the
    /// collection (`created` is false then).
    public static func create(_ upload: Upload, collection: String?, audience: DocumentAudience, limits: PlanLimits,
                              on connection: Connection) throws -> (record: DocumentRecord, created: Bool) {
        let tenantID = audience.tenantID
        let hash = Crypto.sha256(upload.bytes)
        let metadata = try metadataText(upload.metadata)
        let documentID = try Identifier.make(.document)
        return try connection.withTenant(tenantID) { tx in
            let target = try CollectionStore.resolveForUpload(tenantID: tenantID, name: collection,
                                                             includeInternal: audience.includeInternal, in: tx)
            if let existing = try existingID(tenantID: tenantID, collectionID: target.id, hash: hash, in: tx) {
                return (try find(tenantID: tenantID, id: existing, in: tx), false)
            }
            try checkQuota(tenantID: tenantID, adding: upload.bytes.count, newDocument: true, limits: limits, in: tx)
            // ON CONFLICT: a concurrent upload of the same bytes won the race; answer with its document.
            let inserted = try tx.query("""
                INSERT INTO documents (id, tenant_id, collection_id, title, source_url, metadata, content_sha256)
                VALUES (\(documentID), \(tenantID), \(target.id), \(upload.title), \(upload.sourceURL), \(metadata)::jsonb, \(hash))
                ON CONFLICT (tenant_id, collection_id, content_sha256) DO NOTHING RETURNING id
                """)
            guard !inserted.rows.isEmpty else {
                guard let winner = try existingID(tenantID: tenantID, collectionID: target.id, hash: hash, in: tx) else {
                    throw TenancyError.conflict("The same file is being uploaded concurrently; retry.")
                }
                return (try find(tenantID: tenantID, id: winner, in: tx), false)
            }
            try insertVersion(1, of: documentID, tenantID: tenantID, upload: upload, hash: hash, in: tx)
            return (try find(tenantID: tenantID, id: documentID, in: tx), true)
        }
    }

    /// Stores new content for a document as its next version. The current version keeps answering
    /// until the new one is ready; the job then swaps them in one transaction. Identical bytes
    /// change nothing (`changed` is false).
    public static func replace(id: String, with upload: Upload, audience: DocumentAudience, limits: PlanLimits,
                               on connection: Connection) throws -> (record: DocumentRecord, changed: Bool) {
        let tenantID = audience.tenantID
        let hash = Crypto.sha256(upload.bytes)
        let metadata = try upload.metadata.map { try metadataText($0) }
        return try connection.withTenant(tenantID) { tx in
            let locked = try tx.query("""
                SELECT d.collection_id, d.latest_version, d.content_sha256 FROM documents d
                  JOIN collections c ON c.id = d.collection_id AND c.tenant_id = d.tenant_id
                 WHERE d.tenant_id = \(tenantID) AND d.id = \(id) AND (\(audience.includeInternal) OR c.visibility = 'public')
                   FOR UPDATE OF d
                """)
            guard let row = locked.rows.first else { throw TenancyError.notFound("No document \(id).") }
            if try row.bytes("content_sha256") == hash { return (try find(tenantID: tenantID, id: id, in: tx), false) }
            let collectionID = try row.string("collection_id")
            if let other = try existingID(tenantID: tenantID, collectionID: collectionID, hash: hash, in: tx) {
                throw TenancyError.conflict("Document \(other) in the same collection already has exactly these bytes.")
            }
            try checkQuota(tenantID: tenantID, adding: upload.bytes.count, newDocument: false, limits: limits, in: tx)
            let next = try row.int("latest_version") + 1
            _ = try tx.execute("""
                UPDATE documents SET latest_version = \(next), content_sha256 = \(hash), updated_at = now(),
                       title = coalesce(\(upload.title), title), source_url = coalesce(\(upload.sourceURL), source_url),
                       metadata = coalesce(\(metadata)::jsonb, metadata)
                 WHERE tenant_id = \(tenantID) AND id = \(id)
                """)
            // Older versions still waiting in the queue will never answer: drop them. One being
            // processed finishes (and answers until this one is ready) unless it loses its lease.
            _ = try tx.execute("""
                DELETE FROM document_versions v USING documents d
                 WHERE v.tenant_id = \(tenantID) AND v.document_id = \(id) AND d.id = v.document_id
                   AND v.status IN ('queued', 'failed') AND v.version IS DISTINCT FROM d.active_version
                """)
            try insertVersion(next, of: id, tenantID: tenantID, upload: upload, hash: hash, in: tx)
            return (try find(tenantID: tenantID, id: id, in: tx), true)
        }
    }

    private static func insertVersion(_ version: Int, of documentID: String, tenantID: String, upload: Upload,
                                      hash: [UInt8], in tx: Connection) throws {
        let filename = cleanFilename(upload.filename)
        _ = try tx.execute("""
            INSERT INTO document_versions (tenant_id, document_id, version, filename, format, media_type, byte_size, sha256)
            VALUES (\(tenantID), \(documentID), \(version), \(filename), \(upload.format.rawValue), \(upload.format.mediaType),
                    \(upload.bytes.count), \(hash))
            """)
        var part = 0
        var offset = upload.bytes.startIndex
        while offset < upload.bytes.endIndex {
            let end = min(offset + partSize, upload.bytes.endIndex)
            _ = try tx.queryPrepared("""
                INSERT INTO document_parts (tenant_id, document_id, version, part, bytes)
                VALUES (\(tenantID), \(documentID), \(version), \(part), \(Array(upload.bytes[offset..<end])))
                """)
            part += 1
            offset = end
        }
        // Wakes `parley ingest --loop` at commit, so uploads start processing at once.
        _ = try tx.execute("SELECT pg_notify('parley_ingest', \(tenantID))")
    }

    private static func existingID(tenantID: String, collectionID: String, hash: [UInt8], in tx: Connection) throws -> String? {
        try tx.query("""
            SELECT id FROM documents WHERE tenant_id = \(tenantID) AND collection_id = \(collectionID) AND content_sha256 = \(hash)
            """).rows.first?.string("id")
    }

    private static func checkQuota(tenantID: String, adding bytes: Int, newDocument: Bool, limits: PlanLimits, in tx: Connection) throws {
        let usage = try tx.query("""
            SELECT (SELECT count(*) FROM documents WHERE tenant_id = \(tenantID)) AS documents,
                   (SELECT coalesce(sum(byte_size), 0)::bigint FROM document_versions WHERE tenant_id = \(tenantID)) AS bytes
            """)
        guard let row = usage.rows.first else { return }
        if newDocument, try row.int("documents") >= limits.maxDocuments {
            throw TenancyError.limitReached("The plan allows \(limits.maxDocuments) documents; delete some first.")
        }
        if try row.int64("bytes") + Int64(bytes) > limits.maxStorageBytes {
            throw TenancyError.limitReached("The plan's storage (\(limits.maxStorageBytes / 1_048_576) MB) would be exceeded; delete some documents first.")
        }
    }

    static func metadataText(_ metadata: JSONValue?) throws -> String {
        guard let metadata else { return "{}" }
        guard case .object = metadata else { throw TenancyError.invalid("metadata must be a JSON object.") }
        let bytes = metadata.serialized()
        guard bytes.count <= 16 * 1024 else { throw TenancyError.invalid("metadata is limited to 16 KB of JSON.") }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The last path component, without control characters, at most 255 bytes; never empty.
    static func cleanFilename(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.map(Character.init))
        while cleaned.utf8.count > 255 { cleaned.removeLast() }
        return cleaned.isEmpty ? "upload" : cleaned
    }
}
