/* copy.c - COPY text-format encoding. */
#include "loader/copy.h"

#include "core/error.h"
#include "core/timefmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sep(struct og_buf *b, bool first)
{
    return first ? 0 : og_buf_putc(b, '\t');
}

/* COPY text escaping of s into b, in one pass: room for 64 bytes of input escaped is reserved, and
 * they are copied and escaped while no NUL comes (most values are short: a hash, a code, a name).
 */
static int esc(struct og_buf *b, const char *s)
{
    enum { CHUNK = 64 };
    for (;;) {
        if (og_buf_reserve(b, 2 * CHUNK) < 0)
            return OG_ENOMEM;
        char *o = b->data + b->len;
        for (int i = 0; i < CHUNK; i++) {
            char c = *s++;
            if (c == '\0') {
                b->len = (size_t)(o - b->data);
                *o = '\0';
                return 0;
            }
            if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
                *o++ = '\\';
                c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
            }
            *o++ = c;
        }
        b->len = (size_t)(o - b->data);
        *o = '\0';
    }
}

int og_copy_text(struct og_buf *b, bool first, const char *s)
{
    int rc = sep(b, first);
    if (rc < 0)
        return rc;
    return s ? esc(b, s) : og_buf_puts(b, "\\N");
}

/* v * 10^digits (digits 0..10) rounded as printf's "%.<digits>f" rounds (the exact binary value,
 * ties to even), with the sign apart: true when |v| < 1e8 (so that it fits), false otherwise (and
 * for NaN, infinities). */
static bool fixed(double v, int digits, bool *neg, uint64_t *q)
{
    __extension__ typedef unsigned __int128 u128;
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    *neg = bits >> 63;
    int e = (int)((bits >> 52) & 0x7FF);
    uint64_t m = bits & ((UINT64_C(1) << 52) - 1);
    if (e == 0x7FF || (e && fabs(v) >= 1e8))
        return false;
    if (e)
        m |= UINT64_C(1) << 52;
    else
        e = 1;            /* subnormal */
    int shift = 1075 - e; /* |v| = m / 2^shift, shift > 0 below 2^52 */
    uint64_t scale = 1;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    u128 n = (u128)m * scale;
    if (shift >= 127) {
        *q = 0; /* far below 0.5e-10 (n < 2^(53+34)) */
        return true;
    }
    u128 whole = n >> shift, rest = n - (whole << shift), half = (u128)1 << (shift - 1);
    if (rest > half || (rest == half && (whole & 1)))
        whole++;
    *q = (uint64_t)whole;
    return true;
}

/* Appends "%.<digits>f" of v (digits 0..10). */
static int put_fixed(struct og_buf *b, double v, int digits)
{
    bool neg;
    uint64_t q;
    if (!fixed(v, digits, &neg, &q))
        return og_buf_printf(b, "%.*f", digits, v);
    char text[40], *p = text + sizeof(text);
    for (int i = 0; i < digits; i++, q /= 10)
        *--p = (char)('0' + q % 10);
    if (digits)
        *--p = '.';
    do
        *--p = (char)('0' + q % 10);
    while (q /= 10);
    if (neg)
        *--p = '-';
    return og_buf_append(b, p, (size_t)(text + sizeof(text) - p));
}

int og_copy_double(struct og_buf *b, bool first, bool set, double v)
{
    int rc = sep(b, first);
    if (rc < 0)
        return rc;
    return set ? put_fixed(b, v, 10) : og_buf_puts(b, "\\N");
}

int og_copy_decimal(struct og_buf *b, bool first, bool set, double v, int digits)
{
    int rc = sep(b, first);
    if (rc < 0)
        return rc;
    if (digits < 0 || digits > 10)
        return og_buf_printf(b, "%.*f", digits < 0 ? 0 : digits, v);
    return set ? put_fixed(b, v, digits) : og_buf_puts(b, "\\N");
}

/* v as og_copy_double writes it, read back: q / 1e10 is that number's nearest double when q is
 * exact as a double (IEEE division rounds correctly), as strtod would read it. */
static double as_written(double v)
{
    bool neg;
    uint64_t q;
    if (fixed(v, 10, &neg, &q) && q < (UINT64_C(1) << 53))
        return (neg ? -1.0 : 1.0) * ((double)q / 1e10);
    char text[400];
    snprintf(text, sizeof(text), "%.10f", v);
    return strtod(text, NULL);
}

/* The 8 bytes of v, least significant first, as hex (WKB byte order 1, whatever the host's). */
static void hex_le_double(char *out, double v)
{
    static const char hex[] = "0123456789ABCDEF";
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    for (int i = 0; i < 8; i++, bits >>= 8) {
        out[2 * i] = hex[(bits >> 4) & 0xF];
        out[2 * i + 1] = hex[bits & 0xF];
    }
}

int og_copy_point(struct og_buf *b, bool first, bool set, double lon, double lat)
{
    int rc = sep(b, first);
    if (rc < 0 || !set)
        return rc < 0 ? rc : og_buf_puts(b, "\\N");
    /* little-endian, type 1 (point) with the SRID flag 0x20000000, SRID 4326, x, y */
    char text[18 + 32 + 1] = "0101000020E6100000";
    hex_le_double(text + 18, as_written(lon));
    hex_le_double(text + 34, as_written(lat));
    text[50] = '\0';
    return og_buf_puts(b, text);
}

int og_copy_int(struct og_buf *b, bool first, long long v)
{
    int rc = sep(b, first);
    if (rc < 0)
        return rc;
    /* digits from the end, the magnitude as unsigned (LLONG_MIN has no positive) */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    char text[24], *p = text + sizeof(text);
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    return og_buf_append(b, p, (size_t)(text + sizeof(text) - p));
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

int og_copy_date(struct og_buf *b, bool first, bool set, int64_t us)
{
    int rc = sep(b, first);
    if (rc < 0)
        return rc;
    if (!set)
        return og_buf_puts(b, "\\N");
    char t[64];
    og_time_format_pg(us, t, sizeof(t));
    size_t n = strcspn(t, " ");
    rc = og_buf_append(b, t, n);
    size_t len = strlen(t);
    return rc < 0 ? rc : len >= 3 && strcmp(t + len - 3, " BC") == 0 ? og_buf_puts(b, " BC") : 0;
}

int og_array_item(struct og_buf *b, bool first, const char *s)
{
    int rc = og_buf_puts(b, first ? "\"" : ",\"");
    for (const char *p = s; *p && rc == 0; p++) {
        if (*p == '"' || *p == '\\')
            rc = og_buf_putc(b, '\\');
        rc = rc ? rc : og_buf_putc(b, *p);
    }
    return rc ? rc : og_buf_putc(b, '"');
}

int og_copy_text_array(struct og_buf *b, bool first, const char *const *items, size_t n)
{
    int rc = sep(b, first);
    if (rc < 0 || n == 0)
        return rc < 0 ? rc : og_buf_append(b, "{}", 2);
    struct og_buf a = OG_BUF_INIT;
    rc = og_buf_putc(&a, '{');
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = og_array_item(&a, i == 0, items[i]);
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
