#!/usr/bin/env bash
# test_pgsource.sh - HT-1 12345 tickets from a department's own PostgreSQL (a second cluster started
# here with ops/pg-local) through the pgsql source: a table changed between runs loads exactly the
# changes (inserts, status updates, rows sharing an updated_at across a FETCH boundary), the stored
# watermark is the last row, kill -9 mid-pull and a rerun lose and double nothing; the password
# from the environment or a 0600 file (a group-readable one refused), errors that name the source,
# the option and the server's message.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
chmod 755 "$WORK"
DEPT=$WORK/dept
pids=()
cleanup_pg() {
    local p
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    bash "$ROOT/ops/pg-local" stop "$DEPT" >/dev/null 2>&1
    rm -rf -- "$WORK"
}
trap cleanup_pg EXIT
new_db pgsrc
DEPT_DSN=$(bash "$ROOT/ops/pg-local" start "$DEPT") || { fail "the department cluster starts"; finish; }
DEPT_PORT=$(sed -E 's/.*port=([0-9]+).*/\1/' <<<"$DEPT_DSN")
pass "the department's own PostgreSQL runs on port $DEPT_PORT"
# dq SQL: one statement on the department database, as its superuser
dq() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$DEPT_DSN" -c "$1"; }

# the department: table hotline.ticket (feeds.md HT-1), a reader that may only SELECT it, with a
# password (scram, not trust, for it alone)
dq "CREATE SCHEMA hotline;
    CREATE TABLE hotline.ticket (ticket_no text PRIMARY KEY, created_at timestamp NOT NULL,
      updated_at timestamp NOT NULL, channel text, category_code text, category_name text,
      request_type text, content text, address text, community_code text, bd_lng double precision,
      bd_lat double precision, status text NOT NULL, assigned_dept text);
    CREATE TABLE hotline.ticket_big (LIKE hotline.ticket INCLUDING ALL);
    CREATE ROLE ht_reader LOGIN PASSWORD 'reader-secret-42';
    GRANT USAGE ON SCHEMA hotline TO ht_reader;
    GRANT SELECT ON ALL TABLES IN SCHEMA hotline TO ht_reader;" || fail "the department schema"
HBA=$DEPT/data/pg_hba.conf
{ echo "host all ht_reader 127.0.0.1/32 scram-sha-256"; cat "$HBA"; } >"$HBA.new" && cat "$HBA.new" >"$HBA"
dq "SELECT pg_reload_conf()" >/dev/null
export HT_PASSWORD=reader-secret-42

# ticket NO CREATED UPDATED STATUS [CATEGORY] [LNG LAT COMMUNITY]: insert one
ticket() {
    local lng=${6:-NULL} lat=${7:-NULL} comm=${8:+\'$8\'}
    dq "INSERT INTO hotline.ticket VALUES ('$1', '$2', '$3', '电话', '${5:-050201}', '服务投诉', '投诉',
        '楼下夜市噪音扰民', '金平区某路$1号', ${comm:-NULL}, $lng, $lat, '$4', '区城管局')"
}
# status NO STATUS UPDATED: the ticket moves on, in place
status() { dq "UPDATE hotline.ticket SET status = '$2', updated_at = '$3' WHERE ticket_no = '$1'"; }

CONNINFO="host=127.0.0.1 port=$DEPT_PORT dbname=onegrid user=ht_reader"
# config FILE SECRET [EXTRA OPTIONS JSON]: the HT-1 source and a big table, FETCH 2
config() {
    cat >"$1" <<JSON
{"batch_size": ${BATCH:-3}, "world": {"dir": "$ROOT/world/jinping", "crosswalks": "$ROOT/mappings/crosswalks"},
 "taxonomy": "$ROOT/mappings/taxonomy/categories.csv",
 "sources": [
  {"name": "ht_tickets", "mapping": "$ROOT/mappings/hotline/ht_tickets.json",
   "options": {"conninfo": "$CONNINFO", "secrets": {"password": "$2"}, "batch_size": 2${3:+, $3}}},
  {"name": "ht_big", "mapping": "$ROOT/mappings/hotline/ht_tickets.json",
   "options": {"conninfo": "$CONNINFO", "secrets": {"password": "$2"}, "table": "hotline.ticket_big",
               "batch_size": 50}}
 ]}
JSON
}
cd "$WORK"
config onegrid.json env:HT_PASSWORD
"$OG" init >/dev/null && "$OG" world import >/dev/null || fail "init and world import"
# run N: `onegrid run --source ht_tickets`, its stderr in run$N.err; prints the rows it read
run() {
    "$OG" run --no-progress --source ht_tickets >"run$1.out" 2>"run$1.err"
    local rc=$?
    [[ $rc -eq 0 ]] || { echo "exit $rc"; cat "run$1.err" >&2; return; }
    q "SELECT counts->'sources'->'ht_tickets'->>'read' FROM onegrid.etl_run ORDER BY run_id DESC LIMIT 1"
}
hist() { q "SELECT string_agg(h.status, ',' ORDER BY h.changed_at, h.history_id) FROM onegrid.event_history h JOIN onegrid.event e USING (event_id) WHERE e.source_id = '$1'"; }
wm() { q "SELECT (state->>'updated_at') || ' ' || (state->>'ticket_no') FROM onegrid.etl_source_state WHERE source = 'ht_tickets' AND kind = 'pgsql' AND key = 'hotline.ticket'"; }

