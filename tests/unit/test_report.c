/* test_report.c - unit tests for pipeline/report.c: the sink that records positions before and
 * after, the run summary (JSON), the metrics (Prometheus text, the last success carried over) and
 * the atomic file write. */
#include "core/batch.h"
#include "pipeline/report.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a sink in memory under the report sink ---- */

struct mem {
    int commits, fail_next, lookups;
};

static int mem_position(void *ctx, const char *source, const char *kind, const char *key,
                        const char *version, struct og_stored *st, struct og_error *err)
{
    (void)source, (void)kind, (void)version, (void)err;
    struct mem *m = ctx;
    m->lookups++;
    memset(st, 0, sizeof(*st));
    if (!strcmp(key, "a.csv")) /* cut short by an earlier run after 10 records */
        *st = (struct og_stored){true, false, 10, NULL};
    if (!strcmp(key, "tbl")) {
        *st = (struct og_stored){true, false, 0, strdup("{\"updated_at\":\"2020-02-03\"}")};
        /* the caller frees it, as with the warehouse's */
    }
    return 0;
}

static int mem_commit(void *ctx, const struct og_batch *b, void *lane, struct og_load_stats *stats,
                      struct og_error *err)
{
    (void)b, (void)lane, (void)stats;
    struct mem *m = ctx;
    if (m->fail_next) {
        m->fail_next = 0;
        return og_error_set(err, OG_EDB, OG_CLASS_RETRY, OG_R_NONE, "connection lost");
    }
    m->commits++;
    return 0;
}

/* Adds n records and a reject of stage to b for input key (at next). */
static void fill(struct og_batch *b, const char *kind, const char *key, long long next, int n,
                 enum og_stage stage, const char *state)
{
    struct og_mark *mk = og_batch_mark(b, kind, key, "v1");
    assert_non_null(mk);
    for (int i = 0; i < n; i++)
        assert_non_null(og_batch_add(b));
    struct og_pos pos = {"src", key, 3, 0, 0, -1, "v1"};
    struct og_error why;
    og_error_clear(&why);
    og_error_set(&why, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_TIME, "bad time");
    assert_int_equal(og_batch_reject(b, &pos, stage, &why, "{}"), 0);
    mk = og_batch_mark(b, kind, key, "v1");
    mk->position = next;
    mk->records += n;
    mk->rejects += 1;
    mk->state = state;
}

static void test_sink_records_positions(void **unused)
{
    (void)unused;
    struct mem m = {0};
    struct og_sink inner = {.ctx = &m, .position = mem_position, .commit = mem_commit};
    struct og_source_stats st;
    memset(&st, 0, sizeof(st));
    struct og_report_sink ctx = {.inner = &inner, .st = &st};
    struct og_sink sink;
    og_report_sink_init(&sink, &ctx);
    assert_null(sink.lane_new);
    struct og_stored got;
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(sink.position(sink.ctx, "src", "file", "a.csv", "v1", &got, &err), 0);
    assert_true(got.found); /* the answer passes through */
    assert_int_equal(got.position, 10);
    assert_int_equal(sink.position(sink.ctx, "src", "pgsql", "tbl", "v1", &got, &err), 0);
    free(got.state);

    struct og_batch *b = og_batch_create();
    b->source = "src";
    fill(b, "file", "a.csv", 25, 4, OG_STAGE_MAP, NULL);
    assert_int_equal(sink.commit(sink.ctx, b, NULL, NULL, &err), 0);
    og_batch_reset(b);
    /* a failed commit records nothing */
    fill(b, "file", "a.csv", 99, 7, OG_STAGE_READ, NULL);
    m.fail_next = 1;
    assert_int_equal(sink.commit(sink.ctx, b, NULL, NULL, &err), OG_EDB);
    og_batch_reset(b);
    fill(b, "file", "a.csv", 30, 2, OG_STAGE_RECONCILE, NULL);
    og_batch_mark(b, "file", "a.csv", "v1")->done = true;
    fill(b, "pgsql", "tbl", 0, 1, OG_STAGE_READ, "{\"updated_at\":\"2020-02-04\"}");
    assert_int_equal(sink.commit(sink.ctx, b, NULL, NULL, &err), 0);
    og_batch_destroy(b);
    /* a second lookup (Kafka: a new assignment) does not change "before" */
    assert_int_equal(sink.position(sink.ctx, "src", "file", "a.csv", "v1", &got, &err), 0);

    assert_int_equal(m.commits, 2);
    assert_int_equal(st.loaded, 4 + 2 + 1);
    assert_int_equal(st.committed_rejects[OG_STAGE_READ], 1);
    assert_int_equal(st.committed_rejects[OG_STAGE_MAP], 1);
    assert_int_equal(st.committed_rejects[OG_STAGE_RECONCILE], 1);
    assert_int_equal(st.committed_rejects[OG_STAGE_LOAD], 0);
    assert_int_equal(st.npositions, 2);
    const struct og_input_position *a = &st.positions[0], *t = &st.positions[1];
    assert_string_equal(a->key, "a.csv");
    assert_true(a->before_found);
    assert_false(a->before_done);
    assert_int_equal(a->before, 10);
    assert_true(a->committed);
    assert_int_equal(a->after, 30);
    assert_true(a->after_done);
    assert_int_equal(a->records, 6);
    assert_int_equal(a->rejects, 2);
    assert_string_equal(t->before_state, "{\"updated_at\":\"2020-02-03\"}");
    assert_string_equal(t->after_state, "{\"updated_at\":\"2020-02-04\"}");
    assert_false(st.positions_incomplete);
    og_report_stats_free(&st);
    og_report_sink_fini(&ctx);
    assert_null(st.positions);
    og_report_stats_free(NULL);
}

