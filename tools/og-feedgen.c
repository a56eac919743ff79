/* og-feedgen.c - deterministic generator of the sample department feeds (UM-1, FR-1, HL-2).
 *
 *   og-feedgen --world DIR [--crosswalks DIR] --out DIR [--seed N] [--um N] [--fr N] [--hl N]
 *   og-feedgen --world DIR [--crosswalks DIR] --hl N --hl-out FILE|-
 *
 * Same arguments give the same bytes: own PRNG (splitmix64-seeded xoshiro256**, one stream per
 * feed), fixed float formatting, no locale, no clock. Points are sampled inside the unified grids
 * of the world (WGS-84) and written in each department's coordinate system (UM, HL: GCJ-02;
 * FR: BD-09). Defects are injected at a few percent each and counted in MANIFEST.json (see
 * samples/README.md). The HL stream does not depend on the mode, so `--hl 1500 --hl-out -`
 * reproduces samples/hl/hl_visits_20200203.ndjson byte for byte. */
#include "core/buf.h"
#include "core/error.h"
#include "transform/geo.h"
#include "transform/identity.h"

#include <errno.h>
#include <iconv.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SPAN_DAY_MIN 1440

/* ----------------------------------------------------------------------------------------------------------
 */
/* PRNG: xoshiro256** seeded through splitmix64. */

struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    for (int i = 0; i < 4; i++) {
        r->s[i] = splitmix64(&x);
    }
}

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* Uniform in [0, n) (modulo bias is far below anything a sample can show). */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
    return n ? (uint32_t)(rng_next(r) % n) : 0;
}

/* Uniform in [lo, hi], inclusive. */
static int rng_range(struct rng *r, int lo, int hi)
{
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

static double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static bool rng_chance(struct rng *r, double p)
{
    return rng_unit(r) < p;
}

#define PICK(r, arr) ((arr)[rng_below((r), (uint32_t)(sizeof(arr) / sizeof((arr)[0])))])

/* ----------------------------------------------------------------------------------------------------------
 */
/* Tallies: name -> count, in registration order (so the manifest is stable, zeros included). */

#define TALLY_MAX 24

struct tally {
    const char *names[TALLY_MAX];
    long counts[TALLY_MAX];
    size_t n;
};

static void tally_add(struct tally *t, const char *name, long k)
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

static long tally_get(const struct tally *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->names[i], name) == 0) {
            return t->counts[i];
        }
    }
    return 0;
}

struct feed_stats {
    long written; /* records as the department counts them */
    long loaded;  /* expected to land */
    long members; /* HL: members of loaded visits */
    long updates; /* UM: repeated elements (same id, later state) */
    struct tally rejected;
    struct tally defects;
};

/* ----------------------------------------------------------------------------------------------------------
 */
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

struct ltime {
    int y, mo, d, h, mi;
};

static struct ltime ltime_of(int64_t minutes)
{
    struct ltime t;
    int64_t days = days_from_civil(2020, 2, 1) + minutes / SPAN_DAY_MIN;
    int64_t rem = minutes % SPAN_DAY_MIN;
    civil_from_days(days, &t.y, &t.mo, &t.d);
    t.h = (int)(rem / 60);
    t.mi = (int)(rem % 60);
    return t;
}

/* "2020-02-03T14:05:00+08:00" */
static void fmt_iso(char *out, size_t size, int64_t minutes)
{
    struct ltime t = ltime_of(minutes);
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:00+08:00", t.y, t.mo, t.d, t.h, t.mi);
}

/* "2020/2/3 9:05" */
static void fmt_fr_time(char *out, size_t size, int64_t minutes)
{
    struct ltime t = ltime_of(minutes);
    snprintf(out, size, "%d/%d/%d %d:%02d", t.y, t.mo, t.d, t.h, t.mi);
}

/* "2020/2/3" */
static void fmt_fr_date(char *out, size_t size, int64_t minutes)
{
    struct ltime t = ltime_of(minutes);
    snprintf(out, size, "%d/%d/%d", t.y, t.mo, t.d);
}

/* A time on day slot i of n spread over days [first_day, last_day], between hour lo and hour hi. */
static int64_t slot_time(struct rng *r, long i, long n, int first_day, int last_day, int lo, int hi)
{
    int span = last_day - first_day + 1;
    int day = first_day + (n > 0 ? (int)((i * (long)span) / n) : 0);
    return (int64_t)day * SPAN_DAY_MIN + rng_range(r, lo * 60, hi * 60 + 59);
}

/* ----------------------------------------------------------------------------------------------------------
 */
/* Small text helpers. */

/* Copies src into dst[size], cut (at a byte) when too long; always NUL-terminated. */
static void scopy(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) {
        n = size - 1;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Replaces a trailing suffix `from` by `to` (UTF-8) into out. */
static void replace_suffix(const char *s, const char *from, const char *to, char *out, size_t size)
{
    size_t n = strlen(s), nf = strlen(from);
    if (n >= nf && strcmp(s + n - nf, from) == 0) {
        snprintf(out, size, "%.*s%s", (int)(n - nf), s, to);
    }
    else {
        scopy(out, size, s);
    }
}

/* Appends s as a JSON string literal. */
static int buf_json_str(struct og_buf *b, const char *s)
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

/* Appends one CSV field, quoted when it holds a comma, a quote or a line break. */
static int buf_csv_field(struct og_buf *b, const char *s, bool first)
{
    int rc = first ? 0 : og_buf_putc(b, ',');
    if (rc == 0 && strpbrk(s, ",\"\r\n") == NULL) {
        return og_buf_puts(b, s);
    }
    rc = rc ? rc : og_buf_putc(b, '"');
    for (const char *p = s; rc == 0 && *p; p++) {
        rc = *p == '"' ? og_buf_puts(b, "\"\"") : og_buf_putc(b, *p);
    }
    return rc ? rc : og_buf_putc(b, '"');
}

/* Splits one CSV line (no embedded line breaks) in place; returns the field count (at most max). */
static size_t csv_split(char *line, char **fields, size_t max)
{
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
        line[--len] = '\0';
    }
    size_t n = 0;
    char *p = line;
    for (;;) {
        char *w = p;
        if (n < max) {
            fields[n] = w;
        }
        n++;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0') {
                    break;
                }
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                }
                else if (*p == '"') {
                    p++;
                    break;
                }
                else {
                    *w++ = *p++;
                }
            }
            while (*p && *p != ',') {
                p++;
            }
        }
        else {
            while (*p && *p != ',') {
                *w++ = *p++;
            }
        }
        char c = *p;
        *w = '\0';
        if (c != ',') {
            break;
        }
        p++;
    }
    return n < max ? n : max;
}

