/* feed.c - libFuzzer target, one per shipped department mapping: arbitrary bytes as that feed's
 * input, through the record path a run takes: the mapping's connector with its input options
 * (resolved and checked by og_feed_resolve, as `onegrid run` does), then the record step
 * (og_step_take: the mapping applied, the record reconciled against the Jinping world: grid
 * crosswalks and placement, times, identities validated, hashed and masked) into a batch.
 *
 * Not a target by itself: tests/fuzz/Makefile.fuzz builds it once per mapping as
 * build-fuzz/bin/fuzz_feed_<feed> with -DOG_FUZZ_MAPPING='"mappings/<dept>/<file>.json"'. The
 * mapping, taxonomy, crosswalks and world are read from the repo root once (or from
 * ONEGRID_FUZZ_ROOT).
 * The input, by the mapping's connector:
 * - csv, json, ndjson, xml: the file itself (read from a memfd), verified first when the connector
 *   can tell a cut file, as a run does;
 * - kafka: one message a line, as kcat -K'\t' prints them ("key<TAB>value"; no TAB: no key), each
 *   decoded by og_kafka_decode (topic: the mapping's first, partition 0, offset: the line);
 * - pgsql: a pulled result set as COPY text: the first line names the columns (TAB-separated), each
 *   further line is a row (\N is NULL; \t \n \r \\ unescaped; a NUL ends a value, as PostgreSQL
 *   text holds none). The rows go into a result set made without a server (PQmakeEmptyPGresult,
 *   PQsetvalue) and through the pull's own og_pgsql_row_doc; a value that is not UTF-8 makes the
 *   row a reject bad_encoding, as the pull does. Include columns "_op" and "_commit_time" for what
 * logical replication adds. Checks: the connector yields records, rejects with a reason, or rejects
 * the file as a whole (class reject); the step loads the record or appends a reject (never fails
 * otherwise); a loaded record has the kind, ids, department and placement the warehouse needs
 * (codes of the right length, a point inside WGS-84), attrs is a JSON object, every text is valid
 * UTF-8; a reject's message, field and raw text are valid UTF-8 and hold no run of 15 to 18 digits
 * (a raw identity number). Leaks are found by the sanitizer. */
#include "connectors/kafka.h"
#include "connectors/pgsql.h"
#include "core/batch.h"
#include "core/world.h"
#include "pipeline/step.h"
#include "transform/mapping.h"
#include "transform/reconcile.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_input.h"

#ifndef OG_FUZZ_MAPPING
#error "build with -DOG_FUZZ_MAPPING='\"mappings/<dept>/<file>.json\"' (tests/fuzz/Makefile.fuzz)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct og_mapping *mapping;
static struct og_reconciler *rec;
static struct og_feed feed;
static struct og_batch *batch;
static struct og_step step;
static bool trace; /* FUZZ_FEED_TRACE set: each outcome on stderr (to check what seeds reach) */

static void cleanup(void)
{
    og_batch_destroy(batch);
    og_feed_release(&feed);
    og_reconciler_destroy(rec);
    og_mapping_destroy(mapping);
}

