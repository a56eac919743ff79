/* test_timeparse.c - unit tests for transform/timeparse.c: parsing by format (patterns with a
 * 12-hour clock, iso8601, hl7_ts, epochs), zones (fixed offsets, POSIX TZ rules, IANA zones of the
 * tz database with daylight saving time), and that what core/timefmt.c prints parses back to the
 * same instant. */
#include "core/timefmt.h"
#include "transform/timeparse.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

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
    static const char *const good[] = {"iso8601",
                                       "epoch_ms",
                                       "epoch_s",
                                       "yyyy-MM-dd HH:mm:ss",
                                       "yyyy/M/d H:mm",
                                       "yyyyMMddHHmmss",
                                       "yyyyMMdd",
                                       "yyyy-MM-dd'T'HH:mm:ss.SSS",
                                       "yyyy-MM-ddTHH:mm",
                                       "hl7_ts",
                                       "MM/dd/yyyy hh:mm:ss a",
                                       "yyyy/M/d a h:mm"};
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
                                        "yyyy-MM-dd-dd",
                                        "yyyy-MM-dd HH:mm a",
                                        "yyyy-MM-dd HH hh:mm a",
                                        "yyyy-MM-dd hh:mm aa",
                                        "yyyy-MM-dd hhh:mm a"};
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

/* h/hh (1-12) with a (AM/PM): 12 AM is 00, 12 PM is 12; range-checked like the other fields. */
static void test_twelve_hour(void **state)
{
    (void)state;
    const char *f = "MM/dd/yyyy hh:mm:ss a";
    assert_true(ok("05/01/2022 12:00:03 AM", f, 0) == INT64_C(1651363203000000));
    assert_true(ok("05/01/2022 12:30:00 PM", f, 0) == INT64_C(1651408200000000));
    assert_true(ok("05/01/2022 11:59:59 PM", f, 0) == INT64_C(1651449599000000));
    assert_true(ok("05/01/2022 01:05:00 pm", f, 0) == INT64_C(1651410300000000));
    assert_true(ok("05/01/2022 01:05:00 Pm", f, 0) == INT64_C(1651410300000000));
    assert_true(ok("2022/5/1 1:05", "yyyy/M/d H:mm", 0) == INT64_C(1651367100000000));
    assert_true(ok("2022/5/1 1:05 PM", "yyyy/M/d h:mm a", 0) == INT64_C(1651410300000000));
    assert_true(ok("2022/5/1 下午1:05", "yyyy/M/d ah:mm", 0) == INT64_C(1651410300000000));
    assert_true(ok("2022/5/1 上午12:30", "yyyy/M/d ah:mm", 0) == INT64_C(1651365000000000));
    /* as the 24-hour reading of the same local time, in a zone */
    assert_true(ok("02/03/2020 02:05:00 PM", f, CST) == T_2020_02_03_0605Z);

    bad("05/01/2022 00:00:03 AM", f, "hour 0 out of range for a 12-hour clock (1-12)");
    bad("05/01/2022 13:00:03 PM", f, "hour 13 out of range for a 12-hour clock (1-12)");
    bad("05/01/2022 12:00:03 XM", f, "expected AM or PM at offset 20");
    bad("05/01/2022 12:00:03", f, "expected \" \" at offset 19");
    bad("05/01/2022 12:00:03 AMX", f, "unexpected text at offset 22");
    bad("05/01/2022 1:00:03 AM", f, "expected 2 digits for hh at offset 11");
    bad("02/30/2022 12:00:03 AM", f, "day 30 out of range for 2022-02");
}

