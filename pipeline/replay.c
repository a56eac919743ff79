/* replay.c - open rejects read again from etl_reject through the current mapping, as a run. */
#include "pipeline/replay.h"
#include "loader/scope.h"

#include "loader/sources.h"

#include "core/world.h"
#include "pipeline/loop.h"
#include "pipeline/sink.h"
#include "pipeline/step.h"
#include "transform/links.h"
#include "transform/mapping.h"
#include "transform/reconcile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A batch whose commit fails with a retriable error is tried this often (as in a run). */
#define REPLAY_COMMIT_ATTEMPTS 5
/* Rejects fetched per query (raw is at most 64 KiB each). */
#define REPLAY_PAGE "256"
/* The advisory lock one replay at a time holds (class, key; the run lock's class is 7340332). */
#define REPLAY_LOCK "SELECT pg_try_advisory_lock(7340333, 1)"

/* ---- what can be replayed (pure) ---- */

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

bool og_replay_masked(const char *text)
{
    if (!text)
        return false;
    size_t n = strlen(text);
    for (size_t i = 6; i < n; i++) {
        if (text[i] != '*' || text[i - 1] == '*')
            continue; /* only the first star of a run */
        size_t before = 0, stars = 0;
        while (before < 6 && digit(text[i - 1 - before]))
            before++;
        while (i + stars < n && text[i + stars] == '*')
            stars++;
        const char *q = text + i + stars;
        bool tail = digit(q[0]) && digit(q[1]) && digit(q[2]) &&
                    (digit(q[3]) || q[3] == 'X' || q[3] == 'x');
        if (before == 6 && stars >= 5 && stars <= 8 && tail)
            return true;
    }
    return false;
}

enum og_replay_verdict og_replay_check(const char *stage, const char *raw, json_t **doc)
{
    if (doc)
        *doc = NULL;
    if (!stage || strcmp(stage, "read") == 0)
        return OG_REPLAY_READ_STAGE;
    if (!raw || !*raw)
        return OG_REPLAY_NO_RAW;
    if (og_replay_masked(raw))
        return OG_REPLAY_MASKED;
    json_error_t jerr;
    json_t *d = json_loads(raw, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(d)) {
        json_decref(d);
        return OG_REPLAY_BAD_RAW;
    }
    if (doc)
        *doc = d;
    else
        json_decref(d);
    return OG_REPLAY_OK;
}

const char *og_replay_verdict_name(enum og_replay_verdict v)
{
    static const char *const NAMES[] = {"",       "read_stage", "no_raw",
                                        "masked", "bad_raw",    "no_source"};
    return (unsigned)v < OG_REPLAY__COUNT ? NAMES[v] : "?";
}

const char *og_replay_verdict_text(enum og_replay_verdict v)
{
    static const char *const TEXTS[] = {
        "",
        "the record could not be read as sent, which no mapping can fix: the department sends it "
        "again",
        "no raw text was kept for it",
        "identity numbers in it were masked when it was stored: the record as sent is gone "
        "(the department sends it again)",
        "its raw text is not a JSON object (cut at 64 KiB)",
        "its source is not in the configuration",
    };
    return (unsigned)v < OG_REPLAY__COUNT ? TEXTS[v] : "?";
}

void og_replay_pos(const char *input, const char *version, const char *position, long long line,
                   long long byte_offset, long long record_index, char *topic, size_t size,
                   struct og_pos *pos)
{
    memset(pos, 0, sizeof(*pos));
    pos->input = input;
    pos->version = version;
    pos->line = line;
    pos->offset = byte_offset;
    pos->index = record_index;
    pos->partition = -1;
    const char *colon = input ? strrchr(input, ':') : NULL;
    if (!colon || !position || colon[1] == '\0' || (size_t)(colon - input) >= size)
        return;
    char *end;
    long part = strtol(colon + 1, &end, 10);
    if (*end || part < 0 || part > 1000000 || colon[1] < '0' || colon[1] > '9')
        return;
    snprintf(topic, size, "%.*s", (int)(colon - input), input);
    char expect[600];
    snprintf(expect, sizeof(expect), "%s[%ld]@%lld", topic, part, record_index);
    if (strcmp(expect, position) != 0)
        return;
    pos->input = topic;
    pos->version = "";
    pos->line = 0;
    pos->offset = record_index;
    pos->partition = (int)part;
}

