/* og-worldgen.c - deterministic generator of the Jinping (440511) world: divisions, synthetic
 * community areas and unified grids cut from the real outline, department grid schemes and their
 * crosswalks. */
#include "core/buf.h"
#include "core/error.h"
#include "transform/geo.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WG_COUNTY "440511"
#define WG_EDITION "2023"
#define WG_DIGITS 7            /* decimals kept in GeoJSON coordinates */
#define WG_PS_STEP 0.012       /* police beat lattice, degrees */
#define WG_UM_STEP 0.006       /* urban-management unit grid lattice, degrees */
#define WG_MIN_CELL_M2 1000.0  /* lattice cells smaller than this (after clipping) are dropped */
#define WG_MIN_WEIGHT 1e-4     /* crosswalk overlaps below this share are dropped */
#define WG_LINE_EPS 1e-9       /* degrees: a vertex this close to a cut line lies on it */
#define WG_SLIVER_M2 1e-3      /* pieces below this area are dropped */
#define WG_M_PER_DEG 111194.93 /* metres per degree of latitude, R = 6371008.8 m */
#define WG_SEED 440511u        /* PRNG seed of the synthetic community sizes */

/* ---------- options ---------- */

struct wg_opts {
    const char *outline;
    const char *streets;
    const char *communities;
    const char *out;
    const char *crosswalks;
};

static const struct wg_opt_def {
    const char *name;
    const char *metavar;
    size_t offset;
    const char *def;
    const char *help;
} wg_opt_defs[] = {
    {"--outline", "FILE", offsetof(struct wg_opts, outline),
     "world/jinping/reference/jinping_440511_outline_gcj02.json",
     "district outline, GeoJSON Polygon/MultiPolygon in GCJ-02"},
    {"--streets", "FILE", offsetof(struct wg_opts, streets),
     "world/jinping/reference/cn_streets_440511.csv",
     "NBS streets CSV (code,name,areaCode,...); rows of 440511 are used"},
    {"--communities", "FILE", offsetof(struct wg_opts, communities),
     "world/jinping/reference/cn_villages_440511.csv",
     "NBS communities CSV (code,name,streetCode,...); rows of 440511 are used"},
    {"--out", "DIR", offsetof(struct wg_opts, out), "world/jinping",
     "folder for divisions.csv, division_alias.csv and the three .geojson files"},
    {"--crosswalks", "DIR", offsetof(struct wg_opts, crosswalks), "mappings/crosswalks",
     "folder for ps.csv, um.csv, fr.csv, hl.csv"},
};
#define WG_NOPTS (sizeof wg_opt_defs / sizeof wg_opt_defs[0])

static void print_help(FILE *f)
{
    fprintf(
        f,
        "usage: og-worldgen [OPTIONS]\n"
        "Generates the Jinping (440511) world: divisions, 2016 aliases, community areas, 685 "
        "unified\n"
        "grids, department grids (PS, UM, FR, HL) and crosswalks. Same input, same output bytes.\n"
        "Run from the repository root (`make world`). Options:\n");
    for (size_t i = 0; i < WG_NOPTS; i++) {
        fprintf(f, "  %-14s %-5s %s\n  %-20s default: %s\n", wg_opt_defs[i].name,
                wg_opt_defs[i].metavar, wg_opt_defs[i].help, "", wg_opt_defs[i].def);
    }
    fprintf(f, "  %-14s       this text\n", "--help");
}

/* 0 ok, 1 help shown, -1 usage error (message printed). */
static int parse_args(int argc, char **argv, struct wg_opts *opts)
{
    for (size_t i = 0; i < WG_NOPTS; i++) {
        *(const char **)((char *)opts + wg_opt_defs[i].offset) = wg_opt_defs[i].def;
    }
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
            print_help(stdout);
            return 1;
        }
        size_t i = 0;
        while (i < WG_NOPTS && strcmp(argv[a], wg_opt_defs[i].name) != 0) {
            i++;
        }
        if (i == WG_NOPTS) {
            fprintf(stderr, "og-worldgen: unknown option \"%s\" (try --help)\n", argv[a]);
            return -1;
        }
        if (a + 1 >= argc) {
            fprintf(stderr, "og-worldgen: option %s needs a value\n", argv[a]);
            return -1;
        }
        *(const char **)((char *)opts + wg_opt_defs[i].offset) = argv[++a];
    }
    return 0;
}

/* ---------- the world in memory ---------- */

struct wg_street {
    char code[10];
    char name[64];
    size_t first_comm, ncomms;
    struct og_mpoly area;
};

struct wg_comm {
    char code[13];
    char name[64];
    char code2016[13];
    size_t street;
    struct og_mpoly area;
    double area_m2;
    size_t first_grid, ngrids;
};

struct wg_grid {
    char code[16];
    char name[96];
    size_t comm;
    struct og_mpoly area;
    double area_m2, clng, clat;
    struct og_bbox bbox;
};

struct wg_xrow {
    size_t grid;
    double w;
    long micro; /* weight in millionths after rounding */
};

struct wg_dept {
    char dept[3];
    char code[160];
    char name[192];
    struct og_mpoly area; /* npolys == 0: no shape */
    struct wg_xrow *rows;
    size_t nrows;
};

struct wg_world {
    struct og_mpoly outline;
    struct wg_street *streets;
    size_t nstreets;
    struct wg_comm *comms;
    size_t ncomms;
    struct wg_grid *grids;
    size_t ngrids;
    struct wg_dept *depts;
    size_t ndepts, capdepts;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) {
        return 0;
    }
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need) {
        ncap *= 2;
    }
    void *np = realloc(*p, ncap * elem);
    if (np == NULL) {
        return OG_ENOMEM;
    }
    memset((char *)np + *cap * elem, 0, (ncap - *cap) * elem);
    *p = np;
    *cap = ncap;
    return 0;
}

static void world_free(struct wg_world *w)
{
    og_mpoly_free(&w->outline);
    for (size_t i = 0; i < w->nstreets; i++) {
        og_mpoly_free(&w->streets[i].area);
    }
    for (size_t i = 0; i < w->ncomms; i++) {
        og_mpoly_free(&w->comms[i].area);
    }
    for (size_t i = 0; i < w->ngrids; i++) {
        og_mpoly_free(&w->grids[i].area);
    }
    for (size_t i = 0; i < w->ndepts; i++) {
        og_mpoly_free(&w->depts[i].area);
        free(w->depts[i].rows);
    }
    free(w->streets);
    free(w->comms);
    free(w->grids);
    free(w->depts);
    memset(w, 0, sizeof *w);
}

/* ---------- reading the inputs ---------- */

static int read_file(const char *path, struct og_buf *out, struct og_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return og_error_set(err, OG_EIO, OG_CLASS_FATAL, "io", "could not open \"%s\": %s", path,
                            strerror(errno));
    }
    char chunk[8192];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (og_buf_append(out, chunk, n) < 0) {
            rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory");
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        rc = og_error_set(err, OG_EIO, OG_CLASS_FATAL, "io", "could not read \"%s\"", path);
    }
    fclose(f);
    if (rc == 0 && out->data == NULL && og_buf_puts(out, "") < 0) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory");
    }
    return rc;
}

#define WG_MAXF 8
/* Splits one CSV record (RFC 4180, no embedded newlines) at *pos into fields (NUL-terminated, in
 * place). Returns the number of fields, 0 at the end of the text. */
static int csv_next(char **pos, char *fields[WG_MAXF])
{
    char *p = *pos;
    if (*p == '\0') {
        return 0;
    }
    int nf = 0;
    for (;;) {
        char *dst = p, *start = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0') {
                    break;
                }
                if (*p == '"' && p[1] == '"') {
                    *dst++ = '"';
                    p += 2;
                }
                else if (*p == '"') {
                    p++;
                    break;
                }
                else {
                    *dst++ = *p++;
                }
            }
        }
        while (*p != ',' && *p != '\n' && *p != '\r' && *p != '\0') {
            *dst++ = *p++;
        }
        char sep = *p;
        *dst = '\0';
        if (nf < WG_MAXF) {
            fields[nf++] = start;
        }
        if (sep == ',') {
            p++;
            continue;
        }
        if (sep == '\r') {
            p++;
            if (*p == '\n') {
                p++;
            }
        }
        else if (sep == '\n') {
            p++;
        }
        break;
    }
    *pos = p;
    return nf;
}

