/* merge.c - one batch, one transaction: events (events.c), visits (visits.c), health codes
 * (health.c), residents and rental houses (people.c), rejects, ledger. */
#include "loader/columns.h"
#include "loader/copy.h"
#include "loader/digests.h"
#include "loader/pg_internal.h"
#include "loader/rows.h"

#include <stdlib.h>
#include <string.h>

/* The session's staging tables, from the column lists, in groups created on a connection's first
 * batch that needs them. Each is ON COMMIT DELETE ROWS, and PostgreSQL truncates every such table
 * of the session at each commit that touched a temporary table (about 0.7 ms a table): a session
 * holds only the groups its batches use, not all eleven tables (10 ms a commit, 10 s of a million
 * JSON cases' load). */
enum {
    STAGE_EVENT = 1u << 0,
    STAGE_VISIT = 1u << 1,
    STAGE_HEALTH = 1u << 2,
    STAGE_PEOPLE = 1u << 3,
    STAGE_REJECT = 1u << 4,
    STAGE_LINK = 1u << 5,
};
// clang-format off
static const struct {
    unsigned group;
    const char *ddl;
} STAGE_DDL[] = {
    {STAGE_EVENT, "CREATE TEMP TABLE IF NOT EXISTS og_stage_event (seq integer, "
        OG_EVENT_COLUMNS(OG_COL_DDL) "row_hash text, source_position text) ON COMMIT DELETE ROWS;"},
    {STAGE_VISIT, "CREATE TEMP TABLE IF NOT EXISTS og_stage_visit (seq integer, "
        OG_VISIT_COLUMNS(OG_COL_DDL) "row_hash text, source_position text) ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS og_stage_member (seq integer, visit_id text, mseq integer, "
        "person_key text, id_masked text, id_valid boolean, name_masked text, temperature numeric, "
        "symptoms text[], travel text[], health_code text) ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS og_changed_visit (visit_id text, seq integer, "
        "inserted boolean) ON COMMIT DELETE ROWS;"},
    {STAGE_HEALTH, "CREATE TEMP TABLE IF NOT EXISTS og_stage_health (seq integer, "
        OG_HEALTH_COLUMNS(OG_COL_DDL) "run_id bigint) ON COMMIT DELETE ROWS;"},
    {STAGE_PEOPLE, "CREATE TEMP TABLE IF NOT EXISTS og_stage_person (seq integer, "
        OG_PERSON_COLUMNS(OG_COL_DDL) "row_hash text, source_position text) ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS og_stage_housing (seq integer, "
        OG_HOUSING_COLUMNS(OG_COL_DDL) "row_hash text, source_position text) ON COMMIT DELETE ROWS;"},
    {STAGE_REJECT, "CREATE TEMP TABLE IF NOT EXISTS og_stage_reject (source text, input text, version text, "
        "record_index bigint, line bigint, byte_offset bigint, position text, stage text, "
        "reason text, field text, message text, raw text) ON COMMIT DELETE ROWS;"},
    {STAGE_LINK, "CREATE TEMP TABLE IF NOT EXISTS og_link_changed (event_id text PRIMARY KEY) "
        "ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS og_link_want (event_id text, linked_event_id text, "
        "rule text, distance_m float8, time_gap interval, PRIMARY KEY (event_id, linked_event_id)) "
        "ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS og_link_touched (event_id text PRIMARY KEY) "
        "ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS og_link_cluster (event_id text PRIMARY KEY, link_id bigint) "
        "ON COMMIT DELETE ROWS;"},
};
// clang-format on

/* The staging groups in need that the session lacks, created outside any transaction (a group
 * created in a batch rolled back would be gone while marked). */
static int stage(struct og_pg *pg, unsigned need, struct og_error *err)
{
    for (size_t i = 0; i < sizeof(STAGE_DDL) / sizeof(STAGE_DDL[0]); i++) {
        if (!(need & STAGE_DDL[i].group) || (pg->staged & STAGE_DDL[i].group))
            continue;
        int rc = og_pg_exec(pg, STAGE_DDL[i].ddl, err);
        if (rc < 0)
            return rc;
        pg->staged |= STAGE_DDL[i].group;
    }
    return 0;
}

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

/* A replay's marks (OG_PG_REPLAY_KIND): the rejects it read again are settled before the batch's
 * rejects are written (only open rejects are unique, so a record rejected again gets a new row of
 * the replay run); settling them twice in the same run (a commit retried) is harmless. */
static const char REPLAY_SETTLE[] =
    "UPDATE onegrid.etl_reject SET replayed_at = now(), replay_run_id = $1, "
    "replay_outcome = CASE WHEN reject_id = ANY ($3::bigint[]) THEN 'rejected' ELSE 'loaded' END "
    "WHERE reject_id = ANY ($2::bigint[]) AND (replayed_at IS NULL OR replay_run_id = $1)";
