/* report_page.c - the HTML page of `onegrid report` (see report_page.h). Every text from the
 * warehouse goes through og_html_escape; numbers are formatted here. */
#include "analysis/report_page.h"

#include "analysis/classes.h"
#include "analysis/html.h"
#include "analysis/svgmap.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAP_WIDTH 1000.0
#define MAP_MARGIN 8.0

/* The page being written: every helper does nothing once rc is set. */
struct page {
    struct og_buf *out;
    int rc;
};

static void raw(struct page *pg, const char *s)
{
    if (pg->rc == 0)
        pg->rc = og_buf_puts(pg->out, s);
}

/* Formats into the page, as is (escape false) or HTML-escaped. */
static void vput(struct page *pg, bool escape, const char *fmt, va_list ap)
{
    if (pg->rc)
        return;
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    pg->rc = n < 0    ? OG_ENOMEM
             : escape ? og_html_escape_n(pg->out, s, (size_t)n)
                      : og_buf_append(pg->out, s, (size_t)n);
    free(s);
}

static void __attribute__((format(printf, 2, 3))) rawf(struct page *pg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vput(pg, false, fmt, ap);
    va_end(ap);
}

static void esc(struct page *pg, const char *s)
{
    if (pg->rc == 0)
        pg->rc = og_html_escape(pg->out, s ? s : "");
}

static void __attribute__((format(printf, 2, 3))) escf(struct page *pg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vput(pg, true, fmt, ap);
    va_end(ap);
}

static const char *const CLASS_NAME[OG_CLASSES] = {"green", "blue", "yellow", "orange", "red"};

static const char STYLE[] =
    "body{font-family:'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','PingFang SC',"
    "'Microsoft YaHei',sans-serif;margin:1.2em 2em;color:#222;max-width:1300px}"
    "h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.4em 0 .4em}"
    ".code{color:#666;font-weight:normal;font-size:.8em}.note{background:#fff5d6;"
    "border-left:4px solid #f2c230;padding:.4em .8em}"
    ".layout{display:flex;gap:1.5em;align-items:flex-start;flex-wrap:wrap}"
    ".mapbox{flex:1 1 720px;min-width:420px}.side{flex:0 1 330px}"
    "figure{margin:0}svg.map{width:100%;height:auto;max-height:88vh;border:1px solid "
    "#ccc;background:#f4f6f8}"
    ".grid{stroke:#fff;stroke-width:.6}.grid:hover{stroke:#000;stroke-width:2}"
    ".c0{fill:#2e9d4f}.c1{fill:#2f6fd0}.c2{fill:#f2c230}.c3{fill:#f08a24}.c4{fill:#d7301f}"
    ".nodata{fill:#c8c8c8}"
    ".dept{display:none;fill:none;stroke-width:1.6;stroke-linejoin:round}"
    ".dept path:hover{stroke-width:3.5}"
    ".d-PS{stroke:#1a237e}.d-UM{stroke:#8e24aa;stroke-dasharray:6 3}"
    ".d-FR{stroke:#6d0000;stroke-dasharray:2 2}.d-HL{stroke:#004d40;stroke-dasharray:8 3 2 3}"
    ".toggle{position:absolute;opacity:0}"
    ".toggles label{display:inline-block;margin:0 .4em .4em 0;padding:.2em .6em;border:1px solid "
    "#999;border-radius:4px;cursor:pointer;user-select:none;background:#fff}"
    ".toggles label::before{content:'\\2610  '}"
    "#t-PS:checked~figure .d-PS,#t-UM:checked~figure .d-UM,#t-FR:checked~figure .d-FR,"
    "#t-HL:checked~figure .d-HL{display:inline}"
    "#t-PS:checked~.toggles label[for=t-PS],#t-UM:checked~.toggles label[for=t-UM],"
    "#t-FR:checked~.toggles label[for=t-FR],#t-HL:checked~.toggles label[for=t-HL]"
    "{background:#e3ecff;border-color:#2f6fd0}"
    "#t-PS:checked~.toggles label[for=t-PS]::before,#t-UM:checked~.toggles label[for=t-UM]::before,"
    "#t-FR:checked~.toggles label[for=t-FR]::before,#t-HL:checked~.toggles label[for=t-HL]::before"
    "{content:'\\2611  '}"
    "table{border-collapse:collapse;font-size:.88em}th,td{border:1px solid #ddd;padding:.25em "
    ".5em;text-align:left;vertical-align:top}td.n,th.n{text-align:right}"
    "th{background:#f0f0f0}.legend td{border:none;padding:.15em .4em}"
    ".sw{display:inline-block;width:1.1em;height:1.1em;border:1px solid #999;vertical-align:"
    "middle}.s0{background:#2e9d4f}.s1{background:#2f6fd0}.s2{background:#f2c230}"
    ".s3{background:#f08a24}.s4{background:#d7301f}.sn{background:#c8c8c8}"
    ".small{font-size:.85em;color:#555}footer{margin-top:2em;font-size:.8em;color:#777}";