static int col_index(char **hdr, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(hdr[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* ----------------------------------------------------------------------------------------------------------
 */
/* The world: divisions, unified grids, UM unit grids and the UM / FR crosswalks. */

struct street {
    char code[16];
    char name[64];
};

struct community {
    char code[16];
    char name[64];       /* as in divisions.csv, e.g. 金凤居委会 */
    char short_name[64]; /* 金凤社区 */
    char fire[160];      /* 小公园街道金凤社区 */
    char parent[16];     /* street code */
    int street;          /* index into streets, -1 if unknown */
};

struct cand {
    int unit;
    double weight;
};

struct grid {
    char code[16];
    int community;
    struct og_mpoly mp;
    struct og_bbox bb;
    struct cand *cands; /* UM unit grids overlapping this grid */
    size_t ncands;
};

struct unit {
    char code[16];
    struct og_mpoly mp;
    bool has_mp;
};

struct world {
    char city[64], county[64];
    struct street *streets;
    size_t nstreets;
    struct community *comms;
    size_t ncomms;
    struct grid *grids;
    size_t ngrids;
    struct unit *units;
    size_t nunits;
    char (*fire_names)[160]; /* from crosswalks/fr.csv, sorted */
    size_t nfire;
    int *um_grids; /* grids with at least one UM unit grid */
    size_t num_grids;
    struct og_bbox bbox; /* of all grids */
};

static int cmp_street(const void *a, const void *b)
{
    return strcmp(((const struct street *)a)->code, ((const struct street *)b)->code);
}

static int cmp_comm(const void *a, const void *b)
{
    return strcmp(((const struct community *)a)->code, ((const struct community *)b)->code);
}

static int cmp_grid(const void *a, const void *b)
{
    return strcmp(((const struct grid *)a)->code, ((const struct grid *)b)->code);
}

static int cmp_unit(const void *a, const void *b)
{
    return strcmp(((const struct unit *)a)->code, ((const struct unit *)b)->code);
}

static int cmp_fire(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static int find_street(const struct world *w, const char *code)
{
    struct street key;
    scopy(key.code, sizeof key.code, code);
    const struct street *s = bsearch(&key, w->streets, w->nstreets, sizeof *s, cmp_street);
    return s ? (int)(s - w->streets) : -1;
}

static int find_comm(const struct world *w, const char *code)
{
    struct community key;
    scopy(key.code, sizeof key.code, code);
    const struct community *c = bsearch(&key, w->comms, w->ncomms, sizeof *c, cmp_comm);
    return c ? (int)(c - w->comms) : -1;
}

static int find_grid(const struct world *w, const char *code)
{
    struct grid key;
    scopy(key.code, sizeof key.code, code);
    const struct grid *g = bsearch(&key, w->grids, w->ngrids, sizeof *g, cmp_grid);
    return g ? (int)(g - w->grids) : -1;
}

static int find_unit(const struct world *w, const char *code)
{
    struct unit key;
    scopy(key.code, sizeof key.code, code);
    const struct unit *u = bsearch(&key, w->units, w->nunits, sizeof *u, cmp_unit);
    return u ? (int)(u - w->units) : -1;
}

static bool fire_name_known(const struct world *w, const char *name)
{
    if (w->nfire == 0) {
        return true; /* no fr.csv: trust the rule */
    }
    char key[160];
    scopy(key, sizeof key, name);
    return bsearch(key, w->fire_names, w->nfire, sizeof w->fire_names[0], cmp_fire) != NULL;
}

static void world_free(struct world *w)
{
    for (size_t i = 0; i < w->ngrids; i++) {
        og_mpoly_free(&w->grids[i].mp);
        free(w->grids[i].cands);
    }
    for (size_t i = 0; i < w->nunits; i++) {
        og_mpoly_free(&w->units[i].mp);
    }
    free(w->streets);
    free(w->comms);
    free(w->grids);
    free(w->units);
    free(w->fire_names);
    free(w->um_grids);
    memset(w, 0, sizeof *w);
}

static int load_divisions(struct world *w, const char *dir, struct og_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/divisions.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        return og_error_set(err, OG_EIO, OG_CLASS_FATAL, "io", "could not open \"%s\": %s", path,
                            strerror(errno));
    }
    char *line = NULL;
    size_t cap = 0;
    char *fld[16];
    int ic = -1, il = -1, in = -1, ip = -1, rc = 0;
    size_t cap_s = 0, cap_c = 0;
    bool header = true;
    while (getline(&line, &cap, f) > 0) {
        size_t n = csv_split(line, fld, 16);
        if (header) {
            ic = col_index(fld, n, "code");
            il = col_index(fld, n, "level");
            in = col_index(fld, n, "name");
            ip = col_index(fld, n, "parent_code");
            header = false;
            if (ic < 0 || il < 0 || in < 0 || ip < 0) {
                rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "bad_header",
                                  "%s: header lacks code, level, name or parent_code", path);
                break;
            }
            continue;
        }
        if (n <= (size_t)ic || n <= (size_t)il || n <= (size_t)in || n <= (size_t)ip) {
            continue;
        }
        int level = atoi(fld[il]);
        if (level == 2 && strncmp(fld[ic], "4405", 4) == 0) {
            scopy(w->city, sizeof w->city, fld[in]);
        }
        else if (level == 3 && strcmp(fld[ic], "440511") == 0) {
            scopy(w->county, sizeof w->county, fld[in]);
        }
        else if (level == 4) {
            if (w->nstreets == cap_s) {
                cap_s = cap_s ? cap_s * 2 : 32;
                void *p = realloc(w->streets, cap_s * sizeof *w->streets);
                if (!p) {
                    rc = OG_ENOMEM;
                    break;
                }
                w->streets = p;
            }
            struct street *s = &w->streets[w->nstreets++];
            scopy(s->code, sizeof s->code, fld[ic]);
            scopy(s->name, sizeof s->name, fld[in]);
        }
        else if (level == 5) {
            if (w->ncomms == cap_c) {
                cap_c = cap_c ? cap_c * 2 : 256;
                void *p = realloc(w->comms, cap_c * sizeof *w->comms);
                if (!p) {
                    rc = OG_ENOMEM;
                    break;
                }
                w->comms = p;
            }
            struct community *c = &w->comms[w->ncomms++];
            memset(c, 0, sizeof *c);
            scopy(c->code, sizeof c->code, fld[ic]);
            scopy(c->name, sizeof c->name, fld[in]);
            scopy(c->parent, sizeof c->parent, fld[ip]);
        }
    }
    free(line);
    fclose(f);
    if (rc == OG_ENOMEM) {
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "oom", "out of memory reading %s",
                            path);
    }
    if (rc) {
        return rc;
    }
    if (w->ncomms == 0 || w->nstreets == 0) {
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "empty",
                            "%s: no streets or communities", path);
    }
    if (!w->city[0]) {
        snprintf(w->city, sizeof w->city, "汕头市");
    }
    if (!w->county[0]) {
        snprintf(w->county, sizeof w->county, "金平区");
    }
    qsort(w->streets, w->nstreets, sizeof *w->streets, cmp_street);
    qsort(w->comms, w->ncomms, sizeof *w->comms, cmp_comm);
    for (size_t i = 0; i < w->ncomms; i++) {
        struct community *c = &w->comms[i];
        c->street = find_street(w, c->parent);
        replace_suffix(c->name, "居委会", "社区", c->short_name, sizeof c->short_name);
        if (strcmp(c->short_name, c->name) == 0) {
            replace_suffix(c->name, "村委会", "村", c->short_name, sizeof c->short_name);
        }
        snprintf(c->fire, sizeof c->fire, "%s%s", c->street >= 0 ? w->streets[c->street].name : "",
                 c->short_name);
    }
    return 0;
}

static json_t *load_features(const char *path, struct og_error *err)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc) {
        og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "bad_json",
                     "could not read \"%s\": %s (line %d)", path, jerr.text, jerr.line);
        return NULL;
    }
    if (!json_is_array(json_object_get(doc, "features"))) {
        og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "bad_geojson", "%s: no features array", path);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static int load_grids(struct world *w, const char *dir, struct og_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/grids.geojson", dir);
    json_t *doc = load_features(path, err);
    if (!doc) {
        return err ? err->code : OG_EPARSE;
    }
    json_t *feats = json_object_get(doc, "features");
    size_t n = json_array_size(feats);
    w->grids = calloc(n ? n : 1, sizeof *w->grids);
    if (!w->grids) {
        json_decref(doc);
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "oom", "out of memory");
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_t *feat = json_array_get(feats, i);
        json_t *props = json_object_get(feat, "properties");
        const char *code = json_string_value(json_object_get(props, "grid_code"));
        const char *comm = json_string_value(json_object_get(props, "community_code"));
        if (!code || strlen(code) != 15) {
            rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "bad_geojson",
                              "%s: feature %zu has no 15-digit grid_code", path, i);
            break;
        }
        struct grid *g = &w->grids[w->ngrids];
        scopy(g->code, sizeof g->code, code);
        g->community = find_comm(w, comm ? comm : "");
        rc = og_mpoly_from_geojson(json_object_get(feat, "geometry"), &g->mp, err);
        if (rc == 0) {
            g->bb = og_mpoly_bbox(&g->mp);
            w->ngrids++;
            if (g->community < 0) {
                fprintf(stderr, "og-feedgen: warning: grid %s: community %s not in divisions.csv\n",
                        code, comm ? comm : "(none)");
            }
        }
        else {
            og_error_prefix(err, "%s: grid %s: ", path, code);
        }
    }
    json_decref(doc);
    if (rc) {
        return rc;
    }
    if (w->ngrids == 0) {
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "empty", "%s: no grids", path);
    }
    qsort(w->grids, w->ngrids, sizeof *w->grids, cmp_grid);
    w->bbox = w->grids[0].bb;
    for (size_t i = 1; i < w->ngrids; i++) {
        const struct og_bbox *b = &w->grids[i].bb;
        w->bbox.min_lng = b->min_lng < w->bbox.min_lng ? b->min_lng : w->bbox.min_lng;
        w->bbox.min_lat = b->min_lat < w->bbox.min_lat ? b->min_lat : w->bbox.min_lat;
        w->bbox.max_lng = b->max_lng > w->bbox.max_lng ? b->max_lng : w->bbox.max_lng;
        w->bbox.max_lat = b->max_lat > w->bbox.max_lat ? b->max_lat : w->bbox.max_lat;
    }
    return 0;
}

/* UM unit grids: shapes from dept_grids.geojson (may be null), codes and weights from
 * crosswalks/um.csv. */
struct xw_row {
    char unit[16];
    int grid;
    double weight;
};

static int add_unit(struct world *w, size_t *cap, const char *code, const json_t *geometry,
                    struct og_error *err)
{
    if (w->nunits == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        void *p = realloc(w->units, *cap * sizeof *w->units);
        if (!p) {
            return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "oom", "out of memory");
        }
        w->units = p;
    }
    struct unit *u = &w->units[w->nunits];
    memset(u, 0, sizeof *u);
    scopy(u->code, sizeof u->code, code);
    if (geometry && !json_is_null(geometry)) {
        int rc = og_mpoly_from_geojson(geometry, &u->mp, err);
        if (rc) {
            og_error_prefix(err, "unit grid %s: ", code);
            return rc;
        }
        u->has_mp = true;
    }
    w->nunits++;
    return 0;
}