static int csv_col(char *const *fields, int nf, const char *name)
{
    for (int i = 0; i < nf; i++) {
        if (strcmp(fields[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

static bool all_digits(const char *s, size_t n)
{
    if (strlen(s) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

static int copy_name(char *dst, size_t size, const char *src, const char *path,
                     struct og_error *err)
{
    if (strlen(src) == 0 || strlen(src) >= size) {
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "bad_name", "%s: bad name \"%s\"", path,
                            src);
    }
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

static int cmp_street(const void *a, const void *b)
{
    return strcmp(((const struct wg_street *)a)->code, ((const struct wg_street *)b)->code);
}
static int cmp_comm(const void *a, const void *b)
{
    return strcmp(((const struct wg_comm *)a)->code, ((const struct wg_comm *)b)->code);
}

static int load_streets(struct wg_world *w, const char *path, struct og_error *err)
{
    struct og_buf text = OG_BUF_INIT;
    int rc = read_file(path, &text, err);
    size_t cap = 0;
    if (rc < 0) {
        goto done;
    }
    char *pos = text.data, *f[WG_MAXF];
    int nf = csv_next(&pos, f);
    int ccode = csv_col(f, nf, "code"), cname = csv_col(f, nf, "name");
    int carea = csv_col(f, nf, "areaCode");
    if (ccode < 0 || cname < 0 || carea < 0) {
        rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "bad_header",
                          "%s: header needs code,name,areaCode", path);
        goto done;
    }
    while ((nf = csv_next(&pos, f)) > 0) {
        if (nf <= ccode || nf <= cname || nf <= carea || strcmp(f[carea], WG_COUNTY) != 0) {
            continue;
        }
        if (!all_digits(f[ccode], 9) || strncmp(f[ccode], WG_COUNTY, 6) != 0) {
            rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "bad_code",
                              "%s: bad street code \"%s\"", path, f[ccode]);
            goto done;
        }
        if (grow((void **)&w->streets, &cap, w->nstreets + 1, sizeof *w->streets) < 0) {
            rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory");
            goto done;
        }
        struct wg_street *s = &w->streets[w->nstreets];
        memcpy(s->code, f[ccode], 10);
        if ((rc = copy_name(s->name, sizeof s->name, f[cname], path, err)) < 0) {
            goto done;
        }
        w->nstreets++;
    }
    qsort(w->streets, w->nstreets, sizeof *w->streets, cmp_street);
done:
    og_buf_free(&text);
    return rc;
}

static int load_comms(struct wg_world *w, const char *path, struct og_error *err)
{
    struct og_buf text = OG_BUF_INIT;
    int rc = read_file(path, &text, err);
    size_t cap = 0;
    if (rc < 0) {
        goto done;
    }
    char *pos = text.data, *f[WG_MAXF];
    int nf = csv_next(&pos, f);
    int ccode = csv_col(f, nf, "code"), cname = csv_col(f, nf, "name");
    int cstreet = csv_col(f, nf, "streetCode");
    if (ccode < 0 || cname < 0 || cstreet < 0) {
        rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "bad_header",
                          "%s: header needs code,name,streetCode", path);
        goto done;
    }
    while ((nf = csv_next(&pos, f)) > 0) {
        if (nf <= ccode || nf <= cname || nf <= cstreet || strncmp(f[ccode], WG_COUNTY, 6) != 0) {
            continue;
        }
        if (!all_digits(f[ccode], 12) || strncmp(f[ccode], f[cstreet], 9) != 0) {
            rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "bad_code",
                              "%s: bad community code \"%s\"", path, f[ccode]);
            goto done;
        }
        if (grow((void **)&w->comms, &cap, w->ncomms + 1, sizeof *w->comms) < 0) {
            rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory");
            goto done;
        }
        struct wg_comm *c = &w->comms[w->ncomms];
        memcpy(c->code, f[ccode], 13);
        if ((rc = copy_name(c->name, sizeof c->name, f[cname], path, err)) < 0) {
            goto done;
        }
        w->ncomms++;
    }
    qsort(w->comms, w->ncomms, sizeof *w->comms, cmp_comm);
    /* attach communities to streets (both sorted by code, so each street's are contiguous) */
    for (size_t i = 0; i < w->ncomms; i++) {
        size_t s = 0;
        while (s < w->nstreets && strncmp(w->streets[s].code, w->comms[i].code, 9) != 0) {
            s++;
        }
        if (s == w->nstreets) {
            rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "bad_code",
                              "%s: community %s has no street in the streets file", path,
                              w->comms[i].code);
            goto done;
        }
        if (i > 0 && w->comms[i - 1].code[0] &&
            strcmp(w->comms[i - 1].code, w->comms[i].code) == 0) {
            rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "duplicate", "%s: duplicate code %s",
                              path, w->comms[i].code);
            goto done;
        }
        w->comms[i].street = s;
        if (w->streets[s].ncomms == 0) {
            w->streets[s].first_comm = i;
        }
        w->streets[s].ncomms++;
    }
    for (size_t s = 0; s < w->nstreets; s++) {
        if (w->streets[s].ncomms == 0) {
            rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "empty_street",
                              "street %s has no communities", w->streets[s].code);
            goto done;
        }
    }
done:
    og_buf_free(&text);
    return rc;
}

static int load_outline(struct wg_world *w, const char *path, struct og_error *err)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL && json_error_code(&jerr) == json_error_cannot_open_file) {
        return og_error_set(err, OG_EIO, OG_CLASS_FATAL, "io", "could not open \"%s\"", path);
    }
    if (doc == NULL) {
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "bad_json", "%s:%d:%d: %s", path,
                            jerr.line, jerr.column, jerr.text);
    }
    json_t *geom = doc;
    if (json_is_object(json_object_get(doc, "geometry"))) {
        geom = json_object_get(doc, "geometry"); /* a Feature is accepted too */
    }
    int rc = og_mpoly_from_geojson(geom, &w->outline, err);
    json_decref(doc);
    if (rc < 0) {
        og_error_prefix(err, "%s: ", path);
        return rc;
    }
    for (size_t p = 0; p < w->outline.npolys; p++) {
        struct og_polygon *poly = &w->outline.polys[p];
        if (poly->nrings != 1) {
            return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, "holes",
                                "%s: polygons with holes are not supported", path);
        }
        struct og_ring *r = &poly->rings[0];
        for (size_t i = 0; i < r->n; i++) {
            double lng, lat;
            if (og_gcj02_to_wgs84(r->xy[2 * i], r->xy[2 * i + 1], &lng, &lat) < 0) {
                return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, "no_convergence",
                                    "%s: GCJ-02 -> WGS-84 did not converge at (%.7f, %.7f)", path,
                                    r->xy[2 * i], r->xy[2 * i + 1]);
            }
            r->xy[2 * i] = lng;
            r->xy[2 * i + 1] = lat;
        }
    }
    return 0;
}

/* ---------- polygon helpers on top of geo.h ---------- */

/* Appends a one-ring polygon to mp, stealing ring->xy (ring is zeroed). 0 or OG_ENOMEM. */
static int mp_push(struct og_mpoly *mp, struct og_ring *ring)
{
    struct og_polygon *np = realloc(mp->polys, (mp->npolys + 1) * sizeof *np);
    if (np == NULL) {
        return OG_ENOMEM;
    }
    mp->polys = np;
    struct og_ring *rings = malloc(sizeof *rings);
    if (rings == NULL) {
        return OG_ENOMEM;
    }
    rings[0] = *ring;
    ring->xy = NULL;
    ring->n = 0;
    mp->polys[mp->npolys].rings = rings;
    mp->polys[mp->npolys].nrings = 1;
    mp->npolys++;
    return 0;
}

