/* loop.h - the run loop that `run`, `stream` and `map` share: a source's records (core/source.h)
 * -> record step -> batches -> sink, each batch committed with the positions it brings its inputs
 * to, on a loader thread while the next batch is read. */
#ifndef OG_LOOP_H
#define OG_LOOP_H

#include "core/log.h"
#include "core/source.h"
#include "pipeline/metrics.h"
#include "pipeline/sink.h"
#include "pipeline/stats.h"
#include "pipeline/step.h"

#include <signal.h>
#include <stdbool.h>

struct og_pipeline {
    const struct og_sink *sink;  /* borrowed; NULL for a dry run: nothing is looked up or stored */
    struct og_log *log;          /* borrowed */
    int batch_size;              /* records (and rejects) per transaction */
    bool progress;               /* show progress on stderr (a terminal) */
    volatile sig_atomic_t *stop; /* set by a signal handler in main; may be NULL */
    int commit_attempts;         /* tries per batch on a RETRY-class failure; 0 = until stopped */
    unsigned retry_delay_s;      /* try n+1 waits n * retry_delay_s seconds, at most 30 s */
    bool follow;                 /* stream: read past the end until stopped */
    int linger_ms;               /* follow: a batch is committed at most this long after its first
                                    record, however few records it has */
    long long limit;             /* stop after this many records read (0 = no limit) */
    struct og_metrics *metrics;  /* borrowed; NULL: none kept */
    struct og_load_stats load;   /* summed over commits */
    long long batches;           /* batches committed */
    long long waited; /* of those, with loaders in parallel: batches whose work waited for an
                         earlier batch to be final (one writing a row they write) */
};

/* Reads the source named name (ops opened with options) to its end, or until stopped when
 * following, through step into the sink. Returns 0, or a negative error (err filled) when the
 * source must stop: a fatal read error, a failed commit, or an interruption (OG_EINTR when not
 * following: the records read were committed with their positions; the next run resumes). */
int og_pipeline_source(struct og_pipeline *p, const char *name, const struct og_source_ops *ops,
                       const json_t *options, const struct og_step *step,
                       struct og_source_stats *st, struct og_error *err);

#endif
