/* pipeline.c - the run loop over a source's files, in batches, each committed with its position. */
#include "cli/pipeline.h"
#include "cli/handoff.h"
#include "cli/registry.h"

#include <errno.h>
#include <glob.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void og_source_stats_count(struct og_source_stats *st, const char *reason)
{
    for (int i = 0; i < st->nreasons; i++) {
        if (strcmp(st->reasons[i].reason, reason) == 0) {
            st->reasons[i].n++;
            return;
        }
    }
    int i = st->nreasons < OG_MAX_REASONS ? st->nreasons++ : OG_MAX_REASONS - 1;
    if (i == OG_MAX_REASONS - 1 && st->nreasons == OG_MAX_REASONS &&
        strcmp(st->reasons[i].reason, "other") != 0) {
        snprintf(st->reasons[i].reason, sizeof(st->reasons[i].reason), "other");
    }
    else
        snprintf(st->reasons[i].reason, sizeof(st->reasons[i].reason), "%s", reason);
    st->reasons[i].n++;
}

int og_file_sha256(const char *path, char hex[65], struct og_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return og_error_set(err, OG_EIO, OG_CLASS_FATAL, "io", "could not open \"%s\": %s", path,
                            strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) {
        fclose(fp);
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory");
    }
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    static const size_t bs = 1 << 16;
    unsigned char *buf = malloc(bs);
    size_t n;
    int rc = 0;
    while (buf && (n = fread(buf, 1, bs, fp)) > 0)
        EVP_DigestUpdate(ctx, buf, n);
    if (!buf || ferror(fp))
        rc = og_error_set(err, OG_EIO, OG_CLASS_FATAL, "io", "could not read \"%s\"", path);
    unsigned char md[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    free(buf);
    EVP_MD_CTX_free(ctx);
    fclose(fp);
    return rc;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress {
    double start, last;
    long long base;
};

static void show_progress(struct og_pipeline *p, struct progress *pr, const char *source,
                          const char *path, const struct og_connector *c, void *state, long long n,
                          bool final)
{
    if (!p->progress)
        return;
    double t = now_s();
    if (!final && t - pr->last < 0.5)
        return;
    pr->last = t;
    long long done = 0, total = 0;
    if (c->progress)
        c->progress(state, &done, &total);
    double el = t - pr->start;
    double rate = el > 0 ? (double)(n - pr->base) / el : 0;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (total > 0) {
        double frac = (double)done / (double)total;
        double left = frac > 0 ? el * (1 - frac) / frac : 0;
        fprintf(stderr, "\r\033[K[run] %s %s: %3.0f%%  %lld records  %.0f rec/s  %d:%02d left",
                source, base, frac * 100, n, rate, (int)left / 60, (int)left % 60);
    }
    else
        fprintf(stderr, "\r\033[K[run] %s %s: %lld records  %.0f rec/s", source, base, n, rate);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* A batch whose commit fails with a retriable error (connection lost, server restarting, deadlock)
 * is sent again after reconnecting; committing it twice is harmless because the merges are
 * idempotent. */
#define OG_COMMIT_ATTEMPTS 5

static int commit(void *ctx, struct og_batch *b, struct og_error *err)
{
    struct og_pipeline *p = ctx;
    if (p->dry_run || !p->pg) {
        og_batch_reset(b);
        return 0;
    }
    int rc;
    for (int attempt = 1;; attempt++) {
        rc = og_pg_commit_batch(p->pg, p->run_id, b, &p->load, err);
        if (rc == 0 || err->klass != OG_CLASS_RETRY || attempt >= OG_COMMIT_ATTEMPTS ||
            (p->stop && *p->stop))
            break;
        og_warn(p->log, "loader",
                "commit of %zu records failed (%s); retrying in %d s (attempt %d of %d)", b->nrecs,
                err->message, attempt, attempt + 1, OG_COMMIT_ATTEMPTS);
        sleep((unsigned)attempt);
        struct og_error e2;
        og_error_clear(&e2);
        if (!og_pg_alive(p->pg) && og_pg_reconnect(p->pg, &e2) < 0)
            og_warn(p->log, "loader", "%s", e2.message);
    }
    og_batch_reset(b);
    return rc;
}

static int reject(struct og_batch *b, struct og_source_stats *st, const struct og_pos *pos,
                  const char *stage, const struct og_error *e, const char *raw)
{
    const char *field = NULL;
    char fbuf[64];
    if (strncmp(e->detail, "field=", 6) == 0 || strstr(e->detail, "field=")) {
        snprintf(fbuf, sizeof(fbuf), "%s", strstr(e->detail, "field=") + 6);
        fbuf[strcspn(fbuf, " ;,")] = '\0';
        field = fbuf;
    }
    st->rejected++;
    og_source_stats_count(st, e->reason[0] ? e->reason : "error");
    return og_batch_reject(b, pos, stage, e->reason, field, e->message, raw);
}

/* The two batches of a source: one filling on this thread, one committing on the loader thread. */
struct lanes {
    struct og_batch *b[2];
    int cur;
    struct og_handoff *h;
    struct og_buf tmp, mtmp; /* scratch for og_pg_prepare on this thread */
};

/* Hands the current batch to the loader and switches to the other one (idle by then). */
static int hand_over(struct lanes *l, struct og_error *err)
{
    int rc = og_handoff_submit(l->h, l->b[l->cur], err);
    if (rc == 0)
        l->cur ^= 1;
    return rc;
}

/* Maps and reconciles one raw record into b (or a reject). 0, or a fatal error. */
static int transform(struct og_pipeline *p, const struct og_source_cfg *sc,
                     const struct og_mapping *m, struct lanes *l, struct og_batch *b,
                     struct og_source_stats *st, const json_t *doc, const struct og_pos *pos,
                     struct og_error *err)
{
    struct og_error e;
    og_error_clear(&e);
    struct og_mapped mapped;
    struct og_unified *u = og_batch_add(b);
    if (!u)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory");
    const char *stage = "map";
    int r = og_mapping_apply(m, doc, b->arena, &mapped, &e);
    if (r == 0) {
        stage = "reconcile";
        r = og_reconcile(p->rec, m, sc->name, &mapped, pos, b->arena, u, &e);
    }
    if (r == 0) {
        char pbuf[512];
        u->position = og_arena_strdup(b->arena, og_pos_format(pos, pbuf, sizeof(pbuf)));
        u->pos.source = b->source;
        u->pos.input = b->key;
        st->records++;
        st->notes += mapped.notes;
        if (!u->position || (!p->dry_run && og_pg_prepare(u, b->arena, &l->tmp, &l->mtmp) < 0))
            return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory");
        return 0;
    }
    og_batch_drop_last(b);
    if (r != OG_EREJECT) {
        *err = e;
        if (r == OG_ENOMEM)
            og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory");
        return r;
    }
    char *text = json_dumps(doc, JSON_COMPACT);
    int rc = reject(b, st, pos, stage, &e, text);
    free(text);
    return rc < 0 ? og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory") : 0;
}

static void set_target(struct og_batch *b, const struct og_source_cfg *sc, const char *path,
                       const char *version)
{
    b->source = sc->name;
    b->kind = "file";
    b->key = path;
    b->version = version;
    b->done = false;
}

/* One file. Every batch of it is committed (or the run stops) before this returns. */
static int run_file(struct og_pipeline *p, const struct og_source_cfg *sc,
                    const struct og_mapping *m, const struct og_connector *c, const json_t *options,
                    const char *path, struct lanes *l, struct og_source_stats *st,
                    struct og_error *err)
{
    char version[65];
    int rc = og_file_sha256(path, version, err);
    if (rc < 0)
        return rc;
    long long resume = 0;
    if (p->pg && !p->dry_run) {
        bool found, done;
        if ((rc = og_pg_ledger_get(p->pg, sc->name, "file", path, version, &found, &resume, &done,
                                   err)) < 0)
            return rc;
        if (found && done) {
            st->files_skipped++;
            og_info(p->log, "run", "source=%s file=%s unchanged since it was loaded: skipped",
                    sc->name, path);
            return 0;
        }
        if (found && resume > 0) {
            st->files_resumed++;
            og_info(p->log, "run",
                    "source=%s file=%s resumes after record %lld (an earlier run stopped there)",
                    sc->name, path, resume);
        }
    }
    st->files++;
    void *state = NULL;
    if ((rc = c->open(path, options, &state, err)) < 0) {
        og_error_prefix(err, "source %s: ", sc->name);
        return rc;
    }
    set_target(l->b[0], sc, path, version);
    set_target(l->b[1], sc, path, version);
    struct progress pr = {now_s(), 0, 0};
    long long index = 0;
    for (;;) {
        struct og_batch *b = l->b[l->cur];
        if (p->stop && *p->stop) {
            rc =
                og_error_set(err, OG_EIO, OG_CLASS_FATAL, "interrupted", "interrupted by a signal");
            break;
        }
        json_t *doc = NULL;
        char *raw = NULL;
        struct og_pos pos;
        memset(&pos, 0, sizeof(pos));
        pos.partition = -1;
        struct og_error e;
        og_error_clear(&e);
        int r = c->next(state, &doc, &pos, &raw, &e);
        if (r == 0)
            break;
        if (r < 0 && r != OG_EREJECT) {
            *err = e;
            og_error_prefix(err, "source %s: ", sc->name);
            rc = r;
            break;
        }
        pos.source = sc->name;
        pos.input = path;
        pos.index = index++;
        if (index > resume) { /* records up to resume were committed by an earlier run */
            st->read++;
            if (r == OG_EREJECT)
                rc = reject(b, st, &pos, "read", &e, raw) < 0
                         ? og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory")
                         : 0;
            else
                rc = transform(p, sc, m, l, b, st, doc, &pos, err);
        }
        json_decref(doc);
        free(raw);
        if (rc < 0)
            break;
        if ((long long)og_batch_size(b) >= p->batch_size) {
            b->position = index;
            if ((rc = hand_over(l, err)) < 0)
                break;
        }
        show_progress(p, &pr, sc->name, path, c, state, index, false);
    }
    struct og_batch *b = l->b[l->cur];
    b->position = index;
    if (rc == 0) {
        b->done = true;
        rc = hand_over(l, err);
        show_progress(p, &pr, sc->name, path, c, state, index, true);
    }
    else if (!strcmp(err->reason, "interrupted")) {
        /* keep what was read: commit the partial batch with its position, not done */
        struct og_error e2;
        hand_over(l, &e2);
    }
    struct og_error e3;
    og_error_clear(&e3);
    int drc = og_handoff_drain(l->h, &e3);
    if (rc == 0 && drc < 0) {
        rc = drc;
        *err = e3;
    }
    c->close(state);
    og_batch_reset(l->b[0]);
    og_batch_reset(l->b[1]);
    return rc;
}

int og_pipeline_source(struct og_pipeline *p, const struct og_source_cfg *sc,
                       const struct og_mapping *m, struct og_source_stats *st, struct og_error *err)
{
    const char *cname = sc->connector ? sc->connector : og_mapping_connector(m);
    const struct og_connector *c = og_registry_connector(cname);
    if (!c)
        return og_error_set(
            err, OG_ECONFIG, OG_CLASS_FATAL, "bad_config",
            "source %s: unknown connector \"%s\" (known: csv, json, ndjson)", sc->name,
            cname ? cname
                  : "(none: set \"connector\" in the source or input.connector in the mapping)");
    json_t *options = json_deep_copy(og_mapping_input_options(m));
    if (sc->options)
        json_object_update(options, sc->options);
    struct lanes l = {{og_batch_create(), og_batch_create()}, 0, NULL, OG_BUF_INIT, OG_BUF_INIT};
    if (!options || !l.b[0] || !l.b[1] || og_handoff_start(commit, p, &l.h) < 0) {
        json_decref(options);
        og_batch_destroy(l.b[0]);
        og_batch_destroy(l.b[1]);
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory");
    }
    int rc = 0;
    for (size_t i = 0; i < sc->ninputs && rc == 0; i++) {
        glob_t g;
        int gr = glob(sc->inputs[i], 0, NULL, &g);
        if (gr == GLOB_NOMATCH) {
            st->unmatched_inputs++;
            og_warn(p->log, "run", "source=%s input \"%s\" matches no file", sc->name,
                    sc->inputs[i]);
            continue;
        }
        if (gr != 0) {
            rc = og_error_set(err, OG_EIO, OG_CLASS_FATAL, "io",
                              "source %s: could not expand \"%s\"", sc->name, sc->inputs[i]);
            break;
        }
        for (size_t k = 0; k < g.gl_pathc && rc == 0; k++) {
            char *real = realpath(g.gl_pathv[k], NULL);
            rc = run_file(p, sc, m, c, options, real ? real : g.gl_pathv[k], &l, st, err);
            free(real);
        }
        globfree(&g);
    }
    og_handoff_stop(l.h);
    og_buf_free(&l.tmp);
    og_buf_free(&l.mtmp);
    og_batch_destroy(l.b[0]);
    og_batch_destroy(l.b[1]);
    json_decref(options);
    return rc;
}
