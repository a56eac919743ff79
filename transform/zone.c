/* zone.c - time zones for local times: fixed offsets, IANA zones read from the tz database's TZif
 * files (RFC 8536), POSIX TZ rules; pure arithmetic (no TZ, no localtime). */
#include "transform/zone.h"

#include "core/timefmt.h"
#include "transform/timescan.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ZONEINFO_DIR                                                                               \
    "/usr/share/zoneinfo"           /* the tz database (Debian: tzdata, priority required)         \
                                     */
#define TZIF_MAX_BYTES (256 * 1024) /* the largest zone file is about 4 KiB */

int og_zone_offset(const char *zone, int *offset_min)
{
    static const char *const cst[] = {"Asia/Shanghai", "PRC", "Asia/Chongqing", "CST8"};
    if (!zone)
        return OG_EINVAL;
    for (size_t i = 0; i < sizeof(cst) / sizeof(cst[0]); i++) {
        if (!strcmp(zone, cst[i])) {
            *offset_min = 480;
            return 0;
        }
    }
    if (!strcasecmp(zone, "UTC") || !strcasecmp(zone, "Z")) {
        *offset_min = 0;
        return 0;
    }
    const char *p = zone;
    int off;
    if (offset_scan(&p, &off) && *p == '\0') {
        *offset_min = off;
        return 0;
    }
    return OG_EINVAL;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* A POSIX TZ rule date: Jn (1-365, February 29 never counted), n (0-365, counted) or Mm.w.d (day d
 * (0 Sunday) of week w (5: the last) of month m), at a local time. */
struct tz_date {
    char kind; /* 'J', 'n' or 'M' */
    int n, m, w, d;
    int32_t time; /* seconds after local midnight, -167 h to 167 h (RFC 8536); default 02:00 */
};

struct tz_rule {
    int32_t std_off, dst_off; /* seconds east of UTC */
    bool has_dst;
    struct tz_date start, end; /* start: in standard time; end: in daylight time */
};

struct og_zone {
    char name[64];
    bool has_rules; /* false: the fixed offset */
    int32_t fixed;  /* seconds east of UTC, without rules */
    int64_t *at;    /* tz database transitions, UTC seconds, strictly ascending */
    int32_t *off;   /* the offset from at[i] on */
    size_t n;       /* transitions (may be 0) */
    int32_t off0;   /* the offset before at[0] (the file's first local time type) */
    bool has_tail;  /* a POSIX rule from the last transition on (or always when n == 0) */
    struct tz_rule tail;
};

/* A zone name: 3+ letters, or <3+ of [A-Za-z0-9+-]>. */
static bool tz_abbr(const char **p)
{
    const char *q = *p, *s;
    if (*q == '<') {
        s = ++q;
        while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || is_digit(*q) || *q == '+' ||
               *q == '-')
            q++;
        if (*q != '>' || q - s < 3)
            return false;
        *p = q + 1;
        return true;
    }
    s = q;
    while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z'))
        q++;
    if (q - s < 3)
        return false;
    *p = q;
    return true;
}

/* [+-]h[h[h]][:mm[:ss]] with hours at most max_h, into seconds. */
static bool tz_hms(const char **p, int max_h, int32_t *v)
{
    const char *q = *p;
    int sign = 1, h, m = 0, s = 0;
    if (*q == '+' || *q == '-')
        sign = *q++ == '-' ? -1 : 1;
    if (!digits(&q, 1, 3, &h) || h > max_h)
        return false;
    if (*q == ':') {
        q++;
        if (!digits(&q, 2, 2, &m) || m > 59)
            return false;
        if (*q == ':') {
            q++;
            if (!digits(&q, 2, 2, &s) || s > 59)
                return false;
        }
    }
    *v = sign * (h * 3600 + m * 60 + s);
    *p = q;
    return true;
}

