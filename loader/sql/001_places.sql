-- 001_places.sql: schema onegrid, PostGIS, and the places tables (divisions, unified grids, department grids, workers).
--
-- Applied once by the loader's migration runner inside one transaction; plain DDL, no psql meta-commands.
-- The runner creates and fills onegrid.schema_migrations itself.

CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;

CREATE SCHEMA IF NOT EXISTS onegrid;
COMMENT ON SCHEMA onegrid IS
    'onegrid warehouse: department feeds merged onto the unified grid (一网统筹); see contracts/warehouse.md.';

-- ---------------------------------------------------------------------------------------------------------------
-- Administrative divisions (NBS codes)
-- ---------------------------------------------------------------------------------------------------------------
CREATE TABLE onegrid.division (
    code        text PRIMARY KEY,
    level       smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
    name        text NOT NULL,
    parent_code text,
    edition     text NOT NULL,
    boundary    geometry(MultiPolygon, 4326),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX division_parent_code_idx ON onegrid.division (parent_code);

COMMENT ON TABLE onegrid.division IS
    'Administrative divisions (province, city, county, street, community) by their NBS code, current edition only; earlier editions map here through division_alias.';
COMMENT ON COLUMN onegrid.division.code IS
    'NBS statistical division code, zero-padded text, e.g. 440511 (Jinping county), 440511001 (street), 440511001001 (community).';
COMMENT ON COLUMN onegrid.division.level IS
    'Division level: 1 province, 2 city, 3 county/district, 4 street/town, 5 community/village.';
COMMENT ON COLUMN onegrid.division.name IS
    'Official Chinese name, e.g. 小公园街道; names repeat across the district, so always join on code, never on name.';
COMMENT ON COLUMN onegrid.division.parent_code IS
    'Code of the enclosing division one level up (a community''s street, a street''s county); NULL for the top level loaded.';
COMMENT ON COLUMN onegrid.division.edition IS
    'NBS code edition the code belongs to, as a year, e.g. 2023.';
COMMENT ON COLUMN onegrid.division.boundary IS
    'Division outline in WGS-84 (EPSG:4326) as a MultiPolygon; NULL when no boundary is known.';
COMMENT ON COLUMN onegrid.division.updated_at IS
    'When this row was last written by the loader.';

CREATE TABLE onegrid.division_alias (
    old_code text,
    edition  text,
    code     text NOT NULL REFERENCES onegrid.division (code),
    level    smallint,
    old_name text,
    PRIMARY KEY (old_code, edition)
);

COMMENT ON TABLE onegrid.division_alias IS
    'Crosswalk from division codes of earlier NBS editions to current codes, e.g. 2016 community 440511014001 (西堤) -> 2023 440511018001.';
COMMENT ON COLUMN onegrid.division_alias.old_code IS
    'Division code as used in the earlier edition (what an old department system still sends).';
COMMENT ON COLUMN onegrid.division_alias.edition IS
    'Edition the old code belongs to, as a year, e.g. 2016.';
COMMENT ON COLUMN onegrid.division_alias.code IS
    'Current division code (division.code) the old code maps to.';
COMMENT ON COLUMN onegrid.division_alias.level IS
    'Level of the old code: 1 province, 2 city, 3 county, 4 street, 5 community.';
COMMENT ON COLUMN onegrid.division_alias.old_name IS
    'Name the division had in the old edition, e.g. a street merged away since (金厦, 同益, ...).';

-- ---------------------------------------------------------------------------------------------------------------
-- Unified grids and department grids
-- ---------------------------------------------------------------------------------------------------------------
CREATE TABLE onegrid.grid (
    grid_code      text PRIMARY KEY CHECK (grid_code ~ '^[0-9]{15}$'),
    name           text,
    community_code text NOT NULL,
    street_code    text NOT NULL,
    county_code    text NOT NULL,
    boundary       geometry(MultiPolygon, 4326) NOT NULL,
    centroid_lon   double precision,
    centroid_lat   double precision,
    area_m2        double precision,
    valid_from     date NOT NULL DEFAULT current_date,
    valid_to       date
);
CREATE INDEX grid_boundary_gist ON onegrid.grid USING gist (boundary);
CREATE INDEX grid_community_code_idx ON onegrid.grid (community_code);

COMMENT ON TABLE onegrid.grid IS
    'Unified grids (统一网格): the one partition of the district every fact is placed on; open as a polygon layer in QGIS.';
COMMENT ON COLUMN onegrid.grid.grid_code IS
    'Unified grid code, 15 digits: 12-digit NBS community code + 3-digit sequence west->east, north->south, e.g. 440511001001001.';
COMMENT ON COLUMN onegrid.grid.name IS
    'Display name of the grid, e.g. community name + sequence; not unique.';
COMMENT ON COLUMN onegrid.grid.community_code IS
    '12-digit NBS code of the community (level 5) that contains the grid.';
COMMENT ON COLUMN onegrid.grid.street_code IS
    '9-digit NBS code of the street (level 4) that contains the grid.';
COMMENT ON COLUMN onegrid.grid.county_code IS
    '6-digit NBS code of the county/district (level 3) that contains the grid, e.g. 440511.';
COMMENT ON COLUMN onegrid.grid.boundary IS
    'Grid outline in WGS-84 (EPSG:4326) as a MultiPolygon; GiST-indexed for point-in-grid lookups.';
COMMENT ON COLUMN onegrid.grid.centroid_lon IS
    'Longitude of the grid''s centroid, WGS-84 decimal degrees.';
COMMENT ON COLUMN onegrid.grid.centroid_lat IS
    'Latitude of the grid''s centroid, WGS-84 decimal degrees.';
COMMENT ON COLUMN onegrid.grid.area_m2 IS
    'Area of the grid in square metres (computed on the spheroid).';
COMMENT ON COLUMN onegrid.grid.valid_from IS
    'First day this grid is in force (the date of the cut that created it).';
COMMENT ON COLUMN onegrid.grid.valid_to IS
    'Last day this grid is in force after a re-cut; NULL while it is current.';

CREATE TABLE onegrid.dept_grid (
    department     text CHECK (department IN ('PS', 'UM', 'FR', 'HL', 'HT')),
    dept_grid_code text,
    grid_code      text REFERENCES onegrid.grid (grid_code),
    weight         double precision CHECK (weight > 0 AND weight <= 1),
    PRIMARY KEY (department, dept_grid_code, grid_code)
);

COMMENT ON TABLE onegrid.dept_grid IS
    'Crosswalk from each department''s own grids to unified grids, one row per overlapping pair, with the share of overlap.';
COMMENT ON COLUMN onegrid.dept_grid.department IS
    'Department code: PS public security, UM urban management, FR fire, HL health, HT 12345 hotline.';
COMMENT ON COLUMN onegrid.dept_grid.dept_grid_code IS
    'The department''s grid identifier as it sends it, e.g. police beat 44051103JW012, UM unit grid 44051101400103, or a fire grid name.';
COMMENT ON COLUMN onegrid.dept_grid.grid_code IS
    'Unified grid (grid.grid_code) that the department grid overlaps.';
COMMENT ON COLUMN onegrid.dept_grid.weight IS
    'Share of the department grid that falls on this unified grid, in (0, 1]; the weights of one department grid sum to 1.';

CREATE TABLE onegrid.dept_grid_shape (
    department     text,
    dept_grid_code text,
    name           text,
    boundary       geometry(MultiPolygon, 4326),
    PRIMARY KEY (department, dept_grid_code)
);
CREATE INDEX dept_grid_shape_boundary_gist ON onegrid.dept_grid_shape USING gist (boundary);

COMMENT ON TABLE onegrid.dept_grid_shape IS
    'Each department grid once, with its name and, where the department has one, its own boundary (to compare with unified grids).';
COMMENT ON COLUMN onegrid.dept_grid_shape.department IS
    'Department code: PS, UM, FR, HL or HT (see dept_grid.department).';
COMMENT ON COLUMN onegrid.dept_grid_shape.dept_grid_code IS
    'The department''s grid identifier, as in dept_grid.dept_grid_code.';
COMMENT ON COLUMN onegrid.dept_grid_shape.name IS
    'Department''s name for the grid, e.g. 小公园街道金凤社区 for a fire grid.';
COMMENT ON COLUMN onegrid.dept_grid_shape.boundary IS
    'Department grid outline in WGS-84 (EPSG:4326) as a MultiPolygon; NULL when the department keeps no geometry.';

CREATE TABLE onegrid.grid_worker (
    worker_id   text PRIMARY KEY,
    grid_code   text,
    department  text,
    name_masked text
);

COMMENT ON TABLE onegrid.grid_worker IS
    'Grid workers (网格员) who report and visit, with the grid they are assigned to.';
COMMENT ON COLUMN onegrid.grid_worker.worker_id IS
    'Worker identifier as the workers'' app sends it (visit.worker_id refers to it).';
COMMENT ON COLUMN onegrid.grid_worker.grid_code IS
    'Unified grid the worker is assigned to (grid.grid_code); NULL when unknown.';
COMMENT ON COLUMN onegrid.grid_worker.department IS
    'Department that employs the worker: PS, UM, FR, HL or HT; NULL for the grid office itself.';
COMMENT ON COLUMN onegrid.grid_worker.name_masked IS
    'Masked display name, e.g. 张*明; the full name is never stored.';
