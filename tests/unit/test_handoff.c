/* test_handoff.c - unit tests for pipeline/handoff.c: one loader thread commits items one at a
 * time, in the order submitted, and reports the first failure to the reading side; several
 * loaders work on items at once but make them final in the order submitted, cancel later items
 * after a failure for good and make them redo their work after a retry. */
#include "pipeline/handoff.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

struct log {
    int seen[100];
    int n;
    int fail_on;   /* the item value that fails, 0 = none */
    int in_flight; /* commits running at once (must stay <= 1) */
    int max_in_flight;
    pthread_t thread;
};

static int commit(void *ctx, int loader, void *item, struct og_turn *turn, struct og_error *err)
{
    struct log *l = ctx;
    (void)loader, (void)turn;
    int v = *(int *)item;
    l->thread = pthread_self();
    if (++l->in_flight > l->max_in_flight)
        l->max_in_flight = l->in_flight;
    usleep(200);
    l->seen[l->n++] = v;
    l->in_flight--;
    if (v == l->fail_on)
        return og_error_set(err, OG_EDB, OG_CLASS_FATAL, OG_R_DB, "item %d failed", v);
    return 0;
}

/* Items are committed on another thread, one at a time, in order; drain waits for the last. */
static void test_order(void **unused)
{
    (void)unused;
    struct log l;
    memset(&l, 0, sizeof(l));
    struct og_handoff *h;
    assert_int_equal(og_handoff_start(commit, &l, 1, &h), 0);
    int items[2];
    struct og_error err;
    for (int i = 1; i <= 50; i++) {
        items[i % 2] = i; /* an item is reused once the next submit returned */
        assert_int_equal(og_handoff_submit(h, &items[i % 2], &err), 0);
    }
    assert_int_equal(og_handoff_drain(h, &err), 0);
    assert_int_equal(l.n, 50);
    for (int i = 0; i < 50; i++)
        assert_int_equal(l.seen[i], i + 1);
    assert_int_equal(l.max_in_flight, 1);
    assert_false(pthread_equal(l.thread, pthread_self()));
    og_handoff_stop(h);
    og_handoff_stop(NULL);
}

/* The first failure comes back from the next submit or drain, with its message; later items are
 * not taken. */
static void test_failure(void **unused)
{
    (void)unused;
    struct log l;
    memset(&l, 0, sizeof(l));
    l.fail_on = 3;
    struct og_handoff *h;
    assert_int_equal(og_handoff_start(commit, &l, 1, &h), 0);
    int items[10];
    struct og_error err;
    og_error_clear(&err);
    int rc = 0, i;
    for (i = 0; i < 10 && rc == 0; i++) {
        items[i] = i + 1;
        rc = og_handoff_submit(h, &items[i], &err);
    }
    if (rc == 0)
        rc = og_handoff_drain(h, &err);
    assert_int_equal(rc, OG_EDB);
    assert_string_equal(err.message, "item 3 failed");
    assert_int_equal(l.n, 3); /* 4 and later were never taken */
    assert_int_equal(og_handoff_drain(h, &err), OG_EDB);
    og_handoff_stop(h);
}

/* Several loaders: what each item did, in the order it was made final. */
struct plog {
    pthread_mutex_t mu;
    int final[200], nfinal;
    int works[200]; /* per item: how many times its work began */
    int in_work, max_in_work;
    int fail_on;  /* fails for good */
    int retry_on; /* fails once, then passes */
    bool retried;
    int loaders_seen[8];
};

