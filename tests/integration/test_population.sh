#!/usr/bin/env bash
# test_population.sh - PS-1 (the police population registry, GB18030 XML) and UM-1 as Open311 XML, end to end
# into a real warehouse, against samples/MANIFEST.json: residents and rental houses per grid, the latest update
# winning whatever order files and records arrive in, deregistrations with their history, one person_key
# across PS-1 and HL-2 however the number is written, the hostile file and the cut file rejected while the others
# load, a rerun changing nothing; and UM-1's XML giving the same rows (row hashes) as its JSON.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
new_db population
with_key
mkdir -p "$WORK/feeds/ps" "$WORK/feeds/hl"
cp "$ROOT"/samples/ps/RKXX_*.xml "$WORK/feeds/ps/"
cp "$ROOT"/samples/hl/hl_visits_*.ndjson "$WORK/feeds/hl/"
config() { # config FILE PS_GLOB
    cat >"$1" <<JSON
{"batch_size": 300,
 "world": {"dir": "$ROOT/world/jinping", "crosswalks": "$ROOT/mappings/crosswalks"},
 "taxonomy": "$ROOT/mappings/taxonomy/categories.csv",
 "sources": [
  {"name": "ps_population", "inputs": "$2", "mapping": "$ROOT/mappings/police/ps_population.json",
   "partial_files": "load_prefix", "max_reject_ratio": 0.1},
  {"name": "hl_visits", "inputs": "feeds/hl/*.ndjson", "mapping": "$ROOT/mappings/health/hl_visits.json"}]}
JSON
}
config "$WORK/onegrid.json" "feeds/ps/RKXX_*.xml"
cd "$WORK"
"$OG" init >/dev/null && "$OG" world import >/dev/null
m() { manifest "feeds,ps_population,$1"; }

# --- the four files ----------------------------------------------------------------------------------------
"$OG" run --no-progress >"$WORK/run1.out" 2>"$WORK/run1.err"
check "the run exits 0" "0" "$?"
check_q "the records loaded (per the ledger) = manifest" "$(m expected_loaded)" \
    "SELECT sum(records) FROM onegrid.etl_source_state WHERE source = 'ps_population'"
for i in 0 1 2 3; do
    f=$(m "files,$i,name")
    for reason in missing_field invalid_time bad_xml xml_doctype; do
        check_q "$f: $reason rejects = manifest" "$(m "files,$i,expected_rejected_by_reason,$reason")" \
            "SELECT count(*) FROM onegrid.etl_reject WHERE source = 'ps_population' AND input LIKE '%$f' AND reason = '$reason'"
    done
done
check_q "the hostile file is one xml_doctype reject with its position, and nothing of it loads" "1|1|0" \
    "SELECT count(*) || '|' || bool_and(position LIKE '%RKXX_20200205_002.xml:%' AND stage = 'read')::int || '|' || (SELECT records FROM onegrid.etl_source_state WHERE key LIKE '%_002.xml') FROM onegrid.etl_reject WHERE input LIKE '%_002.xml'"
check_q "the cut file: its complete records load, then one bad_xml reject saying where" "1|1|$(m files,2,expected_loaded)" \
    "SELECT count(*) || '|' || bool_and(message <> '' AND line > 0)::int || '|' || (SELECT records FROM onegrid.etl_source_state WHERE key LIKE '%RKXX_20200205_001.xml') FROM onegrid.etl_reject WHERE input LIKE '%RKXX_20200205_001.xml' AND reason = 'bad_xml'"
check_q "the files after the hostile one still load (ledger: all four done)" "4" \
    "SELECT count(*) FROM onegrid.etl_source_state WHERE source = 'ps_population' AND done"
check_q "residents: one row per person (ID numbers however written)" "$(m residents)" "SELECT count(*) FROM onegrid.person"
check_q "residents active / deregistered" "$(m residents_active)/$(m residents_inactive)" \
    "SELECT count(*) FILTER (WHERE active) || '/' || count(*) FILTER (WHERE NOT active) FROM onegrid.person"
check_q "active residents per unified grid = manifest" "$(manifest feeds,ps_population,active_residents_by_grid)" \
    "SELECT jsonb_object_agg(grid_code, n)::text FROM (SELECT grid_code, count(*) AS n FROM onegrid.person WHERE active AND grid_code IS NOT NULL GROUP BY 1) x"
check_q "active residents placed at community level only (unknown beat, SQBM 12/15 digits or 2016)" \
    "$(m active_residents_community_only)" "SELECT count(*) FROM onegrid.person WHERE active AND grid_method = 'community'"
check_q "active residents not placed" "$(m active_residents_unplaced)" "SELECT count(*) FROM onegrid.person WHERE active AND grid_method = 'none'"
check_q "rental houses" "$(m houses)" "SELECT count(*) FROM onegrid.housing"
check_q "rental houses per unified grid = manifest" "$(manifest feeds,ps_population,houses_by_grid)" \
    "SELECT jsonb_object_agg(grid_code, n)::text FROM (SELECT grid_code, count(*) AS n FROM onegrid.housing WHERE grid_code IS NOT NULL GROUP BY 1) x"
