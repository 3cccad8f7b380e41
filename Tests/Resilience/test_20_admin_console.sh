#!/usr/bin/env bash
# The admin console is served by nginx at /admin and /admin/ with the admin CSP (no inline
# scripts, never framed), every module it imports answers 200 with a JavaScript type (browsers
# refuse module scripts of any other type), and its source keeps the page rules: no inline
# scripts or styles, no HTML sinks (innerHTML & co.) anywhere in its code.
# shellcheck source=Tests/Resilience/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_env PARLEY_TEST_BASE_URL

www=$PARLEY_REPO/nginx/www
base=$PARLEY_TEST_BASE_URL

for path in /admin /admin/; do
    got=$(curl -s -o "$TEST_TMP/page" -D "$TEST_TMP/headers" -w '%{http_code} %{content_type}' "$base$path") || true
    [[ $got == "200 text/html"* ]] || fail "GET $path: expected 200 text/html, got '$got'"
    grep -q 'data-testid="login-email"' "$TEST_TMP/page" || fail "GET $path did not serve the console's page"
    csp=$(grep -i '^Content-Security-Policy:' "$TEST_TMP/headers" | tr -d '\r') || fail "GET $path: no Content-Security-Policy"
    for want in "script-src 'self'" "style-src 'self'" "frame-ancestors 'none'" "object-src 'none'"; do
        [[ $csp == *"$want"* ]] || fail "GET $path: CSP lacks $want: $csp"
    done
    [[ $csp != *unsafe-inline* && $csp != *unsafe-eval* ]] || fail "GET $path: CSP allows unsafe code: $csp"
    grep -qi '^X-Frame-Options: DENY' "$TEST_TMP/headers" || fail "GET $path: no X-Frame-Options DENY"
done

# The page itself: scripts and styles only from files.
page=$www/admin/index.html
if grep -Eq '<script(>| [^>]*>[^<]+)|<style|style=| on[a-z]+=' "$page"; then
    fail "index.html has inline script, style or event handler: $(grep -En '<script(>| [^>]*>[^<]+)|<style|style=| on[a-z]+=' "$page" | head -3)"
fi

# No HTML sinks in the console's code: API values are rendered as text only.
if sinks=$(grep -RnE '\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|new Function|eval\(' --include='*.js' "$www/admin"); then
    fail "HTML sinks in the console's code: $sinks"
fi

# Every module reachable from app.js (and the stylesheet) answers with the right type.
declare -A seen=()
queue=(/admin/app.js)
while ((${#queue[@]})); do
    url=${queue[0]}
    queue=("${queue[@]:1}")
    [[ -z ${seen[$url]:-} ]] || continue
    seen[$url]=1
    got=$(curl -s -o "$TEST_TMP/module" -w '%{http_code} %{content_type}' "$base$url") || true
    [[ $got =~ ^200\ (application|text)/javascript ]] || fail "GET $url: expected 200 with a JavaScript type, got '$got'"
    dir=$(dirname "$url")
    while read -r spec; do
        # An absolute specifier (the shared modules under /shared/) is a path on this origin.
        if [[ $spec == /* ]]; then queue+=("$spec"); else queue+=("$(realpath -m "$dir/$spec")"); fi
    done < <(grep -oE '^import [^"]*"[^"]+"|^} from "[^"]+"' "$TEST_TMP/module" | sed -E 's/.*"([^"]+)"$/\1/')
done
((${#seen[@]} >= 10)) || fail "only ${#seen[@]} modules reachable from app.js: ${!seen[*]}"
got=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$base/admin/admin.css") || true
[[ $got == "200 text/css"* ]] || fail "GET /admin/admin.css: expected 200 text/css, got '$got'"

pass "/admin and /admin/ serve the console with the admin CSP; ${#seen[@]} modules load; no inline code or HTML sinks"
