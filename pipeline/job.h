/* job.h - one batch run over the configured sources (shared by `run` and `demo`): everything is
 * checked first, then each source is loaded. The job prints nothing and exits nothing: it returns
 * a status and an error, and the command line maps them to exit codes and prints. */
#ifndef OG_JOB_H
#define OG_JOB_H

#include "core/config.h"
#include "core/log.h"
#include "loader/pg.h"
#include "pipeline/stats.h"
#include "transform/identity.h"

#include <signal.h>
#include <stdbool.h>

/* What the command line read from the environment and its arguments (borrowed). */
struct og_job_env {
    struct og_log *log;
    volatile sig_atomic_t *stop;    /* set on SIGINT/SIGTERM; may be NULL */
    const struct og_id_key *key;    /* the identity-hashing key, or NULL when there is none */
    const struct og_error *key_err; /* with key NULL: why there is none (NULL: not configured) */
};

struct og_job_opts {
    char **only; /* --source names, or NULL for all */
    size_t nonly;
    bool dry_run;
    bool progress;
    bool follow;                /* stream: Kafka sources read until stopped (files are refused) */
    const char *metrics_listen; /* "HOST:PORT" to serve /metrics on, or NULL */
    const char *command;        /* recorded in etl_run */
};

enum og_job_status {
    OG_JOB_SUCCEEDED = 0,
    OG_JOB_FAILED,           /* a source could not be loaded; nothing past the last good batch */
    OG_JOB_BAD_CONFIG,       /* caught before any data was touched (usage, config, mappings) */
    OG_JOB_REJECTS_EXCEEDED, /* loaded, but rejects / read is over max_reject_ratio */
};

struct og_job_result {
    enum og_job_status status;
    struct og_source_stats *stats; /* one per source run (owned) */
    size_t nstats;
    struct og_load_stats load;
    long long run_id; /* 0 for a dry run or when the run never started */
    long long read, records, rejected;
    double seconds;
    int metrics_port; /* where /metrics was served, 0 when not */
};

/* Runs the job. Fills *res (og_job_result_free) and, unless the status is SUCCEEDED, err. */
enum og_job_status og_job_run(const struct og_job_env *env, const struct og_config *cfg,
                              const struct og_job_opts *o, struct og_job_result *res,
                              struct og_error *err);
void og_job_result_free(struct og_job_result *res);
/* "succeeded", "failed", "failed" (bad config), "rejects_exceeded": as etl_run.status has them. */
const char *og_job_status_name(enum og_job_status status);

#endif