# ---- 1. first run: five tickets; T002 and T003 share an updated_at across the FETCH 2 boundary ----------------
ticket T001 '2020-02-03 08:50:00' '2020-02-03 09:00:00' 受理 010101 116.7125 23.3735 440511001001
ticket T002 '2020-02-03 09:40:00' '2020-02-03 10:00:00' 受理 050201
ticket T003 '2020-02-03 09:45:00' '2020-02-03 10:00:00' 受理 999999
ticket T004 '2020-02-03 10:00:00.5' '2020-02-03 10:30:00.123456' 派单 020401
ticket T005 '2020-02-03 10:55:00' '2020-02-03 11:00:00' 受理 030101
check "run 1 reads the five tickets" "5" "$(run 1)"
check_q "five events of HT-1" "5" "SELECT count(*) FROM onegrid.event WHERE source = 'ht_tickets' AND department = 'HT'"
check "the watermark stored is the last row (updated_at, ticket_no)" "2020-02-03 11:00:00 T005" "$(wm)"
check "it equals the department's last row" "$(dq "SELECT updated_at || ' ' || ticket_no FROM hotline.ticket ORDER BY updated_at DESC, ticket_no DESC LIMIT 1")" "$(wm)"
check_q "a local timestamp with microseconds is read in Asia/Shanghai" "2020-02-03 10:30:00.123456 2020-02-03 10:00:00.5" \
    "SELECT (updated_at AT TIME ZONE 'Asia/Shanghai') || ' ' || (reported_at AT TIME ZONE 'Asia/Shanghai') FROM onegrid.event WHERE source_id = 'T004'"
check_q "statuses and categories through the HT code tables" "T001 reported 0401|T003 reported 9999|T004 dispatched 0204" \
    "SELECT string_agg(source_id || ' ' || status || ' ' || category_code, '|' ORDER BY source_id) FROM onegrid.event WHERE source_id IN ('T001', 'T003', 'T004')"
check_q "BD-09 coordinates are stored as WGS-84 with their system" "bd09 true" \
    "SELECT source_crs || ' ' || (abs(lon - 116.7125) BETWEEN 0.005 AND 0.02 AND abs(lat - 23.3735) BETWEEN 0.002 AND 0.01)::text FROM onegrid.event WHERE source_id = 'T001'"
check_q "a ticket without coordinates or community loads without them" "none" "SELECT grid_method FROM onegrid.event WHERE source_id = 'T002'"

# ---- 2. changes: two status updates at one same time, a new row at the watermark's own time ---------------------
status T001 派单 '2020-02-03 12:00:00'
status T002 办理中 '2020-02-03 12:00:00'
ticket T006 '2020-02-03 10:58:00' '2020-02-03 11:00:00' 受理 050401
check "run 2 reads exactly the three changed rows" "3" "$(run 2)"
check_q "six events, none twice" "6 6" "SELECT count(*) || ' ' || count(DISTINCT source_id) FROM onegrid.event WHERE source = 'ht_tickets'"
check "T001's history: reported, dispatched" "reported,dispatched" "$(hist T001)"
check "the watermark moves to the last changed row" "2020-02-03 12:00:00 T002" "$(wm)"

