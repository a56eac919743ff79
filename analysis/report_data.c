/* report_data.c - the warehouse queries behind `onegrid report` (see report_data.h). Parameters
 * only: the division code and the time travel as $1, never inside the SQL text. */
#include "analysis/report_data.h"

#include "core/arena.h"
#include "core/buf.h"
#include "loader/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct og_measure_def MEASURES[OG_MEASURE__COUNT] = {
    [OG_MEASURE_OPEN_HAZARDS] = {"open_hazards", "open hazards",
                                 "safety hazards (category 01: fire, production, public "
                                 "facilities, traffic) reported and not yet resolved, closed or "
                                 "void"},
    [OG_MEASURE_EVENTS_PER_1000] = {"events_per_1000", "events per 1,000 residents (30 days)",
                                    "events of every department reported in the 30 days up to "
                                    "the report's time, per 1,000 active residents (no value "
                                    "where no residents are registered)"},
    [OG_MEASURE_RED_YELLOW] = {"red_yellow", "red or yellow health codes",
                               "people living on the grid whose current health code is red or "
                               "yellow"},
};

const struct og_measure_def *og_measure_defs(void)
{
    return MEASURES;
}

int og_measure_parse(const char *name, enum og_measure *m)
{
    for (int i = 0; i < OG_MEASURE__COUNT; i++)
        if (name && strcmp(name, MEASURES[i].name) == 0) {
            *m = (enum og_measure)i;
            return 0;
        }
    return OG_EINVAL;
}

double og_overview_value(const struct og_overview_grid *g, enum og_measure m, bool *present)
{
    *present = true;
    switch (m) {
    case OG_MEASURE_EVENTS_PER_1000:
        *present = g->has_per_1000;
        return g->has_per_1000 ? g->per_1000 : 0;
    case OG_MEASURE_RED_YELLOW:
        return (double)g->red_yellow;
    default:
        return (double)g->open_hazards;
    }
}

void og_overview_free(struct og_overview *ov)
{
    if (!ov)
        return;
    free(ov->grids);
    free(ov->shapes);
    free(ov->runs);
    og_arena_destroy(ov->arena);
    memset(ov, 0, sizeof(*ov));
}

static int no_memory(struct og_error *err)
{
    return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                        "out of memory reading the report's data");
}

/* A copy of v in the arena (NULL stays NULL); *failed set when the copy fails. */
static const char *dup(struct og_overview *ov, const char *v, bool *failed)
{
    if (!v)
        return NULL;
    char *s = og_arena_strdup(ov->arena, v);
    if (!s)
        *failed = true;
    return s;
}

static long long num(const char *v)
{
    return v ? strtoll(v, NULL, 10) : 0;
}

/* Grows *items (each size bytes, *n used) by one zeroed slot; NULL on out of memory. */
static void *grow(void **items, size_t *n, size_t size)
{
    void *p = realloc(*items, (*n + 1) * size);
    if (!p)
        return NULL;
    *items = p;
    char *slot = (char *)p + *n * size;
    memset(slot, 0, size);
    (*n)++;
    return slot;
}

/* ---- the division ---- */

struct division_row {
    struct og_overview *ov;
    bool found;
    int level;
};

static int on_division(void *ctx, int ncols, const char *const *v, struct og_error *err)
{
    struct division_row *d = ctx;
    bool failed = false;
    (void)ncols;
    d->found = true;
    d->level = (int)num(v[1]);
    d->ov->division_code = dup(d->ov, v[0], &failed);
    d->ov->division_name = dup(d->ov, v[2] ? v[2] : v[0], &failed);
    d->ov->parent_name = dup(d->ov, v[3], &failed);
    d->ov->division_level = d->level;
    return failed ? no_memory(err) : 0;
}

/* The detail of an unknown division: the levels and codes the warehouse has. */
static int on_levels(void *ctx, int ncols, const char *const *v, struct og_error *err)
{
    struct og_buf *b = ctx;
    (void)ncols;
    static const char *const LEVEL[][2] = {{"level", "levels"},   {"province", "provinces"},
                                           {"city", "cities"},    {"county", "counties"},
                                           {"street", "streets"}, {"community", "communities"}};
    int level = (int)num(v[0]);
    long long n = num(v[1]);
    int rc = og_buf_printf(b, "%s%lld %s", b->len ? "; " : "", n,
                           LEVEL[level >= 1 && level <= 5 ? level : 0][n == 1 ? 0 : 1]);
    if (rc == 0 && v[2])
        rc = og_buf_printf(b, ": %s", v[2]);
    if (rc == 0 && !v[2] && v[3])
        rc = og_buf_printf(b, " (%s digits, e.g. %s)", v[3], v[4] ? v[4] : "");
    return rc < 0 ? no_memory(err) : 0;
}

