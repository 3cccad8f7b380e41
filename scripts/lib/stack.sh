# shellcheck shell=bash
# The whole local stack — PostgreSQL, `parley migrate`, the `parley serve` pool, nginx — brought up
# and down the same way by scripts/dev (persistent), scripts/test and scripts/bench (throwaway).
#
# Set before stack_up (defaults in brackets):
#   STACK_BIN                  the parley binary (required)
#   STACK_WORKERS [nproc]      PARLEY_WORKERS        STACK_THREADS [4]  PARLEY_THREADS
#   STACK_HTTP_PORT [8080]     first port nginx tries (the next free one is taken)
#   STACK_PG_MODE [""]         "fast" for throwaway clusters (no fsync)
#   STACK_NGINX_EXTRA_HTTP, STACK_NGINX_EXTRA_LOCATIONS   files rendered into nginx (bench only)
#   STACK_POOL_ENV=(NAME=VALUE …)   more environment for `parley serve`
# stack_up records what it started in RUN_DIR/stack.env; stack_down and stack_status read it back.

_stack_lib=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=scripts/lib/common.sh
source "$_stack_lib/common.sh"
# shellcheck source=scripts/lib/pg.sh
source "$_stack_lib/pg.sh"
# shellcheck source=scripts/lib/pool.sh
source "$_stack_lib/pool.sh"
# shellcheck source=scripts/lib/nginx.sh
source "$_stack_lib/nginx.sh"
# shellcheck source=scripts/lib/parley.sh
source "$_stack_lib/parley.sh"
unset _stack_lib

# The private cluster listens on no TCP port at all (listen_addresses=''): the port only names its
# socket file inside the run dir, so the standard one never collides with anything.
STACK_PG_PORT=5432

# The variables stack.env keeps.
STACK_SAVED=(STACK_RUN STACK_BIN STACK_WORKERS STACK_THREADS STACK_PG_DIR STACK_PG_PORT
    STACK_DATABASE_URL STACK_OWNER_DATABASE_URL STACK_SOCKET STACK_POOL_PIDFILE STACK_POOL_LOG
    STACK_HTTP_PORT STACK_BASE_URL STACK_INDEX_DIR)

stack_save() { write_env_file "$STACK_RUN/stack.env" "${STACK_SAVED[@]}"; }

# stack_load RUN_DIR: reads back what stack_up recorded; false if nothing was.
stack_load() {
    [[ -f $1/stack.env ]] || return 1
    # shellcheck source=/dev/null
    source "$1/stack.env"
}

# stack_up RUN_DIR: brings everything up and waits until /healthz answers 200 through nginx.
stack_up() {
    STACK_RUN=$1
    [[ -n ${STACK_BIN:-} && -x $STACK_BIN ]] || die "stack_up: STACK_BIN is not an executable: ${STACK_BIN:-unset}"
    STACK_WORKERS=${STACK_WORKERS:-$(nproc)}
    STACK_THREADS=${STACK_THREADS:-4}
    STACK_PG_DIR=$STACK_RUN/pg
    STACK_DATABASE_URL=$(pg_conninfo "$STACK_PG_DIR" "$STACK_PG_PORT" parley_app)
    STACK_OWNER_DATABASE_URL=$(pg_conninfo "$STACK_PG_DIR" "$STACK_PG_PORT" parley_owner)
    STACK_SOCKET=$STACK_RUN/run/parley.sock
    STACK_POOL_PIDFILE=$STACK_RUN/run/parley.pid
    STACK_POOL_LOG=$STACK_RUN/logs/parley.log
    STACK_HTTP_PORT=$(free_port "${STACK_HTTP_PORT:-8080}")
    STACK_BASE_URL=http://127.0.0.1:$STACK_HTTP_PORT
    # Search index files belong to this stack's database: never share them with another stack.
    STACK_INDEX_DIR=$STACK_RUN/index
    # Saved before anything starts, so a failure half-way can still be torn down from the file.
    stack_save

    pg_start "$STACK_PG_DIR" "$STACK_PG_PORT" "${STACK_PG_MODE:-}"

    log "parley migrate"
    if ! parley_cli "$STACK_BIN" "$STACK_OWNER_DATABASE_URL" "$STACK_DATABASE_URL" migrate \
        >"$STACK_RUN/logs/migrate.log" 2>&1; then
        cat "$STACK_RUN/logs/migrate.log" >&2
        die "parley migrate failed"
    fi

    pool_start "$STACK_BIN" "$STACK_SOCKET" "$STACK_POOL_PIDFILE" "$STACK_POOL_LOG" \
        PARLEY_DATABASE_URL="$STACK_DATABASE_URL" \
        PARLEY_OWNER_DATABASE_URL="$STACK_OWNER_DATABASE_URL" \
        PARLEY_WORKERS="$STACK_WORKERS" \
        PARLEY_THREADS="$STACK_THREADS" \
        PARLEY_MIGRATIONS_DIR="$PARLEY_REPO/sql" \
        PARLEY_PUBLIC_URL="$STACK_BASE_URL" \
        PARLEY_INDEX_DIR="$STACK_INDEX_DIR" \
        "${STACK_POOL_ENV[@]}"

    nginx_render "$STACK_RUN" "$STACK_HTTP_PORT" "$STACK_SOCKET" \
        "${STACK_NGINX_EXTRA_HTTP:-}" "${STACK_NGINX_EXTRA_LOCATIONS:-}"
    nginx_start "$STACK_RUN"

    if ! wait_until 30 "GET /healthz through nginx" stack_healthy; then
        tail -n 20 "$STACK_POOL_LOG" "$STACK_RUN/nginx/error.log" >&2 || true
        die "the stack does not answer $STACK_BASE_URL/healthz"
    fi
    log "stack up: $STACK_BASE_URL (pool pid $(read_pidfile "$STACK_POOL_PIDFILE"), run dir $STACK_RUN)"
}

stack_healthy() {
    [[ $(http_status "$STACK_BASE_URL/healthz") == 200 ]]
}

# stack_master_pid: the running pool master's pid (empty if none).
stack_master_pid() { pool_pid "$STACK_POOL_PIDFILE"; }

# stack_down RUN_DIR: stops nginx, the pool and PostgreSQL (its data stays). Safe on partial stacks.
stack_down() {
    stack_load "$1" || return 0
    nginx_stop "$STACK_RUN"
    pool_stop "$STACK_POOL_PIDFILE"
    pg_stop "$STACK_PG_DIR"
}

# stack_status RUN_DIR: one line per component; false if any is down.
stack_status() {
    local ok=0 pid
    if ! stack_load "$1"; then
        echo "no stack recorded in $1"
        return 1
    fi
    if pg_running "$STACK_PG_DIR"; then
        echo "postgres  running   $STACK_PG_DIR (socket port $STACK_PG_PORT)"
    else
        echo "postgres  stopped   $STACK_PG_DIR"
        ok=1
    fi
    pid=$(stack_master_pid)
    if [[ -n $pid ]]; then
        echo "pool      running   master $pid, workers $(pool_workers "$pid" | paste -sd' ' -), socket $STACK_SOCKET"
    else
        echo "pool      stopped"
        ok=1
    fi
    pid=$(nginx_pid "$STACK_RUN")
    if [[ -n $pid ]]; then
        echo "nginx     running   master $pid, $STACK_BASE_URL (GET /healthz: $(http_status "$STACK_BASE_URL/healthz"))"
    else
        echo "nginx     stopped"
        ok=1
    fi
    return "$ok"
}
