/* fuzz_geojson.c - libFuzzer target: GeoJSON polygons from arbitrary JSON, indexed and queried.
 *
 * Build and run with tests/fuzz/Makefile.fuzz (`make -f tests/fuzz/Makefile.fuzz fuzz-run`).
 * Input: a JSON document (decoded with Jansson): a geometry, or a Feature whose "geometry" is used.
 * When og_mpoly_from_geojson accepts it, the result is indexed with og_geo_index and a few points
 * (its vertices, its centroid, its bbox corners and centre, points outside) are looked up both
 * ways. Checks: on error the output is empty and the error is OG_EPARSE "bad_geometry" (or
 * OG_ENOMEM); accepted rings have at least 3 points inside [-180,180] x [-90,90]; the index agrees
 * with og_mpoly_contains for every probe; the GeoJSON written back reads back.
 */
#include "transform/geo.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void probe(const struct og_geo_index *idx, const struct og_mpoly *mp, double lng, double lat)
{
    bool in = og_mpoly_contains(mp, lng, lat);
    int id = og_geo_index_find(idx, lng, lat);
    if (in != (id == 7)) {
        fprintf(stderr, "index says %d, og_mpoly_contains says %d at (%.17g, %.17g)\n", id, in, lng,
                lat);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!doc)
        return 0;
    const json_t *geom = doc;
    if (json_is_object(doc) && json_object_get(doc, "geometry"))
        geom = json_object_get(doc, "geometry");
    struct og_mpoly mp;
    memset(&mp, 0x5A, sizeof(mp));
    struct og_error err;
    memset(&err, 0, sizeof(err));
    int rc = og_mpoly_from_geojson(geom, &mp, &err);
    if (rc != 0) {
        if (mp.polys != NULL || mp.npolys != 0)
            abort(); /* on error *out is empty */
        if (rc != OG_ENOMEM && (rc != OG_EPARSE || err.reason != OG_R_BAD_GEOMETRY))
            abort();
        json_decref(doc);
        return 0;
    }
    for (size_t p = 0; p < mp.npolys; p++) {
        if (mp.polys[p].nrings == 0)
            abort();
        for (size_t r = 0; r < mp.polys[p].nrings; r++) {
            const struct og_ring *ring = &mp.polys[p].rings[r];
            if (ring->n < 3)
                abort(); /* rings under 3 points are rejected */
            for (size_t i = 0; i < ring->n; i++)
                if (!(fabs(ring->xy[2 * i]) <= 180.0) || !(fabs(ring->xy[2 * i + 1]) <= 90.0))
                    abort(); /* out-of-range or non-finite coordinates are rejected */
        }
    }
    struct og_geo_index *idx = og_geo_index_create();
    if (!idx || og_geo_index_add(idx, &mp, 7) != 0 || og_geo_index_build(idx) != 0) {
        og_geo_index_destroy(idx);
        og_mpoly_free(&mp);
        json_decref(doc);
        return 0;
    }
    struct og_bbox bb = og_mpoly_bbox(&mp);
    double cx, cy;
    og_mpoly_centroid(&mp, &cx, &cy);
    probe(idx, &mp, cx, cy);
    probe(idx, &mp, bb.min_lng, bb.min_lat);
    probe(idx, &mp, bb.max_lng, bb.max_lat);
    probe(idx, &mp, (bb.min_lng + bb.max_lng) / 2, (bb.min_lat + bb.max_lat) / 2);
    probe(idx, &mp, bb.min_lng - 1e-3, bb.min_lat);
    probe(idx, &mp, bb.max_lng + 1e-3, bb.max_lat + 1e-3);
    probe(idx, &mp, 0.0, 0.0);
    /* Every vertex is on an edge, so inside by the edge rule (unless it is a hole's, also inside).
     */
    size_t probes = 0;
    for (size_t p = 0; p < mp.npolys && probes < 64; p++)
        for (size_t i = 0; i < mp.polys[p].rings[0].n && probes < 64; i++, probes++) {
            double x = mp.polys[p].rings[0].xy[2 * i], y = mp.polys[p].rings[0].xy[2 * i + 1];
            probe(idx, &mp, x, y);
            probe(idx, &mp, x + 1e-7, y - 1e-7);
        }
    (void)og_mpoly_area_m2(&mp);
    json_t *back = og_mpoly_to_geojson(&mp, -1);
    if (back) {
        struct og_mpoly mp2;
        if (og_mpoly_from_geojson(back, &mp2, &err) != 0) {
            fprintf(stderr, "written GeoJSON does not read back: %s (%s)\n", err.message,
                    err.detail);
            abort();
        }
        if (mp2.npolys != mp.npolys)
            abort();
        og_mpoly_free(&mp2);
        json_decref(back);
    }
    og_geo_index_destroy(idx);
    og_mpoly_free(&mp);
    json_decref(doc);
    return 0;
}
