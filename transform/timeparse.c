/* timeparse.c - source time parsing into UTC microseconds, by pure calendar arithmetic (no TZ, no
 * locale, no mktime). */
#include "transform/timeparse.h"

#include "core/timefmt.h"
#include "transform/timescan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- error messages ------------------------------------------------------------------------- */

/* Copies at most ~60 bytes of s into dst for quoting in a message: control characters become
 * '?', '"' and '\' are escaped, a cut never splits a UTF-8 sequence, "..." marks a cut. */
static void quote_text(char *dst, size_t size, const char *s, size_t n)
{
    size_t o = 0, i = 0;
    const size_t limit = size < 72 ? size : 72;
    while (i < n && s[i]) {
        unsigned char c = (unsigned char)s[i];
        size_t k = 1;
        if (c >= 0xC0)
            while (i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80 && k < 4)
                k++;
        size_t need = (c == '"' || c == '\\') ? 2 : k;
        if (o + need + 4 > limit) {
            memcpy(dst + o, "...", 3);
            o += 3;
            break;
        }
        if (c == '"' || c == '\\') {
            dst[o++] = '\\';
            dst[o++] = (char)c;
        }
        else if (c < 0x20 || c == 0x7F) {
            dst[o++] = '?';
        }
        else {
            memcpy(dst + o, s + i, k);
            o += k;
        }
        i += k;
    }
    dst[o] = '\0';
}

struct ctx {
    const char *text;   /* the whole input, as given */
    const char *format; /* as given */
    struct og_error *err;
    const struct og_zone *zone; /* local times are in zone, or without one at fixed_min */
    int fixed_min;              /* minutes east of UTC */
};

static int fail(const struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(const struct ctx *c, const char *fmt, ...)
{
    char why[200], qt[80], qf[80];
    va_list ap;
    va_start(ap, fmt);
    if (vsnprintf(why, sizeof(why), fmt, ap) < 0)
        why[0] = '\0';
    va_end(ap);
    quote_text(qt, sizeof(qt), c->text, strlen(c->text));
    quote_text(qf, sizeof(qf), c->format, strlen(c->format));
    return og_error_set(c->err, OG_EPARSE, OG_CLASS_REJECT, OG_R_INVALID_TIME,
                        "invalid time \"%s\" for format \"%s\": %s", qt, qf, why);
}

/* ---- field values and the instant ----------------------------------------------------------- */

struct fields {
    int y, mo, d, h, mi, s;
    int64_t us;
    bool has_off;
    int off;
};

static int to_instant(const struct ctx *c, const struct fields *f, int64_t *out)
{
    if (f->y < 1 || f->y > 9999)
        return fail(c, "year %d out of range", f->y);
    if (f->mo < 1 || f->mo > 12)
        return fail(c, "month %d out of range", f->mo);
    if (f->d < 1 || f->d > days_in_month(f->y, f->mo))
        return fail(c, "day %d out of range for %04d-%02d", f->d, f->y, f->mo);
    if (f->h > 23)
        return fail(c, "hour %d out of range", f->h);
    if (f->mi > 59)
        return fail(c, "minute %d out of range", f->mi);
    if (f->s > 59)
        return fail(c, "second %d out of range", f->s);
    int64_t local =
        og_days_from_civil(f->y, f->mo, f->d) * OG_DAY_S + f->h * 3600 + f->mi * 60 + f->s;
    int64_t secs = 0;
    if (f->has_off)
        secs = local - (int64_t)f->off * 60;
    else if (!c->zone)
        secs = local - (int64_t)c->fixed_min * 60;
    else if (og_zone_local_to_utc(c->zone, local, &secs) < 0)
        return fail(c, "%04d-%02d-%02d %02d:%02d:%02d does not exist in %s (clocks moved forward)",
                    f->y, f->mo, f->d, f->h, f->mi, f->s, og_zone_name(c->zone));
    *out = secs * OG_US_PER_S + f->us;
    return 0;
}

/* ---- patterns ------------------------------------------------------------------------------- */

enum field_id { F_YEAR, F_MONTH, F_DAY, F_HOUR, F_HOUR12, F_AMPM, F_MIN, F_SEC, F_MILLI, F_COUNT };

struct token {
    bool is_field;
    enum field_id field;
    int min, max;    /* digits, for a field */
    const char *lit; /* literal bytes, for a literal */
    size_t lit_len;
    char name[8]; /* the pattern letters, for messages */
};

/* Reads the next token of pattern *fp. Returns 1 with *t, 0 at the end, OG_EINVAL (err set) on a
 * malformed pattern. */
static int next_token(const char **fp, struct token *t, const char *format, struct og_error *err)
{
    const char *p = *fp;
    if (!*p)
        return 0;
    memset(t, 0, sizeof(*t));
    if (*p == '\'') {
        if (p[1] == '\'') { /* '' is one quote */
            t->lit = p + 1;
            t->lit_len = 1;
            *fp = p + 2;
            return 1;
        }
        const char *end = strchr(p + 1, '\'');
        if (!end || end == p + 1)
            return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_TIME_FORMAT,
                                "time format \"%s\": unterminated or empty quoted text", format);
        t->lit = p + 1;
        t->lit_len = (size_t)(end - p - 1);
        *fp = end + 1;
        return 1;
    }
    char ch = *p;
    bool letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    if (!letter || ch == 'T') {
        t->lit = p;
        t->lit_len = 1;
        *fp = p + 1;
        return 1;
    }
    int n = 0;
    while (p[n] == ch)
        n++;
    static const struct {
        char ch;
        enum field_id field;
        int min_run, max_run;
    } letters[] = {
        {'y', F_YEAR, 4, 4}, {'M', F_MONTH, 1, 2},  {'d', F_DAY, 1, 2},
        {'H', F_HOUR, 1, 2}, {'h', F_HOUR12, 1, 2}, {'a', F_AMPM, 1, 1},
        {'m', F_MIN, 1, 2},  {'s', F_SEC, 1, 2},    {'S', F_MILLI, 3, 3},
    };
    for (size_t i = 0; i < sizeof(letters) / sizeof(letters[0]); i++) {
        if (letters[i].ch != ch)
            continue;
        if (n < letters[i].min_run || n > letters[i].max_run)
            break;
        t->is_field = true;
        t->field = letters[i].field;
        /* A single letter reads 1-2 digits; a doubled one exactly 2; yyyy 4 and SSS 3. */
        t->min = n == 1 ? 1 : n;
        t->max = n == 1 ? 2 : n;
        snprintf(t->name, sizeof(t->name), "%.*s", n, p);
        *fp = p + n;
        return 1;
    }
    og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_TIME_FORMAT,
                 "time format \"%s\": unknown pattern \"%.*s\"", format, n > 8 ? 8 : n, p);
    og_error_hint(err,
                  "use yyyy, M or MM, d or dd, H or HH, h or hh with a, m or mm, s or ss, SSS, "
                  "quoted 'text', or one of iso8601, hl7_ts, epoch_ms, epoch_s");
    return OG_EINVAL;
}

