import Synchronization

/// Whether authentication caches may answer at all. Shared by every thread of a worker; the
/// change listener closes it while it cannot hear about changes (a cache nobody can invalidate
/// must not answer) and opens it once it listens.
public final class AuthCacheGate: Sendable {
    private let closed: Atomic<Bool>

    /// Starts closed unless told otherwise: nothing is cached until someone listens for changes.
    public init(open: Bool = false) { closed = Atomic(!open) }

    public var isOpen: Bool { !closed.load(ordering: .acquiring) }
    public func close() { closed.store(true, ordering: .releasing) }
    public func open() { closed.store(false, ordering: .releasing) }
}

/// One worker thread's short-lived cache of authenticated keys, so the hot path needs no database
/// round trip per request.
///
/// Per thread, deliberately: a cache shared by the worker's threads needs a lock on every request,
/// and on 2 cores a preempted lock holder stalled the others for a scheduler tick (visible as p99).
/// The price is one database lookup per key per thread per TTL.
///
/// Correctness rests on an epoch that every change to keys, tenants or plans bumps (see
/// `AuthEpoch`): entries are only served while the epoch they were filled under is current, and a
/// lookup that raced with a change is never stored, because the epoch is read *before* the
/// database is asked and the result is dropped if the epoch moved meanwhile. The TTL bounds how
/// stale `last_used_at` can get. Not Sendable: it belongs to its thread.
public final class AuthCache {
    private struct Entry {
        let principal: Principal
        let expires: Double
    }

    private var epoch: UInt64 = 0
    private var entries: [[UInt8]: Entry] = [:]
    private let ttl: Double
    private let capacity: Int
    public let gate: AuthCacheGate

    /// `ttl` in seconds; 0 disables the cache (every request asks the database).
    public init(ttl: Double, gate: AuthCacheGate, capacity: Int = 10_000) {
        self.ttl = ttl
        self.gate = gate
        self.capacity = capacity
    }

    public var isEnabled: Bool { ttl > 0 && gate.isOpen }

    /// The cached principal for a key hash, if it was filled under `epoch` and has not expired.
    public func principal(for hash: [UInt8], epoch current: UInt64, now: Double) -> Principal? {
        guard isEnabled else { return nil }
        guard epoch == current else {
            // Something changed since these entries were filled: none of them can be trusted.
            entries.removeAll(keepingCapacity: true)
            epoch = current
            return nil
        }
        guard let entry = entries[hash] else { return nil }
        guard entry.expires > now else {
            entries[hash] = nil
            return nil
        }
        return entry.principal
    }

    /// Stores a principal looked up while `epochBefore` was current. `epochNow` is read after the
    /// lookup; if they differ, a change may have committed in between and the result is dropped.
    public func store(_ principal: Principal, for hash: [UInt8], epochBefore: UInt64, epochNow: UInt64, now: Double) {
        guard isEnabled, epochBefore == epochNow else { return }
        if epoch != epochNow {
            // Epochs only grow: an older one means this lookup is already superseded.
            guard epochNow > epoch else { return }
            entries.removeAll(keepingCapacity: true)
            epoch = epochNow
        }
        // A flood of distinct keys must not grow memory without bound.
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[hash] = Entry(principal: principal, expires: now + ttl)
    }
}
