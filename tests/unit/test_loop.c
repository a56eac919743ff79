/* test_loop.c - unit tests for pipeline/loop.c: the run loop over a source's files into a sink,
 * in batches with positions, skipping loaded files, resuming cut ones, retrying, stopping. The
 * sink here is memory (the warehouse one is covered by the integration tests). */
#include "core/world.h"
#include "pipeline/files.h"
#include "pipeline/loop.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAPPING "tests/fixtures/pipeline/events.json"
#define TAXONOMY "mappings/taxonomy/categories.csv"

/* One commit the sink received. */
struct commit {
    size_t nrecs, nrejs;
    char key[512];
    long long position;
    bool done;
    char first_id[64];
};

/* A sink in memory: a ledger of one entry, the commits, and failures to inject. */
struct mem_sink {
    struct commit commits[64];
    int ncommits;
    int calls;                /* commit calls, failed ones included */
    int fail_at;              /* the call (1-based) that fails, 0 = none */
    enum og_class fail_class; /* how it fails */
    int fail_times;           /* consecutive calls failing from fail_at */
    int recovers;
    /* the ledger: what position() answers for any key */
    bool found, done;
    long long position;
    int positions_asked;
    /* stop after this many records prepared (0 = never) */
    int stop_after;
    int prepared;
    volatile sig_atomic_t *stop;
    /* cut cut_path to cut_to bytes after this many records prepared (0 = never) */
    int cut_after;
    char cut_path[160];
    off_t cut_to;
};

static int mem_position(void *ctx, const char *source, const char *kind, const char *key,
                        const char *version, struct og_stored *st, struct og_error *err)
{
    (void)key, (void)err;
    struct mem_sink *m = ctx;
    assert_string_equal(source, "loop_src");
    assert_string_equal(kind, "file");
    assert_int_equal(strlen(version), 64); /* the content hash */
    m->positions_asked++;
    *st = (struct og_stored){m->found, m->done, m->position, NULL};
    return 0;
}

static void *mem_lane_new(void *ctx)
{
    (void)ctx;
    return malloc(1);
}

static void mem_lane_free(void *ctx, void *lane)
{
    (void)ctx;
    free(lane);
}

static int mem_prepare(void *ctx, void *lane, const struct og_batch *b, size_t i)
{
    struct mem_sink *m = ctx;
    assert_non_null(lane);
    assert_true(i < b->nrecs);
    if (++m->prepared == m->stop_after)
        *m->stop = 1;
    if (m->prepared == m->cut_after)
        assert_int_equal(truncate(m->cut_path, m->cut_to), 0);
    return 0;
}

static int mem_commit(void *ctx, const struct og_batch *b, void *lane, struct og_load_stats *stats,
                      struct og_error *err)
{
    struct mem_sink *m = ctx;
    assert_non_null(lane);
    m->calls++;
    if (m->fail_at && m->calls >= m->fail_at && m->calls < m->fail_at + m->fail_times) {
        og_error_set(err, OG_EDB, m->fail_class, OG_R_DB, "could not commit: injected");
        return OG_EDB;
    }
    assert_true(m->ncommits < 64);
    struct commit *c = &m->commits[m->ncommits++];
    c->nrecs = b->nrecs;
    c->nrejs = b->nrejs;
    assert_int_equal(b->nmarks, 1); /* a batch never spans two files */
    const struct og_mark *mk = &b->marks[0];
    assert_string_equal(mk->kind, "file");
    assert_int_equal(mk->records, (long long)b->nrecs);
    assert_int_equal(mk->rejects, (long long)b->nrejs);
    snprintf(c->key, sizeof(c->key), "%s", mk->key);
    c->position = mk->position;
    c->done = mk->done;
    snprintf(c->first_id, sizeof(c->first_id), "%s", b->nrecs ? b->recs[0].u.event.source_id : "");
    stats->inserted += (long long)b->nrecs;
    stats->rejects += (long long)b->nrejs;
    return 0;
}

static int mem_recover(void *ctx, struct og_error *err)
{
    (void)err;
    ((struct mem_sink *)ctx)->recovers++;
    return 0;
}

