/* pgsql_repl.c - logical replication of one table (pgoutput, protocol version 1, over libpq's
 * replication protocol): inserts, updates and deletes as records, the position (the LSN at the end
 * of each transaction) committed with them, and acknowledged to the server only after that commit.
 *
 * A record is the row as text (the new row; for a delete the old row, complete with REPLICA
 * IDENTITY FULL, else its key) with "_op" ("insert", "update", "delete"), "_lsn" (the end of its
 * transaction) and "_commit_time" (ISO 8601, UTC; null when the server sent a time outside years
 * 1..9999) added. The last record of a transaction carries
 * the state {"lsn": end of the transaction}; the others none, so a batch never stores a position
 * inside a transaction. A run reads up to the server's WAL position when it opened (flushed, as
 * IDENTIFY_SYSTEM says, and what was inserted then: commits made with synchronous_commit off);
 * a stream keeps reading. */
#include "connectors/pgsql_internal.h"

#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PG_EPOCH_US 946684800000000LL /* 2000-01-01 in Unix microseconds */
#define IDLE_AFTER_MS 500             /* follow: this long without a record is "idle" */
#define ASK_EVERY_MS 1000             /* run: how often to ask the server where WAL ends */
#define INSERTED_WAIT_MS 3000         /* run: how long to wait for WAL inserted but not flushed */

/* ---- pgoutput messages ---------------------------------------------------------------------- */

struct rd {
    const unsigned char *p, *end;
    bool bad;
};

static uint64_t rd_int(struct rd *r, int bytes)
{
    uint64_t v = 0;
    if (r->bad || r->end - r->p < bytes) {
        r->bad = true;
        return 0;
    }
    for (int i = 0; i < bytes; i++)
        v = v << 8 | *r->p++;
    return v;
}

static const char *rd_str(struct rd *r)
{
    const unsigned char *nul = r->bad ? NULL : memchr(r->p, '\0', (size_t)(r->end - r->p));
    if (!nul) {
        r->bad = true;
        return "";
    }
    const char *s = (const char *)r->p;
    r->p = nul + 1;
    return s;
}

static int rd_tuple(struct rd *r, struct og_pgo_tuple *t)
{
    t->ncols = (uint16_t)rd_int(r, 2);
    if (r->bad)
        return -1;
    t->cols = calloc(t->ncols ? t->ncols : 1, sizeof(*t->cols));
    if (!t->cols)
        return OG_ENOMEM;
    for (uint16_t i = 0; i < t->ncols && !r->bad; i++) {
        struct og_pgo_col *c = &t->cols[i];
        c->kind = (char)rd_int(r, 1);
        if (c->kind == 't') {
            c->len = (uint32_t)rd_int(r, 4);
            if (r->bad || (uint64_t)(r->end - r->p) < c->len)
                r->bad = true;
            else {
                c->data = (const char *)r->p;
                r->p += c->len;
            }
        }
        else if (c->kind != 'n' && c->kind != 'u')
            r->bad = true;
    }
    return r->bad ? -1 : 0;
}

void og_pgo_msg_release(struct og_pgo_msg *m)
{
    free(m->attnames);
    free(m->attkey);
    free(m->old.cols);
    free(m->new_.cols);
    memset(m, 0, sizeof(*m));
}

