/* sources.h - what the warehouse knows of each configured source: which department feed it reads
 * (so that a renamed source is recognised, not loaded again as new rows), who is loading it (an
 * advisory lock per source: overlapping runs never both load one), and renaming one. */
#ifndef OG_LOADER_SOURCES_H
#define OG_LOADER_SOURCES_H

#include "loader/pg.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* Refuses source (reading department's feed) when the warehouse has none of its rows but holds the
 * same feed under a name the configuration no longer has (configured: every source name of the
 * configuration): loading it would load everything again under new ids. 0, or OG_ECONFIG (err says
 * which old name, and to run `onegrid source rename OLD NEW`), or OG_EDB. */
int og_pg_source_check_rename(struct og_pg *pg, const char *source, const char *department,
                              const char *feed, const char *const *configured, size_t nconfigured,
                              struct og_error *err);
/* Records that source reads department's feed (first loaded by run_id). 0 or OG_EDB. */
int og_pg_source_register(struct og_pg *pg, const char *source, const char *department,
                          const char *feed, long long run_id, struct og_error *err);

/* Takes the session's advisory lock of source, trying for wait_s seconds (0: once) unless *stop
 * is set meanwhile. *got says whether it was taken; when it was not, holder says who holds it
 * ("PID 4242, onegrid, since 2026-11-29 02:40:11+00", or "" when it cannot be seen). 0 or OG_EDB.
 */
int og_pg_source_lock(struct og_pg *pg, const char *source, int wait_s, volatile sig_atomic_t *stop,
                      bool *got, char *holder, size_t hsize, struct og_error *err);
/* Releases it. 0 or OG_EDB. */
int og_pg_source_unlock(struct og_pg *pg, const char *source, struct og_error *err);

/* Renames source old_name to new_name in one transaction (onegrid.rename_source: events with their
 * history and links, visits with their members, health-code rows, ledger and positions, rejects),
 * holding both sources' locks so that no run loads either meanwhile. report(ctx, what, n) is
 * called for each table moved. 0; OG_EINVAL (err: the name is not an identifier, old_name has no
 * rows, new_name has rows already); OG_EAGAIN (a run is loading one of them); OG_EDB. */
int og_pg_source_rename(struct og_pg *pg, const char *old_name, const char *new_name,
                        void (*report)(void *ctx, const char *what, long long n), void *ctx,
                        struct og_error *err);

#endif
