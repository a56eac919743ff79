/* connector_harness.h - helpers for the connector unit tests: read a whole input into JSON. */
#ifndef OG_TEST_CONNECTOR_HARNESS_H
#define OG_TEST_CONNECTOR_HARNESS_H

#include "core/connector.h"

/* cmocka needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIXTURES "tests/fixtures/connectors/"
#define SHARED_DATA "../shared/data/"

/* What a connector yielded for one input.
 * docs:    [{"doc": record, "line": n, "offset": n, "index": n}, ...]
 * rejects: [{"reason": s, "line": n, "offset": n, "index": n, "message": s, "detail": s, "hint": s,
 *            "position": s, "raw": s or null}, ...] */
struct harness_result {
    json_t *docs;
    json_t *rejects;
    int end_rc; /* 0 at a clean end, else the fatal code that stopped reading */
    struct og_error end_err;
    long long done, total; /* progress after the last call */
};

/* Opens path with the options (JSON text or NULL); returns the open code, fills *err. */
static inline int harness_open(const struct og_connector *c, const char *path, const char *options,
                               void **state, struct og_error *err)
{
    json_t *opts = NULL;
    if (options) {
        json_error_t jerr;
        opts = json_loads(options, 0, &jerr);
        assert_non_null(opts);
    }
    og_error_clear(err);
    int rc = c->open(path, opts, state, err);
    json_decref(opts);
    return rc;
}

/* Reads everything; the open must succeed. */
static inline void harness_read(const struct og_connector *c, const char *path, const char *options,
                                struct harness_result *r)
{
    void *state = NULL;
    struct og_error err;
    int rc = harness_open(c, path, options, &state, &err);
    if (rc != 0)
        fail_msg("open %s: %d %s (%s)", path, rc, err.message, err.detail);
    r->docs = json_array();
    r->rejects = json_array();
    long long last_index = -1;
    for (;;) {
        json_t *doc = NULL;
        struct og_pos pos;
        char *raw = NULL;
        og_error_clear(&err);
        rc = c->next(state, &doc, &pos, &raw, &err);
        if (rc == 1) {
            assert_non_null(doc);
            assert_null(raw);
            assert_string_equal(pos.input, path);
            assert_int_equal(pos.partition, -1);
            assert_int_equal(pos.index, last_index + 1);
            last_index = pos.index;
            json_array_append_new(r->docs,
                                  json_pack("{s:o, s:I, s:I, s:I}", "doc", doc, "line",
                                            (json_int_t)pos.line, "offset", (json_int_t)pos.offset,
                                            "index", (json_int_t)pos.index));
        }
        else if (rc == OG_EREJECT || (rc < 0 && err.klass == OG_CLASS_REJECT)) {
            /* a record's reject, or the input's (it ends the input: the next call says 0) */
            assert_null(doc);
            assert_int_equal(err.code, rc);
            assert_int_equal(err.klass, OG_CLASS_REJECT);
            assert_int_equal(pos.index, last_index + 1);
            last_index = pos.index;
            json_array_append_new(r->rejects,
                                  json_pack("{s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s?}",
                                            "reason", og_reason_name(err.reason), "line",
                                            (json_int_t)pos.line, "offset", (json_int_t)pos.offset,
                                            "index", (json_int_t)pos.index, "message", err.message,
                                            "detail", err.detail, "hint", err.hint, "position",
                                            err.position, "raw", raw));
            free(raw);
        }
        else {
            assert_null(doc);
            break;
        }
    }
    r->end_rc = rc;
    r->end_err = err;
    c->progress(state, &r->done, &r->total);
    c->close(state);
}

static inline void harness_free(struct harness_result *r)
{
    json_decref(r->docs);
    json_decref(r->rejects);
    r->docs = r->rejects = NULL;
}

static inline json_t *harness_doc(const struct harness_result *r, size_t i)
{
    json_t *d = json_object_get(json_array_get(r->docs, i), "doc");
    if (!d)
        fail_msg("no record %zu (have %zu)", i, json_array_size(r->docs));
    return d;
}

/* A string field of record i (fails the test when it is missing or not a string). */
static inline const char *harness_str(const struct harness_result *r, size_t i, const char *key)
{
    const char *s = json_string_value(json_object_get(harness_doc(r, i), key));
    if (!s)
        fail_msg("record %zu has no string \"%s\"", i, key);
    return s;
}

static inline long long harness_doc_num(const struct harness_result *r, size_t i, const char *what)
{
    return json_integer_value(json_object_get(json_array_get(r->docs, i), what));
}

static inline const char *harness_rej_str(const struct harness_result *r, size_t i,
                                          const char *what)
{
    json_t *rej = json_array_get(r->rejects, i);
    if (!rej)
        fail_msg("no reject %zu (have %zu)", i, json_array_size(r->rejects));
    return json_string_value(json_object_get(rej, what));
}

static inline long long harness_rej_num(const struct harness_result *r, size_t i, const char *what)
{
    json_t *rej = json_array_get(r->rejects, i);
    if (!rej)
        fail_msg("no reject %zu (have %zu)", i, json_array_size(r->rejects));
    return json_integer_value(json_object_get(rej, what));
}

/* Writes n bytes into a new temporary file; returns its path (static storage per slot). */
static inline const char *harness_tempfile(const void *data, size_t n, int slot)
{
    static char paths[4][64];
    snprintf(paths[slot], sizeof(paths[slot]), "/tmp/og_test_connector_XXXXXX");
    int fd = mkstemp(paths[slot]);
    assert_true(fd >= 0);
    const char *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        assert_true(w > 0);
        p += w;
        n -= (size_t)w;
    }
    close(fd);
    return paths[slot];
}

static inline int harness_have_shared(void)
{
    return access(SHARED_DATA, R_OK) == 0;
}

#endif
