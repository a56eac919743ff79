#!/usr/bin/env bash
# test_sources.sh - sources as a scheduler and a data engineer meet them: names are identifiers; renaming a
# source in the configuration is refused (it would load everything again) until `onegrid source rename`
# moves its rows, ledger and positions at once, after which nothing is duplicated; overlapping runs of one
# source never both load it (an advisory lock: the second leaves it alone and exits 4, naming the holder).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
new_db sources
with_key
mkdir -p "$WORK/feeds/um" "$WORK/feeds/fr" "$WORK/feeds/hl"
cp "$ROOT"/samples/um/um_cases_*.json "$WORK/feeds/um/"
cp "$ROOT"/samples/fr/*.csv "$WORK/feeds/fr/"
cp "$ROOT"/samples/hl/hl_visits_*.ndjson "$WORK/feeds/hl/"
config() { # config FILE UM_NAME HL_NAME
    cat >"$1" <<JSON
{"batch_size": 500,
 "world": {"dir": "$ROOT/world/jinping", "crosswalks": "$ROOT/mappings/crosswalks"},
 "taxonomy": "$ROOT/mappings/taxonomy/categories.csv",
 "sources": [
  {"name": "$2", "inputs": "feeds/um/*.json", "mapping": "$ROOT/mappings/urban/um_cases.json"},
  {"name": "fr_inspections", "inputs": "feeds/fr/*.csv", "mapping": "$ROOT/mappings/fire/fr_inspections.json"},
  {"name": "$3", "inputs": "feeds/hl/*.ndjson", "mapping": "$ROOT/mappings/health/hl_visits.json"}]}
JSON
}
cd "$WORK"
"$OG" init >/dev/null && "$OG" world import >/dev/null

# --- names are identifiers ------------------------------------------------------------------------------------
config "$WORK/badname.json" "um cases" hl_visits
"$OG" check --config "$WORK/badname.json" >"$WORK/bad.out" 2>&1
check "a source name with a space is a configuration error (exit 2)" "2" "$?"
grep -q 'source name "um cases" is not an identifier' "$WORK/bad.out" && pass "the error quotes the name" ||
    fail "the error quotes the name" "$(cat "$WORK/bad.out")"
grep -q 'badname.json: sources\[0\].name' "$WORK/bad.out" && pass "the error names the file and the key" ||
    fail "the error names the file and the key" "$(cat "$WORK/bad.out")"

# --- check --connect: the first records of each source, nothing written --------------------------------------
config "$WORK/onegrid.json" um_cases hl_visits
"$OG" check --connect --records 3 >"$WORK/connect.out" 2>"$WORK/connect.err"
check "check --connect exits 0" "0" "$?"
check "it prints the first 3 unified records of each of the 3 sources" "3 3 3" \
    "$(grep -c '"source":"um_cases"' "$WORK/connect.out") $(grep -c '"source":"fr_inspections"' "$WORK/connect.out") $(grep -c '"source":"hl_visits"' "$WORK/connect.out")"
check_q "and writes nothing (no run, no event, no visit, no ledger)" "0|0|0|0" \
    "SELECT (SELECT count(*) FROM onegrid.etl_run) || '|' || (SELECT count(*) FROM onegrid.event) || '|' || (SELECT count(*) FROM onegrid.visit) || '|' || (SELECT count(*) FROM onegrid.etl_source_state)"
ONEGRID_DSN="host=127.0.0.1 port=1 dbname=nowhere user=postgres" "$OG" check --connect >"$WORK/noconn.out" 2>&1
check "check --connect to a warehouse that is not there exits 1" "1" "$?"
grep -q "could not connect" "$WORK/noconn.out" && pass "saying it could not connect" || fail "saying it could not connect" "$(cat "$WORK/noconn.out")"

# --- a first run, then the sources renamed in the configuration -----------------------------------------------
"$OG" run --no-progress >"$WORK/run1.out" 2>"$WORK/run1.err"
check "the first run exits 0" "0" "$?"
check_q "the warehouse knows which feed each source reads" "fr_inspections FR FR-1,hl_visits HL HL-2,um_cases UM UM-1" \
    "SELECT string_agg(source || ' ' || department || ' ' || feed, ',' ORDER BY source) FROM onegrid.etl_source"
counts() {
    q "SELECT (SELECT count(*) FROM onegrid.event) || ' ' || (SELECT count(*) FROM onegrid.event_history) || ' ' ||
              (SELECT count(*) FROM onegrid.event_link) || ' ' || (SELECT count(*) FROM onegrid.visit) || ' ' ||
              (SELECT count(*) FROM onegrid.visit_member) || ' ' || (SELECT count(*) FROM onegrid.etl_reject) || ' ' ||
              (SELECT count(*) FROM onegrid.etl_source_state)"
}
before=$(counts)
runs=$(q "SELECT count(*) FROM onegrid.etl_run")
config "$WORK/renamed.json" um_cases_2020 hl_household
"$OG" run --config "$WORK/renamed.json" --no-progress >"$WORK/run2.out" 2>"$WORK/run2.err"
check "a run with renamed sources is refused as a configuration error (exit 2)" "2" "$?"
grep -q 'source um_cases_2020 reads feed UM-1 of UM, which the warehouse holds as source um_cases' "$WORK/run2.err" &&
    pass "the refusal names the old source and the feed" || fail "the refusal names the old source and the feed" "$(cat "$WORK/run2.err")"
grep -q 'onegrid source rename um_cases um_cases_2020' "$WORK/run2.err" && pass "the refusal gives the rename command" ||
    fail "the refusal gives the rename command" "$(cat "$WORK/run2.err")"
check "the refused run loaded and recorded nothing" "$before $runs" "$(counts) $(q "SELECT count(*) FROM onegrid.etl_run")"

# --- onegrid source rename -------------------------------------------------------------------------------------
# two events of different departments linked (as the cross-department linking records them)
q "INSERT INTO onegrid.event_link (event_id, linked_event_id, link_id, rule, run_id)
   SELECT least(f.event_id, u.event_id), greatest(f.event_id, u.event_id), 1, 'test', 1
   FROM (SELECT event_id FROM onegrid.event WHERE source = 'fr_inspections' ORDER BY event_id LIMIT 1) f,
        (SELECT event_id FROM onegrid.event WHERE source = 'um_cases' ORDER BY event_id LIMIT 1) u" >/dev/null
before=$(counts)
links=$(q "SELECT count(*) FROM onegrid.event_link l JOIN onegrid.event e ON e.event_id IN (l.event_id, l.linked_event_id) WHERE e.source = 'um_cases'")
check "one link to carry over" "1" "$links"
"$OG" source rename um_cases um_cases_2020 >"$WORK/ren.out" 2>"$WORK/ren.err"
check "onegrid source rename exits 0" "0" "$?"
grep -q "^event *[0-9]" "$WORK/ren.out" && pass "it says how many rows of each table moved" ||
    fail "it says how many rows of each table moved" "$(cat "$WORK/ren.out" "$WORK/ren.err")"
"$OG" source rename hl_visits hl_household >"$WORK/ren2.out" 2>&1
check "the second rename exits 0" "0" "$?"
check "renames keep every row: events, history, links, visits, members, rejects, ledger" "$before" "$(counts)"
check_q "the events carry the new name in source and event_id" "0" \
    "SELECT count(*) FROM onegrid.event WHERE source = 'um_cases' OR (department = 'UM' AND event_id NOT LIKE 'UM:um_cases_2020:%')"
check_q "the visits carry the new name in source and visit_id" "0" \
    "SELECT count(*) FROM onegrid.visit WHERE source <> 'hl_household' OR visit_id NOT LIKE 'HL:hl_household:%'"
check_q "the links of the renamed events are all there, in id order" "$links|true" \
    "SELECT count(*) || '|' || coalesce(bool_and(l.event_id < l.linked_event_id), true) FROM onegrid.event_link l JOIN onegrid.event e ON e.event_id IN (l.event_id, l.linked_event_id) WHERE e.source = 'um_cases_2020'"
check_q "ledger, rejects and registration moved" "0|0|0" \
    "SELECT (SELECT count(*) FROM onegrid.etl_source_state WHERE source IN ('um_cases', 'hl_visits')) || '|' ||
            (SELECT count(*) FROM onegrid.etl_reject WHERE source IN ('um_cases', 'hl_visits')) || '|' ||
            (SELECT count(*) FROM onegrid.etl_source WHERE source IN ('um_cases', 'hl_visits'))"
"$OG" run --config "$WORK/renamed.json" --no-progress >"$WORK/run3.out" 2>"$WORK/run3.err"
check "the run under the new names exits 0" "0" "$?"
check "and duplicates nothing (every file already loaded)" "$before" "$(counts)"
"$OG" source rename fr_inspections um_cases_2020 >"$WORK/ren3.out" 2>&1
check "renaming onto a name that has rows is refused (exit 2)" "2" "$?"
grep -q 'already has rows of a source "um_cases_2020"' "$WORK/ren3.out" && pass "saying so" || fail "saying so" "$(cat "$WORK/ren3.out")"
"$OG" source rename nosuch other >"$WORK/ren4.out" 2>&1
check "renaming a source the warehouse does not have is refused (exit 2)" "2" "$?"
"$OG" source rename fr_inspections "FR x" >"$WORK/ren5.out" 2>&1
check "renaming to a name that is not an identifier is refused (exit 2)" "2" "$?"
check "the refused renames changed nothing" "$before" "$(counts)"

# --- overlapping runs never both load a source -----------------------------------------------------------------
"${ONEGRID_TOOLS:-$ROOT/build/bin}/og-feedgen" --world "$ROOT/world/jinping" --crosswalks "$ROOT/mappings/crosswalks" \
    --hl 40000 --hl-out "$WORK/feeds/hl/zz_big.ndjson" 2>/dev/null
"$OG" run --config "$WORK/renamed.json" --source hl_household --no-progress >"$WORK/a.out" 2>"$WORK/a.err" &
a=$!
for _ in $(seq 1 200); do # until run A has taken the source
    [[ $(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted") -gt 0 ]] && break
    sleep 0.05
done
"$OG" run --config "$WORK/renamed.json" --no-progress >"$WORK/b.out" 2>"$WORK/b.err"
b_rc=$?
wait "$a"
check "the first of two overlapping runs exits 0" "0" "$?"
check "the second leaves the source alone and exits 4" "4" "$b_rc"
grep -q 'source hl_household is being loaded by another run, PID [0-9]* (onegrid' "$WORK/b.err" &&
    pass "it names the source and the run holding it" || fail "it names the source and the run holding it" "$(grep -v ' info ' "$WORK/b.err")"
check_q "the second run is recorded as locked" "locked" "SELECT status FROM onegrid.etl_run ORDER BY run_id DESC LIMIT 1"
check_q "the other sources of the second run were loaded (their ledger names its run)" "2" \
    "SELECT count(DISTINCT source) FROM onegrid.etl_source_state WHERE run_id = (SELECT max(run_id) FROM onegrid.etl_run) OR source <> 'hl_household'"
check_q "every visit of the big file is loaded once" "0" \
    "SELECT count(*) FROM (SELECT source_id FROM onegrid.visit GROUP BY source_id HAVING count(*) > 1) d"
check_q "the big file is loaded whole by the first run" "t" \
    "SELECT done FROM onegrid.etl_source_state WHERE key LIKE '%zz_big.ndjson'"
# a lock held elsewhere (another tool's session): the run says so at once
"$PGBIN/psql" -X -q -d "$ONEGRID_DSN" -c "SELECT pg_advisory_lock(hashtextextended('onegrid.source:fr_inspections', 0)), pg_sleep(20)" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 100); do
    [[ $(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted") -gt 0 ]] && break
    sleep 0.05
done
t0=$(date +%s)
"$OG" run --config "$WORK/renamed.json" --source fr_inspections --no-progress >"$WORK/c.out" 2>"$WORK/c.err"
check "a source locked elsewhere: exit 4 at once" "4 fast" "$? $( (($(date +%s) - t0 < 10)) && echo fast || echo slow)"
q "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted" >/dev/null
wait "$holder" 2>/dev/null
"$OG" run --config "$WORK/renamed.json" --source fr_inspections --no-progress >"$WORK/d.out" 2>"$WORK/d.err"
check "once the lock is released, the run exits 0" "0" "$?"
# --lock-wait: a holder that lets go after 3 s is waited for
cp "$ROOT"/samples/fr/*.csv "$WORK/feeds/fr/b_again.csv"
"$PGBIN/psql" -X -q -d "$ONEGRID_DSN" -c "SELECT pg_advisory_lock(hashtextextended('onegrid.source:fr_inspections', 0)), pg_sleep(3)" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 100); do
    [[ $(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted") -gt 0 ]] && break
    sleep 0.05
done
t0=$(date +%s)
"$OG" run --config "$WORK/renamed.json" --source fr_inspections --lock-wait 60 --no-progress >"$WORK/e.out" 2>"$WORK/e.err"
rc=$?
waited=$(($(date +%s) - t0))
wait "$holder" 2>/dev/null
check "with --lock-wait 60 the run waits for the holder and exits 0" "0 waited" "$rc $( ((waited >= 1)) && echo waited || echo "did not wait ($waited s)")"
check_q "and loads the new file" "t" "SELECT done FROM onegrid.etl_source_state WHERE key LIKE '%b_again.csv'"
"$OG" run --lock-wait soon >"$WORK/lw.out" 2>&1
check "--lock-wait takes seconds (exit 2 otherwise)" "2" "$?"
check_q "no advisory lock is left behind" "0" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
finish
