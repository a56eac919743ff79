#!/usr/bin/env bash
# test_kafka.sh - PS-2 and HL-1 from Kafka (ops/kafka-dev, messages produced by kcat) into a real
# PostgreSQL: the sample messages against samples/MANIFEST.json, every message one row or one reject,
# reruns that change nothing, out-of-order health codes, one person across HL-1 and HL-2, and the
# exactly-once effect under faults: kill -9 of `onegrid stream` at random moments over 100,000
# messages, two consumers in one group with one killed, PostgreSQL stopped mid-stream. After each,
# the warehouse equals a clean run's (row counts and a content hash per table).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
with_key
chmod 755 "$WORK"
KD=$WORK/kd
kd() { bash "$ROOT/ops/kafka-dev/kafka-dev-ctl" "$@"; }
pids=()
cleanup_kafka() {
    local p
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    kd stop "$KD" >/dev/null 2>&1
    [[ -d $WORK/pg2 ]] && bash "$ROOT/ops/pg-local" stop "$WORK/pg2" >/dev/null 2>&1
    rm -rf -- "$WORK"
}
trap cleanup_kafka EXIT
# wait_for SECONDS COMMAND...: polls COMMAND until it succeeds or the deadline passes
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS > deadline)) && return 1
        sleep 0.3
    done
}

BOOT=$(kd start "$KD" --brokers 3 --topic ps.incidents:4 --topic hl.healthcode:4 --topic ps.big:12) ||
    { fail "the Kafka peer starts" "$(cat "$KD/log" 2>/dev/null)"; finish; }
pass "ops/kafka-dev runs 3 brokers at $BOOT"
kcat -P -b "$BOOT" -t ps.incidents -K $'\t' -l "$ROOT/samples/ps/ps_incidents_20200203.kcat" &&
    kcat -P -b "$BOOT" -t hl.healthcode -K $'\t' -l "$ROOT/samples/hl/hl_healthcode_20200203.kcat" ||
    fail "kcat produces the samples"

# config: the two Kafka feeds (consumer groups of their own per database), HL-2 visits from their file
config() { # config FILE GROUP-SUFFIX [EXTRA SOURCES JSON]
    cat >"$1" <<JSON
{"batch_size": ${BATCH:-500}, "world": {"dir": "$ROOT/world/jinping", "crosswalks": "$ROOT/mappings/crosswalks"},
 "taxonomy": "$ROOT/mappings/taxonomy/categories.csv",
 "sources": [
  {"name": "ps_incidents", "mapping": "$ROOT/mappings/police/ps_incidents.json",
   "options": {"kafka": {"bootstrap.servers": "$BOOT", "group.id": "ps-$2", "session.timeout.ms": 6000,
                         "heartbeat.interval.ms": 500}}},
  {"name": "hl_healthcode", "mapping": "$ROOT/mappings/health/hl_healthcode.json",
   "options": {"kafka": {"bootstrap.servers": "$BOOT", "group.id": "hl-$2", "session.timeout.ms": 6000,
                         "heartbeat.interval.ms": 500}}},
  {"name": "ps_big", "mapping": "$ROOT/mappings/police/ps_incidents.json",
   "options": {"topics": ["ps.big"], "kafka": {"bootstrap.servers": "$BOOT", "group.id": "big-$2",
               "session.timeout.ms": 6000, "heartbeat.interval.ms": 500}}},
  {"name": "hl_visits", "inputs": "$ROOT/samples/hl/hl_visits_*.ndjson", "mapping": "$ROOT/mappings/health/hl_visits.json"}
 ]}
JSON
}
m() { manifest "feeds,$1"; }

# ---- 1. the samples: one run reads each topic to its end -------------------------------------------------------
new_db kafka
config "$WORK/k.json" main
"$OG" init >/dev/null && "$OG" world import >/dev/null || fail "init and world import"
"$OG" run --config "$WORK/k.json" --source ps_incidents --source hl_healthcode --source hl_visits \
    --no-progress >"$WORK/run1.out" 2>"$WORK/run1.err"
check "onegrid run over the Kafka sources exits 0" "0" "$?"
for f in ps_incidents hl_healthcode; do
    written=$(m "$f,messages_written")
    check "$f: every message was read once (positions = end offsets)" "$written" \
        "$(q "SELECT sum(position) FROM onegrid.etl_source_state WHERE source = '$f' AND kind = 'kafka'")"
    check "$f: records + rejects = messages" "$written" \
        "$(q "SELECT sum(records) + sum(rejects) FROM onegrid.etl_source_state WHERE source = '$f'")"
    for reason in bad_json missing_field invalid_time unknown_code; do
        want=$(m "$f,expected_rejected_by_reason,$reason")
        check "$f: rejects $reason as the manifest says" "$want" \
            "$(q "SELECT count(*) FROM onegrid.etl_reject WHERE source = '$f' AND reason = '$reason'")"
    done