static int load_um(struct world *w, const char *dir, const char *xwdir, struct og_error *err)
{
    char path[4096];
    size_t cap = 0;
    int rc = 0;
    snprintf(path, sizeof path, "%s/dept_grids.geojson", dir);
    FILE *probe = fopen(path, "r");
    if (probe) {
        fclose(probe);
        json_t *doc = load_features(path, err);
        if (!doc) {
            return err ? err->code : OG_EPARSE;
        }
        json_t *feats = json_object_get(doc, "features");
        for (size_t i = 0; i < json_array_size(feats) && rc == 0; i++) {
            json_t *feat = json_array_get(feats, i);
            json_t *props = json_object_get(feat, "properties");
            const char *dept = json_string_value(json_object_get(props, "department"));
            const char *code = json_string_value(json_object_get(props, "dept_grid_code"));
            if (dept && code && strcmp(dept, "UM") == 0) {
                rc = add_unit(w, &cap, code, json_object_get(feat, "geometry"), err);
            }
        }
        json_decref(doc);
        if (rc) {
            return rc;
        }
    }
    qsort(w->units, w->nunits, sizeof *w->units, cmp_unit);

    snprintf(path, sizeof path, "%s/um.csv", xwdir);
    FILE *f = fopen(path, "r");
    if (!f) {
        return og_error_set(err, OG_EIO, OG_CLASS_FATAL, "io", "could not open \"%s\": %s", path,
                            strerror(errno));
    }
    struct xw_row *rows = NULL;
    size_t nrows = 0, caprows = 0;
    char *line = NULL;
    size_t lcap = 0;
    char *fld[8];
    int idept = -1, icode = -1, igrid = -1, iw = -1;
    bool header = true;
    while (rc == 0 && getline(&line, &lcap, f) > 0) {
        size_t n = csv_split(line, fld, 8);
        if (header) {
            idept = col_index(fld, n, "department");
            icode = col_index(fld, n, "dept_grid_code");
            igrid = col_index(fld, n, "grid_code");
            iw = col_index(fld, n, "weight");
            header = false;
            if (icode < 0 || igrid < 0 || iw < 0) {
                rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "bad_header",
                                  "%s: header lacks dept_grid_code, grid_code or weight", path);
            }
            continue;
        }
        if (n <= (size_t)icode || n <= (size_t)igrid || n <= (size_t)iw) {
            continue;
        }
        if (idept >= 0 && (size_t)idept < n && strcmp(fld[idept], "UM") != 0) {
            continue;
        }
        int g = find_grid(w, fld[igrid]);
        if (g < 0) {
            continue;
        }
        if (nrows == caprows) {
            caprows = caprows ? caprows * 2 : 512;
            void *p = realloc(rows, caprows * sizeof *rows);
            if (!p) {
                rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "oom", "out of memory");
                break;
            }
            rows = p;
        }
        scopy(rows[nrows].unit, sizeof rows[nrows].unit, fld[icode]);
        rows[nrows].grid = g;
        rows[nrows].weight = strtod(fld[iw], NULL);
        nrows++;
    }
    free(line);
    fclose(f);
    /* unit grids named by the crosswalk but without a feature: known, shapeless */
    size_t known = w->nunits;
    for (size_t i = 0; i < nrows && rc == 0; i++) {
        struct unit key;
        scopy(key.code, sizeof key.code, rows[i].unit);
        if (!bsearch(&key, w->units, known, sizeof key, cmp_unit)) {
            bool dup = false;
            for (size_t j = known; j < w->nunits && !dup; j++) {
                dup = strcmp(w->units[j].code, rows[i].unit) == 0;
            }
            if (!dup) {
                rc = add_unit(w, &cap, rows[i].unit, NULL, err);
            }
        }
    }
    if (rc == 0) {
        qsort(w->units, w->nunits, sizeof *w->units, cmp_unit);
    }
    for (size_t i = 0; i < nrows && rc == 0; i++) {
        struct grid *g = &w->grids[rows[i].grid];
        void *p = realloc(g->cands, (g->ncands + 1) * sizeof *g->cands);
        if (!p) {
            rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "oom", "out of memory");
            break;
        }
        g->cands = p;
        g->cands[g->ncands].unit = find_unit(w, rows[i].unit);
        g->cands[g->ncands].weight = rows[i].weight;
        g->ncands++;
    }
    free(rows);
    if (rc) {
        return rc;
    }
    w->um_grids = calloc(w->ngrids, sizeof *w->um_grids);
    if (!w->um_grids) {
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "oom", "out of memory");
    }
    for (size_t i = 0; i < w->ngrids; i++) {
        if (w->grids[i].ncands > 0) {
            w->um_grids[w->num_grids++] = (int)i;
        }
    }
    if (w->num_grids == 0) {
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "empty",
                            "%s: no UM rows matching a grid", path);
    }
    return 0;
}

/* Fire grid names from crosswalks/fr.csv, only to check the naming rule against it (optional file).
 */
static int load_fire_names(struct world *w, const char *xwdir, struct og_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/fr.csv", xwdir);
    FILE *f = fopen(path, "r");
    if (!f) {
        return 0;
    }
    char *line = NULL;
    size_t lcap = 0, cap = 0;
    char *fld[8];
    int icode = -1;
    bool header = true;
    int rc = 0;
    while (getline(&line, &lcap, f) > 0) {
        size_t n = csv_split(line, fld, 8);
        if (header) {
            icode = col_index(fld, n, "dept_grid_code");
            header = false;
            if (icode < 0) {
                break;
            }
            continue;
        }
        if (n <= (size_t)icode) {
            continue;
        }
        if (w->nfire == cap) {
            cap = cap ? cap * 2 : 256;
            void *p = realloc(w->fire_names, cap * sizeof w->fire_names[0]);
            if (!p) {
                rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "oom", "out of memory");
                break;
            }
            w->fire_names = p;
        }
        scopy(w->fire_names[w->nfire++], sizeof w->fire_names[0], fld[icode]);
    }
    free(line);
    fclose(f);
    if (rc == 0 && w->nfire > 0) {
        qsort(w->fire_names, w->nfire, sizeof w->fire_names[0], cmp_fire);
        long missing = 0;
        for (size_t i = 0; i < w->ncomms; i++) {
            missing += !fire_name_known(w, w->comms[i].fire);
        }
        if (missing) {
            fprintf(stderr, "og-feedgen: warning: %ld community fire-grid names not in %s\n",
                    missing, path);
        }
    }
    return rc;
}

static int world_load(struct world *w, const char *dir, const char *xwdir, struct og_error *err)
{
    memset(w, 0, sizeof *w);
    int rc = load_divisions(w, dir, err);
    rc = rc ? rc : load_grids(w, dir, err);
    rc = rc ? rc : load_um(w, dir, xwdir, err);
    rc = rc ? rc : load_fire_names(w, xwdir, err);
    if (rc) {
        world_free(w);
    }
    return rc;
}

/* v as it reads back after printing with %.6f (what a department file carries). */
static double round6(double v)
{
    char t[64];
    snprintf(t, sizeof t, "%.6f", v);
    return strtod(t, NULL);
}

/* A point inside grid g, written in crs (rounded to 6 decimals) into *out_lng, *out_lat, and its
 * WGS-84 image (converted back from the rounded value) into *wgs_lng, *wgs_lat. Rejection sampling
 * in the bbox keeps only points whose rounded, back-converted image is still inside g, so a reader
 * places it exactly in g. Falls back to the centroid if that keeps missing (not seen with real
 * grids). */
static void grid_point(struct rng *r, const struct grid *g, enum og_crs crs, double *out_lng,
                       double *out_lat, double *wgs_lng, double *wgs_lat)
{
    double x = 0, y = 0, a = 0, b = 0, bx = 0, by = 0;
    for (int i = 0; i < 1000; i++) {
        x = g->bb.min_lng + rng_unit(r) * (g->bb.max_lng - g->bb.min_lng);
        y = g->bb.min_lat + rng_unit(r) * (g->bb.max_lat - g->bb.min_lat);
        if (!og_mpoly_contains(&g->mp, x, y)) {
            continue;
        }
        og_geo_from_wgs84(crs, x, y, &a, &b);
        a = round6(a);
        b = round6(b);
        if (og_geo_to_wgs84(crs, a, b, &bx, &by) == 0 && og_mpoly_contains(&g->mp, bx, by)) {
            goto done;
        }
    }
    og_mpoly_centroid(&g->mp, &x, &y);
    og_geo_from_wgs84(crs, x, y, &a, &b);
    a = round6(a);
    b = round6(b);
    bx = x;
    by = y;
done:
    *out_lng = a;
    *out_lat = b;
    *wgs_lng = bx;
    *wgs_lat = by;
}

/* A point in Beijing (Dongcheng), far outside the district, in crs, rounded to 6 decimals. */
static void far_point(struct rng *r, enum og_crs crs, double *lng, double *lat)
{
    double x = 116.3975 + (rng_unit(r) - 0.5) * 0.04;
    double y = 39.9087 + (rng_unit(r) - 0.5) * 0.04;
    og_geo_from_wgs84(crs, x, y, lng, lat);
    *lng = round6(*lng);
    *lat = round6(*lat);
}

/* The UM unit grid (index) a point of grid g falls in: the first candidate whose shape contains it,
 * else the candidate with the largest overlap weight. -1 when the grid has no unit grid. */
static int um_unit_for_point(const struct world *w, const struct grid *g, double lng, double lat)
{
    int best = -1;
    double bw = -1.0;
    for (size_t i = 0; i < g->ncands; i++) {
        const struct cand *c = &g->cands[i];
        if (c->unit < 0) {
            continue;
        }
        if (w->units[c->unit].has_mp && og_mpoly_contains(&w->units[c->unit].mp, lng, lat)) {
            return c->unit;
        }
        if (c->weight > bw) {
            bw = c->weight;
            best = c->unit;
        }
    }
    return best;
}

/* ----------------------------------------------------------------------------------------------------------
 */
/* Shared vocabulary. */

static const char *const ROADS[] = {
    "国平路", "升平路",   "永平路", "至平路", "商平路", "安平路", "镇邦路", "外马路",
    "中山路", "金新路",   "金砂路", "长平路", "汕樟路", "东厦路", "金环路", "华山路",
    "金陵路", "乌桥路",   "西堤路", "光华路", "岐山路", "月浦路", "大华路", "新兴路",
    "同益路", "红领巾路", "民族路", "海滨路", "德兴路", "跃进路",
};
static const char *const SURNAMES[] = {
    "陈", "林", "黄", "李", "张", "吴", "郑", "蔡", "许", "王", "刘", "杨", "谢", "周",
    "洪", "庄", "翁", "马", "方", "苏", "纪", "姚", "余", "詹", "柯", "卢", "魏", "辜",
};
static const char *const GIVEN[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "文", "辉", "玲", "鑫", "晓", "佳", "泽", "锐",
    "楚", "潮", "汉", "婷", "怡", "浩", "宇", "思", "雅", "俊", "欣", "宏", "炜", "钦", "鹏", "彬",
};

