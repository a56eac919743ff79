/* error.h - error values every stage fills and returns (never prints, never exits). */
#ifndef OG_ERROR_H
#define OG_ERROR_H

#include "core/reason.h"

#include <stddef.h>

/* Return codes: 0 is success, negative is an error. Some functions also return 1 ("got one"). */
enum og_code {
    OG_OK = 0,
    OG_EINVAL = -1, /* bad argument or bad configuration */
    OG_ENOMEM = -2, /* allocation failed */
    OG_EIO = -3,    /* a file or socket operation failed */
    OG_EPARSE = -4, /* input could not be parsed */
    OG_EDB = -5,    /* PostgreSQL reported an error */
    OG_ENOTFOUND = -6,
    OG_EREJECT = -7, /* this one record is bad: reject it and go on */
    OG_ECONFIG = -8, /* configuration or mapping error (exit 2) */
    OG_EKAFKA = -9,
    OG_EINTR = -10,  /* stopped by SIGINT/SIGTERM: what was read is committed, the rest is left */
    OG_EAGAIN = -11, /* not now: try again later (a timed wait ran out) */
    OG_ECANCELED = -12, /* not done because an earlier step failed (that failure is the error) */
};

/* What the caller should do about it. The engine owns the policy; stages only classify. */
enum og_class {
    OG_CLASS_FATAL = 0,  /* stop the run */
    OG_CLASS_RETRY = 1,  /* may pass: connection lost, deadlock, server shutting down */
    OG_CLASS_REJECT = 2, /* the record is bad: write a reject row, go on */
};

/* Fixed-size so that reporting works with no memory left.
 *
 * What goes where (PostgreSQL's message style), in every module:
 * - message: what failed, one line, the object named: `cannot read the header of "x.csv"`; "could
 *   not" for a failure that may pass, "cannot" for one that will not. No advice, no newline.
 * - detail: why, as facts: `invalid byte 0xff at offset 4`, `known keys: a, b`.
 * - hint: what the user can do: `set the option "encoding"`, `run onegrid init first`.
 * - position: where in the input (`file:line:column`, `file: JSON path`, topic/partition/offset).
 * - reason and field: data for programs (etl_reject.reason, etl_reject.field), never parsed back
 *   out of the texts above. */
struct og_error {
    int code; /* enum og_code */
    enum og_class klass;
    enum og_reason reason;   /* core/reason.h; OG_R_NONE when cleared */
    char field[64];          /* the record field concerned ("reported_at"), or "" */
    char message[512];       /* short lower-case primary text */
    char detail[512];        /* facts */
    char hint[256];          /* advice */
    char sqlstate[6];        /* from PostgreSQL, else "" */
    char position[256];      /* file:line:column or topic/partition/offset */
    const char *origin_file; /* __FILE__ where it was set (static string) */
    int origin_line;
};

/* Clears err (NULL is allowed). */
void og_error_clear(struct og_error *err);

/* Fills err (NULL is allowed: nothing is recorded) and returns code, so callers can write
 * `return og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not open \"%s\"", path);`
 * The position already in err is kept; everything else is replaced. */
int og_error_set_(struct og_error *err, const char *file, int line, int code, enum og_class klass,
                  enum og_reason reason, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
#define og_error_set(err, code, klass, reason, ...)                                                \
    og_error_set_((err), __FILE__, __LINE__, (code), (klass), (reason), __VA_ARGS__)

/* Add the facts / the advice / the input position to an error already set. NULL err is allowed. */
void og_error_detail(struct og_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void og_error_hint(struct og_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void og_error_position(struct og_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Names the record field concerned (copied, cut to fit). NULL err is allowed. */
void og_error_field(struct og_error *err, const char *field);

/* Prefix the message with context ("mapping um_cases.json: " + old message). */
void og_error_prefix(struct og_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "position: message" into buf, then "\n  detail: ..." and "\n  hint: ..." lines when present;
 * returns buf. */
const char *og_error_format(const struct og_error *err, char *buf, size_t size);

#endif
