# shellcheck shell=bash
# The `parley serve` pool for dev/test/bench: one master process that forks the workers and owns
# the FastCGI socket. We start it detached (setsid) so it survives the shell that started it (dev)
# and is not hit by a Ctrl-C meant for the script (test: the trap stops it cleanly instead).

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# pool_start BIN SOCKET PIDFILE LOG [NAME=VALUE...]
# Starts `BIN serve` with PARLEY_SOCKET=SOCKET plus the given environment, from the repo root (so
# the default PARLEY_MIGRATIONS_DIR=sql resolves), stderr+stdout appended to LOG. Waits until the
# master has created the socket and forked at least one worker.
pool_start() {
    local bin=$1 socket=$2 pidfile=$3 logfile=$4
    shift 4
    [[ -x $bin ]] || die "no parley binary at $bin"
    pool_stop "$pidfile"
    # A socket left by a crashed master would make bind() fail.
    rm -f "$socket"
    log "starting parley serve ($bin) on $socket"
    (
        cd "$PARLEY_REPO" || exit 1
        # exec all the way down, so $! is the master's pid. setsid does not fork here: a background
        # job of a non-interactive shell is never a process group leader.
        exec env PARLEY_SOCKET="$socket" "$@" setsid "$bin" serve
    ) >>"$logfile" 2>&1 </dev/null &
    local pid=$!
    printf '%s\n' "$pid" >"$pidfile"
    if ! wait_until 60 "parley serve to listen on $socket" pool_listening "$pid" "$socket"; then
        tail -n 40 "$logfile" >&2 || true
        pool_stop "$pidfile"
        die "parley serve did not come up (log: $logfile)"
    fi
}

# pool_listening PID SOCKET: the master is alive, the socket exists and a worker has been forked.
pool_listening() {
    pid_alive "$1" || return 1
    [[ -S $2 ]] || return 1
    [[ -n $(pool_workers "$1") ]]
}

# pool_workers MASTER_PID: the worker pids, one per line, sorted.
pool_workers() {
    pgrep -P "$1" | sort -n || true
}

# pool_pid PIDFILE: prints the master's pid if it is still our parley serve.
pool_pid() {
    local pid
    pid=$(read_pidfile "$1")
    if [[ -n $pid ]] && pid_is "$pid" serve; then printf '%s\n' "$pid"; fi
}

# pool_stop PIDFILE [TIMEOUT]: SIGTERM to the master (it drains and stops its workers), then after
# TIMEOUT seconds SIGKILL to its whole process group, like systemd's KillMode=mixed.
pool_stop() {
    local pidfile=$1 timeout=${2:-30} pid
    pid=$(pool_pid "$pidfile")
    if [[ -n $pid ]]; then
        log "stopping parley serve (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_until "$timeout" "parley serve (pid $pid) to exit" pid_gone "$pid"; then
            # The master is a session and group leader (setsid): this reaches the workers too.
            kill -KILL -- "-$pid" 2>/dev/null || true
            wait_until 5 "parley serve (pid $pid) to die" pid_gone "$pid" || true
        fi
        # Reap it when it is our child (scripts/test); harmless otherwise.
        wait "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}
