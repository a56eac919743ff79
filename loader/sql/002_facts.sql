-- 002_facts.sql: the fact tables (events and their history, visits and members, people, housing, health codes, links).
--
-- Applied once by the loader's migration runner inside one transaction, after 001_places.sql.
-- grid_code columns are deliberately not foreign keys: a deployment may load facts before a world re-cut.

-- ---------------------------------------------------------------------------------------------------------------
-- Events: every case, incident, hazard, ticket and health-code change, latest state
-- ---------------------------------------------------------------------------------------------------------------
CREATE TABLE onegrid.event (
    event_id        text PRIMARY KEY,
    department      text NOT NULL,
    source          text NOT NULL,
    source_id       text NOT NULL,
    category_code   text NOT NULL,
    category_name   text,
    source_category text,
    status          text NOT NULL
        CHECK (status IN ('reported', 'dispatched', 'in_progress', 'resolved', 'closed', 'void')),
    source_status   text,
    reported_at     timestamptz,
    updated_at      timestamptz,
    closed_at       timestamptz,
    grid_code       text,
    grid_method     text NOT NULL CHECK (grid_method IN ('source', 'crosswalk', 'point', 'community', 'none')),
    community_code  text,
    street_code     text,
    lon             double precision,
    lat             double precision,
    geom            geometry(Point, 4326),
    source_crs      text,
    address         text,
    summary         text,
    subject_key     text,
    subject_masked  text,
    subject_valid   boolean,
    link_id         bigint,
    attrs           jsonb NOT NULL DEFAULT '{}',
    row_hash        text NOT NULL,
    run_id          bigint NOT NULL,
    first_run_id    bigint NOT NULL,
    source_position text,
    loaded_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (department, source, source_id)
);
CREATE INDEX event_grid_code_idx ON onegrid.event (grid_code);
CREATE INDEX event_reported_at_idx ON onegrid.event (reported_at);
CREATE INDEX event_department_category_idx ON onegrid.event (department, category_code);
CREATE INDEX event_geom_gist ON onegrid.event USING gist (geom);

COMMENT ON TABLE onegrid.event IS
    'Every case, incident, hazard, ticket and health-code change from every department: one row per source record, in its latest state.';
COMMENT ON COLUMN onegrid.event.event_id IS
    'Stable event identifier derived from department + source + source_id; the same source record always gets the same id.';
COMMENT ON COLUMN onegrid.event.department IS
    'Department code: PS public security, UM urban management, FR fire, HL health, HT 12345 hotline.';
COMMENT ON COLUMN onegrid.event.source IS
    'Name of the configured feed the record came from, e.g. ps.incidents, um_cases, fr_inspections.';
COMMENT ON COLUMN onegrid.event.source_id IS
    'The record''s own identifier in its source, e.g. police incident number (jqbh) or Open311 service_request_id.';
COMMENT ON COLUMN onegrid.event.category_code IS
    'Unified taxonomy code, 2 or 4 digits, e.g. 0101 fire safety, 0402 illegal building; 99/9999 when the source code has no mapping.';
COMMENT ON COLUMN onegrid.event.category_name IS
    'Unified taxonomy name for category_code, e.g. 消防安全.';
COMMENT ON COLUMN onegrid.event.source_category IS
    'Category as the department sent it (its code and/or name), e.g. police type 010101 or 电动车违规充电.';
COMMENT ON COLUMN onegrid.event.status IS
    'Unified status: reported, dispatched, in_progress, resolved, closed or void.';
COMMENT ON COLUMN onegrid.event.source_status IS
    'Status as the department sent it, e.g. 派遣, 已办结, zt=3.';
COMMENT ON COLUMN onegrid.event.reported_at IS
    'When the event was first reported to the department (source local times read as Asia/Shanghai, +08:00).';
COMMENT ON COLUMN onegrid.event.updated_at IS
    'When the department last changed the record, per the source.';
COMMENT ON COLUMN onegrid.event.closed_at IS
    'When the event reached closed (or void); NULL while open.';
COMMENT ON COLUMN onegrid.event.grid_code IS
    'Unified grid (grid.grid_code, 15 digits) the event is placed on; NULL when it could not be placed (grid_method none).';
