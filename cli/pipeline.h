/* pipeline.h - the run loop: source files -> connector -> mapping -> reconcile -> batches ->
 * warehouse. */
#ifndef OG_PIPELINE_H
#define OG_PIPELINE_H

#include "core/config.h"
#include "core/log.h"
#include "loader/pg.h"
#include "transform/mapping.h"
#include "transform/reconcile.h"

#include <signal.h>
#include <stdbool.h>

#define OG_MAX_REASONS 32

struct og_reason_count {
    char reason[40];
    long long n;
};

/* What happened to one source in a run. */
struct og_source_stats {
    const char *name;
    long long files, files_skipped, files_resumed, unmatched_inputs;
    long long read;    /* records the connector produced (including malformed ones) */
    long long records; /* unified records handed to the loader */
    long long rejected;
    long long notes; /* fields nulled or defaulted by policy */
    struct og_reason_count reasons[OG_MAX_REASONS];
    int nreasons;
};

struct og_pipeline {
    struct og_pg *pg; /* borrowed; NULL for a dry run without a warehouse */
    long long run_id;
    const struct og_reconciler *rec; /* borrowed */
    struct og_log *log;              /* borrowed */
    int batch_size;
    bool dry_run;
    bool progress;               /* show progress on stderr (a terminal) */
    volatile sig_atomic_t *stop; /* set by a signal handler in main; may be NULL */
    struct og_load_stats load;   /* summed over commits */
};

/* Runs one source: every file its inputs match, in name order. A file whose (source, path, content
 * hash) is done in the ledger is skipped; a partly loaded one resumes after its last committed
 * record. Returns 0, or a negative error (err filled) when the run must stop: a fatal read error, a
 * failed commit, or an interruption (OG_EIO with reason "interrupted"). */
int og_pipeline_source(struct og_pipeline *p, const struct og_source_cfg *sc,
                       const struct og_mapping *m, struct og_source_stats *st,
                       struct og_error *err);

/* Counts one reject reason. */
void og_source_stats_count(struct og_source_stats *st, const char *reason);

/* SHA-256 of a file's content as 64 hex characters. 0 or OG_EIO. */
int og_file_sha256(const char *path, char hex[65], struct og_error *err);

#endif
