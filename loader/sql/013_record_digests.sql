-- 013_record_digests.sql: what lets a changed file load at the cost of what changed in it. Each batch stores, with
-- its rows and positions, a digest of every record it passed (loaded, rejected or unchanged); the next run of a
-- changed version of that file converts and loads only the records whose bytes differ from those at the same index
-- (loader/digests.c, pipeline/files.c, docs/loading.md "A changed file").
--
-- Applied once by the loader's migration runner inside one transaction, after 012_daily_counts.sql.

CREATE TABLE onegrid.etl_record_digest (
    source      text NOT NULL REFERENCES onegrid.etl_source (source) ON UPDATE CASCADE ON DELETE CASCADE,
    input       text NOT NULL,
    first_index bigint NOT NULL CHECK (first_index >= 0),
    n           integer NOT NULL CHECK (n > 0),
    digests     bytea NOT NULL CHECK (length(digests) = 8 * n),
    run_id      bigint,
    PRIMARY KEY (source, input, first_index)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON onegrid.etl_record_digest TO onegrid_loader;

COMMENT ON TABLE onegrid.etl_record_digest IS
    'Digests of the records of each file a source loaded, a row per batch: when a changed version of the file is '
    'read, a record whose digest at its index is the same is not converted or loaded again. A cache of what the '
    'warehouse holds: deleting rows only makes the next run of a changed file convert more records.';
COMMENT ON COLUMN onegrid.etl_record_digest.source IS
    'The configured source (etl_source.source); a rename or removal of the source carries its digests along.';
COMMENT ON COLUMN onegrid.etl_record_digest.input IS
    'The file, as etl_source_state.key names it (the resolved path).';
COMMENT ON COLUMN onegrid.etl_record_digest.first_index IS
    'The index (from 0, as etl_reject.record_index counts) of the first record the row covers.';
COMMENT ON COLUMN onegrid.etl_record_digest.n IS
    'How many records the row covers: first_index to first_index + n - 1.';
COMMENT ON COLUMN onegrid.etl_record_digest.digests IS
    'n big-endian 8-byte numbers: XXH64 of the record''s bytes, seeded with a SHA-256 of what it was converted under '
    '(onegrid version, world, mapping and code tables, options, identity key); 0 for a record not digested (converted '
    'every time).';
COMMENT ON COLUMN onegrid.etl_record_digest.run_id IS
    'The run (etl_run.run_id) that wrote the row.';
