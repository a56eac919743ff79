/* test_copy.c - unit tests for loader/copy.c: the exact bytes of PostgreSQL COPY text-format
 * columns. */
#include "core/timefmt.h"
#include "loader/copy.h"

#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* COPY text format (PostgreSQL docs, "COPY", Text Format): columns are separated by a tab, rows end
 * with a newline, NULL is \N, and in data a backslash, tab, newline and carriage return are written
 * \\, \t, \n and \r. Expected values below are C literals: "\\" in C is ONE backslash byte. */

/* One column with first == true, as a string the test owns. */
static char *text_col(const char *s)
{
    struct og_buf b = OG_BUF_INIT;
    assert_int_equal(og_copy_text(&b, true, s), 0);
    return og_buf_steal(&b);
}

static void expect_text(const char *in, const char *want)
{
    char *got = text_col(in);
    if (strcmp(got, want) != 0)
        fail_msg("og_copy_text(\"%s\") = \"%s\", want \"%s\"", in ? in : "(NULL)", got, want);
    free(got);
}

static void test_text_escaping(void **unused)
{
    (void)unused;
    expect_text("plain", "plain");
    expect_text(NULL, "\\N"); /* bytes: '\' 'N' */
    /* backslash: bytes a \ b  ->  a \ \ b */
    expect_text("a\\b", "a\\\\b");
    /* tab, newline, carriage return: the control byte becomes backslash + letter */
    expect_text("a\tb", "a\\tb");
    expect_text("x\ny", "x\\ny");
    expect_text("x\r\ny", "x\\r\\ny");
    /* the TEXT "\N" (two bytes) must not read back as NULL: its backslash is doubled -> \ \ N */
    expect_text("\\N", "\\\\N");
    /* "\." alone on a line would end COPY data; doubled, it cannot */
    expect_text("\\.", "\\\\.");
    /* everything else passes unchanged: UTF-8, quotes, commas, other control bytes */
    expect_text("金平区 \"A\", 'b'; {c}", "金平区 \"A\", 'b'; {c}");
    expect_text("bell\x01", "bell\x01");

    /* the exact bytes of a mixed value, spelled out */
    char *got = text_col("1\\\t2\n");
    static const char want[] = {'1', '\\', '\\', '\\', 't', '2', '\\', 'n', '\0'};
    assert_string_equal(got, want);
    free(got);

    /* the empty string is not NULL: an empty column (nothing between the tabs) */
    struct og_buf b = OG_BUF_INIT;
    og_copy_text(&b, true, "x");
    og_copy_text(&b, false, "");
    og_copy_text(&b, false, NULL);
    assert_string_equal(b.data, "x\t\t\\N");
    og_buf_free(&b);
}

/* The empty string as the FIRST column of an empty buffer: esc() calls og_buf_reserve, which
 * allocates b->data without writing the terminating NUL, and then appends nothing; the buffer
 * (len 0) holds garbage where "" should be (seen: "D5^Wd^E"). The COPY stream itself is right,
 * since the loader sends len bytes, but buf.h promises "always NUL-terminated". See test_buf.c. */
static void test_empty_first_column(void **unused)
{
    (void)unused;
    char *got = text_col("");
    assert_string_equal(got, "");
    free(got);
}

/* A leading tab for every column but the first; columns append to what is in the buffer. */
static void test_row(void **unused)
{
    (void)unused;
    struct og_buf b = OG_BUF_INIT;
    assert_int_equal(og_copy_text(&b, true, "UM:um_cases:1"), 0);
    assert_int_equal(og_copy_text(&b, false, "a\tb"), 0);
    assert_int_equal(og_copy_text(&b, false, NULL), 0);
    assert_int_equal(og_copy_int(&b, false, 7), 0);
    assert_int_equal(og_copy_bool(&b, false, 1), 0);
    assert_int_equal(og_copy_double(&b, false, true, 23.5), 0);
    assert_int_equal(og_copy_time(&b, false, false, 0), 0);
    assert_int_equal(og_copy_end_row(&b), 0);
    assert_int_equal(og_copy_text(&b, true, "second"), 0);
    assert_int_equal(og_copy_end_row(&b), 0);
    assert_string_equal(b.data, "UM:um_cases:1\ta\\tb\t\\N\t7\tt\t23.5000000000\t\\N\n"
                                "second\n");
    og_buf_free(&b);
}

