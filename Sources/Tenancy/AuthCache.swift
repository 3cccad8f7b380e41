import Synchronization

/// A worker process's short-lived cache of authenticated keys, so the hot path does not need a
/// database round trip per request.
///
/// Correctness rests on an epoch that every change to keys, tenants or plans bumps (see
/// `AuthEpoch`): an entry is only served while the epoch it was filled under is still current,
/// and a lookup that raced with a change is never stored, because the epoch is read *before* the
/// database is asked and the result is dropped if the epoch moved meanwhile. The TTL bounds how
/// stale `last_used_at` and plan limits can be if a notification were ever missed.
///
/// Thread rule: shared by all threads of a worker; every access takes the mutex.
public final class AuthCache: Sendable {
    private struct Entry {
        let principal: Principal
        let expires: Double
    }

    private struct State {
        var epoch: UInt64 = 0
        var entries: [[UInt8]: Entry] = [:]
    }

    private let state = Mutex(State())
    private let ttl: Double
    private let capacity: Int
    /// Suspended until whoever delivers change notifications says it is listening, and again
    /// whenever it loses its connection: a cache nobody can invalidate must not answer.
    private let suspended: Atomic<Bool>

    /// `ttl` in seconds; 0 disables the cache (every request asks the database).
    /// `startSuspended`: answer nothing until `resume()`.
    public init(ttl: Double, capacity: Int = 10_000, startSuspended: Bool = true) {
        self.ttl = ttl
        self.capacity = capacity
        suspended = Atomic(startSuspended)
    }

    public var isEnabled: Bool { ttl > 0 && !suspended.load(ordering: .acquiring) }

    public func suspend() { suspended.store(true, ordering: .releasing) }
    public func resume() { suspended.store(false, ordering: .releasing) }

    /// The cached principal for a key hash, if it was filled under `epoch` and has not expired.
    public func principal(for hash: [UInt8], epoch: UInt64, now: Double) -> Principal? {
        guard isEnabled else { return nil }
        return state.withLock { state in
            guard state.epoch == epoch else {
                // Something changed since these entries were filled: none of them can be trusted.
                state.entries.removeAll(keepingCapacity: true)
                state.epoch = epoch
                return nil
            }
            guard let entry = state.entries[hash] else { return nil }
            guard entry.expires > now else {
                state.entries[hash] = nil
                return nil
            }
            return entry.principal
        }
    }

    /// Stores a principal looked up while `epochBefore` was current. `epochNow` is read after the
    /// lookup; if they differ, a change may have committed in between and the result is dropped.
    public func store(_ principal: Principal, for hash: [UInt8], epochBefore: UInt64, epochNow: UInt64, now: Double) {
        guard isEnabled, epochBefore == epochNow else { return }
        state.withLock { state in
            if state.epoch != epochNow {
                // Epochs only grow: an older one means this lookup is already superseded.
                guard epochNow > state.epoch else { return }
                state.entries.removeAll(keepingCapacity: true)
                state.epoch = epochNow
            }
            // A flood of distinct keys must not grow memory without bound.
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[hash] = Entry(principal: principal, expires: now + ttl)
        }
    }
}
