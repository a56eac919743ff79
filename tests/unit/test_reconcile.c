/* test_reconcile.c - unit tests for transform/reconcile.c: grid placement order on a tiny 2x2
 * world, taxonomy, statuses, identities (validation, HMAC, masking), member temperatures, record
 * ids. */
#include "transform/reconcile.h"

#include "transform/geo.h"

#include "core/arena.h"
#include "core/error.h"
#include "core/world.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FIX "tests/fixtures/reconcile/"
#define TAXONOMY "mappings/taxonomy/categories.csv"
#define TEST_KEY "onegrid-unit-test-key-0001"

/* The world: two streets, three communities (two of them named 东华, one in each street), and four
 * 0.01-degree square grids near Shantou:
 *
 *   lat 23.38 +------------------+------------------+
 *             | G1 ...001001001  | G2 ...001001002  |   community 440511001001 (东方街道东华社区)
 *   lat 23.37 +------------------+------------------+
 *             | G3 ...001002001  | G4 ...002001001  |   G3: 440511001002 (东方街道新乡社区)
 *   lat 23.36 +------------------+------------------+   G4: 440511002001 (西方街道东华社区)
 *         lng 116.68          116.69             116.70
 */
#define G1 "440511001001001"
#define G2 "440511001001002"
#define G3 "440511001002001"
#define G4 "440511002001001"

struct fixture {
    struct og_reconciler *r;       /* with taxonomy and key */
    struct og_reconciler *r_nokey; /* with taxonomy, no key */
    struct og_reconciler *r_notax; /* no taxonomy, with key */
    struct og_arena *arena;
    struct og_id_key key;
};

static char *square(double lng, double lat, double d)
{
    char *s = malloc(400);
    assert_non_null(s);
    snprintf(s, 400,
             "{\"type\": \"MultiPolygon\", \"coordinates\": [[[[%.6f, %.6f], [%.6f, %.6f], [%.6f, "
             "%.6f], "
             "[%.6f, %.6f], [%.6f, %.6f]]]]}",
             lng, lat, lng + d, lat, lng + d, lat + d, lng, lat + d, lng, lat);
    return s;
}

static void add_grid(struct og_world *w, const char *code, const char *community,
                     const char *street, double lng, double lat)
{
    char *g = square(lng, lat, 0.01);
    assert_int_equal(og_world_add_grid(w, code, code, community, street, "440511", g), 0);
    free(g);
}

static void build_world(struct og_world *w)
{
    memset(w, 0, sizeof(*w));
    assert_int_equal(og_world_add_division(w, "440511", 3, "金平区", "4405", "2023", NULL), 0);
    assert_int_equal(og_world_add_division(w, "440511001", 4, "东方街道", "440511", "2023", NULL),
                     0);
    assert_int_equal(og_world_add_division(w, "440511002", 4, "西方街道", "440511", "2023", NULL),
                     0);
    assert_int_equal(
        og_world_add_division(w, "440511001001", 5, "东华社区", "440511001", "2023", NULL), 0);
    assert_int_equal(
        og_world_add_division(w, "440511001002", 5, "新乡社区", "440511001", "2023", NULL), 0);
    assert_int_equal(
        og_world_add_division(w, "440511002001", 5, "东华社区", "440511002", "2023", NULL), 0);
    /* 2016 codes */
    assert_int_equal(og_world_add_alias(w, "440511101001", "440511001002", "2016", 5, "新乡居委会"),
                     0);
    assert_int_equal(og_world_add_alias(w, "440511101002", "440511002001", "2016", 5, "东华居委会"),
                     0);
    add_grid(w, G1, "440511001001", "440511001", 116.68, 23.37);
    add_grid(w, G2, "440511001001", "440511001", 116.69, 23.37);
    add_grid(w, G3, "440511001002", "440511001", 116.68, 23.36);
    add_grid(w, G4, "440511002001", "440511002", 116.69, 23.36);
    /* UM unit grids (14 digits, 2016 codes): the best weight wins, ties go to the smaller grid code
     */
    assert_int_equal(og_world_add_xwalk(w, "UM", "44051110100101", G1, 0.3), 0);
    assert_int_equal(og_world_add_xwalk(w, "UM", "44051110100101", G2, 0.7), 0);
    assert_int_equal(og_world_add_xwalk(w, "UM", "44051110100199", G2, 0.5), 0);
    assert_int_equal(og_world_add_xwalk(w, "UM", "44051110100199", G1, 0.5), 0);
    assert_int_equal(og_world_add_xwalk(w, "UM", "44051199999998", "440511009009009", 1.0),
                     0); /* not here */
    /* FR fire grids: street + community names; the two 东华 communities are in different streets */
    assert_int_equal(og_world_add_xwalk(w, "FR", "东方街道东华社区", G2, 0.4), 0);
    assert_int_equal(og_world_add_xwalk(w, "FR", "东方街道东华社区", G1, 0.6), 0);
    assert_int_equal(og_world_add_xwalk(w, "FR", "东方街道新乡社区", G3, 1.0), 0);
    assert_int_equal(og_world_add_xwalk(w, "FR", "西方街道东华社区", G4, 1.0), 0);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    struct og_world w;
    build_world(&w);
    assert_int_equal(og_id_key_set(&fx->key, TEST_KEY, strlen(TEST_KEY)), 0);
    struct og_error err;
    og_error_clear(&err);
    if (og_reconciler_create(&w, TAXONOMY, &fx->key, &fx->r, &err) < 0)
        fail_msg("reconciler: %s", err.message);
    assert_int_equal(og_reconciler_create(&w, TAXONOMY, NULL, &fx->r_nokey, &err), 0);
    assert_int_equal(og_reconciler_create(&w, NULL, &fx->key, &fx->r_notax, &err), 0);
    og_world_free(&w); /* the reconciler keeps no pointer into the world */
    fx->arena = og_arena_create(0);
    assert_non_null(fx->arena);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    og_reconciler_destroy(fx->r);
    og_reconciler_destroy(fx->r_nokey);
    og_reconciler_destroy(fx->r_notax);
    og_arena_destroy(fx->arena);
    free(fx);
    return 0;
}