/* HL7 v2 DTM / v3 TS: any precision from the year to a fraction of a second, an optional offset. */
static void test_hl7_ts(void **state)
{
    (void)state;
    const char *f = "hl7_ts";
    assert_true(ok("20141015103026-0500", f, CST) == INT64_C(1413387026000000));
    assert_true(ok("201403031114-0500", f, CST) == INT64_C(1393863240000000));
    assert_true(ok("20050329171504.1234-0500", f, CST) == INT64_C(1112134504123400));
    assert_true(ok("20200203140500", f, CST) == T_2020_02_03_0605Z); /* no offset: local */
    assert_true(ok("2020020314", f, CST) == T_2020_02_03_0605Z - 5 * INT64_C(60000000));
    assert_true(ok("19501219", f, 0) == og_days_from_civil(1950, 12, 19) * 86400000000);
    assert_true(ok("200702", f, 0) == INT64_C(1170288000000000));
    assert_true(ok("1916", f, 0) == INT64_C(-1704153600000000));
    assert_true(ok("20200203060500+0000", f, CST) == T_2020_02_03_0605Z);
    assert_true(ok("20200203+0800", f, 0) == T_2020_02_03_0605Z - INT64_C(50700000000));

    bad("2014101", f, "expected a 2-digit day at offset 6");
    bad("191", f, "expected a 4-digit year");
    bad("20141015.5", f, "a fraction at offset 8 needs the seconds before it");
    bad("20141015103026.", f, "expected fraction digits");
    bad("20141015103026-05", f, "invalid UTC offset");
    bad("20141015103026-1900", f, "invalid UTC offset");
    bad("20141015103026-0560", f, "invalid UTC offset");
    bad("2014-10-15", f, "invalid UTC offset at offset 4");
    bad("20141015T1030", f, "unexpected text at offset 8");
    bad("20140230", f, "day 30 out of range for 2014-02");
    bad("20141015246000", f, "hour 24 out of range");
}

static struct og_zone *zone_ok(const char *name)
{
    struct og_zone *z = NULL;
    struct og_error err;
    og_error_clear(&err);
    if (og_zone_open(name, &z, &err) != 0)
        fail_msg("zone \"%s\": %s (%s)", name, err.message, err.detail);
    assert_non_null(z);
    return z;
}

static int64_t zok(const char *s, const char *format, const struct og_zone *z)
{
    struct og_error err;
    og_error_clear(&err);
    int64_t t = INT64_MIN;
    if (og_time_parse_zone(s, format, z, &t, &err) != 0)
        fail_msg("\"%s\" / \"%s\" in %s: %s", s, format, og_zone_name(z), err.message);
    return t;
}

/* Seconds since the epoch of a UTC civil time. */
static int64_t utc_us(int y, int mo, int d, int h, int mi, int s)
{
    return ((og_days_from_civil(y, mo, d) * 86400) + h * 3600 + mi * 60 + s) * INT64_C(1000000);
}

/* The rules of America/New_York from 2007 on, as a POSIX rule and as the tz database's zone. */
static void check_us_eastern(const struct og_zone *z)
{
    const char *f = "yyyy-MM-dd HH:mm:ss";
    assert_false(og_zone_fixed(z, NULL));
    assert_true(zok("2022-05-01 00:00:03", f, z) == utc_us(2022, 5, 1, 4, 0, 3));   /* EDT */
    assert_true(zok("2022-01-15 12:00:00", f, z) == utc_us(2022, 1, 15, 17, 0, 0)); /* EST */
    /* spring forward: 2022-03-13 02:00 EST -> 03:00 EDT */
    assert_true(zok("2022-03-13 01:59:59", f, z) == utc_us(2022, 3, 13, 6, 59, 59));
    assert_true(zok("2022-03-13 03:00:00", f, z) == utc_us(2022, 3, 13, 7, 0, 0));
    struct og_error err;
    og_error_clear(&err);
    int64_t t = 42;
    assert_int_equal(og_time_parse_zone("2022-03-13 02:30:00", f, z, &t, &err), OG_EPARSE);
    assert_int_equal(t, 42);
    assert_int_equal(err.reason, OG_R_INVALID_TIME);
    if (!strstr(err.message, "2022-03-13 02:30:00 does not exist in ") ||
        !strstr(err.message, og_zone_name(z)))
        fail_msg("message: %s", err.message);
    /* fall back: 2022-11-06 02:00 EDT -> 01:00 EST; 01:30 occurs twice, the earlier (EDT) wins */
    assert_true(zok("2022-11-06 00:59:59", f, z) == utc_us(2022, 11, 6, 4, 59, 59));
    assert_true(zok("2022-11-06 01:30:00", f, z) == utc_us(2022, 11, 6, 5, 30, 0));
    assert_true(zok("2022-11-06 02:00:00", f, z) == utc_us(2022, 11, 6, 7, 0, 0));
    /* an offset in the text wins over the zone */
    assert_true(zok("2022-01-15T12:00:00Z", "iso8601", z) == utc_us(2022, 1, 15, 12, 0, 0));
    assert_int_equal(og_zone_offset_at(z, utc_us(2022, 7, 1, 0, 0, 0)), -240);
    assert_int_equal(og_zone_offset_at(z, utc_us(2022, 12, 1, 0, 0, 0)), -300);
    assert_int_equal(og_zone_offset_at(z, utc_us(2022, 11, 6, 5, 59, 59)), -240);
    assert_int_equal(og_zone_offset_at(z, utc_us(2022, 11, 6, 6, 0, 0)), -300);
}

