/* test_timeparse.c - unit tests for transform/timeparse.c: parsing by format, zones, and that what
 * core/timefmt.c prints parses back to the same instant. */
#include "core/timefmt.h"
#include "transform/timeparse.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define CST 480 /* Asia/Shanghai, +08:00 */
#define T_2020_02_03_0605Z INT64_C(1580709900000000)

static int64_t ok(const char *s, const char *format, int offset_min)
{
    struct og_error err;
    og_error_clear(&err);
    int64_t t = INT64_MIN;
    int rc = og_time_parse(s, format, offset_min, &t, &err);
    if (rc != 0)
        fail_msg("\"%s\" / \"%s\": %s", s, format, err.message);
    return t;
}

/* Asserts that s is rejected as invalid_time and that the message contains `part`. */
static void bad(const char *s, const char *format, const char *part)
{
    struct og_error err;
    og_error_clear(&err);
    int64_t t = 12345;
    assert_int_equal(og_time_parse(s, format, CST, &t, &err), OG_EPARSE);
    assert_int_equal(t, 12345); /* untouched */
    assert_int_equal(err.reason, OG_R_INVALID_TIME);
    assert_int_equal(err.klass, OG_CLASS_REJECT);
    if (!strstr(err.message, part))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, part);
}

static void test_zones(void **state)
{
    (void)state;
    int off = -1;
    assert_int_equal(og_zone_offset("Asia/Shanghai", &off), 0);
    assert_int_equal(off, 480);
    assert_int_equal(og_zone_offset("PRC", &off), 0);
    assert_int_equal(off, 480);
    assert_int_equal(og_zone_offset("UTC", &off), 0);
    assert_int_equal(off, 0);
    assert_int_equal(og_zone_offset("+0800", &off), 0);
    assert_int_equal(off, 480);
    assert_int_equal(og_zone_offset("-05:00", &off), 0);
    assert_int_equal(off, -300);
    assert_int_equal(og_zone_offset("+05:30", &off), 0);
    assert_int_equal(off, 330);
    assert_int_equal(og_zone_offset("Asia/Tokyo", &off), OG_EINVAL);
    assert_int_equal(og_zone_offset("+8", &off), OG_EINVAL);
    assert_int_equal(og_zone_offset("+08:60", &off), OG_EINVAL);
    assert_int_equal(og_zone_offset("+08:00x", &off), OG_EINVAL);
}

static void test_patterns(void **state)
{
    (void)state;
    assert_true(ok("2020-02-03 14:05:00", "yyyy-MM-dd HH:mm:ss", CST) == T_2020_02_03_0605Z);
    assert_true(ok("  2020-02-03 14:05:00\r\n", "yyyy-MM-dd HH:mm:ss", CST) == T_2020_02_03_0605Z);
    assert_true(ok("20200203140500", "yyyyMMddHHmmss", CST) == T_2020_02_03_0605Z);
    assert_true(ok("2020-02-03 06:05:00", "yyyy-MM-dd HH:mm:ss", 0) == T_2020_02_03_0605Z);
    /* 2019-03-07 01:05:00Z = 1551920700 s */
    assert_true(ok("2019/3/7 9:05", "yyyy/M/d H:mm", CST) == INT64_C(1551920700000000));
    assert_true(ok("2019/03/07 09:05", "yyyy/M/d H:mm", CST) == INT64_C(1551920700000000));
    assert_true(ok("2019年3月7日 9:05", "yyyy年M月d日 H:mm", CST) == INT64_C(1551920700000000));
    assert_true(ok("2020-02-03T14:05:00", "yyyy-MM-dd'T'HH:mm:ss", CST) == T_2020_02_03_0605Z);
    assert_true(ok("2020-02-03 14:05:00.250", "yyyy-MM-dd HH:mm:ss.SSS", CST) ==
                T_2020_02_03_0605Z + 250000);
    /* 2016-02-29 00:00 +08:00 = 2016-02-28T16:00Z = 1456704000 - 8 h */
    assert_true(ok("20160229", "yyyyMMdd", CST) ==
                INT64_C(1456704000000000) - INT64_C(28800000000));
    assert_true(ok("2016-02-29", "yyyy-MM-dd", 0) == INT64_C(1456704000000000));
    assert_true(ok("2000-02-29", "yyyy-MM-dd", 0) == og_days_from_civil(2000, 2, 29) * 86400000000);
}