/* ---- placement ----------------------------------------------------------------------------- */

struct placed {
    int rc;
    struct og_place p;
    struct og_error err;
};

static struct placed place(struct fixture *fx, const char *dept, const char *grid,
                           const char *community, const char *dept_grid, bool has_point, double lng,
                           double lat, const char *crs)
{
    struct placed out;
    og_error_clear(&out.err);
    out.rc = og_reconcile_place(fx->r, dept, grid, community, dept_grid, has_point, lng, lat, crs,
                                fx->arena, &out.p, &out.err);
    return out;
}

static void expect_place(const struct placed *pl, const char *method, const char *grid,
                         const char *community, const char *street)
{
    if (pl->rc != 0)
        fail_msg("placement failed: %s", pl->err.message);
    assert_string_equal(pl->p.grid_method, method);
    if (grid)
        assert_string_equal(pl->p.grid_code, grid);
    else
        assert_null(pl->p.grid_code);
    if (community)
        assert_string_equal(pl->p.community_code, community);
    else
        assert_null(pl->p.community_code);
    if (street)
        assert_string_equal(pl->p.street_code, street);
    else
        assert_null(pl->p.street_code);
}

static void test_grid_count(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(og_reconciler_grid_count(fx->r), 4);
}

/* 1. The record's own unified grid code wins over its point and its department grid. */
static void test_place_source(void **state)
{
    struct fixture *fx = *state;
    struct placed pl = place(fx, "UM", G3, NULL, "44051110100101", true, 116.695, 23.365, "wgs84");
    expect_place(&pl, "source", G3, "440511001002", "440511001");
    /* the point is converted and kept whatever places the record */
    assert_true(pl.p.has_point);
    assert_true(fabs(pl.p.lon - 116.695) < 1e-12 && fabs(pl.p.lat - 23.365) < 1e-12);
    assert_string_equal(pl.p.source_crs, "wgs84");
    pl = place(fx, NULL, G4, NULL, NULL, false, 0, 0, NULL);
    expect_place(&pl, "source", G4, "440511002001", "440511002");
    assert_false(pl.p.has_point);
    /* a 15-digit code that is not a grid here falls through to the point */
    pl = place(fx, "HL", "440511001001009", NULL, NULL, true, 116.695, 23.365, NULL);
    expect_place(&pl, "point", G4, "440511002001", "440511002");
}

/* 2. The point, converted to WGS-84 first: the raw GCJ-02 / BD-09 numbers lie in other grids. */
static void test_place_point_crs(void **state)
{
    struct fixture *fx = *state;
    const double wlng = 116.6875, wlat = 23.3715; /* inside G1, near its south-east corner */
    static const struct {
        const char *crs;
        enum og_crs c;
        double tol;
    } cases[] = {
        {"wgs84", OG_CRS_WGS84, 1e-12},       {"WGS-84", OG_CRS_WGS84, 1e-12},
        {"cgcs2000", OG_CRS_CGCS2000, 1e-12}, {"gcj02", OG_CRS_GCJ02, 1e-8},
        {"GCJ-02", OG_CRS_GCJ02, 1e-8},       {"bd09", OG_CRS_BD09, 1e-5},
        {"BD-09", OG_CRS_BD09, 1e-5},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double lng, lat;
        assert_int_equal(og_geo_from_wgs84(cases[i].c, wlng, wlat, &lng, &lat), 0);
        if (cases[i].c == OG_CRS_GCJ02 || cases[i].c == OG_CRS_BD09) {
            /* precondition: read as WGS-84, the raw numbers land in another grid */
            struct placed raw = place(fx, NULL, NULL, NULL, NULL, true, lng, lat, "wgs84");
            assert_int_equal(raw.rc, 0);
            assert_string_equal(raw.p.grid_method, "point");
            assert_string_not_equal(raw.p.grid_code, G1);
        }
        struct placed pl = place(fx, "HL", NULL, NULL, NULL, true, lng, lat, cases[i].crs);
        expect_place(&pl, "point", G1, "440511001001", "440511001");
        assert_true(pl.p.has_point);
        if (fabs(pl.p.lon - wlng) > cases[i].tol || fabs(pl.p.lat - wlat) > cases[i].tol)
            fail_msg("%s: kept point (%.9f, %.9f), want (%.9f, %.9f)", cases[i].crs, pl.p.lon,
                     pl.p.lat, wlng, wlat);
        assert_string_equal(pl.p.source_crs, og_crs_name(cases[i].c));
    }
    /* no crs means WGS-84 */
    struct placed pl = place(fx, "HL", NULL, NULL, NULL, true, 116.695, 23.375, NULL);
    expect_place(&pl, "point", G2, "440511001001", "440511001");
    assert_string_equal(pl.p.source_crs, "wgs84");
}