# ---- 3. more changes, then a run with none -------------------------------------------------------------------
status T001 已办结 '2020-02-03 13:00:00'
status T002 已回访 '2020-02-03 13:00:00.25'
check "run 3 reads the two changed rows" "2" "$(run 3)"
check "T001's history: reported, dispatched, resolved" "reported,dispatched,resolved" "$(hist T001)"
check "T002's history: reported, in_progress, closed" "reported,in_progress,closed" "$(hist T002)"
check_q "T002 is closed now" "closed 已回访" "SELECT status || ' ' || source_status FROM onegrid.event WHERE source_id = 'T002'"
check "run 4 (nothing changed) reads nothing" "0" "$(run 4)"
check_q "ten history rows in all: one per state, no duplicates" "10" \
    "SELECT count(*) FROM onegrid.event_history h JOIN onegrid.event e USING (event_id) WHERE e.source = 'ht_tickets'"
check_q "records committed in the ledger equal rows read (5 + 3 + 2)" "10 0" \
    "SELECT records || ' ' || rejects FROM onegrid.etl_source_state WHERE source = 'ht_tickets'"

# ---- 4. kill -9 mid-pull of a big table, then a rerun ----------------------------------------------------------
N=40000
dq "INSERT INTO hotline.ticket_big SELECT 'B' || lpad(i::text, 6, '0'), '2020-02-01'::timestamp + (i / 3) * interval '1 s',
      '2020-02-01 01:00'::timestamp + (i / 3) * interval '1 s', '微信', '010101', '垃圾清运', '投诉', '垃圾未清运', '某路',
      NULL, NULL, NULL, '受理', '区城管局' FROM generate_series(1, $N) i"
BATCH=500 config onegrid.json env:HT_PASSWORD
"$OG" run --no-progress --source ht_big >"$WORK/big1.out" 2>&1 &
pid=$!
pids+=("$pid")
deadline=$((SECONDS + 60)); recs=0
while ((SECONDS < deadline)); do
    recs=$(q "SELECT coalesce(max(records), 0) FROM onegrid.etl_source_state WHERE source = 'ht_big'" 2>/dev/null || echo 0)
    ((recs > 0)) && break
    sleep 0.02
done
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
at_kill=$(q "SELECT records FROM onegrid.etl_source_state WHERE source = 'ht_big'")
if [[ -n $at_kill ]] && ((at_kill > 0 && at_kill < N)); then
    pass "killed mid-pull with $at_kill of $N rows committed"
else
    fail "killed mid-pull" "committed at the kill: '$at_kill' of $N (the run may have finished first)"
fi
check_q "what was committed is exactly the rows up to the stored watermark" "0" \
    "SELECT $at_kill - count(*) FROM onegrid.event WHERE source = 'ht_big'"
"$OG" run --no-progress --source ht_big >"$WORK/big2.out" 2>"$WORK/big2.err"
check "the rerun exits 0" "0" "$?"
check_q "the rerun reads only the rows not committed before" "$((N - at_kill))" \
    "SELECT counts->'sources'->'ht_big'->>'read' FROM onegrid.etl_run ORDER BY run_id DESC LIMIT 1"
check_q "every row of the big table is one event, none lost" "$N $N" \
    "SELECT count(*) || ' ' || count(DISTINCT source_id) FROM onegrid.event WHERE source = 'ht_big'"
check_q "no row was read twice (ledger records = rows)" "$N" "SELECT records FROM onegrid.etl_source_state WHERE source = 'ht_big'"
check_q "one history row per ticket" "$N" "SELECT count(*) FROM onegrid.event_history h JOIN onegrid.event e USING (event_id) WHERE e.source = 'ht_big'"
check "the watermark is the table's last row" "$(dq "SELECT updated_at || ' ' || ticket_no FROM hotline.ticket_big ORDER BY updated_at DESC, ticket_no DESC LIMIT 1")" \
    "$(q "SELECT (state->>'updated_at') || ' ' || (state->>'ticket_no') FROM onegrid.etl_source_state WHERE source = 'ht_big'")"

# ---- 5. passwords and errors -------------------------------------------------------------------------------------
unset HT_PASSWORD
"$OG" run --no-progress --source ht_tickets >/dev/null 2>"$WORK/e1.err"
rc=$?
grep -q "HT_PASSWORD is not set" "$WORK/e1.err" && ((rc == 2)) && pass "no password in the environment: exit 2 naming the variable" ||
    fail "no password in the environment: exit 2 naming the variable" "exit $rc" "$(cat "$WORK/e1.err")"
