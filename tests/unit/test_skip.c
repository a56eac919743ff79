/* test_skip.c - unit tests for the record digests file connectors take before converting a record
 * (core/connector.h og_skip, core/digest.h og_rdigest, core/batch.h og_mark_digest): every
 * connector digests each record, skips the ones it is told are unchanged with their position
 * kept, and converts the others as before; equal records digest equal, a changed byte does not,
 * nor does another seed. */
#include "connectors/csv.h"
#include "connectors/jsondoc.h"
#include "connectors/ndjson.h"
#include "connectors/xml.h"
#include "core/batch.h"
#include "core/connector.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAXREC = 16 };

/* The skip's side: the digest of each record asked about, in order; records to call unchanged. */
struct probe {
    uint64_t seen[MAXREC];
    int nseen;
    bool unchanged[MAXREC];
};

static bool ask(void *ctx, uint64_t digest)
{
    struct probe *p = ctx;
    assert_true(p->nseen < MAXREC);
    assert_true(digest != 0); /* 0: out of memory gathering the bytes */
    p->seen[p->nseen] = digest;
    return p->unchanged[p->nseen++];
}

static char *write_temp(const char *content)
{
    char *path = strdup("/tmp/og_test_skip_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(content);
    assert_int_equal(write(fd, content, n), (ssize_t)n);
    close(fd);
    return path;
}

/* What one read of a file gives: per call, 1 (its "id" field in ids), OG_CONN_UNCHANGED (its line)
 * or OG_EREJECT; the probe's digests. */
struct outcome {
    int rc[MAXREC];
    char ids[MAXREC][16];
    long long line[MAXREC], index[MAXREC];
    int n;
};

static void read_all(const struct og_connector *c, const char *content, const json_t *options,
                     const unsigned char seed[32], struct probe *p, struct outcome *o)
{
    char *path = write_temp(content);
    struct og_rdigest rd;
    struct og_skip skip = {.digest = &rd, .seed = seed, .unchanged = ask, .ctx = p};
    void *st = NULL;
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(c->open(path, options, &st, &err), 0);
    assert_non_null(c->set_skip);
    c->set_skip(st, &skip);
    memset(o, 0, sizeof(*o));
    for (;;) {
        json_t *doc = NULL;
        char *raw = NULL;
        struct og_pos pos;
        memset(&pos, 0, sizeof(pos));
        int rc = c->next(st, &doc, &pos, &raw, &err);
        if (rc == 0)
            break;
        assert_true(rc == 1 || rc == OG_CONN_UNCHANGED || rc == OG_EREJECT);
        assert_true(o->n < MAXREC);
        o->rc[o->n] = rc;
        o->line[o->n] = pos.line;
        o->index[o->n] = pos.index;
        if (rc == 1) {
            const char *id = json_string_value(json_object_get(doc, "id"));
            snprintf(o->ids[o->n], sizeof(o->ids[0]), "%s", id ? id : "?");
        }
        else
            assert_null(doc);
        json_decref(doc);
        free(raw);
        o->n++;
    }
    c->close(st);
    unlink(path);
    free(path);
}

static const unsigned char SEED_A[32] = {1};
static const unsigned char SEED_B[32] = {2};

/* Reads v1, then v2 (record 1 changed) telling the connector records 0 and 2 are unchanged: they
 * come back as OG_CONN_UNCHANGED at their line and index, record 1 converted; digests of equal
 * records are equal, of the changed one differ, under another seed all differ. */
static void check_connector(const struct og_connector *c, const char *v1, const char *v2,
                            const json_t *options, const long long lines[3])
{
    struct probe p1 = {0}, p2 = {0}, p3 = {0};
    struct outcome o;
    read_all(c, v1, options, SEED_A, &p1, &o);
    assert_int_equal(o.n, 3);
    assert_int_equal(p1.nseen, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(o.rc[i], 1);
    assert_string_equal(o.ids[1], "r1");

    p2.unchanged[0] = p2.unchanged[2] = true;
    read_all(c, v2, options, SEED_A, &p2, &o);
    assert_int_equal(o.n, 3);
    assert_int_equal(o.rc[0], OG_CONN_UNCHANGED);
    assert_int_equal(o.rc[1], 1);
    assert_string_equal(o.ids[1], "r1");
    assert_int_equal(o.rc[2], OG_CONN_UNCHANGED);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(o.index[i], i);
        assert_int_equal(o.line[i], lines[i]);
    }
    assert_true(p2.seen[0] == p1.seen[0]);
    assert_true(p2.seen[1] != p1.seen[1]);
    assert_true(p2.seen[2] == p1.seen[2]);
    assert_true(p1.seen[0] != p1.seen[2]);

    read_all(c, v1, options, SEED_B, &p3, &o);
    for (int i = 0; i < 3; i++)
        assert_true(p3.seen[i] != p1.seen[i]);
}

static void test_ndjson(void **unused)
{
    (void)unused;
    static const long long lines[] = {1, 2, 4};
    check_connector(&og_connector_ndjson,
                    "{\"id\":\"r0\",\"v\":1}\n{\"id\":\"r1\",\"v\":2}\n\n{\"id\":\"r2\",\"v\":1}\n",
                    "{\"id\":\"r0\",\"v\":1}\n{\"id\":\"r1\",\"v\":3}\n\n{\"id\":\"r2\",\"v\":1}\n",
                    NULL, lines);
}

static void test_json(void **unused)
{
    (void)unused;
    static const long long lines[] = {2, 3, 5};
    check_connector(&og_connector_json,
                    "[\n{\"id\": \"r0\", \"v\": 1},\n{\"id\": \"r1\", \"v\": 2},\n\n{\"id\": "
                    "\"r2\", \"v\": 1}\n]\n",
                    "[\n{\"id\": \"r0\", \"v\": 1},\n{\"id\": \"r1\", \"v\": 22},\n\n{\"id\": "
                    "\"r2\", \"v\": 1}\n]\n",
                    NULL, lines);
}

static void test_csv(void **unused)
{
    (void)unused;
    static const long long lines[] = {2, 3, 5};
    json_t *opts = json_pack("{s:s}", "encoding", "utf-8");
    check_connector(&og_connector_csv, "id,v\nr0,1\nr1,\"a\nb\"\nr2,1\n",
                    "id,v\nr0,1\nr1,\"a\nc\"\nr2,1\n", opts, lines);
    /* the same fields under another header are another record */
    struct probe p1 = {0}, p2 = {0};
    struct outcome o;
    read_all(&og_connector_csv, "id,v\nr0,1\n", opts, SEED_A, &p1, &o);
    read_all(&og_connector_csv, "id,w\nr0,1\n", opts, SEED_A, &p2, &o);
    assert_true(p1.seen[0] != p2.seen[0]);
    /* field bounds count: "r0,1" is not "r0|1" read as one field */
    read_all(&og_connector_csv, "id,v\n\"r0,1\",\n", opts, SEED_A, &p2, &o);
    assert_true(p1.seen[0] != p2.seen[1]);
    json_decref(opts);
}

static void test_xml(void **unused)
{
    (void)unused;
    static const long long lines[] = {2, 3, 4};
    json_t *opts = json_pack("{s:s}", "records", "/rs/r");
    check_connector(&og_connector_xml,
                    "<rs>\n<r><id>r0</id><v a=\"1\">x</v></r>\n<r><id>r1</id><v a=\"1\">x</v></r>\n"
                    "<r><id>r2</id><v a=\"1\">x</v></r>\n</rs>\n",
                    "<rs>\n<r><id>r0</id><v a=\"1\">x</v></r>\n<r><id>r1</id><v a=\"2\">x</v></r>\n"
                    "<r><id>r2</id><v a=\"1\">x</v></r>\n</rs>\n",
                    opts, lines);
    json_decref(opts);
}

/* A mark keeps the digests of consecutive record indexes from its first one; a gap is filled
 * with 0 (unknown); a batch reset frees them. */
static void test_mark(void **unused)
{
    (void)unused;
    struct og_batch *b = og_batch_create();
    struct og_mark *m = og_batch_mark(b, "file", "/f", "v");
    assert_int_equal(og_mark_digest(m, 5, 11), 0);
    assert_int_equal(og_mark_digest(m, 6, 12), 0);
    assert_int_equal(og_mark_digest(m, 8, 14), 0);
    for (long long i = 9; i < 5000; i++)
        assert_int_equal(og_mark_digest(m, i, (uint64_t)i), 0);
    assert_int_equal(m->first, 5);
    assert_int_equal(m->ndigests, 4995);
    assert_true(m->digests[0] == 11 && m->digests[1] == 12 && m->digests[2] == 0 &&
                m->digests[3] == 14 && m->digests[4994] == 4999);
    og_batch_reset(b);
    m = og_batch_mark(b, "file", "/f", "v");
    assert_int_equal(m->ndigests, 0);
    og_batch_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_ndjson), cmocka_unit_test(test_json),
                                       cmocka_unit_test(test_csv), cmocka_unit_test(test_xml),
                                       cmocka_unit_test(test_mark)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
