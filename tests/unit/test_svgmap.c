/* test_svgmap.c - unit tests for analysis/svgmap.c: the local equirectangular frame fitted to a
 * box, and ST_AsSVG paths read and projected through it. */
#include "analysis/svgmap.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_bbox(void **unused)
{
    (void)unused;
    struct og_bbox b;
    og_bbox_init(&b);
    assert_true(b.empty);
    og_bbox_add(&b, 116.6, 23.4);
    assert_false(b.empty);
    og_bbox_add(&b, 116.5, 23.5);
    og_bbox_add(&b, 116.7, 23.3);
    assert_true(b.min_lon == 116.5 && b.max_lon == 116.7);
    assert_true(b.min_lat == 23.3 && b.max_lat == 23.5);
}

static void test_fit_scales_longitude_by_cosine(void **unused)
{
    (void)unused;
    struct og_bbox b;
    og_bbox_init(&b);
    og_bbox_add(&b, 116.0, 23.0);
    og_bbox_add(&b, 117.0, 24.0);
    struct og_proj p;
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(og_proj_fit(&p, &b, 1000, 10, &err), 0);
    double c = cos(23.5 * M_PI / 180);
    assert_true(fabs(p.kx - 980.0) < 1e-9);     /* one degree of longitude fills the width */
    assert_true(fabs(p.ky - 980.0 / c) < 1e-9); /* a degree of latitude is longer by 1/cos */
    assert_true(fabs(p.height - (20 + 980.0 / c)) < 1e-9);
    assert_true(p.width == 1000);
    double x, y;
    og_proj_point(&p, 116.0, 24.0, &x, &y); /* north-west corner: the margin */
    assert_true(fabs(x - 10) < 1e-9 && fabs(y - 10) < 1e-9);
    og_proj_point(&p, 117.0, 23.0, &x, &y); /* south-east corner */
    assert_true(fabs(x - 990) < 1e-9 && fabs(y - (p.height - 10)) < 1e-9);
    /* a square kilometre stays square near the middle: 0.01 deg of latitude is as long as
     * 0.01 / cos(lat) deg of longitude */
    double x1, y1, x2, y2;
    og_proj_point(&p, 116.5, 23.5, &x1, &y1);
    og_proj_point(&p, 116.5 + 0.01 / c, 23.5 - 0.01, &x2, &y2);
    assert_true(fabs((x2 - x1) - (y2 - y1)) < 1e-6);
}

static void test_fit_refuses_no_extent(void **unused)
{
    (void)unused;
    struct og_bbox b;
    struct og_proj p;
    struct og_error err;
    og_error_clear(&err);
    og_bbox_init(&b);
    assert_int_equal(og_proj_fit(&p, &b, 1000, 10, &err), OG_EINVAL);
    og_bbox_add(&b, 116.0, 23.0);
    og_bbox_add(&b, 116.0, 23.5); /* a vertical line */
    assert_int_equal(og_proj_fit(&p, &b, 1000, 10, &err), OG_EINVAL);
    assert_non_null(strstr(err.message, "no extent"));
    og_bbox_init(&b);
    og_bbox_add(&b, 0, 89.5);
    og_bbox_add(&b, 1, 89.9);
    assert_int_equal(og_proj_fit(&p, &b, 1000, 10, &err), OG_EINVAL);
}

/* A multipolygon as PostGIS writes it with ST_AsSVG(geom, 0, 6): y is minus the latitude. */
static const char SQUARES[] = "M 116 -24 L 117 -24 117 -23 116 -23 Z M 116.5 -23.5 L 116.6 -23.5 "
                              "116.6 -23.4 Z";

static void test_path_bbox(void **unused)
{
    (void)unused;
    struct og_bbox b;
    struct og_error err;
    og_error_clear(&err);
    og_bbox_init(&b);
    assert_int_equal(og_svg_path_bbox(SQUARES, &b, &err), 0);
    assert_true(b.min_lon == 116 && b.max_lon == 117 && b.min_lat == 23 && b.max_lat == 24);
}

static void test_path_project(void **unused)
{
    (void)unused;
    struct og_bbox b;
    struct og_proj p;
    struct og_error err;
    og_error_clear(&err);
    og_bbox_init(&b);
    assert_int_equal(og_svg_path_bbox(SQUARES, &b, &err), 0);
    assert_int_equal(og_proj_fit(&p, &b, 1000, 10, &err), 0);
    struct og_buf out = OG_BUF_INIT;
    assert_int_equal(og_svg_path_project("M 116 -24 L 117 -24 Z", &p, &out, &err), 0);
    assert_string_equal(out.data, "M10.0 10.0L990.0 10.0Z");
    og_buf_reset(&out);
    assert_int_equal(og_svg_path_project(SQUARES, &p, &out, &err), 0);
    /* the same commands, two subpaths, every pair projected */
    assert_true(strncmp(out.data, "M10.0 10.0L990.0 10.0 990.0 ", 28) == 0);
    const char *second = strchr(out.data + 1, 'M');
    assert_non_null(second);
    assert_true(strncmp(second, "M500.0 ", 7) == 0);
    assert_int_equal(out.data[out.len - 1], 'Z');
    og_buf_free(&out);
}

static void test_path_garbage(void **unused)
{
    (void)unused;
    struct og_bbox b;
    struct og_error err;
    og_error_clear(&err);
    og_bbox_init(&b);
    assert_int_equal(og_svg_path_bbox("M 116 -24 L 117", &b, &err), OG_EPARSE); /* cut pair */
    og_error_clear(&err);
    assert_int_equal(og_svg_path_bbox("M 116 -24 C 1 2", &b, &err), OG_EPARSE); /* a curve */
    assert_non_null(strstr(err.detail, "offset 10"));
    assert_int_equal(og_svg_path_bbox("", &b, &err), 0); /* an empty geometry draws nothing */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bbox),
        cmocka_unit_test(test_fit_scales_longitude_by_cosine),
        cmocka_unit_test(test_fit_refuses_no_extent),
        cmocka_unit_test(test_path_bbox),
        cmocka_unit_test(test_path_project),
        cmocka_unit_test(test_path_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