for method in point crosswalk none; do
    check_q "houses placed by $method" "$(m "houses_by_method,$method")" "SELECT count(*) FROM onegrid.housing WHERE grid_method = '$method'"
done
check_q "a house's point is its CGCS2000 coordinates unshifted, inside its grid" "0" \
    "SELECT count(*) FROM onegrid.housing h JOIN onegrid.grid g USING (grid_code) WHERE h.grid_method = 'point' AND NOT public.ST_Intersects(g.boundary, h.geom)"
n=$("$PGBIN/psql" -X -q -At -d "$ONEGRID_DSN" -v m="$(cat "$ROOT/samples/MANIFEST.json")" \
    <<<"SELECT jsonb_array_length((:'m')::jsonb #> '{feeds,ps_population,out_of_order}')")
check "the manifest lists out-of-order older updates" "t" "$([[ $n -gt 0 ]] && echo t || echo f)"
for ((i = 0; i < n; i++)); do
    id=$(m "out_of_order,$i,id_masked"); addr=$(m "out_of_order,$i,address"); at=$(m "out_of_order,$i,updated_at")
    check_q "an older update arriving later does not win ($id)" "$addr|1" \
        "SELECT address || '|' || (updated_at = '$at'::timestamptz)::int FROM onegrid.person WHERE id_masked = '$id'"
done
check_q "a deregistered resident keeps its history: active at the end of 2020-02-03, inactive now" \
    "$(m changes,deregistered)" \
    "SELECT count(*) FROM onegrid.person p JOIN onegrid.person_at('2020-02-03 23:59:59+08') a USING (person_key) WHERE a.active AND NOT p.active"
check_q "person_at(now) is the current state" "$(m residents_active)" \
    "SELECT count(*) FROM onegrid.person_at(now()) WHERE active"
check_q "one person_key across PS-1 and HL-2 visits, however the number is written" "$(m shared_with_hl_visits)" \
    "SELECT count(DISTINCT person_key) FROM onegrid.person WHERE person_key IN (SELECT person_key FROM onegrid.visit_member)"
check_q "identity numbers are stored masked only (person and house owner)" "0" \
    "SELECT count(*) FROM onegrid.person WHERE id_masked !~ '^[0-9]{6}\*{8}[0-9]{3}[0-9X]$' OR length(person_key) <> 64"

# --- a rerun, then the files in the other order into a second warehouse ----------------------------------------
hash_people() {
    q "SELECT md5(string_agg(row_hash, ',' ORDER BY person_key)) FROM onegrid.person"
    q "SELECT md5(string_agg(row_hash, ',' ORDER BY house_id)) FROM onegrid.housing"
    q "SELECT md5(string_agg(concat_ws('|', person_key, changed_at, active, grid_code, address), ',' ORDER BY person_key, changed_at)) FROM onegrid.person_history"
}
before=$(hash_people)
xmin=$(q "SELECT sum(xmin::text::bigint) FROM onegrid.person")
"$OG" run --no-progress >"$WORK/run2.out" 2>"$WORK/run2.err"
check "a rerun exits 0" "0" "$?"
check "a rerun rewrites no resident (xmin)" "$xmin" "$(q "SELECT sum(xmin::text::bigint) FROM onegrid.person")"
check "a rerun changes nothing" "$before" "$(hash_people)"
first_dsn=$ONEGRID_DSN
new_db population_reversed
"$OG" init >/dev/null && "$OG" world import >/dev/null
for f in RKXX_20200205_001.xml RKXX_20200204_001.xml RKXX_20200203_001.xml; do
    mkdir -p "$WORK/one/$f" && cp "$WORK/feeds/ps/$f" "$WORK/one/$f/"
    config "$WORK/rev.json" "one/$f/*.xml"
    "$OG" run --config "$WORK/rev.json" --source ps_population --no-progress >>"$WORK/rev.out" 2>>"$WORK/rev.err"
done
check "files loaded newest first end in the same residents, houses and history" "$before" "$(hash_people)"

