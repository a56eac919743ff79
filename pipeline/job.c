/* job.c - a batch run: check everything first (bad config), then load each source (failed). */
#include "pipeline/job.h"

#include "core/digest.h"
#include "core/world.h"
#include "loader/scope.h"
#include "loader/sources.h"
#include "pipeline/files.h"
#include "pipeline/loop.h"
#include "pipeline/metrics.h"
#include "pipeline/report.h"
#include "pipeline/sink.h"
#include "pipeline/step.h"
#include "transform/links.h"
#include "transform/mapping.h"
#include "transform/reconcile.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* A batch whose commit fails with a retriable error is tried this often, after 1, 2, 3... s. */
#define OG_COMMIT_ATTEMPTS 5
/* A stream folds the analysts' day counts at most this often (seconds), after a commit. */
#define OG_FOLD_EVERY_S 60

void og_job_result_free(struct og_job_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; res->stats && i < res->nstats; i++) /* report: positions recorded */
        og_report_stats_free(&res->stats[i]);
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
    case OG_JOB_LOCKED:
        return "locked";
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
                            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "files",
                                      (json_int_t)s->inputs.files, "files_skipped",
                                      (json_int_t)s->inputs.files_skipped, "files_resumed",
                                      (json_int_t)s->inputs.files_resumed, "read",
                                      (json_int_t)s->read, "unchanged_records",
                                      (json_int_t)s->unchanged, "records", (json_int_t)s->records,
                                      "rejected", (json_int_t)s->rejected, "notes",
                                      (json_int_t)s->notes, "reasons", reasons));
    }
    json_object_set_new(o, "sources", srcs);
    json_object_set_new(o, "read", json_integer(res->read));
    json_object_set_new(o, "unchanged_records", json_integer(res->unchanged_records));
    json_object_set_new(o, "records", json_integer(res->records));
    json_object_set_new(o, "rejected", json_integer(res->rejected));
    json_object_set_new(o, "inserted", json_integer(res->load.inserted));
    json_object_set_new(o, "updated", json_integer(res->load.updated));
    json_object_set_new(o, "unchanged", json_integer(res->load.unchanged));
    json_object_set_new(o, "history", json_integer(res->load.history));
    json_object_set_new(o, "members", json_integer(res->load.members));
    json_object_set_new(o, "rejects_written", json_integer(res->load.rejects));
    json_object_set_new(o, "links_added", json_integer(res->load.links_added));
    json_object_set_new(o, "links_removed", json_integer(res->load.links_removed));
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
    struct og_links links;      /* the config's link rules (none: nothing is linked) */
    unsigned char world_md[32]; /* og_world_digest of the world records are placed in */
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
    if (cfg->links && og_links_load(cfg->links, &j->links, err) < 0)
        return err->code == OG_ENOMEM ? OG_ENOMEM : OG_ECONFIG;
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
    int rc = og_world_digest(&world, j->world_md) < 0
                 ? og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory")
                 : og_reconciler_create(&world, j->cfg->taxonomy, j->env->key, &j->rec, err);
    og_world_free(&world);
    if (rc < 0)
        return err->code == OG_ECONFIG ? OG_JOB_BAD_CONFIG : OG_JOB_FAILED;
    return OG_JOB_SUCCEEDED;
}

/* A selected source under a new name that reads the feed of a source the configuration no longer
 * names is refused before anything is loaded (OG_ECONFIG): it would load everything again. */
static int check_renames(struct job *j, struct og_error *err)
{
    const struct og_config *cfg = j->cfg;
    const char **names = calloc(cfg->nsources + 1, sizeof(*names));
    if (!names)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < cfg->nsources; i++)
        names[i] = cfg->sources[i].name;
    int rc = 0;
    for (size_t i = 0; i < cfg->nsources && rc == 0; i++)
        if (j->maps[i])
            rc = og_pg_source_check_rename(j->pg, cfg->sources[i].name,
                                           og_mapping_department(j->maps[i]),
                                           og_mapping_feed(j->maps[i]), names, cfg->nsources, err);
    free(names);
    return rc;
}

