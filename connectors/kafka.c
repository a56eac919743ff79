/* kafka.c - a Kafka consumer-group member whose positions are the warehouse's (librdkafka). */
#include "connectors/kafka.h"

#include "core/jsonparse.h"
#include "core/utf8.h"

#include <librdkafka/rdkafka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_MS 100
#define IDLE_AFTER_MS 500 /* follow: this long without a message is "idle" */
#define WAKE_MS 20        /* librdkafka < 2.1: how often a starving fetcher may be woken */

static const struct og_option_doc kafka_options[] = {
    {"topics", "array", NULL, "the topics to consume (required)"},
    {"kafka", "object", NULL,
     "librdkafka properties, e.g. {\"bootstrap.servers\": \"k1:9092\", \"group.id\": \"onegrid\"}"},
    {"secrets", "object", NULL,
     "secret properties from the environment or a 0600 file: {\"sasl.password\": "
     "\"env:VAR\" | \"file:/path\"}"},
    {"secret_values", "object", NULL, "(set by the command line from \"secrets\"; not in files)"},
    {"start", "string", "earliest", "where a partition never committed starts: earliest, latest"},
    {"assign_timeout_ms", "integer", "60000", "run: how long to wait for partitions"},
    {NULL, NULL, NULL, NULL},
};

/* One assigned partition. */
struct part {
    char *topic;
    int partition;
    char key[300]; /* "topic:partition", the ledger key */
    int64_t next;  /* the next offset to hand on (messages below it are skipped) */
    int64_t end;   /* run: the end offset as of the assignment */
    bool at_end;   /* run: nothing more to read */
    bool paused;
};

struct kafka {
    rd_kafka_t *rk;
    const struct og_source_host *host;
    char *name;
    bool follow;
    bool start_latest;
    long long assign_timeout_ms;
    struct part *parts;
    size_t nparts;
    bool assigned; /* an assignment (maybe empty) was received */
    bool failed;   /* a rebalance step failed: reading stops */
    struct og_error fail;
    rd_kafka_message_t *held; /* a message polled while waiting, handed on next */
    long long read;
    char label[256];
    double idle_since;
    double gauges_at;     /* when the lag gauges were last set */
    double waiting_since; /* when the loop began to wait (0: it is not waiting) */
    double opened_at;
    rd_kafka_queue_t *queue; /* the consumer queue (its length tells a starving prefetch) */
    long long queue_bytes;   /* queued.max.messages.kbytes in bytes */
    long long bytes_read;    /* payload bytes read, for the mean message size */
    double woken_at;
    size_t wake_next; /* the partition whose leader is woken next */
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

bool og_kafka_secret_property(const char *name)
{
    return strstr(name, "password") || strstr(name, "secret") || strstr(name, "ssl.key.pem") ||
           strstr(name, "sasl.oauthbearer.config") || strstr(name, "ssl_key");
}

/* A JSON value as a librdkafka property value (strings as they are; numbers, booleans as text). */
static const char *prop_text(const json_t *v, char *buf, size_t size)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, size, "%g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(buf, size, "%s", json_is_true(v) ? "true" : "false");
    else
        return NULL;
    return buf;
}

static int set_prop(rd_kafka_conf_t *conf, const char *key, const char *value, bool secret,
                    struct og_error *err)
{
    char errstr[512];
    if (rd_kafka_conf_set(conf, key, value, errstr, sizeof(errstr)) == RD_KAFKA_CONF_OK)
        return 0;
    og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG, "kafka property \"%s\": %s", key,
                 errstr);
    if (!secret)
        og_error_detail(err, "value \"%.100s\"", value);
    return OG_ECONFIG;
}

/* Sets every property of options (after onegrid's defaults, which they may override except
 * enable.auto.commit) on conf. */
