/* job.c - a batch run: check everything first (bad config), then load each source (failed). */
#include "pipeline/job.h"

#include "core/world.h"
#include "pipeline/files.h"
#include "pipeline/loop.h"
#include "pipeline/metrics.h"
#include "pipeline/sink.h"
#include "pipeline/step.h"
#include "transform/mapping.h"
#include "transform/reconcile.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* A batch whose commit fails with a retriable error is tried this often, after 1, 2, 3... s. */
#define OG_COMMIT_ATTEMPTS 5

void og_job_result_free(struct og_job_result *res)
{
    if (!res)
        return;
    free(res->stats);
    memset(res, 0, sizeof(*res));
}

const char *og_job_status_name(enum og_job_status status)
{
    switch (status) {
    case OG_JOB_SUCCEEDED:
        return "succeeded";
    case OG_JOB_REJECTS_EXCEEDED:
        return "rejects_exceeded";
    default:
        return "failed";
    }
}

/* The run's counts as JSON text for etl_run.counts (new, free()), or NULL on out of memory. */
static char *counts_json(const struct og_job_result *res)
{
    json_t *o = json_object();
    json_t *srcs = json_object();
    for (size_t i = 0; i < res->nstats; i++) {
        const struct og_source_stats *s = &res->stats[i];
        json_t *reasons = json_object();
        for (int k = 0; k < s->nreasons; k++)
            json_object_set_new(reasons, og_reason_name(s->reasons[k].reason),
                                json_integer(s->reasons[k].n));
        json_object_set_new(srcs, s->name,
                            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "files",
                                      (json_int_t)s->inputs.files, "files_skipped",
                                      (json_int_t)s->inputs.files_skipped, "files_resumed",
                                      (json_int_t)s->inputs.files_resumed, "read",
                                      (json_int_t)s->read, "records", (json_int_t)s->records,
                                      "rejected", (json_int_t)s->rejected, "notes",
                                      (json_int_t)s->notes, "reasons", reasons));
    }
    json_object_set_new(o, "sources", srcs);
    json_object_set_new(o, "read", json_integer(res->read));
    json_object_set_new(o, "records", json_integer(res->records));
    json_object_set_new(o, "rejected", json_integer(res->rejected));
    json_object_set_new(o, "inserted", json_integer(res->load.inserted));
    json_object_set_new(o, "updated", json_integer(res->load.updated));
    json_object_set_new(o, "unchanged", json_integer(res->load.unchanged));
    json_object_set_new(o, "history", json_integer(res->load.history));
    json_object_set_new(o, "members", json_integer(res->load.members));
    json_object_set_new(o, "rejects_written", json_integer(res->load.rejects));
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return s;
}

static bool selected(const struct og_job_opts *o, const char *name)
{
    if (!o->nonly)
        return true;
    for (size_t i = 0; i < o->nonly; i++)
        if (strcmp(o->only[i], name) == 0)
            return true;
    return false;
}

/* What the job holds while it runs. */
struct job {
    const struct og_job_env *env;
    const struct og_config *cfg;
    const struct og_job_opts *o;
    struct og_mapping **maps; /* per source (NULL when not selected) */
    struct og_feed *feeds;
    struct og_pg *pg;
    struct og_reconciler *rec;
};

/* Everything that can be checked without data: sources named, mappings, connectors, options, the
 * identity key when a mapping needs it. OG_ECONFIG on a mistake. */
