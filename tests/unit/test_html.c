/* test_html.c - unit tests for analysis/html.c: escaping for HTML text and attribute values,
 * Chinese kept as it is, broken UTF-8 and forbidden control characters replaced. */
#include "analysis/html.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static char *escaped(struct og_buf *b, const char *s)
{
    og_buf_reset(b);
    assert_int_equal(og_html_escape(b, s), 0);
    return b->data ? b->data : "";
}

static void test_markup_characters(void **unused)
{
    (void)unused;
    struct og_buf b = OG_BUF_INIT;
    assert_string_equal(escaped(&b, "<script>alert('x')</script>"),
                        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    assert_string_equal(escaped(&b, "a \"b\" & c"), "a &quot;b&quot; &amp; c");
    assert_string_equal(escaped(&b, "&amp;"), "&amp;amp;"); /* escaped once more, not trusted */
    assert_string_equal(escaped(&b, ""), "");
    og_buf_reset(&b);
    assert_int_equal(og_html_escape(&b, NULL), 0);
    assert_int_equal(b.len, 0);
    og_buf_free(&b);
}

static void test_chinese_kept(void **unused)
{
    (void)unused;
    struct og_buf b = OG_BUF_INIT;
    assert_string_equal(escaped(&b, "新湖居委会第1网格 <金平区>"),
                        "新湖居委会第1网格 &lt;金平区&gt;");
    assert_string_equal(escaped(&b, "鮀江街道 𠀀"), "鮀江街道 𠀀"); /* 4-byte sequences too */
    og_buf_free(&b);
}

static void test_bad_bytes_replaced(void **unused)
{
    (void)unused;
    struct og_buf b = OG_BUF_INIT;
    /* a GB18030 byte pair that is not UTF-8, a lone continuation byte, a cut sequence */
    assert_string_equal(escaped(&b, "a\xBD\xF0z"), "a\xEF\xBF\xBD\xEF\xBF\xBDz");
    assert_string_equal(escaped(&b, "\x80"), "\xEF\xBF\xBD");
    assert_string_equal(escaped(&b, "\xE9\x87"), "\xEF\xBF\xBD\xEF\xBF\xBD");
    /* controls: tab, newline, return kept; the rest, DEL and C1 replaced */
    assert_string_equal(escaped(&b, "a\tb\nc\rd"), "a\tb\nc\rd");
    assert_string_equal(escaped(&b, "\x01\x1b\x7f"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_string_equal(escaped(&b, "\xC2\x85|\xC2\xA0"), "\xEF\xBF\xBD|\xC2\xA0");
    /* an embedded NUL in a counted string */
    og_buf_reset(&b);
    assert_int_equal(og_html_escape_n(&b, "a\0b", 3), 0);
    assert_string_equal(b.data, "a\xEF\xBF\xBD"
                                "b");
    og_buf_free(&b);
}

static void test_printf(void **unused)
{
    (void)unused;
    struct og_buf b = OG_BUF_INIT;
    assert_int_equal(og_html_printf(&b, "%s: %d", "<a>", 3), 0);
    assert_string_equal(b.data, "&lt;a&gt;: 3");
    og_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markup_characters),
        cmocka_unit_test(test_chinese_kept),
        cmocka_unit_test(test_bad_bytes_replaced),
        cmocka_unit_test(test_printf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