static int configure(rd_kafka_conf_t *conf, const char *name, const json_t *options,
                     struct og_error *err)
{
    char group[300];
    snprintf(group, sizeof(group), "onegrid.%s", name ? name : "check");
    /* The prefetch is bounded by the queue (decompressed bytes) plus the fetch response that
     * overfills it (compressed bytes, at least one record batch per partition): small, since the
     * loader, not the network, sets the pace, and a fetch is not held back by it (see
     * wake_fetcher). message.max.bytes only bounds what a consumer sends. */
    static const char *const defaults[][2] = {
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"auto.offset.reset", "earliest"},
        {"enable.partition.eof", "true"},
        {"partition.assignment.strategy", "range"},
        {"queued.max.messages.kbytes", "1024"},
        {"max.partition.fetch.bytes", "32768"},
        {"message.max.bytes", "131072"},
        {"fetch.max.bytes", "131072"},
    };
    /* librdkafka 2.1 and later: how long a full prefetch queue holds the fetcher back (before,
     * a second: see wake_fetcher) */
    if (rd_kafka_version() >= 0x020100ff &&
        set_prop(conf, "fetch.queue.backoff.ms", "20", false, err) < 0)
        return OG_ECONFIG;
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
        if (set_prop(conf, defaults[i][0], defaults[i][1], false, err) < 0)
            return OG_ECONFIG;
    if (set_prop(conf, "group.id", group, false, err) < 0)
        return OG_ECONFIG;
    const json_t *props = json_object_get(options, "kafka");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)props, key, v)
    {
        char buf[64];
        const char *text = prop_text(v, buf, sizeof(buf));
        if (og_kafka_secret_property(key)) {
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                         "kafka property \"%s\" holds a secret and cannot be in the configuration",
                         key);
            og_error_hint(err,
                          "give it under \"secrets\": {\"%s\": \"env:VARIABLE\"} or "
                          "\"file:/path/to/a/0600/file\"",
                          key);
            return OG_ECONFIG;
        }
        if (!text) {
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                         "kafka property \"%s\" must be a string, number or boolean", key);
            return OG_ECONFIG;
        }
        if (strcmp(key, "enable.auto.commit") == 0 && strcmp(text, "false") != 0) {
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                         "kafka property \"enable.auto.commit\" must stay false");
            og_error_detail(err, "the positions of onegrid live in the warehouse, committed with "
                                 "the rows; Kafka's committed offsets are never used");
            return OG_ECONFIG;
        }
        if (strcmp(key, "partition.assignment.strategy") == 0 && strstr(text, "cooperative")) {
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                         "kafka property \"partition.assignment.strategy\": cooperative "
                         "rebalancing is not supported");
            og_error_hint(err, "use range or roundrobin (eager rebalancing)");
            return OG_ECONFIG;
        }
        if (set_prop(conf, key, text, false, err) < 0)
            return OG_ECONFIG;
    }
    const json_t *secrets = json_object_get(options, "secret_values");
    json_object_foreach((json_t *)secrets, key, v)
    {
        if (!json_is_string(v) || set_prop(conf, key, json_string_value(v), true, err) < 0) {
            if (!json_is_string(v))
                og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                             "kafka secret \"%s\" must be a string", key);
            return OG_ECONFIG;
        }
    }
    const json_t *topics = json_object_get(options, "topics");
    if (!json_is_array(topics) || json_array_size(topics) == 0) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     "option \"topics\" (a list of topic names) is required for connector kafka");
        return OG_ECONFIG;
    }
    size_t i;
    json_array_foreach(topics, i, v) if (!json_is_string(v) || !json_string_length(v))
    {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     "option \"topics\" holds topic names (non-empty strings)");
        return OG_ECONFIG;
    }
    const char *start = json_string_value(json_object_get(options, "start"));
    if (start && strcmp(start, "earliest") != 0 && strcmp(start, "latest") != 0) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     "option \"start\" for connector kafka must be \"earliest\" or \"latest\"");
        return OG_ECONFIG;
    }
    return 0;
}

static int kafka_check(const json_t *options, struct og_error *err)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!conf)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    int rc = configure(conf, NULL, options, err);
    rd_kafka_conf_destroy(conf);
    return rc;
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    struct kafka *k = rd_kafka_opaque(rk);
    if (!k || !k->host || !k->host->log)
        return;
    if (level <= 3)
        og_warn(k->host->log, "kafka", "%s: %s", fac, buf);
    else
        og_debug(k->host->log, "kafka", "%s: %s", fac, buf);
}

static void free_parts(struct kafka *k)
{
    for (size_t i = 0; i < k->nparts; i++)
        free(k->parts[i].topic);
    free(k->parts);
    k->parts = NULL;
    k->nparts = 0;
}

static struct part *find_part(struct kafka *k, const char *topic, int partition)
{
    for (size_t i = 0; i < k->nparts; i++)
        if (k->parts[i].partition == partition && strcmp(k->parts[i].topic, topic) == 0)
            return &k->parts[i];
    return NULL;
}

