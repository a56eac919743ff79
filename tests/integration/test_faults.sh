#!/usr/bin/env bash
# test_faults.sh - the warehouse connection is killed mid-run (pg_terminate_backend): the loader
# reconnects, sends the failed batch again, and the run finishes with every record loaded exactly once.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
new_db faults
with_key
N=20000
hl_setup $N 250
cd "$WORK"
"$OG" init >/dev/null && "$OG" world import >/dev/null
"$OG" run --no-progress >"$WORK/run.out" 2>"$WORK/run.err" &
pid=$!
deadline=$((SECONDS + 60)); killed=0
while ((SECONDS < deadline)) && kill -0 "$pid" 2>/dev/null; do
    pos=$(q "SELECT coalesce(max(position), 0) FROM onegrid.etl_source_state" 2>/dev/null || echo 0)
    if ((pos >= 1000)); then
        killed=$(q "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'onegrid'")
        break
    fi
    sleep 0.05
done
wait "$pid"; rc=$?
((killed >= 1)) && pass "the loader's connection was terminated mid-run ($killed backend)" || fail "terminate the loader's backend" "the run finished before it could be killed"
check "the run still succeeds (exit 0)" "0" "$rc"
grep -q "retrying in" "$WORK/run.err" && pass "the failed batch was retried after reconnecting" || fail "retry logged" "$(tail -5 "$WORK/run.err")"
check "every line is loaded or rejected exactly once" "$N" "$(q "SELECT (SELECT count(*) FROM onegrid.visit) + (SELECT count(*) FROM onegrid.etl_reject)")"
check_q "no visit has doubled members" "0" "SELECT count(*) FROM (SELECT visit_id, seq FROM onegrid.visit_member GROUP BY 1, 2 HAVING count(*) > 1) x"
check_q "the run is recorded as succeeded" "succeeded" "SELECT status FROM onegrid.etl_run ORDER BY run_id DESC LIMIT 1"
check_q "the ledger ends done" "$N t" "SELECT position || ' ' || CASE WHEN done THEN 't' ELSE 'f' END FROM onegrid.etl_source_state"
# SIGTERM (systemctl stop): the current batch is committed with its position, the run stops with exit 1, and
# the next run finishes the file
new_db sigterm
"$OG" init >/dev/null && "$OG" world import >/dev/null
"$OG" run --no-progress >"$WORK/t.out" 2>"$WORK/t.err" &
pid=$!
deadline=$((SECONDS + 60))
while ((SECONDS < deadline)); do
    pos=$(q "SELECT coalesce(max(position), 0) FROM onegrid.etl_source_state" 2>/dev/null || echo 0)
    ((pos >= 1000)) && break
    sleep 0.05
done
kill -TERM "$pid"
t0=$SECONDS
wait "$pid"; rc=$?
check "SIGTERM ends the run with exit 1" "1" "$rc"
((SECONDS - t0 <= 10)) && pass "it stops within 10 s" || fail "stop time" "$((SECONDS - t0)) s"
check_q "the run is recorded as failed: interrupted" "failed t" "SELECT status || ' ' || CASE WHEN message LIKE '%interrupted%' THEN 't' ELSE 'f' END FROM onegrid.etl_run ORDER BY run_id DESC LIMIT 1"
part=$(q "SELECT position || ' ' || CASE WHEN done THEN 't' ELSE 'f' END FROM onegrid.etl_source_state")
[[ $part == *" f" ]] && pass "the ledger keeps the committed position ($part)" || fail "ledger after SIGTERM" "$part"
check "records committed before the stop = the ledger position" "${part% *}" "$(q "SELECT (SELECT count(*) FROM onegrid.visit) + (SELECT count(*) FROM onegrid.etl_reject)")"
"$OG" run --no-progress >/dev/null 2>&1
check "the next run finishes the file: every line loaded or rejected once" "$N" "$(q "SELECT (SELECT count(*) FROM onegrid.visit) + (SELECT count(*) FROM onegrid.etl_reject)")"
finish