static const char REPLAY_LINK[] =
    "UPDATE onegrid.etl_reject n SET replay_of = o.reject_id FROM onegrid.etl_reject o "
    "WHERE o.reject_id = ANY ($2::bigint[]) AND n.run_id = $1 AND n.replay_of IS NULL "
    "AND n.reject_id <> o.reject_id AND (n.source, n.input, n.version, n.record_index) = "
    "(o.source, o.input, o.version, o.record_index)";

/* b's replay marks as bigint[] literals: all the rejects read again, and those rejected again. */
static int replay_ids(const struct og_batch *b, struct og_buf *all, struct og_buf *again, size_t *n)
{
    int rc = og_buf_printf(all, "{") || og_buf_printf(again, "{");
    size_t nagain = 0;
    *n = 0;
    for (size_t i = 0; i < b->nmarks && rc == 0; i++) {
        const struct og_mark *m = &b->marks[i];
        if (strcmp(m->kind, OG_PG_REPLAY_KIND) != 0)
            continue;
        long long id = atoll(m->key);
        rc = og_buf_printf(all, "%s%lld", (*n)++ ? "," : "", id);
        if (rc == 0 && m->rejects > 0)
            rc = og_buf_printf(again, "%s%lld", nagain++ ? "," : "", id);
    }
    return rc || og_buf_printf(all, "}") || og_buf_printf(again, "}") ? OG_ENOMEM : 0;
}

/* Settles the rejects b replays (n of them), inside the caller's transaction. */
static int replay_settle(struct og_pg *pg, const char *run, const char *all, const char *again,
                         size_t n, struct og_error *err)
{
    const char *p[] = {run, all, again};
    PGresult *res;
    if (og_pg_run(pg, REPLAY_SETTLE, 3, p, PGRES_COMMAND_OK, &res, "settle replayed rejects", err) <
        0)
        return OG_EDB;
    long long settled = atoll(PQcmdTuples(res));
    PQclear(res);
    if (settled != (long long)n) {
        og_error_set(err, OG_EDB, OG_CLASS_FATAL, OG_R_DB,
                     "cannot settle the rejects this batch replays");
        og_error_detail(err, "%lld of %zu were settled by another run meanwhile",
                        (long long)n - settled, n);
        og_error_hint(err, "run one replay at a time; run it again to replay what is left");
        return OG_EDB;
    }
    return 0;
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

/* BEGIN and all of b but its marks; the transaction is left open (rolled back on an error). */
static int work_once(struct og_pg *pg, long long run_id, const struct og_links *links,
                     const struct og_batch *b, struct og_pg_rows *rows, struct og_load_stats *stats,
                     bool fast, bool parallel, struct og_error *err)
{
    struct og_buf rej = OG_BUF_INIT, replayed = OG_BUF_INIT, again = OG_BUF_INIT;
    int rc = 0;
    size_t nreplayed = 0;
    size_t nev = 0, nvi = 0, nhealth = 0, npeople = 0;
    for (size_t i = 0; i < b->nrecs; i++) {
        const struct og_unified *u = &b->recs[i];
        nev += u->kind == OG_KIND_EVENT;
        nvi += u->kind == OG_KIND_VISIT;
        nhealth += u->kind == OG_KIND_EVENT && u->u.event.health != NULL;
        npeople += u->kind == OG_KIND_PERSON || u->kind == OG_KIND_HOUSING;
    }
    for (size_t i = 0; i < b->nrejs && rc == 0; i++)
        rc = reject_row(&rej, b, &b->rejs[i]);
    rc = rc ? rc : replay_ids(b, &replayed, &again, &nreplayed);
    if (rc) {
        og_buf_free(&rej);
        og_buf_free(&replayed);
        og_buf_free(&again);
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                            "out of memory encoding a batch");
    }
    bool link = nev && og_pg_links_concern(links, b);
    unsigned need = (nev ? STAGE_EVENT : 0) | (nvi ? STAGE_VISIT : 0) |
                    (nhealth ? STAGE_HEALTH : 0) | (npeople ? STAGE_PEOPLE : 0) |
                    (b->nrejs ? STAGE_REJECT : 0) | (link ? STAGE_LINK : 0);
    if ((rc = stage(pg, need, err)) < 0)
        goto done;
    char run[32];
    snprintf(run, sizeof(run), "%lld", run_id);
    const char *p1[] = {run};
    PGresult *res = NULL;
    if ((rc = og_pg_exec(pg, "BEGIN", err)) < 0)
        goto done;
    /* Loaders in parallel touch disjoint rows; should one ever wait on a lock held by a later
     * batch (which waits for its turn), the wait ends here and the batch is retried. */
    if (parallel && (rc = og_pg_exec(pg, "SET LOCAL lock_timeout = '10s'", err)) < 0)
        goto done;
    if (nreplayed)
        rc = replay_settle(pg, run, replayed.data, again.data, nreplayed, err);
    if (rc == 0 && link)
        rc = og_pg_links_lock(pg, err);
    if (rc == 0 && nev)
        rc = og_pg_merge_events(pg, run, b, rows, fast, stats, err);
    if (rc == 0 && link)
        rc = og_pg_link_events(pg, run, links, b, stats, err);
    if (rc == 0 && nvi)
        rc = og_pg_merge_visits(pg, run, b, rows, fast, stats, err);
    if (rc == 0 && nhealth)
        rc = og_pg_merge_health(pg, run, b, stats, err);
    if (rc == 0 && npeople)
        rc = og_pg_merge_people(pg, run, b, rows, fast, stats, err);
    if (rc == 0 && b->nrejs) {
        rc = og_pg_copy(pg,
                        "COPY og_stage_reject (source, input, version, record_index, line, "
                        "byte_offset, position, "
                        "stage, reason, field, message, raw) FROM STDIN",
                        rej.data, rej.len, "copy rejects into staging", err);
        if (rc == 0)
            rc = og_pg_run(pg, REJECT_MERGE, 1, p1, PGRES_COMMAND_OK, &res, "write rejects", err);
        if (rc == 0) {
            stats->rejects += atoll(PQcmdTuples(res));
            PQclear(res);
            res = NULL;
        }
        const char *p3[] = {run, again.data};
        if (rc == 0 && nreplayed)
            rc = og_pg_run(pg, REPLAY_LINK, 2, p3, PGRES_COMMAND_OK, NULL,
                           "link the rejects of replayed records", err);
    }
done:
    if (rc < 0)
        og_pg_rollback(pg);
    og_buf_free(&rej);
    og_buf_free(&replayed);
    og_buf_free(&again);
    return rc;
}

