#!/usr/bin/env bash
# The admin console's modules, unit-tested in headless Chromium (Tests/AdminConsole/unit.js): event
# streams over POST (the shared parser itself is tested in Tests/Pages), the fetch wrapper's CSRF and problem+json handling, the charts, text-only rendering
# of hostile values, live document status, role-disabled controls, the one-time key secret and
# the settings merge patch. The page and the console's files are served side by side from a
# temporary directory, so the test page never ships with the console.
# shellcheck source=Tests/Resilience/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n $browser ]] || fail "chromium is not installed (scripts/test installs it with the dev packages)"

root=$TEST_TMP/www
mkdir -p "$root"
cp -R "$PARLEY_REPO/nginx/www/admin" "$root/admin"
cp -R "$PARLEY_REPO/nginx/www/shared" "$root/shared"
cp "$PARLEY_REPO/Tests/AdminConsole/unit.html" "$PARLEY_REPO/Tests/AdminConsole/unit.js" "$root/"
port=$(free_port 28700)
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$root" >"$TEST_TMP/http.log" 2>&1 &
server=$!
on_exit "kill $server 2>/dev/null || true"
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done

# Virtual time: the page's timers (the 2 s poll) run as fast as the CPU allows.
# --no-sandbox: scripts/test runs as root, where Chromium's sandbox cannot start.
timeout 120 "$browser" --headless=new --no-sandbox --disable-gpu --user-data-dir="$TEST_TMP/profile" \
    --virtual-time-budget=60000 --dump-dom "http://127.0.0.1:$port/unit.html" >"$TEST_TMP/dom" 2>"$TEST_TMP/chromium.log" || true
sed -E 's/^<pre id="out">//' "$TEST_TMP/dom" | grep -E '^(PASS|FAIL) ' | sed 's/^/    /' || true
result=$(grep -oE 'RESULT passed=[0-9]+ failed=[0-9]+' "$TEST_TMP/dom" || true)
[[ -n $result ]] || fail "the unit page did not finish: $(tail -c 600 "$TEST_TMP/dom") $(tail -n 5 "$TEST_TMP/chromium.log")"
[[ $result == *"failed=0" ]] || fail "$(sed -E 's/^<pre id="out">//' "$TEST_TMP/dom" | grep -E '^FAIL ' | head -5 | tr '\n' ' ')"
passed=${result#RESULT passed=}
passed=${passed%% *}
((passed >= 12)) || fail "only $passed unit tests ran"
pass "$passed admin console unit tests pass in headless Chromium"
