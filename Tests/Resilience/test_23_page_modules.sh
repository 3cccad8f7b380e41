#!/usr/bin/env bash
# The pages' shared ES modules pass their unit tests (Tests/Pages, node's built-in runner): the
# event-stream parser, citation markers, AA contrast of every theme, the public API client, and
# the chat page's and widget's weight (each under 60 KB).
# shellcheck source=Tests/Resilience/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

command -v node >/dev/null 2>&1 || fail "node is not installed (scripts/lib/packages.sh lists nodejs)"
if ! out=$(cd "$PARLEY_REPO" && node --test Tests/Pages/ 2>&1); then
    fail "node --test Tests/Pages failed: $(grep -E '^not ok|AssertionError|Error' <<<"$out" | head -n 8)"
fi
sizes=$(grep -oE '(chat page|widget): [0-9]+ bytes' <<<"$out" | paste -sd ';' -)
pass "$(grep -oE '^# pass [0-9]+' <<<"$out" | cut -c3-) module tests; $sizes"
