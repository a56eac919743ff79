#!/usr/bin/env bash
# test_report.sh - what a scheduler keeps of a run: `run --summary FILE --metrics-file FILE` over the sample
# feeds and over Kafka, and `stream --summary` when it stops. The summary validates against
# docs/run-summary.schema.json and says what the warehouse says (etl_run, etl_reject, etl_source_state);
# the metrics file is valid Prometheus text with the summary's values; both are written atomically (no
# FILE.tmp.PID left), also for a failed run (exit 1), a configuration error (exit 2) and rejects over
# max_reject_ratio (exit 3). And the systemd units pass `systemd-analyze verify`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
new_db report
with_key
chmod 755 "$WORK"
SCHEMA=$ROOT/docs/run-summary.schema.json
mkdir -p "$WORK/feeds" "$WORK/out"
cp -r "$ROOT/samples/um" "$ROOT/samples/fr" "$ROOT/samples/hl" "$WORK/feeds/"
cat >"$WORK/onegrid.json" <<JSON
{"batch_size": 500,
 "world": {"dir": "$ROOT/world/jinping", "crosswalks": "$ROOT/mappings/crosswalks"},
 "taxonomy": "$ROOT/mappings/taxonomy/categories.csv",
 "sources": [
  {"name": "um_cases", "inputs": "feeds/um/*.json", "mapping": "$ROOT/mappings/urban/um_cases.json"},
  {"name": "fr_inspections", "inputs": "feeds/fr/*.csv", "mapping": "$ROOT/mappings/fire/fr_inspections.json"},
  {"name": "hl_visits", "inputs": "feeds/hl/*.ndjson", "mapping": "$ROOT/mappings/health/hl_visits.json"}]}
JSON
cd "$WORK"
FILE_SOURCES="um_cases fr_inspections hl_visits"

if ! python3 -c 'import jsonschema' 2>/dev/null; then
    fail "python3 has the jsonschema module (Debian: python3-jsonschema, installed by ops/install-deps)"
    finish
fi

# js FILE EXPR: a value of the JSON document FILE (d), printed as Python prints it (None for null)
js() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# valid FILE: validates FILE against the schema (draft 2020-12, formats checked); prints the errors
valid() {
    python3 - "$SCHEMA" "$1" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
cls = jsonschema.Draft202012Validator
cls.check_schema(schema)
errors = list(cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(json.load(open(sys.argv[2]))))
for e in errors[:5]:
    print("%s at %s" % (e.message[:200], "/".join(str(p) for p in e.absolute_path)))
sys.exit(1 if errors else 0)
PY
}
check_valid() { # check_valid NAME FILE
    local out
    if out=$(valid "$2" 2>&1); then pass "$1"; else fail "$1" "$out"; fi
}

