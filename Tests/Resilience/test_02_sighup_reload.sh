#!/usr/bin/env bash
# SIGHUP makes the master replace its workers one by one without dropping a request: two reloads
# under load leave a full set of new workers, and zero failed requests.
# shellcheck source=Tests/Resilience/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_stack

before=$(worker_pids)
expected=$(worker_count)
((expected > 0)) || fail "the pool has no workers"

wrk_start "$TEST_TMP/wrk.txt" -t2 -c16 -d8s --timeout 5s "$PARLEY_TEST_BASE_URL/healthz"
sleep 2
kill -HUP "$PARLEY_TEST_MASTER_PID"
sleep 2
kill -HUP "$PARLEY_TEST_MASTER_PID"
wait "$WRK_PID" || fail "wrk failed: $(cat "$TEST_TMP/wrk.txt")"

# shellcheck disable=SC2317 # called through wait_until
all_replaced() {
    local now
    now=$(worker_pids)
    [[ $(grep -c . <<<"$now") -eq $expected ]] &&
        [[ -z $(comm -12 <(sort <<<"$before") <(sort <<<"$now")) ]]
}
wait_until 20 "every worker to be replaced" all_replaced ||
    fail "workers before: $(paste -sd' ' - <<<"$before"); after: $(worker_pids | paste -sd' ' -) (want $expected, all new)"
pid_alive "$PARLEY_TEST_MASTER_PID" || fail "the master exited on SIGHUP"

requests=$(wrk_requests "$TEST_TMP/wrk.txt")
((requests > 0)) || fail "wrk completed no requests: $(cat "$TEST_TMP/wrk.txt")"
non2xx=$(wrk_non2xx "$TEST_TMP/wrk.txt")
socket_errors=$(wrk_socket_errors "$TEST_TMP/wrk.txt")
((non2xx == 0 && socket_errors == 0)) || fail "requests failed during reload: $(wrk_summary "$TEST_TMP/wrk.txt")"
pass "all $expected workers replaced; $(wrk_summary "$TEST_TMP/wrk.txt")"
