-- 004_roles.sql: the loader and analyst roles, their grants, and analyst_scope (the divisions each analyst may see).
--
-- Applied once per database by the loader's migration runner inside one transaction, after 003_etl.sql.
-- Roles are cluster-wide: a second warehouse database in the same cluster finds them already there, so they are
-- created only when missing. Grants are per database and are (re)applied here.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'onegrid_loader') THEN
        BEGIN
            CREATE ROLE onegrid_loader NOLOGIN;
        EXCEPTION WHEN duplicate_object THEN
            NULL; -- created concurrently by a migration in another database of the cluster
        END;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'onegrid_analyst') THEN
        BEGIN
            CREATE ROLE onegrid_analyst NOLOGIN;
        EXCEPTION WHEN duplicate_object THEN
            NULL;
        END;
    END IF;
END
$$;

COMMENT ON ROLE onegrid_loader IS
    'onegrid: writes the warehouse (grant it to the login role onegrid runs as).';
COMMENT ON ROLE onegrid_analyst IS
    'onegrid: reads the warehouse, limited to the divisions in onegrid.analyst_scope (grant it to analysts'' login roles).';

-- ---------------------------------------------------------------------------------------------------------------
-- Which divisions an analyst role may see
-- ---------------------------------------------------------------------------------------------------------------
CREATE TABLE onegrid.analyst_scope (
    role_name     text,
    division_code text REFERENCES onegrid.division (code),
    PRIMARY KEY (role_name, division_code)
);

COMMENT ON TABLE onegrid.analyst_scope IS
    'Divisions each analyst login role is granted, e.g. a street''s analyst gets that street''s code and sees its grids only. '
    'Row-level security policies that enforce this come in a later migration; until then analysts read all rows.';
COMMENT ON COLUMN onegrid.analyst_scope.role_name IS
    'PostgreSQL login role of the analyst (a member of onegrid_analyst), e.g. analyst_xiaogongyuan.';
COMMENT ON COLUMN onegrid.analyst_scope.division_code IS
    'Division (division.code) the role may see, with everything inside it, e.g. street 440511001 or county 440511.';

-- ---------------------------------------------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------------------------------------------
DO $$
BEGIN
    -- The loader merges through TEMP staging tables; analysts must be able to connect.
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO onegrid_loader', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO onegrid_analyst', current_database());
END
$$;

GRANT USAGE ON SCHEMA onegrid TO onegrid_loader, onegrid_analyst;

-- Loader: all DML on every table and sequence of the schema.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA onegrid TO onegrid_loader;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA onegrid TO onegrid_loader;
-- ... and on what later migrations (run by the same owner) create.
ALTER DEFAULT PRIVILEGES IN SCHEMA onegrid GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO onegrid_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA onegrid GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO onegrid_loader;

-- Analyst: read everything except the raw text of rejected records, which may hold identity numbers.
-- No default privileges for analysts: a later migration grants SELECT on each table or view it adds, explicitly.
GRANT SELECT ON ALL TABLES IN SCHEMA onegrid TO onegrid_analyst;
REVOKE SELECT ON onegrid.etl_reject FROM onegrid_analyst;
GRANT SELECT (reject_id, run_id, source, input, version, record_index, line, byte_offset, position, stage, reason,
              field, message, created_at)
    ON onegrid.etl_reject TO onegrid_analyst;
