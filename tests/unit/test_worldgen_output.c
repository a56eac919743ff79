/* test_worldgen_output.c - checks the shipped Jinping world (world/jinping, mappings/crosswalks)
 * made by tools/og-worldgen: counts, codes, areas, grid numbering, crosswalk weights and the 2016
 * aliases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "transform/geo.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORLD "world/jinping"
#define XWALK "mappings/crosswalks"
#define M_PER_DEG 111194.93 /* metres per degree of latitude, R = 6371008.8 m */

/* ---------- loading ---------- */

struct csv {
    char *text;   /* owned; fields point into it */
    char ***rows; /* rows[i][j], row 0 is the header */
    size_t nrows, ncols;
};

static void csv_free(struct csv *c)
{
    for (size_t i = 0; i < c->nrows; i++) {
        free(c->rows[i]);
    }
    free(c->rows);
    free(c->text);
    memset(c, 0, sizeof *c);
}

/* Our files never need quoting: a quote is a failure. Every row must have the header's width. */
static void csv_load(const char *path, struct csv *c)
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot open %s (run the tests from the repository root)", path);
    }
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long len = ftell(f);
    assert_true(len > 0);
    rewind(f);
    c->text = malloc((size_t)len + 1);
    assert_non_null(c->text);
    assert_int_equal(fread(c->text, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    c->text[len] = '\0';
    assert_null(strchr(c->text, '"'));
    assert_null(strchr(c->text, '\r'));
    assert_int_equal(c->text[len - 1], '\n');
    char *line = c->text;
    while (*line) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        size_t nf = 1;
        for (char *p = line; *p; p++) {
            nf += *p == ',';
        }
        if (c->nrows == 0) {
            c->ncols = nf;
        }
        if (nf != c->ncols) {
            fail_msg("%s row %zu: %zu fields, header has %zu", path, c->nrows + 1, nf, c->ncols);
        }
        char **fields = malloc(nf * sizeof *fields);
        assert_non_null(fields);
        size_t k = 0;
        for (char *p = line;; p++) {
            if (p == line || p[-1] == '\0') {
                fields[k++] = p;
            }
            if (*p == ',') {
                *p = '\0';
            }
            else if (*p == '\0') {
                break;
            }
        }
        c->rows = realloc(c->rows, (c->nrows + 1) * sizeof *c->rows);
        assert_non_null(c->rows);
        c->rows[c->nrows++] = fields;
        line = nl + 1;
    }
}

static void csv_expect_header(const struct csv *c, const char *header)
{
    char buf[256] = "";
    for (size_t j = 0; j < c->ncols; j++) {
        strcat(buf, j ? "," : "");
        strcat(buf, c->rows[0][j]);
    }
    assert_string_equal(buf, header);
}

struct feature {
    json_t *props; /* borrowed from the document */
    struct og_mpoly mp;
    bool has_geom;
    double area_m2, clng, clat;
};

struct layer {
    json_t *doc;
    struct feature *f;
    size_t n;
};

static void layer_free(struct layer *l)
{
    for (size_t i = 0; i < l->n; i++) {
        og_mpoly_free(&l->f[i].mp);
    }
    free(l->f);
    json_decref(l->doc);
    memset(l, 0, sizeof *l);
}

