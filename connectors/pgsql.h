/* pgsql.h - the "pgsql" source: a table (or a query) of a department's own PostgreSQL database,
 * read incrementally by a watermark or followed through logical replication (docs/pgsql.md). */
#ifndef OG_CONNECTOR_PGSQL_H
#define OG_CONNECTOR_PGSQL_H

#include "core/source.h"

#include <jansson.h>
#include <libpq-fe.h>

/* Mode "watermark" (the default; needs only SELECT): each run asks the host where the input (kind
 * "pgsql", key: option "table", or "query_name") stands, a JSON object of the watermark columns'
 * values {"updated_at": "2020-02-03 10:00:00", "ticket_no": "T0001"}, and reads, in one
 * REPEATABLE READ READ ONLY transaction (a snapshot: what was there when it opened), the rows
 * where (watermark columns) > (stored values) ORDER BY those columns, through a server-side cursor
 * (FETCH batch_size), so memory does not grow with the table. Each row becomes a record: a JSON
 * object of column name -> the value as PostgreSQL prints it (text; NULL as null), handed on with
 * its watermark as state, which the run commits with the rows. A row whose watermark column is
 * NULL is a reject (missing_field) and does not move the watermark. Follow (stream): pulls again
 * every poll_interval_ms, returning OG_READ_IDLE in between.
 * Mode "replication": see pgsql_repl.c and docs/pgsql.md.
 * The password comes from "secret_values" (resolved by the command line from "secrets"), or from
 * libpq's .pgpass; a password in "conninfo" is refused. SQL is never built by pasting values:
 * identifiers through PQescapeIdentifier, values as parameters. */
extern const struct og_source_ops og_pgsql_source;

/* Row `row` of a pulled result as a record: a JSON object of column name -> the value's text
 * (NULL as null) in *doc (new). When a value is not valid UTF-8 text, *bad_col names its column
 * (borrowed from res) and the value is null in *doc. 0, or OG_ENOMEM (*doc NULL). No server is
 * needed: a result made with PQmakeEmptyPGresult and PQsetvalue will do (the fuzz target). */
int og_pgsql_row_doc(const PGresult *res, int row, json_t **doc, const char **bad_col);

#endif
