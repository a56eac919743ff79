/* world.c - the world as plain data: building it, reading it from a folder of files, freeing it. */
#include "core/world.h"

#include "core/digest.h"
#include "core/hmap.h"
#include "core/table.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Grows *arr (element size sz) to hold one more; returns the new element zeroed or NULL. */
static void *push(void **arr, size_t *n, size_t sz)
{
    if (*n == 0 || (*n >= 16 && (*n & (*n - 1)) == 0)) { /* capacity 16, then doubling */
        size_t cap = *n ? *n * 2 : 16;
        void *p = realloc(*arr, cap * sz);
        if (!p)
            return NULL;
        *arr = p;
    }
    void *e = (char *)*arr + (*n) * sz;
    memset(e, 0, sz);
    (*n)++;
    return e;
}
#define PUSH(arr, n) push((void **)&(arr), &(n), sizeof(*(arr)))

int og_world_add_division(struct og_world *w, const char *code, int level, const char *name,
                          const char *parent_code, const char *edition, const char *geojson)
{
    struct og_world_division *d = PUSH(w->divisions, w->ndivisions);
    if (!d)
        return OG_ENOMEM;
    d->code = dup_or_null(code);
    d->level = level;
    d->name = dup_or_null(name);
    d->parent_code = dup_or_null(parent_code);
    d->edition = dup_or_null(edition);
    d->geojson = dup_or_null(geojson);
    return 0;
}

int og_world_add_alias(struct og_world *w, const char *old_code, const char *code,
                       const char *edition, int level, const char *old_name)
{
    struct og_world_alias *a = PUSH(w->aliases, w->naliases);
    if (!a)
        return OG_ENOMEM;
    a->old_code = dup_or_null(old_code);
    a->code = dup_or_null(code);
    a->edition = dup_or_null(edition);
    a->level = level;
    a->old_name = dup_or_null(old_name);
    return 0;
}

int og_world_add_grid(struct og_world *w, const char *grid_code, const char *name,
                      const char *community_code, const char *street_code, const char *county_code,
                      const char *geojson)
{
    struct og_world_grid *g = PUSH(w->grids, w->ngrids);
    if (!g)
        return OG_ENOMEM;
    g->grid_code = dup_or_null(grid_code);
    g->name = dup_or_null(name);
    g->community_code = dup_or_null(community_code);
    g->street_code = dup_or_null(street_code);
    g->county_code = dup_or_null(county_code);
    g->geojson = dup_or_null(geojson);
    return 0;
}

int og_world_add_dept_grid(struct og_world *w, const char *department, const char *code,
                           const char *name, const char *geojson)
{
    struct og_world_dept_grid *g = PUSH(w->dept_grids, w->ndept_grids);
    if (!g)
        return OG_ENOMEM;
    g->department = dup_or_null(department);
    g->dept_grid_code = dup_or_null(code);
    g->name = dup_or_null(name);
    g->geojson = dup_or_null(geojson);
    return 0;
}

int og_world_add_xwalk(struct og_world *w, const char *department, const char *code,
                       const char *grid_code, double weight)
{
    struct og_world_xwalk *x = PUSH(w->xwalks, w->nxwalks);
    if (!x)
        return OG_ENOMEM;
    x->department = dup_or_null(department);
    x->dept_grid_code = dup_or_null(code);
    x->grid_code = dup_or_null(grid_code);
    x->weight = weight;
    return 0;
}

void og_world_free(struct og_world *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->ndivisions; i++) {
        struct og_world_division *d = &w->divisions[i];
        free(d->code), free(d->name), free(d->parent_code), free(d->edition), free(d->geojson);
    }
    for (size_t i = 0; i < w->naliases; i++) {
        struct og_world_alias *a = &w->aliases[i];
        free(a->old_code), free(a->code), free(a->edition), free(a->old_name);
    }
    for (size_t i = 0; i < w->ngrids; i++) {
        struct og_world_grid *g = &w->grids[i];
        free(g->grid_code), free(g->name), free(g->community_code), free(g->street_code),
            free(g->county_code), free(g->geojson);
    }
    for (size_t i = 0; i < w->ndept_grids; i++) {
        struct og_world_dept_grid *g = &w->dept_grids[i];
        free(g->department), free(g->dept_grid_code), free(g->name), free(g->geojson);
    }
    for (size_t i = 0; i < w->nxwalks; i++) {
        struct og_world_xwalk *x = &w->xwalks[i];
        free(x->department), free(x->dept_grid_code), free(x->grid_code);
    }
    free(w->divisions), free(w->aliases), free(w->grids), free(w->dept_grids), free(w->xwalks);
    memset(w, 0, sizeof(*w));
}

