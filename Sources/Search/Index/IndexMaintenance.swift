import Glibc
import Store

/// Which tenants' index files are worth rebuilding. Fresh chunks (committed after the file) are
/// always searchable, read from SQL per query; the file only makes that cheaper, so it is rebuilt
/// once enough fresh chunks have piled up.
public enum IndexMaintenance {
    public struct TenantChunks: Sendable, Equatable {
        public let tenantID: String
        public let chunkCount: Int
        public let freshCount: Int
    }

    /// Default: rebuild once 500 chunks are not in the file (at ~1 KB each, analyzing them per
    /// query costs a few milliseconds).
    public static let defaultThreshold = 500

    public static func tenants(on connection: Connection) throws -> [TenantChunks] {
        try connection.query("SELECT tenant_id, chunk_count, fresh_count FROM parley_tenants_with_chunks() ORDER BY tenant_id").rows.map {
            TenantChunks(tenantID: try $0.string("tenant_id"), chunkCount: try $0.int("chunk_count"), freshCount: try $0.int("fresh_count"))
        }
    }

    /// Fresh chunks of one tenant, counted on the (tenant_id, id) index: cheap enough to run after
    /// every drain of the ingest job, unlike a scan over every tenant's chunks.
    public static func freshCount(tenantID: String, on connection: Connection) throws -> Int {
        try connection.withTenant(tenantID) { tx in
            try tx.query("""
                SELECT count(*) AS n FROM chunks
                 WHERE tenant_id = \(tenantID)
                   AND id > coalesce((SELECT watermark FROM search_indexes WHERE tenant_id = \(tenantID)), 0)
                """).rows.first?.int("n") ?? 0
        }
    }

    /// Rebuilds the given tenants (nil: every tenant with chunks) whose fresh chunks reach
    /// `threshold` (0: all of them), or whose file is unusable (`fileNeedsRebuild`). Returns what
    /// happened per tenant.
    public static func refresh(tenants only: Set<String>?, threshold: Int, catalog: IndexCatalog,
                               on connection: Connection) throws -> [(tenantID: String, result: IndexBuilder.Result)] {
        var results: [(tenantID: String, result: IndexBuilder.Result)] = []
        let candidates = try only.map { ids in
            try ids.sorted().map { TenantChunks(tenantID: $0, chunkCount: 0, freshCount: try freshCount(tenantID: $0, on: connection)) }
        } ?? tenants(on: connection)
        for tenant in candidates {
            guard tenant.freshCount >= max(threshold, 1) || threshold == 0
                    || fileNeedsRebuild(path: catalog.path(for: tenant.tenantID)) else { continue }
            results.append((tenant.tenantID, try IndexBuilder.rebuild(tenantID: tenant.tenantID, catalog: catalog, on: connection)))
        }
        return results
    }

    /// True when a file exists at `path` but cannot serve searches whatever its freshness: of
    /// another format version (after an upgrade) or with a damaged header. Workers treat such a
    /// file as missing (searches read from SQL), so it must not wait for the fresh-chunk threshold.
    /// A missing file keeps the threshold rule (small tenants are served from SQL until then).
    /// Reads the header only; damage further in is caught when a worker opens the file.
    public static func fileNeedsRebuild(path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: IndexFileFormat.headerSize)
        let read = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard read == IndexFileFormat.headerSize else { return true }
        return header.withUnsafeBytes { (try? IndexFileHeader.decode($0)) == nil }
    }

    /// Removes index files of tenants that no longer have chunks (deleted tenants, emptied
    /// collections): derived data nobody will ask for. Returns the removed tenant ids.
    public static func pruneOrphans(keeping tenants: Set<String>, catalog: IndexCatalog) -> [String] {
        guard let directory = opendir(catalog.directory) else { return [] }
        defer { closedir(directory) }
        var removed: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasSuffix(".idx") else { continue }
            let tenantID = String(name.dropLast(4))
            guard !tenants.contains(tenantID) else { continue }
            if unlink(catalog.path(for: tenantID)) == 0 {
                catalog.forget(tenantID: tenantID)
                removed.append(tenantID)
            }
        }
        return removed.sorted()
    }
}
