/* feed.c - og-feedgen's shared feed helpers: tallies, Asia/Shanghai civil time, JSON strings and
 * the blocks of Kafka message lines. */
#include "tools/og-feedgen/feedgen.h"

#include "tools/common/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fg_tally_add(struct fg_tally *t, const char *name, long k)
{
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->names[i], name) == 0) {
            t->counts[i] += k;
            return;
        }
    }
    if (t->n < TALLY_MAX) {
        t->names[t->n] = name;
        t->counts[t->n++] = k;
    }
}

long fg_tally_get(const struct fg_tally *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->names[i], name) == 0) {
            return t->counts[i];
        }
    }
    return 0;
}

/* Civil time, Asia/Shanghai (+08:00, no DST). Times are minutes since 2020-02-01 00:00 local. */

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

struct fg_ltime {
    int y, mo, d, h, mi;
};

static struct fg_ltime ltime_of(int64_t minutes)
{
    struct fg_ltime t;
    int64_t days = days_from_civil(2020, 2, 1) + minutes / SPAN_DAY_MIN;
    int64_t rem = minutes % SPAN_DAY_MIN;
    civil_from_days(days, &t.y, &t.mo, &t.d);
    t.h = (int)(rem / 60);
    t.mi = (int)(rem % 60);
    return t;
}

/* "2020-02-03T14:05:00+08:00" */
void fg_fmt_iso(char *out, size_t size, int64_t minutes)
{
    struct fg_ltime t = ltime_of(minutes);
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:00+08:00", t.y, t.mo, t.d, t.h, t.mi);
}

/* "2020/2/3 9:05" */
void fg_fmt_fr_time(char *out, size_t size, int64_t minutes)
{
    struct fg_ltime t = ltime_of(minutes);
    snprintf(out, size, "%d/%d/%d %d:%02d", t.y, t.mo, t.d, t.h, t.mi);
}

/* "2020/2/3" */
void fg_fmt_fr_date(char *out, size_t size, int64_t minutes)
{
    struct fg_ltime t = ltime_of(minutes);
    snprintf(out, size, "%d/%d/%d", t.y, t.mo, t.d);
}

/* A time on day slot i of n spread over days [first_day, last_day], between hour lo and hour hi. */
int64_t fg_slot_time(struct og_tool_rng *r, long i, long n, int first_day, int last_day, int lo,
                     int hi)
{
    int span = last_day - first_day + 1;
    int day = first_day + (n > 0 ? (int)((i * (long)span) / n) : 0);
    return (int64_t)day * SPAN_DAY_MIN + og_tool_rng_range(r, lo * 60, hi * 60 + 59);
}

/* "2020-02-03 14:05:09" */
void fg_fmt_local(char *out, size_t size, int64_t minutes, int sec)
{
    struct fg_ltime t = ltime_of(minutes);
    snprintf(out, size, "%04d-%02d-%02d %02d:%02d:%02d", t.y, t.mo, t.d, t.h, t.mi, sec);
}

int64_t fg_epoch_ms(int64_t minutes)
{
    return (days_from_civil(2020, 2, 1) * SPAN_DAY_MIN + minutes - 8 * 60) * 60000;
}

void fg_civil_date(int64_t day, int *y, int *m, int *d)
{
    civil_from_days(day, y, m, d);
}

int64_t fg_days_from_civil(int y, int m, int d)
{
    return days_from_civil(y, m, d);
}

/* Appends s as a JSON string literal. */
void fg_cut_half(struct og_buf *b)
{
    size_t cut = b->len / 2;
    while (cut > 1 && b->data[cut] != ',')
        cut--;
    b->len = cut;
    b->data[cut] = '\0';
}

int fg_json_str(struct og_buf *b, const char *s)
{
    int rc = og_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; rc == 0 && *p; p++) {
        switch (*p) {
        case '"':
            rc = og_buf_puts(b, "\\\"");
            break;
        case '\\':
            rc = og_buf_puts(b, "\\\\");
            break;
        case '\n':
            rc = og_buf_puts(b, "\\n");
            break;
        case '\r':
            rc = og_buf_puts(b, "\\r");
            break;
        case '\t':
            rc = og_buf_puts(b, "\\t");
            break;
        default:
            if (*p < 0x20) {
                rc = og_buf_printf(b, "\\u%04x", *p);
            }
            else {
                rc = og_buf_putc(b, (char)*p);
            }
        }
    }
    return rc ? rc : og_buf_putc(b, '"');
}

/* Blocks of Kafka message lines. */

int fg_lines_add(struct fg_lines *ls, const char *key, const char *value, size_t len, int64_t at,
                 struct fg_line **out)
{
    if (og_tool_grow((void **)&ls->v, &ls->cap, ls->n + 1, sizeof *ls->v)) {
        return OG_ENOMEM;
    }
    size_t off = ls->text.len;
    int rc = og_buf_puts(&ls->text, key);
    rc = rc ? rc : og_buf_putc(&ls->text, '\t');
    rc = rc ? rc : og_buf_append(&ls->text, value, len);
    rc = rc ? rc : og_buf_putc(&ls->text, '\n');
    if (rc) {
        return rc;
    }
    struct fg_line *l = &ls->v[ls->n];
    memset(l, 0, sizeof *l);
    l->at = at;
    l->seq = (long)ls->n;
    l->off = off;
    l->len = ls->text.len - off;
    ls->n++;
    if (out) {
        *out = l;
    }
    return 0;
}

static int cmp_line(const void *a, const void *b)
{
    const struct fg_line *x = a, *y = b;
    if (x->at != y->at) {
        return x->at < y->at ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void fg_lines_sort(struct fg_lines *ls)
{
    if (ls->n > 1) {
        qsort(ls->v, ls->n, sizeof *ls->v, cmp_line);
    }
}

int fg_lines_write(const struct fg_lines *ls, FILE *f)
{
    for (size_t i = 0; i < ls->n; i++) {
        if (fwrite(ls->text.data + ls->v[i].off, 1, ls->v[i].len, f) != ls->v[i].len) {
            return OG_EIO;
        }
    }
    return 0;
}

void fg_lines_reset(struct fg_lines *ls)
{
    og_buf_reset(&ls->text);
    ls->n = 0;
}

void fg_lines_free(struct fg_lines *ls)
{
    og_buf_free(&ls->text);
    free(ls->v);
    ls->v = NULL;
    ls->n = ls->cap = 0;
}