/* Whether the job writes to the warehouse (not a dry run, not check --connect). */
static bool writes(const struct og_job_opts *o)
{
    return !o->dry_run && o->preview <= 0;
}

/* check --connect's sink: positions from the warehouse, batches to the preview. */
struct preview {
    struct og_sink *wh;
    int (*commit)(void *ctx, const struct og_batch *b, struct og_error *err);
    void *ctx;
};

static int preview_position(void *ctx, const char *source, const char *kind, const char *key,
                            const char *version, struct og_stored *st, struct og_error *err)
{
    struct preview *pv = ctx;
    return pv->wh->position(pv->wh->ctx, source, kind, key, version, st, err);
}

static int preview_commit(void *ctx, const struct og_batch *b, void *lane,
                          struct og_load_stats *stats, struct og_error *err)
{
    (void)lane, (void)stats;
    struct preview *pv = ctx;
    return pv->commit ? pv->commit(pv->ctx, b, err) : 0;
}

static int preview_recover(void *ctx, struct og_error *err)
{
    (void)ctx, (void)err;
    return 0;
}

/* One source read by one pipeline; in a stream each runs on a thread of its own with its own
 * warehouse connection. */
struct worker {
    struct job *j;
    size_t i; /* the source, in cfg->sources */
    struct og_pipeline p;
    struct og_pg_sink sink_ctx;
    struct og_sink sink;
    struct og_report_sink report_ctx; /* report: sink around sink, recording positions */
    struct og_sink report_sink;
    struct og_pg *own; /* a stream worker's connection (owned), or NULL */
    struct og_source_stats *st;
    struct og_error err;
    int rc;
    bool locked; /* another run holds the source: it was left alone */
    struct preview preview;
    struct og_sink preview_sink;
    pthread_t tid;
};