done
check "PS-2: one event per incident" "$(m ps_incidents,incidents)" \
    "$(q "SELECT count(*) FROM onegrid.event WHERE source = 'ps_incidents'")"
check "PS-2: one history row per state of an incident (a resent duplicate adds none)" "$(m ps_incidents,history_rows)" \
    "$(q "SELECT count(*) FROM onegrid.event_history h JOIN onegrid.event e USING (event_id) WHERE e.source = 'ps_incidents'")"
for s in reported dispatched closed; do
    check "PS-2: latest state $s" "$(m "ps_incidents,final_status_counts,$s")" \
        "$(q "SELECT count(*) FROM onegrid.event WHERE source = 'ps_incidents' AND status = '$s'")"
done
check "PS-2: unknown incident types go to 9999, counted not rejected" "1" \
    "$(q "SELECT (count(*) > 0)::int FROM onegrid.event WHERE source = 'ps_incidents' AND category_code = '9999'")"
check "PS-2: GCJ02 and CGCS2000 points both placed by point" "2" \
    "$(q "SELECT count(DISTINCT source_crs) FROM onegrid.event WHERE source = 'ps_incidents' AND grid_method = 'point'")"
check "HL-1: one change row per change" "$(m hl_healthcode,changes)" "$(q "SELECT count(*) FROM onegrid.health_code_change")"
check "HL-1: each change is an event of category 0601" "$(m hl_healthcode,changes)" \
    "$(q "SELECT count(*) FROM onegrid.event WHERE source = 'hl_healthcode' AND category_code = '0601'")"
check "HL-1: one current code per person (15/18 digits, x, full-width: one person)" "$(m hl_healthcode,persons)" \
    "$(q "SELECT count(*) FROM onegrid.health_code")"
for c in green yellow red; do
    check "HL-1: the latest changedAt wins, not the last message read ($c)" "$(m "hl_healthcode,current_color_counts,$c")" \
        "$(q "SELECT count(*) FROM onegrid.health_code WHERE color = '$c'")"
done
check "HL-1: the current code is each person's latest change" "0" "$(q "SELECT count(*) FROM onegrid.health_code h
    WHERE EXISTS (SELECT 1 FROM onegrid.health_code_change c WHERE c.person_key = h.person_key AND c.changed_at > h.changed_at)")"
check "HL-1 and HL-2: the same people have the same person_key" "$(m hl_healthcode,shared_persons_with_hl_visits)" \
    "$(q "SELECT count(*) FROM onegrid.health_code WHERE person_key IN (SELECT person_key FROM onegrid.visit_member)")"
check "HL-1: passports are their own kind, not resident IDs" "$(m hl_healthcode,passports)" \
    "$(q "SELECT count(DISTINCT subject_key) FROM onegrid.event WHERE source = 'hl_healthcode' AND subject_masked !~ '^[0-9]{6}'")"
check "a poison message does not stop its partition: every bad_json is followed by loaded messages" "0" \
    "$(q "SELECT count(*) FROM onegrid.etl_reject r WHERE r.reason = 'bad_json' AND r.source = 'ps_incidents' AND NOT EXISTS (
        SELECT 1 FROM onegrid.event_history h JOIN onegrid.event e USING (event_id)
        WHERE e.source = 'ps_incidents' AND e.source_position LIKE 'ps.incidents[' || split_part(r.input, ':', 2) || ']@%')")"
check "rejects name topic, partition and offset" "1" \
    "$(q "SELECT (bool_and(input ~ '^ps\.incidents:[0-3]$' AND position ~ '^ps\.incidents\[[0-3]\]@[0-9]+$'))::int FROM onegrid.etl_reject WHERE source = 'ps_incidents'")"
check "no raw identity number in the rejects" "0" \
    "$(q "SELECT count(*) FROM onegrid.etl_reject WHERE raw ~ '[0-9]{17}[0-9Xx]' OR message ~ '[0-9]{17}[0-9Xx]'")"

