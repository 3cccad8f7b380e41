# shellcheck shell=bash
# Building the Swift package. PARLEY_BUILD_PATH (default .build) is passed as --scratch-path, so a
# second checkout-local build dir can be used without fighting over .build's lock.

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PARLEY_BUILD_PATH=${PARLEY_BUILD_PATH:-$PARLEY_REPO/.build}

# swift_build CONFIG [SWIFT BUILD ARGS...]: CONFIG is debug or release.
swift_build() {
    local config=$1
    shift
    log "swift build -c $config $*"
    (cd "$PARLEY_REPO" && swift build -c "$config" --scratch-path "$PARLEY_BUILD_PATH" "$@")
}

# parley_bin CONFIG: path of the built parley binary for CONFIG.
parley_bin() {
    local dir
    dir=$(cd "$PARLEY_REPO" && swift build -c "$1" --scratch-path "$PARLEY_BUILD_PATH" --show-bin-path)
    printf '%s\n' "$dir/parley"
}
