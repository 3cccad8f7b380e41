import FoundationEssentials
import HTTP
import Store

/// A document version this job holds the lease on.
public struct Claim: Sendable, Equatable {
    public let tenantID: String
    public let documentID: String
    public let version: Int
    /// 1 on the first try; the queue fails a version for good after `IngestQueue.maxAttempts`.
    public let attempts: Int
    public let owner: String
}

/// What the job needs to know about the version it claimed.
struct ClaimedVersion {
    let collectionID: String
    let filename: String
    let format: DocumentFormat
    let byteSize: Int
    let title: String?
    let partCount: Int
}

/// The ingestion queue: document versions with status and lease in `document_versions`. Claiming
/// goes through `parley_claim_document` (the one cross-tenant door); everything after runs
/// tenant-scoped and checks `lease_owner`, so a run that lost its lease cannot touch the version.
public enum IngestQueue {
    public static let maxAttempts = 3

    public struct Filter: Sendable {
        public var tenantID: String?
        public var documentID: String?
        public init(tenantID: String? = nil, documentID: String? = nil) {
            self.tenantID = tenantID
            self.documentID = documentID
        }
    }

    public static func claim(owner: String, leaseSeconds: Int, filter: Filter, on connection: Connection) throws -> Claim? {
        let rows = try connection.query("""
            SELECT tenant_id, document_id, version, attempts
              FROM parley_claim_document(\(owner), \(leaseSeconds), \(filter.tenantID), \(filter.documentID))
            """).rows
        guard let row = rows.first else { return nil }
        return Claim(tenantID: try row.string("tenant_id"), documentID: try row.string("document_id"),
                     version: try row.int("version"), attempts: try row.int("attempts"), owner: owner)
    }

    static func load(_ claim: Claim, in tx: Connection) throws -> ClaimedVersion? {
        let rows = try tx.query("""
            SELECT d.collection_id, d.title, v.filename, v.format, v.byte_size,
                   (SELECT count(*) FROM document_parts p
                     WHERE p.tenant_id = v.tenant_id AND p.document_id = v.document_id AND p.version = v.version) AS parts
              FROM document_versions v JOIN documents d ON d.id = v.document_id AND d.tenant_id = v.tenant_id
             WHERE v.tenant_id = \(claim.tenantID) AND v.document_id = \(claim.documentID) AND v.version = \(claim.version)
               AND v.lease_owner = \(claim.owner)
            """).rows
        guard let row = rows.first else { return nil }
        guard let format = DocumentFormat(rawValue: try row.string("format")) else {
            throw ParseFailure("unknown stored format '\(try row.string("format"))'")
        }
        return ClaimedVersion(collectionID: try row.string("collection_id"), filename: try row.string("filename"), format: format,
                              byteSize: try row.int("byte_size"), title: try row.optionalString("title"), partCount: try row.int("parts"))
    }

    /// Records progress and extends the lease. False when the lease is gone (the document was
    /// deleted or replaced, or another run reclaimed it after this one stalled): stop working on it.
    static func heartbeat(_ claim: Claim, progress: Int, stage: String, leaseSeconds: Int, on connection: Connection) throws -> Bool {
        try connection.withTenant(claim.tenantID) { tx in
            try tx.execute("""
                UPDATE document_versions
                   SET progress = \(min(max(progress, 0), 100)), stage = \(stage),
                       lease_expires_at = now() + make_interval(secs => \(leaseSeconds))
                 WHERE tenant_id = \(claim.tenantID) AND document_id = \(claim.documentID) AND version = \(claim.version)
                   AND status = 'processing' AND lease_owner = \(claim.owner)
                """) == 1
        }
    }

    /// Ends an attempt that failed. `permanent` failures (the document itself is bad) fail at
    /// once; others (database, embedding provider) go back to the queue until the third attempt.
    static func fail(_ claim: Claim, reason: String, permanent: Bool, timings: JSONValue, on connection: Connection) throws {
        let retry = !permanent && claim.attempts < maxAttempts
        let timingsText = String(decoding: timings.serialized(), as: UTF8.self)
        try connection.withTenant(claim.tenantID) { tx in
            _ = try tx.execute("""
                UPDATE document_versions
                   SET status = \(retry ? "queued" : "failed"), error = \(reason), stage = NULL,
                       progress = \(retry ? 0 : 100), lease_owner = NULL, lease_expires_at = NULL,
                       finished_at = \(retry ? nil : Date()), timings = \(timingsText)::jsonb,
                       queued_at = CASE WHEN \(retry) THEN now() ELSE queued_at END
                 WHERE tenant_id = \(claim.tenantID) AND document_id = \(claim.documentID) AND version = \(claim.version)
                   AND lease_owner = \(claim.owner)
                """)
        }
    }

    /// Gives the version back untouched (the job is stopping): the attempt does not count.
    static func release(_ claim: Claim, on connection: Connection) throws {
        try connection.withTenant(claim.tenantID) { tx in
            _ = try tx.execute("""
                UPDATE document_versions
                   SET status = 'queued', stage = NULL, progress = 0, lease_owner = NULL, lease_expires_at = NULL,
                       attempts = greatest(attempts - 1, 0)
                 WHERE tenant_id = \(claim.tenantID) AND document_id = \(claim.documentID) AND version = \(claim.version)
                   AND lease_owner = \(claim.owner)
                """)
        }
    }
}
