#!/usr/bin/env bash
# test_loaders.sh - batches stored by several loaders in parallel (config "loaders") give the warehouse one
# loader gives: every bundled sample feed (NDJSON visits, GB18030 CSV inspections, JSON cases, four GB18030 XML
# population files with updates across files, link rules) loaded with loaders 1 and batches of 5000 into one
# database, and with 4 loaders and batches of 7 (so that most batches share keys with one in flight, events to
# link must go alone, and commits must keep the reading order) into another; every table compared row for row
# (content hash without run ids, load times and serial ids), clusters of linked events compared by membership,
# the ledger's positions compared; then a rerun of the parallel one changes nothing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
with_key
mkdir -p "$WORK/feeds"
cp "$ROOT"/samples/ps/RKXX_*.xml "$ROOT"/samples/hl/hl_visits_*.ndjson "$ROOT"/samples/fr/*.csv \
    "$ROOT"/samples/um/um_cases_*.json "$WORK/feeds/"
config() { # config FILE LOADERS BATCH
    cat >"$1" <<JSON
{"batch_size": $3, "loaders": $2, "links": "$ROOT/mappings/links.json",
 "world": {"dir": "$ROOT/world/jinping", "crosswalks": "$ROOT/mappings/crosswalks"},
 "taxonomy": "$ROOT/mappings/taxonomy/categories.csv",
 "sources": [
  {"name": "ps_population", "inputs": "feeds/RKXX_*.xml", "mapping": "$ROOT/mappings/police/ps_population.json",
   "partial_files": "load_prefix"},
  {"name": "hl_visits", "inputs": "feeds/hl_visits_*.ndjson", "mapping": "$ROOT/mappings/health/hl_visits.json"},
  {"name": "fr_inspections", "inputs": "feeds/fr_*.csv", "mapping": "$ROOT/mappings/fire/fr_inspections.json"},
  {"name": "um_cases", "inputs": "feeds/um_cases_*.json", "mapping": "$ROOT/mappings/urban/um_cases.json"}]}
JSON
}
cd "$WORK"
load() { # load DB LOADERS BATCH: a new database, the samples run into it; rc in $loaded
    new_db "$1"
    config "$WORK/$1.json" "$2" "$3"
    "$OG" init >/dev/null && "$OG" world import >/dev/null
    loaded=0
    "$OG" run --config "$WORK/$1.json" --no-progress >"$WORK/$1.out" 2>"$WORK/$1.err" || loaded=$?
}
load one 1 5000
check "one loader: the samples load (exit 0, or 3 for their planted rejects)" "ok" \
    "$([[ $loaded == 0 || $loaded == 3 ]] && echo ok || echo "exit $loaded: $(tail -3 "$WORK/one.err")")"
one=$(fingerprint)
rows_one=$(q "SELECT (SELECT count(*) FROM onegrid.event) + (SELECT count(*) FROM onegrid.visit)
                     + (SELECT count(*) FROM onegrid.person) + (SELECT count(*) FROM onegrid.housing)")
load four 4 7
check "four loaders: the samples load with the same exit status" "ok" \
    "$([[ $loaded == 0 || $loaded == 3 ]] && echo ok || echo "exit $loaded: $(tail -3 "$WORK/four.err")")"
grep -q 'loaders=4' "$WORK/four.err" && pass "the run says it stores with 4 loaders" ||
    fail "4 loaders logged" "$(grep -m3 loader "$WORK/four.err")"
four=$(fingerprint)
((rows_one > 1000)) && pass "the samples gave $rows_one events, visits, residents and houses" ||
    fail "enough rows to compare" "$rows_one"
while read -r t n h; do
    other=$(grep "^$t " <<<"$four")
    check "$t: the same rows with 4 loaders and batches of 7 as with one ($n)" "$t $n $h" "$other"
done < <(grep -v '^clusters\|^ledger' <<<"$one")
check "linked events: the same clusters" "$(grep '^clusters' <<<"$one")" "$(grep '^clusters' <<<"$four")"
check "the ledger: the same positions, records and rejects per input" "$(grep '^ledger' <<<"$one")" \
    "$(grep '^ledger' <<<"$four")"
# a rerun in parallel finds everything stored: nothing is written again
"$OG" run --config "$WORK/four.json" --no-progress >"$WORK/four2.out" 2>"$WORK/four2.err"
check "a rerun with 4 loaders changes no row" "$four" "$(fingerprint)"
finish
