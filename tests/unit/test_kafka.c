/* test_kafka.c - unit tests for connectors/kafka.c against librdkafka's mock cluster (in this
 * process): records and their positions, rejects, seeking to where the host says a partition
 * stands, the end of a run, options checked with librdkafka's own messages. */
#include "connectors/kafka.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct fixture {
    rd_kafka_t *mock_rk; /* the handle that owns the mock cluster */
    rd_kafka_mock_cluster_t *mcluster;
    char boot[256];
    /* what the host says: topic "t" partition p stands at stored[p] (-1: never committed) */
    long long stored[2];
    int lookups, flushes;
    struct og_input_counts counts;
    struct og_log log;
    const char *queue_kbytes; /* queued.max.messages.kbytes if set */
    int pad;                  /* produce: bytes of padding per message */
};

static int host_lookup(void *ctx, const char *kind, const char *key, const char *version,
                       struct og_stored *st, struct og_error *err)
{
    (void)err;
    struct fixture *fx = ctx;
    assert_string_equal(kind, "kafka");
    assert_string_equal(version, "");
    int p = key[strlen(key) - 1] - '0';
    assert_true(strncmp(key, "t:", 2) == 0 && p >= 0 && p < 2);
    fx->lookups++;
    *st =
        (struct og_stored){fx->stored[p] >= 0, false, fx->stored[p] >= 0 ? fx->stored[p] : 0, NULL};
    return 0;
}

static int host_flush(void *ctx, struct og_error *err)
{
    (void)err;
    ((struct fixture *)ctx)->flushes++;
    return 0;
}

