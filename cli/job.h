/* job.h - one batch run over configured sources (shared by `run` and `demo`). */
#ifndef OG_JOB_H
#define OG_JOB_H

#include "cli/common.h"
#include "cli/pipeline.h"

struct og_job_opts {
    char **only; /* --source names, or NULL for all */
    size_t nonly;
    bool dry_run;
    bool progress;
    const char *command; /* recorded in etl_run */
};

struct og_job_result {
    struct og_source_stats *stats; /* one per source run (owned) */
    size_t nstats;
    struct og_load_stats load;
    long long run_id;
    long long read, records, rejected;
    const char *status; /* "succeeded", "failed", "rejects_exceeded" */
};

/* Runs the job; returns the exit code (0, 1, 2, 3) and fills *res (og_job_result_free). Errors are
 * logged here, once. */
int og_job_run(struct og_cli *cli, const struct og_config *cfg, const struct og_job_opts *o,
               struct og_job_result *res);
void og_job_result_free(struct og_job_result *res);
/* The human summary of a run (stdout). */
void og_job_print(FILE *out, const struct og_job_result *res);

#endif
