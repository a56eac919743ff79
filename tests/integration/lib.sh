# lib.sh - shared by the integration tests (sourced): assertions, psql, a fresh database per test.
# The runner (tests/integration/run) exports OG_PG_HOST/OG_PG_PORT of the cluster it started,
# ONEGRID_BIN (the binary under test) and ONEGRID_TOOLS (og-feedgen, og-worldgen).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
OG=${ONEGRID_BIN:-$ROOT/build/bin/onegrid}
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() {
    failed=$((failed + 1)); echo "FAIL - $1"; shift
    local l; for l in "$@"; do printf '       %s\n' "$l"; done
}
finish() { echo "$passed passed, $failed failed"; ((failed == 0)); exit $?; }

# new_db NAME: creates a database and exports ONEGRID_DSN for it
new_db() {
    local db="og_$1_$$"
    "$PGBIN/createdb" -h "$OG_PG_HOST" -p "$OG_PG_PORT" -U postgres "$db" || { echo "cannot create $db" >&2; exit 1; }
    export ONEGRID_DSN="host=$OG_PG_HOST port=$OG_PG_PORT dbname=$db user=postgres"
}
# q SQL: one query against ONEGRID_DSN, unaligned, tuples only
q() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$ONEGRID_DSN" -c "$1"; }
# check NAME EXPECTED ACTUAL
check() {
    if [[ "$3" == "$2" ]]; then pass "$1"; else fail "$1" "expected: $2" "got:      $3"; fi
}
# check_q NAME EXPECTED SQL
check_q() { local got; got=$(q "$3" 2>&1); check "$1" "$2" "$got"; }
# manifest KEY...: a value of samples/MANIFEST.json (jq-free: PostgreSQL reads the JSON)
manifest() {
    local path=$1 file=${2:-$ROOT/samples/MANIFEST.json}
    "$PGBIN/psql" -X -q -At -d "$ONEGRID_DSN" -v m="$(cat "$file")" <<<"SELECT coalesce(((:'m')::jsonb #>> '{$path}'), '0')"
}
# an identity key for the run (mode 0600)
with_key() {
    local k="$WORK/id.key"
    printf 'integration-test-key-0123456789abcdef' >"$k"
    chmod 600 "$k"
    export ONEGRID_ID_KEY_FILE=$k
}
# hl_setup N BATCH: N deterministic HL-2 visits (og-feedgen) in $WORK/hl/visits.ndjson and $WORK/onegrid.json
# with one source reading them in batches of BATCH
hl_setup() {
    mkdir -p "$WORK/hl"
    "${ONEGRID_TOOLS:-$ROOT/build/bin}/og-feedgen" --world "$ROOT/world/jinping" --crosswalks "$ROOT/mappings/crosswalks" \
        --hl "$1" --hl-out "$WORK/hl/visits.ndjson" 2>"$WORK/gen.err"
    cat >"$WORK/onegrid.json" <<JSON
{"batch_size": $2, "world": {"dir": "$ROOT/world/jinping", "crosswalks": "$ROOT/mappings/crosswalks"},
 "taxonomy": "$ROOT/mappings/taxonomy/categories.csv",
 "sources": [{"name": "hl_visits", "inputs": "hl/*.ndjson", "mapping": "$ROOT/mappings/health/hl_visits.json"}]}
JSON
}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/og-it.XXXXXX")
trap 'rm -rf -- "$WORK"' EXIT
# fingerprint: one line per warehouse table (name, rows, md5 of the rows without what differs from run to run
# by design), then the clusters of linked events and the ledger
VOLATILE="ARRAY['run_id','first_run_id','loaded_at','recorded_at','created_at','history_id','reject_id',
                'link_id','replay_run_id','replay_of']"
fingerprint() {
    local t out=""
    for t in event event_history event_link visit visit_member person person_history housing health_code \
        health_code_change etl_reject event_daily; do
        out+="$t $(q "SELECT count(*) || ' ' || coalesce(md5(string_agg(r, E'\n' ORDER BY r)), '-')
                      FROM (SELECT (to_jsonb(x) - $VOLATILE)::text AS r FROM onegrid.$t x) y")"$'\n'
    done
    out+="clusters $(q "SELECT md5(coalesce(string_agg(m, ';' ORDER BY m), '')) FROM (SELECT string_agg(event_id, ','
                        ORDER BY event_id) AS m FROM onegrid.event WHERE link_id IS NOT NULL GROUP BY link_id) c")"$'\n'
    out+="ledger $(q "SELECT md5(string_agg(source || kind || key || version || position || done || records || rejects,
                      ',' ORDER BY source, key, version)) FROM onegrid.etl_source_state")"
    echo "$out"
}
