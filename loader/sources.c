/* sources.c - the sources the warehouse knows: registration and renames, advisory locks. */
#include "loader/sources.h"

#include "loader/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The advisory lock key of a source: a 64-bit hash of its name (hashtextextended). */
#define LOCK_KEY "hashtextextended('onegrid.source:' || $1, 0)"

int og_pg_source_check_rename(struct og_pg *pg, const char *source, const char *department,
                              const char *feed, const char *const *configured, size_t nconfigured,
                              struct og_error *err)
{
    /* the configured names as an array literal: names are identifiers ([a-z0-9_]), never quoted */
    size_t len = 3;
    for (size_t i = 0; i < nconfigured; i++)
        len += strlen(configured[i]) + 1;
    char *names = malloc(len);
    if (!names)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    size_t o = 0;
    names[o++] = '{';
    for (size_t i = 0; i < nconfigured; i++)
        o += (size_t)sprintf(names + o, "%s%s", i ? "," : "", configured[i]);
    names[o++] = '}';
    names[o] = '\0';
    const char *p[] = {source, department, feed, names};
    PGresult *res;
    int rc = og_pg_run(
        pg,
        "SELECT s.source, (SELECT count(*) FROM onegrid.etl_source_state st WHERE st.source = "
        "s.source) FROM onegrid.etl_source s WHERE s.department = $2 AND s.feed = $3 AND "
        "s.source <> $1 AND NOT (s.source = ANY ($4::text[])) AND NOT EXISTS (SELECT 1 FROM "
        "onegrid.etl_source WHERE source = $1) AND NOT EXISTS (SELECT 1 FROM "
        "onegrid.etl_source_state WHERE source = $1) ORDER BY s.registered_at LIMIT 1",
        4, p, PGRES_TUPLES_OK, &res, "look for a renamed source", err);
    free(names);
    if (rc < 0)
        return rc;
    if (PQntuples(res) > 0) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     "source %s reads feed %s of %s, which the warehouse holds as source %s: "
                     "loading it under a new name would load everything again as new rows",
                     source, feed, department, PQgetvalue(res, 0, 0));
        og_error_detail(err, "the configuration no longer names %s (%s inputs in its ledger)",
                        PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
        og_error_hint(err,
                      "if %s was renamed, run `onegrid source rename %s %s` first (it moves the "
                      "rows, ledger and positions at once); if both are wanted, configure both",
                      PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 0), source);
        rc = OG_ECONFIG;
    }
    PQclear(res);
    return rc;
}

int og_pg_source_register(struct og_pg *pg, const char *source, const char *department,
                          const char *feed, long long run_id, struct og_error *err)
{
    char run[32];
    snprintf(run, sizeof(run), "%lld", run_id);
    const char *p[] = {source, department, feed, run_id > 0 ? run : NULL};
    return og_pg_run(pg,
                     "INSERT INTO onegrid.etl_source (source, department, feed, first_run_id) "
                     "VALUES ($1, $2, $3, $4::bigint) ON CONFLICT (source) DO UPDATE SET "
                     "department = EXCLUDED.department, feed = EXCLUDED.feed WHERE "
                     "(etl_source.department, etl_source.feed) IS DISTINCT FROM "
                     "(EXCLUDED.department, EXCLUDED.feed)",
                     4, p, PGRES_COMMAND_OK, NULL, "register the source", err);
}

