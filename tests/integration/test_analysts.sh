#!/usr/bin/env bash
# test_analysts.sh - the analysts' side on the demo warehouse (`onegrid demo --keep`): every view against counts
# computed here from the fact tables by other SQL; the day counts after a second run that changes, moves and
# closes events; row-level security through every table and view for two street analysts, a community analyst
# and the district analyst (real login roles made with `onegrid grant`); `onegrid grant` / `revoke` errors;
# and each question of docs/analysts.md, its SQL taken from the guide, against an answer computed here.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
chmod 755 "$WORK"
DEMO=$WORK/demo
cleanup_demo() {
    bash "$ROOT/ops/pg-local" stop "$DEMO/pg" >/dev/null 2>&1
    bash "$ROOT/ops/kafka-dev/kafka-dev-ctl" stop "$DEMO/kafka" >/dev/null 2>&1
    rm -rf -- "$WORK"
}
trap cleanup_demo EXIT
env -u ONEGRID_DSN -u ONEGRID_ID_KEY_FILE "$OG" demo --dir "$DEMO" --keep >"$WORK/demo.out" 2>"$WORK/demo.err"
check "onegrid demo --keep exits 0" "0" "$?"
DSN=$(sed -nE 's/^  psql "(host=[^"]*dbname=onegrid user=postgres)"$/\1/p' "$WORK/demo.out" | head -1)
if [[ -z $DSN ]]; then
    fail "the demo prints its warehouse's conninfo" "$(tail -5 "$WORK/demo.out")"
    finish
fi
export ONEGRID_DSN=$DSN
HOSTPORT=${DSN% dbname=*}
AS_OF='2020-03-01 00:00+08'
export PGOPTIONS="-c onegrid.as_of=2020-03-01T00:00+08"
# as ROLE SQL: the query run by the login role ROLE (trust authentication on the test cluster)
as() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$HOSTPORT dbname=onegrid user=$1" -c "$2" 2>&1; }

check_q "the demo folded its events into event_daily (nothing pending)" "0" \
    "SELECT count(*) FROM onegrid.event_daily_delta"
check_q "onegrid.as_of() follows the session setting" "2020-03-01 00:00:00+08" \
    "SET TIME ZONE 'Asia/Shanghai'; SELECT onegrid.as_of()"

# ---- the day views against the events, counted another way -------------------------------------------------
# expect_daily UNIT: (unit, department, category, day, opened, closed, open at end) from onegrid.event with
# correlated counts, for every day an event of the unit opened or closed.
expect_daily() {
    cat <<SQL
WITH ev AS (
    SELECT $1 AS unit, department, category_code,
           (reported_at AT TIME ZONE 'Asia/Shanghai')::date AS od,
           CASE WHEN status IN ('resolved', 'closed', 'void')
                THEN (greatest(coalesce(closed_at, updated_at, reported_at), reported_at)
                      AT TIME ZONE 'Asia/Shanghai')::date END AS cd
      FROM onegrid.event WHERE $1 IS NOT NULL AND reported_at IS NOT NULL),
days AS (SELECT unit, department, category_code, od AS day FROM ev
         UNION SELECT unit, department, category_code, cd FROM ev WHERE cd IS NOT NULL)
SELECT d.unit, d.department, d.category_code, d.day,
       (SELECT count(*) FROM ev e WHERE (e.unit, e.department, e.category_code) = (d.unit, d.department, d.category_code)
           AND e.od = d.day),
       (SELECT count(*) FROM ev e WHERE (e.unit, e.department, e.category_code) = (d.unit, d.department, d.category_code)
           AND e.cd = d.day),
       (SELECT count(*) FROM ev e WHERE (e.unit, e.department, e.category_code) = (d.unit, d.department, d.category_code)
           AND e.od <= d.day AND (e.cd IS NULL OR e.cd > d.day))
  FROM days d
SQL
}
# daily_diff VIEW UNITCOL UNITEXPR: rows in one and not the other, both ways, and the row count
daily_diff() {
    local e
    e=$(expect_daily "$3")
    q "WITH x AS ($e), v AS (SELECT $2, department, category_code, day, opened::bigint, closed::bigint,
                               open_at_end::bigint FROM onegrid.$1)
       SELECT (SELECT count(*) FROM (SELECT * FROM x EXCEPT SELECT * FROM v) a) || ' missing, '
           || (SELECT count(*) FROM (SELECT * FROM v EXCEPT SELECT * FROM x) b) || ' extra, '
           || (SELECT CASE WHEN count(*) > 100 THEN 'many' ELSE count(*)::text END FROM v) || ' rows'"
}
check_daily_views() {
    check "grid_daily = the events counted per grid, day, department and category ($1)" "0 missing, 0 extra, many rows" \
        "$(daily_diff grid_daily grid_code grid_code)"
    check "community_daily = the events counted per community ($1)" "0 missing, 0 extra, many rows" \
        "$(daily_diff community_daily community_code community_code)"
    check "street_daily = the events counted per street ($1)" "0 missing, 0 extra, many rows" \
        "$(daily_diff street_daily street_code street_code)"
}
check_daily_views "after the demo"
check_q "grid_daily's opened add up to the placed events" \
    "$(q "SELECT count(*) FROM onegrid.event WHERE grid_code IS NOT NULL AND reported_at IS NOT NULL")" \
    "SELECT sum(opened) FROM onegrid.grid_daily"
