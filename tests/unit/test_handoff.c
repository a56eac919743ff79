/* test_handoff.c - unit tests for pipeline/handoff.c: the loader thread commits items one at a
 * time, in the order submitted, and reports the first failure to the reading side. */
#include "pipeline/handoff.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
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

static int commit(void *ctx, void *item, struct og_error *err)
{
    struct log *l = ctx;
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
    assert_int_equal(og_handoff_start(commit, &l, &h), 0);
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
    assert_int_equal(og_handoff_start(commit, &l, &h), 0);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