printf 'reader-secret-42\n' >"$WORK/ht.pw"
chmod 644 "$WORK/ht.pw"
config onegrid.json "file:$WORK/ht.pw"
"$OG" run --no-progress --source ht_tickets >/dev/null 2>"$WORK/e2.err"
rc=$?
grep -q "readable by group or others" "$WORK/e2.err" && ((rc == 2)) && pass "a group-readable password file is refused (exit 2)" ||
    fail "a group-readable password file is refused (exit 2)" "exit $rc" "$(cat "$WORK/e2.err")"
chmod 600 "$WORK/ht.pw"
status T003 派单 '2020-02-03 14:00:00'
check "with the 0600 password file the run reads the one change" "1" "$(run 5)"
printf 'wrong\n' >"$WORK/ht.pw"
"$OG" run --no-progress --source ht_tickets >/dev/null 2>"$WORK/e3.err"
rc=$?
grep -q "source ht_tickets: could not connect to the department database" "$WORK/e3.err" && grep -q "password authentication failed" "$WORK/e3.err" && ((rc == 1)) &&
    pass "a wrong password: exit 1, the source and the server's message named" || fail "a wrong password" "exit $rc" "$(cat "$WORK/e3.err")"
printf 'reader-secret-42\n' >"$WORK/ht.pw"
config onegrid.json "file:$WORK/ht.pw" '"table": "hotline.nope"'
"$OG" run --no-progress --source ht_tickets >/dev/null 2>"$WORK/e4.err"
rc=$?
grep -q 'source ht_tickets: could not declare the cursor over the rows to read: relation "hotline.nope" does not exist' "$WORK/e4.err" &&
    grep -q "42P01" "$WORK/e4.err" && ((rc == 1)) && pass "a missing table: the server's message and SQLSTATE, exit 1" ||
    fail "a missing table: the server's message and SQLSTATE" "exit $rc" "$(cat "$WORK/e4.err")"
CONNINFO="$CONNINFO password=leak" config onegrid.json "file:$WORK/ht.pw"
"$OG" check >/dev/null 2>"$WORK/e5.err"
rc=$?
grep -q 'option "conninfo" holds a password' "$WORK/e5.err" && ((rc == 2)) && pass "onegrid check refuses a password in conninfo (exit 2)" ||
    fail "onegrid check refuses a password in conninfo" "exit $rc" "$(cat "$WORK/e5.err")"
config onegrid.json "file:$WORK/ht.pw" '"slot": "s"'
"$OG" check >/dev/null 2>"$WORK/e6.err"
rc=$?
grep -q 'options "slot" and "publication" are for mode replication' "$WORK/e6.err" && ((rc == 2)) &&
    pass "onegrid check refuses replication options in watermark mode (exit 2)" || fail "onegrid check refuses replication options" "exit $rc" "$(cat "$WORK/e6.err")"

# ---- 6. logical replication: deletes become void; the slot is acknowledged only after the warehouse commit -------
# the department: wal_level logical (ALTER SYSTEM outlives pg-local's own settings), a REPLICATION role, the table's
# whole old row in deletes (REPLICA IDENTITY FULL), a publication and a slot
dq "ALTER SYSTEM SET wal_level = logical" && dq "ALTER SYSTEM SET max_wal_senders = 4" &&
    bash "$ROOT/ops/pg-local" stop "$DEPT" >/dev/null && bash "$ROOT/ops/pg-local" start "$DEPT" "$DEPT_PORT" >/dev/null ||
    fail "the department cluster restarts with wal_level logical"
check "wal_level is logical" "logical" "$(dq "SHOW wal_level")"
dq "CREATE ROLE ht_repl LOGIN REPLICATION PASSWORD 'repl-secret-7'; GRANT USAGE ON SCHEMA hotline TO ht_repl;
    GRANT SELECT ON hotline.ticket TO ht_repl; ALTER TABLE hotline.ticket REPLICA IDENTITY FULL;
    CREATE PUBLICATION ht_pub FOR TABLE hotline.ticket" || fail "publication"
dq "SELECT pg_create_logical_replication_slot('ht_slot', 'pgoutput')" >/dev/null || fail "slot"
export HT_REPL_PASSWORD=repl-secret-7
cat >onegrid.json <<JSON
{"batch_size": 2, "world": {"dir": "$ROOT/world/jinping", "crosswalks": "$ROOT/mappings/crosswalks"},
 "taxonomy": "$ROOT/mappings/taxonomy/categories.csv",
 "sources": [
  {"name": "ht_tickets", "mapping": "$ROOT/mappings/hotline/ht_tickets.json", "options": {"conninfo": "$CONNINFO"}},
  {"name": "ht_big", "mapping": "$ROOT/mappings/hotline/ht_tickets.json", "options": {"conninfo": "$CONNINFO"}},
  {"name": "ht_repl", "mapping": "$ROOT/mappings/hotline/ht_tickets.json",
   "options": {"conninfo": "host=127.0.0.1 port=$DEPT_PORT dbname=onegrid user=ht_repl",
               "secrets": {"password": "env:HT_REPL_PASSWORD"}, "mode": "replication", "slot": "ht_slot",
               "publication": "ht_pub", "status_interval_ms": 1000}}]}
