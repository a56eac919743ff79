/* connector.h - the one small interface every source kind implements (files, kafka, pgsql). */
#ifndef OG_CONNECTOR_H
#define OG_CONNECTOR_H

#include "core/error.h"
#include "core/options.h"
#include "core/record.h"

#include <jansson.h>
#include <stdbool.h>

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
};

#endif