/* Drops the closing point and consecutive duplicates; makes the ring counter-clockwise. */
static void ring_tidy(struct og_ring *r)
{
    size_t m = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (m > 0 && r->xy[2 * i] == r->xy[2 * (m - 1)] &&
            r->xy[2 * i + 1] == r->xy[2 * (m - 1) + 1]) {
            continue;
        }
        r->xy[2 * m] = r->xy[2 * i];
        r->xy[2 * m + 1] = r->xy[2 * i + 1];
        m++;
    }
    while (m > 1 && r->xy[0] == r->xy[2 * (m - 1)] && r->xy[1] == r->xy[2 * (m - 1) + 1]) {
        m--;
    }
    r->n = m;
    double s = 0;
    for (size_t i = 0; i < m; i++) {
        size_t j = (i + 1) % m;
        s += r->xy[2 * i] * r->xy[2 * j + 1] - r->xy[2 * j] * r->xy[2 * i + 1];
    }
    if (s < 0) {
        for (size_t i = 0, j = m - 1; i < j; i++, j--) {
            double x = r->xy[2 * i], y = r->xy[2 * i + 1];
            r->xy[2 * i] = r->xy[2 * j];
            r->xy[2 * i + 1] = r->xy[2 * j + 1];
            r->xy[2 * j] = x;
            r->xy[2 * j + 1] = y;
        }
    }
}

/* Appends the tidied ring to out unless it is a sliver; steals ring. */
static int mp_push_piece(struct og_mpoly *out, struct og_ring *ring)
{
    ring_tidy(ring);
    if (ring->n < 3 || og_ring_area_m2(ring) < WG_SLIVER_M2) {
        og_ring_free(ring);
        return 0;
    }
    int rc = mp_push(out, ring);
    og_ring_free(ring);
    return rc;
}

struct wg_end {
    double t;
    size_t chain;
    bool start;
};

