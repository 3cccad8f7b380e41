import Testing
@testable import FastCGI

/// Plays the driver's part: performs `.spawnWorker` by handing out pids, records everything else.
private struct Harness {
    typealias Machine = SupervisorStateMachine
    var machine: Machine
    var now = 0.0
    var nextPID: Int32 = 100
    var started: [Int32] = []
    var terminated: [Int32] = []
    var killed: [Int32] = []
    var notes: [Machine.Note] = []
    var exitCode: Int32?
    /// Everything in the order the driver would have seen it.
    var journal: [String] = []

    init(workers: Int, shutdownTimeout: Double = 30, readyTimeout: Double = 15) {
        machine = Machine(configuration: .init(workers: workers, shutdownTimeout: shutdownTimeout, readyTimeout: readyTimeout))
    }

    mutating func send(_ event: Machine.Event, at time: Double? = nil) {
        if let time { now = time }
        perform(machine.handle(event, now: now))
    }

    /// Starts the pool and marks every worker ready.
    mutating func startReady() {
        send(.start)
        for pid in started { send(.ready(pid: pid)) }
    }

    private mutating func perform(_ actions: [Machine.Action]) {
        for action in actions {
            switch action {
            case .spawnWorker:
                let pid = nextPID
                nextPID += 1
                started.append(pid)
                journal.append("spawn \(pid)")
                perform(machine.handle(.spawned(pid: pid), now: now))
            case .terminate(let pid):
                terminated.append(pid)
                journal.append("term \(pid)")
            case .kill(let pid):
                killed.append(pid)
                journal.append("kill \(pid)")
            case .log(let note):
                notes.append(note)
            case .exit(let code):
                exitCode = code
                journal.append("exit \(code)")
            }
        }
    }
}

@Suite struct SupervisorStateMachineTests {
    @Test func startSpawnsTheConfiguredNumberOfWorkers() {
        var harness = Harness(workers: 3)
        harness.send(.start)
        #expect(harness.started == [100, 101, 102])
        harness.send(.tick, at: 1)
        #expect(harness.started.count == 3)
        #expect(harness.machine.nextDeadline(now: 1) == 15)
    }

    @Test func quickCrashRestartsWithExponentialBackoffUpToFiveSeconds() {
        var harness = Harness(workers: 1)
        harness.send(.start)
        var delays: [Double] = []
        for _ in 0..<7 {
            let pid = harness.started.last ?? 0
            harness.send(.exited(pid: pid, .signaled(11)), at: harness.now + 0.5)
            guard case .workerCrashed(pid, .signaled(11), let delay)? = harness.notes.last else {
                Issue.record("expected a crash note, got \(String(describing: harness.notes.last))")
                return
            }
            delays.append(delay)
            let before = harness.started.count
            harness.send(.tick, at: harness.now + delay / 2)
            #expect(harness.started.count == before, "no restart during the backoff")
            #expect(harness.machine.nextDeadline(now: harness.now) == harness.now + delay / 2)
            harness.send(.tick, at: harness.now + delay / 2)
            #expect(harness.started.count == before + 1, "restart once the backoff has passed")
        }
        #expect(delays == [0.25, 0.5, 1, 2, 4, 5, 5])
    }

    @Test func crashAfterServingRestartsImmediatelyAndResetsBackoff() {
        var harness = Harness(workers: 1)
        harness.send(.start)
        harness.send(.exited(pid: 100, .exited(1)), at: 0.25)
        harness.send(.tick, at: 0.5)
        #expect(harness.started == [100, 101])
        harness.send(.ready(pid: 101), at: 0.6)
        harness.send(.exited(pid: 101, .signaled(6)), at: 60)
        #expect(harness.notes.contains(.workerCrashed(pid: 101, .signaled(6), restartDelay: 0)))
        #expect(harness.started == [100, 101, 102])
        // The counter was reset: the next quick crash starts again at the base delay.
        harness.send(.exited(pid: 102, .exited(1)), at: 60.5)
        #expect(harness.notes.last == .workerCrashed(pid: 102, .exited(1), restartDelay: 0.25))
    }