static int pattern_check(const char *format, struct og_error *err)
{
    bool seen[F_COUNT] = {false};
    struct token t;
    const char *p = format;
    int rc;
    while ((rc = next_token(&p, &t, format, err)) == 1) {
        if (!t.is_field)
            continue;
        if (seen[t.field])
            return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_TIME_FORMAT,
                                "time format \"%s\": field \"%s\" appears twice", format, t.name);
        seen[t.field] = true;
    }
    if (rc < 0)
        return rc;
    if (!seen[F_YEAR] || !seen[F_MONTH] || !seen[F_DAY])
        return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_TIME_FORMAT,
                            "time format \"%s\": needs yyyy, M (or MM) and d (or dd)", format);
    if (seen[F_HOUR12] != seen[F_AMPM] || (seen[F_HOUR] && seen[F_HOUR12]))
        return og_error_set(
            err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_TIME_FORMAT, "time format \"%s\": %s", format,
            seen[F_HOUR] && seen[F_HOUR12] ? "give the hour once: H (0-23) or h (1-12, with a)"
                                           : "h (hour 1-12) and a (AM or PM) go together");
    return 0;
}

/* An AM/PM marker at *p (AM, PM in any case, 上午, 下午): true with *pm, advancing *p. */
static bool ampm(const char **p, bool *pm)
{
    static const struct {
        const char *text;
        bool pm;
    } marks[] = {{"AM", false},
                 {"PM", true},
                 {"\xE4\xB8\x8A\xE5\x8D\x88", false} /* 上午 */,
                 {"\xE4\xB8\x8B\xE5\x8D\x88", true} /* 下午 */};
    for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
        size_t n = strlen(marks[i].text);
        if (strncasecmp(*p, marks[i].text, n) == 0) {
            *pm = marks[i].pm;
            *p += n;
            return true;
        }
    }
    return false;
}

