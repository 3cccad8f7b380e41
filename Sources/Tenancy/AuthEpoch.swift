import Store
import Synchronization

/// A counter that goes up whenever something a cached authentication depends on changes. Every
/// worker of a pool must see the same counter (App backs it with the pool's shared page), so a
/// bump by the worker that revoked a key reaches all the others before its response is sent.
public protocol AuthEpoch: Sendable {
    var current: UInt64 { get }
    func bump()
}

/// An epoch private to one process, for a process that serves alone (tests, a worker started
/// without a supervisor).
public final class LocalAuthEpoch: AuthEpoch {
    private let value = Atomic<UInt64>(0)
    public init() {}
    public var current: UInt64 { value.load(ordering: .sequentiallyConsistent) }
    public func bump() { value.add(1, ordering: .sequentiallyConsistent) }
}

/// Authentication with the thread's cache in front of the database. One per worker thread.
public struct CachedAuthenticator {
    public let cache: AuthCache
    public let epoch: any AuthEpoch

    public init(cache: AuthCache, epoch: any AuthEpoch) {
        self.cache = cache
        self.epoch = epoch
    }

    /// `database` lends a connection only on a cache miss, so a hit never touches PostgreSQL.
    public func authenticate(_ presented: String, now: Double,
                             database: ((Connection) throws -> Authenticator.Outcome) throws -> Authenticator.Outcome) throws -> Authenticator.Outcome {
        guard APIKeyFormat.isWellFormed(presented) else { return .malformed }
        let hash = Crypto.sha256(presented)
        let before = epoch.current
        if let principal = cache.principal(for: hash, epoch: before, now: now) { return .authenticated(principal) }
        let outcome = try database { try Authenticator.authenticate(hash: hash, on: $0) }
        if case .authenticated(let principal) = outcome {
            cache.store(principal, for: hash, epochBefore: before, epochNow: epoch.current, now: now)
        }
        return outcome
    }
}
