/* report.h - what a run leaves for a scheduler: where each input stood before and after the run
 * (recorded by a sink wrapped around the warehouse's), the run summary as one JSON document
 * (docs/run-summary.md, docs/run-summary.schema.json), the run's figures as Prometheus text for
 * node-exporter's textfile collector, and writing either file atomically. Nothing here prints;
 * errors are returned. */
#ifndef OG_REPORT_H
#define OG_REPORT_H

#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "pipeline/job.h"
#include "pipeline/sink.h"
#include "pipeline/stats.h"
#include "transform/mapping.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

/* Where one input (a file, a Kafka partition, a pulled table) stood before the run and after it.
 * Strings owned (og_report_stats_free). */
struct og_input_position {
    char *kind, *key, *version;
    bool before_found; /* the warehouse held a position when the run first looked it up */
    long long before;  /* records of a file; the next offset of a partition */
    bool before_done;
    char *before_state; /* a pull's watermark (JSON text), or NULL */
    bool committed;     /* a batch of this run moved it */
    long long after;
    bool after_done;
    char *after_state;
    long long records, rejects; /* committed by this run */
};

/* A sink that passes everything to inner and records, into st, each input's first stored position
 * (before) and the positions, records and rejects of every committed batch (after). Both borrowed
 * for as long as the sink is used. */
struct og_report_sink {
    const struct og_sink *inner;
    struct og_source_stats *st;
    pthread_mutex_t mu; /* the reading thread looks up while the loader thread commits */
};
/* Fills *sink with the recording operations over ctx (borrowed; inner and st set by the caller);
 * og_report_sink_fini when done. */
void og_report_sink_init(struct og_sink *sink, struct og_report_sink *ctx);
void og_report_sink_fini(struct og_report_sink *ctx);
/* Names the source's connector (static), mapping file (borrowed) and the mapping's feed and
 * department (copied) in st, for the summary. */
void og_report_source_init(struct og_source_stats *st, const char *connector, const char *mapping,
                           const struct og_mapping *m);
/* Frees what the report sink recorded in st (its positions); st may be NULL. */
void og_report_stats_free(struct og_source_stats *st);

/* Unix time now (wall clock, with fractions), and a monotonic clock for durations. */
double og_report_now(void);
double og_report_monotonic(void);

/* What the summary and the metrics are built from (all borrowed). */
struct og_report_run {
    const char *version;             /* onegrid's version */
    const char *command;             /* "run", "stream" */
    const char *config_path;         /* the configuration file, or NULL */
    const struct og_config *cfg;     /* NULL when it could not be loaded */
    const struct og_job_opts *opts;  /* the selection and dry_run; NULL: every source */
    const struct og_job_result *res; /* NULL when the job never started */
    const struct og_error *error;    /* why it failed; NULL: res->error when there is one */
    double started, finished;        /* unix time */
    double seconds;                  /* how long, by the monotonic clock */
    int exit_code;                   /* the process exit code: 0, 1, 2, 3 */
};

/* "succeeded" (0), "failed" (1), "bad_config" (2), "rejects_exceeded" (3), "locked" (4); "failed"
 * otherwise. */
const char *og_report_status_name(int exit_code);

/* The run summary (docs/run-summary.md): a new JSON object, or NULL on out of memory. */
json_t *og_report_summary(const struct og_report_run *r);

/* The run's figures as Prometheus text (format 0.0.4) appended to out. previous: the text of the
 * metrics file an earlier run left (NULL when none): a source that did not succeed now keeps the
 * onegrid_run_last_success_timestamp_seconds it had there. 0 or OG_ENOMEM. */
int og_report_metrics(const struct og_report_run *r, const char *previous, struct og_buf *out);

/* Writes data to path atomically: into path.tmp.PID in the same folder, fsync, rename over path,
 * fsync the folder. On failure the temporary file is removed and path is untouched; OG_EIO naming
 * the file and the system's reason. */
int og_report_write_file(const char *path, const char *data, size_t len, struct og_error *err);
/* The whole of the file at path as a new string (*out, free()), or *out = NULL when it cannot be
 * read (absent). 0 or OG_ENOMEM. */
int og_report_read_file(const char *path, char **out);

/* Builds and writes the summary (summary_path) and the metrics (metrics_path), either may be NULL.
 * Both are attempted; 0, or the first error (err filled, naming the file). */
int og_report_write(const struct og_report_run *r, const char *summary_path,
                    const char *metrics_path, struct og_error *err);

#endif