static void test_zone_posix_rule(void **state)
{
    (void)state;
    struct og_zone *z = zone_ok("EST5EDT,M3.2.0,M11.1.0");
    check_us_eastern(z);
    assert_string_equal(og_zone_name(z), "EST5EDT,M3.2.0,M11.1.0");
    /* a rule applies to every year: 1974 (year-round daylight time in the US) reads as EST */
    assert_true(zok("1974-01-15 12:00:00", "yyyy-MM-dd HH:mm:ss", z) ==
                utc_us(1974, 1, 15, 17, 0, 0));
    og_zone_close(z);

    /* southern hemisphere: daylight time spans the new year; end at 03:00 local daylight time */
    z = zone_ok("AEST-10AEDT,M10.1.0,M4.1.0/3");
    const char *f = "yyyy-MM-dd HH:mm";
    assert_true(zok("2022-01-15 12:00", f, z) == utc_us(2022, 1, 15, 1, 0, 0));  /* +11 */
    assert_true(zok("2022-07-15 12:00", f, z) == utc_us(2022, 7, 15, 2, 0, 0));  /* +10 */
    assert_true(zok("2022-04-03 02:30", f, z) == utc_us(2022, 4, 2, 15, 30, 0)); /* twice: +11 */
    struct og_error err;
    og_error_clear(&err);
    int64_t t;
    assert_int_equal(og_time_parse_zone("2022-10-02 02:30", f, z, &t, &err), OG_EPARSE);
    og_zone_close(z);

    /* <+03>-3 style names, offsets with minutes, Jn and n dates */
    z = zone_ok("<-0330>3:30<-0230>,J60/2,300/2");
    assert_int_equal(og_zone_offset_at(z, utc_us(2021, 1, 10, 0, 0, 0)), -210);
    assert_int_equal(og_zone_offset_at(z, utc_us(2021, 6, 10, 0, 0, 0)), -150);
    og_zone_close(z);
}

static void test_zone_tzdb(void **state)
{
    (void)state;
    if (access("/usr/share/zoneinfo/America/New_York", R_OK) != 0)
        skip(); /* no tz database (Debian: tzdata) */
    struct og_zone *z = zone_ok("America/New_York");
    check_us_eastern(z);
    const char *f = "yyyy-MM-dd HH:mm:ss";
    /* history the rule alone cannot know: 1974, daylight time in January (EDT, -04:00) */
    assert_true(zok("1974-01-15 12:00:00", f, z) == utc_us(1974, 1, 15, 16, 0, 0));
    /* 2006: daylight time started on the first Sunday of April */
    assert_true(zok("2006-03-20 12:00:00", f, z) == utc_us(2006, 3, 20, 17, 0, 0));
    /* beyond the file's last transition, its own POSIX rule */
    assert_true(zok("2100-07-04 12:00:00", f, z) == utc_us(2100, 7, 4, 16, 0, 0));
    assert_true(zok("2100-12-25 12:00:00", f, z) == utc_us(2100, 12, 25, 17, 0, 0));
    /* local mean time before 1883-11-18 12:03:58 (-4:56:02), minutes as whole minutes */
    assert_true(zok("1850-01-01 00:00:00", f, z) == utc_us(1850, 1, 1, 4, 56, 2));
    assert_int_equal(og_zone_offset_at(z, utc_us(1850, 1, 1, 0, 0, 0)), -296);
    og_zone_close(z);

    z = zone_ok("Europe/London");
    assert_true(zok("2022-07-01 12:00:00", f, z) == utc_us(2022, 7, 1, 11, 0, 0));
    assert_true(zok("2022-12-01 12:00:00", f, z) == utc_us(2022, 12, 1, 12, 0, 0));
    og_zone_close(z);
}

