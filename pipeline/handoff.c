/* handoff.c - the loader threads, the queue of items handed over and the order they end in. */
#include "pipeline/handoff.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct og_handoff {
    pthread_t tid[OG_MAX_LOADERS];
    int loaders, started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    void *queue[OG_MAX_LOADERS]; /* submitted, not yet taken: item seq at queue[seq % loaders] */
    unsigned long long submitted, taken, done;
    unsigned long long retries; /* failures retried so far (og_handoff_retrying) */
    bool quit;
    int rc; /* first commit error */
    struct og_error err;
    og_commit_fn commit;
    void *ctx;
};

struct loader_arg {
    struct og_handoff *h;
    int k;
};

/* Waits (mu held) until every item before seq is done. */
static void wait_done_upto(struct og_handoff *h, unsigned long long seq)
{
    while (h->done < seq)
        pthread_cond_wait(&h->cv, &h->mu);
}

void og_handoff_work_begins(struct og_turn *t)
{
    pthread_mutex_lock(&t->h->mu);
    t->epoch = t->h->retries;
    pthread_mutex_unlock(&t->h->mu);
}

int og_handoff_turn(struct og_turn *t)
{
    struct og_handoff *h = t->h;
    pthread_mutex_lock(&h->mu);
    while (h->done < t->seq && h->rc == 0 && h->retries == t->epoch)
        pthread_cond_wait(&h->cv, &h->mu);
    int rc = h->rc < 0 ? OG_ECANCELED : h->retries != t->epoch ? OG_EAGAIN : 0;
    pthread_mutex_unlock(&h->mu);
    return rc;
}

int og_handoff_wait_turn(struct og_turn *t)
{
    struct og_handoff *h = t->h;
    pthread_mutex_lock(&h->mu);
    wait_done_upto(h, t->seq);
    int rc = h->rc < 0 ? OG_ECANCELED : 0;
    pthread_mutex_unlock(&h->mu);
    return rc;
}

int og_handoff_wait_for(struct og_turn *t, unsigned long long seq)
{
    struct og_handoff *h = t->h;
    pthread_mutex_lock(&h->mu);
    int waited = 0;
    for (; h->done <= seq && h->rc == 0; waited = 1)
        pthread_cond_wait(&h->cv, &h->mu);
    int rc = h->rc < 0 ? OG_ECANCELED : waited;
    pthread_mutex_unlock(&h->mu);
    return rc;
}

void og_handoff_retrying(struct og_turn *t)
{
    pthread_mutex_lock(&t->h->mu);
    t->h->retries++;
    pthread_cond_broadcast(&t->h->cv);
    pthread_mutex_unlock(&t->h->mu);
}

static void *loader_main(void *arg)
{
    struct loader_arg *a = arg;
    struct og_handoff *h = a->h;
    int k = a->k;
    free(a);
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (h->taken == h->submitted && !h->quit)
            pthread_cond_wait(&h->cv, &h->mu);
        if (h->taken == h->submitted && h->quit)
            break;
        struct og_turn turn = {h, h->taken, h->retries};
        void *item = h->queue[h->taken % (unsigned long long)h->loaders];
        h->taken++;
        bool skip = h->rc < 0; /* after a failure nothing more is committed */
        pthread_mutex_unlock(&h->mu);
        struct og_error e;
        og_error_clear(&e);
        int rc = skip ? OG_ECANCELED : h->commit(h->ctx, k, item, &turn, &e);
        pthread_mutex_lock(&h->mu);
        wait_done_upto(h, turn.seq); /* items end in order, even one that failed early */
        if (rc < 0 && rc != OG_ECANCELED && h->rc == 0) {
            h->rc = rc;
            h->err = e;
        }
        h->done++;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

static void destroy(struct og_handoff *h)
{
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h);
}

void og_handoff_stop(struct og_handoff *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->quit = true;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    for (int k = 0; k < h->started; k++)
        pthread_join(h->tid[k], NULL);
    destroy(h);
}

int og_handoff_start(og_commit_fn commit, void *ctx, int loaders, struct og_handoff **out)
{
    *out = NULL;
    if (loaders < 1 || loaders > OG_MAX_LOADERS)
        return OG_EINVAL;
    struct og_handoff *h = calloc(1, sizeof(*h));
    if (!h)
        return OG_ENOMEM;
    h->commit = commit;
    h->ctx = ctx;
    h->loaders = loaders;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    for (int k = 0; k < loaders; k++) {
        struct loader_arg *a = malloc(sizeof(*a));
        if (a)
            *a = (struct loader_arg){h, k};
        if (!a || pthread_create(&h->tid[k], NULL, loader_main, a) != 0) {
            free(a);
            og_handoff_stop(h);
            return OG_ENOMEM;
        }
        h->started++;
    }
    *out = h;
    return 0;
}

/* mu held: an earlier failure, or the item queued. */
static int enqueue(struct og_handoff *h, void *item, struct og_error *err)
{
    if (h->rc < 0) {
        if (err)
            *err = h->err;
        return h->rc;
    }
    h->queue[h->submitted % (unsigned long long)h->loaders] = item;
    h->submitted++;
    pthread_cond_broadcast(&h->cv);
    return 0;
}

static bool full(const struct og_handoff *h)
{
    return h->rc == 0 && h->submitted - h->done >= (unsigned long long)h->loaders;
}

int og_handoff_submit(struct og_handoff *h, void *item, struct og_error *err)
{
    pthread_mutex_lock(&h->mu);
    while (full(h))
        pthread_cond_wait(&h->cv, &h->mu);
    int rc = enqueue(h, item, err);
    pthread_mutex_unlock(&h->mu);
    return rc;
}

/* A time timeout_ms from now, for pthread_cond_timedwait. */
static struct timespec deadline(int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    return until;
}

int og_handoff_wait_done_timed(struct og_handoff *h, unsigned long long seq, int timeout_ms)
{
    struct timespec until = deadline(timeout_ms);
    pthread_mutex_lock(&h->mu);
    int rc = 0;
    while (h->done <= seq && rc == 0)
        rc = pthread_cond_timedwait(&h->cv, &h->mu, &until) == ETIMEDOUT ? OG_EAGAIN : 0;
    rc = h->done <= seq ? OG_EAGAIN : 0;
    pthread_mutex_unlock(&h->mu);
    return rc;
}

int og_handoff_submit_timed(struct og_handoff *h, void *item, int timeout_ms, struct og_error *err)
{
    struct timespec until = deadline(timeout_ms);
    pthread_mutex_lock(&h->mu);
    int rc = 0;
    while (full(h) && rc == 0)
        rc = pthread_cond_timedwait(&h->cv, &h->mu, &until) == ETIMEDOUT ? OG_EAGAIN : 0;
    if (full(h))
        rc = OG_EAGAIN;
    else
        rc = enqueue(h, item, err);
    pthread_mutex_unlock(&h->mu);
    return rc;
}

int og_handoff_drain(struct og_handoff *h, struct og_error *err)
{
    pthread_mutex_lock(&h->mu);
    wait_done_upto(h, h->submitted);
    if (h->rc < 0 && err)
        *err = h->err;
    int rc = h->rc;
    pthread_mutex_unlock(&h->mu);
    return rc;
}
