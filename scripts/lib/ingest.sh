# shellcheck shell=bash
# `parley ingest --loop` for scripts/dev: the ingestion job running continuously (woken by uploads
# through LISTEN parley_ingest), so documents uploaded in the demo are processed without systemd.
# Production runs the same job from parley-ingest.timer instead.

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# ingest_start BIN PIDFILE LOG [NAME=VALUE...]: starts the loop detached, with the given environment.
ingest_start() {
    local bin=$1 pidfile=$2 logfile=$3
    shift 3
    ingest_stop "$pidfile"
    log "starting parley ingest --loop"
    (
        cd "$PARLEY_REPO" || exit 1
        exec env "$@" setsid "$bin" ingest --loop --quiet
    ) >>"$logfile" 2>&1 </dev/null &
    printf '%s\n' "$!" >"$pidfile"
    sleep 0.5
    pid_alive "$!" || die "parley ingest exited at once (log: $logfile)"
}

# ingest_pid PIDFILE: the loop's pid if it is still running.
ingest_pid() {
    local pid
    pid=$(read_pidfile "$1")
    if [[ -n $pid ]] && pid_is "$pid" ingest; then printf '%s\n' "$pid"; fi
}

# ingest_stop PIDFILE: SIGTERM (the job hands its current document back to the queue), then KILL.
ingest_stop() {
    local pid
    pid=$(ingest_pid "$1")
    [[ -n $pid ]] || return 0
    log "stopping parley ingest (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_until 30 "parley ingest (pid $pid) to exit" pid_gone "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
}
