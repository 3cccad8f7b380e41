internal import CFCGI
import Glibc

/// How one worker process serves requests.
public struct WorkerOptions: Sendable {
    /// Environment variable through which the supervisor names the readiness pipe.
    public static let readyFDEnvironmentKey = "PARLEY_WORKER_READY_FD"
    /// Exit code of a worker that stopped because it reached `maxRequests`; the supervisor
    /// replaces it at once instead of treating it as a crash (75 is EX_TEMPFAIL).
    public static let recycleExitCode: Int32 = 75

    /// The listening socket; 0 under the supervisor and spawn-fcgi.
    public var listenFD: Int32
    /// Request threads, each with its own Responder.
    public var threads: Int
    /// Requests after which the worker stops gracefully and exits with `recycleExitCode`
    /// (bounds slow leaks and fragmentation); 0 means never.
    public var maxRequests: Int
    /// Seconds a kept-alive nginx connection may stay idle before the worker closes it. Keep it
    /// above nginx's upstream `keepalive_timeout`, so that nginx is the side that closes.
    public var idleConnectionTimeout: Double
    /// Where to write one byte once every thread is accepting (the supervisor's readiness pipe).
    public var readyFD: Int32?

    public init(
        listenFD: Int32 = 0, threads: Int, maxRequests: Int = 0, idleConnectionTimeout: Double = 30,
        readyFD: Int32? = nil
    ) {
        self.listenFD = listenFD
        self.threads = threads
        self.maxRequests = maxRequests
        self.idleConnectionTimeout = idleConnectionTimeout
        self.readyFD = readyFD
    }

    /// The readiness descriptor the supervisor passed, if any (`PARLEY_WORKER_READY_FD`).
    public static func readyFD(in environment: [String: String]) -> Int32? {
        guard let text = environment[readyFDEnvironmentKey], let fd = Int32(text), fd >= 0 else { return nil }
        return fd
    }
}

/// Runs a worker process's threads until SIGTERM/SIGINT (graceful: in-flight requests finish) or
/// until `maxRequests`; returns the process exit code (0, `recycleExitCode`, or 1 when it could
/// not start).
///
/// Call from the main thread before starting other threads: it blocks SIGTERM, SIGINT and SIGHUP
/// in the calling thread so every thread started afterwards inherits the mask, and then waits for
/// them here with sigtimedwait. SIGHUP is ignored (reload is the supervisor's business). The
/// signals stay blocked on return; exit with the returned code.
public func runWorker(
    _ options: WorkerOptions, makeResponder: @escaping @Sendable (_ threadIndex: Int) -> any Responder
) -> Int32 {
    runWorker(options, exitWithParent: options.readyFD != nil, makeResponder: makeResponder)
}

/// `exitWithParent`: ask for SIGTERM when the supervisor dies (PR_SET_PDEATHSIG), so a killed
/// supervisor leaves no orphans holding the socket. Tests run the worker in-process and say no.
func runWorker(
    _ options: WorkerOptions, exitWithParent: Bool,
    makeResponder: @escaping @Sendable (_ threadIndex: Int) -> any Responder
) -> Int32 {
    let signals = SignalSet([SIGTERM, SIGINT, SIGHUP])
    // Left blocked on return: the caller exits with our code next, and unblocking would let a
    // late SIGTERM kill the process and turn a clean exit code into a signal.
    signals.block()
    if exitWithParent {
        _ = parley_set_parent_death_signal(SIGTERM)
    }

    let threads = WorkerThreads(
        listenFD: options.listenFD, threads: options.threads, maxRequests: options.maxRequests,
        idleConnectionTimeout: options.idleConnectionTimeout, makeResponder: makeResponder)
    do {
        try threads.start()
    } catch {
        LogLine.write(level: "error", event: "worker_start_failed", [("error", .string(error.description))])
        return 1
    }
    LogLine.write(level: "info", event: "worker_started", [
        ("pid", .int(Int(getpid()))), ("threads", .int(options.threads)),
        ("max_requests", .int(options.maxRequests)),
    ])

    var readyFD = options.readyFD
    while !threads.hasStopped {
        if let signal = signals.wait(milliseconds: 100), signal == SIGTERM || signal == SIGINT {
            if !threads.isStopping {
                LogLine.write(level: "info", event: "worker_stopping", [
                    ("pid", .int(Int(getpid()))), ("signal", .int(Int(signal))),
                ])
            }
            threads.stop()
        }
        if let fd = readyFD, threads.isReady {
            writeAll(fd: fd, [1])
            close(fd)
            readyFD = nil
        }
    }
    threads.waitUntilStopped()
    if let fd = readyFD { close(fd) }

    let recycled = threads.reachedMaxRequests
    LogLine.write(level: "info", event: recycled ? "worker_recycling" : "worker_stopped", [
        ("pid", .int(Int(getpid()))), ("requests", .int(threads.requestsServed)),
    ])
    return recycled ? WorkerOptions.recycleExitCode : 0
}
