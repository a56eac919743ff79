/* um.c - og-feedgen's UM-1 feed: urban-management cases, Open311 GeoReport v2 requests.json and
 * the same service requests as requests.xml. */
#include "tools/common/text.h"
#include "tools/og-feedgen/feedgen.h"
#include "tools/og-feedgen/links.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct um_code {
    const char *code;
    const char *name;
};

/* 部件 (components) 01xx-05xx, 事件 (events) 10xx-14xx. */
static const struct um_code UM_CODES[] = {
    {"0101", "井盖缺失"},       {"0102", "路灯损坏"},     {"0103", "消防栓损坏"},
    {"0201", "交通护栏损坏"},   {"0202", "交通标志损坏"}, {"0301", "垃圾箱破损"},
    {"0302", "公厕设施损坏"},   {"0401", "绿地损坏"},     {"0402", "行道树倒伏"},
    {"0501", "房屋外立面破损"}, {"1001", "垃圾堆放"},     {"1002", "暴露垃圾"},
    {"1101", "乱张贴"},         {"1102", "违规户外广告"}, {"1201", "违章搭建"},
    {"1202", "施工扰民"},       {"1301", "占道经营"},     {"1302", "店外经营"},
    {"1401", "道路积水"},
};
#define UM_NCODES (sizeof UM_CODES / sizeof UM_CODES[0])

static const char *const UM_STAGES[] = {"立案", "派遣", "处置", "核查", "结案", "作废"};
static const char *const UM_NOTES[] = {
    "已立案，待派遣",   "已派遣至责任单位", "责任单位正在处置",
    "处置完毕，待核查", "核查通过，已结案", "经核实不属实，作废",
};
static const char *const UM_DESC[] = {
    "市民来电反映", "网格员巡查发现", "监督员上报", "市民通过微信公众号反映", "视频巡查发现",
};

enum um_defect {
    UM_OK = 0,
    UM_COORDS_MISSING,
    UM_COORDS_OUTSIDE,
    UM_UNKNOWN_CODE,
    UM_UNIT_UNKNOWN_NO_COORDS,
    UM_INVALID_TIME,
    UM_MISSING_ID,
};

struct um_case {
    long seq;
    enum um_defect defect;
    int code;  /* index into UM_CODES, -1 for the unknown code */
    int stage; /* index into UM_STAGES */
    int64_t requested, updated, expected;
    double lat, lng; /* GCJ-02 */
    char unit[16];
    char address[256];
    char description[256];
    char component[32];
    bool media;
};

/* One array element, 4-space indented. */
static int um_put_case(struct og_buf *b, const struct um_case *c, int variant)
{
    char ts[40], id[32];
    int rc = og_buf_puts(b, "  {\n");
    snprintf(id, sizeof id, "UM2020%08ld", c->seq);
    if (c->defect == UM_MISSING_ID) {
        if (variant % 2 == 0) {
            rc = rc ? rc : og_buf_puts(b, "    \"service_request_id\": \"\",\n");
        }
    }
    else {
        rc = rc ? rc : og_buf_printf(b, "    \"service_request_id\": \"%s\",\n", id);
    }
    bool closed = c->stage >= 4;
    rc = rc ? rc : og_buf_printf(b, "    \"status\": \"%s\",\n", closed ? "closed" : "open");
    rc = rc ? rc : og_buf_puts(b, "    \"status_notes\": ");
    rc = rc ? rc : fg_json_str(b, UM_NOTES[c->stage]);
    rc = rc ? rc : og_buf_puts(b, ",\n    \"service_name\": ");
    rc = rc ? rc : fg_json_str(b, c->code >= 0 ? UM_CODES[c->code].name : "共享单车乱停放");
    rc = rc ? rc
            : og_buf_printf(b, ",\n    \"service_code\": \"%s\",\n",
                            c->code >= 0 ? UM_CODES[c->code].code : "9999");
    rc = rc ? rc : og_buf_puts(b, "    \"description\": ");
    rc = rc ? rc : fg_json_str(b, c->description);
    if (c->defect == UM_INVALID_TIME) {
        og_tool_scopy(ts, sizeof ts, variant % 2 == 0 ? "2020-02-31T10:00:00+08:00" : "yesterday");
    }
    else {
        fg_fmt_iso(ts, sizeof ts, c->requested);
    }
    rc = rc ? rc : og_buf_printf(b, ",\n    \"requested_datetime\": \"%s\",\n", ts);
    fg_fmt_iso(ts, sizeof ts, c->updated);
    rc = rc ? rc : og_buf_printf(b, "    \"updated_datetime\": \"%s\",\n", ts);
    fg_fmt_iso(ts, sizeof ts, c->expected);
    rc = rc ? rc : og_buf_printf(b, "    \"expected_datetime\": \"%s\",\n", ts);
    rc = rc ? rc : og_buf_puts(b, "    \"address\": ");
    rc = rc ? rc : fg_json_str(b, c->address);
    rc = rc ? rc : og_buf_puts(b, ",\n");
    bool no_coords = c->defect == UM_COORDS_MISSING || c->defect == UM_UNIT_UNKNOWN_NO_COORDS;
    if (!no_coords) {
        rc =
            rc ? rc : og_buf_printf(b, "    \"lat\": %.6f,\n    \"long\": %.6f,\n", c->lat, c->lng);
    }
    else if (variant % 2 == 0) {
        rc = rc ? rc : og_buf_puts(b, "    \"lat\": null,\n    \"long\": null,\n");
    }
    if (c->media) {
        rc = rc ? rc
                : og_buf_printf(b, "    \"media_url\": \"https://szcg.example.cn/media/%s.jpg\",\n",
                                id);
    }
    else {
        rc = rc ? rc : og_buf_puts(b, "    \"media_url\": null,\n");
    }
    rc = rc ? rc
            : og_buf_printf(
                  b, "    \"extended_attributes\": {\"unit_grid\": \"%s\", \"stage\": ", c->unit);
    rc = rc ? rc : fg_json_str(b, UM_STAGES[c->stage]);
    if (c->component[0]) {
        rc = rc ? rc : og_buf_printf(b, ", \"component_id\": \"%s\"}\n", c->component);
    }
    else {
        rc = rc ? rc : og_buf_puts(b, ", \"component_id\": null}\n");
    }
    return rc ? rc : og_buf_puts(b, "  }");
}

