/* test_registry.c - unit tests for pipeline/registry.c: the connector table. */
#include "pipeline/registry.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

/* Every connector is found by its name, has a summary, open/next/close and an option table; the
 * names list for messages holds each of them. */
static void test_table(void **unused)
{
    (void)unused;
    char names[300];
    og_registry_names(names, sizeof(names));
    int n = 0;
    for (const struct og_connector *const *c = og_registry_all(); *c; c++, n++) {
        assert_ptr_equal(og_registry_connector((*c)->name), *c);
        assert_true((*c)->summary && *(*c)->summary);
        assert_non_null((*c)->open);
        assert_non_null((*c)->next);
        assert_non_null((*c)->close);
        assert_non_null((*c)->options);
        assert_non_null(strstr(names, (*c)->name));
    }
    assert_true(n >= 3);
    assert_non_null(og_registry_connector("csv"));
    assert_non_null(og_registry_connector("ndjson"));
    assert_non_null(og_registry_connector("json"));
    assert_null(og_registry_connector("CSV"));
    assert_null(og_registry_connector(NULL));
    assert_string_equal(og_registry_names(names, 5), "csv"); /* cut at a whole name */
}

/* Options are checked against the connector's own table. */
static void test_check_options(void **unused)
{
    (void)unused;
    const struct og_connector *csv = og_registry_connector("csv");
    struct og_error err;
    og_error_clear(&err);
    json_t *ok = json_pack("{s:s, s:b}", "encoding", "gb18030", "header", 1);
    assert_int_equal(og_registry_check_options(csv, ok, &err), 0);
    assert_int_equal(og_registry_check_options(csv, NULL, &err), 0);
    json_t *bad = json_pack("{s:s}", "encodng", "gb18030");
    assert_int_equal(og_registry_check_options(csv, bad, &err), OG_ECONFIG);
    assert_string_equal(err.message, "unknown option \"encodng\" for connector csv");
    assert_non_null(strstr(err.detail, "known options: "));
    assert_non_null(strstr(err.detail, "encoding"));
    json_t *wrong = json_pack("{s:s}", "header", "yes");
    assert_int_equal(og_registry_check_options(csv, wrong, &err), OG_ECONFIG);
    assert_string_equal(err.message, "option \"header\" for connector csv must be a boolean");
    json_decref(ok);
    json_decref(bad);
    json_decref(wrong);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_check_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
