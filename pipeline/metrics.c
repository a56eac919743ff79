/* metrics.c - counters and gauges of a stream, and the HTTP listener that serves them. */
#include "pipeline/metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Commit-latency histogram buckets, seconds. */
static const double BUCKETS[] = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
#define NBUCKETS (sizeof(BUCKETS) / sizeof(BUCKETS[0]))

struct source_counts {
    char *source;
    long long records, rejects, batches;
    double commit_sum;
    long long bucket[NBUCKETS]; /* commits taking at most BUCKETS[i] seconds */
    double last_commit;         /* unix time */
};

struct gauge {
    char *name, *help, *labels;
    double value;
};

struct og_metrics {
    pthread_mutex_t mu;
    struct source_counts *sources;
    size_t nsources;
    struct gauge *gauges;
    size_t ngauges;
    /* the listener */
    int fd;
    pthread_t tid;
    bool listening;
    volatile bool quit;
};

struct og_metrics *og_metrics_create(void)
{
    struct og_metrics *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    pthread_mutex_init(&m->mu, NULL);
    m->fd = -1;
    return m;
}

void og_metrics_destroy(struct og_metrics *m)
{
    if (!m)
        return;
    if (m->listening) {
        m->quit = true;
        pthread_join(m->tid, NULL);
    }
    if (m->fd >= 0)
        close(m->fd);
    for (size_t i = 0; i < m->nsources; i++)
        free(m->sources[i].source);
    for (size_t i = 0; i < m->ngauges; i++) {
        free(m->gauges[i].name);
        free(m->gauges[i].help);
        free(m->gauges[i].labels);
    }
    free(m->sources);
    free(m->gauges);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

/* The counts of source, added when new; NULL on out of memory. Called with the lock held. */
static struct source_counts *counts_of(struct og_metrics *m, const char *source)
{
    for (size_t i = 0; i < m->nsources; i++)
        if (strcmp(m->sources[i].source, source) == 0)
            return &m->sources[i];
    struct source_counts *p = realloc(m->sources, (m->nsources + 1) * sizeof(*p));
    if (!p)
        return NULL;
    m->sources = p;
    struct source_counts *c = &m->sources[m->nsources];
    memset(c, 0, sizeof(*c));
    if (!(c->source = strdup(source)))
        return NULL;
    m->nsources++;
    return c;
}

void og_metrics_batch(struct og_metrics *m, const char *source, long long records,
                      long long rejects, double commit_seconds)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->mu);
    struct source_counts *c = counts_of(m, source);
    if (c) {
        c->records += records;
        c->rejects += rejects;
        c->batches++;
        c->commit_sum += commit_seconds;
        for (size_t i = 0; i < NBUCKETS; i++)
            if (commit_seconds <= BUCKETS[i])
                c->bucket[i]++;
        c->last_commit = (double)time(NULL);
    }
    pthread_mutex_unlock(&m->mu);
}

void og_metrics_gauge(struct og_metrics *m, const char *name, const char *help, const char *labels,
                      double value)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->ngauges; i++)
        if (!strcmp(m->gauges[i].name, name) && !strcmp(m->gauges[i].labels, labels)) {
            m->gauges[i].value = value;
            pthread_mutex_unlock(&m->mu);
            return;
        }
    struct gauge *p = realloc(m->gauges, (m->ngauges + 1) * sizeof(*p));
    if (p) {
        m->gauges = p;
        struct gauge *g = &m->gauges[m->ngauges];
        g->name = strdup(name);
        g->help = strdup(help);
        g->labels = strdup(labels);
        g->value = value;
        if (g->name && g->help && g->labels)
            m->ngauges++;
        else {
            free(g->name);
            free(g->help);
            free(g->labels);
        }
    }
    pthread_mutex_unlock(&m->mu);
}

int og_metrics_put_label(struct og_buf *out, const char *v)
{
    int rc = 0;
    for (const char *p = v; *p && rc == 0; p++)
        rc = *p == '\\' || *p == '"' ? og_buf_printf(out, "\\%c", *p)
             : *p == '\n'            ? og_buf_puts(out, "\\n")
                                     : og_buf_putc(out, *p);
    return rc;
}

