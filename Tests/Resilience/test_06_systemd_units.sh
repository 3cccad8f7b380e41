#!/usr/bin/env bash
# Every unit in systemd/ passes `systemd-analyze verify` without a single warning. verify wants each
# ExecStart binary to exist, so the units are checked as copies whose /usr/local/bin/parley points at
# the binary under test. (verify works without systemd as PID 1, e.g. in a container.)
# shellcheck source=Tests/Resilience/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_env PARLEY_TEST_PARLEY_BIN
command -v systemd-analyze >/dev/null || fail "systemd-analyze is not installed"

units=()
for unit in "$PARLEY_REPO"/systemd/*.service "$PARLEY_REPO"/systemd/*.socket "$PARLEY_REPO"/systemd/*.timer; do
    [[ -e $unit ]] || continue
    sed "s|/usr/local/bin/parley|$PARLEY_TEST_PARLEY_BIN|g" "$unit" >"$TEST_TMP/$(basename "$unit")"
    units+=("$TEST_TMP/$(basename "$unit")")
done
((${#units[@]} > 0)) || fail "no units found in systemd/"

# verify exits 0 on some problems (unknown keys are only warnings): any output is a failure.
out=$(cd "$TEST_TMP" && systemd-analyze verify --man=no "${units[@]}" 2>&1) || fail "systemd-analyze verify failed: $out"
[[ -z $out ]] || fail "systemd-analyze verify warns: $out"
pass "verified ${#units[@]} units: $(cd "$TEST_TMP" && echo "${units[@]##*/}")"