static void make_address(struct rng *r, const struct world *w, int comm, bool room, char *out,
                         size_t size)
{
    const struct community *c = comm >= 0 ? &w->comms[comm] : NULL;
    const char *street = c && c->street >= 0 ? w->streets[c->street].name : "";
    const char *cname = c ? c->short_name : "";
    if (room) {
        snprintf(out, size, "%s%s%s%s%s%d号%d栋%d房", w->city, w->county, street, cname,
                 PICK(r, ROADS), rng_range(r, 1, 188), rng_range(r, 1, 12),
                 rng_range(r, 1, 7) * 100 + rng_range(r, 1, 6));
    }
    else {
        snprintf(out, size, "%s%s%s%s%s%d号", w->city, w->county, street, cname, PICK(r, ROADS),
                 rng_range(r, 1, 188));
    }
}

static void make_name(struct rng *r, char *out, size_t size)
{
    if (rng_chance(r, 0.3)) {
        snprintf(out, size, "%s%s", PICK(r, SURNAMES), PICK(r, GIVEN));
    }
    else {
        snprintf(out, size, "%s%s%s", PICK(r, SURNAMES), PICK(r, GIVEN), PICK(r, GIVEN));
    }
}

/* ----------------------------------------------------------------------------------------------------------
 */
/* Identity numbers. */

static const int ID_WEIGHTS[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};

static char id_check(const char *s17)
{
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        sum += (s17[i] - '0') * ID_WEIGHTS[i];
    }
    return "10X98765432"[sum % 11];
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

static const char *const ID_AREAS[] = {
    "440511", "440511", "440511", "440511", "440511", "440511", "440507",
    "440507", "440507", "440513", "440514", "440515", "445102", "445202",
    "440106", "440304", "420106", "350203", "430102",
};

enum id_variant { ID_NORMAL = 0, ID_BAD_CHECK, ID_LEGACY15, ID_LOWER_X };

/* A resident ID number of the given variant into out[19]. */
static void make_resident_id(struct rng *r, enum id_variant v, char out[19])
{
    for (;;) {
        const char *area = PICK(r, ID_AREAS);
        int y = v == ID_LEGACY15 ? rng_range(r, 1930, 1999) : rng_range(r, 1930, 2019);
        int m = rng_range(r, 1, 12);
        int d = rng_range(r, 1, days_in_month(y, m));
        int seq = rng_range(r, 0, 999);
        if (v == ID_LEGACY15) {
            snprintf(out, 19, "%s%02d%02d%02d%03d", area, y % 100, m, d, seq);
            return;
        }
        char s[24];
        snprintf(s, sizeof s, "%s%04d%02d%02d%03d", area, y, m, d, seq);
        char c = id_check(s);
        if (v == ID_LOWER_X && c != 'X') {
            continue; /* draw again until the check character is X */
        }
        if (v == ID_BAD_CHECK) {
            static const char alt[] = "0123456789X";
            char bad = c;
            while (bad == c) {
                bad = alt[rng_below(r, 11)];
            }
            c = bad;
        }
        s[17] = v == ID_LOWER_X ? 'x' : c;
        s[18] = '\0';
        memcpy(out, s, 19);
        return;
    }
}

