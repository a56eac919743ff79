/* report.c - a run's summary (JSON) and its metrics (Prometheus text), and writing them
 * atomically (the positions they report: report_sink.c). */
#include "pipeline/report.h"

#include "pipeline/metrics.h"

#include "core/timefmt.h"
#include "core/unified.h"
#include "core/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- clocks and names ------------------------------------------------------------------------ */

double og_report_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double og_report_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *og_report_status_name(int exit_code)
{
    switch (exit_code) {
    case 0:
        return "succeeded";
    case 2:
        return "bad_config";
    case 3:
        return "rejects_exceeded";
    case 4:
        return "locked";
    default:
        return "failed";
    }
}

/* ---- the summary ------------------------------------------------------------------------------
 */

/* Text as a JSON string (invalid UTF-8 replaced), or null for NULL or "". New reference. */
static json_t *text(const char *s)
{
    if (!s || !*s)
        return json_null();
    json_t *v = json_string(s);
    if (v)
        return v;
    char *copy = og_utf8_copy(s, strlen(s), strlen(s) * 3 + 1);
    v = copy ? json_string(copy) : NULL;
    free(copy);
    return v;
}

/* Unix time t as ISO 8601 in the local offset, to the millisecond ("2020-02-03T14:05:00.25+08:00"),
 * or null when t is 0 (never). New reference. */
static json_t *iso_time(double t)
{
    if (t <= 0)
        return json_null();
    time_t sec = (time_t)floor(t);
    struct tm tm;
    int offset_min = localtime_r(&sec, &tm) ? (int)(tm.tm_gmtoff / 60) : 0;
    char buf[48];
    og_time_format_iso((int64_t)llround(t * 1000.0) * 1000, offset_min, buf, sizeof(buf));
    return json_string(buf);
}

/* A duration in seconds, to the microsecond (never negative). New reference. */
static json_t *seconds(double s)
{
    return json_real(s > 0 ? round(s * 1e6) / 1e6 : 0.0);
}

/* Sets key to value (stolen) in o; false (and o left as it is) when value is NULL. */
static bool put(json_t *o, const char *key, json_t *value)
{
    return value && json_object_set_new(o, key, value) == 0;
}

