/* geo_poly.c - rings and multipolygons: ownership, containment, bbox, area, centroid, clipping. */
#include "transform/geo.h"
#include "transform/geo_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EARTH_R 6371008.8
#define DEG2RAD (GEO_PI / 180.0)

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

/* ------------------------------------------------------------------------------------------ */
/* Point in polygon                                                                           */
/* ------------------------------------------------------------------------------------------ */

static bool on_segment(double ax, double ay, double bx, double by, double px, double py)
{
    double minx = ax < bx ? ax : bx, maxx = ax < bx ? bx : ax;
    double miny = ay < by ? ay : by, maxy = ay < by ? by : ay;
    if (px < minx - GEO_EDGE_TOL || px > maxx + GEO_EDGE_TOL || py < miny - GEO_EDGE_TOL ||
        py > maxy + GEO_EDGE_TOL)
        return false;
    double dx = bx - ax, dy = by - ay;
    double cross = dx * (py - ay) - dy * (px - ax);
    return fabs(cross) <= GEO_EDGE_TOL * (fabs(dx) + fabs(dy));
}

/* Crossing parity of a horizontal ray to +x; sets *on_edge when the point lies on an edge. */
static bool ring_parity(const double *xy, size_t n, double px, double py, bool *on_edge)
{
    bool odd = false;
    n = geo_ring_len(xy, n);
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
    n = geo_ring_len(xy, n);
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
    n = geo_ring_len(xy, n);
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
                size_t n = geo_ring_len(poly->rings[r].xy, poly->rings[r].n);
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
    size_t n = geo_ring_len(subject->xy, subject->n);
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
    size_t n = geo_ring_len(subject->xy, subject->n);
    size_t m = geo_ring_len(convex->xy, convex->n);
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
