/* events.c - events and their history: new events copied straight into the warehouse with the
 * state changes the batch shows, stored ones merged through staging. */
#include "loader/columns.h"
#include "loader/copy.h"
#include "loader/pg_internal.h"
#include "loader/rows.h"

#include "core/hmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* Appends one event's staging row: seq, content, row hash, position. */
static int stage_row(struct og_buf *out, const struct og_row *row, const struct og_unified *u,
                     size_t seq)
{
    int rc = og_buf_printf(out, "%zu\t", seq);
    rc = rc ? rc : og_buf_append(out, row->content, row->content_len);
    rc = rc ? rc : og_copy_text(out, false, row->hash);
    rc = rc ? rc : og_copy_text(out, false, u->position);
    return rc ? rc : og_copy_end_row(out);
}

/* Appends one event's warehouse row (what EVENT_MERGE inserts): content, geom, row hash, run,
 * first run, position. */
static int direct_row(struct og_buf *out, const struct og_row *row, const struct og_event *e,
                      const char *position, const char *run)
{
    int rc = og_buf_append(out, row->content, row->content_len);
    rc = rc ? rc : og_copy_point(out, false, e->place.has_point, e->place.lon, e->place.lat);
    rc = rc ? rc : og_copy_text(out, false, row->hash);
    rc = rc ? rc : og_buf_printf(out, "\t%s\t%s", run, run);
    rc = rc ? rc : og_copy_text(out, false, position);
    return rc ? rc : og_copy_end_row(out);
}

/* When a state took effect: updated_at, else reported_at; unset when neither is. */
static struct og_time changed_at(const struct og_event *e)
{
    return e->updated_at.set ? e->updated_at : e->reported_at;
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* One state of an event in the batch, for its history. */
struct state {
    size_t seq;
    int64_t at;
    const char *status, *source_status;
};

static int by_time(const void *pa, const void *pb)
{
    const struct state *a = pa, *b = pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* The history rows of an event new to the warehouse, as HISTORY_MERGE would make them from the
 * batch alone: its states in time (then source) order, each one that differs from the one before.
 */
static int direct_history(struct og_buf *out, const struct og_batch *b, const size_t *idx, size_t n,
                          const char *run, struct state *tmp, long long *rows)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct og_event *e = &b->recs[idx[i]].u.event;
        struct og_time t = changed_at(e);
        if (t.set)
            tmp[k++] = (struct state){idx[i], t.us, e->status, e->source_status};
    }
    qsort(tmp, k, sizeof(*tmp), by_time);
    int rc = 0;
    const struct state *prev = NULL;
    for (size_t i = 0; i < k && rc == 0; i++) {
        const struct state *s = &tmp[i];
        if (prev && same_text(prev->status, s->status) &&
            same_text(prev->source_status, s->source_status))
            continue;
        const char *id = b->recs[s->seq].u.event.event_id;
        rc = og_copy_text(out, true, id);
        rc = rc ? rc : og_copy_text(out, false, s->status);
        rc = rc ? rc : og_copy_text(out, false, s->source_status);
        rc = rc ? rc : og_copy_time(out, false, true, s->at);
        rc = rc ? rc : og_buf_printf(out, "\t%s\n", run);
        (*rows)++;
        prev = s;
    }
    return rc;
}

/* {"a","b"} array literal of event ids (a parameter, never pasted into SQL). */
static int id_array(struct og_buf *out, const struct og_batch *b, const size_t *last, size_t n)
{
    int rc = og_buf_putc(out, '{');
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = og_array_item(out, i == 0, b->recs[last[i]].u.event.event_id);
    return rc ? rc : og_buf_putc(out, '}');
}

/* The events of the batch: per event id, its records in batch order (idx, by event), and the one
 * EVENT_MERGE keeps (the latest updated_at, then the last read). */
struct groups {
    struct og_hmap *slot;  /* event id -> 1 + event number */
    size_t *first, *count; /* per event: where its records start in idx, how many */
    size_t *last;          /* per event: the record kept */
    size_t *idx;           /* record indexes grouped by event */
    size_t nevents;
};

static void groups_free(struct groups *g)
{
    og_hmap_destroy(g->slot);
    free(g->first), free(g->count), free(g->last), free(g->idx);
}

static bool later(const struct og_event *a, const struct og_event *b)
{
    /* a wins over b (read before it) unless b has an update time a lacks or a later one */
    if (!a->updated_at.set)
        return !b->updated_at.set;
    return !b->updated_at.set || a->updated_at.us >= b->updated_at.us;
}