static const char USCC_CHARS[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int uscc_value(char ch)
{
    const char *p = strchr(USCC_CHARS, ch);
    return p && ch ? (int)(p - USCC_CHARS) : 0;
}

/* GB 32100 check character of the first 17 characters. */
static char uscc_check(const char *s17)
{
    int sum = 0, wgt = 1;
    for (int i = 0; i < 17; i++) {
        sum += uscc_value(s17[i]) * wgt;
        wgt = wgt * 3 % 31;
    }
    return USCC_CHARS[(31 - sum % 31) % 31];
}

/* A USCC: 9 (market regulator) + 1 company / 2 individual business + area + GB 11714 organisation
 * code + check. */
static void make_uscc(struct rng *r, bool individual, bool bad_check, char out[19])
{
    static const int ow[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    out[0] = '9';
    out[1] = individual ? '2' : '1';
    memcpy(out + 2, rng_chance(r, 0.85) ? "440511" : "440500", 6);
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        int dgt = (int)rng_below(r, 10);
        out[8 + i] = (char)('0' + dgt);
        sum += dgt * ow[i];
    }
    int c = 11 - sum % 11;
    out[16] = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
    out[17] = uscc_check(out);
    if (bad_check) {
        char good = out[17];
        while (out[17] == good) {
            out[17] = USCC_CHARS[rng_below(r, 31)];
        }
    }
    out[18] = '\0';
}

/* Checks a generated number with the library's own validator: want_valid says what it must say.
 * Returns 0, or OG_EINVAL (and says so on stderr) when the generator and og_id_parse disagree. */
static int verify_id(const char *s, enum og_id_kind kind, bool want_valid)
{
    struct og_id id;
    og_id_parse(s, kind, &id);
    if ((id.status == OG_ID_OK) != want_valid) {
        fprintf(stderr, "og-feedgen: generated %s \"%s\" should be %s but og_id_parse says %s\n",
                kind == OG_ID_USCC ? "USCC" : "ID number", s, want_valid ? "valid" : "invalid",
                og_id_status_name(id.status));
        return OG_EINVAL;
    }
    return 0;
}

/* ----------------------------------------------------------------------------------------------------------
 */
/* UM-1: urban-management cases, Open311 GeoReport v2 requests.json. */

struct um_code {
    const char *code;
    const char *name;
};

/* 部件 (components) 01xx-05xx, 事件 (events) 10xx-14xx. */
static const struct um_code UM_CODES[] = {
    {"0101", "井盖缺失"},       {"0102", "路灯损坏"},     {"0103", "消防栓损坏"},
    {"0201", "交通护栏损坏"},   {"0202", "交通标志损坏"}, {"0301", "垃圾箱破损"},
    {"0302", "公厕设施损坏"},   {"0401", "绿地损坏"},     {"0402", "行道树倒伏"},
    {"0501", "房屋外立面破损"}, {"1001", "垃圾堆放"},     {"1002", "暴露垃圾"},
    {"1101", "乱张贴"},         {"1102", "违规户外广告"}, {"1201", "违章搭建"},
    {"1202", "施工扰民"},       {"1301", "占道经营"},     {"1302", "店外经营"},
    {"1401", "道路积水"},
};
#define UM_NCODES (sizeof UM_CODES / sizeof UM_CODES[0])

static const char *const UM_STAGES[] = {"立案", "派遣", "处置", "核查", "结案", "作废"};
static const char *const UM_NOTES[] = {
    "已立案，待派遣",   "已派遣至责任单位", "责任单位正在处置",
    "处置完毕，待核查", "核查通过，已结案", "经核实不属实，作废",
};
static const char *const UM_DESC[] = {
    "市民来电反映", "网格员巡查发现", "监督员上报", "市民通过微信公众号反映", "视频巡查发现",
};

enum um_defect {
    UM_OK = 0,
    UM_COORDS_MISSING,
    UM_COORDS_OUTSIDE,
    UM_UNKNOWN_CODE,
    UM_UNIT_UNKNOWN_NO_COORDS,
    UM_INVALID_TIME,
    UM_MISSING_ID,
};

struct um_case {
    long seq;
    enum um_defect defect;
    int code;  /* index into UM_CODES, -1 for the unknown code */
    int stage; /* index into UM_STAGES */
    int64_t requested, updated, expected;
    double lat, lng; /* GCJ-02 */
    char unit[16];
    char address[256];
    char description[256];
    char component[32];
    bool media;
};

/* One array element, 4-space indented. */
static int um_put_case(struct og_buf *b, const struct um_case *c, int variant)
{
    char ts[40], id[32];
    int rc = og_buf_puts(b, "  {\n");
    snprintf(id, sizeof id, "UM2020%08ld", c->seq);
    if (c->defect == UM_MISSING_ID) {
        if (variant % 2 == 0) {
            rc = rc ? rc : og_buf_puts(b, "    \"service_request_id\": \"\",\n");
        }
    }
    else {
        rc = rc ? rc : og_buf_printf(b, "    \"service_request_id\": \"%s\",\n", id);
    }
    bool closed = c->stage >= 4;
    rc = rc ? rc : og_buf_printf(b, "    \"status\": \"%s\",\n", closed ? "closed" : "open");
    rc = rc ? rc : og_buf_puts(b, "    \"status_notes\": ");
    rc = rc ? rc : buf_json_str(b, UM_NOTES[c->stage]);
    rc = rc ? rc : og_buf_puts(b, ",\n    \"service_name\": ");
    rc = rc ? rc : buf_json_str(b, c->code >= 0 ? UM_CODES[c->code].name : "共享单车乱停放");
    rc = rc ? rc
            : og_buf_printf(b, ",\n    \"service_code\": \"%s\",\n",
                            c->code >= 0 ? UM_CODES[c->code].code : "9999");
    rc = rc ? rc : og_buf_puts(b, "    \"description\": ");
    rc = rc ? rc : buf_json_str(b, c->description);
    if (c->defect == UM_INVALID_TIME) {
        scopy(ts, sizeof ts, variant % 2 == 0 ? "2020-02-31T10:00:00+08:00" : "yesterday");
    }
    else {
        fmt_iso(ts, sizeof ts, c->requested);
    }
    rc = rc ? rc : og_buf_printf(b, ",\n    \"requested_datetime\": \"%s\",\n", ts);
    fmt_iso(ts, sizeof ts, c->updated);
    rc = rc ? rc : og_buf_printf(b, "    \"updated_datetime\": \"%s\",\n", ts);
    fmt_iso(ts, sizeof ts, c->expected);
    rc = rc ? rc : og_buf_printf(b, "    \"expected_datetime\": \"%s\",\n", ts);
    rc = rc ? rc : og_buf_puts(b, "    \"address\": ");
    rc = rc ? rc : buf_json_str(b, c->address);
    rc = rc ? rc : og_buf_puts(b, ",\n");
    bool no_coords = c->defect == UM_COORDS_MISSING || c->defect == UM_UNIT_UNKNOWN_NO_COORDS;
    if (!no_coords) {
        rc =
            rc ? rc : og_buf_printf(b, "    \"lat\": %.6f,\n    \"long\": %.6f,\n", c->lat, c->lng);
    }
    else if (variant % 2 == 0) {
        rc = rc ? rc : og_buf_puts(b, "    \"lat\": null,\n    \"long\": null,\n");
    }
    if (c->media) {
        rc = rc ? rc
                : og_buf_printf(b, "    \"media_url\": \"https://szcg.example.cn/media/%s.jpg\",\n",
                                id);
    }
    else {
        rc = rc ? rc : og_buf_puts(b, "    \"media_url\": null,\n");
    }
    rc = rc ? rc
            : og_buf_printf(
                  b, "    \"extended_attributes\": {\"unit_grid\": \"%s\", \"stage\": ", c->unit);
    rc = rc ? rc : buf_json_str(b, UM_STAGES[c->stage]);
    if (c->component[0]) {
        rc = rc ? rc : og_buf_printf(b, ", \"component_id\": \"%s\"}\n", c->component);
    }
    else {
        rc = rc ? rc : og_buf_puts(b, ", \"component_id\": null}\n");
    }
    return rc ? rc : og_buf_puts(b, "  }");
}

static int cmp_um_update(const void *a, const void *b)
{
    const struct um_case *x = a, *y = b;
    if (x->updated != y->updated) {
        return x->updated < y->updated ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int gen_um(const struct world *w, uint64_t seed, long n, struct og_buf *out,
                  struct feed_stats *st)
{
    struct rng r;
    rng_seed(&r, seed, 0x554D); /* "UM" */
    struct um_case *cases = calloc((size_t)(n > 0 ? n : 1), sizeof *cases);
    struct um_case *ups = calloc((size_t)(n > 0 ? n : 1), sizeof *ups);
    if (!cases || !ups) {
        free(cases);
        free(ups);
        return OG_ENOMEM;
    }
    const char *dnames[] = {"coords_missing",
                            "coords_outside",
                            "unknown_service_code",
                            "unit_grid_unknown_no_coords",
                            "invalid_time",
                            "missing_id",
                            "bad_json"};
    for (size_t i = 0; i < sizeof dnames / sizeof dnames[0]; i++) {
        tally_add(&st->defects, dnames[i], 0);
    }
    tally_add(&st->rejected, "bad_json", 0);
    tally_add(&st->rejected, "invalid_time", 0);
    tally_add(&st->rejected, "missing_field", 0);

    long nups = 0;
    for (long i = 0; i < n; i++) {
        struct um_case *c = &cases[i];
        c->seq = 10001 + i;
        double u = rng_unit(&r);
        c->defect = u < 0.04    ? UM_COORDS_MISSING
                    : u < 0.06  ? UM_COORDS_OUTSIDE
                    : u < 0.08  ? UM_UNKNOWN_CODE
                    : u < 0.095 ? UM_UNIT_UNKNOWN_NO_COORDS
                    : u < 0.11  ? UM_INVALID_TIME
                    : u < 0.12  ? UM_MISSING_ID
                                : UM_OK;
        const struct grid *g = &w->grids[w->um_grids[rng_below(&r, (uint32_t)w->num_grids)]];
        double lng, lat;
        grid_point(&r, g, OG_CRS_GCJ02, &c->lng, &c->lat, &lng, &lat);
        int unit = um_unit_for_point(w, g, lng, lat);
        scopy(c->unit, sizeof c->unit, unit >= 0 ? w->units[unit].code : "");
        if (c->defect == UM_UNIT_UNKNOWN_NO_COORDS) {
            /* a community number that no edition ever had */
            snprintf(c->unit, sizeof c->unit, "%.9s9%02d%02d", w->units[unit >= 0 ? unit : 0].code,
                     rng_range(&r, 70, 99), rng_range(&r, 1, 9));
        }
        if (c->defect == UM_COORDS_OUTSIDE) {
            far_point(&r, OG_CRS_GCJ02, &c->lng, &c->lat);
        }
        c->code = c->defect == UM_UNKNOWN_CODE ? -1 : (int)rng_below(&r, (uint32_t)UM_NCODES);
        double s = rng_unit(&r);
        c->stage = s < 0.40 ? 0 : s < 0.65 ? 1 : s < 0.80 ? 2 : s < 0.85 ? 3 : s < 0.97 ? 4 : 5;
        c->requested = slot_time(&r, i, n, 0, 52, 7, 21);
        c->updated = c->requested + (c->stage == 0 ? 0 : rng_range(&r, 10, 60 * 24 * c->stage));
        c->expected = c->requested + SPAN_DAY_MIN * rng_range(&r, 1, 5);
        make_address(&r, w, g->community, false, c->address, sizeof c->address);
        const char *what = c->code >= 0 ? UM_CODES[c->code].name : "共享单车乱停放";
        snprintf(c->description, sizeof c->description, "%s%s附近%s，请尽快处理。",
                 PICK(&r, UM_DESC), PICK(&r, ROADS), what);
        if (c->code >= 0 && UM_CODES[c->code].code[0] == '0') {
            snprintf(c->component, sizeof c->component, "%s%s%05u", UM_CODES[c->code].code,
                     c->unit[0] ? c->unit + 9 : "", rng_below(&r, 100000));
        }
        c->media = rng_chance(&r, 0.35);

        switch (c->defect) {
        case UM_COORDS_MISSING:
            tally_add(&st->defects, "coords_missing", 1);
            break;
        case UM_COORDS_OUTSIDE:
            tally_add(&st->defects, "coords_outside", 1);
            break;
        case UM_UNKNOWN_CODE:
            tally_add(&st->defects, "unknown_service_code", 1);
            break;
        case UM_UNIT_UNKNOWN_NO_COORDS:
            tally_add(&st->defects, "unit_grid_unknown_no_coords", 1);
            break;
        case UM_INVALID_TIME:
            tally_add(&st->defects, "invalid_time", 1);
            tally_add(&st->rejected, "invalid_time", 1);
            break;
        case UM_MISSING_ID:
            tally_add(&st->defects, "missing_id", 1);
            tally_add(&st->rejected, "missing_field", 1);
            break;
        case UM_OK:
            break;
        }
        if (c->defect != UM_INVALID_TIME && c->defect != UM_MISSING_ID) {
            st->loaded++;
        }
        /* ~15% of the loaded, still-open cases come again later with a later stage */
        if (c->defect != UM_INVALID_TIME && c->defect != UM_MISSING_ID && c->stage < 4 &&
            rng_chance(&r, 0.16)) {
            struct um_case *up = &ups[nups++];
            *up = *c;
            up->stage = rng_chance(&r, 0.08) ? 5 : rng_range(&r, c->stage + 1, 4);
            up->updated = c->updated + rng_range(&r, 60, 60 * 48);
        }
    }
    qsort(ups, (size_t)nups, sizeof *ups, cmp_um_update);

    int rc = og_buf_puts(out, "[\n");
    long broken_at = n / 2;
    for (long i = 0; i < n && rc == 0; i++) {
        if (i > 0) {
            rc = og_buf_puts(out, ",\n");
        }
        rc = rc ? rc : um_put_case(out, &cases[i], (int)(cases[i].seq % 2));
        st->written++;
        if (i == broken_at && rc == 0) {
            /* one element that is not JSON: a bare word where a string belongs */
            rc = og_buf_printf(
                out,
                ",\n  {\n    \"service_request_id\": \"UM2020%08ld\",\n    \"status\": open,\n"
                "    \"service_name\": \"垃圾堆放\",\n    \"service_code\": \"1001\",\n"
                "    \"requested_datetime\": \"2020-02-17T09:30:00+08:00\"\n  }",
                10001 + n);
            st->written++;
            tally_add(&st->defects, "bad_json", 1);
            tally_add(&st->rejected, "bad_json", 1);
        }
    }
    for (long i = 0; i < nups && rc == 0; i++) {
        rc = og_buf_puts(out, ",\n");
        rc = rc ? rc : um_put_case(out, &ups[i], (int)(ups[i].seq % 2));
        st->written++;
        st->updates++;
    }
    rc = rc ? rc : og_buf_puts(out, "\n]\n");
    free(cases);
    free(ups);
    return rc;
}

/* ----------------------------------------------------------------------------------------------------------
 */
/* FR-1: fire-hazard inspections, GB18030 CSV with CRLF. */

static const char *const FR_HEADER[12] = {
    "检查编号", "单位名称", "统一社会信用代码", "地址",     "消防网格", "隐患类别",
    "隐患描述", "检查时间", "整改期限",         "整改状态", "经度",     "纬度",
};

struct fr_category {
    const char *name;
    const char *desc[3];
};

static const struct fr_category FR_CATS[] = {
    {"消防通道堵塞",
     {"楼梯间堆放杂物，堵塞疏散通道", "消防车通道被私家车占用", "安全出口被货物堵塞"}},
    {"电动车违规充电",
     {"电动自行车在楼道内充电", "私拉电线为电动车充电", "门厅内停放电动车并充电"}},
    {"灭火器失效", {"灭火器压力不足", "灭火器已过有效期", "未按要求配置灭火器"}},
    {"疏散指示缺失", {"安全出口指示标志损坏不亮", "疏散通道未设应急照明", "疏散指示标志被遮挡"}},
    {"违规用火用电", {"厨房私拉乱接电线", "仓库内使用大功率电器", "住人区域使用明火"}},
    {"其他", {"未建立消防安全管理制度", "员工未经消防安全培训", "消防设施未定期检测"}},
};
#define FR_NCATS (sizeof FR_CATS / sizeof FR_CATS[0])

static const char *const FR_TRICKY[] = {
    "店门口堆放纸箱,堵塞\"安全出口\"\r\n已当场责令清理",
    "楼道内停放电动车3辆,其中1辆正在充电\r\n业主称\"马上搬走\"",
    "厨房油烟管道积油严重,\"灭火毯\"缺失\r\n要求三日内清洗",
};
static const char *const FR_TRADE[] = {
    "鸿福", "金凤", "永兴", "华美", "新时代", "潮味", "德兴",   "利达", "顺发", "明珠",
    "汇丰", "盛源", "万和", "宏达", "金海湾", "振华", "好运来", "百佳", "顺景", "海利",
};
static const char *const FR_BIZ[] = {
    "五金店", "便利店",       "餐饮店", "服装厂", "玩具厂", "药店",       "宾馆",   "电动车行",
    "美发店", "小商品批发部", "茶行",   "网吧",   "印刷厂", "汽车修理厂", "幼儿园", "超市",
};
static const char *const FR_STATUS[] = {"未整改", "整改中", "已整改", "逾期"};

enum fr_defect {
    FR_OK = 0,
    FR_EMPTY_COORDS,
    FR_UNKNOWN_GRID_NO_COORDS,
    FR_INVALID_TIME,
    FR_FIELD_COUNT,
    FR_UNKNOWN_CATEGORY,
    FR_INVALID_USCC,
    FR_TRICKY_TEXT,
};

static int gen_fr(const struct world *w, uint64_t seed, long n, struct og_buf *out,
                  struct feed_stats *st)
{
    struct rng r;
    rng_seed(&r, seed, 0x4652); /* "FR" */
    const char *dnames[] = {"invalid_uscc",      "empty_coords", "unknown_fire_grid_no_coords",
                            "invalid_time",      "field_count",  "unknown_category",
                            "quoted_description"};
    for (size_t i = 0; i < sizeof dnames / sizeof dnames[0]; i++) {
        tally_add(&st->defects, dnames[i], 0);
    }
    tally_add(&st->rejected, "field_count", 0);
    tally_add(&st->rejected, "invalid_time", 0);

    int rc = 0;
    for (int k = 0; k < 12 && rc == 0; k++) {
        rc = buf_csv_field(out, FR_HEADER[k], k == 0);
    }
    rc = rc ? rc : og_buf_puts(out, "\r\n");
    for (long i = 0; i < n && rc == 0; i++) {
        double u = rng_unit(&r);
        enum fr_defect d = u < 0.05    ? FR_EMPTY_COORDS
                           : u < 0.065 ? FR_UNKNOWN_GRID_NO_COORDS
                           : u < 0.08  ? FR_INVALID_TIME
                           : u < 0.09  ? FR_FIELD_COUNT
                           : u < 0.11  ? FR_UNKNOWN_CATEGORY
                           : u < 0.14  ? FR_INVALID_USCC
                           : u < 0.18  ? FR_TRICKY_TEXT
                                       : FR_OK;
        const struct grid *g = &w->grids[rng_below(&r, (uint32_t)w->ngrids)];
        double lng, lat, bd_lng, bd_lat;
        grid_point(&r, g, OG_CRS_BD09, &bd_lng, &bd_lat, &lng, &lat);

        char f[12][320];
        snprintf(f[0], sizeof f[0], "XFJC2020%06ld", i + 1);
        bool individual = rng_chance(&r, 0.6);
        snprintf(f[1], sizeof f[1], "%s%s%s", rng_chance(&r, 0.5) ? "汕头市金平区" : "",
                 PICK(&r, FR_TRADE), PICK(&r, FR_BIZ));
        make_uscc(&r, individual, d == FR_INVALID_USCC, f[2]);
        rc = verify_id(f[2], OG_ID_USCC, d != FR_INVALID_USCC);
        if (rc) {
            break;
        }
        make_address(&r, w, g->community, false, f[3], sizeof f[3]);
        if (d == FR_UNKNOWN_GRID_NO_COORDS) {
            const struct community *c = g->community >= 0 ? &w->comms[g->community] : NULL;
            snprintf(f[4], sizeof f[4], "%s第%d消防网格",
                     c && c->street >= 0 ? w->streets[c->street].name : w->county,
                     rng_range(&r, 11, 99));
        }
        else {
            scopy(f[4], sizeof f[4], g->community >= 0 ? w->comms[g->community].fire : "");
        }
        const struct fr_category *cat = &FR_CATS[rng_below(&r, (uint32_t)FR_NCATS)];
        scopy(f[5], sizeof f[5], d == FR_UNKNOWN_CATEGORY ? "高空抛物" : cat->name);
        if (d == FR_TRICKY_TEXT) {
            scopy(f[6], sizeof f[6], PICK(&r, FR_TRICKY));
        }
        else if (d == FR_UNKNOWN_CATEGORY) {
            scopy(f[6], sizeof f[6], "巡查发现楼上住户向下抛掷杂物");
        }
        else {
            scopy(f[6], sizeof f[6], cat->desc[rng_below(&r, 3)]);
        }
        int64_t t = slot_time(&r, i, n, 0, 43, 8, 17);
        if (d == FR_INVALID_TIME) {
            snprintf(f[7], sizeof f[7], "2020/2/30 %d:%02d", rng_range(&r, 8, 17),
                     rng_range(&r, 0, 59));
        }
        else {
            fmt_fr_time(f[7], sizeof f[7], t);
        }
        fmt_fr_date(f[8], sizeof f[8], t + (int64_t)SPAN_DAY_MIN * rng_range(&r, 3, 15));
        scopy(f[9], sizeof f[9], PICK(&r, FR_STATUS));
        if (d == FR_EMPTY_COORDS || d == FR_UNKNOWN_GRID_NO_COORDS) {
            f[10][0] = f[11][0] = '\0';
        }
        else {
            snprintf(f[10], sizeof f[10], "%.6f", bd_lng);
            snprintf(f[11], sizeof f[11], "%.6f", bd_lat);
        }
        for (int k = 0; k < 12 && rc == 0; k++) {
            if (d == FR_FIELD_COUNT && k == 6) {
                continue; /* the row lost its description column */
            }
            rc = buf_csv_field(out, f[k], k == 0);
        }
        rc = rc ? rc : og_buf_puts(out, "\r\n");
        st->written++;
        switch (d) {
        case FR_EMPTY_COORDS:
            tally_add(&st->defects, "empty_coords", 1);
            break;
        case FR_UNKNOWN_GRID_NO_COORDS:
            tally_add(&st->defects, "unknown_fire_grid_no_coords", 1);
            break;
        case FR_INVALID_TIME:
            tally_add(&st->defects, "invalid_time", 1);
            tally_add(&st->rejected, "invalid_time", 1);
            break;
        case FR_FIELD_COUNT:
            tally_add(&st->defects, "field_count", 1);
            tally_add(&st->rejected, "field_count", 1);
            break;
        case FR_UNKNOWN_CATEGORY:
            tally_add(&st->defects, "unknown_category", 1);
            break;
        case FR_INVALID_USCC:
            tally_add(&st->defects, "invalid_uscc", 1);
            break;
        case FR_TRICKY_TEXT:
            tally_add(&st->defects, "quoted_description", 1);
            break;
        case FR_OK:
            break;
        }
        if (d != FR_INVALID_TIME && d != FR_FIELD_COUNT) {
            st->loaded++;
        }
    }
    return rc;
}

/* UTF-8 -> GB18030 with iconv. *out is new (free it). */
static int to_gb18030(const char *in, size_t inlen, char **out, size_t *outlen,
                      struct og_error *err)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    if (cd == (iconv_t)-1) {
        return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, "iconv",
                            "cannot convert to GB18030: %s", strerror(errno));
    }
    size_t cap = inlen + 16;
    char *buf = malloc(cap);
    if (!buf) {
        iconv_close(cd);
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "oom", "out of memory");
    }
    char *src = (char *)in, *dst = buf;
    size_t left = inlen, room = cap;
    int rc = 0;
    if (iconv(cd, &src, &left, &dst, &room) == (size_t)-1) {
        rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, "iconv",
                          "could not convert to GB18030 at byte %zu: %s", inlen - left,
                          strerror(errno));
    }
    iconv_close(cd);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *outlen = cap - room;
    return 0;
}

