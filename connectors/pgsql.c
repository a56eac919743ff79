/* pgsql.c - the "pgsql" source: its options, the connection to a department database, its errors,
 * watermarks and LSNs as JSON state; the pull (pgsql_pull.c) and replication (pgsql_repl.c) read.
 */
#include "connectors/pgsql.h"

#include "connectors/pgsql_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct og_option_doc pgsql_options[] = {
    {"conninfo", "string", NULL,
     "libpq connection string of the department database, e.g. \"host=db.ht port=5432 "
     "dbname=hotline user=onegrid_reader\" (required; no password: see \"secrets\", or .pgpass)"},
    {"secrets", "object", NULL,
     "the password from the environment or a 0600 file: {\"password\": \"env:VAR\" | "
     "\"file:/path\"}; without it libpq's .pgpass (PGPASSFILE) is used"},
    {"secret_values", "object", NULL, "(set by the command line from \"secrets\"; not in files)"},
    {"mode", "string", "watermark",
     "watermark: incremental pull by the watermark columns (needs SELECT); replication: logical "
     "replication through pgoutput (needs REPLICATION, a publication and a slot; sees deletes)"},
    {"table", "string", NULL, "the table to read, \"schema.table\" or \"table\" (or \"query\")"},
    {"query", "string", NULL,
     "watermark mode: a SELECT to read instead of a table (wrapped as a subquery; it must give "
     "the watermark columns); needs \"query_name\""},
    {"query_name", "string", NULL, "the name the state of \"query\" is stored under"},
    {"watermark", "array", NULL,
     "watermark mode (required): the columns ordering the rows, the last one unique, e.g. "
     "[\"updated_at\", \"ticket_no\"]; rows are read where (columns) > (the last row's) in that "
     "order, so rows sharing a time are neither missed nor read twice; the columns must be NOT "
     "NULL"},
    {"batch_size", "integer", "1000", "rows fetched from the server-side cursor at a time"},
    {"poll_interval_ms", "integer", "5000", "stream, watermark mode: how long between two pulls"},
    {"slot", "string", NULL, "replication mode (required): the logical replication slot"},
    {"publication", "string", NULL,
     "replication mode (required): the publication of the table (pgoutput's publication_names)"},
    {"status_interval_ms", "integer", "10000",
     "replication mode: how often the confirmed position is reported to the server"},
    {NULL, NULL, NULL, NULL},
};

__attribute__((format(printf, 2, 3))) static int bad(struct og_error *err, const char *fmt, ...)
{
    char msg[sizeof(err->message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG, "%s", msg);
}

static const char *str_opt(const json_t *options, const char *key)
{
    const char *v = json_string_value(json_object_get(options, key));
    return v && *v ? v : NULL;
}

static long long int_opt(const json_t *options, const char *key, long long def)
{
    const json_t *v = json_object_get(options, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

/* conninfo: parsed by libpq (its own message), holding no password and no replication keyword. */
static int check_conninfo(const char *conninfo, struct og_error *err)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &msg);
    if (!opts) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     "option \"conninfo\" is not a libpq connection string");
        if (msg) {
            size_t n = strlen(msg);
            while (n && msg[n - 1] == '\n')
                msg[--n] = '\0';
            og_error_detail(err, "%s", msg);
        }
        PQfreemem(msg);
        return OG_ECONFIG;
    }
    int rc = 0;
    for (PQconninfoOption *o = opts; o->keyword && rc == 0; o++) {
        if (!o->val)
            continue;
        if (!strcmp(o->keyword, "password")) {
            rc = bad(err, "option \"conninfo\" holds a password, which cannot be in the "
                          "configuration");
            og_error_hint(err, "give it under \"secrets\": {\"password\": \"env:VARIABLE\"} or "
                               "\"file:/path/to/a/0600/file\", or in .pgpass");
        }
        else if (!strcmp(o->keyword, "replication")) {
            rc = bad(err, "option \"conninfo\" cannot set \"replication\"");
            og_error_hint(err, "use \"mode\": \"replication\"");
        }
    }
    PQconninfoFree(opts);
    return rc;
}

/* "secrets" names only "password", as "secret_values" does. */
static int check_secrets(const json_t *options, const char *key, struct og_error *err)
{
    const json_t *obj = json_object_get(options, key);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        if (strcmp(k, "password") != 0)
            return bad(err, "option \"%s\" holds only \"password\", not \"%.60s\"", key, k);
        if (!json_is_string(v))
            return bad(err, "option \"%s\": \"password\" must be a string", key);
    }
    return 0;
}