static bool tz_date_parse(const char **p, struct tz_date *dt)
{
    const char *q = *p;
    memset(dt, 0, sizeof(*dt));
    if (*q == 'J') {
        q++;
        dt->kind = 'J';
        if (!digits(&q, 1, 3, &dt->n) || dt->n < 1 || dt->n > 365)
            return false;
    }
    else if (*q == 'M') {
        q++;
        dt->kind = 'M';
        if (!digits(&q, 1, 2, &dt->m) || dt->m < 1 || dt->m > 12 || *q != '.')
            return false;
        q++;
        if (!digits(&q, 1, 1, &dt->w) || dt->w < 1 || dt->w > 5 || *q != '.')
            return false;
        q++;
        if (!digits(&q, 1, 1, &dt->d) || dt->d > 6)
            return false;
    }
    else {
        dt->kind = 'n';
        if (!digits(&q, 1, 3, &dt->n) || dt->n > 365)
            return false;
    }
    dt->time = 7200;
    if (*q == '/') {
        q++;
        if (!tz_hms(&q, 167, &dt->time))
            return false;
    }
    *p = q;
    return true;
}

/* std offset [dst [offset] ,start[/time],end[/time]]; offsets are west of UTC, as POSIX writes
 * them ("EST5EDT": -05:00 and -04:00). */
static bool tz_rule_parse(const char *s, struct tz_rule *r)
{
    const char *p = s;
    int32_t v;
    memset(r, 0, sizeof(*r));
    if (!tz_abbr(&p) || !tz_hms(&p, 24, &v))
        return false;
    r->std_off = -v;
    if (!*p)
        return true;
    if (!tz_abbr(&p))
        return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (*p && *p != ',') {
        if (!tz_hms(&p, 24, &v))
            return false;
        r->dst_off = -v;
    }
    if (*p != ',') /* no default rule: a rule with daylight time says when it starts and ends */
        return false;
    p++;
    if (!tz_date_parse(&p, &r->start) || *p != ',')
        return false;
    p++;
    return tz_date_parse(&p, &r->end) && !*p;
}

/* The local second (as if UTC) of dt in year y. */
static int64_t tz_date_local(int y, const struct tz_date *dt)
{
    int64_t day;
    if (dt->kind == 'J')
        day = og_days_from_civil(y, 1, 1) + dt->n - 1 + (dt->n >= 60 && days_in_month(y, 2) == 29);
    else if (dt->kind == 'n')
        day = og_days_from_civil(y, 1, 1) + dt->n;
    else {
        int64_t first = og_days_from_civil(y, dt->m, 1);
        int wd = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
        int mday = 1 + (dt->d - wd + 7) % 7 + (dt->w - 1) * 7;
        if (mday > days_in_month(y, dt->m))
            mday -= 7;
        day = first + mday - 1;
    }
    return day * OG_DAY_S + dt->time;
}

static int32_t rule_offset(const struct tz_rule *r, int64_t t)
{
    if (!r->has_dst)
        return r->std_off;
    int y, mo, d;
    og_civil_from_days(floor_div(t + r->std_off, OG_DAY_S), &y, &mo, &d);
    int64_t s = tz_date_local(y, &r->start) - r->std_off,
            e = tz_date_local(y, &r->end) - r->dst_off;
    bool dst = s < e ? (t >= s && t < e) : !(t >= e && t < s); /* southern: DST spans new year */
    return dst ? r->dst_off : r->std_off;
}

