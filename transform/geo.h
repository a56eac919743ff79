/* geo.h - coordinate systems (WGS-84, GCJ-02, BD-09), polygons, point-in-polygon and a spatial
 * index. Pure computation: no I/O, no global state. Coordinates are degrees, (lng, lat) order
 * everywhere. */
#ifndef OG_GEO_H
#define OG_GEO_H

#include "core/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum og_crs {
    OG_CRS_UNKNOWN = 0,
    OG_CRS_WGS84,
    OG_CRS_CGCS2000, /* treated as WGS-84 at grid scale */
    OG_CRS_GCJ02,
    OG_CRS_BD09,
};

/* Parses "wgs84", "WGS-84", "cgcs2000", "gcj02", "GCJ-02", "bd09", "BD-09" (case-insensitive).
 * Returns 0, or OG_EINVAL for an unknown name (*out untouched). */
int og_crs_parse(const char *s, enum og_crs *out);
/* "wgs84", "cgcs2000", "gcj02", "bd09", "unknown" (static strings). */
const char *og_crs_name(enum og_crs crs);

/* The "outside China, no offset" box (lng 72.004-137.8347, lat 0.8293-55.8271, edges inclusive).
 * False for NaN. */
bool og_geo_in_china(double lng, double lat);

/* Forward transforms (canonical Krasovsky constants; bit-compatible with
 * coordtransform/eviltransform). All three return the input unchanged when their input lies outside
 * og_geo_in_china(). */
void og_wgs84_to_gcj02(double lng, double lat, double *out_lng, double *out_lat);
void og_gcj02_to_bd09(double lng, double lat, double *out_lng, double *out_lat);
void og_bd09_to_gcj02(double lng, double lat, double *out_lng, double *out_lat);
/* Inverse GCJ-02 -> WGS-84 by iteration from the one-step inverse until the forward image is within
 * 1e-9 degrees of the input. Returns the number of iterations (>= 1), or OG_EINVAL when it did not
 * converge in 50 steps (outputs still set to the best estimate). Outside og_geo_in_china() it
 * copies the input and returns 1. Non-finite input: OG_EINVAL, outputs = input. A GCJ-02 point in
 * the thin strip just inside the box edge that no WGS-84 point maps to (e.g. lng 72.005) gives
 * OG_EINVAL. */
int og_gcj02_to_wgs84(double lng, double lat, double *out_lng, double *out_lat);
/* BD-09 -> GCJ-02 -> WGS-84 (iterative). Same return as og_gcj02_to_wgs84. */
int og_bd09_to_wgs84(double lng, double lat, double *out_lng, double *out_lat);
/* Any supported crs -> WGS-84 (WGS-84 and CGCS2000 are copied). Returns 0 or OG_EINVAL (unknown
 * crs, non-finite input, no convergence). */
int og_geo_to_wgs84(enum og_crs crs, double lng, double lat, double *out_lng, double *out_lat);
/* WGS-84 -> any supported crs (for generators and tests). 0, or OG_EINVAL for an unknown crs or
 * non-finite input. Note BD-09 -> GCJ-02 is the published approximate inverse of GCJ-02 -> BD-09:
 * round trips through BD-09 agree to about 2e-6 degrees (0.2 m), not 1e-9. */
int og_geo_from_wgs84(enum og_crs crs, double lng, double lat, double *out_lng, double *out_lat);

/* Polygons. A ring is n points (x = lng, y = lat) in xy[2*i], xy[2*i+1]; it may or may not repeat
 * the first point at the end (functions accept both). Ring 0 of a polygon is the outer ring, the
 * rest holes. */
struct og_ring {
    double *xy; /* owned by the ring */
    size_t n;
};
struct og_polygon {
    struct og_ring *rings; /* owned */
    size_t nrings;
};
struct og_mpoly {
    struct og_polygon *polys; /* owned */
    size_t npolys;
};
struct og_bbox {
    double min_lng, min_lat, max_lng, max_lat;
};

void og_ring_free(struct og_ring *ring); /* frees xy, zeroes; NULL allowed */
void og_mpoly_free(struct og_mpoly *mp); /* frees everything inside, zeroes; NULL allowed */
/* Deep copy into *out (new). 0 or OG_ENOMEM. */
int og_mpoly_copy(const struct og_mpoly *src, struct og_mpoly *out);
/* A one-polygon, one-ring multipolygon from a ring (steals ring->xy; ring is zeroed). 0 or
 * OG_ENOMEM (then ring is untouched and still the caller's). */
