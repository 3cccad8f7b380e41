import FoundationEssentials
import Glibc
import Synchronization

/// The open index files of one process, by tenant. Workers look up the tenant's current generation
/// in PostgreSQL on every search (one indexed row) and ask the catalog for that generation; a new
/// generation replaces the mapping, so a rebuild is picked up by the next request of every worker.
/// A file that is missing, corrupt or of another generation is remembered as unusable for a while,
/// and the search reads every chunk from SQL instead: slower, never wrong.
///
/// Shared by all threads of a worker; the lock only guards the dictionary, and files are opened
/// outside it.
public final class IndexCatalog: Sendable {
    public let directory: String
    private let entries = Mutex<[String: Entry]>([:])
    /// How long an unusable file is not retried (a rebuild bumps the generation, which retries at once).
    private let retrySeconds = 30.0

    private struct Entry: @unchecked Sendable {
        // IndexFile is immutable after open (see its comment), so sharing it is safe.
        let generation: Int64
        let file: IndexFile?
        let failedAt: Double?
    }

    public init(directory: String) {
        self.directory = directory
    }

    public func path(for tenantID: String) -> String {
        directory + "/" + tenantID + ".idx"
    }

    /// The tenant's mapped file if it is usable and of `generation`; nil otherwise.
    public func file(tenantID: String, generation: Int64) -> IndexFile? {
        let now = Self.monotonicSeconds()
        if let entry = entries.withLock({ $0[tenantID] }), entry.generation == generation {
            if let file = entry.file { return file }
            if let failedAt = entry.failedAt, now - failedAt < retrySeconds { return nil }
        }
        let opened = try? IndexFile.open(path: path(for: tenantID))
        let usable = opened.flatMap { $0.generation == generation ? $0 : nil }
        entries.withLock { $0[tenantID] = Entry(generation: generation, file: usable, failedAt: usable == nil ? now : nil) }
        return usable
    }

    /// Forgets a tenant's mapping (after a rebuild in this process, or when the tenant is gone).
    public func forget(tenantID: String) {
        _ = entries.withLock { $0.removeValue(forKey: tenantID) }
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
