#!/usr/bin/env bash
# test_pipeline.sh - the three bundled feeds end to end into a real warehouse: counts per feed, every
# defect class in etl_reject with its reason and position, grid-method shares, a rerun changing nothing
# (row counts and xmin), a changed file reloading only what changed (its unchanged records not read again),
# latest state winning, privacy.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
new_db pipeline
with_key
mkdir -p "$WORK/feeds"
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

# --- init and world, twice ---------------------------------------------------------------------------
"$OG" init >/dev/null && "$OG" init >"$WORK/init2.out"
check "onegrid init twice is harmless" "0" "$?"
grep -q "0 migrations applied now" "$WORK/init2.out" && pass "second init applies nothing" || fail "second init applies nothing" "$(cat "$WORK/init2.out")"
"$OG" world import >/dev/null
check_q "world: 685 unified grids" "685" "SELECT count(*) FROM onegrid.grid"
check_q "world: 12 streets and 170 communities" "12 170" "SELECT count(*) FILTER (WHERE level = 4) || ' ' || count(*) FILTER (WHERE level = 5) FROM onegrid.division"
check_q "world: 西堤 2016 code maps to 2023" "440511018001" "SELECT code FROM onegrid.division_alias WHERE old_code = '440511014001' AND edition = '2016'"
check_q "world: the two 金凤 fire grids are different rows" "2" "SELECT count(DISTINCT dept_grid_code) FROM onegrid.dept_grid WHERE department = 'FR' AND dept_grid_code LIKE '%金凤%'"
xw1=$(q "SELECT sum(xmin::text::bigint) FROM onegrid.grid")
"$OG" world import >/dev/null
check "world import again rewrites no grid row (xmin unchanged)" "$xw1" "$(q "SELECT sum(xmin::text::bigint) FROM onegrid.grid")"
check_q "grid areas sum to the district (about 85 km^2, within 1%)" "t" "SELECT abs(sum(area_m2) / sum(public.ST_Area(boundary::public.geography)) - 1) < 0.01 AND sum(area_m2) > 5e7 FROM onegrid.grid"

# --- first run -----------------------------------------------------------------------------------------
"$OG" run --no-progress >"$WORK/run1.out" 2>"$WORK/run1.err"
check "first run exits 0" "0" "$?"
for f in um_cases fr_inspections hl_visits; do
    table=event; [[ $f == hl_visits ]] && table=visit
    check_q "$f: loaded rows = manifest expected_loaded" "$(manifest feeds,$f,expected_loaded)" "SELECT count(*) FROM onegrid.$table WHERE source = '$f'"
    for reason in bad_json invalid_time missing_field field_count; do
        check_q "$f: rejects '$reason' = manifest" "$(manifest feeds,$f,expected_rejected_by_reason,$reason)" "SELECT count(*) FROM onegrid.etl_reject WHERE source = '$f' AND reason = '$reason'"
    done
    rec=$(q "SELECT count(*) FROM onegrid.etl_reject WHERE source = '$f'")
    loaded=$(q "SELECT count(*) FROM onegrid.$table WHERE source = '$f'")
done
check_q "HL members loaded = manifest" "$(manifest feeds,hl_visits,members)" "SELECT count(*) FROM onegrid.visit_member"
# nothing disappears: every UM array element is loaded (distinct ids, so latest-wins collapses updates) or rejected
check_q "UM: elements = loaded records incl. updates + rejects" "$(manifest feeds,um_cases,records_written)" \
  "SELECT (SELECT count(*) FROM onegrid.event_history h JOIN onegrid.event e USING (event_id) WHERE e.source='um_cases') + (SELECT count(*) FROM onegrid.etl_reject WHERE source='um_cases')"
check_q "FR: rows = loaded + rejected" "$(manifest feeds,fr_inspections,records_written)" "SELECT (SELECT count(*) FROM onegrid.event WHERE source='fr_inspections') + (SELECT count(*) FROM onegrid.etl_reject WHERE source='fr_inspections')"
check_q "HL: lines = loaded + rejected" "$(manifest feeds,hl_visits,records_written)" "SELECT (SELECT count(*) FROM onegrid.visit) + (SELECT count(*) FROM onegrid.etl_reject WHERE source='hl_visits')"

