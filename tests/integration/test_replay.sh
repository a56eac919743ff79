#!/usr/bin/env bash
# test_replay.sh - onegrid replay: a feed loaded through a mapping whose code table lacks a code (on_error: reject),
# the table fixed, the rejects replayed: exactly those records load, once, settled in etl_reject with the replay run;
# an older replayed state does not overwrite a newer one loaded since; a record that still fails gets a new reject
# of the replay run; read-stage and masked rejects are listed as not replayable; --dry-run writes nothing; replaying
# again loads nothing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
new_db replay
with_key
mkdir -p "$WORK/m" "$WORK/feeds"
cd "$WORK"

# The shipped UM-1 mapping, read as NDJSON, its status through a copy of the code table without 结案 (closed), and an
# unknown status code rejecting the record instead of defaulting.
sed -e 's|"input": {[^}]*}|"input": {"connector": "ndjson"}|' \
    -e "s|\"../taxonomy/um_category.csv\"|\"$ROOT/mappings/taxonomy/um_category.csv\"|" \
    -e 's|"../taxonomy/um_status.csv"|"um_status.csv"|' \
    -e 's|"on_error": {"default": "reported"}|"on_error": "reject"|' \
    "$ROOT/mappings/urban/um_cases.json" >m/um_cases.json
grep -v '^结案,' "$ROOT/mappings/taxonomy/um_status.csv" >m/um_status.csv
cat >onegrid.json <<JSON
{"batch_size": 3,
 "world": {"dir": "$ROOT/world/jinping", "crosswalks": "$ROOT/mappings/crosswalks"},
 "taxonomy": "$ROOT/mappings/taxonomy/categories.csv",
 "sources": [{"name": "um_test", "inputs": "feeds/*.ndjson", "mapping": "m/um_cases.json"}]}
JSON
"$OG" check >check.out 2>&1
check "the test's mapping (UM-1, status code table without 结案, on_error reject) is valid" "0" "$?"

# rec ID STAGE REQUESTED UPDATED [DESCRIPTION [LAT]]: one Open311 case as an NDJSON line. A reject's raw is the
# record as JSON text, numbers written with 17 digits (23.390121 is 23.390121000000001): the fraction of a number
# is not mistaken for an identity number, so RP-C1 replays.
rec() {
    printf '{"service_request_id": "%s", "service_code": "0401", "requested_datetime": "%s", "updated_datetime": "%s", "address": "汕头市金平区岐山街道马西社区升平路151号", "description": "%s", "lat": %s, "long": 116.703125, "extended_attributes": {"unit_grid": "44051101300702", "stage": "%s"}}\n' \
        "$1" "$3" "$4" "${5:-绿地损坏}" "${6:-23.375}" "$2"
}
{
    rec RP-R1 立案 2020-02-01T09:00:00+08:00 2020-02-01T09:00:00+08:00
    rec RP-R2 派遣 2020-02-01T09:10:00+08:00 2020-02-01T09:30:00+08:00
    rec RP-C1 结案 2020-02-01T09:20:00+08:00 2020-02-01T11:00:00+08:00 绿地损坏 23.390121
    rec RP-C2 结案 2020-02-01T09:30:00+08:00 2020-02-01T11:10:00+08:00
    echo '{"service_request_id": "RP-B1", "stage": '
    rec RP-R3 处置 2020-02-01T09:40:00+08:00 2020-02-01T10:00:00+08:00
    rec RP-C3 结案 2020-02-01T09:50:00+08:00 2020-02-01T11:20:00+08:00
    rec RP-T1 立案 yesterday 2020-02-01T10:00:00+08:00
    rec RP-C4 结案 2020-02-01T10:00:00+08:00 2020-02-01T12:00:00+08:00
    rec RP-R4 核查 2020-02-01T10:10:00+08:00 2020-02-01T10:40:00+08:00
    rec RP-C5 结案 2020-02-01T10:20:00+08:00 2020-02-01T12:10:00+08:00 "报告人身份证440511199001011234"
    rec RP-C6 结案 2020-02-01T10:30:00+08:00 2020-02-01T12:20:00+08:00 "旧证440511900101123"
} >feeds/a.ndjson

