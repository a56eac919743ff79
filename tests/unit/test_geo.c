/* test_geo.c - unit tests for transform/geo: published transform vectors, inverse round trips,
 * polygon area/containment/clipping, GeoJSON in/out and the spatial index against brute force. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "transform/geo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define R_EARTH 6371008.8
#define D2R (3.14159265358979323846 / 180.0)

/* ---------------------------------------------------------------------------------------------- */
/* helpers                                                                                        */
/* ---------------------------------------------------------------------------------------------- */

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.17g, want %.17g (diff %.3g > tol %.3g)", got, want, fabs(got - want), tol);
}

static uint64_t rng_next(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s) /* [0, 1) */
{
    return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

/* A ring from n (x, y) pairs; owned by the caller (og_ring_free). */
static struct og_ring ring_of(const double *xy, size_t n)
{
    struct og_ring r = {malloc(n * 2 * sizeof(double)), n};
    assert_non_null(r.xy);
    memcpy(r.xy, xy, n * 2 * sizeof(double));
    return r;
}

/* A counter-clockwise rectangle ring. */
static struct og_ring rect_ring(double x0, double y0, double x1, double y1)
{
    double xy[] = {x0, y0, x1, y0, x1, y1, x0, y1};
    return ring_of(xy, 4);
}

/* A polygon of nrings rings (stolen) into a new one-polygon multipolygon. */
static struct og_mpoly mpoly_of(struct og_ring *rings, size_t nrings)
{
    struct og_mpoly mp = {calloc(1, sizeof(struct og_polygon)), 1};
    assert_non_null(mp.polys);
    mp.polys[0].rings = calloc(nrings, sizeof(struct og_ring));
    assert_non_null(mp.polys[0].rings);
    mp.polys[0].nrings = nrings;
    for (size_t i = 0; i < nrings; i++) {
        mp.polys[0].rings[i] = rings[i];
        rings[i].xy = NULL;
        rings[i].n = 0;
    }
    return mp;
}

/* Exact spherical area of a lng/lat rectangle. */
static double sphere_rect_m2(double x0, double y0, double x1, double y1)
{
    return R_EARTH * R_EARTH * fabs((x1 - x0) * D2R) * fabs(sin(y1 * D2R) - sin(y0 * D2R));
}

/* Local frame for shape tests: (i, j) in units of U degrees from (BX, BY), near Shantou. */
#define BX 116.60
#define BY 23.35
#define U 0.01
#define LX(i) (BX + (i)*U)
#define LY(j) (BY + (j)*U)

/* ---------------------------------------------------------------------------------------------- */
/* coordinate systems                                                                             */
/* ---------------------------------------------------------------------------------------------- */

static void test_crs_parse_name(void **state)
{
    (void)state;
    enum og_crs crs = OG_CRS_UNKNOWN;
    const struct {
        const char *s;
        enum og_crs want;
    } ok[] = {
        {"wgs84", OG_CRS_WGS84},       {"WGS-84", OG_CRS_WGS84}, {"cgcs2000", OG_CRS_CGCS2000},
        {"CGCS2000", OG_CRS_CGCS2000}, {"gcj02", OG_CRS_GCJ02},  {"GCJ-02", OG_CRS_GCJ02},
        {"bd09", OG_CRS_BD09},         {"BD-09", OG_CRS_BD09},   {"Bd-09", OG_CRS_BD09}};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        crs = OG_CRS_UNKNOWN;
        assert_int_equal(og_crs_parse(ok[i].s, &crs), 0);
        assert_int_equal(crs, ok[i].want);
    }
    crs = OG_CRS_GCJ02;
    assert_int_equal(og_crs_parse("mars", &crs), OG_EINVAL);
    assert_int_equal(og_crs_parse("", &crs), OG_EINVAL);
    assert_int_equal(og_crs_parse("gcj02 ", &crs), OG_EINVAL);
    assert_int_equal(crs, OG_CRS_GCJ02); /* untouched on error */

    assert_string_equal(og_crs_name(OG_CRS_WGS84), "wgs84");
    assert_string_equal(og_crs_name(OG_CRS_CGCS2000), "cgcs2000");
    assert_string_equal(og_crs_name(OG_CRS_GCJ02), "gcj02");
    assert_string_equal(og_crs_name(OG_CRS_BD09), "bd09");
    assert_string_equal(og_crs_name(OG_CRS_UNKNOWN), "unknown");
    /* names parse back */
    for (int c = OG_CRS_WGS84; c <= OG_CRS_BD09; c++) {
        assert_int_equal(og_crs_parse(og_crs_name((enum og_crs)c), &crs), 0);
        assert_int_equal(crs, c);
    }
}

static void test_in_china_box(void **state)
{
    (void)state;
    assert_true(og_geo_in_china(116.68, 23.35));  /* Shantou */
    assert_true(og_geo_in_china(72.004, 0.8293)); /* corners are inside */
    assert_true(og_geo_in_china(137.8347, 55.8271));
    assert_false(og_geo_in_china(72.0039, 30));
    assert_false(og_geo_in_china(137.8348, 30));
    assert_false(og_geo_in_china(100, 0.8292));
    assert_false(og_geo_in_china(100, 55.8272));
    assert_false(og_geo_in_china(-0.1276, 51.5072)); /* London */
    assert_false(og_geo_in_china(NAN, 30));
}

/* Published vectors (coordinates given with ~15 significant digits; the implementation is exact to
 * a few ulp, so 1e-12 degrees is a meaningful and safe tolerance). */
static void test_wgs84_to_gcj02_vectors(void **state)
{
    (void)state;
    double lng, lat;
    og_wgs84_to_gcj02(121.5272106, 31.1774276, &lng, &lat);
    assert_near(lng, 121.531541859215, 1e-12);
    assert_near(lat, 31.17530398364597, 1e-12);
    og_wgs84_to_gcj02(116.377817, 39.911954, &lng, &lat);
    assert_near(lng, 116.38404722455657, 1e-12);
    assert_near(lat, 39.91334545536069, 1e-12);
    assert_int_equal(og_geo_from_wgs84(OG_CRS_GCJ02, 116.377817, 39.911954, &lng, &lat), 0);
    assert_near(lng, 116.38404722455657, 1e-12);
    assert_near(lat, 39.91334545536069, 1e-12);
}

static void test_bd09_vectors(void **state)
{
    (void)state;
    double lng, lat;
    og_bd09_to_gcj02(116.404, 39.915, &lng, &lat);
    assert_near(lng, 116.39762729119315, 1e-12);
    assert_near(lat, 39.90865673957631, 1e-12);
    og_gcj02_to_bd09(116.404, 39.915, &lng, &lat);
    assert_near(lng, 116.41036949371029, 1e-12);
    assert_near(lat, 39.92133699351021, 1e-12);
}