/* Everything a test needs: a temp folder of inputs, the mapping, a reconciler, the sink. */
struct fixture {
    char dir[64];
    struct og_mapping *m;
    struct og_reconciler *rec;
    struct og_feed feed;
    struct mem_sink mem;
    struct og_sink sink;
    struct og_log log;
    volatile sig_atomic_t stop;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/og_test_loop_XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    struct og_error err;
    og_error_clear(&err);
    if (og_mapping_load(MAPPING, &fx->m, &err) < 0)
        fail_msg("%s", err.message);
    struct og_world w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(og_reconciler_create(&w, TAXONOMY, NULL, &fx->rec, &err), 0);
    assert_int_equal(og_feed_resolve(fx->m, NULL, NULL, &fx->feed, &err), 0);
    fx->sink = (struct og_sink){.ctx = &fx->mem,
                                .position = mem_position,
                                .lane_new = mem_lane_new,
                                .lane_free = mem_lane_free,
                                .prepare = mem_prepare,
                                .commit = mem_commit,
                                .recover = mem_recover};
    fx->mem.stop = &fx->stop;
    FILE *devnull = fopen("/dev/null", "w");
    og_log_init(&fx->log, OG_LOG_ERROR, false, devnull);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
    assert_int_equal(system(cmd), 0);
    fclose(fx->log.out);
    og_log_fini(&fx->log);
    og_feed_release(&fx->feed);
    og_reconciler_destroy(fx->rec);
    og_mapping_destroy(fx->m);
    free(fx);
    return 0;
}

/* Writes name in the fixture's folder: n records, record i bad as bad(i) says. */
static void write_input(struct fixture *fx, const char *name, int n, const char *(*bad)(int i))
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    for (int i = 0; i < n; i++) {
        const char *kind = bad ? bad(i) : NULL;
        if (kind && strcmp(kind, "json") == 0)
            fprintf(fp, "{\"id\": \"E%d\", broken\n", i);
        else if (kind && strcmp(kind, "time") == 0)
            fprintf(fp, "{\"id\": \"E%d\", \"t\": \"yesterday\"}\n", i);
        else if (kind && strcmp(kind, "status") == 0)
            fprintf(fp,
                    "{\"id\": \"E%d\", \"t\": \"2020-02-03T10:00:00+08:00\", \"status\": \"x\"}\n",
                    i);
        else
            fprintf(fp,
                    "{\"id\": \"E%d\", \"t\": \"2020-02-03T10:00:00+08:00\", \"text\": \"t%d\"}\n",
                    i, i);
    }
    fclose(fp);
}

/* Records 2, 5 and 7 of ten are bad: not JSON (read), a bad time (map), a bad status (reconcile).
 */
static const char *three_bad(int i)
{
    return i == 2 ? "json" : i == 5 ? "time" : i == 7 ? "status" : NULL;
}

/* Runs the loop over the fixture's *.ndjson with the given sink (NULL: dry run). */
static int run(struct fixture *fx, const struct og_sink *sink, int batch_size,
               struct og_source_stats *st, struct og_error *err, struct og_pipeline *out)
{
    char glob[128];
    snprintf(glob, sizeof(glob), "%s/*.ndjson", fx->dir);
    const char *inputs[] = {glob};
    json_t *opts = og_files_options(inputs, 1, "ndjson", fx->feed.options, false);
    struct og_step step = {fx->m, fx->rec, "loop_src", NULL};
    struct og_pipeline p = {.sink = sink,
                            .log = &fx->log,
                            .batch_size = batch_size,
                            .stop = &fx->stop,
                            .commit_attempts = 3};
    memset(st, 0, sizeof(*st));
    og_error_clear(err);
    int rc = og_pipeline_source(&p, "loop_src", &og_files_source, opts, &step, st, err);
    json_decref(opts);
    if (out)
        *out = p;
    return rc;
}

static long long reason_count(const struct og_source_stats *st, enum og_reason r)
{
    for (int i = 0; i < st->nreasons; i++)
        if (st->reasons[i].reason == r)
            return st->reasons[i].n;
    return 0;
}

/* Ten records in batches of four: three commits at positions 4, 8 and 10, the last one done; every
 * record is loaded or rejected, and the rejects carry their stage's reason. */
