/* test_report_page.c - unit tests for analysis/report_page.c: the page of a small made-up overview:
 * one path per grid with its class and hover title, names escaped, department toggles, the worst
 * grids, the runs, nothing loaded from elsewhere. */
#include "analysis/report_page.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static struct og_overview_grid GRIDS[] = {
    {.code = "440511001001001",
     .name = "新湖<b>第1网格</b>",
     .community_code = "440511001001",
     .community_name = "新湖社区",
     .street_code = "440511001",
     .street_name = "石炮台街道",
     .residents = 100,
     .open_hazards = 0,
     .has_per_1000 = true,
     .per_1000 = 20,
     .svg = "M 116 -23.1 L 116.1 -23.1 116.1 -23 116 -23 Z"},
    {.code = "440511001001002",
     .name = "新湖居委会第2网格",
     .community_code = "440511001001",
     .community_name = "新湖社区",
     .street_code = "440511001",
     .street_name = "石炮台街道",
     .residents = 0,
     .open_hazards = 4,
     .has_per_1000 = false,
     .svg = "M 116.1 -23.1 L 116.2 -23.1 116.2 -23 116.1 -23 Z"},
    {.code = "440511001001003",
     .name = "新湖居委会第3网格",
     .community_code = "440511001001",
     .community_name = "新湖社区",
     .street_code = "440511001",
     .street_name = "石炮台街道",
     .residents = 10,
     .open_hazards = 1,
     .has_per_1000 = true,
     .per_1000 = 0,
     .svg = "M 116 -23.2 L 116.2 -23.2 116.2 -23.1 116 -23.1 Z"},
};

static struct og_overview_shape SHAPES[] = {
    {.department = "UM",
     .code = "44051101400103",
     .name = "44051101400103",
     .svg = "M 116 -23.2 L 116.2 -23.2 116.2 -23 Z"},
    {.department = "HL",
     .code = "440511001001",
     .name = "新湖居委会",
     .derived = true,
     .svg = "M 116 -23.2 L 116.2 -23.2 116.2 -23 Z"},
};

static struct og_overview_run RUNS[] = {
    {.run_id = "2", .started = "2020-02-03 10:00:00", .status = "running", .command = "run"},
    {.run_id = "1",
     .started = "2020-02-03 09:00:00",
     .finished = "2020-02-03 09:01:00",
     .status = "succeeded",
     .command = "run --source a&b",
     .read = "10",
     .loaded = "9",
     .rejected = "1"},
};

static struct og_overview overview(void)
{
    struct og_overview ov = {.division_code = "440511001",
                             .division_name = "石炮台街道",
                             .parent_name = "金平区",
                             .division_level = 4,
                             .as_of = "2020-03-31 20:25",
                             .as_of_note = "old data <here>",
                             .generated_at = "2026-01-01 00:00",
                             .grids = GRIDS,
                             .ngrids = 3,
                             .shapes = SHAPES,
                             .nshapes = 2,
                             .runs = RUNS,
                             .nruns = 2};
    return ov;
}