/* ----------------------------------------------------------------------------------------------------------
 */
/* HL-2: household screening visits, NDJSON, streamed one visit at a time. */

enum hl_defect {
    HL_OK = 0,
    HL_COMMUNITY_WITH_GPS, /* a variant the contract allows, not a defect */
    HL_GPS_MISSING,
    HL_COMMUNITY_NO_GPS,
    HL_GPS_OUTSIDE,
    HL_UNKNOWN_GRID_NO_GPS,
    HL_INVALID_TIME,
    HL_BAD_JSON,
};

static const char *const HL_SYMPTOMS[] = {
    "fever", "cough", "fatigue", "sore_throat", "shortness_of_breath", "diarrhea"};

struct hl_gen {
    const struct world *w;
    struct rng r;
    long n;
    struct og_buf line;
    struct feed_stats *st;
};

static void hl_init_stats(struct feed_stats *st)
{
    const char *dnames[] = {"gps_missing",      "community_no_gps",
                            "gps_outside",      "unknown_grid_no_gps",
                            "invalid_time",     "bad_json",
                            "invalid_id_check", "legacy_15_id",
                            "lowercase_x_id",   "community_code_with_gps"};
    for (size_t i = 0; i < sizeof dnames / sizeof dnames[0]; i++) {
        tally_add(&st->defects, dnames[i], 0);
    }
    tally_add(&st->rejected, "bad_json", 0);
    tally_add(&st->rejected, "invalid_time", 0);
}

