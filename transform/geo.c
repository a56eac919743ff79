/* geo.c - WGS-84/GCJ-02/BD-09 transforms, polygon geometry, GeoJSON in/out and a bucket-grid
 * spatial index. */
#include "geo.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Same literals as the reference implementations (coordtransform, eviltransform, PRCoords). */
#define GEO_PI 3.1415926535897932384626
#define GCJ_A 6378245.0
#define GCJ_EE 0.00669342162296594323
#define BD_X_PI (GEO_PI * 3000.0 / 180.0)
#define EARTH_R 6371008.8
#define DEG2RAD (GEO_PI / 180.0)

#define INV_TOL 1e-9
#define INV_MAX_STEPS 50

/* Points closer than this (degrees, ~0.1 um) to an edge count as on the edge. */
#define EDGE_TOL 1e-12

/* ------------------------------------------------------------------------------------------ */
/* Coordinate systems                                                                         */
/* ------------------------------------------------------------------------------------------ */

static const struct {
    const char *name;
    enum og_crs crs;
} crs_names[] = {
    {"wgs84", OG_CRS_WGS84},        {"wgs-84", OG_CRS_WGS84}, {"cgcs2000", OG_CRS_CGCS2000},
    {"cgcs-2000", OG_CRS_CGCS2000}, {"gcj02", OG_CRS_GCJ02},  {"gcj-02", OG_CRS_GCJ02},
    {"bd09", OG_CRS_BD09},          {"bd-09", OG_CRS_BD09},
};

int og_crs_parse(const char *s, enum og_crs *out)
{
    if (!s || !out)
        return OG_EINVAL;
    for (size_t i = 0; i < sizeof(crs_names) / sizeof(crs_names[0]); i++) {
        if (strcasecmp(s, crs_names[i].name) == 0) {
            *out = crs_names[i].crs;
            return 0;
        }
    }
    return OG_EINVAL;
}

const char *og_crs_name(enum og_crs crs)
{
    switch (crs) {
    case OG_CRS_WGS84:
        return "wgs84";
    case OG_CRS_CGCS2000:
        return "cgcs2000";
    case OG_CRS_GCJ02:
        return "gcj02";
    case OG_CRS_BD09:
        return "bd09";
    case OG_CRS_UNKNOWN:
    default:
        return "unknown";
    }
}

bool og_geo_in_china(double lng, double lat)
{
    return lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
}

/* The GCJ-02 polynomial/trigonometric offsets, written in the reference evaluation order so that
 * results agree bit for bit with the published implementations. x = lng - 105, y = lat - 35. */
static double gcj_dlat(double x, double y)
{
    double ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
    ret += (20.0 * sin(6.0 * x * GEO_PI) + 20.0 * sin(2.0 * x * GEO_PI)) * 2.0 / 3.0;
    ret += (20.0 * sin(y * GEO_PI) + 40.0 * sin(y / 3.0 * GEO_PI)) * 2.0 / 3.0;
    ret += (160.0 * sin(y / 12.0 * GEO_PI) + 320.0 * sin(y * GEO_PI / 30.0)) * 2.0 / 3.0;
    return ret;
}

static double gcj_dlng(double x, double y)
{
    double ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
    ret += (20.0 * sin(6.0 * x * GEO_PI) + 20.0 * sin(2.0 * x * GEO_PI)) * 2.0 / 3.0;
    ret += (20.0 * sin(x * GEO_PI) + 40.0 * sin(x / 3.0 * GEO_PI)) * 2.0 / 3.0;
    ret += (150.0 * sin(x / 12.0 * GEO_PI) + 300.0 * sin(x / 30.0 * GEO_PI)) * 2.0 / 3.0;
    return ret;
}

/* The GCJ-02 offset (degrees) at a WGS-84 point. */
static void gcj_delta(double lng, double lat, double *d_lng, double *d_lat)
{
    double dlat = gcj_dlat(lng - 105.0, lat - 35.0);
    double dlng = gcj_dlng(lng - 105.0, lat - 35.0);
    double radlat = lat / 180.0 * GEO_PI;
    double magic = sin(radlat);
    magic = 1.0 - GCJ_EE * magic * magic;
    double sqrtmagic = sqrt(magic);
    *d_lat = (dlat * 180.0) / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrtmagic) * GEO_PI);
    *d_lng = (dlng * 180.0) / (GCJ_A / sqrtmagic * cos(radlat) * GEO_PI);
}

