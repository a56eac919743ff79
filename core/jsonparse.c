/* jsonparse.c - JSON text to Jansson values in one pass; see jsonparse.h. The grammar is RFC
 * 8259's, read strictly, and every rule below that differs from json_loadb() differs by declining
 * (returning NULL so that Jansson reads the text), never by accepting more. */
#include "core/jsonparse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct reader {
    const unsigned char *p, *end;
    size_t flags;
    char *tmp; /* strings with escapes are decoded here */
    size_t cap;
    char small[512];
};

static json_t *read_value(struct reader *r, int depth);

static inline void skip_space(struct reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
        r->p++;
}

/* Skips white space; then consumes c when it comes next. */
static bool eat(struct reader *r, char c)
{
    skip_space(r);
    if (r->p < r->end && *r->p == (unsigned char)c) {
        r->p++;
        return true;
    }
    return false;
}

static inline bool is_digit(unsigned c)
{
    return c >= '0' && c <= '9';
}

/* Length of the UTF-8 sequence at p (p[0] >= 0x80), 0 when it is not valid: a bad lead or
 * continuation byte, cut short, overlong, a surrogate or past U+10FFFF (Jansson's utf8_check_full).
 */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
    }
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0F;
    }
    else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
    }
    else
        return 0;
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && v < 0x800) || (n == 4 && v < 0x10000) || (v >= 0xD800 && v <= 0xDFFF) ||
        v > 0x10FFFF)
        return 0;
    return n;
}

/* the four hex digits at p (p + 4 <= end checked by the caller) */
static bool hex4(const unsigned char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i];
        v <<= 4;
        if (is_digit(c))
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return false;
    }
    *out = v;
    return true;
}

