# analysts_answers.sh - sourced by test_analysts.sh: the answer to each question of docs/analysts.md, computed
# here by other SQL from the fact tables (as the owner), to compare with what the guide's SQL returns to the
# district analyst. AS_OF is the time the session's onegrid.as_of is set to.
A="timestamptz '$AS_OF'"
D="date '$(date -d "${AS_OF% *}" +%F)'" # as_of's day in Asia/Shanghai (AS_OF is midnight +08)

same 1 "the grids with the most unresolved hazards this week" "
SELECT grid_code, (SELECT name FROM onegrid.grid g WHERE g.grid_code = x.grid_code), n
  FROM (SELECT grid_code, count(*) AS n FROM onegrid.event
         WHERE left(category_code, 2) = '01' AND status NOT IN ('resolved', 'closed', 'void')
           AND reported_at > $A - interval '7 days' AND reported_at <= $A AND grid_code IS NOT NULL
         GROUP BY grid_code) x
 ORDER BY n DESC, grid_code LIMIT 10"

same 2 "time to close urban-management cases per street" "
WITH h AS (SELECT street_code, extract(epoch FROM closed_at - reported_at) / 3600 AS hours
             FROM onegrid.event WHERE department = 'UM' AND status IN ('resolved', 'closed')
              AND closed_at IS NOT NULL AND street_code IS NOT NULL)
SELECT (SELECT name FROM onegrid.division WHERE code = street_code) AS street, count(*),
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)::numeric, 1) AS med,
       round(avg(hours)::numeric, 1)
  FROM h GROUP BY street_code ORDER BY med DESC, street"

# the state of each person at t, straight from person_history: the latest state at or before t, else (registered
# by t) the first one
same 3 "the communities whose floating population grew most" "
WITH s AS (
    SELECT h.*, row_number() OVER (PARTITION BY person_key ORDER BY changed_at DESC) AS latest,
           row_number() OVER (PARTITION BY person_key ORDER BY changed_at) AS first
      FROM onegrid.person_history h),
at_now AS (SELECT person_key, community_code, active, person_type FROM (
              SELECT DISTINCT ON (person_key) * FROM s WHERE changed_at <= $A ORDER BY person_key, changed_at DESC) a
           UNION ALL
           SELECT person_key, community_code, active, person_type FROM s
            WHERE first = 1 AND changed_at > $A AND registered_at <= $A),
at_then AS (SELECT person_key, community_code, active, person_type FROM (
              SELECT DISTINCT ON (person_key) * FROM s WHERE changed_at <= $A - interval '1 year'
               ORDER BY person_key, changed_at DESC) a
           UNION ALL
           SELECT person_key, community_code, active, person_type FROM s
            WHERE first = 1 AND changed_at > $A - interval '1 year' AND registered_at <= $A - interval '1 year'),
c AS (SELECT community_code,
             (SELECT count(*) FROM at_then t WHERE t.community_code = n.community_code AND t.active
                 AND t.person_type = 'floating') AS before,
             count(*) AS after
        FROM at_now n WHERE active AND person_type = 'floating' GROUP BY community_code)
SELECT community_code, (SELECT name FROM onegrid.division WHERE code = community_code), before, after, after - before
  FROM c WHERE community_code IN (SELECT code FROM onegrid.division)
 ORDER BY after - before DESC, community_code LIMIT 10"

same 4 "the events open at the end of yesterday per street and department" "
SELECT street_code, department, count(*) FROM onegrid.event
 WHERE street_code IS NOT NULL AND reported_at < $A
   AND NOT (status IN ('resolved', 'closed', 'void')
            AND greatest(coalesce(closed_at, updated_at, reported_at), reported_at) < $A)
 GROUP BY street_code, department ORDER BY street_code, department"

same 5 "the grids with the most red or yellow codes, and their visits this week" "
SELECT g.grid_code, g.name, (SELECT name FROM onegrid.division WHERE code = g.street_code), c.n,
       (SELECT count(*) FROM onegrid.visit v WHERE v.grid_code = g.grid_code
           AND v.visited_at > $A - interval '7 days' AND v.visited_at <= $A)
  FROM onegrid.grid g
  JOIN (SELECT grid_code, count(*) AS n FROM onegrid.health_code WHERE color <> 'green' GROUP BY grid_code) c
    USING (grid_code)
 ORDER BY c.n DESC, g.grid_code LIMIT 10"

same 6 "the streets with the most people seen with a fever in the last 14 days" "
WITH f AS (SELECT v.street_code, m.person_key
             FROM onegrid.visit_member m, onegrid.visit v
            WHERE v.visit_id = m.visit_id AND v.street_code IS NOT NULL
              AND (m.temperature >= 37.3 OR m.symptoms @> ARRAY['fever'])
              AND v.visited_at > $A - interval '14 days' AND v.visited_at <= $A)
SELECT (SELECT name FROM onegrid.division WHERE code = street_code) AS street, count(DISTINCT person_key) AS p, count(*)
  FROM f GROUP BY street_code ORDER BY p DESC, street"

same 7 "the department grids cut across most unified grids" "
SELECT d.department, d.dept_grid_code,
       (SELECT name FROM onegrid.dept_grid_shape s WHERE (s.department, s.dept_grid_code) = (d.department, d.dept_grid_code)),
       count(*), count(DISTINCT g.street_code)
  FROM onegrid.dept_grid d, onegrid.grid g WHERE g.grid_code = d.grid_code
 GROUP BY d.department, d.dept_grid_code
 ORDER BY count(*) DESC, count(DISTINCT g.street_code) DESC, d.department, d.dept_grid_code LIMIT 10"

same 8 "the communities letting the most rooms" "
SELECT community_code, (SELECT name FROM onegrid.division WHERE code = community_code), count(*), sum(rooms),
       sum(tenants), round(sum(tenants)::numeric / count(*), 2)
  FROM onegrid.housing WHERE community_code IN (SELECT code FROM onegrid.division)
 GROUP BY community_code ORDER BY sum(rooms) DESC NULLS LAST, community_code LIMIT 10"

same 9 "the things on the ground more than one department reported (links)" "
WITH m AS (SELECT link_id, event_id FROM onegrid.event_link
           UNION SELECT link_id, linked_event_id FROM onegrid.event_link)
SELECT m.link_id, count(*), string_agg(DISTINCT e.department, ','), min(e.reported_at), min(e.grid_code),
       (SELECT string_agg(DISTINCT rule, ',') FROM onegrid.event_link l WHERE l.link_id = m.link_id)
  FROM m JOIN onegrid.event e USING (event_id)
 GROUP BY m.link_id ORDER BY count(*) DESC, min(e.reported_at), m.link_id LIMIT 10"

same 10 "events opened and closed per day and department over the last week" "
WITH ev AS (SELECT department, (reported_at AT TIME ZONE 'Asia/Shanghai')::date AS od,
                   CASE WHEN status IN ('resolved', 'closed', 'void')
                        THEN (greatest(coalesce(closed_at, updated_at, reported_at), reported_at)
                              AT TIME ZONE 'Asia/Shanghai')::date END AS cd
              FROM onegrid.event WHERE street_code IS NOT NULL AND reported_at IS NOT NULL),
days AS (SELECT DISTINCT department, od AS day FROM ev UNION SELECT department, cd FROM ev WHERE cd IS NOT NULL)
SELECT day, department, (SELECT count(*) FROM ev WHERE ev.department = days.department AND od = day),
       (SELECT count(*) FROM ev WHERE ev.department = days.department AND cd = day)
  FROM days WHERE day > $D - 7 AND day <= $D ORDER BY day, department"