check_q "street_daily's last open_at_end per street, department and category add up to the open events" \
    "$(q "SELECT count(*) FROM onegrid.event WHERE street_code IS NOT NULL AND reported_at IS NOT NULL
            AND status IN ('reported', 'dispatched', 'in_progress')")" \
    "SELECT sum(open_at_end) FROM (SELECT DISTINCT ON (street_code, department, category_code) open_at_end
       FROM onegrid.street_daily ORDER BY street_code, department, category_code, day DESC) s"

# A second run: the urban-management system sends a later export in which some cases were closed, some
# re-categorised and moved; the day counts follow after the run.
python3 - "$ROOT/samples/um/um_cases_20200203.json" "$WORK/um_cases_20200210.json" <<'PY'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
text = re.sub(r'"status": (\w+),', r'"status": "\1",', text)  # the sample's deliberate bad record, repaired
dec, cases, i = json.JSONDecoder(), [], text.index("[") + 1
while True:
    m = re.compile(r"\s*,?\s*").match(text, i)
    i = m.end()
    if text[i] == "]":
        break
    c, i = dec.raw_decode(text, i)
    cases.append(c)
out = []
for n, c in enumerate(cases):
    ext = c.get("extended_attributes") or {}
    if n % 5 == 0 and ext.get("stage") in ("立案", "派遣", "处置"):
        ext["stage"] = "结案"
        c["status"] = "closed"
        c["updated_datetime"] = "2020-02-10T09:00:00+08:00"
        out.append(c)
    elif n % 7 == 0 and c.get("service_code") in ("0101", "0103") and isinstance(c.get("lat"), float):
        c["service_code"] = "0103" if c["service_code"] == "0101" else "0101"
        c["lat"] += 0.004
        c["updated_datetime"] = "2020-02-10T10:00:00+08:00"
        out.append(c)