/* Appends s as XML character data (&, <, > escaped). */
static int xml_text(struct og_buf *b, const char *s)
{
    int rc = 0;
    for (; rc == 0 && *s; s++) {
        rc = *s == '&'   ? og_buf_puts(b, "&amp;")
             : *s == '<' ? og_buf_puts(b, "&lt;")
             : *s == '>' ? og_buf_puts(b, "&gt;")
                         : og_buf_putc(b, *s);
    }
    return rc;
}

/* "<name>text</name>" at indent (text escaped); NULL text: "<name/>" (JSON null). */
static int xml_elem(struct og_buf *b, const char *indent, const char *name, const char *text)
{
    int rc = og_buf_printf(b, "%s<%s%s", indent, name, text ? ">" : "/>\n");
    if (text) {
        rc = rc ? rc : xml_text(b, text);
        rc = rc ? rc : og_buf_printf(b, "</%s>\n", name);
    }
    return rc;
}

/* The same case as um_put_case, as an Open311 requests.xml <request>: the elements in the order of
 * the JSON keys, absent keys absent, null as an empty element, numbers as their JSON text. */
static int um_put_case_xml(struct og_buf *b, const struct um_case *c, int variant)
{
    const char *in = "    ", *in2 = "      ";
    char ts[40], id[32], num[32];
    int rc = og_buf_puts(b, "  <request>\n");
    snprintf(id, sizeof id, "UM2020%08ld", c->seq);
    if (c->defect == UM_MISSING_ID) {
        if (variant % 2 == 0) {
            rc = rc ? rc : og_buf_printf(b, "%s<service_request_id></service_request_id>\n", in);
        }
    }
    else {
        rc = rc ? rc : xml_elem(b, in, "service_request_id", id);
    }
    rc = rc ? rc : xml_elem(b, in, "status", c->stage >= 4 ? "closed" : "open");
    rc = rc ? rc : xml_elem(b, in, "status_notes", UM_NOTES[c->stage]);
    rc = rc ? rc
            : xml_elem(b, in, "service_name",
                       c->code >= 0 ? UM_CODES[c->code].name : "共享单车乱停放");
    rc = rc ? rc : xml_elem(b, in, "service_code", c->code >= 0 ? UM_CODES[c->code].code : "9999");
    rc = rc ? rc : xml_elem(b, in, "description", c->description);
    if (c->defect == UM_INVALID_TIME) {
        og_tool_scopy(ts, sizeof ts, variant % 2 == 0 ? "2020-02-31T10:00:00+08:00" : "yesterday");
    }
    else {
        fg_fmt_iso(ts, sizeof ts, c->requested);
    }
    rc = rc ? rc : xml_elem(b, in, "requested_datetime", ts);
    fg_fmt_iso(ts, sizeof ts, c->updated);
    rc = rc ? rc : xml_elem(b, in, "updated_datetime", ts);
    fg_fmt_iso(ts, sizeof ts, c->expected);
    rc = rc ? rc : xml_elem(b, in, "expected_datetime", ts);
    rc = rc ? rc : xml_elem(b, in, "address", c->address);
    bool no_coords = c->defect == UM_COORDS_MISSING || c->defect == UM_UNIT_UNKNOWN_NO_COORDS;
    if (!no_coords) {
        snprintf(num, sizeof num, "%.6f", c->lat);
        rc = rc ? rc : xml_elem(b, in, "lat", num);
        snprintf(num, sizeof num, "%.6f", c->lng);
        rc = rc ? rc : xml_elem(b, in, "long", num);
    }
    else if (variant % 2 == 0) {
        rc = rc ? rc : xml_elem(b, in, "lat", NULL);
        rc = rc ? rc : xml_elem(b, in, "long", NULL);
    }
    char url[96];
    snprintf(url, sizeof url, "https://szcg.example.cn/media/%s.jpg", id);
    rc = rc ? rc : xml_elem(b, in, "media_url", c->media ? url : NULL);
    rc = rc ? rc : og_buf_printf(b, "%s<extended_attributes>\n", in);
    rc = rc ? rc : xml_elem(b, in2, "unit_grid", c->unit);
    rc = rc ? rc : xml_elem(b, in2, "stage", UM_STAGES[c->stage]);
    rc = rc ? rc : xml_elem(b, in2, "component_id", c->component[0] ? c->component : NULL);
    rc = rc ? rc : og_buf_printf(b, "%s</extended_attributes>\n", in);
    return rc ? rc : og_buf_puts(b, "  </request>\n");
}