static void layer_load(const char *path, struct layer *l)
{
    json_error_t jerr;
    memset(l, 0, sizeof *l);
    l->doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (l->doc == NULL) {
        fail_msg("%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
    }
    assert_string_equal(json_string_value(json_object_get(l->doc, "type")), "FeatureCollection");
    json_t *feats = json_object_get(l->doc, "features");
    assert_true(json_is_array(feats));
    l->n = json_array_size(feats);
    l->f = calloc(l->n, sizeof *l->f);
    assert_non_null(l->f);
    for (size_t i = 0; i < l->n; i++) {
        json_t *feat = json_array_get(feats, i);
        struct feature *f = &l->f[i];
        f->props = json_object_get(feat, "properties");
        assert_true(json_is_object(f->props));
        json_t *geom = json_object_get(feat, "geometry");
        if (json_is_null(geom)) {
            continue;
        }
        struct og_error err;
        if (og_mpoly_from_geojson(geom, &f->mp, &err) < 0) {
            fail_msg("%s feature %zu: %s", path, i, err.message);
        }
        assert_string_equal(json_string_value(json_object_get(geom, "type")), "MultiPolygon");
        f->has_geom = true;
        f->area_m2 = og_mpoly_area_m2(&f->mp);
        og_mpoly_centroid(&f->mp, &f->clng, &f->clat);
    }
}

static const char *prop(const struct feature *f, const char *key)
{
    const char *s = json_string_value(json_object_get(f->props, key));
    if (s == NULL) {
        fail_msg("feature without string property \"%s\"", key);
    }
    return s;
}

struct world {
    struct csv divisions, alias;
    struct csv xw[4];
    struct layer comms, grids, depts;
    struct og_mpoly outline; /* reference outline converted to WGS-84 */
};

static const char *const depts[4] = {"PS", "UM", "FR", "HL"};
static const char *const xw_files[4] = {XWALK "/ps.csv", XWALK "/um.csv", XWALK "/fr.csv",
                                        XWALK "/hl.csv"};

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    csv_load(WORLD "/divisions.csv", &w->divisions);
    csv_load(WORLD "/division_alias.csv", &w->alias);
    for (int k = 0; k < 4; k++) {
        csv_load(xw_files[k], &w->xw[k]);
    }
    layer_load(WORLD "/communities.geojson", &w->comms);
    layer_load(WORLD "/grids.geojson", &w->grids);
    layer_load(WORLD "/dept_grids.geojson", &w->depts);
    json_error_t jerr;
    json_t *doc = json_load_file(WORLD "/reference/jinping_440511_outline_gcj02.json", 0, &jerr);
    assert_non_null(doc);
    struct og_error err;
    assert_int_equal(og_mpoly_from_geojson(doc, &w->outline, &err), 0);
    json_decref(doc);
    for (size_t p = 0; p < w->outline.npolys; p++) {
        for (size_t r = 0; r < w->outline.polys[p].nrings; r++) {
            struct og_ring *ring = &w->outline.polys[p].rings[r];
            for (size_t i = 0; i < ring->n; i++) {
                double *xy = &ring->xy[2 * i];
                assert_true(og_gcj02_to_wgs84(xy[0], xy[1], &xy[0], &xy[1]) >= 1);
            }
        }
    }
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    csv_free(&w->divisions);
    csv_free(&w->alias);
    for (int k = 0; k < 4; k++) {
        csv_free(&w->xw[k]);
    }
    layer_free(&w->comms);
    layer_free(&w->grids);
    layer_free(&w->depts);
    og_mpoly_free(&w->outline);
    free(w);
    return 0;
}

static bool digits(const char *s, size_t n)
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

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static const struct feature *find_comm(const struct world *w, const char *code)
{
    for (size_t i = 0; i < w->comms.n; i++) {
        if (strcmp(prop(&w->comms.f[i], "code"), code) == 0) {
            return &w->comms.f[i];
        }
    }
    return NULL;
}

static const struct feature *find_grid(const struct world *w, const char *code)
{
    for (size_t i = 0; i < w->grids.n; i++) {
        if (strcmp(prop(&w->grids.f[i], "grid_code"), code) == 0) {
            return &w->grids.f[i];
        }
    }
    return NULL;
}

static const char *division_name(const struct world *w, const char *code)
{
    for (size_t i = 1; i < w->divisions.nrows; i++) {
        if (strcmp(w->divisions.rows[i][0], code) == 0) {
            return w->divisions.rows[i][2];
        }
    }
    return NULL;
}

/* ---------- tests ---------- */