json.dump(out, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
changed=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$WORK/um_cases_20200210.json")
[[ $changed -gt 50 ]] && pass "a later UM export changes $changed cases" || fail "later UM export" "$changed"
before=$(q "SELECT count(*) FILTER (WHERE status = 'closed') || '/' || count(*) FROM onegrid.event WHERE department = 'UM'")
cat >"$WORK/second.json" <<JSON
{"warehouse": {"dsn": "$DSN"}, "world": {"dir": "$ROOT/world/jinping", "crosswalks": "$ROOT/mappings/crosswalks"},
 "taxonomy": "$ROOT/mappings/taxonomy/categories.csv",
 "sources": [{"name": "um_cases", "connector": "json", "inputs": ["$WORK/um_cases_20200210.json"],
              "mapping": "$ROOT/mappings/urban/um_cases.json"}]}
JSON
ONEGRID_ID_KEY_FILE=$DEMO/id.key "$OG" run --config "$WORK/second.json" >"$WORK/second.out" 2>"$WORK/second.err"
check "the second run exits 0" "0" "$?"
grep -q "analysts' day counts: [0-9]* changes folded" "$WORK/second.err" && pass "the run folds the day counts and says so" ||
    fail "the run folds the day counts" "$(tail -5 "$WORK/second.err")"
after=$(q "SELECT count(*) FILTER (WHERE status = 'closed') || '/' || count(*) FROM onegrid.event WHERE department = 'UM'")
[[ $after != "$before" ]] && pass "the second run closed UM cases ($before -> $after closed/all)" || fail "second run changed nothing" "$after"
check_q "nothing pending after the run" "0" "SELECT count(*) FROM onegrid.event_daily_delta"
check_daily_views "after a run that closes, re-categorises and moves events"
# ... and after changes made by SQL straight into event (a delete, an update of times): the trigger sees every path
q "UPDATE onegrid.event SET reported_at = reported_at - interval '3 days' WHERE department = 'FR' AND hashtext(event_id) % 4 = 0;
   DELETE FROM onegrid.event WHERE department = 'PS' AND hashtext(event_id) % 6 = 0;
   SELECT onegrid.refresh_event_daily();" >/dev/null
check_daily_views "after an UPDATE and a DELETE by SQL and a fold"
check_q "folding again folds nothing" "0" "SELECT onegrid.refresh_event_daily()"
# ... and rows still pending in 012's form (one row per level, written by the trigger before 014_daily_capture.sql)
# when the warehouse is upgraded: some UM cases deleted with the trigger off, their changes written as 012 wrote them
check_q "some events are counted at their community without a grid (the per-grid rows' other form)" "t" \
    "SELECT count(*) > 0 FROM onegrid.event WHERE grid_code IS NULL AND community_code IS NOT NULL
       AND reported_at IS NOT NULL"
q "CREATE TABLE public.og_gone AS SELECT * FROM onegrid.event WHERE department = 'UM' AND hashtext(event_id) % 5 = 0;
   ALTER TABLE onegrid.event DISABLE TRIGGER event_daily_delete;
   DELETE FROM onegrid.event e USING public.og_gone g WHERE e.event_id = g.event_id;
   ALTER TABLE onegrid.event ENABLE TRIGGER event_daily_delete;
   INSERT INTO onegrid.event_daily_delta
   SELECT u.level, u.unit, u.community, u.street, g.department, g.category_code, g.category_name, x.day,
          -sum(x.opened), -sum(x.closed)
     FROM public.og_gone g
    CROSS JOIN LATERAL (VALUES ((g.reported_at AT TIME ZONE 'Asia/Shanghai')::date, 1, 0),
          ((onegrid.event_closed_time(g.status, g.reported_at, g.updated_at, g.closed_at)
            AT TIME ZONE 'Asia/Shanghai')::date, 0, 1)) AS x (day, opened, closed)
    CROSS JOIN LATERAL (VALUES ('grid', g.grid_code, g.community_code, g.street_code),
          ('community', g.community_code, g.community_code, g.street_code),
          ('street', g.street_code, NULL, g.street_code)) AS u (level, unit, community, street)
    WHERE g.reported_at IS NOT NULL AND x.day IS NOT NULL AND u.unit IS NOT NULL
    GROUP BY u.level, u.unit, u.community, u.street, g.department, g.category_code, g.category_name, x.day;
   DROP TABLE public.og_gone;" >/dev/null
check_q "deltas in 012's per-level form are pending" "t" \
    "SELECT count(*) > 0 AND bool_and(level IN ('grid', 'community', 'street')) FROM onegrid.event_daily_delta"
check_q "a fold takes them" "t" "SELECT onegrid.refresh_event_daily() > 0"
check_daily_views "after folding deltas pending in 012's form"

# ---- grid_overview and grid_fragmentation against the fact tables -----------------------------------------
OVERVIEW_EXPECTED="SELECT g.grid_code,
    (SELECT count(*) FROM onegrid.person p WHERE p.grid_code = g.grid_code AND p.active),
    (SELECT count(*) FROM onegrid.person p WHERE p.grid_code = g.grid_code AND p.active AND p.person_type = 'floating'),
    (SELECT count(*) FROM onegrid.housing h WHERE h.grid_code = g.grid_code),
    (SELECT count(*) FROM onegrid.event e WHERE e.grid_code = g.grid_code AND left(e.category_code, 2) = '01'
        AND e.status NOT IN ('resolved', 'closed', 'void')),
    (SELECT count(*) FROM onegrid.event e WHERE e.grid_code = g.grid_code
        AND e.status NOT IN ('resolved', 'closed', 'void')),
    (SELECT count(*) FROM onegrid.event e WHERE e.grid_code = g.grid_code AND e.status <> 'void'
        AND e.category_code <> '0601'
        AND e.reported_at BETWEEN timestamptz '$AS_OF' - interval '30 days' + interval '1 microsecond'
                              AND timestamptz '$AS_OF'),
    (SELECT count(*) FROM onegrid.visit v WHERE v.grid_code = g.grid_code
        AND v.visited_at > timestamptz '$AS_OF' - interval '7 days' AND v.visited_at <= timestamptz '$AS_OF'),
    (SELECT count(*) FROM onegrid.health_code c WHERE c.grid_code = g.grid_code AND c.color <> 'green')
  FROM onegrid.grid g"
OVERVIEW_VIEW="SELECT grid_code, residents, floating, rental_houses, open_hazards, open_events, events_30d, visits_7d,
    red_yellow FROM onegrid.grid_overview"
check_q "grid_overview = per-grid counts of person, housing, event, visit and health_code (as of $AS_OF)" "0|0|685" \
    "SELECT (SELECT count(*) FROM ($OVERVIEW_EXPECTED EXCEPT $OVERVIEW_VIEW) a) || '|' ||
            (SELECT count(*) FROM ($OVERVIEW_VIEW EXCEPT $OVERVIEW_EXPECTED) b) || '|' ||
            (SELECT count(*) FROM onegrid.grid_overview)"
check_q "grid_overview has every measure non-zero somewhere in the demo" "t" \
    "SELECT bool_and(s > 0) FROM (SELECT unnest(ARRAY[sum(residents), sum(floating), sum(rental_houses), sum(open_hazards),
        sum(events_30d), sum(visits_7d), sum(red_yellow)]) s FROM onegrid.grid_overview) x"