int og_pgo_parse(const char *buf, size_t len, struct og_pgo_msg *m, struct og_error *err)
{
    memset(m, 0, sizeof(*m));
    struct rd r = {(const unsigned char *)buf, (const unsigned char *)buf + len, false};
    m->type = (char)rd_int(&r, 1);
    int rc = 0;
    switch (m->type) {
    case 'B':
        m->lsn = rd_int(&r, 8);
        m->time_us = (int64_t)rd_int(&r, 8);
        rd_int(&r, 4); /* xid */
        break;
    case 'C':
        rd_int(&r, 1); /* flags */
        rd_int(&r, 8); /* the commit record's LSN */
        m->lsn = rd_int(&r, 8);
        m->time_us = (int64_t)rd_int(&r, 8);
        break;
    case 'R':
        m->relid = (uint32_t)rd_int(&r, 4);
        m->nspname = rd_str(&r);
        m->relname = rd_str(&r);
        rd_int(&r, 1); /* replica identity setting */
        m->natts = (uint16_t)rd_int(&r, 2);
        if (r.bad)
            break;
        m->attnames = calloc(m->natts ? m->natts : 1, sizeof(*m->attnames));
        m->attkey = calloc(m->natts ? m->natts : 1, sizeof(*m->attkey));
        if (!m->attnames || !m->attkey) {
            rc = OG_ENOMEM;
            break;
        }
        for (uint16_t i = 0; i < m->natts && !r.bad; i++) {
            m->attkey[i] = rd_int(&r, 1) & 1;
            m->attnames[i] = rd_str(&r);
            rd_int(&r, 4); /* type */
            rd_int(&r, 4); /* typmod */
        }
        break;
    case 'I':
        m->relid = (uint32_t)rd_int(&r, 4);
        if (rd_int(&r, 1) != 'N')
            r.bad = true;
        else
            rc = rd_tuple(&r, &m->new_);
        break;
    case 'U':
    case 'D': {
        m->relid = (uint32_t)rd_int(&r, 4);
        char k = (char)rd_int(&r, 1);
        if (k == 'K' || k == 'O') {
            m->old_kind = k;
            rc = rd_tuple(&r, &m->old);
            if (rc == 0 && m->type == 'U')
                k = (char)rd_int(&r, 1);
        }
        if (rc == 0 && m->type == 'U') {
            if (k != 'N')
                r.bad = true;
            else
                rc = rd_tuple(&r, &m->new_);
        }
        else if (rc == 0 && !m->old_kind)
            r.bad = true;
        break;
    }
    case 'T': /* truncate: relations and options (not decoded: the reader warns) */
    case 'Y': /* type */
    case 'O': /* origin */
    case 'M': /* logical decoding message */
        return 0;
    default:
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_IO,
                            "unknown pgoutput message type 0x%02x", (unsigned char)m->type);
    }
    if (rc == OG_ENOMEM)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    if (r.bad || rc < 0)
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_IO,
                            "pgoutput message '%c' of %zu bytes is cut or malformed", m->type, len);
    return 0;
}

/* ---- the reader ----------------------------------------------------------------------------- */

struct repl {
    char *name;
    json_t *options; /* a reference: o's strings point into it */
    struct og_pgsql_opts o;
    const struct og_source_host *host;
    bool follow;
    PGconn *conn;
    char nsp[128], rel[128]; /* the table followed */
    uint32_t relid;          /* its relation id, once a Relation message named it (0: not yet) */
    char **attnames;         /* its columns (new), from the Relation message */
    uint16_t natts;
    uint64_t target;   /* run: the server's WAL position when it opened (flushed) */
    uint64_t inserted; /* run: WAL inserted when it opened (async commits not flushed yet) */
    double opened_ms;
    uint64_t seen_end;  /* the end of the last transaction or keepalive seen */
    uint64_t received;  /* the highest WAL position received */
    uint64_t tx_end;    /* the current transaction's final LSN (Begin) */
    int64_t tx_time_us; /* its commit time */
    bool in_tx;
    json_t *pending; /* the last change of the current transaction, not handed on yet */
    json_t *ready;   /* a record to hand on, with ready_state (or NULL) */
    char *ready_state;
    char *state_json;           /* the state of the record last handed on (the loop borrows it) */
    _Atomic uint64_t confirmed; /* committed in the warehouse (set on the loader thread) */
    uint64_t acked;             /* last sent to the server */
    double acked_at, asked_at, idle_since;
    long long read;
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

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)(v & 0xff);
}

