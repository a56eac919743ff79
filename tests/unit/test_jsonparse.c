/* test_jsonparse.c - unit tests for core/jsonparse.c: the fast reader reads the record shapes
 * itself, gives exactly Jansson's values (types, key order, duplicate keys, escapes, numbers),
 * declines what it leaves to Jansson, and og_json_loadb() then answers with Jansson's error. */
#include "core/jsonparse.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Jansson's value and og_json_fast()'s for the same text: both parsed, equal, dumped alike
 * (JSON_COMPACT keeps the key order and prints reals with 17 digits). */
static void same_as_jansson(const char *text, size_t len, size_t flags)
{
    json_error_t jerr;
    json_t *want = json_loadb(text, len, flags, &jerr);
    json_t *got = og_json_fast(text, len, flags);
    if (!want)
        fail_msg("Jansson refuses %.*s: %s", (int)len, text, jerr.text);
    if (!got)
        fail_msg("og_json_fast declined %.*s", (int)len, text);
    assert_true(json_equal(want, got));
    char *a = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY);
    char *b = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
    assert_string_equal(a, b);
    free(a);
    free(b);
    json_decref(want);
    json_decref(got);
}

static void same(const char *text)
{
    same_as_jansson(text, strlen(text), JSON_DECODE_ANY);
}

/* og_json_fast() declines; og_json_loadb() then gives Jansson's answer, error text included */
static void declined(const char *text, size_t flags)
{
    size_t len = strlen(text);
    json_t *fast = og_json_fast(text, len, flags);
    if (fast)
        fail_msg("og_json_fast read %s", text);
    json_error_t want, got;
    memset(&got, 0, sizeof(got));
    json_t *a = json_loadb(text, len, flags, &want);
    json_t *b = og_json_loadb(text, len, flags, &got);
    assert_int_equal(a == NULL, b == NULL);
    if (a)
        assert_true(json_equal(a, b));
    else {
        assert_string_equal(want.text, got.text);
        assert_int_equal(want.line, got.line);
        assert_int_equal(want.column, got.column);
    }
    json_decref(a);
    json_decref(b);
}

static void test_record_shapes(void **unused)
{
    (void)unused;
    /* an HL-2 visit as og-feedgen writes it */
    same("{\"visitId\": \"HV2020000000001\", \"workerId\": \"JPW0472\", \"gridCode\": "
         "\"440511017004\", \"visitedAt\": \"2020-02-01T17:32:00+08:00\", \"gps\": {\"lng\": "
         "116.621508, \"lat\": 23.361616, \"crs\": \"gcj02\"}, \"household\": {\"address\": "
         "\"汕头市金平区月浦街道月浦社区镇邦路183号11栋602房\", \"members\": [{\"idNo\": "
         "\"44050719730117430X\", \"name\": \"苏宇玲\", \"temperature\": 37.0, \"symptoms\": [], "
         "\"travel14d\": [], \"healthCode\": \"green\"}]}}\n");
    same("{}");
    same("[]");
    same(" \t\r\n{ \"a\" : [ 1 , 2 , [ ] , { } ] , \"b\" : { \"c\" : null } } \r\n");
    same("{\"t\":true,\"f\":false,\"n\":null,\"e\":\"\",\"\":\"empty key\"}");
    char nest[2 * 40 + 2];
    memset(nest, '[', 40);
    nest[40] = '1';
    memset(nest + 41, ']', 40);
    nest[81] = '\0';
    same(nest);
    same("\"a scalar\"");
    same("42");
    same("null");
}