/* ---- reading open rejects, a page at a time ---- */

static const char PAGE_SQL[] =
    "SELECT json_agg(x ORDER BY reject_id)::text FROM (SELECT reject_id, run_id, source, input, "
    "version, record_index, line, byte_offset, position, stage, reason, raw "
    "FROM onegrid.etl_reject WHERE replayed_at IS NULL AND reject_id > $1::bigint "
    "AND reject_id <= $2::bigint AND ($3::bigint IS NULL OR run_id = $3::bigint) "
    "AND ($4::text IS NULL OR source = $4) AND ($5::text IS NULL OR reason = $5) "
    "AND ($6::text IS NULL OR stage = $6) ORDER BY reject_id LIMIT " REPLAY_PAGE ") x";

/* The filters as query parameters (strings borrowed, numbers as text here). */
struct filter {
    char run[24];    /* "" = any */
    char max_id[24]; /* rejects written after the replay began are not looked at */
    const char *source, *reason, *stage;
};

struct cursor {
    struct og_pg *pg; /* borrowed */
    const struct filter *f;
    long long after; /* the last reject_id handed out */
    json_t *page;
    size_t i;
    bool end;
};

static const char *str(const json_t *row, const char *key)
{
    return json_string_value(json_object_get(row, key));
}

static long long num(const json_t *row, const char *key)
{
    return (long long)json_integer_value(json_object_get(row, key));
}

/* The next open reject: 1 with *row borrowed until the next call, 0 at the end, or an error. */
static int cursor_next(struct cursor *c, const json_t **row, struct og_error *err)
{
    while (!c->end && (!c->page || c->i >= json_array_size(c->page))) {
        char after[24];
        snprintf(after, sizeof(after), "%lld", c->after);
        const char *p[] = {after,        c->f->max_id, c->f->run[0] ? c->f->run : NULL,
                           c->f->source, c->f->reason, c->f->stage};
        char *text = NULL;
        if (og_pg_query_value(c->pg, PAGE_SQL, 6, p, &text, err) < 0) {
            og_error_prefix(err, "cannot read the rejects to replay: ");
            return OG_EDB;
        }
        json_decref(c->page);
        c->page = NULL;
        c->i = 0;
        if (!text) {
            c->end = true;
            break;
        }
        json_error_t jerr;
        c->page = json_loads(text, 0, &jerr);
        free(text);
        if (!json_is_array(c->page))
            return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_DB,
                                "cannot read the rejects to replay: %s", jerr.text);
    }
    if (c->end)
        return 0;
    *row = json_array_get(c->page, c->i++);
    c->after = num(*row, "reject_id");
    return 1;
}

static void cursor_free(struct cursor *c)
{
    json_decref(c->page);
    c->page = NULL;
}

/* ---- the rejects of one source as a source the run loop reads ---- */

/* Options: {"dsn", "run", "max_id", "reason", "stage", "total"} (the loop passes the name). */
static const struct og_option_doc REPLAY_OPTIONS[] = {{NULL, NULL, NULL, NULL}};

struct rsource {
    struct og_pg *pg; /* owned: its own connection (the loader thread commits on the run's) */
    struct filter f;
    struct cursor c;
    char *source, *reason, *stage; /* owned copies */
    char key[24];                  /* the reject being replayed, as its mark's key */
    char topic[256];
    long long done, total;
};

static void rsource_close(void *state)
{
    struct rsource *s = state;
    if (!s)
        return;
    cursor_free(&s->c);
    og_pg_close(s->pg);
    free(s->source);
    free(s->reason);
    free(s->stage);
    free(s);
}

static char *dup_opt(const json_t *options, const char *key)
{
    const char *v = json_string_value(json_object_get(options, key));
    return v ? strdup(v) : NULL;
}

