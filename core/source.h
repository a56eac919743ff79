/* source.h - what the run loop reads from: a source yields raw records, each with where its input
 * stands once that record is committed (a file and the records read; a Kafka partition and the next
 * offset; a pulled table and its watermark). Files (pipeline/files.c over core/connector.h),
 * Kafka (connectors/kafka.c) and database pulls implement it; the loop knows nothing else of them,
 * and they know nothing of mapping or the warehouse. */
#ifndef OG_SOURCE_H
#define OG_SOURCE_H

#include "core/error.h"
#include "core/log.h"
#include "core/options.h"
#include "core/record.h"

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* What the warehouse holds for one input (an og_mark committed earlier). */
struct og_stored {
    bool found;         /* never committed when false (the rest is zero) */
    bool done;          /* a file fully loaded */
    long long position; /* records of a file; the next offset of a Kafka partition */
    char *state;        /* JSON text (a pull's watermark), new (free()) or NULL */
};

/* Counts a source keeps of its inputs, for the run's summary. */
struct og_input_counts {
    long long files, files_skipped, files_resumed, unmatched_inputs;
    long long files_failed; /* files rejected as a whole in this run (cut, broken, unreadable) */
    char failed_file[256];  /* the first of them, for the run's message */
    long long files_known_failed; /* skipped: rejected as a whole by an earlier run, unchanged */
    long long partitions;         /* Kafka partitions read */
};

/* What a source may ask of the run that reads it (all borrowed; valid while the source is open). */
struct og_source_host {
    void *ctx;
    /* Where input (kind, key, version) stands in the warehouse (*st new: free st->state). Every
     * batch handed on before is committed first, so the answer is current. */
    int (*lookup)(void *ctx, const char *kind, const char *key, const char *version,
                  struct og_stored *st, struct og_error *err);
    /* Commits every record handed on so far (Kafka: before partitions are revoked). */
    int (*flush)(void *ctx, struct og_error *err);
    struct og_log *log;
    volatile sig_atomic_t *stop; /* set on SIGINT/SIGTERM; may be NULL */
    struct og_input_counts *counts;
    /* Sets a gauge the run exposes (a stream's /metrics): name{labels} = value. May be NULL. */
    void (*gauge)(void *ctx, const char *name, const char *help, const char *labels, double value);
    /* The digests of a file's records the warehouse holds (key: the file's path), written into
     * fd as 8-byte numbers at offset 8 x record index (a hole: none), after every batch handed
     * on is committed; *n: how many. May be NULL (nothing is skipped). */
    int (*digests)(void *ctx, const char *key, int fd, long long *n, struct og_error *err);
    /* The configuration records are converted under (the mapping, the world, the source's
     * options, onegrid's version): a record's digest starts from it. NULL: nothing is skipped. */
    const unsigned char *seed; /* 32 bytes */
};

/* One record as a source hands it on. */
struct og_read {
    json_t *doc;         /* new reference; NULL for an unreadable record */
    char *raw;           /* the text of an unreadable record (new), or NULL */
    struct og_pos pos;   /* strings borrowed from the source until its next call */
    struct og_error why; /* why it is unreadable, or why reading stopped */
    /* where the input stands once this record is committed (borrowed like pos) */
    const char *kind;    /* "file", "kafka", "pgsql" */
    const char *key;     /* path; topic:partition; table */
    const char *version; /* a file's content hash; "" otherwise */
    long long next;      /* the position after this record */
    const char *state;   /* JSON text of a watermark, or NULL */
    /* a file record's digest (og_skip), stored with the batch so that the next run of a changed
     * file knows it; 0: none */
    uint64_t digest;
};

/* What next() returns besides a negative error. */
enum {
    OG_READ_END = 0,        /* everything there is has been read (a run stops here) */
    OG_READ_RECORD = 1,     /* a record: r->doc (or OG_EREJECT: r->why, r->raw) */
    OG_READ_IDLE = 2,       /* nothing for now (stream): commit what is held, ask again */
    OG_READ_INPUT_DONE = 3, /* an input is finished: r->kind/key/version/next say which; it is
                               committed as done before the next record */
    OG_READ_UNCHANGED = 4,  /* a file record loaded before from the same bytes: not converted;
                               r->pos, r->digest and the position say which */
};

/* A source kind. Options are the source's (checked against the table first). */
struct og_source_ops {
    const char *name;                    /* "kafka" */
    const char *summary;                 /* one line for --help */
    const struct og_option_doc *options; /* terminated by {NULL} */
    /* Members of a consumer group share the source (each reads its own partitions): runs and
     * streams of it may overlap. False: one run at a time loads it (an advisory lock). */
    bool shared;
    /* Records carry the partition they come from (og_pos.partition), and as a rule no two
     * partitions write the same warehouse row (Kafka: messages keyed by their record's key): with
     * loaders in parallel, each takes its own share of the partitions, so that a key updated again
     * and again does not make every batch wait for the one before. */
    bool partitioned;
    /* Checks options beyond the table (values, combinations) without connecting (onegrid check).
     * May be NULL. 0 or OG_ECONFIG. */
    int (*check)(const json_t *options, struct og_error *err);
    /* Opens the configured source named name. follow: keep reading past the end (stream) instead
     * of stopping at what there was when it opened (run). *state is new (close). */
    int (*open)(const char *name, const json_t *options, const struct og_source_host *host,
                bool follow, void **state, struct og_error *err);
    /* The next record into *r (cleared by the caller): OG_READ_RECORD, OG_EREJECT (a record that
     * cannot be read; reading goes on), OG_READ_INPUT_DONE, OG_READ_IDLE, OG_READ_END, or another
     * negative code when reading cannot go on (err; class OG_CLASS_REJECT when only the current
     * input is unreadable as a whole: the loop rejects it and asks for the next). */
    int (*next)(void *state, struct og_read *r, struct og_error *err);
    /* The loop cannot take records for a while (the loader is busy or retrying): keep the session
     * alive without taking any (Kafka: pause the partitions, serve the group). May be NULL. */
    void (*wait)(void *state);
    /* Bytes (or records) read so far and in all, and what is being read, for progress display. */
    void (*progress)(void *state, const char **label, long long *done, long long *total);
    void (*close)(void *state); /* NULL allowed */
    /* A batch holding records of this source is committed in the warehouse: called once for each
     * input it moved that has a state (key, JSON text, borrowed for the call), on the loader
     * thread, so it may only record them (logical replication acknowledges the position to the
     * source afterwards, from next() or wait()). May be NULL. */
    void (*committed)(void *state, const char *key, const char *json_state);
};

/* og_read.doc and .raw freed; r can be used again. */
void og_read_release(struct og_read *r);

#endif
