/* loop.c - the run loop over any source, in batches, each committed with its inputs' positions. */
#include "pipeline/loop.h"

#include "pipeline/handoff.h"
#include "pipeline/keys.h"

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

/* A batch hands on at most this many record digests (unchanged records of a changed file make
 * batches of positions and digests only). */
enum { MAX_DIGESTS = 16384 };

/* One batch and the sink's scratch that travels with it. */
struct lane {
    struct og_batch *b;
    void *scratch;
    double started;        /* when its first record came (follow: linger) */
    struct og_pipeline *p; /* borrowed */
    const char *source;    /* borrowed */
    /* [source committed hook] the source and its state, told what each commit moved */
    const struct og_source_ops *ops;
    void *const *src_state;
    /* loaders in parallel: the keys of the rows the batch writes, and what must be final before
     * its work starts: every earlier batch (the sink says it must go alone), or the latest
     * earlier batch it shares a key with (after, when wait_after) */
    struct og_keys keys;
    bool wait_all, wait_after;
    unsigned long long after;
    bool handed;            /* handed to the loaders and not filled anew since */
    unsigned long long seq; /* when handed: its place in the order of the batches handed on */
};

/* The loop of one source: its lanes, the source and what it may ask of the loop. Lanes: one
 * filling on this thread, the others committing on the loader threads (one more lane than
 * loaders); or, for a partitioned source with loaders in parallel, two groups of `route` lanes,
 * one filling (a partition's records go to lane partition % route of it) while the other's
 * batches are committed. */
struct loop {
    struct og_pipeline *p;
    const char *name;
    struct lane lane[2 * OG_MAX_LOADERS];
    int nlanes, cur;
    int route, group;          /* lanes filled at once (1: only lane cur); the group filling */
    unsigned long long handed; /* batches handed on so far */
    bool parallel; /* more than one loader: batches stored by work, then finish in their turn */
    struct og_handoff *h;
    const struct og_source_ops *ops;
    void *state;
    struct og_source_host host;
    struct og_source_stats *st;
    double progress_start, progress_last;
    long long progress_n;
};

static void show_progress(struct loop *l, bool final)
{
    const struct og_pipeline *p = l->p;
    if (!p->progress || !l->ops->progress)
        return;
    double t = now_s();
    if (!final && t - l->progress_last < 0.5)
        return;
    l->progress_last = t;
    const char *label = "";
    long long done = 0, total = 0;
    l->ops->progress(l->state, &label, &done, &total);
    double el = t - l->progress_start;
    double rate = el > 0 ? (double)l->progress_n / el : 0;
    const char *base = strrchr(label, '/');
    base = base ? base + 1 : label;
    if (total > 0) {
        double frac = (double)done / (double)total;
        double left = frac > 0 ? el * (1 - frac) / frac : 0;
        fprintf(stderr, "\r\033[K[run] %s %s: %3.0f%%  %lld records  %.0f rec/s  %d:%02d left",
                l->name, base, frac * 100, l->progress_n, rate, (int)left / 60, (int)left % 60);
    }
    else
        fprintf(stderr, "\r\033[K[run] %s %s: %lld records  %.0f rec/s", l->name, base,
                l->progress_n, rate);
    if (final) {
        fputc('\n', stderr);
        l->progress_start = t;
        l->progress_n = 0;
    }
    fflush(stderr);
}

/* After a failure of class RETRY on attempt n: whether to try again (logged), after the delay and
 * a reconnection of loader k. */
static bool retry(struct og_pipeline *p, int k, const struct lane *l, int attempt,
                  const struct og_error *err)
{
    if (err->klass != OG_CLASS_RETRY || (p->commit_attempts > 0 && attempt >= p->commit_attempts) ||
        (p->stop && *p->stop))
        return false;
    unsigned delay = (unsigned)attempt * p->retry_delay_s;
    delay = delay > 30 ? 30 : delay;
    og_warn(p->log, "loader", "commit of %zu records failed (%s); retrying in %u s (attempt %d%s)",
            l->b->nrecs, err->message, delay, attempt + 1,
            p->commit_attempts > 0 ? "" : ", until it works");
    sleep(delay);
    struct og_error e2;
    og_error_clear(&e2);
    int rc = p->sink->recover_at ? p->sink->recover_at(p->sink->ctx, k, &e2)
                                 : p->sink->recover(p->sink->ctx, &e2);
    if (rc < 0)
        og_warn(p->log, "loader", "%s", e2.message);
    return true;
}

