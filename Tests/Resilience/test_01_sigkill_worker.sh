#!/usr/bin/env bash
# A worker killed with SIGKILL mid-load is replaced by the master within seconds, and only the
# requests that worker had in flight (at most one per thread) fail.
# shellcheck source=Tests/Resilience/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_stack
require_env PARLEY_TEST_THREADS

before=$(worker_pids)
expected=$(worker_count)
((expected > 0)) || fail "the pool has no workers"
victim=$(head -n1 <<<"$before")

wrk_start "$TEST_TMP/wrk.txt" -t2 -c16 -d6s --timeout 5s "$PARLEY_TEST_BASE_URL/healthz"
sleep 2
kill -KILL "$victim" || fail "could not SIGKILL worker $victim"

# shellcheck disable=SC2317 # called through wait_until
replaced() {
    local now
    now=$(worker_pids)
    ! grep -qx "$victim" <<<"$now" && [[ $(grep -c . <<<"$now") -eq $expected ]]
}
if ! wait_until 5 "worker $victim to be replaced" replaced; then
    wait "$WRK_PID" || true
    fail "worker $victim not replaced within 5 s (workers now: $(worker_pids | paste -sd' ' -))"
fi
wait "$WRK_PID" || fail "wrk failed: $(cat "$TEST_TMP/wrk.txt")"

after=$(worker_pids)
newcomer=$(comm -13 <(sort <<<"$before") <(sort <<<"$after") | paste -sd' ' -)
[[ -n $newcomer ]] || fail "no new worker pid (before: $before, after: $after)"
requests=$(wrk_requests "$TEST_TMP/wrk.txt")
failures=$(wrk_failures "$TEST_TMP/wrk.txt")
((requests > 0)) || fail "wrk completed no requests: $(cat "$TEST_TMP/wrk.txt")"
((failures <= PARLEY_TEST_THREADS)) ||
    fail "$failures failed requests, more than the $PARLEY_TEST_THREADS a worker can have in flight ($(wrk_summary "$TEST_TMP/wrk.txt"))"
pass "worker $victim replaced by $newcomer; $(wrk_summary "$TEST_TMP/wrk.txt")"
