# shellcheck shell=bash
# Basics shared by scripts/{dev,test,bench,install} and Tests/Resilience: where the repo is,
# how we talk to the user, and how we wait for things. Sourced, never executed.

if [[ -n "${PARLEY_LIB_COMMON_LOADED:-}" ]]; then return 0; fi
PARLEY_LIB_COMMON_LOADED=1

# The repo root is two levels above this file, whatever the caller's cwd is.
PARLEY_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
# shellcheck disable=SC2034 # used by the scripts that source this file
PARLEY_LIB="$PARLEY_REPO/scripts/lib"

# Messages go to stderr so that functions can print results on stdout.
log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

require_root() {
    # The stack starts PostgreSQL as `postgres` and nginx workers as `www-data`: only root can do both.
    if [[ $EUID -ne 0 ]]; then
        die "$(basename "$0") must run as root (it starts PostgreSQL as postgres and nginx workers as www-data)"
    fi
}

# wait_until SECONDS DESCRIPTION COMMAND [ARGS...]
# Polls COMMAND every 0.2 s until it succeeds; fails (without exiting) after SECONDS.
wait_until() {
    local timeout=$1 what=$2
    shift 2
    local deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            warn "timed out after ${timeout}s waiting for $what"
            return 1
        fi
        sleep 0.2
    done
}

# pid_alive PID: true while PID exists and is not a zombie.
pid_alive() {
    local state
    state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ $state != Z* ]]
}

# pid_is PID WORD: true if PID is alive and its command line contains WORD. Guards every kill of a
# pid read from a file, so a recycled pid never gets a signal meant for one of our processes.
pid_is() {
    local pid=$1 word=$2 args
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    pid_alive "$pid" || return 1
    args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $args == *"$word"* ]]
}

# read_pidfile FILE: prints the first line of FILE if it is a pid, nothing otherwise.
read_pidfile() {
    local pid=""
    if [[ -r $1 ]]; then read -r pid <"$1" || true; fi
    if [[ $pid =~ ^[0-9]+$ ]]; then printf '%s\n' "$pid"; fi
}

# free_port START: the first TCP port >= START that nothing on 127.0.0.1 accepts connections on.
# (A race with another process binding it later is possible; callers retry by failing loudly.)
free_port() {
    local port=$1
    while ((port < 65535)); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            printf '%s\n' "$port"
            return 0
        fi
        port=$((port + 1))
    done
    die "no free TCP port at or above $1"
}

# write_env_file FILE NAME... : saves the named shell variables as a sourceable file, safely quoted.
write_env_file() {
    local file=$1 name
    shift
    : >"$file"
    chmod 0600 "$file"
    for name in "$@"; do
        printf '%s=%q\n' "$name" "${!name-}" >>"$file"
    done
}

# http_status URL [CURL ARGS...]: prints the HTTP status code (000 when nothing answered).
http_status() {
    local url=$1
    shift
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$url" || true
}

# pid_gone PID: the opposite of pid_alive, for wait_until.
pid_gone() { ! pid_alive "$1"; }
