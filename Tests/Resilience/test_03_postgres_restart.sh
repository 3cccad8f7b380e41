#!/usr/bin/env bash
# When PostgreSQL goes away, requests that need it get 503 problem+json (no crash, no hang), and
# when it is back they succeed again — with the same worker processes: connections are re-opened
# by the workers, nobody restarts anything.
# shellcheck source=Tests/Resilience/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_stack
require_env PARLEY_TEST_PG_CTL

key=$(create_test_key)
url=$PARLEY_TEST_BASE_URL/v1/tenant

# probe: prints "STATUS CONTENT-TYPE" of GET /v1/tenant with the key.
probe() {
    curl -s -o "$TEST_TMP/body" -w '%{http_code} %{content_type}' --max-time 5 \
        -H "Authorization: Bearer $key" "$url" || true
}
# shellcheck disable=SC2317 # called through wait_until
answers() { [[ $(probe) == "$1"* ]]; }
# shellcheck disable=SC2317 # called through wait_until
answers_problem_503() {
    local got
    got=$(probe)
    [[ $got == "503 application/problem+json"* ]]
}

wait_until 10 "200 from /v1/tenant" answers 200 || fail "GET /v1/tenant does not answer 200 to start with: $(probe)"
before=$(worker_pids)

# Whatever happens below, later tests need the database back.
# shellcheck disable=SC2016 # expanded when the cleanup runs
on_exit '"$PARLEY_TEST_PG_CTL" status >/dev/null 2>&1 || "$PARLEY_TEST_PG_CTL" start >/dev/null'
"$PARLEY_TEST_PG_CTL" stop >/dev/null || fail "could not stop PostgreSQL"

if ! wait_until 10 "503 problem+json while PostgreSQL is down" answers_problem_503; then
    fail "with PostgreSQL down, GET /v1/tenant answered '$(probe)': $(head -c 300 "$TEST_TMP/body")"
fi

"$PARLEY_TEST_PG_CTL" start >/dev/null || fail "could not start PostgreSQL again"
wait_until 10 "200 after PostgreSQL is back" answers 200 ||
    fail "10 s after PostgreSQL came back, GET /v1/tenant still answers '$(probe)'"

after=$(worker_pids)
[[ $before == "$after" ]] ||
    fail "workers changed across the outage: before $(paste -sd' ' - <<<"$before"), after $(paste -sd' ' - <<<"$after")"
pass "503 problem+json during the outage, 200 again after; workers unchanged ($(paste -sd' ' - <<<"$after"))"