static void test_divisions(void **state)
{
    const struct world *w = *state;
    csv_expect_header(&w->divisions, "code,level,name,parent_code,edition");
    size_t per_level[6] = {0};
    for (size_t i = 1; i < w->divisions.nrows; i++) {
        char **r = w->divisions.rows[i];
        int level = atoi(r[1]);
        assert_in_range(level, 1, 5);
        per_level[level]++;
        static const size_t len[6] = {0, 2, 4, 6, 9, 12};
        assert_true(digits(r[0], len[level]));
        assert_string_equal(r[4], "2023");
        if (level > 1) {
            assert_true(digits(r[3], len[level - 1]));
            assert_memory_equal(r[0], r[3], len[level - 1]); /* the parent is a prefix */
            assert_non_null(division_name(w, r[3]));
        }
        if (level == 4) {
            assert_true(ends_with(r[2], "街道"));
        }
        if (level == 5) {
            assert_true(ends_with(r[2], "居委会") || ends_with(r[2], "村委会"));
        }
        for (size_t j = 1; j < i; j++) {
            assert_string_not_equal(w->divisions.rows[j][0], r[0]);
        }
    }
    assert_int_equal(per_level[1], 1);
    assert_int_equal(per_level[2], 1);
    assert_int_equal(per_level[3], 1);
    assert_int_equal(per_level[4], 12);
    assert_int_equal(per_level[5], 170);
    assert_string_equal(division_name(w, "440511"), "金平区");
    assert_string_equal(division_name(w, "440511018"), "小公园街道");
    assert_string_equal(division_name(w, "440511018001"), "西堤居委会");
    /* every community has an area */
    assert_int_equal(w->comms.n, 170);
    for (size_t i = 0; i < w->comms.n; i++) {
        const char *code = prop(&w->comms.f[i], "code");
        assert_string_equal(prop(&w->comms.f[i], "name"), division_name(w, code));
        assert_memory_equal(prop(&w->comms.f[i], "street_code"), code, 9);
        assert_true(w->comms.f[i].has_geom);
    }
}

static void test_grid_codes(void **state)
{
    const struct world *w = *state;
    assert_int_equal(w->grids.n, 685);
    size_t five = 0;
    double min_five = INFINITY, max_four = 0;
    for (size_t i = 0; i < w->grids.n; i++) {
        const struct feature *g = &w->grids.f[i];
        const char *code = prop(g, "grid_code");
        assert_true(digits(code, 15));
        assert_true(g->has_geom);
        const char *cc = prop(g, "community_code");
        assert_int_equal(strlen(cc), 12);
        assert_memory_equal(code, cc, 12);
        assert_memory_equal(prop(g, "street_code"), code, 9);
        assert_string_equal(prop(g, "county_code"), "440511");
        assert_non_null(find_comm(w, cc));
        char name[160];
        snprintf(name, sizeof name, "%s第%d网格", division_name(w, cc), atoi(code + 12));
        assert_string_equal(prop(g, "name"), name);
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(prop(&w->grids.f[j], "grid_code"), code);
        }
    }
    /* 4 grids per community, 5 in the five largest; sequences 001..00n without gaps */
    for (size_t c = 0; c < w->comms.n; c++) {
        const char *cc = prop(&w->comms.f[c], "code");
        size_t n = 0;
        for (size_t i = 0; i < w->grids.n; i++) {
            n += strcmp(prop(&w->grids.f[i], "community_code"), cc) == 0;
        }
        assert_in_range(n, 4, 5);
        for (size_t s = 1; s <= n; s++) {
            char code[32];
            snprintf(code, sizeof code, "%s%03zu", cc, s);
            assert_non_null(find_grid(w, code));
        }
        double area = w->comms.f[c].area_m2;
        if (n == 5) {
            five++;
            min_five = fmin(min_five, area);
        }
        else {
            max_four = fmax(max_four, area);
        }
    }
    assert_int_equal(five, 5);
    assert_true(min_five > max_four);
}

