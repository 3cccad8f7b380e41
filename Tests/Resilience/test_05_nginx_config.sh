#!/usr/bin/env bash
# nginx accepts both the config this run renders from nginx/parley.conf and the site file exactly
# as scripts/install ships it, included in a minimal nginx.conf the way Debian includes sites.
# shellcheck source=Tests/Resilience/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_env PARLEY_TEST_NGINX_CONF

[[ -f $PARLEY_TEST_NGINX_CONF ]] || fail "no rendered config at $PARLEY_TEST_NGINX_CONF"
if ! out=$(nginx -t -e "$TEST_TMP/error.log" -c "$PARLEY_TEST_NGINX_CONF" 2>&1); then
    fail "nginx -t rejects the rendered config: $out"
fi

# The production site, verbatim. nginx -t opens the log files it names, so the site's
# /var/log/nginx/parley.access.log may be created; remove it again if this test made it.
access_log=/var/log/nginx/parley.access.log
if [[ ! -e $access_log ]]; then on_exit "rm -f $access_log"; fi
ln -s /etc/nginx/fastcgi_params /etc/nginx/mime.types "$TEST_TMP/"
cat >"$TEST_TMP/nginx.conf" <<CONF
pid $TEST_TMP/nginx.pid;
error_log $TEST_TMP/error.log;
events {}
http {
    include mime.types;
    include $PARLEY_REPO/nginx/parley.conf;
}
CONF
if ! out=$(nginx -t -e "$TEST_TMP/error.log" -c "$TEST_TMP/nginx.conf" 2>&1); then
    fail "nginx -t rejects nginx/parley.conf as a site: $out"
fi
# Warnings (e.g. a conflicting server name) pass nginx -t but mean something is off.
if grep -q '\[warn\]' <<<"$out"; then fail "nginx -t warns: $out"; fi
pass "rendered config and production site both pass nginx -t"
