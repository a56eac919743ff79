/* test_keys.c - unit tests for pipeline/keys.c: the keys a batch's rows write, and whether two
 * batches share one (batches that do are never stored in parallel). */
#include "pipeline/keys.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

static struct og_unified event(const char *id)
{
    struct og_unified u;
    memset(&u, 0, sizeof(u));
    u.kind = OG_KIND_EVENT;
    u.u.event.event_id = id;
    return u;
}

static struct og_unified visit(const char *id)
{
    struct og_unified u;
    memset(&u, 0, sizeof(u));
    u.kind = OG_KIND_VISIT;
    u.u.visit.visit_id = id;
    return u;
}

/* Batches of distinct ids do not overlap; one id in common (anywhere in either) makes them. */
static void test_overlap(void **unused)
{
    (void)unused;
    struct og_keys a = {0}, b = {0};
    char id[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof(id), "UM:um1:%d", i);
        struct og_unified u = event(id);
        assert_int_equal(og_keys_add(&a, &u), 0);
        snprintf(id, sizeof(id), "UM:um1:%d", 5000 + i);
        u = event(id);
        assert_int_equal(og_keys_add(&b, &u), 0);
    }
    og_keys_seal(&a);
    og_keys_seal(&b);
    assert_false(og_keys_overlap(&a, &b));
    assert_false(og_keys_overlap(&b, &a));
    struct og_unified u = event("UM:um1:1234"); /* in a already */
    assert_int_equal(og_keys_add(&b, &u), 0);
    assert_false(b.sealed);
    og_keys_seal(&b);
    assert_true(og_keys_overlap(&a, &b));
    assert_true(og_keys_overlap(&b, &a));
    og_keys_clear(&b);
    assert_int_equal(b.n, 0);
    og_keys_seal(&b);
    assert_false(og_keys_overlap(&a, &b));
    og_keys_free(&a);
    og_keys_free(&b);
}

/* The same text as keys of different kinds (an event id and a visit id) are different rows. */
static void test_kinds_apart(void **unused)
{
    (void)unused;
    struct og_keys a = {0}, b = {0};
    struct og_unified e = event("X:1"), v = visit("X:1");
    assert_int_equal(og_keys_add(&a, &e), 0);
    assert_int_equal(og_keys_add(&b, &v), 0);
    og_keys_seal(&a);
    og_keys_seal(&b);
    assert_false(og_keys_overlap(&a, &b));
    /* a health-code change also writes its person's health_code row: two changes of one person
     * in two batches overlap, a resident row of that person does not (another table) */
    struct og_health_change hc = {.color = "red"};
    struct og_unified h1 = event("HL:hl1:9"), h2 = event("HL:hl1:10");
    h1.u.event.health = h2.u.event.health = &hc;
    h1.u.event.subject_key = h2.u.event.subject_key = "abc";
    struct og_unified p;
    memset(&p, 0, sizeof(p));
    p.kind = OG_KIND_PERSON;
    p.u.person.person_key = "abc";
    og_keys_clear(&a);
    og_keys_clear(&b);
    assert_int_equal(og_keys_add(&a, &h1), 0);
    assert_int_equal(og_keys_add(&b, &h2), 0);
    og_keys_seal(&a);
    og_keys_seal(&b);
    assert_int_equal(a.n, 2);
    assert_true(og_keys_overlap(&a, &b));
    og_keys_clear(&b);
    assert_int_equal(og_keys_add(&b, &p), 0);
    og_keys_seal(&b);
    assert_false(og_keys_overlap(&a, &b));
    og_keys_free(&a);
    og_keys_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_kinds_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
