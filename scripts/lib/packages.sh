# shellcheck shell=bash
# Debian packages Parley needs, and ensure_packages to install only the missing ones.
# The Swift toolchain is not a Debian package: it is expected on PATH (see README).

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# (The arrays are used by the scripts that source this file.)
# shellcheck disable=SC2034
# Headers and libraries the Swift package links against (Package.swift system-library targets).
PARLEY_BUILD_PACKAGES=(
    libfcgi-dev libpq-dev libcurl4-openssl-dev libssl-dev libmagic-dev
    libopenblas-dev libpoppler-glib-dev libstemmer-dev zlib1g-dev libxml2-dev
)
# What a production host runs next to the binary.
# shellcheck disable=SC2034
PARLEY_RUNTIME_PACKAGES=(nginx postgresql-client curl procps systemd)
# shellcheck disable=SC2034
# What dev, test and bench add: a local database, load generators, a browser and Python (standard
# library only) for the browser tests, and nodejs for the pages' module unit tests (Tests/Pages, no npm).
PARLEY_DEV_PACKAGES=(postgresql spawn-fcgi wrk chromium chromium-driver python3 gcc nodejs)

# package_installed NAME: dpkg knows NAME as fully installed.
package_installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# ensure_packages NAME...: apt-get installs the ones dpkg says are missing, after one apt-get update.
ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        package_installed "$pkg" || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then return 0; fi
    if [[ $EUID -ne 0 ]]; then
        die "missing Debian packages (run as root to install them): ${missing[*]}"
    fi
    log "installing missing packages: ${missing[*]}"
    # No stdin in CI: never let apt or debconf ask anything.
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
}

require_swift() {
    command -v swift >/dev/null 2>&1 || die "swift is not on PATH: install the Swift 6.3 toolchain first"
}