# --- a run rejects the closed cases --------------------------------------------------------------------------------
"$OG" init >/dev/null 2>&1 && "$OG" world import >/dev/null 2>&1
check "init and world import" "0" "$?"
"$OG" run --no-progress >run1.out 2>run1.err
check "run 1 exits 0" "0" "$?"
run1=$(q "SELECT max(run_id) FROM onegrid.etl_run")
check_q "run 1 loads the 4 cases with a known status" "RP-R1 RP-R2 RP-R3 RP-R4" \
    "SELECT string_agg(source_id, ' ' ORDER BY source_id) FROM onegrid.event WHERE source = 'um_test'"
check_q "run 1 rejects the 6 closed cases (unknown_code, map), a bad time and a bad line" \
    "bad_json:read:1 invalid_time:map:1 unknown_code:map:6" \
    "SELECT string_agg(reason || ':' || stage || ':' || n, ' ' ORDER BY reason) FROM (SELECT reason, stage, count(*) n
       FROM onegrid.etl_reject WHERE run_id = $run1 GROUP BY 1, 2) x"
check_q "a map-stage reject keeps the record as read: its JSON document" "t" \
    "SELECT bool_and((raw::jsonb)->>'service_request_id' LIKE 'RP-%' AND (raw::jsonb) ? 'extended_attributes')
       FROM onegrid.etl_reject WHERE run_id = $run1 AND stage = 'map'"
check_q "the identity numbers in RP-C5's and RP-C6's raw were masked when stored" "true true" \
    "SELECT string_agg((raw LIKE '%440511********1234%' OR raw LIKE '%440511*****1123%')::text, ' ')
       FROM onegrid.etl_reject WHERE raw LIKE '%RP-C5%' OR raw LIKE '%RP-C6%'"
check_q "RP-C1's latitude with 17 digits is stored as it was written" "1" \
    "SELECT count(*) FROM onegrid.etl_reject WHERE raw LIKE '%RP-C1%' AND raw LIKE '%23.390121000000001%'"

# --- a newer state of RP-C4 arrives before the fix -----------------------------------------------------------------
rec RP-C4 处置 2020-02-01T10:00:00+08:00 2020-02-02T10:00:00+08:00 >feeds/b.ndjson
"$OG" run --no-progress >run2.out 2>run2.err
check "run 2 (RP-C4's newer state, in_progress) exits 0" "0" "$?"
check_q "RP-C4 is in_progress as of 2020-02-02 10:00" "in_progress|2020-02-02 10:00:00+08" \
    "SET TIME ZONE 'Asia/Shanghai'; SELECT status || '|' || updated_at FROM onegrid.event WHERE source_id = 'RP-C4'"

# --- usage --------------------------------------------------------------------------------------------------------
"$OG" replay --help >h.out 2>&1 && grep -q "usage: onegrid replay" h.out
check "replay --help teaches its usage" "0" "$?"
"$OG" help replay | grep -q -- "--dry-run" && pass "onegrid help replay" || fail "onegrid help replay"
"$OG" --help | grep -q "replay" && pass "onegrid --help lists replay" || fail "onegrid --help lists replay"
"$OG" replay >u.out 2>&1
check "replay without --run or --source exits 2" "2" "$?"
"$OG" replay --run 1 --stage read >u.out 2>&1
check "replay --stage read exits 2" "2" "$?"
grep -q "no mapping can change that" u.out && pass "replay --stage read says why" || fail "replay --stage read says why" "$(cat u.out)"
"$OG" replay --run 1 --reason nosuch >u.out 2>&1
check "replay --reason with an unknown code exits 2" "2" "$?"
"$OG" replay --source nosuch >u.out 2>&1
check "replay --source with an unknown source exits 2" "2" "$?"
"$OG" replay --run x >u.out 2>&1
check "replay --run with a non-number exits 2" "2" "$?"

# --- the fix, a dry run -------------------------------------------------------------------------------------------
cp "$ROOT/mappings/taxonomy/um_status.csv" m/um_status.csv
snapshot() {
    q "SELECT (SELECT count(*) FROM onegrid.etl_run) || ' ' || (SELECT count(*) FROM onegrid.etl_reject) || ' '
           || (SELECT count(*) FROM onegrid.etl_reject WHERE replayed_at IS NULL) || ' '
           || (SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM onegrid.event) || ' '
           || (SELECT count(*) FROM onegrid.event_history)"
}
before=$(snapshot)
"$OG" replay --run "$run1" --dry-run --no-progress >dry.out 2>dry.err
check "replay --dry-run exits 0" "0" "$?"
check "replay --dry-run writes nothing (runs, rejects, events, history)" "$before" "$(snapshot)"
grep -q "dry run (nothing was written): 4 would load, 1 would be rejected again" dry.out &&
    pass "replay --dry-run says what would load" || fail "replay --dry-run says what would load" "$(cat dry.out dry.err)"