check_q "events_per_1000 = events_30d * 1000 / residents" "0" \
    "SELECT count(*) FROM onegrid.grid_overview WHERE events_per_1000 IS DISTINCT FROM
        CASE WHEN residents > 0 THEN round(events_30d * 1000.0 / residents, 2) END"
check_q "grid_fragmentation: per unified grid, the department grids of the crosswalk touching it" "0|685" \
    "SELECT (SELECT count(*) FROM (SELECT code, touches FROM onegrid.grid_fragmentation WHERE kind = 'unified'
              EXCEPT SELECT g.grid_code, (SELECT count(*) FROM onegrid.dept_grid d WHERE d.grid_code = g.grid_code)
                       FROM onegrid.grid g) a) || '|' ||
            (SELECT count(*) FROM onegrid.grid_fragmentation WHERE kind = 'unified')"
check_q "grid_fragmentation: per department grid, the unified grids and streets it spans" "0|0" \
    "WITH x AS (SELECT d.department, d.dept_grid_code, count(DISTINCT d.grid_code) AS n,
                       count(DISTINCT g.street_code) AS s
                  FROM onegrid.dept_grid d JOIN onegrid.grid g USING (grid_code) GROUP BY 1, 2),
          v AS (SELECT department, code, touches, streets FROM onegrid.grid_fragmentation WHERE kind = 'department')
     SELECT (SELECT count(*) FROM (SELECT * FROM x EXCEPT SELECT * FROM v) a) || '|' ||
            (SELECT count(*) FROM (SELECT * FROM v EXCEPT SELECT * FROM x) b)"
check_q "some police beat spans more than one unified grid (the forest)" "t" \
    "SELECT max(touches) > 1 FROM onegrid.grid_fragmentation WHERE kind = 'department' AND department = 'PS'"

# ---- who sees what ----------------------------------------------------------------------------------------
out=$("$OG" grant --role og_an_street1 --division 440511001 2>&1)
check "grant creates the role and counts its grids" \
    "og_an_street1 (created now: a login role without a password) may see 440511001: 1 division granted, $(q "SELECT count(*) FROM onegrid.grid WHERE street_code = '440511001'") grids" "$out"
