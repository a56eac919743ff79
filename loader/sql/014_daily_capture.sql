-- 014_daily_capture.sql: the capture trigger on event writes what a statement changed once per grid, not once per
-- level; the fold counts it at the three levels.
--
-- 012's trigger wrote a delta row per (level, unit, department, category, day) a statement changed: three levels,
-- 2,077,974 rows for a first load of 1,133,066 UM-1 cases (grid 1,080,977, community 797,082, street 199,915),
-- which the fold at the end of the run then deleted and grouped again. Now a statement writes one row per (grid,
-- community, street, department, category, day) it changed: level 'event' with the grid as unit_code, or
-- 'event:nogrid' for events without a grid (unit_code '', counted at their community and street only). The fold
-- adds these up across statements first, then per level.
--
-- Same result: the same event_daily rows, counts and open_at_end (tests/integration/test_analysts.sh compares the
-- views with a recount from the events after loads, updates and deletes by SQL, and folds rows pending in 012's
-- form). One detail moves: an update that moves an event between two grids of one community gave the community no
-- delta (its +1 and -1 cancelled inside the trigger) and now gives it a delta of zero, so the community's row takes
-- the newest category_name as its grids' rows do.
--
-- Rows written in 012's form (level 'grid', 'community' or 'street') and not folded before this migration are
-- folded as they are.
--
-- The fold also stops recomputing open_at_end of every changed series from its earliest changed day on (012
-- read, sorted and compared all those rows: for 100,000 re-sent PS-2 incidents, 51,736 changes spread over most
-- series, 4.7 s). A change at day d shifts open_at_end of every later row of its series by the same amount, so
-- the folded days cut each series into intervals of constant shift, and only rows in an interval whose shift is
-- not zero are updated; a new day row continues from the last row before it: the same fold in 2.6 s. A first
-- load's fold (no rows yet) costs what it did: 13 s for 1.1 M UM-1 changes either way, the same rows (md5 of
-- event_daily equal).
--
-- Applied once by the loader's migration runner inside one transaction, after 013_record_digests.sql.

-- What a statement on event changed, per (grid, community, street, department, category, day).
CREATE OR REPLACE FUNCTION onegrid.event_daily_capture() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO onegrid.event_daily_delta (level, unit_code, community_code, street_code, department,
                                               category_code, category_name, day, opened, closed)
            SELECT CASE WHEN n.grid_code IS NULL THEN 'event:nogrid' ELSE 'event' END, coalesce(n.grid_code, ''),
                   n.community_code, n.street_code, n.department, n.category_code,
                   min(n.category_name COLLATE "C"), x.day,
                   sum(x.opened), sum(x.closed)
              FROM og_new_rows n
             CROSS JOIN LATERAL (VALUES ((n.reported_at AT TIME ZONE 'Asia/Shanghai')::date, 1, 0),
                                        ((onegrid.event_closed_time(n.status, n.reported_at, n.updated_at, n.closed_at)
                                             AT TIME ZONE 'Asia/Shanghai')::date, 0, 1)) AS x (day, opened, closed)
             WHERE n.reported_at IS NOT NULL AND x.day IS NOT NULL
               AND coalesce(n.grid_code, n.community_code, n.street_code) IS NOT NULL
             GROUP BY n.grid_code, n.community_code, n.street_code, n.department, n.category_code, x.day;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO onegrid.event_daily_delta (level, unit_code, community_code, street_code, department,
                                               category_code, category_name, day, opened, closed)
            WITH r AS (
                SELECT n.grid_code, n.community_code, n.street_code, n.department, n.category_code, n.category_name,
                       n.status, n.reported_at, n.updated_at, n.closed_at, 1 AS sign
                  FROM og_new_rows n
                UNION ALL
                SELECT o.grid_code, o.community_code, o.street_code, o.department, o.category_code, o.category_name,
                       o.status, o.reported_at, o.updated_at, o.closed_at, -1
                  FROM og_old_rows o
            )
            SELECT CASE WHEN r.grid_code IS NULL THEN 'event:nogrid' ELSE 'event' END, coalesce(r.grid_code, ''),
                   r.community_code, r.street_code, r.department, r.category_code,
                   min(r.category_name COLLATE "C"), x.day,
                   sum(r.sign * x.opened), sum(r.sign * x.closed)
              FROM r
             CROSS JOIN LATERAL (VALUES ((r.reported_at AT TIME ZONE 'Asia/Shanghai')::date, 1, 0),
                                        ((onegrid.event_closed_time(r.status, r.reported_at, r.updated_at, r.closed_at)
                                             AT TIME ZONE 'Asia/Shanghai')::date, 0, 1)) AS x (day, opened, closed)
             WHERE r.reported_at IS NOT NULL AND x.day IS NOT NULL
               AND coalesce(r.grid_code, r.community_code, r.street_code) IS NOT NULL
             GROUP BY r.grid_code, r.community_code, r.street_code, r.department, r.category_code, x.day
            HAVING sum(r.sign * x.opened) <> 0 OR sum(r.sign * x.closed) <> 0;
    ELSE
        INSERT INTO onegrid.event_daily_delta (level, unit_code, community_code, street_code, department,
                                               category_code, category_name, day, opened, closed)
            SELECT CASE WHEN o.grid_code IS NULL THEN 'event:nogrid' ELSE 'event' END, coalesce(o.grid_code, ''),
                   o.community_code, o.street_code, o.department, o.category_code,
                   min(o.category_name COLLATE "C"), x.day,
                   -sum(x.opened), -sum(x.closed)
              FROM og_old_rows o
             CROSS JOIN LATERAL (VALUES ((o.reported_at AT TIME ZONE 'Asia/Shanghai')::date, 1, 0),
                                        ((onegrid.event_closed_time(o.status, o.reported_at, o.updated_at, o.closed_at)
                                             AT TIME ZONE 'Asia/Shanghai')::date, 0, 1)) AS x (day, opened, closed)
             WHERE o.reported_at IS NOT NULL AND x.day IS NOT NULL
               AND coalesce(o.grid_code, o.community_code, o.street_code) IS NOT NULL
             GROUP BY o.grid_code, o.community_code, o.street_code, o.department, o.category_code, x.day;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION onegrid.refresh_event_daily() RETURNS bigint
    LANGUAGE plpgsql
    SET work_mem = '256MB'
    AS $$