/* Loaders in parallel: the batch's work on loader k's connection, then, in its turn, finish. A
 * batch that must wait for the earlier ones waits before its work; when an earlier batch was
 * retried meanwhile, the work is undone and done again (so a retry never waits on a later batch's
 * locks). What the batch did is added up only once it is final. */
static int commit_parallel(struct og_pipeline *p, int k, struct lane *l, struct og_turn *turn,
                           double t0, struct og_error *err)
{
    const struct og_sink *s = p->sink;
    int waited = 0;
    if (l->wait_all && turn->seq > 0)
        waited = og_handoff_wait_for(turn, turn->seq - 1);
    else if (!l->wait_all && l->wait_after)
        waited = og_handoff_wait_for(turn, l->after);
    if (waited == OG_ECANCELED)
        return OG_ECANCELED;
    for (int attempt = 1;;) {
        struct og_load_stats st;
        memset(&st, 0, sizeof(st));
        og_handoff_work_begins(turn);
        int rc = s->work(s->ctx, k, l->b, l->scratch, &st, err);
        if (rc == 0) {
            int t = og_handoff_turn(turn);
            if (t < 0) {
                s->abort(s->ctx, k); /* what it holds is released */
                if (t == OG_ECANCELED || og_handoff_wait_turn(turn) == OG_ECANCELED)
                    return OG_ECANCELED;
                continue; /* an earlier batch was retried: again, in this batch's turn now */
            }
            rc = s->finish(s->ctx, k, l->b, l->scratch, err);
            if (rc == 0) {
                og_load_stats_add(&p->load, &st);
                p->batches++;
                p->waited += waited;
                og_metrics_batch(p->metrics, l->source, (long long)l->b->nrecs,
                                 (long long)l->b->nrejs, now_s() - t0);
                return 0;
            }
        }
        /* failed (rolled back): tried again in its turn, after every later batch let go */
        if (og_handoff_wait_turn(turn) == OG_ECANCELED)
            return OG_ECANCELED;
        og_handoff_retrying(turn);
        if (!retry(p, k, l, attempt++, err))
            return rc;
    }
}

/* On a loader thread: commits a lane's batch, trying again after a RETRY-class failure
 * (connection lost, server restarting, deadlock); committing it twice is harmless because the
 * merges are idempotent. The batch is reset in every case. */
static int commit(void *ctx, int k, void *item, struct og_turn *turn, struct og_error *err)
{
    const struct loop *loop = ctx;
    struct lane *l = item;
    struct og_pipeline *p = l->p;
    int rc = 0;
    if (loop->parallel)
        rc = commit_parallel(p, k, l, turn, now_s(), err);
    else
        for (int attempt = 1; p->sink; attempt++) {
            double t0 = now_s();
            rc = p->sink->commit(p->sink->ctx, l->b, l->scratch, &p->load, err);
            if (rc == 0) {
                p->batches++;
                og_metrics_batch(p->metrics, l->source, (long long)l->b->nrecs,
                                 (long long)l->b->nrejs, now_s() - t0);
            }
            if (rc == 0 || !retry(p, 0, l, attempt, err))
                break;
        }
    /* [source committed hook] the source learns which states are now in the warehouse (logical
     * replication acknowledges its position to the department database only after this) */
    if (rc == 0 && p->sink && l->ops && l->ops->committed && *l->src_state)
        for (size_t i = 0; i < l->b->nmarks; i++)
            if (l->b->marks[i].state)
                l->ops->committed(*l->src_state, l->b->marks[i].key, l->b->marks[i].state);
    og_batch_reset(l->b);
    return rc;
}

/* Loaders in parallel: what lane ln's batch must wait for before its work: every earlier batch
 * when the sink says so; else the latest batch handed on that writes a key it writes (the other
 * lanes hold batches in flight or done; a done one only costs a wait that ends at once). */
