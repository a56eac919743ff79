/* test_reason.c - unit tests for core/reason.c: the one table of reason codes. */
#include "core/reason.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <string.h>

/* Codes are unique lower-case identifiers that parse back to themselves; each has a meaning and a
 * kind, and record codes name the stages that use them. */
static void test_table(void **unused)
{
    (void)unused;
    assert_string_equal(og_reason_name(OG_R_NONE), "");
    assert_int_equal(og_reason_kind(OG_R_NONE), OG_RK_NONE);
    int records = 0;
    for (int r = 1; r < OG_R__COUNT; r++) {
        const char *name = og_reason_name(r);
        assert_true(strlen(name) > 1 && strlen(name) < 40);
        for (const char *p = name; *p; p++)
            assert_true(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_');
        assert_int_equal(og_reason_parse(name), r);
        for (int k = 1; k < r; k++)
            if (strcmp(name, og_reason_name(k)) == 0)
                fail_msg("reason code \"%s\" is spelled twice", name);
        assert_true(strlen(og_reason_meaning(r)) > 10);
        if (og_reason_kind(r) == OG_RK_RECORD) {
            records++;
            assert_string_not_equal(og_reason_stages(r), "-");
        }
        else
            assert_int_equal(og_reason_kind(r), OG_RK_ERROR);
    }
    assert_true(records >= 19);
    assert_int_equal(og_reason_parse("nomem"), -1); /* the old spellings are gone */
    assert_int_equal(og_reason_parse("config"), -1);
    assert_int_equal(og_reason_parse(NULL), -1);
    assert_string_equal(og_reason_name(OG_R__COUNT), "?");
    assert_string_equal(og_reason_name(OG_R_BAD_JSON), "bad_json");
    assert_string_equal(og_reason_stages(OG_R_INVALID_VALUE), "map, reconcile");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_table)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
