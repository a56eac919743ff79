/* pgsql_pull.c - the watermark pull: rows past the stored watermark, in watermark order, read in a
 * snapshot through a server-side cursor, each handed on with its watermark as JSON state. */
#include "connectors/pgsql.h"
#include "connectors/pgsql_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CURSOR "og_pull"
#define IDLE_STEP_MS 200 /* follow: the longest sleep between two looks at the stop flag */

struct pull {
    char *name;
    json_t *options; /* a reference: o's strings point into it */
    struct og_pgsql_opts o;
    const struct og_source_host *host;
    bool follow;
    PGconn *conn;
    char *sql_first;           /* the SELECT when there is no watermark yet */
    char *sql_after;           /* the SELECT of the rows past the watermark ($1..$n) */
    char *fetch;               /* "FETCH n FROM og_pull" */
    char *wm[OG_PGSQL_MAX_WM]; /* the watermark of the last row handed on (new), or NULLs */
    bool have_wm;
    int wm_col[OG_PGSQL_MAX_WM]; /* the watermark columns in the result */
    bool in_tx;                  /* a pull's transaction and cursor are open */
    bool cursor_end;             /* the last FETCH gave fewer rows than asked: nothing follows */
    bool finished;               /* run: the one pull is done */
    PGresult *res;               /* the rows of the last FETCH */
    int row, nrows;
    char *state_json; /* the state of the last record handed on (the loop borrows it) */
    long long read;
    double next_pull_ms; /* follow: when to pull again */
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int nomem(struct og_error *err)
{
    return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
}

/* Appends identifier id, quoted by the server's rules, to *sql (realloc). */
static int append_ident(PGconn *conn, char **sql, const char *id, size_t len)
{
    char *q = PQescapeIdentifier(conn, id, len);
    if (!q)
        return OG_ENOMEM;
    size_t have = *sql ? strlen(*sql) : 0;
    char *grown = realloc(*sql, have + strlen(q) + 1);
    if (!grown) {
        PQfreemem(q);
        return OG_ENOMEM;
    }
    memcpy(grown + have, q, strlen(q) + 1);
    *sql = grown;
    PQfreemem(q);
    return 0;
}

static int append(char **sql, const char *text)
{
    size_t have = *sql ? strlen(*sql) : 0;
    char *grown = realloc(*sql, have + strlen(text) + 1);
    if (!grown)
        return OG_ENOMEM;
    memcpy(grown + have, text, strlen(text) + 1);
    *sql = grown;
    return 0;
}

/* The two SELECTs: from the table (each part of schema.table quoted) or the query as a subquery,
 * with and without "WHERE (w1, w2) > ($1, $2)", ordered by the watermark columns. */
static int build_sql(struct pull *p, struct og_error *err)
{
    char *from = NULL, *cols = NULL;
    int rc = append(&from, "SELECT * FROM ");
    if (rc == 0 && p->o.table) {
        const char *dot = strchr(p->o.table, '.');
        if (dot)
            rc = append_ident(p->conn, &from, p->o.table, (size_t)(dot - p->o.table));
        if (rc == 0 && dot)
            rc = append(&from, ".");
        const char *t = dot ? dot + 1 : p->o.table;
        if (rc == 0)
            rc = append_ident(p->conn, &from, t, strlen(t));
    }
    else if (rc == 0) {
        /* the configured query (trusted configuration, not a value), without a final ";" */
        size_t n = strlen(p->o.query);
        while (n && strchr(" \t\r\n;", p->o.query[n - 1]))
            n--;
        char *q = strndup(p->o.query, n);
        rc = q ? append(&from, "(") : OG_ENOMEM;
        if (rc == 0 && (rc = append(&from, q)) == 0)
            rc = append(&from, ") AS og_src");
        free(q);
    }
    for (size_t i = 0; rc == 0 && i < p->o.nwm; i++) {
        if (i)
            rc = append(&cols, ", ");
        if (rc == 0)
            rc = append_ident(p->conn, &cols, p->o.wm[i], strlen(p->o.wm[i]));
    }
    char *after = NULL;
    if (rc == 0 && (rc = append(&p->sql_first, from)) == 0 &&
        (rc = append(&p->sql_first, " ORDER BY ")) == 0)
        rc = append(&p->sql_first, cols);
    if (rc == 0 && (rc = append(&after, from)) == 0 && (rc = append(&after, " WHERE (")) == 0 &&
        (rc = append(&after, cols)) == 0)
        rc = append(&after, ") > (");
    for (size_t i = 0; rc == 0 && i < p->o.nwm; i++) {
        char param[32];
        snprintf(param, sizeof(param), "%s$%zu", i ? ", " : "", i + 1);
        rc = append(&after, param);
    }
    if (rc == 0 && (rc = append(&after, ") ORDER BY ")) == 0)
        rc = append(&after, cols);
    p->sql_after = after;
    free(from);
    free(cols);
    if (rc == 0) {
        char buf[64];
        snprintf(buf, sizeof(buf), "FETCH %lld FROM " CURSOR, p->o.batch_size);
        if (!(p->fetch = strdup(buf)))
            rc = OG_ENOMEM;
    }
    return rc < 0 ? nomem(err) : 0;
}

void og_pgsql_pull_close(void *state)
{
    struct pull *p = state;
    if (!p)
        return;
    PQclear(p->res);
    if (p->conn)
        PQfinish(p->conn); /* an open read-only transaction ends with the session */
    for (size_t i = 0; i < OG_PGSQL_MAX_WM; i++)
        free(p->wm[i]);
    free(p->sql_first);
    free(p->sql_after);
    free(p->fetch);
    free(p->state_json);
    json_decref(p->options);
    free(p->name);
    free(p);
}

int og_pgsql_pull_open(const char *name, const json_t *options, const struct og_source_host *host,
                       bool follow, void **state, struct og_error *err)
{
    *state = NULL;
    struct pull *p = calloc(1, sizeof(*p));
    if (!p || !(p->name = strdup(name))) {
        free(p);
        return nomem(err);
    }
    p->options = json_incref((json_t *)options);
    p->host = host;
    p->follow = follow;
    int rc = og_pgsql_opts_read(p->options, true, &p->o, err);
    struct og_stored st = {false, false, 0, NULL};
    if (rc == 0 && host->lookup &&
        (rc = host->lookup(host->ctx, "pgsql", p->o.key, "", &st, err)) == 0 && st.state) {
        rc = og_pgsql_wm_decode(st.state, p->o.wm, p->o.nwm, p->wm, err);
        p->have_wm = rc == 0;
    }
    if (rc == 0)
        rc = og_pgsql_connect(name, &p->o, false, &p->conn, err);
    if (rc == 0)
        rc = build_sql(p, err);
    if (rc < 0) {
        if (rc == OG_ECONFIG)
            og_error_prefix(err, "source %s: ", name);
        free(st.state);
        og_pgsql_pull_close(p);
        return rc;
    }
    og_info(host->log, "pgsql", "source=%s %s: %s%s", name, p->o.key,
            p->have_wm ? "reads the rows past the watermark "
                       : "reads every row (no watermark yet)",
            p->have_wm ? st.state : "");
    free(st.state);
    *state = p;
    return 0;
}

/* BEGIN a snapshot and DECLARE the cursor over the rows past the watermark. */
static int begin_pull(struct pull *p, struct og_error *err)
{
    PGresult *res = PQexec(p->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        og_pgsql_fail(p->name, p->conn, res, "begin a read-only transaction", err);
        PQclear(res);
        return OG_EDB;
    }
    PQclear(res);
    p->in_tx = true;
    p->cursor_end = false;
    char *declare = NULL;
    const char *sql = p->have_wm ? p->sql_after : p->sql_first;
    if (append(&declare, "DECLARE " CURSOR " NO SCROLL CURSOR FOR ") < 0 ||
        append(&declare, sql) < 0) {
        free(declare);
        return nomem(err);
    }
    res = PQexecParams(p->conn, declare, p->have_wm ? (int)p->o.nwm : 0, NULL,
                       (const char *const *)p->wm, NULL, NULL, 0);
    free(declare);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        og_pgsql_fail(p->name, p->conn, res, "declare the cursor over the rows to read", err);
        og_error_position(err, "%s", p->o.key);
        PQclear(res);
        return OG_EDB;
    }
    PQclear(res);
    return 0;
}