static void order_after(struct loop *l, struct lane *ln)
{
    const struct og_sink *s = l->p->sink;
    ln->wait_all = s->alone && s->alone(s->ctx, ln->b);
    ln->wait_after = false;
    og_keys_seal(&ln->keys);
    for (int i = 0; i < l->nlanes && !ln->wait_all; i++) {
        const struct lane *o = &l->lane[i];
        if (o != ln && o->handed && (!ln->wait_after || o->seq > ln->after) &&
            og_keys_overlap(&ln->keys, &o->keys)) {
            ln->wait_after = true;
            ln->after = o->seq;
        }
    }
}

static bool lane_empty(const struct lane *ln)
{
    return ln->b->nrecs == 0 && ln->b->nrejs == 0 && ln->b->nmarks == 0;
}

/* Hands lane ln to the loaders. While they are all busy the source is told to wait (keeping its
 * session alive), unless it is the source asking (flush: nowait); the source may flush meanwhile
 * (a rebalance), handing ln on itself. */
static int hand_lane(struct loop *l, struct lane *ln, bool nowait, struct og_error *err)
{
    while (!ln->handed && !lane_empty(ln)) {
        if (l->parallel)
            order_after(l, ln);
        int rc = nowait || !l->ops->wait ? og_handoff_submit(l->h, ln, err)
                                         : og_handoff_submit_timed(l->h, ln, 200, err);
        if (rc == OG_EAGAIN) {
            l->ops->wait(l->state);
            continue;
        }
        if (rc < 0)
            return rc;
        ln->handed = true;
        ln->seq = l->handed++;
    }
    return 0;
}

/* A lane handed on before is filled anew: its batch is done by then (one lane, or a group, more
 * than loaders were handed on since), or waited for. */
static void refill(struct loop *l, struct lane *ln, bool nowait)
{
    if (!ln->handed)
        return;
    while (og_handoff_wait_done_timed(l->h, ln->seq, 200) == OG_EAGAIN)
        if (!nowait && l->ops->wait)
            l->ops->wait(l->state);
    og_keys_clear(&ln->keys);
    ln->handed = false;
}

/* The index of the first lane of the group filling (lanes route by route: group 0, group 1). */
static int group_base(const struct loop *l)
{
    return l->group * l->route;
}

/* Hands the filling lane (or group of lanes) to the loaders and goes on filling the next. An
 * empty lane with no marks is not handed on. */
static int hand_over(struct loop *l, bool nowait, struct og_error *err)
{
    if (l->route == 1) {
        struct lane *ln = &l->lane[l->cur];
        if (lane_empty(ln))
            return 0;
        int rc = hand_lane(l, ln, nowait, err);
        if (rc < 0 || ln != &l->lane[l->cur])
            return rc; /* the source flushed meanwhile, handing ln on and moving on */
        l->cur = (l->cur + 1) % l->nlanes;
        refill(l, &l->lane[l->cur], nowait);
        return 0;
    }
    int base = group_base(l);
    bool any = false;
    for (int c = 0; c < l->route; c++) {
        struct lane *ln = &l->lane[base + c];
        int rc = hand_lane(l, ln, nowait, err);
        if (rc < 0)
            return rc;
        any = any || ln->handed;
        if (base != group_base(l))
            return 0; /* the source flushed meanwhile: the group went on and the next one fills */
    }
    if (!any)
        return 0;
    l->group ^= 1;
    base = group_base(l);
    for (int c = 0; c < l->route; c++)
        refill(l, &l->lane[base + c], nowait);
    l->cur = base;
    return 0;
}

/* host->flush: everything read so far committed. */
static int host_flush(void *ctx, struct og_error *err)
{
    struct loop *l = ctx;
    int rc = hand_over(l, true, err);
    return rc < 0 ? rc : og_handoff_drain(l->h, err);
}

/* host->lookup: after every batch handed on is committed, what the sink holds for the input. */
static int host_lookup(void *ctx, const char *kind, const char *key, const char *version,
                       struct og_stored *st, struct og_error *err)
{
    struct loop *l = ctx;
    memset(st, 0, sizeof(*st));
    int rc = host_flush(l, err);
    if (rc < 0)
        return rc;
    return l->p->sink->position(l->p->sink->ctx, l->name, kind, key, version, st, err);
}