static int pattern_parse(const struct ctx *c, const char *s, int64_t *out)
{
    struct fields f = {0};
    struct token t;
    const char *fp = c->format, *p = s;
    int rc, h12 = -1;
    bool pm = false;
    while ((rc = next_token(&fp, &t, c->format, NULL)) == 1) {
        size_t at = (size_t)(p - s);
        if (!t.is_field) {
            if (strncmp(p, t.lit, t.lit_len) != 0)
                return fail(c, "expected \"%.*s\" at offset %zu", (int)t.lit_len, t.lit, at);
            p += t.lit_len;
            continue;
        }
        if (t.field == F_AMPM) {
            if (!ampm(&p, &pm))
                return fail(c, "expected AM or PM at offset %zu", at);
            continue;
        }
        int v;
        if (!digits(&p, t.min, t.max, &v)) {
            if (t.min == t.max)
                return fail(c, "expected %d digit%s for %s at offset %zu", t.min,
                            t.min == 1 ? "" : "s", t.name, at);
            return fail(c, "expected %d to %d digits for %s at offset %zu", t.min, t.max, t.name,
                        at);
        }
        switch (t.field) {
        case F_YEAR:
            f.y = v;
            break;
        case F_MONTH:
            f.mo = v;
            break;
        case F_DAY:
            f.d = v;
            break;
        case F_HOUR:
            f.h = v;
            break;
        case F_HOUR12:
            h12 = v;
            break;
        case F_MIN:
            f.mi = v;
            break;
        case F_SEC:
            f.s = v;
            break;
        default:
            f.us = (int64_t)v * 1000;
            break;
        }
    }
    if (rc < 0)
        return og_error_set(c->err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_TIME_FORMAT,
                            "invalid time format \"%s\"", c->format);
    if (*p)
        return fail(c, "unexpected text at offset %zu", (size_t)(p - s));
    if (h12 >= 0) { /* 12 AM is 00, 12 PM is 12 */
        if (h12 < 1 || h12 > 12)
            return fail(c, "hour %d out of range for a 12-hour clock (1-12)", h12);
        f.h = h12 % 12 + (pm ? 12 : 0);
    }
    return to_instant(c, &f, out);
}

/* ---- iso8601 and epochs --------------------------------------------------------------------- */

static int iso_parse(const struct ctx *c, const char *s, int64_t *out)
{
    struct fields f = {0};
    const char *p = s;
#define AT ((size_t)(p - s))
    if (!digits(&p, 4, 4, &f.y))
        return fail(c, "expected a 4-digit year at offset %zu", AT);
    if (*p++ != '-' || !digits(&p, 2, 2, &f.mo))
        return fail(c, "expected \"-MM\" month at offset %zu", AT - 1);
    if (*p++ != '-' || !digits(&p, 2, 2, &f.d))
        return fail(c, "expected \"-DD\" day at offset %zu", AT - 1);
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(&p, 2, 2, &f.h))
            return fail(c, "expected a 2-digit hour at offset %zu", AT);
        if (*p++ != ':' || !digits(&p, 2, 2, &f.mi))
            return fail(c, "expected \":mm\" minutes at offset %zu", AT - 1);
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, 2, &f.s))
                return fail(c, "expected 2-digit seconds at offset %zu", AT);
            if (*p == '.' || *p == ',') {
                p++;
                int n = 0;
                int64_t us = 0;
                while (is_digit(p[n]) && n < 9) {
                    if (n < 6)
                        us = us * 10 + (p[n] - '0');
                    n++;
                }
                if (n == 0)
                    return fail(c, "expected fraction digits at offset %zu", AT);
                for (int k = n; k < 6; k++)
                    us *= 10;
                f.us = us;
                p += n;
            }
        }
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
        f.has_off = true;
        f.off = 0;
    }
    else if (*p == '+' || *p == '-') {
        if (!offset_scan(&p, &f.off))
            return fail(c, "invalid UTC offset at offset %zu", AT);
        f.has_off = true;
    }
    if (*p)
        return fail(c, "unexpected text at offset %zu", AT);
#undef AT
    return to_instant(c, &f, out);
}

/* Up to 9 fraction digits at *p (after the separator) into microseconds; false when none. */
static bool fraction_us(const char **p, int64_t *us)
{
    int n = 0;
    int64_t v = 0;
    while (is_digit((*p)[n]) && n < 9) {
        if (n < 6)
            v = v * 10 + ((*p)[n] - '0');
        n++;
    }
    if (n == 0)
        return false;
    for (int k = n; k < 6; k++)
        v *= 10;
    *us = v;
    *p += n;
    return true;
}

