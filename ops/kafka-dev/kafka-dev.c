/* kafka-dev.c - a development Kafka peer on librdkafka's mock cluster (tests and demo only).
 *
 * usage: kafka-dev --brokers N [--topic NAME:PARTITIONS]... [--dir DIR]
 *        kafka-dev --help
 *
 * Starts N mock brokers on 127.0.0.1 (random ports), creates the topics, prints the bootstrap list
 * ("127.0.0.1:port,...") as one line on stdout and runs until SIGTERM or SIGINT (or SIGHUP, unless
 * started ignoring it as under nohup), then destroys the cluster and exits 0. With --dir it also
 * writes DIR/pid at once and DIR/bootstrap last (atomically, so its presence means "ready"), and
 * reads fault-injection commands, one per line, from the FIFO DIR/ctl; each command's result
 * ("ok ..." or "error ...") is appended to DIR/ctl.log.
 * Exit codes: 0 stopped by a signal, 1 could not start (or serve), 2 usage error.
 *
 * The mock is librdkafka 2.0.2's experimental rdkafka_mock.h: all data is in memory, retention is
 * about 5 MiB per partition and ports cannot be fixed. Production always talks to a real cluster.
 * ops/kafka-dev/kafka-dev-ctl starts, stops and drives this program; `--help` explains the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define KD_PROG "kafka-dev"

enum {
    KD_EXIT_OK = 0,
    KD_EXIT_FAIL = 1,
    KD_EXIT_USAGE = 2,
    KD_MAX_BROKERS = 32,
    KD_MAX_TOPICS = 64,
    KD_MAX_PARTITIONS = 1000,
    KD_TOPIC_NAME_MAX = 249,  /* Kafka's limit */
    KD_LINE_MAX = 512,        /* longest control command accepted */
    KD_MAX_ARGS = 6,          /* words in a control command, the command included */
    KD_MAX_ERROR_CNT = 10000, /* request-errors COUNT */
    KD_MAX_RTT_MS = 600000,
    KD_API_KEY_MAX = 58, /* RD_KAFKAP__NUM - 1 in librdkafka 2.0.2 */
    KD_MSG_MAX = 256,
};

/* Set by the signal handler to the signal number; the only mutable global. */
static volatile sig_atomic_t stop_signal;

/* One --topic NAME:PARTITIONS. */
struct kd_topic {
    char name[KD_TOPIC_NAME_MAX + 1];
    int partitions;
};

/* The parsed command line; dir is borrowed from argv. */
struct kd_options {
    int brokers;
    const char *dir;
    size_t topic_cnt;
    struct kd_topic topics[KD_MAX_TOPICS];
};

/* The running peer: the mock cluster, its handle and the control channel. */
struct kd_server {
    rd_kafka_t *rk;                    /* owns the mock cluster's bookkeeping */
    rd_kafka_mock_cluster_t *mcluster; /* destroyed before rk */
    int broker_cnt;
    const char *dir; /* borrowed; NULL without --dir */
    int lock_fd;     /* DIR/lock, flock()ed for the process lifetime */
    int fifo_fd;     /* DIR/ctl, opened O_RDWR so it never reports EOF */
    int log_fd;      /* DIR/ctl.log, O_APPEND */
    bool made_fifo, wrote_pid, wrote_bootstrap;
    size_t line_len;
    bool line_overflow;
    char line[KD_LINE_MAX + 1];
};

/* A control command: name, exact argument count, argument synopsis, handler and help line.
 * The handler returns 0 or -1 and may leave a message in msg (a detail on success, the reason
 * on failure). */
struct kd_command {
    const char *name;
    int argc;
    const char *synopsis;
    int (*run)(struct kd_server *server, char **argv, char *msg, size_t msgsize);
    const char *help;
};

/* A Kafka protocol request type by name, for request-errors. */
struct kd_api_key {
    const char *name;
    int16_t key;
};

/* clang-format off */
static const struct kd_api_key API_KEYS[] = {
    {"Produce", 0},           {"Fetch", 1},              {"ListOffsets", 2},
    {"Metadata", 3},          {"OffsetCommit", 8},       {"OffsetFetch", 9},
    {"FindCoordinator", 10},  {"JoinGroup", 11},         {"Heartbeat", 12},
    {"LeaveGroup", 13},       {"SyncGroup", 14},         {"DescribeGroups", 15},
    {"ListGroups", 16},       {"ApiVersions", 18},       {"CreateTopics", 19},
    {"InitProducerId", 22},   {"AddPartitionsToTxn", 24}, {"AddOffsetsToTxn", 25},
    {"EndTxn", 26},           {"TxnOffsetCommit", 28},
};
/* clang-format on */

/* kd_on_signal: async-signal-safe; records which signal asked us to stop. */
static void kd_on_signal(int sig)
{
    stop_signal = sig;
}

/* kd_on_log: librdkafka's log callback (any thread): one line on stderr, except the notice that the
 * mock's own client handle has no bootstrap.servers, which is true and harmless. */