COMMENT ON COLUMN onegrid.event.grid_method IS
    'How grid_code was found: source (sent as a unified grid), crosswalk (from a department grid), point (from coordinates), community (community only), none.';
COMMENT ON COLUMN onegrid.event.community_code IS
    '12-digit NBS 2023 community code of the event''s place, when known.';
COMMENT ON COLUMN onegrid.event.street_code IS
    '9-digit NBS 2023 street code of the event''s place, when known.';
COMMENT ON COLUMN onegrid.event.lon IS
    'Longitude in WGS-84 decimal degrees, converted from the source system (see source_crs); NULL when none was given.';
COMMENT ON COLUMN onegrid.event.lat IS
    'Latitude in WGS-84 decimal degrees, converted from the source system (see source_crs); NULL when none was given.';
COMMENT ON COLUMN onegrid.event.geom IS
    'The event''s point in WGS-84 (EPSG:4326), same as lon/lat; GiST-indexed, open as a point layer in QGIS.';
COMMENT ON COLUMN onegrid.event.source_crs IS
    'Coordinate system the source used: CGCS2000, GCJ02 or BD09.';
COMMENT ON COLUMN onegrid.event.address IS
    'Address text as the source gave it.';
COMMENT ON COLUMN onegrid.event.summary IS
    'Short description of the event from the source (incident summary, case description, ticket content).';
COMMENT ON COLUMN onegrid.event.subject_key IS
    'Hashed key of the person or organisation concerned (HMAC-SHA-256 of the normalised ID number or credit code); joins person.person_key.';
COMMENT ON COLUMN onegrid.event.subject_masked IS
    'Masked display form of the subject''s identifier, e.g. 440511********123X; the full number is never stored.';
COMMENT ON COLUMN onegrid.event.subject_valid IS
    'Whether the subject''s ID number or credit code passed its check-character validation; NULL when there was none.';
COMMENT ON COLUMN onegrid.event.link_id IS
    'Cross-department cluster this event belongs to (event_link.link_id); NULL when not linked to any other event.';
COMMENT ON COLUMN onegrid.event.attrs IS
    'The source record''s remaining fields as JSON, under their source names.';
COMMENT ON COLUMN onegrid.event.row_hash IS
    'Hash of the mapped row; a reload with the same hash leaves the row untouched.';
COMMENT ON COLUMN onegrid.event.run_id IS
    'ETL run (etl_run.run_id) that last changed this row.';
COMMENT ON COLUMN onegrid.event.first_run_id IS
    'ETL run (etl_run.run_id) that first loaded this row.';
COMMENT ON COLUMN onegrid.event.source_position IS
    'Where the last version of the record was read: file:line, topic/partition/offset, or a pull watermark.';
COMMENT ON COLUMN onegrid.event.loaded_at IS
    'When the loader last wrote this row.';

CREATE TABLE onegrid.event_history (
    event_id      text NOT NULL REFERENCES onegrid.event (event_id) ON DELETE CASCADE,
    status        text NOT NULL,
    source_status text,
    changed_at    timestamptz NOT NULL,
    run_id        bigint NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (event_id, changed_at, status, source_status)
);

COMMENT ON TABLE onegrid.event_history IS
    'Each state change of an event, one row per (event, time, status), so analysts can measure time to dispatch and to close.';
COMMENT ON COLUMN onegrid.event_history.event_id IS
    'The event (event.event_id) whose state changed.';
COMMENT ON COLUMN onegrid.event_history.status IS
    'Unified status after the change: reported, dispatched, in_progress, resolved, closed or void.';
COMMENT ON COLUMN onegrid.event_history.source_status IS
    'Status as the department sent it at that change; NULL when the source has none.';
COMMENT ON COLUMN onegrid.event_history.changed_at IS
    'When the change happened, per the source (its update time).';
COMMENT ON COLUMN onegrid.event_history.run_id IS
    'ETL run (etl_run.run_id) that recorded the change.';
COMMENT ON COLUMN onegrid.event_history.recorded_at IS
    'When the loader wrote this row.';