static void test_areas_add_up(void **state)
{
    const struct world *w = *state;
    double outline = og_mpoly_area_m2(&w->outline), grids = 0, comms = 0;
    assert_true(outline > 1e8); /* Jinping is about 150 km2 with its water */
    for (size_t i = 0; i < w->grids.n; i++) {
        grids += w->grids.f[i].area_m2;
    }
    for (size_t i = 0; i < w->comms.n; i++) {
        comms += w->comms.f[i].area_m2;
    }
    assert_true(fabs(grids - outline) <= 1e-3 * outline);
    assert_true(fabs(comms - outline) <= 1e-3 * outline);
    /* each community is the sum of its grids */
    for (size_t c = 0; c < w->comms.n; c++) {
        const char *cc = prop(&w->comms.f[c], "code");
        double sum = 0;
        for (size_t i = 0; i < w->grids.n; i++) {
            if (strcmp(prop(&w->grids.f[i], "community_code"), cc) == 0) {
                sum += w->grids.f[i].area_m2;
            }
        }
        assert_true(fabs(sum - w->comms.f[c].area_m2) <= 1e-3 * w->comms.f[c].area_m2);
    }
}

/* The documented numbering: rows of grid centroids from north to south, a row being the centroids
 * within half a typical grid side (sqrt(community area / grids), in degrees of latitude) below the
 * northernmost one not yet placed; each row west to east. */
static void test_grid_sequence(void **state)
{
    const struct world *w = *state;
    for (size_t c = 0; c < w->comms.n; c++) {
        const char *cc = prop(&w->comms.f[c], "code");
        const struct feature *g[5];
        size_t n = 0;
        for (size_t s = 1; s <= 5; s++) {
            char code[32];
            snprintf(code, sizeof code, "%s%03zu", cc, s);
            const struct feature *f = find_grid(w, code);
            if (f != NULL) {
                g[n++] = f;
            }
        }
        double tol = sqrt(w->comms.f[c].area_m2 / (double)n) / M_PER_DEG / 2;
        bool placed[5] = {false};
        for (size_t seq = 0; seq < n;) {
            double top = -INFINITY;
            for (size_t i = 0; i < n; i++) {
                if (!placed[i]) {
                    top = fmax(top, g[i]->clat);
                }
            }
            /* the row, west to east: each next sequence is its westernmost unplaced member */
            for (;;) {
                size_t best = n;
                for (size_t i = 0; i < n; i++) {
                    if (!placed[i] && g[i]->clat >= top - tol &&
                        (best == n || g[i]->clng < g[best]->clng)) {
                        best = i;
                    }
                }
                if (best == n) {
                    break;
                }
                if (best != seq) {
                    fail_msg("%s: grid %03zu should be numbered %03zu", cc, best + 1, seq + 1);
                }
                placed[best] = true;
                seq++;
            }
        }
    }
}

static void test_grid_centroids_inside_community(void **state)
{
    const struct world *w = *state;
    for (size_t i = 0; i < w->grids.n; i++) {
        const struct feature *g = &w->grids.f[i];
        const struct feature *c = find_comm(w, prop(g, "community_code"));
        assert_non_null(c);
        if (!og_mpoly_contains(&c->mp, g->clng, g->clat)) {
            fail_msg("centroid of grid %s lies outside its community", prop(g, "grid_code"));
        }
    }
}

static const struct feature *find_dept(const struct world *w, const char *dept, const char *code)
{
    for (size_t i = 0; i < w->depts.n; i++) {
        if (strcmp(prop(&w->depts.f[i], "department"), dept) == 0 &&
            strcmp(prop(&w->depts.f[i], "dept_grid_code"), code) == 0) {
            return &w->depts.f[i];
        }
    }
    return NULL;
}