static void test_page_open_hazards(void **unused)
{
    (void)unused;
    struct og_overview ov = overview();
    struct og_buf out = OG_BUF_INIT;
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(og_report_page(&ov, OG_MEASURE_OPEN_HAZARDS, "9.9", &out, &err), 0);
    const char *h = out.data;
    static const char START[] =
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\"/>";
    assert_true(strncmp(h, START, strlen(START)) == 0);
    assert_int_equal(count(h, "<path class=\"grid "), 3);
    assert_int_equal(count(h, "data-grid=\"440511001001"), 3);
    /* 0 is green; 1 and 4 are the only non-zero values: breaks 1, 1, 4 (blue, none, orange) */
    assert_non_null(strstr(h, "class=\"grid c0\" data-grid=\"440511001001001\""));
    assert_non_null(strstr(h, "class=\"grid c3\" data-grid=\"440511001001002\""));
    assert_non_null(strstr(h, "class=\"grid c1\" data-grid=\"440511001001003\""));
    /* hover titles: one per grid, one per department grid; names escaped */
    assert_int_equal(count(h, "<title>"), 1 + 3 + 2);
    assert_non_null(strstr(h, "<title>新湖&lt;b&gt;第1网格&lt;/b&gt; 440511001001001\n新湖社区"));
    assert_null(strstr(h, "<b>第1网格"));
    assert_non_null(strstr(h, "old data &lt;here&gt;"));
    assert_non_null(strstr(h, "run --source a&amp;b"));
    assert_non_null(strstr(h, "(not finished)"));
    /* toggles for the departments present only */
    assert_non_null(strstr(h, "id=\"t-UM\""));
    assert_non_null(strstr(h, "id=\"t-HL\""));
    assert_null(strstr(h, "id=\"t-PS\""));
    assert_int_equal(count(h, "<g class=\"dept d-"), 2);
    /* the worst grids: two with a value above 0, the larger first */
    assert_non_null(strstr(h, "Only 2 grids have a value above 0."));
    const char *w = strstr(h, "<table class=\"worst\">");
    assert_non_null(w);
    assert_true(strstr(w, "440511001001002") < strstr(w, "440511001001003"));
    /* self-contained, no script */
    assert_null(strstr(h, "http:"));
    assert_null(strstr(h, "https:"));
    assert_null(strstr(h, "<script"));
    assert_null(strstr(h, "<link"));
    assert_non_null(strstr(h, "</html>\n"));
    /* every element closed where it should be: the page parses as XML (no network, no entities) */
    xmlDocPtr doc = xmlReadMemory(h, (int)out.len, "page.html", "UTF-8",
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    assert_non_null(doc);
    xmlFreeDoc(doc);
    og_buf_free(&out);
}

static void test_page_rate_without_residents(void **unused)
{
    (void)unused;
    struct og_overview ov = overview();
    struct og_buf out = OG_BUF_INIT;
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(og_report_page(&ov, OG_MEASURE_EVENTS_PER_1000, "9.9", &out, &err), 0);
    assert_non_null(strstr(out.data, "class=\"grid nodata\" data-grid=\"440511001001002\""));
    assert_non_null(strstr(out.data, "class=\"grid c1\" data-grid=\"440511001001001\""));
    assert_non_null(strstr(out.data, "data-value=\"20.00\""));
    assert_non_null(strstr(out.data, "no residents, no rate"));
    og_buf_free(&out);
}

static void test_page_bad_geometry(void **unused)
{
    (void)unused;
    struct og_overview ov = overview();
    struct og_overview_grid g = GRIDS[0];
    g.svg = "M 116 -23 Q 1 2";
    ov.grids = &g;
    ov.ngrids = 1;
    struct og_buf out = OG_BUF_INIT;
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(og_report_page(&ov, OG_MEASURE_OPEN_HAZARDS, "9.9", &out, &err), OG_EPARSE);
    assert_non_null(strstr(err.message, "440511001001001"));
    og_buf_free(&out);
}

static void test_measures(void **unused)
{
    (void)unused;
    enum og_measure m;
    assert_int_equal(og_measure_parse("red_yellow", &m), 0);
    assert_int_equal(m, OG_MEASURE_RED_YELLOW);
    assert_int_equal(og_measure_parse("events_per_1000", &m), 0);
    assert_int_equal(m, OG_MEASURE_EVENTS_PER_1000);
    assert_int_equal(og_measure_parse("hazards", &m), OG_EINVAL);
    assert_int_equal(og_measure_parse(NULL, &m), OG_EINVAL);
    assert_string_equal(og_measure_defs()[OG_MEASURE_OPEN_HAZARDS].name, "open_hazards");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_open_hazards),
        cmocka_unit_test(test_page_rate_without_residents),
        cmocka_unit_test(test_page_bad_geometry),
        cmocka_unit_test(test_measures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