static void fail(struct kafka *k, const struct og_error *err)
{
    if (!k->failed) {
        k->failed = true;
        k->fail = *err;
    }
}

/* Assignment: every partition starts where the warehouse says it stands. */
static void assign(struct kafka *k, rd_kafka_topic_partition_list_t *list)
{
    struct og_error err;
    og_error_clear(&err);
    free_parts(k);
    k->parts = calloc((size_t)list->cnt + 1, sizeof(*k->parts));
    if (!k->parts) {
        og_error_set(&err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        fail(k, &err);
        return;
    }
    for (int i = 0; i < list->cnt; i++) {
        rd_kafka_topic_partition_t *tp = &list->elems[i];
        struct part *p = &k->parts[k->nparts];
        if (!(p->topic = strdup(tp->topic))) {
            og_error_set(&err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
            fail(k, &err);
            return;
        }
        k->nparts++;
        p->partition = tp->partition;
        snprintf(p->key, sizeof(p->key), "%s:%d", tp->topic, tp->partition);
        struct og_stored st = {false, false, 0, NULL};
        if (k->host->lookup && k->host->lookup(k->host->ctx, "kafka", p->key, "", &st, &err) < 0) {
            fail(k, &err);
            return;
        }
        free(st.state);
        tp->offset = st.found          ? st.position
                     : k->start_latest ? RD_KAFKA_OFFSET_END
                                       : RD_KAFKA_OFFSET_BEGINNING;
        int64_t low = 0, high = 0;
        rd_kafka_resp_err_t qe =
            rd_kafka_query_watermark_offsets(k->rk, tp->topic, tp->partition, &low, &high, 10000);
        if (qe != RD_KAFKA_RESP_ERR_NO_ERROR) {
            og_error_set(&err, OG_EKAFKA, OG_CLASS_RETRY, OG_R_IO,
                         "could not read the offsets of %s: %s", p->key, rd_kafka_err2str(qe));
            fail(k, &err);
            return;
        }
        if (tp->offset == RD_KAFKA_OFFSET_BEGINNING)
            p->next = low;
        else if (tp->offset == RD_KAFKA_OFFSET_END)
            p->next = high;
        else
            p->next = tp->offset;
        if (st.found && st.position < low)
            og_warn(k->host->log, "kafka",
                    "source=%s %s: the warehouse stands at offset %lld but the topic keeps only "
                    "%lld and later (retention): %lld messages were never read",
                    k->name, p->key, (long long)st.position, (long long)low,
                    (long long)(low - st.position));
        p->end = high;
        p->at_end = p->next >= high;
        og_info(k->host->log, "kafka", "source=%s %s: assigned, starts at offset %lld (end %lld)",
                k->name, p->key, (long long)p->next, (long long)high);
    }
    if (!k->assigned)
        og_info(k->host->log, "kafka", "source=%s: joined the group in %.1f s, %d partitions",
                k->name, (now_ms() - k->opened_at) / 1000, list->cnt);
    if (k->host->counts)
        k->host->counts->partitions += list->cnt;
    rd_kafka_resp_err_t e = rd_kafka_assign(k->rk, list);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        og_error_set(&err, OG_EKAFKA, OG_CLASS_FATAL, OG_R_IO, "could not assign partitions: %s",
                     rd_kafka_err2str(e));
        fail(k, &err);
    }
    k->assigned = true;
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t e,
                         rd_kafka_topic_partition_list_t *list, void *opaque)
{
    struct kafka *k = opaque;
    struct og_error err;
    og_error_clear(&err);
    if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        assign(k, list);
        return;
    }
    /* revoked (or an error): commit what was read from these partitions before letting go */
    if (k->host->flush && k->host->flush(k->host->ctx, &err) < 0) {
        og_warn(k->host->log, "kafka",
                "source=%s: could not commit before the partitions were revoked (%s); their "
                "records will be read again by the next owner",
                k->name, err.message);
    }
    if (k->held) {
        rd_kafka_message_destroy(k->held);
        k->held = NULL;
    }
    free_parts(k);
    rd_kafka_assign(rk, NULL);
}