JSON
slot_lsn() { dq "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'ht_slot'"; }
repl_state() { q "SELECT state->>'lsn' FROM onegrid.etl_source_state WHERE source = 'ht_repl'"; }
rrun() {
    timeout 60 "$OG" run --no-progress --source ht_repl "${@:2}" >"rrun$1.out" 2>"rrun$1.err"
    local rc=$?
    [[ $rc -eq 0 ]] || { echo "exit $rc: $(tail -3 "rrun$1.err")"; return; }
    q "SELECT counts->'sources'->'ht_repl'->>'read' FROM onegrid.etl_run ORDER BY run_id DESC LIMIT 1"
}
dq "BEGIN; INSERT INTO hotline.ticket VALUES
      ('T101', '2020-02-04 08:00', '2020-02-04 08:00', 'APP', '010201', '违章搭建', '投诉', '楼顶搭建', '某路1号', NULL, NULL, NULL, '受理', '区城管局'),
      ('T102', '2020-02-04 08:10', '2020-02-04 08:10', 'APP', '050101', '政策咨询', '咨询', '社保咨询', '某路2号', NULL, NULL, NULL, '受理', '区人社局'),
      ('T103', '2020-02-04 08:20', '2020-02-04 08:20', 'APP', '020101', '邻里', '求助', '漏水', '某路3号', NULL, NULL, NULL, '受理', '街道');
    COMMIT"
status T101 派单 '2020-02-04 09:00:00'
before=$(slot_lsn)
check "a dry run reads the four changes" "exit 0" "$(timeout 60 "$OG" run --dry-run --no-progress --source ht_repl >/dev/null 2>rrun0.err; echo "exit $?")"
check "a dry run (nothing committed) does not move the slot" "$before" "$(slot_lsn)"
check "replication run 1 reads four changes (one transaction of three inserts, one update)" "4" "$(rrun 1)"
check_q "three tickets; T101 dispatched" "3 dispatched" "SELECT count(*) || ' ' || max(status) FILTER (WHERE source_id = 'T101') FROM onegrid.event WHERE source = 'ht_repl'"
lsn1=$(repl_state)
[[ -n $lsn1 && $lsn1 != "$before" ]] && pass "the warehouse holds the position of the last transaction ($lsn1)" || fail "the warehouse holds a new position" "$lsn1 (slot was at $before)"
check "the slot is confirmed at exactly the position the warehouse committed" "$lsn1" "$(slot_lsn)"
dq "DELETE FROM hotline.ticket WHERE ticket_no = 'T102'"
status T103 已办结 '2020-02-04 10:00:00'
check "replication run 2 reads the delete and the update" "2" "$(rrun 2)"
check_q "the deleted ticket is void, its content kept" "void 政策咨询|社保咨询" \
    "SELECT status || ' ' || (attrs->>'category_name') || '|' || summary FROM onegrid.event WHERE source = 'ht_repl' AND source_id = 'T102'"
check "its history is kept: reported, then void" "reported,void" \
    "$(q "SELECT string_agg(h.status, ',' ORDER BY h.changed_at, h.history_id) FROM onegrid.event_history h JOIN onegrid.event e USING (event_id) WHERE e.source = 'ht_repl' AND e.source_id = 'T102'")"
check_q "T103 resolved" "resolved" "SELECT status FROM onegrid.event WHERE source = 'ht_repl' AND source_id = 'T103'"
check "the slot follows the warehouse again" "$(repl_state)" "$(slot_lsn)"
check "replication run 3 (nothing changed) reads nothing" "0" "$(rrun 3)"
check_q "no duplicates: three events, six history rows" "3 6" \
    "SELECT (SELECT count(*) FROM onegrid.event WHERE source = 'ht_repl') || ' ' || count(*) FROM onegrid.event_history h JOIN onegrid.event e USING (event_id) WHERE e.source = 'ht_repl'"
finish
