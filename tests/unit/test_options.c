/* test_options.c - unit tests for core/options.c: known keys and option tables. */
#include "core/options.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

/* An unknown key: the message names it, the detail lists the known ones, the position is the
 * caller's (kept), the reason the caller's. */
static void test_keys(void **unused)
{
    (void)unused;
    static const char *const known[] = {"dir", "crosswalks", NULL};
    struct og_error err;
    og_error_clear(&err);
    json_t *ok = json_pack("{s:s}", "dir", "w");
    assert_int_equal(og_keys_check(ok, known, OG_R_BAD_CONFIG, &err), 0);
    json_t *bad = json_pack("{s:s, s:s}", "dir", "w", "crosswalk", "x");
    og_error_position(&err, "cfg.json: world");
    assert_int_equal(og_keys_check(bad, known, OG_R_BAD_MAPPING, &err), OG_ECONFIG);
    assert_string_equal(err.message, "unknown key \"crosswalk\"");
    assert_string_equal(err.detail, "known keys: dir, crosswalks");
    assert_string_equal(err.position, "cfg.json: world");
    assert_int_equal(err.reason, OG_R_BAD_MAPPING);
    assert_int_equal(og_keys_check(bad, known, OG_R_BAD_CONFIG, NULL), OG_ECONFIG);
    json_decref(ok);
    json_decref(bad);
}

static const struct og_option_doc DOCS[] = {
    {"encoding", "string", "auto", "text encoding"},
    {"header", "boolean", "true", "first record names the fields"},
    {"max", "integer", NULL, "a limit"},
    {"kafka", "object", NULL, "properties"},
    {NULL, NULL, NULL, NULL},
};

/* Option values must have their table's JSON type; an option set that is not an object is refused.
 */
static void test_options(void **unused)
{
    (void)unused;
    struct og_error err;
    og_error_clear(&err);
    json_t *ok =
        json_pack("{s:s, s:b, s:i, s:{}}", "encoding", "gb18030", "header", 0, "max", 3, "kafka");
    assert_int_equal(og_options_check("connector t", DOCS, ok, &err), 0);
    assert_int_equal(og_options_check("connector t", DOCS, NULL, &err), 0);
    json_t *wrong = json_pack("{s:s}", "max", "3");
    assert_int_equal(og_options_check("connector t", DOCS, wrong, &err), OG_ECONFIG);
    assert_string_equal(err.message, "option \"max\" for connector t must be an integer");
    json_t *arr = json_array();
    assert_int_equal(og_options_check("connector t", DOCS, arr, &err), OG_ECONFIG);
    assert_string_equal(err.message, "options for connector t must be a JSON object");
    json_t *unknown = json_pack("{s:i}", "maxx", 1);
    assert_int_equal(og_options_check("connector t", DOCS, unknown, &err), OG_ECONFIG);
    assert_string_equal(err.detail, "known options: encoding, header, max, kafka");
    json_decref(ok);
    json_decref(wrong);
    json_decref(arr);
    json_decref(unknown);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_keys), cmocka_unit_test(test_options)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