static int unknown_division(struct og_pg *pg, const char *code, struct og_error *err)
{
    struct og_buf b = OG_BUF_INIT;
    struct og_error qerr;
    og_error_clear(&qerr);
    /* names listed for counties and streets; communities only counted */
    int rc = og_pg_query_rows(
        pg,
        "SELECT level, count(*), CASE WHEN level <= 4 THEN string_agg(code || ' ' || name, ', ' "
        "ORDER BY code) END, max(length(code)), min(code) FROM onegrid.division GROUP BY level "
        "ORDER BY level",
        0, NULL, on_levels, &b, "list the divisions", &qerr);
    og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                 "no division \"%s\" in the warehouse", code);
    if (rc < 0)
        og_error_detail(err, "and the divisions cannot be listed: %s", qerr.message);
    else if (b.len)
        og_error_detail(err, "it has %s", b.data);
    else
        og_error_detail(err, "it has no divisions at all");
    og_error_hint(err, "pass --division with a county (6 digits), street (9) or community (12) "
                       "code; leave it out for the county; `onegrid world import` loads a world");
    og_buf_free(&b);
    return OG_ECONFIG;
}

struct counties {
    struct og_buf list;
    char first[32];
    long long n;
};

static int on_county(void *ctx, int ncols, const char *const *v, struct og_error *err)
{
    struct counties *c = ctx;
    (void)ncols;
    if (c->n++ == 0)
        snprintf(c->first, sizeof(c->first), "%s", v[0]);
    int rc = og_buf_printf(&c->list, "%s%s (%s grids)", c->list.len ? ", " : "", v[0], v[1]);
    return rc < 0 ? no_memory(err) : 0;
}

static int find_division(struct og_pg *pg, const char *code, struct og_overview *ov,
                         struct og_error *err)
{
    char county[32];
    if (!code) {
        struct counties c = {OG_BUF_INIT, "", 0};
        int rc = og_pg_query_rows(pg,
                                  "SELECT county_code, count(*) FROM onegrid.grid GROUP BY 1 "
                                  "ORDER BY 2 DESC, 1",
                                  0, NULL, on_county, &c, "find the county of the grids", err);
        if (rc >= 0 && c.n == 0)
            rc = og_error_set(err, OG_ENOTFOUND, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                              "the warehouse holds no unified grids");
        if (rc == OG_ENOTFOUND)
            og_error_hint(err, "load a world first: `onegrid world import`");
        if (rc >= 0 && c.n > 1) {
            rc = og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                              "the warehouse holds the grids of %lld counties: say which", c.n);
            og_error_detail(err, "counties: %s", c.list.data);
            og_error_hint(err, "pass --division CODE");
        }
        og_buf_free(&c.list);
        if (rc < 0)
            return rc;
        snprintf(county, sizeof(county), "%s", c.first);
        code = county;
    }
    struct division_row d = {ov, false, 0};
    const char *p[] = {code};
    int rc = og_pg_query_rows(pg,
                              "SELECT d.code, d.level, d.name, u.name FROM onegrid.division d "
                              "LEFT JOIN onegrid.division u ON u.code = d.parent_code "
                              "WHERE d.code = $1",
                              1, p, on_division, &d, "look up the division", err);
    if (rc < 0)
        return rc;
    if (!d.found) {
        if (code == county) { /* grids of a county the division table lacks: its code as name */
            bool failed = false;
            ov->division_code = ov->division_name = dup(ov, code, &failed);
            ov->division_level = 3;
            return failed ? no_memory(err) : 0;
        }
        return unknown_division(pg, code, err);
    }
    if (d.level < 3 || d.level > 5) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     "division %s (%s) is a %s: the report shows a county, a street or a "
                     "community",
                     code, ov->division_name, d.level == 1 ? "province" : "city");
        og_error_hint(err, "pass a county (6 digits), street (9) or community (12) code");
        return OG_ECONFIG;
    }
    return 0;
}

/* ---- the time the windows count back from ---- */

struct as_of_row {
    struct og_overview *ov;
    const char *latest, *shown, *now;
    bool stale;
};

static int on_latest(void *ctx, int ncols, const char *const *v, struct og_error *err)
{
    struct as_of_row *a = ctx;
    bool failed = false;
    (void)ncols;
    a->latest = dup(a->ov, v[0], &failed);
    a->shown = dup(a->ov, v[1], &failed);
    a->stale = v[2] && v[2][0] == 't';
    return failed ? no_memory(err) : 0;
}