static void worker_init(struct worker *w, struct job *j, size_t i, struct og_pg *pg, long long run,
                        struct og_metrics *metrics, struct og_source_stats *st)
{
    memset(w, 0, sizeof(*w));
    w->j = j;
    w->i = i;
    w->st = st;
    st->name = j->cfg->sources[i].name; /* also when the run stops before reading it */
    w->sink_ctx = (struct og_pg_sink){.pg = pg,
                                      .run_id = run,
                                      .fold_every_s = j->o->follow ? OG_FOLD_EVERY_S : 0,
                                      .log = j->env->log,
                                      .links = j->links.nrules ? &j->links : NULL};
    og_pg_sink_init(&w->sink, &w->sink_ctx);
    /* report: what the run summary says of the source, and where its inputs stood */
    og_report_source_init(st, j->feeds[i].name, j->cfg->sources[i].mapping, j->maps[i]);
    w->report_ctx = (struct og_report_sink){.inner = &w->sink, .st = st};
    og_report_sink_init(&w->report_sink, &w->report_ctx);
    /* check --connect: the warehouse's positions, the first records shown, nothing written */
    w->preview = (struct preview){&w->sink, j->o->preview_commit, j->o->preview_ctx};
    w->preview_sink = (struct og_sink){.ctx = &w->preview,
                                       .position = preview_position,
                                       .commit = preview_commit,
                                       .recover = preview_recover};
    w->p = (struct og_pipeline){.sink = j->o->preview > 0 ? &w->preview_sink
                                        : j->o->dry_run   ? NULL
                                                          : &w->report_sink,
                                .limit = j->o->preview,
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

/* Takes the source's lock on pg (waiting up to the job's lock_wait_s) and records which feed it
 * reads. *got false: another run holds it; the source is left alone (w->locked, logged). */
static int claim(struct worker *w, struct og_pg *pg, bool *got)
{
    struct job *j = w->j;
    const struct og_source_cfg *sc = &j->cfg->sources[w->i];
    char holder[256];
    int rc = og_pg_source_lock(pg, sc->name, j->o->lock_wait_s, j->env->stop, got, holder,
                               sizeof(holder), &w->err);
    if (rc == 0 && !*got) {
        w->locked = true;
        og_error_set(&w->err, OG_EAGAIN, OG_CLASS_FATAL, OG_R_LOCKED,
                     "source %s is being loaded by another run%s%s: left alone", sc->name,
                     holder[0] ? ", " : "", holder);
        og_error_hint(&w->err, "runs of one source never overlap; wait for it (--lock-wait "
                               "SECONDS), or schedule the runs further apart");
        og_warn(j->env->log, "run", "%s", w->err.message);
        return 0;
    }
    if (rc == 0)
        rc = og_pg_source_register(pg, sc->name, og_mapping_department(j->maps[w->i]),
                                   og_mapping_feed(j->maps[w->i]), w->sink_ctx.run_id, &w->err);
    return rc;
}

/* A run's further loaders (config "loaders"): connections of their own, so that the source's
 * batches are stored in parallel. One that cannot connect is done without, and said so. */
static void open_loaders(struct worker *w)
{
    struct job *j = w->j;
    if (j->o->follow || !writes(j->o) || j->o->preview > 0)
        return;
    for (int k = 1; k < j->cfg->loaders && k < OG_MAX_LOADERS; k++) {
        struct og_error e;
        og_error_clear(&e);
        if (og_pg_connect(j->cfg->dsn, &w->sink_ctx.more[w->sink_ctx.nmore], &e) < 0) {
            og_warn(j->env->log, "run", "loader %d not started: %s (going on with %d)", k + 1,
                    e.message, 1 + w->sink_ctx.nmore);
            break;
        }
        w->sink_ctx.nmore++;
    }
    if (w->sink_ctx.nmore)
        og_info(j->env->log, "run", "source=%s loaders=%d (batches stored in parallel)",
                j->cfg->sources[w->i].name, 1 + w->sink_ctx.nmore);
}

static void close_loaders(struct worker *w)
{
    for (int k = 0; k < w->sink_ctx.nmore; k++)
        og_pg_close(w->sink_ctx.more[k]);
    w->sink_ctx.nmore = 0;
}

/* What source i's records are converted under, as 32 bytes: onegrid's version, the world, the
 * identity key, the taxonomy, the source's name, connector and its options, its mapping's files. A
 * changed file's record is skipped only when its bytes and all of these are those it was loaded
 * with. 0, or -1 when something could not be read (then nothing is skipped). */
static int record_seed(const struct job *j, size_t i, unsigned char seed[32])
{
    const struct og_source_cfg *sc = &j->cfg->sources[i];
    char taxonomy[65] = "";
    unsigned char mapping[32];
    struct og_error e;
    og_error_clear(&e);
    if (j->cfg->taxonomy && og_file_sha256(j->cfg->taxonomy, taxonomy, &e) < 0)
        return -1;
    if (og_mapping_digest(j->maps[i], mapping) < 0)
        return -1;
    const struct og_feed *feed = &j->feeds[i];
    char *options =
        feed->options ? json_dumps(feed->options, JSON_SORT_KEYS | JSON_COMPACT) : strdup("{}");
    struct og_sha256 d = {NULL};
    if (!options || og_sha256_begin(&d) < 0) {
        og_sha256_end(&d, seed);
        free(options);
        return -1;
    }
    const char *parts[] = {
        "onegrid record digest 1", OG_VERSION, sc->name, feed->name, options, taxonomy};
    for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++)
        og_sha256_add(&d, parts[k], strlen(parts[k]) + 1);
    og_sha256_add(&d, mapping, sizeof(mapping));
    og_sha256_add(&d, j->world_md, sizeof(j->world_md));
    if (j->env->key) {
        char key[65];
        og_sha256_hex(j->env->key->bytes, j->env->key->len, key);
        og_sha256_add(&d, key, sizeof(key));
    }
    og_sha256_end(&d, seed);
    free(options);
    return 0;
}

/* Reads worker w's source through its pipeline. */
static int work(struct worker *w)
{
    struct job *j = w->j;
    const struct og_source_cfg *sc = &j->cfg->sources[w->i];
    const struct og_feed *feed = &j->feeds[w->i];
    w->st->name = sc->name;
    w->st->started = og_report_now(); /* report */
    struct og_step step = {j->maps[w->i], j->rec, sc->name, NULL};
    json_t *opts = feed->source ? json_incref(feed->options)
                                : og_files_options((const char *const *)sc->inputs, sc->ninputs,
                                                   feed->name, feed->options, sc->load_prefix);
    unsigned char seed[32];
    if (opts && !feed->source && writes(j->o) && !j->o->convert_all &&
        record_seed(j, w->i, seed) == 0)
        step.seed = seed;
    struct og_pg *pg = w->sink_ctx.pg;
    bool got = true;
    int rc =
        opts ? 0
             : og_error_set(&w->err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    bool exclusive = !(feed->source && feed->source->shared);
    if (rc == 0 && writes(j->o))
        rc = exclusive ? claim(w, pg, &got)
                       : og_pg_source_register(pg, sc->name, og_mapping_department(j->maps[w->i]),
                                               og_mapping_feed(j->maps[w->i]), w->sink_ctx.run_id,
                                               &w->err);
    if (rc == 0 && got) {
        open_loaders(w);
        rc = og_pipeline_source(&w->p, sc->name, feed->source ? feed->source : &og_files_source,
                                opts, &step, w->st, &w->err);
        close_loaders(w);
    }
    if (got && exclusive && writes(j->o) && og_pg_alive(pg)) {
        struct og_error e2;
        og_error_clear(&e2);
        if (og_pg_source_unlock(pg, sc->name, &e2) < 0)
            og_warn(j->env->log, "run", "source=%s: %s", sc->name, e2.message);
    }
    json_decref(opts);
    w->st->finished = og_report_now(); /* report */
    w->st->rc = rc == 0 && w->locked ? OG_EAGAIN : rc;
    og_info(j->env->log, "run",
            "source=%s files=%lld skipped=%lld partitions=%lld read=%lld records=%lld "
            "rejected=%lld unchanged_records=%lld batches=%lld waited=%lld",
            sc->name, w->st->inputs.files, w->st->inputs.files_skipped, w->st->inputs.partitions,
            w->st->read, w->st->records, w->st->rejected, w->st->unchanged, w->p.batches,
            w->p.waited);
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
    res->unchanged_records += w->st->unchanged;
    res->records += w->st->records;
    res->rejected += w->st->rejected;
    og_load_stats_add(&res->load, &w->p.load);
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
            else if (w[k].locked && res->locked++ == 0)
                res->locked_error = w[k].err;
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
            else if (w[k].locked && res->locked++ == 0)
                res->locked_error = w[k].err;
        }
    }
    for (size_t k = 0; k < n; k++)
        og_report_sink_fini(&w[k].report_ctx);
    free(w);
    return rc;
}