static void test_outside_china_identity(void **state)
{
    (void)state;
    const double pts[][2] = {
        {139.6917, 35.6895}, {-0.1276, 51.5072}, {-74.006, 40.7128}, {151.2093, -33.8688}};
    for (size_t i = 0; i < sizeof(pts) / sizeof(pts[0]); i++) {
        double x = pts[i][0], y = pts[i][1], lng, lat;
        og_wgs84_to_gcj02(x, y, &lng, &lat);
        assert_true(lng == x && lat == y);
        og_gcj02_to_bd09(x, y, &lng, &lat);
        assert_true(lng == x && lat == y);
        og_bd09_to_gcj02(x, y, &lng, &lat);
        assert_true(lng == x && lat == y);
        assert_int_equal(og_gcj02_to_wgs84(x, y, &lng, &lat), 1);
        assert_true(lng == x && lat == y);
        assert_int_equal(og_geo_to_wgs84(OG_CRS_BD09, x, y, &lng, &lat), 0);
        assert_true(lng == x && lat == y);
    }
}

/* The iterative inverse is not the one-step inverse: it lands where the forward transform maps
 * back onto the input. */
static void test_gcj02_to_wgs84_iterative(void **state)
{
    (void)state;
    const double gx = 116.404, gy = 39.915;
    /* the one-step inverse gcj - delta(gcj), computed through the public forward transform, matches
     * the published vector (so the vector checks the forward formula at one more point) */
    double fx, fy;
    og_wgs84_to_gcj02(gx, gy, &fx, &fy);
    double one_x = gx - (fx - gx), one_y = gy - (fy - gy);
    assert_near(one_x, 116.39775550083061, 1e-12);
    assert_near(one_y, 39.91359571849836, 1e-12);

    double wx, wy;
    int rc = og_gcj02_to_wgs84(gx, gy, &wx, &wy);
    assert_true(rc >= 1 && rc <= 10);
    og_wgs84_to_gcj02(wx, wy, &fx, &fy);
    assert_true(fabs(fx - gx) < 1e-9 && fabs(fy - gy) < 1e-9);
    /* it differs from the one-step estimate by much more than the tolerance (a few centimetres) */
    assert_true(hypot(wx - 116.39775550083061, wy - 39.91359571849836) > 1e-7);
    /* and the one-step estimate does not round-trip within 1e-9 */
    og_wgs84_to_gcj02(one_x, one_y, &fx, &fy);
    assert_true(fabs(fx - gx) > 1e-9 || fabs(fy - gy) > 1e-9);

    /* same through the dispatcher */
    double dx, dy;
    assert_int_equal(og_geo_to_wgs84(OG_CRS_GCJ02, gx, gy, &dx, &dy), 0);
    assert_true(dx == wx && dy == wy);
}

/* Sweeps a grid of GCJ-02 points, checking fwd(inverse(p)) == p within 1e-9 and the inverse of
 * fwd(w) == w. Returns the largest iteration count seen. */
static int sweep_round_trip(double x0, double x1, double y0, double y1, int nx, int ny,
                            double *max_off_m)
{
    int max_rc = 0;
    *max_off_m = 0;
    for (int i = 0; i < nx; i++) {
        for (int j = 0; j < ny; j++) {
            double gx = x0 + (x1 - x0) * i / (nx - 1), gy = y0 + (y1 - y0) * j / (ny - 1);
            double wx, wy, fx, fy;
            int rc = og_gcj02_to_wgs84(gx, gy, &wx, &wy);
            if (rc < 1)
                fail_msg("no convergence at gcj (%.10f, %.10f): rc %d", gx, gy, rc);
            if (rc > max_rc)
                max_rc = rc;
            og_wgs84_to_gcj02(wx, wy, &fx, &fy);
            if (!(fabs(fx - gx) < 1e-9 && fabs(fy - gy) < 1e-9))
                fail_msg("round trip at gcj (%.10f, %.10f) off by (%.3g, %.3g)", gx, gy, fx - gx,
                         fy - gy);
            double off = hypot((gx - wx) * cos(gy * D2R), gy - wy) * D2R * R_EARTH;
            if (off > *max_off_m)
                *max_off_m = off;
            /* the other way: start from a WGS-84 point (reuse gx, gy as WGS-84) */
            og_wgs84_to_gcj02(gx, gy, &fx, &fy);
            assert_true(og_gcj02_to_wgs84(fx, fy, &wx, &wy) >= 1);
            if (!(fabs(wx - gx) < 2e-9 && fabs(wy - gy) < 2e-9))
                fail_msg("wgs (%.10f, %.10f) -> gcj -> wgs off by (%.3g, %.3g)", gx, gy, wx - gx,
                         wy - gy);
        }
    }
    return max_rc;
}

static void test_round_trip_shantou(void **state)
{
    (void)state;
    double max_off;
    int max_rc =
        sweep_round_trip(116.55, 116.75, 23.30, 23.42, 100, 100, &max_off); /* 10,000 points */
    assert_true(max_rc <= 10);
    /* the GCJ-02 offset around Shantou is about 550 m */
    assert_true(max_off > 450 && max_off < 650);
}

static void test_round_trip_china(void **state)
{
    (void)state;
    double max_off;
    int max_rc = sweep_round_trip(73.0, 135.0, 3.9, 53.5, 120, 100, &max_off); /* 12,000 points */
    assert_true(max_rc <= 10);
    assert_true(max_off > 100 && max_off < 1500);
}

/* Just inside the box edge no WGS-84 point maps onto the input (the forward image of the box
 * starts about 0.004 degrees further in): the inverse must report that, not invent a point. */
static void test_gcj02_to_wgs84_no_preimage(void **state)
{
    (void)state;
    double wx, wy;
    assert_int_equal(og_gcj02_to_wgs84(72.005, 30.0, &wx, &wy), OG_EINVAL);
    assert_true(isfinite(wx) && isfinite(wy));
    assert_int_equal(og_geo_to_wgs84(OG_CRS_GCJ02, 72.005, 30.0, &wx, &wy), OG_EINVAL);
    /* a little further in it converges */
    assert_true(og_gcj02_to_wgs84(72.02, 30.0, &wx, &wy) >= 1);
}