static int check_all(struct job *j, struct og_error *err)
{
    const struct og_config *cfg = j->cfg;
    for (size_t i = 0; i < j->o->nonly; i++)
        if (!og_config_source(cfg, j->o->only[i])) {
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                         "no source named \"%s\" in %s", j->o->only[i],
                         cfg->path ? cfg->path : "the configuration");
            return OG_ECONFIG;
        }
    bool need_key = false;
    for (size_t i = 0; i < cfg->nsources; i++) {
        const struct og_source_cfg *sc = &cfg->sources[i];
        if (!selected(j->o, sc->name))
            continue;
        int rc = og_mapping_load(sc->mapping, &j->maps[i], err);
        if (rc == 0)
            rc = og_feed_resolve(j->maps[i], sc->connector, sc->options, &j->feeds[i], err);
        if (rc == 0 && j->feeds[i].connector && sc->ninputs == 0)
            rc = og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                              "\"inputs\" (the files to read: paths or globs) is required for "
                              "connector %s",
                              j->feeds[i].name);
        if (rc == 0 && j->o->follow && !j->feeds[i].source)
            rc = og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                              "connector %s reads files, which `onegrid stream` does not follow",
                              j->feeds[i].name);
        if (rc < 0) {
            og_error_prefix(err, "source %s: ", sc->name);
            return rc;
        }
        need_key = need_key || og_mapping_uses_identity(j->maps[i]);
    }
    if (need_key && !j->env->key) {
        if (j->env->key_err)
            *err = *j->env->key_err;
        else
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_KEY,
                         "no ID hashing key configured");
        og_error_prefix(err, "the mappings read identity numbers, stored only as keyed hashes: ");
        return OG_ECONFIG;
    }
    return 0;
}

/* The warehouse and the world: connects, checks the schema, builds the reconciler. */
static enum og_job_status open_warehouse(struct job *j, struct og_error *err)
{
    if (og_pg_connect(j->cfg->dsn, &j->pg, err) < 0)
        return OG_JOB_FAILED;
    int version = 0;
    if (og_pg_schema_version(j->pg, &version, err) < 0)
        return OG_JOB_FAILED;
    if (version == 0) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     "the warehouse has no onegrid schema");
        og_error_hint(err, "run `onegrid init` first");
        return OG_JOB_BAD_CONFIG;
    }
    struct og_world world;
    if (og_pg_world_fetch(j->pg, &world, err) < 0)
        return OG_JOB_FAILED;
    if (world.ngrids == 0)
        og_warn(j->env->log, "run",
                "the warehouse has no unified grids: records can only be placed by community "
                "(run `onegrid world import`)");
    int rc = og_reconciler_create(&world, j->cfg->taxonomy, j->env->key, &j->rec, err);
    og_world_free(&world);
    if (rc < 0)
        return err->code == OG_ECONFIG ? OG_JOB_BAD_CONFIG : OG_JOB_FAILED;
    return OG_JOB_SUCCEEDED;
}

/* One source read by one pipeline; in a stream each runs on a thread of its own with its own
 * warehouse connection. */
struct worker {
    struct job *j;
    size_t i; /* the source, in cfg->sources */
    struct og_pipeline p;
    struct og_pg_sink sink_ctx;
    struct og_sink sink;
    struct og_pg *own; /* a stream worker's connection (owned), or NULL */
    struct og_source_stats *st;
    struct og_error err;
    int rc;
    pthread_t tid;
};

static void worker_init(struct worker *w, struct job *j, size_t i, struct og_pg *pg, long long run,
                        struct og_metrics *metrics, struct og_source_stats *st)
{
    memset(w, 0, sizeof(*w));
    w->j = j;
    w->i = i;
    w->st = st;
    w->sink_ctx = (struct og_pg_sink){pg, run};
    og_pg_sink_init(&w->sink, &w->sink_ctx);
    w->p = (struct og_pipeline){.sink = j->o->dry_run ? NULL : &w->sink,
                                .log = j->env->log,
                                .batch_size = j->cfg->batch_size,
                                .progress = j->o->progress && !j->o->follow,
                                .stop = j->env->stop,
                                .commit_attempts = j->o->follow ? 0 : OG_COMMIT_ATTEMPTS,
                                .retry_delay_s = 1,
                                .follow = j->o->follow,
                                .linger_ms = 1000,
                                .metrics = metrics};
}

