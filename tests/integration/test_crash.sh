#!/usr/bin/env bash
# test_crash.sh - kill -9 in the middle of a run, then run again: the warehouse converges to what one
# clean run produces (nothing lost, nothing doubled), and the file resumes after its last committed batch.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
new_db crash
with_key
N=30000
hl_setup $N 500
check "og-feedgen writes $N visits" "$N" "$(wc -l <"$WORK/hl/visits.ndjson" | tr -d ' ')"
cd "$WORK"
"$OG" init >/dev/null && "$OG" world import >/dev/null
"$OG" run --no-progress >"$WORK/run1.out" 2>&1 &
pid=$!
# wait (by polling, with a deadline) until some batches are committed, then kill -9
deadline=$((SECONDS + 60)); pos=0
while ((SECONDS < deadline)); do
    pos=$(q "SELECT coalesce(max(position), 0) FROM onegrid.etl_source_state" 2>/dev/null || echo 0)
    ((pos >= 2000)) && break
    sleep 0.05
done
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
killed_at=$(q "SELECT position || ' ' || CASE WHEN done THEN 't' ELSE 'f' END FROM onegrid.etl_source_state")
visits_then=$(q "SELECT count(*) FROM onegrid.visit")
if [[ $killed_at == *" f" ]] && ((visits_then > 0)); then
    pass "killed mid-file: $visits_then visits committed, ledger at record ${killed_at% *}, not done"
else
    fail "killed mid-file" "ledger: $killed_at, visits: $visits_then (the run may have finished before the kill)"
fi
check_q "the killed run is left 'running' in etl_run" "running" "SELECT status FROM onegrid.etl_run ORDER BY run_id LIMIT 1"
"$OG" run --no-progress >"$WORK/run2.out" 2>"$WORK/run2.err"
check "the rerun exits 0" "0" "$?"
check_q "the rerun marks the killed run failed, saying why" "failed t" "SELECT status || ' ' || CASE WHEN message LIKE '%without finishing%' THEN 't' ELSE 'f' END FROM onegrid.etl_run ORDER BY run_id LIMIT 1"
grep -q "resumes after record" "$WORK/run2.err" && pass "the rerun resumes after the last committed record" || fail "the rerun resumes after the last committed record" "$(cat "$WORK/run2.err")"
loaded=$(q "SELECT count(*) FROM onegrid.visit")
rejected=$(q "SELECT count(*) FROM onegrid.etl_reject")
check "every line is loaded or rejected exactly once after the crash" "$N" "$((loaded + rejected))"
check_q "no visit has doubled members" "0" "SELECT count(*) FROM (SELECT visit_id, seq FROM onegrid.visit_member GROUP BY 1, 2 HAVING count(*) > 1) x"
check_q "member counts agree with visit_member rows" "0" "SELECT count(*) FROM onegrid.visit v WHERE member_count <> (SELECT count(*) FROM onegrid.visit_member m WHERE m.visit_id = v.visit_id)"
check_q "the ledger ends done at the last record" "$N t" "SELECT position || ' ' || CASE WHEN done THEN 't' ELSE 'f' END FROM onegrid.etl_source_state"
# a clean load of the same file into a second database gives the same content
crashed=$(q "SELECT md5(string_agg(visit_id || row_hash, ',' ORDER BY visit_id)) FROM onegrid.visit")
new_db clean
"$OG" init >/dev/null && "$OG" world import >/dev/null && "$OG" run --no-progress >/dev/null 2>&1
check "the crashed-and-resumed warehouse equals a clean run's (visit ids and row hashes)" "$(q "SELECT md5(string_agg(visit_id || row_hash, ',' ORDER BY visit_id)) FROM onegrid.visit")" "$crashed"
finish