static int group(const struct og_batch *b, struct groups *g)
{
    memset(g, 0, sizeof(*g));
    size_t n = b->nrecs + 1;
    g->slot = og_hmap_create();
    g->first = calloc(n, sizeof(size_t)), g->count = calloc(n, sizeof(size_t));
    g->last = calloc(n, sizeof(size_t)), g->idx = calloc(n, sizeof(size_t));
    size_t *ev = calloc(n, sizeof(size_t));
    int rc = g->slot && g->first && g->count && g->last && g->idx && ev ? 0 : OG_ENOMEM;
    for (size_t i = 0; i < b->nrecs && rc == 0; i++) {
        const struct og_unified *u = &b->recs[i];
        if (u->kind != OG_KIND_EVENT)
            continue;
        uintptr_t k = (uintptr_t)og_hmap_get(g->slot, u->u.event.event_id);
        if (!k) {
            k = ++g->nevents;
            rc = og_hmap_put(g->slot, u->u.event.event_id, (void *)k);
            g->last[k - 1] = i;
        }
        else if (later(&u->u.event, &b->recs[g->last[k - 1]].u.event))
            g->last[k - 1] = i;
        ev[i] = k;
        g->count[k - 1]++;
    }
    for (size_t e = 1; e < g->nevents && rc == 0; e++)
        g->first[e] = g->first[e - 1] + g->count[e - 1];
    size_t *fill = calloc(g->nevents + 1, sizeof(size_t));
    if (!fill)
        rc = OG_ENOMEM;
    for (size_t i = 0; i < b->nrecs && rc == 0; i++)
        if (ev[i]) {
            size_t e = ev[i] - 1;
            g->idx[g->first[e] + fill[e]++] = i;
        }
    free(fill);
    free(ev);
    return rc;
}

static long long val(PGresult *res, int col)
{
    return atoll(PQgetvalue(res, 0, col));
}

struct ebufs {
    struct og_buf ids, direct, history, stage;
};

static void ebufs_free(struct ebufs *e)
{
    og_buf_free(&e->ids), og_buf_free(&e->direct), og_buf_free(&e->history);
    og_buf_free(&e->stage);
}

int og_pg_merge_events(struct og_pg *pg, const char *run, const struct og_batch *b,
                       struct og_pg_rows *rows, bool fast, struct og_load_stats *stats,
                       struct og_error *err)
{
    struct groups g;
    struct ebufs eb;
    memset(&eb, 0, sizeof(eb));
    PGresult *res = NULL;
    struct og_hmap *stored = og_hmap_create();
    struct state *tmp = calloc(b->nrecs + 1, sizeof(*tmp));
    int rc = group(b, &g);
    if (rc == 0 && (!stored || !tmp))
        rc = OG_ENOMEM;
    /* the events stored already (when looking is worth it: without fast, all are merged) */
    if (rc == 0 && fast) {
        rc = id_array(&eb.ids, b, g.last, g.nevents);
        const char *p[] = {eb.ids.data};
        if (rc == 0 &&
            og_pg_run(pg, "SELECT event_id FROM onegrid.event WHERE event_id = ANY ($1::text[])", 1,
                      p, PGRES_TUPLES_OK, &res, "look up stored events", err) < 0) {
            rc = OG_EDB;
            goto out;
        }
        for (int r = 0; rc == 0 && r < PQntuples(res); r++)
            rc = og_hmap_put(stored, PQgetvalue(res, r, 0), (void *)1);
    }
    size_t ndirect = 0, nstage = 0;
    long long nhistory = 0;
    for (size_t e = 0; e < g.nevents && rc == 0; e++) {
        const struct og_unified *u = &b->recs[g.last[e]];
        bool is_new = fast && !og_hmap_get(stored, u->u.event.event_id);
        if (is_new) { /* straight into the warehouse, with the state changes the batch shows */
            const struct og_row *row = og_rows_get(rows, b, g.last[e]);
            rc = row ? direct_row(&eb.direct, row, &u->u.event, u->position, run) : OG_ENOMEM;
            rc = rc ? rc
                    : direct_history(&eb.history, b, g.idx + g.first[e], g.count[e], run, tmp,
                                     &nhistory);
            ndirect++;
            continue;
        }
        for (size_t k = 0; k < g.count[e] && rc == 0; k++) { /* stored: staging and the merges */
            size_t i = g.idx[g.first[e] + k];
            const struct og_row *row = og_rows_get(rows, b, i);
            rc = row ? stage_row(&eb.stage, row, &b->recs[i], i) : OG_ENOMEM;
            nstage++;
        }
    }
    if (rc < 0) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                          "out of memory encoding events");
        goto out;
    }
    if (ndirect) {
        rc = og_pg_copy(pg,
                        "COPY onegrid.event (" OG_EVENT_COLS
                        "geom, row_hash, run_id, first_run_id, source_position) FROM STDIN",
                        eb.direct.data, eb.direct.len, "copy new events", err);
        if (rc == 0 && eb.history.len)
            rc = og_pg_copy(pg,
                            "COPY onegrid.event_history (event_id, status, source_status, "
                            "changed_at, run_id) FROM STDIN",
                            eb.history.data, eb.history.len, "copy the history of new events", err);
        if (rc < 0)
            goto out;
        stats->inserted += (long long)ndirect;
        stats->history += nhistory;
    }
    if (nstage) {
        const char *p1[] = {run};
        PQclear(res);
        res = NULL;
        rc = og_pg_copy(
            pg, "COPY og_stage_event (seq, " OG_EVENT_COLS "row_hash, source_position) FROM STDIN",
            eb.stage.data, eb.stage.len, "copy events into staging", err);
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
        if (rc == 0)
            stats->history += atoll(PQcmdTuples(res));
    }
out:
    PQclear(res);
    ebufs_free(&eb);
    groups_free(&g);
    og_hmap_destroy(stored);
    free(tmp);
    return rc;
}
