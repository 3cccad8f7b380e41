#!/usr/bin/env bash
# Server-sent events reach the client as they are written: nginx must not buffer streaming
# responses. Four events 400 ms apart must arrive spread out, not together at the end.
# shellcheck source=Tests/Resilience/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_stack

headers="$TEST_TMP/headers"
curl -sN --max-time 10 -D "$headers" "$PARLEY_TEST_BASE_URL/healthz/stream?count=4&interval_ms=400" |
    while IFS= read -r line; do
        if [[ $line == data:* ]]; then echo "$(date +%s%N) $line"; fi
    done >"$TEST_TMP/arrivals"

grep -qi '^content-type: text/event-stream' "$headers" || fail "not an event stream: $(tr -d '\r' <"$headers" | paste -sd' ' -)"
count=$(grep -c . "$TEST_TMP/arrivals" || true)
((count == 4)) || fail "got $count of 4 events: $(cat "$TEST_TMP/arrivals")"
first=$(head -1 "$TEST_TMP/arrivals" | cut -d' ' -f1)
last=$(tail -1 "$TEST_TMP/arrivals" | cut -d' ' -f1)
spread_ms=$(((last - first) / 1000000))
# Sent 1200 ms apart from first to last; buffering would deliver them within a few ms of each other.
((spread_ms >= 900)) || fail "events arrived within ${spread_ms} ms of each other: something buffers the stream"
pass "4 events arrived over ${spread_ms} ms, as sent"
