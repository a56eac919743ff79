/* pg_internal.h - what the loader's files share: the connection struct and result checking. */
#ifndef OG_PG_INTERNAL_H
#define OG_PG_INTERNAL_H

#include "loader/pg.h"

#include <libpq-fe.h>

struct og_pg {
    PGconn *conn;
    unsigned staged; /* the groups of temp staging tables the session has (merge.c) */
};

/* Fills err from a failed result (message, detail, hint, SQLSTATE, class) and returns OG_EDB.
 * what names the step ("merge events"). res may be NULL (connection error). Does not clear res. */
int og_pg_fail(struct og_pg *pg, const PGresult *res, const char *what, struct og_error *err);
/* PQexecParams and check the status is expected; on success *res is the result (caller clears) or
 * NULL if res_out is NULL (cleared here). */
int og_pg_run(struct og_pg *pg, const char *sql, int nparams, const char *const *params,
              ExecStatusType expected, PGresult **res_out, const char *what, struct og_error *err);
/* COPY sql FROM STDIN with data. */
int og_pg_copy(struct og_pg *pg, const char *sql, const char *data, size_t len, const char *what,
               struct og_error *err);
/* Writes the events of b inside the caller's transaction (run = run id as text), their rows from
 * rows. With fast, events not in the warehouse yet are copied straight into onegrid.event, the
 * state changes the batch shows into event_history; the records of stored events (all, without
 * fast) go through staging, a merge (an update older than the stored one does not win) and the
 * history merge. A concurrent insert of the same new event makes it fail with SQLSTATE 23505
 * (retry without fast). */
int og_pg_merge_events(struct og_pg *pg, const char *run, const struct og_batch *b,
                       struct og_pg_rows *rows, bool fast, struct og_load_stats *stats,
                       struct og_error *err);
/* Writes the visits of b inside the caller's transaction (run = run id as text), their rows from
 * rows. With fast, visits not in the warehouse yet are copied straight into onegrid.visit and
 * visit_member; visits whose row hash is stored already are skipped; changed ones (all, without
 * fast) go through staging and a merge that replaces their members. A concurrent insert of the
 * same new visit makes it fail with SQLSTATE 23505 (retry without fast). */
int og_pg_merge_visits(struct og_pg *pg, const char *run, const struct og_batch *b,
                       struct og_pg_rows *rows, bool fast, struct og_load_stats *stats,
                       struct og_error *err);

/* Writes the health-code changes among b's events inside the caller's transaction: every change
 * into onegrid.health_code_change (a change sent again with other content is updated), and each
 * person's latest change (by time, then event id) into onegrid.health_code, whatever the order
 * the changes arrive in. */
int og_pg_merge_health(struct og_pg *pg, const char *run, const struct og_batch *b,
                       struct og_load_stats *stats, struct og_error *err);

/* Writes the residents and rental houses of b inside the caller's transaction: each person's and
 * house's latest update (by updated_at, then the last read) replaces the stored row unless that one
 * is later; every resident state goes into person_history (one per update time, the last read).
 * With fast, residents and houses not in the warehouse yet are copied straight into onegrid.person
 * (with their states into person_history) and onegrid.housing; the others (all, without fast) go
 * through staging and the merges. A concurrent insert of the same new key makes it fail with
 * SQLSTATE 23505 (retry without fast). */
int og_pg_merge_people(struct og_pg *pg, const char *run, const struct og_batch *b,
                       struct og_pg_rows *rows, bool fast, struct og_load_stats *stats,
                       struct og_error *err);

/* Takes the transaction-level link lock: batches that link events commit one at a time, so an
 * event another loader commits meanwhile is seen by whichever commits second. Before the events
 * are merged (no row lock is held while waiting). */
int og_pg_links_lock(struct og_pg *pg, struct og_error *err);
/* Links the events of b that this run (run) inserted or changed, inside the caller's transaction
 * and after they were merged: pairs by the rules of links with stored events of other departments
 * (a void event is in no link), removes their links that no longer hold, and gives every cluster
 * they touch its link_id (event.link_id and event_link.link_id; when clusters merge the smaller
 * id stays). Adds to stats->links_added and links_removed. */
int og_pg_link_events(struct og_pg *pg, const char *run, const struct og_links *links,
                      const struct og_batch *b, struct og_load_stats *stats, struct og_error *err);

/* ROLLBACK, ignoring errors (after a failure). */
void og_pg_rollback(struct og_pg *pg);

#endif