static json_t *error_json(const struct og_error *e)
{
    if (!e || !e->code)
        return json_null();
    json_t *o = json_object();
    bool ok = o && put(o, "message", text(e->message[0] ? e->message : "unknown error")) &&
              put(o, "detail", text(e->detail)) && put(o, "hint", text(e->hint)) &&
              put(o, "position", text(e->position)) && put(o, "field", text(e->field)) &&
              put(o, "reason", text(og_reason_name(e->reason))) &&
              put(o, "sqlstate", text(e->sqlstate));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A state text as JSON (an object, or the text itself when it is not JSON), or null. */
static json_t *state_json(const char *state)
{
    if (!state)
        return json_null();
    json_t *v = json_loads(state, JSON_DECODE_ANY, NULL);
    return v ? v : text(state);
}

static json_t *where_json(bool found, long long position, bool done, const char *state)
{
    if (!found)
        return json_null();
    return json_pack("{s:I, s:b, s:o}", "position", (json_int_t)position, "done", done, "state",
                     state_json(state));
}

/* What happened to a file in this run: skipped (loaded before), loaded, resumed (after a run cut
 * short), partial (not to its end), or seen (nothing of it committed). */
static const char *file_outcome(const struct og_input_position *p)
{
    if (p->before_found && p->before_done)
        return "skipped";
    if (p->committed && p->after_done)
        return p->before_found && p->before > 0 ? "resumed" : "loaded";
    return p->committed ? "partial" : "seen";
}

static json_t *position_json(const struct og_input_position *p)
{
    json_t *o = json_object();
    bool ok = o && put(o, "kind", text(p->kind)) && put(o, "key", json_string(p->key)) &&
              put(o, "version", json_string(p->version));
    if (ok && !strcmp(p->kind, "kafka")) {
        const char *colon = strrchr(p->key, ':');
        ok = put(o, "topic", json_stringn(p->key, colon ? (size_t)(colon - p->key) : 0)) &&
             put(o, "partition", json_integer(colon ? strtoll(colon + 1, NULL, 10) : -1));
    }
    if (ok && !strcmp(p->kind, "file"))
        ok = put(o, "outcome", json_string(file_outcome(p)));
    ok =
        ok &&
        put(o, "before", where_json(p->before_found, p->before, p->before_done, p->before_state)) &&
        put(o, "after",
            p->committed
                ? where_json(true, p->after, p->after_done,
                             p->after_state ? p->after_state : p->before_state)
                : where_json(p->before_found, p->before, p->before_done, p->before_state)) &&
        put(o, "committed", json_boolean(p->committed)) &&
        put(o, "records", json_integer(p->records)) && put(o, "rejects", json_integer(p->rejects));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* "succeeded", "failed", "interrupted", "locked" (another run held it) or "not_run" (st NULL: the
 * job never came to it). */
static const char *source_status(const struct og_source_stats *st)
{
    if (!st || st->started <= 0)
        return "not_run";
    if (st->rc == 0)
        return "succeeded";
    return st->rc == OG_EINTR ? "interrupted" : st->rc == OG_EAGAIN ? "locked" : "failed";
}

static json_t *source_json(const struct og_source_cfg *sc, const struct og_source_stats *st,
                           bool dry_run)
{
    static const struct og_source_stats none;
    const struct og_source_stats *s = st ? st : &none;
    const char *connector = s->connector ? s->connector : sc->connector;
    json_t *o = json_object();
    bool ok = o && put(o, "name", text(sc->name)) &&
              put(o, "kind", sc->ninputs > 0 ? json_string("files") : text(connector)) &&
              put(o, "connector", text(connector)) &&
              put(o, "mapping",
                  json_pack("{s:o, s:o, s:o}", "path", text(sc->mapping), "feed", text(s->feed),
                            "department", text(s->department))) &&
              put(o, "status", json_string(source_status(st))) &&
              put(o, "started", iso_time(s->started)) &&
              put(o, "finished", iso_time(s->finished)) &&
              put(o, "seconds",
                  seconds(s->started > 0 && s->finished >= s->started ? s->finished - s->started
                                                                      : 0.0)) &&
              put(o, "records",
                  json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "read", (json_int_t)s->read,
                            "unchanged", (json_int_t)s->unchanged, "mapped", (json_int_t)s->records,
                            "loaded", (json_int_t)s->loaded, "rejected", (json_int_t)s->rejected,
                            "notes", (json_int_t)s->notes)) &&
              put(o, "rejected_by_stage",
                  dry_run ? json_null()
                          : json_pack("{s:I, s:I, s:I, s:I}", "read",
                                      (json_int_t)s->committed_rejects[OG_STAGE_READ], "map",
                                      (json_int_t)s->committed_rejects[OG_STAGE_MAP], "reconcile",
                                      (json_int_t)s->committed_rejects[OG_STAGE_RECONCILE], "load",
                                      (json_int_t)s->committed_rejects[OG_STAGE_LOAD]));
    json_t *reasons = ok ? json_object() : NULL;
    ok = ok && put(o, "rejected_by_reason", reasons);
    for (int k = 0; ok && k < s->nreasons; k++)
        ok = put(reasons, og_reason_name(s->reasons[k].reason), json_integer(s->reasons[k].n));
    ok = ok &&
         put(o, "inputs",
             json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "files", (json_int_t)s->inputs.files,
                       "files_skipped", (json_int_t)s->inputs.files_skipped, "files_resumed",
                       (json_int_t)s->inputs.files_resumed, "files_failed",
                       (json_int_t)s->inputs.files_failed, "files_known_failed",
                       (json_int_t)s->inputs.files_known_failed, "unmatched_inputs",
                       (json_int_t)s->inputs.unmatched_inputs, "partitions",
                       (json_int_t)s->inputs.partitions));
    json_t *positions = ok ? json_array() : NULL;
    ok = ok && put(o, "positions", positions);
    for (size_t i = 0; ok && i < s->npositions; i++)
        ok = json_array_append_new(positions, position_json(&s->positions[i])) == 0;
    ok = ok && put(o, "positions_complete", json_boolean(!s->positions_incomplete));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static bool selected(const struct og_job_opts *o, const char *name)
{
    if (!o || !o->nonly)
        return true;
    for (size_t i = 0; i < o->nonly; i++)
        if (!strcmp(o->only[i], name))
            return true;
    return false;
}

/* The job's stats of the source called name, or NULL. */
static const struct og_source_stats *stats_of(const struct og_job_result *res, const char *name)
{
    for (size_t i = 0; res && i < res->nstats; i++)
        if (res->stats[i].name && !strcmp(res->stats[i].name, name))
            return &res->stats[i];
    return NULL;
}

/* The error to report: r->error, else the job's (when it did not succeed), else none. */
static const struct og_error *run_error(const struct og_report_run *r)
{
    if (r->error && r->error->code)
        return r->error;
    if (r->res && r->res->status != OG_JOB_SUCCEEDED && r->res->error.code)
        return &r->res->error;
    return NULL;
}

json_t *og_report_summary(const struct og_report_run *r)
{
    const struct og_job_result *res = r->res;
    static const struct og_job_result empty;
    const struct og_job_result *z = res ? res : &empty;
    bool dry_run = r->opts && r->opts->dry_run;
    long long loaded = 0;
    for (size_t i = 0; i < z->nstats; i++)
        loaded += z->stats[i].loaded;
    json_t *doc = json_object();
    bool ok =
        doc && put(doc, "version", text(r->version)) && put(doc, "command", text(r->command)) &&
        put(doc, "run_id", z->run_id > 0 ? json_integer(z->run_id) : json_null()) &&
        put(doc, "dry_run", json_boolean(dry_run)) && put(doc, "config", text(r->config_path)) &&
        put(doc, "started", iso_time(r->started)) && put(doc, "finished", iso_time(r->finished)) &&
        put(doc, "seconds", seconds(r->seconds)) &&
        put(doc, "exit",
            json_pack("{s:i, s:s}", "code", r->exit_code, "status",
                      og_report_status_name(r->exit_code))) &&
        put(doc, "error", error_json(run_error(r))) &&
        put(doc, "max_reject_ratio",
            r->cfg && r->cfg->max_reject_ratio >= 0 ? json_real(r->cfg->max_reject_ratio)
                                                    : json_null()) &&
        put(doc, "totals",
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:f}", "read", (json_int_t)z->read, "unchanged",
                      (json_int_t)z->unchanged_records, "mapped", (json_int_t)z->records, "loaded",
                      (json_int_t)loaded, "rejected", (json_int_t)z->rejected, "reject_ratio",
                      z->read > 0 ? (double)z->rejected / (double)z->read : 0.0)) &&
        put(doc, "warehouse",
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "inserted",
                      (json_int_t)z->load.inserted, "updated", (json_int_t)z->load.updated,
                      "unchanged", (json_int_t)z->load.unchanged, "history",
                      (json_int_t)z->load.history, "members", (json_int_t)z->load.members, "health",
                      (json_int_t)z->load.health, "rejects_written", (json_int_t)z->load.rejects));
    json_t *sources = ok ? json_array() : NULL;
    ok = ok && put(doc, "sources", sources);
    for (size_t i = 0; ok && r->cfg && i < r->cfg->nsources; i++) {
        const struct og_source_cfg *sc = &r->cfg->sources[i];
        if (selected(r->opts, sc->name))
            ok = json_array_append_new(sources,
                                       source_json(sc, stats_of(res, sc->name), dry_run)) == 0;
    }
    if (!ok) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* ---- the metrics ------------------------------------------------------------------------------
 */

