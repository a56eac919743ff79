/* test_hmap.c - unit tests for core/hmap.c: many keys across growth, replace, missing keys, each.
 */
#include "core/hmap.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

enum { MANY = 20000 };

/* 20000 keys (the map starts with 64 slots, so it grows many times); each value is found again,
 * and keys that differ only slightly are not confused. */
static void test_many_keys(void **unused)
{
    (void)unused;
    struct og_hmap *m = og_hmap_create();
    assert_non_null(m);
    int *vals = calloc(MANY, sizeof(int));
    assert_non_null(vals);
    char key[32];
    for (int i = 0; i < MANY; i++) {
        snprintf(key, sizeof(key), "44051100%07d", i);
        vals[i] = i;
        assert_int_equal(og_hmap_put(m, key, &vals[i]), 0);
        assert_int_equal(og_hmap_count(m), (size_t)i + 1);
    }
    for (int i = 0; i < MANY; i++) {
        snprintf(key, sizeof(key), "44051100%07d", i);
        int *v = og_hmap_get(m, key);
        assert_non_null(v);
        assert_int_equal(*v, i);
    }
    assert_null(og_hmap_get(m, "44051100"));
    assert_null(og_hmap_get(m, "440511000000000 "));
    snprintf(key, sizeof(key), "44051100%07d", MANY);
    assert_null(og_hmap_get(m, key));
    og_hmap_destroy(m);
    free(vals);
}

static void test_replace_and_copy(void **unused)
{
    (void)unused;
    struct og_hmap *m = og_hmap_create();
    int one = 1, two = 2;
    char key[] = "街道";
    assert_int_equal(og_hmap_put(m, key, &one), 0);
    key[0] = 'X'; /* keys are copied: changing the caller's buffer changes nothing */
    assert_ptr_equal(og_hmap_get(m, "街道"), &one);
    assert_int_equal(og_hmap_put(m, "街道", &two), 0); /* replace */
    assert_int_equal(og_hmap_count(m), 1);
    assert_ptr_equal(og_hmap_get(m, "街道"), &two);
    /* the empty key is a key like any other */
    assert_null(og_hmap_get(m, ""));
    assert_int_equal(og_hmap_put(m, "", &one), 0);
    assert_ptr_equal(og_hmap_get(m, ""), &one);
    assert_int_equal(og_hmap_count(m), 2);
    og_hmap_destroy(m);
}

static void test_missing_and_null(void **unused)
{
    (void)unused;
    struct og_hmap *m = og_hmap_create();
    assert_int_equal(og_hmap_count(m), 0);
    assert_null(og_hmap_get(m, "nothing"));
    assert_null(og_hmap_get(m, NULL));
    assert_null(og_hmap_get(NULL, "x"));
    assert_int_equal(og_hmap_count(NULL), 0);
    og_hmap_destroy(m);
    og_hmap_destroy(NULL);
}

struct visit {
    int seen[200];
    int calls;
    int stop_after;
    void *ctx_seen;
};

static int visit_fn(const char *key, void *value, void *ctx)
{
    struct visit *v = ctx;
    int i = atoi(key + 1);
    assert_int_equal(*(int *)value, i); /* the value put with this key */
    v->seen[i]++;
    v->calls++;
    v->ctx_seen = ctx;
    return v->stop_after && v->calls == v->stop_after ? 77 : 0;
}

static void test_each(void **unused)
{
    (void)unused;
    struct og_hmap *m = og_hmap_create();
    int vals[200];
    char key[16];
    for (int i = 0; i < 200; i++) {
        vals[i] = i;
        snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(og_hmap_put(m, key, &vals[i]), 0);
    }
    struct visit v;
    memset(&v, 0, sizeof(v));
    assert_int_equal(og_hmap_each(m, visit_fn, &v), 0);
    assert_int_equal(v.calls, 200);
    assert_ptr_equal(v.ctx_seen, &v);
    for (int i = 0; i < 200; i++)
        assert_int_equal(v.seen[i], 1); /* every key exactly once */

    memset(&v, 0, sizeof(v));
    v.stop_after = 5;
    assert_int_equal(og_hmap_each(m, visit_fn, &v), 77); /* stops early, returns fn's value */
    assert_int_equal(v.calls, 5);

    struct og_hmap *e = og_hmap_create();
    memset(&v, 0, sizeof(v));
    assert_int_equal(og_hmap_each(e, visit_fn, &v), 0);
    assert_int_equal(v.calls, 0);
    og_hmap_destroy(e);
    og_hmap_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_replace_and_copy),
        cmocka_unit_test(test_missing_and_null),
        cmocka_unit_test(test_each),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
