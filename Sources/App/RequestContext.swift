import Answer
import Embed
import HTTP
import Ingest
import Search
import Store
import Tenancy

/// What a handler may use besides the request: the worker thread's database connection and the
/// configuration. One per request, on the thread that serves it; deliberately not Sendable.
public final class RequestContext {
    public let database: ConnectionSlot
    public let configuration: Configuration
    /// This thread's cached key authentication.
    public let authenticator: CachedAuthenticator
    /// This thread's libmagic handle (one per thread: a magic_t must not be shared).
    public let sniffer: Sniffer
    /// This thread's searcher (its analyzers are per thread; the engine is per process).
    public let searcher: Searcher
    /// Builds each request's answer generator (stateless; circuit breakers are per process).
    public let generators = GeneratorFactory.shared
    /// Set once the request is authenticated, so the request log names the tenant.
    public internal(set) var tenantID: String?
    /// Set by the dispatcher for routes that read their own body (`readsOwnBody`), only while
    /// their handler runs: reads the body once with the given limit (413 beyond it).
    var bodyReader: ((Int) throws -> [UInt8])?

    /// Reads the request body with `limit`, for handlers whose limit depends on the tenant.
    public func readBody(limit: Int) throws -> [UInt8] {
        guard let bodyReader else { throw Problem.internalError() }
        self.bodyReader = nil
        return try bodyReader(limit)
    }

    public init(database: ConnectionSlot, configuration: Configuration, authenticator: CachedAuthenticator,
                sniffer: Sniffer = Sniffer(), searcher: Searcher? = nil) {
        self.database = database
        self.configuration = configuration
        self.authenticator = authenticator
        self.sniffer = sniffer
        self.searcher = searcher ?? Searcher(engine: SearchEngines.make(configuration))
    }
}

/// A request context that has passed authentication. Its principal is not optional: a `/v1`
/// handler that takes a `TenantContext` cannot run unauthenticated.
public struct TenantContext {
    public let principal: Principal
    public let base: RequestContext

    public var tenantID: String { principal.tenant.id }

    /// Runs `body` on this thread's connection.
    public func withConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        try base.database.with(body)
    }
}

/// Builds the per-process search engine from the configuration: index files under
/// `PARLEY_INDEX_DIR`, questions embedded by the local model (in `PARLEY_QUERY_PRECISION`): one BLAS thread (the pool's threads
/// already use the cores), up to 8 concurrent questions per forward pass (see `QueryBatcher`).
public enum SearchEngines {
    public static func make(_ configuration: Configuration) -> SearchEngine {
        let modelDirectory = configuration.embedModelDirectory, precision = configuration.queryPrecision
        return SearchEngine(catalog: IndexCatalog(directory: configuration.indexDirectory)) {
            try LocalEmbedder(modelDirectory: modelDirectory, threads: 1, batchSize: 8, queryPrecision: precision)
        }
    }
}
