import HTTP
import Store
import Tenancy

/// What a handler may use besides the request: the worker thread's database connection and the
/// configuration. One per request, on the thread that serves it; deliberately not Sendable.
public final class RequestContext {
    public let database: ConnectionSlot
    public let configuration: Configuration
    /// This thread's cached key authentication.
    public let authenticator: CachedAuthenticator
    /// Set once the request is authenticated, so the request log names the tenant.
    public internal(set) var tenantID: String?

    public init(database: ConnectionSlot, configuration: Configuration, authenticator: CachedAuthenticator) {
        self.database = database
        self.configuration = configuration
        self.authenticator = authenticator
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
