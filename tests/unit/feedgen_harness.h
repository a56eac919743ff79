/* feedgen_harness.h - what the sample-feed tests (test_feedgen_*.c) share: the manifest, the world
 * and crosswalks read once (setup/teardown), string sets, a file slurper, point lookups, an element
 * scanner. Included by one test program each; run from the repository root. */
#ifndef OG_FEEDGEN_HARNESS_H
#define OG_FEEDGEN_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "transform/geo.h"
#include "transform/identity.h"
#include "transform/timeparse.h"

#include <iconv.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLES "samples"
#define WORLD "world/jinping"
#define XWALK "mappings/crosswalks"
#define SHANGHAI (8 * 60)

/* ----------------------------------------------------------------------------------------------------------
 */
/* Helpers. */

static inline char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        print_error("cannot open %s (run from the repository root)\n", path);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            char *p = realloc(buf, cap + 1);
            if (!p) {
                free(buf);
                buf = NULL;
            }
            buf = p;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

/* A sorted set of strings. */
struct strset {
    char **v;
    size_t n, cap;
};

static inline void set_add(struct strset *s, const char *str)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        assert_non_null(s->v);
    }
    s->v[s->n++] = strdup(str);
}

static inline int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline void set_sort(struct strset *s)
{
    qsort(s->v, s->n, sizeof *s->v, cmp_str);
}

static inline bool set_has(const struct strset *s, const char *str)
{
    return s->n && bsearch(&str, s->v, s->n, sizeof *s->v, cmp_str) != NULL;
}

static inline void set_free(struct strset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i]);
    }
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* Splits a CSV line without quotes-with-newlines in place (world and crosswalk files). */
static inline size_t split_simple(char *line, char **f, size_t max)
{
    size_t n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < max;) {
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c) {
            break;
        }
        *c = '\0';
        p = c + 1;
    }
    return n;
}

struct fixture {
    json_t *manifest;
    struct og_mpoly *grids;
    char (*codes)[16];
    size_t ngrids;
    struct og_geo_index *idx;
    struct og_bbox bbox;
    struct strset um_pairs, um_units, fr_pairs, fr_names, communities, grid_codes, service_codes;
    struct og_mpoly *beats; /* police beats (PS), in file order */
    char (*beat_codes)[16];
    size_t nbeats;
};

static inline void load_xwalk(const char *path, struct strset *pairs, struct strset *names)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    char *fld[8];
    bool header = true;
    while (fgets(line, sizeof line, f)) {
        if (header) {
            header = false;
            continue;
        }
        size_t n = split_simple(line, fld, 8);
        assert_int_equal(n, 4);
        char key[256];
        snprintf(key, sizeof key, "%s|%s", fld[1], fld[2]);
        set_add(pairs, key);
        set_add(names, fld[1]);
    }
    fclose(f);
    set_sort(pairs);
    set_sort(names);
}

static inline int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    json_error_t jerr;
    fx->manifest = json_load_file(SAMPLES "/MANIFEST.json", 0, &jerr);
    if (!fx->manifest) {
        print_error("samples/MANIFEST.json: %s\n", jerr.text);
        return -1;
    }
    json_t *doc = json_load_file(WORLD "/grids.geojson", 0, &jerr);
    if (!doc) {
        print_error("grids.geojson: %s\n", jerr.text);
        return -1;
    }
    json_t *feats = json_object_get(doc, "features");
    fx->ngrids = json_array_size(feats);
    fx->grids = calloc(fx->ngrids, sizeof *fx->grids);
    fx->codes = calloc(fx->ngrids, sizeof *fx->codes);
    fx->idx = og_geo_index_create();
    for (size_t i = 0; i < fx->ngrids; i++) {
        json_t *feat = json_array_get(feats, i);
        const char *code =
            json_string_value(json_object_get(json_object_get(feat, "properties"), "grid_code"));
        if (!code ||
            og_mpoly_from_geojson(json_object_get(feat, "geometry"), &fx->grids[i], NULL) != 0) {
            return -1;
        }
        snprintf(fx->codes[i], sizeof fx->codes[i], "%s", code);
        set_add(&fx->grid_codes, code);
        char comm[13];
        snprintf(comm, sizeof comm, "%.12s", code);
        set_add(&fx->communities, comm);
        og_geo_index_add(fx->idx, &fx->grids[i], (int)i);
        struct og_bbox b = og_mpoly_bbox(&fx->grids[i]);
        if (i == 0) {
            fx->bbox = b;
        }
        fx->bbox.min_lng = b.min_lng < fx->bbox.min_lng ? b.min_lng : fx->bbox.min_lng;
        fx->bbox.min_lat = b.min_lat < fx->bbox.min_lat ? b.min_lat : fx->bbox.min_lat;
        fx->bbox.max_lng = b.max_lng > fx->bbox.max_lng ? b.max_lng : fx->bbox.max_lng;
        fx->bbox.max_lat = b.max_lat > fx->bbox.max_lat ? b.max_lat : fx->bbox.max_lat;
    }
    json_decref(doc);
    og_geo_index_build(fx->idx);

    doc = json_load_file(WORLD "/dept_grids.geojson", 0, &jerr);
    if (!doc) {
        print_error("dept_grids.geojson: %s\n", jerr.text);
        return -1;
    }
    feats = json_object_get(doc, "features");
    fx->beats = calloc(json_array_size(feats), sizeof *fx->beats);
    fx->beat_codes = calloc(json_array_size(feats), sizeof *fx->beat_codes);
    for (size_t i = 0; i < json_array_size(feats); i++) {
        json_t *feat = json_array_get(feats, i);
        json_t *props = json_object_get(feat, "properties");
        const char *dept = json_string_value(json_object_get(props, "department"));
        const char *code = json_string_value(json_object_get(props, "dept_grid_code"));
        if (!dept || strcmp(dept, "PS") != 0) {
            continue;
        }
        if (!code || og_mpoly_from_geojson(json_object_get(feat, "geometry"),
                                           &fx->beats[fx->nbeats], NULL) != 0) {
            return -1;
        }
        snprintf(fx->beat_codes[fx->nbeats], sizeof fx->beat_codes[0], "%s", code);
        fx->nbeats++;
    }
    json_decref(doc);
    set_sort(&fx->grid_codes);
    set_sort(&fx->communities);
    load_xwalk(XWALK "/um.csv", &fx->um_pairs, &fx->um_units);
    load_xwalk(XWALK "/fr.csv", &fx->fr_pairs, &fx->fr_names);

    FILE *f = fopen(SAMPLES "/um/service_codes.csv", "r");
    if (!f) {
        return -1;
    }
    char line[256];
    char *fld[4];
    while (fgets(line, sizeof line, f)) {
        if (split_simple(line, fld, 4) == 2 && strcmp(fld[0], "code") != 0) {
            set_add(&fx->service_codes, fld[0]);
        }
    }
    fclose(f);
    set_sort(&fx->service_codes);
    *state = fx;
    return 0;
}