# --- one file with several states of a new resident and of a new house -----------------------------------------
# Residents and houses new to the warehouse are copied straight in (loader/people.c), the others merged: both
# must keep the latest update (at one update time the last read) and one history row per update time.
person() { # person GXSJ ADDRESS
    printf '  <RKXX><GMSFHM>440511198001011236</GMSFHM><XM>林测试</XM><XBDM>1</XBDM><CSRQ>19800101</CSRQ>'
    printf '<MZDM>01</MZDM><RYLBDM>01</RYLBDM><HJDZ>汕头市金平区</HJDZ><XZZ>%s</XZZ><SQBM>440511001012</SQBM>' "$2"
    printf '<JWWGBM>44051101JW012</JWWGBM><DJSJ>20150101080000</DJSJ><ZXBZ>0</ZXBZ><GXSJ>%s</GXSJ></RKXX>\n' "$1"
}
house() { # house GXSJ TENANTS
    printf '  <CZFW><FWBM>FW44051100100100999</FWBM><DZ>汕头市金平区测试路1号</DZ><FZGMSFHM>440514195307131567</FZGMSFHM>'
    printf '<FZXM>杨英桂</FZXM><CZJS>2</CZJS><ZHRS>%s</ZHRS><JWWGBM>44051106JW004</JWWGBM><ZBX>116.667034</ZBX>' "$2"
    printf '<ZBY>23.434265</ZBY><GXSJ>%s</GXSJ></CZFW>\n' "$1"
}
mkdir -p "$WORK/states"
{
    printf '<?xml version="1.0" encoding="GB18030"?>\n<SJBL xmlns="urn:gaj:syrk:1.0" PCH="T-1" SCSJ="20200301000000">\n'
    person 20200102080000 "地址一"
    house 20200102080000 3
    person 20200103080000 "地址二"
    person 20200103080000 "地址三"
    house 20200101080000 1
    person 20200101080000 "地址零"
    printf '</SJBL>\n'
} | iconv -f UTF-8 -t GB18030 >"$WORK/states/RKXX_20200301_001.xml"
states() { # the resident's row and history, the house's row
    q "SELECT address || '|' || updated_at FROM onegrid.person"
    q "SELECT string_agg(changed_at || '=' || address, ',' ORDER BY changed_at) FROM onegrid.person_history"
    q "SELECT tenants || '|' || updated_at || '|' || (geom IS NOT NULL) FROM onegrid.housing"
}
for bs in 300 1; do
    new_db "population_states_$bs"
    "$OG" init >/dev/null && "$OG" world import >/dev/null
    sed "s/\"batch_size\": 300/\"batch_size\": $bs/" "$WORK/onegrid.json" >"$WORK/states.json"
    sed -i 's|feeds/ps/RKXX_\*.xml|states/*.xml|' "$WORK/states.json"
    "$OG" run --config "$WORK/states.json" --source ps_population --no-progress >"$WORK/states.out" 2>"$WORK/states.err"
    check "several states in one file, batches of $bs: the run exits 0" "0" "$?"
    got=$(states | tr '\n' ';')
    check "batches of $bs: the resident's latest state (at one time the last read), one history row per time, the house's latest" \
        "地址三|2020-01-03 00:00:00+00;2020-01-01 00:00:00+00=地址零,2020-01-02 00:00:00+00=地址一,2020-01-03 00:00:00+00=地址三;3|2020-01-02 00:00:00+00|true;" \
        "$got"
done

# --- UM-1: the Open311 XML gives the rows of the JSON -----------------------------------------------------------
um_rows() { # um_rows MAPPING GLOB: loads into a fresh schema state and prints event_id|row_hash lines
    q "TRUNCATE onegrid.event CASCADE; TRUNCATE onegrid.etl_reject; DELETE FROM onegrid.etl_source_state"
    cat >"$WORK/um.json" <<JSON
{"taxonomy": "$ROOT/mappings/taxonomy/categories.csv",
 "sources": [{"name": "um_cases", "inputs": "$2", "mapping": "$ROOT/mappings/urban/$1"}]}
JSON
    "$OG" run --config "$WORK/um.json" --no-progress >/dev/null 2>>"$WORK/um.err"
    q "SELECT event_id || '|' || row_hash FROM onegrid.event ORDER BY 1"
    q "SELECT reason || '=' || count(*) FROM onegrid.etl_reject WHERE reason <> 'bad_json' GROUP BY reason ORDER BY reason" >"$WORK/um-rej-$1"
}
json_rows=$(um_rows um_cases.json "$ROOT/samples/um/um_cases_*.json")
xml_rows=$(um_rows um_cases_xml.json "$ROOT/samples/um/um_cases_*.xml")
check "UM-1 XML loads as many cases as the JSON" "$(manifest feeds,um_cases,expected_loaded)" "$(wc -l <<<"$xml_rows")"
if [[ "$json_rows" == "$xml_rows" ]]; then pass "UM-1 XML = UM-1 JSON: the same event ids with the same row hashes"
else fail "UM-1 XML = UM-1 JSON: the same event ids with the same row hashes" \
    "$(diff <(echo "$json_rows") <(echo "$xml_rows") | head -5)"; fi
check "UM-1 XML rejects what the JSON rejects (but the JSON's broken one)" \
    "invalid_time=$(manifest feeds,um_cases,expected_rejected_by_reason,invalid_time) missing_field=$(manifest feeds,um_cases,expected_rejected_by_reason,missing_field)" \
    "$(tr '\n' ' ' <"$WORK/um-rej-um_cases_xml.json" | sed 's/ $//')"
check "and the JSON rejects the same" "$(cat "$WORK/um-rej-um_cases_xml.json")" "$(cat "$WORK/um-rej-um_cases.json")"
export ONEGRID_DSN=$first_dsn
finish