/* Writes visit i as one line (with "\n") into g->line. */
static int hl_visit(struct hl_gen *g, long i)
{
    struct rng *r = &g->r;
    const struct world *w = g->w;
    struct og_buf *b = &g->line;
    og_buf_reset(b);

    double u = rng_unit(r);
    enum hl_defect d = u < 0.04    ? HL_COMMUNITY_WITH_GPS
                       : u < 0.08  ? HL_GPS_MISSING
                       : u < 0.10  ? HL_COMMUNITY_NO_GPS
                       : u < 0.115 ? HL_GPS_OUTSIDE
                       : u < 0.125 ? HL_UNKNOWN_GRID_NO_GPS
                       : u < 0.135 ? HL_INVALID_TIME
                       : u < 0.139 ? HL_BAD_JSON
                                   : HL_OK;
    size_t gi = rng_below(r, (uint32_t)w->ngrids);
    const struct grid *gr = &w->grids[gi];
    double lng, lat, glng, glat;
    grid_point(r, gr, OG_CRS_GCJ02, &glng, &glat, &lng, &lat);
    if (d == HL_GPS_OUTSIDE) {
        far_point(r, OG_CRS_GCJ02, &glng, &glat);
    }

    char grid_code[24], ts[40];
    if (d == HL_COMMUNITY_WITH_GPS || d == HL_COMMUNITY_NO_GPS) {
        snprintf(grid_code, sizeof grid_code, "%.12s", gr->code);
    }
    else if (d == HL_UNKNOWN_GRID_NO_GPS) {
        snprintf(grid_code, sizeof grid_code, "%.9s%03d%03d", gr->code, rng_range(r, 900, 999),
                 rng_range(r, 1, 20));
    }
    else {
        scopy(grid_code, sizeof grid_code, gr->code);
    }
    int64_t t = slot_time(r, i, g->n, 0, 59, 8, 20);
    if (d == HL_INVALID_TIME) {
        scopy(ts, sizeof ts, i % 2 ? "2020-02-30T09:15:00+08:00" : "2020/02/03 14:05");
    }
    else {
        fmt_iso(ts, sizeof ts, t);
    }
    int rc = og_buf_printf(
        b,
        "{\"visitId\": \"HV2020%09ld\", \"workerId\": \"JPW%04zu\", \"gridCode\": \"%s\", "
        "\"visitedAt\": \"%s\", ",
        i + 1, gi + 1, grid_code, ts);
    bool no_gps = d == HL_GPS_MISSING || d == HL_COMMUNITY_NO_GPS || d == HL_UNKNOWN_GRID_NO_GPS;
    if (!no_gps) {
        rc = rc ? rc
                : og_buf_printf(b, "\"gps\": {\"lng\": %.6f, \"lat\": %.6f, \"crs\": \"gcj02\"}, ",
                                glng, glat);
    }
    else if (i % 2 == 0) {
        rc = rc ? rc : og_buf_puts(b, "\"gps\": null, ");
    }
    char addr[256];
    make_address(r, w, gr->community, true, addr, sizeof addr);
    rc = rc ? rc : og_buf_puts(b, "\"household\": {\"address\": ");
    rc = rc ? rc : buf_json_str(b, addr);
    rc = rc ? rc : og_buf_puts(b, ", \"members\": [");

    bool rejected = d == HL_INVALID_TIME || d == HL_BAD_JSON;
    int nm = rng_range(r, 1, 5);
    bool travelled = rng_chance(r, 0.03); /* the household came back from Wuhan */
    for (int m = 0; m < nm && rc == 0; m++) {
        enum id_variant v = ID_NORMAL;
        double iu = rng_unit(r);
        if (!rejected) {
            v = iu < 0.02   ? ID_BAD_CHECK
                : iu < 0.04 ? ID_LEGACY15
                : iu < 0.05 ? ID_LOWER_X
                            : ID_NORMAL;
        }
        char idno[20], name[32];
        make_resident_id(r, v, idno);
        rc = verify_id(idno, OG_ID_RESIDENT, v != ID_BAD_CHECK);
        make_name(r, name, sizeof name);
        bool fever = rng_chance(r, travelled ? 0.25 : 0.03);
        int temp10 = fever ? rng_range(r, 373, 395) : rng_range(r, 358, 372);
        rc = rc ? rc : og_buf_puts(b, m ? ", {\"idNo\": " : "{\"idNo\": ");
        rc = rc ? rc : buf_json_str(b, idno);
        rc = rc ? rc : og_buf_puts(b, ", \"name\": ");
        rc = rc ? rc : buf_json_str(b, name);
        rc = rc ? rc
                : og_buf_printf(b, ", \"temperature\": %d.%d, \"symptoms\": [", temp10 / 10,
                                temp10 % 10);
        int ns = 0;
        if (fever) {
            rc = rc ? rc : og_buf_puts(b, "\"fever\"");
            ns++;
        }
        if (rng_chance(r, fever ? 0.5 : 0.02)) {
            const char *sym = HL_SYMPTOMS[1 + rng_below(r, 5)];
            rc = rc ? rc : og_buf_printf(b, "%s\"%s\"", ns ? ", " : "", sym);
            ns++;
        }
        rc = rc ? rc
                : og_buf_printf(b, "], \"travel14d\": [%s], \"healthCode\": \"%s\"}",
                                travelled ? "\"武汉\"" : "",
                                travelled ? (fever ? "red" : "yellow")
                                : ns      ? "yellow"
                                          : "green");
        if (!rejected) {
            g->st->members++;
            if (v == ID_BAD_CHECK) {
                tally_add(&g->st->defects, "invalid_id_check", 1);
            }
            else if (v == ID_LEGACY15) {
                tally_add(&g->st->defects, "legacy_15_id", 1);
            }
            else if (v == ID_LOWER_X) {
                tally_add(&g->st->defects, "lowercase_x_id", 1);
            }
        }
    }
    rc = rc ? rc : og_buf_puts(b, "]}}\n");
    if (rc) {
        return rc;
    }
    if (d == HL_BAD_JSON) {
        /* the app died mid-write: the line stops at a comma in its first half */
        size_t cut = b->len / 2;
        while (cut > 1 && b->data[cut] != ',') {
            cut--;
        }
        b->len = cut;
        b->data[cut] = '\0';
        rc = og_buf_putc(b, '\n');
    }
    g->st->written++;
    switch (d) {
    case HL_GPS_MISSING:
        tally_add(&g->st->defects, "gps_missing", 1);
        break;
    case HL_COMMUNITY_NO_GPS:
        tally_add(&g->st->defects, "community_no_gps", 1);
        break;
    case HL_GPS_OUTSIDE:
        tally_add(&g->st->defects, "gps_outside", 1);
        break;
    case HL_UNKNOWN_GRID_NO_GPS:
        tally_add(&g->st->defects, "unknown_grid_no_gps", 1);
        break;
    case HL_COMMUNITY_WITH_GPS:
        tally_add(&g->st->defects, "community_code_with_gps", 1);
        break;
    case HL_INVALID_TIME:
        tally_add(&g->st->defects, "invalid_time", 1);
        tally_add(&g->st->rejected, "invalid_time", 1);
        break;
    case HL_BAD_JSON:
        tally_add(&g->st->defects, "bad_json", 1);
        tally_add(&g->st->rejected, "bad_json", 1);
        break;
    case HL_OK:
        break;
    }
    if (!rejected) {
        g->st->loaded++;
    }
    return rc;
}

/* Streams n visits to f (constant memory). progress: report every 100k visits on stderr. */
static int gen_hl(const struct world *w, uint64_t seed, long n, FILE *f, bool progress,
                  struct feed_stats *st)
{
    struct hl_gen g = {.w = w, .n = n, .line = OG_BUF_INIT, .st = st};
    rng_seed(&g.r, seed, 0x484C); /* "HL" */
    hl_init_stats(st);
    int rc = 0;
    for (long i = 0; i < n && rc == 0; i++) {
        rc = hl_visit(&g, i);
        if (rc == 0 && fwrite(g.line.data, 1, g.line.len, f) != g.line.len) {
            rc = OG_EIO;
        }
        if (progress && (i + 1) % 100000 == 0) {
            fprintf(stderr, "og-feedgen: hl %ld/%ld visits\n", i + 1, n);
        }
    }
    og_buf_free(&g.line);
    return rc;
}

/* ----------------------------------------------------------------------------------------------------------
 */
/* Output. */

static int mkdir_p(const char *path)
{
    char tmp[4096];
    scopy(tmp, sizeof tmp, path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
                return OG_EIO;
            }
            *p = '/';
        }
    }
    return mkdir(tmp, 0755) != 0 && errno != EEXIST ? OG_EIO : 0;
}

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "og-feedgen: could not create \"%s\": %s\n", path, strerror(errno));
        return OG_EIO;
    }
    size_t wr = fwrite(data, 1, len, f);
    int rc = fclose(f);
    if (wr != len || rc != 0) {
        fprintf(stderr, "og-feedgen: could not write \"%s\"\n", path);
        return OG_EIO;
    }
    return 0;
}

