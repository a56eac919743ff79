/* test_timefmt.c - unit tests for core/timefmt.c: civil-date arithmetic, PostgreSQL and ISO output.
 */
#include "core/timefmt.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define CST 480 /* Asia/Shanghai, +08:00 */
#define T_2020_02_03_0605Z INT64_C(1580709900000000)

static void test_civil(void **state)
{
    (void)state;
    assert_int_equal(og_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(og_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(og_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(og_days_from_civil(2020, 2, 3), 18295); /* 1580688000 / 86400 */
    /* Round trip over four centuries, both sides of the epoch, incl. 1900 and 2000. */
    for (int64_t d = og_days_from_civil(1801, 1, 1); d < og_days_from_civil(2201, 1, 1); d++) {
        int y, m, dd;
        og_civil_from_days(d, &y, &m, &dd);
        assert_int_equal(og_days_from_civil(y, m, dd), d);
    }
    int y, m, d;
    og_civil_from_days(og_days_from_civil(2016, 2, 29) + 1, &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 20160301);
    og_civil_from_days(og_days_from_civil(1900, 2, 28) + 1, &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 19000301);
}

static void test_format_out(void **state)
{
    (void)state;
    char out[64];
    assert_string_equal(og_time_format_pg(T_2020_02_03_0605Z, out, sizeof(out)),
                        "2020-02-03 06:05:00+00");
    assert_string_equal(og_time_format_pg(T_2020_02_03_0605Z + 123000, out, sizeof(out)),
                        "2020-02-03 06:05:00.123+00");
    assert_string_equal(og_time_format_pg(T_2020_02_03_0605Z + 1, out, sizeof(out)),
                        "2020-02-03 06:05:00.000001+00");
    assert_string_equal(og_time_format_pg(-1, out, sizeof(out)), "1969-12-31 23:59:59.999999+00");
    assert_string_equal(og_time_format_pg(0, out, sizeof(out)), "1970-01-01 00:00:00+00");
    assert_string_equal(og_time_format_iso(T_2020_02_03_0605Z, CST, out, sizeof(out)),
                        "2020-02-03T14:05:00+08:00");
    assert_string_equal(og_time_format_iso(T_2020_02_03_0605Z, 0, out, sizeof(out)),
                        "2020-02-03T06:05:00+00:00");
    assert_string_equal(og_time_format_iso(INT64_C(1271255858000000), -480, out, sizeof(out)),
                        "2010-04-14T06:37:38-08:00");
    assert_string_equal(og_time_format_iso(T_2020_02_03_0605Z + 500000, 330, out, sizeof(out)),
                        "2020-02-03T11:35:00.5+05:30");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil),
        cmocka_unit_test(test_format_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