/* ---- the summary ---- */

static char *src_names[] = {"um", "ps"};

struct fixture {
    struct og_source_cfg sources[2];
    struct og_config cfg;
    struct og_source_stats stats[1];
    struct og_job_result res;
    struct og_job_opts opts;
};

/* A run of two configured sources: um (files) was read, ps (kafka) never came up. */
static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    static char *inputs[] = {"feeds/um/*.json"};
    f->sources[0] = (struct og_source_cfg){.name = src_names[0],
                                           .inputs = inputs,
                                           .ninputs = 1,
                                           .mapping = "mappings/urban/um_cases.json"};
    f->sources[1] = (struct og_source_cfg){
        .name = src_names[1], .connector = "kafka", .mapping = "mappings/police/ps.json"};
    f->cfg = (struct og_config){.sources = f->sources, .nsources = 2, .max_reject_ratio = 0.01};
    struct og_source_stats *s = &f->stats[0];
    s->name = "um";
    og_report_source_init(s, "json", f->sources[0].mapping, NULL);
    snprintf(s->feed, sizeof(s->feed), "UM-1");
    s->inputs.files = 2;
    s->inputs.files_skipped = 1;
    s->read = 100;
    s->records = 90;
    s->loaded = 90;
    og_stats_count(s, OG_R_INVALID_TIME);
    og_stats_count(s, OG_R_INVALID_TIME);
    og_stats_count(s, OG_R_BAD_JSON);
    s->committed_rejects[OG_STAGE_MAP] = 2;
    s->committed_rejects[OG_STAGE_READ] = 1;
    s->rejected = 10; /* 7 rejected at no reason counted above: counts are what the stats say */
    s->started = 1580709600.0; /* 2020-02-03T06:00:00Z */
    s->finished = 1580709612.5;
    s->positions = calloc(3, sizeof(*s->positions));
    s->npositions = s->cappositions = 3;
    s->positions[0] = (struct og_input_position){strdup("file"),
                                                 strdup("feeds/um/a.json"),
                                                 strdup("abc"),
                                                 true,
                                                 40,
                                                 false,
                                                 NULL,
                                                 true,
                                                 60,
                                                 true,
                                                 NULL,
                                                 18,
                                                 2};
    s->positions[1] = (struct og_input_position){strdup("file"),
                                                 strdup("feeds/um/b.json"),
                                                 strdup("def"),
                                                 true,
                                                 70,
                                                 true,
                                                 NULL,
                                                 false,
                                                 0,
                                                 false,
                                                 NULL,
                                                 0,
                                                 0};
    s->positions[2] = (struct og_input_position){strdup("kafka"),
                                                 strdup("ps.incidents:3"),
                                                 strdup(""),
                                                 false,
                                                 0,
                                                 false,
                                                 NULL,
                                                 true,
                                                 1234,
                                                 false,
                                                 NULL,
                                                 5,
                                                 0};
    f->res = (struct og_job_result){.status = OG_JOB_REJECTS_EXCEEDED,
                                    .stats = f->stats,
                                    .nstats = 1,
                                    .run_id = 42,
                                    .read = 100,
                                    .records = 90,
                                    .rejected = 10};
    f->res.load.inserted = 80;
    og_error_set(&f->res.error, OG_EINVAL, OG_CLASS_FATAL, OG_R_NONE,
                 "10 of 100 records rejected (10.0%%), over max_reject_ratio 1.0%%");
    og_error_hint(&f->res.error, "see them with `onegrid rejects`");
}