static json_t *tally_json(const struct tally *t)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < t->n; i++) {
        json_object_set_new(o, t->names[i], json_integer(t->counts[i]));
    }
    return o;
}

static json_t *feed_json(const char *file, const struct feed_stats *st, bool um, bool hl)
{
    json_t *o = json_object();
    json_object_set_new(o, "file", json_string(file));
    json_object_set_new(o, "records_written", json_integer(st->written));
    json_object_set_new(o, "expected_loaded", json_integer(st->loaded));
    json_object_set_new(o, "expected_rejected_by_reason", tally_json(&st->rejected));
    json_object_set_new(o, "defects", tally_json(&st->defects));
    if (um) {
        json_object_set_new(o, "updates", json_integer(st->updates));
    }
    if (hl) {
        json_object_set_new(o, "members", json_integer(st->members));
    }
    return o;
}

static int write_service_codes(const char *path)
{
    struct og_buf b = OG_BUF_INIT;
    int rc = og_buf_puts(&b, "code,name\n");
    for (size_t i = 0; i < UM_NCODES && rc == 0; i++) {
        rc = og_buf_printf(&b, "%s,%s\n", UM_CODES[i].code, UM_CODES[i].name);
    }
    rc = rc ? rc : write_file(path, b.data, b.len);
    og_buf_free(&b);
    return rc;
}

struct opts {
    const char *world, *crosswalks, *out, *hl_out;
    uint64_t seed;
    long um, fr, hl;
};

static int run_all(const struct world *w, const struct opts *o)
{
    char path[4096];
    struct feed_stats um = {0}, fr = {0}, hl = {0};
    struct og_buf b = OG_BUF_INIT;
    struct og_error err;
    og_error_clear(&err);
    int rc = 0;
    const char *dirs[] = {"um", "fr", "hl"};
    for (int i = 0; i < 3 && rc == 0; i++) {
        snprintf(path, sizeof path, "%s/%s", o->out, dirs[i]);
        rc = mkdir_p(path);
        if (rc) {
            fprintf(stderr, "og-feedgen: could not create \"%s\": %s\n", path, strerror(errno));
            return rc;
        }
    }

    rc = gen_um(w, o->seed, o->um, &b, &um);
    snprintf(path, sizeof path, "%s/um/um_cases_20200203.json", o->out);
    rc = rc ? rc : write_file(path, b.data, b.len);
    snprintf(path, sizeof path, "%s/um/service_codes.csv", o->out);
    rc = rc ? rc : write_service_codes(path);
    og_buf_reset(&b);

    rc = rc ? rc : gen_fr(w, o->seed, o->fr, &b, &fr);
    if (rc == 0) {
        char *gb = NULL;
        size_t gblen = 0;
        rc = to_gb18030(b.data, b.len, &gb, &gblen, &err);
        snprintf(path, sizeof path, "%s/fr/fr_inspections_20200203.csv", o->out);
        rc = rc ? rc : write_file(path, gb, gblen);
        free(gb);
    }
    og_buf_free(&b);

    if (rc == 0) {
        snprintf(path, sizeof path, "%s/hl/hl_visits_20200203.ndjson", o->out);
        FILE *f = fopen(path, "wb");
        if (!f) {
            fprintf(stderr, "og-feedgen: could not create \"%s\": %s\n", path, strerror(errno));
            return OG_EIO;
        }
        rc = gen_hl(w, o->seed, o->hl, f, false, &hl);
        if (fclose(f) != 0 && rc == 0) {
            rc = OG_EIO;
        }
    }
    if (rc == 0) {
        json_t *man = json_object();
        json_object_set_new(man, "generator", json_string("og-feedgen"));
        json_object_set_new(man, "seed", json_integer((json_int_t)o->seed));
        json_object_set_new(man, "timezone", json_string("Asia/Shanghai"));
        json_t *feeds = json_object();
        json_object_set_new(feeds, "um_cases",
                            feed_json("um/um_cases_20200203.json", &um, true, false));
        json_object_set_new(feeds, "fr_inspections",
                            feed_json("fr/fr_inspections_20200203.csv", &fr, false, false));
        json_object_set_new(feeds, "hl_visits",
                            feed_json("hl/hl_visits_20200203.ndjson", &hl, false, true));
        json_object_set_new(man, "feeds", feeds);
        char *text = json_dumps(man, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(man);
        if (!text) {
            rc = OG_ENOMEM;
        }
        else {
            snprintf(path, sizeof path, "%s/MANIFEST.json", o->out);
            struct og_buf mb = OG_BUF_INIT;
            rc = og_buf_puts(&mb, text);
            rc = rc ? rc : og_buf_putc(&mb, '\n');
            rc = rc ? rc : write_file(path, mb.data, mb.len);
            og_buf_free(&mb);
            free(text);
        }
    }
    if (rc == 0) {
        fprintf(stderr,
                "og-feedgen: um %ld elements (%ld loaded), fr %ld rows (%ld loaded), hl %ld visits "
                "(%ld loaded, "
                "%ld members) -> %s\n",
                um.written, um.loaded, fr.written, fr.loaded, hl.written, hl.loaded, hl.members,
                o->out);
    }
    else if (err.code) {
        char msg[1024];
        fprintf(stderr, "og-feedgen: %s\n", og_error_format(&err, msg, sizeof msg));
    }
    return rc;
}

static int run_hl_only(const struct world *w, const struct opts *o)
{
    struct feed_stats hl = {0};
    bool to_stdout = strcmp(o->hl_out, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(o->hl_out, "wb");
    if (!f) {
        fprintf(stderr, "og-feedgen: could not create \"%s\": %s\n", o->hl_out, strerror(errno));
        return OG_EIO;
    }
    int rc = gen_hl(w, o->seed, o->hl, f, true, &hl);
    if ((to_stdout ? fflush(f) : fclose(f)) != 0 && rc == 0) {
        rc = OG_EIO;
    }
    if (rc) {
        fprintf(stderr, "og-feedgen: could not write \"%s\"\n", o->hl_out);
        return rc;
    }
    fprintf(stderr,
            "og-feedgen: hl %ld visits, %ld expected loaded, %ld members; rejected bad_json %ld, "
            "invalid_time %ld\n",
            hl.written, hl.loaded, hl.members, tally_get(&hl.rejected, "bad_json"),
            tally_get(&hl.rejected, "invalid_time"));
    return 0;
}

static void usage(FILE *f)
{
    fputs("usage: og-feedgen --world DIR [--crosswalks DIR] --out DIR [--seed N] [--um N] [--fr N] "
          "[--hl N]\n"
          "       og-feedgen --world DIR [--crosswalks DIR] --hl N --hl-out FILE|-\n"
          "  --world DIR       world folder (divisions.csv, grids.geojson, dept_grids.geojson)\n"
          "  --crosswalks DIR  crosswalk CSVs (default: mappings/crosswalks)\n"
          "  --out DIR         writes um/, fr/, hl/ and MANIFEST.json\n"
          "  --seed N          PRNG seed (default 20200203)\n"
          "  --um N            UM cases (default 1200), --fr N rows (800), --hl N visits (1500)\n"
          "  --hl-out FILE     write only the HL-2 NDJSON (\"-\": stdout), streaming, progress on "
          "stderr\n",
          f);
}

static int parse_count(const char *s, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !end || *end || v < 0 || v > 100000000L) {
        return -1;
    }
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o = {
        .crosswalks = "mappings/crosswalks", .seed = 20200203, .um = 1200, .fr = 800, .hl = 1500};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n = 0;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "og-feedgen: %s needs a value (or is unknown)\n", a);
            usage(stderr);
            return 2;
        }
        if (strcmp(a, "--world") == 0) {
            o.world = v;
        }
        else if (strcmp(a, "--crosswalks") == 0) {
            o.crosswalks = v;
        }
        else if (strcmp(a, "--out") == 0) {
            o.out = v;
        }
        else if (strcmp(a, "--hl-out") == 0) {
            o.hl_out = v;
        }
        else if (strcmp(a, "--seed") == 0) {
            char *end = NULL;
            errno = 0;
            o.seed = strtoull(v, &end, 10);
            if (errno || !end || *end || *v == '-') {
                fprintf(stderr, "og-feedgen: --seed wants a non-negative integer, got \"%s\"\n", v);
                return 2;
            }
        }
        else if ((strcmp(a, "--um") == 0 || strcmp(a, "--fr") == 0 || strcmp(a, "--hl") == 0)) {
            if (parse_count(v, &n) != 0) {
                fprintf(stderr, "og-feedgen: %s wants a count 0..100000000, got \"%s\"\n", a, v);
                return 2;
            }
            *(a[2] == 'u' ? &o.um : a[2] == 'f' ? &o.fr : &o.hl) = n;
        }
        else {
            fprintf(stderr, "og-feedgen: unknown option \"%s\"\n", a);
            usage(stderr);
            return 2;
        }
        i++;
    }
    if (!o.world || (!o.out && !o.hl_out) || (o.out && o.hl_out)) {
        fprintf(stderr, "og-feedgen: give --world and exactly one of --out or --hl-out\n");
        usage(stderr);
        return 2;
    }
    struct world w;
    struct og_error err;
    og_error_clear(&err);
    if (world_load(&w, o.world, o.crosswalks, &err) != 0) {
        char msg[1024];
        fprintf(stderr, "og-feedgen: %s\n", og_error_format(&err, msg, sizeof msg));
        return 1;
    }
    int rc = o.hl_out ? run_hl_only(&w, &o) : run_all(&w, &o);
    world_free(&w);
    return rc ? 1 : 0;
}