static void kafka_close(void *state)
{
    struct kafka *k = state;
    if (!k)
        return;
    if (k->held)
        rd_kafka_message_destroy(k->held);
    if (k->queue)
        rd_kafka_queue_destroy(k->queue);
    if (k->rk) {
        rd_kafka_consumer_close(k->rk);
        rd_kafka_destroy(k->rk);
    }
    free_parts(k);
    free(k->name);
    free(k);
}

static int kafka_open(const char *name, const json_t *options, const struct og_source_host *host,
                      bool follow, void **state, struct og_error *err)
{
    *state = NULL;
    struct kafka *k = calloc(1, sizeof(*k));
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_topic_partition_list_t *topics = NULL;
    int rc = 0;
    if (!k || !conf || !(k->name = strdup(name))) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        goto fail;
    }
    k->host = host;
    k->follow = follow;
    const char *start = json_string_value(json_object_get(options, "start"));
    k->start_latest = start && strcmp(start, "latest") == 0;
    json_t *at = json_object_get(options, "assign_timeout_ms");
    k->assign_timeout_ms = json_is_integer(at) ? json_integer_value(at) : 60000;
    if ((rc = configure(conf, name, options, err)) < 0)
        goto fail;
    char kb[32];
    size_t kbsize = sizeof(kb);
    if (rd_kafka_conf_get(conf, "queued.max.messages.kbytes", kb, &kbsize) == RD_KAFKA_CONF_OK)
        k->queue_bytes = atoll(kb) * 1024;
    rd_kafka_conf_set_opaque(conf, k);
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_log_cb(conf, on_log);
    char errstr[512];
    k->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (!k->rk) {
        rc = og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                          "could not create the Kafka consumer: %s", errstr);
        goto fail;
    }
    conf = NULL; /* the consumer owns it now */
    rd_kafka_poll_set_consumer(k->rk);
    if (rd_kafka_version() < 0x020100ff)
        k->queue = rd_kafka_queue_get_consumer(k->rk);
    const json_t *tl = json_object_get(options, "topics");
    topics = rd_kafka_topic_partition_list_new((int)json_array_size(tl));
    size_t i;
    json_t *t;
    json_array_foreach(tl, i, t)
        rd_kafka_topic_partition_list_add(topics, json_string_value(t), RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(k->rk, topics);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rc = og_error_set(err, OG_EKAFKA, OG_CLASS_FATAL, OG_R_IO, "could not subscribe: %s",
                          rd_kafka_err2str(e));
        goto fail;
    }
    rd_kafka_topic_partition_list_destroy(topics);
    snprintf(k->label, sizeof(k->label), "%s", json_string_value(json_array_get(tl, 0)));
    k->idle_since = k->opened_at = now_ms();
    *state = k;
    return 0;
fail:
    if (topics)
        rd_kafka_topic_partition_list_destroy(topics);
    if (conf)
        rd_kafka_conf_destroy(conf);
    kafka_close(k);
    return rc;
}

static bool all_at_end(const struct kafka *k)
{
    for (size_t i = 0; i < k->nparts; i++)
        if (!k->parts[i].at_end)
            return false;
    return true;
}

/* The message as a record (or a reject); r's strings point into k and the message, which is kept
 * as k->held until the next call. */
static int to_record(struct kafka *k, struct part *p, const rd_kafka_message_t *m,
                     struct og_read *r)
{
    r->kind = "kafka";
    r->key = p->key;
    r->version = "";
    r->next = m->offset + 1;
    r->pos.input = p->topic;
    r->pos.partition = p->partition;
    r->pos.offset = m->offset;
    r->pos.index = m->offset;
    p->next = m->offset + 1;
    if (!k->follow && p->next >= p->end)
        p->at_end = true;
    k->read++;
    k->bytes_read += (long long)m->len;
    return og_kafka_decode(p->topic, p->partition, m->offset, rd_kafka_message_timestamp(m, NULL),
                           m->payload, m->len, m->key, m->key_len, &r->doc, &r->raw, &r->why);
}