static size_t put_utf8(uint32_t cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* One escape at q (q[0] == '\\') decoded to o; returns the bytes of input read, 0 when declined
 * (an unknown escape, "\u0000", a lone or badly paired surrogate: Jansson's to judge). */
static size_t unescape(const unsigned char *q, const unsigned char *end, char *o, size_t *n)
{
    if (end - q < 2)
        return 0;
    static const char simple[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
    for (size_t i = 0; i + 1 < sizeof(simple); i += 2)
        if (q[1] == (unsigned char)simple[i]) {
            o[(*n)++] = simple[i + 1];
            return 2;
        }
    uint32_t cp, lo;
    if (q[1] != 'u' || end - q < 6 || !hex4(q + 2, &cp) || cp == 0 ||
        (cp >= 0xDC00 && cp <= 0xDFFF))
        return 0;
    if (cp < 0xD800 || cp > 0xDBFF) {
        *n += put_utf8(cp, o + *n);
        return 6;
    }
    if (end - q < 12 || q[6] != '\\' || q[7] != 'u' || !hex4(q + 8, &lo) || lo < 0xDC00 ||
        lo > 0xDFFF)
        return 0;
    *n += put_utf8(0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00), o + *n);
    return 12;
}

/* The string whose opening quote was just read: *out points into the input when the string has
 * no escape, else into r->tmp (valid until the next string). -1 when declined. */
static int read_string(struct reader *r, const char **out, size_t *len)
{
    const unsigned char *start = r->p, *q = r->p, *end = r->end;
    for (;;) {
        if (q >= end)
            return -1;
        unsigned c = *q;
        if (c == '"') {
            *out = (const char *)start;
            *len = (size_t)(q - start);
            r->p = q + 1;
            return 0;
        }
        if (c == '\\')
            break;
        if (c < 0x20)
            return -1;
        if (c < 0x80)
            q++;
        else {
            size_t k = utf8_len(q, end);
            if (!k)
                return -1;
            q += k;
        }
    }
    /* escapes: the decoded text is never longer than the input it comes from */
    size_t need = (size_t)(end - start);
    if (need > r->cap) {
        char *t = malloc(need);
        if (!t)
            return -1;
        if (r->tmp != r->small)
            free(r->tmp);
        r->tmp = t;
        r->cap = need;
    }
    size_t n = (size_t)(q - start);
    memcpy(r->tmp, start, n);
    while (q < end) {
        unsigned c = *q;
        if (c == '"') {
            *out = r->tmp;
            *len = n;
            r->p = q + 1;
            return 0;
        }
        if (c == '\\') {
            size_t k = unescape(q, end, r->tmp, &n);
            if (!k)
                return -1;
            q += k;
        }
        else if (c < 0x20)
            return -1;
        else if (c < 0x80)
            r->tmp[n++] = (char)*q++;
        else {
            size_t k = utf8_len(q, end);
            if (!k)
                return -1;
            memcpy(r->tmp + n, q, k);
            n += k;
            q += k;
        }
    }
    return -1;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? : an integer (no fraction, no exponent) of at
 * most 18 digits, or a real that strtod() reads whole and in range */
static json_t *read_number(struct reader *r)
{
    const unsigned char *start = r->p, *q = r->p, *end = r->end;
    bool neg = q < end && *q == '-';
    if (neg)
        q++;
    if (q >= end || !is_digit(*q))
        return NULL;
    const unsigned char *digits = q;
    if (*q == '0')
        q++;
    else
        while (q < end && is_digit(*q))
            q++;
    bool real = false;
    if (q < end && *q == '.') {
        real = true;
        if (++q >= end || !is_digit(*q))
            return NULL;
        while (q < end && is_digit(*q))
            q++;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        real = true;
        if (++q < end && (*q == '+' || *q == '-'))
            q++;
        if (q >= end || !is_digit(*q))
            return NULL;
        while (q < end && is_digit(*q))
            q++;
    }
    if (!real) {
        if (q - digits > 18)
            return NULL;
        long long v = 0;
        for (const unsigned char *d = digits; d < q; d++)
            v = v * 10 + (*d - '0');
        r->p = q;
        return json_integer(neg ? -v : v);
    }
    /* Clinger's fast path: a decimal without exponent of at most 15 digits is m / 10^k with m and
     * 10^k exact doubles, and one IEEE division rounds it as strtod does */
    static const double pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    if (!memchr(digits, 'e', (size_t)(q - digits)) && !memchr(digits, 'E', (size_t)(q - digits)) &&
        q - digits <= 16) {
        uint64_t m = 0;
        int k = 0;
        bool frac = false;
        for (const unsigned char *d = digits; d < q; d++) {
            if (*d == '.') {
                frac = true;
                continue;
            }
            m = m * 10 + (*d - '0');
            k += frac;
        }
        double v = (double)m / pow10[k];
        r->p = q;
        return json_real(neg ? -v : v);
    }
    char text[64];
    size_t n = (size_t)(q - start);
    if (n >= sizeof(text))
        return NULL;
    memcpy(text, start, n);
    text[n] = '\0';
    char *stop;
    errno = 0;
    double d = strtod(text, &stop);
    if (stop != text + n || errno == ERANGE)
        return NULL;
    r->p = q;
    return json_real(d);
}

static json_t *read_object(struct reader *r, int depth)
{
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    r->p++;
    if (eat(r, '}'))
        return obj;
    do {
        const char *key;
        size_t keylen;
        if (!eat(r, '"') || read_string(r, &key, &keylen) < 0)
            break;
        char *owned = NULL; /* a decoded key outlives r->tmp's next use: the value's strings */
        if (key == r->tmp) {
            if (!(owned = malloc(keylen + 1)))
                break;
            memcpy(owned, key, keylen);
            key = owned;
        }
        json_t *v = eat(r, ':') ? read_value(r, depth + 1) : NULL;
        size_t before = json_object_size(obj);
        int rc = v ? json_object_setn_new_nocheck(obj, key, keylen, v) : -1; /* takes v */
        free(owned);
        if (rc < 0 || ((r->flags & JSON_REJECT_DUPLICATES) && json_object_size(obj) == before))
            break;
        if (eat(r, '}'))
            return obj;
    } while (eat(r, ','));
    json_decref(obj);
    return NULL;
}

static json_t *read_array(struct reader *r, int depth)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    r->p++;
    if (eat(r, ']'))
        return arr;
    do {
        json_t *v = read_value(r, depth + 1);
        if (!v || json_array_append_new(arr, v) < 0) /* takes v */
            break;
        if (eat(r, ']'))
            return arr;
    } while (eat(r, ','));
    json_decref(arr);
    return NULL;
}

static bool read_word(struct reader *r, const char *word, size_t n)
{
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return false;
    r->p += n;
    return true;
}

static json_t *read_value(struct reader *r, int depth)
{
    skip_space(r);
    if (r->p >= r->end)
        return NULL;
    switch (*r->p) {
    case '{':
        return depth < OG_JSON_FAST_DEPTH ? read_object(r, depth) : NULL;
    case '[':
        return depth < OG_JSON_FAST_DEPTH ? read_array(r, depth) : NULL;
    case '"': {
        r->p++;
        const char *s;
        size_t n;
        return read_string(r, &s, &n) < 0 ? NULL : json_stringn_nocheck(s, n);
    }
    case 't':
        return read_word(r, "true", 4) ? json_true() : NULL;
    case 'f':
        return read_word(r, "false", 5) ? json_false() : NULL;
    case 'n':
        return read_word(r, "null", 4) ? json_null() : NULL;
    default:
        return read_number(r);
    }
}

json_t *og_json_fast(const char *buf, size_t len, size_t flags)
{
    if (!buf || (flags & ~(size_t)(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES)))
        return NULL;
    struct reader r;
    r.p = (const unsigned char *)buf;
    r.end = r.p + len;
    r.flags = flags;
    r.tmp = r.small;
    r.cap = sizeof(r.small);
    skip_space(&r);
    if (!(flags & JSON_DECODE_ANY) && (r.p >= r.end || (*r.p != '{' && *r.p != '[')))
        return NULL; /* Jansson's "'[' or '{' expected" */
    json_t *v = read_value(&r, 0);
    if (v) {
        skip_space(&r);
        if (r.p != r.end) { /* something after the value */
            json_decref(v);
            v = NULL;
        }
    }
    if (r.tmp != r.small)
        free(r.tmp);
    return v;
}

json_t *og_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *error)
{
    json_t *v = og_json_fast(buf, len, flags);
    return v ? v : json_loadb(buf, len, flags, error);
}