/* Who holds source's lock, into holder ("" when it cannot be seen). */
static void lock_holder(struct og_pg *pg, const char *source, char *holder, size_t hsize)
{
    holder[0] = '\0';
    const char *p[] = {source};
    PGresult *res;
    struct og_error e;
    og_error_clear(&e);
    if (og_pg_run(pg,
                  "WITH k AS (SELECT " LOCK_KEY " AS k) SELECT a.pid, coalesce(a.application_name, "
                  "''), coalesce(a.client_addr::text, 'local'), date_trunc('second', "
                  "a.backend_start)::text FROM pg_locks l JOIN pg_stat_activity a ON a.pid = "
                  "l.pid, k WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND "
                  "l.classid::bigint = ((k.k >> 32) & 4294967295) AND l.objid::bigint = (k.k & "
                  "4294967295) LIMIT 1",
                  1, p, PGRES_TUPLES_OK, &res, "see who holds the lock", &e) < 0)
        return;
    if (PQntuples(res) > 0)
        snprintf(holder, hsize, "PID %s (%s, %s), connected since %s", PQgetvalue(res, 0, 0),
                 PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3));
    PQclear(res);
}

int og_pg_source_lock(struct og_pg *pg, const char *source, int wait_s, volatile sig_atomic_t *stop,
                      bool *got, char *holder, size_t hsize, struct og_error *err)
{
    *got = false;
    holder[0] = '\0';
    const char *p[] = {source};
    for (int tries = 0;; tries++) {
        PGresult *res;
        int rc = og_pg_run(pg, "SELECT pg_try_advisory_lock(" LOCK_KEY ")", 1, p, PGRES_TUPLES_OK,
                           &res, "lock the source", err);
        if (rc < 0)
            return rc;
        *got = PQntuples(res) > 0 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        PQclear(res);
        if (*got || tries >= wait_s * 4 || (stop && *stop))
            break;
        usleep(250 * 1000);
    }
    if (!*got)
        lock_holder(pg, source, holder, hsize);
    return 0;
}

int og_pg_source_unlock(struct og_pg *pg, const char *source, struct og_error *err)
{
    const char *p[] = {source};
    return og_pg_run(pg, "SELECT pg_advisory_unlock(" LOCK_KEY ")", 1, p, PGRES_TUPLES_OK, NULL,
                     "unlock the source", err);
}

int og_pg_source_rename(struct og_pg *pg, const char *old_name, const char *new_name,
                        void (*report)(void *ctx, const char *what, long long n), void *ctx,
                        struct og_error *err)
{
    int rc = og_pg_exec(pg, "BEGIN", err);
    if (rc < 0)
        return rc;
    const char *p[] = {old_name, new_name};
    PGresult *res = NULL;
    rc = og_pg_run(pg,
                   "SELECT pg_try_advisory_xact_lock(hashtextextended('onegrid.source:' || $1, 0)) "
                   "AND pg_try_advisory_xact_lock(hashtextextended('onegrid.source:' || $2, 0))",
                   2, p, PGRES_TUPLES_OK, &res, "lock the sources", err);
    if (rc == 0 && strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        rc = og_error_set(err, OG_EAGAIN, OG_CLASS_FATAL, OG_R_LOCKED,
                          "cannot rename source %s now: a run is loading %s or %s", old_name,
                          old_name, new_name);
        og_error_hint(err, "run the rename when it has finished (onegrid status shows runs)");
    }
    PQclear(res);
    res = NULL;
    if (rc == 0)
        rc = og_pg_run(pg, "SELECT what, n FROM onegrid.rename_source($1, $2)", 2, p,
                       PGRES_TUPLES_OK, &res, "rename the source", err);
    if (rc == OG_EDB && (!strcmp(err->sqlstate, "22023") || !strcmp(err->sqlstate, "P0002") ||
                         !strcmp(err->sqlstate, "23505"))) {
        err->code = rc = OG_EINVAL; /* the names, not the server */
        err->klass = OG_CLASS_FATAL;
        err->reason = OG_R_BAD_CONFIG;
    }
    struct og_error e2;
    og_error_clear(&e2);
    if (rc == 0)
        rc = og_pg_exec(pg, "COMMIT", err);
    else
        og_pg_exec(pg, "ROLLBACK", &e2);
    if (rc == 0 && report)
        for (int i = 0; i < PQntuples(res); i++)
            report(ctx, PQgetvalue(res, i, 0), atoll(PQgetvalue(res, i, 1)));
    PQclear(res);
    return rc;
}