static void test_bd09_dispatch_and_round_trip(void **state)
{
    (void)state;
    double bx, by, wx, wy, gx, gy, w2x, w2y;
    /* WGS-84 -> BD-09 goes through GCJ-02 */
    assert_int_equal(og_geo_from_wgs84(OG_CRS_BD09, 116.68, 23.35, &bx, &by), 0);
    og_wgs84_to_gcj02(116.68, 23.35, &gx, &gy);
    double b2x, b2y;
    og_gcj02_to_bd09(gx, gy, &b2x, &b2y);
    assert_true(bx == b2x && by == b2y);
    /* BD-09 -> WGS-84: dispatcher equals the direct call; the published BD formulas are inverse
     * to each other only to about 2e-6 degrees (0.2 m), so the round trip is checked at 5e-6. */
    assert_true(og_bd09_to_wgs84(bx, by, &wx, &wy) >= 1);
    assert_int_equal(og_geo_to_wgs84(OG_CRS_BD09, bx, by, &w2x, &w2y), 0);
    assert_true(wx == w2x && wy == w2y);
    assert_near(wx, 116.68, 5e-6);
    assert_near(wy, 23.35, 5e-6);
    /* BD-09 is offset from GCJ-02 by several hundred metres */
    assert_true(hypot(bx - gx, by - gy) > 0.005);
}

static void test_geo_dispatch_errors(void **state)
{
    (void)state;
    double x = 0, y = 0;
    assert_int_equal(og_geo_to_wgs84(OG_CRS_UNKNOWN, 116.68, 23.35, &x, &y), OG_EINVAL);
    assert_int_equal(og_geo_from_wgs84(OG_CRS_UNKNOWN, 116.68, 23.35, &x, &y), OG_EINVAL);
    assert_int_equal(og_geo_to_wgs84(OG_CRS_GCJ02, NAN, 23.35, &x, &y), OG_EINVAL);
    assert_int_equal(og_geo_to_wgs84(OG_CRS_WGS84, 116.68, INFINITY, &x, &y), OG_EINVAL);
    assert_int_equal(og_geo_from_wgs84(OG_CRS_BD09, NAN, NAN, &x, &y), OG_EINVAL);
    assert_int_equal(og_gcj02_to_wgs84(NAN, 23.35, &x, &y), OG_EINVAL);
    assert_int_equal(og_geo_to_wgs84(OG_CRS_WGS84, 116.68, 23.35, &x, &y), 0);
    assert_true(x == 116.68 && y == 23.35);
    assert_int_equal(og_geo_to_wgs84(OG_CRS_CGCS2000, 116.68, 23.35, &x, &y), 0);
    assert_true(x == 116.68 && y == 23.35);
}

/* ---------------------------------------------------------------------------------------------- */
/* polygons                                                                                       */
/* ---------------------------------------------------------------------------------------------- */

static void test_square_area(void **state)
{
    (void)state;
    /* 0.01 x 0.01 degree square centred on lat 23.35: about 1022 m (east) x 1113.2 m (north) */
    struct og_ring sq = rect_ring(116.60, 23.345, 116.61, 23.355);
    double a = og_ring_area_m2(&sq);
    double expect = 1113.2 * 1022.0;
    assert_true(fabs(a - expect) / expect < 0.005);
    assert_near(a, sphere_rect_m2(116.60, 23.345, 116.61, 23.355), 1e-9 * a);

    /* closed ring and clockwise ring give the same area */
    double closed[] = {116.60, 23.345, 116.60, 23.355, 116.61,
                       23.355, 116.61, 23.345, 116.60, 23.345};
    struct og_ring cw = ring_of(closed, 5);
    assert_near(og_ring_area_m2(&cw), a, 1e-9 * a);
    og_ring_free(&cw);

    struct og_mpoly mp;
    assert_int_equal(og_mpoly_from_ring(&sq, &mp), 0);
    assert_null(sq.xy);
    assert_int_equal(sq.n, 0);
    assert_near(og_mpoly_area_m2(&mp), a, 1e-9 * a);
    og_mpoly_free(&mp);
    assert_null(mp.polys);
    og_mpoly_free(NULL);
    og_ring_free(NULL);

    double line[] = {116.6, 23.3, 116.7, 23.4};
    struct og_ring degenerate = ring_of(line, 2);
    assert_true(og_ring_area_m2(&degenerate) == 0.0);
    assert_false(
        og_ring_contains(&degenerate, 116.65, 23.35)); /* a 2-point ring contains nothing */
    og_ring_free(&degenerate);
}

static void test_polygon_with_hole(void **state)
{
    (void)state;
    struct og_ring rings[2] = {rect_ring(LX(0), LY(0), LX(3), LY(3)),
                               rect_ring(LX(1), LY(1), LX(2), LY(2))};
    struct og_mpoly mp = mpoly_of(rings, 2);
    double want =
        sphere_rect_m2(LX(0), LY(0), LX(3), LY(3)) - sphere_rect_m2(LX(1), LY(1), LX(2), LY(2));
    assert_near(og_mpoly_area_m2(&mp), want, 1e-9 * want);

    assert_true(og_mpoly_contains(&mp, LX(0.5), LY(0.5)));
    assert_true(og_mpoly_contains(&mp, LX(2.5), LY(1.5)));
    assert_false(og_mpoly_contains(&mp, LX(1.5), LY(1.5))); /* in the hole */
    assert_true(og_mpoly_contains(&mp, LX(1), LY(1.5)));    /* on the hole's edge */
    assert_true(og_mpoly_contains(&mp, LX(0), LY(1.5)));    /* on the outer edge */
    assert_true(og_mpoly_contains(&mp, LX(3), LY(3)));      /* outer corner */
    assert_false(og_mpoly_contains(&mp, LX(3.01), LY(1.5)));
    assert_false(og_mpoly_contains(&mp, LX(-0.5), LY(1.5)));
    /* a single ring ignores holes */
    assert_true(og_ring_contains(&mp.polys[0].rings[0], LX(1.5), LY(1.5)));

    double cx, cy;
    og_mpoly_centroid(&mp, &cx, &cy);
    assert_near(cx, LX(1.5), 1e-12);
    assert_near(cy, LY(1.5), 1e-12);

    /* off-centre hole, either orientation, and a clockwise outer ring: the hole pulls the centroid
     * away. [0,2]x[0,1] minus [0.25,0.75]^2: x = (2 * 1 - 0.25 * 0.5) / 1.75 */
    for (int variant = 0; variant < 3; variant++) {
        struct og_ring rr[2] = {rect_ring(LX(0), LY(0), LX(2), LY(1)),
                                rect_ring(LX(0.25), LY(0.25), LX(0.75), LY(0.75))};
        struct og_ring *flip = variant == 0 ? NULL : &rr[variant - 1];
        if (flip) /* reverse the vertex order */
            for (size_t i = 0; i < flip->n / 2; i++)
                for (size_t c = 0; c < 2; c++) {
                    double t = flip->xy[2 * i + c];
                    flip->xy[2 * i + c] = flip->xy[2 * (flip->n - 1 - i) + c];
                    flip->xy[2 * (flip->n - 1 - i) + c] = t;
                }
        struct og_mpoly holed = mpoly_of(rr, 2);
        og_mpoly_centroid(&holed, &cx, &cy);
        assert_near(cx, BX + U * (2.0 - 0.125) / 1.75, 1e-12);
        assert_near(cy, LY(0.5), 1e-12);
        double hw = sphere_rect_m2(LX(0), LY(0), LX(2), LY(1)) -
                    sphere_rect_m2(LX(0.25), LY(0.25), LX(0.75), LY(0.75));
        assert_near(og_mpoly_area_m2(&holed), hw, 1e-9 * hw);
        og_mpoly_free(&holed);
    }

    struct og_bbox bb = og_mpoly_bbox(&mp);
    assert_true(bb.min_lng == LX(0) && bb.min_lat == LY(0) && bb.max_lng == LX(3) &&
                bb.max_lat == LY(3));

    /* deep copy survives the original */
    struct og_mpoly cp;
    assert_int_equal(og_mpoly_copy(&mp, &cp), 0);
    og_mpoly_free(&mp);
    assert_int_equal(cp.npolys, 1);
    assert_int_equal(cp.polys[0].nrings, 2);
    assert_near(og_mpoly_area_m2(&cp), want, 1e-9 * want);
    assert_false(og_mpoly_contains(&cp, LX(1.5), LY(1.5)));
    og_mpoly_free(&cp);
}