# metrics_agree SUMMARY METRICS: the metrics file is Prometheus text exposition (HELP and TYPE once per
# family, before its samples; every sample `name{labels} value`) and its values are the summary's
metrics_agree() {
    python3 - "$1" "$2" <<'PY'
import json, re, sys, datetime
s = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
problems = []
if not text.endswith("\n"):
    problems.append("the file does not end with a newline")
label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:\\.|[^"\\\n])*"'
sample_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(%s(?:,%s)*)\} (\S+)$' % (label, label))
helps, types, samples, current = {}, {}, {}, None
for n, line in enumerate(text.splitlines(), 1):
    if line.startswith("# HELP "):
        name = line.split()[2]
        if name in helps: problems.append("HELP %s twice" % name)
        helps[name] = True; current = name
    elif line.startswith("# TYPE "):
        _, _, name, kind = line.split()
        if name in types: problems.append("TYPE %s twice" % name)
        if name != current or kind not in ("gauge", "counter"): problems.append("line %d: %s" % (n, line))
        types[name] = kind
    else:
        m = sample_re.match(line)
        if not m:
            problems.append("line %d is not name{labels} value: %r" % (n, line)); continue
        if m.group(1) != current: problems.append("line %d outside its family: %s" % (n, line))
        labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\.|[^"\\])*)"', m.group(2)))
        try: value = float(m.group(3))
        except ValueError: problems.append("line %d: value %r" % (n, m.group(3))); continue
        key = (m.group(1),) + tuple(sorted(labels.items()))
        if key in samples: problems.append("sample twice: %s" % line)
        samples[key] = value
if set(helps) != set(types): problems.append("HELP without TYPE or the reverse")
cmd = s["command"]
def get(name, **labels):
    return samples.get((name,) + tuple(sorted(dict(labels, command=cmd).items())))
def expect(what, got, want, tol=0):
    if got is None or abs(got - want) > tol:
        problems.append("%s: metrics %s, summary %s" % (what, got, want))
def epoch(iso):
    return datetime.datetime.fromisoformat(iso).timestamp()
expect("exit code", get("onegrid_run_exit_code"), s["exit"]["code"])
expect("duration", get("onegrid_run_duration_seconds"), s["seconds"], 0.001)
expect("finished", get("onegrid_run_finished_timestamp_seconds"), epoch(s["finished"]), 0.002)
for src in s["sources"]:
    if src["status"] == "not_run":
        continue
    n = src["name"]
    for stage in ("read", "mapped", "loaded", "rejected"):
        expect("%s records %s" % (n, stage), get("onegrid_run_records_total", source=n, stage=stage), src["records"][stage])
    for reason, count in src["rejected_by_reason"].items():
        expect("%s rejects %s" % (n, reason), get("onegrid_run_rejects_total", source=n, reason=reason), count)
    if src["rejected_by_stage"] is not None:
        for stage, count in src["rejected_by_stage"].items():
            expect("%s stage %s" % (n, stage), get("onegrid_run_stage_rejects_total", source=n, stage=stage), count)
    for k, v in src["inputs"].items():
        expect("%s inputs %s" % (n, k), get("onegrid_run_inputs_total", source=n, input=k), v)
    if s["exit"]["code"] == 0 and src["status"] == "succeeded":
        expect("%s last success" % n, get("onegrid_run_last_success_timestamp_seconds", source=n), epoch(src["finished"]), 0.002)
    for p in src["positions"]:
        if p["kind"] == "kafka" and p["after"] is not None:
            expect("%s offset %s" % (n, p["key"]), get("onegrid_run_kafka_next_offset", source=n, topic=p["topic"], partition=str(p["partition"])), p["after"]["position"])
for p in problems[:12]:
    print(p)
sys.exit(1 if problems else 0)
PY
}
check_metrics() { # check_metrics NAME SUMMARY METRICS
    local out
    if out=$(metrics_agree "$2" "$3" 2>&1); then pass "$1"; else fail "$1" "$out"; fi
}
# metric FILE NAME LABELS: the value of one sample (LABELS as written: command="run",source="x")
metric() { awk -v k="$2{$3}" '$1 == k { print $2 }' "$1"; }
no_tmp() { # no_tmp NAME: no FILE.tmp.PID left in out/
    local left
    left=$(find "$WORK/out" -name '*.tmp.*' | head -3)
    check "$1" "" "$left"
}

"$OG" init >/dev/null && "$OG" world import >/dev/null || fail "init and world import"

# ---- 1. a clean run over the three file feeds ---------------------------------------------------------------------------
"$OG" run --no-progress --summary out/run1.json --metrics-file out/run1.prom >run1.out 2>run1.err
check "run with --summary and --metrics-file exits 0" "0" "$?"
check_valid "the summary validates against docs/run-summary.schema.json" out/run1.json
RUN1=$(q "SELECT max(run_id) FROM onegrid.etl_run")
check "summary: run_id is etl_run's" "$RUN1" "$(js out/run1.json 'd["run_id"]')"
check "summary: exit 0, succeeded" "0 succeeded None" "$(js out/run1.json 'd["exit"]["code"], d["exit"]["status"], d["error"]' | tr -d "(),'")"
check "summary: command and version" "run $(cat "$ROOT/VERSION")" "$(js out/run1.json 'd["command"] + " " + d["version"]')"
check "summary: the three sources, in config order" "['um_cases', 'fr_inspections', 'hl_visits']" "$(js out/run1.json '[s["name"] for s in d["sources"]]')"
# the run's times enclose what etl_run recorded
check_q "summary: started <= etl_run.started_at <= finished_at <= finished" "t" \
    "SELECT '$(js out/run1.json 'd["started"]')'::timestamptz <= started_at AND started_at <= finished_at AND finished_at <= '$(js out/run1.json 'd["finished"]')'::timestamptz FROM onegrid.etl_run WHERE run_id = $RUN1"
for s in $FILE_SOURCES; do
    i=$(js out/run1.json "[s['name'] for s in d['sources']].index('$s')")
    src="d['sources'][$i]"
    check "$s: read = etl_run.counts" "$(q "SELECT counts->'sources'->'$s'->>'read' FROM onegrid.etl_run WHERE run_id = $RUN1")" "$(js out/run1.json "$src['records']['read']")"
    check "$s: loaded = records etl_run counted" "$(q "SELECT counts->'sources'->'$s'->>'records' FROM onegrid.etl_run WHERE run_id = $RUN1")" "$(js out/run1.json "$src['records']['loaded']")"
    check "$s: rejected = rows of etl_reject" "$(q "SELECT count(*) FROM onegrid.etl_reject WHERE run_id = $RUN1 AND source = '$s'")" "$(js out/run1.json "$src['records']['rejected']")"
    check "$s: rejected by stage = etl_reject" \
        "$(q "SELECT string_agg(st || '=' || (SELECT count(*) FROM onegrid.etl_reject r WHERE r.run_id = $RUN1 AND r.source = '$s' AND r.stage = st), ' ' ORDER BY o) FROM unnest(ARRAY['read','map','reconcile','load']) WITH ORDINALITY AS u(st, o)")" \
        "$(js out/run1.json "' '.join('%s=%d' % kv for kv in $src['rejected_by_stage'].items())")"
    check "$s: rejected by reason = etl_reject" \
        "$(q "SELECT string_agg(reason || '=' || n, ' ' ORDER BY reason) FROM (SELECT reason, count(*) n FROM onegrid.etl_reject WHERE run_id = $RUN1 AND source = '$s' GROUP BY reason) x")" \
        "$(js out/run1.json "' '.join('%s=%d' % kv for kv in sorted($src['rejected_by_reason'].items()))")"
    check "$s: rejected by reason = manifest" \
        "$(python3 -c 'import json, sys; print(sorted(json.load(open(sys.argv[1]))["feeds"][sys.argv[2]]["expected_rejected_by_reason"].items()))' "$ROOT/samples/MANIFEST.json" "$s")" \
        "$(js out/run1.json "sorted($src['rejected_by_reason'].items())")"
    check "$s: each file's position after = etl_source_state (records, done, content hash)" \
        "$(q "SELECT string_agg(key || ' ' || version || ' ' || position || ' ' || done, ';' ORDER BY key) FROM onegrid.etl_source_state WHERE source = '$s' AND kind = 'file'")" \
        "$(js out/run1.json "';'.join('%s %s %d %s' % (p['key'], p['version'], p['after']['position'], str(p['after']['done']).lower()) for p in sorted($src['positions'], key=lambda p: p['key']))")"
    check "$s: files seen = loaded, none before" "loaded None" "$(js out/run1.json "' '.join(sorted(set(p['outcome'] for p in $src['positions']))) + ' ' + str(set(str(p['before']) for p in $src['positions']) - {'None'} or None)")"
done
check "totals: read = sum over sources" "$(js out/run1.json 'sum(s["records"]["read"] for s in d["sources"])')" "$(js out/run1.json 'd["totals"]["read"]')"
check "warehouse: reject rows written = etl_reject rows" "$(q "SELECT count(*) FROM onegrid.etl_reject WHERE run_id = $RUN1")" "$(js out/run1.json 'd["warehouse"]["rejects_written"]')"
check_metrics "metrics: valid exposition text, values equal the summary's" out/run1.json out/run1.prom
check "metrics: onegrid_run_exit_code 0" "0" "$(metric out/run1.prom onegrid_run_exit_code 'command="run"')"
no_tmp "no FILE.tmp.PID left after the run"
success1=$(metric out/run1.prom onegrid_run_last_success_timestamp_seconds 'command="run",source="um_cases"')

# ---- 2. the same files again: skipped, positions unchanged ----------------------------------------------------------------
"$OG" run --no-progress --summary out/run2.json --metrics-file out/run2.prom >/dev/null 2>run2.err
check "rerun exits 0" "0" "$?"
check_valid "rerun summary validates" out/run2.json
check "rerun: every file skipped, read 0" "skipped 0 3" "$(js out/run2.json "' '.join(sorted(set(p['outcome'] for s in d['sources'] for p in s['positions']))) + ' ' + str(d['totals']['read']) + ' ' + str(sum(s['inputs']['files_skipped'] for s in d['sources']))")"
check "rerun: position before = after = the first run's" \
    "$(js out/run1.json "[(p['key'], p['after']['position']) for s in d['sources'] for p in s['positions']]")" \
    "$(js out/run2.json "[(p['key'], p['after']['position']) for s in d['sources'] for p in s['positions'] if p['before'] == p['after']]")"

# ---- 3. the warehouse is down: exit 1, the summary says failed and why -----------------------------------------------------
cp out/run1.prom out/failed.prom
ONEGRID_DSN="host=127.0.0.1 port=1 dbname=x connect_timeout=2" "$OG" run --no-progress --summary out/failed.json --metrics-file out/failed.prom >/dev/null 2>failed.err
check "a run against a warehouse that is down exits 1" "1" "$?"
check_valid "failed-run summary validates" out/failed.json
check "failed: exit 1, failed, no run_id" "1 failed None" "$(js out/failed.json 'd["exit"]["code"], d["exit"]["status"], d["run_id"]' | tr -d "(),'")"
msg=$(js out/failed.json 'd["error"]["message"]')
grep -qF "$msg" failed.err && [[ $msg == *connect* ]] && pass "failed: error.message is the logged error (${msg%%$'\n'*})" || fail "failed: error message" "$msg" "$(cat failed.err)"
check "failed: every source listed as not_run" "not_run" "$(js out/failed.json "' '.join(sorted(set(s['status'] for s in d['sources'])))")"
check_metrics "failed: metrics agree with the summary" out/failed.json out/failed.prom
check "failed: exit code 1 in the metrics" "1" "$(metric out/failed.prom onegrid_run_exit_code 'command="run"')"
check "failed: the last success is carried over from the previous file" "$success1" "$(metric out/failed.prom onegrid_run_last_success_timestamp_seconds 'command="run",source="um_cases"')"

# ---- 4. rejects over max_reject_ratio: exit 3 --------------------------------------------------------------------------------
cat >strict.json <<JSON
{"world": {"dir": "$ROOT/world/jinping", "crosswalks": "$ROOT/mappings/crosswalks"},
 "taxonomy": "$ROOT/mappings/taxonomy/categories.csv", "max_reject_ratio": 0.001,
 "sources": [{"name": "fr_inspections", "inputs": "feeds/fr/*.csv", "mapping": "$ROOT/mappings/fire/fr_inspections.json"},
             {"name": "fr_strict", "inputs": "feeds/fr/*.csv", "mapping": "$ROOT/mappings/fire/fr_inspections.json"}]}
JSON
# a second source over the same files (its own ledger: read again), alone with --source
"$OG" run --config strict.json --source fr_strict --no-progress --summary out/strict.json --metrics-file out/strict.prom >/dev/null 2>strict.err
check "rejects over max_reject_ratio exit 3" "3" "$?"
check_valid "exit-3 summary validates" out/strict.json
RUN3=$(js out/strict.json 'd["run_id"]')
check_q "exit 3: etl_run of the summary's run_id says rejects_exceeded" "rejects_exceeded" "SELECT status FROM onegrid.etl_run WHERE run_id = ${RUN3:-0}"
check "exit 3: exit 3, rejects_exceeded" "3 rejects_exceeded" "$(js out/strict.json 'd["exit"]["code"], d["exit"]["status"]' | tr -d "(),'")"
check "exit 3: the ratio is over the threshold and the error says so" "True True" \
    "$(js out/strict.json 'd["totals"]["reject_ratio"] > d["max_reject_ratio"], "max_reject_ratio" in d["error"]["message"]' | tr -d "(),'")"
check "exit 3: only the source selected is listed" "['fr_strict']" "$(js out/strict.json '[s["name"] for s in d["sources"]]')"
check "exit 3: rejected = etl_reject rows of the run" "$(q "SELECT count(*) FROM onegrid.etl_reject WHERE run_id = ${RUN3:-0}")" "$(js out/strict.json 'd["sources"][0]["records"]["rejected"]')"
check_metrics "exit 3: metrics agree with the summary" out/strict.json out/strict.prom
check "exit 3: no last success for the source" "" "$(metric out/strict.prom onegrid_run_last_success_timestamp_seconds 'command="run",source="fr_strict"')"

# ---- 5. a configuration error (exit 2), a dry run, a summary that cannot be written -------------------------------------
"$OG" run --config nosuch.json --summary out/config.json >/dev/null 2>config.err
check "a missing configuration exits 2" "2" "$?"
check_valid "exit-2 summary validates" out/config.json
check "exit 2: bad_config, no sources, the error" "2 bad_config 0 bad_config" "$(js out/config.json 'd["exit"]["code"], d["exit"]["status"], len(d["sources"]), d["error"]["reason"]' | tr -d "(),'")"
"$OG" run --dry-run --no-progress --summary out/dry.json >/dev/null 2>dry.err
check "a dry run with --summary exits 0" "0" "$?"
check_valid "dry-run summary validates" out/dry.json
check "dry run: no run_id, nothing loaded, no committed rejects by stage" "True None 0 None" \
    "$(js out/dry.json 'd["dry_run"], d["run_id"], d["totals"]["loaded"], d["sources"][0]["rejected_by_stage"]' | tr -d "(),'")"
runs_before=$(q "SELECT count(*) FROM onegrid.etl_run")
"$OG" run --no-progress --summary "$WORK/no/such/dir/s.json" >/dev/null 2>nodir.err
check "a summary that cannot be written turns exit 0 into 1" "1" "$?"
grep -q 'could not write ".*no/such/dir/s.json"' nodir.err && pass "the error names the summary file" || fail "unwritable summary message" "$(tail -3 nodir.err)"
check_q "the run itself was recorded" "$((runs_before + 1)) succeeded" "SELECT count(*) || ' ' || (SELECT status FROM onegrid.etl_run ORDER BY run_id DESC LIMIT 1) FROM onegrid.etl_run"
"$OG" run --help | grep -q -- "--summary FILE" && "$OG" stream --help | grep -q -- "--metrics-file FILE" && pass "--help of run and stream teaches --summary and --metrics-file" || fail "--help"
no_tmp "no FILE.tmp.PID left after all the runs"

# ---- 6. Kafka: run to the end, then stream; partitions' offsets before and after -------------------------------------------
KD=$WORK/kd
kd() { bash "$ROOT/ops/kafka-dev/kafka-dev-ctl" "$@"; }
spid=
cleanup_kafka() { [[ -n $spid ]] && kill -9 "$spid" 2>/dev/null; kd stop "$KD" >/dev/null 2>&1; rm -rf -- "$WORK"; }
trap cleanup_kafka EXIT
if BOOT=$(kd start "$KD" --topic ps.incidents:4 2>kd.err); then
    kcat -P -b "$BOOT" -t ps.incidents -K $'\t' -l "$ROOT/samples/ps/ps_incidents_20200203.kcat" || fail "kcat produces the PS-2 sample"
    N=$(wc -l <"$ROOT/samples/ps/ps_incidents_20200203.kcat")
    cat >kafka.json <<JSON
{"batch_size": 200, "world": {"dir": "$ROOT/world/jinping", "crosswalks": "$ROOT/mappings/crosswalks"},
 "taxonomy": "$ROOT/mappings/taxonomy/categories.csv",
 "sources": [{"name": "ps_incidents", "mapping": "$ROOT/mappings/police/ps_incidents.json",
   "options": {"kafka": {"bootstrap.servers": "$BOOT", "group.id": "report-$$", "session.timeout.ms": 6000,
                         "heartbeat.interval.ms": 500}}}]}
JSON
    "$OG" run --config kafka.json --no-progress --summary out/k1.json --metrics-file out/k1.prom >/dev/null 2>k1.err
    check "run over Kafka with --summary exits 0" "0" "$?"
    check_valid "Kafka run summary validates" out/k1.json
    check "Kafka run: kind kafka, 4 partitions, read = messages produced" "kafka 4 $N" "$(js out/k1.json "d['sources'][0]['kind'] + ' ' + str(len(d['sources'][0]['positions'])) + ' ' + str(d['sources'][0]['records']['read'])")"
    check "Kafka run: per partition, the offset after = etl_source_state" \
        "$(q "SELECT string_agg(key || '=' || position, ' ' ORDER BY key) FROM onegrid.etl_source_state WHERE source = 'ps_incidents' AND kind = 'kafka'")" \
        "$(js out/k1.json "' '.join('%s=%d' % (p['key'], p['after']['position']) for p in sorted(d['sources'][0]['positions'], key=lambda p: p['key']))")"
    check_metrics "Kafka run: metrics agree (offsets per partition included)" out/k1.json out/k1.prom
    # the stream starts where the run left off, reads the same messages produced again, and writes its summary on SIGTERM
    "$OG" stream --config kafka.json --summary out/s.json --metrics-file out/s.prom >/dev/null 2>stream.err &
    spid=$!
    kcat -P -b "$BOOT" -t ps.incidents -K $'\t' -l "$ROOT/samples/ps/ps_incidents_20200203.kcat"
    deadline=$((SECONDS + 60))
    until [[ $(q "SELECT coalesce(sum(position), 0) FROM onegrid.etl_source_state WHERE source = 'ps_incidents' AND kind = 'kafka'") -ge $((2 * N)) ]] || ((SECONDS > deadline)); do
        sleep 0.3
    done
    kill -TERM "$spid"
    wait "$spid"
    check "stream stopped by SIGTERM exits 0" "0" "$?"
    spid=
    check_valid "stream summary validates" out/s.json
    check "stream: command stream, exit 0, read = messages produced while it ran" "stream 0 $N" "$(js out/s.json "d['command'] + ' ' + str(d['exit']['code']) + ' ' + str(d['sources'][0]['records']['read'])")"
    check "stream: offsets before = where the run left them" \
        "$(js out/k1.json "sorted((p['key'], p['after']['position']) for p in d['sources'][0]['positions'])")" \
        "$(js out/s.json "sorted((p['key'], p['before']['position']) for p in d['sources'][0]['positions'])")"
    check "stream: offsets after = etl_source_state" \
        "$(q "SELECT string_agg(key || '=' || position, ' ' ORDER BY key) FROM onegrid.etl_source_state WHERE source = 'ps_incidents' AND kind = 'kafka'")" \
        "$(js out/s.json "' '.join('%s=%d' % (p['key'], p['after']['position']) for p in sorted(d['sources'][0]['positions'], key=lambda p: p['key']))")"
    check_metrics "stream: metrics agree with its summary" out/s.json out/s.prom
else
    fail "the Kafka peer starts" "$(cat kd.err)"
fi
no_tmp "no FILE.tmp.PID left after Kafka"

# ---- 7. the systemd units ---------------------------------------------------------------------------------------------------
if command -v systemd-analyze >/dev/null 2>&1; then
    # verify checks that ExecStart's binary exists: a copy of the units pointing at the binary under test
    mkdir -p units bad
    for f in "$ROOT"/ops/systemd/*.service "$ROOT"/ops/systemd/*.timer; do
        sed "s|/usr/local/bin/onegrid|$OG|g" "$f" >"units/${f##*/}"
    done
    out=$(systemd-analyze verify units/*.service units/*.timer 2>&1)
    rc=$?
    [[ $rc -eq 0 && -z $out ]] && pass "systemd-analyze verify: the units, nothing to say" || fail "systemd-analyze verify ops/systemd" "exit $rc" "$out"
    # the check is live: a bad value is reported (systemd only warns, hence "nothing to say" above)
    sed 's/^Type=oneshot/Type=oneshut/' units/onegrid-run.service >bad/onegrid-run.service
    out=$(systemd-analyze verify bad/onegrid-run.service 2>&1)
    [[ $out == *oneshut* ]] && pass "systemd-analyze verify reports a bad unit (the check above can fail)" || fail "verify of a bad unit" "$out"
else
    echo "skip - systemd-analyze is not installed (Debian: systemd, in ops/install-deps): units not verified"
fi
finish
