/* utf8.c - UTF-8 validation and sanitising copies. */
#include "core/utf8.h"
#include "core/buf.h"

size_t og_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    }
    else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    }
    else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

char *og_utf8_copy(const char *text, size_t len, size_t max)
{
    struct og_buf out = OG_BUF_INIT;
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len && out.len < max) {
        size_t n = og_utf8_seq(s + i, len - i);
        int rc = (n == 0 || s[i] == 0) ? og_buf_puts(&out, "\xEF\xBF\xBD")
                                       : og_buf_append(&out, s + i, n);
        if (rc < 0) {
            og_buf_free(&out);
            return NULL;
        }
        i += n ? n : 1;
    }
    return og_buf_steal(&out);
}