static void test_bool_int_double(void **unused)
{
    (void)unused;
    struct og_buf b = OG_BUF_INIT;
    /* og_tristate: 1 true, 0 false, -1 unknown (NULL) */
    og_copy_bool(&b, true, 1);
    og_copy_bool(&b, false, 0);
    og_copy_bool(&b, false, -1);
    assert_string_equal(b.data, "t\tf\t\\N");

    og_buf_reset(&b);
    og_copy_int(&b, true, 0);
    og_copy_int(&b, false, -42);
    og_copy_int(&b, false, LLONG_MAX);
    og_copy_int(&b, false, LLONG_MIN);
    assert_string_equal(b.data, "0\t-42\t9223372036854775807\t-9223372036854775808");

    /* doubles: fixed point with 10 decimals (enough for coordinates: 1e-10 deg is ~0.01 mm) */
    og_buf_reset(&b);
    og_copy_double(&b, true, true, 116.3);
    og_copy_double(&b, false, true, -0.5);
    og_copy_double(&b, false, true, 0);
    og_copy_double(&b, false, true, 23.123456789012);
    og_copy_double(&b, false, false, 99); /* not set: NULL whatever the value */
    og_copy_double(&b, false, true, 36.6);
    assert_string_equal(
        b.data, "116.3000000000\t-0.5000000000\t0.0000000000\t23.1234567890\t\\N\t36.6000000000");
    /* and what PostgreSQL reads back is the value to 1e-10 */
    assert_true(strtod("23.1234567890", NULL) - 23.123456789012 < 1e-10);
    og_buf_free(&b);
}

static void test_time(void **unused)
{
    (void)unused;
    struct og_buf b = OG_BUF_INIT;
    /* 2020-02-03 14:05 in Shantou (+08:00) = 06:05 UTC = 1580709900 s */
    og_copy_time(&b, true, true, INT64_C(1580709900000000));
    og_copy_time(&b, false, true, INT64_C(1580709900123000)); /* .123 s */
    og_copy_time(&b, false, false, INT64_C(1580709900000000));
    og_copy_time(&b, false, true, -1); /* one microsecond before the epoch */
    assert_string_equal(b.data, "2020-02-03 06:05:00+00\t"
                                "2020-02-03 06:05:00.123+00\t"
                                "\\N\t"
                                "1969-12-31 23:59:59.999999+00");
    /* the same text og_time_format_pg gives */
    char t[64];
    og_buf_reset(&b);
    og_copy_time(&b, true, true, INT64_C(951782400000000));
    assert_string_equal(b.data, og_time_format_pg(INT64_C(951782400000000), t, sizeof(t)));
    assert_string_equal(b.data, "2000-02-29 00:00:00+00");
    og_buf_free(&b);
}

static char *array_col(const char *const *items, size_t n)
{
    struct og_buf b = OG_BUF_INIT;
    assert_int_equal(og_copy_text_array(&b, true, items, n), 0);
    return og_buf_steal(&b);
}

/* A point is hex EWKB (little-endian, point with SRID 4326), its coordinates rounded to 10 decimals
 * as the lon and lat columns are written; the expected bytes were packed with Python's struct
 * '<dd'. */
static void test_point(void **unused)
{
    (void)unused;
    struct og_buf b = {0};
    assert_int_equal(og_copy_point(&b, true, true, 116.68, 23.35), 0);
    assert_int_equal(og_copy_point(&b, false, true, 116.123456789012345, -23.5), 0);
    assert_int_equal(og_copy_point(&b, false, false, 1, 2), 0);
    assert_int_equal(og_copy_end_row(&b), 0);
    char *s = og_buf_steal(&b);
    assert_string_equal(s, "0101000020E6100000EC51B81E852B5D409A99999999593740\t"
                           "0101000020E610000059CE4DB7E6075D4000000000008037C0\t\\N\n");
    free(s);
}