/* The cursor closed and the snapshot ended. */
static int end_pull(struct pull *p, struct og_error *err)
{
    PGresult *res = PQexec(p->conn, "COMMIT");
    p->in_tx = false;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        og_pgsql_fail(p->name, p->conn, res, "end the read-only transaction", err);
        PQclear(res);
        return OG_EDB;
    }
    PQclear(res);
    return 0;
}

/* The next rows of the cursor into p->res; the watermark columns found in them. */
static int fetch(struct pull *p, struct og_error *err)
{
    PGresult *res = PQexec(p->conn, p->fetch);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        og_pgsql_fail(p->name, p->conn, res, "fetch rows", err);
        PQclear(res);
        return OG_EDB;
    }
    int nf = PQnfields(res);
    for (int i = 0; i < nf; i++)
        for (int k = 0; k < i; k++)
            if (!strcmp(PQfname(res, i), PQfname(res, k))) {
                og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                             "source %s: %s gives the column \"%.60s\" twice", p->name, p->o.key,
                             PQfname(res, i));
                og_error_hint(err, "name the columns of the query apart (AS)");
                PQclear(res);
                return OG_ECONFIG;
            }
    for (size_t w = 0; w < p->o.nwm; w++) {
        p->wm_col[w] = -1;
        for (int i = 0; i < nf; i++)
            if (!strcmp(PQfname(res, i), p->o.wm[w]))
                p->wm_col[w] = i;
        if (p->wm_col[w] < 0) {
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                         "source %s: %s has no column \"%.60s\" (option \"watermark\")", p->name,
                         p->o.key, p->o.wm[w]);
            PQclear(res);
            return OG_ECONFIG;
        }
    }
    p->res = res;
    p->row = 0;
    p->nrows = PQntuples(res);
    p->cursor_end = p->nrows < p->o.batch_size;
    return 0;
}

