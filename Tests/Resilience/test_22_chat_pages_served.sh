#!/usr/bin/env bash
# nginx serves the chat page for any /chat/{widget_id} with a CSP that forbids inline scripts, and
# serves /widget.js and the modules and styles it loads readable from any origin (they run on
# tenants' sites), cacheable; nothing else becomes cross-origin readable.
# shellcheck source=Tests/Resilience/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_env PARLEY_TEST_BASE_URL

# get PATH: status, then headers in $TEST_TMP/headers and the body in $TEST_TMP/body.
get() {
    curl -s -o "$TEST_TMP/body" -D "$TEST_TMP/headers" -w '%{http_code}' --max-time 10 \
        -H 'Origin: https://shop.example' "$PARLEY_TEST_BASE_URL$1"
}
header() { grep -i "^$1:" "$TEST_TMP/headers" | head -n1 | cut -d: -f2- | tr -d '\r' | sed 's/^ //'; }

status=$(get "/chat/wid_abcdefghij0123456789")
[[ $status == 200 ]] || fail "/chat/wid_… answered $status"
grep -q 'src="/chat/chat.js"' "$TEST_TMP/body" || fail "/chat/wid_… is not chat/index.html"
csp=$(header Content-Security-Policy)
[[ $csp == *"script-src 'self'"* ]] || fail "/chat/ CSP has no script-src 'self': $csp"
[[ $csp != *unsafe-inline* && $csp != *unsafe-eval* ]] || fail "/chat/ CSP allows unsafe scripts: $csp"
[[ -z $(header Access-Control-Allow-Origin) ]] || fail "the chat page is CORS-readable"
# The pages themselves carry no inline script or style (the CSP would block them).
for page in nginx/www/chat/index.html nginx/www/index.html; do
    if grep -o '<script[^>]*>' "$PARLEY_REPO/$page" | grep -qv 'src='; then fail "$page has an inline script"; fi
    if grep -qE '<style|style=' "$PARLEY_REPO/$page"; then fail "$page has inline styles"; fi
done

status=$(get "/chat/")
[[ $status == 200 ]] && grep -q 'chat.js' "$TEST_TMP/body" || fail "/chat/ without an id answered $status, not the page"
status=$(get "/chat/.secret")
[[ $status == 404 ]] || fail "/chat/.secret answered $status, not 404"

status=$(get "/chat/chat.js")
[[ $status == 200 && $(header Content-Type) == *javascript* ]] || fail "/chat/chat.js: $status $(header Content-Type)"
cmp -s "$TEST_TMP/body" "$PARLEY_REPO/nginx/www/chat/chat.js" || fail "/chat/chat.js is not the file"

for path in /widget.js /widget/embed.js /widget/widget.css /shared/chat-view.js /shared/chat.css; do
    status=$(get "$path")
    [[ $status == 200 ]] || fail "$path answered $status"
    [[ $(header Access-Control-Allow-Origin) == "*" ]] || fail "$path is not CORS-readable"
    [[ $(header Cache-Control) == *max-age=* ]] || fail "$path is not cacheable: $(header Cache-Control)"
    [[ $(header X-Content-Type-Options) == nosniff ]] || fail "$path lost the server's security headers"
done
[[ $(header Content-Type) == text/css* ]] || fail "/shared/chat.css is $(header Content-Type)"

status=$(get "/")
[[ $status == 200 && -z $(header Access-Control-Allow-Origin) ]] || fail "/ is CORS-readable or missing ($status)"
pass "chat page under /chat/{id} with a strict CSP; widget.js, /widget/ and /shared/ CORS-readable and cacheable"