static void setup(void)
{
    const char *root = getenv("ONEGRID_FUZZ_ROOT");
    if (!root)
        root = ".";
    char path[PATH_MAX], world_dir[PATH_MAX], xw[PATH_MAX], tax[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", root, OG_FUZZ_MAPPING);
    snprintf(world_dir, sizeof(world_dir), "%s/world/jinping", root);
    snprintf(xw, sizeof(xw), "%s/mappings/crosswalks", root);
    snprintf(tax, sizeof(tax), "%s/mappings/taxonomy/categories.csv", root);
    struct og_error err;
    og_error_clear(&err);
    struct og_world w;
    memset(&w, 0, sizeof(w));
    struct og_id_key key;
    if (og_mapping_load(path, &mapping, &err) != 0 ||
        og_world_read_dir(world_dir, xw, &w, &err) != 0 ||
        og_id_key_set(&key, "fuzz-key-0123456789abcdef0123456789", 35) != 0 ||
        og_reconciler_create(&w, tax, &key, &rec, &err) != 0 ||
        og_feed_resolve(mapping, NULL, NULL, &feed, &err) != 0 || !(batch = og_batch_create())) {
        fprintf(stderr, "fuzz_feed (%s): setup failed (run from the repo root): %s %s\n",
                OG_FUZZ_MAPPING, err.message, err.detail);
        exit(1);
    }
    og_world_free(&w);
    batch->source = "fuzz";
    trace = getenv("FUZZ_FEED_TRACE") != NULL;
    step.mapping = mapping;
    step.rec = rec;
    step.source = "fuzz";
    atexit(cleanup);
}

/* The first run of 15 to 18 digits in s (an identity number left in the clear), or NULL. The
 * fraction of a decimal number (after a digit and '.') does not count: rejects keep those. */
static const char *id_run(const char *s)
{
    for (const char *p = s; p && *p;) {
        if (*p < '0' || *p > '9') {
            p++;
            continue;
        }
        const char *q = p;
        while (*q >= '0' && *q <= '9')
            q++;
        size_t n = (size_t)(q - p);
        bool fraction = p - s >= 2 && p[-1] == '.' && p[-2] >= '0' && p[-2] <= '9';
        if (n >= 15 && n <= 18 && *q != 'X' && *q != 'x' && !fraction)
            return p;
        p = q;
    }
    return NULL;
}

static bool digits(const char *s, size_t n)
{
    if (!s)
        return true; /* absent is fine */
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static void need(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_feed (%s): %s\n", OG_FUZZ_MAPPING, what);
        abort();
    }
}

static void check_place(const struct og_place *pl)
{
    static const char *const methods[] = {"source", "crosswalk", "point", "community", "none"};
    bool known = false;
    for (size_t i = 0; pl->grid_method && i < sizeof(methods) / sizeof(methods[0]); i++)
        known = known || strcmp(pl->grid_method, methods[i]) == 0;
    need(known, "placement without a known grid method");
    need(digits(pl->grid_code, 15), "grid code not 15 digits");
    need(digits(pl->community_code, 12), "community code not 12 digits");
    need(digits(pl->street_code, 9), "street code not 9 digits");
    need(!pl->has_point || (isfinite(pl->lon) && isfinite(pl->lat) && fabs(pl->lon) <= 180 &&
                            fabs(pl->lat) <= 90),
         "point outside WGS-84");
}

static void check_attrs(const char *attrs)
{
    if (!attrs)
        return;
    json_error_t jerr;
    json_t *a = json_loads(attrs, 0, &jerr);
    if (!json_is_object(a))
        fprintf(stderr, "fuzz_feed: attrs %.300s: %s\n", attrs, jerr.text);
    need(json_is_object(a), "attrs is not a JSON object");
    json_decref(a);
}

#define TEXT(s) need(fuzz_text_ok(s), #s " is not valid UTF-8")

static void check_unified(const struct og_unified *u)
{
    const char *dept = og_mapping_department(mapping);
    need(u->position && u->position[0], "no position");
    switch (u->kind) {
    case OG_KIND_EVENT: {
        const struct og_event *e = &u->u.event;
        need(e->event_id && e->source_id && e->source_id[0] && e->category_code && e->status,
             "event without id, category or status");
        need(e->department && strcmp(e->department, dept) == 0, "event of another department");
        need(strncmp(e->event_id, dept, strlen(dept)) == 0, "event id not under its department");
        need(!e->subject_key || e->subject_masked, "a subject key without its masked number");
        TEXT(e->event_id);
        TEXT(e->category_name);
        TEXT(e->source_category);
        TEXT(e->source_status);
        TEXT(e->address);
        TEXT(e->summary);
        TEXT(e->subject_masked);
        check_place(&e->place);
        check_attrs(e->attrs);
        break;
    }
    case OG_KIND_VISIT: {
        const struct og_visit *v = &u->u.visit;
        need(v->visit_id && v->source_id && v->department && strcmp(v->department, dept) == 0,
             "visit without id or of another department");
        need(!v->nmembers || v->members, "members counted but absent");
        for (size_t i = 0; i < v->nmembers; i++) {
            const struct og_visit_member *m = &v->members[i];
            need(!m->person_key || m->id_masked, "a member key without its masked number");
            TEXT(m->id_masked);
            TEXT(m->name_masked);
            for (size_t k = 0; k < m->nsymptoms; k++)
                TEXT(m->symptoms[k]);
            for (size_t k = 0; k < m->ntravel; k++)
                TEXT(m->travel[k]);
        }
        TEXT(v->visit_id);
        TEXT(v->worker_id);
        TEXT(v->address);
        check_place(&v->place);
        check_attrs(v->attrs);
        break;
    }
    case OG_KIND_PERSON: {
        const struct og_person *p = &u->u.person;
        need(p->person_key && p->id_masked, "a person without its key and masked number");
        TEXT(p->id_masked);
        TEXT(p->name_masked);
        TEXT(p->address);
        TEXT(p->hukou_address);
        TEXT(p->police_beat);
        check_place(&p->place);
        check_attrs(p->attrs);
        break;
    }
    case OG_KIND_HOUSING: {
        const struct og_housing *h = &u->u.housing;
        need(h->house_id && strncmp(h->house_id, dept, strlen(dept)) == 0 &&
                 h->house_id[strlen(dept)] == ':' && h->updated_at.set,
             "a house without its id under its department or its time");
        need(!h->owner_key || h->owner_masked, "an owner key without its masked number");
        TEXT(h->house_id);
        TEXT(h->address);
        TEXT(h->owner_masked);
        TEXT(h->owner_name_masked);
        check_place(&h->place);
        check_attrs(h->attrs);
        break;
    }
    default:
        need(false, "a record of no kind");
    }
}

static void check_rejects(void)
{
    for (size_t i = 0; i < batch->nrejs; i++) {
        const struct og_reject *r = &batch->rejs[i];
        need(r->reason != OG_R_NONE && r->message && r->message[0], "a reject without a reason");
        if (!fuzz_text_ok(r->message) || !fuzz_text_ok(r->field))
            fprintf(stderr, "fuzz_feed: reject %s of stage %s: field %.100s: %.300s\n",
                    og_reason_name(r->reason), og_stage_name(r->stage), r->field ? r->field : "-",
                    r->message);
        TEXT(r->message);
        TEXT(r->field);
        TEXT(r->raw);
        const char *id = id_run(r->message);
        id = id ? id : id_run(r->raw);
        if (id)
            fprintf(stderr, "fuzz_feed: in the reject of %s: \"%.24s\"\n",
                    og_reason_name(r->reason), id);
        need(!id, "a reject keeps a raw identity number");
    }
}

/* One result of a reader through the step, checked; the batch is emptied after. */
static void take(int rc, const struct og_read *r)
{
    struct og_unified *u = NULL;
    int notes = 0;
    struct og_error err;
    og_error_clear(&err);
    int s = og_step_take(&step, rc, r, batch, &u, &notes, &err);
    if (s == OG_STEP_LOADED) {
        need(u != NULL && batch->nrecs == 1, "loaded without a record");
        check_unified(u);
    }
    else if (s == OG_STEP_REJECTED) {
        need(batch->nrejs == 1 && batch->nrecs == 0, "rejected without one reject");
    }
    else {
        fprintf(stderr, "fuzz_feed (%s): step failed: %d %s\n", OG_FUZZ_MAPPING, s, err.message);
        abort();
    }
    check_rejects();
    if (trace && s == OG_STEP_LOADED)
        fprintf(stderr, "loaded %s at %s\n", og_kind_name(u->kind), u->position);
    else if (trace)
        fprintf(stderr, "rejected at stage %s: %s: %s\n", og_stage_name(batch->rejs[0].stage),
                og_reason_name(batch->rejs[0].reason), batch->rejs[0].message);
    og_batch_reset(batch);
}

static void read_file(const uint8_t *data, size_t size)
{
    const struct og_connector *c = feed.connector;
    char path[64];
    int fd = fuzz_memfd("fuzz_feed", data, size, path);
    if (fd < 0)
        return;
    void *state = NULL;
    struct og_error err;
    og_error_clear(&err);
    struct og_pos broke = {.partition = -1};
    int rc = c->open(path, feed.options, &state, &err);
    if (rc == 0 && c->verify)
        rc = c->verify(state, &broke, &err);
    for (long long index = 0; rc == 0; index++) {
        struct og_read r;
        memset(&r, 0, sizeof(r));
        og_error_clear(&err);
        rc = c->next(state, &r.doc, &r.pos, &r.raw, &err);
        if (rc == 1 || rc == OG_EREJECT) {
            need(r.pos.index == index, "records not numbered 0, 1, 2, ...");
            r.pos.source = "fuzz";
            r.why = err;
            need(rc != 1 || json_is_object(r.doc), "a record that is not an object");
            take(rc, &r);
            rc = 0;
        }
        else if (rc == 0) {
            og_read_release(&r);
            break;
        }
        og_read_release(&r);
    }
    if (rc < 0) { /* the file as a whole is rejected: one reject, as the run writes it */
        /* what pipeline/files.c takes for the file's own fault (whole_file_error) */
        need(err.code == OG_EPARSE || err.code == OG_EIO || err.klass == OG_CLASS_REJECT ||
                 (err.code == OG_ECONFIG && err.reason != OG_R_BAD_CONFIG &&
                  err.reason != OG_R_BAD_MAPPING),
             "a file error that is not the file's fault");
        struct og_read r;
        memset(&r, 0, sizeof(r));
        r.pos = broke;
        r.pos.source = "fuzz";
        r.pos.input = "fuzz";
        r.why = err;
        r.why.code = OG_EREJECT;
        take(OG_EREJECT, &r);
    }
    if (state)
        c->close(state);
    close(fd);
}

static void read_kafka(const char *in, size_t size)
{
    const char *topic =
        json_string_value(json_array_get(json_object_get(feed.options, "topics"), 0));
    need(topic != NULL, "a kafka mapping without topics");
    long long offset = 0;
    for (const char *p = in, *end = in + size; p < end; offset++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *tab = memchr(p, '\t', n);
        struct og_read r;
        memset(&r, 0, sizeof(r));
        r.pos = (struct og_pos){"fuzz", topic, 0, offset, offset, 0, ""};
        int rc = tab ? og_kafka_decode(topic, 0, offset, 1580516856365LL, tab + 1,
                                       n - (size_t)(tab - p) - 1, p, (size_t)(tab - p), &r.doc,
                                       &r.raw, &r.why)
                     : og_kafka_decode(topic, 0, offset, 1580516856365LL, p, n, NULL, 0, &r.doc,
                                       &r.raw, &r.why);
        need(rc == OG_READ_RECORD || rc == OG_EREJECT, "kafka decoding failed");
        take(rc, &r);
        og_read_release(&r);
        p += n + 1;
    }
}

/* One COPY text field [p, p+n) unescaped into a new string (*len its length), or NULL for \N. */
static char *copy_field(const char *p, size_t n, size_t *len)
{
    if (n == 2 && p[0] == '\\' && p[1] == 'N')
        return NULL;
    char *s = malloc(n + 1);
    need(s != NULL, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch == '\\' && i + 1 < n) {
            ch = p[++i];
            ch = ch == 't' ? '\t' : ch == 'n' ? '\n' : ch == 'r' ? '\r' : ch;
        }
        if (ch == '\0')
            break; /* PostgreSQL text holds no NUL: the value ends there */
        s[k++] = ch;
    }
    s[k] = '\0';
    *len = k;
    return s;
}

