/* connector.h - the one small interface every source kind implements (files, kafka, pgsql). */
#ifndef OG_CONNECTOR_H
#define OG_CONNECTOR_H

#include "core/digest.h"
#include "core/error.h"
#include "core/options.h"
#include "core/record.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* A record that was loaded before from the same bytes need not be converted again: a connector
 * that knows where a record's bytes are digests them (og_skip_begin, og_skip_add over what makes
 * the record what it is, then og_skip_end) before it converts them; when og_skip_end says the file
 * source has seen them at this record index, next() returns OG_CONN_UNCHANGED with *pos set and no
 * document. Every record next() returns afterwards (1, OG_EREJECT, OG_CONN_UNCHANGED) was digested
 * first, or none was (then the digest is 0: unknown). */
struct og_skip {
    struct og_rdigest *digest; /* scratch, owned by the file source */
    const unsigned char *seed; /* 32 bytes: the configuration the bytes are converted under */
    bool (*unchanged)(void *ctx, uint64_t digest);
    void *ctx;
};

enum { OG_CONN_UNCHANGED = 2 };

static inline void og_skip_begin(const struct og_skip *s)
{
    og_rdigest_begin(s->digest, s->seed);
}

static inline void og_skip_add(const struct og_skip *s, const void *data, size_t len)
{
    og_rdigest_add(s->digest, data, len);
}

/* Whether the record digested since og_skip_begin is unchanged (not to be converted). */
static inline bool og_skip_end(const struct og_skip *s)
{
    return s->unchanged(s->ctx, og_rdigest_end(s->digest));
}

/* og_skip_begin, og_skip_add and og_skip_end for a record that is one run of bytes. */
static inline bool og_skip_bytes(const struct og_skip *s, const void *data, size_t len)
{
    og_skip_begin(s);
    og_skip_add(s, data, len);
    return og_skip_end(s);
}

/* A file connector reads one input file. State is private to the connector.
 *
 * open:  path is borrowed; options is a borrowed JSON object (may be NULL) merged from the
 * mapping's "input" block and the source's "options"; unknown keys are an OG_ECONFIG error. On
 * success *state is new and must be passed to close(). next:  returns 1 and sets *doc (new
 * reference, caller owns) and *pos (its strings valid until close); returns 0 at the end of input;
 *        returns OG_EREJECT for one malformed record: err is filled (reason, message, position),
 *        *pos says where it was and *raw is the record's raw text (new, free()) or NULL; reading
 * can go on with the next call; returns another negative code when reading cannot go on (err
 * filled): class OG_CLASS_REJECT when the input's content is at fault (cut, broken, not safe: the
 * input is rejected as a whole; *pos and *raw may say where it broke), another class for a
 * failure of the machine (I/O, memory). progress: bytes consumed so far and the total (0 when
 * unknown), for progress display. verify (NULL for a connector whose input cannot fail as a whole
 * once records were read: csv, ndjson): reads the input to its end without handing on records,
 * right after open; 0 when it can be read as a whole (next() then starts at the first record), or
 * the error that would end it (reason, message, position: class OG_CLASS_REJECT for the input's
 * content, another class for an I/O or memory failure). Lets a run load nothing of a file that is
 *        cut or broken part-way (the source option partial_files "reject_file").
 * close: releases everything; NULL state is allowed.
 */
struct og_connector {
    const char *name;                    /* "csv", "ndjson", "json" */
    const char *summary;                 /* one line for --help */
    const struct og_option_doc *options; /* terminated by {NULL} */
    int (*open)(const char *path, const json_t *options, void **state, struct og_error *err);
    int (*next)(void *state, json_t **doc, struct og_pos *pos, char **raw, struct og_error *err);
    void (*progress)(void *state, long long *done, long long *total);
    int (*verify)(void *state, struct og_pos *pos, struct og_error *err);
    void (*close)(void *state);
    /* Optional: digest each record before converting it, and skip it when skip says so (the skip
     * and what it points to outlive the state). NULL: the connector converts every record. */
    void (*set_skip)(void *state, const struct og_skip *skip);
};

#endif