/* 3. The department crosswalk: exact code, best weight, ties to the smaller grid code. */
static void test_place_crosswalk_exact(void **state)
{
    struct fixture *fx = *state;
    struct placed pl = place(fx, "UM", NULL, NULL, "44051110100101", false, 0, 0, NULL);
    expect_place(&pl, "crosswalk", G2, "440511001001", "440511001");
    pl = place(fx, "UM", NULL, NULL, "44051110100199", false, 0, 0, NULL);
    expect_place(&pl, "crosswalk", G1, "440511001001", "440511001");
    /* a point outside every grid (Beijing, GCJ-02) falls back to the crosswalk, the point is kept
     */
    pl = place(fx, "UM", NULL, NULL, "44051110100101", true, 116.403963, 39.915119, "gcj02");
    expect_place(&pl, "crosswalk", G2, "440511001001", "440511001");
    assert_true(pl.p.has_point);
    assert_true(pl.p.lat > 39.9 && pl.p.lat < 39.92);
    /* the crosswalk is per department */
    pl = place(fx, "FR", NULL, NULL, "东方街道新乡社区", false, 0, 0, NULL);
    expect_place(&pl, "crosswalk", G3, "440511001002", "440511001");
    pl = place(fx, "HL", NULL, NULL, "东方街道新乡社区", false, 0, 0, NULL);
    expect_place(&pl, "none", NULL, NULL, NULL);
    /* UM's unit grid code given by another department: not UM's crosswalk row (G2), only its
     * 2016 community prefix */
    pl = place(fx, "FR", NULL, NULL, "44051110100101", false, 0, 0, NULL);
    expect_place(&pl, "community", NULL, "440511001002", "440511001");
}

/* Fire grid names normalised: 街道/社区/居委会 and spaces dropped; same community name in two
 * streets. */
static void test_place_crosswalk_fire_names(void **state)
{
    struct fixture *fx = *state;
    struct placed pl = place(fx, "FR", NULL, NULL, "东方街道东华社区", false, 0, 0, NULL);
    expect_place(&pl, "crosswalk", G1, "440511001001", "440511001"); /* weight 0.6 beats 0.4 */
    pl = place(fx, "FR", NULL, NULL, "东方街道东华居委会", false, 0, 0, NULL);
    expect_place(&pl, "crosswalk", G1, "440511001001", "440511001");
    pl = place(fx, "FR", NULL, NULL, "东方东华社区居委会", false, 0, 0, NULL);
    expect_place(&pl, "crosswalk", G1, "440511001001", "440511001");
    pl = place(fx, "FR", NULL, NULL, "西方街道东华社区", false, 0, 0, NULL);
    expect_place(&pl, "crosswalk", G4, "440511002001", "440511002");
    pl = place(fx, "FR", NULL, NULL, "西方街道 东华居委会", false, 0, 0, NULL);
    expect_place(&pl, "crosswalk", G4, "440511002001", "440511002");
    pl = place(fx, "FR", NULL, NULL, "西方东华", false, 0, 0, NULL);
    expect_place(&pl, "crosswalk", G4, "440511002001", "440511002");
    /* the community name alone is ambiguous: no street, no match */
    pl = place(fx, "FR", NULL, NULL, "东华社区", false, 0, 0, NULL);
    expect_place(&pl, "none", NULL, NULL, NULL);
    pl = place(fx, "FR", NULL, NULL, "东方街道第3消防网格", false, 0, 0, NULL);
    expect_place(&pl, "none", NULL, NULL, NULL);
}

/* 4. The community: current 12-digit codes, 2016 codes through the alias table, 14-digit unit grids
 * and 15-digit codes by their first 12 digits. */
static void test_place_community(void **state)
{
    struct fixture *fx = *state;
    struct placed pl = place(fx, "HL", NULL, "440511002001", NULL, false, 0, 0, NULL);
    expect_place(&pl, "community", NULL, "440511002001", "440511002");
    /* a 12-digit "grid code" is a community (HL gridCode without the sequence) */
    pl = place(fx, "HL", "440511001002", NULL, NULL, false, 0, 0, NULL);
    expect_place(&pl, "community", NULL, "440511001002", "440511001");
    /* 2016 code */
    pl = place(fx, "HL", NULL, "440511101001", NULL, false, 0, 0, NULL);
    expect_place(&pl, "community", NULL, "440511001002", "440511001");
    /* a UM unit grid with no crosswalk row: its first 12 digits are a 2016 community */
    pl = place(fx, "UM", NULL, NULL, "44051110100207", false, 0, 0, NULL);
    expect_place(&pl, "community", NULL, "440511002001", "440511002");
    /* a 15-digit police code as community */
    pl = place(fx, "PS", NULL, "440511101001123", NULL, false, 0, 0, NULL);
    expect_place(&pl, "community", NULL, "440511001002", "440511001");
    /* the point comes before the community */
    pl = place(fx, "HL", NULL, "440511002001", NULL, true, 116.685, 23.375, "wgs84");
    expect_place(&pl, "point", G1, "440511001001", "440511001");
}