static int cmp_end(const void *a, const void *b)
{
    const struct wg_end *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* A half-plane clip of a concave ring comes back as one ring whose pieces are joined by zero-width
 * bridges along the cut line a*x + b*y + c = 0. This splits it: the ring is cut into chains between
 * edges lying on the line; the chain ends, sorted along the line, pair up (1st-2nd, 3rd-4th, ...)
 * as the true boundary segments (for a simple ring); following end -> paired start closes each
 * piece. When the pattern is not that simple one (touching vertices, ties) the ring is kept as it
 * is. Steals ring; appends to out. 0 or OG_ENOMEM. */
static int split_on_line(struct og_ring *ring, double a, double b, double c, struct og_mpoly *out)
{
    int rc = 0;
    bool *on = NULL;
    size_t *edges = NULL;
    struct wg_end *ends = NULL;
    size_t *partner = NULL;
    bool *seen = NULL;
    struct og_mpoly pieces = {0};

    ring_tidy(ring);
    size_t n = ring->n;
    if (n < 3) {
        og_ring_free(ring);
        return 0;
    }
    const double *xy = ring->xy;
    on = malloc(n * sizeof *on);
    edges = malloc(n * sizeof *edges);
    if (on == NULL || edges == NULL) {
        rc = OG_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        on[i] = fabs(a * xy[2 * i] + b * xy[2 * i + 1] + c) <= WG_LINE_EPS;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (on[i] && on[(i + 1) % n]) {
            edges[k++] = i;
        }
    }
    if (k <= 1) {
        goto keep;
    }
    /* chain j runs from edges[j]+1 to edges[j+1] */
    ends = malloc(2 * k * sizeof *ends);
    partner = malloc(k * sizeof *partner);
    seen = calloc(k, sizeof *seen);
    if (ends == NULL || partner == NULL || seen == NULL) {
        rc = OG_ENOMEM;
        goto done;
    }
    for (size_t j = 0; j < k; j++) {
        size_t s = (edges[j] + 1) % n, e = edges[(j + 1) % k];
        if (s == e) {
            goto keep;
        }
        ends[2 * j] = (struct wg_end){-b * xy[2 * s] + a * xy[2 * s + 1], j, true};
        ends[2 * j + 1] = (struct wg_end){-b * xy[2 * e] + a * xy[2 * e + 1], j, false};
    }
    qsort(ends, 2 * k, sizeof *ends, cmp_end);
    for (size_t i = 0; i + 1 < 2 * k; i++) {
        if (ends[i + 1].t - ends[i].t <= WG_LINE_EPS) {
            goto keep;
        }
    }
    for (size_t i = 0; i < 2 * k; i += 2) {
        if (ends[i].start == ends[i + 1].start) {
            goto keep;
        }
        const struct wg_end *e = ends[i].start ? &ends[i + 1] : &ends[i];
        const struct wg_end *s = ends[i].start ? &ends[i] : &ends[i + 1];
        partner[e->chain] = s->chain;
    }
    for (size_t j0 = 0; j0 < k; j0++) {
        if (seen[j0]) {
            continue;
        }
        struct og_ring piece = {malloc(2 * n * sizeof(double)), 0};
        if (piece.xy == NULL) {
            rc = OG_ENOMEM;
            goto done;
        }
        size_t j = j0;
        for (;;) {
            if (seen[j] || piece.n >= n) {
                og_ring_free(&piece);
                goto keep;
            }
            seen[j] = true;
            size_t s = (edges[j] + 1) % n, e = edges[(j + 1) % k];
            for (size_t i = s;; i = (i + 1) % n) {
                piece.xy[2 * piece.n] = xy[2 * i];
                piece.xy[2 * piece.n + 1] = xy[2 * i + 1];
                piece.n++;
                if (i == e) {
                    break;
                }
            }
            j = partner[j];
            if (j == j0) {
                break;
            }
        }
        if ((rc = mp_push(&pieces, &piece)) < 0) {
            og_ring_free(&piece);
            goto done;
        }
    }
    /* the pieces must add up to the ring */
    double whole = og_ring_area_m2(ring), sum = og_mpoly_area_m2(&pieces);
    if (fabs(whole - sum) > 1e-7 * whole + 1e-6) {
        goto keep;
    }
    for (size_t p = 0; p < pieces.npolys; p++) {
        if ((rc = mp_push_piece(out, &pieces.polys[p].rings[0])) < 0) {
            goto done;
        }
    }
    og_ring_free(ring);
    goto done;
keep:
    rc = mp_push_piece(out, ring);
done:
    og_mpoly_free(&pieces);
    og_ring_free(ring);
    free(on);
    free(edges);
    free(ends);
    free(partner);
    free(seen);
    return rc;
}

/* The part of in where a*x + b*y + c >= 0 -> *out (new), split into simple pieces. 0 or OG_ENOMEM.
 */
static int mp_clip(const struct og_mpoly *in, double a, double b, double c, struct og_mpoly *out)
{
    memset(out, 0, sizeof *out);
    for (size_t p = 0; p < in->npolys; p++) {
        struct og_ring r = {0};
        int rc = og_ring_clip_halfplane(&in->polys[p].rings[0], a, b, c, &r);
        if (rc == 0 && r.n > 0) {
            rc = split_on_line(&r, a, b, c, out);
        }
        og_ring_free(&r);
        if (rc < 0) {
            og_mpoly_free(out);
            return rc;
        }
    }
    return 0;
}

/* Area of the part of in where a*x + b*y + c >= 0 (bridges have no area, no split needed). */
static int mp_clip_area(const struct og_mpoly *in, double a, double b, double c, double *area)
{
    *area = 0;
    for (size_t p = 0; p < in->npolys; p++) {
        struct og_ring r = {0};
        if (og_ring_clip_halfplane(&in->polys[p].rings[0], a, b, c, &r) < 0) {
            return OG_ENOMEM;
        }
        if (r.n > 0) {
            *area += og_ring_area_m2(&r);
        }
        og_ring_free(&r);
    }
    return 0;
}

/* The two sides of a cut at coordinate s: axis 0 cuts a longitude (first side = west, x <= s),
 * axis 1 a latitude (first side = north, y >= s). */
static void cut_side(int axis, double s, bool first, double *a, double *b, double *c)
{
    double sign = first ? 1.0 : -1.0;
    if (axis == 0) {
        *a = -sign, *b = 0, *c = sign * s;
    }
    else {
        *a = 0, *b = sign, *c = -sign * s;
    }
}

/* Cuts region into n parts with weights w[0..n-1] by recursive area bisection: the longer bbox axis
 * (in metres) is cut where the first side holds the share of the first m parts; the first parts go
 * west (or north). Bit d of flip cuts the other axis at depth d instead. parts[0..n-1] are new.
 * 0 or OG_ENOMEM. */
static int partition(const struct og_mpoly *region, const double *w, size_t n, unsigned flip,
                     struct og_mpoly *parts)
{
    if (n == 1) {
        return og_mpoly_copy(region, &parts[0]);
    }
    double total = 0, prefix = 0, best = INFINITY;
    size_t m = 1;
    for (size_t i = 0; i < n; i++) {
        total += w[i];
    }
    for (size_t i = 1; i < n; i++) {
        prefix += w[i - 1];
        if (fabs(prefix - total / 2) < best - 1e-12) {
            best = fabs(prefix - total / 2);
            m = i;
        }
    }
    prefix = 0;
    for (size_t i = 0; i < m; i++) {
        prefix += w[i];
    }
    double ratio = prefix / total;
    struct og_bbox bb = og_mpoly_bbox(region);
    double coslat = cos((bb.min_lat + bb.max_lat) / 2 * M_PI / 180);
    int axis = (bb.max_lng - bb.min_lng) * coslat >= (bb.max_lat - bb.min_lat) ? 0 : 1;
    axis ^= (int)(flip & 1u);
    double lo = axis == 0 ? bb.min_lng : bb.min_lat, hi = axis == 0 ? bb.max_lng : bb.max_lat;
    double whole = og_mpoly_area_m2(region);
    for (int it = 0; it < 100 && hi - lo > 1e-13; it++) {
        double mid = (lo + hi) / 2, a, b, c, area;
        cut_side(axis, mid, true, &a, &b, &c);
        if (mp_clip_area(region, a, b, c, &area) < 0) {
            return OG_ENOMEM;
        }
        /* west side grows with s; north side shrinks with s */
        bool too_small = area / whole < ratio;
        if ((axis == 0) == too_small) {
            lo = mid;
        }
        else {
            hi = mid;
        }
    }
    double s = (lo + hi) / 2, a, b, c;
    struct og_mpoly first = {0}, second = {0};
    cut_side(axis, s, true, &a, &b, &c);
    int rc = mp_clip(region, a, b, c, &first);
    if (rc == 0) {
        cut_side(axis, s, false, &a, &b, &c);
        rc = mp_clip(region, a, b, c, &second);
    }
    if (rc == 0) {
        rc = partition(&first, w, m, flip >> 1, parts);
    }
    if (rc == 0) {
        rc = partition(&second, w + m, n - m, flip >> 1, parts + m);
    }
    og_mpoly_free(&first);
    og_mpoly_free(&second);
    return rc;
}

/* A one-ring polygon for the rectangle (counter-clockwise). */
static void rect_ring(double x0, double y0, double x1, double y1, double xy[8], struct og_ring *r)
{
    xy[0] = x0, xy[1] = y0, xy[2] = x1, xy[3] = y0, xy[4] = x1, xy[5] = y1, xy[6] = x0, xy[7] = y1;
    r->xy = xy;
    r->n = 4;
}

static bool bbox_overlap(const struct og_bbox *p, const struct og_bbox *q)
{
    return p->min_lng <= q->max_lng && q->min_lng <= p->max_lng && p->min_lat <= q->max_lat &&
           q->min_lat <= p->max_lat;
}

/* ---------- the generation steps ---------- */

static int nomem(struct og_error *err)
{
    return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory");
}

/* splitmix64 (Steele, Lea, Flood 2014): a fixed, portable PRNG step. */
static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* The synthetic size of a community inside its street: 0.6 .. 1.4, drawn from its code with a fixed
 * seed, so that community areas differ (equal weights would make every community the same size and
 * "the five largest" a matter of rounding) and do not depend on the other rows of the input. */
static double community_weight(const char *code)
{
    uint64_t x = WG_SEED;
    for (const char *p = code; *p; p++) {
        x = splitmix64(x ^ (uint64_t)(unsigned char)*p);
    }
    return 0.6 + 0.8 * (double)(x >> 11) / 9007199254740992.0; /* 53 bits -> [0, 1) */
}

static int cut_streets_and_communities(struct wg_world *w, struct og_error *err)
{
    double *wt = malloc((w->ncomms + 1) * sizeof *wt);
    struct og_mpoly *parts = calloc(w->ncomms + 1, sizeof *parts);
    int rc = 0;
    if (wt == NULL || parts == NULL) {
        rc = nomem(err);
        goto done;
    }
    for (size_t s = 0; s < w->nstreets; s++) {
        wt[s] = (double)w->streets[s].ncomms;
    }
    if (partition(&w->outline, wt, w->nstreets, 0, parts) < 0) {
        rc = nomem(err);
        goto done;
    }
    for (size_t s = 0; s < w->nstreets; s++) {
        w->streets[s].area = parts[s];
        memset(&parts[s], 0, sizeof parts[s]);
    }
    for (size_t s = 0; s < w->nstreets; s++) {
        struct wg_street *st = &w->streets[s];
        for (size_t i = 0; i < st->ncomms; i++) {
            wt[i] = community_weight(w->comms[st->first_comm + i].code);
        }
        if (partition(&st->area, wt, st->ncomms, 0, parts) < 0) {
            rc = nomem(err);
            goto done;
        }
        for (size_t i = 0; i < st->ncomms; i++) {
            struct wg_comm *cm = &w->comms[st->first_comm + i];
            cm->area = parts[i];
            memset(&parts[i], 0, sizeof parts[i]);
            cm->area_m2 = og_mpoly_area_m2(&cm->area);
            if (cm->area.npolys == 0) {
                rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, "empty_area",
                                  "community %s got an empty area", cm->code);
                goto done;
            }
        }
    }
done:
    if (parts != NULL) {
        for (size_t i = 0; i <= w->ncomms; i++) {
            og_mpoly_free(&parts[i]);
        }
    }
    free(parts);
    free(wt);
    return rc;
}

struct wg_by_area {
    double area_m2;
    const char *code;
    size_t comm;
};

static int cmp_by_area(const void *a, const void *b)
{
    const struct wg_by_area *x = a, *y = b;
    if (x->area_m2 != y->area_m2) {
        return x->area_m2 > y->area_m2 ? -1 : 1;
    }
    return strcmp(x->code, y->code);
}

struct wg_cent {
    size_t part;
    double lng, lat;
};

static int cmp_cent_lat(const void *a, const void *b)
{
    const struct wg_cent *x = a, *y = b;
    if (x->lat != y->lat) {
        return x->lat > y->lat ? -1 : 1;
    }
    return (x->lng > y->lng) - (x->lng < y->lng);
}

static int cmp_cent_lng(const void *a, const void *b)
{
    const struct wg_cent *x = a, *y = b;
    if (x->lng != y->lng) {
        return x->lng < y->lng ? -1 : 1;
    }
    return (x->lat < y->lat) - (x->lat > y->lat);
}

/* Orders centroids west->east, north->south: sorted north first; a row is every centroid within
 * tol degrees of latitude below the northernmost one not yet placed; each row west to east. */