static const struct {
    const char *code, *what;
} DEPARTMENTS[] = {
    {"PS", "police beats (PS)"},
    {"UM", "urban-management unit grids (UM)"},
    {"FR", "fire grids (FR)"},
    {"HL", "health grids (HL)"},
};
#define NDEPT (sizeof(DEPARTMENTS) / sizeof(DEPARTMENTS[0]))

/* A value of measure m as shown: counts whole, the rate with 2 decimals. */
static void fmt_value(char *buf, size_t size, enum og_measure m, double v)
{
    snprintf(buf, size, m == OG_MEASURE_EVENTS_PER_1000 ? "%.2f" : "%.0f", v);
}

static const char *level_name(int level)
{
    return level == 3 ? "county" : level == 4 ? "street" : "community";
}

static void head(struct page *pg, const struct og_overview *ov, enum og_measure m)
{
    const struct og_measure_def *md = &og_measure_defs()[m];
    raw(pg, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\"/>\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>");
    esc(pg, ov->division_name);
    escf(pg, " %s: %s, as of %s - onegrid report", ov->division_code, md->label, ov->as_of);
    raw(pg, "</title>\n<style>");
    raw(pg, STYLE);
    raw(pg, "</style>\n</head>\n<body>\n<header>\n<h1>");
    esc(pg, ov->division_name);
    raw(pg, " <span class=\"code\">");
    escf(pg, "%s, %s", ov->division_code, level_name(ov->division_level));
    if (ov->parent_name) {
        raw(pg, " of ");
        esc(pg, ov->parent_name);
    }
    raw(pg, "</span></h1>\n<p>");
    escf(pg, "%zu unified grids coloured by ", ov->ngrids);
    raw(pg, "<b>");
    esc(pg, md->label);
    raw(pg, "</b>: ");
    esc(pg, md->meaning);
    escf(pg, ". Figures as of %s (Asia/Shanghai)%s; page made %s.", ov->as_of,
         ov->as_of_given ? ", as --as-of asked" : "", ov->generated_at);
    raw(pg, "</p>\n");
    if (ov->as_of_note) {
        raw(pg, "<p class=\"note\">");
        esc(pg, ov->as_of_note);
        raw(pg, "</p>\n");
    }
    raw(pg, "</header>\n");
}

