internal import CFCGI
import Glibc

/// How the supervisor runs the pool.
public struct PoolOptions: Sendable {
    /// Unix socket to create; nil to inherit one (systemd socket activation, or fd 0).
    public var socketPath: String?
    /// Permissions of a created socket; nginx's group needs read and write.
    public var socketMode: UInt32
    public var backlog: Int32
    /// Worker processes to keep running.
    public var workers: Int
    /// argv for a worker, `workerArguments[0]` being the executable (for example
    /// `["/usr/bin/parley", "serve", "--worker"]`). A path without `/` is looked up in PATH.
    public var workerArguments: [String]
    /// `KEY=VALUE` file merged into new workers' environment; re-read on SIGHUP.
    public var environmentFile: String?
    /// Seconds a SIGTERM'd worker gets to finish in-flight requests before SIGKILL.
    public var shutdownTimeout: Double
    /// Seconds a new worker gets to signal readiness before it is killed and retried.
    public var readyTimeout: Double

    public init(
        socketPath: String? = nil, socketMode: UInt32 = 0o660, backlog: Int32 = 1024, workers: Int,
        workerArguments: [String], environmentFile: String? = nil, shutdownTimeout: Double = 30,
        readyTimeout: Double = 15
    ) {
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.backlog = backlog
        self.workers = workers
        self.workerArguments = workerArguments
        self.environmentFile = environmentFile
        self.shutdownTimeout = shutdownTimeout
        self.readyTimeout = readyTimeout
    }
}

/// The master process: opens (or inherits) the listening socket, keeps `workers` worker processes
/// running, replaces them one by one on SIGHUP, and stops them on SIGTERM/SIGINT. Returns the exit
/// code (0 after a clean shutdown, 1 when it could not start).
///
/// Signals are blocked and read from a signalfd in the one loop, so no work runs in a signal
/// handler. Call from the main thread before other threads exist; SIGTERM, SIGINT, SIGHUP and
/// SIGCHLD stay blocked on return, so exit with the returned code.
public func runSupervisor(_ options: PoolOptions) -> Int32 {
    let supervisor: Supervisor
    do {
        supervisor = try Supervisor(options: options)
    } catch {
        LogLine.write(level: "error", event: "supervisor_start_failed", [("error", .string(error.description))])
        return 1
    }
    return supervisor.run()
}

/// Drives `SupervisorStateMachine` with real processes. Owns the signalfd, the listening socket,
/// the readiness pipes' read ends, and (when it created it) the socket file.
final class Supervisor {
    private let options: PoolOptions
    private var machine: SupervisorStateMachine
    private let signals = SignalSet([SIGTERM, SIGINT, SIGHUP, SIGCHLD])
    private let previousMask: sigset_t
    private let signalFD: Int32
    private let listener: ListeningSocket
    private let spawner: WorkerSpawner
    /// Kept for the pool's lifetime; workers map the same memory through their fd 4.
    private let sharedPage: SharedPage
    private var environment: WorkerEnvironment
    /// Worker pid → read end of its readiness pipe, until the byte or EOF arrives.
    private var readyPipes: [Int32: Int32] = [:]
    private var exitCode: Int32?

    init(options: PoolOptions) throws(FastCGIError) {
        guard options.workers >= 1 else { throw .invalidOption("workers must be at least 1") }
        guard let executable = options.workerArguments.first, !executable.isEmpty else {
            throw .invalidOption("workerArguments must start with the worker executable")
        }
        var fileEntries: [(String, String)] = []
        if let path = options.environmentFile {
            do { fileEntries = try EnvironmentFile.load(path: path) } catch {
                throw .invalidOption("environment file: \(error)")
            }
        }
        self.options = options
        self.environment = WorkerEnvironment(processEnvironment: WorkerEnvironment.current(), fileEntries: fileEntries)
        self.machine = SupervisorStateMachine(
            configuration: .init(
                workers: options.workers, shutdownTimeout: options.shutdownTimeout, readyTimeout: options.readyTimeout))

        signal(SIGPIPE, SIG_IGN)
        previousMask = signals.block()
        var mask = signals.raw
        signalFD = signalfd(-1, &mask, Int32(SFD_CLOEXEC | SFD_NONBLOCK))
        guard signalFD >= 0 else {
            let code = errno
            SignalSet.restore(previousMask)
            throw .system(call: "signalfd", code: code)
        }
        do throws(FastCGIError) {
            if let path = options.socketPath {
                listener = try .bind(path: path, mode: options.socketMode, backlog: options.backlog)
            } else {
                listener = try .inherited(environment: Dictionary(WorkerEnvironment.current()) { first, _ in first })
            }
            let highFD = fcntl(listener.fd, F_DUPFD_CLOEXEC, 10)
            guard highFD >= 0 else {
                listener.close()
                listener.removeFile()
                throw .system(call: "fcntl(F_DUPFD_CLOEXEC)", code: errno)
            }
            // Above the descriptors dup2'd into children (0, 3, 4), like the listening socket.
            let page = try SharedPage.create()
            let pageFD = fcntl(page.fd, F_DUPFD_CLOEXEC, 10)
            guard pageFD >= 0 else { throw FastCGIError.system(call: "fcntl(F_DUPFD_CLOEXEC)", code: errno) }
            sharedPage = page
            spawner = WorkerSpawner(arguments: options.workerArguments, listenFD: highFD, sharedPageFD: pageFD)
        } catch {
            close(signalFD)
            SignalSet.restore(previousMask)
            throw error
        }
    }

