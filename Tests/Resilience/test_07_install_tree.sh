#!/usr/bin/env bash
# `scripts/install --root DIR` lays out a complete installation inside DIR — binary, migrations,
# pages, units, nginx site (enabled), a 0640 env file — keeps an edited env file on a second run,
# and touches nothing outside DIR.
# shellcheck source=Tests/Resilience/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_env PARLEY_TEST_PARLEY_BIN

root=$TEST_TMP/root
system_bin_before=$(stat -c '%Y %s' /usr/local/bin/parley 2>/dev/null || echo absent)
"$PARLEY_REPO/scripts/install" --root "$root" --bin "$PARLEY_TEST_PARLEY_BIN" >"$TEST_TMP/install.log" 2>&1 ||
    fail "scripts/install failed: $(tail -n 20 "$TEST_TMP/install.log")"

check() { # check DESCRIPTION TEST-ARGS...
    local what=$1
    shift
    test "$@" || fail "$what"
}
check "binary not installed" -x "$root/usr/local/bin/parley"
cmp -s "$PARLEY_TEST_PARLEY_BIN" "$root/usr/local/bin/parley" || fail "installed binary differs from $PARLEY_TEST_PARLEY_BIN"
for sql in "$PARLEY_REPO"/sql/*.sql; do
    cmp -s "$sql" "$root/usr/share/parley/sql/$(basename "$sql")" || fail "migration $(basename "$sql") not installed"
done
check "static pages missing" -f "$root/usr/share/parley/www/index.html"
check "roles.sql missing" -f "$root/usr/share/parley/roles.sql"
check "parley.service missing" -f "$root/etc/systemd/system/parley.service"
check "parley.socket missing" -f "$root/etc/systemd/system/parley.socket"
check "parley-ingest.service missing" -f "$root/etc/systemd/system/parley-ingest.service"
check "parley-ingest.timer missing" -f "$root/etc/systemd/system/parley-ingest.timer"
if [[ -f $PARLEY_REPO/var/models/all-MiniLM-L6-v2/model.safetensors ]]; then
    check "embedding model not installed" -f "$root/var/lib/parley/models/all-MiniLM-L6-v2/model.safetensors"
fi
cmp -s "$PARLEY_REPO/nginx/parley.conf" "$root/etc/nginx/sites-available/parley" || fail "nginx site not installed"
[[ $(readlink "$root/etc/nginx/sites-enabled/parley") == ../sites-available/parley ]] || fail "nginx site not enabled"
check "enabled site link does not resolve" -f "$root/etc/nginx/sites-enabled/parley"
env_file=$root/etc/parley/parley.env
check "env file missing" -f "$env_file"
[[ $(stat -c '%a' "$env_file") == 640 ]] || fail "env file mode is $(stat -c '%a' "$env_file"), want 640"
[[ $(stat -c '%a' "$root/etc/parley") == 750 ]] || fail "/etc/parley mode is $(stat -c '%a' "$root/etc/parley"), want 750"

# A second run keeps the admin's configuration.
echo "PARLEY_WORKERS=7 # edited" >>"$env_file"
"$PARLEY_REPO/scripts/install" --root "$root" --bin "$PARLEY_TEST_PARLEY_BIN" >"$TEST_TMP/install2.log" 2>&1 ||
    fail "second scripts/install failed: $(tail -n 20 "$TEST_TMP/install2.log")"
grep -q '^PARLEY_WORKERS=7 # edited$' "$env_file" || fail "a re-install overwrote the edited parley.env"

[[ $(stat -c '%Y %s' /usr/local/bin/parley 2>/dev/null || echo absent) == "$system_bin_before" ]] ||
    fail "--root install touched /usr/local/bin/parley"
pass "complete tree in --root, env file kept on re-install, system untouched"