static void order_rows(struct wg_cent *c, size_t n, double tol)
{
    qsort(c, n, sizeof *c, cmp_cent_lat);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && c[j].lat >= c[i].lat - tol) {
            j++;
        }
        qsort(c + i, j - i, sizeof *c, cmp_cent_lng);
        i = j;
    }
}

/* Cuts a community into its ngrids equal-area grids. The plain bisection is tried first, then the
 * variants cutting the other axis at some depths; the first whose grid centroids all lie inside
 * their own grid is taken, else the first whose centroids lie inside the community (the importer
 * places a grid by its centroid), else an error. parts[] and cent[] (centroids, part = index) are
 * filled. */
static int cut_community(const struct wg_comm *cm, struct og_mpoly parts[5], struct wg_cent cent[5],
                         struct og_error *err)
{
    static const double wt[5] = {1, 1, 1, 1, 1};
    int fallback = -1;
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned flip = 0; flip < 8; flip++) {
            if (pass == 1 && (int)flip != fallback) {
                continue;
            }
            bool in_grid = true, in_comm = true;
            if (partition(&cm->area, wt, cm->ngrids, flip, parts) < 0) {
                return nomem(err);
            }
            for (size_t g = 0; g < cm->ngrids; g++) {
                cent[g].part = g;
                og_mpoly_centroid(&parts[g], &cent[g].lng, &cent[g].lat);
                in_grid = in_grid && og_mpoly_contains(&parts[g], cent[g].lng, cent[g].lat);
                in_comm = in_comm && og_mpoly_contains(&cm->area, cent[g].lng, cent[g].lat);
            }
            if (in_grid || pass == 1) {
                return 0;
            }
            if (in_comm && fallback < 0) {
                fallback = (int)flip;
            }
            for (size_t g = 0; g < 5; g++) {
                og_mpoly_free(&parts[g]);
            }
        }
        if (fallback < 0) {
            break;
        }
    }
    return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, "centroid_outside",
                        "community %s: no cut keeps every grid centroid inside it", cm->code);
}

static int cut_grids(struct wg_world *w, size_t five_count, struct og_error *err)
{
    int rc = 0;
    struct wg_by_area *order = malloc(w->ncomms * sizeof *order);
    if (order == NULL) {
        return nomem(err);
    }
    for (size_t i = 0; i < w->ncomms; i++) {
        order[i] = (struct wg_by_area){w->comms[i].area_m2, w->comms[i].code, i};
        w->comms[i].ngrids = 4;
    }
    qsort(order, w->ncomms, sizeof *order, cmp_by_area);
    for (size_t i = 0; i < five_count && i < w->ncomms; i++) {
        w->comms[order[i].comm].ngrids = 5;
    }
    free(order);
    size_t total = 0;
    for (size_t i = 0; i < w->ncomms; i++) {
        w->comms[i].first_grid = total;
        total += w->comms[i].ngrids;
    }
    w->grids = calloc(total, sizeof *w->grids);
    if (w->grids == NULL) {
        return nomem(err);
    }
    w->ngrids = total;
    for (size_t ci = 0; ci < w->ncomms; ci++) {
        struct wg_comm *cm = &w->comms[ci];
        struct og_mpoly parts[5] = {{0}};
        struct wg_cent cent[5];
        if ((rc = cut_community(cm, parts, cent, err)) < 0) {
            return rc;
        }
        double tol = sqrt(cm->area_m2 / (double)cm->ngrids) / WG_M_PER_DEG / 2;
        order_rows(cent, cm->ngrids, tol);
        for (size_t g = 0; g < cm->ngrids; g++) {
            struct wg_grid *gr = &w->grids[cm->first_grid + g];
            gr->area = parts[cent[g].part];
            memset(&parts[cent[g].part], 0, sizeof parts[0]);
            unsigned seq = (unsigned)(g + 1) % 1000u; /* g < 5 */
            snprintf(gr->code, sizeof gr->code, "%.12s%03u", cm->code, seq);
            snprintf(gr->name, sizeof gr->name, "%s第%u网格", cm->name, seq);
            gr->comm = ci;
            gr->area_m2 = og_mpoly_area_m2(&gr->area);
            gr->clng = cent[g].lng;
            gr->clat = cent[g].lat;
            gr->bbox = og_mpoly_bbox(&gr->area);
            if (gr->area.npolys == 0) {
                rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, "empty_area",
                                  "grid %s got an empty area", gr->code);
            }
        }
        for (size_t g = 0; g < 5; g++) {
            og_mpoly_free(&parts[g]);
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* 2016 edition: the seven streets merged away, and the 2023 community ranges they became. */
static const struct wg_merge {
    const char *new_street; /* 2023 street, last 3 digits */
    unsigned first, last;   /* 2023 community sequence range */
    const char *old_street; /* 2016 street, last 3 digits */
    const char *old_name;
} wg_merges[] = {
    {"018", 1, 8, "014", "永祥街道"},   {"018", 9, 15, "010", "海安街道"},
    {"018", 16, 22, "011", "新福街道"}, {"018", 23, 29, "012", "乌桥街道"},
    {"019", 1, 7, "003", "金厦街道"},   {"019", 8, 13, "006", "同益街道"},
    {"019", 14, 19, "008", "东墩街道"},
};
#define WG_NMERGES (sizeof wg_merges / sizeof wg_merges[0])

static int assign_2016_codes(struct wg_world *w, struct og_error *err)
{
    for (size_t i = 0; i < w->ncomms; i++) {
        struct wg_comm *cm = &w->comms[i];
        const char *street3 = cm->code + 6;
        unsigned seq = (unsigned)atoi(cm->code + 9);
        memcpy(cm->code2016, cm->code, 13);
        bool merged_street = false;
        for (size_t m = 0; m < WG_NMERGES; m++) {
            if (strncmp(street3, wg_merges[m].new_street, 3) != 0) {
                continue;
            }
            merged_street = true;
            if (seq >= wg_merges[m].first && seq <= wg_merges[m].last) {
                snprintf(cm->code2016, sizeof cm->code2016, "%s%s%03u", WG_COUNTY,
                         wg_merges[m].old_street, seq - wg_merges[m].first + 1);
            }
        }
        if (merged_street && strcmp(cm->code2016, cm->code) == 0) {
            return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, "no_2016_code",
                                "community %s is outside the 2016 ranges of its street", cm->code);
        }
    }
    return 0;
}

static struct wg_dept *dept_new(struct wg_world *w, const char *dept, struct og_error *err)
{
    if (grow((void **)&w->depts, &w->capdepts, w->ndepts + 1, sizeof *w->depts) < 0) {
        nomem(err);
        return NULL;
    }
    struct wg_dept *d = &w->depts[w->ndepts++];
    memset(d, 0, sizeof *d);
    snprintf(d->dept, sizeof d->dept, "%s", dept);
    return d;
}

static int dept_add_row(struct wg_dept *d, size_t grid, double weight)
{
    struct wg_xrow *nr = realloc(d->rows, (d->nrows + 1) * sizeof *nr);
    if (nr == NULL) {
        return OG_ENOMEM;
    }
    d->rows = nr;
    d->rows[d->nrows++] = (struct wg_xrow){grid, weight, 0};
    return 0;
}

/* Drops shares below WG_MIN_WEIGHT, renormalises, rounds to millionths and gives the remainder to
 * the last row, so the written weights add up to exactly 1. Rows must be in grid order. */
static int dept_finish(struct wg_dept *d, struct og_error *err)
{
    double sum = 0;
    for (size_t i = 0; i < d->nrows; i++) {
        sum += d->rows[i].w;
    }
    if (!(sum > 0)) {
        return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, "no_overlap",
                            "%s grid %s overlaps no unified grid", d->dept, d->code);
    }
    size_t m = 0;
    for (size_t i = 0; i < d->nrows; i++) {
        if (d->rows[i].w / sum >= WG_MIN_WEIGHT) {
            d->rows[m++] = d->rows[i];
        }
    }
    d->nrows = m;
    sum = 0;
    for (size_t i = 0; i < m; i++) {
        sum += d->rows[i].w;
    }
    long acc = 0;
    for (size_t i = 0; i < m; i++) {
        d->rows[i].w /= sum;
        d->rows[i].micro = lround(d->rows[i].w * 1e6);
        if (i + 1 < m) {
            acc += d->rows[i].micro;
        }
    }
    d->rows[m - 1].micro = 1000000 - acc;
    if (d->rows[m - 1].micro <= 0) {
        return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, "rounding",
                            "%s grid %s: rounding left no weight for its last row", d->dept,
                            d->code);
    }
    return 0;
}

