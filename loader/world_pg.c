/* world_pg.c - importing the world into the warehouse and reading it back. */
#include "loader/copy.h"
#include "loader/pg_internal.h"

#include <stdlib.h>
#include <string.h>

static const char WORLD_STAGE[] = "CREATE TEMP TABLE og_w_division (code text, level smallint, "
                                  "name text, parent_code text, edition text, "
                                  "geojson text) ON COMMIT DROP;"
                                  "CREATE TEMP TABLE og_w_alias (old_code text, code text, edition "
                                  "text, level smallint, old_name text) "
                                  "ON COMMIT DROP;"
                                  "CREATE TEMP TABLE og_w_grid (grid_code text, name text, "
                                  "community_code text, street_code text, "
                                  "county_code text, geojson text) ON COMMIT DROP;"
                                  "CREATE TEMP TABLE og_w_dept (department text, dept_grid_code "
                                  "text, name text, geojson text) ON COMMIT DROP;"
                                  "CREATE TEMP TABLE og_w_xwalk (department text, dept_grid_code "
                                  "text, grid_code text, weight float8) "
                                  "ON COMMIT DROP;";

#define GEOM(col)                                                                                  \
    "public.ST_Multi(public.ST_CollectionExtract(public.ST_MakeValid(public.ST_SetSRID("           \
    "public.ST_GeomFromGeoJSON(" col "), 4326)), 3))"

static const char *const WORLD_MERGE[] = {
    /* parents before children: order by level */
    "INSERT INTO onegrid.division AS d (code, level, name, parent_code, edition, boundary) "
    "SELECT code, level, name, parent_code, edition, CASE WHEN geojson IS NOT NULL THEN " GEOM(
        "geojson") " END "
                   "FROM og_w_division ORDER BY level, code "
                   "ON CONFLICT (code) DO UPDATE SET level = EXCLUDED.level, name = EXCLUDED.name, "
                   "parent_code = EXCLUDED.parent_code, edition = EXCLUDED.edition, boundary = "
                   "EXCLUDED.boundary, updated_at = now() "
                   "WHERE (d.level, d.name, d.parent_code, d.edition) IS DISTINCT FROM "
                   "(EXCLUDED.level, EXCLUDED.name, EXCLUDED.parent_code, EXCLUDED.edition) "
                   "OR NOT public.ST_OrderingEquals(coalesce(d.boundary, 'MULTIPOLYGON "
                   "EMPTY'::public.geometry), "
                   "coalesce(EXCLUDED.boundary, 'MULTIPOLYGON EMPTY'::public.geometry))",

    "INSERT INTO onegrid.division_alias AS a (old_code, edition, code, level, old_name) "
    "SELECT old_code, edition, code, level, old_name FROM og_w_alias "
    "ON CONFLICT (old_code, edition) DO UPDATE SET code = EXCLUDED.code, level = EXCLUDED.level, "
    "old_name = EXCLUDED.old_name WHERE (a.code, a.level, a.old_name) IS DISTINCT FROM "
    "(EXCLUDED.code, EXCLUDED.level, EXCLUDED.old_name)",

    "INSERT INTO onegrid.grid AS g (grid_code, name, community_code, street_code, county_code, "
    "boundary, "
    "centroid_lon, centroid_lat, area_m2) "
    "SELECT grid_code, name, community_code, street_code, county_code, b, "
    "public.ST_X(public.ST_Centroid(b)), "
    "public.ST_Y(public.ST_Centroid(b)), public.ST_Area(b::public.geography) "
    "FROM (SELECT *, " GEOM(
        "geojson") " AS b FROM og_w_grid) x "
                   "ON CONFLICT (grid_code) DO UPDATE SET name = EXCLUDED.name, community_code = "
                   "EXCLUDED.community_code, "
                   "street_code = EXCLUDED.street_code, county_code = EXCLUDED.county_code, "
                   "boundary = EXCLUDED.boundary, "
                   "centroid_lon = EXCLUDED.centroid_lon, centroid_lat = EXCLUDED.centroid_lat, "
                   "area_m2 = EXCLUDED.area_m2, "
                   "valid_to = NULL "
                   "WHERE (g.name, g.community_code, g.street_code, g.county_code, g.valid_to) IS "
                   "DISTINCT FROM "
                   "(EXCLUDED.name, EXCLUDED.community_code, EXCLUDED.street_code, "
                   "EXCLUDED.county_code, NULL::date) "
                   "OR NOT public.ST_OrderingEquals(g.boundary, EXCLUDED.boundary)",

    "INSERT INTO onegrid.dept_grid_shape AS s (department, dept_grid_code, name, boundary) "
    "SELECT department, dept_grid_code, name, CASE WHEN geojson IS NOT NULL THEN " GEOM(
        "geojson") " END "
                   "FROM og_w_dept ON CONFLICT (department, dept_grid_code) DO UPDATE SET name = "
                   "EXCLUDED.name, "
                   "boundary = EXCLUDED.boundary WHERE s.name IS DISTINCT FROM EXCLUDED.name "
                   "OR NOT public.ST_OrderingEquals(coalesce(s.boundary, 'MULTIPOLYGON "
                   "EMPTY'::public.geometry), "
                   "coalesce(EXCLUDED.boundary, 'MULTIPOLYGON EMPTY'::public.geometry))",

    "DELETE FROM onegrid.dept_grid d WHERE d.department IN (SELECT DISTINCT department FROM "
    "og_w_xwalk) "
    "AND NOT EXISTS (SELECT 1 FROM og_w_xwalk x WHERE x.department = d.department "
    "AND x.dept_grid_code = d.dept_grid_code AND x.grid_code = d.grid_code)",

    "INSERT INTO onegrid.dept_grid AS d (department, dept_grid_code, grid_code, weight) "
    "SELECT x.department, x.dept_grid_code, x.grid_code, x.weight FROM og_w_xwalk x "
    "JOIN onegrid.grid g ON g.grid_code = x.grid_code "
    "ON CONFLICT (department, dept_grid_code, grid_code) DO UPDATE SET weight = EXCLUDED.weight "
    "WHERE d.weight IS DISTINCT FROM EXCLUDED.weight",
    NULL};