int og_kafka_decode(const char *topic, int partition, int64_t offset, int64_t timestamp,
                    const void *payload, size_t len, const void *key, size_t key_len,
                    json_t **doc_out, char **raw, struct og_error *why)
{
    *doc_out = NULL;
    *raw = NULL;
    json_error_t jerr;
    json_t *doc = payload ? og_json_loadb(payload, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (!doc || !json_is_object(doc)) {
        /* the loader stores raw as text: invalid bytes and NULs become U+FFFD */
        if (payload && !(*raw = og_utf8_copy(payload, len, 65536))) {
            json_decref(doc);
            return og_error_set(why, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        }
        og_error_set(why, OG_EREJECT, OG_CLASS_REJECT, doc ? OG_R_NOT_OBJECT : OG_R_BAD_JSON,
                     doc       ? "the message is JSON but not an object"
                     : payload ? "the message is not JSON: %s"
                               : "the message has no value%s",
                     doc       ? ""
                     : payload ? jerr.text
                               : "");
        og_error_position(why, "%s[%d]@%lld", topic, partition, (long long)offset);
        json_decref(doc);
        return OG_EREJECT;
    }
    char *k = og_utf8_copy(key ? key : "", key ? key_len : 0, 4096);
    json_t *meta =
        k ? json_pack("{s:s, s:i, s:I, s:s, s:I}", "topic", topic, "partition", partition, "offset",
                      (json_int_t)offset, "key", k, "timestamp", (json_int_t)timestamp)
          : NULL;
    free(k);
    if (!meta || json_object_set_new(doc, "_kafka", meta) < 0) {
        json_decref(doc);
        og_error_set(why, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        return OG_ENOMEM;
    }
    *doc_out = doc;
    return OG_READ_RECORD;
}

static void resume_all(struct kafka *k)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)k->nparts + 1);
    for (size_t i = 0; i < k->nparts; i++)
        if (k->parts[i].paused) {
            rd_kafka_topic_partition_list_add(l, k->parts[i].topic, k->parts[i].partition);
            k->parts[i].paused = false;
        }
    if (l->cnt)
        rd_kafka_resume_partitions(k->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
}

/* Lag gauges, at most once a second: per partition, messages in the topic not read yet. */
static void set_gauges(struct kafka *k)
{
    if (!k->host->gauge || now_ms() - k->gauges_at < 1000)
        return;
    k->gauges_at = now_ms();
    for (size_t i = 0; i < k->nparts; i++) {
        const struct part *p = &k->parts[i];
        int64_t low = 0, high = 0;
        if (rd_kafka_get_watermark_offsets(k->rk, p->topic, p->partition, &low, &high) !=
                RD_KAFKA_RESP_ERR_NO_ERROR ||
            high < 0)
            continue;
        char labels[512];
        snprintf(labels, sizeof(labels), "source=\"%s\",topic=\"%s\",partition=\"%d\"", k->name,
                 p->topic, p->partition);
        k->host->gauge(k->host->ctx, "onegrid_kafka_lag_messages",
                       "Messages of a partition not read yet (high watermark - next offset).",
                       labels, (double)(high > p->next ? high - p->next : 0));
        k->host->gauge(k->host->ctx, "onegrid_kafka_next_offset",
                       "The next offset of a partition to read.", labels, (double)p->next);
    }
}

/* librdkafka before 2.1 (Debian 12 ships 2.0.2): once the prefetch queue is over
 * queued.max.messages.kbytes, a broker thread does not look at it again for up to a second, so a
 * consumer that drains a small queue faster than that starves. When the queue is below half its
 * bound while the partitions have more to fetch, ask the leader of one of them (in turn) for its
 * offsets: the request wakes that broker thread, which then sees the room and fetches. */
static void wake_fetcher(struct kafka *k)
{
    if (!k->queue || !k->nparts || !k->read || now_ms() - k->woken_at < WAKE_MS)
        return;
    long long queued = (long long)rd_kafka_queue_length(k->queue);
    if (queued * (k->bytes_read / k->read + 1) >= k->queue_bytes / 2)
        return;
    long long lag = 0;
    size_t pick = k->nparts;
    for (size_t i = 0; i < k->nparts; i++) {
        size_t at = (k->wake_next + i) % k->nparts;
        const struct part *p = &k->parts[at];
        int64_t low = 0, high = 0;
        if (p->paused ||
            rd_kafka_get_watermark_offsets(k->rk, p->topic, p->partition, &low, &high) !=
                RD_KAFKA_RESP_ERR_NO_ERROR ||
            high <= p->next)
            continue;
        lag += high - p->next;
        if (pick == k->nparts)
            pick = at;
    }
    k->woken_at = now_ms();
    if (lag <= queued)
        return; /* all there is to fetch is fetched */
    int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(k->rk, k->parts[pick].topic, k->parts[pick].partition,
                                         &low, &high, 200) != RD_KAFKA_RESP_ERR_NO_ERROR)
        k->woken_at = now_ms() + 1000; /* the leader does not answer: librdkafka reconnects */
    k->wake_next = pick + 1;
}