static int pcommit(void *ctx, int loader, void *item, struct og_turn *turn, struct og_error *err)
{
    struct plog *l = ctx;
    int v = *(int *)item;
    for (;;) {
        og_handoff_work_begins(turn);
        pthread_mutex_lock(&l->mu);
        l->works[v]++;
        l->loaders_seen[loader]++;
        if (++l->in_work > l->max_in_work)
            l->max_in_work = l->in_work;
        pthread_mutex_unlock(&l->mu);
        usleep(v % 3 ? 300 : 2000); /* some items are slower: later ones finish their work first */
        pthread_mutex_lock(&l->mu);
        l->in_work--;
        bool fail = v == l->fail_on, again = v == l->retry_on && !l->retried;
        pthread_mutex_unlock(&l->mu);
        if (fail || again) {
            if (og_handoff_wait_turn(turn) == OG_ECANCELED)
                return OG_ECANCELED;
            if (fail)
                return og_error_set(err, OG_EDB, OG_CLASS_FATAL, OG_R_DB, "item %d failed", v);
            l->retried = true;
            og_handoff_retrying(turn);
            continue;
        }
        int t = og_handoff_turn(turn);
        if (t == OG_ECANCELED)
            return t;
        if (t == OG_EAGAIN) {
            if (og_handoff_wait_turn(turn) == OG_ECANCELED)
                return OG_ECANCELED;
            continue;
        }
        pthread_mutex_lock(&l->mu);
        l->final[l->nfinal++] = v;
        pthread_mutex_unlock(&l->mu);
        return 0;
    }
}

static struct og_handoff *pstart(struct plog *l, int loaders)
{
    memset(l, 0, sizeof(*l));
    pthread_mutex_init(&l->mu, NULL);
    struct og_handoff *h;
    assert_int_equal(og_handoff_start(pcommit, l, loaders, &h), 0);
    return h;
}

/* Three loaders: items are worked on at once, on every loader, and made final in order. */
static void test_parallel_order(void **unused)
{
    (void)unused;
    struct plog l;
    struct og_handoff *h = pstart(&l, 3);
    int items[4];
    struct og_error err;
    for (int i = 1; i <= 60; i++) {
        items[i % 4] = i; /* with 3 loaders an item is reused 4 submits later */
        assert_int_equal(og_handoff_submit(h, &items[i % 4], &err), 0);
    }
    assert_int_equal(og_handoff_drain(h, &err), 0);
    assert_int_equal(l.nfinal, 60);
    for (int i = 0; i < 60; i++)
        assert_int_equal(l.final[i], i + 1);
    assert_true(l.max_in_work > 1);
    assert_true(l.max_in_work <= 3);
    for (int k = 0; k < 3; k++)
        assert_true(l.loaders_seen[k] > 0);
    og_handoff_stop(h);
}

/* A failure for good: earlier items are final, later ones never are, and the failure is the one
 * reported. */