/* A label value escaped as the exposition format wants it (backslash, quote, newline), as
 * pipeline/metrics.c writes them for /metrics. 0 or OG_ENOMEM. */
/* Appends the Prometheus text of metric families; the first failure sticks in rc. */
struct prom {
    struct og_buf *out;
    const char *command;
    int rc;
};

static void family(struct prom *p, const char *name, const char *type, const char *help)
{
    if (p->rc == 0)
        p->rc = og_metrics_put_family(p->out, name, type, help);
}

/* name{command="...",k="v",...} value: the labels after command as NULL-terminated pairs. */
static void sample(struct prom *p, const char *name, const char *value, ...)
{
    if (p->rc == 0)
        p->rc = og_buf_printf(p->out, "%s{command=\"", name);
    if (p->rc == 0)
        p->rc = og_metrics_put_label(p->out, p->command);
    va_list ap;
    va_start(ap, value);
    const char *k;
    while ((k = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        if (p->rc == 0)
            p->rc = og_buf_printf(p->out, "\",%s=\"", k);
        if (p->rc == 0)
            p->rc = og_metrics_put_label(p->out, v);
    }
    va_end(ap);
    if (p->rc == 0)
        p->rc = og_buf_printf(p->out, "\"} %s\n", value);
}

static const char *num(char *buf, size_t size, long long v)
{
    snprintf(buf, size, "%lld", v);
    return buf;
}

static const char *real(char *buf, size_t size, int decimals, double v)
{
    snprintf(buf, size, "%.*f", decimals, v);
    return buf;
}

#define LAST_SUCCESS "onegrid_run_last_success_timestamp_seconds"

/* The last-success lines of the previous metrics file that carry over: those of this command for
 * a source that has not succeeded now (done[], ndone), when their value is a number. */
static void carry_over(struct prom *p, const char *previous, const struct og_source_stats **done,
                       size_t ndone)
{
    struct og_buf prefix = OG_BUF_INIT, label = OG_BUF_INIT;
    int rc = og_buf_puts(&prefix, LAST_SUCCESS "{command=\"");
    rc = rc ? rc : og_metrics_put_label(&prefix, p->command);
    rc = rc ? rc : og_buf_puts(&prefix, "\",source=\"");
    for (const char *line = previous; rc == 0 && line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *close = len > prefix.len && !strncmp(line, prefix.data, prefix.len)
                                ? strstr(line + prefix.len, "\"} ")
                                : NULL;
        if (close && close < line + len) {
            const char *name = line + prefix.len;
            size_t nlen = (size_t)(close - name);
            bool now = false;
            for (size_t i = 0; i < ndone && !now && rc == 0; i++) {
                og_buf_reset(&label);
                rc = og_metrics_put_label(&label, done[i]->name);
                now = rc == 0 && label.len == nlen &&
                      !memcmp(label.data ? label.data : "", name, nlen);
            }
            char *stop = NULL;
            double v = strtod(close + 3, &stop);
            if (rc == 0 && !now && stop == line + len && stop > close + 3 && isfinite(v))
                rc = og_buf_printf(p->out, "%.*s\n", (int)len, line);
        }
        line = end ? end + 1 : NULL;
    }
    og_buf_free(&prefix);
    og_buf_free(&label);
    if (p->rc == 0)
        p->rc = rc;
}

int og_report_metrics(const struct og_report_run *r, const char *previous, struct og_buf *out)
{
    struct prom p = {out, r->command ? r->command : "", 0};
    const struct og_job_result *res = r->res;
    bool dry_run = r->opts && r->opts->dry_run;
    char v[64];
    /* the sources this run reports on: those of the config it selected that the job came to */
    size_t n = 0;
    const struct og_source_stats **srcs = calloc((res ? res->nstats : 0) + 1, sizeof(*srcs));
    const struct og_source_stats **done = calloc((res ? res->nstats : 0) + 1, sizeof(*done));
    size_t ndone = 0;
    if (!srcs || !done) {
        free(srcs);
        free(done);
        return OG_ENOMEM;
    }
    for (size_t i = 0; res && i < res->nstats; i++)
        if (res->stats[i].name && res->stats[i].started > 0) {
            srcs[n++] = &res->stats[i];
            if (r->exit_code == 0 && res->stats[i].rc == 0)
                done[ndone++] = &res->stats[i];
        }

    family(&p, "onegrid_run_exit_code", "gauge",
           "Exit code of the last run: 0 ok, 1 failed, 2 usage or configuration, 3 rejects over "
           "a threshold, 4 a source left alone (another run was loading it).");
    sample(&p, "onegrid_run_exit_code", num(v, sizeof(v), r->exit_code), NULL);
    family(&p, "onegrid_run_duration_seconds", "gauge", "How long the last run took.");
    sample(&p, "onegrid_run_duration_seconds", real(v, sizeof(v), 6, r->seconds), NULL);
    family(&p, "onegrid_run_finished_timestamp_seconds", "gauge",
           "Unix time the last run finished.");
    sample(&p, "onegrid_run_finished_timestamp_seconds", real(v, sizeof(v), 3, r->finished), NULL);
    family(&p, LAST_SUCCESS, "gauge",
           "Unix time a run last finished with exit code 0 having read this source to its end.");
    for (size_t i = 0; i < ndone; i++)
        sample(&p, LAST_SUCCESS, real(v, sizeof(v), 3, done[i]->finished), "source", done[i]->name,
               NULL);
    carry_over(&p, previous, done, ndone);
    family(&p, "onegrid_run_source_duration_seconds", "gauge",
           "How long the last run read and loaded this source.");
    for (size_t i = 0; i < n; i++)
        sample(&p, "onegrid_run_source_duration_seconds",
               real(v, sizeof(v), 6, srcs[i]->finished - srcs[i]->started), "source", srcs[i]->name,
               NULL);
    family(&p, "onegrid_run_records_total", "counter",
           "Records of the last run per stage: read (by the connector), mapped (unified records "
           "made), loaded (in committed batches), rejected (at any stage).");
    for (size_t i = 0; i < n; i++) {
        const struct og_source_stats *s = srcs[i];
        sample(&p, "onegrid_run_records_total", num(v, sizeof(v), s->read), "source", s->name,
               "stage", "read", NULL);
        sample(&p, "onegrid_run_records_total", num(v, sizeof(v), s->records), "source", s->name,
               "stage", "mapped", NULL);
        sample(&p, "onegrid_run_records_total", num(v, sizeof(v), s->loaded), "source", s->name,
               "stage", "loaded", NULL);
        sample(&p, "onegrid_run_records_total", num(v, sizeof(v), s->rejected), "source", s->name,
               "stage", "rejected", NULL);
    }
    family(&p, "onegrid_run_rejects_total", "counter",
           "Records the last run rejected, by reason (etl_reject.reason).");
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < srcs[i]->nreasons; k++)
            sample(&p, "onegrid_run_rejects_total", num(v, sizeof(v), srcs[i]->reasons[k].n),
                   "source", srcs[i]->name, "reason", og_reason_name(srcs[i]->reasons[k].reason),
                   NULL);
    family(&p, "onegrid_run_stage_rejects_total", "counter",
           "Rejects the last run committed to etl_reject, by stage (read, map, reconcile, load).");
    static const char *const STAGES[] = {"read", "map", "reconcile", "load"};
    for (size_t i = 0; i < n && !dry_run; i++)
        for (size_t k = 0; k < 4; k++)
            sample(&p, "onegrid_run_stage_rejects_total",
                   num(v, sizeof(v), srcs[i]->committed_rejects[k]), "source", srcs[i]->name,
                   "stage", STAGES[k], NULL);
    family(&p, "onegrid_run_inputs_total", "counter",
           "Inputs of the last run: files read, files_skipped (loaded before), files_resumed, "
           "files_failed (rejected as a whole), files_known_failed (rejected as a whole by an "
           "earlier run, unchanged), unmatched_inputs (globs matching nothing), partitions "
           "(Kafka).");
    for (size_t i = 0; i < n; i++) {
        const struct og_input_counts *c = &srcs[i]->inputs;
        const struct {
            const char *name;
            long long value;
        } INPUTS[] = {{"files", c->files},
                      {"files_skipped", c->files_skipped},
                      {"files_resumed", c->files_resumed},
                      {"files_failed", c->files_failed},
                      {"files_known_failed", c->files_known_failed},
                      {"unmatched_inputs", c->unmatched_inputs},
                      {"partitions", c->partitions}};
        for (size_t k = 0; k < sizeof(INPUTS) / sizeof(INPUTS[0]); k++)
            sample(&p, "onegrid_run_inputs_total", num(v, sizeof(v), INPUTS[k].value), "source",
                   srcs[i]->name, "input", INPUTS[k].name, NULL);
    }
    family(&p, "onegrid_run_kafka_next_offset", "gauge",
           "The next offset of each Kafka partition as the warehouse holds it after the last run.");
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < srcs[i]->npositions; k++) {
            const struct og_input_position *q = &srcs[i]->positions[k];
            const char *colon = strrchr(q->key, ':');
            if (strcmp(q->kind, "kafka") != 0 || !colon || (!q->committed && !q->before_found))
                continue;
            char topic[256];
            snprintf(topic, sizeof(topic), "%.*s", (int)(colon - q->key), q->key);
            sample(&p, "onegrid_run_kafka_next_offset",
                   num(v, sizeof(v), q->committed ? q->after : q->before), "source", srcs[i]->name,
                   "topic", topic, "partition", colon + 1, NULL);
        }
    free(srcs);
    free(done);
    return p.rc;
}