/* host->digests: after every batch handed on is committed, the record digests the sink holds. */
static int host_digests(void *ctx, const char *key, int fd, long long *n, struct og_error *err)
{
    struct loop *l = ctx;
    *n = 0;
    int rc = host_flush(l, err);
    if (rc < 0)
        return rc;
    return l->p->sink->digests(l->p->sink->ctx, l->name, key, fd, n, err);
}

/* host->gauge: into the run's metrics. */
static void host_gauge(void *ctx, const char *name, const char *help, const char *labels,
                       double value)
{
    struct loop *l = ctx;
    og_metrics_gauge(l->p->metrics, name, help, labels, value);
}

static int nomem(struct og_error *err)
{
    return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
}

/* Where the record just read leaves its input, in the current batch. */
static struct og_mark *mark(struct loop *l, const struct og_read *r)
{
    struct og_mark *m = og_batch_mark(l->lane[l->cur].b, r->kind, r->key, r->version);
    if (!m)
        return NULL;
    m->position = r->next;
    if (r->digest && og_mark_digest(m, r->pos.index, r->digest) < 0)
        return NULL;
    if (r->state) {
        m->state = og_arena_strdup(l->lane[l->cur].b->arena, r->state);
        if (!m->state)
            return NULL;
    }
    return m;
}

/* One record read (rc: OG_READ_RECORD or OG_EREJECT), through the step into the current batch. */
static int take(struct loop *l, const struct og_step *step, int rc, const struct og_read *r,
                struct og_error *err)
{
    struct og_pipeline *p = l->p;
    struct lane *ln = &l->lane[l->cur];
    struct og_batch *b = ln->b;
    struct og_mark *m = mark(l, r);
    if (!m)
        return nomem(err);
    if (b->nrecs == 0 && b->nrejs == 0)
        ln->started = now_s();
    struct og_unified *u;
    int notes = 0;
    l->st->read++;
    rc = og_step_take(step, rc, r, b, &u, &notes, err);
    if (rc == OG_STEP_REJECTED) {
        m->rejects++;
        og_stats_count(l->st, b->rejs[b->nrejs - 1].reason);
        return 0;
    }
    if (rc < 0)
        return rc;
    m->records++;
    /* the record's position names strings that live as long as the batch */
    u->pos.source = b->source;
    u->pos.input = m->key;
    u->pos.version = m->version;
    l->st->records++;
    l->st->notes += notes;
    if (p->sink && p->sink->prepare &&
        p->sink->prepare(p->sink->ctx, ln->scratch, b, b->nrecs - 1) < 0)
        return nomem(err);
    if (l->parallel && og_keys_add(&ln->keys, u) < 0)
        return nomem(err);
    return 0;
}

/* The loop proper: records until the end, a stop or an error. */
static int read_all(struct loop *l, const struct og_step *step, struct og_error *err)
{
    struct og_pipeline *p = l->p;
    int rc = 0;
    for (;;) {
        if (p->stop && *p->stop) {
            rc = og_error_set(err, OG_EINTR, OG_CLASS_FATAL, OG_R_INTERRUPTED,
                              "interrupted by a signal");
            break;
        }
        if (p->limit > 0 && l->st->read >= p->limit)
            break;
        struct og_read r;
        memset(&r, 0, sizeof(r));
        r.pos.partition = -1;
        int n = l->ops->next(l->state, &r, err);
        if (l->route > 1) /* a partition's records go to its lane of the group filling */
            l->cur = group_base(l) + (r.pos.partition > 0 ? r.pos.partition % l->route : 0);
        if (n == OG_READ_RECORD || n == OG_EREJECT) {
            r.pos.source = l->name;
            rc = take(l, step, n, &r, err);
            l->progress_n++;
        }
        else if (n == OG_READ_INPUT_DONE) {
            struct og_mark *m = mark(l, &r);
            if (!m)
                rc = nomem(err);
            else {
                m->done = true;
                rc = hand_over(l, false, err);
                show_progress(l, true);
            }
        }
        else if (n == OG_READ_IDLE)
            rc = hand_over(l, false, err);
        else if (n == OG_READ_UNCHANGED) { /* only its position and digest go on */
            if (!mark(l, &r))
                rc = nomem(err);
            l->st->unchanged++;
            l->progress_n++;
        }
        og_read_release(&r);
        if (n == OG_READ_END)
            break;
        if (n < 0 && n != OG_EREJECT) {
            rc = n;
            break;
        }
        if (rc < 0)
            break;
        struct lane *ln = &l->lane[l->cur];
        size_t held = og_batch_size(ln->b), digests = 0;
        for (size_t i = 0; i < ln->b->nmarks; i++)
            digests += ln->b->marks[i].ndigests;
        if ((long long)held >= p->batch_size || digests >= MAX_DIGESTS ||
            (p->follow && held > 0 && (now_s() - ln->started) * 1000 >= p->linger_ms))
            if ((rc = hand_over(l, false, err)) < 0)
                break;
        show_progress(l, false);
    }
    return rc;
}