-- ---------------------------------------------------------------------------------------------------------------
-- Screening visits (走访排查) and the people seen
-- ---------------------------------------------------------------------------------------------------------------
CREATE TABLE onegrid.visit (
    visit_id        text PRIMARY KEY,
    department      text NOT NULL,
    source          text NOT NULL,
    source_id       text NOT NULL,
    worker_id       text,
    visited_at      timestamptz,
    grid_code       text,
    grid_method     text NOT NULL CHECK (grid_method IN ('source', 'crosswalk', 'point', 'community', 'none')),
    community_code  text,
    street_code     text,
    lon             double precision,
    lat             double precision,
    geom            geometry(Point, 4326),
    source_crs      text,
    address         text,
    member_count    integer NOT NULL,
    attrs           jsonb NOT NULL DEFAULT '{}',
    row_hash        text NOT NULL,
    run_id          bigint NOT NULL,
    first_run_id    bigint NOT NULL,
    source_position text,
    loaded_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visit_grid_code_idx ON onegrid.visit (grid_code);
CREATE INDEX visit_visited_at_idx ON onegrid.visit (visited_at);

COMMENT ON TABLE onegrid.visit IS
    'Household screening visits by grid workers (走访排查), one row per visit; the people seen are in visit_member.';
COMMENT ON COLUMN onegrid.visit.visit_id IS
    'Stable visit identifier derived from department + source + source_id.';
COMMENT ON COLUMN onegrid.visit.department IS
    'Department code of the feed, normally HL (health).';
COMMENT ON COLUMN onegrid.visit.source IS
    'Name of the configured feed the record came from, e.g. hl_visits.';
COMMENT ON COLUMN onegrid.visit.source_id IS
    'The visit''s identifier in its source (visitId).';
COMMENT ON COLUMN onegrid.visit.worker_id IS
    'Grid worker who made the visit (grid_worker.worker_id).';
COMMENT ON COLUMN onegrid.visit.visited_at IS
    'When the visit took place.';
COMMENT ON COLUMN onegrid.visit.grid_code IS
    'Unified grid (15 digits) the visit is placed on; NULL when it could not be placed.';
COMMENT ON COLUMN onegrid.visit.grid_method IS
    'How grid_code was found: source, crosswalk, point, community or none (as in event.grid_method).';
COMMENT ON COLUMN onegrid.visit.community_code IS
    '12-digit NBS 2023 community code of the visited household, when known.';
COMMENT ON COLUMN onegrid.visit.street_code IS
    '9-digit NBS 2023 street code of the visited household, when known.';
COMMENT ON COLUMN onegrid.visit.lon IS
    'Longitude of the visit in WGS-84 decimal degrees, converted from the app''s GPS (see source_crs).';
COMMENT ON COLUMN onegrid.visit.lat IS
    'Latitude of the visit in WGS-84 decimal degrees, converted from the app''s GPS (see source_crs).';
COMMENT ON COLUMN onegrid.visit.geom IS
    'The visit''s point in WGS-84 (EPSG:4326), same as lon/lat.';
COMMENT ON COLUMN onegrid.visit.source_crs IS
    'Coordinate system the app used: CGCS2000, GCJ02 or BD09.';
COMMENT ON COLUMN onegrid.visit.address IS
    'Household address as recorded on the visit.';
COMMENT ON COLUMN onegrid.visit.member_count IS
    'Number of household members recorded on the visit (rows in visit_member).';
COMMENT ON COLUMN onegrid.visit.attrs IS
    'The source record''s remaining fields as JSON, under their source names.';
COMMENT ON COLUMN onegrid.visit.row_hash IS
    'Hash of the mapped visit with its members; a reload with the same hash leaves the rows untouched.';
COMMENT ON COLUMN onegrid.visit.run_id IS
    'ETL run (etl_run.run_id) that last changed this row.';
COMMENT ON COLUMN onegrid.visit.first_run_id IS
    'ETL run (etl_run.run_id) that first loaded this row.';
COMMENT ON COLUMN onegrid.visit.source_position IS
    'Where the last version of the record was read, e.g. file:line.';
COMMENT ON COLUMN onegrid.visit.loaded_at IS
    'When the loader last wrote this row.';

CREATE TABLE onegrid.visit_member (
    visit_id    text REFERENCES onegrid.visit (visit_id) ON DELETE CASCADE,
    seq         integer,
    person_key  text,
    id_masked   text,
    id_valid    boolean,
    name_masked text,
    temperature numeric(4, 1),
    symptoms    text[] NOT NULL DEFAULT '{}',
    travel      text[] NOT NULL DEFAULT '{}',
    health_code text CHECK (health_code IN ('green', 'yellow', 'red')),
    PRIMARY KEY (visit_id, seq)
);
CREATE INDEX visit_member_person_key_idx ON onegrid.visit_member (person_key);

COMMENT ON TABLE onegrid.visit_member IS
    'The people seen on a screening visit, one row per household member.';
COMMENT ON COLUMN onegrid.visit_member.visit_id IS
    'The visit (visit.visit_id) the member was seen on.';
COMMENT ON COLUMN onegrid.visit_member.seq IS
    'Position of the member in the visit''s member list, from 1.';
COMMENT ON COLUMN onegrid.visit_member.person_key IS
    'Hashed person key (HMAC-SHA-256 of the normalised ID number); joins person.person_key when the person is registered.';
COMMENT ON COLUMN onegrid.visit_member.id_masked IS
    'Masked ID number, e.g. 440511********123X; the full number is never stored.';
COMMENT ON COLUMN onegrid.visit_member.id_valid IS
    'Whether the ID number passed its GB 11643 check-character validation; NULL when none was given.';
COMMENT ON COLUMN onegrid.visit_member.name_masked IS
    'Masked name, e.g. 张*明.';
COMMENT ON COLUMN onegrid.visit_member.temperature IS
    'Body temperature measured on the visit, degrees Celsius with one decimal, e.g. 36.6.';
COMMENT ON COLUMN onegrid.visit_member.symptoms IS
    'Symptoms reported, as the app sends them, e.g. {fever,cough}; empty when none.';
COMMENT ON COLUMN onegrid.visit_member.travel IS
    'Places visited in the last 14 days, e.g. {武汉}; empty when none.';
COMMENT ON COLUMN onegrid.visit_member.health_code IS
    'Health-code colour shown on the visit: green, yellow or red; NULL when not recorded.';

-- ---------------------------------------------------------------------------------------------------------------
-- People and rental housing (PS-1)
-- ---------------------------------------------------------------------------------------------------------------
CREATE TABLE onegrid.person (
    person_key      text PRIMARY KEY,
    id_masked       text,
    id_valid        boolean,
    name_masked     text,
    birth_date      date,
    sex             text CHECK (sex IN ('0', '1', '2', '9')),
    ethnic_code     text,
    person_type     text CHECK (person_type IN ('registered', 'floating', 'foreign')),
    hukou_address   text,
    address         text,
    community_code  text,
    grid_code       text,
    grid_method     text CHECK (grid_method IN ('source', 'crosswalk', 'point', 'community', 'none')),
    police_beat     text,
    registered_at   timestamptz,
    active          boolean NOT NULL DEFAULT true,
    updated_at      timestamptz,
    attrs           jsonb NOT NULL DEFAULT '{}',
    row_hash        text NOT NULL,
    run_id          bigint NOT NULL,
    first_run_id    bigint NOT NULL,
    source_position text,
    loaded_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX person_grid_code_idx ON onegrid.person (grid_code);
CREATE INDEX person_community_code_idx ON onegrid.person (community_code);

COMMENT ON TABLE onegrid.person IS
    'Actual population (实有人口): one row per person, latest state; identified only by a keyed hash, raw ID numbers are never stored.';
COMMENT ON COLUMN onegrid.person.person_key IS
    'HMAC-SHA-256 (hex) of the normalised ID number, keyed by the deployment''s secret; the same person gets the same key in every table.';
COMMENT ON COLUMN onegrid.person.id_masked IS
    'Masked ID number for display, e.g. 440511********123X.';
COMMENT ON COLUMN onegrid.person.id_valid IS
    'Whether the ID number passed its GB 11643 check-character validation.';
COMMENT ON COLUMN onegrid.person.name_masked IS
    'Masked name, e.g. 张*明.';
COMMENT ON COLUMN onegrid.person.birth_date IS
    'Date of birth, from the register (CSRQ).';
COMMENT ON COLUMN onegrid.person.sex IS
    'Sex code per GB/T 2261.1: 0 unknown, 1 male, 2 female, 9 unstated.';
COMMENT ON COLUMN onegrid.person.ethnic_code IS
    'Ethnic group code per GB 3304, 2 digits, e.g. 01 Han.';
COMMENT ON COLUMN onegrid.person.person_type IS
    'Person type: registered (户籍 household-registered), floating (流动 floating population) or foreign (境外).';
COMMENT ON COLUMN onegrid.person.hukou_address IS
    'Household-registration (户籍) address as the register gives it.';
COMMENT ON COLUMN onegrid.person.address IS
    'Current residential address as the register gives it.';
COMMENT ON COLUMN onegrid.person.community_code IS
    '12-digit NBS 2023 community code of the current residence.';
COMMENT ON COLUMN onegrid.person.grid_code IS
    'Unified grid (15 digits) of the current residence; NULL when it could not be placed.';
COMMENT ON COLUMN onegrid.person.grid_method IS
    'How grid_code was found: source, crosswalk, point, community or none (as in event.grid_method).';
COMMENT ON COLUMN onegrid.person.police_beat IS
    'Police beat (警务网格) the register files the person under, e.g. 44051103JW012.';
COMMENT ON COLUMN onegrid.person.registered_at IS
    'When the person was entered in the population register.';
COMMENT ON COLUMN onegrid.person.active IS
    'True while the person belongs to the current population; false once deregistered (moved away or deceased), history kept.';
COMMENT ON COLUMN onegrid.person.updated_at IS
    'When the register last changed the record (GXSJ); the latest wins.';
COMMENT ON COLUMN onegrid.person.attrs IS
    'The source record''s remaining fields as JSON, under their source names (never the raw ID number or full name).';
COMMENT ON COLUMN onegrid.person.row_hash IS
    'Hash of the mapped row; a reload with the same hash leaves the row untouched.';
COMMENT ON COLUMN onegrid.person.run_id IS
    'ETL run (etl_run.run_id) that last changed this row.';
COMMENT ON COLUMN onegrid.person.first_run_id IS
    'ETL run (etl_run.run_id) that first loaded this row.';
COMMENT ON COLUMN onegrid.person.source_position IS
    'Where the last version of the record was read, e.g. file:line.';
COMMENT ON COLUMN onegrid.person.loaded_at IS
    'When the loader last wrote this row.';

CREATE TABLE onegrid.housing (
    house_id        text PRIMARY KEY,
    address         text,
    owner_key       text,
    owner_masked    text,
    owner_valid     boolean,
    owner_name_masked text,
    rooms           integer CHECK (rooms >= 0),
    tenants         integer CHECK (tenants >= 0),
    community_code  text,
    grid_code       text,
    grid_method     text CHECK (grid_method IN ('source', 'crosswalk', 'point', 'community', 'none')),
    police_beat     text,
    lon             double precision,
    lat             double precision,
    geom            geometry(Point, 4326),
    source_crs      text,
    updated_at      timestamptz,
    attrs           jsonb NOT NULL DEFAULT '{}',
    row_hash        text NOT NULL,
    run_id          bigint NOT NULL,
    first_run_id    bigint NOT NULL,
    source_position text,
    loaded_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX housing_grid_code_idx ON onegrid.housing (grid_code);
CREATE INDEX housing_geom_gist ON onegrid.housing USING gist (geom);

COMMENT ON TABLE onegrid.housing IS
    'Rental houses (出租房屋) registered with the police, one row per house, latest state.';
COMMENT ON COLUMN onegrid.housing.house_id IS
    'House code as the police register gives it (FWBM).';
COMMENT ON COLUMN onegrid.housing.address IS
    'Address of the house as registered.';
COMMENT ON COLUMN onegrid.housing.owner_key IS
    'Hashed key of the owner''s ID number (HMAC-SHA-256, as person.person_key).';
COMMENT ON COLUMN onegrid.housing.owner_masked IS
    'Masked owner ID number, e.g. 440511********123X.';
COMMENT ON COLUMN onegrid.housing.owner_valid IS
    'Whether the owner''s ID number passed its check-character validation.';
COMMENT ON COLUMN onegrid.housing.owner_name_masked IS
    'Masked owner name, e.g. 张*明.';
COMMENT ON COLUMN onegrid.housing.rooms IS
    'Number of rooms let (CZJS).';
COMMENT ON COLUMN onegrid.housing.tenants IS
    'Number of tenants living in the house (ZHRS).';
COMMENT ON COLUMN onegrid.housing.community_code IS
    '12-digit NBS 2023 community code of the house, when known.';
COMMENT ON COLUMN onegrid.housing.grid_code IS
    'Unified grid (15 digits) the house is placed on; NULL when it could not be placed.';
COMMENT ON COLUMN onegrid.housing.grid_method IS
    'How grid_code was found: source, crosswalk, point, community or none (as in event.grid_method).';
COMMENT ON COLUMN onegrid.housing.police_beat IS
    'Police beat (警务网格) the house is filed under, e.g. 44051103JW012.';
COMMENT ON COLUMN onegrid.housing.lon IS
    'Longitude in WGS-84 decimal degrees, converted from the source system (see source_crs).';
COMMENT ON COLUMN onegrid.housing.lat IS
    'Latitude in WGS-84 decimal degrees, converted from the source system (see source_crs).';
COMMENT ON COLUMN onegrid.housing.geom IS
    'The house''s point in WGS-84 (EPSG:4326), same as lon/lat.';
COMMENT ON COLUMN onegrid.housing.source_crs IS
    'Coordinate system the source used, normally CGCS2000 for the police.';
COMMENT ON COLUMN onegrid.housing.updated_at IS
    'When the register last changed the record (GXSJ); the latest wins.';
COMMENT ON COLUMN onegrid.housing.attrs IS
    'The source record''s remaining fields as JSON, under their source names.';
COMMENT ON COLUMN onegrid.housing.row_hash IS
    'Hash of the mapped row; a reload with the same hash leaves the row untouched.';
COMMENT ON COLUMN onegrid.housing.run_id IS
    'ETL run (etl_run.run_id) that last changed this row.';
COMMENT ON COLUMN onegrid.housing.first_run_id IS
    'ETL run (etl_run.run_id) that first loaded this row.';
COMMENT ON COLUMN onegrid.housing.source_position IS
    'Where the last version of the record was read, e.g. file:line.';
COMMENT ON COLUMN onegrid.housing.loaded_at IS
    'When the loader last wrote this row.';

-- ---------------------------------------------------------------------------------------------------------------
-- Health codes (HL-1)
-- ---------------------------------------------------------------------------------------------------------------
CREATE TABLE onegrid.health_code (
    person_key     text PRIMARY KEY,
    color          text NOT NULL CHECK (color IN ('green', 'yellow', 'red')),
    previous_color text CHECK (previous_color IN ('green', 'yellow', 'red')),
    reason         text,
    changed_at     timestamptz NOT NULL,
    community_code text,
    grid_code      text,
    event_id       text,
    run_id         bigint NOT NULL,
    loaded_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX health_code_grid_code_idx ON onegrid.health_code (grid_code);

COMMENT ON TABLE onegrid.health_code IS
    'Each person''s current health-code colour (the latest change wins); the history is in health_code_change.';
COMMENT ON COLUMN onegrid.health_code.person_key IS
    'Hashed person key (HMAC-SHA-256 of the normalised ID number), as person.person_key.';
COMMENT ON COLUMN onegrid.health_code.color IS
    'Current colour: green, yellow or red (a state only; what it obliges is regional policy).';
COMMENT ON COLUMN onegrid.health_code.previous_color IS
    'Colour before the latest change; NULL for a person''s first code.';
COMMENT ON COLUMN onegrid.health_code.reason IS
    'Reason given by the health system for the latest change.';
COMMENT ON COLUMN onegrid.health_code.changed_at IS
    'When the latest change took effect.';
COMMENT ON COLUMN onegrid.health_code.community_code IS
    '12-digit NBS 2023 community code of the person''s residence, as sent with the change.';
COMMENT ON COLUMN onegrid.health_code.grid_code IS
    'Unified grid (15 digits) of the person''s residence; NULL when only the community is known.';
COMMENT ON COLUMN onegrid.health_code.event_id IS
    'The event (event.event_id) of the latest change.';
COMMENT ON COLUMN onegrid.health_code.run_id IS
    'ETL run (etl_run.run_id) that last changed this row.';
COMMENT ON COLUMN onegrid.health_code.loaded_at IS
    'When the loader last wrote this row.';

CREATE TABLE onegrid.health_code_change (
    event_id       text PRIMARY KEY,
    person_key     text NOT NULL,
    color          text NOT NULL CHECK (color IN ('green', 'yellow', 'red')),
    previous_color text CHECK (previous_color IN ('green', 'yellow', 'red')),
    reason         text,
    changed_at     timestamptz NOT NULL,
    community_code text,
    grid_code      text,
    run_id         bigint NOT NULL,
    loaded_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX health_code_change_person_idx ON onegrid.health_code_change (person_key, changed_at);

COMMENT ON TABLE onegrid.health_code_change IS
    'Every health-code colour change received, one row per change event.';
COMMENT ON COLUMN onegrid.health_code_change.event_id IS
    'The change as an event (event.event_id), stable from the health system''s eventId.';
COMMENT ON COLUMN onegrid.health_code_change.person_key IS
    'Hashed person key (HMAC-SHA-256 of the normalised ID number), as person.person_key.';
COMMENT ON COLUMN onegrid.health_code_change.color IS
    'Colour after the change: green, yellow or red.';
COMMENT ON COLUMN onegrid.health_code_change.previous_color IS
    'Colour before the change as the source sent it; NULL for a first code.';
COMMENT ON COLUMN onegrid.health_code_change.reason IS
    'Reason given by the health system for the change.';
COMMENT ON COLUMN onegrid.health_code_change.changed_at IS
    'When the change took effect (source changedAt, epoch milliseconds, stored as a time).';
COMMENT ON COLUMN onegrid.health_code_change.community_code IS
    '12-digit NBS 2023 community code of the person''s residence at the change.';
COMMENT ON COLUMN onegrid.health_code_change.grid_code IS
    'Unified grid (15 digits) of the person''s residence at the change; NULL when only the community is known.';
COMMENT ON COLUMN onegrid.health_code_change.run_id IS
    'ETL run (etl_run.run_id) that recorded the change.';
COMMENT ON COLUMN onegrid.health_code_change.loaded_at IS
    'When the loader wrote this row.';

-- ---------------------------------------------------------------------------------------------------------------
-- Cross-department links
-- ---------------------------------------------------------------------------------------------------------------
CREATE TABLE onegrid.event_link (
    event_id        text NOT NULL REFERENCES onegrid.event (event_id) ON DELETE CASCADE,
    linked_event_id text NOT NULL REFERENCES onegrid.event (event_id) ON DELETE CASCADE,
    link_id         bigint NOT NULL,
    rule            text NOT NULL,
    distance_m      double precision CHECK (distance_m >= 0),
    time_gap        interval,
    run_id          bigint NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, linked_event_id),
    CHECK (event_id < linked_event_id)
);
CREATE INDEX event_link_link_id_idx ON onegrid.event_link (link_id);
CREATE INDEX event_link_linked_event_idx ON onegrid.event_link (linked_event_id);

COMMENT ON TABLE onegrid.event_link IS
    'Pairs of events from different departments judged to be the same thing on the ground, with the rule that linked them; pairs sharing a link_id form one cluster.';
COMMENT ON COLUMN onegrid.event_link.event_id IS
    'One event of the pair (event.event_id), the smaller id of the two.';
COMMENT ON COLUMN onegrid.event_link.linked_event_id IS
    'The other event of the pair (event.event_id), the larger id of the two.';
COMMENT ON COLUMN onegrid.event_link.link_id IS
    'Cluster the pair belongs to; equals event.link_id of both events.';
COMMENT ON COLUMN onegrid.event_link.rule IS
    'Name of the linking rule that matched, e.g. same_grid_24h or within_200m_48h.';
COMMENT ON COLUMN onegrid.event_link.distance_m IS
    'Distance between the two events'' points in metres; NULL when either has no point (linked by grid).';
COMMENT ON COLUMN onegrid.event_link.time_gap IS
    'Time between the two events'' reported_at, as an interval.';
COMMENT ON COLUMN onegrid.event_link.run_id IS
    'ETL run (etl_run.run_id) that made the link.';
COMMENT ON COLUMN onegrid.event_link.created_at IS
    'When the link was written.';