"$OG" grant --role og_an_street2 --division 440511002 >/dev/null 2>&1
"$OG" grant --role og_an_district --division 440511 >/dev/null 2>&1
COMMUNITY=$(q "SELECT min(community_code) FROM onegrid.grid WHERE street_code = '440511002'")
"$OG" grant --role og_an_community --division "$COMMUNITY" >/dev/null 2>&1
check_q "grant --list shows the four grants" "4" "SELECT count(*) FROM onegrid.analyst_scope WHERE role_name LIKE 'og_an_%'"
"$OG" grant --role og_an_x --division 4405119 >"$WORK/g.out" 2>&1
check "grant of an unknown division exits 2" "2" "$?"
grep -q "division 4405119 is not in onegrid.division" "$WORK/g.out" && grep -q "hint:" "$WORK/g.out" &&
    pass "... and names the division, with a hint" || fail "grant unknown division message" "$(cat "$WORK/g.out")"
"$OG" grant --role postgres --division 440511 >"$WORK/g.out" 2>&1
check "grant to a superuser (bypasses row-level security) exits 2" "2" "$?"
"$OG" revoke --role og_an_street1 --division 440511002 >"$WORK/g.out" 2>&1
check "revoke of a division not granted exits 2" "2" "$?"
"$OG" grant --role og_an_street1 >"$WORK/g.out" 2>&1
check "grant without --division is a usage error" "2" "$?"