static void test_zone_fixed_and_errors(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int off;
    } fixed[] = {
        {"Asia/Shanghai", 480}, {"PRC", 480}, {"UTC", 0}, {"-05:00", -300}, {"+0530", 330}};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        struct og_zone *z = zone_ok(fixed[i].name);
        int off = 12345;
        assert_true(og_zone_fixed(z, &off));
        assert_int_equal(off, fixed[i].off);
        assert_int_equal(og_zone_offset_at(z, 0), fixed[i].off);
        og_zone_close(z);
    }
    /* Asia/Shanghai stays +08:00 in 1988 (China's daylight time is not applied: the contract) */
    struct og_zone *z = zone_ok("Asia/Shanghai");
    assert_true(zok("1988-07-01 12:00:00", "yyyy-MM-dd HH:mm:ss", z) ==
                utc_us(1988, 7, 1, 4, 0, 0));
    og_zone_close(z);
    og_zone_close(NULL);

    static const struct {
        const char *name, *message;
    } wrong[] = {
        {"Mars/Olympus_Mons", "unknown time zone \"Mars/Olympus_Mons\""},
        {"../../etc/passwd", "unknown time zone"},
        {"/etc/localtime", "unknown time zone"},
        {"America//New_York", "unknown time zone"},
        {"", "unknown time zone"},
        {"EST5EDT,M3.2.0", "is not a POSIX TZ rule"},
        {"EST5EDT,M13.2.0,M11.1.0", "is not a POSIX TZ rule"},
        {"EST5EDT,M3.6.0,M11.1.0", "is not a POSIX TZ rule"},
        {"EST5,M3.2.0,M11.1.0", "is not a POSIX TZ rule"},
        {"EST5EDT,M3.2.0/200,M11.1.0", "is not a POSIX TZ rule"},
        {"ES5EDT,M3.2.0,M11.1.0", "is not a POSIX TZ rule"},
    };
    for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
        struct og_error err;
        og_error_clear(&err);
        z = (struct og_zone *)&err; /* must be set to NULL */
        if (og_zone_open(wrong[i].name, &z, &err) != OG_EINVAL)
            fail_msg("zone \"%s\" was accepted", wrong[i].name);
        assert_null(z);
        assert_int_equal(err.klass, OG_CLASS_FATAL);
        if (!strstr(err.message, wrong[i].message))
            fail_msg("zone \"%s\": message \"%s\" lacks \"%s\"", wrong[i].name, err.message,
                     wrong[i].message);
        assert_true(err.hint[0] != '\0');
    }
    if (access("/usr/share/zoneinfo/zone.tab", R_OK) == 0) { /* a tz database file, not TZif */
        struct og_error err;
        og_error_clear(&err);
        assert_int_equal(og_zone_open("zone.tab", &z, &err), OG_EINVAL);
        assert_non_null(strstr(err.detail, "not a TZif file"));
    }
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
        cmocka_unit_test(test_round_trip),      cmocka_unit_test(test_twelve_hour),
        cmocka_unit_test(test_hl7_ts),          cmocka_unit_test(test_zone_posix_rule),
        cmocka_unit_test(test_zone_tzdb),       cmocka_unit_test(test_zone_fixed_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
