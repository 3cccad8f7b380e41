import Store

/// Streams a stored document version part by part (1 MiB each) from `document_parts`, inside the
/// job's tenant-scoped transaction, so a 200 MB CSV is never in memory whole. It counts what it
/// handed out for the progress figure.
struct PartsSource: ByteSource {
    let claim: Claim
    let partCount: Int
    let connection: Connection
    /// Shared with the job, which reads it for progress while the parser holds the source inout.
    let counter: ReadCounter
    private var nextPart = 0

    init(claim: Claim, partCount: Int, connection: Connection, counter: ReadCounter) {
        self.claim = claim
        self.partCount = partCount
        self.connection = connection
        self.counter = counter
    }

    mutating func next() throws -> [UInt8]? {
        guard nextPart < partCount else { return nil }
        let rows = try connection.queryPrepared("""
            SELECT bytes FROM document_parts
             WHERE tenant_id = \(claim.tenantID) AND document_id = \(claim.documentID) AND version = \(claim.version)
               AND part = \(nextPart)
            """).rows
        guard let row = rows.first else {
            throw ParseFailure("part \(nextPart) of the stored file is missing; upload the document again")
        }
        nextPart += 1
        let bytes = try row.bytes("bytes")
        counter.bytes += bytes.count
        return bytes.isEmpty ? try next() : bytes
    }
}

/// Bytes a source has handed out so far.
final class ReadCounter {
    var bytes = 0
}
