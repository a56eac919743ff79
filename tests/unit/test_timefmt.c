/* test_timefmt.c - unit tests for core/timefmt.c: civil-date arithmetic, PostgreSQL and ISO output.
 */
#include "core/timefmt.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/* The formatting as printf writes it (the way og_time_format_pg was first written), for comparison.
 */
static void reference_pg(int64_t t, char *out, size_t size)
{
    int64_t day = INT64_C(86400000000);
    int64_t days = t / day - (t % day < 0), rem = t - days * day;
    int y, m, d;
    og_civil_from_days(days, &y, &m, &d);
    int64_t secs = rem / 1000000;
    int us = (int)(rem % 1000000);
    char frac[12] = "";
    if (us) {
        snprintf(frac, sizeof(frac), ".%06d", us);
        for (size_t n = strlen(frac); frac[n - 1] == '0'; n--)
            frac[n - 1] = '\0';
    }
    snprintf(out, size, "%04d-%02d-%02d %02d:%02d:%02d%s+00%s", y <= 0 ? 1 - y : y, m, d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), frac,
             y <= 0 ? " BC" : "");
}

/* Instants from 4684 BC to 287,000 AD, whole seconds and not, as printf would write them. */
static void test_format_pg_as_printf(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252u; /* xorshift64 */
    char got[64], want[64];
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t t = (int64_t)(x % UINT64_C(9000000000000000000)) - INT64_C(210000000000000000);
        if (i % 3 == 0)
            t -= t % 1000000; /* whole seconds */
        else if (i % 3 == 1)
            t -= t % 1000; /* milliseconds */
        og_time_format_pg(t, got, sizeof(got));
        reference_pg(t, want, sizeof(want));
        if (strcmp(got, want) != 0)
            fail_msg("instant %lld: got \"%s\", printf writes \"%s\"", (long long)t, got, want);
    }
    /* a short buffer is cut, never overrun */
    char small[8];
    assert_string_equal(og_time_format_pg(0, small, sizeof(small)), "1970-01");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_pg_as_printf),
        cmocka_unit_test(test_civil),
        cmocka_unit_test(test_format_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