/* The index of the last transition at or before t; n when t is before the first. */
static size_t last_transition(const struct og_zone *z, int64_t t)
{
    if (z->n == 0 || t < z->at[0])
        return z->n;
    size_t lo = 0, hi = z->n; /* at[lo] <= t < at[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->at[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The offset (seconds east) in effect at UTC second t. */
static int32_t offset_at(const struct og_zone *z, int64_t t)
{
    if (!z->has_rules)
        return z->fixed;
    size_t i = last_transition(z, t);
    if (z->has_tail && (z->n == 0 || (i == z->n - 1)))
        return rule_offset(&z->tail, t);
    return i == z->n ? z->off0 : z->off[i];
}

/* The UTC second of local second l (as if UTC) into *t: 0, or -1 when l does not exist (skipped
 * when clocks moved forward). Of two instants (clocks moved back), the earlier. Every offset in
 * effect within two days of l (offsets are under 26 h) is a candidate; those that give back
 * themselves are the solutions. */
int og_zone_local_to_utc(const struct og_zone *z, int64_t l, int64_t *t)
{
    if (!z->has_rules) {
        *t = l - z->fixed;
        return 0;
    }
    int32_t cand[24];
    size_t nc = 0;
#define CAND(o)                                                                                    \
    do {                                                                                           \
        int32_t o_ = (o);                                                                          \
        bool dup_ = false;                                                                         \
        for (size_t k_ = 0; k_ < nc; k_++)                                                         \
            dup_ = dup_ || cand[k_] == o_;                                                         \
        if (!dup_ && nc < sizeof(cand) / sizeof(cand[0]))                                          \
            cand[nc++] = o_;                                                                       \
    } while (0)
    CAND(offset_at(z, l - 2 * OG_DAY_S));
    CAND(offset_at(z, l + 2 * OG_DAY_S));
    if (z->has_tail && z->tail.has_dst) {
        CAND(z->tail.std_off);
        CAND(z->tail.dst_off);
    }
    size_t i = last_transition(z, l - 2 * OG_DAY_S);
    for (i = i == z->n ? 0 : i; i < z->n && z->at[i] <= l + 2 * OG_DAY_S; i++)
        CAND(z->off[i]);
#undef CAND
    bool found = false;
    int64_t best = 0;
    for (size_t k = 0; k < nc; k++) {
        int64_t u = l - cand[k];
        if (offset_at(z, u) == cand[k] && (!found || u < best)) {
            best = u;
            found = true;
        }
    }
    if (found)
        *t = best;
    return found ? 0 : -1;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads the TZif data b[0..len) (RFC 8536) into z. 0, or OG_EINVAL with a detail in why. */
static int tzif_load(struct og_zone *z, const unsigned char *b, size_t len, char *why, size_t wsize)
{
#define BAD(...) (snprintf(why, wsize, __VA_ARGS__), OG_EINVAL)
    if (len < 44 || memcmp(b, "TZif", 4) != 0)
        return BAD("not a TZif file");
    const unsigned char *h = b, *end = b + len;
    size_t tsize = 4;
    uint32_t c[6]; /* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < 6; i++)
            c[i] = be32(h + 20 + 4 * i);
        if (c[3] > 65536 || c[4] == 0 || c[4] > 256 || c[5] > 65536 || c[2] > 65536 ||
            (c[0] && c[0] != c[4]) || (c[1] && c[1] != c[4]))
            return BAD("implausible counts in the header");
        size_t size = c[3] * tsize + c[3] + c[4] * 6 + c[5] + c[2] * (tsize + 4) + c[1] + c[0];
        if ((size_t)(end - h) < 44 + size)
            return BAD("truncated");
        if (pass == 1 || b[4] < '2')
            break;
        h += 44 + size; /* version 2+: skip the 32-bit data to the 64-bit header */
        tsize = 8;
        if ((size_t)(end - h) < 44 || memcmp(h, "TZif", 4) != 0)
            return BAD("no second header in a version %c file", b[4]);
    }
    const unsigned char *d = h + 44, *idx = d + c[3] * tsize, *types = idx + c[3];
    for (uint32_t k = 0; k < c[4]; k++) {
        int32_t utoff = (int32_t)be32(types + 6 * k);
        if (utoff < -89999 || utoff > 93599 || types[6 * k + 4] > 1)
            return BAD("local time type %u out of range", (unsigned)k);
    }
    z->off0 = (int32_t)be32(types);
    z->at = malloc((c[3] ? c[3] : 1) * sizeof(*z->at));
    z->off = malloc((c[3] ? c[3] : 1) * sizeof(*z->off));
    if (!z->at || !z->off)
        return OG_ENOMEM;
    for (uint32_t k = 0; k < c[3]; k++) {
        const unsigned char *p = d + k * tsize;
        int64_t at = tsize == 8 ? (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4))
                                : (int64_t)(int32_t)be32(p);
        if (idx[k] >= c[4] || (k > 0 && at <= z->at[k - 1]))
            return BAD("transition %u out of order or of an unknown type", (unsigned)k);
        z->at[k] = at;
        z->off[k] = (int32_t)be32(types + 6 * idx[k]);
    }
    z->n = c[3];
    const unsigned char *foot = types + c[4] * 6 + c[5] + c[2] * (tsize + 4) + c[1] + c[0];
    if (tsize == 8 && foot < end && *foot == '\n') {
        const unsigned char *nl = memchr(foot + 1, '\n', (size_t)(end - foot - 1));
        char rule[128];
        size_t rlen = nl ? (size_t)(nl - foot - 1) : 0;
        if (!nl || rlen >= sizeof(rule))
            return BAD("unterminated or overlong footer");
        if (rlen > 0) {
            memcpy(rule, foot + 1, rlen);
            rule[rlen] = '\0';
            if (!tz_rule_parse(rule, &z->tail))
                return BAD("footer rule \"%.60s\" is not a POSIX TZ rule onegrid reads", rule);
            z->has_tail = true;
        }
    }
    return 0;
#undef BAD
}

