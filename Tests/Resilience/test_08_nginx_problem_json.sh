#!/usr/bin/env bash
# nginx's own 413 (a body over client_max_body_size, refused before the app sees it) is RFC 9457
# problem+json like the app's errors, with a request id.
# shellcheck source=Tests/Resilience/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_env PARLEY_TEST_BASE_URL

# 202 MiB: over nginx's 201m. A sparse file, streamed with -T: curl sends Content-Length, so nginx
# answers without reading the body.
truncate -s $((202 * 1024 * 1024)) "$TEST_TMP/big"
got=$(curl -s -o "$TEST_TMP/body" -D "$TEST_TMP/headers" -w '%{http_code} %{content_type}' --max-time 30 \
    -X POST -H 'Content-Type: application/octet-stream' -T "$TEST_TMP/big" \
    "$PARLEY_TEST_BASE_URL/v1/documents") || true
[[ $got == "413 application/problem+json"* ]] || fail "expected 413 application/problem+json, got '$got'"
# The same type slug as the app's own 413 (Sources/HTTP/Problem.swift).
if ! grep -q '"type":"/problems/payload-too-large"' "$TEST_TMP/body" || ! grep -q '"status":413' "$TEST_TMP/body"; then
    fail "body is not the 413 problem: $(head -c 300 "$TEST_TMP/body")"
fi
grep -qi '^X-Request-ID: [0-9a-f]\{32\}' "$TEST_TMP/headers" || fail "no X-Request-ID header on the 413"
pass "over-limit body answered 413 application/problem+json with a request id"
