-- 010_analyst_views.sql: what analysts query. The daily counts of events per grid, community and street (kept
-- by the loader in onegrid.event_daily), the per-grid overview, the fragmentation of department grids, and
-- row-level security so that an analyst granted a division (analyst_scope) sees its grids and nothing else,
-- through every table and every view.
--
-- Applied once by the loader's migration runner inside one transaction, after 009_sources.sql.
--
-- Why a table and not a MATERIALIZED VIEW: PostgreSQL has no row-level security on materialized views, and a view
-- over one would run with its owner's rights, so every analyst would see every street. event_daily is a plain table
-- with policies like the fact tables; a statement trigger on event writes what each load changes to
-- event_daily_delta (in the load's own transaction, so a crash loses nothing), and refresh_event_daily(), which
-- the loader calls at the end of each run, folds those deltas in: the cost follows what changed, not the size of
-- the warehouse.

-- ---------------------------------------------------------------------------------------------------------------
-- The time analysts' windows count back from
-- ---------------------------------------------------------------------------------------------------------------
CREATE FUNCTION onegrid.as_of() RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(nullif(current_setting('onegrid.as_of', true), '')::timestamptz, now()) $$;
COMMENT ON FUNCTION onegrid.as_of() IS
    'The time the analysts'' windows (visits in the last 7 days, events in the last 30) count back from: now(), '
    'unless the session sets onegrid.as_of, e.g. SET onegrid.as_of = ''2020-02-06 00:00+08'' to look at a past week.';

-- When an event stopped being open: its closing time once its status is resolved, closed or void (never before it
-- was reported); NULL while it is open.
CREATE FUNCTION onegrid.event_closed_time(status text, reported_at timestamptz, updated_at timestamptz,
                                          closed_at timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT CASE WHEN status IN ('resolved', 'closed', 'void')
                    THEN greatest(coalesce(closed_at, updated_at, reported_at), reported_at) END
    $$;
COMMENT ON FUNCTION onegrid.event_closed_time(text, timestamptz, timestamptz, timestamptz) IS
    'When an event stopped being open: for status resolved, closed or void, closed_at (else updated_at), never '
    'earlier than reported_at; NULL while the status is reported, dispatched or in_progress.';

-- ---------------------------------------------------------------------------------------------------------------
-- Daily counts per grid, community and street
-- ---------------------------------------------------------------------------------------------------------------
CREATE TABLE onegrid.event_daily (
    level          text NOT NULL CHECK (level IN ('grid', 'community', 'street')),
    unit_code      text NOT NULL,
    community_code text,
    street_code    text,
    department     text NOT NULL,
    category_code  text NOT NULL,
    category_name  text,
    day            date NOT NULL,
    opened         integer NOT NULL,
    closed         integer NOT NULL,
    open_at_end    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (level, unit_code, department, category_code, day)
);

COMMENT ON TABLE onegrid.event_daily IS
    'Events opened and closed per day (Asia/Shanghai) per grid, community and street, department and unified category, '
    'kept by the loader (refresh_event_daily at the end of each run); read it through grid_daily, community_daily and '
    'street_daily. One row per day with an opening or a closing: open_at_end holds until the next row.';
COMMENT ON COLUMN onegrid.event_daily.level IS 'grid, community or street: what unit_code is.';
COMMENT ON COLUMN onegrid.event_daily.unit_code IS 'The unified grid code, community code or street code counted.';
COMMENT ON COLUMN onegrid.event_daily.community_code IS
    'Community (12 digits) of the unit; NULL for a street row.';
COMMENT ON COLUMN onegrid.event_daily.street_code IS 'Street (9 digits) of the unit.';
COMMENT ON COLUMN onegrid.event_daily.department IS 'Department code of the events: PS, UM, FR, HL, HT.';
COMMENT ON COLUMN onegrid.event_daily.category_code IS 'Unified category of the events (event.category_code).';
COMMENT ON COLUMN onegrid.event_daily.category_name IS 'Unified category name (event.category_name).';
COMMENT ON COLUMN onegrid.event_daily.day IS 'The day, in Asia/Shanghai.';
COMMENT ON COLUMN onegrid.event_daily.opened IS 'Events reported that day.';
COMMENT ON COLUMN onegrid.event_daily.closed IS
    'Events that stopped being open that day (resolved, closed or void; see event_closed_time).';
COMMENT ON COLUMN onegrid.event_daily.open_at_end IS
    'Events of the unit, department and category open at the end of the day (reported by then, not yet closed).';

CREATE TABLE onegrid.event_daily_delta (
    level          text NOT NULL,
    unit_code      text NOT NULL,
    community_code text,
    street_code    text,
    department     text NOT NULL,
    category_code  text NOT NULL,
    category_name  text,
    day            date NOT NULL,
    opened         integer NOT NULL,
    closed         integer NOT NULL
);
COMMENT ON TABLE onegrid.event_daily_delta IS
    'Changes to event_daily not yet folded in: written by a trigger on event in the loading transaction, emptied by '
    'refresh_event_daily(). Internal; not for analysts.';
COMMENT ON COLUMN onegrid.event_daily_delta.level IS 'As event_daily.level.';
COMMENT ON COLUMN onegrid.event_daily_delta.unit_code IS 'As event_daily.unit_code.';
COMMENT ON COLUMN onegrid.event_daily_delta.community_code IS 'As event_daily.community_code.';
COMMENT ON COLUMN onegrid.event_daily_delta.street_code IS 'As event_daily.street_code.';
COMMENT ON COLUMN onegrid.event_daily_delta.department IS 'As event_daily.department.';
COMMENT ON COLUMN onegrid.event_daily_delta.category_code IS 'As event_daily.category_code.';
COMMENT ON COLUMN onegrid.event_daily_delta.category_name IS 'As event_daily.category_name.';
COMMENT ON COLUMN onegrid.event_daily_delta.day IS 'As event_daily.day.';
COMMENT ON COLUMN onegrid.event_daily_delta.opened IS 'Change to event_daily.opened (negative when an event moved away).';
COMMENT ON COLUMN onegrid.event_daily_delta.closed IS 'Change to event_daily.closed.';

-- What one event contributes to event_daily: +1 opened on its reported day and +1 closed on its closing day, at
-- each level it has a code for.
CREATE FUNCTION onegrid.event_daily_rows(grid_code text, community_code text, street_code text, status text,
                                         reported_at timestamptz, updated_at timestamptz, closed_at timestamptz)
    RETURNS TABLE (level text, unit_code text, community text, street text, day date, opened integer,
                   closed integer)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT u.level, u.unit, u.community, u.street, x.day, x.opened, x.closed
          FROM (VALUES ((reported_at AT TIME ZONE 'Asia/Shanghai')::date, 1, 0),
                       ((onegrid.event_closed_time(status, reported_at, updated_at, closed_at)
                            AT TIME ZONE 'Asia/Shanghai')::date, 0, 1)) AS x (day, opened, closed),
               (VALUES ('grid', grid_code, community_code, street_code),
                       ('community', community_code, community_code, street_code),
                       ('street', street_code, NULL, street_code)) AS u (level, unit, community, street)
         WHERE reported_at IS NOT NULL AND x.day IS NOT NULL AND u.unit IS NOT NULL
    $$;
COMMENT ON FUNCTION onegrid.event_daily_rows(text, text, text, text, timestamptz, timestamptz, timestamptz) IS
    'The event_daily rows one event contributes: opened on its reported day, closed on its closing day, per level.';

CREATE FUNCTION onegrid.event_daily_capture() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO onegrid.event_daily_delta
            SELECT c.level, c.unit_code, min(c.community), min(c.street), n.department, n.category_code,
                   min(n.category_name), c.day, sum(c.opened), sum(c.closed)
              FROM og_new_rows n,
                   onegrid.event_daily_rows(n.grid_code, n.community_code, n.street_code, n.status, n.reported_at,
                                            n.updated_at, n.closed_at) c
             GROUP BY c.level, c.unit_code, n.department, n.category_code, c.day;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO onegrid.event_daily_delta
            SELECT level, unit_code, min(community), min(street), department, category_code, min(category_name),
                   day, sum(opened), sum(closed)
              FROM (SELECT c.level, c.unit_code, c.community, c.street, n.department, n.category_code,
                           n.category_name, c.day, c.opened, c.closed
                      FROM og_new_rows n,
                           onegrid.event_daily_rows(n.grid_code, n.community_code, n.street_code, n.status,
                                                    n.reported_at, n.updated_at, n.closed_at) c
                    UNION ALL
                    SELECT c.level, c.unit_code, c.community, c.street, o.department, o.category_code,
                           o.category_name, c.day, -c.opened, -c.closed
                      FROM og_old_rows o,
                           onegrid.event_daily_rows(o.grid_code, o.community_code, o.street_code, o.status,
                                                    o.reported_at, o.updated_at, o.closed_at) c) d
             GROUP BY level, unit_code, department, category_code, day
            HAVING sum(opened) <> 0 OR sum(closed) <> 0;
    ELSE
        INSERT INTO onegrid.event_daily_delta
            SELECT c.level, c.unit_code, min(c.community), min(c.street), o.department, o.category_code,
                   min(o.category_name), c.day, -sum(c.opened), -sum(c.closed)
              FROM og_old_rows o,
                   onegrid.event_daily_rows(o.grid_code, o.community_code, o.street_code, o.status, o.reported_at,
                                            o.updated_at, o.closed_at) c
             GROUP BY c.level, c.unit_code, o.department, o.category_code, c.day;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION onegrid.event_daily_capture() IS
    'Statement trigger on event: writes what the statement changed to event_daily_delta, in the same transaction.';

CREATE TRIGGER event_daily_insert AFTER INSERT ON onegrid.event
    REFERENCING NEW TABLE AS og_new_rows FOR EACH STATEMENT EXECUTE FUNCTION onegrid.event_daily_capture();
CREATE TRIGGER event_daily_update AFTER UPDATE ON onegrid.event
    REFERENCING OLD TABLE AS og_old_rows NEW TABLE AS og_new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION onegrid.event_daily_capture();
CREATE TRIGGER event_daily_delete AFTER DELETE ON onegrid.event
    REFERENCING OLD TABLE AS og_old_rows FOR EACH STATEMENT EXECUTE FUNCTION onegrid.event_daily_capture();

-- TRUNCATE fires no DELETE trigger: the day counts go with the events.
CREATE FUNCTION onegrid.event_daily_truncate() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    TRUNCATE onegrid.event_daily, onegrid.event_daily_delta;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION onegrid.event_daily_truncate() IS
    'Statement trigger on TRUNCATE of event: empties event_daily and event_daily_delta with it.';
CREATE TRIGGER event_daily_truncate AFTER TRUNCATE ON onegrid.event
    FOR EACH STATEMENT EXECUTE FUNCTION onegrid.event_daily_truncate();

-- Folds event_daily_delta into event_daily: adds the opened and closed changes, recomputes open_at_end of each
-- changed (unit, department, category) from its earliest changed day on, drops rows left empty. Returns the number
-- of delta rows folded. Concurrent calls queue on a transaction lock; deltas committed meanwhile wait for the next.
CREATE FUNCTION onegrid.refresh_event_daily() RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    folded bigint;
BEGIN
    PERFORM pg_catalog.pg_advisory_xact_lock(7340331, 10);
    IF pg_catalog.to_regclass('pg_temp.og_daily_fold') IS NOT NULL THEN
        DROP TABLE pg_temp.og_daily_fold;
    END IF;
    IF pg_catalog.to_regclass('pg_temp.og_daily_running') IS NOT NULL THEN
        DROP TABLE pg_temp.og_daily_running;
    END IF;
    CREATE TEMP TABLE og_daily_fold ON COMMIT DROP AS
        WITH d AS (DELETE FROM onegrid.event_daily_delta RETURNING *)
        SELECT level, unit_code, min(community_code) AS community_code, min(street_code) AS street_code,
               department, category_code, min(category_name) AS category_name, day, sum(opened)::integer AS opened,
               sum(closed)::integer AS closed, count(*) AS n
          FROM d
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

    INSERT INTO onegrid.event_daily AS t (level, unit_code, community_code, street_code, department, category_code,
                                          category_name, day, opened, closed)
        SELECT level, unit_code, community_code, street_code, department, category_code, category_name, day, opened,
               closed
          FROM og_daily_fold
            ON CONFLICT (level, unit_code, department, category_code, day)
            DO UPDATE SET opened = t.opened + excluded.opened, closed = t.closed + excluded.closed,
                          category_name = coalesce(excluded.category_name, t.category_name);

    DELETE FROM onegrid.event_daily t USING og_daily_fold f
     WHERE (t.level, t.unit_code, t.department, t.category_code, t.day)
           = (f.level, f.unit_code, f.department, f.category_code, f.day)
       AND t.opened = 0 AND t.closed = 0;

    CREATE TEMP TABLE og_daily_running ON COMMIT DROP AS
    WITH k AS (
        SELECT level, unit_code, department, category_code, min(day) AS d0
          FROM og_daily_fold
         GROUP BY level, unit_code, department, category_code
    ), base AS (
        SELECT k.*, coalesce((SELECT p.open_at_end
                                FROM onegrid.event_daily p
                               WHERE (p.level, p.unit_code, p.department, p.category_code)
                                     = (k.level, k.unit_code, k.department, k.category_code)
                                 AND p.day < k.d0
                               ORDER BY p.day DESC
                               LIMIT 1), 0) AS base
          FROM k
    )
    SELECT t.level, t.unit_code, t.department, t.category_code, t.day, t.open_at_end AS was,
           b.base + sum(t.opened - t.closed) OVER (PARTITION BY t.level, t.unit_code, t.department, t.category_code
                                                   ORDER BY t.day) AS open_at_end
      FROM onegrid.event_daily t
      JOIN base b USING (level, unit_code, department, category_code)
     WHERE t.day >= b.d0;
    DELETE FROM og_daily_running WHERE was = open_at_end;
    ANALYZE og_daily_running;
    UPDATE onegrid.event_daily t
       SET open_at_end = r.open_at_end
      FROM og_daily_running r
     WHERE (t.level, t.unit_code, t.department, t.category_code, t.day)
           = (r.level, r.unit_code, r.department, r.category_code, r.day);
    RETURN folded;
END
$$;
COMMENT ON FUNCTION onegrid.refresh_event_daily() IS
    'Folds the pending changes of event_daily_delta into event_daily (called by the loader at the end of each run and '
    'by onegrid stream every minute); returns the number of changes folded. Safe to call at any time.';
REVOKE ALL ON FUNCTION onegrid.refresh_event_daily() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION onegrid.refresh_event_daily() TO onegrid_loader;

-- A warehouse loaded before this migration: its events become deltas, folded now.
INSERT INTO onegrid.event_daily_delta
    SELECT c.level, c.unit_code, min(c.community), min(c.street), e.department, e.category_code, min(e.category_name),
           c.day, sum(c.opened), sum(c.closed)
      FROM onegrid.event e,
           onegrid.event_daily_rows(e.grid_code, e.community_code, e.street_code, e.status, e.reported_at,
                                    e.updated_at, e.closed_at) c
     GROUP BY c.level, c.unit_code, e.department, e.category_code, c.day;
SELECT onegrid.refresh_event_daily();

-- ---------------------------------------------------------------------------------------------------------------
-- Who sees what: row-level security
-- ---------------------------------------------------------------------------------------------------------------
-- The divisions the current role may see: those granted to it (or to a role it belongs to) in analyst_scope, and
-- every division under them. Evaluated once per query where a policy uses it.
CREATE FUNCTION onegrid.scope_divisions() RETURNS SETOF text
    LANGUAGE sql STABLE
    AS $$
        WITH RECURSIVE d (code) AS (
            SELECT s.division_code
              FROM onegrid.analyst_scope s
             WHERE s.role_name IN (SELECT r.rolname
                                     FROM pg_catalog.pg_roles r
                                    WHERE pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER'))
            UNION
            SELECT c.code FROM onegrid.division c JOIN d ON c.parent_code = d.code
        )
        SELECT code FROM d
    $$;
COMMENT ON FUNCTION onegrid.scope_divisions() IS
    'Division codes the current role may see: its analyst_scope grants and every division under them.';

-- Rows placed nowhere (no community, no street: grid_method none) belong to the whole district: analysts granted
-- a county or above see them, those granted a street or a community do not.
CREATE FUNCTION onegrid.scope_sees_unplaced() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
        SELECT EXISTS (SELECT 1
                         FROM onegrid.analyst_scope s
                         JOIN onegrid.division d ON d.code = s.division_code
                        WHERE d.level <= 3
                          AND s.role_name IN (SELECT r.rolname
                                                FROM pg_catalog.pg_roles r
                                               WHERE pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER')))
    $$;
COMMENT ON FUNCTION onegrid.scope_sees_unplaced() IS
    'Whether the current role is granted a county (district) or above, and so sees the rows placed nowhere.';

ALTER TABLE onegrid.analyst_scope ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_grants ON onegrid.analyst_scope FOR SELECT TO onegrid_analyst
    USING (role_name IN (SELECT r.rolname
                           FROM pg_catalog.pg_roles r
                          WHERE pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER')));
CREATE POLICY loader_reads ON onegrid.analyst_scope FOR SELECT TO onegrid_loader USING (true);
COMMENT ON POLICY own_grants ON onegrid.analyst_scope IS 'An analyst sees its own grants only.';
COMMENT ON POLICY loader_reads ON onegrid.analyst_scope IS 'The loader reads every grant.';

-- Tables whose rows carry their place: an analyst sees a row whose community (or, without one, street) is in scope.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('grid', 'community_code'),
                                   ('event', 'coalesce(community_code, street_code)'),
                                   ('visit', 'coalesce(community_code, street_code)'),
                                   ('person', 'community_code'),
                                   ('person_history', 'community_code'),
                                   ('housing', 'community_code'),
                                   ('health_code', 'community_code'),
                                   ('health_code_change', 'community_code'),
                                   ('event_daily', 'coalesce(community_code, street_code)')) AS v (tab, place)
    LOOP
        EXECUTE format('ALTER TABLE onegrid.%I ENABLE ROW LEVEL SECURITY', t.tab);
        EXECUTE format('CREATE POLICY analyst_scope ON onegrid.%I FOR SELECT TO onegrid_analyst '
                       'USING (%s IN (SELECT onegrid.scope_divisions()) '
                       'OR (%s IS NULL AND (SELECT onegrid.scope_sees_unplaced())))', t.tab, t.place, t.place);
        EXECUTE format('CREATE POLICY loader_all ON onegrid.%I TO onegrid_loader USING (true) WITH CHECK (true)',
                       t.tab);
        EXECUTE format('COMMENT ON POLICY analyst_scope ON onegrid.%I IS %L', t.tab,
                       'An analyst sees the rows whose place (' || t.place || ') is a division it is granted, '
                       'or lies inside one (analyst_scope, scope_divisions()); rows placed nowhere only when it is '
                       'granted a county or above.');
        EXECUTE format('COMMENT ON POLICY loader_all ON onegrid.%I IS %L', t.tab, 'The loader reads and writes every row.');
    END LOOP;
END
$$;

-- Tables that hang off another: visible with their parent.
ALTER TABLE onegrid.event_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY analyst_scope ON onegrid.event_history FOR SELECT TO onegrid_analyst
    USING (EXISTS (SELECT 1 FROM onegrid.event e WHERE e.event_id = event_history.event_id));
CREATE POLICY loader_all ON onegrid.event_history TO onegrid_loader USING (true) WITH CHECK (true);
COMMENT ON POLICY analyst_scope ON onegrid.event_history IS 'An analyst sees the history of the events it sees.';
COMMENT ON POLICY loader_all ON onegrid.event_history IS 'The loader reads and writes every row.';

ALTER TABLE onegrid.visit_member ENABLE ROW LEVEL SECURITY;
CREATE POLICY analyst_scope ON onegrid.visit_member FOR SELECT TO onegrid_analyst
    USING (EXISTS (SELECT 1 FROM onegrid.visit v WHERE v.visit_id = visit_member.visit_id));
CREATE POLICY loader_all ON onegrid.visit_member TO onegrid_loader USING (true) WITH CHECK (true);
COMMENT ON POLICY analyst_scope ON onegrid.visit_member IS 'An analyst sees the people seen on the visits it sees.';
COMMENT ON POLICY loader_all ON onegrid.visit_member IS 'The loader reads and writes every row.';

ALTER TABLE onegrid.event_link ENABLE ROW LEVEL SECURITY;
CREATE POLICY analyst_scope ON onegrid.event_link FOR SELECT TO onegrid_analyst
    USING (EXISTS (SELECT 1 FROM onegrid.event e WHERE e.event_id = event_link.event_id)
           AND EXISTS (SELECT 1 FROM onegrid.event e WHERE e.event_id = event_link.linked_event_id));
CREATE POLICY loader_all ON onegrid.event_link TO onegrid_loader USING (true) WITH CHECK (true);
COMMENT ON POLICY analyst_scope ON onegrid.event_link IS 'An analyst sees a link when it sees both of its events.';
COMMENT ON POLICY loader_all ON onegrid.event_link IS 'The loader reads and writes every row.';

-- ---------------------------------------------------------------------------------------------------------------
-- Managing grants (onegrid grant / onegrid revoke)
-- ---------------------------------------------------------------------------------------------------------------
-- Runs with the caller's rights: creating a role and granting onegrid_analyst need CREATEROLE (or a superuser).
CREATE FUNCTION onegrid.grant_scope(role_name text, division_code text)
    RETURNS TABLE (created boolean, divisions integer, grids integer)
    LANGUAGE plpgsql
    AS $$
DECLARE
    r pg_catalog.pg_roles%ROWTYPE;
    made boolean := false;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM onegrid.division d WHERE d.code = grant_scope.division_code) THEN
        RAISE EXCEPTION 'division % is not in onegrid.division', grant_scope.division_code
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'grant a county (6 digits), street (9) or community (12) code of the world loaded: '
                         'SELECT code, level, name FROM onegrid.division ORDER BY code';
    END IF;
    SELECT * INTO r FROM pg_catalog.pg_roles WHERE rolname = grant_scope.role_name;
    IF NOT FOUND THEN
        EXECUTE format('CREATE ROLE %I LOGIN', grant_scope.role_name);
        made := true;
        SELECT * INTO r FROM pg_catalog.pg_roles WHERE rolname = grant_scope.role_name;
    END IF;
    IF r.rolsuper OR r.rolbypassrls OR pg_catalog.pg_has_role(r.oid, 'onegrid_loader', 'MEMBER') THEN
        RAISE EXCEPTION 'role % bypasses the analysts'' row-level security (superuser, BYPASSRLS or onegrid_loader)',
            grant_scope.role_name
            USING ERRCODE = 'invalid_grant_operation',
                  HINT = 'grant divisions to a login role of its own for each analyst';
    END IF;
    IF NOT pg_catalog.pg_has_role(r.oid, 'onegrid_analyst', 'MEMBER') THEN
        EXECUTE format('GRANT onegrid_analyst TO %I', grant_scope.role_name);
    END IF;
    INSERT INTO onegrid.analyst_scope AS s (role_name, division_code)
        VALUES (grant_scope.role_name, grant_scope.division_code)
        ON CONFLICT DO NOTHING;
    RETURN QUERY
        WITH RECURSIVE d (code) AS (
            SELECT s.division_code FROM onegrid.analyst_scope s WHERE s.role_name = grant_scope.role_name
            UNION
            SELECT c.code FROM onegrid.division c JOIN d ON c.parent_code = d.code
        )
        SELECT made,
               (SELECT count(*)::integer FROM onegrid.analyst_scope s WHERE s.role_name = grant_scope.role_name),
               (SELECT count(*)::integer FROM onegrid.grid g WHERE g.community_code IN (SELECT code FROM d));
END
$$;
COMMENT ON FUNCTION onegrid.grant_scope(text, text) IS
    'onegrid grant: lets role_name (created as a login role when missing, made a member of onegrid_analyst) see '
    'division_code and everything inside it; returns whether the role was created, its divisions and grids.';

CREATE FUNCTION onegrid.revoke_scope(role_name text, division_code text) RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM onegrid.analyst_scope s
     WHERE s.role_name = revoke_scope.role_name
       AND (revoke_scope.division_code IS NULL OR s.division_code = revoke_scope.division_code);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION onegrid.revoke_scope(text, text) IS
    'onegrid revoke: removes role_name''s grant of division_code (all its grants when NULL); returns how many. '
    'A role with no grant left sees no rows.';
REVOKE ALL ON FUNCTION onegrid.grant_scope(text, text), onegrid.revoke_scope(text, text) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------------------------
-- Views (security_invoker: the reader's rights and row-level security apply to what they read)
-- ---------------------------------------------------------------------------------------------------------------
CREATE VIEW onegrid.grid_daily WITH (security_invoker = true, security_barrier = true) AS
    SELECT unit_code AS grid_code, community_code, street_code, day, department, category_code, category_name,
           opened, closed, open_at_end
      FROM onegrid.event_daily
     WHERE level = 'grid';
COMMENT ON VIEW onegrid.grid_daily IS
    'Per unified grid, day (Asia/Shanghai), department and unified category: events opened, closed, and open at the '
    'end of the day. A row exists for each day with an opening or a closing; open_at_end holds until the next row. '
    'Events with no grid are counted in community_daily / street_daily only.';
COMMENT ON COLUMN onegrid.grid_daily.grid_code IS 'Unified grid (grid.grid_code).';
COMMENT ON COLUMN onegrid.grid_daily.community_code IS 'Community of the grid.';
COMMENT ON COLUMN onegrid.grid_daily.street_code IS 'Street of the grid.';
COMMENT ON COLUMN onegrid.grid_daily.day IS 'The day, in Asia/Shanghai.';
COMMENT ON COLUMN onegrid.grid_daily.department IS 'Department code: PS, UM, FR, HL, HT.';
COMMENT ON COLUMN onegrid.grid_daily.category_code IS 'Unified category code (two or four digits).';
COMMENT ON COLUMN onegrid.grid_daily.category_name IS 'Unified category name.';
COMMENT ON COLUMN onegrid.grid_daily.opened IS 'Events reported that day.';
COMMENT ON COLUMN onegrid.grid_daily.closed IS 'Events resolved, closed or voided that day.';
COMMENT ON COLUMN onegrid.grid_daily.open_at_end IS 'Events open at the end of the day.';

CREATE VIEW onegrid.community_daily WITH (security_invoker = true, security_barrier = true) AS
    SELECT unit_code AS community_code, street_code, day, department, category_code, category_name, opened, closed,
           open_at_end
      FROM onegrid.event_daily
     WHERE level = 'community';
COMMENT ON VIEW onegrid.community_daily IS
    'grid_daily rolled up to communities, by the event''s own community (so events placed on a community but on no '
    'grid count too).';
COMMENT ON COLUMN onegrid.community_daily.community_code IS 'Community (12-digit NBS 2023 code).';
COMMENT ON COLUMN onegrid.community_daily.street_code IS 'Street of the community.';
COMMENT ON COLUMN onegrid.community_daily.day IS 'The day, in Asia/Shanghai.';
COMMENT ON COLUMN onegrid.community_daily.department IS 'Department code: PS, UM, FR, HL, HT.';
COMMENT ON COLUMN onegrid.community_daily.category_code IS 'Unified category code.';
COMMENT ON COLUMN onegrid.community_daily.category_name IS 'Unified category name.';
COMMENT ON COLUMN onegrid.community_daily.opened IS 'Events reported that day.';
COMMENT ON COLUMN onegrid.community_daily.closed IS 'Events resolved, closed or voided that day.';
COMMENT ON COLUMN onegrid.community_daily.open_at_end IS 'Events open at the end of the day.';

CREATE VIEW onegrid.street_daily WITH (security_invoker = true, security_barrier = true) AS
    SELECT unit_code AS street_code, day, department, category_code, category_name, opened, closed, open_at_end
      FROM onegrid.event_daily
     WHERE level = 'street';
COMMENT ON VIEW onegrid.street_daily IS
    'grid_daily rolled up to streets, by the event''s own street (events with a street but no community count too). '
    'An analyst granted only a community does not see its street''s rows.';
COMMENT ON COLUMN onegrid.street_daily.street_code IS 'Street (9-digit NBS 2023 code).';
COMMENT ON COLUMN onegrid.street_daily.day IS 'The day, in Asia/Shanghai.';
COMMENT ON COLUMN onegrid.street_daily.department IS 'Department code: PS, UM, FR, HL, HT.';
COMMENT ON COLUMN onegrid.street_daily.category_code IS 'Unified category code.';
COMMENT ON COLUMN onegrid.street_daily.category_name IS 'Unified category name.';
COMMENT ON COLUMN onegrid.street_daily.opened IS 'Events reported that day.';
COMMENT ON COLUMN onegrid.street_daily.closed IS 'Events resolved, closed or voided that day.';
COMMENT ON COLUMN onegrid.street_daily.open_at_end IS 'Events open at the end of the day.';

-- Open events per grid and category: an index-only count for grid_overview.
CREATE INDEX event_open_grid_idx ON onegrid.event (grid_code, category_code)
    WHERE status IN ('reported', 'dispatched', 'in_progress');
CREATE INDEX visit_grid_visited_at_idx ON onegrid.visit (grid_code, visited_at);
CREATE INDEX health_code_red_yellow_idx ON onegrid.health_code (grid_code) WHERE color IN ('red', 'yellow');

CREATE VIEW onegrid.grid_overview WITH (security_invoker = true, security_barrier = true) AS
    SELECT g.grid_code, g.name, g.community_code, cm.name AS community_name, g.street_code, st.name AS street_name,
           g.county_code,
           coalesce(p.residents, 0) AS residents,
           coalesce(p.floating, 0) AS floating,
           coalesce(h.rental_houses, 0) AS rental_houses,
           coalesce(o.open_hazards, 0) AS open_hazards,
           coalesce(o.open_events, 0) AS open_events,
           coalesce(r.events_30d, 0) AS events_30d,
           round(coalesce(r.events_30d, 0) * 1000.0 / nullif(p.residents, 0), 2) AS events_per_1000,
           coalesce(v.visits_7d, 0) AS visits_7d,
           coalesce(c.red_yellow, 0) AS red_yellow,
           onegrid.as_of() AS as_of
      FROM onegrid.grid g
      LEFT JOIN onegrid.division cm ON cm.code = g.community_code
      LEFT JOIN onegrid.division st ON st.code = g.street_code
      LEFT JOIN (SELECT grid_code, count(*) AS residents,
                        count(*) FILTER (WHERE person_type = 'floating') AS floating
                   FROM onegrid.person
                  WHERE active AND grid_code IS NOT NULL
                  GROUP BY grid_code) p ON p.grid_code = g.grid_code
      LEFT JOIN (SELECT grid_code, count(*) AS rental_houses
                   FROM onegrid.housing
                  WHERE grid_code IS NOT NULL
                  GROUP BY grid_code) h ON h.grid_code = g.grid_code
      LEFT JOIN (SELECT grid_code, count(*) FILTER (WHERE category_code LIKE '01%') AS open_hazards,
                        count(*) AS open_events
                   FROM onegrid.event
                  WHERE status IN ('reported', 'dispatched', 'in_progress') AND grid_code IS NOT NULL
                  GROUP BY grid_code) o ON o.grid_code = g.grid_code
      LEFT JOIN (SELECT grid_code, count(*) AS events_30d
                   FROM onegrid.event
                  WHERE reported_at > onegrid.as_of() - interval '30 days' AND reported_at <= onegrid.as_of()
                    AND status <> 'void' AND category_code <> '0601' AND grid_code IS NOT NULL
                  GROUP BY grid_code) r ON r.grid_code = g.grid_code
      LEFT JOIN (SELECT grid_code, count(*) AS visits_7d
                   FROM onegrid.visit
                  WHERE visited_at > onegrid.as_of() - interval '7 days' AND visited_at <= onegrid.as_of()
                    AND grid_code IS NOT NULL
                  GROUP BY grid_code) v ON v.grid_code = g.grid_code
      LEFT JOIN (SELECT grid_code, count(*) AS red_yellow
                   FROM onegrid.health_code
                  WHERE color IN ('red', 'yellow') AND grid_code IS NOT NULL
                  GROUP BY grid_code) c ON c.grid_code = g.grid_code;
COMMENT ON VIEW onegrid.grid_overview IS
    'One row per unified grid: its population, rental houses, open hazards and events, recent events and visits, and '
    'people whose current health code is red or yellow. Windows count back from onegrid.as_of().';
COMMENT ON COLUMN onegrid.grid_overview.grid_code IS 'Unified grid (grid.grid_code).';
COMMENT ON COLUMN onegrid.grid_overview.name IS 'Grid name.';
COMMENT ON COLUMN onegrid.grid_overview.community_code IS 'Community of the grid.';
COMMENT ON COLUMN onegrid.grid_overview.community_name IS 'Community name.';
COMMENT ON COLUMN onegrid.grid_overview.street_code IS 'Street of the grid.';
COMMENT ON COLUMN onegrid.grid_overview.street_name IS 'Street name.';
COMMENT ON COLUMN onegrid.grid_overview.county_code IS 'County (district) of the grid.';
COMMENT ON COLUMN onegrid.grid_overview.residents IS 'Active residents placed on the grid (person, active).';
COMMENT ON COLUMN onegrid.grid_overview.floating IS 'Of them, floating population (person_type floating).';
COMMENT ON COLUMN onegrid.grid_overview.rental_houses IS 'Rental houses placed on the grid.';
COMMENT ON COLUMN onegrid.grid_overview.open_hazards IS
    'Open safety hazards: events of category 01 (01xx) whose status is reported, dispatched or in_progress.';
COMMENT ON COLUMN onegrid.grid_overview.open_events IS 'Open events of every category.';
COMMENT ON COLUMN onegrid.grid_overview.events_30d IS
    'Events reported in the 30 days up to as_of, void ones and health-code changes (0601) left out.';
COMMENT ON COLUMN onegrid.grid_overview.events_per_1000 IS
    'events_30d per 1,000 residents, two decimals; NULL when the grid has no resident.';
COMMENT ON COLUMN onegrid.grid_overview.visits_7d IS 'Screening visits in the 7 days up to as_of.';
COMMENT ON COLUMN onegrid.grid_overview.red_yellow IS
    'People placed on the grid whose current health code (health_code) is red or yellow.';
COMMENT ON COLUMN onegrid.grid_overview.as_of IS 'The time the windows count back from (onegrid.as_of()).';

CREATE VIEW onegrid.grid_fragmentation WITH (security_invoker = true, security_barrier = true) AS
    SELECT 'unified'::text AS kind, NULL::text AS department, g.grid_code AS code, g.name, g.street_code,
           count(d.dept_grid_code) AS touches,
           count(d.dept_grid_code) FILTER (WHERE d.department = 'PS') AS touches_ps,
           count(d.dept_grid_code) FILTER (WHERE d.department = 'UM') AS touches_um,
           count(d.dept_grid_code) FILTER (WHERE d.department = 'FR') AS touches_fr,
           count(d.dept_grid_code) FILTER (WHERE d.department = 'HL') AS touches_hl,
           count(d.dept_grid_code) FILTER (WHERE d.department = 'HT') AS touches_ht,
           1::bigint AS streets
      FROM onegrid.grid g
      LEFT JOIN onegrid.dept_grid d ON d.grid_code = g.grid_code
     GROUP BY g.grid_code, g.name, g.street_code
    UNION ALL
    SELECT 'department', d.department, d.dept_grid_code, min(s.name), min(g.street_code),
           count(*), NULL, NULL, NULL, NULL, NULL, count(DISTINCT g.street_code)
      FROM onegrid.dept_grid d
      JOIN onegrid.grid g ON g.grid_code = d.grid_code
      LEFT JOIN onegrid.dept_grid_shape s ON (s.department, s.dept_grid_code) = (d.department, d.dept_grid_code)
     GROUP BY d.department, d.dept_grid_code;
COMMENT ON VIEW onegrid.grid_fragmentation IS
    'The forest of grids that 一网统筹 clears: per unified grid (kind unified), how many department grids touch it, in '
    'all and per department; per department grid (kind department), how many unified grids and streets it spans '
    '(from dept_grid, the crosswalk). An analyst counts only the unified grids of its scope.';
COMMENT ON COLUMN onegrid.grid_fragmentation.kind IS 'unified (a row per unified grid) or department (per department grid).';
COMMENT ON COLUMN onegrid.grid_fragmentation.department IS 'Department of a department grid; NULL for a unified grid.';
COMMENT ON COLUMN onegrid.grid_fragmentation.code IS 'Unified grid code, or the department''s own grid code.';
COMMENT ON COLUMN onegrid.grid_fragmentation.name IS 'Grid name.';
COMMENT ON COLUMN onegrid.grid_fragmentation.street_code IS
    'Street of a unified grid; for a department grid, the smallest street code it touches.';
COMMENT ON COLUMN onegrid.grid_fragmentation.touches IS
    'unified: department grids touching the grid; department: unified grids the department grid spans.';
COMMENT ON COLUMN onegrid.grid_fragmentation.touches_ps IS 'unified: police beats touching the grid.';
COMMENT ON COLUMN onegrid.grid_fragmentation.touches_um IS 'unified: urban-management unit grids touching it.';
COMMENT ON COLUMN onegrid.grid_fragmentation.touches_fr IS 'unified: fire-safety grids touching it.';
COMMENT ON COLUMN onegrid.grid_fragmentation.touches_hl IS 'unified: health grids touching it.';
COMMENT ON COLUMN onegrid.grid_fragmentation.touches_ht IS 'unified: hotline grids touching it.';
COMMENT ON COLUMN onegrid.grid_fragmentation.streets IS
    'Streets the grid lies in: 1 for a unified grid; for a department grid, how many streets it crosses.';

GRANT SELECT ON onegrid.event_daily, onegrid.grid_daily, onegrid.community_daily, onegrid.street_daily,
    onegrid.grid_overview, onegrid.grid_fragmentation TO onegrid_analyst;
GRANT EXECUTE ON FUNCTION onegrid.as_of(), onegrid.scope_divisions(), onegrid.scope_sees_unplaced() TO onegrid_analyst;