static void test_batches_and_positions(void **state)
{
    struct fixture *fx = *state;
    write_input(fx, "a.ndjson", 10, three_bad);
    struct og_source_stats st;
    struct og_error err;
    struct og_pipeline p;
    int rc = run(fx, &fx->sink, 4, &st, &err, &p);
    if (rc != 0)
        fail_msg("%s", err.message);
    assert_int_equal(st.inputs.files, 1);
    assert_int_equal(st.read, 10);
    assert_int_equal(st.records, 7);
    assert_int_equal(st.rejected, 3);
    assert_int_equal(reason_count(&st, OG_R_BAD_JSON), 1);
    assert_int_equal(reason_count(&st, OG_R_INVALID_TIME), 1);
    assert_int_equal(reason_count(&st, OG_R_INVALID_STATUS), 1);
    assert_int_equal(st.reasons[0].reason, OG_R_BAD_JSON); /* in the order first seen */
    assert_int_equal(fx->mem.ncommits, 3);
    long long want_pos[] = {4, 8, 10};
    size_t total = 0;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(fx->mem.commits[i].position, want_pos[i]);
        assert_int_equal(fx->mem.commits[i].done, i == 2);
        assert_non_null(strstr(fx->mem.commits[i].key, "/a.ndjson"));
        total += fx->mem.commits[i].nrecs + fx->mem.commits[i].nrejs;
    }
    assert_int_equal(total, 10);
    assert_string_equal(fx->mem.commits[0].first_id, "E0");
    assert_int_equal(p.load.inserted, 7);
    assert_int_equal(p.load.rejects, 3);
    assert_int_equal(fx->mem.positions_asked, 1);
}

/* A file the ledger has as done is skipped: nothing read, nothing committed. */
static void test_loaded_file_skipped(void **state)
{
    struct fixture *fx = *state;
    write_input(fx, "a.ndjson", 10, NULL);
    fx->mem.found = fx->mem.done = true;
    fx->mem.position = 10;
    struct og_source_stats st;
    struct og_error err;
    assert_int_equal(run(fx, &fx->sink, 4, &st, &err, NULL), 0);
    assert_int_equal(st.inputs.files_skipped, 1);
    assert_int_equal(st.inputs.files, 0);
    assert_int_equal(st.read, 0);
    assert_int_equal(fx->mem.ncommits, 0);
}

/* A file cut short at record 6 resumes after it: the first batch starts with E6. */
static void test_resume(void **state)
{
    struct fixture *fx = *state;
    write_input(fx, "a.ndjson", 10, NULL);
    fx->mem.found = true;
    fx->mem.position = 6;
    struct og_source_stats st;
    struct og_error err;
    assert_int_equal(run(fx, &fx->sink, 100, &st, &err, NULL), 0);
    assert_int_equal(st.inputs.files_resumed, 1);
    assert_int_equal(st.read, 4);
    assert_int_equal(fx->mem.ncommits, 1);
    assert_string_equal(fx->mem.commits[0].first_id, "E6");
    assert_int_equal(fx->mem.commits[0].position, 10);
    assert_true(fx->mem.commits[0].done);
}

/* A commit that fails with a retriable error is sent again after recover(); nothing is lost. */
static void test_retry(void **state)
{
    struct fixture *fx = *state;
    write_input(fx, "a.ndjson", 10, NULL);
    fx->mem.fail_at = 1;
    fx->mem.fail_times = 2;
    fx->mem.fail_class = OG_CLASS_RETRY;
    struct og_source_stats st;
    struct og_error err;
    assert_int_equal(run(fx, &fx->sink, 4, &st, &err, NULL), 0);
    assert_int_equal(fx->mem.recovers, 2);
    assert_int_equal(fx->mem.calls, 5);
    assert_int_equal(fx->mem.ncommits, 3);
    assert_string_equal(fx->mem.commits[0].first_id, "E0");
}

/* A file cut while it is read (an upload still under way) is never committed as done under the
 * hash taken when it was opened: the run stops with a retriable error naming the file, so that
 * the next run reads the completed file (found by the fault suite: the records after the cut were
 * lost with exit 0). */
static void test_file_cut_while_read(void **state)
{
    struct fixture *fx = *state;
    write_input(fx, "a.ndjson", 10, NULL);
    snprintf(fx->mem.cut_path, sizeof(fx->mem.cut_path), "%s/a.ndjson", fx->dir);
    fx->mem.cut_after = 2;
    fx->mem.cut_to = 100;
    struct og_source_stats st;
    struct og_error err;
    assert_int_equal(run(fx, &fx->sink, 4, &st, &err, NULL), OG_EIO);
    assert_int_equal(err.klass, OG_CLASS_RETRY);
    assert_non_null(strstr(err.message, "a.ndjson\" changed while it was read"));
    for (int i = 0; i < fx->mem.ncommits; i++)
        assert_false(fx->mem.commits[i].done);
}

