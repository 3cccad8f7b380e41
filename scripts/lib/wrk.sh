# shellcheck shell=bash
# Reading wrk's summary (its text output saved to a file). Shared by scripts/bench and the
# Resilience tests. wrk counts a response as an error when its status is >= 400 ("Non-2xx or 3xx
# responses") and separately counts connect/read/write/timeout socket errors.

# wrk_non2xx FILE: responses with status >= 400 (0 when wrk printed no such line).
wrk_non2xx() {
    awk '/Non-2xx or 3xx responses:/ { n = $NF } END { print n + 0 }' "$1"
}

# wrk_socket_errors FILE: connect + read + write + timeout errors.
wrk_socket_errors() {
    awk '/Socket errors:/ { gsub(",", ""); n = $4 + $6 + $8 + $10 } END { print n + 0 }' "$1"
}

# wrk_failures FILE: every request that did not get a 2xx/3xx answer.
wrk_failures() {
    echo $(($(wrk_non2xx "$1") + $(wrk_socket_errors "$1")))
}

# wrk_requests FILE: completed requests ("N requests in …").
wrk_requests() {
    awk '/ requests in / { n = $1 } END { print n + 0 }' "$1"
}

# wrk_rps FILE: requests per second.
wrk_rps() {
    awk '/^Requests\/sec:/ { r = $2 } END { print r + 0 }' "$1"
}

# wrk_latency_ms FILE PERCENT: a latency percentile from --latency output (50, 75, 90, 99), in ms.
wrk_latency_ms() {
    awk -v pct="$2%" '
        $1 == pct && NF == 2 {
            v = $2
            if (v ~ /us$/)     { sub(/us$/, "", v); ms = v / 1000 }
            else if (v ~ /ms$/) { sub(/ms$/, "", v); ms = v + 0 }
            else if (v ~ /m$/)  { sub(/m$/, "", v); ms = v * 60000 }
            else if (v ~ /s$/)  { sub(/s$/, "", v); ms = v * 1000 }
        }
        END { printf "%.3f\n", ms + 0 }' "$1"
}