static int rsource_open(const char *name, const json_t *options, const struct og_source_host *host,
                        bool follow, void **state, struct og_error *err)
{
    (void)host;
    (void)follow;
    *state = NULL;
    struct rsource *s = calloc(1, sizeof(*s));
    if (!s || !(s->source = strdup(name)))
        goto nomem;
    s->reason = dup_opt(options, "reason");
    s->stage = dup_opt(options, "stage");
    if ((json_is_string(json_object_get(options, "reason")) && !s->reason) ||
        (json_is_string(json_object_get(options, "stage")) && !s->stage))
        goto nomem;
    long long run = (long long)json_integer_value(json_object_get(options, "run"));
    if (run > 0)
        snprintf(s->f.run, sizeof(s->f.run), "%lld", run);
    snprintf(s->f.max_id, sizeof(s->f.max_id), "%lld",
             (long long)json_integer_value(json_object_get(options, "max_id")));
    s->f.source = s->source;
    s->f.reason = s->reason;
    s->f.stage = s->stage;
    s->total = (long long)json_integer_value(json_object_get(options, "total"));
    if (og_pg_connect(json_string_value(json_object_get(options, "dsn")), &s->pg, err) < 0) {
        rsource_close(s);
        return OG_EDB;
    }
    s->c = (struct cursor){.pg = s->pg, .f = &s->f};
    *state = s;
    return 0;
nomem:
    rsource_close(s);
    return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
}

/* The next replayable reject as a record, its mark keyed by its reject_id. Those that cannot be
 * replayed were listed before the run and are passed over here. */
static int rsource_next(void *state, struct og_read *r, struct og_error *err)
{
    struct rsource *s = state;
    for (;;) {
        const json_t *row;
        int rc = cursor_next(&s->c, &row, err);
        if (rc <= 0)
            return rc == 0 ? OG_READ_END : rc;
        json_t *doc;
        if (og_replay_check(str(row, "stage"), str(row, "raw"), &doc) != OG_REPLAY_OK)
            continue;
        og_replay_pos(str(row, "input"), str(row, "version"), str(row, "position"),
                      num(row, "line"), num(row, "byte_offset"), num(row, "record_index"), s->topic,
                      sizeof(s->topic), &r->pos);
        snprintf(s->key, sizeof(s->key), "%lld", num(row, "reject_id"));
        r->doc = doc;
        r->kind = OG_PG_REPLAY_KIND;
        r->key = s->key;
        r->version = "";
        r->next = 1;
        s->done++;
        return OG_READ_RECORD;
    }
}

static void rsource_progress(void *state, const char **label, long long *done, long long *total)
{
    struct rsource *s = state;
    *label = "rejects";
    *done = s->done;
    *total = s->total;
}

static const struct og_source_ops REPLAY_SOURCE = {
    .name = "replay",
    .summary = "the open rejects of a source, read again from onegrid.etl_reject",
    .options = REPLAY_OPTIONS,
    .open = rsource_open,
    .next = rsource_next,
    .progress = rsource_progress,
    .close = rsource_close,
};

/* ---- the replay ---- */

void og_replay_result_free(struct og_replay_result *res)
{
    if (!res)
        return;
    free(res->sources);
    free(res->skips);
    memset(res, 0, sizeof(*res));
}

static int nomem(struct og_error *err)
{
    return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
}

/* What the replay holds while it runs. */
struct replay {
    const struct og_job_env *env;
    const struct og_config *cfg;
    const struct og_replay_opts *o;
    struct og_replay_result *res;
    struct og_pg *pg;
    struct filter f;
    long long max_id;
    struct og_reconciler *rec;
    struct og_links links; /* the config's link rules: replayed events are linked as in a run */
};

/* The filters: a known reason of kind record, a stage a mapping can change. OG_ECONFIG. */
static int check_opts(const struct og_replay_opts *o, struct og_error *err)
{
    if (o->run_id <= 0 && !o->source)
        return og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                            "say which rejects to replay: --run RUN_ID or --source NAME");
    if (o->reason) {
        int r = og_reason_parse(o->reason);
        if (r <= 0 || og_reason_kind((enum og_reason)r) != OG_RK_RECORD) {
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                         "\"%s\" is not a reason code records are rejected with", o->reason);
            og_error_hint(err, "`onegrid rejects --reasons` lists them");
            return OG_ECONFIG;
        }
    }
    if (o->stage && strcmp(o->stage, "map") != 0 && strcmp(o->stage, "reconcile") != 0 &&
        strcmp(o->stage, "load") != 0) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     "cannot replay rejects of stage \"%s\"", o->stage);
        if (strcmp(o->stage, "read") == 0)
            og_error_detail(err, "a record rejected at read could not be read as sent, and no "
                                 "mapping can change that");
        og_error_hint(err, "--stage is map, reconcile or load");
        return OG_ECONFIG;
    }
    return 0;
}