DECLARE
    folded bigint;
BEGIN
    PERFORM pg_catalog.pg_advisory_xact_lock(7340331, 10);
    IF pg_catalog.to_regclass('pg_temp.og_daily_fold') IS NOT NULL THEN
        DROP TABLE pg_temp.og_daily_fold;
    END IF;
    IF pg_catalog.to_regclass('pg_temp.og_daily_shift') IS NOT NULL THEN
        DROP TABLE pg_temp.og_daily_shift;
    END IF;
    IF pg_catalog.to_regclass('pg_temp.og_daily_add') IS NOT NULL THEN
        DROP TABLE pg_temp.og_daily_add;
    END IF;
    -- The changes per (grid, community, street, department, category, day) over all statements first, then each
    -- counted at its levels; rows in 012's per-level form (pending from before 014) as they are. n counts delta
    -- rows: a per-grid row's count is carried by its first level only.
    CREATE TEMP TABLE og_daily_fold ON COMMIT DROP AS
        WITH d AS (DELETE FROM onegrid.event_daily_delta RETURNING *),
        e AS (
            SELECT level, unit_code, community_code, street_code, department, category_code,
                   min(category_name COLLATE "C") AS category_name, day, sum(opened) AS opened, sum(closed) AS closed,
                   count(*) AS n
              FROM d
             WHERE level IN ('event', 'event:nogrid')
             GROUP BY level, unit_code, community_code, street_code, department, category_code, day
        ), u AS (
            SELECT x.level, x.unit_code, x.community_code, x.street_code, e.department, e.category_code,
                   e.category_name, e.day, e.opened, e.closed, x.first * e.n AS n
              FROM e
             CROSS JOIN LATERAL (VALUES ('grid', CASE WHEN e.level = 'event' THEN e.unit_code END, e.community_code,
                                         e.street_code, 1),
                                        ('community', e.community_code, e.community_code, e.street_code,
                                         CASE WHEN e.level = 'event' THEN 0 ELSE 1 END),
                                        ('street', e.street_code, NULL, e.street_code,
                                         CASE WHEN e.level = 'event' OR e.community_code IS NOT NULL THEN 0 ELSE 1 END))
                   AS x (level, unit_code, community_code, street_code, first)
             WHERE x.unit_code IS NOT NULL
            UNION ALL
            SELECT level, unit_code, community_code, street_code, department, category_code, category_name, day,
                   opened, closed, 1
              FROM d
             WHERE level NOT IN ('event', 'event:nogrid')
        )
        SELECT level, unit_code, min(community_code COLLATE "C") COLLATE "default" AS community_code,
               min(street_code COLLATE "C") COLLATE "default" AS street_code, department, category_code,
               min(category_name COLLATE "C") COLLATE "default" AS category_name, day, sum(opened)::integer AS opened,
               sum(closed)::integer AS closed, sum(n) AS n
          FROM u
         GROUP BY level, unit_code, department, category_code, day;
    SELECT coalesce(sum(n), 0) INTO folded FROM og_daily_fold;
    IF folded = 0 THEN
        RETURN 0;
    END IF;
    -- Statistics, so that a fold of a few changes walks the index and a fold of millions joins by hash.
    ANALYZE pg_temp.og_daily_fold;
    IF (SELECT c.reltuples FROM pg_catalog.pg_class c WHERE c.oid = 'onegrid.event_daily'::regclass) < 0 THEN
        ANALYZE onegrid.event_daily;
    END IF;

    -- open_at_end of a day is what opened minus what closed up to it: a change at day d shifts open_at_end of
    -- every row from d on. Per series, the folded days cut it into intervals [lo, hi) over which the shift is
    -- constant; only rows in an interval with a shift other than zero are rewritten, not the whole series from
    -- its earliest changed day (a closing day moved back by a week rewrites that week's rows).
    CREATE TEMP TABLE og_daily_shift ON COMMIT DROP AS
        SELECT level, unit_code, department, category_code, day AS lo,
               lead(day) OVER w AS hi, sum(opened - closed) OVER w AS shift
          FROM og_daily_fold
        WINDOW w AS (PARTITION BY level, unit_code, department, category_code ORDER BY day);

    -- Folded days with no row yet: open_at_end continues from the series' last row before the day, as it was,
    -- plus the shift at the day; looked up before anything is rewritten, and only in series that have rows (a
    -- first load's series have none).
    CREATE TEMP TABLE og_daily_add ON COMMIT DROP AS
        WITH k AS MATERIALIZED (
            SELECT level, unit_code, department, category_code,
                   EXISTS (SELECT 1
                             FROM onegrid.event_daily p
                            WHERE (p.level, p.unit_code, p.department, p.category_code)
                                  = (g.level, g.unit_code, g.department, g.category_code)) AS held
              FROM (SELECT DISTINCT level, unit_code, department, category_code FROM og_daily_fold) g
        )
        SELECT f.level, f.unit_code, f.community_code, f.street_code, f.department, f.category_code,
               f.category_name, f.day, f.opened, f.closed,
               CASE WHEN k.held
                    THEN coalesce((SELECT p.open_at_end
                                     FROM onegrid.event_daily p
                                    WHERE (p.level, p.unit_code, p.department, p.category_code)
                                          = (f.level, f.unit_code, f.department, f.category_code)
                                      AND p.day < f.day
                                    ORDER BY p.day DESC
                                    LIMIT 1), 0)
                    ELSE 0 END + s.shift AS open_at_end
          FROM og_daily_fold f
          JOIN k USING (level, unit_code, department, category_code)
          JOIN og_daily_shift s
            ON (s.level, s.unit_code, s.department, s.category_code, s.lo)
               = (f.level, f.unit_code, f.department, f.category_code, f.day)
         WHERE (f.opened <> 0 OR f.closed <> 0)
           AND NOT (k.held AND EXISTS (SELECT 1
                                         FROM onegrid.event_daily t
                                        WHERE (t.level, t.unit_code, t.department, t.category_code, t.day)
                                              = (f.level, f.unit_code, f.department, f.category_code, f.day)));

    -- The rows there: their counts and name on the folded days; a row left with nothing opened or closed goes.
    UPDATE onegrid.event_daily t
       SET opened = t.opened + f.opened, closed = t.closed + f.closed,
           category_name = coalesce(f.category_name, t.category_name)
      FROM og_daily_fold f
     WHERE (t.level, t.unit_code, t.department, t.category_code, t.day)
           = (f.level, f.unit_code, f.department, f.category_code, f.day)
       AND (f.opened <> 0 OR f.closed <> 0 OR f.category_name IS DISTINCT FROM t.category_name);
    DELETE FROM onegrid.event_daily t
     USING og_daily_fold f
     WHERE (t.level, t.unit_code, t.department, t.category_code, t.day)
           = (f.level, f.unit_code, f.department, f.category_code, f.day)
       AND t.opened = 0 AND t.closed = 0;

    -- Their open_at_end shifted, interval by interval (the rows added below are not there yet).
    UPDATE onegrid.event_daily t
       SET open_at_end = t.open_at_end + s.shift
      FROM og_daily_shift s
     WHERE s.shift <> 0
       AND (t.level, t.unit_code, t.department, t.category_code) = (s.level, s.unit_code, s.department, s.category_code)
       AND t.day >= s.lo AND (s.hi IS NULL OR t.day < s.hi);

    INSERT INTO onegrid.event_daily (level, unit_code, community_code, street_code, department, category_code,
                                     category_name, day, opened, closed, open_at_end)
        SELECT level, unit_code, community_code, street_code, department, category_code, category_name, day, opened,
               closed, open_at_end
          FROM og_daily_add;
    RETURN folded;
END
$$;

COMMENT ON TABLE onegrid.event_daily_delta IS
    'Changes to event_daily not yet folded in: written by a trigger on event in the loading transaction, one row per '
    '(grid, community, street, department, category, day) a statement changed, emptied by refresh_event_daily(). '
    'Internal; not for analysts.';
COMMENT ON COLUMN onegrid.event_daily_delta.level IS
    '''event'' (unit_code is the grid), ''event:nogrid'' (an event without a grid: unit_code is empty, the change '
    'counts at the community and street); rows pending from before 014 have event_daily''s levels.';
COMMENT ON COLUMN onegrid.event_daily_delta.unit_code IS 'The grid; empty for ''event:nogrid''.';