/* Splits line [p, p+n) at TABs into at most max fields (new strings, NULL for \N; lens[i] their
 * lengths); returns how many. */
static size_t split_row(const char *p, size_t n, char **fields, size_t *lens, size_t max)
{
    size_t nf = 0;
    for (size_t i = 0, start = 0; i <= n && nf < max; i++)
        if (i == n || p[i] == '\t') {
            fields[nf] = copy_field(p + start, i - start, &lens[nf]);
            nf++;
            start = i + 1;
        }
    return nf;
}

#define MAX_COLS 64

static void read_pgsql(const char *in, size_t size)
{
    const char *end = in + size;
    const char *nl = memchr(in, '\n', size);
    size_t n = nl ? (size_t)(nl - in) : size;
    char *cols[MAX_COLS];
    size_t clens[MAX_COLS];
    size_t ncols = split_row(in, n, cols, clens, MAX_COLS);
    /* the result set the server would send: the columns it names in valid text, all of type text */
    PGresAttDesc attrs[MAX_COLS];
    size_t at[MAX_COLS]; /* result column -> input column */
    int nattrs = 0;
    for (size_t i = 0; i < ncols; i++) {
        if (!cols[i] || !fuzz_utf8_valid(cols[i], clens[i]) || memchr(cols[i], 0, clens[i]))
            continue;
        attrs[nattrs] = (PGresAttDesc){.name = cols[i], .typid = 25, .typlen = -1, .atttypmod = -1};
        at[nattrs++] = i;
    }
    PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    need(res && PQsetResultAttrs(res, nattrs, attrs), "out of memory");
    int nrows = 0;
    for (const char *p = nl ? nl + 1 : end; p < end; nrows++) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        size_t len = e ? (size_t)(e - p) : (size_t)(end - p);
        char *vals[MAX_COLS];
        size_t vlens[MAX_COLS];
        size_t nv = split_row(p, len, vals, vlens, ncols);
        for (int a = 0; a < nattrs; a++) {
            size_t i = at[a];
            bool null = i >= nv || !vals[i];
            need(PQsetvalue(res, nrows, a, null ? NULL : vals[i], null ? -1 : (int)vlens[i]),
                 "out of memory");
        }
        for (size_t i = 0; i < nv; i++)
            free(vals[i]);
        p += len + 1;
    }
    for (int row = 0; row < PQntuples(res); row++) {
        struct og_read r;
        memset(&r, 0, sizeof(r));
        r.pos = (struct og_pos){"fuzz", "fuzz", 0, row, row, -1, ""};
        const char *bad_col;
        need(og_pgsql_row_doc(res, row, &r.doc, &bad_col) == 0, "out of memory");
        int rc = OG_READ_RECORD;
        if (bad_col) { /* as the pull: the row a reject bad_encoding */
            r.raw = json_dumps(r.doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
            json_decref(r.doc);
            r.doc = NULL;
            og_error_set(&r.why, OG_EREJECT, OG_CLASS_REJECT, OG_R_BAD_ENCODING,
                         "column \"%s\" is not valid text", bad_col);
            og_error_field(&r.why, bad_col);
            rc = OG_EREJECT;
        }
        take(rc, &r);
        og_read_release(&r);
    }
    PQclear(res);
    for (size_t i = 0; i < ncols; i++)
        free(cols[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!mapping)
        setup();
    if (feed.connector)
        read_file(data, size);
    else if (strcmp(feed.name, "kafka") == 0)
        read_kafka((const char *)data, size);
    else if (strcmp(feed.name, "pgsql") == 0)
        read_pgsql((const char *)data, size);
    else
        need(false, "a connector this target does not know");
    return 0;
}