void og_wgs84_to_gcj02(double lng, double lat, double *out_lng, double *out_lat)
{
    if (!og_geo_in_china(lng, lat)) {
        *out_lng = lng;
        *out_lat = lat;
        return;
    }
    double d_lng, d_lat;
    gcj_delta(lng, lat, &d_lng, &d_lat);
    *out_lng = lng + d_lng;
    *out_lat = lat + d_lat;
}

void og_gcj02_to_bd09(double lng, double lat, double *out_lng, double *out_lat)
{
    if (!og_geo_in_china(lng, lat)) {
        *out_lng = lng;
        *out_lat = lat;
        return;
    }
    double z = sqrt(lng * lng + lat * lat) + 0.00002 * sin(lat * BD_X_PI);
    double theta = atan2(lat, lng) + 0.000003 * cos(lng * BD_X_PI);
    *out_lng = z * cos(theta) + 0.0065;
    *out_lat = z * sin(theta) + 0.006;
}

void og_bd09_to_gcj02(double lng, double lat, double *out_lng, double *out_lat)
{
    if (!og_geo_in_china(lng, lat)) {
        *out_lng = lng;
        *out_lat = lat;
        return;
    }
    double x = lng - 0.0065;
    double y = lat - 0.006;
    double z = sqrt(x * x + y * y) - 0.00002 * sin(y * BD_X_PI);
    double theta = atan2(y, x) - 0.000003 * cos(x * BD_X_PI);
    *out_lng = z * cos(theta);
    *out_lat = z * sin(theta);
}

int og_gcj02_to_wgs84(double lng, double lat, double *out_lng, double *out_lat)
{
    *out_lng = lng;
    *out_lat = lat;
    if (!isfinite(lng) || !isfinite(lat))
        return OG_EINVAL;
    if (!og_geo_in_china(lng, lat))
        return 1;
    /* One-step start: wgs ~ gcj - delta(gcj); then wgs -= fwd(wgs) - gcj. */
    double d_lng, d_lat;
    gcj_delta(lng, lat, &d_lng, &d_lat);
    double w_lng = lng - d_lng;
    double w_lat = lat - d_lat;
    for (int step = 1; step <= INV_MAX_STEPS; step++) {
        double f_lng, f_lat;
        og_wgs84_to_gcj02(w_lng, w_lat, &f_lng, &f_lat);
        double e_lng = f_lng - lng;
        double e_lat = f_lat - lat;
        if (fabs(e_lng) < INV_TOL && fabs(e_lat) < INV_TOL) {
            *out_lng = w_lng;
            *out_lat = w_lat;
            return step;
        }
        w_lng -= e_lng;
        w_lat -= e_lat;
    }
    *out_lng = w_lng;
    *out_lat = w_lat;
    return OG_EINVAL;
}

int og_bd09_to_wgs84(double lng, double lat, double *out_lng, double *out_lat)
{
    double g_lng, g_lat;
    og_bd09_to_gcj02(lng, lat, &g_lng, &g_lat);
    return og_gcj02_to_wgs84(g_lng, g_lat, out_lng, out_lat);
}

int og_geo_to_wgs84(enum og_crs crs, double lng, double lat, double *out_lng, double *out_lat)
{
    if (!isfinite(lng) || !isfinite(lat))
        return OG_EINVAL;
    int rc;
    switch (crs) {
    case OG_CRS_WGS84:
    case OG_CRS_CGCS2000:
        *out_lng = lng;
        *out_lat = lat;
        return 0;
    case OG_CRS_GCJ02:
        rc = og_gcj02_to_wgs84(lng, lat, out_lng, out_lat);
        return rc < 0 ? rc : 0;
    case OG_CRS_BD09:
        rc = og_bd09_to_wgs84(lng, lat, out_lng, out_lat);
        return rc < 0 ? rc : 0;
    case OG_CRS_UNKNOWN:
    default:
        return OG_EINVAL;
    }
}

