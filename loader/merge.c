/* merge.c - one batch, one transaction: events (staging + merge + history), visits (visits.c),
 * rejects, ledger. */
#include "loader/columns.h"
#include "loader/copy.h"
#include "loader/pg_internal.h"
#include "loader/rows.h"

#include <stdlib.h>
#include <string.h>

/* The session's staging tables (created once per connection), from the column lists. */
// clang-format off
static const char STAGE_DDL[] =
    "CREATE TEMP TABLE IF NOT EXISTS og_stage_event (seq integer, "
        OG_EVENT_COLUMNS(OG_COL_DDL) "row_hash text, source_position text) ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS og_stage_visit (seq integer, "
        OG_VISIT_COLUMNS(OG_COL_DDL) "row_hash text, source_position text) ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS og_stage_member (seq integer, visit_id text, mseq integer, "
        "person_key text, id_masked text, id_valid boolean, name_masked text, temperature numeric, "
        "symptoms text[], travel text[], health_code text) ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS og_changed_visit (visit_id text, seq integer, "
        "inserted boolean) ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS og_stage_health (seq integer, "
        OG_HEALTH_COLUMNS(OG_COL_DDL) "run_id bigint) ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS og_stage_reject (source text, input text, version text, "
        "record_index bigint, line bigint, byte_offset bigint, position text, stage text, "
        "reason text, field text, message text, raw text) ON COMMIT DELETE ROWS;";
// clang-format on

/* The latest state of each event in the batch, unless stored already with the same row hash;
 * an update older than the stored one does not win. */
static const char EVENT_MERGE[] =
    "WITH s AS (SELECT DISTINCT ON (event_id) * FROM og_stage_event "
    "           ORDER BY event_id, updated_at DESC NULLS LAST, seq DESC), "
    "up AS (INSERT INTO onegrid.event AS e (" OG_EVENT_COLS
    "geom, row_hash, run_id, first_run_id, source_position) "
    "  SELECT " OG_EVENT_COLS "CASE WHEN lon IS NOT NULL AND lat IS NOT NULL "
    "         THEN public.ST_SetSRID(public.ST_MakePoint(lon, lat), 4326) END, row_hash, $1, $1, "
    "source_position "
    "  FROM s WHERE NOT EXISTS (SELECT 1 FROM onegrid.event x WHERE x.event_id = s.event_id "
    "                           AND x.row_hash = s.row_hash) "
    "  ON CONFLICT (event_id) DO UPDATE SET " OG_EVENT_COLUMNS(
        OG_COL_SET) "geom = EXCLUDED.geom, row_hash = EXCLUDED.row_hash, run_id = EXCLUDED.run_id, "
                    "source_position = EXCLUDED.source_position, loaded_at = now() "
                    "  WHERE e.updated_at IS NULL OR EXCLUDED.updated_at IS NULL OR "
                    "EXCLUDED.updated_at >= "
                    "e.updated_at "
                    "  RETURNING (xmax = 0) AS inserted) "
                    "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT "
                    "inserted), (SELECT "
                    "count(*) FROM s) "
                    "FROM up";

/* A history row for each state change the batch shows: a state the event was already in just
 * before (a re-sent record, a producer retry with a new time) adds none. The staged states are
 * ordered in time together with the stored ones of the same events; at equal times the stored ones
 * come first, in the order they were recorded (history_id), then the batch's in the order they were
 * read (the source's order), and they are recorded in that order. The events are looked up by an
 * array, so that the primary key is used. */
static const char HISTORY_MERGE[] =
    "WITH s AS (SELECT s.event_id, s.status, s.source_status, "
    "             coalesce(s.updated_at, s.reported_at) AS changed_at, min(s.seq) AS seq "
    "           FROM og_stage_event s WHERE coalesce(s.updated_at, s.reported_at) IS NOT NULL "
    "             AND EXISTS (SELECT 1 FROM onegrid.event e WHERE e.event_id = s.event_id) "
    "           GROUP BY 1, 2, 3, 4), "
    "u AS (SELECT event_id, status, source_status, changed_at, true AS new, seq::bigint AS ord "
    "      FROM s UNION ALL SELECT h.event_id, h.status, h.source_status, h.changed_at, false, "
    "      h.history_id FROM onegrid.event_history h "
    "      WHERE h.event_id = ANY (ARRAY(SELECT DISTINCT event_id FROM s))), "
    "o AS (SELECT u.*, lag(status) OVER w AS prev_status, lag(source_status) OVER w AS "
    "prev_source, "
    "             row_number() OVER w AS n FROM u "
    "      WINDOW w AS (PARTITION BY event_id ORDER BY changed_at, new, ord)) "
    "INSERT INTO onegrid.event_history (event_id, status, source_status, changed_at, run_id) "
    "SELECT event_id, status, source_status, changed_at, $1::bigint FROM o "
    "WHERE new AND (n = 1 OR (status, source_status) IS DISTINCT FROM (prev_status, prev_source)) "
    "ORDER BY event_id, changed_at, ord "
    "ON CONFLICT DO NOTHING";