/* The run loaded what it could; whether its rejects make it exit 3: a file rejected as a whole
 * when no threshold governs its source (someone has to look at it once: it is not read again
 * until it changes), a source over its max_rejects or max_reject_ratio, or the run over the
 * config's max_reject_ratio. The first of them is the message; the others are counted in the
 * detail. */
static enum og_job_status reject_policy(const struct og_config *cfg,
                                        const struct og_job_result *res, struct og_error *err)
{
    int over = 0;
    for (size_t i = 0; i < res->nstats; i++) {
        const struct og_source_stats *s = &res->stats[i];
        const struct og_source_cfg *sc = og_config_source(cfg, s->name);
        double ratio = s->read > 0 ? (double)s->rejected / (double)s->read : 0;
        /* with a threshold set, a file rejected as a whole is one reject among the others */
        bool governed = cfg->max_reject_ratio >= 0 ||
                        (sc && (sc->max_rejects >= 0 || sc->max_reject_ratio >= 0));
        if (s->inputs.files_failed > 0 && !governed && over++ == 0) {
            og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_NONE,
                         "source %s: %lld file%s rejected as a whole, first %s", s->name,
                         s->inputs.files_failed, s->inputs.files_failed == 1 ? "" : "s",
                         s->inputs.failed_file);
            og_error_hint(err,
                          "see why with `onegrid rejects --source %s --stage read`; a "
                          "corrected file is read by the next run",
                          s->name);
        }
        if (sc && sc->max_rejects >= 0 && s->rejected > sc->max_rejects && over++ == 0)
            og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_NONE,
                         "source %s: %lld records rejected, over its max_rejects %lld", s->name,
                         s->rejected, sc->max_rejects);
        if (sc && sc->max_reject_ratio >= 0 && ratio > sc->max_reject_ratio && over++ == 0)
            og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_NONE,
                         "source %s: %lld of %lld records rejected (%.1f%%), over its "
                         "max_reject_ratio %.1f%%",
                         s->name, s->rejected, s->read, 100.0 * ratio,
                         100.0 * sc->max_reject_ratio);
    }
    if (cfg->max_reject_ratio >= 0 && res->read > 0 &&
        (double)res->rejected / (double)res->read > cfg->max_reject_ratio && over++ == 0)
        og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_NONE,
                     "%lld of %lld records rejected (%.1f%%), over max_reject_ratio %.1f%%",
                     res->rejected, res->read, 100.0 * (double)res->rejected / (double)res->read,
                     100.0 * cfg->max_reject_ratio);
    if (over == 0)
        return OG_JOB_SUCCEEDED;
    if (!err->hint[0])
        og_error_hint(err, "see them with `onegrid rejects`");
    if (over > 1)
        og_error_detail(err, "and %d more reason%s to exit 3 (see the summary)", over - 1,
                        over == 2 ? "" : "s");
    return OG_JOB_REJECTS_EXCEEDED;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The day counts behind grid_daily & co. follow what this run committed (also when it failed part
 * way: what it committed stays). A failure leaves them to the next run, and says so. */
