# shellcheck shell=bash
# The Python reference Parley is measured against: sentence-transformers on PyTorch (CPU), in a
# venv under var/ so it never touches the system Python. Used by scripts/make-embed-fixtures (to
# write the committed fixtures) and scripts/bench embed (to time the reference side by side).
# Parley itself never runs Python.

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

REFERENCE_VENV=${REFERENCE_VENV:-$PARLEY_REPO/var/reference-venv}
# The CPU build of PyTorch: the default wheel drags in gigabytes of CUDA libraries.
REFERENCE_PACKAGES="torch==2.13.0+cpu sentence-transformers transformers safetensors"

# Offline: everything is local, and a hub lookup would only hang until its timeout here.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 TOKENIZERS_PARALLELISM=false

# reference_python: makes sure the venv exists with the reference packages (a stamp records the
# package set, so changing a pin reinstalls); prints its python.
reference_python() {
    local stamp=$REFERENCE_VENV/.parley-packages
    if [[ ! -x $REFERENCE_VENV/bin/python ]]; then
        log "creating $REFERENCE_VENV"
        python3 -m venv "$REFERENCE_VENV"
    fi
    if [[ "$(cat "$stamp" 2>/dev/null)" != "$REFERENCE_PACKAGES" ]]; then
        log "installing $REFERENCE_PACKAGES"
        # shellcheck disable=SC2086 # a list of package specs
        "$REFERENCE_VENV/bin/pip" install --quiet --disable-pip-version-check $REFERENCE_PACKAGES >&2
        printf '%s' "$REFERENCE_PACKAGES" >"$stamp"
    fi
    printf '%s\n' "$REFERENCE_VENV/bin/python"
}

# reference_require PYTHON "MODULE, …" PACKAGE...: pip-installs PACKAGEs into the reference venv
# when `import MODULE, …` fails (extras one benchmark needs and the embedding reference does not).
reference_require() {
    local python=$1 modules=$2
    shift 2
    "$python" -c "import $modules" 2>/dev/null && return 0
    log "installing $* into the reference venv"
    "$python" -m pip install --quiet --disable-pip-version-check "$@" >&2
}