    @Test func recycledWorkerIsReplacedImmediately() {
        var harness = Harness(workers: 2)
        harness.startReady()
        harness.send(.exited(pid: 100, .exited(WorkerOptions.recycleExitCode)), at: 0.3)
        #expect(harness.notes.last == .workerStarted(pid: 102, generation: 0))
        #expect(harness.notes.contains(.workerRecycled(pid: 100)))
        #expect(harness.started == [100, 101, 102])
    }

    @Test func hangupReplacesWorkersOneByOne() {
        var harness = Harness(workers: 2)
        harness.startReady()
        harness.journal.removeAll()

        harness.send(.hangup, at: 10)
        #expect(harness.journal == ["spawn 102"], "a new worker first, nobody stopped yet")
        harness.send(.tick, at: 12)
        #expect(harness.terminated.isEmpty, "old workers stay until the new one is ready")

        harness.send(.ready(pid: 102), at: 13)
        #expect(harness.journal == ["spawn 102", "term 100"])
        harness.send(.tick, at: 14)
        #expect(harness.journal.count == 2, "the next step waits for the old worker to exit")

        harness.send(.exited(pid: 100, .exited(0)), at: 15)
        #expect(harness.journal == ["spawn 102", "term 100", "spawn 103"])
        harness.send(.ready(pid: 103), at: 16)
        harness.send(.exited(pid: 101, .exited(0)), at: 17)
        #expect(harness.journal == ["spawn 102", "term 100", "spawn 103", "term 101"])
        #expect(harness.notes.contains(.reloadFinished(generation: 1)))
        #expect(!harness.machine.isReloading)
        #expect(harness.machine.workerPIDs == [102, 103])
        #expect(harness.notes.contains(.workerStopped(pid: 100, .exited(0))))
        #expect(!harness.notes.contains { if case .workerCrashed = $0 { true } else { false } })
    }

    @Test func reloadNeverStopsAnOldWorkerWhileTheNewOneIsNotReady() {
        var harness = Harness(workers: 2, readyTimeout: 15)
        harness.startReady()
        harness.send(.hangup, at: 10)
        #expect(harness.started == [100, 101, 102])
        harness.send(.tick, at: 25)
        #expect(harness.killed == [102], "not ready within readyTimeout")
        #expect(harness.notes.contains(.readyTimedOut(pid: 102)))
        harness.send(.exited(pid: 102, .signaled(9)), at: 25.5)
        harness.send(.tick, at: 25.625)
        #expect(harness.started.count == 3, "retry waits for the crash backoff")
        harness.send(.tick, at: 25.75)
        #expect(harness.started == [100, 101, 102, 103])
        #expect(harness.terminated.isEmpty, "both old workers kept serving throughout")
        harness.send(.ready(pid: 103), at: 26)
        #expect(harness.terminated == [100])
    }

    @Test func crashOfOldWorkerDuringReloadIsReplacedByANewOne() {
        var harness = Harness(workers: 2)
        harness.startReady()
        harness.send(.hangup, at: 10)
        harness.send(.exited(pid: 101, .signaled(11)), at: 20)
        harness.send(.ready(pid: 102), at: 21)
        // 100 old and 102 new serve; the pool is one short, so it grows before retiring 100.
        #expect(harness.terminated.isEmpty)
        #expect(harness.started == [100, 101, 102, 103])
        harness.send(.ready(pid: 103), at: 22)
        #expect(harness.terminated == [100])
        harness.send(.exited(pid: 100, .exited(0)), at: 23)
        #expect(harness.machine.workerPIDs == [102, 103])
        #expect(!harness.machine.isReloading)
    }