# Each relation with the expression that places its rows (as the owner sees them).
RELS=(
    "grid|community_code"
    "event|coalesce(community_code, street_code)"
    "event_history|(SELECT coalesce(e.community_code, e.street_code) FROM onegrid.event e WHERE e.event_id = t.event_id)"
    "visit|coalesce(community_code, street_code)"
    "visit_member|(SELECT coalesce(v.community_code, v.street_code) FROM onegrid.visit v WHERE v.visit_id = t.visit_id)"
    "person|community_code"
    "person_history|community_code"
    "housing|community_code"
    "health_code|community_code"
    "health_code_change|community_code"
    "event_daily|coalesce(community_code, street_code)"
    "grid_daily|community_code"
    "community_daily|community_code"
    "street_daily|street_code"
    "grid_overview|community_code"
    "grid_fragmentation|CASE WHEN kind = 'unified' THEN street_code END"
)
# in_scope DIVISION: the codes a grant of DIVISION covers, computed from division by the owner
in_scope() { echo "(SELECT code FROM onegrid.division WHERE code = '$1' OR parent_code = '$1' OR parent_code IN (SELECT code FROM onegrid.division WHERE parent_code = '$1'))"; }
for spec in "og_an_street1|440511001" "og_an_street2|440511002" "og_an_community|$COMMUNITY"; do
    role=${spec%%|*}; div=${spec#*|}
    bad=""; seen=""
    for r in "${RELS[@]}"; do
        rel=${r%%|*}; place=${r#*|}
        if [[ $rel == grid_fragmentation ]]; then
            want=$(q "SELECT count(*) FROM onegrid.grid_fragmentation t WHERE kind = 'unified' AND (street_code IN $(in_scope "$div")
                       OR code IN (SELECT grid_code FROM onegrid.grid WHERE community_code IN $(in_scope "$div")))")
            got=$(as "$role" "SELECT count(*) FROM onegrid.grid_fragmentation WHERE kind = 'unified'")
        else
            want=$(q "SELECT count(*) FROM onegrid.$rel t WHERE $place IN $(in_scope "$div")")
            got=$(as "$role" "SELECT count(*) FROM onegrid.$rel")
        fi
        [[ $got == "$want" ]] || bad+=" $rel:$got/$want"
        seen+=" $rel=$got"
    done
    [[ -z $bad ]] && pass "$role ($div) sees exactly its rows in every table and view:$seen" ||
        fail "$role sees its rows only" "got/want:$bad"
done
# the street analyst never sees another street's rows, whatever it asks
check "og_an_street1 sees events of one street only" "440511001" \
    "$(as og_an_street1 "SELECT string_agg(DISTINCT street_code, ',') FROM onegrid.event")"
check "og_an_street2 sees no row of street 440511001 even when it asks for them" "0|0|0" \
    "$(as og_an_street2 "SELECT (SELECT count(*) FROM onegrid.event WHERE street_code = '440511001') || '|' ||
        (SELECT count(*) FROM onegrid.grid_overview WHERE street_code = '440511001') || '|' ||
        (SELECT count(*) FROM onegrid.street_daily WHERE street_code = '440511001')")"
check "the community analyst sees no street totals" "0" "$(as og_an_community "SELECT count(*) FROM onegrid.street_daily")"
bad=""
for r in "${RELS[@]}"; do
    rel=${r%%|*}
    want=$(q "SELECT count(*) FROM onegrid.$rel")
    got=$(as og_an_district "SELECT count(*) FROM onegrid.$rel")
    [[ $got == "$want" ]] || bad+=" $rel:$got/$want"
done
[[ -z $bad ]] && pass "the district analyst sees every row of every table and view, unplaced ones included" ||
    fail "district analyst sees all" "got/want:$bad"
got=$(as og_an_district "SELECT raw FROM onegrid.etl_reject LIMIT 1")
[[ $got == *"permission denied"* ]] && pass "no analyst reads the raw text of rejects" || fail "raw rejects readable" "$got"
got=$(as og_an_street1 "SELECT count(*) FROM onegrid.event_daily_delta")
[[ $got == *"permission denied"* ]] && pass "analysts cannot read the pending deltas" || fail "delta readable" "$got"
got=$(as og_an_street1 "SELECT onegrid.refresh_event_daily()")
[[ $got == *"permission denied"* ]] && pass "analysts cannot fold the day counts" || fail "refresh callable" "$got"
got=$(as og_an_street1 "DELETE FROM onegrid.event")
[[ $got == *"permission denied"* ]] && pass "analysts cannot write" || fail "analyst wrote" "$got"
check "an analyst sees its own grant only" "og_an_street1:440511001" \
    "$(as og_an_street1 "SELECT string_agg(role_name || ':' || division_code, ',') FROM onegrid.analyst_scope")"
check "as_of works for an analyst too" "2020-02-29 16:00:00+00" \
    "$(as og_an_street1 "SET TIME ZONE 'UTC'; SELECT DISTINCT as_of FROM onegrid.grid_overview")"
"$OG" revoke --role og_an_street1 --all >"$WORK/g.out" 2>&1
check "revoke --all exits 0" "0" "$?"
check "a role with no grant left sees nothing" "0|0|0" \
    "$(as og_an_street1 "SELECT (SELECT count(*) FROM onegrid.event) || '|' || (SELECT count(*) FROM onegrid.grid_overview)
        || '|' || (SELECT count(*) FROM onegrid.grid_daily)")"

# ---- the analyst's guide: each question's SQL, from docs/analysts.md, against an answer computed here --------
# guide_sql N: the SQL block after the line "<!-- question N -->" in the guide
guide_sql() { awk -v m="<!-- question $1 -->" '$0 == m {on = 1; next} on && /^```sql/ {inb = 1; next} inb && /^```/ {exit} inb {print}' "$ROOT/docs/analysts.md"; }
nq=$(grep -c '^<!-- question [0-9]* -->$' "$ROOT/docs/analysts.md")
check "the guide asks ten questions" "10" "$nq"
# same N NAME EXPECTED_SQL: the guide's answer (as the district analyst) equals EXPECTED_SQL's (as the owner),
# row for row, and is not empty
same() {
    local sql got want
    sql=$(guide_sql "$1")
    if [[ -z $sql ]]; then fail "question $1 ($2): no SQL in the guide"; return; fi
    got=$(as og_an_district "$sql")
    want=$(q "$3" 2>&1)
    if [[ -n $want && $got == "$want" ]]; then pass "question $1: $2 ($(wc -l <<<"$got") rows)"
    else fail "question $1: $2" "guide:    $(head -c 400 <<<"$got")" "expected: $(head -c 400 <<<"$want")"; fi
}
source "$ROOT/tests/integration/analysts_answers.sh"
finish