/* The first 12 digits of a 14-/15-digit code may be a *current* community code too. */
static void test_place_community_current_prefix(void **state)
{
    struct fixture *fx = *state;
    struct placed pl = place(fx, "PS", NULL, "440511002001123", NULL, false, 0, 0, NULL);
    expect_place(&pl, "community", NULL, "440511002001", "440511002");
    pl = place(fx, "UM", NULL, NULL, "44051100200107", false, 0, 0, NULL);
    expect_place(&pl, "community", NULL, "440511002001", "440511002");
}

/* 5. Nothing places the record. */
static void test_place_none(void **state)
{
    struct fixture *fx = *state;
    struct placed pl = place(fx, "UM", NULL, NULL, NULL, false, 0, 0, NULL);
    expect_place(&pl, "none", NULL, NULL, NULL);
    assert_false(pl.p.has_point);
    /* unknown unit grid, no coordinates (UM unit_grid_unknown_no_coords) */
    pl = place(fx, "UM", NULL, NULL, "44051199999999", false, 0, 0, NULL);
    expect_place(&pl, "none", NULL, NULL, NULL);
    /* a crosswalk row to a grid not in the world is ignored */
    pl = place(fx, "UM", NULL, NULL, "44051199999998", false, 0, 0, NULL);
    expect_place(&pl, "none", NULL, NULL, NULL);
    pl = place(fx, "HL", NULL, "440511009009", NULL, true, 116.75, 23.365, "wgs84");
    expect_place(&pl, "none", NULL, NULL, NULL);
    assert_true(pl.p.has_point);
    assert_true(fabs(pl.p.lon - 116.75) < 1e-12);
}

static void test_place_invalid(void **state)
{
    struct fixture *fx = *state;
    struct placed pl = place(fx, "HL", G1, NULL, NULL, true, 116.685, 23.375, "utm");
    assert_int_equal(pl.rc, OG_EREJECT);
    assert_string_equal(og_reason_name(pl.err.reason), "invalid_crs");
    assert_int_equal(pl.err.klass, OG_CLASS_REJECT);
    assert_non_null(strstr(pl.err.message, "utm"));
    /* a crs without a point is not looked at */
    pl = place(fx, "HL", G1, NULL, NULL, false, 0, 0, "utm");
    expect_place(&pl, "source", G1, "440511001001", "440511001");

    static const double bad[][2] = {{181, 23},  {-180.5, 23}, {116, 90.01},
                                    {116, -91}, {NAN, 23},    {116, INFINITY}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        pl = place(fx, "HL", G1, NULL, NULL, true, bad[i][0], bad[i][1], "wgs84");
        if (pl.rc != OG_EREJECT || strcmp(og_reason_name(pl.err.reason), "invalid_point") != 0)
            fail_msg("(%g, %g): expected invalid_point, got rc %d reason %s", bad[i][0], bad[i][1],
                     pl.rc, og_reason_name(pl.err.reason));
        assert_int_equal(pl.err.klass, OG_CLASS_REJECT);
    }
    /* the edges are valid coordinates (outside every grid) */
    pl = place(fx, "HL", NULL, NULL, NULL, true, 180, -90, "wgs84");
    expect_place(&pl, "none", NULL, NULL, NULL);
}

/* ---- og_reconcile: events ------------------------------------------------------------------ */

static struct og_mapping *load_mapping(const char *path)
{
    struct og_mapping *m = NULL;
    struct og_error err;
    og_error_clear(&err);
    if (og_mapping_load(path, &m, &err) < 0)
        fail_msg("%s: %s", path, err.message);
    return m;
}

static struct og_mval txt(const char *s)
{
    return (struct og_mval){.type = OG_V_TEXT, .s = s};
}
static struct og_mval num(double f)
{
    return (struct og_mval){.type = OG_V_NUM, .f = f};
}
static struct og_mval tim(int64_t us)
{
    return (struct og_mval){.type = OG_V_TIME, .t = us};
}

#define T0 (1580709900LL * 1000000) /* 2020-02-03T06:05:00Z */
#define T1 (T0 + 3600LL * 1000000)
#define T2 (T0 + 7200LL * 1000000)

static struct og_mapped event_in(const char *source_id)
{
    struct og_mapped in;
    memset(&in, 0, sizeof(in));
    in.v[OG_F_SOURCE_ID] = txt(source_id);
    in.v[OG_F_REPORTED_AT] = tim(T0);
    in.attrs = "{\"k\":1}";
    return in;
}

