/* report_sink.c - the positions a run's summary reports: a sink around the warehouse's that records
 * where each input stood before the run (the first lookup) and after (each committed mark), and
 * the records and rejects per stage of committed batches. */
#include "pipeline/report.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- positions, recorded by a sink around the warehouse's ---------------------------------- */

static void position_free(struct og_input_position *p)
{
    free(p->kind);
    free(p->key);
    free(p->version);
    free(p->before_state);
    free(p->after_state);
}

void og_report_source_init(struct og_source_stats *st, const char *connector, const char *mapping,
                           const struct og_mapping *m)
{
    const char *feed = m ? og_mapping_feed(m) : NULL;
    const char *department = m ? og_mapping_department(m) : NULL;
    st->connector = connector;
    st->mapping = mapping;
    snprintf(st->feed, sizeof(st->feed), "%s", feed ? feed : "");
    snprintf(st->department, sizeof(st->department), "%s", department ? department : "");
}

void og_report_stats_free(struct og_source_stats *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->npositions; i++)
        position_free(&st->positions[i]);
    free(st->positions);
    st->positions = NULL;
    st->npositions = st->cappositions = 0;
}

/* The entry of input (kind, key, version) in st, *added set when it is new; NULL on out of memory
 * (then st->positions_incomplete is set). Called with the sink's mu held. */
static struct og_input_position *position_of(struct og_source_stats *st, const char *kind,
                                             const char *key, const char *version, bool *added)
{
    version = version ? version : "";
    *added = false;
    for (size_t i = st->npositions; i-- > 0;) { /* the newest input is the likeliest */
        struct og_input_position *p = &st->positions[i];
        if (!strcmp(p->key, key) && !strcmp(p->kind, kind) && !strcmp(p->version, version))
            return p;
    }
    *added = true;
    if (st->npositions == st->cappositions) {
        size_t cap = st->cappositions ? 2 * st->cappositions : 8;
        struct og_input_position *v = realloc(st->positions, cap * sizeof(*v));
        if (!v) {
            st->positions_incomplete = true;
            return NULL;
        }
        st->positions = v;
        st->cappositions = cap;
    }
    struct og_input_position *p = &st->positions[st->npositions];
    memset(p, 0, sizeof(*p));
    p->kind = strdup(kind);
    p->key = strdup(key);
    p->version = strdup(version);
    if (!p->kind || !p->key || !p->version) {
        position_free(p);
        st->positions_incomplete = true;
        return NULL;
    }
    st->npositions++;
    return p;
}

/* A copy of a state text (NULL stays NULL); sets incomplete when memory runs out. */
static char *state_copy(struct og_source_stats *st, const char *state)
{
    char *s = state ? strdup(state) : NULL;
    if (state && !s)
        st->positions_incomplete = true;
    return s;
}

static int rs_position(void *ctx, const char *source, const char *kind, const char *key,
                       const char *version, struct og_stored *stored, struct og_error *err)
{
    struct og_report_sink *rs = ctx;
    int rc = rs->inner->position(rs->inner->ctx, source, kind, key, version, stored, err);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&rs->mu);
    bool added;
    struct og_input_position *p = position_of(rs->st, kind, key, version, &added);
    if (p && added) { /* the first answer is where the input stood before the run */
        p->before_found = stored->found;
        p->before = stored->position;
        p->before_done = stored->done;
        p->before_state = state_copy(rs->st, stored->state);
    }
    pthread_mutex_unlock(&rs->mu);
    return rc;
}

static int rs_digests(void *ctx, const char *source, const char *key, int fd, long long *n,
                      struct og_error *err)
{
    struct og_report_sink *rs = ctx;
    return rs->inner->digests(rs->inner->ctx, source, key, fd, n, err);
}

static void *rs_lane_new(void *ctx)
{
    struct og_report_sink *rs = ctx;
    return rs->inner->lane_new ? rs->inner->lane_new(rs->inner->ctx) : NULL;
}

static void rs_lane_free(void *ctx, void *lane)
{
    struct og_report_sink *rs = ctx;
    if (rs->inner->lane_free)
        rs->inner->lane_free(rs->inner->ctx, lane);
}