static inline int teardown(void **state)
{
    struct fixture *fx = *state;
    if (!fx) {
        return 0;
    }
    json_decref(fx->manifest);
    og_geo_index_destroy(fx->idx);
    for (size_t i = 0; i < fx->ngrids; i++) {
        og_mpoly_free(&fx->grids[i]);
    }
    free(fx->grids);
    free(fx->codes);
    for (size_t i = 0; i < fx->nbeats; i++) {
        og_mpoly_free(&fx->beats[i]);
    }
    free(fx->beats);
    free(fx->beat_codes);
    set_free(&fx->um_pairs);
    set_free(&fx->um_units);
    set_free(&fx->fr_pairs);
    set_free(&fx->fr_names);
    set_free(&fx->communities);
    set_free(&fx->grid_codes);
    set_free(&fx->service_codes);
    free(fx);
    return 0;
}

static inline json_t *feed(const struct fixture *fx, const char *name)
{
    json_t *fd = json_object_get(json_object_get(fx->manifest, "feeds"), name);
    assert_non_null(fd);
    return fd;
}

static inline long mnum(const json_t *fd, const char *key)
{
    json_t *v = json_object_get(fd, key);
    assert_true(json_is_integer(v));
    return (long)json_integer_value(v);
}

static inline long msub(const json_t *fd, const char *obj, const char *key)
{
    json_t *v = json_object_get(json_object_get(fd, obj), key);
    assert_true(json_is_integer(v));
    return (long)json_integer_value(v);
}

static inline bool in_bbox(const struct fixture *fx, double lng, double lat)
{
    return lng >= fx->bbox.min_lng && lng <= fx->bbox.max_lng && lat >= fx->bbox.min_lat &&
           lat <= fx->bbox.max_lat;
}

/* The unified grid code containing a WGS-84 point, or NULL. */
static const char *grid_at(const struct fixture *fx, double lng, double lat)
{
    int id = og_geo_index_find(fx->idx, lng, lat);
    return id >= 0 ? fx->codes[id] : NULL;
}

static inline bool pair_in(const struct strset *pairs, const char *a, const char *b)
{
    char key[256];
    snprintf(key, sizeof key, "%s|%s", a, b);
    return set_has(pairs, key);
}

/* ----------------------------------------------------------------------------------------------------------
 */
/* UM-1 */

static inline int stage_index(const char *s)
{
    static const char *const stages[] = {"立案", "派遣", "处置", "核查", "结案", "作废"};
    for (int i = 0; s && i < 6; i++) {
        if (strcmp(s, stages[i]) == 0) {
            return i;
        }
    }
    return -1;
}

/* Top-level elements of a JSON array by a brace/bracket scan that respects strings. */
static inline size_t scan_elements(const char *s, size_t len, size_t *starts, size_t *ends,
                                   size_t max)
{
    size_t i = 0, n = 0;
    while (i < len && s[i] != '[') {
        i++;
    }
    int depth = 0;
    bool in_str = false;
    for (i++; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\') {
                i++;
            }
            else if (c == '"') {
                in_str = false;
            }
            continue;
        }
        if (c == '"') {
            in_str = true;
        }
        else if (c == '{' || c == '[') {
            if (depth++ == 0 && n < max) {
                starts[n] = i;
            }
        }
        else if (c == '}' || c == ']') {
            if (depth == 0) {
                break; /* the closing bracket of the array */
            }
            if (--depth == 0) {
                if (n < max) {
                    ends[n] = i + 1;
                }
                n++;
            }
        }
    }
    return n;
}

static inline char *iconv_all(const char *from, const char *to, const char *in, size_t inlen,
                              size_t *outlen)
{
    iconv_t cd = iconv_open(to, from);
    assert_true(cd != (iconv_t)-1);
    size_t cap = inlen * 2 + 16;
    char *out = malloc(cap + 1);
    char *src = (char *)in, *dst = out;
    size_t left = inlen, room = cap;
    size_t r = iconv(cd, &src, &left, &dst, &room);
    iconv_close(cd);
    if (r == (size_t)-1 || left != 0) {
        free(out);
        return NULL;
    }
    *outlen = cap - room;
    out[*outlen] = '\0';
    return out;
}

static inline bool all_digits(const char *s, size_t n)
{
    if (!s || strlen(s) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

enum { FORM_PLAIN = 1, FORM_LEGACY = 2, FORM_LOWER_X = 4, FORM_FULLWIDTH = 8 };

#endif