static int reconcile(const struct og_reconciler *r, struct fixture *fx, const struct og_mapping *m,
                     const struct og_mapped *in, struct og_unified *out, struct og_error *err)
{
    struct og_pos pos = {.source = "um_src",
                         .input = "cases.json",
                         .line = 7,
                         .offset = 99,
                         .index = 3,
                         .partition = -1};
    og_error_clear(err);
    struct og_mapped kind_in = *in; /* the mapping's (only) kind, as og_mapping_apply sets it */
    kind_in.kind = og_mapping_kind_at(m, 0);
    return og_reconcile(r, m, "um_src", &kind_in, &pos, fx->arena, out, err);
}

static void test_event_ids_and_place(void **state)
{
    struct fixture *fx = *state;
    struct og_mapping *m = load_mapping(FIX "event_um.json");
    struct og_mapped in = event_in("UM2020-0001");
    in.v[OG_F_DEPT_GRID] = txt("44051110100101");
    in.v[OG_F_ADDRESS] = txt("升平路151号");
    in.v[OG_F_SUMMARY] = txt("绿地损坏");
    struct og_unified out;
    struct og_error err;
    int rc = reconcile(fx->r, fx, m, &in, &out, &err);
    if (rc != 0)
        fail_msg("%s", err.message);
    assert_int_equal(out.kind, OG_KIND_EVENT);
    const struct og_event *ev = &out.u.event;
    assert_string_equal(ev->event_id, "UM:um_src:UM2020-0001");
    assert_string_equal(ev->department, "UM");
    assert_string_equal(ev->source, "um_src");
    assert_string_equal(ev->source_id, "UM2020-0001");
    assert_string_equal(ev->place.grid_method, "crosswalk");
    assert_string_equal(ev->place.grid_code, G2);
    assert_string_equal(ev->address, "升平路151号");
    assert_string_equal(ev->summary, "绿地损坏");
    assert_string_equal(ev->attrs, "{\"k\":1}");
    assert_int_equal(out.pos.line, 7);
    assert_int_equal(out.pos.index, 3);
    assert_string_equal(out.pos.input, "cases.json");

    /* point from mapped lon/lat/crs */
    double lng, lat;
    assert_int_equal(og_geo_from_wgs84(OG_CRS_BD09, 116.6925, 23.3625, &lng, &lat), 0);
    in = event_in("UM2020-0002");
    in.v[OG_F_LON] = num(lng);
    in.v[OG_F_LAT] = num(lat);
    in.v[OG_F_CRS] = txt("bd09");
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
    assert_string_equal(out.u.event.place.grid_method, "point");
    assert_string_equal(out.u.event.place.grid_code, G4);
    /* only one of lon/lat is no point */
    in.v[OG_F_LAT].type = OG_V_NULL;
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
    assert_string_equal(out.u.event.place.grid_method, "none");
    assert_false(out.u.event.place.has_point);
    /* placement errors come through */
    in.v[OG_F_LAT] = num(lat);
    in.v[OG_F_CRS] = txt("mercator");
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), OG_EREJECT);
    assert_string_equal(og_reason_name(err.reason), "invalid_crs");
    in.v[OG_F_CRS] = txt("wgs84");
    in.v[OG_F_LAT] = num(123.0);
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), OG_EREJECT);
    assert_string_equal(og_reason_name(err.reason), "invalid_point");
    /* no source_id */
    in = event_in("x");
    in.v[OG_F_SOURCE_ID].type = OG_V_NULL;
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), OG_EREJECT);
    assert_string_equal(og_reason_name(err.reason), "missing_field");
    og_mapping_destroy(m);
}

static void test_event_taxonomy(void **state)
{
    struct fixture *fx = *state;
    struct og_mapping *m = load_mapping(FIX "event_um.json");
    struct og_unified out;
    struct og_error err;
    struct og_mapped in = event_in("C1");
    in.v[OG_F_CATEGORY_CODE] = txt("0101");
    in.v[OG_F_SOURCE_CATEGORY] = txt("0103");
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
    assert_string_equal(out.u.event.category_code, "0101");
    assert_string_equal(out.u.event.category_name, "消防安全");
    assert_string_equal(out.u.event.source_category, "0103");
    /* unmapped: 9999 is allowed */
    in = event_in("C2");
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
    assert_string_equal(out.u.event.category_code, "9999");
    assert_string_equal(out.u.event.category_name, "未映射");
    in.v[OG_F_CATEGORY_CODE] = txt("9999");
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
    assert_string_equal(out.u.event.category_code, "9999");
    /* not in the taxonomy */
    in.v[OG_F_CATEGORY_CODE] = txt("7777");
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), OG_EREJECT);
    assert_string_equal(og_reason_name(err.reason), "invalid_category");
    assert_int_equal(err.klass, OG_CLASS_REJECT);
    assert_non_null(strstr(err.message, "7777"));
    /* without a taxonomy every code passes, unnamed */
    assert_int_equal(reconcile(fx->r_notax, fx, m, &in, &out, &err), 0);
    assert_string_equal(out.u.event.category_code, "7777");
    assert_null(out.u.event.category_name);
    og_mapping_destroy(m);
}