/* ---- reading a folder ---- */

static const char *prop_str(json_t *props, const char *key)
{
    json_t *v = json_object_get(props, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* One feature of a GeoJSON file: its properties and geometry (compact GeoJSON text, NULL without
 * one), its file and index; ctx is what read_features was given. */
typedef int (*feature_fn)(struct og_world *w, json_t *props, const char *geojson, const char *path,
                          size_t i, void *ctx, struct og_error *err);

static int read_features(const char *path, struct og_world *w, feature_fn fn, void *ctx,
                         struct og_error *err)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc)
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD, "%s:%d:%d: %s", path,
                            jerr.line, jerr.column, jerr.text);
    int rc = 0;
    json_t *features = json_object_get(doc, "features");
    if (!json_is_array(features)) {
        rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_GEOMETRY,
                          "%s: not a GeoJSON FeatureCollection (no \"features\" array)", path);
        goto done;
    }
    size_t i;
    json_t *f;
    json_array_foreach(features, i, f)
    {
        json_t *props = json_object_get(f, "properties");
        json_t *geom = json_object_get(f, "geometry");
        char *gj = (geom && !json_is_null(geom)) ? json_dumps(geom, JSON_COMPACT) : NULL;
        rc = fn(w, props, gj, path, i, ctx, err);
        free(gj);
        if (rc < 0)
            goto done;
    }
done:
    json_decref(doc);
    return rc;
}

static int need(const char *v, const char *key, const char *path, size_t i, struct og_error *err)
{
    if (v && *v)
        return 0;
    return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                        "%s: feature %zu has no property \"%s\"", path, i, key);
}

static int grid_feature(struct og_world *w, json_t *props, const char *gj, const char *path,
                        size_t i, void *ctx, struct og_error *err)
{
    (void)ctx;
    const char *code = prop_str(props, "grid_code"), *comm = prop_str(props, "community_code");
    const char *street = prop_str(props, "street_code"), *county = prop_str(props, "county_code");
    if (need(code, "grid_code", path, i, err) || need(comm, "community_code", path, i, err))
        return OG_EPARSE;
    if (!gj)
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                            "%s: grid %s has no geometry", path, code);
    char sbuf[10], cbuf[7];
    if (!street) {
        snprintf(sbuf, sizeof(sbuf), "%.9s", comm);
        street = sbuf;
    }
    if (!county) {
        snprintf(cbuf, sizeof(cbuf), "%.6s", comm);
        county = cbuf;
    }
    return og_world_add_grid(w, code, prop_str(props, "name"), comm, street, county, gj);
}

static int dept_feature(struct og_world *w, json_t *props, const char *gj, const char *path,
                        size_t i, void *ctx, struct og_error *err)
{
    (void)ctx;
    const char *dept = prop_str(props, "department"), *code = prop_str(props, "dept_grid_code");
    if (need(dept, "department", path, i, err) || need(code, "dept_grid_code", path, i, err))
        return OG_EPARSE;
    return og_world_add_dept_grid(w, dept, code, prop_str(props, "name"), gj);
}

/* ctx: the divisions by code (code -> 1 + index), so that a province's 20,000 communities are not
 * each looked for among all divisions. */
static int community_feature(struct og_world *w, json_t *props, const char *gj, const char *path,
                             size_t i, void *ctx, struct og_error *err)
{
    const char *code = prop_str(props, "code");
    if (need(code, "code", path, i, err))
        return OG_EPARSE;
    uintptr_t k = (uintptr_t)og_hmap_get(ctx, code);
    if (!k)
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                            "%s: feature %zu: community %s is not in divisions.csv", path, i, code);
    if (!gj) /* a community without a shape: nothing to add */
        return 0;
    struct og_world_division *d = &w->divisions[k - 1];
    free(d->geojson);
    d->geojson = strdup(gj);
    return d->geojson ? 0 : OG_ENOMEM;
}