static const char REJECT_MERGE[] = "INSERT INTO onegrid.etl_reject (run_id, source, input, "
                                   "version, record_index, line, byte_offset, position, "
                                   "stage, reason, field, message, raw) "
                                   "SELECT $1, source, input, version, record_index, line, "
                                   "byte_offset, position, stage, reason, field, message, "
                                   "raw FROM og_stage_reject ON CONFLICT DO NOTHING";

/* A Kafka partition's position never moves back: a batch committed late (its consumer lost the
 * partition meanwhile) cannot undo the new owner's progress; the rows it writes are the same. */
static const char LEDGER_UPSERT[] =
    "INSERT INTO onegrid.etl_source_state AS st (source, kind, key, version, position, done, "
    "records, rejects, state, run_id, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($10::jsonb, '{}'), $9, now()) "
    "ON CONFLICT (source, kind, key, version) DO UPDATE SET "
    "position = CASE WHEN st.kind = 'kafka' THEN greatest(st.position, EXCLUDED.position) "
    "ELSE EXCLUDED.position END, done = EXCLUDED.done, "
    "records = st.records + EXCLUDED.records, rejects = st.rejects + EXCLUDED.rejects, "
    "state = CASE WHEN $10::jsonb IS NULL THEN st.state ELSE EXCLUDED.state END, "
    "run_id = EXCLUDED.run_id, updated_at = now()";

/* Appends one event's staging row: seq, content, row hash, position. */
static int event_row(struct og_buf *out, const struct og_row *row, const struct og_unified *u,
                     int seq)
{
    int rc = og_buf_printf(out, "%d\t", seq);
    rc = rc ? rc : og_buf_append(out, row->content, row->content_len);
    rc = rc ? rc : og_copy_text(out, false, row->hash);
    rc = rc ? rc : og_copy_text(out, false, u->position);
    return rc ? rc : og_copy_end_row(out);
}

static int reject_row(struct og_buf *b, const struct og_batch *batch, const struct og_reject *r)
{
    int rc = og_copy_text(b, true, r->pos.source ? r->pos.source : batch->source);
    if (r->pos.partition >= 0) /* a Kafka input is the topic and the partition */
        rc = rc ? rc
                : og_buf_printf(b, "\t%s:%d", r->pos.input ? r->pos.input : "", r->pos.partition);
    else
        rc = rc ? rc : og_copy_text(b, false, r->pos.input ? r->pos.input : "");
    rc = rc ? rc : og_copy_text(b, false, r->pos.version ? r->pos.version : "");
    rc = rc ? rc : og_copy_int(b, false, r->pos.index);
    if (rc == 0)
        rc = r->pos.line > 0 ? og_copy_int(b, false, r->pos.line) : og_copy_text(b, false, NULL);
    rc = rc ? rc : og_copy_int(b, false, r->pos.offset);
    rc = rc ? rc : og_copy_text(b, false, r->position);
    rc = rc ? rc : og_copy_text(b, false, og_stage_name(r->stage));
    rc = rc ? rc : og_copy_text(b, false, og_reason_name(r->reason));
    rc = rc ? rc : og_copy_text(b, false, r->field);
    rc = rc ? rc : og_copy_text(b, false, r->message);
    rc = rc ? rc : og_copy_text(b, false, r->raw);
    return rc ? rc : og_copy_end_row(b);
}

struct bufs {
    struct og_buf ev, rej;
};

static void bufs_free(struct bufs *b)
{
    og_buf_free(&b->ev), og_buf_free(&b->rej);
}

static long long val(PGresult *res, int col)
{
    return atoll(PQgetvalue(res, 0, col));
}