int og_metrics_put_family(struct og_buf *out, const char *name, const char *type, const char *help)
{
    return og_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int og_metrics_render(struct og_metrics *m, struct og_buf *out)
{
    int rc = 0;
    pthread_mutex_lock(&m->mu);
    static const struct {
        const char *name, *help;
        size_t off;
    } COUNTERS[] = {
        {"onegrid_records_total", "Records loaded into the warehouse.",
         offsetof(struct source_counts, records)},
        {"onegrid_rejects_total", "Records rejected (rows of etl_reject).",
         offsetof(struct source_counts, rejects)},
        {"onegrid_batches_total", "Batches committed.", offsetof(struct source_counts, batches)},
    };
    for (size_t k = 0; k < sizeof(COUNTERS) / sizeof(COUNTERS[0]) && rc == 0; k++) {
        rc = og_metrics_put_family(out, COUNTERS[k].name, "counter", COUNTERS[k].help);
        for (size_t i = 0; i < m->nsources && rc == 0; i++) {
            const struct source_counts *c = &m->sources[i];
            rc = og_buf_printf(out, "%s{source=\"", COUNTERS[k].name);
            rc = rc ? rc : og_metrics_put_label(out, c->source);
            rc = rc ? rc
                    : og_buf_printf(out, "\"} %lld\n",
                                    *(const long long *)((const char *)c + COUNTERS[k].off));
        }
    }
    if (rc == 0)
        rc = og_metrics_put_family(
            out, "onegrid_commit_seconds", "histogram",
            "Time to commit a batch (rows, rejects and positions in one transaction).");
    for (size_t i = 0; i < m->nsources && rc == 0; i++) {
        const struct source_counts *c = &m->sources[i];
        for (size_t b = 0; b < NBUCKETS && rc == 0; b++) {
            rc = og_buf_puts(out, "onegrid_commit_seconds_bucket{source=\"");
            rc = rc ? rc : og_metrics_put_label(out, c->source);
            rc = rc ? rc : og_buf_printf(out, "\",le=\"%g\"} %lld\n", BUCKETS[b], c->bucket[b]);
        }
        rc = rc ? rc : og_buf_puts(out, "onegrid_commit_seconds_bucket{source=\"");
        rc = rc ? rc : og_metrics_put_label(out, c->source);
        rc = rc ? rc : og_buf_printf(out, "\",le=\"+Inf\"} %lld\n", c->batches);
        rc = rc ? rc : og_buf_puts(out, "onegrid_commit_seconds_sum{source=\"");
        rc = rc ? rc : og_metrics_put_label(out, c->source);
        rc = rc ? rc : og_buf_printf(out, "\"} %.6f\n", c->commit_sum);
        rc = rc ? rc : og_buf_puts(out, "onegrid_commit_seconds_count{source=\"");
        rc = rc ? rc : og_metrics_put_label(out, c->source);
        rc = rc ? rc : og_buf_printf(out, "\"} %lld\n", c->batches);
    }
    if (rc == 0)
        rc = og_metrics_put_family(out, "onegrid_last_commit_timestamp_seconds", "gauge",
                                   "Unix time of the last batch committed.");
    for (size_t i = 0; i < m->nsources && rc == 0; i++) {
        rc = og_buf_puts(out, "onegrid_last_commit_timestamp_seconds{source=\"");
        rc = rc ? rc : og_metrics_put_label(out, m->sources[i].source);
        rc = rc ? rc : og_buf_printf(out, "\"} %.0f\n", m->sources[i].last_commit);
    }
    for (size_t i = 0; i < m->ngauges && rc == 0; i++) {
        const struct gauge *g = &m->gauges[i];
        bool first = true;
        for (size_t k = 0; k < i; k++)
            first = first && strcmp(m->gauges[k].name, g->name) != 0;
        if (first)
            rc = og_metrics_put_family(out, g->name, "gauge", g->help);
        rc = rc ? rc : og_buf_printf(out, "%s{%s} %.0f\n", g->name, g->labels, g->value);
    }
    pthread_mutex_unlock(&m->mu);
    return rc;
}

/* Answers one connection: GET /metrics, else 404. */
static void serve(struct og_metrics *m, int c)
{
    char req[2048];
    size_t len = 0;
    struct pollfd pfd = {c, POLLIN, 0};
    while (len < sizeof(req) - 1 && poll(&pfd, 1, 2000) > 0) {
        ssize_t n = read(c, req + len, sizeof(req) - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        req[len] = '\0';
        if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
            break;
    }
    req[len] = '\0';
    struct og_buf body = OG_BUF_INIT, head = OG_BUF_INIT;
    bool ok = !strncmp(req, "GET /metrics ", 13) || !strncmp(req, "GET /metrics?", 13);
    if (ok && og_metrics_render(m, &body) < 0)
        ok = false;
    if (!ok)
        og_buf_puts(&body, "not found: GET /metrics\n");
    og_buf_printf(&head,
                  "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                  "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                  ok ? "200 OK" : "404 Not Found", body.len);
    if (write(c, head.data, head.len) == (ssize_t)head.len && body.len)
        (void)!write(c, body.data, body.len);
    og_buf_free(&head);
    og_buf_free(&body);
}

static void *listener_main(void *arg)
{
    struct og_metrics *m = arg;
    while (!m->quit) {
        struct pollfd pfd = {m->fd, POLLIN, 0};
        if (poll(&pfd, 1, 200) <= 0)
            continue;
        int c = accept(m->fd, NULL, NULL);
        if (c < 0)
            continue;
        serve(m, c);
        close(c);
    }
    return NULL;
}

int og_metrics_listen(struct og_metrics *m, const char *address, int *port, struct og_error *err)
{
    char host[256];
    const char *colon = strrchr(address, ':');
    if (!colon || (size_t)(colon - address) >= sizeof(host))
        return og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                            "metrics address \"%s\" is not HOST:PORT", address);
    memcpy(host, address, (size_t)(colon - address));
    host[colon - address] = '\0';
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int g = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &ai);
    if (g != 0)
        return og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                            "metrics address \"%s\": %s", address, gai_strerror(g));
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 16) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO,
                            "could not listen on %s for /metrics: %s", address, strerror(e));
    }
    freeaddrinfo(ai);
    struct sockaddr_storage sa;
    socklen_t salen = sizeof(sa);
    *port = 0;
    if (getsockname(fd, (struct sockaddr *)&sa, &salen) == 0)
        *port = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                               : ((struct sockaddr_in *)&sa)->sin_port);
    m->fd = fd;
    if (pthread_create(&m->tid, NULL, listener_main, m) != 0) {
        close(fd);
        m->fd = -1;
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                            "could not start the metrics listener");
    }
    m->listening = true;
    return 0;
}