int og_pgsql_row_doc(const PGresult *res, int row, json_t **doc, const char **bad_col)
{
    *bad_col = NULL;
    *doc = json_object();
    if (!*doc)
        return OG_ENOMEM;
    for (int i = 0; i < PQnfields(res); i++) {
        json_t *v = PQgetisnull(res, row, i)
                        ? json_null()
                        : json_stringn(PQgetvalue(res, row, i), (size_t)PQgetlength(res, row, i));
        if (!v) { /* not UTF-8 (the session's encoding is UTF8: a NUL in bytea-like text) */
            *bad_col = PQfname(res, i);
            v = json_null();
        }
        if (json_object_set_new(*doc, PQfname(res, i), v) < 0) {
            json_decref(*doc);
            *doc = NULL;
            return OG_ENOMEM;
        }
    }
    return 0;
}

/* Row p->row of p->res as a record (or a reject), with its watermark as state. */
static int to_record(struct pull *p, struct og_read *r, struct og_error *err)
{
    PGresult *res = p->res;
    int row = p->row++;
    r->kind = "pgsql";
    r->key = p->o.key;
    r->version = "";
    r->next = 0;
    r->pos.input = p->o.key;
    r->pos.index = p->read;
    r->pos.offset = p->read;
    p->read++;
    json_t *doc;
    const char *bad_col;
    if (og_pgsql_row_doc(res, row, &doc, &bad_col) < 0)
        return nomem(err);
    const char *vals[OG_PGSQL_MAX_WM];
    const char *null_wm = NULL;
    for (size_t w = 0; w < p->o.nwm; w++) {
        vals[w] = PQgetvalue(res, row, p->wm_col[w]);
        if (PQgetisnull(res, row, p->wm_col[w]) && !null_wm)
            null_wm = p->o.wm[w];
    }
    if (bad_col || null_wm) {
        r->raw = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(doc);
        og_error_set(&r->why, OG_EREJECT, OG_CLASS_REJECT,
                     bad_col ? OG_R_BAD_ENCODING : OG_R_MISSING_FIELD,
                     bad_col ? "column \"%s\" is not valid text"
                             : "watermark column \"%s\" is NULL: the row cannot be read in order",
                     bad_col ? bad_col : null_wm);
        og_error_field(&r->why, bad_col ? bad_col : null_wm);
        og_error_position(&r->why, "%s#%lld", p->o.key, p->read);
        return OG_EREJECT;
    }
    char *state = og_pgsql_wm_encode(p->o.wm, vals, p->o.nwm);
    if (!state) {
        json_decref(doc);
        return nomem(err);
    }
    for (size_t w = 0; w < p->o.nwm; w++) {
        free(p->wm[w]);
        if (!(p->wm[w] = strdup(vals[w]))) {
            free(state);
            json_decref(doc);
            return nomem(err);
        }
    }
    p->have_wm = true;
    free(p->state_json);
    p->state_json = state;
    r->state = state;
    r->doc = doc;
    return OG_READ_RECORD;
}

int og_pgsql_pull_next(void *state, struct og_read *r, struct og_error *err)
{
    struct pull *p = state;
    int rc;
    for (;;) {
        if (p->res && p->row < p->nrows)
            return to_record(p, r, err);
        if (p->res) {
            PQclear(p->res);
            p->res = NULL;
            if (!p->cursor_end)
                continue; /* fetch the next rows */
            if ((rc = end_pull(p, err)) < 0)
                return rc;
            if (!p->follow) {
                p->finished = true;
                return OG_READ_END;
            }
            p->next_pull_ms = now_ms() + (double)p->o.poll_ms;
            return OG_READ_IDLE;
        }
        if (p->in_tx) {
            if ((rc = fetch(p, err)) < 0)
                return rc;
            continue;
        }
        if (p->finished)
            return OG_READ_END;
        double wait = p->next_pull_ms - now_ms();
        if (p->follow && wait > 0) {
            if (p->host->stop && *p->host->stop)
                return OG_READ_IDLE;
            double step = wait < IDLE_STEP_MS ? wait : IDLE_STEP_MS;
            struct timespec ts = {(time_t)(step / 1000), (long)((long long)step % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            return OG_READ_IDLE;
        }
        if ((rc = begin_pull(p, err)) < 0)
            return rc;
        if ((rc = fetch(p, err)) < 0)
            return rc;
    }
}

void og_pgsql_pull_progress(void *state, const char **label, long long *done, long long *total)
{
    struct pull *p = state;
    *label = p->o.key;
    *done = p->read;
    *total = 0;
}