/* L = [0,2]x[0,1] + [0,1]x[1,2] in local units, counter-clockwise. */
static struct og_ring l_shape(void)
{
    double xy[] = {LX(0), LY(0), LX(2), LY(0), LX(2), LY(1),
                   LX(1), LY(1), LX(1), LY(2), LX(0), LY(2)};
    return ring_of(xy, 6);
}

/* U = [0,3]x[0,1] + [0,1]x[1,3] + [2,3]x[1,3], counter-clockwise. */
static struct og_ring u_shape(void)
{
    double xy[] = {LX(0), LY(0), LX(3), LY(0), LX(3), LY(3), LX(2), LY(3),
                   LX(2), LY(1), LX(1), LY(1), LX(1), LY(3), LX(0), LY(3)};
    return ring_of(xy, 8);
}

static void test_concave_centroid_and_multi(void **state)
{
    (void)state;
    struct og_ring l = l_shape();
    struct og_mpoly mp = mpoly_of(&l, 1);
    double cx, cy;
    og_mpoly_centroid(&mp, &cx, &cy);
    assert_near(cx, BX + U * 5.0 / 6.0, 1e-12);
    assert_near(cy, BY + U * 5.0 / 6.0, 1e-12);
    assert_true(og_mpoly_contains(&mp, LX(0.5), LY(1.5)));
    assert_false(og_mpoly_contains(&mp, LX(1.5), LY(1.5))); /* the notch */
    assert_true(og_mpoly_contains(&mp, LX(1.5), LY(1)));    /* on the notch edge */
    og_mpoly_free(&mp);

    /* two separate squares in one multipolygon */
    struct og_mpoly two = {calloc(2, sizeof(struct og_polygon)), 2};
    assert_non_null(two.polys);
    for (int p = 0; p < 2; p++) {
        two.polys[p].rings = calloc(1, sizeof(struct og_ring));
        assert_non_null(two.polys[p].rings);
        two.polys[p].nrings = 1;
        two.polys[p].rings[0] = rect_ring(LX(3 * p), LY(0), LX(3 * p + 1), LY(1));
    }
    assert_true(og_mpoly_contains(&two, LX(0.5), LY(0.5)));
    assert_true(og_mpoly_contains(&two, LX(3.5), LY(0.5)));
    assert_false(og_mpoly_contains(&two, LX(2), LY(0.5)));
    struct og_bbox bb = og_mpoly_bbox(&two);
    assert_true(bb.min_lng == LX(0) && bb.max_lng == LX(4) && bb.min_lat == LY(0) &&
                bb.max_lat == LY(1));
    double a1 = sphere_rect_m2(LX(0), LY(0), LX(1), LY(1));
    assert_near(og_mpoly_area_m2(&two), 2 * a1, 1e-9 * a1);
    og_mpoly_centroid(&two, &cx, &cy);
    assert_near(cx, LX(2), 1e-12);
    assert_near(cy, LY(0.5), 1e-12);
    og_mpoly_free(&two);

    struct og_mpoly empty = {NULL, 0};
    bb = og_mpoly_bbox(&empty);
    assert_true(bb.min_lng > bb.max_lng);
    og_mpoly_centroid(&empty, &cx, &cy);
    assert_true(isnan(cx) && isnan(cy));
    assert_true(og_mpoly_area_m2(&empty) == 0.0);
}

static void test_clip_l_by_square(void **state)
{
    (void)state;
    struct og_ring l = l_shape();
    struct og_ring sq = rect_ring(LX(0.5), LY(0.5), LX(1.5), LY(1.5));
    struct og_ring out;
    assert_int_equal(og_ring_clip_convex(&l, &sq, &out), 0);
    /* L n square = [0.5,1.5]x[0.5,1] + [0.5,1]x[1,1.5] */
    double want = sphere_rect_m2(LX(0.5), LY(0.5), LX(1.5), LY(1)) +
                  sphere_rect_m2(LX(0.5), LY(1), LX(1), LY(1.5));
    assert_near(og_ring_area_m2(&out), want, 1e-7 * want);
    assert_true(og_ring_contains(&out, LX(1.25), LY(0.75)));
    assert_true(og_ring_contains(&out, LX(0.75), LY(1.25)));
    assert_false(og_ring_contains(&out, LX(1.25), LY(1.25))); /* the notch stays out */
    assert_false(og_ring_contains(&out, LX(0.25), LY(0.25))); /* cut away */
    og_ring_free(&out);

    /* a clockwise clip ring gives the same result */
    double cw[] = {LX(0.5), LY(0.5), LX(0.5), LY(1.5), LX(1.5),
                   LY(1.5), LX(1.5), LY(0.5), LX(0.5), LY(0.5)};
    struct og_ring sq_cw = ring_of(cw, 5);
    assert_int_equal(og_ring_clip_convex(&l, &sq_cw, &out), 0);
    assert_near(og_ring_area_m2(&out), want, 1e-7 * want);
    og_ring_free(&out);

    /* subject wholly inside the clip: unchanged area */
    struct og_ring big = rect_ring(LX(-1), LY(-1), LX(5), LY(5));
    assert_int_equal(og_ring_clip_convex(&l, &big, &out), 0);
    double la = og_ring_area_m2(&l);
    assert_near(og_ring_area_m2(&out), la, 1e-9 * la);
    og_ring_free(&out);

    /* disjoint, and touching only along an edge: empty */
    struct og_ring far = rect_ring(LX(5), LY(5), LX(6), LY(6));
    assert_int_equal(og_ring_clip_convex(&l, &far, &out), 0);
    assert_int_equal(out.n, 0);
    assert_null(out.xy);
    struct og_ring touch = rect_ring(LX(2), LY(0), LX(3), LY(1));
    assert_int_equal(og_ring_clip_convex(&l, &touch, &out), 0);
    assert_int_equal(out.n, 0);

    og_ring_free(&l);
    og_ring_free(&sq);
    og_ring_free(&sq_cw);
    og_ring_free(&big);
    og_ring_free(&far);
    og_ring_free(&touch);
}