/* ---- files ------------------------------------------------------------------------------------
 */

int og_report_write_file(const char *path, const char *data, size_t len, struct og_error *err)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp)) {
        og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "cannot write \"%s\"", path);
        og_error_detail(err, "the path is too long");
        return OG_EIO;
    }
    const char *what = "write";
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int e = errno;
        og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not write \"%s\"", path);
        og_error_detail(err, "cannot create \"%s\": %s", tmp, strerror(e));
        og_error_hint(err, "the folder must exist and be writable (the file is written next to "
                           "it, then renamed)");
        return OG_EIO;
    }
    size_t off = 0;
    int e = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            e = w < 0 ? errno : EIO;
            break;
        }
        off += (size_t)w;
    }
    if (!e && fsync(fd) != 0) {
        e = errno;
        what = "fsync";
    }
    if (close(fd) != 0 && !e) {
        e = errno;
        what = "close";
    }
    if (!e && rename(tmp, path) != 0) {
        e = errno;
        what = "rename";
    }
    if (e) {
        unlink(tmp);
        og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not write \"%s\"", path);
        og_error_detail(err, "%s of \"%s\": %s", what, tmp, strerror(e));
        return OG_EIO;
    }
    /* the rename itself made durable: fsync the folder (best effort: some file systems refuse) */
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    return 0;
}