/* Produces n messages "{\"n\": i}" (or a poison value at the given index) to partition p of "t". */
static void produce(struct fixture *fx, int p, int n, int poison)
{
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", fx->boot, errstr, sizeof(errstr)),
                     RD_KAFKA_CONF_OK);
    /* small record batches, as a trickle of messages makes them (the mock returns one per
     * partition per fetch) */
    assert_int_equal(rd_kafka_conf_set(conf, "batch.num.messages", "10", errstr, sizeof(errstr)),
                     RD_KAFKA_CONF_OK);
    rd_kafka_t *prod = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    assert_non_null(prod);
    for (int i = 0; i < n; i++) {
        char value[4096], key[16], pad[4001];
        memset(pad, 'x', sizeof(pad) - 1);
        pad[fx->pad < 4000 ? fx->pad : 4000] = '\0';
        snprintf(value, sizeof(value),
                 i == poison ? "{\"n\": %d, broken" : "{\"n\": %d, \"pad\": \"%s\"}", i, pad);
        snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(rd_kafka_producev(prod, RD_KAFKA_V_TOPIC("t"), RD_KAFKA_V_PARTITION(p),
                                           RD_KAFKA_V_KEY(key, strlen(key)),
                                           RD_KAFKA_V_VALUE(value, strlen(value)),
                                           RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                           RD_KAFKA_V_END),
                         RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    assert_int_equal(rd_kafka_flush(prod, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(prod);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr));
    fx->mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    assert_non_null(fx->mock_rk);
    fx->mcluster = rd_kafka_mock_cluster_new(fx->mock_rk, 1);
    assert_non_null(fx->mcluster);
    snprintf(fx->boot, sizeof(fx->boot), "%s", rd_kafka_mock_cluster_bootstraps(fx->mcluster));
    assert_int_equal(rd_kafka_mock_topic_create(fx->mcluster, "t", 2, 1),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    fx->stored[0] = fx->stored[1] = -1;
    og_log_init(&fx->log, OG_LOG_ERROR, false, stderr);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    rd_kafka_mock_cluster_destroy(fx->mcluster);
    rd_kafka_destroy(fx->mock_rk);
    og_log_fini(&fx->log);
    free(fx);
    return 0;
}

static json_t *options(const struct fixture *fx, const char *group)
{
    json_t *o = json_pack("{s:[s], s:{s:s, s:s, s:s, s:s}, s:i}", "topics", "t", "kafka",
                          "bootstrap.servers", fx->boot, "group.id", group, "session.timeout.ms",
                          "6000", "heartbeat.interval.ms", "500", "assign_timeout_ms", 30000);
    if (fx->queue_kbytes)
        json_object_set_new(json_object_get(o, "kafka"), "queued.max.messages.kbytes",
                            json_string(fx->queue_kbytes));
    return o;
}

/* Reads a run to its end: the records (n values), rejects, and the last next offset per partition.
 */
static void read_run(struct fixture *fx, const char *group, int *records, int *rejects,
                     long long next[2], int *values_sum)
{
    struct og_source_host host = {.ctx = fx,
                                  .lookup = host_lookup,
                                  .flush = host_flush,
                                  .log = &fx->log,
                                  .counts = &fx->counts};
    json_t *opts = options(fx, group);
    void *st = NULL;
    struct og_error err;
    og_error_clear(&err);
    if (og_kafka_source.open("src", opts, &host, false, &st, &err) < 0)
        fail_msg("open: %s", err.message);
    *records = *rejects = *values_sum = 0;
    next[0] = next[1] = -1;
    for (;;) {
        struct og_read r;
        memset(&r, 0, sizeof(r));
        r.pos.partition = -1;
        int rc = og_kafka_source.next(st, &r, &err);
        if (rc == OG_READ_END)
            break;
        if (rc == OG_READ_RECORD) {
            (*records)++;
            *values_sum += (int)json_integer_value(json_object_get(r.doc, "n"));
            const json_t *meta = json_object_get(r.doc, "_kafka");
            assert_string_equal(json_string_value(json_object_get(meta, "topic")), "t");
            assert_int_equal(json_integer_value(json_object_get(meta, "offset")), r.pos.offset);
            assert_int_equal(json_integer_value(json_object_get(meta, "partition")),
                             r.pos.partition);
            assert_true(json_integer_value(json_object_get(meta, "timestamp")) > 1500000000000LL);
            char key[16];
            snprintf(key, sizeof(key), "k%lld", json_integer_value(json_object_get(r.doc, "n")));
            assert_string_equal(json_string_value(json_object_get(meta, "key")), key);
        }
        else if (rc == OG_EREJECT) {
            (*rejects)++;
            assert_int_equal(r.why.reason, OG_R_BAD_JSON);
            assert_non_null(strstr(r.raw, "broken"));
            assert_non_null(strstr(r.why.position, "t["));
        }
        else
            fail_msg("next: %d %s", rc, err.message);
        assert_string_equal(r.kind, "kafka");
        assert_int_equal(r.next, r.pos.offset + 1);
        char key[16];
        snprintf(key, sizeof(key), "t:%d", r.pos.partition);
        assert_string_equal(r.key, key);
        next[r.pos.partition] = r.next;
        og_read_release(&r);
    }
    og_kafka_source.close(st);
    json_decref(opts);
}

/* A run reads every partition to its end: each message once, a poison one as a reject, and the
 * position after each record is its offset + 1. */
static void test_run_reads_to_the_end(void **state)
{
    struct fixture *fx = *state;
    produce(fx, 0, 30, 7);
    produce(fx, 1, 20, -1);
    int records, rejects, sum;
    long long next[2];
    read_run(fx, "g1", &records, &rejects, next, &sum);
    assert_int_equal(records, 49);
    assert_int_equal(rejects, 1);
    assert_int_equal(next[0], 30);
    assert_int_equal(next[1], 20);
    assert_int_equal(sum, (0 + 29) * 30 / 2 - 7 + (0 + 19) * 20 / 2);
    assert_int_equal(fx->lookups, 2); /* each partition asked where it stands */
    assert_int_equal(fx->counts.partitions, 2);
}

/* Where the warehouse says a partition stands is where reading starts: Kafka's own committed
 * offsets (none here) do not matter, and an empty partition at its end ends at once. */
static void test_seeks_to_the_stored_position(void **state)
{
    struct fixture *fx = *state;
    produce(fx, 0, 30, -1);
    produce(fx, 1, 20, -1);
    fx->stored[0] = 25;
    fx->stored[1] = 20;
    int records, rejects, sum;
    long long next[2];
    read_run(fx, "g2", &records, &rejects, next, &sum);
    assert_int_equal(records, 5);
    assert_int_equal(sum, 25 + 26 + 27 + 28 + 29);
    assert_int_equal(next[0], 30);
    assert_int_equal(next[1], -1); /* nothing read from partition 1 */
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A prefetch queue far smaller than the backlog does not starve the reader: librdkafka before 2.1
 * holds a fetcher whose queue was full back for a second, which would make these 4 MB of messages
 * take minutes through a 16 KB queue; the source wakes the fetcher instead. (A generous bound: the
 * reading takes well under a second here, even under sanitizers.) */
static void test_small_prefetch_does_not_stall(void **state)
{
    struct fixture *fx = *state;
    fx->pad = 1000;
    produce(fx, 0, 2000, -1);
    produce(fx, 1, 2000, -1);
    fx->queue_kbytes = "16";
    int records, rejects, sum;
    long long next[2];
    double t0 = seconds();
    read_run(fx, "g3", &records, &rejects, next, &sum);
    double took = seconds() - t0;
    assert_int_equal(records, 4000);
    assert_int_equal(next[0], 2000);
    assert_int_equal(next[1], 2000);
    if (took > 60)
        fail_msg("reading 4000 messages through a 16 KB queue took %.0f s", took);
}

/* Options: librdkafka's own message for a bad property; secrets refused in "kafka"; topics needed;
 * auto-commit cannot be turned on. */
static void test_check(void **state)
{
    struct fixture *fx = *state;
    struct og_error err;
    og_error_clear(&err);
    json_t *ok = options(fx, "g");
    assert_int_equal(og_kafka_source.check(ok, &err), 0);
    json_decref(ok);
    static const char *const bad[][2] = {
        {"{\"topics\": [\"t\"], \"kafka\": {\"fetch.wait.max.ms\": \"soon\"}}",
         "fetch.wait.max.ms"},
        {"{\"topics\": [\"t\"], \"kafka\": {\"no.such.property\": \"1\"}}",
         "No such configuration"},
        {"{\"topics\": [\"t\"], \"kafka\": {\"sasl.password\": \"hunter2\"}}", "holds a secret"},
        {"{\"kafka\": {}}", "\"topics\""},
        {"{\"topics\": [\"t\"], \"kafka\": {\"enable.auto.commit\": true}}", "must stay false"},
        {"{\"topics\": [\"t\"], \"start\": \"middle\"}", "\"start\""},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *o = json_loads(bad[i][0], 0, NULL);
        og_error_clear(&err);
        assert_int_equal(og_kafka_source.check(o, &err), OG_ECONFIG);
        if (!strstr(err.message, bad[i][1]))
            fail_msg("%s: message \"%s\" lacks \"%s\"", bad[i][0], err.message, bad[i][1]);
        assert_null(strstr(err.message, "hunter2"));
        assert_null(strstr(err.detail, "hunter2"));
        json_decref(o);
    }
    assert_true(og_kafka_secret_property("sasl.password"));
    assert_true(og_kafka_secret_property("ssl.key.password"));
    assert_false(og_kafka_secret_property("sasl.username"));
}

/* A message whose value is not JSON, with bytes that are not UTF-8: a reject bad_json at its topic,
 * partition and offset, its raw text kept as valid UTF-8 (invalid bytes as U+FFFD), so that the
 * reject can be stored; a JSON value that is not an object: a reject not_object. */
static void test_decode_rejects_bad_values(void **unused)
{
    (void)unused;
    json_t *doc = NULL;
    char *raw = NULL;
    struct og_error why;
    og_error_clear(&why);
    static const char value[] = "{\"a\": \xff\xfe";
    assert_int_equal(og_kafka_decode("ps.incidents", 3, 41, 0, value, sizeof(value) - 1, "k\xff", 2,
                                     &doc, &raw, &why),
                     OG_EREJECT);
    assert_null(doc);
    assert_int_equal(why.reason, OG_R_BAD_JSON);
    assert_string_equal(why.position, "ps.incidents[3]@41");
    assert_string_equal(raw, "{\"a\": \xef\xbf\xbd\xef\xbf\xbd");
    free(raw);
    raw = NULL;
    og_error_clear(&why);
    assert_int_equal(og_kafka_decode("ps.incidents", 0, 7, 0, "[1]", 3, NULL, 0, &doc, &raw, &why),
                     OG_EREJECT);
    assert_int_equal(why.reason, OG_R_NOT_OBJECT);
    assert_string_equal(raw, "[1]");
    free(raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_rejects_bad_values),
        cmocka_unit_test_setup_teardown(test_run_reads_to_the_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seeks_to_the_stored_position, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_prefetch_does_not_stall, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
