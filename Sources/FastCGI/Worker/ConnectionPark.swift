internal import CFCGI
import Glibc
import Synchronization

/// A worker process's idle kept-alive connections, shared by all its threads, plus the
/// listening socket, in one epoll set.
///
/// Why a shared park instead of each thread keeping its own connection: nginx sends a request on
/// the connection it picked, so a thread pinned to an idle connection is capacity nobody can use,
/// and a request on a new connection would wait in the backlog until some pinned connection timed
/// out (under sustained load, forever). Here any free thread takes whichever is ready: a new
/// connection or a request on an idle one. Each parked connection is registered one-shot, so its
/// request wakes exactly one thread, and every hand-over goes through the registry under a lock,
/// so a connection is owned by exactly one party (a thread, the park, or nobody once closed);
/// no syscall runs under the lock.
final class ConnectionPark: Sendable {
    enum Wake: Equatable {
        case listener
        /// A parked connection became readable; the caller owns `fd` now.
        case connection(Int32)
        case timeout
    }

    private struct Parked {
        let fd: Int32
        let since: Double
    }

    private struct Registry {
        var parked: [UInt64: Parked] = [:]
        var nextToken: UInt64 = 1
        var listening = true
    }

    /// Token of the listening socket's registration; parked connections count up from 1.
    private static let listenerToken: UInt64 = 0
    private let epollFD: Int32
    private let listenFD: Int32
    private let registry = Mutex(Registry())

    init(listenFD: Int32) throws(FastCGIError) {
        let epollFD = parley_epoll_create()
        guard epollFD >= 0 else { throw .system(call: "epoll_create1", code: errno) }
        // Level-triggered: a pending connection keeps waking free threads until one accepts it.
        guard parley_epoll_add(epollFD, listenFD, Self.listenerToken, 0) == 0 else {
            let code = errno
            close(epollFD)
            throw .system(call: "epoll_ctl(listening socket)", code: code)
        }
        self.epollFD = epollFD
        self.listenFD = listenFD
    }

    deinit {
        closeAll()
        close(epollFD)
    }

    var parkedCount: Int { registry.withLock { $0.parked.count } }

    func wait(milliseconds: Int32) -> Wake {
        var token: UInt64 = 0
        guard parley_epoll_wait_one(epollFD, milliseconds, &token) == 1 else { return .timeout }
        if token == Self.listenerToken { return .listener }
        // nil: the idle sweep claimed it between the event and now.
        return claim(token).map { .connection($0) } ?? .timeout
    }

    /// Hands an idle kept-alive connection to the park; the caller no longer owns it.
    ///
    /// The token is registered first and the descriptor armed after, outside the lock: an event
    /// can then always be claimed, and no thread waits on the lock while another is in a syscall
    /// (on 2 cores a preempted holder stalled the others for a scheduler tick). A sweep cannot
    /// close the connection in between: it only closes connections idle for the whole timeout,
    /// or all of them at the very end of a stop, when no request is being served.
    func park(_ fd: Int32) {
        let since = monotonicNow()
        let token = registry.withLock { registry -> UInt64 in
            let token = registry.nextToken
            registry.nextToken += 1
            registry.parked[token] = Parked(fd: fd, since: since)
            return token
        }
        guard parley_epoll_rearm(epollFD, fd, token) != 0 else { return }
        // Could not arm it: take it back (unless a sweep already did) and close it.
        if registry.withLock({ $0.parked.removeValue(forKey: token) }) != nil { close(fd) }
    }

    /// Closes connections parked before `cutoff` (idle timeout, or the grace period when stopping).
    func closeIdle(parkedBefore cutoff: Double) {
        let expired = registry.withLock { registry -> [Int32] in
            let tokens = registry.parked.filter { $0.value.since < cutoff }.map(\.key)
            return tokens.compactMap { registry.parked.removeValue(forKey: $0)?.fd }
        }
        for fd in expired { release(fd) }
    }

    func closeAll() {
        closeIdle(parkedBefore: .infinity)
    }

    /// Stop waking threads for new connections; they stay in the kernel's backlog for the other
    /// worker processes.
    func stopListening() {
        registry.withLock { registry in
            guard registry.listening else { return }
            registry.listening = false
            _ = parley_epoll_delete(epollFD, listenFD)
        }
    }

    /// The one-shot registration disabled itself when it fired, so the descriptor stays in the
    /// epoll set, silent, until `park` re-arms it (or close() drops it from the set).
    private func claim(_ token: UInt64) -> Int32? {
        registry.withLock { $0.parked.removeValue(forKey: token) }?.fd
    }

    /// A plain close(): no response is pending on an idle connection, so libfcgi's
    /// shutdown-and-drain (which protects response bytes, for up to 2 s) buys nothing.
    private func release(_ fd: Int32) {
        _ = parley_epoll_delete(epollFD, fd)
        close(fd)
    }
}