/* The hover text of a grid (escaped; newlines separate lines in the tooltip). */
static void grid_title(struct page *pg, const struct og_overview_grid *g, enum og_measure m,
                       int cls)
{
    const struct og_measure_def *md = &og_measure_defs()[m];
    char v[64] = "no value (no residents)";
    bool present;
    double x = og_overview_value(g, m, &present);
    if (present)
        fmt_value(v, sizeof(v), m, x);
    raw(pg, "<title>");
    esc(pg, g->name);
    escf(pg, " %s\n", g->code);
    esc(pg, g->community_name);
    escf(pg, " %s, ", g->community_code);
    esc(pg, g->street_name);
    escf(pg, "\n%s: %s (%s)\n", md->label, v, cls < 0 ? "grey: no data" : CLASS_NAME[cls]);
    escf(pg,
         "residents %lld (floating %lld), rental houses %lld\n"
         "open hazards %lld, open events %lld, events in 30 days %lld",
         g->residents, g->floating, g->rental_houses, g->open_hazards, g->open_events,
         g->events_30d);
    if (g->has_per_1000)
        escf(pg, " (%.2f per 1,000 residents)", g->per_1000);
    escf(pg, "\nvisits in 7 days %lld, red or yellow health codes %lld", g->visits_7d,
         g->red_yellow);
    raw(pg, "</title>");
}

static void map(struct page *pg, const struct og_overview *ov, enum og_measure m,
                const struct og_classes *cl, const struct og_proj *proj, struct og_error *err)
{
    size_t per_dept[NDEPT] = {0}, derived[NDEPT] = {0};
    for (size_t i = 0; i < ov->nshapes; i++)
        for (size_t k = 0; k < NDEPT; k++)
            if (strcmp(ov->shapes[i].department, DEPARTMENTS[k].code) == 0) {
                per_dept[k]++;
                derived[k] += ov->shapes[i].derived;
            }
    raw(pg, "<div class=\"mapbox\">\n");
    for (size_t k = 0; k < NDEPT; k++)
        if (per_dept[k])
            rawf(pg, "<input type=\"checkbox\" class=\"toggle\" id=\"t-%s\"/>\n",
                 DEPARTMENTS[k].code);
    raw(pg, "<div class=\"toggles\">Department grids over the unified grids: ");
    bool any = false;
    for (size_t k = 0; k < NDEPT; k++) {
        if (!per_dept[k])
            continue;
        any = true;
        rawf(pg, "<label for=\"t-%s\" title=\"", DEPARTMENTS[k].code);
        if (derived[k])
            escf(pg,
                 "%zu of them keep no outline of their own: drawn as the unified grids they "
                 "map onto (the crosswalk)",
                 derived[k]);
        else
            esc(pg, "their own outlines");
        raw(pg, "\">");
        escf(pg, "%s, %zu", DEPARTMENTS[k].what, per_dept[k]);
        raw(pg, "</label>");
    }
    if (!any)
        raw(pg, "none in the warehouse");
    raw(pg, "</div>\n<figure>\n");
    rawf(pg,
         "<svg class=\"map\" viewBox=\"0 0 %.0f %.0f\" "
         "data-grids=\"%zu\" role=\"img\" aria-label=\"",
         proj->width, proj->height + 0.5, ov->ngrids);
    escf(pg, "map of the %zu unified grids of ", ov->ngrids);
    esc(pg, ov->division_name);
    raw(pg, "\">\n<g class=\"grids\">\n");
    struct og_buf d = OG_BUF_INIT;
    for (size_t i = 0; i < ov->ngrids && pg->rc == 0; i++) {
        const struct og_overview_grid *g = &ov->grids[i];
        bool present;
        double v = og_overview_value(g, m, &present);
        int cls = present ? og_classes_of(cl, v) : OG_CLASS_NODATA;
        og_buf_reset(&d);
        if ((pg->rc = og_svg_path_project(g->svg, proj, &d, err)) < 0)
            break;
        if (cls < 0)
            raw(pg, "<path class=\"grid nodata\" data-grid=\"");
        else
            rawf(pg, "<path class=\"grid c%d\" data-grid=\"", cls);
        esc(pg, g->code);
        raw(pg, "\" data-value=\"");
        if (present) {
            char b[64];
            fmt_value(b, sizeof(b), m, v);
            raw(pg, b);
        }
        raw(pg, "\" d=\"");
        raw(pg, d.data ? d.data : "");
        raw(pg, "\">");
        grid_title(pg, g, m, cls);
        raw(pg, "</path>\n");
    }
    raw(pg, "</g>\n");
    for (size_t k = 0; k < NDEPT && pg->rc == 0; k++) {
        if (!per_dept[k])
            continue;
        rawf(pg, "<g class=\"dept d-%s\">\n", DEPARTMENTS[k].code);
        for (size_t i = 0; i < ov->nshapes && pg->rc == 0; i++) {
            const struct og_overview_shape *s = &ov->shapes[i];
            if (strcmp(s->department, DEPARTMENTS[k].code) != 0)
                continue;
            og_buf_reset(&d);
            if ((pg->rc = og_svg_path_project(s->svg, proj, &d, err)) < 0)
                break;
            raw(pg, "<path data-dept-grid=\"");
            esc(pg, s->code);
            raw(pg, "\" d=\"");
            raw(pg, d.data ? d.data : "");
            raw(pg, "\"><title>");
            escf(pg, "%s ", DEPARTMENTS[k].what);
            esc(pg, s->name);
            if (strcmp(s->name, s->code) != 0) {
                raw(pg, " ");
                esc(pg, s->code);
            }
            if (s->derived)
                esc(pg, "\n(no outline of its own: the unified grids it maps onto)");
            raw(pg, "</title></path>\n");
        }
        raw(pg, "</g>\n");
    }
    og_buf_free(&d);
    raw(pg, "</svg>\n</figure>\n</div>\n");
}