/* Standby Status Update: written, flushed and applied up to lsn (what the warehouse holds). */
static int send_status(struct repl *s, bool reply, struct og_error *err)
{
    uint64_t lsn = atomic_load(&s->confirmed);
    unsigned char msg[34];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    msg[0] = 'r';
    put64(msg + 1, lsn);
    put64(msg + 9, lsn);
    put64(msg + 17, lsn);
    put64(msg + 25, (uint64_t)((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - PG_EPOCH_US));
    msg[33] = reply ? 1 : 0;
    if (PQputCopyData(s->conn, (const char *)msg, sizeof(msg)) != 1 || PQflush(s->conn) != 0)
        return og_pgsql_fail(s->name, s->conn, NULL, "send the replication status", err);
    s->acked = lsn;
    s->acked_at = now_ms();
    return 0;
}

void og_pgsql_repl_committed(void *state, const char *key, const char *json_state)
{
    struct repl *s = state;
    uint64_t lsn;
    if (strcmp(key, s->o.key) == 0 && og_pgsql_lsn_decode(json_state, &lsn, NULL) == 0 &&
        lsn > atomic_load(&s->confirmed))
        atomic_store(&s->confirmed, lsn);
}

void og_pgsql_repl_close(void *state)
{
    struct repl *s = state;
    if (!s)
        return;
    if (s->conn) {
        struct og_error err;
        og_error_clear(&err);
        if (PQstatus(s->conn) == CONNECTION_OK && atomic_load(&s->confirmed) > s->acked &&
            send_status(s, false, &err) < 0)
            og_warn(s->host->log, "pgsql", "%s", err.message);
        PQfinish(s->conn);
    }
    for (uint16_t i = 0; i < s->natts; i++)
        free(s->attnames[i]);
    free(s->attnames);
    json_decref(s->pending);
    json_decref(s->ready);
    free(s->ready_state);
    free(s->state_json);
    json_decref(s->options);
    free(s->name);
    free(s);
}

/* A statement on the replication connection; *res new when wanted (else cleared). */
static int run_sql(struct repl *s, const char *sql, ExecStatusType want, PGresult **out,
                   const char *what, struct og_error *err)
{
    PGresult *res = PQexec(s->conn, sql);
    if (PQresultStatus(res) != want) {
        og_pgsql_fail(s->name, s->conn, res, what, err);
        PQclear(res);
        return OG_EDB;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return 0;
}

int og_pgsql_repl_open(const char *name, const json_t *options, const struct og_source_host *host,
                       bool follow, void **state, struct og_error *err)
{
    *state = NULL;
    struct repl *s = calloc(1, sizeof(*s));
    if (!s || !(s->name = strdup(name))) {
        free(s);
        return nomem(err);
    }
    s->options = json_incref((json_t *)options);
    s->host = host;
    s->follow = follow;
    char *slot = NULL, *pub = NULL, *sql = NULL;
    PGresult *res = NULL;
    uint64_t start = 0;
    int rc = og_pgsql_opts_read(s->options, true, &s->o, err);
    if (rc == 0) {
        const char *dot = strchr(s->o.table, '.');
        snprintf(s->nsp, sizeof(s->nsp), "%.*s", dot ? (int)(dot - s->o.table) : 6,
                 dot ? s->o.table : "public");
        snprintf(s->rel, sizeof(s->rel), "%s", dot ? dot + 1 : s->o.table);
    }
    struct og_stored st = {false, false, 0, NULL};
    if (rc == 0 && host->lookup &&
        (rc = host->lookup(host->ctx, "pgsql", s->o.key, "", &st, err)) == 0 && st.state)
        rc = og_pgsql_lsn_decode(st.state, &start, err);
    free(st.state);
    atomic_store(&s->confirmed, start);
    s->acked = start;
    if (rc == 0)
        rc = og_pgsql_connect(name, &s->o, true, &s->conn, err);
    if (rc == 0 && (rc = run_sql(s, "IDENTIFY_SYSTEM", PGRES_TUPLES_OK, &res,
                                 "identify the system (a replication connection)", err)) == 0) {
        if (PQntuples(res) != 1 || PQnfields(res) < 3 ||
            !og_pgsql_lsn_parse(PQgetvalue(res, 0, 2), &s->target))
            rc = og_pgsql_fail(name, s->conn, NULL, "read IDENTIFY_SYSTEM", err);
        PQclear(res);
    }
    /* IDENTIFY_SYSTEM says where WAL is flushed; a commit made with synchronous_commit off may
     * not be flushed yet, but it is inserted: a run also waits for what was inserted when it
     * opened (the server sends it once its WAL writer has flushed it, within a few hundred
     * milliseconds), for at most INSERTED_WAIT_MS (an insert position may lie past the last
     * record until more WAL is written) */
    s->opened_ms = now_ms();
    if (rc == 0 && (rc = run_sql(s, "SELECT pg_current_wal_insert_lsn()", PGRES_TUPLES_OK, &res,
                                 "read where WAL is inserted", err)) == 0) {
        if (PQntuples(res) != 1 || !og_pgsql_lsn_parse(PQgetvalue(res, 0, 0), &s->inserted))
            s->inserted = 0;
        PQclear(res);
    }
    /* names as the server quotes them; the start position and options are ours, not values */
    if (rc == 0 && (!(slot = PQescapeIdentifier(s->conn, s->o.slot, strlen(s->o.slot))) ||
                    !(pub = PQescapeLiteral(s->conn, s->o.publication, strlen(s->o.publication)))))
        rc = nomem(err);
    if (rc == 0) {
        char lsn[32];
        size_t size = strlen(slot) + strlen(pub) + 160;
        if (!(sql = malloc(size)))
            rc = nomem(err);
        else
            snprintf(sql, size,
                     "START_REPLICATION SLOT %s LOGICAL %s (proto_version '1', "
                     "publication_names %s)",
                     slot, og_pgsql_lsn_format(start, lsn, sizeof(lsn)), pub);
    }
    if (rc == 0)
        rc = run_sql(s, sql, PGRES_COPY_BOTH, NULL, "start replication", err);
    if (slot)
        PQfreemem(slot);
    if (pub)
        PQfreemem(pub);
    free(sql);
    if (rc < 0) {
        if (rc == OG_ECONFIG)
            og_error_prefix(err, "source %s: ", name);
        og_pgsql_repl_close(s);
        return rc;
    }
    char a[32], b[32];
    og_info(host->log, "pgsql", "source=%s %s: replication from slot %s at %s%s%s", name, s->o.key,
            s->o.slot, og_pgsql_lsn_format(start, a, sizeof(a)), follow ? "" : ", up to ",
            follow ? "" : og_pgsql_lsn_format(s->target, b, sizeof(b)));
    s->seen_end = start;
    s->idle_since = s->asked_at = s->acked_at = now_ms();
    *state = s;
    return 0;
}

/* A Relation message: the columns of the followed table (others are ignored). */
static int relation(struct repl *s, const struct og_pgo_msg *m)
{
    if (strcmp(m->nspname, s->nsp) != 0 || strcmp(m->relname, s->rel) != 0)
        return 0;
    for (uint16_t i = 0; i < s->natts; i++)
        free(s->attnames[i]);
    free(s->attnames);
    s->natts = 0;
    s->relid = m->relid;
    if (!(s->attnames = calloc(m->natts ? m->natts : 1, sizeof(char *))))
        return OG_ENOMEM;
    for (uint16_t i = 0; i < m->natts; i++, s->natts++)
        if (!(s->attnames[i] = strdup(m->attnames[i])))
            return OG_ENOMEM;
    return 0;
}

/* A change of the followed table as a document (new reference), NULL on out of memory. */
static json_t *change_doc(struct repl *s, const struct og_pgo_msg *m)
{
    const struct og_pgo_tuple *t = m->type == 'D' ? &m->old : &m->new_;
    const struct og_pgo_tuple *old = m->old_kind ? &m->old : NULL;
    json_t *doc = json_object();
    char when[96], lsn[32];
    bool when_ok = og_pgsql_commit_time(s->tx_time_us, when, sizeof(when));
    const char *op = m->type == 'I' ? "insert" : m->type == 'U' ? "update" : "delete";
    for (uint16_t i = 0; doc && i < t->ncols && i < s->natts; i++) {
        const struct og_pgo_col *c = &t->cols[i];
        if (c->kind == 'u' && old && i < old->ncols) /* unchanged TOAST: the old row has it */
            c = &old->cols[i];
        if (c->kind == 'u' || (m->type == 'D' && m->old_kind == 'K' && c->kind == 'n'))
            continue; /* not sent: left out, not null */
        json_t *v = c->kind == 'n' ? json_null() : json_stringn(c->data, c->len);
        if (!v || json_object_set_new(doc, s->attnames[i], v) < 0) {
            json_decref(doc);
            return NULL;
        }
    }
    if (doc &&
        (json_object_set_new(doc, "_op", json_string(op)) < 0 ||
         json_object_set_new(doc, "_lsn",
                             json_string(og_pgsql_lsn_format(s->tx_end, lsn, sizeof(lsn)))) < 0 ||
         json_object_set_new(doc, "_commit_time", when_ok ? json_string(when) : json_null()) < 0)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* One message of the copy stream (XLogData or keepalive). */
static int on_copy_data(struct repl *s, const char *buf, int len, struct og_error *err)
{
    struct rd r = {(const unsigned char *)buf, (const unsigned char *)buf + len, false};
    char kind = (char)rd_int(&r, 1);
    if (kind == 'k') {
        uint64_t end = rd_int(&r, 8);
        rd_int(&r, 8);
        bool reply = rd_int(&r, 1) != 0;
        if (r.bad)
            return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_IO,
                                "source %s: a keepalive message is cut", s->name);
        if (!s->in_tx && end > s->seen_end)
            s->seen_end = end;
        return reply ? send_status(s, false, err) : 0;
    }
    if (kind != 'w')
        return 0;
    rd_int(&r, 8); /* dataStart */
    uint64_t wal_end = rd_int(&r, 8);
    rd_int(&r, 8); /* sendTime */
    if (r.bad)
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_IO,
                            "source %s: an XLogData message is cut", s->name);
    if (wal_end > s->received)
        s->received = wal_end;
    struct og_pgo_msg m;
    int rc = og_pgo_parse((const char *)r.p, (size_t)(r.end - r.p), &m, err);
    if (rc < 0) {
        og_error_prefix(err, "source %s: ", s->name);
        og_pgo_msg_release(&m);
        return rc;
    }
    switch (m.type) {
    case 'B':
        s->in_tx = true;
        s->tx_end = m.lsn;
        s->tx_time_us = m.time_us;
        break;
    case 'C':
        s->in_tx = false;
        s->seen_end = m.lsn;
        if (s->pending) { /* the transaction's last change carries its end as the state */
            s->ready = s->pending;
            s->pending = NULL;
            if (!(s->ready_state = og_pgsql_lsn_encode(m.lsn)))
                rc = nomem(err);
        }
        break;
    case 'R':
        if (relation(s, &m) < 0)
            rc = nomem(err);
        break;
    case 'T':
        og_warn(s->host->log, "pgsql",
                "source=%s: a TRUNCATE was replicated; it is not applied to the warehouse",
                s->name);
        break;
    case 'I':
    case 'U':
    case 'D': {
        if (m.relid != s->relid || !s->relid)
            break;
        json_t *doc = change_doc(s, &m);
        if (!doc)
            rc = nomem(err);
        else if (s->pending) {
            s->ready = s->pending; /* not the last of its transaction: no state */
            s->pending = doc;
        }
        else
            s->pending = doc;
        break;
    }
    default:
        break;
    }
    og_pgo_msg_release(&m);
    return rc;
}

/* Reads what the server sent, waiting up to wait_ms for it: 1 when something came, 0 when
 * nothing did. */
static int receive(struct repl *s, int wait_ms, struct og_error *err)
{
    char *buf = NULL;
    int n = PQgetCopyData(s->conn, &buf, 1);
    if (n == 0) {
        struct pollfd pfd = {PQsocket(s->conn), POLLIN, 0};
        if (poll(&pfd, 1, wait_ms) > 0 && !PQconsumeInput(s->conn))
            return og_pgsql_fail(s->name, s->conn, NULL, "read the replication stream", err);
        n = PQgetCopyData(s->conn, &buf, 1);
    }
    if (n == 0)
        return 0;
    if (n < 0) {
        PGresult *res = PQgetResult(s->conn);
        og_pgsql_fail(s->name, s->conn, res, "read the replication stream", err);
        PQclear(res);
        if (!err->message[0] || n == -1)
            og_error_detail(err, "the server ended the replication stream");
        return OG_EDB;
    }
    int rc = on_copy_data(s, buf, n, err);
    PQfreemem(buf);
    return rc < 0 ? rc : 1;
}

int og_pgsql_repl_next(void *state, struct og_read *r, struct og_error *err)
{
    struct repl *s = state;
    int rc;
    for (;;) {
        if (s->ready) {
            r->kind = "pgsql";
            r->key = s->o.key;
            r->version = "";
            r->next = 0;
            r->pos.input = s->o.key;
            r->pos.index = s->read;
            r->pos.offset = s->read++;
            free(s->state_json);
            s->state_json = s->ready_state; /* NULL: a change inside its transaction */
            s->ready_state = NULL;
            r->state = s->state_json;
            r->doc = s->ready;
            s->ready = NULL;
            s->idle_since = now_ms();
            return OG_READ_RECORD;
        }
        double t = now_ms();
        uint64_t confirmed = atomic_load(&s->confirmed);
        if ((confirmed > s->acked && t - s->acked_at >= 200) ||
            t - s->acked_at >= (double)s->o.status_ms)
            if ((rc = send_status(s, false, err)) < 0)
                return rc;
        if (!s->follow && !s->in_tx && !s->pending && s->seen_end >= s->target &&
            (s->seen_end >= s->inserted || t - s->opened_ms >= INSERTED_WAIT_MS))
            return OG_READ_END;
        if (s->host->stop && *s->host->stop)
            return OG_READ_IDLE;
        if ((rc = receive(s, 100, err)) < 0)
            return rc;
        if (rc == 0 && !s->follow && now_ms() - s->asked_at >= ASK_EVERY_MS) {
            s->asked_at = now_ms(); /* ask where WAL ends: the keepalive answer says */
            if ((rc = send_status(s, true, err)) < 0)
                return rc;
        }
        if (rc == 0 && s->follow && now_ms() - s->idle_since >= IDLE_AFTER_MS) {
            s->idle_since = now_ms();
            return OG_READ_IDLE;
        }
    }
}

void og_pgsql_repl_wait(void *state)
{
    struct repl *s = state;
    struct og_error err;
    og_error_clear(&err);
    /* keep the session: answer keepalives, report what is committed (nothing new is taken: a
     * change that arrives waits in the socket's buffer) */
    if (now_ms() - s->acked_at >= (double)s->o.status_ms && send_status(s, false, &err) < 0)
        og_warn(s->host->log, "pgsql", "%s", err.message);
}

void og_pgsql_repl_progress(void *state, const char **label, long long *done, long long *total)
{
    struct repl *s = state;
    *label = s->o.key;
    *done = s->read;
    *total = 0;
}