int og_pgsql_opts_read(const json_t *options, bool need_conninfo, struct og_pgsql_opts *o,
                       struct og_error *err)
{
    memset(o, 0, sizeof(*o));
    o->conninfo = str_opt(options, "conninfo");
    if (need_conninfo && !o->conninfo)
        return bad(err, "option \"conninfo\" (the department database) is required");
    if ((o->conninfo && check_conninfo(o->conninfo, err) < 0) ||
        check_secrets(options, "secrets", err) < 0 ||
        check_secrets(options, "secret_values", err) < 0)
        return OG_ECONFIG;
    o->password =
        json_string_value(json_object_get(json_object_get(options, "secret_values"), "password"));
    const char *mode = str_opt(options, "mode");
    if (mode && strcmp(mode, "watermark") != 0 && strcmp(mode, "replication") != 0)
        return bad(err, "option \"mode\" is \"watermark\" or \"replication\", not \"%.40s\"", mode);
    o->replication = mode && !strcmp(mode, "replication");
    o->table = str_opt(options, "table");
    o->query = str_opt(options, "query");
    const char *qname = str_opt(options, "query_name");
    if (!o->table == !o->query)
        return bad(err, "give one of the options \"table\" and \"query\"");
    if (o->table) {
        const char *dot = strchr(o->table, '.');
        if (dot && (dot == o->table || !dot[1] || strchr(dot + 1, '.')))
            return bad(err, "option \"table\" is \"schema.table\" or \"table\", not \"%.80s\"",
                       o->table);
        if (qname)
            return bad(err, "option \"query_name\" goes with \"query\", not \"table\"");
        o->key = o->table;
    }
    else {
        if (o->replication)
            return bad(err, "mode replication reads a table: option \"query\" is for mode "
                            "watermark");
        if (!qname)
            return bad(err, "option \"query\" needs \"query_name\" (the name its state is stored "
                            "under)");
        o->key = qname;
    }
    /* replication has its own position (the LSN): a watermark (the mapping's, say) is unused */
    const json_t *wm = json_object_get(options, "watermark");
    if (!o->replication) {
        size_t n = json_array_size(wm);
        if (!n || n > OG_PGSQL_MAX_WM)
            return bad(err, "option \"watermark\" (1 to 8 column names, e.g. [\"updated_at\", "
                            "\"ticket_no\"]) is required in mode watermark");
        for (size_t i = 0; i < n; i++) {
            const char *c = json_string_value(json_array_get(wm, i));
            if (!c || !*c)
                return bad(err, "option \"watermark\" holds column names (non-empty strings)");
            for (size_t k = 0; k < i; k++)
                if (!strcmp(o->wm[k], c))
                    return bad(err, "option \"watermark\" names the column \"%.60s\" twice", c);
            o->wm[o->nwm++] = c;
        }
    }
    o->batch_size = int_opt(options, "batch_size", 1000);
    if (o->batch_size < 1 || o->batch_size > 1000000)
        return bad(err, "option \"batch_size\" is from 1 to 1000000 rows");
    o->poll_ms = int_opt(options, "poll_interval_ms", 5000);
    if (o->poll_ms < 100 || o->poll_ms > 86400000)
        return bad(err, "option \"poll_interval_ms\" is from 100 to 86400000");
    o->status_ms = int_opt(options, "status_interval_ms", 10000);
    if (o->status_ms < 100 || o->status_ms > 3600000)
        return bad(err, "option \"status_interval_ms\" is from 100 to 3600000");
    o->slot = str_opt(options, "slot");
    o->publication = str_opt(options, "publication");
    if (o->replication && (!o->slot || !o->publication))
        return bad(err, "mode replication needs the options \"slot\" and \"publication\"");
    if (!o->replication && (o->slot || o->publication))
        return bad(err, "options \"slot\" and \"publication\" are for mode replication");
    return 0;
}

static int pgsql_check(const json_t *options, struct og_error *err)
{
    struct og_pgsql_opts o; /* a mapping alone names no database: conninfo is the config's */
    return og_pgsql_opts_read(options, false, &o, err);
}