static void test_event_status_and_times(void **state)
{
    struct fixture *fx = *state;
    struct og_mapping *m = load_mapping(FIX "event_um.json");
    struct og_unified out;
    struct og_error err;
    const struct og_event *ev = &out.u.event;

    /* no status: reported; no updated_at: reported_at */
    struct og_mapped in = event_in("S1");
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
    assert_string_equal(ev->status, "reported");
    assert_true(ev->reported_at.set && ev->reported_at.us == T0);
    assert_true(ev->updated_at.set && ev->updated_at.us == T0);
    assert_false(ev->closed_at.set);

    /* closed and resolved: closed_at from updated_at */
    static const char *const done[] = {"closed", "resolved"};
    for (size_t i = 0; i < 2; i++) {
        in = event_in("S2");
        in.v[OG_F_STATUS] = txt(done[i]);
        in.v[OG_F_SOURCE_STATUS] = txt("结案");
        in.v[OG_F_UPDATED_AT] = tim(T1);
        assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
        assert_string_equal(ev->status, done[i]);
        assert_string_equal(ev->source_status, "结案");
        assert_true(ev->updated_at.set && ev->updated_at.us == T1);
        assert_true(ev->closed_at.set);
        assert_int_equal(ev->closed_at.us, T1);
    }
    /* closed without updated_at: reported_at */
    in = event_in("S3");
    in.v[OG_F_STATUS] = txt("closed");
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
    assert_true(ev->closed_at.set && ev->closed_at.us == T0);
    /* a given closed_at is kept */
    in.v[OG_F_UPDATED_AT] = tim(T1);
    in.v[OG_F_CLOSED_AT] = tim(T2);
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
    assert_int_equal(ev->closed_at.us, T2);
    /* open statuses get no closed_at */
    static const char *const open[] = {"reported", "dispatched", "in_progress", "void"};
    for (size_t i = 0; i < 4; i++) {
        in = event_in("S4");
        in.v[OG_F_STATUS] = txt(open[i]);
        in.v[OG_F_UPDATED_AT] = tim(T1);
        assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
        assert_string_equal(ev->status, open[i]);
        assert_false(ev->closed_at.set);
    }
    /* not a unified status */
    static const char *const bad[] = {"open", "Closed", "立案", ""};
    for (size_t i = 0; i < 4; i++) {
        in = event_in("S5");
        in.v[OG_F_STATUS] = txt(bad[i]);
        if (reconcile(fx->r, fx, m, &in, &out, &err) != OG_EREJECT ||
            strcmp(og_reason_name(err.reason), "invalid_status") != 0)
            fail_msg("status \"%s\" should be invalid_status, got %s", bad[i],
                     og_reason_name(err.reason));
    }
    og_mapping_destroy(m);
}

/* ---- identities ---------------------------------------------------------------------------- */

static bool is_hex64(const char *s)
{
    if (!s || strlen(s) != 64)
        return false;
    for (size_t i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* printf '%s' 'uscc:91110000600037341L' | openssl dgst -sha256 -hmac 'onegrid-unit-test-key-0001'
 */
#define USCC_OK "91110000600037341L"
#define USCC_OK_HMAC "4214545b2f0b59e030c1c51c387fa5c3da86830ae68c56c2a7f25a09df0101ae"
/* printf '%s' 'id:11010519491231002X' | openssl dgst -sha256 -hmac 'onegrid-unit-test-key-0001' */
#define ID_OK "11010519491231002X"
#define ID_OK_HMAC "5c14a42d23e148164509be3702bd96ccd6019417f946e6a007f812a7fa7ee0ca"

static void test_event_identity(void **state)
{
    struct fixture *fx = *state;
    struct og_mapping *m = load_mapping(FIX "event_um.json");
    struct og_unified out;
    struct og_error err;
    const struct og_event *ev = &out.u.event;

    /* valid USCC: valid, the published HMAC vector (kind prefix "uscc"), masked 8 + 2 */
    struct og_mapped in = event_in("I1");
    in.v[OG_F_SUBJECT_ID] = txt(USCC_OK);
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
    assert_int_equal(ev->subject_valid, 1);
    assert_true(is_hex64(ev->subject_key));
    assert_string_equal(ev->subject_key, USCC_OK_HMAC);
    assert_string_equal(ev->subject_masked, "91110000********1L");
    /* another spelling of the same number: the same key */
    in.v[OG_F_SUBJECT_ID] = txt(" 91110000600037341l ");
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
    assert_int_equal(ev->subject_valid, 1);
    assert_string_equal(ev->subject_key, USCC_OK_HMAC);

    /* wrong check character: loads, not valid, still hashed and masked */
    in.v[OG_F_SUBJECT_ID] = txt("91110000600037341M");
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
    assert_int_equal(ev->subject_valid, 0);
    assert_true(is_hex64(ev->subject_key));
    assert_string_not_equal(ev->subject_key, USCC_OK_HMAC);
    assert_string_equal(ev->subject_masked, "91110000********1M");

    /* no key: no hash, but validated and masked */
    in.v[OG_F_SUBJECT_ID] = txt(USCC_OK);
    assert_int_equal(reconcile(fx->r_nokey, fx, m, &in, &out, &err), 0);
    assert_null(ev->subject_key);
    assert_string_equal(ev->subject_masked, "91110000********1L");
    assert_int_equal(ev->subject_valid, 1);

    /* no subject: unknown */
    in.v[OG_F_SUBJECT_ID].type = OG_V_NULL;
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
    assert_null(ev->subject_key);
    assert_null(ev->subject_masked);
    assert_int_equal(ev->subject_valid, -1);
    og_mapping_destroy(m);

    /* require_valid: an invalid number rejects the record */
    m = load_mapping(FIX "event_fr_valid.json");
    in = event_in("I2");
    in.v[OG_F_SUBJECT_ID] = txt("91110000600037341M");
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), OG_EREJECT);
    assert_string_equal(og_reason_name(err.reason), "invalid_id");
    assert_string_equal(err.field, "subject_id");
    assert_int_equal(err.klass, OG_CLASS_REJECT);
    assert_null(strstr(err.message, "91110000600037341M")); /* never the raw number in a message */
    in.v[OG_F_SUBJECT_ID] = txt("9111000060003734");
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), OG_EREJECT);
    assert_string_equal(og_reason_name(err.reason), "invalid_id");
    in.v[OG_F_SUBJECT_ID] = txt(USCC_OK);
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
    assert_string_equal(ev->event_id, "FR:um_src:I2");
    assert_string_equal(ev->subject_key, USCC_OK_HMAC);
    og_mapping_destroy(m);
}

