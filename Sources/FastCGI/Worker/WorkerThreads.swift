internal import CFCGI
import Glibc
import Synchronization

/// A worker's request threads on one listening socket, startable and stoppable in-process.
///
/// `runWorker` wraps this with signal handling and readiness; tests and `TestSupport` use it
/// directly to run a real libfcgi server on a temporary socket and stop it without signals.
/// Owns its threads (joined by `waitUntilStopped`), not the socket. Sendable: shared state is
/// atomics and a mutex.
public final class WorkerThreads: Sendable {
    public let listenFD: Int32
    public let threadCount: Int
    public let idleConnectionTimeout: Double
    let control: WorkerControl
    private let makeResponder: @Sendable (Int) -> any Responder
    private let handles = Mutex<[pthread_t]>([])
    private let started = Atomic<Bool>(false)

    /// `makeResponder(i)` runs on thread `i`, before that thread counts as ready.
    public init(
        listenFD: Int32, threads: Int, maxRequests: Int = 0, idleConnectionTimeout: Double = 30,
        makeResponder: @escaping @Sendable (_ threadIndex: Int) -> any Responder
    ) {
        self.listenFD = listenFD
        self.threadCount = threads
        self.idleConnectionTimeout = idleConnectionTimeout
        self.control = WorkerControl(maxRequests: maxRequests)
        self.makeResponder = makeResponder
    }

    /// Checks the socket, makes it non-blocking, initialises libfcgi once, starts the threads.
    public func start() throws(FastCGIError) {
        guard threadCount >= 1 else { throw .invalidOption("a worker needs at least one thread") }
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else {
            throw .invalidOption("WorkerThreads.start() called twice")
        }
        guard isListeningSocket(listenFD) else { throw .notListening(listenFD) }
        try setNonBlocking(listenFD)
        guard libfcgiInitResult == 0 else { throw .system(call: "FCGX_Init", code: libfcgiInitResult) }
        // Shared by the threads and released with the last of them, closing what is still parked.
        let park = try ConnectionPark(listenFD: listenFD)
        for index in 0..<threadCount {
            control.runningThreads.add(1, ordering: .relaxed)
            let context = Unmanaged.passRetained(ThreadContext(threads: self, park: park, index: index)).toOpaque()
            var thread = pthread_t()
            let result = pthread_create(&thread, nil, { raw in
                guard let raw else { return nil }
                let context = Unmanaged<ThreadContext>.fromOpaque(raw).takeRetainedValue()
                context.threads.runThread(context.index, park: context.park)
                return nil
            }, context)
            guard result == 0 else {
                Unmanaged<ThreadContext>.fromOpaque(context).release()
                control.runningThreads.subtract(1, ordering: .relaxed)
                stop()
                waitUntilStopped()
                throw .system(call: "pthread_create", code: result)
            }
            handles.withLock { $0.append(thread) }
        }
    }

    /// All threads have built their responder and are polling for requests.
    public var isReady: Bool { control.readyThreads.load(ordering: .acquiring) >= threadCount }

    /// Every started thread has returned (after `stop()` or reaching `maxRequests`).
    public var hasStopped: Bool { control.runningThreads.load(ordering: .acquiring) == 0 }

    public var isStopping: Bool { control.isStopping }
    public var reachedMaxRequests: Bool { control.reachedMaxRequests }
    public var requestsServed: Int { control.requestsServed }

    /// Graceful stop: no new connections are taken; requests in hand finish, requests nginx still
    /// sends on kept connections are answered until each connection has been idle 0.5 s (5 s at
    /// most, see `ConnectionLoop`), then the threads return. Does not wait; see
    /// `waitUntilStopped`.
    public func stop() {
        control.stop()
    }

    public func waitUntilReady(timeout: Double) -> Bool {
        let deadline = monotonicNow() + timeout
        while !isReady {
            if hasStopped || monotonicNow() >= deadline { return false }
            usleep(2_000)
        }
        return true
    }

    /// Joins every thread. Call once, from a thread that is not one of them.
    public func waitUntilStopped() {
        let threads = handles.withLock { handles in
            defer { handles.removeAll() }
            return handles
        }
        for thread in threads { pthread_join(thread, nil) }
    }

    private func runThread(_ index: Int, park: ConnectionPark) {
        defer { control.runningThreads.subtract(1, ordering: .releasing) }
        let responder = makeResponder(index)
        let loop = ConnectionLoop(
            park: park, listenFD: listenFD, control: control, idleTimeout: idleConnectionTimeout,
            responder: responder)
        control.readyThreads.add(1, ordering: .releasing)
        loop.run()
        withExtendedLifetime(loop) {}
    }
}

/// FCGX_Init is not thread-safe and must run once per process; a global's lazy initializer runs
/// exactly once. SIGPIPE is ignored first so libfcgi leaves it alone: a client that went away must
/// surface as a failed write (EPIPE), not kill the process.
private let libfcgiInitResult: Int32 = {
    signal(SIGPIPE, SIG_IGN)
    return FCGX_Init()
}()

/// Carries a thread's arguments across pthread_create's untyped argument.
private final class ThreadContext {
    let threads: WorkerThreads
    let park: ConnectionPark
    let index: Int
    init(threads: WorkerThreads, park: ConnectionPark, index: Int) {
        self.threads = threads
        self.park = park
        self.index = index
    }
}
