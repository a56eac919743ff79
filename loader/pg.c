/* pg.c - warehouse connection, statement helpers, migrations, runs, ledger, printing queries. */
#include "loader/migrations.h"
#include "loader/pg_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum og_class class_of(const char *sqlstate)
{
    if (!sqlstate)
        return OG_CLASS_RETRY; /* no SQLSTATE: the connection is gone */
    if (!strncmp(sqlstate, "08", 2) || !strncmp(sqlstate, "40", 2) || !strncmp(sqlstate, "53", 2) ||
        !strncmp(sqlstate, "57", 2) || !strcmp(sqlstate, "55P03"))
        return OG_CLASS_RETRY;
    return OG_CLASS_FATAL;
}

int og_pg_fail(struct og_pg *pg, const PGresult *res, const char *what, struct og_error *err)
{
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!primary) {
        primary = PQerrorMessage(pg->conn);
        if (res && PQresultStatus(res) != PGRES_FATAL_ERROR && !*primary)
            primary = "unexpected result status";
    }
    char msg[400];
    snprintf(msg, sizeof(msg), "%s", primary ? primary : "unknown error");
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    og_error_set(err, OG_EDB, class_of(sqlstate), OG_R_DB, "could not %s: %s", what, msg);
    if (err) {
        if (sqlstate)
            snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", sqlstate);
        const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
        const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
        const char *where = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
        if (detail || where)
            og_error_detail(err, "%s%s%.200s", detail ? detail : "", detail && where ? "; " : "",
                            where ? where : "");
        if (hint)
            og_error_hint(err, "%s", hint);
    }
    return OG_EDB;
}

int og_pg_run(struct og_pg *pg, const char *sql, int nparams, const char *const *params,
              ExecStatusType expected, PGresult **res_out, const char *what, struct og_error *err)
{
    if (res_out)
        *res_out = NULL;
    PGresult *res = PQexecParams(pg->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    if (!res || PQresultStatus(res) != expected) {
        og_pg_fail(pg, res, what, err);
        PQclear(res);
        return OG_EDB;
    }
    if (res_out)
        *res_out = res;
    else
        PQclear(res);
    return 0;
}

int og_pg_exec(struct og_pg *pg, const char *sql, struct og_error *err)
{
    PGresult *res = PQexec(pg->conn, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        og_pg_fail(pg, res, "run a statement", err);
        PQclear(res);
        return OG_EDB;
    }
    PQclear(res);
    return 0;
}

void og_pg_rollback(struct og_pg *pg)
{
    if (PQtransactionStatus(pg->conn) != PQTRANS_IDLE)
        PQclear(PQexec(pg->conn, "ROLLBACK"));
}

int og_pg_copy(struct og_pg *pg, const char *sql, const char *data, size_t len, const char *what,
               struct og_error *err)
{
    PGresult *res = PQexec(pg->conn, sql);
    if (!res || PQresultStatus(res) != PGRES_COPY_IN) {
        og_pg_fail(pg, res, what, err);
        PQclear(res);
        return OG_EDB;
    }
    PQclear(res);
    const size_t chunk = 1 << 20;
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        if (PQputCopyData(pg->conn, data + off, (int)n) != 1) {
            PQputCopyEnd(pg->conn, "client could not send data");
            break;
        }
    }
    int rc = 0;
    if (PQputCopyEnd(pg->conn, NULL) != 1)
        rc = og_pg_fail(pg, NULL, what, err);
    while ((res = PQgetResult(pg->conn)) != NULL) {
        if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = og_pg_fail(pg, res, what, err);
        PQclear(res);
    }
    return rc;
}

static const char SESSION_SQL[] = "SET client_encoding = 'UTF8'; SET application_name = 'onegrid'; "
                                  "SET client_min_messages = warning";

