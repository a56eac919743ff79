/* error.h - error values every stage fills and returns (never prints, never exits). */
#ifndef OG_ERROR_H
#define OG_ERROR_H

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
};

/* What the caller should do about it. The engine owns the policy; stages only classify. */
enum og_class {
    OG_CLASS_FATAL = 0,  /* stop the run */
    OG_CLASS_RETRY = 1,  /* may pass: connection lost, deadlock, server shutting down */
    OG_CLASS_REJECT = 2, /* the record is bad: write a reject row, go on */
};

/* Fixed-size so that reporting works with no memory left. */
struct og_error {
    int code; /* enum og_code */
    enum og_class klass;
    char reason[40];         /* machine reason code for rejects, e.g. "bad_json", "invalid_time" */
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
 * `return og_error_set(err, OG_EIO, OG_CLASS_FATAL, "io", "could not open \"%s\"", path);` */
int og_error_set_(struct og_error *err, const char *file, int line, int code, enum og_class klass,
                  const char *reason, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
#define og_error_set(err, code, klass, reason, ...)                                                \
    og_error_set_((err), __FILE__, __LINE__, (code), (klass), (reason), __VA_ARGS__)

/* Add the facts / the advice / the input position to an error already set. NULL err is allowed. */
void og_error_detail(struct og_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void og_error_hint(struct og_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void og_error_position(struct og_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefix the message with context ("mapping um_cases.json: " + old message). */
void og_error_prefix(struct og_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "position: message" into buf, then "\n  detail: ..." and "\n  hint: ..." lines when present;
 * returns buf. */
const char *og_error_format(const struct og_error *err, char *buf, size_t size);

#endif