static int on_now(void *ctx, int ncols, const char *const *v, struct og_error *err)
{
    struct as_of_row *a = ctx;
    bool failed = false;
    (void)ncols;
    a->ov->as_of = dup(a->ov, v[0], &failed);
    a->ov->generated_at = dup(a->ov, v[1], &failed);
    return failed ? no_memory(err) : 0;
}

#define SHANGHAI(x) "to_char((" x ") AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')"

static int set_as_of(struct og_pg *pg, const struct og_overview_request *rq, struct og_overview *ov,
                     struct og_error *err)
{
    struct as_of_row a = {ov, NULL, NULL, NULL, false};
    int rc;
    if (rq->as_of) {
        const char *p[] = {rq->as_of};
        struct og_error qerr;
        og_error_clear(&qerr);
        rc =
            og_pg_query_rows(pg, "SELECT set_config('onegrid.as_of', $1::timestamptz::text, false)",
                             1, p, NULL, NULL, "set onegrid.as_of", &qerr);
        if (rc < 0) {
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                         "--as-of \"%s\" is not a time", rq->as_of);
            og_error_detail(err, "%s", qerr.message);
            og_error_hint(err, "e.g. --as-of '2020-02-06 00:00+08' (a time zone is best given; "
                               "without one the server's is used)");
            return OG_ECONFIG;
        }
        ov->as_of_given = true;
    }
    else {
        /* the latest report or visit, leaving out times in the future (a wrong clock upstream) */
        rc = og_pg_query_rows(
            pg,
            "WITH l AS (SELECT greatest((SELECT max(reported_at) FROM onegrid.event WHERE "
            "reported_at <= now()), (SELECT max(visited_at) FROM onegrid.visit WHERE visited_at "
            "<= now())) AS t) SELECT t::text, " SHANGHAI("t") ", t < now() - interval '30 days' "
                                                              "FROM l",
            0, NULL, on_latest, &a, "find the latest data", err);
        if (rc < 0)
            return rc;
        const char *p[] = {a.stale ? a.latest : ""};
        rc = og_pg_query_rows(pg, "SELECT set_config('onegrid.as_of', $1, false)", 1, p, NULL, NULL,
                              "set onegrid.as_of", err);
        if (rc < 0)
            return rc;
        if (a.stale &&
            !(ov->as_of_note = og_arena_sprintf(
                  ov->arena,
                  "Nothing was reported or visited in the last 30 days: the windows count back "
                  "from the latest report or visit in the warehouse, %s (Asia/Shanghai), "
                  "instead of now. Pass --as-of to choose another time.",
                  a.shown)))
            return no_memory(err);
    }
    return og_pg_query_rows(pg, "SELECT " SHANGHAI("onegrid.as_of()") ", " SHANGHAI("now()"), 0,
                            NULL, on_now, &a, "read onegrid.as_of()", err);
}

/* ---- grids, department grids, runs ---- */

static int on_grid(void *ctx, int ncols, const char *const *v, struct og_error *err)
{
    struct og_overview *ov = ctx;
    (void)ncols;
    struct og_overview_grid *g = grow((void **)&ov->grids, &ov->ngrids, sizeof(*g));
    if (!g)
        return no_memory(err);
    bool failed = false;
    g->code = dup(ov, v[0], &failed);
    g->name = dup(ov, v[1], &failed);
    g->community_code = dup(ov, v[2], &failed);
    g->community_name = dup(ov, v[3], &failed);
    g->street_code = dup(ov, v[4], &failed);
    g->street_name = dup(ov, v[5], &failed);
    g->residents = num(v[6]);
    g->floating = num(v[7]);
    g->rental_houses = num(v[8]);
    g->open_hazards = num(v[9]);
    g->open_events = num(v[10]);
    g->events_30d = num(v[11]);
    g->has_per_1000 = v[12] != NULL;
    g->per_1000 = v[12] ? strtod(v[12], NULL) : 0;
    g->visits_7d = num(v[13]);
    g->red_yellow = num(v[14]);
    g->svg = dup(ov, v[15] ? v[15] : "", &failed);
    return failed ? no_memory(err) : 0;
}

static int on_shape(void *ctx, int ncols, const char *const *v, struct og_error *err)
{
    struct og_overview *ov = ctx;
    (void)ncols;
    if (!v[4] || !*v[4]) /* no boundary and no crosswalk to draw it from */
        return 0;
    struct og_overview_shape *s = grow((void **)&ov->shapes, &ov->nshapes, sizeof(*s));
    if (!s)
        return no_memory(err);
    bool failed = false;
    s->department = dup(ov, v[0], &failed);
    s->code = dup(ov, v[1], &failed);
    s->name = dup(ov, v[2] ? v[2] : v[1], &failed);
    s->derived = v[3] && v[3][0] == 't';
    s->svg = dup(ov, v[4], &failed);
    return failed ? no_memory(err) : 0;
}