static int cmp_um_update(const void *a, const void *b)
{
    const struct um_case *x = a, *y = b;
    if (x->updated != y->updated) {
        return x->updated < y->updated ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The planted UM-1 cases of pl (their own random stream), as requests of the JSON and the XML. */
static int um_planted(const struct fg_world *w, uint64_t seed, const struct fg_plant *pl,
                      struct og_buf *out, struct og_buf *xml, struct fg_feed_stats *st)
{
    struct og_tool_rng r;
    og_tool_rng_seed(&r, seed, 0x4C4B554D); /* "LKUM" */
    int rc = 0;
    for (size_t i = 0; i < pl->nrecs && rc == 0; i++) {
        const struct fg_plant_rec *p = &pl->recs[i];
        if (p->dept != FG_PLANT_UM) {
            continue;
        }
        const struct fg_grid *g = &w->grids[p->grid];
        struct um_case c;
        memset(&c, 0, sizeof c);
        c.seq = atol(p->id + 6);
        c.defect = UM_OK;
        for (size_t k = 0; k < UM_NCODES; k++) {
            if (strcmp(UM_CODES[k].code, p->code) == 0) {
                c.code = (int)k;
            }
        }
        c.stage = p->void_case ? 5 : 0;
        c.requested = p->minutes;
        c.updated = p->minutes + (p->void_case ? 90 : 0);
        c.expected = p->minutes + SPAN_DAY_MIN * 3;
        og_geo_from_wgs84(OG_CRS_GCJ02, p->lng, p->lat, &c.lng, &c.lat);
        int unit = fg_um_unit_for_point(w, g, p->lng, p->lat);
        og_tool_scopy(c.unit, sizeof c.unit, unit >= 0 ? w->units[unit].code : "");
        fg_make_address(&r, w, g->community, false, c.address, sizeof c.address);
        snprintf(c.description, sizeof c.description, "%s%s附近%s，请尽快处理。",
                 OG_TOOL_PICK(&r, UM_DESC), fg_pick_road(&r), UM_CODES[c.code].name);
        if (UM_CODES[c.code].code[0] == '0') {
            snprintf(c.component, sizeof c.component, "%.4s%.6s%05u", UM_CODES[c.code].code,
                     c.unit[0] ? c.unit + 9 : "", og_tool_rng_below(&r, 100000));
        }
        rc = st->written ? og_buf_puts(out, ",\n") : 0;
        rc = rc ? rc : um_put_case(out, &c, (int)(c.seq % 2));
        if (xml) {
            rc = rc ? rc : um_put_case_xml(xml, &c, (int)(c.seq % 2));
            st->xml_records++;
        }
        st->written++;
        st->loaded++;
    }
    return rc;
}

int fg_gen_um(const struct fg_world *w, uint64_t seed, long n, struct og_buf *out,
              struct og_buf *xml, struct fg_feed_stats *st)
{
    return fg_gen_um_planted(w, seed, n, NULL, out, xml, st);
}

int fg_gen_um_planted(const struct fg_world *w, uint64_t seed, long n, const struct fg_plant *pl,
                      struct og_buf *out, struct og_buf *xml, struct fg_feed_stats *st)
{
    struct og_tool_rng r;
    og_tool_rng_seed(&r, seed, 0x554D); /* "UM" */
    struct um_case *cases = calloc((size_t)(n > 0 ? n : 1), sizeof *cases);
    struct um_case *ups = calloc((size_t)(n > 0 ? n : 1), sizeof *ups);
    if (!cases || !ups) {
        free(cases);
        free(ups);
        return OG_ENOMEM;
    }
    const char *dnames[] = {"coords_missing",
                            "coords_outside",
                            "unknown_service_code",
                            "unit_grid_unknown_no_coords",
                            "invalid_time",
                            "missing_id",
                            "bad_json"};
    for (size_t i = 0; i < sizeof dnames / sizeof dnames[0]; i++) {
        fg_tally_add(&st->defects, dnames[i], 0);
    }
    fg_tally_add(&st->rejected, "bad_json", 0);
    fg_tally_add(&st->rejected, "invalid_time", 0);
    fg_tally_add(&st->rejected, "missing_field", 0);

    long nups = 0;
    for (long i = 0; i < n; i++) {
        struct um_case *c = &cases[i];
        c->seq = 10001 + i;
        double u = og_tool_rng_unit(&r);
        c->defect = u < 0.04    ? UM_COORDS_MISSING
                    : u < 0.06  ? UM_COORDS_OUTSIDE
                    : u < 0.08  ? UM_UNKNOWN_CODE
                    : u < 0.095 ? UM_UNIT_UNKNOWN_NO_COORDS
                    : u < 0.11  ? UM_INVALID_TIME
                    : u < 0.12  ? UM_MISSING_ID
                                : UM_OK;
        const struct fg_grid *g =
            &w->grids[w->um_grids[og_tool_rng_below(&r, (uint32_t)w->num_grids)]];
        double lng, lat;
        fg_grid_point(&r, g, OG_CRS_GCJ02, &c->lng, &c->lat, &lng, &lat);
        int unit = fg_um_unit_for_point(w, g, lng, lat);
        og_tool_scopy(c->unit, sizeof c->unit, unit >= 0 ? w->units[unit].code : "");
        if (c->defect == UM_UNIT_UNKNOWN_NO_COORDS) {
            /* a community number that no edition ever had */
            snprintf(c->unit, sizeof c->unit, "%.9s9%02d%02d", w->units[unit >= 0 ? unit : 0].code,
                     og_tool_rng_range(&r, 70, 99), og_tool_rng_range(&r, 1, 9));
        }
        if (c->defect == UM_COORDS_OUTSIDE) {
            fg_far_point(&r, OG_CRS_GCJ02, &c->lng, &c->lat);
        }
        c->code =
            c->defect == UM_UNKNOWN_CODE ? -1 : (int)og_tool_rng_below(&r, (uint32_t)UM_NCODES);
        double s = og_tool_rng_unit(&r);
        c->stage = s < 0.40 ? 0 : s < 0.65 ? 1 : s < 0.80 ? 2 : s < 0.85 ? 3 : s < 0.97 ? 4 : 5;
        c->requested = fg_slot_time(&r, i, n, 0, 52, 7, 21);
        c->updated =
            c->requested + (c->stage == 0 ? 0 : og_tool_rng_range(&r, 10, 60 * 24 * c->stage));
        c->expected = c->requested + SPAN_DAY_MIN * og_tool_rng_range(&r, 1, 5);
        fg_make_address(&r, w, g->community, false, c->address, sizeof c->address);
        const char *what = c->code >= 0 ? UM_CODES[c->code].name : "共享单车乱停放";
        snprintf(c->description, sizeof c->description, "%s%s附近%s，请尽快处理。",
                 OG_TOOL_PICK(&r, UM_DESC), fg_pick_road(&r), what);
        if (c->code >= 0 && UM_CODES[c->code].code[0] == '0') {
            snprintf(c->component, sizeof c->component, "%s%s%05u", UM_CODES[c->code].code,
                     c->unit[0] ? c->unit + 9 : "", og_tool_rng_below(&r, 100000));
        }
        c->media = og_tool_rng_chance(&r, 0.35);

        switch (c->defect) {
        case UM_COORDS_MISSING:
            fg_tally_add(&st->defects, "coords_missing", 1);
            break;
        case UM_COORDS_OUTSIDE:
            fg_tally_add(&st->defects, "coords_outside", 1);
            break;
        case UM_UNKNOWN_CODE:
            fg_tally_add(&st->defects, "unknown_service_code", 1);
            break;
        case UM_UNIT_UNKNOWN_NO_COORDS:
            fg_tally_add(&st->defects, "unit_grid_unknown_no_coords", 1);
            break;
        case UM_INVALID_TIME:
            fg_tally_add(&st->defects, "invalid_time", 1);
            fg_tally_add(&st->rejected, "invalid_time", 1);
            break;
        case UM_MISSING_ID:
            fg_tally_add(&st->defects, "missing_id", 1);
            fg_tally_add(&st->rejected, "missing_field", 1);
            break;
        case UM_OK:
            break;
        }
        if (c->defect != UM_INVALID_TIME && c->defect != UM_MISSING_ID) {
            st->loaded++;
        }
        /* ~15% of the loaded, still-open cases come again later with a later stage */
        if (c->defect != UM_INVALID_TIME && c->defect != UM_MISSING_ID && c->stage < 4 &&
            og_tool_rng_chance(&r, 0.16)) {
            struct um_case *up = &ups[nups++];
            *up = *c;
            up->stage = og_tool_rng_chance(&r, 0.08) ? 5 : og_tool_rng_range(&r, c->stage + 1, 4);
            up->updated = c->updated + og_tool_rng_range(&r, 60, 60 * 48);
        }
    }
    qsort(ups, (size_t)nups, sizeof *ups, cmp_um_update);

    int rc = og_buf_puts(out, "[\n");
    if (xml) {
        rc = rc ? rc
                : og_buf_puts(xml,
                              "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_requests>\n");
    }
    long broken_at = n / 2;
    for (long i = 0; i < n && rc == 0; i++) {
        if (i > 0) {
            rc = og_buf_puts(out, ",\n");
        }
        rc = rc ? rc : um_put_case(out, &cases[i], (int)(cases[i].seq % 2));
        if (xml) {
            rc = rc ? rc : um_put_case_xml(xml, &cases[i], (int)(cases[i].seq % 2));
            st->xml_records++;
        }
        st->written++;
        if (i == broken_at && rc == 0) {
            /* one element that is not JSON: a bare word where a string belongs */
            rc = og_buf_printf(
                out,
                ",\n  {\n    \"service_request_id\": \"UM2020%08ld\",\n    \"status\": open,\n"
                "    \"service_name\": \"垃圾堆放\",\n    \"service_code\": \"1001\",\n"
                "    \"requested_datetime\": \"2020-02-17T09:30:00+08:00\"\n  }",
                10001 + n);
            st->written++;
            st->xml_left_out += xml != NULL; /* not an object: no <request> */
            fg_tally_add(&st->defects, "bad_json", 1);
            fg_tally_add(&st->rejected, "bad_json", 1);
        }
    }
    for (long i = 0; i < nups && rc == 0; i++) {
        rc = og_buf_puts(out, ",\n");
        rc = rc ? rc : um_put_case(out, &ups[i], (int)(ups[i].seq % 2));
        if (xml) {
            rc = rc ? rc : um_put_case_xml(xml, &ups[i], (int)(ups[i].seq % 2));
            st->xml_records++;
        }
        st->written++;
        st->updates++;
    }
    if (pl && rc == 0) {
        rc = um_planted(w, seed, pl, out, xml, st);
    }
    rc = rc ? rc : og_buf_puts(out, "\n]\n");
    if (xml) {
        rc = rc ? rc : og_buf_puts(xml, "</service_requests>\n");
    }
    free(cases);
    free(ups);
    return rc;
}

int fg_um_service_codes(struct og_buf *b)
{
    int rc = og_buf_puts(b, "code,name\n");
    for (size_t i = 0; i < UM_NCODES && rc == 0; i++) {
        rc = og_buf_printf(b, "%s,%s\n", UM_CODES[i].code, UM_CODES[i].name);
    }
    return rc;
}
