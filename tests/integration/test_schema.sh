#!/usr/bin/env bash
# test_schema.sh: apply loader/sql migrations to a throwaway PostgreSQL and check the warehouse schema contract.
#
# Starts a cluster with ops/pg-local in a temporary folder (stopped and removed on exit), applies the numbered
# migrations the way the loader's runner does (each file in one transaction, in order, recorded in
# onegrid.schema_migrations), then asserts on the catalog and on what the constraints accept and refuse.
# Prints "N passed, M failed"; exits non-zero on any failure.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
SQLDIR=${OG_SQLDIR:-$ROOT/loader/sql} # override to check the checks against a broken copy
PG_LOCAL=$ROOT/ops/pg-local

passed=0
failed=0
pass() {
    passed=$((passed + 1))
    echo "ok   - $1"
}
fail() {
    failed=$((failed + 1))
    echo "FAIL - $1"
    shift
    local line
    for line in "$@"; do printf '       %s\n' "$line"; done
}
finish() {
    echo "$passed passed, $failed failed"
    if ((failed > 0)); then exit 1; fi
    exit 0
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/og-schema.XXXXXX") || { echo "cannot create a temporary folder" >&2; exit 1; }
cleanup() {
    "$PG_LOCAL" stop "$TMP" >/dev/null 2>&1
    rm -rf -- "$TMP"
}
trap cleanup EXIT

if ! DSN=$("$PG_LOCAL" start "$TMP"); then
    fail "start a local cluster with ops/pg-local" "see the messages above"
    finish
fi
if [[ $DSN =~ ^host=127\.0\.0\.1\ port=[0-9]+\ dbname=onegrid\ user=postgres$ && $(cat "$TMP/dsn") == "$DSN" ]]; then
    pass "ops/pg-local start prints the conninfo and writes DIR/dsn ($DSN)"
else
    fail "ops/pg-local start prints the conninfo and writes DIR/dsn" "got: '$DSN'"
fi
DSN2=${DSN/dbname=onegrid/dbname=onegrid2}

# q DSN SQL: run SQL, print unaligned tuples only; non-zero exit on any error.
q() {
    "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# check_eq NAME EXPECTED DSN SQL: the single value SQL returns equals EXPECTED.
check_eq() {
    local name=$1 expected=$2 dsn=$3 sql=$4 got
    if got=$(q "$dsn" "$sql" 2>&1) && [[ $got == "$expected" ]]; then
        pass "$name"
    else
        fail "$name" "expected: $expected" "got: $got"
    fi
}

# expect_ok NAME DSN SQL: SQL succeeds.
expect_ok() {
    local name=$1 dsn=$2 sql=$3 out
    if out=$(q "$dsn" "$sql" 2>&1); then pass "$name"; else fail "$name" "$out"; fi
}

# expect_sqlstate NAME STATE DSN SQL: SQL fails with SQLSTATE STATE.
expect_sqlstate() {
    local name=$1 state=$2 dsn=$3 sql=$4 out
    if out=$("$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$dsn" -c "$sql" 2>&1); then
        fail "$name" "expected SQLSTATE $state, but the statement succeeded"
    elif [[ $out == *"ERROR:  $state:"* ]]; then
        pass "$name"
    else
        fail "$name" "expected SQLSTATE $state, got: $out"
    fi
}

dbname_of() { # dbname_of DSN: the dbname= value
    local rest=${1##*dbname=}
    echo "${rest%% *}"
}

# migrate DSN: emulate the loader's runner: bookkeeping table, then each file in its own transaction, in order.
migrate() {
    local dsn=$1 f base version out ok=0
    if ! out=$(q "$dsn" "CREATE SCHEMA IF NOT EXISTS onegrid; CREATE TABLE IF NOT EXISTS onegrid.schema_migrations(
            version int primary key, name text not null, applied_at timestamptz not null default now())" 2>&1); then
        fail "runner bookkeeping table in $(dbname_of "$dsn")" "$out"
        return 1
    fi
    for f in "$SQLDIR"/[0-9][0-9][0-9]_*.sql; do
        base=${f##*/}
        version=$((10#${base%%_*}))
        if out=$("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$dsn" -f "$f" 2>&1) &&
            out=$(q "$dsn" "INSERT INTO onegrid.schema_migrations(version, name) VALUES ($version, '$base')" 2>&1); then
            pass "apply $base to $(dbname_of "$dsn")"
        else
            fail "apply $base to $(dbname_of "$dsn")" "$out"
            ok=1
        fi
    done
    return $ok
}

# --- the migrations apply, in order --------------------------------------------------------------------------------
files=("$SQLDIR"/[0-9][0-9][0-9]_*.sql)
names=$(printf '%s ' "${files[@]##*/}")
nmig=${#files[@]}
want_nums=$(seq -f '%03g' 1 "$nmig" | tr '\n' ' ')
got_nums=$(printf '%s ' "${files[@]##*/}" | grep -oE '(^| )[0-9]{3}_' | tr -d ' _' | tr '\n' ' ')
if [[ $names == "001_places.sql 002_facts.sql 003_etl.sql 004_roles.sql "* && $got_nums == "$want_nums" ]]; then
    pass "migration files are 001..$(printf '%03d' "$nmig") in order, without gaps"
else
    fail "migration files are numbered 001.. in order, without gaps" "got: $names"
fi
if ! migrate "$DSN"; then
    finish
fi
check_eq "schema_migrations records $nmig versions" "$(seq -s, 1 "$nmig")" "$DSN" \
    "SELECT string_agg(version::text, ',' ORDER BY version) FROM onegrid.schema_migrations"
if grep -nE '^\s*\\' "${files[@]}" >/dev/null; then
    fail "no psql meta-commands in the migrations" "$(grep -nE '^\s*\\' "${files[@]}")"
else
    pass "no psql meta-commands in the migrations"
fi
if grep -niE 'schema_migrations' "${files[@]}" | grep -vE '^[^:]+:[0-9]+:\s*--' >/dev/null; then
    fail "the migrations leave schema_migrations to the runner" \
        "$(grep -niE 'schema_migrations' "${files[@]}" | grep -vE '^[^:]+:[0-9]+:\s*--')"
else
    pass "the migrations leave schema_migrations to the runner"
fi

# --- every table exists ---------------------------------------------------------------------------------------------
tables=(division division_alias grid dept_grid dept_grid_shape grid_worker
    event event_history visit visit_member person housing health_code health_code_change event_link
    etl_run etl_source_state etl_reject analyst_scope)
for t in "${tables[@]}"; do
    check_eq "table onegrid.$t exists" "r" "$DSN" \
        "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'onegrid' AND c.relname = '$t'"
done
check_eq "postgis extension is installed (in schema public)" "public" "$DSN" \
    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgis'"

# --- every table and column is documented ---------------------------------------------------------------------------
# schema_migrations is created by the runner (the C loader), not by these files, so it is left out here.
check_eq "every column in schema onegrid has a comment" "" "$DSN" \
    "SELECT string_agg(c.relname || '.' || a.attname, ', ' ORDER BY c.relname, a.attnum)
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_description d
              ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND d.objsubid = a.attnum
      WHERE n.nspname = 'onegrid' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND c.relname <> 'schema_migrations'
        AND a.attnum > 0 AND NOT a.attisdropped
        AND (d.description IS NULL OR btrim(d.description) = '')"
check_eq "every table in schema onegrid has a comment" "" "$DSN" \
    "SELECT string_agg(c.relname, ', ' ORDER BY c.relname)
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND d.objsubid = 0
      WHERE n.nspname = 'onegrid' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND c.relname <> 'schema_migrations'
        AND (d.description IS NULL OR btrim(d.description) = '')"
check_eq "at least 19 tables and 200 columns are covered by the comment check" "t" "$DSN" \
    "SELECT count(DISTINCT c.oid) >= 19 AND count(*) >= 200
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'onegrid' AND c.relkind = 'r' AND c.relname <> 'schema_migrations'
        AND a.attnum > 0 AND NOT a.attisdropped"

# --- indexes and geometry -------------------------------------------------------------------------------------------
check_eq "grid.boundary has a GiST index" "boundary" "$DSN" \
    "SELECT string_agg(a.attname, ',')
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_am am ON am.oid = ic.relam
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = 'onegrid.grid'::regclass AND am.amname = 'gist'"
check_eq "event.geom has a GiST index" "1" "$DSN" \
    "SELECT count(*) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
      WHERE i.indrelid = 'onegrid.event'::regclass AND am.amname = 'gist'"
check_eq "geometry columns are typed and in EPSG:4326 (for QGIS)" \
    "dept_grid_shape.boundary:MULTIPOLYGON:4326,division.boundary:MULTIPOLYGON:4326,event.geom:POINT:4326,grid.boundary:MULTIPOLYGON:4326,housing.geom:POINT:4326,visit.geom:POINT:4326" \
    "$DSN" \
    "SELECT string_agg(f_table_name || '.' || f_geometry_column || ':' || type || ':' || srid, ','
                       ORDER BY f_table_name, f_geometry_column)
       FROM geometry_columns WHERE f_table_schema = 'onegrid'"
expect_sqlstate "grid.boundary refuses a Point" 22023 "$DSN" \
    "INSERT INTO onegrid.grid(grid_code, community_code, street_code, county_code, boundary)
     VALUES ('440511001001099', '440511001001', '440511001', '440511', 'SRID=4326;POINT(116.7 23.36)')"

# --- constraints accept good rows and refuse bad ones ---------------------------------------------------------------
expect_ok "a valid grid row is accepted" "$DSN" \
    "INSERT INTO onegrid.grid(grid_code, community_code, street_code, county_code, boundary)
     VALUES ('440511001001001', '440511001001', '440511001', '440511',
             'SRID=4326;MULTIPOLYGON(((116.70 23.36, 116.71 23.36, 116.71 23.37, 116.70 23.36)))')"
expect_sqlstate "grid_code CHECK refuses a 12-digit code" 23514 "$DSN" \
    "INSERT INTO onegrid.grid(grid_code, community_code, street_code, county_code, boundary)
     VALUES ('440511001001', '440511001001', '440511001', '440511',
             'SRID=4326;MULTIPOLYGON(((116.70 23.36, 116.71 23.36, 116.71 23.37, 116.70 23.36)))')"
expect_sqlstate "dept_grid weight CHECK refuses 0" 23514 "$DSN" \
    "INSERT INTO onegrid.dept_grid VALUES ('PS', '44051103JW012', '440511001001001', 0)"
expect_sqlstate "dept_grid department CHECK refuses XX" 23514 "$DSN" \
    "INSERT INTO onegrid.dept_grid VALUES ('XX', '44051103JW012', '440511001001001', 1)"
expect_sqlstate "division level CHECK refuses 6" 23514 "$DSN" \
    "INSERT INTO onegrid.division(code, level, name, edition) VALUES ('4405110010010011', 6, 'x', '2023')"

event_insert() { # event_insert ID STATUS GRID_METHOD
    echo "INSERT INTO onegrid.event(event_id, department, source, source_id, category_code, status, grid_method,
                                    row_hash, run_id, first_run_id)
          VALUES ('$1', 'PS', 'ps.incidents', '$1', '0301', '$2', '$3', 'h', 1, 1)"
}
expect_ok "an event with status reported is accepted" "$DSN" "$(event_insert PS-1 reported point)"
expect_sqlstate "event status CHECK refuses 'open'" 23514 "$DSN" "$(event_insert PS-2 open point)"
expect_sqlstate "event grid_method CHECK refuses 'guess'" 23514 "$DSN" "$(event_insert PS-3 reported guess)"
expect_sqlstate "event (department, source, source_id) is unique" 23505 "$DSN" \
    "INSERT INTO onegrid.event(event_id, department, source, source_id, category_code, status, grid_method,
                               row_hash, run_id, first_run_id)
     VALUES ('PS-1-again', 'PS', 'ps.incidents', 'PS-1', '0301', 'reported', 'none', 'h', 1, 1)"
check_eq "event attrs defaults to {}" "{}" "$DSN" "SELECT attrs::text FROM onegrid.event WHERE event_id = 'PS-1'"

hist="INSERT INTO onegrid.event_history(event_id, status, source_status, changed_at, run_id)
      VALUES ('PS-1', 'reported', NULL, '2020-02-03 14:05:00+08', 1)"
expect_ok "an event_history row with NULL source_status is accepted" "$DSN" "$hist"
expect_sqlstate "an event_history duplicate with NULL source_status is refused (NULLS NOT DISTINCT)" 23505 "$DSN" \
    "$hist"
expect_ok "an event_history row differing only in source_status is accepted" "$DSN" \
    "INSERT INTO onegrid.event_history(event_id, status, source_status, changed_at, run_id)
     VALUES ('PS-1', 'reported', '1', '2020-02-03 14:05:00+08', 1)"
expect_ok "a second history row (closed) is accepted" "$DSN" \
    "INSERT INTO onegrid.event_history(event_id, status, changed_at, run_id)
     VALUES ('PS-1', 'closed', '2020-02-03 16:00:00+08', 1)"
q "$DSN" "DELETE FROM onegrid.event WHERE event_id = 'PS-1'" >/dev/null 2>&1
check_eq "no event_history rows remain after the event is deleted" "0" "$DSN" \
    "SELECT count(*) FROM onegrid.event_history WHERE event_id = 'PS-1'"

expect_sqlstate "visit_member health_code CHECK refuses 'blue'" 23514 "$DSN" \
    "INSERT INTO onegrid.visit(visit_id, department, source, source_id, grid_method, member_count, row_hash, run_id,
                               first_run_id) VALUES ('HL-v1', 'HL', 'hl_visits', 'v1', 'none', 1, 'h', 1, 1);
     INSERT INTO onegrid.visit_member(visit_id, seq, health_code) VALUES ('HL-v1', 1, 'blue')"
expect_sqlstate "etl_run status CHECK refuses 'done'" 23514 "$DSN" \
    "INSERT INTO onegrid.etl_run(status) VALUES ('done')"
expect_sqlstate "etl_source_state kind CHECK refuses 'ftp'" 23514 "$DSN" \
    "INSERT INTO onegrid.etl_source_state(source, kind, key) VALUES ('s', 'ftp', 'k')"
expect_sqlstate "etl_reject stage CHECK refuses 'parse'" 23514 "$DSN" \
    "INSERT INTO onegrid.etl_run(status) VALUES ('running');
     INSERT INTO onegrid.etl_reject(run_id, source, input, record_index, stage, reason, message)
     VALUES (currval('onegrid.etl_run_run_id_seq'), 's', 'f', 0, 'parse', 'bad_json', 'm')"
expect_sqlstate "etl_reject needs an existing run" 23503 "$DSN" \
    "INSERT INTO onegrid.etl_reject(run_id, source, input, record_index, stage, reason, message)
     VALUES (999999, 's', 'f', 0, 'read', 'bad_json', 'm')"

# --- roles and grants -----------------------------------------------------------------------------------------------
check_eq "roles onegrid_loader and onegrid_analyst exist and cannot log in" "onegrid_analyst:false,onegrid_loader:false" "$DSN" \
    "SELECT string_agg(rolname || ':' || rolcanlogin, ',' ORDER BY rolname) FROM pg_roles
      WHERE rolname IN ('onegrid_loader', 'onegrid_analyst')"
expect_ok "the loader can write events and use the run sequence" "$DSN" \
    "SET ROLE onegrid_loader;
     INSERT INTO onegrid.etl_run(status) VALUES ('running');
     $(event_insert PS-9 dispatched source);
     UPDATE onegrid.event SET status = 'closed' WHERE event_id = 'PS-9';
     CREATE TEMP TABLE stage_event (LIKE onegrid.event)"
expect_ok "the analyst can read events and etl_reject without raw" "$DSN" \
    "SET ROLE onegrid_analyst;
     SELECT count(*) FROM onegrid.event; SELECT count(*) FROM onegrid.grid;
     SELECT reject_id, run_id, source, input, version, record_index, line, byte_offset, position, stage, reason,
            field, message, created_at FROM onegrid.etl_reject"
expect_sqlstate "the analyst cannot read etl_reject.raw" 42501 "$DSN" \
    "SET ROLE onegrid_analyst; SELECT raw FROM onegrid.etl_reject"
expect_sqlstate "the analyst cannot write" 42501 "$DSN" \
    "SET ROLE onegrid_analyst; DELETE FROM onegrid.event"

# --- 004 is safe to run in a second database of the same cluster (roles are cluster-wide) ---------------------------
if q "$DSN" "CREATE DATABASE onegrid2" >/dev/null 2>&1; then
    migrate "$DSN2" # includes 004_roles.sql finding the roles already there
    check_eq "the second database's grants name the same cluster-wide roles" "t" "$DSN2" \
        "SELECT has_table_privilege('onegrid_loader', 'onegrid.event', 'INSERT')
            AND has_table_privilege('onegrid_analyst', 'onegrid.event', 'SELECT')
            AND NOT has_column_privilege('onegrid_analyst', 'onegrid.etl_reject', 'raw', 'SELECT')"
    expect_sqlstate "the analyst cannot read etl_reject.raw in the second database either" 42501 "$DSN2" \
        "SET ROLE onegrid_analyst; SELECT raw FROM onegrid.etl_reject"
else
    fail "create a second database onegrid2"
fi

# --- pg-local status/stop -------------------------------------------------------------------------------------------
if out=$("$PG_LOCAL" status "$TMP") && [[ $out == "running: $DSN"* ]]; then
    pass "ops/pg-local status reports the running cluster"
else
    fail "ops/pg-local status reports the running cluster" "got: $out"
fi
if "$PG_LOCAL" stop "$TMP" 2>/dev/null && ! "$PG_LOCAL" status "$TMP" >/dev/null && "$PG_LOCAL" stop "$TMP" 2>/dev/null; then
    pass "ops/pg-local stop stops it and is harmless when repeated"
else
    fail "ops/pg-local stop stops it and is harmless when repeated"
fi

finish
