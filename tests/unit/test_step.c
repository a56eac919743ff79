/* test_step.c - unit tests for pipeline/step.c: how a source is read (connector and options), and
 * the record step that `run`, `map` and `check` share. */
#include "core/world.h"
#include "pipeline/registry.h"
#include "pipeline/step.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#define MAPPING "tests/fixtures/pipeline/events.json"
#define TAXONOMY "mappings/taxonomy/categories.csv"

static struct og_mapping *load(void)
{
    struct og_mapping *m = NULL;
    struct og_error err;
    og_error_clear(&err);
    if (og_mapping_load(MAPPING, &m, &err) < 0)
        fail_msg("%s", err.message);
    return m;
}

/* The mapping's connector, its "input" options under the source's options; a named connector
 * overrides the mapping's. */
static void test_feed_resolve(void **unused)
{
    (void)unused;
    struct og_mapping *m = load();
    struct og_feed feed;
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(og_feed_resolve(m, NULL, NULL, &feed, &err), 0);
    assert_string_equal(feed.connector->name, "ndjson");
    assert_true(json_is_object(feed.options));
    og_feed_release(&feed);

    json_t *opts = json_pack("{s:i}", "max_line_bytes", 100);
    assert_int_equal(og_feed_resolve(m, NULL, opts, &feed, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(feed.options, "max_line_bytes")), 100);
    og_feed_release(&feed);
    og_feed_release(&feed); /* released twice is harmless */

    /* the same options are unknown to the csv connector */
    assert_int_equal(og_feed_resolve(m, "csv", opts, &feed, &err), OG_ECONFIG);
    assert_int_equal(err.reason, OG_R_BAD_CONFIG);
    assert_non_null(strstr(err.message, "unknown option \"max_line_bytes\" for connector csv"));
    assert_non_null(strstr(err.detail, "encoding"));
    json_decref(opts);

    /* an unknown connector: the known ones are in the detail, the hint says where to set it */
    og_error_clear(&err);
    assert_int_equal(og_feed_resolve(m, "parquet", NULL, &feed, &err), OG_ECONFIG);
    assert_string_equal(err.message, "unknown connector \"parquet\"");
    char names[200];
    og_registry_names(names, sizeof(names));
    assert_non_null(strstr(err.detail, names));
    assert_non_null(strstr(err.hint, "connector"));
    assert_null(feed.options);
    og_mapping_destroy(m);
}

struct fixture {
    struct og_mapping *m;
    struct og_reconciler *rec;
    struct og_batch *b;
    struct og_step step;
    struct og_pos pos;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    fx->m = load();
    struct og_world w;
    memset(&w, 0, sizeof(w));
    struct og_error err;
    assert_int_equal(og_reconciler_create(&w, TAXONOMY, NULL, &fx->rec, &err), 0);
    fx->b = og_batch_create();
    fx->step = (struct og_step){fx->m, fx->rec, "step_src", NULL};
    fx->pos = (struct og_pos){"step_src", "in.ndjson", 12, 300, 4, -1, NULL};
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    og_batch_destroy(fx->b);
    og_reconciler_destroy(fx->rec);
    og_mapping_destroy(fx->m);
    free(fx);
    return 0;
}

static int step(struct fixture *fx, const char *text, struct og_unified **u, int *notes,
                struct og_error *err)
{
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    og_error_clear(err);
    int rc = og_step_record(&fx->step, doc, &fx->pos, fx->b, u, notes, err);
    json_decref(doc);
    return rc;
}

/* A good record becomes one unified record with its position text; nothing is rejected. */
static void test_step_loaded(void **state)
{
    struct fixture *fx = *state;
    struct og_unified *u;
    int notes = 0;
    struct og_error err;
    assert_int_equal(
        step(fx, "{\"id\": \" E1 \", \"t\": \"2020-02-03T10:00:00+08:00\", \"text\": \"x\"}", &u,
             &notes, &err),
        OG_STEP_LOADED);
    assert_non_null(u);
    assert_int_equal(fx->b->nrecs, 1);
    assert_int_equal(fx->b->nrejs, 0);
    assert_string_equal(u->u.event.source_id, "E1");
    assert_string_equal(u->u.event.summary, "x");
    assert_string_equal(u->position, "in.ndjson:12");
    assert_int_equal(notes, 0);
}

/* A mapping failure is a reject of stage map with the field; a reconcile failure one of stage
 * reconcile; the record is not kept and the raw JSON is. */
static void test_step_rejected(void **state)
{
    struct fixture *fx = *state;
    struct og_unified *u;
    int notes = 0;
    struct og_error err;
    assert_int_equal(step(fx, "{\"id\": \"E2\", \"t\": \"yesterday\"}", &u, &notes, &err),
                     OG_STEP_REJECTED);
    assert_null(u);
    assert_int_equal(fx->b->nrecs, 0);
    assert_int_equal(fx->b->nrejs, 1);
    const struct og_reject *r = &fx->b->rejs[0];
    assert_int_equal(r->stage, OG_STAGE_MAP);
    assert_int_equal(r->reason, OG_R_INVALID_TIME);
    assert_string_equal(r->field, "reported_at");
    assert_non_null(strstr(r->raw, "yesterday"));
    assert_string_equal(r->position, "in.ndjson:12");

    assert_int_equal(
        step(fx, "{\"id\": \"E3\", \"t\": \"2020-02-03T10:00:00+08:00\", \"status\": \"lost\"}", &u,
             &notes, &err),
        OG_STEP_REJECTED);
    assert_int_equal(fx->b->rejs[1].stage, OG_STAGE_RECONCILE);
    assert_int_equal(fx->b->rejs[1].reason, OG_R_INVALID_STATUS);

    assert_int_equal(step(fx, "{\"t\": \"2020-02-03T10:00:00+08:00\"}", &u, &notes, &err),
                     OG_STEP_REJECTED);
    assert_int_equal(fx->b->rejs[2].reason, OG_R_MISSING_FIELD);
    assert_string_equal(fx->b->rejs[2].field, "source_id");
    assert_int_equal(fx->b->nrecs, 0);
}

/* What the connector could not read is a reject of stage read with its reason and raw text; a
 * reject without a reason is a bug, reported as an error, not stored. */
static void test_step_unreadable(void **state)
{
    struct fixture *fx = *state;
    struct og_error why, err;
    og_error_clear(&why);
    og_error_clear(&err);
    og_error_set(&why, OG_EREJECT, OG_CLASS_REJECT, OG_R_BAD_JSON, "unexpected end of input");
    assert_int_equal(og_step_unreadable(fx->b, &fx->pos, &why, "{\"id\": ", &err),
                     OG_STEP_REJECTED);
    assert_int_equal(fx->b->rejs[0].stage, OG_STAGE_READ);
    assert_int_equal(fx->b->rejs[0].reason, OG_R_BAD_JSON);
    assert_string_equal(fx->b->rejs[0].raw, "{\"id\": ");
    og_error_clear(&why);
    assert_true(og_step_unreadable(fx->b, &fx->pos, &why, NULL, &err) < 0);
    assert_non_null(strstr(err.message, "without a reason code"));
    assert_int_equal(fx->b->nrejs, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feed_resolve),
        cmocka_unit_test_setup_teardown(test_step_loaded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_step_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_step_unreadable, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
