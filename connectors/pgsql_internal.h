/* pgsql_internal.h - what the files of the "pgsql" source share (pgsql.c: options, connection,
 * errors, watermarks; pgsql_pull.c: the watermark pull; pgsql_repl.c: logical replication), and
 * the pure parts the unit tests reach. Not for other modules. */
#ifndef OG_PGSQL_INTERNAL_H
#define OG_PGSQL_INTERNAL_H

#include "core/source.h"

#include <jansson.h>
#include <libpq-fe.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OG_PGSQL_MAX_WM 8 /* watermark columns at most */

/* A source's options, read and checked (strings borrowed from the options object). */
struct og_pgsql_opts {
    const char *conninfo;
    const char *password; /* from "secret_values" (resolved by the command line), or NULL */
    bool replication;     /* "mode": "replication" */
    const char *table;    /* "schema.table" or "table", or NULL with query */
    const char *query;    /* a SELECT, or NULL with table */
    const char *key;      /* the ledger key: table, or query_name */
    const char *wm[OG_PGSQL_MAX_WM];
    size_t nwm;
    long long batch_size; /* rows per FETCH */
    long long poll_ms;    /* follow: between two pulls */
    const char *slot;     /* replication */
    const char *publication;
    long long status_ms; /* replication: between two standby status updates */
};

/* Reads and checks options (borrowed) without connecting: 0, or OG_ECONFIG naming the option.
 * need_conninfo: "conninfo" is required (open; a mapping checked alone has none). */
int og_pgsql_opts_read(const json_t *options, bool need_conninfo, struct og_pgsql_opts *o,
                       struct og_error *err);

/* Connects to the department database (conninfo, password, client_encoding UTF8; a replication
 * connection when replication). *conn new (PQfinish), NULL on error. */
int og_pgsql_connect(const char *name, const struct og_pgsql_opts *o, bool replication,
                     PGconn **conn, struct og_error *err);

/* An error of the source database into err: "source NAME: could not WHAT: <server's primary
 * message>", its SQLSTATE, detail and hint; class retry for SQLSTATE classes 08/40/53/57 and a
 * lost connection, else fatal. res may be NULL. Returns OG_EDB. */
int og_pgsql_fail(const char *name, PGconn *conn, const PGresult *res, const char *what,
                  struct og_error *err);

/* The watermark of a row as JSON text: {"col": "value", ...} in column order. New, NULL on out of
 * memory. */
char *og_pgsql_wm_encode(const char *const *cols, const char *const *vals, size_t n);
/* The values of cols in a stored watermark (JSON object text, any key order): vals[i] new
 * (free()). OG_ECONFIG when it is not such an object or names other columns. */
int og_pgsql_wm_decode(const char *json, const char *const *cols, size_t n, char **vals,
                       struct og_error *err);

/* Replication state: {"lsn": "X/Y"}. New text, NULL on out of memory. */
char *og_pgsql_lsn_encode(uint64_t lsn);
/* Parses {"lsn": "X/Y"}: 0 or OG_ECONFIG. */
int og_pgsql_lsn_decode(const char *json, uint64_t *lsn, struct og_error *err);
/* "X/Y" into buf (at least 24 bytes); returns buf. */
const char *og_pgsql_lsn_format(uint64_t lsn, char *buf, size_t size);
/* Parses "X/Y": true when it is one. */
bool og_pgsql_lsn_parse(const char *text, uint64_t *lsn);
/* A commit time of the replication protocol (microseconds since 2000-01-01 UTC, as the server
 * sends it) as ISO 8601 UTC with microseconds ("2020-02-03T04:05:06.000007Z") into buf (at least
 * 32 bytes). false, buf "", when it is outside years 1..9999 (a broken or hostile message). */
bool og_pgsql_commit_time(int64_t pg_us, char *buf, size_t size);

/* The watermark pull (pgsql_pull.c). */
int og_pgsql_pull_open(const char *name, const json_t *options, const struct og_source_host *host,
                       bool follow, void **state, struct og_error *err);
int og_pgsql_pull_next(void *state, struct og_read *r, struct og_error *err);
void og_pgsql_pull_progress(void *state, const char **label, long long *done, long long *total);
void og_pgsql_pull_close(void *state);

/* ---- pgoutput (pgsql_repl.c) ---- */

/* One decoded pgoutput message (protocol version 1). Strings and tuples point into the message
 * bytes (borrowed while they live); a tuple column's text is not NUL-terminated. */
struct og_pgo_col {
    char kind; /* 'n' null, 'u' unchanged TOAST, 't' text */
    const char *data;
    uint32_t len;
};
struct og_pgo_tuple {
    uint16_t ncols;
    struct og_pgo_col *cols; /* new array (og_pgo_msg_release) */
};
struct og_pgo_msg {
    char type;       /* 'B', 'C', 'R', 'I', 'U', 'D', 'T', 'Y', 'O', 'M' (others: skipped) */
    uint64_t lsn;    /* B: final LSN of the transaction; C: end LSN of the commit */
    int64_t time_us; /* B, C: commit time, microseconds since 2000-01-01 UTC */
    uint32_t relid;  /* R, I, U, D */
    const char *nspname, *relname; /* R */
    uint16_t natts;                /* R */
    const char **attnames;         /* R: new array of borrowed names */
    bool *attkey;                  /* R: new array: part of the replica identity */
    char old_kind;                 /* U, D: 'K' key, 'O' old row, 0 none */
    struct og_pgo_tuple old, new_; /* U, D: old; I, U: new_ */
};

/* Decodes one pgoutput message of len bytes (the payload of an XLogData). 0, or OG_EPARSE with
 * err naming what is wrong; m is filled (release it in both cases). */
int og_pgo_parse(const char *buf, size_t len, struct og_pgo_msg *m, struct og_error *err);
void og_pgo_msg_release(struct og_pgo_msg *m);

/* Logical replication (pgsql_repl.c). */
int og_pgsql_repl_open(const char *name, const json_t *options, const struct og_source_host *host,
                       bool follow, void **state, struct og_error *err);
int og_pgsql_repl_next(void *state, struct og_read *r, struct og_error *err);
void og_pgsql_repl_wait(void *state);
void og_pgsql_repl_committed(void *state, const char *key, const char *json_state);
void og_pgsql_repl_progress(void *state, const char **label, long long *done, long long *total);
void og_pgsql_repl_close(void *state);

#endif
