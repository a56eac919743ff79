/* buf.c - growable byte buffer. */
#include "core/buf.h"
#include "core/error.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int og_buf_reserve(struct og_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        return OG_ENOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p)
        return OG_ENOMEM;
    b->data = p;
    b->cap = cap;
    p[b->len] = '\0';
    return 0;
}

int og_buf_append(struct og_buf *b, const void *data, size_t n)
{
    if (og_buf_reserve(b, n) < 0)
        return OG_ENOMEM;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int og_buf_puts(struct og_buf *b, const char *s)
{
    return og_buf_append(b, s, strlen(s));
}

int og_buf_putc(struct og_buf *b, char c)
{
    if (b->len + 2 > b->cap && og_buf_reserve(b, 1) < 0) /* room for c and the NUL */
        return OG_ENOMEM;
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return 0;
}

int og_buf_printf(struct og_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return OG_EINVAL;
    if ((size_t)n < sizeof(small))
        return og_buf_append(b, small, (size_t)n);
    if (og_buf_reserve(b, (size_t)n) < 0)
        return OG_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void og_buf_reset(struct og_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void og_buf_free(struct og_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *og_buf_steal(struct og_buf *b)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
