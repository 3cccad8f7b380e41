# shellcheck shell=bash
# Sourced by every Tests/Resilience/test_*.sh. They run from scripts/test, against the stack it
# started, and read it from PARLEY_TEST_* (listed in scripts/test). Each test checks one behaviour,
# prints exactly one "PASS name: …" or "FAIL name: reason" line, and exits 0 or 1.
#
# Run one by hand against a kept stack:
#   scripts/test --keep … ; source var/test.XXXXXX/test.env ; bash Tests/Resilience/test_02_sighup_reload.sh
set -euo pipefail

_res_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=scripts/lib/common.sh
source "$_res_dir/../../scripts/lib/common.sh"
# shellcheck source=scripts/lib/wrk.sh
source "$PARLEY_LIB/wrk.sh"
# shellcheck source=scripts/lib/pool.sh
source "$PARLEY_LIB/pool.sh"
# shellcheck source=scripts/lib/parley.sh
source "$PARLEY_LIB/parley.sh"
unset _res_dir

TEST_NAME=$(basename "$0" .sh)
TEST_VERDICT=""
TEST_TMP=$(mktemp -d "/tmp/parley-$TEST_NAME.XXXXXX")
# Extra cleanup steps a test registers (e.g. restart PostgreSQL), run before the temp dir goes.
TEST_CLEANUPS=()

_test_exit() {
    local rc=$? step
    for step in "${TEST_CLEANUPS[@]}"; do
        eval "$step" || true
    done
    rm -rf "$TEST_TMP"
    # A helper that died (die, set -e) still leaves a verdict line.
    if [[ -z $TEST_VERDICT ]]; then
        echo "FAIL $TEST_NAME: stopped early with exit status $rc (see the output above)"
        rc=1
    fi
    exit "$rc"
}
trap _test_exit EXIT
# scripts/test's timeout sends TERM: turn it into an exit so the cleanups (e.g. restarting
# PostgreSQL) still run.
trap 'exit 143' TERM
trap 'exit 130' INT

pass() {
    TEST_VERDICT=pass
    echo "PASS $TEST_NAME: $*"
    exit 0
}

fail() {
    TEST_VERDICT=fail
    echo "FAIL $TEST_NAME: $*"
    exit 1
}

# on_exit 'COMMAND': run COMMAND when the test ends, however it ends.
on_exit() { TEST_CLEANUPS+=("$1"); }

require_env() {
    local name
    for name in "$@"; do
        [[ -n ${!name:-} ]] || fail "$name is not set (run this through scripts/test)"
    done
}

# require_stack: the running stack's variables are set and its pool master is alive.
require_stack() {
    require_env PARLEY_TEST_BASE_URL PARLEY_TEST_MASTER_PID PARLEY_TEST_PARLEY_BIN \
        PARLEY_TEST_DATABASE_URL PARLEY_TEST_OWNER_DATABASE_URL
    pid_alive "$PARLEY_TEST_MASTER_PID" || fail "the pool master $PARLEY_TEST_MASTER_PID is not running"
}

# worker_pids: the pool's current workers, one per line, sorted.
worker_pids() { pool_workers "$PARLEY_TEST_MASTER_PID"; }

worker_count() { worker_pids | grep -c . || true; }

# create_test_key: a fresh tenant (enterprise plan: its rate limit is far above what a test sends)
# with an all-scopes key; prints the key.
create_test_key() {
    local tenant
    tenant=$(parley_create_tenant "$PARLEY_TEST_PARLEY_BIN" "$PARLEY_TEST_OWNER_DATABASE_URL" \
        "$PARLEY_TEST_DATABASE_URL" "$TEST_NAME $$" enterprise)
    parley_create_key "$PARLEY_TEST_PARLEY_BIN" "$PARLEY_TEST_OWNER_DATABASE_URL" \
        "$PARLEY_TEST_DATABASE_URL" "$tenant" "$TEST_NAME" query,ingest,admin
}

# wrk_start OUTFILE WRK_ARGS...: wrk in the background (its summary into OUTFILE); sets WRK_PID.
wrk_start() {
    local out=$1
    shift
    wrk "$@" >"$out" 2>&1 &
    # shellcheck disable=SC2034 # read by the tests
    WRK_PID=$!
}

# wrk_summary FILE: the numbers a verdict quotes.
wrk_summary() {
    echo "$(wrk_requests "$1") requests, $(wrk_non2xx "$1") non-2xx, $(wrk_socket_errors "$1") socket errors"
}
