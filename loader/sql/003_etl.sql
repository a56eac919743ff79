-- 003_etl.sql: operations tables: the run ledger, per-source state (file ledger, Kafka offsets, watermarks), rejects.
--
-- Applied once by the loader's migration runner inside one transaction, after 002_facts.sql.

CREATE TABLE onegrid.etl_run (
    run_id      bigserial PRIMARY KEY,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    status      text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'rejects_exceeded')),
    command     text,
    version     text,
    host        text,
    counts      jsonb NOT NULL DEFAULT '{}',
    message     text
);

COMMENT ON TABLE onegrid.etl_run IS
    'One row per onegrid run (load, stream, replay): when it ran, how it ended and what it counted.';
COMMENT ON COLUMN onegrid.etl_run.run_id IS
    'Run number, increasing; every fact row carries the run_id that last changed it.';
COMMENT ON COLUMN onegrid.etl_run.started_at IS
    'When the run started.';
COMMENT ON COLUMN onegrid.etl_run.finished_at IS
    'When the run ended; NULL while running or if the process died.';
COMMENT ON COLUMN onegrid.etl_run.status IS
    'Outcome: running, succeeded, failed, or rejects_exceeded (stopped because too many records were rejected).';
COMMENT ON COLUMN onegrid.etl_run.command IS
    'Command line of the run, e.g. onegrid run --config /etc/onegrid.json (never a password).';
COMMENT ON COLUMN onegrid.etl_run.version IS
    'onegrid version that ran, e.g. 0.1.0.';
COMMENT ON COLUMN onegrid.etl_run.host IS
    'Host name of the machine that ran it.';
COMMENT ON COLUMN onegrid.etl_run.counts IS
    'Counts per source as JSON, e.g. {"ps.incidents": {"read": 1000, "inserted": 990, "updated": 5, "unchanged": 0, "rejected": 5}}.';
COMMENT ON COLUMN onegrid.etl_run.message IS
    'Error or summary message for the run; NULL when it succeeded without remark.';

CREATE TABLE onegrid.etl_source_state (
    source     text,
    kind       text CHECK (kind IN ('file', 'kafka', 'pgsql')),
    key        text,
    version    text NOT NULL DEFAULT '',
    position   bigint NOT NULL DEFAULT 0,
    done       boolean NOT NULL DEFAULT false,
    records    bigint NOT NULL DEFAULT 0,
    rejects    bigint NOT NULL DEFAULT 0,
    state      jsonb NOT NULL DEFAULT '{}',
    run_id     bigint,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, kind, key, version)
);

COMMENT ON TABLE onegrid.etl_source_state IS
    'Where each source stands, committed with the rows it produced: the file ledger, Kafka offsets per partition, and pull watermarks.';
COMMENT ON COLUMN onegrid.etl_source_state.source IS
    'Name of the configured source, e.g. ps.incidents or fr_inspections.';
COMMENT ON COLUMN onegrid.etl_source_state.kind IS
    'Kind of source: file, kafka or pgsql (database pull).';
COMMENT ON COLUMN onegrid.etl_source_state.key IS
    'What the state is about: a file path for file, topic:partition for kafka (e.g. ps.incidents:3), the pulled table for pgsql.';
COMMENT ON COLUMN onegrid.etl_source_state.version IS
    'For a file, the SHA-256 (hex) of its content, so a changed file is loaded again; empty for other kinds.';
COMMENT ON COLUMN onegrid.etl_source_state.position IS
    'Progress: records committed so far for a file, the next offset to read for a Kafka partition, 0 for a pull (see state).';
COMMENT ON COLUMN onegrid.etl_source_state.done IS
    'True once a file has been fully loaded (it is then skipped); always false for Kafka and pulls.';
COMMENT ON COLUMN onegrid.etl_source_state.records IS
    'Records read and committed from this key and version, in total.';
COMMENT ON COLUMN onegrid.etl_source_state.rejects IS
    'Records rejected from this key and version, in total (details in etl_reject).';
COMMENT ON COLUMN onegrid.etl_source_state.state IS
    'Further state as JSON, e.g. a pull watermark {"updated_at": "2024-03-01T08:00:00+08:00", "key": "T0001"}.';
COMMENT ON COLUMN onegrid.etl_source_state.run_id IS
    'ETL run (etl_run.run_id) that last advanced this state.';
COMMENT ON COLUMN onegrid.etl_source_state.updated_at IS
    'When this state was last written.';

CREATE TABLE onegrid.etl_reject (
    reject_id    bigserial PRIMARY KEY,
    run_id       bigint NOT NULL REFERENCES onegrid.etl_run (run_id),
    source       text NOT NULL,
    input        text NOT NULL,
    version      text NOT NULL DEFAULT '',
    record_index bigint NOT NULL,
    line         bigint,
    byte_offset  bigint,
    position     text,
    stage        text NOT NULL CHECK (stage IN ('read', 'map', 'reconcile', 'load')),
    reason       text NOT NULL,
    field        text,
    message      text NOT NULL,
    raw          text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, input, version, record_index, stage, reason)
);
CREATE INDEX etl_reject_run_id_idx ON onegrid.etl_reject (run_id);
CREATE INDEX etl_reject_source_reason_idx ON onegrid.etl_reject (source, reason);

COMMENT ON TABLE onegrid.etl_reject IS
    'Every record that could not be loaded, with where it was and why; written in the same transaction as its batch.';
COMMENT ON COLUMN onegrid.etl_reject.reject_id IS
    'Reject number, increasing.';
COMMENT ON COLUMN onegrid.etl_reject.run_id IS
    'ETL run (etl_run.run_id) that rejected the record.';
COMMENT ON COLUMN onegrid.etl_reject.source IS
    'Name of the configured source, e.g. fr_inspections.';
COMMENT ON COLUMN onegrid.etl_reject.input IS
    'The input within the source: a file path, a Kafka topic:partition, or the pulled table.';
COMMENT ON COLUMN onegrid.etl_reject.version IS
    'For a file, the SHA-256 (hex) of its content; empty for other kinds.';
COMMENT ON COLUMN onegrid.etl_reject.record_index IS
    'Index of the record within the input, from 0 (the Kafka offset for a topic).';
COMMENT ON COLUMN onegrid.etl_reject.line IS
    'Line number of the record in the file, from 1; NULL when not a line-based input.';
COMMENT ON COLUMN onegrid.etl_reject.byte_offset IS
    'Byte offset of the record''s start in the file, from 0; NULL when not a file.';
COMMENT ON COLUMN onegrid.etl_reject.position IS
    'Human-readable position, e.g. RKXX_20240301_001.xml:1234:5 or ps.incidents/3/88123.';
COMMENT ON COLUMN onegrid.etl_reject.stage IS
    'Stage that rejected it: read (parse), map (mapping file), reconcile (grid, identity, time...) or load (database).';
COMMENT ON COLUMN onegrid.etl_reject.reason IS
    'Stable reason code for counting and filtering, e.g. bad_json, missing_field, bad_time, sqlstate_22001.';
COMMENT ON COLUMN onegrid.etl_reject.field IS
    'Source field at fault, e.g. bjsj; NULL when the whole record is at fault.';
COMMENT ON COLUMN onegrid.etl_reject.message IS
    'What went wrong, in one sentence for the department.';
COMMENT ON COLUMN onegrid.etl_reject.raw IS
    'The raw record text as received, for replay; may hold identity numbers, so analysts cannot read this column.';
COMMENT ON COLUMN onegrid.etl_reject.created_at IS
    'When the reject was written.';
