/* test_stats.c - unit tests for pipeline/stats.c: rejects counted by reason, first seen first. */
#include "pipeline/stats.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

static void test_count(void **unused)
{
    (void)unused;
    struct og_source_stats st;
    memset(&st, 0, sizeof(st));
    og_stats_count(&st, OG_R_INVALID_TIME);
    og_stats_count(&st, OG_R_BAD_JSON);
    og_stats_count(&st, OG_R_INVALID_TIME);
    assert_int_equal(st.rejected, 3);
    assert_int_equal(st.nreasons, 2);
    assert_int_equal(st.reasons[0].reason, OG_R_INVALID_TIME);
    assert_int_equal(st.reasons[0].n, 2);
    assert_int_equal(st.reasons[1].reason, OG_R_BAD_JSON);
    assert_int_equal(st.reasons[1].n, 1);
    /* every code has room */
    for (int r = 1; r < OG_R__COUNT; r++)
        og_stats_count(&st, r);
    assert_int_equal(st.nreasons, OG_R__COUNT - 1);
    assert_int_equal(st.rejected, 3 + OG_R__COUNT - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_count)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