static int rs_prepare(void *ctx, void *lane, const struct og_batch *b, size_t i)
{
    struct og_report_sink *rs = ctx;
    return rs->inner->prepare ? rs->inner->prepare(rs->inner->ctx, lane, b, i) : 0;
}

/* What a committed batch b did, recorded. */
static void record(struct og_report_sink *rs, const struct og_batch *b)
{
    struct og_source_stats *st = rs->st;
    pthread_mutex_lock(&rs->mu);
    st->loaded += (long long)b->nrecs;
    for (size_t i = 0; i < b->nrejs; i++) {
        unsigned stage = (unsigned)b->rejs[i].stage;
        if (stage < sizeof(st->committed_rejects) / sizeof(st->committed_rejects[0]))
            st->committed_rejects[stage]++;
    }
    for (size_t i = 0; i < b->nmarks; i++) {
        const struct og_mark *m = &b->marks[i];
        bool added;
        struct og_input_position *p = position_of(st, m->kind, m->key, m->version, &added);
        if (!p)
            continue;
        p->committed = true;
        p->after = m->position;
        p->after_done = m->done;
        if (m->state) {
            free(p->after_state);
            p->after_state = state_copy(st, m->state);
        }
        p->records += m->records;
        p->rejects += m->rejects;
    }
    pthread_mutex_unlock(&rs->mu);
}

static int rs_commit(void *ctx, const struct og_batch *b, void *lane, struct og_load_stats *stats,
                     struct og_error *err)
{
    struct og_report_sink *rs = ctx;
    int rc = rs->inner->commit(rs->inner->ctx, b, lane, stats, err);
    if (rc == 0)
        record(rs, b);
    return rc;
}

static int rs_work(void *ctx, int k, const struct og_batch *b, void *lane,
                   struct og_load_stats *stats, struct og_error *err)
{
    struct og_report_sink *rs = ctx;
    return rs->inner->work(rs->inner->ctx, k, b, lane, stats, err);
}

static int rs_finish(void *ctx, int k, const struct og_batch *b, void *lane, struct og_error *err)
{
    struct og_report_sink *rs = ctx;
    int rc = rs->inner->finish(rs->inner->ctx, k, b, lane, err);
    if (rc == 0)
        record(rs, b);
    return rc;
}

static void rs_abort(void *ctx, int k)
{
    struct og_report_sink *rs = ctx;
    rs->inner->abort(rs->inner->ctx, k);
}

static int rs_recover_at(void *ctx, int k, struct og_error *err)
{
    struct og_report_sink *rs = ctx;
    return rs->inner->recover_at(rs->inner->ctx, k, err);
}

static int rs_loaders(void *ctx)
{
    struct og_report_sink *rs = ctx;
    return rs->inner->loaders(rs->inner->ctx);
}

static bool rs_alone(void *ctx, const struct og_batch *b)
{
    struct og_report_sink *rs = ctx;
    return rs->inner->alone && rs->inner->alone(rs->inner->ctx, b);
}

static int rs_recover(void *ctx, struct og_error *err)
{
    struct og_report_sink *rs = ctx;
    return rs->inner->recover ? rs->inner->recover(rs->inner->ctx, err) : 0;
}

void og_report_sink_init(struct og_sink *sink, struct og_report_sink *ctx)
{
    pthread_mutex_init(&ctx->mu, NULL);
    const struct og_sink *in = ctx->inner;
    bool parallel = in->loaders && in->work && in->finish && in->abort && in->recover_at;
    *sink = (struct og_sink){.ctx = ctx,
                             .position = in->position ? rs_position : NULL,
                             .digests = in->digests ? rs_digests : NULL,
                             .lane_new = in->lane_new ? rs_lane_new : NULL,
                             .lane_free = in->lane_free ? rs_lane_free : NULL,
                             .prepare = in->prepare ? rs_prepare : NULL,
                             .commit = rs_commit,
                             .recover = rs_recover,
                             .loaders = parallel ? rs_loaders : NULL,
                             .work = parallel ? rs_work : NULL,
                             .finish = parallel ? rs_finish : NULL,
                             .abort = parallel ? rs_abort : NULL,
                             .recover_at = parallel ? rs_recover_at : NULL,
                             .alone = parallel ? rs_alone : NULL};
}

void og_report_sink_fini(struct og_report_sink *ctx)
{
    pthread_mutex_destroy(&ctx->mu);
}