/* Overlap areas of each unified grid with the rectangle, as crosswalk rows of d (raw areas). */
static int lattice_overlaps(const struct wg_world *w, struct wg_dept *d, const struct og_ring *rect,
                            const struct og_bbox *rb)
{
    for (size_t g = 0; g < w->ngrids; g++) {
        const struct wg_grid *gr = &w->grids[g];
        if (!bbox_overlap(&gr->bbox, rb)) {
            continue;
        }
        double area = 0;
        for (size_t p = 0; p < gr->area.npolys; p++) {
            struct og_ring r = {0};
            if (og_ring_clip_convex(&gr->area.polys[p].rings[0], rect, &r) < 0) {
                return OG_ENOMEM;
            }
            if (r.n > 0) {
                area += og_ring_area_m2(&r);
            }
            og_ring_free(&r);
        }
        if (area > 0 && dept_add_row(d, g, area) < 0) {
            return OG_ENOMEM;
        }
    }
    return 0;
}

/* The largest-weight row's grid (the owner when no area contains the centroid). */
static size_t dept_main_grid(const struct wg_dept *d)
{
    size_t best = 0;
    for (size_t i = 1; i < d->nrows; i++) {
        if (d->rows[i].w > d->rows[best].w) {
            best = i;
        }
    }
    return d->rows[best].grid;
}

/* A lattice scheme (PS or UM): cells of step degrees aligned to multiples of step, clipped to the
 * outline, kept above WG_MIN_CELL_M2, visited north->south, west->east. Each cell's owner (street
 * for PS, community for UM) is the one containing its centroid; numbering runs per owner. */
static int make_lattice(struct wg_world *w, const char *dept, double step, struct og_error *err)
{
    bool ps = strcmp(dept, "PS") == 0;
    size_t nowners = ps ? w->nstreets : w->ncomms;
    int rc = 0;
    unsigned *counter = calloc(nowners, sizeof *counter);
    struct og_geo_index *idx = og_geo_index_create();
    if (counter == NULL || idx == NULL) {
        rc = nomem(err);
        goto done;
    }
    for (size_t i = 0; i < nowners; i++) {
        const struct og_mpoly *mp = ps ? &w->streets[i].area : &w->comms[i].area;
        if (og_geo_index_add(idx, mp, (int)i) < 0) {
            rc = nomem(err);
            goto done;
        }
    }
    if (og_geo_index_build(idx) < 0) {
        rc = nomem(err);
        goto done;
    }
    struct og_bbox bb = og_mpoly_bbox(&w->outline);
    long c0 = (long)floor(bb.min_lng / step), c1 = (long)ceil(bb.max_lng / step);
    long r0 = (long)floor(bb.min_lat / step), r1 = (long)ceil(bb.max_lat / step);
    for (long row = r1 - 1; row >= r0; row--) {
        for (long col = c0; col < c1; col++) {
            double x0 = (double)col * step, x1 = (double)(col + 1) * step;
            double y0 = (double)row * step, y1 = (double)(row + 1) * step;
            struct og_mpoly cell = {0}, tmp = {0};
            /* outline clipped by the four sides, each split into simple pieces */
            if (mp_clip(&w->outline, 1, 0, -x0, &cell) < 0 || mp_clip(&cell, -1, 0, x1, &tmp) < 0) {
                og_mpoly_free(&cell);
                rc = nomem(err);
                goto done;
            }
            og_mpoly_free(&cell);
            if (mp_clip(&tmp, 0, 1, -y0, &cell) < 0) {
                og_mpoly_free(&tmp);
                rc = nomem(err);
                goto done;
            }
            og_mpoly_free(&tmp);
            if (mp_clip(&cell, 0, -1, y1, &tmp) < 0) {
                og_mpoly_free(&cell);
                rc = nomem(err);
                goto done;
            }
            og_mpoly_free(&cell);
            cell = tmp;
            if (cell.npolys == 0 || og_mpoly_area_m2(&cell) <= WG_MIN_CELL_M2) {
                og_mpoly_free(&cell);
                continue;
            }
            struct wg_dept *d = dept_new(w, dept, err);
            if (d == NULL) {
                og_mpoly_free(&cell);
                rc = OG_ENOMEM;
                goto done;
            }
            d->area = cell;
            double xy[8], clng, clat;
            struct og_ring rect;
            rect_ring(x0, y0, x1, y1, xy, &rect);
            struct og_bbox rb = {x0, y0, x1, y1};
            if (lattice_overlaps(w, d, &rect, &rb) < 0) {
                rc = nomem(err);
                goto done;
            }
            if (d->nrows == 0) {
                rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, "no_overlap",
                                  "%s cell at (%.3f, %.3f) overlaps no unified grid", dept, x0, y0);
                goto done;
            }
            og_mpoly_centroid(&d->area, &clng, &clat);
            int owner = og_geo_index_find(idx, clng, clat);
            if (owner < 0) {
                size_t g = dept_main_grid(d);
                owner = ps ? (int)w->comms[w->grids[g].comm].street : (int)w->grids[g].comm;
            }
            unsigned num = ++counter[owner];
            if (ps) {
                const struct wg_street *st = &w->streets[owner];
                size_t nl = strlen(st->name);
                int base = (int)(nl > 6 && strcmp(st->name + nl - 6, "街道") == 0 ? nl - 6 : nl);
                snprintf(d->code, sizeof d->code, "%s%02dJW%03u", WG_COUNTY, owner + 1, num);
                snprintf(d->name, sizeof d->name, "%.*s派出所第%03u警务网格", base, st->name, num);
                if (num > 999) {
                    rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, "too_many",
                                      "more than 999 beats for station %02d", owner + 1);
                    goto done;
                }
            }
            else {
                const struct wg_comm *cm = &w->comms[owner];
                snprintf(d->code, sizeof d->code, "%s%02u", cm->code2016, num);
                snprintf(d->name, sizeof d->name, "%s第%02u单元网格", cm->name, num);
                if (num > 99) {
                    rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, "too_many",
                                      "more than 99 unit grids in community %s", cm->code2016);
                    goto done;
                }
            }
        }
    }
done:
    og_geo_index_destroy(idx);
    free(counter);
    return rc;
}

static int cmp_dept(const void *a, const void *b)
{
    const struct wg_dept *x = a, *y = b;
    int c = strcmp(x->dept, y->dept);
    return c != 0 ? c : strcmp(x->code, y->code);
}

/* Replaces a trailing suffix of s (UTF-8) by repl into out. */
static void replace_suffix(const char *s, const char *suffix, const char *repl, char *out,
                           size_t size)
{
    size_t n = strlen(s), k = strlen(suffix);
    if (n >= k && strcmp(s + n - k, suffix) == 0) {
        snprintf(out, size, "%.*s%s", (int)(n - k), s, repl);
    }
    else {
        snprintf(out, size, "%s", s);
    }
}

