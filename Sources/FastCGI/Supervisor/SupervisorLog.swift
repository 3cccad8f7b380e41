/// Renders the state machine's notes as JSON log lines.
enum SupervisorLog {
    static func write(_ note: SupervisorStateMachine.Note) {
        switch note {
        case .workerStarted(let pid, let generation):
            LogLine.write(level: "info", event: "worker_spawned", [("pid", .int(Int(pid))), ("generation", .int(generation))])
        case .workerReady(let pid):
            LogLine.write(level: "info", event: "worker_ready", [("pid", .int(Int(pid)))])
        case .workerCrashed(let pid, let exit, let delay):
            LogLine.write(level: "error", event: "worker_died", [("pid", .int(Int(pid)))] + fields(exit) + [
                ("restart_in_ms", .int(Int((delay * 1000).rounded()))),
            ])
        case .workerRecycled(let pid):
            LogLine.write(level: "info", event: "worker_recycled", [("pid", .int(Int(pid)))])
        case .workerStopped(let pid, let exit):
            LogLine.write(level: "info", event: "worker_exited", [("pid", .int(Int(pid)))] + fields(exit))
        case .spawnFailed(let code, let delay):
            LogLine.write(level: "error", event: "worker_spawn_failed", [
                ("error", .string(errnoDescription(code))), ("restart_in_ms", .int(Int((delay * 1000).rounded()))),
            ])
        case .readyTimedOut(let pid):
            LogLine.write(level: "error", event: "worker_ready_timeout", [("pid", .int(Int(pid))), ("action", .string("SIGKILL"))])
        case .stopTimedOut(let pid):
            LogLine.write(level: "warning", event: "worker_stop_timeout", [("pid", .int(Int(pid))), ("action", .string("SIGKILL"))])
        case .reloadStarted(let generation):
            LogLine.write(level: "info", event: "reload_started", [("generation", .int(generation))])
        case .reloadFinished(let generation):
            LogLine.write(level: "info", event: "reload_finished", [("generation", .int(generation))])
        case .shutdownStarted:
            LogLine.write(level: "info", event: "shutdown_started")
        case .shutdownFinished:
            LogLine.write(level: "info", event: "shutdown_finished")
        }
    }

    private static func fields(_ exit: SupervisorStateMachine.WorkerExit) -> [(String, LogLine.Value)] {
        switch exit {
        case .exited(let code): return [("exit_code", .int(Int(code)))]
        case .signaled(let signal): return [("signal", .int(Int(signal)))]
        }
    }
}
