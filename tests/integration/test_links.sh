#!/usr/bin/env bash
# test_links.sh - cross-department links (event_link, mappings/links.json) over the sample feeds that carry the
# planted link cases of samples/MANIFEST.json (FR-1 CSV, UM-1 JSON, HT-1 pulled from the hotline's own database):
# precision and recall of the clusters against the planted groups (both printed, both >= 0.95), no planted near
# miss linked, every planted pair linked by the rule expected, a rerun changing nothing, the same clusters when
# the feeds load in parts and small batches, a voided case losing its link, and `onegrid check` on bad rules.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
with_key
ADMIN="host=$OG_PG_HOST port=$OG_PG_PORT user=postgres"
HOTLINE="og_hotline_$$"
"$PGBIN/createdb" -h "$OG_PG_HOST" -p "$OG_PG_PORT" -U postgres "$HOTLINE" || exit 1
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$ADMIN dbname=$HOTLINE" -f "$ROOT/samples/ht/hotline_20200203.sql" >/dev/null
mkdir -p "$WORK/feeds/um" "$WORK/feeds/fr"
cp "$ROOT/samples/um/um_cases_20200203.json" "$WORK/feeds/um/"
cp "$ROOT/samples/fr/fr_inspections_20200203.csv" "$WORK/feeds/fr/"
# config FILE BATCH [LINKS]: the three feeds in batches of BATCH, linked by LINKS (default mappings/links.json)
config() {
    cat >"$1" <<JSON
{"batch_size": $2, "links": "${3:-$ROOT/mappings/links.json}",
 "world": {"dir": "$ROOT/world/jinping", "crosswalks": "$ROOT/mappings/crosswalks"},
 "taxonomy": "$ROOT/mappings/taxonomy/categories.csv",
 "sources": [
  {"name": "um_cases", "inputs": "feeds/um/*.json", "mapping": "$ROOT/mappings/urban/um_cases.json"},
  {"name": "fr_inspections", "inputs": "feeds/fr/*.csv", "mapping": "$ROOT/mappings/fire/fr_inspections.json"},
  {"name": "ht_tickets", "mapping": "$ROOT/mappings/hotline/ht_tickets.json",
   "options": {"conninfo": "$ADMIN dbname=$HOTLINE", "batch_size": $2}}]}
JSON
}
cd "$WORK"
config "$WORK/onegrid.json" 500
MAN=$(cat "$ROOT/samples/MANIFEST.json")
# mq SQL: a query with the manifest's "links" object bound as :'m'
mq() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$ONEGRID_DSN" -v m="$MAN" <<<"$1"; }
# the planted pairs, every planted record, and the pairs the warehouse's clusters make among events one of
# which is planted (a cluster of n events makes n(n-1)/2 pairs); members are DEPARTMENT:source_id
PAIRS="WITH l AS (SELECT (:'m')::jsonb -> 'links' AS l),
planted AS (SELECT least(p->>0, p->>1) AS a, greatest(p->>0, p->>1) AS b, p->>2 AS rule
            FROM l, jsonb_array_elements(l->'groups') g, jsonb_array_elements(g->'pairs') p),
known AS (SELECT x #>> '{}' AS id FROM l, jsonb_array_elements(l->'groups') g, jsonb_array_elements(g->'members') x
          UNION SELECT x #>> '{}' FROM l, jsonb_array_elements(l->'near_misses') g,
                       jsonb_array_elements(g->'members') x),
ev AS (SELECT department || ':' || source_id AS id, link_id FROM onegrid.event WHERE link_id IS NOT NULL),
linked AS (SELECT least(x.id, y.id) AS a, greatest(x.id, y.id) AS b FROM ev x JOIN ev y
           ON x.link_id = y.link_id AND x.id < y.id
           WHERE x.id IN (SELECT id FROM known) OR y.id IN (SELECT id FROM known))"
# clusters: one line per cluster, its members sorted (ids without the source name), clusters sorted
clusters() { q "SELECT string_agg(m, ' ' ORDER BY m) FROM (SELECT link_id, department || ':' || source_id AS m
                FROM onegrid.event WHERE link_id IS NOT NULL) x GROUP BY link_id ORDER BY 1"; }
