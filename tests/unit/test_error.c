/* test_error.c - unit tests for core/error.c: set, detail, hint, position, prefix, format,
 * truncation. */
#include "core/error.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* An error followed by guard bytes: a write past the struct would show in the guard. */
struct guarded {
    struct og_error err;
    unsigned char guard[64];
};

static void guard_init(struct guarded *g)
{
    memset(g, 0, sizeof(*g));
    memset(g->guard, 0x5A, sizeof(g->guard));
}

static void guard_check(const struct guarded *g)
{
    for (size_t i = 0; i < sizeof(g->guard); i++)
        assert_int_equal(g->guard[i], 0x5A);
}

static void test_set(void **unused)
{
    (void)unused;
    struct og_error err;
    og_error_clear(&err);
    int line = __LINE__ + 1;
    int rc = og_error_set(&err, OG_EIO, OG_CLASS_RETRY, OG_R_IO, "could not open \"%s\": %s",
                          "a.csv", "denied");
    assert_int_equal(rc, OG_EIO);
    assert_int_equal(err.code, OG_EIO);
    assert_int_equal(err.klass, OG_CLASS_RETRY);
    assert_string_equal(og_reason_name(err.reason), "io");
    assert_string_equal(err.message, "could not open \"a.csv\": denied");
    assert_string_equal(err.detail, "");
    assert_string_equal(err.hint, "");
    assert_string_equal(err.sqlstate, "");
    assert_string_equal(err.origin_file, __FILE__);
    assert_int_equal(err.origin_line, line);

    /* a second set replaces message, detail and hint of the first */
    og_error_detail(&err, "old detail");
    og_error_hint(&err, "old hint");
    assert_int_equal(og_error_set(&err, OG_EREJECT, OG_CLASS_REJECT, OG_R_NONE, "%s", "bad record"),
                     OG_EREJECT);
    assert_string_equal(og_reason_name(err.reason), "");
    assert_string_equal(err.message, "bad record");
    assert_string_equal(err.detail, "");
    assert_string_equal(err.hint, "");
    assert_int_equal(err.klass, OG_CLASS_REJECT);

    og_error_clear(&err);
    assert_int_equal(err.code, 0);
    assert_string_equal(err.message, "");
    assert_null(err.origin_file);
}

static void test_detail_hint_position_format(void **unused)
{
    (void)unused;
    struct og_error err;
    char buf[1024];
    og_error_clear(&err);
    og_error_set(&err, OG_EPARSE, OG_CLASS_REJECT, OG_R_BAD_JSON, "not a JSON object");
    assert_string_equal(og_error_format(&err, buf, sizeof(buf)), "not a JSON object");
    og_error_position(&err, "%s:%d:%d", "feed.ndjson", 12, 5);
    og_error_detail(&err, "found %s", "an array");
    og_error_hint(&err, "send one object per line");
    assert_string_equal(err.position, "feed.ndjson:12:5");
    assert_string_equal(err.detail, "found an array");
    assert_string_equal(err.hint, "send one object per line");
    /* The text the CLI prints. Note: error.h describes it as one line "position: message (detail)
     * hint"; error.c (and cli/common.c, which relies on it) puts detail and hint on lines of their
     * own. */
    const char *s = og_error_format(&err, buf, sizeof(buf));
    assert_ptr_equal(s, buf);
    assert_string_equal(s, "feed.ndjson:12:5: not a JSON object\n"
                           "  detail: found an array\n"
                           "  hint: send one object per line");
    /* hint without detail */
    og_error_detail(&err, "%s", "");
    assert_string_equal(og_error_format(&err, buf, sizeof(buf)),
                        "feed.ndjson:12:5: not a JSON object\n  hint: send one object per line");
}

