/* step.h - what `run`, `map` and `check` share: how a source is read (its connector and options),
 * and the record step: one raw record through mapping and reconciliation into a batch, as a
 * unified record or as a reject. */
#ifndef OG_STEP_H
#define OG_STEP_H

#include "core/batch.h"
#include "core/connector.h"
#include "core/source.h"
#include "transform/mapping.h"
#include "transform/reconcile.h"

#include <jansson.h>

/* How a source is read: by a file connector, or by a source kind that is not files. */
struct og_feed {
    const char *name;                     /* the connector's name */
    const struct og_connector *connector; /* a file connector (registry), or NULL */
    const struct og_source_ops *source;   /* a source kind (registry), or NULL */
    json_t *options; /* new reference: the mapping's "input" with the source's "options" over it */
};

/* Resolves the connector (connector if not NULL, else the mapping's input.connector) and checks
 * both option sets against its table (and the source kind's own check). OG_ECONFIG naming the
 * unknown connector (the known ones in the detail) or the option, or OG_ENOMEM. *out is new
 * (og_feed_release). */
int og_feed_resolve(const struct og_mapping *m, const char *connector, const json_t *source_options,
                    struct og_feed *out, struct og_error *err);
void og_feed_release(struct og_feed *f); /* NULL allowed; f may be zeroed */

/* What the record step needs (borrowed). */
struct og_step {
    const struct og_mapping *mapping;
    const struct og_reconciler *rec;
    const char *source; /* the configured source name */
    /* 32 bytes naming everything a record is converted under (og_source_host.seed), or NULL: a
     * file record loaded before from the same bytes is converted again */
    const unsigned char *seed;
};

enum { OG_STEP_LOADED = 0, OG_STEP_REJECTED = 1 };

/* The record step for what a source's next() returned (OG_READ_RECORD or OG_EREJECT):
 * og_step_record or og_step_unreadable. */
int og_step_take(const struct og_step *s, int rc, const struct og_read *r, struct og_batch *b,
                 struct og_unified **out, int *notes, struct og_error *err);

/* Maps and reconciles doc (read at pos, borrowed) into b. OG_STEP_LOADED: a unified record was
 * appended (*out, borrowed until the batch is reset; its position text in the arena; *notes +=
 * the fields nulled or defaulted by policy). OG_STEP_REJECTED: a reject of stage map or reconcile
 * was appended, with the record as compact JSON for raw. Negative: the run must stop (err filled:
 * OG_ENOMEM, or a reconciler failure). */
int og_step_record(const struct og_step *s, const json_t *doc, const struct og_pos *pos,
                   struct og_batch *b, struct og_unified **out, int *notes, struct og_error *err);
/* A record the connector could not read (why: its OG_EREJECT error; raw may be NULL) appended to
 * b as a reject of stage read. OG_STEP_REJECTED, or OG_ENOMEM (err filled). */
int og_step_unreadable(struct og_batch *b, const struct og_pos *pos, const struct og_error *why,
                       const char *raw, struct og_error *err);

#endif