# the links as they stand: pair, link id, rule, distance, run, creation time
links_state() { q "SELECT md5(coalesce(string_agg(l::text, '|' ORDER BY event_id, linked_event_id), '')) || ' ' ||
                   (SELECT md5(coalesce(string_agg(event_id || '=' || link_id, ',' ORDER BY event_id), ''))
                    FROM onegrid.event WHERE link_id IS NOT NULL) FROM onegrid.event_link l"; }

# --- onegrid check validates the rules file ------------------------------------------------------------------------
new_db links_check
"$OG" check --config "$WORK/onegrid.json" >"$WORK/check.out" 2>&1
check "onegrid check accepts mappings/links.json" "0" "$?"
grep -q "ok  $ROOT/mappings/links.json  (4 link rules)" "$WORK/check.out" && pass "onegrid check names the rules file" ||
    fail "check names the rules file" "$(cat "$WORK/check.out")"
cat >"$WORK/bad_links.json" <<'JSON'
{"rules": [{"name": "a", "between": [{"department": "FR", "categories": ["0101"]},
                                     {"department": "UM", "categories": ["01", "4x"]}],
            "within_m": 100, "window_hours": 24}]}
JSON
config "$WORK/bad.json" 500 "$WORK/bad_links.json"
"$OG" check --config "$WORK/bad.json" >"$WORK/bad.out" 2>&1
check "onegrid check refuses a bad category prefix (exit 2)" "2" "$?"
grep -q "bad_links.json: rules\[0\].between\[1\].categories\[1\]" "$WORK/bad.out" && pass "the error names the file and the JSON path" ||
    fail "bad rules: file and JSON path" "$(cat "$WORK/bad.out")"
"$OG" run --config "$WORK/bad.json" --no-progress >/dev/null 2>&1
check "a run with bad rules is a configuration error (exit 2), nothing loaded" "2" "$?"

# --- one run: precision, recall, near misses, rules ----------------------------------------------------------------
new_db links
"$OG" init >/dev/null && "$OG" world import >/dev/null
start=$(date +%s.%N)
"$OG" run --no-progress >"$WORK/run1.out" 2>"$WORK/run1.err"
check "first run exits 0" "0" "$?"
echo "     (load with links: $(echo "$(date +%s.%N) - $start" | bc) s)"
check "every planted record loaded" \
    "$(mq "SELECT count(*) FROM (SELECT jsonb_array_elements(g->'members') FROM jsonb_array_elements((:'m')::jsonb #> '{links,groups}') g
            UNION ALL SELECT jsonb_array_elements(g->'members') FROM jsonb_array_elements((:'m')::jsonb #> '{links,near_misses}') g) x")" \
    "$(mq "SELECT count(*) FROM onegrid.event WHERE department || ':' || source_id IN (
            SELECT x #>> '{}' FROM jsonb_array_elements((:'m')::jsonb #> '{links,groups}') g, jsonb_array_elements(g->'members') x
            UNION ALL SELECT x #>> '{}' FROM jsonb_array_elements((:'m')::jsonb #> '{links,near_misses}') g,
                                              jsonb_array_elements(g->'members') x)")"
read -r tp npred nplanted < <(mq "$PAIRS SELECT (SELECT count(*) FROM linked JOIN planted USING (a, b)),
                                              (SELECT count(*) FROM linked), (SELECT count(*) FROM planted)" | tr '|' ' ')
precision=$(echo "scale=3; $tp / $npred" | bc)
recall=$(echo "scale=3; $tp / $nplanted" | bc)
echo "     clusters: precision $precision ($tp of $npred linked pairs touching planted records are planted)," \
    "recall $recall ($tp of $nplanted planted pairs)"
# the same over event_link rows (the pairs the rules matched, not the pairs their clusters imply)
read -r ltp lpred < <(mq "$PAIRS, direct AS (SELECT least(x.department || ':' || x.source_id, y.department || ':' || y.source_id) AS a,
                                   greatest(x.department || ':' || x.source_id, y.department || ':' || y.source_id) AS b
                            FROM onegrid.event_link l JOIN onegrid.event x ON x.event_id = l.event_id
                            JOIN onegrid.event y ON y.event_id = l.linked_event_id)
    SELECT (SELECT count(*) FROM direct JOIN planted USING (a, b)),
           (SELECT count(*) FROM direct WHERE a IN (SELECT id FROM known) OR b IN (SELECT id FROM known))" | tr '|' ' ')
lprecision=$(echo "scale=3; $ltp / $lpred" | bc)
echo "     event_link rows: precision $lprecision ($ltp of $lpred links touching planted records are planted pairs)," \
    "recall $(echo "scale=3; $ltp / $nplanted" | bc)"
[[ $(echo "$lprecision >= 0.95" | bc) == 1 ]] && pass "link precision >= 0.95 ($lprecision)" || fail "link precision >= 0.95" "$lprecision"
[[ $(echo "$precision >= 0.95" | bc) == 1 ]] && pass "precision >= 0.95 ($precision)" || fail "precision >= 0.95" "$precision"
[[ $(echo "$recall >= 0.95" | bc) == 1 ]] && pass "recall >= 0.95 ($recall)" || fail "recall >= 0.95" "$recall"
check "the manifest's pair count is the planted pairs" "$(manifest links,group_pairs)" "$nplanted"
check "no planted near miss is linked (its members share no cluster)" "" \
    "$(mq "SELECT g->>'kind' || ': ' || (g->'members')::text FROM jsonb_array_elements((:'m')::jsonb #> '{links,near_misses}') g
           WHERE (SELECT count(DISTINCT e.link_id) FILTER (WHERE e.link_id IS NOT NULL) < count(*) FILTER (WHERE e.link_id IS NOT NULL)
                  FROM onegrid.event e WHERE e.department || ':' || e.source_id IN
                       (SELECT x #>> '{}' FROM jsonb_array_elements(g->'members') x))")"
check "every kind of near miss is planted" "beyond_distance incompatible_category outside_window same_department void" \
    "$(mq "SELECT string_agg(DISTINCT g->>'kind', ' ') FROM jsonb_array_elements((:'m')::jsonb #> '{links,near_misses}') g")"
check "every planted pair is a link made by the rule expected" "" \
    "$(mq "$PAIRS SELECT p.a || ' ' || p.b || ' ' || p.rule || ' got ' || coalesce(k.rule, 'no link') FROM planted p
           LEFT JOIN (SELECT least(x.department || ':' || x.source_id, y.department || ':' || y.source_id) AS a,
                             greatest(x.department || ':' || x.source_id, y.department || ':' || y.source_id) AS b, l.rule
                      FROM onegrid.event_link l JOIN onegrid.event x ON x.event_id = l.event_id
                      JOIN onegrid.event y ON y.event_id = l.linked_event_id) k USING (a, b)
           WHERE k.rule IS DISTINCT FROM p.rule")"
check_q "each link pairs two departments, ids in order, one cluster id at both ends" "0" \
    "SELECT count(*) FROM onegrid.event_link l JOIN onegrid.event x ON x.event_id = l.event_id
     JOIN onegrid.event y ON y.event_id = l.linked_event_id
     WHERE x.department = y.department OR NOT l.event_id < l.linked_event_id OR x.link_id IS DISTINCT FROM l.link_id
        OR y.link_id IS DISTINCT FROM l.link_id"
check_q "an event has a link_id only when it is in a link" "0" \
    "SELECT count(*) FROM onegrid.event e WHERE e.link_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM onegrid.event_link l
     WHERE e.event_id IN (l.event_id, l.linked_event_id))"
check_q "no void event is linked" "0" "SELECT count(*) FROM onegrid.event WHERE status = 'void' AND link_id IS NOT NULL"
check_q "a distance for links between points, a time gap for every link, within the rule's window" "0" \
    "SELECT count(*) FROM onegrid.event_link l JOIN onegrid.event x ON x.event_id = l.event_id
     JOIN onegrid.event y ON y.event_id = l.linked_event_id
     WHERE (x.geom IS NOT NULL AND y.geom IS NOT NULL AND l.distance_m IS NULL) OR l.time_gap IS NULL
        OR l.time_gap > interval '72 hours'"
check_q "the same-grid rule links planted pairs farther apart than its distance" "t" \
    "SELECT count(*) >= 4 FROM onegrid.event_link WHERE rule = 'fire_um_ht' AND distance_m > 100"
one=$(clusters)
q "SELECT event_id, linked_event_id, rule FROM onegrid.event_link ORDER BY 1, 2" >"$WORK/one_links.txt"

# --- a rerun changes nothing -----------------------------------------------------------------------------------------
before=$(links_state)
"$OG" run --no-progress >/dev/null 2>"$WORK/run2.err"
check "rerun exits 0" "0" "$?"
check "rerun leaves event_link and event.link_id as they were" "$before" "$(links_state)"
# the same rows loaded again under a fresh ledger (every event merged again, none changed) link nothing anew
q "DELETE FROM onegrid.etl_source_state" >/dev/null
"$OG" run --no-progress >/dev/null 2>"$WORK/run3.err"
check "reloading the same records (no ledger) exits 0" "0" "$?"
check "... and leaves event_link and event.link_id as they were" "$before" "$(links_state)"

# --- a case voided later loses its link ----------------------------------------------------------------------------
um=$(mq "SELECT split_part(g->'members'->>1, ':', 2) FROM jsonb_array_elements((:'m')::jsonb #> '{links,groups}') g
         WHERE jsonb_array_length(g->'members') = 2 AND g->'members'->>1 LIKE 'UM:%' AND g->'members'->>0 LIKE 'FR:%' LIMIT 1")
partner=$(q "SELECT count(*) FROM onegrid.event WHERE link_id = (SELECT link_id FROM onegrid.event WHERE source_id = '$um')")
check "the planted UM case $um is in a pair" "2" "$partner"
lid=$(q "SELECT link_id FROM onegrid.event WHERE source_id = '$um'")
# the same case sent again later, void (stage 作废): the element of the sample file, its stage and times changed
{
    echo "["
    awk -v id="\"service_request_id\": \"$um\"," '/^  \{/ {buf = ""; keep = 0} {buf = buf $0 "\n"} index($0, id) {keep = 1}
        /^  \}/ && keep {printf "%s", buf; exit}' "$ROOT/samples/um/um_cases_20200203.json" |
        sed -e 's/"stage": "[^"]*"/"stage": "作废"/' -e 's/"status": "open"/"status": "closed"/' \
            -e 's/"updated_datetime": "[^"]*"/"updated_datetime": "2020-02-28T12:00:00+08:00"/'
    echo "]"
} >"$WORK/feeds/um/um_cases_20200210.json"
"$OG" run --no-progress >/dev/null 2>"$WORK/run4.err"
check "the run with the voided case exits 0" "0" "$?"
check_q "the voided case is void now" "void" "SELECT status FROM onegrid.event WHERE source_id = '$um'"
check_q "the voided case is in no link" "0" \
    "SELECT count(*) FROM onegrid.event_link l JOIN onegrid.event e ON e.event_id IN (l.event_id, l.linked_event_id)
     WHERE e.source_id = '$um'"
check_q "both events of the pair have no link_id any more" "0" \
    "SELECT count(*) FROM onegrid.event WHERE link_id = $lid"
check_q "the run says what it removed" "1" \
    "SELECT (counts->>'links_removed') FROM onegrid.etl_run ORDER BY run_id DESC LIMIT 1"
rm "$WORK/feeds/um/um_cases_20200210.json"

# --- loading in parts and in small batches gives the same clusters ---------------------------------------------------
new_db links_parts
config "$WORK/parts.json" 37
"$OG" init >/dev/null && "$OG" world import >/dev/null
"$OG" run --config "$WORK/parts.json" --source ht_tickets --no-progress >/dev/null 2>"$WORK/p1.err" &&
    "$OG" run --config "$WORK/parts.json" --source um_cases --no-progress >/dev/null 2>"$WORK/p2.err" &&
    "$OG" run --config "$WORK/parts.json" --source fr_inspections --no-progress >/dev/null 2>"$WORK/p3.err"
check "three runs (HT, then UM, then FR) in batches of 37 exit 0" "0" "$?"
check "... and give the same clusters as one run" "$one" "$(clusters)"
q "SELECT event_id, linked_event_id, rule FROM onegrid.event_link ORDER BY 1, 2" >"$WORK/parts_links.txt"
check "... with the same rules on the same pairs" "" "$(diff "$WORK/one_links.txt" "$WORK/parts_links.txt")"

# --- without a "links" key nothing is linked -------------------------------------------------------------------------
new_db links_none
sed 's/"links": "[^"]*",//' "$WORK/onegrid.json" >"$WORK/none.json"
"$OG" init >/dev/null && "$OG" world import >/dev/null
start=$(date +%s.%N)
"$OG" run --config "$WORK/none.json" --no-progress >/dev/null 2>"$WORK/none.err"
check "a run without links exits 0" "0" "$?"
echo "     (load without links: $(echo "$(date +%s.%N) - $start" | bc) s)"
check_q "... and links nothing" "0 0" "SELECT (SELECT count(*) FROM onegrid.event_link) || ' ' ||
                                         (SELECT count(*) FROM onegrid.event WHERE link_id IS NOT NULL)"
"$PGBIN/dropdb" -h "$OG_PG_HOST" -p "$OG_PG_PORT" -U postgres "$HOTLINE"
finish