static void kd_on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (!strcmp(fac, "CONFWARN") && strstr(buf, "bootstrap.servers")) {
        return;
    }
    fprintf(stderr, "%s: librdkafka %d %s: %s\n", KD_PROG, level, fac, buf);
}

/* kd_parse_long: parses all of s as a decimal integer in [min, max] into *out.
 * Returns 0, or -1 (and leaves *out alone) when s is empty, has trailing bytes or is out of range.
 */
static int kd_parse_long(const char *s, long min, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

/* kd_topic_name_valid: true when name is a legal Kafka topic name: 1..249 bytes of
 * [A-Za-z0-9._-], and neither "." nor "..". */
static bool kd_topic_name_valid(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > KD_TOPIC_NAME_MAX || !strcmp(name, ".") || !strcmp(name, "..")) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* kd_parse_topic_arg: parses "NAME:PARTITIONS" (split at the last colon) into *topic.
 * Returns 0, or -1 with the reason in err. */
static int kd_parse_topic_arg(const char *arg, struct kd_topic *topic, char *err, size_t errsize)
{
    const char *colon = strrchr(arg, ':');
    if (!colon) {
        snprintf(err, errsize, "invalid --topic \"%s\": expected NAME:PARTITIONS", arg);
        return -1;
    }
    size_t len = (size_t)(colon - arg);
    if (len == 0 || len > KD_TOPIC_NAME_MAX) {
        snprintf(err, errsize, "invalid --topic \"%s\": the name must have 1 to %d bytes", arg,
                 KD_TOPIC_NAME_MAX);
        return -1;
    }
    memcpy(topic->name, arg, len);
    topic->name[len] = '\0';
    if (!kd_topic_name_valid(topic->name)) {
        snprintf(err, errsize,
                 "invalid --topic \"%s\": a topic name may only hold A-Z a-z 0-9 . _ -", arg);
        return -1;
    }
    long partitions = 0;
    if (kd_parse_long(colon + 1, 1, KD_MAX_PARTITIONS, &partitions) != 0) {
        snprintf(err, errsize, "invalid --topic \"%s\": PARTITIONS must be 1 to %d", arg,
                 KD_MAX_PARTITIONS);
        return -1;
    }
    topic->partitions = (int)partitions;
    return 0;
}

/* kd_path: writes "DIR/name" into buf. Returns 0, or -1 when it does not fit. */
static int kd_path(char *buf, size_t size, const char *dir, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

/* kd_write_all: writes all len bytes of buf to fd, retrying on EINTR and short writes.
 * Returns 0, or -1 with errno set. */
static int kd_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* kd_write_file_atomic: replaces DIR/name with text (written to DIR/name.tmp, then renamed, so a
 * reader sees the old file or the whole new one). Returns 0, or -1 after printing why to stderr. */
static int kd_write_file_atomic(const char *dir, const char *name, const char *text)
{
    char tmp[PATH_MAX], path[PATH_MAX], tmpname[64];
    snprintf(tmpname, sizeof(tmpname), "%s.tmp", name);
    if (kd_path(path, sizeof(path), dir, name) != 0 ||
        kd_path(tmp, sizeof(tmp), dir, tmpname) != 0) {
        fprintf(stderr, "%s: cannot write \"%s/%s\": the path is too long\n", KD_PROG, dir, name);
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "%s: could not create \"%s\": %s\n", KD_PROG, tmp, strerror(errno));
        return -1;
    }
    if (kd_write_all(fd, text, strlen(text)) != 0) {
        fprintf(stderr, "%s: could not write \"%s\": %s\n", KD_PROG, tmp, strerror(errno));
        goto fail;
    }
    if (close(fd) != 0) {
        fd = -1;
        fprintf(stderr, "%s: could not write \"%s\": %s\n", KD_PROG, tmp, strerror(errno));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        fprintf(stderr, "%s: could not rename \"%s\" to \"%s\": %s\n", KD_PROG, tmp, path,
                strerror(errno));
        goto fail;
    }
    return 0;

fail:
    if (fd >= 0) {
        close(fd);
    }
    unlink(tmp);
    return -1;
}

/* kd_unlink_in: removes DIR/name, ignoring a missing file (used on the way out). */
static void kd_unlink_in(const char *dir, const char *name)
{
    char path[PATH_MAX];
    if (kd_path(path, sizeof(path), dir, name) == 0 && unlink(path) != 0 && errno != ENOENT) {
        fprintf(stderr, "%s: could not remove \"%s\": %s\n", KD_PROG, path, strerror(errno));
    }
}

/* kd_create_topic: creates topic name with partitions partitions and replication factor
 * min(brokers, 3), retrying with 1 if the mock refuses that. Returns 0, or -1 with the
 * librdkafka reason in msg. */
static int kd_create_topic(struct kd_server *server, const char *name, int partitions, char *msg,
                           size_t msgsize)
{
    int replication = server->broker_cnt < 3 ? server->broker_cnt : 3;
    rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(server->mcluster, name, partitions, replication);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS &&
        replication > 1) {
        replication = 1;
        err = rd_kafka_mock_topic_create(server->mcluster, name, partitions, replication);
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(msg, msgsize, "%s (%s)", rd_kafka_err2str(err), rd_kafka_err2name(err));
        return -1;
    }
    snprintf(msg, msgsize, "%d partitions, replication factor %d", partitions, replication);
    return 0;
}