static bool alias_old_code(const struct world *w, const char *old, const char *level)
{
    for (size_t i = 1; i < w->alias.nrows; i++) {
        if (strcmp(w->alias.rows[i][0], old) == 0 && strcmp(w->alias.rows[i][3], level) == 0) {
            return true;
        }
    }
    return false;
}

/* Checks the shape of one department grid code. */
static void check_dept_code(const struct world *w, int k, const char *code)
{
    switch (k) {
    case 0: /* PS: 440511 + station 01..12 + JW + beat 3 */
        assert_int_equal(strlen(code), 13);
        assert_memory_equal(code, "440511", 6);
        assert_true(digits((char[3]){code[6], code[7], '\0'}, 2));
        assert_in_range(atoi(code + 6), 1, 12);
        assert_memory_equal(code + 8, "JW", 2);
        assert_true(digits(code + 10, 3));
        break;
    case 1: { /* UM: 2016 community code + unit 2 */
        char old[13];
        assert_true(digits(code, 14));
        memcpy(old, code, 12);
        old[12] = '\0';
        assert_true(alias_old_code(w, old, "5"));
        break;
    }
    case 2: { /* FR: street name + community name with 社区/村 */
        char street[10];
        bool found = false;
        for (size_t c = 0; c < w->comms.n && !found; c++) {
            memcpy(street, prop(&w->comms.f[c], "street_code"), 9);
            street[9] = '\0';
            const char *sname = division_name(w, street), *cname = prop(&w->comms.f[c], "name");
            char want[200];
            size_t cl = strlen(cname);
            snprintf(want, sizeof want, "%s%.*s%s", sname, (int)(cl - 9), cname,
                     ends_with(cname, "居委会") ? "社区" : "村");
            found = strcmp(want, code) == 0;
        }
        if (!found) {
            fail_msg("fire grid %s is not street + community name", code);
        }
        break;
    }
    default: /* HL: a unified grid or a community code */
        if (strlen(code) == 15) {
            assert_non_null(find_grid(w, code));
        }
        else {
            assert_non_null(find_comm(w, code));
        }
    }
}

static void test_crosswalks(void **state)
{
    const struct world *w = *state;
    for (int k = 0; k < 4; k++) {
        const struct csv *x = &w->xw[k];
        csv_expect_header(x, "department,dept_grid_code,grid_code,weight");
        assert_true(x->nrows > 1);
        size_t i = 1;
        while (i < x->nrows) {
            const char *code = x->rows[i][1];
            double sum = 0;
            size_t j = i;
            for (; j < x->nrows && strcmp(x->rows[j][1], code) == 0; j++) {
                assert_string_equal(x->rows[j][0], depts[k]);
                if (find_grid(w, x->rows[j][2]) == NULL) {
                    fail_msg("%s: unknown grid_code %s", xw_files[k], x->rows[j][2]);
                }
                char *end;
                double wt = strtod(x->rows[j][3], &end);
                assert_true(*end == '\0' && wt > 0 && wt <= 1);
                sum += wt;
            }
            if (fabs(sum - 1) > 1e-6) {
                fail_msg("%s: weights of %s add up to %.9f", xw_files[k], code, sum);
            }
            /* rows of one dept grid are contiguous: it never appears again */
            for (size_t m = j; m < x->nrows; m++) {
                assert_string_not_equal(x->rows[m][1], code);
            }
            if (find_dept(w, depts[k], code) == NULL) {
                fail_msg("%s: %s is not in dept_grids.geojson", xw_files[k], code);
            }
            check_dept_code(w, k, code);
            i = j;
        }
    }
    /* every dept grid has crosswalk rows; shapes for all but HL */
    for (size_t d = 0; d < w->depts.n; d++) {
        const struct feature *f = &w->depts.f[d];
        const char *dept = prop(f, "department"), *code = prop(f, "dept_grid_code");
        int k = 0;
        while (k < 4 && strcmp(depts[k], dept) != 0) {
            k++;
        }
        assert_true(k < 4);
        assert_true(f->has_geom == (k != 3));
        bool found = false;
        for (size_t i = 1; i < w->xw[k].nrows && !found; i++) {
            found = strcmp(w->xw[k].rows[i][1], code) == 0;
        }
        if (!found) {
            fail_msg("%s grid %s has no crosswalk row", dept, code);
        }
    }
}