int og_report_read_file(const char *path, char **out)
{
    *out = NULL;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    struct og_buf b = OG_BUF_INIT;
    char chunk[4096];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        rc = og_buf_append(&b, chunk, n);
    fclose(fp);
    if (rc < 0) {
        og_buf_free(&b);
        return rc;
    }
    *out = b.data ? og_buf_steal(&b) : strdup("");
    return *out ? 0 : OG_ENOMEM;
}

int og_report_write(const struct og_report_run *r, const char *summary_path,
                    const char *metrics_path, struct og_error *err)
{
    int first = 0;
    struct og_error e;
    og_error_clear(&e);
    if (summary_path) {
        json_t *doc = og_report_summary(r);
        char *s = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(12)) : NULL;
        json_decref(doc);
        struct og_buf b = OG_BUF_INIT;
        int rc = s && og_buf_puts(&b, s) == 0 && og_buf_putc(&b, '\n') == 0
                     ? og_report_write_file(summary_path, b.data, b.len, &e)
                     : og_error_set(&e, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                                    "out of memory writing the run summary \"%s\"", summary_path);
        free(s);
        og_buf_free(&b);
        if (rc < 0 && !first) {
            first = rc;
            *err = e;
        }
    }
    if (metrics_path) {
        char *previous = NULL;
        struct og_buf b = OG_BUF_INIT;
        int rc = og_report_read_file(metrics_path, &previous);
        rc = rc ? rc : og_report_metrics(r, previous, &b);
        rc = rc ? og_error_set(&e, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                               "out of memory writing the metrics \"%s\"", metrics_path)
                : og_report_write_file(metrics_path, b.data ? b.data : "", b.len, &e);
        free(previous);
        og_buf_free(&b);
        if (rc < 0 && !first) {
            first = rc;
            *err = e;
        }
    }
    return first;
}