static int make_fire_and_health(struct wg_world *w, struct og_error *err)
{
    for (size_t ci = 0; ci < w->ncomms; ci++) {
        const struct wg_comm *cm = &w->comms[ci];
        char shortname[96], tmp[96];
        replace_suffix(cm->name, "居委会", "社区", tmp, sizeof tmp);
        replace_suffix(tmp, "村委会", "村", shortname, sizeof shortname);
        struct wg_dept *fr = dept_new(w, "FR", err);
        if (fr == NULL) {
            return OG_ENOMEM;
        }
        snprintf(fr->code, sizeof fr->code, "%s%s", w->streets[cm->street].name, shortname);
        snprintf(fr->name, sizeof fr->name, "%s", fr->code);
        if (og_mpoly_copy(&cm->area, &fr->area) < 0) {
            return nomem(err);
        }
        struct wg_dept *hl = dept_new(w, "HL", err);
        if (hl == NULL) {
            return OG_ENOMEM;
        }
        fr = &w->depts[w->ndepts - 2]; /* dept_new may have moved the array */
        snprintf(hl->code, sizeof hl->code, "%s", cm->code);
        snprintf(hl->name, sizeof hl->name, "%s", cm->name);
        for (size_t g = cm->first_grid; g < cm->first_grid + cm->ngrids; g++) {
            if (dept_add_row(fr, g, w->grids[g].area_m2) < 0 ||
                dept_add_row(hl, g, w->grids[g].area_m2) < 0) {
                return nomem(err);
            }
        }
        for (size_t g = cm->first_grid; g < cm->first_grid + cm->ngrids; g++) {
            struct wg_dept *hg = dept_new(w, "HL", err);
            if (hg == NULL) {
                return OG_ENOMEM;
            }
            snprintf(hg->code, sizeof hg->code, "%s", w->grids[g].code);
            snprintf(hg->name, sizeof hg->name, "%s", w->grids[g].name);
            if (dept_add_row(hg, g, 1.0) < 0) {
                return nomem(err);
            }
        }
    }
    return 0;
}

/* ---------- writing ---------- */

static int write_atomic(const char *dir, const char *name, const struct og_buf *content,
                        struct og_error *err)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        return og_error_set(err, OG_EIO, OG_CLASS_FATAL, "io", "could not create \"%s\": %s", tmp,
                            strerror(errno));
    }
    size_t n = content->len;
    bool ok = fwrite(content->data ? content->data : "", 1, n, f) == n;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        (void)remove(tmp);
        return og_error_set(err, OG_EIO, OG_CLASS_FATAL, "io", "could not write \"%s\": %s", path,
                            strerror(e));
    }
    return 0;
}

static int csv_field(struct og_buf *b, const char *s, bool last)
{
    int rc;
    if (strpbrk(s, ",\"\r\n") != NULL) {
        rc = og_buf_putc(b, '"');
        for (const char *p = s; rc == 0 && *p; p++) {
            rc = *p == '"' ? og_buf_puts(b, "\"\"") : og_buf_putc(b, *p);
        }
        if (rc == 0) {
            rc = og_buf_putc(b, '"');
        }
    }
    else {
        rc = og_buf_puts(b, s);
    }
    return rc == 0 ? og_buf_putc(b, last ? '\n' : ',') : rc;
}

static int csv_row(struct og_buf *b, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        rc = csv_field(b, va_arg(ap, const char *), i == n - 1);
    }
    va_end(ap);
    return rc;
}

static int write_divisions(const struct wg_world *w, const char *dir, struct og_error *err)
{
    static const char *const top[3][4] = {{"44", "1", "广东省", ""},
                                          {"4405", "2", "汕头市", "44"},
                                          {"440511", "3", "金平区", "4405"}};
    struct og_buf b = OG_BUF_INIT;
    int rc = csv_row(&b, 5, "code", "level", "name", "parent_code", "edition");
    for (int i = 0; i < 3 && rc == 0; i++) {
        rc = csv_row(&b, 5, top[i][0], top[i][1], top[i][2], top[i][3], WG_EDITION);
    }
    for (size_t s = 0; s < w->nstreets && rc == 0; s++) {
        rc = csv_row(&b, 5, w->streets[s].code, "4", w->streets[s].name, WG_COUNTY, WG_EDITION);
    }
    for (size_t i = 0; i < w->ncomms && rc == 0; i++) {
        const struct wg_comm *cm = &w->comms[i];
        rc = csv_row(&b, 5, cm->code, "5", cm->name, w->streets[cm->street].code, WG_EDITION);
    }
    rc = rc < 0 ? nomem(err) : write_atomic(dir, "divisions.csv", &b, err);
    og_buf_free(&b);
    return rc;
}

struct wg_alias {
    char old_code[13], code[13], level[2], old_name[64];
};

static int cmp_alias(const void *a, const void *b)
{
    return strcmp(((const struct wg_alias *)a)->old_code, ((const struct wg_alias *)b)->old_code);
}

static int write_aliases(const struct wg_world *w, const char *dir, struct og_error *err)
{
    size_t cap = w->nstreets + WG_NMERGES + w->ncomms, n = 0;
    struct wg_alias *al = calloc(cap, sizeof *al);
    struct og_buf b = OG_BUF_INIT;
    int rc = 0;
    if (al == NULL) {
        return nomem(err);
    }
    for (size_t s = 0; s < w->nstreets; s++) {
        const struct wg_street *st = &w->streets[s];
        bool merged = false;
        for (size_t m = 0; m < WG_NMERGES; m++) {
            if (strcmp(st->code + 6, wg_merges[m].new_street) != 0) {
                continue;
            }
            merged = true;
            struct wg_alias *a = &al[n++];
            snprintf(a->old_code, sizeof a->old_code, "%s%s", WG_COUNTY, wg_merges[m].old_street);
            snprintf(a->code, sizeof a->code, "%s", st->code);
            snprintf(a->level, sizeof a->level, "4");
            snprintf(a->old_name, sizeof a->old_name, "%s", wg_merges[m].old_name);
        }
        if (!merged) {
            struct wg_alias *a = &al[n++];
            snprintf(a->old_code, sizeof a->old_code, "%s", st->code);
            snprintf(a->code, sizeof a->code, "%s", st->code);
            snprintf(a->level, sizeof a->level, "4");
            snprintf(a->old_name, sizeof a->old_name, "%s", st->name);
        }
    }
    for (size_t i = 0; i < w->ncomms; i++) {
        struct wg_alias *a = &al[n++];
        snprintf(a->old_code, sizeof a->old_code, "%s", w->comms[i].code2016);
        snprintf(a->code, sizeof a->code, "%s", w->comms[i].code);
        snprintf(a->level, sizeof a->level, "5");
        snprintf(a->old_name, sizeof a->old_name, "%s", w->comms[i].name);
    }
    qsort(al, n, sizeof *al, cmp_alias);
    rc = csv_row(&b, 5, "old_code", "code", "edition", "level", "old_name");
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i > 0 && strcmp(al[i - 1].old_code, al[i].old_code) == 0) {
            rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, "duplicate",
                              "2016 code %s mapped twice", al[i].old_code);
            break;
        }
        rc = csv_row(&b, 5, al[i].old_code, al[i].code, "2016", al[i].level, al[i].old_name);
    }
    if (rc == OG_ENOMEM) {
        rc = nomem(err);
    }
    if (rc == 0) {
        rc = write_atomic(dir, "division_alias.csv", &b, err);
    }
    og_buf_free(&b);
    free(al);
    return rc;
}

/* Appends one Feature line: properties from key/value pairs (kv, nkv pairs), geometry of mp or
 * null. */
static int feature_line(struct og_buf *b, bool first, const char *const *kv, size_t nkv,
                        const struct og_mpoly *mp)
{
    json_t *props = json_object();
    json_t *geom = mp != NULL ? og_mpoly_to_geojson(mp, WG_DIGITS) : json_null();
    json_t *feat = json_object();
    int rc = OG_ENOMEM;
    if (props == NULL || geom == NULL || feat == NULL) {
        goto done;
    }
    for (size_t i = 0; i < nkv; i++) {
        if (json_object_set_new(props, kv[2 * i], json_string(kv[2 * i + 1])) < 0) {
            goto done;
        }
    }
    if (json_object_set_new(feat, "type", json_string("Feature")) < 0 ||
        json_object_set(feat, "properties", props) < 0 ||
        json_object_set(feat, "geometry", geom) < 0) {
        goto done;
    }
    /* coordinates carry 7 decimals; 12 significant digits prints them back exactly */
    char *s = json_dumps(feat, JSON_COMPACT | JSON_REAL_PRECISION(12));
    if (s != NULL) {
        rc = og_buf_puts(b, first ? "\n" : ",\n");
        if (rc == 0) {
            rc = og_buf_puts(b, s);
        }
        free(s);
    }
done:
    json_decref(feat);
    json_decref(props);
    json_decref(geom);
    return rc;
}