/* Reads worker w's source through its pipeline. */
static int work(struct worker *w)
{
    struct job *j = w->j;
    const struct og_source_cfg *sc = &j->cfg->sources[w->i];
    const struct og_feed *feed = &j->feeds[w->i];
    w->st->name = sc->name;
    struct og_step step = {j->maps[w->i], j->rec, sc->name};
    json_t *opts = feed->source ? json_incref(feed->options)
                                : og_files_options((const char *const *)sc->inputs, sc->ninputs,
                                                   feed->name, feed->options);
    int rc =
        opts ? og_pipeline_source(&w->p, sc->name, feed->source ? feed->source : &og_files_source,
                                  opts, &step, w->st, &w->err)
             : og_error_set(&w->err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    json_decref(opts);
    og_info(j->env->log, "run",
            "source=%s files=%lld skipped=%lld partitions=%lld read=%lld records=%lld "
            "rejected=%lld",
            sc->name, w->st->inputs.files, w->st->inputs.files_skipped, w->st->inputs.partitions,
            w->st->read, w->st->records, w->st->rejected);
    return rc;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    const struct og_config *cfg = w->j->cfg;
    w->rc = og_pg_connect(cfg->dsn, &w->own, &w->err);
    if (w->rc == 0) {
        w->sink_ctx.pg = w->own;
        w->rc = work(w);
    }
    if (w->rc < 0 && w->j->env->stop) /* one source failing ends the stream: a supervisor restarts
                                          it whole */
        *w->j->env->stop = 1;
    return NULL;
}

static void add_up(struct og_job_result *res, const struct worker *w)
{
    res->read += w->st->read;
    res->records += w->st->records;
    res->rejected += w->st->rejected;
    const struct og_load_stats *l = &w->p.load;
    res->load.inserted += l->inserted;
    res->load.updated += l->updated;
    res->load.unchanged += l->unchanged;
    res->load.history += l->history;
    res->load.members += l->members;
    res->load.rejects += l->rejects;
    res->load.health += l->health;
}

/* Loads the selected sources: in a run one after the other, stopping at the first that fails; in
 * a stream all at once, each on its own thread and connection, until stopped. */
static int load_sources(struct job *j, struct og_pg *pg, long long run, struct og_metrics *metrics,
                        struct og_job_result *res, struct og_error *err)
{
    size_t n = 0;
    struct worker *w = calloc(j->cfg->nsources + 1, sizeof(*w));
    if (!w)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < j->cfg->nsources; i++)
        if (selected(j->o, j->cfg->sources[i].name))
            worker_init(&w[n++], j, i, pg, run, metrics, &res->stats[res->nstats++]);
    int rc = 0;
    if (!j->o->follow) {
        for (size_t k = 0; k < n && rc == 0; k++) {
            rc = w[k].rc = work(&w[k]);
            add_up(res, &w[k]);
            if (rc < 0)
                *err = w[k].err;
        }
    }
    else {
        size_t started = 0;
        for (; started < n; started++)
            if (pthread_create(&w[started].tid, NULL, worker_main, &w[started]) != 0) {
                rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                                  "could not start a stream thread");
                if (j->env->stop)
                    *j->env->stop = 1;
                break;
            }
        for (size_t k = 0; k < started; k++) {
            pthread_join(w[k].tid, NULL);
            og_pg_close(w[k].own);
            add_up(res, &w[k]);
            if (w[k].rc < 0 && rc == 0) {
                rc = w[k].rc;
                *err = w[k].err;
            }
        }
    }
    free(w);
    return rc;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum og_job_status og_job_run(const struct og_job_env *env, const struct og_config *cfg,
                              const struct og_job_opts *o, struct og_job_result *res,
                              struct og_error *err)
{
    memset(res, 0, sizeof(*res));
    struct job j = {env,
                    cfg,
                    o,
                    calloc(cfg->nsources + 1, sizeof(*j.maps)),
                    calloc(cfg->nsources + 1, sizeof(*j.feeds)),
                    NULL,
                    NULL};
    res->stats = calloc(cfg->nsources + 1, sizeof(*res->stats));
    enum og_job_status status = OG_JOB_FAILED;
    if (!j.maps || !j.feeds || !res->stats) {
        og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        goto out;
    }
    if (check_all(&j, err) < 0) {
        status = err->code == OG_ECONFIG ? OG_JOB_BAD_CONFIG : OG_JOB_FAILED;
        goto out;
    }
    if ((status = open_warehouse(&j, err)) != OG_JOB_SUCCEEDED)
        goto out;
    status = OG_JOB_FAILED;
    if (!o->dry_run && og_pg_run_begin(j.pg, o->command, OG_VERSION, &res->run_id, err) < 0)
        goto out;
    og_info(env->log, "run", "run %lld started%s", res->run_id,
            o->dry_run ? " (dry run: nothing is written)" : "");
    struct og_metrics *metrics = NULL;
    int rc = 0;
    if (o->metrics_listen) {
        int port = 0;
        if (!(metrics = og_metrics_create()))
            og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        else if (og_metrics_listen(metrics, o->metrics_listen, &port, err) == 0)
            og_info(env->log, "run", "metrics on http://%s/metrics (port %d)", o->metrics_listen,
                    port);
        if (err->code) {
            og_metrics_destroy(metrics);
            status = err->code == OG_ECONFIG ? OG_JOB_BAD_CONFIG : OG_JOB_FAILED;
            rc = err->code;
            goto finish;
        }
        res->metrics_port = port;
    }
    double t0 = now_s();
    rc = load_sources(&j, j.pg, res->run_id, metrics, res, err);
    og_metrics_destroy(metrics);
    res->seconds = now_s() - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    og_info(env->log, "run",
            "run %lld: %lld records read in %.2f s (%.0f records/s), peak memory %.1f MiB",
            res->run_id, res->read, res->seconds,
            res->seconds > 0 ? (double)res->read / res->seconds : 0, (double)ru.ru_maxrss / 1024.0);
    if (rc < 0)
        status = err->code == OG_ECONFIG ? OG_JOB_BAD_CONFIG : OG_JOB_FAILED;
    else if (cfg->max_reject_ratio >= 0 && res->read > 0 &&
             (double)res->rejected / (double)res->read > cfg->max_reject_ratio) {
        og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_NONE,
                     "%lld of %lld records rejected (%.1f%%), over max_reject_ratio %.1f%%",
                     res->rejected, res->read, 100.0 * (double)res->rejected / (double)res->read,
                     100.0 * cfg->max_reject_ratio);
        og_error_hint(err, "see them with `onegrid rejects`");
        status = OG_JOB_REJECTS_EXCEEDED;
    }
    else
        status = OG_JOB_SUCCEEDED;
finish:
    if (!o->dry_run) {
        char *counts = counts_json(res);
        struct og_error e2;
        og_error_clear(&e2);
        if (!og_pg_alive(j.pg))
            og_pg_reconnect(j.pg, &e2);
        if (og_pg_run_finish(j.pg, res->run_id, og_job_status_name(status), counts,
                             rc < 0 ? err->message : NULL, &e2) < 0) {
            if (status == OG_JOB_SUCCEEDED) {
                *err = e2;
                status = OG_JOB_FAILED;
            }
            else /* the run's own error is the one to report; this one is logged here */
                og_warn(env->log, "loader", "%s", e2.message);
        }
        free(counts);
    }
out:
    res->status = status;
    og_reconciler_destroy(j.rec);
    og_pg_close(j.pg);
    for (size_t i = 0; j.maps && i < cfg->nsources; i++)
        og_mapping_destroy(j.maps[i]);
    for (size_t i = 0; j.feeds && i < cfg->nsources; i++)
        og_feed_release(&j.feeds[i]);
    free(j.maps);
    free(j.feeds);
    return status;
}