int og_pgsql_connect(const char *name, const struct og_pgsql_opts *o, bool replication,
                     PGconn **conn, struct og_error *err)
{
    /* later keywords override what conninfo says; libpq skips a NULL value */
    const char *keys[] = {"dbname",      "client_encoding", "fallback_application_name",
                          "replication", "password",        NULL};
    const char *vals[] = {o->conninfo, "UTF8", "onegrid", replication ? "database" : NULL,
                          o->password, NULL};
    *conn = PQconnectdbParams(keys, vals, 1);
    if (!*conn)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    if (PQstatus(*conn) == CONNECTION_OK)
        return 0;
    char msg[400];
    snprintf(msg, sizeof(msg), "%s", PQerrorMessage(*conn));
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    og_error_set(err, OG_EDB, OG_CLASS_RETRY, OG_R_CONNECT,
                 "source %s: could not connect to the department database", name);
    og_error_detail(err, "%s", msg);
    if (PQconnectionNeedsPassword(*conn))
        og_error_hint(err, "give the password under \"secrets\": {\"password\": \"env:VAR\"} or "
                           "in .pgpass");
    PQfinish(*conn);
    *conn = NULL;
    return OG_EDB;
}

int og_pgsql_fail(const char *name, PGconn *conn, const PGresult *res, const char *what,
                  struct og_error *err)
{
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!primary)
        primary = conn && *PQerrorMessage(conn) ? PQerrorMessage(conn) : "unexpected result";
    char msg[400];
    snprintf(msg, sizeof(msg), "%s", primary);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    bool retry = !sqlstate || !strncmp(sqlstate, "08", 2) || !strncmp(sqlstate, "40", 2) ||
                 !strncmp(sqlstate, "53", 2) || !strncmp(sqlstate, "57", 2);
    if (conn && PQstatus(conn) != CONNECTION_OK)
        retry = true;
    og_error_set(err, OG_EDB, retry ? OG_CLASS_RETRY : OG_CLASS_FATAL, OG_R_DB,
                 "source %s: could not %s: %s", name, what, msg);
    if (err) {
        if (sqlstate)
            snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", sqlstate);
        const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
        const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
        if (sqlstate || detail)
            og_error_detail(err, "SQLSTATE %s%s%.300s", sqlstate ? sqlstate : "?",
                            detail ? "; " : "", detail ? detail : "");
        if (hint)
            og_error_hint(err, "%s", hint);
    }
    return OG_EDB;
}

char *og_pgsql_wm_encode(const char *const *cols, const char *const *vals, size_t n)
{
    json_t *obj = json_object();
    for (size_t i = 0; obj && i < n; i++)
        if (json_object_set_new(obj, cols[i], json_string(vals[i])) < 0) {
            json_decref(obj);
            return NULL;
        }
    char *text = obj ? json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(obj);
    return text;
}

int og_pgsql_wm_decode(const char *json, const char *const *cols, size_t n, char **vals,
                       struct og_error *err)
{
    for (size_t i = 0; i < n; i++)
        vals[i] = NULL;
    json_t *obj = json_loads(json, 0, NULL);
    int rc = 0;
    if (!json_is_object(obj) || json_object_size(obj) != n)
        rc = OG_ECONFIG;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *v = json_string_value(json_object_get(obj, cols[i]));
        if (!v)
            rc = OG_ECONFIG;
        else if (!(vals[i] = strdup(v)))
            rc = OG_ENOMEM;
    }
    json_decref(obj);
    if (rc == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        free(vals[i]);
        vals[i] = NULL;
    }
    if (rc == OG_ENOMEM)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                 "the stored watermark does not match the option \"watermark\"");
    og_error_detail(err, "stored: %.300s", json);
    og_error_hint(err, "the watermark columns changed: delete the source's row of "
                       "onegrid.etl_source_state to read everything again");
    return OG_ECONFIG;
}

const char *og_pgsql_lsn_format(uint64_t lsn, char *buf, size_t size)
{
    snprintf(buf, size, "%" PRIX32 "/%" PRIX32, (uint32_t)(lsn >> 32), (uint32_t)lsn);
    return buf;
}

#define PG_EPOCH_US 946684800000000LL /* 2000-01-01 in Unix microseconds */