static struct og_report_run fixture_run(struct fixture *f, int exit_code)
{
    return (struct og_report_run){.version = "9.9.9",
                                  .command = "run",
                                  .config_path = "/etc/onegrid/onegrid.json",
                                  .cfg = &f->cfg,
                                  .opts = &f->opts,
                                  .res = &f->res,
                                  .started = 1580709599.25,
                                  .finished = 1580709613.0,
                                  .seconds = 13.75,
                                  .exit_code = exit_code};
}

static json_t *at(json_t *doc, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    json_t *v = doc;
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
        v = json_is_array(v) ? json_array_get(v, (size_t)atoi(k)) : json_object_get(v, k);
    return v;
}

static long long num_at(json_t *doc, const char *path)
{
    json_t *v = at(doc, path);
    assert_true(json_is_integer(v));
    return (long long)json_integer_value(v);
}

static const char *str_at(json_t *doc, const char *path)
{
    json_t *v = at(doc, path);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static void test_summary(void **unused)
{
    (void)unused;
    struct fixture f;
    fixture_init(&f);
    struct og_report_run r = fixture_run(&f, 3);
    json_t *doc = og_report_summary(&r);
    assert_non_null(doc);
    assert_string_equal(str_at(doc, "version"), "9.9.9");
    assert_string_equal(str_at(doc, "command"), "run");
    assert_int_equal(num_at(doc, "run_id"), 42);
    assert_int_equal(num_at(doc, "exit.code"), 3);
    assert_string_equal(str_at(doc, "exit.status"), "rejects_exceeded");
    assert_string_equal(str_at(doc, "error.message"),
                        "10 of 100 records rejected (10.0%), over max_reject_ratio 1.0%");
    assert_true(json_is_null(at(doc, "error.reason")));
    assert_true(json_is_null(at(doc, "error.position")));
    assert_string_equal(str_at(doc, "error.hint"), "see them with `onegrid rejects`");
    /* ISO 8601 with an offset, to the millisecond */
    const char *started = str_at(doc, "started");
    int y, mo, d, h, mi, sec, oh, om;
    char frac[8], sign;
    assert_int_equal(sscanf(started, "%4d-%2d-%2dT%2d:%2d:%2d.%7[0-9]%c%2d:%2d", &y, &mo, &d, &h,
                            &mi, &sec, frac, &sign, &oh, &om),
                     10);
    assert_string_equal(frac, "25"); /* .250 s, trailing zeros trimmed */
    assert_true(sign == '+' || sign == '-');
    assert_true(json_is_real(at(doc, "seconds")));
    assert_true(json_real_value(at(doc, "seconds")) == 13.75);
    assert_true(json_real_value(at(doc, "max_reject_ratio")) == 0.01);
    assert_int_equal(num_at(doc, "totals.read"), 100);
    assert_int_equal(num_at(doc, "totals.loaded"), 90);
    assert_int_equal(num_at(doc, "warehouse.inserted"), 80);
    assert_int_equal(json_array_size(at(doc, "sources")), 2);

    assert_string_equal(str_at(doc, "sources.0.name"), "um");
    assert_string_equal(str_at(doc, "sources.0.kind"), "files");
    assert_string_equal(str_at(doc, "sources.0.connector"), "json");
    assert_string_equal(str_at(doc, "sources.0.mapping.feed"), "UM-1");
    assert_true(json_is_null(at(doc, "sources.0.mapping.department")));
    assert_string_equal(str_at(doc, "sources.0.status"), "succeeded");
    assert_true(json_real_value(at(doc, "sources.0.seconds")) == 12.5);
    assert_int_equal(num_at(doc, "sources.0.records.read"), 100);
    assert_int_equal(num_at(doc, "sources.0.records.mapped"), 90);
    assert_int_equal(num_at(doc, "sources.0.records.rejected"), 10);
    assert_int_equal(num_at(doc, "sources.0.rejected_by_stage.read"), 1);
    assert_int_equal(num_at(doc, "sources.0.rejected_by_stage.map"), 2);
    assert_int_equal(num_at(doc, "sources.0.rejected_by_reason.invalid_time"), 2);
    assert_int_equal(num_at(doc, "sources.0.rejected_by_reason.bad_json"), 1);
    assert_int_equal(num_at(doc, "sources.0.inputs.files_skipped"), 1);
    /* files: resumed from 40 to 60 (done); skipped (done before); a Kafka partition */
    assert_string_equal(str_at(doc, "sources.0.positions.0.outcome"), "resumed");
    assert_int_equal(num_at(doc, "sources.0.positions.0.before.position"), 40);
    assert_int_equal(num_at(doc, "sources.0.positions.0.after.position"), 60);
    assert_true(json_is_true(at(doc, "sources.0.positions.0.after.done")));
    assert_string_equal(str_at(doc, "sources.0.positions.1.outcome"), "skipped");
    assert_int_equal(num_at(doc, "sources.0.positions.1.after.position"), 70);
    assert_true(json_is_false(at(doc, "sources.0.positions.1.committed")));
    assert_string_equal(str_at(doc, "sources.0.positions.2.topic"), "ps.incidents");
    assert_int_equal(num_at(doc, "sources.0.positions.2.partition"), 3);
    assert_true(json_is_null(at(doc, "sources.0.positions.2.before")));
    assert_int_equal(num_at(doc, "sources.0.positions.2.after.position"), 1234);
    assert_null(at(doc, "sources.0.positions.2.outcome"));

    /* the source the job never came to is listed, with what the config says */
    assert_string_equal(str_at(doc, "sources.1.name"), "ps");
    assert_string_equal(str_at(doc, "sources.1.status"), "not_run");
    assert_string_equal(str_at(doc, "sources.1.kind"), "kafka");
    assert_true(json_is_null(at(doc, "sources.1.started")));
    assert_int_equal(num_at(doc, "sources.1.records.read"), 0);
    json_decref(doc);

    /* a source another run held was left alone; one that failed says so */
    f.stats[0].rc = OG_EAGAIN;
    doc = og_report_summary(&r);
    assert_string_equal(str_at(doc, "sources.0.status"), "locked");
    json_decref(doc);
    f.stats[0].rc = OG_EDB;
    doc = og_report_summary(&r);
    assert_string_equal(str_at(doc, "sources.0.status"), "failed");
    json_decref(doc);
    f.stats[0].rc = 0;

    /* a dry run has no committed rejects to split by stage; --source selects */
    f.opts.dry_run = true;
    char *only[] = {"um"};
    f.opts.only = only;
    f.opts.nonly = 1;
    doc = og_report_summary(&r);
    assert_true(json_is_true(at(doc, "dry_run")));
    assert_true(json_is_null(at(doc, "sources.0.rejected_by_stage")));
    assert_int_equal(json_array_size(at(doc, "sources")), 1);
    json_decref(doc);
    og_report_stats_free(&f.stats[0]);
}

static void test_summary_failed_before_any_source(void **unused)
{
    (void)unused;
    struct og_error err;
    og_error_clear(&err);
    og_error_set(&err, OG_EDB, OG_CLASS_RETRY, OG_R_NONE,
                 "could not connect to the warehouse \xff here");
    og_error_position(&err, "um.json:3");
    struct og_report_run r = {.version = "1", .command = "run", .error = &err, .exit_code = 1};
    json_t *doc = og_report_summary(&r);
    assert_non_null(doc);
    assert_string_equal(str_at(doc, "exit.status"), "failed");
    assert_true(json_is_null(at(doc, "run_id")));
    assert_true(json_is_null(at(doc, "started")));
    /* invalid UTF-8 does not lose the message */
    assert_string_equal(str_at(doc, "error.message"),
                        "could not connect to the warehouse \xef\xbf\xbd here");
    assert_string_equal(str_at(doc, "error.position"), "um.json:3");
    assert_int_equal(json_array_size(at(doc, "sources")), 0);
    char *text = json_dumps(doc, 0);
    assert_non_null(text);
    free(text);
    json_decref(doc);
    assert_string_equal(og_report_status_name(0), "succeeded");
    assert_string_equal(og_report_status_name(2), "bad_config");
    assert_string_equal(og_report_status_name(3), "rejects_exceeded");
    assert_string_equal(og_report_status_name(1), "failed");
    assert_string_equal(og_report_status_name(4), "locked");
}

/* ---- the metrics ---- */

/* Every line is a comment (# HELP name / # TYPE name type, once per name, before its samples) or a
 * sample `name{labels} value` of the family last declared. Returns the number of samples. */
static int check_exposition(const char *text)
{
    char seen_help[64][96], seen_type[64][96];
    int nhelp = 0, ntype = 0, samples = 0;
    char current[96] = "";
    const char *line = text;
    while (*line) {
        const char *end = strchr(line, '\n');
        assert_non_null(end); /* every line ends with a newline */
        char l[1024];
        snprintf(l, sizeof(l), "%.*s", (int)(end - line), line);
        char name[96];
        if (!strncmp(l, "# HELP ", 7)) {
            assert_int_equal(sscanf(l + 7, "%95s", name), 1);
            for (int i = 0; i < nhelp; i++)
                assert_string_not_equal(seen_help[i], name);
            snprintf(seen_help[nhelp++], 96, "%s", name);
            snprintf(current, sizeof(current), "%s", name);
        }
        else if (!strncmp(l, "# TYPE ", 7)) {
            char type[32];
            assert_int_equal(sscanf(l + 7, "%95s %31s", name, type), 2);
            assert_string_equal(name, current);
            assert_true(!strcmp(type, "gauge") || !strcmp(type, "counter"));
            for (int i = 0; i < ntype; i++)
                assert_string_not_equal(seen_type[i], name);
            snprintf(seen_type[ntype++], 96, "%s", name);
        }
        else {
            const char *brace = strchr(l, '{');
            const char *close = strstr(l, "} ");
            assert_non_null(brace);
            assert_non_null(close);
            assert_true(strlen(current) == (size_t)(brace - l) &&
                        !strncmp(l, current, strlen(current)));
            char *stop;
            strtod(close + 2, &stop);
            assert_true(*stop == '\0' && stop > close + 2);
            samples++;
        }
        line = end + 1;
    }
    assert_int_equal(nhelp, ntype);
    return samples;
}

static void test_metrics(void **unused)
{
    (void)unused;
    struct fixture f;
    fixture_init(&f);
    f.res.status = OG_JOB_SUCCEEDED;
    f.stats[0].name = "u\"m\\x"; /* a label value to escape */
    struct og_report_run r = fixture_run(&f, 0);
    const char *previous =
        "onegrid_run_last_success_timestamp_seconds{command=\"run\",source=\"u\\\"m\\\\x\"} 1\n"
        "onegrid_run_last_success_timestamp_seconds{command=\"run\",source=\"ps\"} 1580000000.5\n"
        "onegrid_run_last_success_timestamp_seconds{command=\"run\",source=\"junk\"} soon\n"
        "onegrid_run_last_success_timestamp_seconds{command=\"stream\",source=\"hl\"} 7\n";
    struct og_buf out = OG_BUF_INIT;
    assert_int_equal(og_report_metrics(&r, previous, &out), 0);
    assert_true(check_exposition(out.data) > 10);
    const char *expect[] = {
        "onegrid_run_exit_code{command=\"run\"} 0\n",
        "onegrid_run_duration_seconds{command=\"run\"} 13.750000\n",
        "onegrid_run_finished_timestamp_seconds{command=\"run\"} 1580709613.000\n",
        /* succeeded now: this run's time, not the previous file's */
        "onegrid_run_last_success_timestamp_seconds{command=\"run\",source=\"u\\\"m\\\\x\"} "
        "1580709612.500\n",
        /* did not run now: carried over */
        "onegrid_run_last_success_timestamp_seconds{command=\"run\",source=\"ps\"} 1580000000.5\n",
        "onegrid_run_records_total{command=\"run\",source=\"u\\\"m\\\\x\",stage=\"read\"} 100\n",
        "onegrid_run_records_total{command=\"run\",source=\"u\\\"m\\\\x\",stage=\"loaded\"} 90\n",
        "onegrid_run_rejects_total{command=\"run\",source=\"u\\\"m\\\\x\",reason=\"invalid_time\"} "
        "2\n",
        "onegrid_run_stage_rejects_total{command=\"run\",source=\"u\\\"m\\\\x\",stage=\"map\"} 2\n",
        "onegrid_run_inputs_total{command=\"run\",source=\"u\\\"m\\\\x\",input=\"files_skipped\"} "
        "1\n",
        "onegrid_run_kafka_next_offset{command=\"run\",source=\"u\\\"m\\\\x\",topic=\"ps."
        "incidents\",partition=\"3\"} 1234\n",
        "onegrid_run_source_duration_seconds{command=\"run\",source=\"u\\\"m\\\\x\"} 12.500000\n",
    };
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
        if (!strstr(out.data, expect[i]))
            fail_msg("missing: %s\nin:\n%s", expect[i], out.data);
    assert_null(strstr(out.data, "source=\"u\\\"m\\\\x\"} 1\n"));
    assert_null(strstr(out.data, "junk"));
    assert_null(strstr(out.data, "command=\"stream\""));
    og_buf_free(&out);

    /* a failed run: no new success; the previous ones stay */
    struct og_report_run failed = fixture_run(&f, 1);
    assert_int_equal(og_report_metrics(&failed, previous, &out), 0);
    check_exposition(out.data);
    assert_non_null(strstr(out.data, "onegrid_run_exit_code{command=\"run\"} 1\n"));
    assert_non_null(strstr(
        out.data, "onegrid_run_last_success_timestamp_seconds{command=\"run\",source=\"u\\\"m"
                  "\\\\x\"} 1\n"));
    og_buf_free(&out);
    /* no previous file, nothing run: every family still declared once */
    struct og_report_run none = {.command = "stream", .exit_code = 2};
    assert_int_equal(og_report_metrics(&none, NULL, &out), 0);
    assert_int_equal(check_exposition(out.data), 3);
    og_buf_free(&out);
    og_report_stats_free(&f.stats[0]);
}

/* ---- writing files ---- */

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void test_write_file(void **unused)
{
    (void)unused;
    char dir[] = "/tmp/og-report-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/run.json", dir);
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(og_report_write_file(path, "first\n", 6, &err), 0);
    assert_int_equal(og_report_write_file(path, "second\n", 7, &err), 0);
    char *text = NULL;
    assert_int_equal(og_report_read_file(path, &text), 0);
    assert_string_equal(text, "second\n");
    free(text);
    assert_int_equal(count_entries(dir), 1); /* no path.tmp.PID left */
    assert_int_equal(og_report_read_file("/nonexistent/x", &text), 0);
    assert_null(text);

    char bad[300];
    snprintf(bad, sizeof(bad), "%s/no/such/folder/run.json", dir);
    assert_int_equal(og_report_write_file(bad, "x", 1, &err), OG_EIO);
    assert_non_null(strstr(err.message, bad));
    assert_non_null(strstr(err.detail, "No such file or directory"));
    /* a folder in the way of the rename: the old content stays, no temporary file remains */
    char sub[300];
    snprintf(sub, sizeof(sub), "%s/taken", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    char inner[320];
    snprintf(inner, sizeof(inner), "%s/f", sub);
    FILE *fp = fopen(inner, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(og_report_write_file(sub, "x", 1, &err), OG_EIO);
    assert_non_null(strstr(err.detail, "rename"));
    assert_int_equal(count_entries(dir), 2);

    /* og_report_write: both files, then the run's figures in them */
    struct fixture f;
    fixture_init(&f);
    struct og_report_run r = fixture_run(&f, 3);
    char summary[300], metrics[300];
    snprintf(summary, sizeof(summary), "%s/s.json", dir);
    snprintf(metrics, sizeof(metrics), "%s/m.prom", dir);
    assert_int_equal(og_report_write(&r, summary, metrics, &err), 0);
    json_error_t jerr;
    json_t *doc = json_load_file(summary, JSON_REJECT_DUPLICATES, &jerr);
    assert_non_null(doc);
    assert_int_equal(num_at(doc, "exit.code"), 3);
    json_decref(doc);
    assert_int_equal(og_report_read_file(metrics, &text), 0);
    assert_non_null(strstr(text, "onegrid_run_exit_code{command=\"run\"} 3\n"));
    free(text);
    /* one file that cannot be written does not stop the other */
    remove(summary);
    remove(metrics);
    assert_int_equal(og_report_write(&r, bad, metrics, &err), OG_EIO);
    assert_non_null(strstr(err.message, "run.json"));
    assert_int_equal(access(metrics, R_OK), 0);
    og_report_stats_free(&f.stats[0]);

    remove(metrics);
    remove(inner);
    rmdir(sub);
    remove(path);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sink_records_positions),
        cmocka_unit_test(test_summary),
        cmocka_unit_test(test_summary_failed_before_any_source),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_write_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