# --- the replay -----------------------------------------------------------------------------------------------------
"$OG" replay --run "$run1" --no-progress >rp1.out 2>rp1.err
check "replay --run $run1 exits 0" "0" "$?"
rp1=$(q "SELECT max(run_id) FROM onegrid.etl_run")
check_q "the replay is a run of its own (command replay, succeeded)" "replay succeeded 4 1" \
    "SELECT command || ' ' || status || ' ' || (counts->>'records') || ' ' || (counts->>'rejected') FROM onegrid.etl_run
      WHERE run_id = $rp1"
check_q "exactly the closed cases load, once" "RP-C1 RP-C2 RP-C3 RP-C4 RP-R1 RP-R2 RP-R3 RP-R4" \
    "SELECT string_agg(source_id, ' ' ORDER BY source_id) FROM onegrid.event WHERE source = 'um_test'"
check_q "RP-C1..C3 are closed, written by the replay run" "3" \
    "SELECT count(*) FROM onegrid.event WHERE source_id IN ('RP-C1', 'RP-C2', 'RP-C3') AND status = 'closed'
        AND run_id = $rp1 AND first_run_id = $rp1"
check_q "RP-C4's older replayed state does not overwrite its newer one" "in_progress|2020-02-02 10:00:00+08|2" \
    "SET TIME ZONE 'Asia/Shanghai'; SELECT status || '|' || updated_at || '|' || run_id - $run1 + 1 FROM onegrid.event
      WHERE source_id = 'RP-C4'"
check_q "RP-C4's history has the replayed closed state in its place, before in_progress" "closed in_progress" \
    "SELECT string_agg(status, ' ' ORDER BY changed_at) FROM onegrid.event_history WHERE event_id LIKE '%RP-C4'"
check_q "the 4 loaded rejects are settled: replayed_at, replay_run_id, outcome loaded" "4" \
    "SELECT count(*) FROM onegrid.etl_reject WHERE run_id = $run1 AND reason = 'unknown_code' AND replay_outcome = 'loaded'
        AND replay_run_id = $rp1 AND replayed_at IS NOT NULL AND replay_of IS NULL"
check_q "the invalid time is settled as rejected again, with a new reject of the replay run pointing back" \
    "rejected invalid_time map true true" \
    "SELECT o.replay_outcome || ' ' || n.reason || ' ' || n.stage || ' ' || (n.position = o.position) || ' '
            || (n.record_index = o.record_index AND n.input = o.input AND n.version = o.version)
       FROM onegrid.etl_reject o JOIN onegrid.etl_reject n ON n.replay_of = o.reject_id
      WHERE o.run_id = $run1 AND n.run_id = $rp1"
check_q "the replay wrote no other reject" "1" "SELECT count(*) FROM onegrid.etl_reject WHERE run_id = $rp1"
check_q "the read-stage and the masked rejects stay open" "bad_json:read RP-C5:unknown_code RP-C6:unknown_code" \
    "SELECT string_agg(CASE WHEN stage = 'read' THEN reason || ':' || stage
                            ELSE substring(raw FROM 'RP-C[0-9]') || ':' || reason END, ' ' ORDER BY stage DESC, reject_id)
       FROM onegrid.etl_reject WHERE run_id = $run1 AND replayed_at IS NULL"
grep -q "replay run $rp1 succeeded: 4 loaded, 1 rejected again" rp1.out &&
    pass "replay prints what it loaded" || fail "replay prints what it loaded" "$(cat rp1.out rp1.err)"
grep -Eq "read_stage +1 +the record could not be read as sent" rp1.out &&
    grep -Eq "masked +2 +" rp1.out &&
    pass "replay lists what it cannot replay, with why" || fail "replay lists what it cannot replay" "$(cat rp1.out)"
grep -Eq "^ +[0-9]+ +$run1 um_test +read +bad_json +read_stage +.*a.ndjson:5$" rp1.out &&
    pass "a read-stage reject is listed with its position" || fail "read-stage reject listed" "$(cat rp1.out)"
check_q "open rejects: the bad line, the masked cases, the bad time (now of the replay run)" "4" \
    "SELECT count(*) FROM onegrid.etl_reject WHERE replayed_at IS NULL"

