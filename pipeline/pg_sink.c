/* pg_sink.c - the warehouse as the run loop's sink. */
#include "pipeline/sink.h"

static int position(void *ctx, const char *source, const char *kind, const char *key,
                    const char *version, struct og_stored *st, struct og_error *err)
{
    struct og_pg_sink *s = ctx;
    return og_pg_ledger_get(s->pg, source, kind, key, version, st, err);
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
    int rc = og_pg_commit_batch(s->pg, s->run_id, b, lane, stats, err);
    og_pg_rows_reset(lane);
    return rc;
}

static int recover(void *ctx, struct og_error *err)
{
    struct og_pg_sink *s = ctx;
    return og_pg_alive(s->pg) ? 0 : og_pg_reconnect(s->pg, err);
}

void og_pg_sink_init(struct og_sink *sink, struct og_pg_sink *ctx)
{
    *sink = (struct og_sink){ctx, position, lane_new, lane_free, prepare, commit, recover};
}