int og_geo_from_wgs84(enum og_crs crs, double lng, double lat, double *out_lng, double *out_lat)
{
    if (!isfinite(lng) || !isfinite(lat))
        return OG_EINVAL;
    double g_lng, g_lat;
    switch (crs) {
    case OG_CRS_WGS84:
    case OG_CRS_CGCS2000:
        *out_lng = lng;
        *out_lat = lat;
        return 0;
    case OG_CRS_GCJ02:
        og_wgs84_to_gcj02(lng, lat, out_lng, out_lat);
        return 0;
    case OG_CRS_BD09:
        og_wgs84_to_gcj02(lng, lat, &g_lng, &g_lat);
        og_gcj02_to_bd09(g_lng, g_lat, out_lng, out_lat);
        return 0;
    case OG_CRS_UNKNOWN:
    default:
        return OG_EINVAL;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Polygons: ownership helpers                                                                */
/* ------------------------------------------------------------------------------------------ */

void og_ring_free(struct og_ring *ring)
{
    if (!ring)
        return;
    free(ring->xy);
    ring->xy = NULL;
    ring->n = 0;
}

static void polygon_free(struct og_polygon *poly)
{
    for (size_t r = 0; r < poly->nrings; r++)
        og_ring_free(&poly->rings[r]);
    free(poly->rings);
    poly->rings = NULL;
    poly->nrings = 0;
}

void og_mpoly_free(struct og_mpoly *mp)
{
    if (!mp)
        return;
    for (size_t p = 0; p < mp->npolys; p++)
        polygon_free(&mp->polys[p]);
    free(mp->polys);
    mp->polys = NULL;
    mp->npolys = 0;
}

int og_mpoly_copy(const struct og_mpoly *src, struct og_mpoly *out)
{
    memset(out, 0, sizeof(*out));
    if (src->npolys == 0)
        return 0;
    out->polys = calloc(src->npolys, sizeof(*out->polys));
    if (!out->polys)
        return OG_ENOMEM;
    out->npolys = src->npolys;
    for (size_t p = 0; p < src->npolys; p++) {
        const struct og_polygon *sp = &src->polys[p];
        struct og_polygon *dp = &out->polys[p];
        if (sp->nrings == 0)
            continue;
        dp->rings = calloc(sp->nrings, sizeof(*dp->rings));
        if (!dp->rings)
            goto fail;
        dp->nrings = sp->nrings;
        for (size_t r = 0; r < sp->nrings; r++) {
            size_t n = sp->rings[r].n;
            if (n == 0)
                continue;
            dp->rings[r].xy = malloc(n * 2 * sizeof(double));
            if (!dp->rings[r].xy)
                goto fail;
            memcpy(dp->rings[r].xy, sp->rings[r].xy, n * 2 * sizeof(double));
            dp->rings[r].n = n;
        }
    }
    return 0;
fail:
    og_mpoly_free(out);
    return OG_ENOMEM;
}

int og_mpoly_from_ring(struct og_ring *ring, struct og_mpoly *out)
{
    memset(out, 0, sizeof(*out));
    struct og_polygon *poly = calloc(1, sizeof(*poly));
    if (!poly)
        return OG_ENOMEM;
    poly->rings = calloc(1, sizeof(*poly->rings));
    if (!poly->rings) {
        free(poly);
        return OG_ENOMEM;
    }
    poly->nrings = 1;
    poly->rings[0] = *ring;
    ring->xy = NULL;
    ring->n = 0;
    out->polys = poly;
    out->npolys = 1;
    return 0;
}

/* Number of distinct vertices: drops a repeated closing point. */
static size_t ring_len(const double *xy, size_t n)
{
    if (n >= 2 && xy[0] == xy[2 * (n - 1)] && xy[1] == xy[2 * (n - 1) + 1])
        return n - 1;
    return n;
}

/* ------------------------------------------------------------------------------------------ */
/* Point in polygon                                                                           */
/* ------------------------------------------------------------------------------------------ */

static bool on_segment(double ax, double ay, double bx, double by, double px, double py)
{
    double minx = ax < bx ? ax : bx, maxx = ax < bx ? bx : ax;
    double miny = ay < by ? ay : by, maxy = ay < by ? by : ay;
    if (px < minx - EDGE_TOL || px > maxx + EDGE_TOL || py < miny - EDGE_TOL ||
        py > maxy + EDGE_TOL)
        return false;
    double dx = bx - ax, dy = by - ay;
    double cross = dx * (py - ay) - dy * (px - ax);
    return fabs(cross) <= EDGE_TOL * (fabs(dx) + fabs(dy));
}

/* Crossing parity of a horizontal ray to +x; sets *on_edge when the point lies on an edge. */
static bool ring_parity(const double *xy, size_t n, double px, double py, bool *on_edge)
{
    bool odd = false;
    n = ring_len(xy, n);
    if (n < 3)
        return false;
    double xj = xy[2 * (n - 1)], yj = xy[2 * (n - 1) + 1];
    for (size_t i = 0; i < n; i++) {
        double xi = xy[2 * i], yi = xy[2 * i + 1];
        if (on_segment(xj, yj, xi, yi, px, py)) {
            *on_edge = true;
            return true;
        }
        if ((yi > py) != (yj > py)) {
            double xint = xi + (py - yi) * (xj - xi) / (yj - yi);
            if (px < xint)
                odd = !odd;
        }
        xj = xi;
        yj = yi;
    }
    return odd;
}

bool og_ring_contains(const struct og_ring *ring, double lng, double lat)
{
    bool on_edge = false;
    bool odd = ring_parity(ring->xy, ring->n, lng, lat, &on_edge);
    return on_edge || odd;
}

static bool polygon_contains(const struct og_polygon *poly, double lng, double lat)
{
    bool odd = false;
    for (size_t r = 0; r < poly->nrings; r++) {
        bool on_edge = false;
        bool ro = ring_parity(poly->rings[r].xy, poly->rings[r].n, lng, lat, &on_edge);
        if (on_edge)
            return true;
        if (ro)
            odd = !odd;
        else if (r == 0)
            return false; /* outside the outer ring: holes cannot help */
    }
    return odd;
}

bool og_mpoly_contains(const struct og_mpoly *mp, double lng, double lat)
{
    for (size_t p = 0; p < mp->npolys; p++)
        if (polygon_contains(&mp->polys[p], lng, lat))
            return true;
    return false;
}

struct og_bbox og_mpoly_bbox(const struct og_mpoly *mp)
{
    struct og_bbox bb = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t p = 0; p < mp->npolys; p++) {
        const struct og_polygon *poly = &mp->polys[p];
        for (size_t r = 0; r < poly->nrings; r++) {
            const struct og_ring *ring = &poly->rings[r];
            for (size_t i = 0; i < ring->n; i++) {
                double x = ring->xy[2 * i], y = ring->xy[2 * i + 1];
                if (x < bb.min_lng)
                    bb.min_lng = x;
                if (x > bb.max_lng)
                    bb.max_lng = x;
                if (y < bb.min_lat)
                    bb.min_lat = y;
                if (y > bb.max_lat)
                    bb.max_lat = y;
            }
        }
    }
    return bb;
}

/* ------------------------------------------------------------------------------------------ */
/* Area and centroid                                                                          */
/* ------------------------------------------------------------------------------------------ */

/* Signed area in steradians: shoelace in the Lambert cylindrical equal-area plane (lng rad, sin
 * lat), relative to the first vertex for precision. Positive for counter-clockwise rings. */
static double ring_signed_sr(const double *xy, size_t n)
{
    n = ring_len(xy, n);
    if (n < 3)
        return 0.0;
    double x0 = xy[0] * DEG2RAD, y0 = sin(xy[1] * DEG2RAD);
    double sum = 0.0;
    double xp = xy[2 * (n - 1)] * DEG2RAD - x0, yp = sin(xy[2 * (n - 1) + 1] * DEG2RAD) - y0;
    for (size_t i = 0; i < n; i++) {
        double x = xy[2 * i] * DEG2RAD - x0, y = sin(xy[2 * i + 1] * DEG2RAD) - y0;
        sum += xp * y - x * yp;
        xp = x;
        yp = y;
    }
    return sum / 2.0;
}

double og_ring_area_m2(const struct og_ring *ring)
{
    return fabs(ring_signed_sr(ring->xy, ring->n)) * EARTH_R * EARTH_R;
}

double og_mpoly_area_m2(const struct og_mpoly *mp)
{
    double total = 0.0;
    for (size_t p = 0; p < mp->npolys; p++) {
        const struct og_polygon *poly = &mp->polys[p];
        for (size_t r = 0; r < poly->nrings; r++) {
            double a = og_ring_area_m2(&poly->rings[r]);
            total += r == 0 ? a : -a;
        }
    }
    return total;
}

/* Planar signed area and first moments of a ring in degrees, relative to (rx, ry). */
static void ring_moments(const double *xy, size_t n, double rx, double ry, double *a, double *mx,
                         double *my)
{
    *a = *mx = *my = 0.0;
    n = ring_len(xy, n);
    if (n < 3)
        return;
    double xp = xy[2 * (n - 1)] - rx, yp = xy[2 * (n - 1) + 1] - ry;
    for (size_t i = 0; i < n; i++) {
        double x = xy[2 * i] - rx, y = xy[2 * i + 1] - ry;
        double cross = xp * y - x * yp;
        *a += cross;
        *mx += (xp + x) * cross;
        *my += (yp + y) * cross;
        xp = x;
        yp = y;
    }
    *a /= 2.0;
    *mx /= 6.0;
    *my /= 6.0;
}

void og_mpoly_centroid(const struct og_mpoly *mp, double *lng, double *lat)
{
    double rx = NAN, ry = NAN;
    for (size_t p = 0; p < mp->npolys && isnan(rx); p++)
        if (mp->polys[p].nrings > 0 && mp->polys[p].rings[0].n > 0) {
            rx = mp->polys[p].rings[0].xy[0];
            ry = mp->polys[p].rings[0].xy[1];
        }
    *lng = *lat = NAN;
    if (isnan(rx))
        return;
    double ta = 0.0, tmx = 0.0, tmy = 0.0;
    double sx = 0.0, sy = 0.0;
    size_t nv = 0;
    for (size_t p = 0; p < mp->npolys; p++) {
        const struct og_polygon *poly = &mp->polys[p];
        for (size_t r = 0; r < poly->nrings; r++) {
            double a, mx, my;
            ring_moments(poly->rings[r].xy, poly->rings[r].n, rx, ry, &a, &mx, &my);
            double sign = (a < 0 ? -1.0 : 1.0) * (r == 0 ? 1.0 : -1.0);
            ta += sign * a;
            tmx += sign * mx;
            tmy += sign * my;
            if (r == 0) {
                size_t n = ring_len(poly->rings[r].xy, poly->rings[r].n);
                for (size_t i = 0; i < n; i++) {
                    sx += poly->rings[r].xy[2 * i] - rx;
                    sy += poly->rings[r].xy[2 * i + 1] - ry;
                }
                nv += n;
            }
        }
    }
    if (ta > 0.0) {
        *lng = rx + tmx / ta;
        *lat = ry + tmy / ta;
    }
    else { /* degenerate (zero area): mean of the outer vertices */
        *lng = rx + sx / (double)nv;
        *lat = ry + sy / (double)nv;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Sutherland-Hodgman clipping                                                                */
/* ------------------------------------------------------------------------------------------ */

struct pts {
    double *xy;
    size_t n, cap;
};

static int pts_push(struct pts *p, double x, double y)
{
    if (p->n > 0 && p->xy[2 * (p->n - 1)] == x && p->xy[2 * (p->n - 1) + 1] == y)
        return 0; /* drop consecutive duplicates */
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        double *xy = realloc(p->xy, cap * 2 * sizeof(double));
        if (!xy)
            return OG_ENOMEM;
        p->xy = xy;
        p->cap = cap;
    }
    p->xy[2 * p->n] = x;
    p->xy[2 * p->n + 1] = y;
    p->n++;
    return 0;
}

/* One pass: keep where a*(x-rx) + b*(y-ry) + c >= 0. out is overwritten. */
static int clip_pass(const double *in, size_t n, double a, double b, double c, double rx, double ry,
                     struct pts *out)
{
    out->n = 0;
    if (n == 0)
        return 0;
    double sx = in[2 * (n - 1)], sy = in[2 * (n - 1) + 1];
    double vs = a * (sx - rx) + b * (sy - ry) + c;
    for (size_t i = 0; i < n; i++) {
        double ex = in[2 * i], ey = in[2 * i + 1];
        double ve = a * (ex - rx) + b * (ey - ry) + c;
        if ((vs < 0 && ve > 0) || (vs > 0 && ve < 0)) { /* strictly crossing */
            double t = vs / (vs - ve);
            if (pts_push(out, sx + t * (ex - sx), sy + t * (ey - sy)) < 0)
                return OG_ENOMEM;
        }
        if (ve >= 0 && pts_push(out, ex, ey) < 0)
            return OG_ENOMEM;
        sx = ex;
        sy = ey;
        vs = ve;
    }
    if (out->n >= 2 && out->xy[0] == out->xy[2 * (out->n - 1)] &&
        out->xy[1] == out->xy[2 * (out->n - 1) + 1])
        out->n--;
    return 0;
}

static double planar_area2(const double *xy, size_t n)
{
    if (n < 3)
        return 0.0;
    double sum = 0.0;
    double x0 = xy[0], y0 = xy[1];
    for (size_t i = 1; i + 1 < n; i++)
        sum +=
            (xy[2 * i] - x0) * (xy[2 * i + 3] - y0) - (xy[2 * i + 2] - x0) * (xy[2 * i + 1] - y0);
    return sum;
}

/* Moves the final buffer into out, or an empty ring when fewer than 3 points or no area remain. */
static void clip_finish(struct pts *res, struct og_ring *out)
{
    if (res->n < 3 || planar_area2(res->xy, res->n) == 0.0) {
        free(res->xy);
        out->xy = NULL;
        out->n = 0;
    }
    else {
        out->xy = res->xy;
        out->n = res->n;
    }
    res->xy = NULL;
    res->n = res->cap = 0;
}

int og_ring_clip_halfplane(const struct og_ring *subject, double a, double b, double c,
                           struct og_ring *out)
{
    struct pts res = {0};
    out->xy = NULL;
    out->n = 0;
    size_t n = ring_len(subject->xy, subject->n);
    if (n < 3)
        return 0;
    if (clip_pass(subject->xy, n, a, b, c, 0.0, 0.0, &res) < 0) {
        free(res.xy);
        return OG_ENOMEM;
    }
    clip_finish(&res, out);
    return 0;
}

int og_ring_clip_convex(const struct og_ring *subject, const struct og_ring *convex,
                        struct og_ring *out)
{
    struct pts bufs[2] = {{0}, {0}};
    int last = -1; /* the buffer written by the latest pass */
    out->xy = NULL;
    out->n = 0;
    size_t n = ring_len(subject->xy, subject->n);
    size_t m = ring_len(convex->xy, convex->n);
    double orient = planar_area2(convex->xy, m);
    if (n < 3 || m < 3 || orient == 0.0)
        return 0;
    double s = orient > 0 ? 1.0 : -1.0; /* inside is left of each edge of a CCW ring */
    for (size_t k = 0; k < m; k++) {
        const double *p = &convex->xy[2 * k];
        const double *q = &convex->xy[2 * ((k + 1) % m)];
        double a = -s * (q[1] - p[1]);
        double b = s * (q[0] - p[0]);
        if (a == 0.0 && b == 0.0)
            continue; /* repeated vertex */
        int dst = last == 0 ? 1 : 0;
        const double *in = last < 0 ? subject->xy : bufs[last].xy;
        size_t in_n = last < 0 ? n : bufs[last].n;
        if (clip_pass(in, in_n, a, b, 0.0, p[0], p[1], &bufs[dst]) < 0)
            goto fail;
        last = dst;
        if (bufs[dst].n == 0)
            break;
    }
    if (last >= 0)
        clip_finish(&bufs[last], out); /* takes bufs[last].xy */
    free(bufs[0].xy);
    free(bufs[1].xy);
    return 0;
fail:
    free(bufs[0].xy);
    free(bufs[1].xy);
    return OG_ENOMEM;
}

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
    og_error_set(err, OG_EPARSE, OG_CLASS_REJECT, "bad_geometry", "invalid GeoJSON geometry: %s",
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
            return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "no_memory",
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
    ring->n = ring_len(ring->xy, n);
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
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "no_memory",
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
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "no_memory",
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
            size_t n = ring_len(ring->xy, ring->n);
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

/* ------------------------------------------------------------------------------------------ */
/* Spatial index                                                                              */
/* ------------------------------------------------------------------------------------------ */

#define INDEX_PER_BUCKET 4
#define INDEX_MAX_SIDE 2048

struct geo_entry {
    const struct og_mpoly *mp; /* borrowed */
    struct og_bbox bb;
    int id;
    size_t seq; /* insertion order, for a stable sort */
};

struct og_geo_index {
    struct geo_entry *entries;
    size_t n, cap;
    bool built;
    struct og_bbox bb; /* over all entries */
    int nx, ny;        /* buckets per axis */
    double sx, sy;     /* buckets per degree */
    size_t *start;     /* nx*ny + 1 offsets into items */
    uint32_t *items;   /* entry indices, ascending id within a bucket */
};

struct og_geo_index *og_geo_index_create(void)
{
    return calloc(1, sizeof(struct og_geo_index));
}

static void index_clear_grid(struct og_geo_index *idx)
{
    free(idx->start);
    free(idx->items);
    idx->start = NULL;
    idx->items = NULL;
    idx->built = false;
}

void og_geo_index_destroy(struct og_geo_index *idx)
{
    if (!idx)
        return;
    index_clear_grid(idx);
    free(idx->entries);
    free(idx);
}

int og_geo_index_add(struct og_geo_index *idx, const struct og_mpoly *mp, int id)
{
    if (!idx || !mp || id < 0)
        return OG_EINVAL;
    if (idx->n >= UINT32_MAX)
        return OG_ENOMEM;
    if (idx->n == idx->cap) {
        size_t cap = idx->cap ? 2 * idx->cap : 64;
        struct geo_entry *e = realloc(idx->entries, cap * sizeof(*e));
        if (!e)
            return OG_ENOMEM;
        idx->entries = e;
        idx->cap = cap;
    }
    idx->entries[idx->n] = (struct geo_entry){.mp = mp, .id = id, .seq = idx->n};
    idx->n++;
    idx->built = false;
    return 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
    const struct geo_entry *a = pa, *b = pb;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool bbox_valid(const struct og_bbox *bb)
{
    return isfinite(bb->min_lng) && isfinite(bb->max_lng) && isfinite(bb->min_lat) &&
           isfinite(bb->max_lat) && bb->min_lng <= bb->max_lng && bb->min_lat <= bb->max_lat;
}

/* Bucket column/row. Monotone in the coordinate, so a point inside a bbox always maps between
 * the buckets of the bbox corners. */
static inline int bucket_x(const struct og_geo_index *idx, double lng)
{
    double f = (lng - idx->bb.min_lng) * idx->sx;
    int i = f > 0 ? (int)f : 0;
    return i < idx->nx ? i : idx->nx - 1;
}

static inline int bucket_y(const struct og_geo_index *idx, double lat)
{
    double f = (lat - idx->bb.min_lat) * idx->sy;
    int i = f > 0 ? (int)f : 0;
    return i < idx->ny ? i : idx->ny - 1;
}

int og_geo_index_build(struct og_geo_index *idx)
{
    if (!idx)
        return OG_EINVAL;
    index_clear_grid(idx);
    if (idx->n > 1)
        qsort(idx->entries, idx->n, sizeof(*idx->entries), entry_cmp);
    struct og_bbox all = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    size_t nvalid = 0;
    for (size_t i = 0; i < idx->n; i++) {
        struct geo_entry *e = &idx->entries[i];
        e->bb = og_mpoly_bbox(e->mp);
        if (!bbox_valid(&e->bb))
            continue;
        /* Widen by the on-edge tolerance so that every point og_mpoly_contains accepts is inside.
         */
        e->bb.min_lng -= EDGE_TOL;
        e->bb.min_lat -= EDGE_TOL;
        e->bb.max_lng += EDGE_TOL;
        e->bb.max_lat += EDGE_TOL;
        nvalid++;
        all.min_lng = fmin(all.min_lng, e->bb.min_lng);
        all.min_lat = fmin(all.min_lat, e->bb.min_lat);
        all.max_lng = fmax(all.max_lng, e->bb.max_lng);
        all.max_lat = fmax(all.max_lat, e->bb.max_lat);
    }
    if (nvalid == 0) {
        all = (struct og_bbox){1, 1, 0, 0}; /* empty: find rejects every point */
    }
    idx->bb = all;

    /* Grid shape: about INDEX_PER_BUCKET polygons per bucket, cells roughly square in degrees. */
    double nb = (double)(nvalid / INDEX_PER_BUCKET);
    if (nb < 1)
        nb = 1;
    double w = all.max_lng - all.min_lng, h = all.max_lat - all.min_lat;
    double fx;
    if (nvalid == 0 || (w <= 0 && h <= 0))
        fx = 1;
    else if (h <= 0)
        fx = nb;
    else if (w <= 0)
        fx = 1;
    else
        fx = round(sqrt(nb * w / h));
    fx = fmin(fmax(fx, 1), fmin(nb, INDEX_MAX_SIDE));
    double fy = fmin(fmax(ceil(nb / fx), 1), INDEX_MAX_SIDE);
    if (nvalid > 0 && h <= 0)
        fy = 1;
    idx->nx = (int)fx;
    idx->ny = (int)fy;
    idx->sx = w > 0 ? idx->nx / w : 0;
    idx->sy = h > 0 ? idx->ny / h : 0;

    size_t nbuckets = (size_t)idx->nx * (size_t)idx->ny;
    idx->start = calloc(nbuckets + 1, sizeof(*idx->start));
    if (!idx->start)
        return OG_ENOMEM;
    /* Count, prefix-sum, fill (in id order, so each bucket lists ascending ids). */
    for (size_t i = 0; i < idx->n; i++) {
        const struct geo_entry *e = &idx->entries[i];
        if (!bbox_valid(&e->bb))
            continue;
        int x0 = bucket_x(idx, e->bb.min_lng), x1 = bucket_x(idx, e->bb.max_lng);
        int y0 = bucket_y(idx, e->bb.min_lat), y1 = bucket_y(idx, e->bb.max_lat);
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
                idx->start[(size_t)y * (size_t)idx->nx + (size_t)x + 1]++;
    }
    for (size_t b = 0; b < nbuckets; b++)
        idx->start[b + 1] += idx->start[b];
    size_t total = idx->start[nbuckets];
    idx->items = malloc((total ? total : 1) * sizeof(*idx->items));
    size_t *fill = malloc((nbuckets ? nbuckets : 1) * sizeof(*fill));
    if (!idx->items || !fill) {
        free(fill);
        index_clear_grid(idx);
        return OG_ENOMEM;
    }
    memcpy(fill, idx->start, nbuckets * sizeof(*fill));
    for (size_t i = 0; i < idx->n; i++) {
        const struct geo_entry *e = &idx->entries[i];
        if (!bbox_valid(&e->bb))
            continue;
        int x0 = bucket_x(idx, e->bb.min_lng), x1 = bucket_x(idx, e->bb.max_lng);
        int y0 = bucket_y(idx, e->bb.min_lat), y1 = bucket_y(idx, e->bb.max_lat);
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
                idx->items[fill[(size_t)y * (size_t)idx->nx + (size_t)x]++] = (uint32_t)i;
    }
    free(fill);
    idx->built = true;
    return 0;
}

int og_geo_index_find(const struct og_geo_index *idx, double lng, double lat)
{
    if (!idx || !idx->built)
        return -1;
    const struct og_bbox *all = &idx->bb;
    if (!(lng >= all->min_lng && lng <= all->max_lng && lat >= all->min_lat && lat <= all->max_lat))
        return -1; /* also rejects NaN */
    size_t b = (size_t)bucket_y(idx, lat) * (size_t)idx->nx + (size_t)bucket_x(idx, lng);
    for (size_t k = idx->start[b]; k < idx->start[b + 1]; k++) {
        const struct geo_entry *e = &idx->entries[idx->items[k]];
        if (lng < e->bb.min_lng || lng > e->bb.max_lng || lat < e->bb.min_lat ||
            lat > e->bb.max_lat)
            continue;
        if (og_mpoly_contains(e->mp, lng, lat))
            return e->id;
    }
    return -1;
}