static void test_pattern_rejects(void **state)
{
    (void)state;
    /* The message quotes the text and the format and says what is wrong. */
    struct og_error err;
    og_error_clear(&err);
    int64_t t;
    assert_int_equal(og_time_parse("2020-02-30 10:00", "yyyy-MM-dd HH:mm", CST, &t, &err),
                     OG_EPARSE);
    assert_string_equal(err.message,
                        "invalid time \"2020-02-30 10:00\" for format \"yyyy-MM-dd HH:mm\": "
                        "day 30 out of range for 2020-02");

    bad("2020-13-01", "yyyy-MM-dd", "month 13 out of range");
    bad("2020-00-01", "yyyy-MM-dd", "month 0 out of range");
    bad("2019-02-29", "yyyy-MM-dd", "day 29 out of range for 2019-02");
    bad("1900-02-29", "yyyy-MM-dd", "day 29 out of range for 1900-02");
    bad("2020-04-31", "yyyy-MM-dd", "day 31 out of range for 2020-04");
    bad("2020-02-03 24:00:00", "yyyy-MM-dd HH:mm:ss", "hour 24 out of range");
    bad("2020-02-03 23:60:00", "yyyy-MM-dd HH:mm:ss", "minute 60 out of range");
    bad("2020-02-03 23:59:60", "yyyy-MM-dd HH:mm:ss", "second 60 out of range");
    bad("2020-02-03 14:05:00abc", "yyyy-MM-dd HH:mm:ss", "unexpected text at offset 19");
    bad("2020-02-03 14:05", "yyyy-MM-dd HH:mm:ss", "expected \":\" at offset 16");
    bad("2020-2-03", "yyyy-MM-dd", "expected 2 digits for MM at offset 5");
    bad("20-02-03", "yyyy-MM-dd", "expected 4 digits for yyyy");
    bad("2019/123/7 9:05", "yyyy/M/d H:mm", "expected \"/\" at offset 7");
    bad("", "yyyy-MM-dd", "empty");
    bad("   ", "yyyy-MM-dd", "empty");
    bad(NULL, "yyyy-MM-dd", "empty");
    bad("2020-02-03\n14:05", "yyyy-MM-dd HH:mm", "\"2020-02-03?14:05\""); /* control char quoted */
}

static void test_iso8601(void **state)
{
    (void)state;
    const char *f = "iso8601";
    assert_true(ok("2020-02-03T14:05:00+08:00", f, 0) == T_2020_02_03_0605Z);
    assert_true(ok("2020-02-03T06:05:00Z", f, CST) == T_2020_02_03_0605Z);
    assert_true(ok("2020-02-03T14:05:00+0800", f, 0) == T_2020_02_03_0605Z);
    assert_true(ok("2020-02-03T14:05:00+08", f, 0) == T_2020_02_03_0605Z);
    assert_true(ok("2020-02-03 14:05:00", f, CST) == T_2020_02_03_0605Z); /* no offset: local */
    assert_true(ok("2020-02-03T14:05", f, CST) == T_2020_02_03_0605Z);
    assert_true(ok("2020-02-03T14:05:00.5+08:00", f, 0) == T_2020_02_03_0605Z + 500000);
    assert_true(ok("2020-02-03T14:05:00.123456+08:00", f, 0) == T_2020_02_03_0605Z + 123456);
    assert_true(ok("2020-02-03T06:05:00.123456789Z", f, 0) == T_2020_02_03_0605Z + 123456);
    assert_true(ok("2020-02-03 06:05:00+00", f, CST) == T_2020_02_03_0605Z); /* our PG output */
    /* Open311 sample style: 2010-04-14T06:37:38-08:00 = 14:37:38Z = 1271255858 s */
    assert_true(ok("2010-04-14T06:37:38-08:00", f, CST) == INT64_C(1271255858000000));
    assert_true(ok("2016-02-29", f, 0) == INT64_C(1456704000000000));

    bad("2020-02-30T10:00:00+08:00", f, "day 30 out of range for 2020-02");
    bad("2020-02-03T14:05:00+08:00 trailing", f, "unexpected text at offset 25");
    bad("2020-02-03T14:05:00+0", f, "invalid UTC offset");
    bad("2020-02-03T14:05:00+19:00", f, "invalid UTC offset");
    bad("2020-02-03T14:05:00.", f, "fraction");
    bad("2020-02-03T14", f, "\":mm\" minutes");
    bad("2020/02/03", f, "\"-MM\" month");
    bad("2020-02-03T25:00:00Z", f, "hour 25 out of range");
}