/* Retries have a limit; a fatal failure is not retried. Either stops the source with the error. */
static void test_commit_failure_stops(void **state)
{
    struct fixture *fx = *state;
    write_input(fx, "a.ndjson", 10, NULL);
    fx->mem.fail_at = 1;
    fx->mem.fail_times = 100;
    fx->mem.fail_class = OG_CLASS_RETRY;
    struct og_source_stats st;
    struct og_error err;
    assert_int_equal(run(fx, &fx->sink, 4, &st, &err, NULL), OG_EDB);
    assert_int_equal(fx->mem.calls, 3); /* commit_attempts */
    assert_non_null(strstr(err.message, "injected"));
    assert_int_equal(fx->mem.ncommits, 0);

    memset(&fx->mem, 0, sizeof(fx->mem));
    fx->mem.stop = &fx->stop;
    fx->mem.fail_at = 2;
    fx->mem.fail_times = 1;
    fx->mem.fail_class = OG_CLASS_FATAL;
    assert_int_equal(run(fx, &fx->sink, 4, &st, &err, NULL), OG_EDB);
    assert_int_equal(fx->mem.recovers, 0);
    assert_int_equal(fx->mem.ncommits, 1); /* the first batch stays committed */
    assert_int_equal(fx->mem.commits[0].position, 4);
}

/* A stop request (SIGTERM) ends the source with OG_EINTR after committing what was read, with its
 * position and not done, so the next run resumes there. */
static void test_interrupted(void **state)
{
    struct fixture *fx = *state;
    write_input(fx, "a.ndjson", 10, NULL);
    fx->mem.stop_after = 3;
    struct og_source_stats st;
    struct og_error err;
    assert_int_equal(run(fx, &fx->sink, 100, &st, &err, NULL), OG_EINTR);
    assert_int_equal(err.reason, OG_R_INTERRUPTED);
    assert_int_equal(fx->mem.ncommits, 1);
    assert_int_equal(fx->mem.commits[0].nrecs, 3);
    assert_int_equal(fx->mem.commits[0].position, 3);
    assert_false(fx->mem.commits[0].done);
}

/* A dry run reads, maps and counts everything and asks the sink nothing. */
static void test_dry_run(void **state)
{
    struct fixture *fx = *state;
    write_input(fx, "a.ndjson", 10, three_bad);
    write_input(fx, "b.ndjson", 5, NULL);
    struct og_source_stats st;
    struct og_error err;
    assert_int_equal(run(fx, NULL, 4, &st, &err, NULL), 0);
    assert_int_equal(st.inputs.files, 2);
    assert_int_equal(st.read, 15);
    assert_int_equal(st.records, 12);
    assert_int_equal(st.rejected, 3);
    assert_int_equal(fx->mem.positions_asked, 0);
    assert_int_equal(fx->mem.calls, 0);
}

/* Files are read in name order; an input that matches nothing is counted, not an error. */
static void test_files_in_order(void **state)
{
    struct fixture *fx = *state;
    write_input(fx, "b.ndjson", 2, NULL);
    write_input(fx, "a.ndjson", 3, NULL);
    struct og_source_stats st;
    struct og_error err;
    assert_int_equal(run(fx, &fx->sink, 100, &st, &err, NULL), 0);
    assert_int_equal(fx->mem.ncommits, 2);
    assert_non_null(strstr(fx->mem.commits[0].key, "/a.ndjson"));
    assert_non_null(strstr(fx->mem.commits[1].key, "/b.ndjson"));
    assert_int_equal(fx->mem.commits[0].nrecs, 3);

    char glob[128];
    snprintf(glob, sizeof(glob), "%s/none-*.csv", fx->dir);
    const char *inputs[] = {glob};
    json_t *opts = og_files_options(inputs, 1, "ndjson", NULL, false);
    struct og_step step = {fx->m, fx->rec, "loop_src", NULL};
    struct og_pipeline p = {.sink = &fx->sink,
                            .log = &fx->log,
                            .batch_size = 10,
                            .stop = &fx->stop,
                            .commit_attempts = 3};
    memset(&st, 0, sizeof(st));
    assert_int_equal(og_pipeline_source(&p, "loop_src", &og_files_source, opts, &step, &st, &err),
                     0);
    json_decref(opts);
    assert_int_equal(st.inputs.unmatched_inputs, 1);
    assert_int_equal(st.inputs.files, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_batches_and_positions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loaded_file_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_cut_while_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_failure_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_in_order, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