int og_pg_connect(const char *dsn, struct og_pg **out, struct og_error *err)
{
    *out = NULL;
    struct og_pg *pg = calloc(1, sizeof(*pg));
    if (!pg)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    pg->conn = PQconnectdb(dsn ? dsn : "");
    if (!pg->conn || PQstatus(pg->conn) != CONNECTION_OK) {
        char msg[300];
        snprintf(msg, sizeof(msg), "%s", pg->conn ? PQerrorMessage(pg->conn) : "out of memory");
        size_t n = strlen(msg);
        while (n && msg[n - 1] == '\n')
            msg[--n] = '\0';
        og_error_set(err, OG_EDB, OG_CLASS_RETRY, OG_R_CONNECT,
                     "could not connect to the warehouse: %s", msg);
        og_error_hint(err, "set ONEGRID_DSN (a libpq conninfo like \"host=127.0.0.1 port=5432 "
                           "dbname=onegrid\") or "
                           "\"warehouse\": {\"dsn\": ...} in the config, or the PG* variables");
        og_pg_close(pg);
        return OG_EDB;
    }
    struct og_error e2;
    if (og_pg_exec(pg, SESSION_SQL, err ? err : &e2) < 0) {
        og_pg_close(pg);
        return OG_EDB;
    }
    *out = pg;
    return 0;
}

bool og_pg_alive(struct og_pg *pg)
{
    return pg && PQstatus(pg->conn) == CONNECTION_OK;
}

int og_pg_reconnect(struct og_pg *pg, struct og_error *err)
{
    PQreset(pg->conn);
    pg->staged = 0; /* temp tables went with the old session */
    if (PQstatus(pg->conn) != CONNECTION_OK)
        return og_pg_fail(pg, NULL, "reconnect to the warehouse", err);
    return og_pg_exec(pg, SESSION_SQL, err);
}

void og_pg_close(struct og_pg *pg)
{
    if (!pg)
        return;
    PQfinish(pg->conn);
    free(pg);
}

/* ---- migrations ---- */

static const char LOCK_KEY[] = "7340331"; /* advisory lock id for migrations ("onegrid") */

