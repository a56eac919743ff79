/* pg.h - the warehouse connection: migrations, runs, the source ledger, batch commits, the world.
 * Every statement is either COPY or parameterised; no value is ever pasted into SQL. */
#ifndef OG_PG_H
#define OG_PG_H

#include "core/batch.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/links.h"
#include "core/source.h"
#include "core/world.h"

#include <stdbool.h>
#include <stdio.h>

struct og_pg;

/* Connects with a libpq conninfo string or URI (NULL or "" = the PG* environment variables).
 * *out is new (og_pg_close). Errors are OG_EDB, class RETRY for connection failures. */
int og_pg_connect(const char *dsn, struct og_pg **out, struct og_error *err);
void og_pg_close(struct og_pg *pg); /* NULL allowed */

/* True while the connection is usable. */
bool og_pg_alive(struct og_pg *pg);
/* Re-establishes a lost connection (PQreset) and the session settings. 0 or OG_EDB (class RETRY).
 */
int og_pg_reconnect(struct og_pg *pg, struct og_error *err);

/* Runs one statement without parameters that returns no rows. */
int og_pg_exec(struct og_pg *pg, const char *sql, struct og_error *err);

/* Applies the embedded migrations not yet applied (each in its own transaction, under an advisory
 * lock, recorded in onegrid.schema_migrations). *applied = how many were applied now, *version =
 * the schema version afterwards. Running it again is harmless. */
int og_pg_migrate(struct og_pg *pg, int *applied, int *version, struct og_error *err);
/* The schema version (0 when the schema is absent). */
int og_pg_schema_version(struct og_pg *pg, int *version, struct og_error *err);

/* Runs: a row in onegrid.etl_run, status 'running' until finished; the session holds an advisory
 * lock on it meanwhile. Starting a run also marks as 'failed' any 'running' run whose session is
 * gone. */
int og_pg_run_begin(struct og_pg *pg, const char *command, const char *version, long long *run_id,
                    struct og_error *err);
/* status: "succeeded", "failed", "rejects_exceeded"; counts_json: a JSON object text. */
int og_pg_run_finish(struct og_pg *pg, long long run_id, const char *status,
                     const char *counts_json, const char *message, struct og_error *err);

/* The ledger: where input (kind, key, version) of source stands (*st new: free st->state;
 * st->found false when never committed). */
int og_pg_ledger_get(struct og_pg *pg, const char *source, const char *kind, const char *key,
                     const char *version, struct og_stored *st, struct og_error *err);

/* What one commit did. */
struct og_load_stats {
    long long inserted; /* new rows (events + visits) */
    long long updated;  /* changed rows rewritten */
    long long
        unchanged; /* rows skipped because their row hash matched (or older than the stored one) */
    long long history;       /* event_history rows appended */
    long long members;       /* visit_member rows written */
    long long rejects;       /* reject rows written (new) */
    long long health;        /* health-code changes written (new or changed) */
    long long links_added;   /* event_link rows written */
    long long links_removed; /* event_link rows removed (an event changed and no longer matches) */
};
/* Adds every count of s to *total. */
void og_load_stats_add(struct og_load_stats *total, const struct og_load_stats *s);

/* The loader's encoding of a batch's records (COPY text rows and row hashes), made on the reading
 * thread ahead of the commit so that this work does not run on the thread that waits for
 * PostgreSQL. One per batch in flight; reset after its commit. */
struct og_pg_rows;
struct og_pg_rows *og_pg_rows_create(void);       /* new, NULL on out of memory */
void og_pg_rows_destroy(struct og_pg_rows *rows); /* NULL allowed */
/* Forgets every encoding (their memory is reused). NULL allowed. */
void og_pg_rows_reset(struct og_pg_rows *rows);
/* Encodes b->recs[i] into rows (strings copied; b may change afterwards only by adding records).
 * 0 or OG_ENOMEM. */
int og_pg_rows_prepare(struct og_pg_rows *rows, const struct og_batch *b, size_t i);