/* The communities' shapes, from path: each feature's "code" must be a division. */
static int read_communities(const char *path, struct og_world *w, struct og_error *err)
{
    struct og_hmap *by_code = og_hmap_create();
    int rc = by_code ? 0 : OG_ENOMEM;
    for (size_t k = 0; k < w->ndivisions && rc == 0; k++) /* a code twice: the first, as before */
        if (!og_hmap_get(by_code, w->divisions[k].code))
            rc = og_hmap_put(by_code, w->divisions[k].code, (void *)(uintptr_t)(k + 1));
    if (rc < 0)
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    else
        rc = read_features(path, w, community_feature, by_code, err);
    og_hmap_destroy(by_code);
    return rc;
}

static int read_csv_rows(const char *path, const char *const *cols, size_t ncols,
                         int (*row_fn)(struct og_world *w, char **v, const char *path, long line,
                                       struct og_error *err),
                         struct og_world *w, struct og_error *err)
{
    struct og_table t;
    int rc = og_table_read(path, &t, err);
    if (rc < 0)
        return rc;
    int idx[8];
    for (size_t c = 0; c < ncols; c++) {
        idx[c] = og_table_require_col(&t, cols[c], err);
        if (idx[c] < 0) {
            og_table_free(&t);
            return OG_ECONFIG;
        }
    }
    for (size_t r = 0; r < t.nrows && rc == 0; r++) {
        char *v[8];
        for (size_t c = 0; c < ncols; c++)
            v[c] = t.rows[r][idx[c]];
        rc = row_fn(w, v, path, t.lines[r], err);
    }
    og_table_free(&t);
    return rc;
}

static int division_row(struct og_world *w, char **v, const char *path, long line,
                        struct og_error *err)
{
    char *end;
    long level = strtol(v[1], &end, 10);
    if (end == v[1] || *end || level < 1 || level > 5)
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                            "%s:%ld: level \"%s\" is not 1..5", path, line, v[1]);
    return og_world_add_division(w, v[0], (int)level, v[2], *v[3] ? v[3] : NULL, v[4], NULL);
}

static int alias_row(struct og_world *w, char **v, const char *path, long line,
                     struct og_error *err)
{
    (void)path, (void)line, (void)err;
    return og_world_add_alias(w, v[0], v[1], v[2], atoi(v[3]), *v[4] ? v[4] : NULL);
}

static int xwalk_row(struct og_world *w, char **v, const char *path, long line,
                     struct og_error *err)
{
    char *end;
    double weight = strtod(v[3], &end);
    if (end == v[3] || *end || !(weight > 0 && weight <= 1.0000001))
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                            "%s:%ld: weight \"%s\" is not a number in (0, 1]", path, line, v[3]);
    return og_world_add_xwalk(w, v[0], v[1], v[2], weight > 1 ? 1 : weight);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int og_world_read_dir(const char *dir, const char *xwalk_dir, struct og_world *w,
                      struct og_error *err)
{
    memset(w, 0, sizeof(*w));
    char path[4096];
    int rc;
    static const char *const div_cols[] = {"code", "level", "name", "parent_code", "edition"};
    static const char *const alias_cols[] = {"old_code", "code", "edition", "level", "old_name"};
    static const char *const xw_cols[] = {"department", "dept_grid_code", "grid_code", "weight"};

