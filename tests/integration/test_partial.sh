#!/usr/bin/env bash
# test_partial.sh - one bad file never blocks the others: a JSON array cut off mid-way, a CSV whose
# header is not valid in its declared encoding and an XML file broken part-way are each one file-level
# reject (stage read) while every other file and source of the run loads; the run exits 3 naming a
# file; the same content is not read again, a corrected file is; partial_files "load_prefix" loads
# the records before the break; per-source reject thresholds give exit 3 over them and 0 under.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
new_db partial
with_key
mkdir -p "$WORK/feeds/um" "$WORK/feeds/fr" "$WORK/feeds/hl" "$WORK/feeds/ps" "$WORK/prefix"
UM=$ROOT/samples/um/um_cases_20200203.json
cp "$UM" "$WORK/feeds/um/a_good.json"
cp "$ROOT"/samples/fr/*.csv "$WORK/feeds/fr/a_good.csv"
cp "$ROOT"/samples/hl/hl_visits_*.ndjson "$WORK/feeds/hl/"
cp "$ROOT/samples/ps/RKXX_20200203_001.xml" "$ROOT/samples/ps/RKXX_20200205_001.xml" "$WORK/feeds/ps/"
# the cut JSON: the first 60% of the sample, ending inside an element
size=$(stat -c %s "$UM")
head -c $((size * 6 / 10)) "$UM" >"$WORK/feeds/um/b_cut.json"
# a CSV declared GB18030 whose header holds bytes that are not GB18030
printf '\xff\xfe\xfd\xfc,\xe6\xa3\x80\n1,2\n' >"$WORK/feeds/fr/b_badheader.csv"
config() { # config FILE [EXTRA_UM_KEYS]
    cat >"$1" <<JSON
{"batch_size": 200,
 "world": {"dir": "$ROOT/world/jinping", "crosswalks": "$ROOT/mappings/crosswalks"},
 "taxonomy": "$ROOT/mappings/taxonomy/categories.csv",
 "sources": [
  {"name": "um_cases", "inputs": "feeds/um/*.json", "mapping": "$ROOT/mappings/urban/um_cases.json"${2:-}},
  {"name": "fr_inspections", "inputs": "feeds/fr/*.csv", "mapping": "$ROOT/mappings/fire/fr_inspections.json"},
  {"name": "hl_visits", "inputs": "feeds/hl/*.ndjson", "mapping": "$ROOT/mappings/health/hl_visits.json"},
  {"name": "ps_population", "inputs": "feeds/ps/*.xml", "mapping": "$ROOT/mappings/police/ps_population.json"}]}
JSON
}
config "$WORK/onegrid.json"
cd "$WORK"
"$OG" init >/dev/null && "$OG" world import >/dev/null
m() { manifest "feeds,$1"; }

# --- run 1: the broken files are rejected, everything else loads ------------------------------------------
"$OG" run --no-progress >"$WORK/run1.out" 2>"$WORK/run1.err"
check "a run with broken files exits 3" "3" "$?"
grep -q "rejected as a whole, first .*b_cut.json" "$WORK/run1.err" &&
    pass "the run's message names the first file rejected as a whole" ||
    fail "the run's message names the first file rejected as a whole" "$(grep error "$WORK/run1.err")"
check_q "um: the good file loads whole (= manifest)" "$(m um_cases,expected_loaded)" \
    "SELECT count(*) FROM onegrid.event WHERE source = 'um_cases'"
check_q "um: nothing of the cut file loads (ledger: done, 0 records, failed bad_document)" "true|0|bad_document" \
    "SELECT done || '|' || records || '|' || (state->>'failed') FROM onegrid.etl_source_state WHERE key LIKE '%b_cut.json'"
check_q "um: the cut file is one reject, stage read, at file:line" "1|read|true" \
    "SELECT count(*) || '|' || min(stage) || '|' || bool_and(position = input || ':' || line) FROM onegrid.etl_reject WHERE input LIKE '%b_cut.json'"
check_q "um: the cut file's reject is bad_document saying the array is not closed" "t" \
    "SELECT bool_and(reason = 'bad_document' AND message LIKE '%not closed%' AND line > 1) FROM onegrid.etl_reject WHERE input LIKE '%b_cut.json'"
check_q "um: its line is the file's last" "$(($(wc -l <"$WORK/feeds/um/b_cut.json") + 1))" \
    "SELECT line FROM onegrid.etl_reject WHERE input LIKE '%b_cut.json'"
check_q "fr: the good file loads (= manifest)" "$(m fr_inspections,expected_loaded)" \
    "SELECT count(*) FROM onegrid.event WHERE source = 'fr_inspections'"
check_q "fr: the header in the wrong encoding is one bad_encoding reject at line 1" "1|bad_encoding|read" \
    "SELECT count(*) || '|' || min(reason) || '|' || min(stage) FROM onegrid.etl_reject WHERE input LIKE '%b_badheader.csv'"
check_q "hl: the source after the broken ones loads whole (= manifest)" "$(m hl_visits,expected_loaded)" \
    "SELECT count(*) FROM onegrid.visit WHERE source = 'hl_visits'"
check_q "ps (reject_file, the default): nothing of the XML file broken part-way loads" "0|bad_xml" \
    "SELECT records || '|' || (state->>'failed') FROM onegrid.etl_source_state WHERE key LIKE '%RKXX_20200205_001.xml'"
check_q "ps: its break is one bad_xml reject with its line" "1|true" \
    "SELECT count(*) || '|' || bool_and(line > 0 AND stage = 'read') FROM onegrid.etl_reject WHERE input LIKE '%RKXX_20200205_001.xml'"
check_q "ps: the whole file beside it loads (= manifest)" "$(m ps_population,files,0,expected_loaded)" \
    "SELECT records FROM onegrid.etl_source_state WHERE key LIKE '%RKXX_20200203_001.xml'"
"$OG" rejects --stage read --source um_cases >"$WORK/rej.out" 2>&1
grep -q "b_cut.json" "$WORK/rej.out" && pass "onegrid rejects --stage read lists the cut file" ||
    fail "onegrid rejects --stage read lists the cut file" "$(cat "$WORK/rej.out")"

"$OG" status --json >"$WORK/status.json" 2>&1
grep -q '"source":"um_cases","kind":"file","loaded":"1","failed":"1"' "$WORK/status.json" &&
    pass "onegrid status counts the file rejected as a whole apart from those loaded" ||
    fail "onegrid status counts the file rejected as a whole apart from those loaded" "$(grep um_cases "$WORK/status.json")"
check_q "the run's record says why it exited 3" "rejects_exceeded|true" \
    "SELECT status || '|' || (message LIKE '%rejected as a whole%') FROM onegrid.etl_run ORDER BY run_id DESC LIMIT 1"

# --- run 2: unchanged broken files are not read again -------------------------------------------------------
rej1=$(q "SELECT count(*) FROM onegrid.etl_reject")
"$OG" run --no-progress >"$WORK/run2.out" 2>"$WORK/run2.err"
check "a rerun with the same broken files exits 0 (they were reported once)" "0" "$?"
check "the rerun writes no reject" "$rej1" "$(q "SELECT count(*) FROM onegrid.etl_reject")"
check "the rerun says each unchanged broken file is not read again" "3" \
    "$(grep -c 'has not changed: not read again' "$WORK/run2.err")"

# --- run 3: a corrected file (another hash) is read ---------------------------------------------------------
cp "$UM" "$WORK/feeds/um/b_cut.json" # the upload completed
events=$(q "SELECT count(*) FROM onegrid.event WHERE source = 'um_cases'")
"$OG" run --no-progress >"$WORK/run3.out" 2>"$WORK/run3.err"
check "the run after the file was corrected exits 0" "0" "$?"
check_q "the corrected file is loaded: done, as many records as the good file, no failure" \
    "true|$(q "SELECT records FROM onegrid.etl_source_state WHERE key LIKE '%a_good.json'")|" \
    "SELECT done || '|' || records || '|' || coalesce(state->>'failed', '') FROM onegrid.etl_source_state WHERE key LIKE '%b_cut.json' AND state->>'failed' IS NULL"
check "its records are the good file's: no event doubled" "$events" \
    "$(q "SELECT count(*) FROM onegrid.event WHERE source = 'um_cases'")"

# --- partial_files load_prefix: the records before the break load ------------------------------------------
# 300 well-formed UM-1 cases, then a cut inside the 301st
python3 - "$WORK/prefix" <<'PY'
import json, sys
out = sys.argv[1]
els = [{"service_request_id": "UM2020PFX%05d" % i, "status": "open", "service_code": "0401",
        "description": "绿地损坏", "requested_datetime": "2020-02-01T18:%02d:00+08:00" % (i % 60),
        "updated_datetime": "2020-02-01T18:%02d:00+08:00" % (i % 60), "address": "升平路151号",
        "lat": 23.390121, "long": 116.702552, "media_url": None,
        "extended_attributes": {"unit_grid": "44051101300702", "stage": "立案"}} for i in range(301)]
whole = json.dumps(els[:300], ensure_ascii=False, indent=1)
open(out + "/first300.json", "w", encoding="utf-8").write(whole)
cut = json.dumps(els, ensure_ascii=False, indent=1)
open(out + "/cut301.json", "w", encoding="utf-8").write(cut[: len(whole) - 2 + 40])
PY
"$OG" map --mapping "$ROOT/mappings/urban/um_cases.json" "$WORK/prefix/first300.json" >"$WORK/first300.ndjson" 2>/dev/null
want=$(grep -c . "$WORK/first300.ndjson")
new_db partial_prefix
"$OG" init >/dev/null && "$OG" world import >/dev/null
rm -f "$WORK"/feeds/um/*
cp "$WORK/prefix/cut301.json" "$WORK/feeds/um/"
config "$WORK/prefix.json" ', "partial_files": "load_prefix"'
"$OG" run --config "$WORK/prefix.json" --source um_cases --no-progress >"$WORK/p.out" 2>"$WORK/p.err"
check "load_prefix: the run still exits 3 (the file was broken)" "3" "$?"
check "onegrid map gives the 300 whole elements" "300" "$want"
check_q "load_prefix: the records before the break load (300)" "$want" \
    "SELECT records FROM onegrid.etl_source_state WHERE key LIKE '%cut301.json'"
check_q "load_prefix: the file is marked failed all the same" "bad_document" \
    "SELECT state->>'failed' FROM onegrid.etl_source_state WHERE key LIKE '%cut301.json'"
check_q "load_prefix: the cut element is a bad_json reject, then the file a bad_document one" "bad_json,bad_document" \
    "SELECT string_agg(reason, ',' ORDER BY record_index) FROM onegrid.etl_reject WHERE input LIKE '%cut301.json' AND reason IN ('bad_json', 'bad_document') AND record_index >= 300"

# --- per-source thresholds: exit 3 over them, 0 under ------------------------------------------------------
new_db partial_threshold
"$OG" init >/dev/null && "$OG" world import >/dev/null
rm -f "$WORK"/feeds/um/*
cp "$UM" "$WORK/feeds/um/"
um_rej=$("$PGBIN/psql" -X -q -At -d "$ONEGRID_DSN" -v m="$(cat "$ROOT/samples/MANIFEST.json")" \
    <<<"SELECT sum(value::int) FROM jsonb_each_text((:'m')::jsonb #> '{feeds,um_cases,expected_rejected_by_reason}')")
config "$WORK/under.json" ", \"max_rejects\": $um_rej"
"$OG" run --config "$WORK/under.json" --source um_cases --no-progress >"$WORK/t1.out" 2>"$WORK/t1.err"
check "max_rejects equal to the source's $um_rej rejects: exit 0" "0" "$?"
new_db partial_threshold2
"$OG" init >/dev/null && "$OG" world import >/dev/null
config "$WORK/over.json" ", \"max_rejects\": $((um_rej - 1))"
"$OG" run --config "$WORK/over.json" --source um_cases --no-progress >"$WORK/t2.out" 2>"$WORK/t2.err"
check "max_rejects one under the source's rejects: exit 3" "3" "$?"
grep -q "source um_cases: $um_rej records rejected, over its max_rejects $((um_rej - 1))" "$WORK/t2.err" &&
    pass "the message names the source, its rejects and its limit" ||
    fail "the message names the source, its rejects and its limit" "$(grep error "$WORK/t2.err")"
check_q "over the threshold, the records still load (= manifest)" "$(m um_cases,expected_loaded)" \
    "SELECT count(*) FROM onegrid.event WHERE source = 'um_cases'"
config "$WORK/ratio.json" ', "max_reject_ratio": 0.001'
"$OG" run --config "$WORK/ratio.json" --source um_cases --no-progress >"$WORK/t3.out" 2>"$WORK/t3.err"
check "a rerun reads nothing new: under max_reject_ratio, exit 0" "0" "$?"

# --- a file that cannot be read at all (a folder the glob matches): one io reject, the rest loads -------------
new_db partial_unreadable
"$OG" init >/dev/null && "$OG" world import >/dev/null
rm -rf "$WORK"/feeds/um/*
cp "$UM" "$WORK/feeds/um/a_good.json"
mkdir "$WORK/feeds/um/b_folder.json"
cp "$UM" "$WORK/feeds/um/c_good.json"
printf '\n' >>"$WORK/feeds/um/c_good.json" # another hash, the same records
config "$WORK/unreadable.json"
"$OG" run --config "$WORK/unreadable.json" --source um_cases --no-progress >"$WORK/u.out" 2>"$WORK/u.err"
check "a file that cannot be read: exit 3" "3" "$?"
check_q "it is one io reject at stage read, record 0, with no content hash" "1|io|read|0|" \
    "SELECT count(*) || '|' || min(reason) || '|' || min(stage) || '|' || min(record_index) || '|' || min(version) FROM onegrid.etl_reject WHERE input LIKE '%b_folder.json'"
check_q "the files before and after it load whole" "2|true" \
    "SELECT count(*) || '|' || bool_and(done AND records > 0) FROM onegrid.etl_source_state WHERE key LIKE '%_good.json'"
finish
