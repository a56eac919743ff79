/* pg_sink.c - the warehouse as the run loop's sink. */
#include "core/log.h"
#include "loader/digests.h"
#include "loader/scope.h"
#include "pipeline/sink.h"

#include <string.h>
#include <time.h>

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A stream's periodic fold of the day counts: a failure is not the batch's, it waits for the next.
 */
static void maybe_fold(struct og_pg_sink *s)
{
    double t = mono_s();
    if (s->fold_every_s <= 0 || t - s->last_fold < s->fold_every_s)
        return;
    s->last_fold = t;
    long long n = 0;
    struct og_error e;
    og_error_clear(&e);
    if (og_pg_fold_daily(s->pg, &n, &e) < 0)
        og_warn(s->log, "loader", "%s (the next fold retries)", e.message);
}

static int position(void *ctx, const char *source, const char *kind, const char *key,
                    const char *version, struct og_stored *st, struct og_error *err)
{
    struct og_pg_sink *s = ctx;
    return og_pg_ledger_get(s->pg, source, kind, key, version, st, err);
}

static int digests(void *ctx, const char *source, const char *key, int fd, long long *n,
                   struct og_error *err)
{
    struct og_pg_sink *s = ctx;
    return og_pg_digests_read(s->pg, source, key, fd, n, err);
}

static void *lane_new(void *ctx)
{
    (void)ctx;
    return og_pg_rows_create();
}

static void lane_free(void *ctx, void *lane)
{
    (void)ctx;
    og_pg_rows_destroy(lane);
}

static int prepare(void *ctx, void *lane, const struct og_batch *b, size_t i)
{
    (void)ctx;
    return og_pg_rows_prepare(lane, b, i);
}

static int commit(void *ctx, const struct og_batch *b, void *lane, struct og_load_stats *stats,
                  struct og_error *err)
{
    struct og_pg_sink *s = ctx;
    int rc = og_pg_commit_batch(s->pg, s->run_id, s->links, b, lane, stats, err);
    og_pg_rows_reset(lane);
    if (rc == 0)
        maybe_fold(s);
    return rc;
}

static int loaders(void *ctx)
{
    const struct og_pg_sink *s = ctx;
    return 1 + s->nmore;
}

static struct og_pg *conn(struct og_pg_sink *s, int k)
{
    return k > 0 && k <= s->nmore ? s->more[k - 1] : s->pg;
}

static int recover_at(void *ctx, int k, struct og_error *err)
{
    struct og_pg *pg = conn(ctx, k);
    return og_pg_alive(pg) ? 0 : og_pg_reconnect(pg, err);
}

static int recover(void *ctx, struct og_error *err)
{
    return recover_at(ctx, 0, err);
}

static int work(void *ctx, int k, const struct og_batch *b, void *lane, struct og_load_stats *stats,
                struct og_error *err)
{
    struct og_pg_sink *s = ctx;
    return og_pg_batch_work(conn(s, k), s->run_id, s->links, b, lane, stats, err);
}

static int finish(void *ctx, int k, const struct og_batch *b, void *lane, struct og_error *err)
{
    struct og_pg_sink *s = ctx;
    int rc = og_pg_batch_finish(conn(s, k), s->run_id, b, err);
    if (rc == 0) {
        og_pg_rows_reset(lane);
        maybe_fold(s);
    }
    return rc;
}

static void abort_work(void *ctx, int k)
{
    og_pg_batch_abort(conn(ctx, k));
}

static bool alone(void *ctx, const struct og_batch *b)
{
    struct og_pg_sink *s = ctx;
    for (size_t i = 0; i < b->nmarks; i++)
        if (strcmp(b->marks[i].kind, OG_PG_REPLAY_KIND) == 0)
            return true;
    return og_pg_links_concern(s->links, b);
}

void og_pg_sink_init(struct og_sink *sink, struct og_pg_sink *ctx)
{
    *sink = (struct og_sink){.ctx = ctx,
                             .position = position,
                             .digests = digests,
                             .lane_new = lane_new,
                             .lane_free = lane_free,
                             .prepare = prepare,
                             .commit = commit,
                             .recover = recover,
                             .loaders = loaders,
                             .work = work,
                             .finish = finish,
                             .abort = abort_work,
                             .recover_at = recover_at,
                             .alone = alone};
}