# --- each defect class: reason, stage and position ----------------------------------------------------
check_q "reader rejects (bad_json, field_count) are stage 'read' with a line" "0" "SELECT count(*) FROM onegrid.etl_reject WHERE reason IN ('bad_json','field_count') AND (stage <> 'read' OR line IS NULL OR position NOT LIKE '%:' || line)"
check_q "invalid_time rejects name the field and are stage 'map'" "0" "SELECT count(*) FROM onegrid.etl_reject WHERE reason = 'invalid_time' AND (stage <> 'map' OR field NOT IN ('reported_at','visited_at'))"
check_q "missing_field rejects name source_id" "0" "SELECT count(*) FROM onegrid.etl_reject WHERE reason = 'missing_field' AND field IS DISTINCT FROM 'source_id'"
hl=$(ls "$WORK"/feeds/hl/*.ndjson)
bad_ok=0; bad_n=0
while IFS='|' read -r line raw; do
    bad_n=$((bad_n + 1))
    id=$(grep -o 'HV[0-9]*' <<<"$raw" | head -1)
    sed -n "${line}p" "$hl" | grep -q "$id" && bad_ok=$((bad_ok + 1))
done < <(q "SELECT line, raw FROM onegrid.etl_reject WHERE source = 'hl_visits' AND reason = 'bad_json'")
check "HL bad_json rejects point at the file line holding that visit ($bad_n)" "$bad_n" "$bad_ok"
check_q "FR field_count reject says expected/actual counts" "t" "SELECT bool_and(message ~ '[0-9]+.*[0-9]+') FROM onegrid.etl_reject WHERE reason = 'field_count'"
check_q "UM invalid time message quotes the value" "t" "SELECT bool_and(message LIKE '%\"%\"%') FROM onegrid.etl_reject WHERE source = 'um_cases' AND reason = 'invalid_time'"

# --- grid methods -----------------------------------------------------------------------------------------
gm() { q "SELECT count(*) FROM (SELECT source, grid_method FROM onegrid.event UNION ALL SELECT source, grid_method FROM onegrid.visit) x WHERE source = '$1' AND grid_method = '$2'"; }
um_xw=$(($(manifest feeds,um_cases,defects,coords_missing) + $(manifest feeds,um_cases,defects,coords_outside)))
check "UM: crosswalk placements = coordinates missing + outside" "$um_xw" "$(gm um_cases crosswalk)"
check "UM: none = unknown unit grid without coordinates" "$(manifest feeds,um_cases,defects,unit_grid_unknown_no_coords)" "$(gm um_cases none)"
check "UM: the rest is placed by point" "$(($(manifest feeds,um_cases,expected_loaded) - um_xw - $(gm um_cases none)))" "$(gm um_cases point)"
check "FR: crosswalk (fire grid name) = empty coordinates" "$(manifest feeds,fr_inspections,defects,empty_coords)" "$(gm fr_inspections crosswalk)"
check "FR: none = unknown fire grid without coordinates" "$(manifest feeds,fr_inspections,defects,unknown_fire_grid_no_coords)" "$(gm fr_inspections none)"
check "HL: community = 12-digit code without GPS" "$(manifest feeds,hl_visits,defects,community_no_gps)" "$(gm hl_visits community)"
check "HL: point = 12-digit code with GPS" "$(manifest feeds,hl_visits,defects,community_code_with_gps)" "$(gm hl_visits point)"
check "HL: none = unknown grid without GPS" "$(manifest feeds,hl_visits,defects,unknown_grid_no_gps)" "$(gm hl_visits none)"
check_q "placed records carry the grid's community and street" "0" "SELECT count(*) FROM onegrid.event e JOIN onegrid.grid g USING (grid_code) WHERE e.community_code <> g.community_code OR e.street_code <> g.street_code"
check_q "each stored point is the one of its lon and lat columns (events)" "0" "SELECT count(*) FROM onegrid.event WHERE (geom IS NULL) <> (lon IS NULL OR lat IS NULL) OR NOT public.ST_Equals(geom, public.ST_SetSRID(public.ST_MakePoint(lon, lat), 4326))"
check_q "each stored point is the one of its lon and lat columns (visits)" "0" "SELECT count(*) FROM onegrid.visit WHERE (geom IS NULL) <> (lon IS NULL OR lat IS NULL) OR NOT public.ST_Equals(geom, public.ST_SetSRID(public.ST_MakePoint(lon, lat), 4326))"
check_q "point placements: the stored WGS-84 point lies in the grid" "0" "SELECT count(*) FROM onegrid.event e JOIN onegrid.grid g USING (grid_code) WHERE e.grid_method = 'point' AND NOT public.ST_Intersects(g.boundary, e.geom)"
check_q "unmapped categories go to 9999, counted not rejected" "$(($(manifest feeds,um_cases,defects,unknown_service_code) + $(manifest feeds,fr_inspections,defects,unknown_category)))" "SELECT count(*) FROM onegrid.event WHERE category_code = '9999'"
check_q "FR invalid USCC loads with subject_valid = false" "$(manifest feeds,fr_inspections,defects,invalid_uscc)" "SELECT count(*) FROM onegrid.event WHERE source = 'fr_inspections' AND subject_valid = false"
check_q "HL invalid member IDs load with id_valid = false" "$(manifest feeds,hl_visits,defects,invalid_id_check)" "SELECT count(*) FROM onegrid.visit_member WHERE id_valid = false"

# --- latest state wins; history ------------------------------------------------------------------------
check_q "UM updated cases: two history rows each" "$(manifest feeds,um_cases,updates)" "SELECT count(*) FROM (SELECT event_id FROM onegrid.event_history h JOIN onegrid.event e USING (event_id) WHERE e.source = 'um_cases' GROUP BY event_id HAVING count(*) = 2) x"
check_q "UM event keeps the latest stage" "0" "SELECT count(*) FROM onegrid.event e WHERE source = 'um_cases' AND updated_at < (SELECT max(changed_at) FROM onegrid.event_history h WHERE h.event_id = e.event_id)"

# --- privacy ------------------------------------------------------------------------------------------------
check_q "no raw 18-digit ID number anywhere in rejects" "0" "SELECT count(*) FROM onegrid.etl_reject WHERE raw ~ '[0-9]{17}[0-9Xx]'"
check_q "no raw ID number in attrs" "0" "SELECT count(*) FROM (SELECT attrs::text a FROM onegrid.event UNION ALL SELECT attrs::text FROM onegrid.visit) x WHERE a ~ '[0-9]{17}[0-9Xx]'"
check_q "person keys are 64-hex HMACs; masks keep 6+4" "0" "SELECT count(*) FROM onegrid.visit_member WHERE person_key !~ '^[0-9a-f]{64}$' OR id_masked !~ '^[0-9]{6}\*{8}[0-9]{3}[0-9X]$'"

# --- rerun changes nothing ------------------------------------------------------------------------------
snap() { q "SELECT (SELECT count(*) || ':' || sum(xmin::text::bigint) FROM onegrid.event) || '/' || (SELECT count(*) || ':' || sum(xmin::text::bigint) FROM onegrid.visit) || '/' || (SELECT count(*) || ':' || sum(xmin::text::bigint) FROM onegrid.visit_member) || '/' || (SELECT count(*) || ':' || sum(xmin::text::bigint) FROM onegrid.event_history) || '/' || (SELECT count(*) FROM onegrid.etl_reject)"; }
before=$(snap)
"$OG" run --no-progress >"$WORK/run2.out" 2>&1
check "second run exits 0" "0" "$?"
check "second run: row counts and xmin unchanged everywhere" "$before" "$(snap)"
grep -Eq "^hl_visits +0 +1 " "$WORK/run2.out" && pass "second run skips every file (ledger)" || fail "second run skips every file (ledger)" "$(cat "$WORK/run2.out")"

# --- a changed file reloads: only the changed row is rewritten ----------------------------------------------
um=$(ls "$WORK"/feeds/um/*.json)
target=$(q "SELECT source_id FROM onegrid.event WHERE source = 'um_cases' AND summary IS NOT NULL ORDER BY source_id LIMIT 1")
xmin_other=$(q "SELECT sum(xmin::text::bigint) FROM onegrid.event WHERE source_id <> '$target'")
python_free_edit() { awk -v id="\"$target\"" 'index($0, id) { hit = 1 } hit && /"description"/ { sub(/"description": "/, "\"description\": \"[edited] "); hit = 0 } { print }' "$um" >"$um.tmp" && mv "$um.tmp" "$um"; }
python_free_edit
"$OG" run --no-progress --source um_cases >"$WORK/run3.out" 2>&1
check "changed file: run exits 0" "0" "$?"
check_q "changed file: the edited case has the new text" "t" "SELECT summary LIKE '[edited]%' FROM onegrid.event WHERE source_id = '$target'"
check "changed file: other rows untouched (xmin)" "$xmin_other" "$(q "SELECT sum(xmin::text::bigint) FROM onegrid.event WHERE source_id <> '$target'")"
grep -q "1 updated" "$WORK/run3.out" && pass "changed file: exactly one row updated" || fail "changed file: exactly one row updated" "$(tail -1 "$WORK/run3.out")"
check_q "ledger holds both versions of the file, both done" "2 2" "SELECT count(*) || ' ' || count(*) FILTER (WHERE done) FROM onegrid.etl_source_state WHERE source = 'um_cases'"
n_it=$(manifest feeds,um_cases,expected_rejected_by_reason,invalid_time)
check_q "unchanged bad records of the changed file are not rejected again: their $n_it rejects stay with the first version" "1 $n_it $n_it" "SELECT count(DISTINCT version) || ' ' || min(c) || ' ' || max(c) FROM (SELECT version, count(*) c FROM onegrid.etl_reject WHERE source = 'um_cases' AND reason = 'invalid_time' GROUP BY version) x"
grep -q "were loaded before from the same bytes" "$WORK/run3.out" && pass "changed file: its unchanged records are not read again" || fail "changed file: unchanged records skipped" "$(cat "$WORK/run3.out")"

# --- a changed visit file: unchanged visits are not rewritten, the changed one is, with its members -----------
vt=$(q "SELECT source_id FROM onegrid.visit WHERE member_count >= 2 ORDER BY source_id LIMIT 1")
xmin_v=$(q "SELECT sum(xmin::text::bigint) FROM onegrid.visit WHERE source_id <> '$vt'")
xmin_m=$(q "SELECT sum(m.xmin::text::bigint) FROM onegrid.visit_member m JOIN onegrid.visit v USING (visit_id) WHERE v.source_id <> '$vt'")
members_before=$(q "SELECT count(*) FROM onegrid.visit_member")
# drop the visit's last member and change its address
awk -v id="\"$vt\"" 'index($0, id) { sub(/"address": "/, "\"address\": \"[moved] "); sub(/, \{"idNo": "[^}]*\}\]\}\}$/, "]}}") } { print }' "$hl" >"$hl.tmp" && mv "$hl.tmp" "$hl"
"$OG" run --no-progress --source hl_visits >"$WORK/run4.out" 2>&1
check "changed visit file: run exits 0" "0" "$?"
grep -q "1 updated" "$WORK/run4.out" && pass "changed visit file: exactly one visit updated" || fail "one visit updated" "$(tail -1 "$WORK/run4.out")"
check_q "the changed visit has the new address and one member less" "t" "SELECT address LIKE '[moved]%' AND member_count = (SELECT count(*) FROM onegrid.visit_member m WHERE m.visit_id = v.visit_id) FROM onegrid.visit v WHERE source_id = '$vt'"
check "its members were replaced (one row fewer overall)" "$((members_before - 1))" "$(q "SELECT count(*) FROM onegrid.visit_member")"
check "other visits untouched (xmin)" "$xmin_v" "$(q "SELECT sum(xmin::text::bigint) FROM onegrid.visit WHERE source_id <> '$vt'")"
check "other visits' members untouched (xmin)" "$xmin_m" "$(q "SELECT sum(m.xmin::text::bigint) FROM onegrid.visit_member m JOIN onegrid.visit v USING (visit_id) WHERE v.source_id <> '$vt'")"

# --- status and rejects commands ------------------------------------------------------------------------
"$OG" status >"$WORK/status.out" 2>&1 && grep -q "succeeded" "$WORK/status.out" && pass "onegrid status lists the runs" || fail "onegrid status lists the runs" "$(head -5 "$WORK/status.out")"
cp "$WORK/feeds/hl/hl_visits_20200203.ndjson" "$WORK/feeds/hl/hl_visits_20200204.ndjson"
"$OG" status >"$WORK/status2.out" 2>&1
grep -Eq "^hl_visits +2 +1 +1$" "$WORK/status2.out" && pass "onegrid status shows a new input file as pending (lag)" || fail "status lag" "$(tail -5 "$WORK/status2.out")"
rm "$WORK/feeds/hl/hl_visits_20200204.ndjson"
"$OG" rejects --run "$(q "SELECT min(run_id) FROM onegrid.etl_run")" --source hl_visits --reason bad_json --json >"$WORK/rej.out" 2>&1
check "onegrid rejects --run N --json lists the first run's HL bad_json rejects" "$(manifest feeds,hl_visits,expected_rejected_by_reason,bad_json)" "$(grep -c '"reason":"bad_json"' "$WORK/rej.out")"
finish