static void legend(struct page *pg, const struct og_overview *ov, enum og_measure m,
                   const struct og_classes *cl)
{
    const struct og_measure_def *md = &og_measure_defs()[m];
    raw(pg, "<div class=\"side\">\n<h2>Legend: ");
    esc(pg, md->label);
    raw(pg, "</h2>\n<table class=\"legend\">\n");
    for (int k = 0; k < OG_CLASSES; k++) {
        char lo[64], hi[64];
        fmt_value(lo, sizeof(lo), m, cl->lo[k]);
        fmt_value(hi, sizeof(hi), m, cl->hi[k]);
        rawf(pg, "<tr><td><span class=\"sw s%d\"></span></td><td>%s</td><td>", k, CLASS_NAME[k]);
        if (k == 0)
            raw(pg, "0");
        else if (cl->count[k] == 0)
            raw(pg, "(no grid)");
        else if (strcmp(lo, hi) == 0)
            esc(pg, lo);
        else
            escf(pg, "%s to %s", lo, hi);
        rawf(pg, "</td><td class=\"n\">%zu grid%s</td></tr>\n", cl->count[k],
             cl->count[k] == 1 ? "" : "s");
    }
    if (cl->nodata)
        rawf(pg,
             "<tr><td><span class=\"sw sn\"></span></td><td>grey</td><td>no residents, no "
             "rate</td><td class=\"n\">%zu grid%s</td></tr>\n",
             cl->nodata, cl->nodata == 1 ? "" : "s");
    raw(pg, "</table>\n<p class=\"small\">");
    char b1[64], b2[64], b3[64];
    fmt_value(b1, sizeof(b1), m, cl->breaks[0]);
    fmt_value(b2, sizeof(b2), m, cl->breaks[1]);
    fmt_value(b3, sizeof(b3), m, cl->breaks[2]);
    if (cl->nonzero)
        escf(pg,
             "How the classes are chosen: green is 0. The %zu grids with a value above 0 are "
             "split at the quartiles of their distinct values (the values a quarter, half and "
             "three quarters of the way along them: %s, %s, %s): blue up to %s, yellow up to %s, "
             "orange up to %s, red above. Grids with equal values stay in one class; a class is "
             "empty only when there are fewer than four distinct values. The ranges are those of "
             "the grids in each class.",
             cl->nonzero, b1, b2, b3, b1, b2, b3);
    else
        esc(pg,
            "How the classes are chosen: green is 0, and the other four classes split the "
            "grids with a value above 0 at the quartiles of their distinct values; here no grid "
            "has one.");
    raw(pg, "</p>\n<p class=\"small\">Hover a grid for its name, code, community and figures; "
            "tick a department to draw its grids over the map (hover their outlines for their "
            "names).</p>\n");
    (void)ov;
    raw(pg, "</div>\n");
}

