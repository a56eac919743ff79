/* input.c - og-worldgen's inputs: the district outline and the NBS streets / communities CSVs. */
#include "tools/common/csv.h"
#include "tools/common/io.h"
#include "tools/common/mem.h"
#include "tools/og-worldgen/worldgen.h"

#include <jansson.h>
#include <string.h>

#define WG_MAXF 8 /* CSV columns kept per record */

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
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD, "%s: bad name \"%s\"",
                            path, src);
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

int wg_load_streets(struct wg_world *w, const char *path, struct og_error *err)
{
    struct og_buf text = OG_BUF_INIT;
    int rc = og_tool_read_file(path, &text, err);
    size_t cap = 0;
    if (rc < 0) {
        goto done;
    }
    char *pos = text.data, *f[WG_MAXF];
    int nf = og_tool_csv_next(&pos, f, WG_MAXF);
    int ccode = og_tool_csv_col(f, nf, "code"), cname = og_tool_csv_col(f, nf, "name");
    int carea = og_tool_csv_col(f, nf, "areaCode");
    if (ccode < 0 || cname < 0 || carea < 0) {
        rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_TABLE,
                          "%s: header needs code,name,areaCode", path);
        goto done;
    }
    while ((nf = og_tool_csv_next(&pos, f, WG_MAXF)) > 0) {
        if (nf <= ccode || nf <= cname || nf <= carea || strcmp(f[carea], WG_COUNTY) != 0) {
            continue;
        }
        if (!all_digits(f[ccode], 9) || strncmp(f[ccode], WG_COUNTY, 6) != 0) {
            rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                              "%s: bad street code \"%s\"", path, f[ccode]);
            goto done;
        }
        if (og_tool_grow((void **)&w->streets, &cap, w->nstreets + 1, sizeof *w->streets) < 0) {
            rc = og_tool_nomem(err);
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

int wg_load_comms(struct wg_world *w, const char *path, struct og_error *err)
{
    struct og_buf text = OG_BUF_INIT;
    int rc = og_tool_read_file(path, &text, err);
    size_t cap = 0;
    if (rc < 0) {
        goto done;
    }
    char *pos = text.data, *f[WG_MAXF];
    int nf = og_tool_csv_next(&pos, f, WG_MAXF);
    int ccode = og_tool_csv_col(f, nf, "code"), cname = og_tool_csv_col(f, nf, "name");
    int cstreet = og_tool_csv_col(f, nf, "streetCode");
    if (ccode < 0 || cname < 0 || cstreet < 0) {
        rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_TABLE,
                          "%s: header needs code,name,streetCode", path);
        goto done;
    }
    while ((nf = og_tool_csv_next(&pos, f, WG_MAXF)) > 0) {
        if (nf <= ccode || nf <= cname || nf <= cstreet || strncmp(f[ccode], WG_COUNTY, 6) != 0) {
            continue;
        }
        if (!all_digits(f[ccode], 12) || strncmp(f[ccode], f[cstreet], 9) != 0) {
            rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                              "%s: bad community code \"%s\"", path, f[ccode]);
            goto done;
        }
        if (og_tool_grow((void **)&w->comms, &cap, w->ncomms + 1, sizeof *w->comms) < 0) {
            rc = og_tool_nomem(err);
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
            rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                              "%s: community %s has no street in the streets file", path,
                              w->comms[i].code);
            goto done;
        }
        if (i > 0 && w->comms[i - 1].code[0] &&
            strcmp(w->comms[i - 1].code, w->comms[i].code) == 0) {
            rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                              "%s: duplicate code %s", path, w->comms[i].code);
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
            rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                              "street %s has no communities", w->streets[s].code);
            goto done;
        }
    }
done:
    og_buf_free(&text);
    return rc;
}

int wg_load_outline(struct wg_world *w, const char *path, struct og_error *err)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL && json_error_code(&jerr) == json_error_cannot_open_file) {
        return og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not open \"%s\"", path);
    }
    if (doc == NULL) {
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD, "%s:%d:%d: %s", path,
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
            return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                                "%s: polygons with holes are not supported", path);
        }
        struct og_ring *r = &poly->rings[0];
        for (size_t i = 0; i < r->n; i++) {
            double lng, lat;
            if (og_gcj02_to_wgs84(r->xy[2 * i], r->xy[2 * i + 1], &lng, &lat) < 0) {
                return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                                    "%s: GCJ-02 -> WGS-84 did not converge at (%.7f, %.7f)", path,
                                    r->xy[2 * i], r->xy[2 * i + 1]);
            }
            r->xy[2 * i] = lng;
            r->xy[2 * i + 1] = lat;
        }
    }
    return 0;
}
