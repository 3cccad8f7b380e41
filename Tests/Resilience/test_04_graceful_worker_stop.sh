#!/usr/bin/env bash
# SIGTERM to workers is graceful: requests already in flight run to completion (here, streams that
# last two seconds), and the master brings the pool back to full strength.
# shellcheck source=Tests/Resilience/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_stack

expected=$(worker_count)
((expected > 0)) || fail "the pool has no workers"
streams=4
for i in $(seq "$streams"); do
    curl -sN --max-time 20 "$PARLEY_TEST_BASE_URL/healthz/stream?count=5&interval_ms=400" >"$TEST_TMP/stream.$i" &
done
sleep 0.6
before=$(worker_pids)
# shellcheck disable=SC2086 # one pid per word
kill -TERM $before
wait

for i in $(seq "$streams"); do
    got=$(grep -c '^event: tick' "$TEST_TMP/stream.$i" || true)
    ((got == 5)) || fail "stream $i was cut off after $got of 5 events when its worker was stopped"
done

# shellcheck disable=SC2317 # called through wait_until
restored() {
    local now
    now=$(worker_pids)
    [[ $(grep -c . <<<"$now") -eq $expected ]] && [[ -z $(comm -12 <(sort <<<"$before") <(sort <<<"$now")) ]]
}
wait_until 20 "the pool to be back at $expected workers" restored || fail "workers now: $(worker_pids | paste -sd' ' -)"
status=$(curl -s -o /dev/null -w '%{http_code}' "$PARLEY_TEST_BASE_URL/healthz")
[[ $status == 200 ]] || fail "the restored pool answers $status"
pass "$streams in-flight streams finished all 5 events; $expected workers replaced"