static int cmp_worst(const void *a, const void *b, void *ctx)
{
    const struct og_overview_grid *x = *(const struct og_overview_grid *const *)a;
    const struct og_overview_grid *y = *(const struct og_overview_grid *const *)b;
    enum og_measure m = *(const enum og_measure *)ctx;
    bool px, py;
    double vx = og_overview_value(x, m, &px), vy = og_overview_value(y, m, &py);
    if (px != py)
        return px ? -1 : 1;
    if (vx != vy)
        return vx > vy ? -1 : 1;
    return strcmp(x->code, y->code);
}

static void worst(struct page *pg, const struct og_overview *ov, enum og_measure m,
                  const struct og_classes *cl)
{
    const struct og_measure_def *md = &og_measure_defs()[m];
    const struct og_overview_grid **order = malloc((ov->ngrids + 1) * sizeof(*order));
    if (!order) {
        pg->rc = OG_ENOMEM;
        return;
    }
    for (size_t i = 0; i < ov->ngrids; i++)
        order[i] = &ov->grids[i];
    qsort_r(order, ov->ngrids, sizeof(*order), cmp_worst, &m);
    size_t n = 0;
    while (n < ov->ngrids && n < OG_REPORT_WORST) {
        bool present;
        if (!(og_overview_value(order[n], m, &present) > 0) || !present)
            break;
        n++;
    }
    raw(pg, "<section>\n<h2>");
    escf(pg, "The %zu grids with the most %s", n, md->label);
    raw(pg, "</h2>\n");
    if (n < OG_REPORT_WORST)
        rawf(pg, "<p class=\"small\">Only %zu grid%s ha%s a value above 0.</p>\n", n,
             n == 1 ? "" : "s", n == 1 ? "s" : "ve");
    raw(pg, "<table class=\"worst\">\n<tr><th class=\"n\">#</th><th>grid</th><th>name</th>"
            "<th>community</th><th>street</th><th class=\"n\">");
    esc(pg, md->label);
    raw(pg, "</th><th class=\"n\">residents</th><th class=\"n\">floating</th>"
            "<th class=\"n\">rental houses</th><th class=\"n\">open hazards</th>"
            "<th class=\"n\">open events</th><th class=\"n\">events 30 days</th>"
            "<th class=\"n\">per 1,000</th><th class=\"n\">visits 7 days</th>"
            "<th class=\"n\">red/yellow</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        const struct og_overview_grid *g = order[i];
        bool present;
        double v = og_overview_value(g, m, &present);
        char b[64];
        fmt_value(b, sizeof(b), m, v);
        int cls = og_classes_of(cl, v);
        rawf(pg, "<tr><td class=\"n\">%zu</td><td>", i + 1);
        esc(pg, g->code);
        raw(pg, "</td><td>");
        esc(pg, g->name);
        raw(pg, "</td><td>");
        esc(pg, g->community_name);
        raw(pg, "</td><td>");
        esc(pg, g->street_name);
        rawf(pg, "</td><td class=\"n\"><span class=\"sw s%d\"></span> ", cls);
        esc(pg, b);
        rawf(pg,
             "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
             "<td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>",
             g->residents, g->floating, g->rental_houses, g->open_hazards, g->open_events,
             g->events_30d);
        if (g->has_per_1000)
            rawf(pg, "<td class=\"n\">%.2f</td>", g->per_1000);
        else
            raw(pg, "<td class=\"n\">-</td>");
        rawf(pg, "<td class=\"n\">%lld</td><td class=\"n\">%lld</td></tr>\n", g->visits_7d,
             g->red_yellow);
    }
    raw(pg, "</table>\n</section>\n");
    free(order);
}