/* Clipping the U so that only its two prongs remain: one output ring, two pieces. */
static void check_two_prongs(const struct og_ring *out, double y0, double y1)
{
    double want =
        sphere_rect_m2(LX(0), LY(y0), LX(1), LY(y1)) + sphere_rect_m2(LX(2), LY(y0), LX(3), LY(y1));
    assert_near(og_ring_area_m2(out), want, 1e-7 * want);
    double ym = (y0 + y1) / 2;
    assert_true(og_ring_contains(out, LX(0.5), LY(ym)));
    assert_true(og_ring_contains(out, LX(2.5), LY(ym)));
    assert_false(og_ring_contains(out, LX(1.5), LY(ym))); /* the gap between the prongs */
    assert_false(
        og_ring_contains(out, LX(1.5), LY(y0 + 0.01)));    /* just above the cut, in the gap */
    assert_false(og_ring_contains(out, LX(0.5), LY(0.5))); /* the base is cut away */
    assert_false(og_ring_contains(out, LX(3.5), LY(ym)));
    /* many points against the analytic answer (off the cut lines) */
    uint64_t seed = 42;
    for (int k = 0; k < 2000; k++) {
        double u = -0.5 + 4 * rng_unit(&seed), v = -0.5 + 4 * rng_unit(&seed);
        if (fabs(v - y0) < 1e-6 || fabs(v - y1) < 1e-6)
            continue;
        bool in_prong = (u > 0 && u < 1) || (u > 2 && u < 3);
        bool want_in = in_prong && v > y0 && v < y1;
        if (fabs(u - 0) < 1e-6 || fabs(u - 1) < 1e-6 || fabs(u - 2) < 1e-6 || fabs(u - 3) < 1e-6)
            continue;
        if (og_ring_contains(out, LX(u), LY(v)) != want_in)
            fail_msg("point (%g, %g) local: got %d want %d", u, v, !want_in, want_in);
    }
}

static void test_clip_split_concave(void **state)
{
    (void)state;
    struct og_ring u = u_shape();
    struct og_ring out;
    /* half-plane lat >= LY(2) */
    assert_int_equal(og_ring_clip_halfplane(&u, 0.0, 1.0, -LY(2), &out), 0);
    check_two_prongs(&out, 2, 3);
    og_ring_free(&out);

    /* convex band across both prongs */
    struct og_ring band = rect_ring(LX(-0.5), LY(1.5), LX(3.5), LY(2.5));
    assert_int_equal(og_ring_clip_convex(&u, &band, &out), 0);
    check_two_prongs(&out, 1.5, 2.5);
    og_ring_free(&out);
    og_ring_free(&band);
    og_ring_free(&u);
}

static void test_clip_halfplane(void **state)
{
    (void)state;
    struct og_ring sq = rect_ring(LX(0), LY(0), LX(1), LY(1));
    struct og_ring out;
    /* keep lng + lat - (LX(1) + LY(0)) >= 0: the upper-right triangle, exactly half the square in
     * the equal-area plane the area is computed in */
    assert_int_equal(og_ring_clip_halfplane(&sq, 1.0, 1.0, -(LX(1) + LY(0)), &out), 0);
    double half = og_ring_area_m2(&sq) / 2;
    assert_near(og_ring_area_m2(&out), half, 1e-6 * half);
    assert_true(og_ring_contains(&out, LX(0.9), LY(0.9)));
    assert_false(og_ring_contains(&out, LX(0.1), LY(0.1)));
    og_ring_free(&out);

    /* the other side */
    assert_int_equal(og_ring_clip_halfplane(&sq, -1.0, -1.0, LX(1) + LY(0), &out), 0);
    assert_near(og_ring_area_m2(&out), half, 1e-6 * half);
    assert_true(og_ring_contains(&out, LX(0.1), LY(0.1)));
    assert_false(og_ring_contains(&out, LX(0.9), LY(0.9)));
    og_ring_free(&out);

    /* keep lng >= LX(0.25): three quarters */
    assert_int_equal(og_ring_clip_halfplane(&sq, 1.0, 0.0, -LX(0.25), &out), 0);
    double want = sphere_rect_m2(LX(0.25), LY(0), LX(1), LY(1));
    assert_near(og_ring_area_m2(&out), want, 1e-7 * want);
    og_ring_free(&out);

    /* all kept / nothing kept */
    assert_int_equal(og_ring_clip_halfplane(&sq, 1.0, 0.0, -LX(-1), &out), 0);
    assert_int_equal(out.n, 4);
    og_ring_free(&out);
    assert_int_equal(og_ring_clip_halfplane(&sq, 1.0, 0.0, -LX(2), &out), 0);
    assert_int_equal(out.n, 0);
    og_ring_free(&sq);
}

/* ---------------------------------------------------------------------------------------------- */
/* GeoJSON                                                                                        */
/* ---------------------------------------------------------------------------------------------- */

static int parse_str(const char *text, struct og_mpoly *mp, struct og_error *err)
{
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    if (!doc)
        fail_msg("test JSON does not parse: %s", jerr.text);
    og_error_clear(err);
    int rc = og_mpoly_from_geojson(doc, mp, err);
    json_decref(doc);
    return rc;
}

