/* handoff.c - the loader thread and its one-slot queue. */
#include "pipeline/handoff.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct og_handoff {
    pthread_t tid;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    void *pending; /* handed over, not yet committed */
    bool quit;
    int rc; /* first commit error */
    struct og_error err;
    og_commit_fn commit;
    void *ctx;
};

static void *loader_main(void *arg)
{
    struct og_handoff *h = arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (!h->pending && !h->quit)
            pthread_cond_wait(&h->cv, &h->mu);
        if (!h->pending && h->quit)
            break;
        void *item = h->pending;
        pthread_mutex_unlock(&h->mu);
        struct og_error e;
        og_error_clear(&e);
        int rc = h->commit(h->ctx, item, &e);
        pthread_mutex_lock(&h->mu);
        if (rc < 0 && h->rc == 0) {
            h->rc = rc;
            h->err = e;
        }
        h->pending = NULL;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

int og_handoff_start(og_commit_fn commit, void *ctx, struct og_handoff **out)
{
    *out = NULL;
    struct og_handoff *h = calloc(1, sizeof(*h));
    if (!h)
        return OG_ENOMEM;
    h->commit = commit;
    h->ctx = ctx;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    if (pthread_create(&h->tid, NULL, loader_main, h) != 0) {
        pthread_mutex_destroy(&h->mu);
        pthread_cond_destroy(&h->cv);
        free(h);
        return OG_ENOMEM;
    }
    *out = h;
    return 0;
}

static int wait_idle(struct og_handoff *h, struct og_error *err)
{
    while (h->pending)
        pthread_cond_wait(&h->cv, &h->mu);
    if (h->rc < 0 && err)
        *err = h->err;
    return h->rc;
}

int og_handoff_submit(struct og_handoff *h, void *item, struct og_error *err)
{
    pthread_mutex_lock(&h->mu);
    int rc = wait_idle(h, err);
    if (rc == 0) {
        h->pending = item;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return rc;
}

int og_handoff_submit_timed(struct og_handoff *h, void *item, int timeout_ms, struct og_error *err)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&h->mu);
    int rc = 0;
    while (h->pending && rc == 0)
        rc = pthread_cond_timedwait(&h->cv, &h->mu, &until) == ETIMEDOUT ? OG_EAGAIN : 0;
    if (rc == 0 && h->pending)
        rc = OG_EAGAIN;
    if (rc == 0) {
        if (h->rc < 0) {
            if (err)
                *err = h->err;
            rc = h->rc;
        }
        else {
            h->pending = item;
            pthread_cond_broadcast(&h->cv);
        }
    }
    pthread_mutex_unlock(&h->mu);
    return rc;
}

int og_handoff_drain(struct og_handoff *h, struct og_error *err)
{
    pthread_mutex_lock(&h->mu);
    int rc = wait_idle(h, err);
    pthread_mutex_unlock(&h->mu);
    return rc;
}

void og_handoff_stop(struct og_handoff *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->quit = true;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->tid, NULL);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h);
}