static int fc_begin(struct og_buf *b)
{
    return og_buf_puts(b, "{\"type\":\"FeatureCollection\",\"features\":[");
}

static int fc_end(struct og_buf *b)
{
    return og_buf_puts(b, "\n]}\n");
}

static int write_geojson(const struct wg_world *w, const char *dir, struct og_error *err)
{
    struct og_buf b = OG_BUF_INIT;
    int rc = fc_begin(&b);
    for (size_t i = 0; i < w->ncomms && rc == 0; i++) {
        const struct wg_comm *cm = &w->comms[i];
        const char *kv[] = {"code",   cm->code,      "name",
                            cm->name, "street_code", w->streets[cm->street].code};
        rc = feature_line(&b, i == 0, kv, 3, &cm->area);
    }
    rc = rc == 0 ? fc_end(&b) : rc;
    rc = rc < 0 ? nomem(err) : write_atomic(dir, "communities.geojson", &b, err);
    og_buf_reset(&b);
    rc = rc == 0 ? fc_begin(&b) : rc;
    for (size_t g = 0; g < w->ngrids && rc == 0; g++) {
        const struct wg_grid *gr = &w->grids[g];
        const struct wg_comm *cm = &w->comms[gr->comm];
        const char *kv[] = {"grid_code",      gr->code, "name",        gr->name,
                            "community_code", cm->code, "street_code", w->streets[cm->street].code,
                            "county_code",    WG_COUNTY};
        rc = feature_line(&b, g == 0, kv, 5, &gr->area);
    }
    if (rc == 0) {
        rc = fc_end(&b);
        rc = rc < 0 ? nomem(err) : write_atomic(dir, "grids.geojson", &b, err);
    }
    og_buf_reset(&b);
    rc = rc == 0 ? fc_begin(&b) : rc;
    for (size_t i = 0; i < w->ndepts && rc == 0; i++) {
        const struct wg_dept *d = &w->depts[i];
        const char *kv[] = {"department", d->dept, "dept_grid_code", d->code, "name", d->name};
        rc = feature_line(&b, i == 0, kv, 3, d->area.npolys > 0 ? &d->area : NULL);
    }
    if (rc == 0) {
        rc = fc_end(&b);
        rc = rc < 0 ? nomem(err) : write_atomic(dir, "dept_grids.geojson", &b, err);
    }
    og_buf_free(&b);
    return rc;
}

static int write_crosswalks(const struct wg_world *w, const char *dir, struct og_error *err)
{
    static const char *const depts[] = {"PS", "UM", "FR", "HL"};
    static const char *const files[] = {"ps.csv", "um.csv", "fr.csv", "hl.csv"};
    int rc = 0;
    for (size_t k = 0; k < 4 && rc == 0; k++) {
        struct og_buf b = OG_BUF_INIT;
        rc = csv_row(&b, 4, "department", "dept_grid_code", "grid_code", "weight");
        for (size_t i = 0; i < w->ndepts && rc == 0; i++) {
            const struct wg_dept *d = &w->depts[i];
            if (strcmp(d->dept, depts[k]) != 0) {
                continue;
            }
            for (size_t r = 0; r < d->nrows && rc == 0; r++) {
                char wbuf[32];
                snprintf(wbuf, sizeof wbuf, "%ld.%06ld", d->rows[r].micro / 1000000,
                         d->rows[r].micro % 1000000);
                rc = csv_row(&b, 4, d->dept, d->code, w->grids[d->rows[r].grid].code, wbuf);
            }
        }
        rc = rc < 0 ? nomem(err) : write_atomic(dir, files[k], &b, err);
        og_buf_free(&b);
    }
    return rc;
}

/* ---------- main ---------- */

static int check_world(const struct wg_world *w, struct og_error *err)
{
    if (w->nstreets != 12 || w->ncomms != 170) {
        return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, "counts",
                            "expected 12 streets and 170 communities of %s, got %zu and %zu",
                            WG_COUNTY, w->nstreets, w->ncomms);
    }
    return 0;
}

static int generate(const struct wg_opts *o, struct wg_world *w, struct og_error *err)
{
    int rc;
    if ((rc = load_outline(w, o->outline, err)) < 0 ||
        (rc = load_streets(w, o->streets, err)) < 0 ||
        (rc = load_comms(w, o->communities, err)) < 0 || (rc = check_world(w, err)) < 0 ||
        (rc = assign_2016_codes(w, err)) < 0 || (rc = cut_streets_and_communities(w, err)) < 0 ||
        (rc = cut_grids(w, 5, err)) < 0 || (rc = make_lattice(w, "PS", WG_PS_STEP, err)) < 0 ||
        (rc = make_lattice(w, "UM", WG_UM_STEP, err)) < 0 ||
        (rc = make_fire_and_health(w, err)) < 0) {
        return rc;
    }
    qsort(w->depts, w->ndepts, sizeof *w->depts, cmp_dept);
    for (size_t i = 0; i < w->ndepts; i++) {
        if (i > 0 && cmp_dept(&w->depts[i - 1], &w->depts[i]) == 0) {
            return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, "duplicate", "duplicate %s grid %s",
                                w->depts[i].dept, w->depts[i].code);
        }
        if ((rc = dept_finish(&w->depts[i], err)) < 0) {
            return rc;
        }
    }
    if ((rc = write_divisions(w, o->out, err)) < 0 || (rc = write_aliases(w, o->out, err)) < 0 ||
        (rc = write_geojson(w, o->out, err)) < 0 ||
        (rc = write_crosswalks(w, o->crosswalks, err)) < 0) {
        return rc;
    }
    return 0;
}

static void report(const struct wg_world *w)
{
    size_t n[4] = {0};
    static const char *const depts[] = {"PS", "UM", "FR", "HL"};
    for (size_t i = 0; i < w->ndepts; i++) {
        for (size_t k = 0; k < 4; k++) {
            n[k] += strcmp(w->depts[i].dept, depts[k]) == 0;
        }
    }
    double grid_area = 0;
    size_t outside = 0;
    for (size_t g = 0; g < w->ngrids; g++) {
        grid_area += w->grids[g].area_m2;
        outside += !og_mpoly_contains(&w->comms[w->grids[g].comm].area, w->grids[g].clng,
                                      w->grids[g].clat);
    }
    printf("og-worldgen: %zu streets, %zu communities, %zu grids; PS %zu beats, UM %zu unit grids, "
           "FR %zu fire grids, HL %zu codes\n",
           w->nstreets, w->ncomms, w->ngrids, n[0], n[1], n[2], n[3]);
    printf(
        "og-worldgen: outline %.0f m2, grids %.0f m2; %zu grid centroids outside their community\n",
        og_mpoly_area_m2(&w->outline), grid_area, outside);
}

int main(int argc, char **argv)
{
    struct wg_opts opts;
    int a = parse_args(argc, argv, &opts);
    if (a != 0) {
        return a > 0 ? 0 : 2;
    }
    struct wg_world w = {0};
    struct og_error err;
    og_error_clear(&err);
    int rc = generate(&opts, &w, &err);
    if (rc < 0) {
        char line[1600];
        fprintf(stderr, "og-worldgen: %s\n", og_error_format(&err, line, sizeof line));
    }
    else {
        report(&w);
    }
    world_free(&w);
    return rc < 0 ? 1 : 0;
}
