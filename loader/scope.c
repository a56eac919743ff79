/* scope.c - folding the day counts behind the analysts' daily views, and analysts' grants. */
#include "loader/scope.h"
#include "core/reason.h"
#include "loader/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int og_pg_fold_daily(struct og_pg *pg, long long *folded, struct og_error *err)
{
    *folded = 0;
    PGresult *res = NULL;
    if (og_pg_run(pg, "SELECT onegrid.refresh_event_daily()", 0, NULL, PGRES_TUPLES_OK, &res,
                  "fold the day counts (onegrid.refresh_event_daily)", err) < 0)
        return OG_EDB;
    if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
        *folded = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

/* Errors the grant function raises on purpose are the caller's mistakes, not the warehouse's. */
static int scope_fail(struct og_error *err)
{
    if (!strcmp(err->sqlstate, "23503") || !strcmp(err->sqlstate, "0LP01")) {
        err->code = OG_ECONFIG;
        err->klass = OG_CLASS_FATAL;
    }
    return err->code;
}

int og_pg_scope_grant(struct og_pg *pg, const char *role, const char *division,
                      struct og_scope_grant *out, struct og_error *err)
{
    memset(out, 0, sizeof(*out));
    const char *params[] = {role, division};
    PGresult *res = NULL;
    if (og_pg_run(pg, "SELECT created, divisions, grids FROM onegrid.grant_scope($1, $2)", 2,
                  params, PGRES_TUPLES_OK, &res, "grant the division", err) < 0)
        return scope_fail(err);
    if (PQntuples(res) == 1) {
        out->created = PQgetvalue(res, 0, 0)[0] == 't';
        out->divisions = atoi(PQgetvalue(res, 0, 1));
        out->grids = atoi(PQgetvalue(res, 0, 2));
    }
    PQclear(res);
    return 0;
}

int og_pg_scope_revoke(struct og_pg *pg, const char *role, const char *division, int *removed,
                       struct og_error *err)
{
    *removed = 0;
    const char *params[] = {role, division};
    PGresult *res = NULL;
    if (og_pg_run(pg, "SELECT onegrid.revoke_scope($1, $2)", 2, params, PGRES_TUPLES_OK, &res,
                  "revoke the division", err) < 0)
        return OG_EDB;
    if (PQntuples(res) == 1)
        *removed = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

int og_pg_scope_print(struct og_pg *pg, bool json, FILE *out, struct og_error *err)
{
    return og_pg_print_query(
        pg,
        "WITH RECURSIVE s AS (SELECT role_name, division_code FROM onegrid.analyst_scope), "
        "d (role_name, division_code, code) AS ("
        "  SELECT role_name, division_code, division_code FROM s "
        "  UNION SELECT d.role_name, d.division_code, c.code FROM onegrid.division c "
        "  JOIN d ON c.parent_code = d.code) "
        "SELECT s.role_name AS role, s.division_code AS division, v.level, v.name, "
        "       (SELECT count(*) FROM onegrid.grid g JOIN d ON d.code = g.community_code "
        "         WHERE (d.role_name, d.division_code) = (s.role_name, s.division_code)) AS grids "
        "  FROM s LEFT JOIN onegrid.division v ON v.code = s.division_code "
        " ORDER BY 1, 2",
        0, NULL, json, out, err);
}