static uint64_t next_random(uint64_t *x)
{
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    return *x;
}

/* A double of every kind the columns see, and the awkward ones: coordinates, values with exactly
 * eleven decimals ending in 5 (k / 2048: ties, which printf rounds to even), tiny and subnormal
 * numbers, large ones (printf's own path), negative zero. */
static double awkward_double(uint64_t *x, int i)
{
    uint64_t r = next_random(x);
    switch (i % 6) {
    case 0:
        return (double)(r % 3600000000000) / 1e10 - 180; /* degrees */
    case 1:
        return (double)(int64_t)(r % 4000000000) / 2048.0 - 976562.5;
    case 2:
        return (double)(r % 1000000) * 1e-13 * ((r >> 40) & 1 ? -1 : 1);
    case 3: {
        double d;
        memcpy(&d, &r, sizeof(d));
        return isfinite(d) ? d : 0.5;
    }
    case 4:
        return (double)(r % 100000000000) * (r & 1 ? 1e-3 : 3.7);
    default:
        return i % 12 == 5 ? -0.0 : 4.9e-324 * (double)(r % 1000);
    }
}

/* og_copy_double writes what printf's "%.10f" writes, for a million doubles. */
static void test_double_as_printf(void **unused)
{
    (void)unused;
    uint64_t x = 2463534242u;
    struct og_buf b = OG_BUF_INIT;
    char want[512];
    for (int i = 0; i < 1000000; i++) {
        double v = awkward_double(&x, i);
        og_buf_reset(&b);
        assert_int_equal(og_copy_double(&b, true, true, v), 0);
        snprintf(want, sizeof(want), "%.10f", v);
        if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
            fail_msg("%a: got \"%.*s\", printf writes \"%s\"", v, (int)b.len, b.data, want);
    }
    og_buf_free(&b);
}

/* og_copy_decimal writes what printf's "%.<digits>f" writes (a temperature is "%.1f"), ties
 * included (36.25 -> 36.2, 36.35 -> 36.4 as the binary values fall), and og_copy_int "%lld". */
static void test_decimal_and_int_as_printf(void **unused)
{
    (void)unused;
    uint64_t x = 88172645463325252u;
    struct og_buf b = OG_BUF_INIT;
    char want[512];
    static const double ties[] = {36.25, 36.35, 0.05, -0.05, 0.25,
                                  -0.04, 2.5,   0.5,  1.5,   99999999.95};
    for (int i = 0; i < 300000; i++) {
        int digits = i % 11;
        double v = i < 10 ? ties[i] : awkward_double(&x, i);
        og_buf_reset(&b);
        assert_int_equal(og_copy_decimal(&b, true, true, v, digits), 0);
        snprintf(want, sizeof(want), "%.*f", digits, v);
        if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
            fail_msg("%a to %d digits: got \"%.*s\", printf writes \"%s\"", v, digits, (int)b.len,
                     b.data, want);
    }
    og_buf_reset(&b);
    assert_int_equal(og_copy_decimal(&b, true, false, 1.0, 1), 0);
    assert_string_equal(b.data, "\\N");
    static const long long ints[] = {0, 1, -1, 9, 10, -10, 123456789, LLONG_MAX, LLONG_MIN};
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        og_buf_reset(&b);
        assert_int_equal(og_copy_int(&b, false, ints[i]), 0);
        snprintf(want, sizeof(want), "\t%lld", ints[i]);
        assert_string_equal(b.data, want);
    }
    og_buf_free(&b);
}

/* The point is the one whose coordinates are read back from the lon and lat text: strtod of
 * "%.10f", packed little-endian. */
