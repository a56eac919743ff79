/* loop.h - the run loop: a source's input files -> connector -> record step -> batches -> sink,
 * each batch committed with the position it brings its input to, on a loader thread. */
#ifndef OG_LOOP_H
#define OG_LOOP_H

#include "core/config.h"
#include "core/log.h"
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
    int commit_attempts;         /* tries per batch when a commit fails with class RETRY (>= 1) */
    unsigned retry_delay_s;      /* seconds before try n+1 is n * retry_delay_s */
    struct og_load_stats load;   /* summed over commits */
};

/* Runs one source: every file its inputs match, in name order, read by feed and turned into
 * records by step. A file whose (source, path, content hash) is done in the sink is skipped; a
 * partly loaded one resumes after its last committed record. Returns 0, or a negative error (err
 * filled) when the run must stop: a fatal read error, a failed commit, or an interruption
 * (OG_EINTR: the batch in hand was committed with its position, not done). */
int og_pipeline_source(struct og_pipeline *p, const struct og_source_cfg *sc,
                       const struct og_step *step, const struct og_feed *feed,
                       struct og_source_stats *st, struct og_error *err);

#endif