# ---- 2. a rerun reads nothing and rewrites nothing ----------------------------------------------------------------------
state() { q "SELECT (SELECT sum(xmin::text::bigint) FROM onegrid.event) || '/' || (SELECT sum(xmin::text::bigint) FROM onegrid.health_code) || '/' || (SELECT count(*) FROM onegrid.event_history)"; }
before=$(state)
"$OG" run --config "$WORK/k.json" --source ps_incidents --source hl_healthcode --no-progress >"$WORK/run2.out" 2>&1
check "a rerun reads no message" "0" "$(awk '$1 == "ps_incidents" || $1 == "hl_healthcode" { s += $4 } END { print s + 0 }' "$WORK/run2.out")"
check "a rerun rewrites no row" "$before" "$(state)"

# ---- 3. the exactly-once effect under faults, over 100,000 messages ---------------------------------------------------
"${ONEGRID_TOOLS:-$ROOT/build/bin}/og-feedgen" --world "$ROOT/world/jinping" --crosswalks "$ROOT/mappings/crosswalks" \
    --ps2 100000 --ps2-out "$WORK/big.kcat" 2>/dev/null
kcat -P -b "$BOOT" -t ps.big -K $'\t' -z zstd -l "$WORK/big.kcat" || fail "kcat produces 100,000 messages"
check "100,000 messages are in the topic" "100000" \
    "$(kcat -C -b "$BOOT" -t ps.big -e -q -f '%o\n' 2>/dev/null | wc -l)"
digest() { # the content of what ps_big loaded, independent of runs and load times
    q "SELECT (SELECT count(*) FROM onegrid.event WHERE source = 'ps_big') || ' ' ||
        (SELECT md5(string_agg(concat_ws('|', event_id, row_hash, status, updated_at), ',' ORDER BY event_id)) FROM onegrid.event WHERE source = 'ps_big') || ' ' ||
        (SELECT count(*) || md5(string_agg(concat_ws('|', h.event_id, h.status, h.source_status, h.changed_at), ',' ORDER BY h.event_id, h.changed_at, h.status))
           FROM onegrid.event_history h JOIN onegrid.event e USING (event_id) WHERE e.source = 'ps_big') || ' ' ||
        (SELECT count(*) || md5(string_agg(concat_ws('|', input, record_index, reason, field), ',' ORDER BY input, record_index)) FROM onegrid.etl_reject WHERE source = 'ps_big')"
}
caught_up() { [[ $(q "SELECT coalesce(sum(position), 0) FROM onegrid.etl_source_state WHERE source = 'ps_big'") == 100000 ]]; }
start_stream() { # start_stream CONFIG LOG: one more member of the group, in the background
    "$OG" stream --config "$1" --source ps_big >>"$2.out" 2>>"$2.err" &
    pids+=($!)
}

new_db clean
config "$WORK/clean.json" clean
"$OG" init >/dev/null && "$OG" world import >/dev/null
BATCH=2000 config "$WORK/clean.json" clean
"$OG" run --config "$WORK/clean.json" --source ps_big --no-progress >"$WORK/clean.out" 2>"$WORK/clean.err"
check "a clean run of 100,000 messages exits 0" "0" "$?"
clean=$(digest)
check "the clean run read every message" "100000" "$(awk '$1 == "ps_big" { print $4 }' "$WORK/clean.out")"
# Two loaders (the default) each take their share of the partitions: an incident is sent again on every status
# change, keyed by its number, so batches holding all partitions shared keys with the one before and waited for
# it (waited = batches); now few do. One loader gives the same warehouse.
batches=$(sed -n 's/.*source=ps_big .* batches=\([0-9]*\) waited=.*/\1/p' "$WORK/clean.err")
waited=$(sed -n 's/.*source=ps_big .* waited=\([0-9]*\).*/\1/p' "$WORK/clean.err")
[[ -n $batches && $batches -ge 50 && $((waited * 2)) -lt $batches ]] &&
    pass "two loaders: $waited of $batches batches waited for an earlier one (partitions shared out)" ||
    fail "batches of different partitions in parallel" "batches=$batches waited=$waited"
new_db oneloader
"$OG" init >/dev/null && "$OG" world import >/dev/null
BATCH=2000 config "$WORK/oneloader.json" oneloader
sed -i 's/^{"batch_size"/{"loaders": 1, "batch_size"/' "$WORK/oneloader.json"
"$OG" run --config "$WORK/oneloader.json" --source ps_big --no-progress >"$WORK/oneloader.out" 2>"$WORK/oneloader.err"
check "one loader: the same warehouse as two" "$clean" "$(digest)"
check "one loader: no batch waits" "0" "$(sed -n 's/.*source=ps_big .* waited=\([0-9]*\).*/\1/p' "$WORK/oneloader.err")"