    @Test func secondHangupRestartsTheRollout() {
        var harness = Harness(workers: 1)
        harness.startReady()
        harness.send(.hangup, at: 1)
        harness.send(.hangup, at: 2)
        // 101 (generation 1, still starting) is now old too and goes first: it serves nobody.
        #expect(harness.terminated == [101])
        harness.send(.exited(pid: 101, .exited(0)), at: 3)
        #expect(harness.started == [100, 101, 102])
        #expect(harness.machine.generation(of: 102) == 2)
        harness.send(.ready(pid: 102), at: 4)
        #expect(harness.terminated == [101, 100])
        harness.send(.exited(pid: 100, .exited(0)), at: 5)
        #expect(harness.machine.workerPIDs == [102])
        #expect(harness.notes.contains(.reloadFinished(generation: 2)))
    }

    @Test func terminateStopsEveryWorkerAndRestartsNone() {
        var harness = Harness(workers: 2)
        harness.startReady()
        harness.send(.terminate, at: 5)
        #expect(harness.terminated == [100, 101])
        harness.send(.exited(pid: 100, .exited(0)), at: 6)
        harness.send(.exited(pid: 101, .signaled(11)), at: 6.5)
        harness.send(.tick, at: 20)
        #expect(harness.started == [100, 101])
        #expect(harness.exitCode == 0)
        #expect(harness.notes.last == .shutdownFinished)
        harness.send(.hangup, at: 21)
        #expect(harness.started == [100, 101])
    }

    @Test func terminateKillsStragglersAtTheDeadline() {
        var harness = Harness(workers: 2, shutdownTimeout: 30)
        harness.startReady()
        harness.send(.terminate, at: 1)
        harness.send(.exited(pid: 100, .exited(0)), at: 2)
        #expect(harness.machine.nextDeadline(now: 2) == 31)
        harness.send(.tick, at: 30)
        #expect(harness.killed.isEmpty)
        harness.send(.tick, at: 31)
        #expect(harness.killed == [101])
        #expect(harness.notes.contains(.stopTimedOut(pid: 101)))
        #expect(harness.exitCode == nil)
        harness.send(.exited(pid: 101, .signaled(9)), at: 31.01)
        #expect(harness.exitCode == 0)
    }

    @Test func secondTerminateKillsAtOnce() {
        var harness = Harness(workers: 2)
        harness.startReady()
        harness.send(.terminate, at: 1)
        harness.send(.terminate, at: 2)
        #expect(harness.killed == [100, 101])
    }

    @Test func terminateDuringReloadStopsOldAndNewWorkers() {
        var harness = Harness(workers: 1)
        harness.startReady()
        harness.send(.hangup, at: 1)
        harness.send(.terminate, at: 2)
        #expect(harness.terminated == [100, 101])
        harness.send(.ready(pid: 101), at: 3)
        harness.send(.exited(pid: 101, .exited(0)), at: 4)
        harness.send(.exited(pid: 100, .exited(0)), at: 4)
        #expect(harness.started == [100, 101])
        #expect(harness.exitCode == 0)
    }

    @Test func spawnFailureBacksOff() {
        var machine = SupervisorStateMachine(configuration: .init(workers: 1, shutdownTimeout: 30, readyTimeout: 15))
        #expect(machine.handle(.start, now: 0) == [.spawnWorker])
        #expect(machine.handle(.spawnFailed(code: 2), now: 0) == [.log(.spawnFailed(code: 2, restartDelay: 0.25))])
        #expect(machine.handle(.tick, now: 0.1) == [])
        #expect(machine.handle(.tick, now: 0.25) == [.spawnWorker])
    }

    @Test func exitStatusesDecodeLikeTheWaitMacros() {
        #expect(Supervisor.decode(0) == .exited(0))
        #expect(Supervisor.decode(75 << 8) == .exited(75))
        #expect(Supervisor.decode(9) == .signaled(9))
        #expect(Supervisor.decode(11 | 0x80) == .signaled(11))
    }
}