/* kd_parse_broker_id: parses a broker id 1..brokers, or "all" / -1 for every broker, into *id.
 * Returns 0, or -1 with the reason in msg. */
static int kd_parse_broker_id(const struct kd_server *server, const char *s, int32_t *id, char *msg,
                              size_t msgsize)
{
    long v = 0;
    if (!strcasecmp(s, "all")) {
        *id = -1;
        return 0;
    }
    if (kd_parse_long(s, -1, server->broker_cnt, &v) != 0 || v == 0) {
        snprintf(msg, msgsize, "invalid broker id \"%s\": give 1 to %d, or all", s,
                 server->broker_cnt);
        return -1;
    }
    *id = (int32_t)v;
    return 0;
}

/* kd_parse_api_key: parses a protocol request type, a number 0..58 or a name from API_KEYS
 * (case-insensitive), into *key. Returns 0, or -1 with the reason in msg. */
static int kd_parse_api_key(const char *s, int16_t *key, char *msg, size_t msgsize)
{
    long v = 0;
    if (kd_parse_long(s, 0, KD_API_KEY_MAX, &v) == 0) {
        *key = (int16_t)v;
        return 0;
    }
    for (size_t i = 0; i < sizeof(API_KEYS) / sizeof(API_KEYS[0]); i++) {
        if (!strcasecmp(s, API_KEYS[i].name)) {
            *key = API_KEYS[i].key;
            return 0;
        }
    }
    snprintf(msg, msgsize, "unknown API key \"%s\": give 0 to %d or a name such as Produce, Fetch",
             s, KD_API_KEY_MAX);
    return -1;
}

/* kd_parse_err_code: parses a librdkafka error code, a number or a name with or without the
 * RD_KAFKA_RESP_ERR_ prefix (case-insensitive), into *code. Only codes librdkafka knows are
 * accepted. Returns 0, or -1 with the reason in msg. */
static int kd_parse_err_code(const char *s, rd_kafka_resp_err_t *code, char *msg, size_t msgsize)
{
    const struct rd_kafka_err_desc *descs = NULL;
    size_t cnt = 0;
    long v = 0;
    bool numeric = kd_parse_long(s, INT_MIN, INT_MAX, &v) == 0;
    const char *name = s;

    if (!strncasecmp(name, "RD_KAFKA_RESP_ERR_", 18)) {
        name += 18;
    }
    rd_kafka_get_err_descs(&descs, &cnt);
    for (size_t i = 0; i < cnt; i++) {
        if (!descs[i].name) {
            continue;
        }
        if ((numeric && (long)descs[i].code == v) ||
            (!numeric && !strcasecmp(name, descs[i].name))) {
            if (descs[i].code == RD_KAFKA_RESP_ERR_NO_ERROR) {
                break;
            }
            *code = descs[i].code;
            return 0;
        }
    }
    snprintf(msg, msgsize, "unknown error code \"%s\": give a librdkafka error number or name", s);
    return -1;
}

