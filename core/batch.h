/* batch.h - a batch of unified records and rejects with the positions they bring their inputs to
 * (marks: a file, a Kafka partition, a pulled table); its arena holds all record data and is freed
 * in one call after commit. */
#ifndef OG_BATCH_H
#define OG_BATCH_H

#include "core/arena.h"
#include "core/error.h"
#include "core/unified.h"

#include <stdbool.h>
#include <stdint.h>

struct og_batch {
    struct og_arena *arena;  /* owned */
    struct og_unified *recs; /* owned array */
    size_t nrecs, caprecs;
    struct og_reject *rejs; /* owned array */
    size_t nrejs, caprejs;
    const char *source;    /* the configured source all its records come from (borrowed) */
    struct og_mark *marks; /* owned array: where each input stands once this batch is committed */
    size_t nmarks, capmarks;
    long long notes; /* fields nulled/defaulted by policy in this batch */
};

/* Where one input of the source stands once the batch is committed (strings in the arena). */
struct og_mark {
    const char *kind;    /* "file", "kafka", "pgsql" */
    const char *key;     /* file path, topic:partition, table */
    const char *version; /* content hash for files, "" otherwise */
    long long position;  /* records consumed from a file; the next offset of a partition */
    bool done;           /* the input is fully consumed (files) */
    const char *state;   /* JSON object text (a pull's watermark), or NULL */
    long long records;   /* records of this batch from this input */
    long long rejects;   /* rejects of this batch from this input */
    /* files: the digests of the records this batch passes (loaded, rejected or unchanged), so
     * that the next run of a changed file knows which it need not convert again */
    long long first;   /* the record index of digests[0] */
    uint64_t *digests; /* owned; 0: a record not digested */
    size_t ndigests, capdigests;
};

/* New empty batch, NULL on out of memory. */
struct og_batch *og_batch_create(void);
void og_batch_destroy(struct og_batch *b); /* NULL allowed */
/* Empties the batch, its marks and its arena (record pointers become invalid); keeps source. */
void og_batch_reset(struct og_batch *b);
/* A new zeroed record slot (borrowed, valid until the next og_batch_add or reset), or NULL on out
 * of memory. */
struct og_unified *og_batch_add(struct og_batch *b);
/* Drops the last slot handed out by og_batch_add (when the record turned out to be a reject). */
void og_batch_drop_last(struct og_batch *b);
/* Appends a reject of stage with why's reason, field and message (why->reason must not be
 * OG_R_NONE: OG_EINVAL). Strings are copied into the arena: field, message and raw as valid UTF-8
 * (invalid bytes as U+FFFD, for the loader stores them as text), message and raw with any run of
 * 15-18 digits (an optional X) masked before raw is cut to 64 KiB, so that no raw identity number
 * is ever stored. 0, OG_EINVAL or OG_ENOMEM. */
int og_batch_reject(struct og_batch *b, const struct og_pos *pos, enum og_stage stage,
                    const struct og_error *why, const char *raw);
size_t og_batch_size(const struct og_batch *b);
/* The mark of input (kind, key, version) in b, added (zeroed, strings copied into the arena) when
 * it is not there yet. Borrowed until the next og_batch_mark or reset; NULL on out of memory. */
struct og_mark *og_batch_mark(struct og_batch *b, const char *kind, const char *key,
                              const char *version);

/* Appends the digest of m's record index (0: unknown); a gap before it is filled with 0. 0 or
 * OG_ENOMEM. */
int og_mark_digest(struct og_mark *m, long long index, uint64_t digest);

#endif