# 3a. kill -9 of the stream at random moments, restarted each time
new_db kill9
"$OG" init >/dev/null && "$OG" world import >/dev/null
BATCH=2000 config "$WORK/kill9.json" kill9
kills=0
for round in 1 2 3 4; do
    start_stream "$WORK/kill9.json" "$WORK/kill9"
    sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.1f", 1.5 + r % 40 / 10 }')"
    if caught_up; then break; fi
    kill -9 "${pids[-1]}" && kills=$((kills + 1))
    wait "${pids[-1]}" 2>/dev/null
done
start_stream "$WORK/kill9.json" "$WORK/kill9"
wait_for 120 caught_up && pass "after $kills kill -9 and restarts the stream caught up" || fail "the stream did not catch up" "$(tail -5 "$WORK/kill9.err")"
kill -TERM "${pids[-1]}"; wait "${pids[-1]}"
check "the stream stops on SIGTERM with exit 0" "0" "$?"
check "kill -9 at random moments: the warehouse equals a clean run's" "$clean" "$(digest)"
check "no message was committed twice (positions = messages)" "100000" \
    "$(q "SELECT sum(records) + sum(rejects) FROM onegrid.etl_source_state WHERE source = 'ps_big'")"

# 3b. two consumers in one group split the partitions; one is killed, the other takes over
new_db two
"$OG" init >/dev/null && "$OG" world import >/dev/null
BATCH=500 config "$WORK/two.json" two
start_stream "$WORK/two.json" "$WORK/two-a"
a=${pids[-1]}
start_stream "$WORK/two.json" "$WORK/two-b"
b=${pids[-1]}
split() { grep -h -c 'assigned, starts at' "$WORK/two-a.err" "$WORK/two-b.err" 2>/dev/null | paste -sd' '; }
wait_for 60 bash -c "[[ \$(grep -c 'assigned' '$WORK/two-b.err' 2>/dev/null) -gt 0 ]]" && pass "the second member got partitions ($(split))" ||
    fail "the second member got no partition" "$(tail -3 "$WORK/two-b.err")"
kill -9 "$a"; wait "$a" 2>/dev/null
wait_for 120 caught_up && pass "after one member was killed the other finished the topic" || fail "two consumers: not caught up" "$(tail -5 "$WORK/two-b.err")"
kill -TERM "$b"; wait "$b"
check "two consumers, one killed: the warehouse equals a clean run's" "$clean" "$(digest)"

# 3c. PostgreSQL stopped for a while mid-stream, then started: nothing lost or doubled
if DSN2=$(bash "$ROOT/ops/pg-local" start "$WORK/pg2"); then
    export ONEGRID_DSN=$DSN2
    "$OG" init >/dev/null && "$OG" world import >/dev/null
    BATCH=1000 config "$WORK/pgdown.json" pgdown
    start_stream "$WORK/pgdown.json" "$WORK/pgdown"
    s=${pids[-1]}
    wait_for 60 bash -c "[[ \$(psql -X -qAt -d '$DSN2' -c \"SELECT coalesce(sum(position), 0) FROM onegrid.etl_source_state WHERE source = 'ps_big'\") -gt 10000 ]]"
    bash "$ROOT/ops/pg-local" stop "$WORK/pg2" >/dev/null
    sleep 4
    kill -0 "$s" 2>/dev/null && pass "the stream survives PostgreSQL going away" || fail "the stream died with PostgreSQL" "$(tail -5 "$WORK/pgdown.err")"
    port=$(sed -E 's/.*port=([0-9]+).*/\1/' <<<"$DSN2")
    bash "$ROOT/ops/pg-local" start "$WORK/pg2" "$port" >/dev/null
    wait_for 120 caught_up && pass "after PostgreSQL came back the stream caught up" || fail "not caught up after PostgreSQL came back" "$(tail -5 "$WORK/pgdown.err")"
    grep -q 'retrying in' "$WORK/pgdown.err" && pass "the failed commit was retried with backoff" || fail "no retry seen" "$(tail -5 "$WORK/pgdown.err")"
    kill -TERM "$s"; wait "$s"
    check "PostgreSQL stopped mid-stream: the warehouse equals a clean run's" "$clean" "$(digest)"
else
    fail "a second PostgreSQL for the outage test"
fi
finish