bool og_pgsql_commit_time(int64_t pg_us, char *buf, size_t size)
{
    int64_t us;
    struct tm tm;
    if (size)
        buf[0] = '\0';
    if (__builtin_add_overflow(pg_us, PG_EPOCH_US, &us))
        return false;
    int64_t secs = us / 1000000, frac = us % 1000000;
    if (frac < 0) { /* before 1970: the second before, and the microseconds after it */
        frac += 1000000;
        secs--;
    }
    time_t t = (time_t)secs;
    if (!gmtime_r(&t, &tm) || tm.tm_year < 1 - 1900 || tm.tm_year > 9999 - 1900)
        return false;
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
    return true;
}

bool og_pgsql_lsn_parse(const char *text, uint64_t *lsn)
{
    unsigned hi = 0, lo = 0;
    int used = 0;
    if (!text || sscanf(text, "%8X/%8X%n", &hi, &lo, &used) != 2 || text[used] != '\0')
        return false;
    *lsn = ((uint64_t)hi << 32) | lo;
    return true;
}

char *og_pgsql_lsn_encode(uint64_t lsn)
{
    char buf[32];
    json_t *obj = json_pack("{s:s}", "lsn", og_pgsql_lsn_format(lsn, buf, sizeof(buf)));
    char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    return text;
}

int og_pgsql_lsn_decode(const char *json, uint64_t *lsn, struct og_error *err)
{
    json_t *obj = json_loads(json, 0, NULL);
    bool ok = json_is_object(obj) && json_object_size(obj) == 1 &&
              og_pgsql_lsn_parse(json_string_value(json_object_get(obj, "lsn")), lsn);
    json_decref(obj);
    if (ok)
        return 0;
    og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                 "the stored state is not a replication position {\"lsn\": \"X/Y\"}");
    og_error_detail(err, "stored: %.300s", json);
    og_error_hint(err, "the mode changed: delete the source's row of onegrid.etl_source_state "
                       "to start again");
    return OG_ECONFIG;
}

/* ---- the source: one of the two readers ---- */

struct pgsql {
    bool repl;
    void *impl;
};

static int pgsql_open(const char *name, const json_t *options, const struct og_source_host *host,
                      bool follow, void **state, struct og_error *err)
{
    *state = NULL;
    struct og_pgsql_opts o;
    if (og_pgsql_opts_read(options, true, &o, err) < 0) {
        og_error_prefix(err, "source %s: ", name);
        return OG_ECONFIG;
    }
    struct pgsql *s = calloc(1, sizeof(*s));
    if (!s)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    s->repl = o.replication;
    int rc = s->repl ? og_pgsql_repl_open(name, options, host, follow, &s->impl, err)
                     : og_pgsql_pull_open(name, options, host, follow, &s->impl, err);
    if (rc < 0) {
        free(s);
        return rc;
    }
    *state = s;
    return 0;
}

static int pgsql_next(void *state, struct og_read *r, struct og_error *err)
{
    struct pgsql *s = state;
    return s->repl ? og_pgsql_repl_next(s->impl, r, err) : og_pgsql_pull_next(s->impl, r, err);
}

static void pgsql_wait(void *state)
{
    struct pgsql *s = state;
    if (s->repl)
        og_pgsql_repl_wait(s->impl);
}

static void pgsql_committed(void *state, const char *key, const char *json_state)
{
    struct pgsql *s = state;
    if (s->repl)
        og_pgsql_repl_committed(s->impl, key, json_state);
}

static void pgsql_progress(void *state, const char **label, long long *done, long long *total)
{
    struct pgsql *s = state;
    if (s->repl)
        og_pgsql_repl_progress(s->impl, label, done, total);
    else
        og_pgsql_pull_progress(s->impl, label, done, total);
}

static void pgsql_close(void *state)
{
    struct pgsql *s = state;
    if (!s)
        return;
    if (s->repl)
        og_pgsql_repl_close(s->impl);
    else
        og_pgsql_pull_close(s->impl);
    free(s);
}

const struct og_source_ops og_pgsql_source = {
    .name = "pgsql",
    .summary = "a department PostgreSQL table: watermark pull or logical replication; positions "
               "committed in the warehouse",
    .options = pgsql_options,
    .check = pgsql_check,
    .open = pgsql_open,
    .next = pgsql_next,
    .wait = pgsql_wait,
    .committed = pgsql_committed,
    .progress = pgsql_progress,
    .close = pgsql_close,
};
