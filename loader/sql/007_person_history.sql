-- 007_person_history.sql: every state of a resident the register has sent (PS-1), so that the population of a
-- past day can be counted, and person_at(t), the state of each person at a time.
--
-- Applied once by the loader's migration runner inside one transaction, after 006_history_order.sql.

CREATE TABLE onegrid.person_history (
    person_key     text NOT NULL REFERENCES onegrid.person (person_key) ON DELETE CASCADE,
    changed_at     timestamptz NOT NULL,
    active         boolean NOT NULL,
    person_type    text,
    community_code text,
    grid_code      text,
    address        text,
    registered_at  timestamptz,
    run_id         bigint NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_key, changed_at)
);
CREATE INDEX person_history_changed_at_idx ON onegrid.person_history (changed_at);

COMMENT ON TABLE onegrid.person_history IS
    'Each state of a resident as the population register sent it, one row per update time (GXSJ): the current state '
    'is onegrid.person (the latest update wins); an update that arrives late still takes its place here. Count the '
    'population of a past day with onegrid.person_at.';
COMMENT ON COLUMN onegrid.person_history.person_key IS
    'The person (person.person_key: HMAC-SHA-256 of the normalised ID number).';
COMMENT ON COLUMN onegrid.person_history.changed_at IS
    'When the register recorded this state (the record''s update time, GXSJ for PS-1).';
COMMENT ON COLUMN onegrid.person_history.active IS
    'False from a deregistration (moved away or deceased) on.';
COMMENT ON COLUMN onegrid.person_history.person_type IS
    'registered (户籍), floating (流动) or foreign (境外) in this state.';
COMMENT ON COLUMN onegrid.person_history.community_code IS
    'Community (12-digit NBS code, current edition) the person lived in, in this state.';
COMMENT ON COLUMN onegrid.person_history.grid_code IS
    'Unified grid the person lived in, in this state (NULL when placed at community level only).';
COMMENT ON COLUMN onegrid.person_history.address IS
    'Current address in this state.';
COMMENT ON COLUMN onegrid.person_history.registered_at IS
    'When the person was entered in the register (as this state says).';
COMMENT ON COLUMN onegrid.person_history.run_id IS
    'The run that recorded this state (etl_run.run_id).';
COMMENT ON COLUMN onegrid.person_history.recorded_at IS
    'When onegrid wrote the row.';

-- The state of every person known at time t: the latest state recorded at or before t; for a person registered
-- by t whose first recorded state is later, that first state (the register sends a person when it changes, so a
-- resident registered long ago may be known only from a recent update).
CREATE FUNCTION onegrid.person_at(t timestamptz)
RETURNS TABLE (person_key text, active boolean, person_type text, community_code text, grid_code text,
               changed_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (h.person_key) h.person_key, h.active, h.person_type, h.community_code, h.grid_code,
           h.changed_at
    FROM onegrid.person_history h
    WHERE h.changed_at <= t OR (h.registered_at <= t)
    ORDER BY h.person_key, (h.changed_at <= t) DESC,
             CASE WHEN h.changed_at <= t THEN h.changed_at END DESC, h.changed_at
$$;
COMMENT ON FUNCTION onegrid.person_at(timestamptz) IS
    'The state of each person at time t (latest recorded at or before t; for a person registered by t but first '
    'recorded later, that first state). The population of a grid on a day: SELECT grid_code, count(*) FROM '
    'onegrid.person_at(''2020-02-03 23:59:59+08'') WHERE active GROUP BY grid_code.';

GRANT SELECT ON onegrid.person_history TO onegrid_analyst;
GRANT EXECUTE ON FUNCTION onegrid.person_at(timestamptz) TO onegrid_analyst;
