-- 006_history_order.sql: event_history keeps the order states were recorded in, so that states
-- with the same time are ordered as the source sent them (a state re-sent in the same millisecond
-- as the next one adds no row).
--
-- Applied once by the loader's migration runner inside one transaction, after 005_reason_codes.sql.

ALTER TABLE onegrid.event_history ADD COLUMN history_id bigserial;
COMMENT ON COLUMN onegrid.event_history.history_id IS
    'Order in which the states were recorded: for one event, in the order the source sent them; breaks ties between equal changed_at.';