static void test_numbers(void **unused)
{
    (void)unused;
    /* integers stay integers, anything with a fraction or an exponent is a real */
    same("[0, -0, 7, -7, 123456789012345678, -123456789012345678]");
    same("[0.0, -0.0, 1.5, -2.25, 1e3, 1E3, 1e+3, 1e-3, 2.5E-2, 116.621508, 23.361616]");
    same("[0.1, 0.2, 0.30000000000000004, 1.7976931348623157e308, 2.2250738585072014e-308]");
    /* decimals of up to 15 digits take a shortcut past strtod(): the same doubles, every time
     * (a fixed pseudo-random walk over lengths, fraction sizes and digits) */
    unsigned long long x = 20200203;
    for (int i = 0; i < 20000; i++) {
        char num[40];
        size_t n = 0;
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int whole = 1 + (int)((x >> 33) % 8), frac = 1 + (int)((x >> 40) % 15);
        if (whole + frac > 16)
            frac = 16 - whole;
        if (x >> 63)
            num[n++] = '-';
        for (int d = 0; d < whole; d++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            num[n++] = (char)('0' + (d == 0 && whole > 1 ? 1 + (x >> 33) % 9 : (x >> 33) % 10));
        }
        num[n++] = '.';
        for (int d = 0; d < frac; d++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            num[n++] = (char)('0' + (x >> 33) % 10);
        }
        json_t *a = og_json_fast(num, n, JSON_DECODE_ANY);
        json_t *b = json_loadb(num, n, JSON_DECODE_ANY, NULL);
        assert_non_null(a);
        assert_non_null(b);
        if (json_real_value(a) != json_real_value(b))
            fail_msg("%.*s: %.17g, Jansson %.17g", (int)n, num, json_real_value(a),
                     json_real_value(b));
        json_decref(a);
        json_decref(b);
    }
    json_t *v = og_json_fast("[1, 1.0, 1e0]", 13, 0);
    assert_non_null(v);
    assert_true(json_is_integer(json_array_get(v, 0)));
    assert_true(json_is_real(json_array_get(v, 1)));
    assert_true(json_is_real(json_array_get(v, 2)));
    json_decref(v);
    /* what it leaves to Jansson: longer integers (Jansson reads up to LLONG_MAX, then errs),
     * reals out of range, and everything that is not a JSON number */
    declined("[1234567890123456789]", 0);
    declined("[9223372036854775807]", 0);
    declined("[9223372036854775808]", 0);
    declined("[-9223372036854775809]", 0);
    declined("[1e400]", 0);
    declined("[1e-400]", 0);
    declined("[01]", 0);
    declined("[-]", 0);
    declined("[1.]", 0);
    declined("[.5]", 0);
    declined("[1e]", 0);
    declined("[+1]", 0);
    declined("[0x10]", 0);
    declined("[NaN]", 0);
    declined("[Infinity]", 0);
    declined("[1true]", 0);
}

static void test_strings(void **unused)
{
    (void)unused;
    same("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]");
    same("[\"\\u0041\\u00e9\\u4e2d\\uFFFF\", \"\\ud83d\\ude00 grin\"]");
    same("{\"k\\u0065y\": \"escaped key\", \"key\": \"plain, replaces the first\"}");
    same("[\"two-byte \xc3\xa9, three \xe4\xb8\xad, four \xf0\x9f\x98\x80, DEL \x7f\"]");
    /* a string longer than the reader's first scratch buffer, with escapes */
    char big[3000];
    size_t n = 0;
    big[n++] = '"';
    while (n < sizeof(big) - 8) {
        memcpy(big + n, "\\n\xe4\xb8\xad", 5);
        n += 5;
    }
    big[n++] = '"';
    same_as_jansson(big, n, JSON_DECODE_ANY);
    /* Jansson's to judge: NUL, lone or reversed surrogates, unknown escapes, raw control
     * characters, invalid UTF-8 (bad lead, cut, overlong, surrogate, past U+10FFFF) */
    declined("[\"\\u0000\"]", 0);
    declined("[\"\\ud83d\"]", 0);
    declined("[\"\\ude00\\ud83d\"]", 0);
    declined("[\"\\ud83d\\u0041\"]", 0);
    declined("[\"\\x41\"]", 0);
    declined("[\"\\u12\"]", 0);
    declined("[\"tab\there\"]", 0);
    declined("[\"\x80\"]", 0);
    declined("[\"\xc3\"]", 0);
    declined("[\"\xc0\xaf\"]", 0);
    declined("[\"\xe0\x80\xaf\"]", 0);
    declined("[\"\xed\xa0\x80\"]", 0);
    declined("[\"\xf4\x90\x80\x80\"]", 0);
    declined("[\"\xf5\x80\x80\x80\"]", 0);
    declined("[\"unterminated]", 0);
}