/* Commits batch b in ONE transaction: COPY of records and rejects into staging tables, the merges
 * (unchanged rows are not rewritten), event history, the links of the events it inserted or
 * changed by the rules links (borrowed; NULL: no linking; loader/links.c), rejects, and where each
 * input of b->source stands (b->marks: a Kafka partition's position never moves back). rows holds
 * b's records encoded ahead (those missing are encoded now). Adds to *stats. On error the
 * transaction is rolled back and err says what and its class (RETRY for lost connections,
 * deadlocks, shutdowns; FATAL otherwise). *stats changes only when the commit succeeded. Committing
 * the same batch twice is harmless (the merges are idempotent), so a RETRY may be retried. */
int og_pg_commit_batch(struct og_pg *pg, long long run_id, const struct og_links *links,
                       const struct og_batch *b, struct og_pg_rows *rows,
                       struct og_load_stats *stats, struct og_error *err);

/* og_pg_commit_batch in two steps, for loaders in parallel (pipeline/handoff.h): work is BEGIN
 * and all of b but where its inputs stand, leaving the transaction open (rolled back on an
 * error; a lock waited for more than 10 s fails as RETRY); finish records b's marks and commits
 * (rolled back on an error); og_pg_batch_abort undoes the work. *stats gets what the work did: add
 * it up only once finish succeeded. */
int og_pg_batch_work(struct og_pg *pg, long long run_id, const struct og_links *links,
                     const struct og_batch *b, struct og_pg_rows *rows, struct og_load_stats *stats,
                     struct og_error *err);
int og_pg_batch_finish(struct og_pg *pg, long long run_id, const struct og_batch *b,
                       struct og_error *err);
void og_pg_batch_abort(struct og_pg *pg);

/* Whether the rules links (NULL: none) concern any event of b: an event of a department one of
 * their sides names (or a side of any department). */
bool og_pg_links_concern(const struct og_links *links, const struct og_batch *b);

/* The kind of mark (og_mark.kind) a replay (pipeline/replay.c) gives each record it reads again:
 * its key is the reject_id of the etl_reject row the record comes from, and the mark's records or
 * rejects say whether it passed this time. og_pg_commit_batch settles those rows in the batch's
 * transaction (replayed_at, replay_run_id = run_id, replay_outcome loaded or rejected), before the
 * batch's rejects are written, each of which then names the row it follows (replay_of); no ledger
 * position moves. A row settled meanwhile by another run fails the batch (FATAL). */
#define OG_PG_REPLAY_KIND "replay"

/* The content columns of the table of a kind of record (onegrid.event, visit, person, housing) as
 * the loader writes them (name and PostgreSQL type, in order, from loader/columns.h), so tests can
 * hold the schema to them. */
struct og_pg_column {
    const char *name;
    const char *type;
};
const struct og_pg_column *og_pg_columns(enum og_kind kind, size_t *n);

/* World import (one transaction): divisions, aliases, grids, department grids, crosswalks. Upserts;
 * crosswalk rows of an imported department that are not in w are deleted. Counts written to
 * counts[5] (divisions, aliases, grids, dept grids, crosswalk rows); *skipped = crosswalk rows that
 * name a grid not in the warehouse (left out, the caller should warn). */
int og_pg_world_import(struct og_pg *pg, const struct og_world *w, long long counts[5],
                       long long *skipped, struct og_error *err);
/* Reads the current world from the warehouse into *w (new; og_world_free). */
int og_pg_world_fetch(struct og_pg *pg, struct og_world *w, struct og_error *err);

/* Runs a parameterised query and prints its rows as an aligned table (or JSON lines when json) to
 * out. Returns the number of rows, or a negative error. */
int og_pg_print_query(struct og_pg *pg, const char *sql, int nparams, const char *const *params,
                      bool json, FILE *out, struct og_error *err);
/* A single text value from a parameterised query (new string, free()), NULL for SQL NULL/no row. */
int og_pg_query_value(struct og_pg *pg, const char *sql, int nparams, const char *const *params,
                      char **value, struct og_error *err);

#endif