/* FR weights are area shares of the community's grids (containment), so they can be recomputed. */
static void test_fire_weights_are_area_shares(void **state)
{
    const struct world *w = *state;
    const struct csv *x = &w->xw[2];
    assert_int_equal(x->nrows - 1, 685); /* one row per grid */
    for (size_t i = 1; i < x->nrows; i++) {
        const struct feature *g = find_grid(w, x->rows[i][2]);
        const struct feature *c = find_comm(w, prop(g, "community_code"));
        assert_non_null(c);
        double want = g->area_m2 / c->area_m2;
        assert_true(fabs(strtod(x->rows[i][3], NULL) - want) < 1e-4);
    }
}

static void test_jinfeng_fire_grids_differ(void **state)
{
    const struct world *w = *state;
    const char *names[4] = {"", "", "", ""};
    size_t n = 0;
    for (size_t d = 0; d < w->depts.n; d++) {
        const struct feature *f = &w->depts.f[d];
        if (strcmp(prop(f, "department"), "FR") == 0 && strstr(prop(f, "name"), "金凤") != NULL) {
            assert_true(n < 4);
            names[n++] = prop(f, "name");
        }
    }
    assert_int_equal(n, 2);
    assert_string_not_equal(names[0], names[1]);
    assert_string_equal(names[0], "小公园街道金凤社区");
    assert_string_equal(names[1], "金东街道金凤社区");
}

static void test_alias_2016(void **state)
{
    const struct world *w = *state;
    csv_expect_header(&w->alias, "old_code,code,edition,level,old_name");
    bool xidi = false;
    size_t streets2016 = 0;
    for (size_t i = 1; i < w->alias.nrows; i++) {
        char **r = w->alias.rows[i];
        assert_string_equal(r[2], "2016");
        assert_non_null(division_name(w, r[1]));
        if (strcmp(r[0], "440511014001") == 0) {
            assert_string_equal(r[1], "440511018001");
            assert_string_equal(r[3], "5");
            assert_string_equal(r[4], "西堤居委会");
            xidi = true;
        }
        if (strcmp(r[3], "4") == 0) {
            streets2016++;
            assert_true(digits(r[0], 9) && ends_with(r[4], "街道"));
        }
        else {
            assert_string_equal(r[3], "5");
            assert_true(digits(r[0], 12));
            char street[10]; /* the old community's old street is listed too */
            memcpy(street, r[0], 9);
            street[9] = '\0';
            assert_true(alias_old_code(w, street, "4"));
        }
        for (size_t j = 1; j < i; j++) {
            assert_string_not_equal(w->alias.rows[j][0], r[0]);
        }
    }
    assert_true(xidi);
    assert_int_equal(streets2016, 17);
    /* every 2023 community has exactly one 2016 code */
    for (size_t c = 0; c < w->comms.n; c++) {
        size_t n = 0;
        for (size_t i = 1; i < w->alias.nrows; i++) {
            n += strcmp(w->alias.rows[i][1], prop(&w->comms.f[c], "code")) == 0;
        }
        assert_int_equal(n, 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_divisions),
        cmocka_unit_test(test_grid_codes),
        cmocka_unit_test(test_areas_add_up),
        cmocka_unit_test(test_grid_sequence),
        cmocka_unit_test(test_grid_centroids_inside_community),
        cmocka_unit_test(test_crosswalks),
        cmocka_unit_test(test_fire_weights_are_area_shares),
        cmocka_unit_test(test_jinfeng_fire_grids_differ),
        cmocka_unit_test(test_alias_2016),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
