/* geo_json.c - GeoJSON Polygon/MultiPolygon geometry to og_mpoly and back. */
#include "transform/geo.h"
#include "transform/geo_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* GeoJSON                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
    default:
        return "null";
    }
}

#define GJ_HINT_NESTING                                                                            \
    "Polygon coordinates are [ring][point][lng, lat]; MultiPolygon adds one level: "               \
    "[polygon][ring][point][lng, lat]"

/* Fills err: message "invalid GeoJSON geometry: <what>", detail "at <path>: <fact>", hint. */
static int gj_fail(struct og_error *err, const char *path, const char *what, const char *a1,
                   const char *hint)
{
    og_error_set(err, OG_EPARSE, OG_CLASS_REJECT, OG_R_BAD_GEOMETRY, "invalid GeoJSON geometry: %s",
                 what);
    if (path && a1)
        og_error_detail(err, "at %s: %s", path, a1);
    else if (path)
        og_error_detail(err, "at %s", path);
    else if (a1)
        og_error_detail(err, "%s", a1);
    if (hint)
        og_error_hint(err, "%s", hint);
    return OG_EPARSE;
}

/* Parses one ring (array of positions) into ring. path is the JSON path prefix of the ring. */
static int gj_ring(const json_t *jr, struct og_ring *ring, const char *path, struct og_error *err)
{
    char where[128], what[200];
    if (!json_is_array(jr)) {
        snprintf(what, sizeof(what), "got %s, expected an array of [lng, lat] positions",
                 json_kind(jr));
        return gj_fail(err, path, "bad nesting: a ring is not an array", what, GJ_HINT_NESTING);
    }
    size_t n = json_array_size(jr);
    if (n > 0) {
        ring->xy = malloc(n * 2 * sizeof(double));
        if (!ring->xy)
            return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                                "out of memory parsing GeoJSON");
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *pos = json_array_get(jr, i);
        snprintf(where, sizeof(where), "%s[%zu]", path, i);
        if (!json_is_array(pos)) {
            snprintf(what, sizeof(what), "got %s where a [lng, lat] position was expected%s",
                     json_kind(pos), json_is_number(pos) ? " (one level of arrays missing)" : "");
            return gj_fail(err, where, "bad nesting", what, GJ_HINT_NESTING);
        }
        if (json_array_size(pos) > 0 && json_is_array(json_array_get(pos, 0)))
            return gj_fail(
                err, where, "bad nesting",
                "a position contains arrays (one level of arrays too many; is it a MultiPolygon "
                "labelled Polygon?)",
                GJ_HINT_NESTING);
        if (json_array_size(pos) < 2) {
            snprintf(what, sizeof(what), "a position has %zu value(s), need [lng, lat]",
                     json_array_size(pos));
            return gj_fail(err, where, "short position", what, NULL);
        }
        double v[2];
        for (size_t k = 0; k < 2; k++) {
            const json_t *c = json_array_get(pos, k);
            if (!json_is_number(c)) {
                char cw[160];
                snprintf(cw, sizeof(cw), "%s[%zu]", where, k);
                snprintf(what, sizeof(what), "%s is %s, expected a number",
                         k == 0 ? "longitude" : "latitude", json_kind(c));
                return gj_fail(err, cw, "non-numeric coordinate", what,
                               "write coordinates as JSON numbers, not strings");
            }
            v[k] = json_number_value(c);
        }
        if (!(fabs(v[0]) <= 180.0) || !(fabs(v[1]) <= 90.0)) {
            snprintf(what, sizeof(what), "[%.10g, %.10g] is not a [lng, lat] position in degrees",
                     v[0], v[1]);
            return gj_fail(
                err, where, "coordinate out of range", what,
                "GeoJSON positions are [longitude, latitude] in degrees; check for swapped or "
                "projected coordinates");
        }
        ring->xy[2 * i] = v[0];
        ring->xy[2 * i + 1] = v[1];
        ring->n = i + 1;
    }
    /* drop every repeated closing point: [A, B, A, A] is a ring of 2 distinct points, not 3 */
    ring->n = n;
    while (ring->n >= 2 && ring->xy[2 * (ring->n - 1)] == ring->xy[0] &&
           ring->xy[2 * (ring->n - 1) + 1] == ring->xy[1])
        ring->n--;
    if (ring->n < 3) {
        snprintf(
            what, sizeof(what),
            "ring has %zu distinct point(s), a ring needs at least 3 (4 with the closing point)",
            ring->n);
        return gj_fail(err, path, "ring with fewer than 3 points", what, NULL);
    }
    return 0;
}