/* ---- visits -------------------------------------------------------------------------------- */

static struct og_mapped visit_in(struct og_mapped_member *mem, size_t n)
{
    struct og_mapped in;
    memset(&in, 0, sizeof(in));
    in.v[OG_F_SOURCE_ID] = txt("V1");
    in.v[OG_F_VISITED_AT] = tim(T0);
    in.v[OG_F_WORKER_ID] = txt("JPW0001");
    in.v[OG_F_GRID_CODE] = txt(G3);
    in.members = mem;
    in.nmembers = n;
    in.attrs = "{}";
    return in;
}

static void test_visit_members(void **state)
{
    struct fixture *fx = *state;
    struct og_mapping *m = load_mapping(FIX "visit_hl.json");
    static const char *symptoms[] = {"fever", "cough"};
    static const char *travel[] = {"武汉"};
    struct og_mapped_member mem[3];
    memset(mem, 0, sizeof(mem));
    mem[0].v[OG_M_ID_NO] = txt(ID_OK);
    mem[0].v[OG_M_NAME] = txt("张三丰");
    mem[0].v[OG_M_TEMPERATURE] = num(37.8);
    mem[0].v[OG_M_SYMPTOMS] = (struct og_mval){.type = OG_V_LIST, .items = symptoms, .n = 2};
    mem[0].v[OG_M_TRAVEL] = (struct og_mval){.type = OG_V_LIST, .items = travel, .n = 1};
    mem[0].v[OG_M_HEALTH_CODE] = txt("yellow");
    mem[1].v[OG_M_ID_NO] = txt("110105194912310021"); /* bad check digit */
    mem[1].v[OG_M_NAME] = txt("李");
    mem[1].v[OG_M_TEMPERATURE] = num(45.0);
    mem[2].v[OG_M_TEMPERATURE] = num(25.0);
    struct og_mapped in = visit_in(mem, 3);
    struct og_unified out;
    struct og_error err;
    int rc = reconcile(fx->r, fx, m, &in, &out, &err);
    if (rc != 0)
        fail_msg("%s", err.message);
    assert_int_equal(out.kind, OG_KIND_VISIT);
    const struct og_visit *vi = &out.u.visit;
    assert_string_equal(vi->visit_id, "HL:um_src:V1");
    assert_string_equal(vi->department, "HL");
    assert_string_equal(vi->worker_id, "JPW0001");
    assert_true(vi->visited_at.set && vi->visited_at.us == T0);
    assert_string_equal(vi->place.grid_method, "source");
    assert_string_equal(vi->place.grid_code, G3);
    assert_int_equal(vi->nmembers, 3);
    /* member 1: valid resident ID, the published HMAC vector (kind prefix "id") */
    assert_int_equal(vi->members[0].id_valid, 1);
    assert_string_equal(vi->members[0].person_key, ID_OK_HMAC);
    assert_string_equal(vi->members[0].id_masked, "110105********002X");
    assert_string_equal(vi->members[0].name_masked, "张**");
    assert_true(vi->members[0].has_temperature);
    assert_true(fabs(vi->members[0].temperature - 37.8) < 1e-12);
    assert_int_equal(vi->members[0].nsymptoms, 2);
    assert_string_equal(vi->members[0].symptoms[1], "cough");
    assert_int_equal(vi->members[0].ntravel, 1);
    assert_string_equal(vi->members[0].travel[0], "武汉");
    assert_string_equal(vi->members[0].health_code, "yellow");
    /* member 2: invalid ID loads (not required valid), masked, hashed */
    assert_int_equal(vi->members[1].id_valid, 0);
    assert_true(is_hex64(vi->members[1].person_key));
    assert_string_equal(vi->members[1].id_masked, "110105********0021");
    assert_string_equal(vi->members[1].name_masked, "*");
    assert_true(vi->members[1].has_temperature); /* 45.0: the upper edge is accepted */
    /* member 3: nothing known */
    assert_int_equal(vi->members[2].id_valid, -1);
    assert_null(vi->members[2].person_key);
    assert_null(vi->members[2].id_masked);
    assert_null(vi->members[2].name_masked);
    assert_null(vi->members[2].health_code);
    assert_int_equal(vi->members[2].nsymptoms, 0);

    /* without a key: masked, no person_key */
    assert_int_equal(reconcile(fx->r_nokey, fx, m, &in, &out, &err), 0);
    assert_null(out.u.visit.members[0].person_key);
    assert_string_equal(out.u.visit.members[0].id_masked, "110105********002X");
    assert_int_equal(out.u.visit.members[0].id_valid, 1);
    og_mapping_destroy(m);
}

