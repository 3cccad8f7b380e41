/// Advisory lock keys more than one module takes, defined once so they always agree.
public enum AdvisoryLocks {
    /// Held shared by every ingestion transaction that inserts a tenant's chunks, and taken
    /// exclusively (try-lock) by the search index builder to read a watermark no uncommitted chunk
    /// lies below. See `IndexBuilder`.
    public static func chunkWrites(tenantID: String) -> SQL {
        "hashtext('parley_chunks:' || \(tenantID))"
    }
}
