/// Every decision the supervisor makes, as a pure value: events in, actions out.
///
/// The process driver (`Supervisor`) owns the sockets, pipes, signals and children and does
/// nothing but translate between them and this type; so restarts, backoff, rolling reloads and
/// shutdown are unit-tested without processes, in the manner of Hummingbird's state machines.
/// Time is passed in (monotonic seconds) and `nextDeadline` says when a `.tick` is due.
///
/// Rules:
/// - keep `workers` running; a worker that dies unexpectedly is replaced, after an exponential
///   backoff (up to `backoffLimit`) when it died before becoming ready or within
///   `quickExitWindow` of its start, so a broken build or config cannot spin the CPU;
/// - a worker that exits with the recycle code is replaced at once;
/// - on hangup, replace workers one by one: start a new one, wait for its readiness, SIGTERM
///   one old worker, wait for it to exit, repeat; capacity never drops below `workers`;
/// - a worker not ready within `readyTimeout`, or not gone `shutdownTimeout` after SIGTERM, is
///   killed;
/// - on terminate, SIGTERM everyone, kill stragglers at the deadline, exit 0 when all are gone.
///   A second terminate kills at once.
struct SupervisorStateMachine {
    struct Configuration: Sendable {
        var workers: Int
        var shutdownTimeout: Double
        var readyTimeout: Double
        var quickExitWindow: Double = 1
        var backoffBase: Double = 0.25
        var backoffLimit: Double = 5
        var recycleExitCode: Int32 = WorkerOptions.recycleExitCode
    }

    enum WorkerExit: Equatable, Sendable {
        case exited(Int32)
        case signaled(Int32)
    }

    enum Event: Equatable, Sendable {
        case start
        /// The driver performed `.spawnWorker`.
        case spawned(pid: Int32)
        case spawnFailed(code: Int32)
        case exited(pid: Int32, WorkerExit)
        /// The worker wrote its readiness byte.
        case ready(pid: Int32)
        case hangup
        case terminate
        /// Time passed (see `nextDeadline`).
        case tick
    }

    enum Action: Equatable, Sendable {
        /// Start one worker now and report `.spawned` or `.spawnFailed` before anything else.
        case spawnWorker
        case terminate(pid: Int32)
        case kill(pid: Int32)
        case log(Note)
        case exit(Int32)
    }

    /// What happened, for the log.
    enum Note: Equatable, Sendable {
        case workerStarted(pid: Int32, generation: Int)
        case workerReady(pid: Int32)
        case workerCrashed(pid: Int32, WorkerExit, restartDelay: Double)
        case workerRecycled(pid: Int32)
        case workerStopped(pid: Int32, WorkerExit)
        case spawnFailed(code: Int32, restartDelay: Double)
        case readyTimedOut(pid: Int32)
        case stopTimedOut(pid: Int32)
        case reloadStarted(generation: Int)
        case reloadFinished(generation: Int)
        case shutdownStarted
        case shutdownFinished
    }

    private struct Worker {
        var generation: Int
        var startedAt: Double
        var ready = false
        /// SIGTERM sent; no longer counted as capacity.
        var retiring = false
        var stopDeadline = Double.infinity
        /// SIGKILL sent; only its exit is awaited.
        var killed = false
    }

    private enum Phase: Equatable {
        case idle, running, terminating, finished
    }

    let configuration: Configuration
    private var phase = Phase.idle
    private var workers: [Int32: Worker] = [:]
    private var generation = 0
    private var reloading = false
    private var pendingSpawns = 0
    private var quickFailures = 0
    private var spawnNotBefore = -Double.infinity

    init(configuration: Configuration) {
        self.configuration = configuration
    }

    var workerPIDs: [Int32] { workers.keys.sorted() }
    var isReloading: Bool { reloading }

    func isReady(_ pid: Int32) -> Bool { workers[pid]?.ready ?? false }
    func generation(of pid: Int32) -> Int? { workers[pid]?.generation }

    /// When the driver must deliver `.tick` at the latest; nil when nothing is time-bound.
    func nextDeadline(now: Double) -> Double? {
        var deadline: Double?
        func consider(_ time: Double) {
            if time.isFinite { deadline = min(deadline ?? time, time) }
        }
        if spawnNotBefore > now && phase == .running { consider(spawnNotBefore) }
        for worker in workers.values where !worker.killed {
            if worker.retiring {
                consider(worker.stopDeadline)
            } else if !worker.ready {
                consider(worker.startedAt + configuration.readyTimeout)
            }
        }
        return deadline
    }