static void test_visit_temperature_range(void **state)
{
    struct fixture *fx = *state;
    struct og_mapping *m = load_mapping(FIX "visit_hl.json");
    static const double bad[] = {45.01, 24.99, 98.6, -1.0, NAN};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct og_mapped_member mem[2];
        memset(mem, 0, sizeof(mem));
        mem[0].v[OG_M_TEMPERATURE] = num(36.6);
        mem[1].v[OG_M_TEMPERATURE] = num(bad[i]);
        struct og_mapped in = visit_in(mem, 2);
        struct og_unified out;
        struct og_error err;
        int rc = reconcile(fx->r, fx, m, &in, &out, &err);
        if (rc != OG_EREJECT || strcmp(og_reason_name(err.reason), "invalid_value") != 0)
            fail_msg("temperature %g: expected invalid_value, got rc %d reason %s", bad[i], rc,
                     og_reason_name(err.reason));
        assert_string_equal(err.field, "temperature");
        assert_non_null(strstr(err.message, "member 2"));
    }
    /* a member without a temperature is fine */
    struct og_mapped_member one;
    memset(&one, 0, sizeof(one));
    struct og_mapped in = visit_in(&one, 1);
    struct og_unified out;
    struct og_error err;
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
    assert_false(out.u.visit.members[0].has_temperature);
    og_mapping_destroy(m);
}

static void test_visit_require_valid(void **state)
{
    struct fixture *fx = *state;
    struct og_mapping *m = load_mapping(FIX "visit_hl_valid.json");
    struct og_mapped_member mem[2];
    memset(mem, 0, sizeof(mem));
    mem[0].v[OG_M_ID_NO] = txt(ID_OK);
    mem[1].v[OG_M_ID_NO] = txt("110105194902301234"); /* 1949-02-30 */
    struct og_mapped in = visit_in(mem, 2);
    struct og_unified out;
    struct og_error err;
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), OG_EREJECT);
    assert_string_equal(og_reason_name(err.reason), "invalid_id");
    assert_string_equal(err.field, "id_no");
    assert_non_null(strstr(err.message, "member 2"));
    assert_null(strstr(err.message, "110105194902301234"));
    in.nmembers = 1;
    assert_int_equal(reconcile(fx->r, fx, m, &in, &out, &err), 0);
    assert_int_equal(out.u.visit.members[0].id_valid, 1);
    og_mapping_destroy(m);
}

/* ---- creation errors ----------------------------------------------------------------------- */

static void test_create_errors(void **state)
{
    (void)state;
    struct og_world w;
    build_world(&w);
    struct og_reconciler *r = (struct og_reconciler *)&r;
    struct og_error err;
    og_error_clear(&err);
    assert_true(og_reconciler_create(&w, "tests/fixtures/reconcile/no_such_taxonomy.csv", NULL, &r,
                                     &err) < 0);
    assert_null(r);
    assert_non_null(strstr(err.message, "no_such_taxonomy.csv"));

    assert_int_equal(
        og_world_add_grid(&w, "440511001002002", "bad", "440511001002", "440511001", "440511",
                          "{\"type\": \"MultiPolygon\", \"coordinates\": [[[[116.6, 23.3]]]]}"),
        0);
    og_error_clear(&err);
    assert_true(og_reconciler_create(&w, NULL, NULL, &r, &err) < 0);
    assert_null(r);
    assert_non_null(strstr(err.message, "440511001002002"));
    og_world_free(&w);
    og_reconciler_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_count),
        cmocka_unit_test(test_place_source),
        cmocka_unit_test(test_place_point_crs),
        cmocka_unit_test(test_place_crosswalk_exact),
        cmocka_unit_test(test_place_crosswalk_fire_names),
        cmocka_unit_test(test_place_community),
        cmocka_unit_test(test_place_community_current_prefix),
        cmocka_unit_test(test_place_none),
        cmocka_unit_test(test_place_invalid),
        cmocka_unit_test(test_event_ids_and_place),
        cmocka_unit_test(test_event_taxonomy),
        cmocka_unit_test(test_event_status_and_times),
        cmocka_unit_test(test_event_identity),
        cmocka_unit_test(test_visit_members),
        cmocka_unit_test(test_visit_temperature_range),
        cmocka_unit_test(test_visit_require_valid),
        cmocka_unit_test(test_create_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