/* Parses a Polygon's coordinates (array of rings). */
static int gj_polygon(const json_t *jp, struct og_polygon *poly, const char *path,
                      struct og_error *err)
{
    char where[104], what[160];
    if (!json_is_array(jp)) {
        snprintf(what, sizeof(what), "got %s, expected an array of rings", json_kind(jp));
        return gj_fail(err, path, "bad nesting: a polygon is not an array", what, GJ_HINT_NESTING);
    }
    size_t nr = json_array_size(jp);
    if (nr == 0)
        return gj_fail(err, path, "polygon has no rings", NULL, "a polygon needs an outer ring");
    poly->rings = calloc(nr, sizeof(*poly->rings));
    if (!poly->rings)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                            "out of memory parsing GeoJSON");
    poly->nrings = nr;
    for (size_t r = 0; r < nr; r++) {
        snprintf(where, sizeof(where), "%s[%zu]", path, r);
        int rc = gj_ring(json_array_get(jp, r), &poly->rings[r], where, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int og_mpoly_from_geojson(const json_t *geometry, struct og_mpoly *out, struct og_error *err)
{
    char where[80], what[160];
    int rc;
    memset(out, 0, sizeof(*out));
    if (!json_is_object(geometry)) {
        snprintf(what, sizeof(what), "got %s", geometry ? json_kind(geometry) : "nothing");
        return gj_fail(err, NULL, "geometry is not a JSON object", what, NULL);
    }
    const char *type = json_string_value(json_object_get(geometry, "type"));
    if (!type)
        return gj_fail(
            err, NULL, "geometry has no \"type\" string", NULL,
            "expected {\"type\": \"Polygon\" or \"MultiPolygon\", \"coordinates\": [...]}");
    bool multi;
    if (strcmp(type, "Polygon") == 0)
        multi = false;
    else if (strcmp(type, "MultiPolygon") == 0)
        multi = true;
    else {
        snprintf(what, sizeof(what), "type is \"%.60s\", expected \"Polygon\" or \"MultiPolygon\"",
                 type);
        return gj_fail(err, NULL, "wrong geometry type", what,
                       strcmp(type, "Feature") == 0
                           ? "pass the feature's \"geometry\" member"
                           : "only Polygon and MultiPolygon geometries are supported");
    }
    const json_t *coords = json_object_get(geometry, "coordinates");
    if (!json_is_array(coords)) {
        snprintf(what, sizeof(what), "%s \"coordinates\" is %s, expected an array", type,
                 coords ? json_kind(coords) : "missing");
        return gj_fail(err, "coordinates", "bad nesting", what, GJ_HINT_NESTING);
    }
    size_t np = multi ? json_array_size(coords) : 1;
    if (np == 0)
        return gj_fail(err, "coordinates", "MultiPolygon has no polygons", NULL, NULL);
    out->polys = calloc(np, sizeof(*out->polys));
    if (!out->polys)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                            "out of memory parsing GeoJSON");
    out->npolys = np;
    for (size_t p = 0; p < np; p++) {
        if (multi) {
            snprintf(where, sizeof(where), "coordinates[%zu]", p);
            rc = gj_polygon(json_array_get(coords, p), &out->polys[p], where, err);
        }
        else {
            rc = gj_polygon(coords, &out->polys[p], "coordinates", err);
        }
        if (rc < 0) {
            og_mpoly_free(out);
            return rc;
        }
    }
    return 0;
}

static double round_digits(double v, double scale)
{
    return scale > 0 ? round(v * scale) / scale : v;
}

json_t *og_mpoly_to_geojson(const struct og_mpoly *mp, int digits)
{
    double scale = digits >= 0 && digits <= 15 ? pow(10.0, digits) : 0.0;
    json_t *geom = json_object();
    json_t *coords = json_array();
    if (!geom || !coords || json_object_set_new(geom, "type", json_string("MultiPolygon")) < 0)
        goto fail;
    for (size_t p = 0; p < mp->npolys; p++) {
        const struct og_polygon *poly = &mp->polys[p];
        json_t *jp = json_array();
        if (json_array_append_new(coords, jp) < 0)
            goto fail;
        for (size_t r = 0; r < poly->nrings; r++) {
            const struct og_ring *ring = &poly->rings[r];
            size_t n = geo_ring_len(ring->xy, ring->n);
            json_t *jr = json_array();
            if (json_array_append_new(jp, jr) < 0)
                goto fail;
            for (size_t i = 0; i <= n; i++) {
                if (n == 0)
                    break;
                size_t k = i % n; /* i == n closes the ring */
                json_t *pos = json_pack("[ff]", round_digits(ring->xy[2 * k], scale),
                                        round_digits(ring->xy[2 * k + 1], scale));
                if (json_array_append_new(jr, pos) < 0)
                    goto fail;
            }
        }
    }
    if (json_object_set_new(geom, "coordinates", coords) < 0) {
        coords = NULL; /* set_new consumed it */
        goto fail;
    }
    return geom;
fail:
    json_decref(coords);
    json_decref(geom);
    return NULL;
}