/* The warehouse: a schema with replay columns, the lock one replay at a time holds, and the last
 * reject there is now (rejects written afterwards, the replay's own, are not looked at). */
static enum og_job_status open_warehouse(struct replay *rp, struct og_error *err)
{
    if (og_pg_connect(rp->cfg->dsn, &rp->pg, err) < 0)
        return OG_JOB_FAILED;
    int version = 0;
    if (og_pg_schema_version(rp->pg, &version, err) < 0)
        return OG_JOB_FAILED;
    char *v = NULL;
    if (version > 0 &&
        og_pg_query_value(rp->pg,
                          "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
                          "'onegrid' AND table_name = 'etl_reject' AND column_name = 'replayed_at'",
                          0, NULL, &v, err) < 0)
        return OG_JOB_FAILED;
    bool ready = v && strcmp(v, "1") == 0;
    free(v);
    if (!ready) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     version ? "the warehouse schema predates replay"
                             : "the warehouse has no onegrid schema");
        og_error_hint(err, "run `onegrid init` first");
        return OG_JOB_BAD_CONFIG;
    }
    if (!rp->o->dry_run) {
        if (og_pg_query_value(rp->pg, REPLAY_LOCK, 0, NULL, &v, err) < 0)
            return OG_JOB_FAILED;
        bool locked = v && v[0] == 't';
        free(v);
        if (!locked) {
            og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_NONE,
                         "another replay is running on this warehouse");
            og_error_hint(err, "wait for it to finish, then run this one again");
            return OG_JOB_FAILED;
        }
    }
    if (og_pg_query_value(rp->pg, "SELECT coalesce(max(reject_id), 0) FROM onegrid.etl_reject", 0,
                          NULL, &v, err) < 0)
        return OG_JOB_FAILED;
    rp->max_id = v ? atoll(v) : 0;
    free(v);
    return OG_JOB_SUCCEEDED;
}

/* The entry of source name in the result, added when new; NULL on out of memory. */
static struct og_replay_source *source_entry(struct og_replay_result *res, const char *name,
                                             size_t *cap)
{
    for (size_t i = 0; i < res->nsources; i++)
        if (strncmp(res->sources[i].name, name, sizeof(res->sources[i].name) - 1) == 0)
            return &res->sources[i];
    if (res->nsources == *cap) {
        size_t n = *cap ? *cap * 2 : 8;
        struct og_replay_source *p = realloc(res->sources, n * sizeof(*p));
        if (!p)
            return NULL;
        res->sources = p;
        *cap = n;
    }
    struct og_replay_source *s = &res->sources[res->nsources++];
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "%s", name);
    return s;
}

static void skip(struct og_replay_result *res, const json_t *row, enum og_replay_verdict why)
{
    res->not_replayable++;
    res->by_verdict[why]++;
    if (res->nskips >= OG_REPLAY_MAX_LISTED)
        return;
    struct og_replay_skip *k = &res->skips[res->nskips++];
    memset(k, 0, sizeof(*k));
    k->reject_id = num(row, "reject_id");
    k->run_id = num(row, "run_id");
    snprintf(k->source, sizeof(k->source), "%s", str(row, "source") ? str(row, "source") : "");
    snprintf(k->position, sizeof(k->position), "%s",
             str(row, "position") ? str(row, "position") : "");
    snprintf(k->stage, sizeof(k->stage), "%s", str(row, "stage") ? str(row, "stage") : "");
    snprintf(k->reason, sizeof(k->reason), "%s", str(row, "reason") ? str(row, "reason") : "");
    k->why = why;
}

/* Reads every reject selected once: counts them per source and lists those that cannot be
 * replayed (before anything is written, so a dry run shows the same). */