static void fold_daily(struct job *j)
{
    struct og_error e;
    og_error_clear(&e);
    if (!og_pg_alive(j->pg) && og_pg_reconnect(j->pg, &e) < 0) {
        og_warn(j->env->log, "loader", "day counts not folded: %s (the next run folds them)",
                e.message);
        return;
    }
    long long n = 0;
    double t0 = now_s();
    if (og_pg_fold_daily(j->pg, &n, &e) < 0)
        og_warn(j->env->log, "loader", "%s (the next run folds them)", e.message);
    else if (n > 0)
        og_info(j->env->log, "loader", "analysts' day counts: %lld changes folded in %.2f s", n,
                now_s() - t0);
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
                    NULL,
                    {0},
                    {0}};
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
    if (check_renames(&j, err) < 0) {
        status = err->code == OG_ECONFIG ? OG_JOB_BAD_CONFIG : OG_JOB_FAILED;
        goto out;
    }
    status = OG_JOB_FAILED;
    if (writes(o) && og_pg_run_begin(j.pg, o->command, OG_VERSION, &res->run_id, err) < 0)
        goto out;
    og_info(env->log, "run", "run %lld started%s", res->run_id,
            writes(o) ? "" : " (dry run: nothing is written)");
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
    if (writes(o))
        fold_daily(&j);
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
    else if (res->locked > 0) {
        *err = res->locked_error;
        if (res->locked > 1)
            og_error_detail(err, "%d sources were left alone (see the summary)", res->locked);
        status = OG_JOB_LOCKED;
    }
    else
        status = reject_policy(cfg, res, err);
finish:
    if (writes(o)) {
        char *counts = counts_json(res);
        struct og_error e2;
        og_error_clear(&e2);
        if (!og_pg_alive(j.pg))
            og_pg_reconnect(j.pg, &e2);
        if (og_pg_run_finish(j.pg, res->run_id, og_job_status_name(status), counts,
                             status != OG_JOB_SUCCEEDED ? err->message : NULL, &e2) < 0) {
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
    if (status != OG_JOB_SUCCEEDED) /* report: the run summary says why */
        res->error = *err;
    og_reconciler_destroy(j.rec);
    og_pg_close(j.pg);
    og_links_free(&j.links);
    for (size_t i = 0; j.maps && i < cfg->nsources; i++)
        og_mapping_destroy(j.maps[i]);
    for (size_t i = 0; j.feeds && i < cfg->nsources; i++)
        og_feed_release(&j.feeds[i]);
    free(j.maps);
    free(j.feeds);
    return status;
}