    func run() -> Int32 {
        LogLine.write(level: "info", event: "supervisor_started", [
            ("pid", .int(Int(getpid()))), ("workers", .int(options.workers)),
            ("socket", .string(options.socketPath ?? "inherited fd \(listener.fd)")),
        ])
        perform(machine.handle(.start, now: monotonicNow()))
        while exitCode == nil {
            let pipes = readyPipes.sorted { $0.key < $1.key }
            var entries = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)]
            entries += pipes.map { pollfd(fd: $0.value, events: Int16(POLLIN), revents: 0) }
            let timeout = pollTimeout(until: machine.nextDeadline(now: monotonicNow()))
            if poll(&entries, nfds_t(entries.count), timeout) < 0 && errno != EINTR {
                LogLine.write(level: "error", event: "supervisor_poll_failed", [("error", .string(errnoDescription(errno)))])
                usleep(100_000)
            }
            if entries[0].revents != 0 { drainSignals() }
            for (index, pipe) in pipes.enumerated() where entries[index + 1].revents != 0 {
                readReadiness(pid: pipe.key, fd: pipe.value)
            }
            perform(machine.handle(.tick, now: monotonicNow()))
        }
        cleanUp()
        return exitCode ?? 0
    }

    private func perform(_ actions: [SupervisorStateMachine.Action]) {
        for action in actions {
            switch action {
            case .spawnWorker:
                switch spawner.spawn(environment: environment.entries(readyFD: WorkerSpawner.readyFDInChild)) {
                case .success(let spawned):
                    readyPipes[spawned.pid] = spawned.readyFD
                    perform(machine.handle(.spawned(pid: spawned.pid), now: monotonicNow()))
                case .failure(let failure):
                    LogLine.write(level: "error", event: "worker_spawn_error", [
                        ("call", .string(failure.call)), ("error", .string(errnoDescription(failure.code))),
                    ])
                    perform(machine.handle(.spawnFailed(code: failure.code), now: monotonicNow()))
                }
            case .terminate(let pid):
                kill(pid, SIGTERM)
            case .kill(let pid):
                kill(pid, SIGKILL)
            case .log(let note):
                SupervisorLog.write(note)
            case .exit(let code):
                exitCode = code
            }
        }
    }

    private func drainSignals() {
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        while read(signalFD, &info, size) == size {
            switch Int32(info.ssi_signo) {
            case SIGCHLD:
                reapChildren()
            case SIGTERM, SIGINT:
                perform(machine.handle(.terminate, now: monotonicNow()))
            case SIGHUP:
                reload()
            default:
                break
            }
        }
        // SIGCHLDs coalesce, and one may have been consumed before its child was waitable.
        reapChildren()
    }

    private func reapChildren() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid < 0 && errno == EINTR { continue }
            guard pid > 0 else { return }
            if let fd = readyPipes.removeValue(forKey: pid) { close(fd) }
            perform(machine.handle(.exited(pid: pid, Self.decode(status)), now: monotonicNow()))
        }
    }

    /// WIFEXITED/WEXITSTATUS/WTERMSIG are macros Swift does not import.
    static func decode(_ status: Int32) -> SupervisorStateMachine.WorkerExit {
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
    }

    private func readReadiness(pid: Int32, fd: Int32) {
        // The pid may have been reaped (and the descriptor number reused) earlier in this pass.
        guard readyPipes[pid] == fd else { return }
        var byte: UInt8 = 0
        let count = read(fd, &byte, 1)
        if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
        readyPipes.removeValue(forKey: pid)
        close(fd)
        // EOF without the byte means the worker exited or closed it; SIGCHLD tells the rest.
        if count == 1 { perform(machine.handle(.ready(pid: pid), now: monotonicNow())) }
    }

    private func reload() {
        if let path = options.environmentFile {
            do {
                environment.replaceFileEntries(try EnvironmentFile.load(path: path))
            } catch {
                // Keep the running workers and the previous environment rather than roll out a
                // half-read configuration.
                LogLine.write(level: "error", event: "reload_rejected", [("error", .string(error.description))])
                return
            }
        }
        perform(machine.handle(.hangup, now: monotonicNow()))
    }

    private func cleanUp() {
        for fd in readyPipes.values { close(fd) }
        readyPipes.removeAll()
        close(spawner.listenFD)
        listener.removeFile()
        listener.close()
        close(signalFD)
        // The signal mask stays as it is: the caller exits next, and unblocking would let a late
        // SIGTERM replace our exit code with a signal death.
    }
}