static int plan(struct replay *rp, struct og_error *err)
{
    struct og_replay_result *res = rp->res;
    res->skips = calloc(OG_REPLAY_MAX_LISTED, sizeof(*res->skips));
    if (!res->skips)
        return nomem(err);
    size_t cap = 0;
    struct cursor c = {.pg = rp->pg, .f = &rp->f};
    const json_t *row;
    int rc;
    while ((rc = cursor_next(&c, &row, err)) == 1) {
        const char *name = str(row, "source") ? str(row, "source") : "";
        struct og_replay_source *s = source_entry(res, name, &cap);
        if (!s) {
            rc = nomem(err);
            break;
        }
        s->selected++;
        res->selected++;
        enum og_replay_verdict v = og_config_source(rp->cfg, name)
                                       ? og_replay_check(str(row, "stage"), str(row, "raw"), NULL)
                                       : OG_REPLAY_NO_SOURCE;
        if (v != OG_REPLAY_OK) {
            s->not_replayable++;
            skip(res, row, v);
        }
    }
    cursor_free(&c);
    for (size_t i = 0; i < res->nsources; i++)
        res->sources[i].st.name = res->sources[i].name;
    return rc;
}

/* The mappings of the sources with something to replay (maps[i] for res->sources[i]), and the
 * identity key when one of them needs it. OG_ECONFIG on a mistake. */
static int load_mappings(struct replay *rp, struct og_mapping **maps, struct og_error *err)
{
    bool need_key = false;
    for (size_t i = 0; i < rp->res->nsources; i++) {
        const struct og_replay_source *s = &rp->res->sources[i];
        if (s->selected == s->not_replayable)
            continue;
        const struct og_source_cfg *sc = og_config_source(rp->cfg, s->name);
        if (og_mapping_load(sc->mapping, &maps[i], err) < 0) {
            og_error_prefix(err, "source %s: ", s->name);
            return OG_ECONFIG;
        }
        need_key = need_key || og_mapping_uses_identity(maps[i]);
    }
    if (need_key && !rp->env->key) {
        if (rp->env->key_err)
            *err = *rp->env->key_err;
        else
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_KEY,
                         "no ID hashing key configured");
        og_error_prefix(err, "the mappings read identity numbers, stored only as keyed hashes: ");
        return OG_ECONFIG;
    }
    return 0;
}

/* The world and the taxonomy, as a run reconciles with them. */
static enum og_job_status open_reconciler(struct replay *rp, struct og_error *err)
{
    struct og_world world;
    if (og_pg_world_fetch(rp->pg, &world, err) < 0)
        return OG_JOB_FAILED;
    int rc = og_reconciler_create(&world, rp->cfg->taxonomy, rp->env->key, &rp->rec, err);
    og_world_free(&world);
    if (rc == 0 && rp->cfg->links)
        rc = og_links_load(rp->cfg->links, &rp->links, err);
    if (rc < 0)
        return err->code == OG_ECONFIG ? OG_JOB_BAD_CONFIG : OG_JOB_FAILED;
    return OG_JOB_SUCCEEDED;
}

/* Replays source s's rejects with mapping m through the run loop into the warehouse (or nowhere,
 * in a dry run). */