static void test_prefix(void **unused)
{
    (void)unused;
    struct og_error err;
    og_error_clear(&err);
    og_error_set(&err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_MAPPING, "field \"x\": unknown step");
    og_error_prefix(&err, "mapping %s: ", "um_cases.json");
    assert_string_equal(err.message, "mapping um_cases.json: field \"x\": unknown step");
    assert_int_equal(err.code, OG_ECONFIG);

    /* a full message: the prefix stays whole, the end of the old message is cut */
    struct guarded g;
    guard_init(&g);
    char long_msg[600];
    memset(long_msg, 'm', sizeof(long_msg) - 1);
    long_msg[sizeof(long_msg) - 1] = '\0';
    og_error_set(&g.err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_CONFIG, "%s", long_msg);
    assert_int_equal(strlen(g.err.message), sizeof(g.err.message) - 1);
    og_error_prefix(&g.err, "ctx: ");
    assert_int_equal(strlen(g.err.message), sizeof(g.err.message) - 1);
    assert_memory_equal(g.err.message, "ctx: mmm", 8);
    assert_string_equal(g.err.detail, ""); /* the next field is untouched */

    /* a prefix longer than its 256-byte buffer is cut, then the old message follows */
    char long_pre[400];
    memset(long_pre, 'p', sizeof(long_pre) - 1);
    long_pre[sizeof(long_pre) - 1] = '\0';
    og_error_set(&g.err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_CONFIG, "old");
    og_error_prefix(&g.err, "%s", long_pre);
    assert_int_equal(strlen(g.err.message), 255 + 3);
    assert_string_equal(g.err.message + 255, "old");
    guard_check(&g);
}

/* Every field is cut to its size, NUL-terminated, and nothing beyond it is written. */
static void test_truncation(void **unused)
{
    (void)unused;
    char big[3000];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    struct guarded g;
    guard_init(&g);
    int line = __LINE__ + 1;
    og_error_set(&g.err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_CONFIG, "%s", big);
    og_error_field(&g.err, big);
    assert_int_equal(strlen(g.err.field), sizeof(g.err.field) - 1);
    assert_int_equal(strlen(g.err.message), sizeof(g.err.message) - 1);
    assert_string_equal(g.err.detail, "");
    og_error_detail(&g.err, "%s", big);
    assert_int_equal(strlen(g.err.detail), sizeof(g.err.detail) - 1);
    assert_string_equal(g.err.hint, "");
    og_error_hint(&g.err, "%s", big);
    assert_int_equal(strlen(g.err.hint), sizeof(g.err.hint) - 1);
    assert_string_equal(g.err.sqlstate, "");
    og_error_position(&g.err, "%s", big);
    assert_int_equal(strlen(g.err.position), sizeof(g.err.position) - 1);
    assert_int_equal(g.err.code, OG_EINVAL);
    assert_int_equal(g.err.origin_line, line);
    guard_check(&g);

    /* og_error_format into buffers of every size up to the whole text: always a NUL-terminated
     * prefix of the full text, and no byte written at or past size. */
    struct og_error err;
    og_error_clear(&err);
    og_error_set(&err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not read");
    og_error_position(&err, "a.csv:3");
    og_error_detail(&err, "short read");
    og_error_hint(&err, "check the disk");
    char full[256];
    og_error_format(&err, full, sizeof(full));
    size_t n = strlen(full);
    assert_int_equal(
        n, strlen("a.csv:3: could not read\n  detail: short read\n  hint: check the disk"));
    for (size_t size = 1; size <= n + 1; size++) {
        char buf[300];
        memset(buf, '#', sizeof(buf));
        const char *s = og_error_format(&err, buf, size);
        assert_ptr_equal(s, buf);
        assert_int_equal(strlen(buf), size - 1);
        assert_memory_equal(buf, full, size - 1);
        for (size_t k = size; k < sizeof(buf); k++)
            assert_int_equal(buf[k], '#');
    }
    /* size 0: nothing written, an empty string returned */
    char buf[4] = "###";
    assert_string_equal(og_error_format(&err, buf, 0), "");
    assert_string_equal(buf, "###");
    /* the whole message at the maximum still formats into a big buffer */
    char huge[2048];
    og_error_format(&g.err, huge, sizeof(huge));
    assert_int_equal(strlen(huge), 255 + 2 + 511 + 11 + 511 + 9 + 255);
}

/* NULL err is allowed everywhere: nothing is recorded, set still returns the code. */
static void test_null_err(void **unused)
{
    (void)unused;
    assert_int_equal(og_error_set(NULL, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory"),
                     OG_ENOMEM);
    og_error_detail(NULL, "x");
    og_error_hint(NULL, "x");
    og_error_position(NULL, "x");
    og_error_prefix(NULL, "x");
    og_error_clear(NULL);
    char buf[16] = "untouched";
    assert_string_equal(og_error_format(NULL, buf, sizeof(buf)), "");
    assert_string_equal(buf, "untouched");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set),      cmocka_unit_test(test_detail_hint_position_format),
        cmocka_unit_test(test_prefix),   cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_null_err),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
