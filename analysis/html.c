/* html.c - escaping text for HTML (see html.h). */
#include "analysis/html.h"

#include "core/error.h"
#include "core/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */

int og_html_escape_n(struct og_buf *out, const char *s, size_t n)
{
    if (!s)
        return 0;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        const char *rep = NULL;
        size_t len = 1;
        switch (c) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
                rep = REPLACEMENT;
            else if (c >= 0x80) {
                len = og_utf8_seq(p + i, n - i);
                if (len == 0) {
                    rep = REPLACEMENT;
                    len = 1;
                }
                else if (len == 2 && c == 0xC2 && p[i + 1] < 0xA0) /* C1 controls */
                    rep = REPLACEMENT;
            }
        }
        int rc = rep ? og_buf_puts(out, rep) : og_buf_append(out, p + i, len);
        if (rc < 0)
            return rc;
        i += len;
    }
    return 0;
}

int og_html_escape(struct og_buf *out, const char *s)
{
    return s ? og_html_escape_n(out, s, strlen(s)) : 0;
}

int og_html_printf(struct og_buf *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = NULL;
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (n < 0)
        return OG_ENOMEM;
    int rc = og_html_escape_n(out, text, (size_t)n);
    free(text);
    return rc;
}