static void test_point_as_written(void **unused)
{
    (void)unused;
    uint64_t x = 99991u;
    struct og_buf b = OG_BUF_INIT;
    for (int i = 0; i < 200000; i++) {
        double lon = awkward_double(&x, i % 2 ? 0 : 1), lat = awkward_double(&x, i % 6);
        char text[512], want[64] = "0101000020E6100000";
        double read[2];
        snprintf(text, sizeof(text), "%.10f", lon);
        read[0] = strtod(text, NULL);
        snprintf(text, sizeof(text), "%.10f", lat);
        read[1] = strtod(text, NULL);
        for (int c = 0; c < 2; c++) {
            uint64_t bits;
            memcpy(&bits, &read[c], sizeof(bits));
            for (int k = 0; k < 8; k++, bits >>= 8)
                snprintf(want + 18 + 16 * c + 2 * k, 3, "%02X", (unsigned)(bits & 0xFF));
        }
        og_buf_reset(&b);
        assert_int_equal(og_copy_point(&b, true, true, lon, lat), 0);
        if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
            fail_msg("(%a, %a): got %.*s, want %s", lon, lat, (int)b.len, b.data, want);
    }
    og_buf_free(&b);
}

/* A text[] column is escaped twice: first as an array literal (every element in double quotes, with
 * " and \ inside written \" and \\), then that whole literal with COPY escaping (every \ doubled,
 * tab/newline/CR as \t \n \r). PostgreSQL undoes them in the opposite order. */
static void test_text_array(void **unused)
{
    (void)unused;
    /* elements a"b and c\d:
     *   array literal:  {"a\"b","c\\d"}        (the quote gets one backslash, the backslash becomes
     * two) COPY escaping:  {"a\\"b","c\\\\d"}     (each of those backslashes doubled again: 1 -> 2,
     * 2 -> 4) */
    const char *const q[] = {"a\"b", "c\\d"};
    char *got = array_col(q, 2);
    assert_string_equal(got, "{\"a\\\\\"b\",\"c\\\\\\\\d\"}");
    static const char want_bytes[] = {'{', '"',  'a',  '\\', '\\', '"', 'b', '"', ',', '"',
                                      'c', '\\', '\\', '\\', '\\', 'd', '"', '}', '\0'};
    assert_string_equal(got, want_bytes);
    free(got);

    /* a comma inside an element is protected by the element's quotes: {"x,y","z"} */
    const char *const c[] = {"x,y", "z"};
    got = array_col(c, 2);
    assert_string_equal(got, "{\"x,y\",\"z\"}");
    free(got);

    /* a tab inside an element: the array literal keeps the raw tab inside quotes, COPY writes it \t
     */
    const char *const t[] = {"p\tq", "line1\nline2"};
    got = array_col(t, 2);
    assert_string_equal(got, "{\"p\\tq\",\"line1\\nline2\"}");
    free(got);

    /* the text NULL is quoted, so it stays a text and not a NULL element; UTF-8 and braces pass */
    const char *const s[] = {"NULL", "发热", "{x}", ""};
    got = array_col(s, 4);
    assert_string_equal(got, "{\"NULL\",\"发热\",\"{x}\",\"\"}");
    free(got);

    /* an empty array */
    got = array_col(NULL, 0);
    assert_string_equal(got, "{}");
    free(got);

    /* as a later column: a leading tab */
    struct og_buf b = OG_BUF_INIT;
    og_copy_text(&b, true, "v1");
    const char *const one[] = {"咳嗽"};
    assert_int_equal(og_copy_text_array(&b, false, one, 1), 0);
    og_copy_end_row(&b);
    assert_string_equal(b.data, "v1\t{\"咳嗽\"}\n");
    og_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_escaping),
        cmocka_unit_test(test_row),
        cmocka_unit_test(test_bool_int_double),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_text_array),
        cmocka_unit_test(test_empty_first_column),
        cmocka_unit_test(test_point),
        cmocka_unit_test(test_double_as_printf),
        cmocka_unit_test(test_decimal_and_int_as_printf),
        cmocka_unit_test(test_point_as_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