    mutating func handle(_ event: Event, now: Double) -> [Action] {
        var actions: [Action] = []
        switch event {
        case .start:
            guard phase == .idle else { return [] }
            phase = .running

        case .spawned(let pid):
            pendingSpawns = max(0, pendingSpawns - 1)
            workers[pid] = Worker(generation: generation, startedAt: now)
            actions.append(.log(.workerStarted(pid: pid, generation: generation)))
            if phase == .terminating || phase == .finished {
                retire(pid, now: now, into: &actions)
            }

        case .spawnFailed(let code):
            pendingSpawns = max(0, pendingSpawns - 1)
            let delay = registerQuickFailure(now: now)
            actions.append(.log(.spawnFailed(code: code, restartDelay: delay)))

        case .exited(let pid, let exit):
            guard let worker = workers.removeValue(forKey: pid) else { return [] }
            if worker.retiring || phase != .running {
                actions.append(.log(.workerStopped(pid: pid, exit)))
            } else if exit == .exited(configuration.recycleExitCode) {
                actions.append(.log(.workerRecycled(pid: pid)))
            } else if !worker.ready || now - worker.startedAt < configuration.quickExitWindow {
                let delay = registerQuickFailure(now: now)
                actions.append(.log(.workerCrashed(pid: pid, exit, restartDelay: delay)))
            } else {
                // A worker that served for a while ends any crash loop; a backoff still running
                // from earlier failures is kept, and reported.
                quickFailures = 0
                actions.append(.log(.workerCrashed(pid: pid, exit, restartDelay: max(0, spawnNotBefore - now))))
            }

        case .ready(let pid):
            guard var worker = workers[pid], !worker.ready, !worker.killed else { return [] }
            worker.ready = true
            workers[pid] = worker
            actions.append(.log(.workerReady(pid: pid)))

        case .hangup:
            guard phase == .running else { return [] }
            generation += 1
            reloading = true
            actions.append(.log(.reloadStarted(generation: generation)))

        case .terminate:
            switch phase {
            case .idle, .running:
                phase = .terminating
                reloading = false
                actions.append(.log(.shutdownStarted))
                for pid in workers.keys.sorted() { retire(pid, now: now, into: &actions) }
            case .terminating:
                for pid in workers.keys.sorted() where workers[pid]?.killed == false {
                    workers[pid]?.killed = true
                    actions.append(.kill(pid: pid))
                }
            case .finished:
                break
            }

        case .tick:
            break
        }
        reconcile(now: now, into: &actions)
        return actions
    }

    // MARK: - Decisions

    private mutating func reconcile(now: Double, into actions: inout [Action]) {
        enforceDeadlines(now: now, into: &actions)
        switch phase {
        case .idle, .finished:
            return
        case .terminating:
            if workers.isEmpty && pendingSpawns == 0 {
                phase = .finished
                actions.append(.log(.shutdownFinished))
                actions.append(.exit(0))
            }
            return
        case .running:
            break
        }
        if reloading {
            advanceReload(now: now, into: &actions)
        }
        if !reloading {
            let capacity = workers.values.filter { !$0.retiring }.count + pendingSpawns
            for _ in capacity..<max(capacity, configuration.workers) {
                guard requestSpawn(now: now, into: &actions) else { break }
            }
        }
    }

    /// One step of the rolling replacement; each call moves at most one worker along.
    private mutating func advanceReload(now: Double, into actions: inout [Action]) {
        let oldWorkers = workers.filter { $0.value.generation < generation }
        if oldWorkers.isEmpty {
            reloading = false
            actions.append(.log(.reloadFinished(generation: generation)))
            return
        }
        // One at a time: the previous old worker must be gone before the next step.
        if oldWorkers.contains(where: { $0.value.retiring }) { return }
        let active = workers.filter { !$0.value.retiring }
        let newStarting = active.contains { $0.value.generation == generation && !$0.value.ready }
        if newStarting || pendingSpawns > 0 { return }
        if active.count < configuration.workers + 1 {
            _ = requestSpawn(now: now, into: &actions)
            return
        }
        // A ready new worker is in place: retire one old one, preferring one that never became
        // ready (it serves nobody), then the oldest.
        let candidates = oldWorkers.filter { !$0.value.retiring && !$0.value.killed }
        let victim = candidates.min { lhs, rhs in
            if lhs.value.ready != rhs.value.ready { return !lhs.value.ready }
            if lhs.value.startedAt != rhs.value.startedAt { return lhs.value.startedAt < rhs.value.startedAt }
            return lhs.key < rhs.key
        }
        if let victim { retire(victim.key, now: now, into: &actions) }
    }

    private mutating func enforceDeadlines(now: Double, into actions: inout [Action]) {
        for pid in workers.keys.sorted() {
            guard var worker = workers[pid], !worker.killed else { continue }
            if worker.retiring && now >= worker.stopDeadline {
                worker.killed = true
                actions.append(.log(.stopTimedOut(pid: pid)))
                actions.append(.kill(pid: pid))
            } else if !worker.retiring && !worker.ready && now >= worker.startedAt + configuration.readyTimeout {
                // Still counted as capacity until it exits, so its exit is what triggers the
                // (backed-off) replacement.
                worker.killed = true
                actions.append(.log(.readyTimedOut(pid: pid)))
                actions.append(.kill(pid: pid))
            }
            workers[pid] = worker
        }
    }

    private mutating func retire(_ pid: Int32, now: Double, into actions: inout [Action]) {
        guard var worker = workers[pid], !worker.retiring, !worker.killed else { return }
        worker.retiring = true
        worker.stopDeadline = now + configuration.shutdownTimeout
        workers[pid] = worker
        actions.append(.terminate(pid: pid))
    }

    /// Emits `.spawnWorker` unless a crash backoff is running (then `nextDeadline` brings us back).
    private mutating func requestSpawn(now: Double, into actions: inout [Action]) -> Bool {
        guard now >= spawnNotBefore else { return false }
        pendingSpawns += 1
        actions.append(.spawnWorker)
        return true
    }

    private mutating func registerQuickFailure(now: Double) -> Double {
        quickFailures += 1
        var delay = configuration.backoffBase
        for _ in 1..<quickFailures where delay < configuration.backoffLimit { delay *= 2 }
        delay = min(delay, configuration.backoffLimit)
        spawnNotBefore = now + delay
        return delay
    }
}