static int replay_source(struct replay *rp, struct og_replay_source *s, const struct og_mapping *m,
                         struct og_error *err)
{
    const struct og_replay_opts *o = rp->o;
    struct og_pg_sink sink_ctx = {
        .pg = rp->pg, .run_id = rp->res->run_id, .links = rp->links.nrules ? &rp->links : NULL};
    struct og_sink sink;
    og_pg_sink_init(&sink, &sink_ctx);
    struct og_pipeline p = {.sink = o->dry_run ? NULL : &sink,
                            .log = rp->env->log,
                            .batch_size = rp->cfg->batch_size,
                            .progress = o->progress,
                            .stop = rp->env->stop,
                            .commit_attempts = REPLAY_COMMIT_ATTEMPTS,
                            .retry_delay_s = 1,
                            .linger_ms = 1000};
    const struct og_source_cfg *sc = og_config_source(rp->cfg, s->name);
    struct og_step step = {m, rp->rec, sc->name, NULL};
    json_t *opts =
        json_pack("{s:s?, s:I, s:I, s:s?, s:s?, s:I}", "dsn", rp->cfg->dsn, "run",
                  (json_int_t)o->run_id, "max_id", (json_int_t)rp->max_id, "reason", o->reason,
                  "stage", o->stage, "total", (json_int_t)(s->selected - s->not_replayable));
    if (!opts)
        return nomem(err);
    /* a replay loads the source: not while a run or stream is loading it */
    bool got = true;
    char holder[256];
    int rc = o->dry_run ? 0
                        : og_pg_source_lock(rp->pg, sc->name, 0, rp->env->stop, &got, holder,
                                            sizeof(holder), err);
    if (rc == 0 && !got) {
        rc = og_error_set(err, OG_EAGAIN, OG_CLASS_FATAL, OG_R_LOCKED,
                          "source %s is being loaded by another run%s%s: not replayed now",
                          sc->name, holder[0] ? ", " : "", holder);
        og_error_hint(err, "replay it when that run has finished");
    }
    if (rc == 0)
        rc = og_pipeline_source(&p, sc->name, &REPLAY_SOURCE, opts, &step, &s->st, err);
    if (got && !o->dry_run) {
        struct og_error e2;
        og_error_clear(&e2);
        og_pg_source_unlock(rp->pg, sc->name, &e2);
    }
    json_decref(opts);
    struct og_replay_result *res = rp->res;
    res->replayed += s->st.read;
    res->loaded += s->st.records;
    res->rejected += s->st.rejected;
    res->load.inserted += p.load.inserted;
    res->load.updated += p.load.updated;
    res->load.unchanged += p.load.unchanged;
    res->load.history += p.load.history;
    res->load.members += p.load.members;
    res->load.rejects += p.load.rejects;
    res->load.health += p.load.health;
    og_info(rp->env->log, "replay",
            "source=%s selected=%lld not_replayable=%lld replayed=%lld loaded=%lld "
            "rejected=%lld",
            s->name, s->selected, s->not_replayable, s->st.read, s->st.records, s->st.rejected);
    return rc;
}

/* The replay's counts as JSON text for etl_run.counts (new, free()), or NULL on out of memory;
 * "read", "records" and "rejected" as a run has them (onegrid status shows them). */
static char *counts_json(const struct replay *rp)
{
    const struct og_replay_result *res = rp->res;
    const struct og_replay_opts *o = rp->o;
    json_t *srcs = json_object();
    for (size_t i = 0; srcs && i < res->nsources; i++) {
        const struct og_replay_source *s = &res->sources[i];
        json_t *reasons = json_object();
        for (int k = 0; reasons && k < s->st.nreasons; k++)
            json_object_set_new(reasons, og_reason_name(s->st.reasons[k].reason),
                                json_integer(s->st.reasons[k].n));
        json_object_set_new(srcs, s->name,
                            json_pack("{s:I, s:I, s:I, s:I, s:I, s:o*}", "selected",
                                      (json_int_t)s->selected, "not_replayable",
                                      (json_int_t)s->not_replayable, "read", (json_int_t)s->st.read,
                                      "records", (json_int_t)s->st.records, "rejected",
                                      (json_int_t)s->st.rejected, "reasons", reasons));
    }
    json_t *filter = json_pack("{s:o, s:s?, s:s?, s:s?}", "run",
                               o->run_id > 0 ? json_integer(o->run_id) : json_null(), "source",
                               o->source, "reason", o->reason, "stage", o->stage);
    json_t *doc = json_pack(
        "{s:o*, s:o*, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "replay", filter,
        "sources", srcs, "selected", (json_int_t)res->selected, "not_replayable",
        (json_int_t)res->not_replayable, "read", (json_int_t)res->replayed, "records",
        (json_int_t)res->loaded, "rejected", (json_int_t)res->rejected, "inserted",
        (json_int_t)res->load.inserted, "updated", (json_int_t)res->load.updated, "unchanged",
        (json_int_t)res->load.unchanged, "history", (json_int_t)res->load.history, "members",
        (json_int_t)res->load.members, "rejects_written", (json_int_t)res->load.rejects);
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(doc);
    return text;
}