static int on_run(void *ctx, int ncols, const char *const *v, struct og_error *err)
{
    struct og_overview *ov = ctx;
    (void)ncols;
    struct og_overview_run *r = grow((void **)&ov->runs, &ov->nruns, sizeof(*r));
    if (!r)
        return no_memory(err);
    bool failed = false;
    const char **f[] = {&r->run_id, &r->started, &r->finished, &r->status, &r->command,
                        &r->read,   &r->loaded,  &r->rejected, &r->message};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        *f[i] = dup(ov, v[i], &failed);
    return failed ? no_memory(err) : 0;
}

static const char GRIDS_SQL[] =
    "SELECT o.grid_code, o.name, o.community_code, o.community_name, o.street_code, "
    "o.street_name, o.residents, o.floating, o.rental_houses, o.open_hazards, o.open_events, "
    "o.events_30d, o.events_per_1000, o.visits_7d, o.red_yellow, "
    "public.ST_AsSVG(g.boundary, 0, 6) "
    "FROM onegrid.grid_overview o JOIN onegrid.grid g ON g.grid_code = o.grid_code "
    "WHERE $1 IN (g.county_code, g.street_code, g.community_code) ORDER BY o.grid_code";

/* The department grids with a crosswalk row on a grid of the area, cut to the area (a department
 * grid may reach beyond a street); one without a boundary of its own (HL keeps none) is drawn as
 * the union of the unified grids it maps onto. */
static const char SHAPES_SQL[] =
    "WITH area AS (SELECT grid_code, boundary FROM onegrid.grid WHERE $1 IN (county_code, "
    "street_code, community_code)), outline AS (SELECT public.ST_Union(boundary) AS geom FROM "
    "area), codes AS (SELECT DISTINCT d.department, d.dept_grid_code FROM onegrid.dept_grid d "
    "JOIN area USING (grid_code)), shapes AS (SELECT c.department, c.dept_grid_code, s.name, "
    "s.boundary IS NULL AS derived, coalesce(s.boundary, (SELECT public.ST_Union(g.boundary) "
    "FROM onegrid.dept_grid x JOIN onegrid.grid g ON g.grid_code = x.grid_code WHERE "
    "x.department = c.department AND x.dept_grid_code = c.dept_grid_code)) AS geom FROM codes c "
    "LEFT JOIN onegrid.dept_grid_shape s ON s.department = c.department AND s.dept_grid_code = "
    "c.dept_grid_code) "
    "SELECT department, dept_grid_code, name, derived, public.ST_AsSVG(public.ST_CollectionExtract("
    "public.ST_Intersection(shapes.geom, outline.geom), 3), 0, 6) FROM shapes, outline "
    "ORDER BY 1, 2";

static const char RUNS_SQL[] =
    "SELECT run_id, to_char(started_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), "
    "to_char(finished_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), status, "
    "command, counts->>'read', counts->>'records', counts->>'rejected', message "
    "FROM onegrid.etl_run ORDER BY run_id DESC LIMIT $1::int";

int og_overview_fetch(struct og_pg *pg, const struct og_overview_request *rq,
                      struct og_overview *ov, struct og_error *err)
{
    memset(ov, 0, sizeof(*ov));
    if (!(ov->arena = og_arena_create(0)))
        return no_memory(err);
    int rc = find_division(pg, rq->division, ov, err);
    if (rc == 0)
        rc = set_as_of(pg, rq, ov, err);
    const char *p[] = {ov->division_code};
    if (rc >= 0)
        rc = og_pg_query_rows(pg, GRIDS_SQL, 1, p, on_grid, ov, "read the grids", err);
    if (rc == 0) {
        og_error_set(err, OG_ENOTFOUND, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                     "division %s (%s) has no unified grids", ov->division_code, ov->division_name);
        og_error_hint(err, "`onegrid world import` loads the grids of a world");
        rc = OG_ENOTFOUND;
    }
    if (rc >= 0)
        rc = og_pg_query_rows(pg, SHAPES_SQL, 1, p, on_shape, ov, "read the department grids", err);
    char runs[16];
    snprintf(runs, sizeof(runs), "%d", rq->runs > 0 ? rq->runs : 10);
    const char *pr[] = {runs};
    if (rc >= 0)
        rc = og_pg_query_rows(pg, RUNS_SQL, 1, pr, on_run, ov, "read the last runs", err);
    if (rc < 0) {
        og_overview_free(ov);
        return rc;
    }
    return 0;
}
