/* sink.h - where the run loop sends its batches: the warehouse (pg_sink.c) or, in tests, memory.
 * The loop owns the policy (batches, retries, the loader thread); a sink only stores and says how
 * a failure is classed. */
#ifndef OG_SINK_H
#define OG_SINK_H

#include "core/batch.h"
#include "core/error.h"
#include "core/source.h"
#include "loader/pg.h"
#include "pipeline/handoff.h"

#include <stdbool.h>

struct og_sink {
    void *ctx;
    /* Where input (kind, key, version) of source stands (*st new: free st->state). NULL: the
     * sink keeps no positions, every input is read whole. */
    int (*position)(void *ctx, const char *source, const char *kind, const char *key,
                    const char *version, struct og_stored *st, struct og_error *err);
    /* The record digests of file key of source the sink holds, into fd (og_source_host.digests).
     * NULL: none are kept (every record is converted). */
    int (*digests)(void *ctx, const char *source, const char *key, int fd, long long *n,
                   struct og_error *err);
    /* A new scratch that travels with one batch (e.g. the rows encoded ahead), NULL on out of
     * memory; lane_free accepts NULL. Both may be NULL: no scratch. */
    void *(*lane_new)(void *ctx);
    void (*lane_free)(void *ctx, void *lane);
    /* On the reading thread, after record i was added to b: work to do ahead (may be NULL).
     * 0 or OG_ENOMEM. */
    int (*prepare)(void *ctx, void *lane, const struct og_batch *b, size_t i);
    /* On the loader thread: stores b (records, rejects, its marks) in ONE transaction, adds
     * what it did to *stats, and resets the lane. On failure nothing of b is stored and err->klass
     * says whether it may pass (OG_CLASS_RETRY). */
    int (*commit)(void *ctx, const struct og_batch *b, void *lane, struct og_load_stats *stats,
                  struct og_error *err);
    /* After a RETRY failure: make the next commit possible (reconnect). 0 or an error. */
    int (*recover)(void *ctx, struct og_error *err);
    /* Optional, for batches loaded in parallel (pipeline/handoff.h): loaders says how many loaders
     * the sink has now (each its own connection; NULL or 1: one, and commit is used). Loader k
     * stores a batch in
     * two steps: work (all of it in an open transaction but where its inputs stand; *stats gets
     * what it did) then finish (the marks, and the transaction made final) or abort (undone);
     * recover_at as recover for loader k. alone says b must not be worked on while an earlier
     * batch is not final (it reads what earlier batches write, e.g. to link events). */
    int (*loaders)(void *ctx);
    int (*work)(void *ctx, int k, const struct og_batch *b, void *lane, struct og_load_stats *stats,
                struct og_error *err);
    int (*finish)(void *ctx, int k, const struct og_batch *b, void *lane, struct og_error *err);
    void (*abort)(void *ctx, int k);
    int (*recover_at)(void *ctx, int k, struct og_error *err);
    bool (*alone)(void *ctx, const struct og_batch *b);
};

/* The warehouse as a sink: batches committed with og_pg_commit_batch under run_id. pg is borrowed
 * and must outlive the sink. With more connections (nmore > 0), 1 + nmore loaders store batches
 * in parallel, loader 0 on pg. With fold_every_s > 0 (a stream), a commit at least that long after
 * the last fold also folds the day counts of the analysts' views (og_pg_fold_daily); a failed
 * fold is logged to log and left to the next one. */
struct og_pg_sink {
    struct og_pg *pg;
    struct og_pg *more[OG_MAX_LOADERS - 1]; /* borrowed: further loaders' connections */
    int nmore;
    long long run_id;
    double fold_every_s;
    double last_fold; /* monotonic seconds */
    struct og_log *log;
    const struct og_links *links; /* borrowed: the link rules each batch's events are linked by;
                                     NULL: none */
};
/* Fills *sink with the warehouse's operations over ctx (borrowed). */
void og_pg_sink_init(struct og_sink *sink, struct og_pg_sink *ctx);

#endif