/* Replays every source with something to replay, in a run unless dry. */
static enum og_job_status replay_all(struct replay *rp, struct og_mapping **maps,
                                     struct og_error *err)
{
    const struct og_replay_opts *o = rp->o;
    struct og_replay_result *res = rp->res;
    if (!o->dry_run && og_pg_run_begin(rp->pg, "replay", OG_VERSION, &res->run_id, err) < 0)
        return OG_JOB_FAILED;
    og_info(rp->env->log, "replay", "run %lld started: %lld rejects to replay%s", res->run_id,
            res->selected - res->not_replayable,
            o->dry_run ? " (dry run: nothing is written)" : "");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < res->nsources; i++)
        if (maps[i])
            rc = replay_source(rp, &res->sources[i], maps[i], err);
    enum og_job_status status;
    double ratio = res->replayed ? (double)res->rejected / (double)res->replayed : 0;
    if (rc < 0)
        status = err->code == OG_ECONFIG ? OG_JOB_BAD_CONFIG : OG_JOB_FAILED;
    else if (rp->cfg->max_reject_ratio >= 0 && ratio > rp->cfg->max_reject_ratio) {
        og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_NONE,
                     "%lld of %lld records replayed were rejected again (%.1f%%), over "
                     "max_reject_ratio %.1f%%",
                     res->rejected, res->replayed, 100.0 * ratio,
                     100.0 * rp->cfg->max_reject_ratio);
        og_error_hint(err, "see them with `onegrid rejects --run %lld`", res->run_id);
        status = OG_JOB_REJECTS_EXCEEDED;
    }
    else
        status = OG_JOB_SUCCEEDED;
    if (o->dry_run)
        return status;
    char *counts = counts_json(rp);
    struct og_error e2;
    og_error_clear(&e2);
    if (!og_pg_alive(rp->pg))
        og_pg_reconnect(rp->pg, &e2);
    long long folded = 0;
    if (og_pg_fold_daily(rp->pg, &folded, &e2) < 0) { /* the day counts follow what it loaded */
        og_warn(rp->env->log, "loader", "%s (the next run folds them)", e2.message);
        og_error_clear(&e2);
    }
    if (og_pg_run_finish(rp->pg, res->run_id, og_job_status_name(status), counts,
                         rc < 0 ? err->message : NULL, &e2) < 0) {
        if (status == OG_JOB_SUCCEEDED) {
            *err = e2;
            status = OG_JOB_FAILED;
        }
        else
            og_warn(rp->env->log, "loader", "%s", e2.message);
    }
    free(counts);
    return status;
}

enum og_job_status og_replay_run(const struct og_job_env *env, const struct og_config *cfg,
                                 const struct og_replay_opts *o, struct og_replay_result *res,
                                 struct og_error *err)
{
    memset(res, 0, sizeof(*res));
    struct replay rp = {.env = env, .cfg = cfg, .o = o, .res = res};
    struct og_mapping **maps = NULL;
    enum og_job_status status = OG_JOB_BAD_CONFIG;
    if (check_opts(o, err) < 0)
        goto out;
    if (o->source && !og_config_source(cfg, o->source)) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     "no source named \"%s\" in %s", o->source,
                     cfg->path ? cfg->path : "the configuration");
        og_error_hint(err, "rejects are replayed through the mapping of their configured source");
        goto out;
    }
    if (o->run_id > 0)
        snprintf(rp.f.run, sizeof(rp.f.run), "%lld", o->run_id);
    rp.f.source = o->source;
    rp.f.reason = o->reason;
    rp.f.stage = o->stage;
    if ((status = open_warehouse(&rp, err)) != OG_JOB_SUCCEEDED)
        goto out;
    snprintf(rp.f.max_id, sizeof(rp.f.max_id), "%lld", rp.max_id);
    status = OG_JOB_FAILED;
    if (plan(&rp, err) < 0)
        goto out;
    og_info(env->log, "replay", "%lld open rejects selected: %lld to replay, %lld not replayable",
            res->selected, res->selected - res->not_replayable, res->not_replayable);
    if (res->selected == res->not_replayable) {
        status = OG_JOB_SUCCEEDED;
        goto out;
    }
    if (!(maps = calloc(res->nsources, sizeof(*maps)))) {
        nomem(err);
        goto out;
    }
    if (load_mappings(&rp, maps, err) < 0) {
        status = OG_JOB_BAD_CONFIG;
        goto out;
    }
    if ((status = open_reconciler(&rp, err)) != OG_JOB_SUCCEEDED)
        goto out;
    status = replay_all(&rp, maps, err);
out:
    res->status = status;
    for (size_t i = 0; maps && i < res->nsources; i++)
        og_mapping_destroy(maps[i]);
    free(maps);
    og_reconciler_destroy(rp.rec);
    og_links_free(&rp.links);
    og_pg_close(rp.pg);
    return status;
}