# --- again: nothing twice -----------------------------------------------------------------------------------------
before=$(snapshot)
"$OG" replay --run "$run1" --no-progress >rp2.out 2>rp2.err
check "replay --run $run1 again exits 0" "0" "$?"
check "replay --run $run1 again writes nothing (no run, no reject, no event rewritten)" "$before" "$(snapshot)"
grep -q "nothing to replay: none of the 3 open rejects selected can be replayed" rp2.out &&
    pass "replay again says there is nothing to replay" || fail "replay again says nothing to replay" "$(cat rp2.out)"
"$OG" replay --source um_test --no-progress >rp3.out 2>rp3.err
check "replay --source um_test exits 0" "0" "$?"
rp3=$(q "SELECT max(run_id) FROM onegrid.etl_run")
check_q "replay --source um_test loads nothing: events, xmin and history unchanged" \
    "$(cut -d' ' -f4,5 <<<"$before")" \
    "SELECT (SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM onegrid.event) || ' '
            || (SELECT count(*) FROM onegrid.event_history)"
check_q "the bad time is rejected again by that replay, the chain kept" "invalid_time $rp1 $run1" \
    "SELECT n.reason || ' ' || o.run_id || ' ' || oo.run_id FROM onegrid.etl_reject n
       JOIN onegrid.etl_reject o ON o.reject_id = n.replay_of JOIN onegrid.etl_reject oo ON oo.reject_id = o.replay_of
      WHERE n.run_id = $rp3"
check_q "still one open reject per record not loaded" "4" "SELECT count(*) FROM onegrid.etl_reject WHERE replayed_at IS NULL"
check_q "every event is there once" "8 8" \
    "SELECT count(*) || ' ' || count(DISTINCT source_id) FROM onegrid.event WHERE source = 'um_test'"

# --- filters, the threshold, one replay at a time -------------------------------------------------------------------
"$OG" replay --source um_test --reason unknown_code --dry-run --no-progress >f1.out 2>&1
grep -q "none of the 2 open rejects selected can be replayed" f1.out &&
    pass "--reason selects only that reason (the two masked cases)" || fail "--reason filter" "$(cat f1.out)"
"$OG" replay --source um_test --stage map --dry-run --no-progress >f2.out 2>&1
grep -q "dry run (nothing was written): 0 would load, 1 would be rejected again" f2.out && ! grep -q bad_json f2.out &&
    pass "--stage map leaves the read-stage reject out" || fail "--stage filter" "$(cat f2.out)"
sed 's/"batch_size": 3,/"batch_size": 3, "max_reject_ratio": 0.5,/' onegrid.json >strict.json
"$OG" replay --config strict.json --source um_test --no-progress >t.out 2>t.err
check "replay exits 3 when the records rejected again are over max_reject_ratio" "3" "$?"
check_q "that replay run is recorded as rejects_exceeded" "rejects_exceeded" \
    "SELECT status FROM onegrid.etl_run ORDER BY run_id DESC LIMIT 1"
"$PGBIN/psql" -X -q -At -d "$ONEGRID_DSN" -c "SELECT pg_advisory_lock(7340333, 1), pg_sleep(30)" >/dev/null 2>&1 &
locker=$!
for _ in $(seq 50); do
    [[ $(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 7340333 AND granted") == 1 ]] && break
    sleep 0.1
done
before=$(snapshot)
"$OG" replay --source um_test --no-progress >l.out 2>l.err
check "a second replay at the same time exits 1" "1" "$?"
grep -q "another replay is running" l.err && pass "it says another replay is running" || fail "lock message" "$(cat l.err)"
check "and writes nothing" "$before" "$(snapshot)"
kill "$locker" 2>/dev/null
wait "$locker" 2>/dev/null
q "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = 7340333" >/dev/null 2>&1

# --- a run after the replay --------------------------------------------------------------------------------------
before=$(snapshot)
"$OG" run --no-progress >run3.out 2>run3.err
check "a run after the replays exits 0" "0" "$?"
check_q "it finds the files loaded and changes no event" "$(cut -d' ' -f4 <<<"$before")" \
    "SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM onegrid.event"
check_q "the analyst may read the replay columns" "t" \
    "SELECT has_column_privilege('onegrid_analyst', 'onegrid.etl_reject', 'replay_outcome', 'SELECT')
        AND has_column_privilege('onegrid_analyst', 'onegrid.etl_reject', 'replay_of', 'SELECT')
        AND NOT has_column_privilege('onegrid_analyst', 'onegrid.etl_reject', 'raw', 'SELECT')"
finish
