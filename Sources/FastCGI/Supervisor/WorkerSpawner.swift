import Glibc

/// Starts worker processes with posix_spawn: the listening socket as fd 0, a readiness pipe as
/// fd 3, the pool's shared page as fd 4, stdout/stderr shared with the supervisor (journald), a clean signal mask.
///
/// posix_spawn rather than fork(): after fork a multi-threaded Swift process may only call
/// async-signal-safe functions until exec, and the Swift runtime gives no such guarantee. glibc's
/// posix_spawn uses clone(CLONE_VM | CLONE_VFORK) and reports exec failures as its return value.
struct WorkerSpawner {
    /// Child's descriptor for the readiness pipe, announced in `PARLEY_WORKER_READY_FD`.
    static let readyFDInChild: Int32 = 3

    let arguments: [String]
    /// The listening socket, moved above the standard descriptors and close-on-exec, so that the
    /// dup2 to fd 0 in the child never has source == target (where CLOEXEC would survive).
    let listenFD: Int32
    /// The pool's shared page (a memfd, close-on-exec in the supervisor), passed to every worker as
    /// fd 4 so all of them map the same memory.
    let sharedPageFD: Int32

    struct Spawned {
        let pid: Int32
        /// Read end of the readiness pipe (close-on-exec, non-blocking).
        let readyFD: Int32
    }

    /// Returns the child, or the errno-style code posix_spawn reported.
    func spawn(environment: [String]) -> Result<Spawned, SpawnFailure> {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { return .failure(SpawnFailure(call: "pipe", code: errno)) }
        let readEnd = pipeFDs[0]
        setCloseOnExec(readEnd)
        let writeEnd = fcntl(pipeFDs[1], F_DUPFD_CLOEXEC, 10)
        close(pipeFDs[1])
        guard writeEnd >= 0 else {
            close(readEnd)
            return .failure(SpawnFailure(call: "fcntl(F_DUPFD_CLOEXEC)", code: errno))
        }
        defer { close(writeEnd) }
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, listenFD, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, Self.readyFDInChild)
        posix_spawn_file_actions_adddup2(&actions, sharedPageFD, SharedPage.fdInChild)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The supervisor blocks its signals (they arrive through a signalfd); the child must start
        // with an empty mask and default handlers, or SIGTERM would never reach it.
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = SignalSet([SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGPIPE]).raw
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let path = arguments.first ?? ""
        let result = argv.withUnsafeBufferPointer { argvBuffer in
            envp.withUnsafeBufferPointer { envpBuffer -> Int32 in
                guard !path.isEmpty, let argvBase = argvBuffer.baseAddress, let envpBase = envpBuffer.baseAddress else {
                    return EINVAL
                }
                return path.contains("/")
                    ? posix_spawn(&pid, path, &actions, &attributes, argvBase, envpBase)
                    : posix_spawnp(&pid, path, &actions, &attributes, argvBase, envpBase)
            }
        }
        guard result == 0 else {
            close(readEnd)
            return .failure(SpawnFailure(call: "posix_spawn(\(path))", code: result))
        }
        return .success(Spawned(pid: pid, readyFD: readEnd))
    }
}

struct SpawnFailure: Error {
    let call: String
    let code: Int32
}
