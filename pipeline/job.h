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
    /* convert every record of a changed file, also those loaded before from the same bytes */
    bool convert_all;
    bool follow;                /* stream: Kafka sources read until stopped (files are refused) */
    const char *metrics_listen; /* "HOST:PORT" to serve /metrics on, or NULL */
    const char *command;        /* recorded in etl_run */
    int lock_wait_s;            /* how long to wait for a source another run is loading (0: not) */
    /* check --connect: read each source's first `preview` records from where the warehouse says
     * it stands, through mapping and reconciliation, and hand each batch to preview_commit (on
     * the loader thread) instead of writing anything. 0: a normal job. */
    long long preview;
    int (*preview_commit)(void *ctx, const struct og_batch *b, struct og_error *err);
    void *preview_ctx;
};

enum og_job_status {
    OG_JOB_SUCCEEDED = 0,
    OG_JOB_FAILED,           /* a source could not be loaded; nothing past the last good batch */
    OG_JOB_BAD_CONFIG,       /* caught before any data was touched (usage, config, mappings) */
    OG_JOB_REJECTS_EXCEEDED, /* loaded, but rejects are over a threshold, or a file was rejected
                                as a whole */
    OG_JOB_LOCKED,           /* loaded, but a source was left alone: another run was loading it */
};

struct og_job_result {
    enum og_job_status status;
    struct og_source_stats *stats; /* one per source run (owned) */
    size_t nstats;
    struct og_load_stats load;
    long long run_id; /* 0 for a dry run or when the run never started */
    long long read, records, rejected;
    long long unchanged_records; /* of changed files, loaded before from the same bytes */
    double seconds;
    int locked;                   /* sources left alone because another run held them */
    struct og_error locked_error; /* the first of them */
    int metrics_port;             /* where /metrics was served, 0 when not */
    struct og_error error;        /* the run's report: why, when the status is not SUCCEEDED */
};

/* Runs the job. Fills *res (og_job_result_free) and, unless the status is SUCCEEDED, err. */
enum og_job_status og_job_run(const struct og_job_env *env, const struct og_config *cfg,
                              const struct og_job_opts *o, struct og_job_result *res,
                              struct og_error *err);
void og_job_result_free(struct og_job_result *res);
/* "succeeded", "failed", "failed" (bad config), "rejects_exceeded": as etl_run.status has them. */
const char *og_job_status_name(enum og_job_status status);

#endif