static void test_duplicates_and_order(void **unused)
{
    (void)unused;
    /* without JSON_REJECT_DUPLICATES the later value wins and the key keeps its first place */
    const char *dup = "{\"b\": 1, \"a\": 2, \"b\": 3}";
    same_as_jansson(dup, strlen(dup), 0);
    json_t *v = og_json_fast(dup, strlen(dup), 0);
    assert_non_null(v);
    assert_int_equal(json_integer_value(json_object_get(v, "b")), 3);
    assert_string_equal(json_object_iter_key(json_object_iter(v)), "b");
    json_decref(v);
    /* with it (the Kafka messages) Jansson refuses the message and says why */
    declined(dup, JSON_REJECT_DUPLICATES);
    declined("{\"a\": {\"x\": 1, \"x\": 1}}", JSON_REJECT_DUPLICATES);
    const char *ok = "{\"a\": {\"x\": 1}, \"x\": 2}";
    same_as_jansson(ok, strlen(ok), JSON_REJECT_DUPLICATES);
}

static void test_structure_errors(void **unused)
{
    (void)unused;
    declined("", 0);
    declined("   ", JSON_DECODE_ANY);
    declined("{", 0);
    declined("{\"a\"}", 0);
    declined("{\"a\":}", 0);
    declined("{\"a\":1,}", 0);
    declined("[1,]", 0);
    declined("[1 2]", 0);
    declined("{'a': 1}", 0);
    declined("{a: 1}", 0);
    declined("[tru]", 0);
    declined("[nul]", 0);
    declined("{} {}", 0);
    declined("{}x", 0);
    /* a scalar at the top needs JSON_DECODE_ANY, as for Jansson */
    declined("\"text\"", 0);
    declined("12", 0);
    /* a NUL inside the buffer (json_loadb reads len bytes, not a C string) */
    json_error_t jerr;
    assert_null(og_json_fast("{}\0", 3, 0));
    assert_null(og_json_loadb("{}\0", 3, 0, &jerr));
    /* nesting deeper than OG_JSON_FAST_DEPTH: Jansson reads it (its limit is 2048) */
    char deep[2 * (OG_JSON_FAST_DEPTH + 10) + 1];
    size_t d = OG_JSON_FAST_DEPTH + 10;
    memset(deep, '[', d);
    memset(deep + d, ']', d);
    deep[2 * d] = '\0';
    declined(deep, 0);
    /* flags it does not know go straight to Jansson */
    assert_null(og_json_fast("[1]", 3, JSON_DISABLE_EOF_CHECK));
    json_t *v = og_json_loadb("[1] tail", 8, JSON_DISABLE_EOF_CHECK, &jerr);
    assert_non_null(v);
    json_decref(v);
}

/* the buffer is read within len: no NUL needed, nothing past the end touched */
static void test_reads_within_len(void **unused)
{
    (void)unused;
    const char *text = "{\"a\": [1, 2.5, \"x\"]}GARBAGE";
    size_t len = strlen("{\"a\": [1, 2.5, \"x\"]}");
    char *exact = malloc(len);
    assert_non_null(exact);
    memcpy(exact, text, len);
    json_t *v = og_json_fast(exact, len, 0);
    assert_non_null(v);
    assert_true(json_is_real(json_array_get(json_object_get(v, "a"), 1)));
    json_decref(v);
    /* cut anywhere, it is never a value Jansson would refuse */
    for (size_t cut = 0; cut < len; cut++) {
        json_t *part = og_json_fast(exact, cut, JSON_DECODE_ANY);
        json_t *ref = json_loadb(exact, cut, JSON_DECODE_ANY, NULL);
        assert_true(part == NULL || (ref != NULL && json_equal(part, ref)));
        json_decref(part);
        json_decref(ref);
    }
    free(exact);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_shapes),    cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_strings),          cmocka_unit_test(test_duplicates_and_order),
        cmocka_unit_test(test_structure_errors), cmocka_unit_test(test_reads_within_len),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