static void runs(struct page *pg, const struct og_overview *ov)
{
    raw(pg, "<section>\n<h2>The last runs (etl_run)</h2>\n");
    if (ov->nruns == 0) {
        raw(pg, "<p>No run has loaded anything into this warehouse yet.</p>\n</section>\n");
        return;
    }
    raw(pg, "<table class=\"runs\">\n<tr><th class=\"n\">run</th><th>started</th>"
            "<th>finished</th><th>status</th><th>command</th><th class=\"n\">read</th>"
            "<th class=\"n\">loaded</th><th class=\"n\">rejected</th><th>message</th></tr>\n");
    for (size_t i = 0; i < ov->nruns; i++) {
        const struct og_overview_run *r = &ov->runs[i];
        const char *cells[] = {r->run_id, r->started, r->finished, r->status, r->command,
                               r->read,   r->loaded,  r->rejected, r->message};
        raw(pg, "<tr>");
        for (size_t c = 0; c < sizeof(cells) / sizeof(cells[0]); c++) {
            bool n = c == 0 || (c >= 5 && c <= 7);
            raw(pg, n ? "<td class=\"n\">" : "<td>");
            esc(pg, cells[c] ? cells[c] : (c == 2 ? "(not finished)" : ""));
            raw(pg, "</td>");
        }
        raw(pg, "</tr>\n");
    }
    raw(pg, "</table>\n<p class=\"small\">Times in Asia/Shanghai. `onegrid status` and "
            "`onegrid rejects` say more.</p>\n</section>\n");
}

int og_report_page(const struct og_overview *ov, enum og_measure m, const char *version,
                   struct og_buf *out, struct og_error *err)
{
    struct page pg = {out, 0};
    struct og_bbox box;
    og_bbox_init(&box);
    for (size_t i = 0; i < ov->ngrids; i++)
        if (og_svg_path_bbox(ov->grids[i].svg, &box, err) < 0) {
            og_error_prefix(err, "grid %s: ", ov->grids[i].code);
            return OG_EPARSE;
        }
    struct og_proj proj;
    if (og_proj_fit(&proj, &box, MAP_WIDTH, MAP_MARGIN, err) < 0)
        return OG_EINVAL;
    double *values = malloc((ov->ngrids + 1) * sizeof(*values));
    bool *present = malloc((ov->ngrids + 1) * sizeof(*present));
    struct og_classes cl;
    if (!values || !present)
        pg.rc = OG_ENOMEM;
    for (size_t i = 0; i < ov->ngrids && pg.rc == 0; i++)
        values[i] = og_overview_value(&ov->grids[i], m, &present[i]);
    if (pg.rc == 0)
        pg.rc = og_classes_compute(values, present, ov->ngrids, &cl);
    free(values);
    free(present);
    if (pg.rc == 0) {
        head(&pg, ov, m);
        raw(&pg, "<main>\n<div class=\"layout\">\n");
        map(&pg, ov, m, &cl, &proj, err);
        legend(&pg, ov, m, &cl);
        raw(&pg, "</div>\n");
        worst(&pg, ov, m, &cl);
        runs(&pg, ov);
        raw(&pg, "</main>\n<footer>");
        escf(&pg,
             "onegrid %s report. Measures from onegrid.grid_overview; outlines from "
             "onegrid.grid and onegrid.dept_grid_shape, drawn in a local equirectangular frame "
             "(east-west scaled by the cosine of the latitude). This page loads nothing from "
             "elsewhere and runs no script.",
             version ? version : "");
        raw(&pg, "</footer>\n</body>\n</html>\n");
    }
    if (pg.rc == OG_ENOMEM)
        og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                     "out of memory writing the report page");
    return pg.rc < 0 ? pg.rc : 0;
}