static void test_parallel_failure(void **unused)
{
    (void)unused;
    struct plog l;
    struct og_handoff *h = pstart(&l, 3);
    l.fail_on = 7;
    int items[4];
    struct og_error err;
    og_error_clear(&err);
    int rc = 0;
    for (int i = 1; i <= 30 && rc == 0; i++) {
        items[i % 4] = i;
        rc = og_handoff_submit(h, &items[i % 4], &err);
    }
    if (rc == 0)
        rc = og_handoff_drain(h, &err);
    assert_int_equal(rc, OG_EDB);
    assert_string_equal(err.message, "item 7 failed");
    assert_int_equal(l.nfinal, 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(l.final[i], i + 1);
    og_handoff_stop(h);
}

/* A retried item: it and every later item that had worked meanwhile do their work again, and the
 * order holds. */
static void test_parallel_retry(void **unused)
{
    (void)unused;
    struct plog l;
    struct og_handoff *h = pstart(&l, 3);
    l.retry_on = 9; /* slow (9 % 3 == 0): the next two are worked on meanwhile */
    int items[4];
    struct og_error err;
    for (int i = 1; i <= 20; i++) {
        items[i % 4] = i;
        assert_int_equal(og_handoff_submit(h, &items[i % 4], &err), 0);
    }
    assert_int_equal(og_handoff_drain(h, &err), 0);
    assert_int_equal(l.nfinal, 20);
    for (int i = 0; i < 20; i++)
        assert_int_equal(l.final[i], i + 1);
    assert_int_equal(l.works[9], 2);
    assert_true(l.works[10] + l.works[11] >= 3); /* at least one of them redid its work */
    for (int i = 1; i <= 8; i++)
        assert_int_equal(l.works[i], 1);
    og_handoff_stop(h);
}

/* Items that name the earlier item they must follow (og_handoff_wait_for): each starts its work
 * only once that item and every one before it are final, and items with no such item are worked
 * on beside earlier ones. */
struct witem {
    int v;
    long long after; /* the 0-based place of the item to follow, or -1 */
};

struct wlog {
    pthread_mutex_t mu;
    int nfinal;
    int final_at_start[64]; /* per item: items final when its work began */
    int waited[64];         /* per item: what og_handoff_wait_for returned */
    int in_work, max_in_work;
};

static int wcommit(void *ctx, int loader, void *item, struct og_turn *turn, struct og_error *err)
{
    struct wlog *l = ctx;
    const struct witem *w = item;
    (void)loader, (void)err;
    int waited = w->after >= 0 ? og_handoff_wait_for(turn, (unsigned long long)w->after) : 0;
    if (waited < 0)
        return waited;
    og_handoff_work_begins(turn);
    pthread_mutex_lock(&l->mu);
    l->final_at_start[w->v] = l->nfinal;
    l->waited[w->v] = waited;
    if (++l->in_work > l->max_in_work)
        l->max_in_work = l->in_work;
    pthread_mutex_unlock(&l->mu);
    usleep(w->v % 2 ? 500 : 3000);
    pthread_mutex_lock(&l->mu);
    l->in_work--;
    pthread_mutex_unlock(&l->mu);
    if (og_handoff_turn(turn) < 0)
        return OG_ECANCELED;
    pthread_mutex_lock(&l->mu);
    l->nfinal++;
    pthread_mutex_unlock(&l->mu);
    return 0;
}

/* Two loaders committing through wcommit into l. */
static struct og_handoff *wstart(struct wlog *l)
{
    memset(l, 0, sizeof(*l));
    pthread_mutex_init(&l->mu, NULL);
    struct og_handoff *h;
    assert_int_equal(og_handoff_start(wcommit, l, 2, &h), 0);
    return h;
}

static void test_wait_for(void **unused)
{
    (void)unused;
    struct wlog l;
    struct og_handoff *h = wstart(&l);
    struct witem items[3];
    struct og_error err;
    /* even items follow the item just before them (they share its rows), odd ones nothing */
    for (int i = 0; i < 40; i++) {
        items[i % 3] = (struct witem){i, i % 2 == 0 && i > 0 ? i - 1 : -1};
        assert_int_equal(og_handoff_submit(h, &items[i % 3], &err), 0);
    }
    assert_int_equal(og_handoff_drain(h, &err), 0);
    assert_int_equal(l.nfinal, 40);
    int waits = 0;
    for (int i = 2; i < 40; i += 2) {
        assert_true(l.final_at_start[i] >= i); /* items 0 .. i - 1 were final */
        waits += l.waited[i];
    }
    assert_true(waits > 0);         /* the odd item before ends after a slow even one: waited for */
    assert_true(l.max_in_work > 1); /* odd items are worked on beside the even one before */
    og_handoff_stop(h);
    pthread_mutex_destroy(&l.mu);
}

/* The submitting side waits for an item to be done, at most as long as it says. */
static void test_wait_done_timed(void **unused)
{
    (void)unused;
    struct wlog l;
    struct og_handoff *h = wstart(&l);
    struct witem slow = {0, -1}, quick = {1, -1};
    struct og_error err;
    assert_int_equal(og_handoff_submit(h, &slow, &err), 0); /* 3 ms of work */
    assert_int_equal(og_handoff_submit(h, &quick, &err), 0);
    assert_int_equal(og_handoff_wait_done_timed(h, 1, 0), OG_EAGAIN);
    assert_int_equal(og_handoff_wait_done_timed(h, 1, 5000), 0);
    assert_int_equal(l.nfinal, 2); /* item 1 done means item 0 done too */
    assert_int_equal(og_handoff_wait_done_timed(h, 0, 0), 0);
    og_handoff_stop(h);
    pthread_mutex_destroy(&l.mu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),           cmocka_unit_test(test_failure),
        cmocka_unit_test(test_parallel_order),  cmocka_unit_test(test_parallel_failure),
        cmocka_unit_test(test_parallel_retry),  cmocka_unit_test(test_wait_for),
        cmocka_unit_test(test_wait_done_timed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