int og_pg_schema_version(struct og_pg *pg, int *version, struct og_error *err)
{
    *version = 0;
    PGresult *res;
    if (og_pg_run(pg, "SELECT to_regclass('onegrid.schema_migrations') IS NOT NULL", 0, NULL,
                  PGRES_TUPLES_OK, &res, "read the schema version", err) < 0)
        return OG_EDB;
    bool exists = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (!exists)
        return 0;
    if (og_pg_run(pg, "SELECT coalesce(max(version), 0) FROM onegrid.schema_migrations", 0, NULL,
                  PGRES_TUPLES_OK, &res, "read the schema version", err) < 0)
        return OG_EDB;
    *version = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

int og_pg_migrate(struct og_pg *pg, int *applied, int *version, struct og_error *err)
{
    *applied = 0;
    const char *lock[] = {LOCK_KEY};
    if (og_pg_run(pg, "SELECT pg_advisory_lock($1::bigint)", 1, lock, PGRES_TUPLES_OK, NULL,
                  "take the migration lock", err) < 0)
        return OG_EDB;
    int rc = og_pg_exec(
        pg,
        "CREATE SCHEMA IF NOT EXISTS onegrid;"
        "CREATE TABLE IF NOT EXISTS onegrid.schema_migrations (version integer PRIMARY KEY, "
        "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());"
        "COMMENT ON TABLE onegrid.schema_migrations IS 'Schema migrations applied by onegrid init "
        "(one row per numbered file of loader/sql).';"
        "COMMENT ON COLUMN onegrid.schema_migrations.version IS 'Migration number (NNN of "
        "NNN_name.sql).';"
        "COMMENT ON COLUMN onegrid.schema_migrations.name IS 'Migration file name without .sql.';"
        "COMMENT ON COLUMN onegrid.schema_migrations.applied_at IS 'When it was applied.';",
        err);
    int current = 0;
    if (rc == 0)
        rc = og_pg_schema_version(pg, &current, err);
    for (const struct og_migration *mg = og_migrations; rc == 0 && mg->name; mg++) {
        if (mg->version <= current)
            continue;
        if ((rc = og_pg_exec(pg, "BEGIN", err)) < 0)
            break;
        rc = og_pg_exec(pg, mg->sql, err);
        if (rc < 0) {
            og_error_prefix(err, "migration %s: ", mg->name);
            og_pg_rollback(pg);
            break;
        }
        char v[16];
        snprintf(v, sizeof(v), "%d", mg->version);
        const char *p[] = {v, mg->name};
        rc = og_pg_run(pg, "INSERT INTO onegrid.schema_migrations (version, name) VALUES ($1, $2)",
                       2, p, PGRES_COMMAND_OK, NULL, "record the migration", err);
        if (rc == 0)
            rc = og_pg_exec(pg, "COMMIT", err);
        if (rc < 0) {
            og_pg_rollback(pg);
            break;
        }
        (*applied)++;
        current = mg->version;
    }
    struct og_error ignore;
    og_pg_run(pg, "SELECT pg_advisory_unlock($1::bigint)", 1, lock, PGRES_TUPLES_OK, NULL,
              "release the lock", &ignore);
    *version = current;
    return rc;
}

/* ---- runs ---- */

static const char RUN_LOCK_CLASS[] =
    "7340332"; /* advisory lock class of running runs (key 2 = run id) */

int og_pg_run_begin(struct og_pg *pg, const char *command, const char *version, long long *run_id,
                    struct og_error *err)
{
    char host[256] = "";
    gethostname(host, sizeof(host) - 1);
    const char *p[] = {command, version, host};
    PGresult *res;
    if (og_pg_run(pg,
                  "INSERT INTO onegrid.etl_run (status, command, version, host) VALUES ('running', "
                  "$1, $2, $3) "
                  "RETURNING run_id",
                  3, p, PGRES_TUPLES_OK, &res, "start a run", err) < 0)
        return OG_EDB;
    *run_id = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    /* The run holds an advisory lock for as long as its session lives; a 'running' row whose lock
     * nobody holds belongs to a process that died (kill -9, power loss): mark it failed. */
    char id[32];
    snprintf(id, sizeof(id), "%lld", *run_id);
    const char *p2[] = {RUN_LOCK_CLASS, id};
    if (og_pg_run(pg, "SELECT pg_advisory_lock($1::int, $2::int)", 2, p2, PGRES_TUPLES_OK, NULL,
                  "lock the run", err) < 0)
        return OG_EDB;
    return og_pg_run(
        pg,
        "UPDATE onegrid.etl_run r SET status = 'failed', finished_at = now(), "
        "message = 'the process ended without finishing the run (killed or crashed); a later run "
        "resumed from the ledger' WHERE r.status = 'running' AND r.run_id <> $2::bigint "
        "AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted "
        "AND l.classid = $1::int::oid AND l.objid = r.run_id::int::oid AND l.objsubid = 2)",
        2, p2, PGRES_COMMAND_OK, NULL, "mark abandoned runs", err);
}

int og_pg_run_finish(struct og_pg *pg, long long run_id, const char *status,
                     const char *counts_json, const char *message, struct og_error *err)
{
    char id[32];
    snprintf(id, sizeof(id), "%lld", run_id);
    const char *p[] = {id, status, counts_json ? counts_json : "{}", message};
    return og_pg_run(pg,
                     "UPDATE onegrid.etl_run SET finished_at = now(), status = $2, counts = "
                     "$3::jsonb, message = $4 "
                     "WHERE run_id = $1",
                     4, p, PGRES_COMMAND_OK, NULL, "finish the run", err);
}

/* ---- ledger ---- */

int og_pg_ledger_get(struct og_pg *pg, const char *source, const char *kind, const char *key,
                     const char *version, struct og_stored *st, struct og_error *err)
{
    memset(st, 0, sizeof(*st));
    const char *p[] = {source, kind, key, version ? version : ""};
    PGresult *res;
    if (og_pg_run(
            pg,
            "SELECT position, done, state::text FROM onegrid.etl_source_state WHERE source = $1 "
            "AND kind = $2 AND key = $3 AND version = $4",
            4, p, PGRES_TUPLES_OK, &res, "read the source ledger", err) < 0)
        return OG_EDB;
    int rc = 0;
    if (PQntuples(res) == 1) {
        st->found = true;
        st->position = atoll(PQgetvalue(res, 0, 0));
        st->done = PQgetvalue(res, 0, 1)[0] == 't';
        if (!PQgetisnull(res, 0, 2) && strcmp(PQgetvalue(res, 0, 2), "{}") != 0 &&
            !(st->state = strdup(PQgetvalue(res, 0, 2))))
            rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    }
    PQclear(res);
    return rc;
}

/* ---- printing ---- */

int og_pg_query_value(struct og_pg *pg, const char *sql, int nparams, const char *const *params,
                      char **value, struct og_error *err)
{
    *value = NULL;
    PGresult *res;
    if (og_pg_run(pg, sql, nparams, params, PGRES_TUPLES_OK, &res, "run a query", err) < 0)
        return OG_EDB;
    if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        *value = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

/* Display width of UTF-8 text: CJK and full-width characters count 2. */
static int width_of(const char *s)
{
    int w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p < 0x80) {
            w++;
            p++;
        }
        else {
            int len = (*p >= 0xF0) ? 4 : (*p >= 0xE0) ? 3 : 2;
            w += len >= 3 ? 2 : 1;
            for (int i = 0; i < len && *p; i++)
                p++;
        }
    }
    return w;
}