/* kd_cmd_broker_updown: broker-down / broker-up ID; argv[0] says which. */
static int kd_cmd_broker_updown(struct kd_server *server, char **argv, char *msg, size_t msgsize)
{
    int32_t id = 0;
    bool up = !strcmp(argv[0], "broker-up");
    if (kd_parse_broker_id(server, argv[1], &id, msg, msgsize) != 0) {
        return -1;
    }
    rd_kafka_resp_err_t err = up ? rd_kafka_mock_broker_set_up(server->mcluster, id)
                                 : rd_kafka_mock_broker_set_down(server->mcluster, id);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(msg, msgsize, "%s", rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

/* kd_cmd_request_errors: request-errors APIKEY ERRCODE COUNT - the next COUNT requests of type
 * APIKEY (to any broker) fail with ERRCODE. */
static int kd_cmd_request_errors(struct kd_server *server, char **argv, char *msg, size_t msgsize)
{
    int16_t key = 0;
    rd_kafka_resp_err_t code = RD_KAFKA_RESP_ERR_NO_ERROR;
    long cnt = 0;
    if (kd_parse_api_key(argv[1], &key, msg, msgsize) != 0 ||
        kd_parse_err_code(argv[2], &code, msg, msgsize) != 0) {
        return -1;
    }
    if (kd_parse_long(argv[3], 1, KD_MAX_ERROR_CNT, &cnt) != 0) {
        snprintf(msg, msgsize, "invalid COUNT \"%s\": give 1 to %d", argv[3], KD_MAX_ERROR_CNT);
        return -1;
    }
    rd_kafka_resp_err_t *codes = malloc((size_t)cnt * sizeof(*codes));
    if (!codes) {
        snprintf(msg, msgsize, "out of memory");
        return -1;
    }
    for (long i = 0; i < cnt; i++) {
        codes[i] = code;
    }
    rd_kafka_mock_push_request_errors_array(server->mcluster, key, (size_t)cnt, codes);
    free(codes);
    snprintf(msg, msgsize, "%ld x %s (%d) queued for ApiKey %d", cnt, rd_kafka_err2name(code),
             (int)code, (int)key);
    return 0;
}

/* kd_cmd_clear_request_errors: clear-request-errors APIKEY - drops injected errors not yet used. */
static int kd_cmd_clear_request_errors(struct kd_server *server, char **argv, char *msg,
                                       size_t msgsize)
{
    int16_t key = 0;
    if (kd_parse_api_key(argv[1], &key, msg, msgsize) != 0) {
        return -1;
    }
    rd_kafka_mock_clear_request_errors(server->mcluster, key);
    return 0;
}

/* kd_cmd_create_topic: create-topic NAME PARTITIONS. */
static int kd_cmd_create_topic(struct kd_server *server, char **argv, char *msg, size_t msgsize)
{
    long partitions = 0;
    if (!kd_topic_name_valid(argv[1])) {
        snprintf(msg, msgsize, "invalid topic name: use 1 to %d bytes of A-Z a-z 0-9 . _ -",
                 KD_TOPIC_NAME_MAX);
        return -1;
    }
    if (kd_parse_long(argv[2], 1, KD_MAX_PARTITIONS, &partitions) != 0) {
        snprintf(msg, msgsize, "invalid PARTITIONS \"%s\": give 1 to %d", argv[2],
                 KD_MAX_PARTITIONS);
        return -1;
    }
    return kd_create_topic(server, argv[1], (int)partitions, msg, msgsize);
}

/* kd_cmd_rtt: rtt ID MS - delays every response of broker ID (or all) by MS milliseconds. */
static int kd_cmd_rtt(struct kd_server *server, char **argv, char *msg, size_t msgsize)
{
    int32_t id = 0;
    long ms = 0;
    if (kd_parse_broker_id(server, argv[1], &id, msg, msgsize) != 0) {
        return -1;
    }
    if (kd_parse_long(argv[2], 0, KD_MAX_RTT_MS, &ms) != 0) {
        snprintf(msg, msgsize, "invalid MS \"%s\": give 0 to %d", argv[2], KD_MAX_RTT_MS);
        return -1;
    }
    rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_rtt(server->mcluster, id, (int)ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(msg, msgsize, "%s", rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

/* kd_cmd_ping: ping - answers "ok ping" (lets a caller check the control channel). */
static int kd_cmd_ping(struct kd_server *server, char **argv, char *msg, size_t msgsize)
{
    (void)server;
    (void)argv;
    (void)msg;
    (void)msgsize;
    return 0;
}

static const struct kd_command COMMANDS[] = {
    {"broker-down", 1, "ID", kd_cmd_broker_updown,
     "disconnect broker ID (1..N, or all) and refuse connections"},
    {"broker-up", 1, "ID", kd_cmd_broker_updown, "accept connections on broker ID again"},
    {"request-errors", 3, "APIKEY ERRCODE COUNT", kd_cmd_request_errors,
     "fail the next COUNT requests of type APIKEY with ERRCODE"},
    {"clear-request-errors", 1, "APIKEY", kd_cmd_clear_request_errors,
     "drop injected errors not yet used"},
    {"create-topic", 2, "NAME PARTITIONS", kd_cmd_create_topic, "create a topic"},
    {"rtt", 2, "ID MS", kd_cmd_rtt, "delay broker ID's responses by MS ms (0: none)"},
    {"ping", 0, "", kd_cmd_ping, "answer ok"},
    {NULL, 0, NULL, NULL, NULL},
};

/* kd_usage: prints the short usage text to out. */
static void kd_usage(FILE *out)
{
    fprintf(out,
            "usage: %s --brokers N [--topic NAME:PARTITIONS]... [--dir DIR]\n"
            "       %s --help\n",
            KD_PROG, KD_PROG);
}

/* kd_help: prints the teaching help (what this is, files, control commands, limits) to stdout. */
static void kd_help(void)
{
    kd_usage(stdout);
    printf(
        "\n"
        "A development and test Kafka peer: N mock brokers from librdkafka %s's mock\n"
        "cluster (rdkafka_mock.h) speaking the Kafka protocol on 127.0.0.1. Clients (kcat,\n"
        "onegrid, any librdkafka program) connect to it as to a real cluster. It is never used\n"
        "in production, which always points at a real Kafka cluster.\n"
        "\n"
        "options:\n"
        "  --brokers N             start N brokers (1..%d), ids 1..N, random ports\n"
        "  --topic NAME:PARTITIONS create a topic (1..%d partitions; repeatable); replication\n"
        "                          factor min(N,3). Unknown topics are auto-created with 4\n"
        "                          partitions when a client asks for them.\n"
        "  --dir DIR               write DIR/bootstrap and DIR/pid, read commands from DIR/ctl\n"
        "  --help                  this text\n"
        "\n"
        "It prints the bootstrap list (127.0.0.1:port,...) as one line on stdout, then runs until\n"
        "SIGTERM, SIGINT or SIGHUP, destroys the cluster and exits 0. Exit 1: could not start;\n"
        "exit 2: usage error.\n"
        "\n"
        "Files in DIR (created if missing; one instance per DIR, guarded by DIR/lock):\n"
        "  bootstrap   the bootstrap list; written last (tmp + rename), so once it exists the\n"
        "              cluster is ready; removed on exit\n"
        "  pid         this process's id; removed on exit\n"
        "  ctl         a FIFO: write one command per line (newline-terminated) to inject faults\n"
        "  ctl.log     one result line per command: \"ok COMMAND[: detail]\" or\n"
        "              \"error COMMAND: reason\"; truncated at start\n"
        "\n"
        "Control commands:\n",
        rd_kafka_version_str(), KD_MAX_BROKERS, KD_MAX_PARTITIONS);
    for (const struct kd_command *c = COMMANDS; c->name; c++) {
        char head[64];
        snprintf(head, sizeof(head), "%s %s", c->name, c->synopsis);
        printf("  %-36s %s\n", head, c->help);
    }
    printf("\n  APIKEY: a number 0..%d or one of these names (case-insensitive):", KD_API_KEY_MAX);
    int col = 100; /* forces a new line before the first name */
    for (size_t i = 0; i < sizeof(API_KEYS) / sizeof(API_KEYS[0]); i++) {
        char item[48];
        int len = snprintf(item, sizeof(item), "%s=%d", API_KEYS[i].name, API_KEYS[i].key);
        if (col + 1 + len > 92) {
            printf("\n   ");
            col = 3;
        }
        printf(" %s", item);
        col += 1 + len;
    }
    printf(
        "\n"
        "  ERRCODE: a number or a name without the RD_KAFKA_RESP_ERR_ prefix, e.g.\n"
        "    NOT_LEADER_FOR_PARTITION (6, retriable), REQUEST_TIMED_OUT (7, retriable),\n"
        "    TOPIC_AUTHORIZATION_FAILED (29, not retriable), _TRANSPORT (-195: disconnect).\n"
        "  Injected errors are shared by all brokers and consumed by the next matching requests.\n"
        "\n"
        "Example:\n"
        "  %s --brokers 3 --topic orders:4 --dir /tmp/kd &\n"
        "  kcat -L -b \"$(cat /tmp/kd/bootstrap)\"\n"
        "  echo 'request-errors Produce NOT_LEADER_FOR_PARTITION 3' > /tmp/kd/ctl\n"
        "  tail -n 1 /tmp/kd/ctl.log\n"
        "  kill %%1\n"
        "(ops/kafka-dev/kafka-dev-ctl does the starting, waiting and stopping for you.)\n"
        "\n"
        "What the mock does not do (measured; see the project's notes):\n"
        "  - retention is about 5 MiB or 100,000 batches per partition, hard-coded: older data is\n"
        "    dropped silently. Keep test backlogs small and always assert counts.\n"
        "  - ports are random; read DIR/bootstrap. All data is lost when the process exits.\n"
        "  - commits are refused during a rebalance; use session.timeout.ms=6000 and\n"
        "    heartbeat.interval.ms=500 in tests. Admin topic creation is not supported:\n"
        "    use --topic or create-topic. read_committed shows aborted messages.\n"
        "  - broker-down does not move partition leadership: requests for partitions led\n"
        "    by a down broker fail until broker-up.\n"
        "  - in librdkafka 2.0.2 the replication factor given at topic creation is ignored; every\n"
        "    partition gets min(N,3) replicas.\n",
        KD_PROG);
}

/* kd_parse_args: fills *opts from argv. Returns 0 to run, 1 when --help was printed,
 * KD_EXIT_USAGE after printing a usage error to stderr. */
static int kd_parse_args(int argc, char **argv, struct kd_options *opts)
{
    static const struct option longopts[] = {
        {"brokers", required_argument, NULL, 'b'},
        {"topic", required_argument, NULL, 't'},
        {"dir", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char err[KD_MSG_MAX + KD_TOPIC_NAME_MAX];
    long brokers = 0;
    int opt;

    memset(opts, 0, sizeof(*opts));
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'b':
            if (kd_parse_long(optarg, 1, KD_MAX_BROKERS, &brokers) != 0) {
                fprintf(stderr, "%s: invalid --brokers \"%s\": give a number from 1 to %d\n",
                        KD_PROG, optarg, KD_MAX_BROKERS);
                goto usage;
            }
            opts->brokers = (int)brokers;
            break;
        case 't':
            if (opts->topic_cnt == KD_MAX_TOPICS) {
                fprintf(stderr, "%s: too many --topic options (at most %d)\n", KD_PROG,
                        KD_MAX_TOPICS);
                goto usage;
            }
            if (kd_parse_topic_arg(optarg, &opts->topics[opts->topic_cnt], err, sizeof(err)) != 0) {
                fprintf(stderr, "%s: %s\n", KD_PROG, err);
                goto usage;
            }
            for (size_t i = 0; i < opts->topic_cnt; i++) {
                if (!strcmp(opts->topics[i].name, opts->topics[opts->topic_cnt].name)) {
                    fprintf(stderr, "%s: topic \"%s\" is given twice\n", KD_PROG,
                            opts->topics[i].name);
                    goto usage;
                }
            }
            opts->topic_cnt++;
            break;
        case 'd':
            if (optarg[0] == '\0' || strlen(optarg) > PATH_MAX - 32) {
                fprintf(stderr, "%s: invalid --dir: give a folder path of 1 to %d bytes\n", KD_PROG,
                        PATH_MAX - 32);
                goto usage;
            }
            opts->dir = optarg;
            break;
        case 'h':
            kd_help();
            return 1;
        case ':':
            fprintf(stderr, "%s: option \"%s\" needs a value\n", KD_PROG, argv[optind - 1]);
            goto usage;
        default:
            if (optopt != 0) {
                fprintf(stderr, "%s: unknown option \"-%c\"\n", KD_PROG, optopt);
            }
            else {
                fprintf(stderr, "%s: unknown option \"%s\"\n", KD_PROG, argv[optind - 1]);
            }
            goto usage;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument \"%s\"\n", KD_PROG, argv[optind]);
        goto usage;
    }
    if (opts->brokers == 0) {
        fprintf(stderr, "%s: --brokers is required\n", KD_PROG);
        goto usage;
    }
    return 0;

usage:
    kd_usage(stderr);
    fprintf(stderr, "Try \"%s --help\" for more.\n", KD_PROG);
    return KD_EXIT_USAGE;
}

/* kd_ctl_report: appends one result line to DIR/ctl.log and copies it to stderr.
 * A failed write is reported on stderr; the peer keeps running. */
static void kd_ctl_report(struct kd_server *server, bool ok, const char *cmd, const char *msg)
{
    char out[KD_LINE_MAX + KD_MSG_MAX + 32];
    int n;
    if (ok) {
        n = snprintf(out, sizeof(out), "ok %s%s%s\n", cmd, msg[0] ? ": " : "", msg);
    }
    else {
        n = snprintf(out, sizeof(out), "error %s: %s\n", cmd, msg);
    }
    if (n < 0) {
        return;
    }
    size_t len = (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1;
    out[len - 1] = '\n';
    if (kd_write_all(server->log_fd, out, len) != 0) {
        fprintf(stderr, "%s: could not append to \"%s/ctl.log\": %s\n", KD_PROG, server->dir,
                strerror(errno));
    }
    fprintf(stderr, "%s: ctl: %.*s", KD_PROG, (int)len, out);
}

/* kd_ctl_execute: runs one control line (modified in place while splitting it into words) and
 * reports its result. Blank lines and lines starting with '#' are ignored. */
static void kd_ctl_execute(struct kd_server *server, char *line)
{
    char msg[KD_MSG_MAX] = "";
    char echo[KD_LINE_MAX + 1];
    char *argv[KD_MAX_ARGS + 1];
    int argc = 0;
    char *save = NULL;

    for (const char *p = line; *p; p++) {
        if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\r') {
            kd_ctl_report(server, false, "(unreadable line)", "control bytes are not allowed");
            return;
        }
        if ((unsigned char)*p >= 0x7f) {
            kd_ctl_report(server, false, "(unreadable line)", "only ASCII is allowed");
            return;
        }
    }
    for (char *word = strtok_r(line, " \t\r", &save); word; word = strtok_r(NULL, " \t\r", &save)) {
        if (argc == KD_MAX_ARGS) {
            argc++;
            break;
        }
        argv[argc++] = word;
    }
    if (argc == 0 || argv[0][0] == '#') {
        return;
    }
    /* The echo is the normalised command: words joined by single spaces. */
    size_t off = 0;
    for (int i = 0; i < argc && i < KD_MAX_ARGS; i++) {
        int n = snprintf(echo + off, sizeof(echo) - off, "%s%s", i ? " " : "", argv[i]);
        if (n < 0 || (size_t)n >= sizeof(echo) - off) {
            break;
        }
        off += (size_t)n;
    }
    if (argc > KD_MAX_ARGS) {
        kd_ctl_report(server, false, echo, "too many words");
        return;
    }
    for (const struct kd_command *c = COMMANDS; c->name; c++) {
        if (strcmp(c->name, argv[0]) != 0) {
            continue;
        }
        if (argc - 1 != c->argc) {
            snprintf(msg, sizeof(msg), "usage: %s %s", c->name, c->synopsis);
            kd_ctl_report(server, false, echo, msg);
            return;
        }
        argv[argc] = NULL;
        int rc = c->run(server, argv, msg, sizeof(msg));
        kd_ctl_report(server, rc == 0, echo, msg);
        return;
    }
    kd_ctl_report(server, false, echo,
                  "unknown command (broker-down, broker-up, request-errors, "
                  "clear-request-errors, create-topic, rtt, ping)");
}

/* kd_ctl_read: reads what is available on the FIFO and runs each complete line. A line longer
 * than KD_LINE_MAX is dropped and reported when its newline arrives. Returns 0, or -1 when
 * the FIFO cannot be read (reported on stderr). */
static int kd_ctl_read(struct kd_server *server)
{
    char buf[4096];
    for (;;) {
        ssize_t n = read(server->fifo_fd, buf, sizeof(buf));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return 0;
            }
            fprintf(stderr, "%s: could not read \"%s/ctl\": %s\n", KD_PROG, server->dir,
                    strerror(errno));
            return -1;
        }
        if (n == 0) {
            return 0; /* cannot happen while we hold a write end, but harmless */
        }
        for (ssize_t i = 0; i < n; i++) {
            char c = buf[i];
            if (c == '\n') {
                server->line[server->line_len] = '\0';
                if (server->line_overflow) {
                    char msg[64];
                    snprintf(msg, sizeof(msg), "a command has at most %d bytes", KD_LINE_MAX);
                    kd_ctl_report(server, false, "(long line)", msg);
                }
                else {
                    kd_ctl_execute(server, server->line);
                }
                server->line_len = 0;
                server->line_overflow = false;
            }
            else if (server->line_len < KD_LINE_MAX) {
                server->line[server->line_len++] = c;
            }
            else {
                server->line_overflow = true;
            }
        }
    }
}

/* kd_open_dir: makes DIR (one level, 0755) if missing, takes DIR/lock, writes DIR/pid, makes the
 * FIFO DIR/ctl and truncates DIR/ctl.log. Returns 0, or -1 after printing why to stderr; what was
 * opened is recorded in server for kd_server_close. */
static int kd_open_dir(struct kd_server *server)
{
    const char *dir = server->dir;
    char path[PATH_MAX];

    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: could not create the folder \"%s\": %s\n", KD_PROG, dir,
                strerror(errno));
        return -1;
    }
    if (kd_path(path, sizeof(path), dir, "lock") != 0) {
        fprintf(stderr, "%s: cannot use \"%s\": the path is too long\n", KD_PROG, dir);
        return -1;
    }
    server->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (server->lock_fd < 0) {
        fprintf(stderr, "%s: could not open \"%s\": %s\n", KD_PROG, path, strerror(errno));
        return -1;
    }
    if (flock(server->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            fprintf(stderr,
                    "%s: cannot use \"%s\": another kafka-dev runs there\n"
                    "  hint: stop it (kafka-dev-ctl stop %s) or choose another folder\n",
                    KD_PROG, dir, dir);
        }
        else {
            fprintf(stderr, "%s: could not lock \"%s\": %s\n", KD_PROG, path, strerror(errno));
        }
        return -1;
    }
    /* A stale bootstrap of a previous run would make a waiter think we are ready. The pid is
     * written at once, so that whoever sees the lock held can find and stop us. */
    kd_unlink_in(dir, "bootstrap");
    char text[32];
    snprintf(text, sizeof(text), "%ld\n", (long)getpid());
    if (kd_write_file_atomic(dir, "pid", text) != 0) {
        return -1;
    }
    server->wrote_pid = true;

    if (kd_path(path, sizeof(path), dir, "ctl") != 0) {
        return -1;
    }
    if (unlink(path) != 0 && errno != ENOENT) {
        fprintf(stderr, "%s: could not remove the old \"%s\": %s\n", KD_PROG, path,
                strerror(errno));
        return -1;
    }
    if (mkfifo(path, 0600) != 0) {
        fprintf(stderr, "%s: could not create the FIFO \"%s\": %s\n", KD_PROG, path,
                strerror(errno));
        return -1;
    }
    server->made_fifo = true;
    server->fifo_fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (server->fifo_fd < 0) {
        fprintf(stderr, "%s: could not open the FIFO \"%s\": %s\n", KD_PROG, path, strerror(errno));
        return -1;
    }

    if (kd_path(path, sizeof(path), dir, "ctl.log") != 0) {
        return -1;
    }
    server->log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (server->log_fd < 0) {
        fprintf(stderr, "%s: could not open \"%s\": %s\n", KD_PROG, path, strerror(errno));
        return -1;
    }
    return 0;
}

/* kd_server_start: creates the handle, the mock cluster and the topics. Returns 0, or -1 after
 * printing why to stderr; partial state is released by kd_server_close. */
static int kd_server_start(struct kd_server *server, const struct kd_options *opts)
{
    char errstr[512];
    char msg[KD_MSG_MAX];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();

    if (rd_kafka_conf_set(conf, "client.id", KD_PROG, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "%s: could not configure the mock's client handle: %s\n", KD_PROG, errstr);
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    rd_kafka_conf_set_log_cb(conf, kd_on_log);
    server->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (!server->rk) {
        fprintf(stderr, "%s: could not create the mock's client handle: %s\n", KD_PROG, errstr);
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    conf = NULL; /* rd_kafka_new took it */

    server->mcluster = rd_kafka_mock_cluster_new(server->rk, opts->brokers);
    if (!server->mcluster) {
        fprintf(stderr, "%s: could not create a mock cluster of %d brokers (see the log above)\n",
                KD_PROG, opts->brokers);
        return -1;
    }
    for (size_t i = 0; i < opts->topic_cnt; i++) {
        const struct kd_topic *topic = &opts->topics[i];
        if (kd_create_topic(server, topic->name, topic->partitions, msg, sizeof(msg)) != 0) {
            fprintf(stderr, "%s: could not create topic \"%s\": %s\n", KD_PROG, topic->name, msg);
            return -1;
        }
    }
    return 0;
}

/* kd_server_publish: prints the bootstrap list on stdout and, with a folder, writes
 * DIR/bootstrap. Returns 0, or -1 after printing why to stderr. */
static int kd_server_publish(struct kd_server *server)
{
    const char *bootstraps = rd_kafka_mock_cluster_bootstraps(server->mcluster);

    if (server->dir) {
        char *line = NULL;
        if (asprintf(&line, "%s\n", bootstraps) < 0) {
            fprintf(stderr, "%s: out of memory\n", KD_PROG);
            return -1;
        }
        int rc = kd_write_file_atomic(server->dir, "bootstrap", line);
        free(line);
        if (rc != 0) {
            return -1;
        }
        server->wrote_bootstrap = true;
    }
    if (printf("%s\n", bootstraps) < 0 || fflush(stdout) != 0) {
        /* Not fatal: with --dir the file is the channel; without it the caller sees nothing. */
        fprintf(stderr, "%s: could not print the bootstrap list: %s\n", KD_PROG, strerror(errno));
    }
    return 0;
}

/* kd_server_close: removes DIR/bootstrap first (the cluster is going away), destroys the mock
 * cluster and then its handle, and removes the other files it made. Safe on a partly started
 * server; closes everything once. */
static void kd_server_close(struct kd_server *server)
{
    if (server->wrote_bootstrap) {
        kd_unlink_in(server->dir, "bootstrap");
    }
    if (server->mcluster) {
        rd_kafka_mock_cluster_destroy(server->mcluster);
        server->mcluster = NULL;
    }
    if (server->rk) {
        rd_kafka_destroy(server->rk);
        server->rk = NULL;
    }
    if (server->fifo_fd >= 0) {
        close(server->fifo_fd);
        server->fifo_fd = -1;
    }
    if (server->made_fifo) {
        kd_unlink_in(server->dir, "ctl");
    }
    if (server->log_fd >= 0) {
        close(server->log_fd);
        server->log_fd = -1;
    }
    if (server->wrote_pid) {
        kd_unlink_in(server->dir, "pid");
    }
    if (server->lock_fd >= 0) {
        close(server->lock_fd); /* releases the flock */
        server->lock_fd = -1;
    }
}

/* kd_serve: waits for control input or a stop signal (which are blocked everywhere except inside
 * ppoll, so none is missed) until a signal arrives. Returns 0, or -1 on a poll/read failure. */
static int kd_serve(struct kd_server *server, const sigset_t *waitmask)
{
    while (!stop_signal) {
        struct pollfd pfd = {.fd = server->fifo_fd, .events = POLLIN, .revents = 0};
        int n = ppoll(&pfd, 1, NULL, waitmask);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "%s: could not wait for commands: %s\n", KD_PROG, strerror(errno));
            return -1;
        }
        if (n > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)) && kd_ctl_read(server) != 0) {
            return -1;
        }
    }
    return 0;
}