/* HL7 v2 DTM / v3 TS: YYYY[MM[DD[HH[MM[SS[.fraction]]]]]][+-hhmm]. */
static int hl7_parse(const struct ctx *c, const char *s, int64_t *out)
{
    struct fields f = {.mo = 1, .d = 1};
    const char *p = s;
#define AT ((size_t)(p - s))
    if (!digits(&p, 4, 4, &f.y))
        return fail(c, "expected a 4-digit year at offset %zu", AT);
    int *parts[] = {&f.mo, &f.d, &f.h, &f.mi, &f.s};
    static const char *const names[] = {"month", "day", "hour", "minute", "second"};
    int n = 0;
    for (; n < 5 && is_digit(*p); n++)
        if (!digits(&p, 2, 2, parts[n]))
            return fail(c, "expected a 2-digit %s at offset %zu", names[n], AT);
    if (*p == '.') {
        if (n < 5)
            return fail(c, "a fraction at offset %zu needs the seconds before it", AT);
        p++;
        if (!fraction_us(&p, &f.us))
            return fail(c, "expected fraction digits at offset %zu", AT);
    }
    if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, v;
        size_t at = AT;
        p++;
        if (!digits(&p, 4, 4, &v) || v % 100 > 59 || (v / 100) * 60 + v % 100 > OG_MAX_OFFSET_MIN)
            return fail(c, "invalid UTC offset at offset %zu (expected +hhmm or -hhmm)", at);
        f.has_off = true;
        f.off = sign * ((v / 100) * 60 + v % 100);
    }
    if (*p)
        return fail(c, "unexpected text at offset %zu", AT);
#undef AT
    return to_instant(c, &f, out);
}

static int epoch_parse(const struct ctx *c, const char *s, int64_t unit_us, int64_t *out)
{
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (!is_digit(*p))
        return fail(c, "expected an integer");
    int64_t v = 0;
    const int64_t limit = INT64_MAX / unit_us;
    for (; is_digit(*p); p++) {
        int dg = *p - '0';
        if (v > (limit - dg) / 10)
            return fail(c, "value out of range");
        v = v * 10 + dg;
    }
    if (*p)
        return fail(c, "unexpected text at offset %zu", (size_t)(p - s));
    *out = (neg ? -v : v) * unit_us;
    return 0;
}

/* ---- public --------------------------------------------------------------------------------- */

static bool is_space(char ch)
{
    return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

int og_time_format_check(const char *format, struct og_error *err)
{
    if (!format || !*format)
        return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_TIME_FORMAT,
                            "empty time format");
    if (!strcmp(format, "iso8601") || !strcmp(format, "hl7_ts") || !strcmp(format, "epoch_ms") ||
        !strcmp(format, "epoch_s"))
        return 0;
    return pattern_check(format, err);
}

/* Parses s by format with local times as c says (c->text, c->format are set by the caller). */
static int parse(struct ctx *c, int64_t *out)
{
    int rc = og_time_format_check(c->format, c->err);
    if (rc < 0)
        return rc;
    /* Trim surrounding spaces into a bounded copy; longer input cannot be a time. */
    char buf[128];
    const char *b = c->text, *e = b + strlen(b);
    while (b < e && is_space(*b))
        b++;
    while (e > b && is_space(e[-1]))
        e--;
    if (b == e)
        return fail(c, "empty");
    if ((size_t)(e - b) >= sizeof(buf))
        return fail(c, "too long");
    memcpy(buf, b, (size_t)(e - b));
    buf[e - b] = '\0';

    if (!strcmp(c->format, "iso8601"))
        return iso_parse(c, buf, out);
    if (!strcmp(c->format, "hl7_ts"))
        return hl7_parse(c, buf, out);
    if (!strcmp(c->format, "epoch_ms"))
        return epoch_parse(c, buf, 1000, out);
    if (!strcmp(c->format, "epoch_s"))
        return epoch_parse(c, buf, OG_US_PER_S, out);
    return pattern_parse(c, buf, out);
}

int og_time_parse_zone(const char *s, const char *format, const struct og_zone *zone, int64_t *out,
                       struct og_error *err)
{
    struct ctx c = {.text = s ? s : "", .format = format, .err = err, .zone = zone};
    return parse(&c, out);
}

int og_time_parse(const char *s, const char *format, int offset_min, int64_t *out,
                  struct og_error *err)
{
    if (offset_min < -OG_MAX_OFFSET_MIN || offset_min > OG_MAX_OFFSET_MIN) {
        int rc = og_time_format_check(format, err);
        if (rc < 0)
            return rc;
        return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_TIME_FORMAT,
                            "default UTC offset %d minutes out of range", offset_min);
    }
    struct ctx c = {.text = s ? s : "", .format = format, .err = err, .fixed_min = offset_min};
    return parse(&c, out);
}
