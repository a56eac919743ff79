/* query.h - the rows of a parameterised query, one callback per row, for the modules above the
 * loader that read the warehouse (analysis/). No value is ever pasted into the SQL. */
#ifndef OG_QUERY_H
#define OG_QUERY_H

#include "core/error.h"

struct og_pg;

/* Runs sql with nparams text parameters (NULL entries are SQL NULL) and calls on_row(ctx, ncols,
 * values, err) for each row in order: values[c] is the text of column c, NULL for SQL NULL,
 * borrowed until on_row returns. on_row returns 0 to go on or a negative code (err filled) to
 * stop; on_row NULL ignores the rows. what names the step for the error message ("read the grids").
 * Returns the number of rows
 * (>= 0), OG_EDB with err from PostgreSQL, or on_row's code. */
int og_pg_query_rows(struct og_pg *pg, const char *sql, int nparams, const char *const *params,
                     int (*on_row)(void *ctx, int ncols, const char *const *values,
                                   struct og_error *err),
                     void *ctx, const char *what, struct og_error *err);

#endif