static int commit_once(struct og_pg *pg, long long run_id, const struct og_batch *b,
                       struct og_pg_rows *rows, struct og_load_stats *stats, bool fast,
                       struct og_error *err)
{
    struct bufs bf = {OG_BUF_INIT, OG_BUF_INIT};
    int rc = 0;
    size_t nev = 0, nvi = 0, nhealth = 0;
    for (size_t i = 0; i < b->nrecs && rc == 0; i++) {
        const struct og_unified *u = &b->recs[i];
        if (u->kind == OG_KIND_EVENT) {
            nhealth += u->u.event.health != NULL;
            const struct og_row *row = og_rows_get(rows, b, i);
            rc = row ? event_row(&bf.ev, row, u, (int)i) : OG_ENOMEM;
            nev++;
        }
        else
            nvi++;
    }
    for (size_t i = 0; i < b->nrejs && rc == 0; i++)
        rc = reject_row(&bf.rej, b, &b->rejs[i]);
    if (rc) {
        bufs_free(&bf);
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                            "out of memory encoding a batch");
    }
    if (!pg->staged) {
        if ((rc = og_pg_exec(pg, STAGE_DDL, err)) < 0)
            goto done;
        pg->staged = true;
    }
    char run[32];
    snprintf(run, sizeof(run), "%lld", run_id);
    const char *p1[] = {run};
    PGresult *res = NULL;
    if ((rc = og_pg_exec(pg, "BEGIN", err)) < 0)
        goto done;
    if (nev) {
        rc = og_pg_copy(
            pg, "COPY og_stage_event (seq, " OG_EVENT_COLS "row_hash, source_position) FROM STDIN",
            bf.ev.data, bf.ev.len, "copy events into staging", err);
        if (rc == 0)
            rc = og_pg_run(pg, EVENT_MERGE, 1, p1, PGRES_TUPLES_OK, &res, "merge events", err);
        if (rc == 0) {
            stats->inserted += val(res, 0);
            stats->updated += val(res, 1);
            stats->unchanged += val(res, 2) - val(res, 0) - val(res, 1);
            PQclear(res);
            res = NULL;
            rc = og_pg_run(pg, HISTORY_MERGE, 1, p1, PGRES_COMMAND_OK, &res, "append event history",
                           err);
        }
        if (rc == 0) {
            stats->history += atoll(PQcmdTuples(res));
            PQclear(res);
            res = NULL;
        }
    }
    if (rc == 0 && nvi)
        rc = og_pg_merge_visits(pg, run, b, rows, fast, stats, err);
    if (rc == 0 && nhealth)
        rc = og_pg_merge_health(pg, run, b, stats, err);
    if (rc == 0 && b->nrejs) {
        rc = og_pg_copy(pg,
                        "COPY og_stage_reject (source, input, version, record_index, line, "
                        "byte_offset, position, "
                        "stage, reason, field, message, raw) FROM STDIN",
                        bf.rej.data, bf.rej.len, "copy rejects into staging", err);
        if (rc == 0)
            rc = og_pg_run(pg, REJECT_MERGE, 1, p1, PGRES_COMMAND_OK, &res, "write rejects", err);
        if (rc == 0) {
            stats->rejects += atoll(PQcmdTuples(res));
            PQclear(res);
            res = NULL;
        }
    }
    for (size_t i = 0; rc == 0 && i < b->nmarks; i++) {
        const struct og_mark *m = &b->marks[i];
        char pos[32], recs[32], rejs[32];
        snprintf(pos, sizeof(pos), "%lld", m->position);
        snprintf(recs, sizeof(recs), "%lld", m->records);
        snprintf(rejs, sizeof(rejs), "%lld", m->rejects);
        const char *p[] = {b->source,           m->kind, m->key, m->version, pos,
                           m->done ? "t" : "f", recs,    rejs,   run,        m->state};
        rc = og_pg_run(pg, LEDGER_UPSERT, 10, p, PGRES_COMMAND_OK, NULL,
                       "record the source position", err);
    }
    if (rc == 0)
        rc = og_pg_exec(pg, "COMMIT", err);
done:
    if (rc < 0)
        og_pg_rollback(pg);
    bufs_free(&bf);
    return rc;
}

int og_pg_commit_batch(struct og_pg *pg, long long run_id, const struct og_batch *b,
                       struct og_pg_rows *rows, struct og_load_stats *total, struct og_error *err)
{
    struct og_load_stats st;
    memset(&st, 0, sizeof(st));
    int rc = commit_once(pg, run_id, b, rows, &st, true, err);
    if (rc < 0 && err && strcmp(err->sqlstate, "23505") == 0) {
        /* another loader inserted one of these new rows meanwhile: merge the whole batch instead */
        memset(&st, 0, sizeof(st));
        rc = commit_once(pg, run_id, b, rows, &st, false, err);
    }
    if (rc == 0) {
        total->inserted += st.inserted;
        total->updated += st.updated;
        total->unchanged += st.unchanged;
        total->history += st.history;
        total->members += st.members;
        total->rejects += st.rejects;
        total->health += st.health;
    }
    return rc;
}
