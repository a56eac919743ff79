#!/usr/bin/env bash
# test_changed.sh - a changed file costs what changed in it: every bundled file kind (NDJSON visits, a JSON
# document of cases, GB18030 CSV inspections, GB18030 XML residents) is loaded, then about one record in ten of
# each file is edited and the run is repeated. Records whose bytes did not change are not converted again
# (the run says how many), and the warehouse is the one `--convert-all` (every record converted again) gives:
# every table equal row for row, the ledger's positions too; an unchanged bad record keeps the reject of the
# version it was first read in instead of being rejected twice. Digests are stored for every record, so a
# third version again converts only its own changes; a changed mapping (a code table of it) makes every record
# be converted again, and so does a run that cannot keep the stored digests in a temporary file.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
with_key
cd "$WORK"
config() { # config FILE [FR_MAPPING]
    cat >"$1" <<JSON
{"batch_size": 100, "loaders": 2,
 "world": {"dir": "$ROOT/world/jinping", "crosswalks": "$ROOT/mappings/crosswalks"},
 "taxonomy": "$ROOT/mappings/taxonomy/categories.csv",
 "sources": [
  {"name": "ps_population", "inputs": "feeds/RKXX_2020020[34]_*.xml", "mapping": "$ROOT/mappings/police/ps_population.json"},
  {"name": "hl_visits", "inputs": "feeds/hl_visits_*.ndjson", "mapping": "$ROOT/mappings/health/hl_visits.json"},
  {"name": "fr_inspections", "inputs": "feeds/fr_*.csv", "mapping": "${2:-$ROOT/mappings/fire/fr_inspections.json}"},
  {"name": "um_cases", "inputs": "feeds/um_cases_*.json", "mapping": "$ROOT/mappings/urban/um_cases.json"}]}
JSON
}
# edit TAG: about one record in ten of each file gets TAG in a field that is stored (bytes outside ASCII are
# left alone, so the GB18030 files stay GB18030)
edit() {
    local f
    for f in feeds/hl_visits_*.ndjson; do
        LC_ALL=C awk -v t="$1" 'NR % 10 == 3 { sub(/"workerId": "/, "\"workerId\": \"" t) } { print }' "$f" >"$f.tmp"
        mv "$f.tmp" "$f"
    done
    for f in feeds/um_cases_*.json; do
        LC_ALL=C awk -v t="$1" '/"service_request_id"/ { n++ } n % 10 == 4 && /"description": "/ {
            sub(/"description": "/, "\"description\": \"" t) } { print }' "$f" >"$f.tmp"
        mv "$f.tmp" "$f"
    done
    for f in feeds/fr_*.csv; do
        LC_ALL=C awk -F, -v OFS=, -v t="$1" 'NR > 1 && NR % 10 == 5 && NF == 12 { $7 = t $7 } { print }' "$f" >"$f.tmp"
        mv "$f.tmp" "$f"
    done
    for f in feeds/RKXX_*.xml; do
        LC_ALL=C awk -v t="$1" '/<RKXX>/ { n++ } n % 10 == 6 { sub(/<XZZ>/, "<XZZ>" t) } { print }' "$f" >"$f.tmp"
        mv "$f.tmp" "$f"
    done
}
# load NAME [RUN_OPTIONS]: a new database NAME with the original samples loaded, then the edited ones run with
# RUN_OPTIONS; the second run's summary in NAME.json, its exit code in $rc
load() {
    rm -rf feeds && mkdir feeds
    cp "$ROOT"/samples/ps/RKXX_*.xml "$ROOT"/samples/hl/hl_visits_*.ndjson "$ROOT"/samples/fr/*.csv \
        "$ROOT"/samples/um/um_cases_*.json feeds/
    new_db "$1"
    config "$WORK/onegrid.json"
    "$OG" init >/dev/null && "$OG" world import >/dev/null
    "$OG" run --no-progress >"$1.first.out" 2>&1
    edit "[ed1]"
    rc=0
    "$OG" run --no-progress --summary "$1.json" "${@:2}" >"$1.out" 2>"$1.err" || rc=$?
}
# logged SOURCE FIELD FILE: what the run's log line of SOURCE says of FIELD (read, unchanged_records, ...)
logged() { grep -o "source=$1 .* $2=[0-9]*" "$3" | sed "s/.* $2=//"; }

load full --convert-all
check "--convert-all: the edited files load (exit 0, or 3 for their planted rejects)" "ok" \
    "$([[ $rc == 0 || $rc == 3 ]] && echo ok || echo "exit $rc: $(tail -3 full.err)")"
full=$(fingerprint)
full_rejects=$(q "SELECT source, input, record_index, reason, version FROM onegrid.etl_reject ORDER BY 1, 2, 3, 4, 5")
full_ledger=$(q "SELECT source, key, version, position, done FROM onegrid.etl_source_state ORDER BY 1, 2, 3")
check "--convert-all converts every record again (none left unchanged)" "0 0 0 0" \
    "$(for s in hl_visits um_cases fr_inspections ps_population; do logged $s unchanged_records full.err; done | xargs)"

load skip
check "the edited files load (exit 0, or 3 for their planted rejects)" "ok" \
    "$([[ $rc == 0 || $rc == 3 ]] && echo ok || echo "exit $rc: $(tail -3 skip.err)")"
for s in hl_visits um_cases fr_inspections ps_population; do
    unchanged=$(logged $s unchanged_records skip.err)
    records=$(logged $s read skip.err)
    ((unchanged > 0 && records > 0 && unchanged >= 7 * records)) &&
        pass "$s: $unchanged unchanged records not converted again, $records converted" ||
        fail "$s: most records skipped" "unchanged=$unchanged read=$records" "$(grep "source=$s" skip.err)"
done
sum=0
for s in hl_visits um_cases fr_inspections ps_population; do sum=$((sum + $(logged $s unchanged_records skip.err))); done
check "--summary: totals.unchanged is what the sources logged" "$sum" \
    "$(tr -d '\n' <skip.json | grep -o '"totals": *{[^}]*}' | grep -o '"unchanged": *[0-9]*' | grep -o '[0-9]*$')"
grep -q "records of changed files were loaded before from the same bytes" skip.out &&
    pass "the summary says how many records were not read again" || fail "summary line" "$(cat skip.out)"
skip=$(fingerprint)
while read -r t n h; do
    [[ $t == etl_reject || $t == ledger || $t == clusters ]] && continue
    check "$t: the same rows as when every record is converted again ($n)" "$t $n $h" "$(grep "^$t " <<<"$skip")"
done <<<"$full"
check "linked events: the same clusters" "$(grep '^clusters' <<<"$full")" "$(grep '^clusters' <<<"$skip")"
check "the ledger: the same positions, every file done" "$full_ledger" \
    "$(q "SELECT source, key, version, position, done FROM onegrid.etl_source_state ORDER BY 1, 2, 3")"
skip_rejects=$(q "SELECT source, input, record_index, reason, version FROM onegrid.etl_reject ORDER BY 1, 2, 3, 4, 5")
check "every reject of the skipping run is one --convert-all also has" "" \
    "$(comm -23 <(sort <<<"$skip_rejects") <(sort <<<"$full_rejects"))"
# what --convert-all has besides: unchanged bad records of the new version, rejected a second time; each must be
# rejected for the same reason at the same index in the version read before
again=$(comm -13 <(sort <<<"$skip_rejects") <(sort <<<"$full_rejects"))
[[ -n $again ]] && pass "--convert-all rejects unchanged bad records a second time ($(wc -l <<<"$again"))" ||
    fail "unchanged bad records exist in the samples"
old=$(cut -d'|' -f1-4 <<<"$skip_rejects" | sort -u)
check "an unchanged bad record keeps the reject of the version first read, for the same reason" "" \
    "$(cut -d'|' -f1-4 <<<"$again" | sort -u | comm -23 - <(cat <<<"$old"))"
for s in hl_visits um_cases fr_inspections ps_population; do
    check_q "$s: a digest stored for every record of each new version" "0" \
        "SELECT count(*) FROM onegrid.etl_source_state st WHERE st.source = '$s'
           AND st.run_id = (SELECT max(run_id) FROM onegrid.etl_run)
           AND st.position <> (SELECT coalesce(sum(n), 0) FROM onegrid.etl_record_digest d
                               WHERE d.source = st.source AND d.input = st.key)"
done

# a third version converts only its own changes
edit "[ed2]"
"$OG" run --no-progress >third.out 2>third.err
unchanged=$(logged hl_visits unchanged_records third.err)
records=$(logged hl_visits read third.err)
((unchanged >= 7 * records && records > 0)) && pass "a third version converts only its changes ($records of $((records + unchanged)))" ||
    fail "third version" "unchanged=$unchanged read=$records"
check_q "the twice edited visits carry both edits" "t" \
    "SELECT count(*) > 0 AND bool_and(worker_id LIKE '[ed2][ed1]%') FROM onegrid.visit WHERE worker_id LIKE '[ed2]%'"

# another code table for the CSV source's mapping (here the same with a line more): every record of its changed
# file is converted again
cp -r "$ROOT/mappings" mappings2
echo >>mappings2/taxonomy/fr_category.csv
config "$WORK/onegrid.json" "$WORK/mappings2/fire/fr_inspections.json"
edit "[ed3]"
"$OG" run --no-progress >fourth.out 2>fourth.err
unchanged=$(logged fr_inspections unchanged_records fourth.err)
check "a changed code table of the mapping: every record of the changed CSV converted again" "0" "$unchanged"
unchanged=$(logged hl_visits unchanged_records fourth.err)
((unchanged > 0)) && pass "the other sources still skip their unchanged records" || fail "others skip" "$unchanged"

# no temporary file for the stored digests (TMPDIR missing): a warning, and the records are all converted
edit "[ed4]"
rc=0
TMPDIR=$WORK/no-such-dir "$OG" run --no-progress >fifth.out 2>fifth.err || rc=$?
check "without a temporary directory the run still loads (exit 0 or 3)" "ok" \
    "$([[ $rc == 0 || $rc == 3 ]] && echo ok || echo "exit $rc: $(tail -3 fifth.err)")"
grep -q "no temporary file for the digests.*every record is converted again" fifth.err &&
    pass "it says why every record is converted" || fail "temporary file warning" "$(grep -m3 warn fifth.err)"
check "without a temporary directory nothing is skipped" "0" "$(logged hl_visits unchanged_records fifth.err)"
check_q "and the edit is loaded" "t" "SELECT count(*) > 0 FROM onegrid.visit WHERE worker_id LIKE '[ed4][ed3][ed2][ed1]%'"
finish