int og_pg_world_import(struct og_pg *pg, const struct og_world *w, long long counts[5],
                       long long *skipped, struct og_error *err)
{
    struct og_buf b = OG_BUF_INIT;
    int rc = og_pg_exec(pg, "BEGIN", err);
    if (rc == 0)
        rc = og_pg_exec(pg, WORLD_STAGE, err);
    char lv[8];
    for (size_t i = 0; i < w->ndivisions && rc == 0; i++) {
        const struct og_world_division *d = &w->divisions[i];
        snprintf(lv, sizeof(lv), "%d", d->level);
        rc = og_copy_text(&b, true, d->code);
        rc = rc ? rc : og_copy_text(&b, false, lv);
        rc = rc ? rc : og_copy_text(&b, false, d->name);
        rc = rc ? rc : og_copy_text(&b, false, d->parent_code);
        rc = rc ? rc : og_copy_text(&b, false, d->edition);
        rc = rc ? rc : og_copy_text(&b, false, d->geojson);
        rc = rc ? rc : og_copy_end_row(&b);
    }
    if (rc == 0)
        rc = og_pg_copy(pg, "COPY og_w_division FROM STDIN", b.data ? b.data : "", b.len,
                        "copy divisions", err);
    og_buf_reset(&b);
    for (size_t i = 0; i < w->naliases && rc == 0; i++) {
        const struct og_world_alias *a = &w->aliases[i];
        snprintf(lv, sizeof(lv), "%d", a->level);
        rc = og_copy_text(&b, true, a->old_code);
        rc = rc ? rc : og_copy_text(&b, false, a->code);
        rc = rc ? rc : og_copy_text(&b, false, a->edition);
        rc = rc ? rc : og_copy_text(&b, false, lv);
        rc = rc ? rc : og_copy_text(&b, false, a->old_name);
        rc = rc ? rc : og_copy_end_row(&b);
    }
    if (rc == 0)
        rc = og_pg_copy(pg, "COPY og_w_alias FROM STDIN", b.data ? b.data : "", b.len,
                        "copy division aliases", err);
    og_buf_reset(&b);
    for (size_t i = 0; i < w->ngrids && rc == 0; i++) {
        const struct og_world_grid *g = &w->grids[i];
        rc = og_copy_text(&b, true, g->grid_code);
        rc = rc ? rc : og_copy_text(&b, false, g->name);
        rc = rc ? rc : og_copy_text(&b, false, g->community_code);
        rc = rc ? rc : og_copy_text(&b, false, g->street_code);
        rc = rc ? rc : og_copy_text(&b, false, g->county_code);
        rc = rc ? rc : og_copy_text(&b, false, g->geojson);
        rc = rc ? rc : og_copy_end_row(&b);
    }
    if (rc == 0)
        rc = og_pg_copy(pg, "COPY og_w_grid FROM STDIN", b.data ? b.data : "", b.len, "copy grids",
                        err);
    og_buf_reset(&b);
    for (size_t i = 0; i < w->ndept_grids && rc == 0; i++) {
        const struct og_world_dept_grid *g = &w->dept_grids[i];
        rc = og_copy_text(&b, true, g->department);
        rc = rc ? rc : og_copy_text(&b, false, g->dept_grid_code);
        rc = rc ? rc : og_copy_text(&b, false, g->name);
        rc = rc ? rc : og_copy_text(&b, false, g->geojson);
        rc = rc ? rc : og_copy_end_row(&b);
    }
    if (rc == 0)
        rc = og_pg_copy(pg, "COPY og_w_dept FROM STDIN", b.data ? b.data : "", b.len,
                        "copy department grids", err);
    og_buf_reset(&b);
    for (size_t i = 0; i < w->nxwalks && rc == 0; i++) {
        const struct og_world_xwalk *x = &w->xwalks[i];
        rc = og_copy_text(&b, true, x->department);
        rc = rc ? rc : og_copy_text(&b, false, x->dept_grid_code);
        rc = rc ? rc : og_copy_text(&b, false, x->grid_code);
        rc = rc ? rc : og_copy_double(&b, false, true, x->weight);
        rc = rc ? rc : og_copy_end_row(&b);
    }
    if (rc == 0)
        rc = og_pg_copy(pg, "COPY og_w_xwalk FROM STDIN", b.data ? b.data : "", b.len,
                        "copy crosswalks", err);
    og_buf_free(&b);
    static const char *const what[] = {"merge divisions",  "merge division aliases",
                                       "merge grids",      "merge department grids",
                                       "prune crosswalks", "merge crosswalks"};
    for (int i = 0; WORLD_MERGE[i] && rc == 0; i++)
        rc = og_pg_run(pg, WORLD_MERGE[i], 0, NULL, PGRES_COMMAND_OK, NULL, what[i], err);
    PGresult *res = NULL;
    if (rc == 0)
        rc = og_pg_run(
            pg,
            "SELECT (SELECT count(*) FROM og_w_division), (SELECT count(*) FROM og_w_alias), "
            "(SELECT count(*) FROM og_w_grid), (SELECT count(*) FROM og_w_dept), "
            "(SELECT count(*) FROM og_w_xwalk x JOIN onegrid.grid g USING (grid_code)), "
            "(SELECT count(*) FROM og_w_xwalk x WHERE NOT EXISTS "
            "  (SELECT 1 FROM onegrid.grid g WHERE g.grid_code = x.grid_code))",
            0, NULL, PGRES_TUPLES_OK, &res, "count the world", err);
    if (rc == 0) {
        for (int i = 0; i < 5; i++)
            counts[i] = atoll(PQgetvalue(res, 0, i));
        *skipped = atoll(PQgetvalue(res, 0, 5));
        PQclear(res);
        rc = og_pg_exec(pg, "COMMIT", err);
    }
    if (rc < 0)
        og_pg_rollback(pg);
    return rc;
}