/* b's marks (where its inputs stand) and COMMIT; rolled back on an error. */
static int finish(struct og_pg *pg, long long run_id, const struct og_batch *b,
                  struct og_error *err)
{
    char run[32];
    snprintf(run, sizeof(run), "%lld", run_id);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < b->nmarks; i++) {
        const struct og_mark *m = &b->marks[i];
        if (strcmp(m->kind, OG_PG_REPLAY_KIND) == 0)
            continue;
        char pos[32], recs[32], rejs[32];
        snprintf(pos, sizeof(pos), "%lld", m->position);
        snprintf(recs, sizeof(recs), "%lld", m->records);
        snprintf(rejs, sizeof(rejs), "%lld", m->rejects);
        const char *p[] = {b->source,           m->kind, m->key, m->version, pos,
                           m->done ? "t" : "f", recs,    rejs,   run,        m->state};
        rc = og_pg_run(pg, LEDGER_UPSERT, 10, p, PGRES_COMMAND_OK, NULL,
                       "record the source position", err);
        if (rc == 0)
            rc = og_pg_digests_write(pg, b->source, run, m, err);
    }
    if (rc == 0)
        rc = og_pg_exec(pg, "COMMIT", err);
    if (rc < 0)
        og_pg_rollback(pg);
    return rc;
}

void og_load_stats_add(struct og_load_stats *total, const struct og_load_stats *s)
{
    total->inserted += s->inserted;
    total->updated += s->updated;
    total->unchanged += s->unchanged;
    total->history += s->history;
    total->members += s->members;
    total->rejects += s->rejects;
    total->health += s->health;
    total->links_added += s->links_added;
    total->links_removed += s->links_removed;
}

/* work_once, and when another loader inserted one of b's new rows meanwhile (a unique
 * violation), once more merging the whole batch. */
static int work(struct og_pg *pg, long long run_id, const struct og_links *links,
                const struct og_batch *b, struct og_pg_rows *rows, struct og_load_stats *st,
                bool parallel, struct og_error *err)
{
    memset(st, 0, sizeof(*st));
    int rc = work_once(pg, run_id, links, b, rows, st, true, parallel, err);
    if (rc < 0 && err && strcmp(err->sqlstate, "23505") == 0) {
        memset(st, 0, sizeof(*st));
        rc = work_once(pg, run_id, links, b, rows, st, false, parallel, err);
    }
    return rc;
}

int og_pg_batch_work(struct og_pg *pg, long long run_id, const struct og_links *links,
                     const struct og_batch *b, struct og_pg_rows *rows, struct og_load_stats *stats,
                     struct og_error *err)
{
    struct og_load_stats st;
    int rc = work(pg, run_id, links, b, rows, &st, true, err);
    if (rc == 0)
        og_load_stats_add(stats, &st);
    return rc;
}

int og_pg_batch_finish(struct og_pg *pg, long long run_id, const struct og_batch *b,
                       struct og_error *err)
{
    return finish(pg, run_id, b, err);
}

void og_pg_batch_abort(struct og_pg *pg)
{
    og_pg_rollback(pg);
}

int og_pg_commit_batch(struct og_pg *pg, long long run_id, const struct og_links *links,
                       const struct og_batch *b, struct og_pg_rows *rows,
                       struct og_load_stats *total, struct og_error *err)
{
    struct og_load_stats st;
    int rc = work(pg, run_id, links, b, rows, &st, false, err);
    rc = rc ? rc : finish(pg, run_id, b, err);
    if (rc == 0)
        og_load_stats_add(total, &st);
    return rc;
}
