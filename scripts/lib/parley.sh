# shellcheck shell=bash
# Running parley's admin commands (tenant, key, migrate) against a stack's database.

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# parley_cli BIN OWNER_URL APP_URL ARGS...: BIN ARGS with the owner role for admin work, from the
# repo root so the migrations in sql/ are the ones applied.
parley_cli() {
    local bin=$1 owner=$2 app=$3
    shift 3
    (
        cd "$PARLEY_REPO" || exit 1
        PARLEY_OWNER_DATABASE_URL=$owner PARLEY_DATABASE_URL=$app \
            PARLEY_MIGRATIONS_DIR="$PARLEY_REPO/sql" exec "$bin" "$@"
    )
}

# parley_create_tenant BIN OWNER_URL APP_URL NAME PLAN: prints the new tenant id (ten_…).
parley_create_tenant() {
    local out id
    out=$(parley_cli "$1" "$2" "$3" tenant create --name "$4" --plan "$5") ||
        die "parley tenant create failed"
    id=$(printf '%s\n' "$out" | grep -E '^ten_[a-z0-9]+$' | tail -n1)
    [[ -n $id ]] || die "parley tenant create printed no tenant id: $out"
    printf '%s\n' "$id"
}

# parley_create_key BIN OWNER_URL APP_URL TENANT NAME SCOPES: prints the new key (pk_live_…),
# which parley shows only once, on the last line of its output.
parley_create_key() {
    local out key
    out=$(parley_cli "$1" "$2" "$3" key create --tenant "$4" --name "$5" --scopes "$6") ||
        die "parley key create failed"
    key=$(printf '%s\n' "$out" | tail -n1)
    [[ $key == pk_live_* ]] || die "parley key create did not end with a pk_live_ key"
    printf '%s\n' "$key"
}
