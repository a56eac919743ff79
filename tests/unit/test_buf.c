/* test_buf.c - unit tests for core/buf.c: appending, printf past the 256-byte fast path, reset,
 * steal. */
#include "core/buf.h"
#include "core/error.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void test_append_puts_putc(void **unused)
{
    (void)unused;
    struct og_buf b = OG_BUF_INIT;
    assert_null(b.data);
    assert_int_equal(og_buf_puts(&b, "grid"), 0);
    assert_int_equal(og_buf_putc(&b, ':'), 0);
    assert_int_equal(og_buf_append(&b, "4405110xx", 7), 0);
    assert_string_equal(b.data, "grid:4405110");
    assert_int_equal(b.len, 12);
    assert_true(b.cap > b.len); /* room for the NUL */
    /* binary data: an embedded NUL counts in len, and the buffer is still NUL-terminated after it
     */
    assert_int_equal(og_buf_append(&b, "a\0b", 3), 0);
    assert_int_equal(b.len, 15);
    assert_memory_equal(b.data + 12, "a\0b", 4);
    /* appending nothing to an empty buffer still yields a string */
    struct og_buf e = OG_BUF_INIT;
    assert_int_equal(og_buf_append(&e, "", 0), 0);
    assert_non_null(e.data);
    assert_string_equal(e.data, "");
    og_buf_free(&e);
    og_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
}

/* Growth to 1 MiB one byte at a time keeps every byte. */
static void test_growth(void **unused)
{
    (void)unused;
    struct og_buf b = OG_BUF_INIT;
    for (int i = 0; i < (1 << 20); i++)
        assert_int_equal(og_buf_putc(&b, (char)('a' + i % 26)), 0);
    assert_int_equal(b.len, 1 << 20);
    assert_int_equal(strlen(b.data), 1 << 20);
    for (int i = 0; i < (1 << 20); i += 4099)
        assert_int_equal(b.data[i], 'a' + i % 26);
    og_buf_free(&b);
}

/* Output below, at and beyond the 256-byte stack buffer og_buf_printf tries first, appended after
 * existing content. */
static void test_printf_long(void **unused)
{
    (void)unused;
    struct og_buf b = OG_BUF_INIT;
    char x[1001];
    memset(x, 'x', 1000);
    x[1000] = '\0';
    /* the output is sizes[k] + 3 bytes ("|42"): 251..254 put it at 254..257, around 256 */
    size_t sizes[] = {0, 1, 251, 252, 253, 254, 255, 300, 1000};
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        og_buf_reset(&b);
        assert_int_equal(og_buf_puts(&b, "head|"), 0);
        assert_int_equal(og_buf_printf(&b, "%.*s|%d", (int)sizes[k], x, 42), 0);
        size_t want = 5 + sizes[k] + 3;
        assert_int_equal(b.len, want);
        assert_int_equal(strlen(b.data), want);
        assert_memory_equal(b.data, "head|", 5);
        for (size_t i = 0; i < sizes[k]; i++)
            assert_int_equal(b.data[5 + i], 'x');
        assert_string_equal(b.data + 5 + sizes[k], "|42");
    }
    /* and a number format after a long text */
    og_buf_reset(&b);
    assert_int_equal(og_buf_printf(&b, "%s=%.3f", x, 116.5), 0);
    assert_int_equal(b.len, 1000 + 8);
    assert_string_equal(b.data + 1000, "=116.500");
    og_buf_free(&b);
}

static void test_reset_keeps_memory(void **unused)
{
    (void)unused;
    struct og_buf b = OG_BUF_INIT;
    assert_int_equal(og_buf_puts(&b, "some text"), 0);
    char *mem = b.data;
    size_t cap = b.cap;
    og_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.data, mem);
    assert_int_equal(b.cap, cap);
    assert_string_equal(b.data, "");
    assert_int_equal(og_buf_puts(&b, "new"), 0);
    assert_string_equal(b.data, "new");
    og_buf_free(&b);
    /* reset of a buffer that never held anything */
    struct og_buf e = OG_BUF_INIT;
    og_buf_reset(&e);
    assert_int_equal(e.len, 0);
    og_buf_free(&e);
    og_buf_free(&e); /* free twice is harmless: the first one leaves an empty buffer */
}

static void test_steal(void **unused)
{
    (void)unused;
    struct og_buf b = OG_BUF_INIT;
    assert_int_equal(og_buf_printf(&b, "%s-%03d", "run", 7), 0);
    char *s = og_buf_steal(&b);
    assert_string_equal(s, "run-007");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    /* the buffer can be used again, independently of the stolen string */
    assert_int_equal(og_buf_puts(&b, "second"), 0);
    assert_string_equal(b.data, "second");
    assert_string_equal(s, "run-007");
    free(s);
    og_buf_free(&b);
    /* stealing an empty buffer gives an empty string the caller frees, never NULL */
    struct og_buf e = OG_BUF_INIT;
    char *empty = og_buf_steal(&e);
    assert_non_null(empty);
    assert_string_equal(empty, "");
    free(empty);
}

static void test_reserve(void **unused)
{
    (void)unused;
    struct og_buf b = OG_BUF_INIT;
    assert_int_equal(og_buf_reserve(&b, 5000), 0);
    assert_true(b.cap >= 5001);
    char *mem = b.data;
    for (int i = 0; i < 5000; i++) /* no reallocation within the reserved room */
        og_buf_putc(&b, 'z');
    assert_ptr_equal(b.data, mem);
    assert_int_equal(b.len, 5000);
    og_buf_free(&b);
}

/* core/buf.c og_buf_reserve: `b->len + extra + 1 <= b->cap` wraps when extra is near SIZE_MAX, so
 * reserving SIZE_MAX on an empty buffer reports success (0) without any memory; og_buf_append with
 * such a length would then write out of bounds. A request that cannot be met must give OG_ENOMEM.
 */
static void test_reserve_overflow(void **unused)
{
    (void)unused;
    struct og_buf b = OG_BUF_INIT;
    assert_int_equal(og_buf_reserve(&b, SIZE_MAX), OG_ENOMEM);
    assert_int_equal(og_buf_puts(&b, "ab"), 0);
    assert_int_equal(og_buf_reserve(&b, SIZE_MAX - 1), OG_ENOMEM);
    assert_string_equal(b.data, "ab"); /* old content kept */
    og_buf_free(&b);
}

/* core/buf.c og_buf_reserve: the first allocation (realloc of NULL) leaves data[0] uninitialised,
 * so a buffer that was only reserved, or to which only "" was appended through a reserve
 * (loader/copy.c esc() of an empty first column), is not NUL-terminated as buf.h promises, and
 * og_buf_steal hands out an unterminated string. Fix: in og_buf_reserve, after a successful
 * realloc, write p[b->len] = '\0'. The heap is dirtied first so that the garbage is not a lucky
 * zero (under ASan new memory is filled with 0xbe anyway). */
static void test_reserve_terminates(void **unused)
{
    (void)unused;
    char *dirty = malloc(256);
    assert_non_null(dirty);
    memset(dirty, 'x', 256);
    free(dirty);
    struct og_buf b = OG_BUF_INIT;
    assert_int_equal(og_buf_reserve(&b, 10), 0);
    assert_non_null(b.data);
    assert_int_equal(b.data[0], '\0');
    char *s = og_buf_steal(&b);
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_puts_putc),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_printf_long),
        cmocka_unit_test(test_reset_keeps_memory),
        cmocka_unit_test(test_steal),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_reserve_overflow),
        cmocka_unit_test(test_reserve_terminates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
