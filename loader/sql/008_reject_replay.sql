-- 008_reject_replay.sql: `onegrid replay` runs rejected records again through the current mapping; etl_reject says
-- which rejects a replay has settled, when, by which run and how (loaded, or rejected again: then the replay run
-- wrote a new reject row that points back with replay_of). A reject is open while replayed_at is NULL: the open
-- rejects are the records that are not in the warehouse, one row per record (and stage and reason).
--
-- Applied once by the loader's migration runner inside one transaction, after 007_person_history.sql.

ALTER TABLE onegrid.etl_reject
    ADD COLUMN replayed_at    timestamptz,
    ADD COLUMN replay_run_id  bigint REFERENCES onegrid.etl_run (run_id),
    ADD COLUMN replay_outcome text CHECK (replay_outcome IN ('loaded', 'rejected')),
    ADD COLUMN replay_of      bigint REFERENCES onegrid.etl_reject (reject_id),
    ADD CONSTRAINT etl_reject_replay_settled CHECK (
        (replayed_at IS NULL) = (replay_run_id IS NULL) AND (replayed_at IS NULL) = (replay_outcome IS NULL));

-- A record rejected again by a replay gets a new row with the same position, stage and reason as the one the replay
-- settled: only open rejects are unique (a rerun of the same input still adds no duplicate).
ALTER TABLE onegrid.etl_reject DROP CONSTRAINT etl_reject_source_input_version_record_index_stage_reason_key;
CREATE UNIQUE INDEX etl_reject_open_key ON onegrid.etl_reject (source, input, version, record_index, stage, reason)
    WHERE replayed_at IS NULL;
CREATE INDEX etl_reject_open_source_idx ON onegrid.etl_reject (source, reject_id) WHERE replayed_at IS NULL;
CREATE INDEX etl_reject_replay_run_id_idx ON onegrid.etl_reject (replay_run_id) WHERE replay_run_id IS NOT NULL;

COMMENT ON TABLE onegrid.etl_reject IS
    'Every record that could not be loaded, with where it was and why; written in the same transaction as its batch. '
    'Open rejects (replayed_at IS NULL) are the records not in the warehouse; `onegrid replay` settles them.';
COMMENT ON COLUMN onegrid.etl_reject.replayed_at IS
    'When `onegrid replay` settled this reject (in the transaction that loaded the record or rejected it again); '
    'NULL while the reject is open.';
COMMENT ON COLUMN onegrid.etl_reject.replay_run_id IS
    'The replay run (etl_run.run_id, command replay) that settled this reject; NULL while it is open.';
COMMENT ON COLUMN onegrid.etl_reject.replay_outcome IS
    'What the replay did with the record: loaded (it passed the current mapping and is in the warehouse, unless a '
    'newer state of it was there already) or rejected (it failed again: see the row whose replay_of is this one).';
COMMENT ON COLUMN onegrid.etl_reject.replay_of IS
    'On a reject written by a replay run: the reject (reject_id) of the same record that the replay settled; NULL for '
    'rejects written by a run reading its inputs.';

GRANT SELECT (replayed_at, replay_run_id, replay_outcome, replay_of) ON onegrid.etl_reject TO onegrid_analyst;