int og_pg_print_query(struct og_pg *pg, const char *sql, int nparams, const char *const *params,
                      bool json, FILE *out, struct og_error *err)
{
    PGresult *res;
    if (og_pg_run(pg, sql, nparams, params, PGRES_TUPLES_OK, &res, "run a query", err) < 0)
        return OG_EDB;
    int nr = PQntuples(res), nc = PQnfields(res);
    if (json) {
        /* rows as NDJSON; values as strings (NULL as null) */
        for (int r = 0; r < nr; r++) {
            fputc('{', out);
            for (int c = 0; c < nc; c++) {
                fprintf(out, "%s\"%s\":", c ? "," : "", PQfname(res, c));
                if (PQgetisnull(res, r, c)) {
                    fputs("null", out);
                    continue;
                }
                fputc('"', out);
                for (const char *p = PQgetvalue(res, r, c); *p; p++) {
                    if (*p == '"' || *p == '\\')
                        fprintf(out, "\\%c", *p);
                    else if ((unsigned char)*p < 0x20)
                        fprintf(out, "\\u%04x", *p);
                    else
                        fputc(*p, out);
                }
                fputc('"', out);
            }
            fputs("}\n", out);
        }
        PQclear(res);
        return nr;
    }
    int *w = calloc((size_t)nc + 1, sizeof(int));
    if (!w) {
        PQclear(res);
        return OG_ENOMEM;
    }
    for (int c = 0; c < nc; c++) {
        w[c] = width_of(PQfname(res, c));
        for (int r = 0; r < nr; r++) {
            int x = width_of(PQgetvalue(res, r, c));
            if (x > w[c])
                w[c] = x > 60 ? 60 : x;
        }
    }
    for (int c = 0; c < nc; c++)
        fprintf(out, "%s%s%*s", c ? " | " : "", PQfname(res, c), w[c] - width_of(PQfname(res, c)),
                "");
    fputc('\n', out);
    for (int c = 0; c < nc; c++) {
        fputs(c ? "-+-" : "", out);
        for (int i = 0; i < w[c]; i++)
            fputc('-', out);
    }
    fputc('\n', out);
    for (int r = 0; r < nr; r++) {
        for (int c = 0; c < nc; c++) {
            const char *v = PQgetisnull(res, r, c) ? "" : PQgetvalue(res, r, c);
            int x = width_of(v);
            fprintf(out, "%s%s%*s", c ? " | " : "", v, x < w[c] ? w[c] - x : 0, "");
        }
        fputc('\n', out);
    }
    fprintf(out, "(%d row%s)\n", nr, nr == 1 ? "" : "s");
    free(w);
    PQclear(res);
    return nr;
}