int og_mpoly_from_ring(struct og_ring *ring, struct og_mpoly *out);

/* Even-odd rule over all rings (holes excluded); points on an edge (within 1e-12 degrees) count as
 * inside, including points on a hole's edge. A ring with fewer than 3 distinct points contains
 * nothing. og_mpoly_contains: inside any of the polygons. */
bool og_ring_contains(const struct og_ring *ring, double lng, double lat);
bool og_mpoly_contains(const struct og_mpoly *mp, double lng, double lat);
/* Over all vertices. Empty: min_* = +INFINITY, max_* = -INFINITY. */
struct og_bbox og_mpoly_bbox(const struct og_mpoly *mp);
/* Area in square metres (spherical-earth, R = 6371008.8 m, exact enough at grid scale). Holes
 * subtract. Computed as the shoelace area in the Lambert cylindrical equal-area plane (lng, sin
 * lat), so it is exact for lng/lat rectangles. Either orientation; og_ring_area_m2 is >= 0. */
double og_ring_area_m2(const struct og_ring *ring);
double og_mpoly_area_m2(const struct og_mpoly *mp);
/* Area-weighted centroid in degrees (planar in lng/lat, holes subtract; ring orientation does not
 * matter). Zero total area: mean of the outer-ring vertices. Empty: NAN, NAN. */
void og_mpoly_centroid(const struct og_mpoly *mp, double *lng, double *lat);

/* Sutherland-Hodgman: subject (any simple ring, concave allowed) clipped by a convex ring (either
 * orientation; a non-convex clip ring gives an undefined result).
 * *out is new (free with og_ring_free); out->n == 0 and out->xy == NULL when they do not overlap
 * (or touch only along an edge). 0 or OG_ENOMEM. When the result falls apart into several pieces it
 * is still ONE ring joined by zero-width "bridges" along the clip boundary: its area and its
 * even-odd containment are right, except that points exactly on a bridge count as inside (edge
 * rule). */
int og_ring_clip_convex(const struct og_ring *subject, const struct og_ring *convex,
                        struct og_ring *out);
/* Keep the part of subject where a*lng + b*lat + c >= 0. Same contract. */
int og_ring_clip_halfplane(const struct og_ring *subject, double a, double b, double c,
                           struct og_ring *out);

/* GeoJSON geometry object (Polygon or MultiPolygon, borrowed) -> *out (new). OG_EPARSE with a
 * message saying what is wrong (type, nesting, non-numeric coordinate, ring under 3 points,
 * [lng, lat] out of range, no rings/polygons), the JSON path (e.g. "coordinates[0][3][1]") in the
 * detail, class OG_CLASS_REJECT, reason "bad_geometry"; or OG_ENOMEM. On error *out is empty.
 * A repeated closing point is dropped: stored rings are open. */
int og_mpoly_from_geojson(const json_t *geometry, struct og_mpoly *out, struct og_error *err);
/* A new GeoJSON MultiPolygon object (rings closed), or NULL on out of memory. digits: decimals kept
 * (values rounded to 0..15 decimals; a digits outside 0..15 means no rounding). */
json_t *og_mpoly_to_geojson(const struct og_mpoly *mp, int digits);

/* Spatial index over multipolygons: a uniform bucket grid over the bboxes, exact test on
 * candidates. */
struct og_geo_index;
struct og_geo_index *og_geo_index_create(void);      /* new, NULL on out of memory */
void og_geo_index_destroy(struct og_geo_index *idx); /* NULL allowed */
/* mp is borrowed and must outlive the index (and must not change after og_geo_index_build).
 * id >= 0 is the caller's. 0, OG_ENOMEM, or OG_EINVAL (NULL idx/mp, id < 0). Adding after a build
 * leaves the index unbuilt (find returns -1) until og_geo_index_build is called again. */
int og_geo_index_add(struct og_geo_index *idx, const struct og_mpoly *mp, int id);
/* Call once after all adds, before finds (may be called again after more adds). About 4 polygons
 * per bucket, each polygon listed in every bucket its bbox touches. 0 or OG_ENOMEM. */
int og_geo_index_build(struct og_geo_index *idx);
/* The id of the polygon containing the point (og_mpoly_contains rules), or -1 (also for NaN and
 * when not built). On a shared edge or overlap the smallest id wins (deterministic).
 * Allocation-free, read-only: safe to call from several threads at once on a built index. */
int og_geo_index_find(const struct og_geo_index *idx, double lng, double lat);

#endif
