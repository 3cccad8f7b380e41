# shellcheck shell=bash
# Where a dev/test/bench run keeps its database, sockets, configs and logs.
#
# Layout of a run dir (the same for dev, test and bench):
#   pg/            the PostgreSQL cluster: data/, its unix socket, postgres.log (owned by postgres)
#   run/           the FastCGI socket; root:www-data, setgid, 2750 — see run_dir_create
#   nginx/         rendered nginx.conf + site.conf, pid, error/access logs, temp dirs
#   logs/          parley.log (the pool's stderr: one JSON line per request), migrate.log, …
#   stack.env      what stack_up started, so stack_down/status can find it again
#
# The preferred place is var/NAME in the repo. PostgreSQL runs as `postgres` and nginx workers as
# `www-data`, so both must be able to traverse every directory above the run dir; a clone under a
# private home directory (e.g. /root, mode 0700) does not allow that, and unix socket paths must stay
# under 108 bytes. In those cases the run dir moves to /var/tmp (dev, persistent) or /tmp (test,
# throwaway), and we say so. We never loosen permissions above the repo's own var/.

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Longest run dir path that still leaves room for "/pg/.s.PGSQL.NNNNN.lock" and "/run/parley.sock".
PARLEY_RUN_DIR_MAX_LEN=80

# user_can_traverse USER DIR: USER can reach DIR (search permission on every component).
user_can_traverse() {
    runuser -u "$1" -- test -x "$2" 2>/dev/null
}

run_dir_usable() {
    local dir=$1
    ((${#dir} <= PARLEY_RUN_DIR_MAX_LEN)) &&
        user_can_traverse postgres "$dir" &&
        user_can_traverse www-data "$dir"
}

# run_dir_create DIR: makes the layout above with the permissions each user needs.
run_dir_create() {
    local dir=$1
    mkdir -p "$dir"/{pg,run,nginx,logs}
    chmod 0755 "$dir" "$dir/nginx"
    chmod 0750 "$dir/logs"
    chown postgres:postgres "$dir/pg"
    chmod 0750 "$dir/pg"
    # The FastCGI socket dir: nginx workers (group www-data) may enter, nobody else. The setgid bit
    # makes the socket the pool creates here belong to group www-data, so the pool's default socket
    # mode 0660 is enough — the same ownership parley.socket gives in production.
    chown root:www-data "$dir/run"
    chmod 2750 "$dir/run"
}

# run_dir_persistent NAME: the run dir for a long-lived stack (scripts/dev). Prints its path.
run_dir_persistent() {
    local name=$1 dir
    mkdir -p "$PARLEY_REPO/var"
    chmod 0755 "$PARLEY_REPO/var"
    dir="$PARLEY_REPO/var/$name"
    mkdir -p "$dir"
    chmod 0755 "$dir"
    if ! run_dir_usable "$dir"; then
        # Same repo → same fallback dir, so `scripts/dev stop` finds what `scripts/dev` started.
        local sum
        sum=$(printf '%s' "$PARLEY_REPO" | cksum | cut -d' ' -f1)
        warn "$dir is not reachable by postgres/www-data or too long for a socket path; using /var/tmp/parley-$name-$sum"
        dir="/var/tmp/parley-$name-$sum"
    fi
    run_dir_create "$dir"
    printf '%s\n' "$dir"
}

# run_dir_throwaway NAME: a fresh run dir for one test/bench run; the caller removes it.
run_dir_throwaway() {
    local name=$1 dir
    mkdir -p "$PARLEY_REPO/var"
    chmod 0755 "$PARLEY_REPO/var"
    dir=$(mktemp -d "$PARLEY_REPO/var/$name.XXXXXX")
    chmod 0755 "$dir"
    if ! run_dir_usable "$dir"; then
        rmdir "$dir"
        dir=$(mktemp -d "/tmp/parley-$name.XXXXXX")
        chmod 0755 "$dir"
        warn "$PARLEY_REPO/var is not reachable by postgres/www-data or too long for a socket path; using $dir"
    fi
    run_dir_create "$dir"
    printf '%s\n' "$dir"
}
