-- 009_sources.sql: what the warehouse knows of each configured source (the department and feed it reads), so that
-- a source renamed in the configuration is recognised instead of loading everything again as new rows, and
-- rename_source(old, new), which moves a source's rows, ledger, positions and rejects to a new name at once.
--
-- Applied once by the loader's migration runner inside one transaction, after 008_reject_replay.sql.

CREATE TABLE onegrid.etl_source (
    source        text PRIMARY KEY CHECK (source ~ '^[a-z][a-z0-9_]{0,62}$'),
    department    text NOT NULL,
    feed          text NOT NULL,
    first_run_id  bigint REFERENCES onegrid.etl_run (run_id),
    registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX etl_source_feed_idx ON onegrid.etl_source (department, feed);

COMMENT ON TABLE onegrid.etl_source IS
    'Each source a run has loaded: its name in the configuration and the department feed it reads. A configured '
    'source with a new name that reads the feed of a source the configuration no longer names is refused as a '
    'rename: `onegrid source rename OLD NEW` (onegrid.rename_source) moves the old one''s rows.';
COMMENT ON COLUMN onegrid.etl_source.source IS
    'The source''s name in the configuration (an identifier); part of event_id and visit_id.';
COMMENT ON COLUMN onegrid.etl_source.department IS
    'The department code of its mapping (PS, UM, FR, HL, HT).';
COMMENT ON COLUMN onegrid.etl_source.feed IS
    'The feed of its mapping, e.g. HL-2.';
COMMENT ON COLUMN onegrid.etl_source.first_run_id IS
    'The run (etl_run.run_id) that first loaded it under this name.';
COMMENT ON COLUMN onegrid.etl_source.registered_at IS
    'When it was first loaded under this name.';

-- a rename rewrites event_id and visit_id; their history and members follow
ALTER TABLE onegrid.event_history DROP CONSTRAINT event_history_event_id_fkey,
    ADD CONSTRAINT event_history_event_id_fkey FOREIGN KEY (event_id) REFERENCES onegrid.event (event_id)
        ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE onegrid.visit_member DROP CONSTRAINT visit_member_visit_id_fkey,
    ADD CONSTRAINT visit_member_visit_id_fkey FOREIGN KEY (visit_id) REFERENCES onegrid.visit (visit_id)
        ON DELETE CASCADE ON UPDATE CASCADE;

-- An event or visit id is DEPARTMENT:SOURCE:SOURCE_ID; the id with SOURCE replaced.
CREATE FUNCTION onegrid.source_id_renamed(id text, new_name text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT split_part(id, ':', 1) || ':' || new_name || ':'
           || substr(id, length(split_part(id, ':', 1)) + length(split_part(id, ':', 2)) + 3)
$$;
COMMENT ON FUNCTION onegrid.source_id_renamed(text, text) IS
    'An event_id or visit_id (DEPARTMENT:SOURCE:SOURCE_ID) with its source name replaced.';

CREATE FUNCTION onegrid.rename_source(old_name text, new_name text)
RETURNS TABLE (what text, n bigint)
LANGUAGE plpgsql AS $$
DECLARE
    c bigint;
BEGIN
    IF new_name IS NULL OR new_name !~ '^[a-z][a-z0-9_]{0,62}$' THEN
        RAISE EXCEPTION 'source name "%" is not an identifier', new_name
            USING ERRCODE = '22023', HINT = 'a lower-case letter, then lower-case letters, digits or _';
    END IF;
    IF old_name = new_name THEN
        RAISE EXCEPTION 'the old and the new name are both "%"', old_name USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM onegrid.etl_source WHERE source = old_name)
       AND NOT EXISTS (SELECT 1 FROM onegrid.etl_source_state WHERE source = old_name) THEN
        RAISE EXCEPTION 'the warehouse has no source "%"', old_name USING ERRCODE = 'P0002';
    END IF;
    IF EXISTS (SELECT 1 FROM onegrid.etl_source WHERE source = new_name)
       OR EXISTS (SELECT 1 FROM onegrid.etl_source_state WHERE source = new_name)
       OR EXISTS (SELECT 1 FROM onegrid.event WHERE source = new_name)
       OR EXISTS (SELECT 1 FROM onegrid.visit WHERE source = new_name) THEN
        RAISE EXCEPTION 'the warehouse already has rows of a source "%"', new_name USING ERRCODE = '23505';
    END IF;
    -- links between events are kept in id order: set those of the source aside, put them back renamed
    CREATE TEMP TABLE og_rename_links ON COMMIT DROP AS
        SELECT l.* FROM onegrid.event_link l
        WHERE split_part(l.event_id, ':', 2) = old_name OR split_part(l.linked_event_id, ':', 2) = old_name;
    DELETE FROM onegrid.event_link l USING og_rename_links t
        WHERE l.event_id = t.event_id AND l.linked_event_id = t.linked_event_id;
    UPDATE onegrid.event SET event_id = onegrid.source_id_renamed(event_id, new_name), source = new_name
        WHERE source = old_name;
    GET DIAGNOSTICS c = ROW_COUNT;
    what := 'event'; n := c; RETURN NEXT;
    INSERT INTO onegrid.event_link (event_id, linked_event_id, link_id, rule, distance_m, time_gap, run_id,
                                    created_at)
        SELECT least(a, b), greatest(a, b), link_id, rule, distance_m, time_gap, run_id, created_at
        FROM (SELECT CASE WHEN split_part(event_id, ':', 2) = old_name
                          THEN onegrid.source_id_renamed(event_id, new_name) ELSE event_id END AS a,
                     CASE WHEN split_part(linked_event_id, ':', 2) = old_name
                          THEN onegrid.source_id_renamed(linked_event_id, new_name) ELSE linked_event_id END AS b,
                     link_id, rule, distance_m, time_gap, run_id, created_at
              FROM og_rename_links) t;
    GET DIAGNOSTICS c = ROW_COUNT;
    what := 'event_link'; n := c; RETURN NEXT;
    UPDATE onegrid.health_code_change SET event_id = onegrid.source_id_renamed(event_id, new_name)
        WHERE split_part(event_id, ':', 2) = old_name;
    UPDATE onegrid.health_code SET event_id = onegrid.source_id_renamed(event_id, new_name)
        WHERE split_part(event_id, ':', 2) = old_name;
    UPDATE onegrid.visit SET visit_id = onegrid.source_id_renamed(visit_id, new_name), source = new_name
        WHERE source = old_name;
    GET DIAGNOSTICS c = ROW_COUNT;
    what := 'visit'; n := c; RETURN NEXT;
    UPDATE onegrid.etl_source_state SET source = new_name WHERE source = old_name;
    GET DIAGNOSTICS c = ROW_COUNT;
    what := 'etl_source_state'; n := c; RETURN NEXT;
    UPDATE onegrid.etl_reject SET source = new_name WHERE source = old_name;
    GET DIAGNOSTICS c = ROW_COUNT;
    what := 'etl_reject'; n := c; RETURN NEXT;
    UPDATE onegrid.etl_source SET source = new_name WHERE source = old_name;
    RETURN;
END
$$;
COMMENT ON FUNCTION onegrid.rename_source(text, text) IS
    'Moves a source''s events (ids rewritten, history and links kept), visits (members kept), health-code rows, '
    'ledger and positions, rejects and registration from old_name to new_name, in the caller''s transaction. '
    'Refused when new_name is not an identifier or already has rows. `onegrid source rename OLD NEW` calls it.';

-- a run that left a source alone because another run was loading it ends as 'locked' (exit code 4)
ALTER TABLE onegrid.etl_run DROP CONSTRAINT etl_run_status_check,
    ADD CONSTRAINT etl_run_status_check
        CHECK (status IN ('running', 'succeeded', 'failed', 'rejects_exceeded', 'locked'));
COMMENT ON COLUMN onegrid.etl_run.status IS
    'running, succeeded, failed, rejects_exceeded (loaded, but rejects over a threshold or a file rejected as a '
    'whole: exit 3) or locked (loaded, but a source was left alone because another run was loading it: exit 4).';

GRANT SELECT ON onegrid.etl_source TO onegrid_analyst;