    snprintf(path, sizeof(path), "%s/divisions.csv", dir);
    if ((rc = read_csv_rows(path, div_cols, 5, division_row, w, err)) < 0)
        goto fail;
    snprintf(path, sizeof(path), "%s/division_alias.csv", dir);
    if ((rc = read_csv_rows(path, alias_cols, 5, alias_row, w, err)) < 0)
        goto fail;
    snprintf(path, sizeof(path), "%s/communities.geojson", dir);
    FILE *probe = fopen(path, "r");
    if (probe) {
        fclose(probe);
        if ((rc = read_communities(path, w, err)) < 0)
            goto fail;
    }
    snprintf(path, sizeof(path), "%s/grids.geojson", dir);
    if ((rc = read_features(path, w, grid_feature, NULL, err)) < 0)
        goto fail;
    snprintf(path, sizeof(path), "%s/dept_grids.geojson", dir);
    probe = fopen(path, "r");
    if (probe) {
        fclose(probe);
        if ((rc = read_features(path, w, dept_feature, NULL, err)) < 0)
            goto fail;
    }
    if (xwalk_dir) {
        DIR *d = opendir(xwalk_dir);
        if (!d) {
            rc = og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO,
                              "could not open crosswalk folder \"%s\": %s", xwalk_dir,
                              strerror(errno));
            goto fail;
        }
        char *names[256];
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
            if (n == 256) {
                closedir(d);
                for (size_t i = 0; i < n; i++)
                    free(names[i]);
                rc = og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                                  "crosswalk folder \"%s\" has more than 256 CSV files", xwalk_dir);
                goto fail;
            }
            size_t len = strlen(de->d_name);
            if (len > 4 && strcmp(de->d_name + len - 4, ".csv") == 0)
                names[n++] = strdup(de->d_name);
        }
        closedir(d);
        qsort(names, n, sizeof(char *), cmp_str);
        for (size_t i = 0; i < n; i++) {
            snprintf(path, sizeof(path), "%s/%s", xwalk_dir, names[i]);
            if (rc == 0)
                rc = read_csv_rows(path, xw_cols, 4, xwalk_row, w, err);
            free(names[i]);
        }
        if (rc < 0)
            goto fail;
    }
    return 0;
fail:
    og_world_free(w);
    return rc;
}

static void add_str(struct og_sha256 *d, const char *s)
{
    og_sha256_add(d, s ? s : "", s ? strlen(s) + 1 : 0);
    og_sha256_add(d, s ? "s" : "n", 1);
}

int og_world_digest(const struct og_world *w, unsigned char md[32])
{
    struct og_sha256 d;
    if (og_sha256_begin(&d) < 0)
        return OG_ENOMEM;
    size_t counts[] = {w->ndivisions, w->naliases, w->ngrids, w->ndept_grids, w->nxwalks};
    og_sha256_add(&d, counts, sizeof(counts));
    for (size_t i = 0; i < w->ndivisions; i++) {
        const struct og_world_division *v = &w->divisions[i];
        add_str(&d, v->code);
        add_str(&d, v->name);
        add_str(&d, v->parent_code);
        add_str(&d, v->edition);
        add_str(&d, v->geojson);
        og_sha256_add(&d, &v->level, sizeof(v->level));
    }
    for (size_t i = 0; i < w->naliases; i++) {
        const struct og_world_alias *a = &w->aliases[i];
        add_str(&d, a->old_code);
        add_str(&d, a->code);
        add_str(&d, a->edition);
        add_str(&d, a->old_name);
        og_sha256_add(&d, &a->level, sizeof(a->level));
    }
    for (size_t i = 0; i < w->ngrids; i++) {
        const struct og_world_grid *g = &w->grids[i];
        add_str(&d, g->grid_code);
        add_str(&d, g->name);
        add_str(&d, g->community_code);
        add_str(&d, g->street_code);
        add_str(&d, g->county_code);
        add_str(&d, g->geojson);
    }
    for (size_t i = 0; i < w->ndept_grids; i++) {
        const struct og_world_dept_grid *g = &w->dept_grids[i];
        add_str(&d, g->department);
        add_str(&d, g->dept_grid_code);
        add_str(&d, g->name);
        add_str(&d, g->geojson);
    }
    for (size_t i = 0; i < w->nxwalks; i++) {
        const struct og_world_xwalk *x = &w->xwalks[i];
        add_str(&d, x->department);
        add_str(&d, x->dept_grid_code);
        add_str(&d, x->grid_code);
        og_sha256_add(&d, &x->weight, sizeof(x->weight));
    }
    og_sha256_end(&d, md);
    return 0;
}