static const char *v(PGresult *res, int r, int c)
{
    return PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
}

int og_pg_world_fetch(struct og_pg *pg, struct og_world *w, struct og_error *err)
{
    memset(w, 0, sizeof(*w));
    PGresult *res;
    int rc = og_pg_run(
        pg, "SELECT code, level, name, parent_code, edition FROM onegrid.division ORDER BY code", 0,
        NULL, PGRES_TUPLES_OK, &res, "read divisions", err);
    for (int r = 0; rc == 0 && r < PQntuples(res); r++)
        rc = og_world_add_division(w, v(res, r, 0), atoi(v(res, r, 1)), v(res, r, 2), v(res, r, 3),
                                   v(res, r, 4), NULL);
    PQclear(res);
    if (rc == 0)
        rc = og_pg_run(
            pg, "SELECT old_code, code, edition, level, old_name FROM onegrid.division_alias", 0,
            NULL, PGRES_TUPLES_OK, &res, "read division aliases", err);
    for (int r = 0; rc == 0 && r < PQntuples(res); r++)
        rc = og_world_add_alias(w, v(res, r, 0), v(res, r, 1), v(res, r, 2),
                                v(res, r, 3) ? atoi(v(res, r, 3)) : 0, v(res, r, 4));
    PQclear(res);
    if (rc == 0)
        rc = og_pg_run(pg,
                       "SELECT grid_code, name, community_code, street_code, county_code, "
                       "public.ST_AsGeoJSON(boundary, 9) FROM onegrid.grid WHERE valid_to IS NULL "
                       "OR valid_to > "
                       "current_date ORDER BY grid_code",
                       0, NULL, PGRES_TUPLES_OK, &res, "read grids", err);
    for (int r = 0; rc == 0 && r < PQntuples(res); r++)
        rc = og_world_add_grid(w, v(res, r, 0), v(res, r, 1), v(res, r, 2), v(res, r, 3),
                               v(res, r, 4), v(res, r, 5));
    PQclear(res);
    if (rc == 0)
        rc = og_pg_run(
            pg, "SELECT department, dept_grid_code, grid_code, weight FROM onegrid.dept_grid", 0,
            NULL, PGRES_TUPLES_OK, &res, "read crosswalks", err);
    for (int r = 0; rc == 0 && r < PQntuples(res); r++)
        rc = og_world_add_xwalk(w, v(res, r, 0), v(res, r, 1), v(res, r, 2), atof(v(res, r, 3)));
    PQclear(res);
    if (rc == OG_ENOMEM)
        og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                     "out of memory reading the world");
    if (rc < 0)
        og_world_free(w);
    return rc;
}
