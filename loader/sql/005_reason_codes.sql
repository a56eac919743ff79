-- 005_reason_codes.sql: etl_reject.reason names the one table of reason codes (docs/reasons.md).
--
-- Applied once by the loader's migration runner inside one transaction, after 004_roles.sql.

COMMENT ON COLUMN onegrid.etl_reject.reason IS
    'Stable reason code for counting and filtering, one of the codes of kind record in docs/reasons.md (onegrid rejects --reasons), e.g. bad_json, missing_field, invalid_time, field_count.';
COMMENT ON COLUMN onegrid.etl_reject.stage IS
    'Stage that rejected it: read (the connector could not read the record, or the whole file), map (the mapping file), reconcile (grid, identity, status...) or load (database).';
