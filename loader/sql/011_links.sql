-- 011_links.sql: what incremental linking of events across departments (event_link, loader/links.c) needs: the
-- sequence that numbers clusters and an index for the same-grid rules. The rules themselves are data
-- (mappings/links.json, docs/links.md), not schema.
--
-- Applied once by the loader's migration runner inside one transaction, after 009_sources.sql (010 is the
-- analysts' views).

CREATE SEQUENCE onegrid.event_link_id_seq AS bigint;
COMMENT ON SEQUENCE onegrid.event_link_id_seq IS
    'Numbers the clusters of linked events (event_link.link_id, event.link_id). When a new link joins two clusters '
    'the smaller id stays; a cluster split in two keeps its id in the part with the smallest event_id and the other '
    'part takes a new one.';
GRANT USAGE, SELECT, UPDATE ON SEQUENCE onegrid.event_link_id_seq TO onegrid_loader;

-- a same-grid rule looks for events of one grid reported within a window of the new event's time
CREATE INDEX event_grid_reported_idx ON onegrid.event (grid_code, reported_at);
COMMENT ON INDEX onegrid.event_grid_reported_idx IS
    'Events of a unified grid by the time they were reported: the candidates of a same-grid link rule '
    '(loader/links.c); distance rules use event_geom_gist.';

COMMENT ON COLUMN onegrid.event_link.rule IS
    'Name of the link rule (mappings/links.json) that matched, the first in the file when several do, e.g. fire_fr_um.';
COMMENT ON COLUMN onegrid.event_link.run_id IS
    'ETL run (etl_run.run_id) that made the link, or last changed its distance or time gap.';
COMMENT ON COLUMN onegrid.event_link.time_gap IS
    'Time between the two events'' reported_at, as a non-negative interval.';
