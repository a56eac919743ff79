/* loop.c - the run loop over a source's files, in batches, each committed with its position. */
#include "pipeline/loop.h"

#include "core/digest.h"
#include "pipeline/handoff.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress {
    double start, last;
};

static void show_progress(const struct og_pipeline *p, struct progress *pr, const char *source,
                          const char *path, const struct og_connector *c, void *state, long long n,
                          bool final)
{
    if (!p->progress)
        return;
    double t = now_s();
    if (!final && t - pr->last < 0.5)
        return;
    pr->last = t;
    long long done = 0, total = 0;
    if (c->progress)
        c->progress(state, &done, &total);
    double el = t - pr->start;
    double rate = el > 0 ? (double)n / el : 0;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (total > 0) {
        double frac = (double)done / (double)total;
        double left = frac > 0 ? el * (1 - frac) / frac : 0;
        fprintf(stderr, "\r\033[K[run] %s %s: %3.0f%%  %lld records  %.0f rec/s  %d:%02d left",
                source, base, frac * 100, n, rate, (int)left / 60, (int)left % 60);
    }
    else
        fprintf(stderr, "\r\033[K[run] %s %s: %lld records  %.0f rec/s", source, base, n, rate);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* One batch and the sink's scratch that travels with it. */
struct lane {
    struct og_batch *b;
    void *scratch;
};

/* The two lanes of a source: one filling on this thread, one committing on the loader thread. */
struct lanes {
    struct lane lane[2];
    int cur;
    struct og_handoff *h;
};

/* On the loader thread: commits a lane's batch, trying again after a RETRY-class failure
 * (connection lost, server restarting, deadlock); committing it twice is harmless because the
 * merges are idempotent. The batch is reset in every case. */
static int commit(void *ctx, void *item, struct og_error *err)
{
    struct og_pipeline *p = ctx;
    struct lane *l = item;
    int rc = 0;
    for (int attempt = 1; p->sink; attempt++) {
        rc = p->sink->commit(p->sink->ctx, l->b, l->scratch, &p->load, err);
        if (rc == 0 || err->klass != OG_CLASS_RETRY || attempt >= p->commit_attempts ||
            (p->stop && *p->stop))
            break;
        og_warn(p->log, "loader",
                "commit of %zu records failed (%s); retrying in %u s (attempt %d of %d)",
                l->b->nrecs, err->message, (unsigned)attempt * p->retry_delay_s, attempt + 1,
                p->commit_attempts);
        sleep((unsigned)attempt * p->retry_delay_s);
        struct og_error e2;
        og_error_clear(&e2);
        if (p->sink->recover(p->sink->ctx, &e2) < 0)
            og_warn(p->log, "loader", "%s", e2.message);
    }
    og_batch_reset(l->b);
    return rc;
}

/* Hands the current lane to the loader and switches to the other one (idle by then). */
static int hand_over(struct lanes *l, struct og_error *err)
{
    int rc = og_handoff_submit(l->h, &l->lane[l->cur], err);
    if (rc == 0)
        l->cur ^= 1;
    return rc;
}

static void set_target(struct og_batch *b, const struct og_source_cfg *sc, const char *path,
                       const char *version)
{
    b->source = sc->name;
    b->kind = "file";
    b->key = path;
    b->version = version;
    b->done = false;
}

/* One record read from the connector (rc: og_raw_next's result), through the step into the current
 * batch. */
static int take(struct og_pipeline *p, struct lanes *l, const struct og_step *step, int rc,
                const struct og_raw *r, struct og_source_stats *st, struct og_error *err)
{
    struct lane *ln = &l->lane[l->cur];
    struct og_batch *b = ln->b;
    struct og_unified *u;
    int notes = 0;
    st->read++;
    rc = og_step_take(step, rc, r, b, &u, &notes, err);
    if (rc == OG_STEP_REJECTED) {
        og_stats_count(st, b->rejs[b->nrejs - 1].reason);
        return 0;
    }
    if (rc < 0)
        return rc;
    /* the record's position names the batch's long-lived source and path */
    u->pos.source = b->source;
    u->pos.input = b->key;
    st->records++;
    st->notes += notes;
    if (p->sink && p->sink->prepare &&
        p->sink->prepare(p->sink->ctx, ln->scratch, b, b->nrecs - 1) < 0)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    return 0;
}

/* One file. Every batch of it is committed (or the run stops) before this returns. */
static int run_file(struct og_pipeline *p, const struct og_source_cfg *sc,
                    const struct og_step *step, const struct og_feed *feed, const char *path,
                    struct lanes *l, struct og_source_stats *st, struct og_error *err)
{
    const struct og_connector *c = feed->connector;
    char version[65];
    int rc = og_file_sha256(path, version, err);
    if (rc < 0)
        return rc;
    long long resume = 0;
    if (p->sink) {
        bool found, done;
        if ((rc = p->sink->position(p->sink->ctx, sc->name, "file", path, version, &found, &resume,
                                    &done, err)) < 0)
            return rc;
        if (found && done) {
            st->files_skipped++;
            og_info(p->log, "run", "source=%s file=%s unchanged since it was loaded: skipped",
                    sc->name, path);
            return 0;
        }
        if (found && resume > 0) {
            st->files_resumed++;
            og_info(p->log, "run",
                    "source=%s file=%s resumes after record %lld (an earlier run stopped there)",
                    sc->name, path, resume);
        }
    }
    st->files++;
    void *state = NULL;
    if ((rc = c->open(path, feed->options, &state, err)) < 0) {
        og_error_prefix(err, "source %s: ", sc->name);
        return rc;
    }
    set_target(l->lane[0].b, sc, path, version);
    set_target(l->lane[1].b, sc, path, version);
    struct progress pr = {now_s(), 0};
    long long index = 0;
    for (;;) {
        if (p->stop && *p->stop) {
            rc = og_error_set(err, OG_EINTR, OG_CLASS_FATAL, OG_R_INTERRUPTED,
                              "interrupted by a signal");
            break;
        }
        struct og_raw raw;
        int r = og_raw_next(c, state, &raw);
        if (r == 0)
            break;
        if (r < 0 && r != OG_EREJECT) {
            *err = raw.why;
            og_error_prefix(err, "source %s: ", sc->name);
            og_raw_release(&raw);
            rc = r;
            break;
        }
        raw.pos.source = sc->name;
        raw.pos.input = path;
        raw.pos.index = index++;
        if (index > resume) /* records up to resume were committed by an earlier run */
            rc = take(p, l, step, r, &raw, st, err);
        og_raw_release(&raw);
        if (rc < 0)
            break;
        struct og_batch *b = l->lane[l->cur].b;
        if ((long long)og_batch_size(b) >= p->batch_size) {
            b->position = index;
            if ((rc = hand_over(l, err)) < 0)
                break;
        }
        show_progress(p, &pr, sc->name, path, c, state, index, false);
    }
    struct og_batch *b = l->lane[l->cur].b;
    b->position = index;
    if (rc == 0) {
        b->done = true;
        rc = hand_over(l, err);
        show_progress(p, &pr, sc->name, path, c, state, index, true);
    }
    else if (rc == OG_EINTR) {
        /* keep what was read: commit the partial batch with its position, not done */
        struct og_error e2;
        hand_over(l, &e2);
    }
    struct og_error e3;
    og_error_clear(&e3);
    int drc = og_handoff_drain(l->h, &e3);
    if (rc == 0 && drc < 0) {
        rc = drc;
        *err = e3;
    }
    c->close(state);
    og_batch_reset(l->lane[0].b);
    og_batch_reset(l->lane[1].b);
    return rc;
}

static void lanes_free(const struct og_pipeline *p, struct lanes *l)
{
    og_handoff_stop(l->h);
    for (int i = 0; i < 2; i++) {
        og_batch_destroy(l->lane[i].b);
        if (p->sink)
            p->sink->lane_free(p->sink->ctx, l->lane[i].scratch);
    }
}

int og_pipeline_source(struct og_pipeline *p, const struct og_source_cfg *sc,
                       const struct og_step *step, const struct og_feed *feed,
                       struct og_source_stats *st, struct og_error *err)
{
    struct lanes l;
    memset(&l, 0, sizeof(l));
    bool ok = true;
    for (int i = 0; i < 2; i++) {
        l.lane[i].b = og_batch_create();
        l.lane[i].scratch = p->sink ? p->sink->lane_new(p->sink->ctx) : NULL;
        ok = ok && l.lane[i].b && (!p->sink || l.lane[i].scratch);
    }
    if (!ok || og_handoff_start(commit, p, &l.h) < 0) {
        lanes_free(p, &l);
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    }
    int rc = 0;
    for (size_t i = 0; i < sc->ninputs && rc == 0; i++) {
        glob_t g;
        int gr = glob(sc->inputs[i], 0, NULL, &g);
        if (gr == GLOB_NOMATCH) {
            st->unmatched_inputs++;
            og_warn(p->log, "run", "source=%s input \"%s\" matches no file", sc->name,
                    sc->inputs[i]);
            continue;
        }
        if (gr != 0) {
            rc = og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO,
                              "source %s: could not expand \"%s\"", sc->name, sc->inputs[i]);
            break;
        }
        for (size_t k = 0; k < g.gl_pathc && rc == 0; k++) {
            char *real = realpath(g.gl_pathv[k], NULL);
            rc = run_file(p, sc, step, feed, real ? real : g.gl_pathv[k], &l, st, err);
            free(real);
        }
        globfree(&g);
    }
    lanes_free(p, &l);
    return rc;
}