static void test_epoch(void **state)
{
    (void)state;
    assert_true(ok("1580710000000", "epoch_ms", CST) == INT64_C(1580710000000000));
    assert_true(ok(" 1580710000 ", "epoch_s", CST) == INT64_C(1580710000000000));
    assert_true(ok("-1000", "epoch_ms", 0) == INT64_C(-1000000));
    assert_true(ok("0", "epoch_s", 0) == 0);
    bad("1580710000.5", "epoch_s", "unexpected text at offset 10");
    bad("abc", "epoch_ms", "expected an integer");
    bad("99999999999999999999", "epoch_ms", "out of range");
    bad("9223372036855", "epoch_s", "out of range"); /* * 1e6 overflows int64 */
}

static void test_format_check(void **state)
{
    (void)state;
    struct og_error err;
    static const char *const good[] = {
        "iso8601",         "epoch_ms",       "epoch_s",  "yyyy-MM-dd HH:mm:ss",
        "yyyy/M/d H:mm",   "yyyyMMddHHmmss", "yyyyMMdd", "yyyy-MM-dd'T'HH:mm:ss.SSS",
        "yyyy-MM-ddTHH:mm"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        og_error_clear(&err);
        if (og_time_format_check(good[i], &err) != 0)
            fail_msg("\"%s\": %s", good[i], err.message);
    }
    static const char *const wrong[] = {"",
                                        "yy-MM-dd",
                                        "yyyy-MM-dd hh:mm",
                                        "yyyy-MM",
                                        "HH:mm:ss",
                                        "yyyy-MMM-dd",
                                        "yyyy-MM-dd 'T",
                                        "yyyy-MM-dd a",
                                        "yyyy-MM-dd-dd"};
    for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
        og_error_clear(&err);
        if (og_time_format_check(wrong[i], &err) != OG_EINVAL)
            fail_msg("format \"%s\" was accepted", wrong[i]);
        assert_true(err.message[0] != '\0');
    }
    og_error_clear(&err);
    int64_t t;
    assert_int_equal(og_time_parse("2020-02-03", "yyyy-mm-dd HH", CST, &t, &err), OG_EINVAL);
    assert_non_null(strstr(err.message, "yyyy-mm-dd HH"));
}

static void test_round_trip(void **state)
{
    (void)state;
    char out[64];
    /* What we print, we parse back to the same instant. */
    int64_t samples[] = {0, -1, T_2020_02_03_0605Z + 123456, INT64_C(1456704000000000),
                         INT64_C(-2208988800000000) /* 1900-01-01 */};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        assert_true(ok(og_time_format_pg(samples[i], out, sizeof(out)), "iso8601", CST) ==
                    samples[i]);
        assert_true(ok(og_time_format_iso(samples[i], CST, out, sizeof(out)), "iso8601", 0) ==
                    samples[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zones),           cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_pattern_rejects), cmocka_unit_test(test_iso8601),
        cmocka_unit_test(test_epoch),           cmocka_unit_test(test_format_check),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