static void test_geojson_polygon_in_out(void **state)
{
    (void)state;
    struct og_mpoly mp;
    struct og_error err;
    const char *poly =
        "{\"type\":\"Polygon\",\"coordinates\":["
        "[[116.60,23.35],[116.63,23.35],[116.63,23.38],[116.60,23.38],[116.60,23.35]],"
        "[[116.61,23.36],[116.61,23.37],[116.62,23.37],[116.62,23.36],[116.61,23.36]]]}";
    assert_int_equal(parse_str(poly, &mp, &err), 0);
    assert_int_equal(mp.npolys, 1);
    assert_int_equal(mp.polys[0].nrings, 2);
    assert_int_equal(mp.polys[0].rings[0].n, 4); /* closing point dropped */
    assert_true(og_mpoly_contains(&mp, 116.605, 23.355));
    assert_false(og_mpoly_contains(&mp, 116.615, 23.365));
    double want =
        sphere_rect_m2(116.60, 23.35, 116.63, 23.38) - sphere_rect_m2(116.61, 23.36, 116.62, 23.37);
    assert_near(og_mpoly_area_m2(&mp), want, 1e-9 * want);

    json_t *out = og_mpoly_to_geojson(&mp, 7);
    assert_non_null(out);
    assert_string_equal(json_string_value(json_object_get(out, "type")), "MultiPolygon");
    json_t *r0 = json_array_get(json_array_get(json_object_get(out, "coordinates"), 0), 0);
    assert_int_equal(json_array_size(r0), 5); /* closed again */
    assert_true(json_equal(json_array_get(r0, 0), json_array_get(r0, 4)));
    struct og_mpoly back;
    og_error_clear(&err);
    assert_int_equal(og_mpoly_from_geojson(out, &back, &err), 0);
    assert_int_equal(back.npolys, 1);
    assert_int_equal(back.polys[0].nrings, 2);
    for (size_t r = 0; r < 2; r++) {
        assert_int_equal(back.polys[0].rings[r].n, mp.polys[0].rings[r].n);
        for (size_t i = 0; i < 2 * back.polys[0].rings[r].n; i++)
            assert_near(back.polys[0].rings[r].xy[i], mp.polys[0].rings[r].xy[i], 1e-12);
    }
    json_decref(out);
    og_mpoly_free(&back);
    og_mpoly_free(&mp);
}

static void test_geojson_multipolygon_and_digits(void **state)
{
    (void)state;
    struct og_mpoly mp;
    struct og_error err;
    /* unclosed ring accepted too; integers are numbers */
    const char *multi = "{\"type\":\"MultiPolygon\",\"coordinates\":["
                        "[[[116.1234567891,23.1],[116.2,23.1],[116.2,23.2]]],"
                        "[[[117,24],[118,24],[118,25],[117,25],[117,24]]]]}";
    assert_int_equal(parse_str(multi, &mp, &err), 0);
    assert_int_equal(mp.npolys, 2);
    assert_int_equal(mp.polys[0].rings[0].n, 3);
    assert_int_equal(mp.polys[1].rings[0].n, 4);
    assert_true(og_mpoly_contains(&mp, 117.5, 24.5));
    assert_true(og_mpoly_contains(&mp, 116.19, 23.15));
    assert_false(og_mpoly_contains(&mp, 116.5, 23.5));

    json_t *out = og_mpoly_to_geojson(&mp, 6);
    assert_non_null(out);
    json_t *coords = json_object_get(out, "coordinates");
    assert_int_equal(json_array_size(coords), 2);
    json_t *p0 = json_array_get(json_array_get(json_array_get(coords, 0), 0), 0);
    assert_true(json_real_value(json_array_get(p0, 0)) == 116.123457);
    assert_true(json_real_value(json_array_get(p0, 1)) == 23.1);
    assert_int_equal(json_array_size(json_array_get(json_array_get(coords, 0), 0)), 4); /* closed */
    json_decref(out);

    /* digits < 0: not rounded */
    out = og_mpoly_to_geojson(&mp, -1);
    p0 = json_array_get(json_array_get(json_array_get(json_object_get(out, "coordinates"), 0), 0),
                        0);
    assert_true(json_real_value(json_array_get(p0, 0)) == 116.1234567891);
    json_decref(out);
    og_mpoly_free(&mp);

    struct og_mpoly empty = {NULL, 0};
    out = og_mpoly_to_geojson(&empty, 6);
    assert_non_null(out);
    assert_int_equal(json_array_size(json_object_get(out, "coordinates")), 0);
    json_decref(out);
}

static void expect_parse_error(const char *text, const char *msg_part, const char *detail_part)
{
    struct og_mpoly mp = {(struct og_polygon *)&mp, 99}; /* garbage: must be overwritten */
    struct og_error err;
    int rc = parse_str(text, &mp, &err);
    if (rc != OG_EPARSE)
        fail_msg("%s: rc %d, want OG_EPARSE", text, rc);
    assert_int_equal(err.code, OG_EPARSE);
    assert_int_equal(err.klass, OG_CLASS_REJECT);
    assert_null(mp.polys);
    assert_int_equal(mp.npolys, 0);
    if (!strstr(err.message, msg_part))
        fail_msg("%s: message \"%s\" lacks \"%s\"", text, err.message, msg_part);
    if (detail_part && !strstr(err.detail, detail_part))
        fail_msg("%s: detail \"%s\" lacks \"%s\"", text, err.detail, detail_part);
}

static void test_geojson_errors(void **state)
{
    (void)state;
    /* found by fuzz_geojson: a repeated closing point made [A, B, A, A] count as 3 distinct points
     */
    expect_parse_error(
        "{\"type\":\"Polygon\",\"coordinates\":[[[116.6,23.3],[116.7,23.3],[116.6,23.3],"
        "[116.6,23.3]]]}",
        "fewer than 3 points", "2 distinct point");
    expect_parse_error("[1,2]", "not a JSON object", "an array");
    expect_parse_error("{\"coordinates\":[]}", "no \"type\"", NULL);
    expect_parse_error("{\"type\":\"Point\",\"coordinates\":[116.6,23.3]}", "wrong geometry type",
                       "\"Point\"");
    expect_parse_error("{\"type\":\"Feature\",\"geometry\":null}", "wrong geometry type",
                       "\"Feature\"");
    expect_parse_error("{\"type\":\"Polygon\"}", "bad nesting", "missing");
    /* a ring level missing */
    expect_parse_error(
        "{\"type\":\"Polygon\",\"coordinates\":[[116.6,23.3],[116.7,23.3],[116.7,23.4]]}",
        "bad nesting", "coordinates[0][0]");
    /* MultiPolygon coordinates labelled Polygon */
    expect_parse_error(
        "{\"type\":\"Polygon\",\"coordinates\":[[[[116.6,23.3],[116.7,23.3],[116.7,23.4]]]]}",
        "bad nesting", "MultiPolygon labelled Polygon");
    expect_parse_error(
        "{\"type\":\"MultiPolygon\",\"coordinates\":[[[116.6,23.3],[116.7,23.3],[116.7,23.4]]]}",
        "bad nesting", "coordinates[0][0][0]");
    expect_parse_error(
        "{\"type\":\"Polygon\",\"coordinates\":[[[116.6,23.3],[\"116.7\",23.3],[116.7,23.4]]]}",
        "non-numeric coordinate", "coordinates[0][1][0]: longitude is a string");
    expect_parse_error(
        "{\"type\":\"Polygon\",\"coordinates\":[[[116.6,23.3],[116.7,null],[116.7,23.4]]]}",
        "non-numeric coordinate", "latitude is null");
    expect_parse_error(
        "{\"type\":\"Polygon\",\"coordinates\":[[[116.6,23.3],[116.7,23.3],[116.6,23.3]]]}",
        "fewer than 3 points", "2 distinct point");
    expect_parse_error(
        "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[116.6,23.3],[116.7,23.3],[116.7,23.4]]],"
        "[[[117,24],[118,24]]]]}",
        "fewer than 3 points", "coordinates[1][0]");
    expect_parse_error(
        "{\"type\":\"Polygon\",\"coordinates\":[[[116.6],[116.7,23.3],[116.7,23.4]]]}",
        "short position", "1 value");
    expect_parse_error(
        "{\"type\":\"Polygon\",\"coordinates\":[[[23.3,116.6],[23.3,116.7],[23.4,116.7]]]}",
        "out of range", NULL);
    expect_parse_error("{\"type\":\"Polygon\",\"coordinates\":[]}", "no rings", NULL);
    expect_parse_error("{\"type\":\"MultiPolygon\",\"coordinates\":[]}", "no polygons", NULL);

    /* error with err == NULL is still reported by the return code */
    json_t *doc = json_loads("{\"type\":\"Point\",\"coordinates\":[1,2]}", 0, NULL);
    struct og_mpoly mp;
    assert_int_equal(og_mpoly_from_geojson(doc, &mp, NULL), OG_EPARSE);
    json_decref(doc);
}

