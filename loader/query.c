/* query.c - the rows of a parameterised query through a callback (see query.h). */
#include "loader/query.h"

#include "loader/pg_internal.h"

#include <stdlib.h>

int og_pg_query_rows(struct og_pg *pg, const char *sql, int nparams, const char *const *params,
                     int (*on_row)(void *ctx, int ncols, const char *const *values,
                                   struct og_error *err),
                     void *ctx, const char *what, struct og_error *err)
{
    PGresult *res;
    if (og_pg_run(pg, sql, nparams, params, PGRES_TUPLES_OK, &res, what, err) < 0)
        return OG_EDB;
    int nr = PQntuples(res), nc = PQnfields(res);
    const char **values = calloc((size_t)nc + 1, sizeof(*values));
    int rc = values ? 0
                    : og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                                   "out of memory reading the rows of a query");
    for (int r = 0; r < nr && rc == 0; r++) {
        for (int c = 0; c < nc; c++)
            values[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
        rc = on_row ? on_row(ctx, nc, values, err) : 0;
    }
    free(values);
    PQclear(res);
    return rc < 0 ? rc : nr;
}