static int kafka_next(void *state, struct og_read *r, struct og_error *err)
{
    struct kafka *k = state;
    double started = now_ms();
    k->waiting_since = 0;
    resume_all(k);
    set_gauges(k);
    for (;;) {
        if (k->failed) {
            *err = k->fail;
            return err->code ? err->code : OG_EKAFKA;
        }
        char fatal[512];
        if (rd_kafka_fatal_error(k->rk, fatal, sizeof(fatal)))
            return og_error_set(err, OG_EKAFKA, OG_CLASS_FATAL, OG_R_IO,
                                "the Kafka consumer failed: %s", fatal);
        if (!k->follow && k->assigned && all_at_end(k))
            return OG_READ_END;
        if (k->host->stop && *k->host->stop)
            return OG_READ_IDLE; /* the loop sees the stop */
        rd_kafka_message_t *m = k->held;
        k->held = NULL;
        if (!m) {
            wake_fetcher(k);
            m = rd_kafka_consumer_poll(k->rk, POLL_MS);
        }
        if (!m) {
            if (!k->assigned && now_ms() - started > (double)k->assign_timeout_ms)
                return og_error_set(err, OG_EKAFKA, OG_CLASS_FATAL, OG_R_CONNECT,
                                    "no partitions were assigned to source %s within %lld ms",
                                    k->name, k->assign_timeout_ms);
            if (k->follow && now_ms() - k->idle_since > IDLE_AFTER_MS) {
                k->idle_since = now_ms();
                return OG_READ_IDLE;
            }
            continue;
        }
        if (m->err) {
            struct part *p =
                m->rkt ? find_part(k, rd_kafka_topic_name(m->rkt), m->partition) : NULL;
            if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                if (p && !k->follow && m->offset >= p->end)
                    p->at_end = true;
            }
            else if (m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
                     m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
                og_warn(k->host->log, "kafka", "source=%s: %s", k->name,
                        rd_kafka_message_errstr(m));
            else
                og_warn(k->host->log, "kafka", "source=%s: %s", k->name,
                        rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            continue;
        }
        struct part *p = find_part(k, rd_kafka_topic_name(m->rkt), m->partition);
        if (!p || m->offset < p->next) { /* not ours any more, or already handed on */
            rd_kafka_message_destroy(m);
            continue;
        }
        k->idle_since = now_ms();
        int rc = to_record(k, p, m, r);
        rd_kafka_message_destroy(m);
        if (rc == OG_ENOMEM)
            *err = r->why;
        return rc;
    }
}

/* How long the loop may wait for its loader before the partitions are paused and the group served:
 * a commit normally takes well under this, and pausing throws away what was fetched ahead. */
#define PAUSE_AFTER_MS 5000

static void kafka_wait(void *state)
{
    struct kafka *k = state;
    if (k->waiting_since == 0)
        k->waiting_since = now_ms();
    if (now_ms() - k->waiting_since < PAUSE_AFTER_MS)
        return;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)k->nparts + 1);
    for (size_t i = 0; i < k->nparts; i++)
        if (!k->parts[i].paused) {
            rd_kafka_topic_partition_list_add(l, k->parts[i].topic, k->parts[i].partition);
            k->parts[i].paused = true;
        }
    if (l->cnt)
        rd_kafka_pause_partitions(k->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    /* keep serving the group (rebalances, the poll interval); a message fetched before the pause
     * is kept for later */
    if (!k->held)
        k->held = rd_kafka_consumer_poll(k->rk, 0);
}

static void kafka_progress(void *state, const char **label, long long *done, long long *total)
{
    struct kafka *k = state;
    *label = k->label;
    *done = k->read;
    *total = 0;
}

const struct og_source_ops og_kafka_source = {
    .name = "kafka",
    .summary = "a Kafka consumer group member; positions committed in the warehouse",
    .options = kafka_options,
    .shared = true,
    .partitioned = true,
    .check = kafka_check,
    .open = kafka_open,
    .next = kafka_next,
    .wait = kafka_wait,
    .progress = kafka_progress,
    .close = kafka_close,
};