/* ---------------------------------------------------------------------------------------------- */
/* spatial index                                                                                  */
/* ---------------------------------------------------------------------------------------------- */

#define CB_N 30
#define CB_X0 116.55
#define CB_Y0 23.30
#define CB_STEP 0.01
#define CB_X(i) (CB_X0 + (i)*CB_STEP)
#define CB_Y(j) (CB_Y0 + (j)*CB_STEP)

static int brute_find(const struct og_mpoly *mps, const int *ids, size_t n, double x, double y)
{
    int best = -1;
    for (size_t k = 0; k < n; k++)
        if ((best < 0 || ids[k] < best) && og_mpoly_contains(&mps[k], x, y))
            best = ids[k];
    return best;
}

static void test_index_checkerboard(void **state)
{
    (void)state;
    size_t n = CB_N * CB_N;
    struct og_mpoly *cells = calloc(n, sizeof(*cells));
    int *ids = calloc(n, sizeof(*ids));
    assert_non_null(cells);
    assert_non_null(ids);
    for (int j = 0; j < CB_N; j++) {
        for (int i = 0; i < CB_N; i++) {
            size_t k = (size_t)j * CB_N + (size_t)i;
            struct og_ring r = rect_ring(CB_X(i), CB_Y(j), CB_X(i + 1), CB_Y(j + 1));
            assert_int_equal(og_mpoly_from_ring(&r, &cells[k]), 0);
            ids[k] = (int)k;
        }
    }
    struct og_geo_index *idx = og_geo_index_create();
    assert_non_null(idx);
    assert_int_equal(og_geo_index_find(idx, CB_X(0.5), CB_Y(0.5)), -1); /* not built yet */
    /* add in a shuffled order: the answer must not depend on it */
    size_t *order = malloc(n * sizeof(*order));
    assert_non_null(order);
    for (size_t k = 0; k < n; k++)
        order[k] = k;
    uint64_t seed = 7;
    for (size_t k = n - 1; k > 0; k--) {
        size_t m = (size_t)(rng_next(&seed) % (k + 1));
        size_t t = order[k];
        order[k] = order[m];
        order[m] = t;
    }
    for (size_t k = 0; k < n; k++)
        assert_int_equal(og_geo_index_add(idx, &cells[order[k]], ids[order[k]]), 0);
    free(order);
    assert_int_equal(og_geo_index_add(idx, &cells[0], -1), OG_EINVAL);
    assert_int_equal(og_geo_index_build(idx), 0);

    /* random points strictly inside known cells */
    for (int t = 0; t < 20000; t++) {
        int i = (int)(rng_next(&seed) % CB_N), j = (int)(rng_next(&seed) % CB_N);
        double fx = 0.001 + 0.998 * rng_unit(&seed), fy = 0.001 + 0.998 * rng_unit(&seed);
        int got = og_geo_index_find(idx, CB_X(i + fx), CB_Y(j + fy));
        if (got != j * CB_N + i)
            fail_msg("cell (%d, %d): got %d", i, j, got);
    }
    /* outside */
    assert_int_equal(og_geo_index_find(idx, CB_X(-0.01), CB_Y(5.5)), -1);
    assert_int_equal(og_geo_index_find(idx, CB_X(5.5), CB_Y(CB_N + 0.01)), -1);
    assert_int_equal(og_geo_index_find(idx, 0, 0), -1);
    assert_int_equal(og_geo_index_find(idx, NAN, CB_Y(3)), -1);
    /* shared edges and corners: the smallest id */
    assert_int_equal(og_geo_index_find(idx, CB_X(7), CB_Y(4.5)), 4 * CB_N + 6);
    assert_int_equal(og_geo_index_find(idx, CB_X(7.5), CB_Y(4)), 3 * CB_N + 7);
    assert_int_equal(og_geo_index_find(idx, CB_X(7), CB_Y(4)), 3 * CB_N + 6);
    /* outer boundary counts as inside */
    assert_int_equal(og_geo_index_find(idx, CB_X(CB_N), CB_Y(CB_N)), (CB_N - 1) * CB_N + CB_N - 1);
    assert_int_equal(og_geo_index_find(idx, CB_X(0), CB_Y(0)), 0);

    /* against brute force, including points snapped to the grid lines */
    for (int t = 0; t < 10000; t++) {
        double x = CB_X(-1) + (CB_N + 2) * CB_STEP * rng_unit(&seed);
        double y = CB_Y(-1) + (CB_N + 2) * CB_STEP * rng_unit(&seed);
        if (t % 4 == 0)
            x = CB_X((int)(rng_next(&seed) % (CB_N + 1)));
        if (t % 6 == 0)
            y = CB_Y((int)(rng_next(&seed) % (CB_N + 1)));
        int got = og_geo_index_find(idx, x, y), want = brute_find(cells, ids, n, x, y);
        if (got != want)
            fail_msg("(%.12f, %.12f): index %d, brute force %d", x, y, got, want);
    }
    og_geo_index_destroy(idx);
    for (size_t k = 0; k < n; k++)
        og_mpoly_free(&cells[k]);
    free(cells);
    free(ids);
}

/* Overlapping concave stars, some with holes, in random order and ids: the index must agree with a
 * brute-force scan (lowest id wins) everywhere. */