static void loop_free(struct loop *l)
{
    og_handoff_stop(l->h);
    for (int i = 0; i < l->nlanes; i++) {
        og_keys_free(&l->lane[i].keys);
        og_batch_destroy(l->lane[i].b);
        if (l->p->sink && l->p->sink->lane_free)
            l->p->sink->lane_free(l->p->sink->ctx, l->lane[i].scratch);
    }
}

int og_pipeline_source(struct og_pipeline *p, const char *name, const struct og_source_ops *ops,
                       const json_t *options, const struct og_step *step,
                       struct og_source_stats *st, struct og_error *err)
{
    struct loop l;
    memset(&l, 0, sizeof(l));
    l.p = p;
    l.name = name;
    l.ops = ops;
    l.st = st;
    l.progress_start = now_s();
    l.host = (struct og_source_host){
        .ctx = &l,
        .lookup = p->sink && p->sink->position ? host_lookup : NULL,
        .flush = host_flush,
        .log = p->log,
        .stop = p->stop,
        .counts = &st->inputs,
        .gauge = host_gauge,
        .digests = p->sink && p->sink->digests && step->seed ? host_digests : NULL,
        .seed = step->seed};
    const struct og_sink *s = p->sink;
    int loaders = s && s->loaders && s->work && s->finish && s->abort ? s->loaders(s->ctx) : 1;
    loaders = loaders < 1 ? 1 : loaders;
    loaders = loaders > OG_MAX_LOADERS ? OG_MAX_LOADERS : loaders;
    l.parallel = loaders > 1;
    l.route = l.parallel && ops->partitioned ? loaders : 1;
    l.nlanes = l.route > 1 ? 2 * l.route : loaders + 1;
    bool ok = true;
    for (int i = 0; i < l.nlanes; i++) {
        l.lane[i].b = og_batch_create();
        bool scratch = p->sink && p->sink->lane_new;
        l.lane[i].scratch = scratch ? p->sink->lane_new(p->sink->ctx) : NULL;
        ok = ok && l.lane[i].b && (!scratch || l.lane[i].scratch);
        if (l.lane[i].b)
            l.lane[i].b->source = name;
        l.lane[i].p = p;
        l.lane[i].source = name;
        l.lane[i].ops = ops; /* [source committed hook] */
        l.lane[i].src_state = &l.state;
    }
    if (!ok || og_handoff_start(commit, &l, loaders, &l.h) < 0) {
        loop_free(&l);
        return nomem(err);
    }
    int rc = ops->open(name, options, &l.host, p->follow, &l.state, err);
    if (rc == 0) {
        rc = read_all(&l, step, err);
        /* what was read is committed: at the end, and when stopped (with its position, so the
         * next run resumes after it) */
        struct og_error e2;
        og_error_clear(&e2);
        int hrc = rc == 0 || rc == OG_EINTR ? hand_over(&l, true, rc == 0 ? err : &e2) : 0;
        og_error_clear(&e2);
        int drc = og_handoff_drain(l.h, &e2);
        if (rc == 0 && hrc < 0)
            rc = hrc;
        if (rc == 0 && drc < 0) {
            rc = drc;
            *err = e2;
        }
        if (p->follow && rc == OG_EINTR) /* a stream ends by being stopped */
            rc = 0;
        ops->close(l.state);
    }
    loop_free(&l);
    return rc;
}