/* main: parses the options, starts the cluster, serves until a signal, cleans up. */
int main(int argc, char **argv)
{
    struct kd_options opts;
    struct kd_server server;
    sigset_t stopset, waitmask;
    struct sigaction sa;
    int code = KD_EXIT_FAIL;

    int rc = kd_parse_args(argc, argv, &opts);
    if (rc != 0) {
        return rc == 1 ? KD_EXIT_OK : rc;
    }

    memset(&server, 0, sizeof(server));
    server.broker_cnt = opts.brokers;
    server.dir = opts.dir;
    server.lock_fd = server.fifo_fd = server.log_fd = -1;

    /* Block the stop signals before any thread exists, so librdkafka's threads inherit the mask
     * and the signals are only taken inside ppoll (with waitmask). */
    /* SIGHUP stays ignored when it was ignored at start (nohup). */
    struct sigaction old;
    bool hup = sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler != SIG_IGN;
    sigemptyset(&stopset);
    sigaddset(&stopset, SIGTERM);
    sigaddset(&stopset, SIGINT);
    if (hup) {
        sigaddset(&stopset, SIGHUP);
    }
    if (pthread_sigmask(SIG_BLOCK, &stopset, &waitmask) != 0) {
        fprintf(stderr, "%s: could not block signals\n", KD_PROG);
        return KD_EXIT_FAIL;
    }
    sigdelset(&waitmask, SIGTERM);
    sigdelset(&waitmask, SIGINT);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = kd_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (hup) {
        sigdelset(&waitmask, SIGHUP);
        sigaction(SIGHUP, &sa, NULL);
    }
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);

    if (server.dir && kd_open_dir(&server) != 0) {
        goto out;
    }
    if (kd_server_start(&server, &opts) != 0 || kd_server_publish(&server) != 0) {
        goto out;
    }
    if (kd_serve(&server, &waitmask) == 0) {
        code = KD_EXIT_OK;
        fprintf(stderr, "%s: stopping on signal %d\n", KD_PROG, (int)stop_signal);
    }

out:
    kd_server_close(&server);
    return code;
}