static void test_index_overlaps_vs_brute(void **state)
{
    (void)state;
    enum { NPOLY = 300, NV = 14 };
    struct og_mpoly *mps = calloc(NPOLY, sizeof(*mps));
    int *ids = calloc(NPOLY, sizeof(*ids));
    assert_non_null(mps);
    assert_non_null(ids);
    uint64_t seed = 2024;
    for (int p = 0; p < NPOLY; p++) {
        double cx = 116.5 + 0.3 * rng_unit(&seed), cy = 23.3 + 0.15 * rng_unit(&seed);
        double rad = 0.002 + 0.02 * rng_unit(&seed);
        double outer[2 * NV], hole[2 * NV];
        for (int v = 0; v < NV; v++) {
            double ang = 2 * 3.14159265358979 * v / NV;
            double rr = rad * (v % 2 ? 0.45 : 1.0); /* star: concave */
            outer[2 * v] = cx + rr * cos(ang);
            outer[2 * v + 1] = cy + rr * sin(ang);
            hole[2 * v] = cx + 0.2 * rad * cos(-ang); /* clockwise hole */
            hole[2 * v + 1] = cy + 0.2 * rad * sin(-ang);
        }
        struct og_ring rings[2] = {ring_of(outer, NV), ring_of(hole, NV)};
        bool with_hole = p % 3 == 0;
        if (!with_hole)
            og_ring_free(&rings[1]);
        mps[p] = mpoly_of(rings, with_hole ? 2 : 1);
        ids[p] = (p * 7919) % 1000; /* distinct, not in insertion order */
    }
    struct og_geo_index *idx = og_geo_index_create();
    assert_non_null(idx);
    for (int p = 0; p < NPOLY; p++)
        assert_int_equal(og_geo_index_add(idx, &mps[p], ids[p]), 0);
    assert_int_equal(og_geo_index_build(idx), 0);
    int hits = 0;
    for (int t = 0; t < 10000; t++) {
        double x = 116.47 + 0.36 * rng_unit(&seed), y = 23.27 + 0.21 * rng_unit(&seed);
        if (t % 10 == 0) { /* exactly on a vertex */
            const struct og_ring *r = &mps[t % NPOLY].polys[0].rings[0];
            x = r->xy[2 * (t % NV)];
            y = r->xy[2 * (t % NV) + 1];
        }
        int got = og_geo_index_find(idx, x, y), want = brute_find(mps, ids, NPOLY, x, y);
        if (got != want)
            fail_msg("(%.12f, %.12f): index %d, brute force %d", x, y, got, want);
        hits += got >= 0;
    }
    assert_true(hits > 2000); /* the test exercises both answers */
    assert_true(hits < 9500);

    /* rebuild after adding more: a big polygon with a large id covers the gaps only */
    struct og_ring cover = rect_ring(116.4, 23.2, 116.9, 23.5);
    struct og_mpoly big;
    assert_int_equal(og_mpoly_from_ring(&cover, &big), 0);
    assert_int_equal(og_geo_index_add(idx, &big, 5000), 0);
    assert_int_equal(og_geo_index_find(idx, 116.6, 23.35), -1); /* stale until rebuilt */
    assert_int_equal(og_geo_index_build(idx), 0);
    for (int t = 0; t < 2000; t++) {
        double x = 116.47 + 0.36 * rng_unit(&seed), y = 23.27 + 0.21 * rng_unit(&seed);
        int want = brute_find(mps, ids, NPOLY, x, y);
        if (want < 0)
            want = 5000;
        assert_int_equal(og_geo_index_find(idx, x, y), want);
    }
    og_geo_index_destroy(idx);
    og_mpoly_free(&big);
    for (int p = 0; p < NPOLY; p++)
        og_mpoly_free(&mps[p]);
    free(mps);
    free(ids);
}

static void test_index_hole_and_island(void **state)
{
    (void)state;
    struct og_ring donut_rings[2] = {rect_ring(LX(0), LY(0), LX(3), LY(3)),
                                     rect_ring(LX(1), LY(1), LX(2), LY(2))};
    struct og_mpoly donut = mpoly_of(donut_rings, 2);
    struct og_ring isl = rect_ring(LX(1), LY(1), LX(2), LY(2));
    struct og_mpoly island;
    assert_int_equal(og_mpoly_from_ring(&isl, &island), 0);
    struct og_geo_index *idx = og_geo_index_create();
    assert_non_null(idx);
    assert_int_equal(og_geo_index_add(idx, &island, 9), 0);
    assert_int_equal(og_geo_index_add(idx, &donut, 5), 0);
    assert_int_equal(og_geo_index_build(idx), 0);
    assert_int_equal(og_geo_index_find(idx, LX(1.5), LY(1.5)), 9);
    assert_int_equal(og_geo_index_find(idx, LX(0.5), LY(1.5)), 5);
    assert_int_equal(og_geo_index_find(idx, LX(1), LY(1.5)), 5); /* shared edge: smaller id */
    assert_int_equal(og_geo_index_find(idx, LX(3.5), LY(1.5)), -1);
    og_geo_index_destroy(idx);
    og_mpoly_free(&donut);
    og_mpoly_free(&island);

    /* empty index */
    idx = og_geo_index_create();
    assert_non_null(idx);
    assert_int_equal(og_geo_index_build(idx), 0);
    assert_int_equal(og_geo_index_find(idx, LX(1), LY(1)), -1);
    og_geo_index_destroy(idx);
    og_geo_index_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crs_parse_name),
        cmocka_unit_test(test_in_china_box),
        cmocka_unit_test(test_wgs84_to_gcj02_vectors),
        cmocka_unit_test(test_bd09_vectors),
        cmocka_unit_test(test_outside_china_identity),
        cmocka_unit_test(test_gcj02_to_wgs84_iterative),
        cmocka_unit_test(test_round_trip_shantou),
        cmocka_unit_test(test_round_trip_china),
        cmocka_unit_test(test_gcj02_to_wgs84_no_preimage),
        cmocka_unit_test(test_bd09_dispatch_and_round_trip),
        cmocka_unit_test(test_geo_dispatch_errors),
        cmocka_unit_test(test_square_area),
        cmocka_unit_test(test_polygon_with_hole),
        cmocka_unit_test(test_concave_centroid_and_multi),
        cmocka_unit_test(test_clip_l_by_square),
        cmocka_unit_test(test_clip_split_concave),
        cmocka_unit_test(test_clip_halfplane),
        cmocka_unit_test(test_geojson_polygon_in_out),
        cmocka_unit_test(test_geojson_multipolygon_and_digits),
        cmocka_unit_test(test_geojson_errors),
        cmocka_unit_test(test_index_checkerboard),
        cmocka_unit_test(test_index_overlaps_vs_brute),
        cmocka_unit_test(test_index_hole_and_island),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