/* A tz database name: letters, digits, '_', '-', '+', '/' between components, no "." or ".."
 * component, no leading '/'. */
static bool tz_name_ok(const char *name)
{
    if (!*name || *name == '/' || strlen(name) >= 64)
        return false;
    for (const char *p = name; *p; p++) {
        char ch = *p;
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || is_digit(ch) || ch == '_' ||
              ch == '-' || ch == '+' || ch == '/' || ch == '.'))
            return false;
        if (ch == '.' && (p == name || p[-1] == '/'))
            return false;
        if (ch == '/' && (p[1] == '/' || p[1] == '\0'))
            return false;
    }
    return true;
}

static int zone_read_file(struct og_zone *z, const char *name, struct og_error *err)
{
    char path[128], why[200];
    snprintf(path, sizeof(path), "%s/%s", ZONEINFO_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_TIME_FORMAT,
                     "unknown time zone \"%s\"", name);
        og_error_detail(err, "could not open %s: %s", path, strerror(errno));
        return OG_EINVAL;
    }
    unsigned char *buf = malloc(TZIF_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    }
    size_t len = fread(buf, 1, TZIF_MAX_BYTES + 1, f);
    bool rerr = ferror(f) != 0;
    fclose(f);
    int rc = rerr ? (snprintf(why, sizeof(why), "read error"), OG_EINVAL)
             : len > TZIF_MAX_BYTES
                 ? (snprintf(why, sizeof(why), "larger than %d bytes", TZIF_MAX_BYTES), OG_EINVAL)
                 : tzif_load(z, buf, len, why, sizeof(why));
    free(buf);
    if (rc == OG_ENOMEM)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    if (rc < 0) {
        og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_TIME_FORMAT,
                     "time zone \"%s\": cannot read %s", name, path);
        og_error_detail(err, "%s", why);
    }
    return rc;
}

int og_zone_open(const char *name, struct og_zone **out, struct og_error *err)
{
    *out = NULL;
    struct og_zone *z = calloc(1, sizeof(*z));
    if (!z)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    snprintf(z->name, sizeof(z->name), "%s", name ? name : "");
    int off_min, rc = 0;
    if (name && og_zone_offset(name, &off_min) == 0)
        z->fixed = off_min * 60;
    else if (name && strchr(name, ',')) {
        z->has_rules = z->has_tail = true;
        if (!tz_rule_parse(name, &z->tail) || !z->tail.has_dst) {
            rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_TIME_FORMAT,
                              "time zone \"%s\" is not a POSIX TZ rule", name);
            og_error_hint(err, "write it like \"EST5EDT,M3.2.0,M11.1.0\": names, the offset west "
                               "of UTC, and when daylight time starts and ends");
        }
    }
    else if (name && tz_name_ok(name)) {
        z->has_rules = true;
        rc = zone_read_file(z, name, err);
    }
    else
        rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_TIME_FORMAT,
                          "unknown time zone \"%s\"", name ? name : "");
    if (rc < 0) {
        if (rc == OG_EINVAL && err && !err->hint[0])
            og_error_hint(err, "use \"Asia/Shanghai\", \"UTC\", an offset like \"-05:00\", an IANA "
                               "zone like \"America/New_York\" or a POSIX TZ rule like "
                               "\"EST5EDT,M3.2.0,M11.1.0\"");
        og_zone_close(z);
        return rc;
    }
    *out = z;
    return 0;
}

void og_zone_close(struct og_zone *zone)
{
    if (!zone)
        return;
    free(zone->at);
    free(zone->off);
    free(zone);
}

bool og_zone_fixed(const struct og_zone *zone, int *offset_min)
{
    if (zone->has_rules)
        return false;
    if (offset_min)
        *offset_min = zone->fixed / 60;
    return true;
}

const char *og_zone_name(const struct og_zone *zone)
{
    return zone->name;
}

int og_zone_offset_at(const struct og_zone *zone, int64_t t)
{
    return offset_at(zone, floor_div(t, OG_US_PER_S)) / 60;
}
