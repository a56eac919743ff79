/* output.c - og-worldgen's outputs: divisions.csv, GeoJSON collections, crosswalk CSVs. */
#include "tools/common/csv.h"
#include "tools/common/io.h"
#include "tools/common/mem.h"
#include "tools/og-worldgen/worldgen.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wg_write_atomic(const char *dir, const char *name, const struct og_buf *content,
                    struct og_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return og_tool_write_file(path, content->data, content->len, err);
}

int wg_csv_row(struct og_buf *b, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        rc = og_tool_csv_field(b, va_arg(ap, const char *), i == 0);
    }
    va_end(ap);
    return rc == 0 ? og_buf_putc(b, '\n') : rc;
}

int wg_write_divisions(const struct wg_world *w, const char *dir, struct og_error *err)
{
    static const char *const top[3][4] = {{"44", "1", "广东省", ""},
                                          {"4405", "2", "汕头市", "44"},
                                          {"440511", "3", "金平区", "4405"}};
    struct og_buf b = OG_BUF_INIT;
    int rc = wg_csv_row(&b, 5, "code", "level", "name", "parent_code", "edition");
    for (int i = 0; i < 3 && rc == 0; i++) {
        rc = wg_csv_row(&b, 5, top[i][0], top[i][1], top[i][2], top[i][3], WG_EDITION);
    }
    for (size_t s = 0; s < w->nstreets && rc == 0; s++) {
        rc = wg_csv_row(&b, 5, w->streets[s].code, "4", w->streets[s].name, WG_COUNTY, WG_EDITION);
    }
    for (size_t i = 0; i < w->ncomms && rc == 0; i++) {
        const struct wg_comm *cm = &w->comms[i];
        rc = wg_csv_row(&b, 5, cm->code, "5", cm->name, w->streets[cm->street].code, WG_EDITION);
    }
    rc = rc < 0 ? og_tool_nomem(err) : wg_write_atomic(dir, "divisions.csv", &b, err);
    og_buf_free(&b);
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

int wg_write_geojson(const struct wg_world *w, const char *dir, struct og_error *err)
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
    rc = rc < 0 ? og_tool_nomem(err) : wg_write_atomic(dir, "communities.geojson", &b, err);
    og_buf_reset(&b);
    rc = rc == 0 ? fc_begin(&b) : rc;
    for (size_t g = 0; g < w->ngrids && rc == 0; g++) {
        const struct wg_grid *gr = &w->grids[g];
        const struct wg_comm *cm = &w->comms[gr->comm];
        char county[7]; /* the first 6 digits of the street code */
        snprintf(county, sizeof county, "%.6s", w->streets[cm->street].code);
        const char *kv[] = {"grid_code",      gr->code, "name",        gr->name,
                            "community_code", cm->code, "street_code", w->streets[cm->street].code,
                            "county_code",    county};
        rc = feature_line(&b, g == 0, kv, 5, &gr->area);
    }
    if (rc == 0) {
        rc = fc_end(&b);
        rc = rc < 0 ? og_tool_nomem(err) : wg_write_atomic(dir, "grids.geojson", &b, err);
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
        rc = rc < 0 ? og_tool_nomem(err) : wg_write_atomic(dir, "dept_grids.geojson", &b, err);
    }
    og_buf_free(&b);
    return rc;
}

int wg_write_crosswalks(const struct wg_world *w, const char *dir, struct og_error *err)
{
    static const char *const depts[] = {"PS", "UM", "FR", "HL"};
    static const char *const files[] = {"ps.csv", "um.csv", "fr.csv", "hl.csv"};
    int rc = 0;
    for (size_t k = 0; k < 4 && rc == 0; k++) {
        struct og_buf b = OG_BUF_INIT;
        rc = wg_csv_row(&b, 4, "department", "dept_grid_code", "grid_code", "weight");
        for (size_t i = 0; i < w->ndepts && rc == 0; i++) {
            const struct wg_dept *d = &w->depts[i];
            if (strcmp(d->dept, depts[k]) != 0) {
                continue;
            }
            for (size_t r = 0; r < d->nrows && rc == 0; r++) {
                char wbuf[32];
                snprintf(wbuf, sizeof wbuf, "%ld.%06ld", d->rows[r].micro / 1000000,
                         d->rows[r].micro % 1000000);
                rc = wg_csv_row(&b, 4, d->dept, d->code, w->grids[d->rows[r].grid].code, wbuf);
            }
        }
        rc = rc < 0 ? og_tool_nomem(err) : wg_write_atomic(dir, files[k], &b, err);
        og_buf_free(&b);
    }
    return rc;
}
