/* copy.c - COPY text-format encoding. */
#include "loader/copy.h"

#include "core/timefmt.h"

#include <stdio.h>
#include <string.h>

static int sep(struct og_buf *b, bool first)
{
    return first ? 0 : og_buf_putc(b, '\t');
}

/* COPY text escaping of s into b. */
static int esc(struct og_buf *b, const char *s)
{
    if (og_buf_reserve(b, strlen(s) + 8) < 0)
        return -2;
    for (const char *p = s; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '\\':
            rep = "\\\\";
            break;
        case '\t':
            rep = "\\t";
            break;
        case '\n':
            rep = "\\n";
            break;
        case '\r':
            rep = "\\r";
            break;
        default:
            break;
        }
        int rc = rep ? og_buf_puts(b, rep) : og_buf_putc(b, *p);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int og_copy_text(struct og_buf *b, bool first, const char *s)
{
    int rc = sep(b, first);
    if (rc < 0)
        return rc;
    return s ? esc(b, s) : og_buf_puts(b, "\\N");
}

int og_copy_double(struct og_buf *b, bool first, bool set, double v)
{
    int rc = sep(b, first);
    if (rc < 0)
        return rc;
    return set ? og_buf_printf(b, "%.10f", v) : og_buf_puts(b, "\\N");
}

int og_copy_int(struct og_buf *b, bool first, long long v)
{
    int rc = sep(b, first);
    return rc < 0 ? rc : og_buf_printf(b, "%lld", v);
}

int og_copy_bool(struct og_buf *b, bool first, signed char v)
{
    int rc = sep(b, first);
    if (rc < 0)
        return rc;
    return og_buf_puts(b, v < 0 ? "\\N" : v ? "t" : "f");
}

int og_copy_time(struct og_buf *b, bool first, bool set, int64_t us)
{
    int rc = sep(b, first);
    if (rc < 0)
        return rc;
    if (!set)
        return og_buf_puts(b, "\\N");
    char t[64];
    return og_buf_puts(b, og_time_format_pg(us, t, sizeof(t)));
}

int og_copy_text_array(struct og_buf *b, bool first, const char *const *items, size_t n)
{
    int rc = sep(b, first);
    if (rc < 0)
        return rc;
    struct og_buf a = OG_BUF_INIT;
    rc = og_buf_putc(&a, '{');
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i)
            rc = og_buf_putc(&a, ',');
        rc = rc ? rc : og_buf_putc(&a, '"');
        for (const char *p = items[i]; *p && rc == 0; p++) {
            if (*p == '"' || *p == '\\')
                rc = og_buf_putc(&a, '\\');
            rc = rc ? rc : og_buf_putc(&a, *p);
        }
        rc = rc ? rc : og_buf_putc(&a, '"');
    }
    rc = rc ? rc : og_buf_putc(&a, '}');
    if (rc == 0)
        rc = esc(b, a.data);
    og_buf_free(&a);
    return rc;
}

int og_copy_end_row(struct og_buf *b)
{
    return og_buf_putc(b, '\n');
}
