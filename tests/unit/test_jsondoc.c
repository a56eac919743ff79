/* test_jsondoc.c - unit tests of the json connector: element scanning, paths, zeros, Open311. */
#include "connectors/jsondoc.h"

#include "core/buf.h"
#include "tests/unit/connector_harness.h"

#include <sys/resource.h>

static const struct og_connector *const C = &og_connector_json;

/* Strings holding brackets and escaped quotes, nesting, a bad element, a non-object element. */
static void test_root_array(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, FIXTURES "array.json", NULL, &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.docs), 3);
    assert_string_equal(harness_str(&r, 0, "text"), "brackets ] and } and \"quotes\", commas");
    assert_int_equal(harness_doc_num(&r, 0, "line"), 2);
    assert_int_equal(harness_doc_num(&r, 0, "index"), 0);
    assert_int_equal(harness_doc_num(&r, 0, "offset"), 4);
    json_t *nested = json_object_get(harness_doc(&r, 1), "nested");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(nested, "a"), 1), "b")),
        "]");
    assert_int_equal(harness_doc_num(&r, 1, "line"), 3);
    assert_int_equal(json_integer_value(json_object_get(harness_doc(&r, 2), "id")), 5);
    assert_string_equal(harness_str(&r, 2, "multi"), "line");
    assert_int_equal(harness_doc_num(&r, 2, "line"), 6);
    assert_int_equal(harness_doc_num(&r, 2, "index"), 4);

    assert_int_equal(json_array_size(r.rejects), 2);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "bad_json");
    assert_int_equal(harness_rej_num(&r, 0, "line"), 4);
    assert_int_equal(harness_rej_num(&r, 0, "index"), 2);
    assert_string_equal(harness_rej_str(&r, 0, "raw"), "{\"id\": 3, \"bad\": tru}");
    assert_non_null(strstr(harness_rej_str(&r, 0, "message"), "column"));
    assert_non_null(strstr(harness_rej_str(&r, 0, "position"), "array.json:4:"));
    assert_string_equal(harness_rej_str(&r, 1, "reason"), "not_object");
    assert_int_equal(harness_rej_num(&r, 1, "line"), 5);
    assert_string_equal(harness_rej_str(&r, 1, "raw"), "\"not an object\"");
    assert_int_equal(r.done, r.total);
    harness_free(&r);
}

static void test_records_path(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, FIXTURES "nested.json", "{\"records\": \"data.items\"}", &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_string_equal(harness_str(&r, 0, "id"), "x1");
    assert_int_equal(harness_doc_num(&r, 0, "line"), 4);
    assert_string_equal(harness_str(&r, 1, "id"), "x2");
    assert_int_equal(harness_doc_num(&r, 1, "line"), 5);
    assert_int_equal(harness_doc_num(&r, 1, "index"), 1);
    harness_free(&r);

    /* a root object without the option is one record */
    harness_read(C, FIXTURES "single.json", NULL, &r);
    assert_int_equal(json_array_size(r.docs), 1);
    assert_string_equal(harness_str(&r, 0, "id"), "only");
    assert_int_equal(harness_doc_num(&r, 0, "line"), 1);
    harness_free(&r);

    harness_read(C, FIXTURES "empty_array.json", NULL, &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.docs) + json_array_size(r.rejects), 0);
    harness_free(&r);
}

/* A path that does not lead to an array fails the open, naming the path and what it found. */
static void test_records_path_errors(void **unused)
{
    (void)unused;
    static const struct {
        const char *file, *options, *want1, *want2;
    } cases[] = {
        {"nested.json", "{\"records\": \"meta.items\"}", "\"meta.items\"", "a string"},
        {"nested.json", "{\"records\": \"data\"}", "\"data\"", "an object"},
        {"nested.json", "{\"records\": \"data.missing\"}", "no key \"missing\"", "in \"data\""},
        {"nested.json", "{\"records\": \"meta.count.x\"}", "\"meta.count\" is a number",
         "not an object"},
        {"array.json", "{\"records\": \"data\"}", "the root is an array", "\"data\""},
        {"scalar.json", NULL, "is a string", "expected an array"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        void *state = NULL;
        struct og_error err;
        char path[256];
        snprintf(path, sizeof(path), FIXTURES "%s", cases[i].file);
        assert_int_equal(harness_open(C, path, cases[i].options, &state, &err), OG_EPARSE);
        assert_null(state);
        if (!strstr(err.message, cases[i].want1) || !strstr(err.message, cases[i].want2))
            fail_msg("case %zu: message \"%s\"", i, err.message);
    }
}

static void test_truncated_document(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, FIXTURES "truncated.json", NULL, &r);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_int_equal(json_array_size(r.rejects), 1);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "bad_json");
    assert_int_equal(harness_rej_num(&r, 0, "line"), 4);
    assert_int_equal(r.end_rc, OG_EPARSE);
    assert_non_null(strstr(r.end_err.message, "not closed"));
    harness_free(&r);
}

static void test_leading_zeros(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, FIXTURES "leading_zeros.json", NULL, &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.docs), 0);
    assert_int_equal(json_array_size(r.rejects), 2);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "bad_json");
    assert_int_equal(harness_rej_num(&r, 0, "line"), 2);
    assert_non_null(strstr(harness_rej_str(&r, 0, "hint"), "repair_leading_zeros"));
    assert_int_equal(harness_rej_num(&r, 1, "line"), 3);
    harness_free(&r);

    harness_read(C, FIXTURES "leading_zeros.json", "{\"repair_leading_zeros\": true}", &r);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 2);
    json_t *d = harness_doc(&r, 0);
    assert_string_equal(harness_str(&r, 0, "service_code"), "001");
    assert_string_equal(harness_str(&r, 0, "n"), "-007");
    assert_true(json_is_integer(json_object_get(d, "ok")));
    assert_int_equal(json_integer_value(json_object_get(d, "ok")), 0);
    assert_true(json_is_real(json_object_get(d, "f")));
    assert_string_equal(harness_str(&r, 0, "s"), "keep 007 here");
    assert_int_equal(json_integer_value(json_object_get(d, "e")), 10);
    assert_string_equal(harness_str(&r, 1, "service_code"), "002");
    json_t *list = json_object_get(harness_doc(&r, 1), "list");
    assert_string_equal(json_string_value(json_array_get(list, 0)), "01");
    assert_int_equal(json_integer_value(json_array_get(list, 1)), 2);
    harness_free(&r);
}

static void test_options(void **unused)
{
    (void)unused;
    void *state = NULL;
    struct og_error err;
    assert_int_equal(harness_open(C, FIXTURES "array.json", "{\"path\": \"data\"}", &state, &err),
                     OG_ECONFIG);
    assert_string_equal(err.message, "unknown option \"path\" for connector json");
    assert_string_equal(err.detail, "known options: records, repair_leading_zeros");
    assert_int_equal(harness_open(C, FIXTURES "array.json", "{\"records\": 5}", &state, &err),
                     OG_ECONFIG);
    assert_int_equal(
        harness_open(C, FIXTURES "array.json", "{\"repair_leading_zeros\": 1}", &state, &err),
        OG_ECONFIG);
    assert_int_equal(harness_open(C, FIXTURES "missing.json", NULL, &state, &err), OG_EIO);
    assert_null(state);
    C->close(NULL);
    assert_string_equal(C->name, "json");
}

/* The Open311 GeoReport v2 spec's own example: "service_code":006 needs the repair. */
static void test_open311_spec_example(void **unused)
{
    (void)unused;
    if (!harness_have_shared())
        skip();
    const char *path = SHARED_DATA "urban/open311_spec/georeport_v2_requests.json";
    struct harness_result r;
    harness_read(C, path, NULL, &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.docs), 0);
    assert_int_equal(json_array_size(r.rejects), 2);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "bad_json");
    assert_int_equal(harness_rej_num(&r, 0, "line"), 2);
    assert_int_equal(harness_rej_num(&r, 1, "line"), 21);
    harness_free(&r);

    harness_read(C, path, "{\"repair_leading_zeros\": true}", &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_int_equal(json_integer_value(json_object_get(harness_doc(&r, 0), "service_request_id")),
                     638344);
    assert_string_equal(harness_str(&r, 0, "service_code"), "006");
    assert_string_equal(harness_str(&r, 0, "status"), "closed");
    assert_true(json_is_null(json_object_get(harness_doc(&r, 0), "description")));
    assert_true(json_is_real(json_object_get(harness_doc(&r, 0), "lat")));
    assert_int_equal(json_integer_value(json_object_get(harness_doc(&r, 1), "service_request_id")),
                     638349);
    assert_int_equal(harness_doc_num(&r, 1, "line"), 21);
    harness_free(&r);
}

static void test_chicago_open311(void **unused)
{
    (void)unused;
    if (!harness_have_shared())
        skip();
    struct harness_result r;
    harness_read(C, SHARED_DATA "urban/chicago_open311_georeport_v2_requests_2014-2015.json", NULL,
                 &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 50);
    assert_string_equal(harness_str(&r, 0, "service_request_id"), "14-00684314");
    assert_string_equal(harness_str(&r, 0, "service_name"), "Pothole in Street");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(harness_doc(&r, 0), "attributes"), "WHEREIST")),
                        "TRAFFIC");
    assert_int_equal(harness_doc_num(&r, 0, "line"), 2);
    assert_string_equal(harness_str(&r, 49, "service_request_id"), "14-00195506");
    assert_int_equal(r.done, r.total);
    harness_free(&r);
}

/* ---- the sliding window: documents larger than OG_JSONDOC_BLOCK, written to temp files ---- */

#define BLOCK OG_JSONDOC_BLOCK

static void put(struct og_buf *b, const char *s)
{
    assert_int_equal(og_buf_puts(b, s), 0);
}

/* Appends 'x' up to offset target (inside a string). */
static void pad_to(struct og_buf *b, size_t target)
{
    assert_true(b->len <= target);
    while (b->len < target)
        assert_int_equal(og_buf_putc(b, 'x'), 0);
}

/* 1 + the line feeds before offset p. */
static long long line_of(const struct og_buf *b, size_t p)
{
    long long line = 1;
    for (size_t i = 0; i < p; i++)
        line += b->data[i] == '\n';
    return line;
}

/* Starts element k, `{"id": k, "s": "`, at *at; returns where the string's content starts. */
static size_t element_head(struct og_buf *b, size_t *at, int k)
{
    char head[40];
    *at = b->len;
    snprintf(head, sizeof(head), "{\"id\": %d, \"s\": \"", k);
    put(b, head);
    return b->len;
}

static long long doc_id(const struct harness_result *r, size_t i)
{
    return json_integer_value(json_object_get(harness_doc(r, i), "id"));
}

/* The peak resident size of this process so far, in KiB. */
static long peak_kib(void)
{
    struct rusage ru;
    assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_maxrss;
}

/* String units as written in JSON and as decoded: brackets, commas, escaped quotes and backslashes
 * in strings are what the scanner must not take for structure. */
static const char *const unit_json[] = {"x", "]", "}",    "\\\"", "[",
                                        "{", ",", "\\\\", "\\n",  "\xC3\xA9"};
static const char *const unit_text[] = {"x", "]", "}", "\"", "[", "{", ",", "\\", "\n", "\xC3\xA9"};
#define NUNITS (sizeof(unit_json) / sizeof(unit_json[0]))

/* Appends n units (from unit `first` on) as JSON to doc and as text to text. */
static void put_units(struct og_buf *doc, struct og_buf *text, size_t n, size_t first)
{
    for (size_t i = 0; i < n; i++) {
        put(doc, unit_json[(i + first) % NUNITS]);
        put(text, unit_text[(i + first) % NUNITS]);
    }
}

/* A file of its own for a document too large for harness_tempfile's callers to keep in memory. */
struct bigfile {
    char path[64];
    FILE *f;
    long long line; /* line of the next byte written */
};

static void big_open(struct bigfile *bf)
{
    snprintf(bf->path, sizeof(bf->path), "/tmp/og_test_jsondoc_XXXXXX");
    int fd = mkstemp(bf->path);
    assert_true(fd >= 0);
    bf->f = fdopen(fd, "wb");
    assert_non_null(bf->f);
    bf->line = 1;
}

static void big_put(struct bigfile *bf, const char *s)
{
    for (const char *c = s; *c; c++)
        bf->line += *c == '\n';
    assert_int_equal(fputs(s, bf->f) >= 0, 1);
}

static long long big_offset(struct bigfile *bf)
{
    return (long long)ftello(bf->f);
}

static void big_close(struct bigfile *bf)
{
    assert_int_equal(fclose(bf->f), 0);
    bf->f = NULL;
}

/* Removes the file of a test that made one (*state), whether the test passed or not. */
static int big_teardown(void **state)
{
    struct bigfile *bf = *state;
    if (bf) {
        if (bf->f)
            (void)fclose(bf->f);
        if (bf->path[0])
            unlink(bf->path);
        free(bf);
    }
    return 0;
}

/* "data.items" after a 32 MB string member and a 2 MB array member: both are scanned through the
 * window, not held (the peak memory grows by far less than the document), and the records are at
 * their lines and offsets. A path that fails after them names the place where it failed. */
static void test_window_records_path_after_big_member(void **state)
{
    static char chunk[64 * 1024]; /* whole units only: `ab]}\"[{, \\` repeated */
    static const char unit[] = "ab]}\\\"[{, \\\\";
    size_t ulen = sizeof(unit) - 1;
    for (size_t i = 0; i + ulen <= sizeof(chunk) - 1; i += ulen)
        memcpy(chunk + i, unit, ulen);
    chunk[(sizeof(chunk) - 1) / ulen * ulen] = '\0';

    struct bigfile *big = calloc(1, sizeof(*big));
    assert_non_null(big);
    *state = big; /* big_teardown removes the file */
    big_open(big);
    big_put(big, "{\"head\": {\"note\": \"]\"},\n \"blob\": \"");
    for (int i = 0; i < 512; i++)
        big_put(big, chunk);
    big_put(big, "\",\n \"list\": [");
    for (int i = 0; i < 100000; i++)
        big_put(big, "{\"a\": \"]\", \"b\": [1]},\n   ");
    big_put(big, "{}],\n \"data\": {\"pad\": \"");
    long long data_line = big->line;
    for (int i = 0; i < 8; i++)
        big_put(big, chunk);
    big_put(big, "\",\n  \"items\": [\n   ");
    long long a_offset = big_offset(big), a_line = big->line;
    big_put(big, "{\"id\": \"a\"},\n   ");
    long long b_offset = big_offset(big), b_line = big->line;
    big_put(big, "{\"id\": \"b\"}\n  ]},\n \"tail\": true}\n");
    long long size = big_offset(big);
    big_close(big);
    assert_true(size > 34 * 1024 * 1024);

    long before = peak_kib();
    struct harness_result r;
    harness_read(C, big->path, "{\"records\": \"data.items\"}", &r);
    long grown = peak_kib() - before;
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_string_equal(harness_str(&r, 0, "id"), "a");
    assert_int_equal(harness_doc_num(&r, 0, "offset"), a_offset);
    assert_int_equal(harness_doc_num(&r, 0, "line"), a_line);
    assert_string_equal(harness_str(&r, 1, "id"), "b");
    assert_int_equal(harness_doc_num(&r, 1, "offset"), b_offset);
    assert_int_equal(harness_doc_num(&r, 1, "line"), b_line);
    assert_int_equal(r.total, size);
    assert_int_equal(r.done, size);
    harness_free(&r);
    if (grown > 8 * 1024)
        fail_msg("reading grew the peak memory by %ld KiB: the skipped members were held", grown);

    static const struct {
        const char *options, *want;
        long long line;
    } cases[] = {
        {"{\"records\": \"data.missing\"}", "no key \"missing\" in \"data\"", 0},
        {"{\"records\": \"blob\"}", "leads to a string, not an array", 2},
        {"{\"records\": \"list.x\"}", "\"list\" is an array, not an object", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        void *cstate = NULL;
        struct og_error err;
        char want[128];
        assert_int_equal(harness_open(C, big->path, cases[i].options, &cstate, &err), OG_EPARSE);
        if (!strstr(err.message, cases[i].want))
            fail_msg("case %zu: message \"%s\"", i, err.message);
        /* "data" starts on data_line at column 10, the values of "blob" and "list" on lines 2
         * and 3 at column 10 */
        long long line = i == 0 ? data_line : i == 1 ? 2 : 3;
        snprintf(want, sizeof(want), "%s:%lld:10", big->path, line);
        assert_string_equal(err.position, want);
    }
}

/* What an element of test_window_many_elements should give. */
struct want {
    size_t offset;
    long long line;
    int kind;    /* 0 record, 1 bad_json, 2 not_object */
    size_t text; /* offset in texts of the decoded "s" (record) or of the raw text (reject) */
    size_t len;
};

/* ~3 MB of elements of many sizes (some on several lines, some bad, some not objects): every one
 * at its line, offset and index across the window's refills, with its text intact. */
static void test_window_many_elements(void **unused)
{
    (void)unused;
    enum { N = 1200 };
    struct og_buf doc = OG_BUF_INIT, texts = OG_BUF_INIT;
    struct want *want = calloc(N, sizeof(*want));
    assert_non_null(want);
    put(&doc, "[\n");
    for (int k = 0; k < N; k++) {
        char head[64];
        put(&doc, k > 0 ? ",\n  " : "  ");
        want[k].offset = doc.len;
        want[k].text = texts.len;
        if (k % 97 == 50 || k % 89 == 40) {
            want[k].kind = k % 97 == 50 ? 1 : 2;
            if (want[k].kind == 1)
                snprintf(head, sizeof(head), "{\"id\": %d, \"bad\": tru}", k);
            else
                snprintf(head, sizeof(head), "\"str ] , %d\"", k);
            put(&doc, head);
            put(&texts, head);
            want[k].len = strlen(head);
            continue;
        }
        snprintf(head, sizeof(head), "{\"id\": %d,%s\"s\": \"", k, k % 7 == 3 ? "\n   " : " ");
        put(&doc, head);
        put_units(&doc, &texts, (size_t)(k * 7919) % 4000, (size_t)k);
        want[k].len = texts.len - want[k].text;
        put(&doc, k % 7 == 3 ? "\",\n   \"n\": [1, {\"a\": \"]\"}]}" : "\"}");
    }
    put(&doc, "\n]\n");
    assert_true(doc.len > 8 * BLOCK);
    long long line = 1;
    for (size_t i = 0, k = 0; k < N; k++) {
        for (; i < want[k].offset; i++)
            line += doc.data[i] == '\n';
        want[k].line = line;
    }
    const char *path = harness_tempfile(doc.data, doc.len, 0);

    struct harness_result r;
    harness_read(C, path, NULL, &r);
    assert_int_equal(r.end_rc, 0);
    size_t d = 0, j = 0;
    for (int k = 0; k < N; k++) {
        const struct want *w = &want[k];
        if (w->kind == 0) {
            json_t *s = json_object_get(harness_doc(&r, d), "s");
            if (doc_id(&r, d) != k || json_string_length(s) != w->len ||
                memcmp(json_string_value(s), texts.data + w->text, w->len) != 0)
                fail_msg("element %d: not the record written", k);
            assert_int_equal(harness_doc_num(&r, d, "offset"), (long long)w->offset);
            assert_int_equal(harness_doc_num(&r, d, "line"), w->line);
            assert_int_equal(harness_doc_num(&r, d, "index"), k);
            d++;
            continue;
        }
        assert_string_equal(harness_rej_str(&r, j, "reason"),
                            w->kind == 1 ? "bad_json" : "not_object");
        assert_int_equal(harness_rej_num(&r, j, "offset"), (long long)w->offset);
        assert_int_equal(harness_rej_num(&r, j, "line"), w->line);
        assert_int_equal(harness_rej_num(&r, j, "index"), k);
        const char *raw = harness_rej_str(&r, j, "raw");
        assert_int_equal(strlen(raw), w->len);
        assert_memory_equal(raw, texts.data + w->text, w->len);
        j++;
    }
    assert_int_equal(json_array_size(r.docs), d);
    assert_int_equal(json_array_size(r.rejects), j);
    assert_int_equal(r.total, (long long)doc.len);
    assert_int_equal(r.done, r.total);
    harness_free(&r);
    unlink(path);
    free(want);
    og_buf_free(&texts);
    og_buf_free(&doc);
}

/* Reads end at multiples of OG_JSONDOC_BLOCK. Elements shorter than a block placed so that an
 * escape and the quote it escapes, a closing quote, a separating comma, a line feed and an escaped
 * backslash straddle a read's end, and an element starts a read: all are scanned as if the file
 * were one piece, by verify and by next. */
static void test_window_block_ends(void **unused)
{
    (void)unused;
    struct og_buf doc = OG_BUF_INIT;
    size_t at[10], s[10];
    put(&doc, "[\n  ");
    s[0] = element_head(&doc, &at[0], 0); /* fills the first read up to element 1 */
    pad_to(&doc, 3 * BLOCK / 2);
    put(&doc, "\"},\n  ");
    s[1] = element_head(&doc, &at[1], 1); /* `\` ends a read, the quote it escapes starts one */
    pad_to(&doc, 2 * BLOCK - 1);
    put(&doc, "\\\"]}, {\\\"x\\\": \\\"]\\\"}\"},\n  ");
    s[2] = element_head(&doc, &at[2], 2); /* the closing quote ends a read */
    pad_to(&doc, 3 * BLOCK - 1);
    put(&doc, "\"},\n  ");
    s[3] = element_head(&doc, &at[3], 3); /* the comma after the element ends a read */
    pad_to(&doc, 4 * BLOCK - 3);
    put(&doc, "\"}");
    assert_int_equal(doc.len, 4 * BLOCK - 1);
    put(&doc, ",\n  ");
    s[4] = element_head(&doc, &at[4], 4); /* the window empties at its end: the next read is two */
    pad_to(&doc, 6 * BLOCK - 6);
    put(&doc, "\"},\n  ");
    at[5] = doc.len; /* starts a read */
    assert_int_equal(at[5], 6 * BLOCK);
    put(&doc, "{\"id\": 5},\n  ");
    s[6] = element_head(&doc, &at[6], 6);
    pad_to(&doc, 7 * BLOCK + 100);
    put(&doc, "\"},\n  ");
    at[7] = doc.len; /* a line feed inside it ends a read */
    put(&doc, "{\"id\": 7, \"t\": \"");
    s[7] = doc.len;
    pad_to(&doc, 8 * BLOCK - 3);
    put(&doc, "\",\n");
    assert_int_equal(doc.len, 8 * BLOCK);
    put(&doc, "   \"u\": 1},\n  ");
    s[8] = element_head(&doc, &at[8], 8); /* `\\`: the first backslash ends a read */
    pad_to(&doc, 9 * BLOCK - 1);
    put(&doc, "\\\\\"},\n  ");
    at[9] = doc.len;
    put(&doc, "{\"id\": 9}\n]\n");
    const char *path = harness_tempfile(doc.data, doc.len, 0);

    /* verify scans it whole, and leaves the reader at the first element */
    void *state = NULL;
    struct og_error err;
    struct og_pos pos;
    json_t *rec = NULL;
    char *raw = NULL;
    assert_int_equal(harness_open(C, path, NULL, &state, &err), 0);
    assert_int_equal(C->verify(state, &pos, &err), 0);
    assert_int_equal(C->next(state, &rec, &pos, &raw, &err), 1);
    assert_int_equal(json_integer_value(json_object_get(rec, "id")), 0);
    assert_int_equal(pos.offset, (long long)at[0]);
    assert_int_equal(pos.line, 2);
    json_decref(rec);
    C->close(state);

    struct harness_result r;
    harness_read(C, path, NULL, &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 10);
    for (size_t k = 0; k < 10; k++) {
        assert_int_equal(doc_id(&r, k), (long long)k);
        assert_int_equal(harness_doc_num(&r, k, "offset"), (long long)at[k]);
        assert_int_equal(harness_doc_num(&r, k, "line"), line_of(&doc, at[k]));
    }
    static const char tail[] = "\"]}, {\"x\": \"]\"}";
    const char *s1 = harness_str(&r, 1, "s");
    assert_int_equal(strlen(s1), 2 * BLOCK - 1 - s[1] + strlen(tail));
    assert_string_equal(s1 + 2 * BLOCK - 1 - s[1], tail);
    assert_int_equal(strlen(harness_str(&r, 2, "s")), 3 * BLOCK - 1 - s[2]);
    assert_int_equal(strlen(harness_str(&r, 3, "s")), 4 * BLOCK - 3 - s[3]);
    assert_int_equal(strlen(harness_str(&r, 4, "s")), 6 * BLOCK - 6 - s[4]);
    assert_int_equal(strlen(harness_str(&r, 6, "s")), 7 * BLOCK + 100 - s[6]);
    assert_int_equal(strlen(harness_str(&r, 7, "t")), 8 * BLOCK - 3 - s[7]);
    assert_int_equal(json_integer_value(json_object_get(harness_doc(&r, 7), "u")), 1);
    const char *s8 = harness_str(&r, 8, "s");
    assert_int_equal(strlen(s8), 9 * BLOCK - 1 - s[8] + 1);
    assert_int_equal(s8[strlen(s8) - 1], '\\');
    assert_int_equal(r.done, (long long)doc.len);
    harness_free(&r);
    unlink(path);
    og_buf_free(&doc);
}

/* An element of six windows' size, then a bad one of four blocks, then small ones: the big one is
 * whole, the bad one a reject with its first 64 KiB as raw text, the small ones at their places.
 * A root object larger than the window is one record. */
static void test_window_big_element(void **unused)
{
    (void)unused;
    struct og_buf doc = OG_BUF_INIT, text = OG_BUF_INIT;
    size_t at[203];
    put(&doc, "[\n  {\"id\": 0},\n  ");
    at[1] = doc.len;
    put(&doc, "{\"id\": 1, \"a\": [{\"s\": \"");
    put_units(&doc, &text, 12 * BLOCK / 2, 0);
    put(&doc, "\"}, [1, [2, {\"b\": \"]\"}]]],\n   \"n\": 7},\n  ");
    at[2] = doc.len;
    put(&doc, "{\"id\": 2, \"s\": \"");
    pad_to(&doc, at[2] + 4 * BLOCK);
    put(&doc, "\", \"bad\": tru}");
    for (int k = 3; k < 203; k++) {
        char e[32];
        put(&doc, ",\n  ");
        at[k] = doc.len;
        snprintf(e, sizeof(e), "{\"id\": %d}", k);
        put(&doc, e);
    }
    put(&doc, "\n]\n");
    const char *path = harness_tempfile(doc.data, doc.len, 0);

    struct harness_result r;
    harness_read(C, path, NULL, &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.docs), 202);
    json_t *big = harness_doc(&r, 1);
    json_t *str = json_object_get(json_array_get(json_object_get(big, "a"), 0), "s");
    assert_int_equal(json_string_length(str), text.len);
    assert_memory_equal(json_string_value(str), text.data, text.len);
    assert_int_equal(json_integer_value(json_object_get(big, "n")), 7);
    assert_int_equal(harness_doc_num(&r, 1, "offset"), (long long)at[1]);
    assert_int_equal(json_array_size(r.rejects), 1);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "bad_json");
    assert_int_equal(harness_rej_num(&r, 0, "offset"), (long long)at[2]);
    assert_int_equal(harness_rej_num(&r, 0, "line"), line_of(&doc, at[2]));
    const char *raw = harness_rej_str(&r, 0, "raw");
    assert_int_equal(strlen(raw), 64 * 1024);
    assert_memory_equal(raw, doc.data + at[2], 64 * 1024);
    for (size_t k = 3; k < 203; k++) {
        assert_int_equal(doc_id(&r, k - 1), (long long)k);
        assert_int_equal(harness_doc_num(&r, k - 1, "offset"), (long long)at[k]);
        assert_int_equal(harness_doc_num(&r, k - 1, "line"), line_of(&doc, at[k]));
    }
    harness_free(&r);
    unlink(path);

    og_buf_reset(&doc);
    og_buf_reset(&text);
    put(&doc, "\n\n{\"id\": \"root\", \"s\": \"");
    put_units(&doc, &text, 3 * BLOCK, 5);
    put(&doc, "\"}\n\n");
    path = harness_tempfile(doc.data, doc.len, 0);
    harness_read(C, path, NULL, &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.docs), 1);
    str = json_object_get(harness_doc(&r, 0), "s");
    assert_int_equal(json_string_length(str), text.len);
    assert_memory_equal(json_string_value(str), text.data, text.len);
    assert_int_equal(harness_doc_num(&r, 0, "line"), 3);
    assert_int_equal(harness_doc_num(&r, 0, "offset"), 2);
    assert_int_equal(r.done, (long long)doc.len);
    harness_free(&r);
    unlink(path);
    og_buf_free(&text);
    og_buf_free(&doc);
}

/* A document cut inside its array after a 600 KB member and ~2 MB of elements: verify (its own
 * pass over the file) says where it ends, and leaves the reader at the first element; reading then
 * ends with the same error at the same place. The whole document verifies. */
static void test_window_verify_truncated(void **unused)
{
    (void)unused;
    struct og_buf doc = OG_BUF_INIT;
    put(&doc, "{\"meta\": \"");
    pad_to(&doc, 600 * 1024);
    put(&doc, "\",\n \"data\": [\n  ");
    size_t first = doc.len;
    enum { N = 1000 };
    for (int k = 0; k < N; k++) {
        char head[48];
        snprintf(head, sizeof(head), "%s{\"id\": %d,\n   \"s\": \"", k ? ",\n  " : "", k);
        put(&doc, head);
        pad_to(&doc, doc.len + 2000);
        put(&doc, "]\"}");
    }
    put(&doc, ",\n  {\"id\": \"cut\", \"s\": \"cut he");
    const char *path = harness_tempfile(doc.data, doc.len, 0);
    long long end_line = line_of(&doc, doc.len);
    size_t last_nl = doc.len;
    while (doc.data[last_nl - 1] != '\n')
        last_nl--;
    char want[128];
    snprintf(want, sizeof(want), "%s:%lld:%zu", path, end_line, doc.len - last_nl + 1);

    void *state = NULL;
    struct og_error err;
    struct og_pos pos;
    json_t *rec = NULL;
    char *raw = NULL;
    assert_int_equal(harness_open(C, path, "{\"records\": \"data\"}", &state, &err), 0);
    memset(&pos, 0, sizeof(pos));
    assert_int_equal(C->verify(state, &pos, &err), OG_EPARSE);
    assert_int_equal(err.klass, OG_CLASS_REJECT);
    assert_non_null(strstr(err.message, "not closed at the end of the file"));
    assert_string_equal(err.position, want);
    assert_int_equal(pos.line, end_line);
    assert_int_equal(pos.offset, (long long)doc.len);
    long long n = 0, rejects = 0;
    int rc;
    while ((rc = C->next(state, &rec, &pos, &raw, &err)) == 1 || rc == OG_EREJECT) {
        if (rc == 1) {
            assert_int_equal(json_integer_value(json_object_get(rec, "id")), n);
            if (n == 0) {
                assert_int_equal(pos.offset, (long long)first);
                assert_int_equal(pos.line, 3);
            }
            n++;
        }
        else {
            rejects++;
            assert_int_equal(pos.index, N);
            assert_int_equal(pos.line, end_line);
        }
        json_decref(rec);
        free(raw);
        rec = NULL;
        raw = NULL;
    }
    assert_int_equal(n, N);
    assert_int_equal(rejects, 1);
    assert_int_equal(rc, OG_EPARSE);
    assert_non_null(strstr(err.message, "not closed at the end of the file"));
    assert_string_equal(err.position, want);
    C->close(state);
    unlink(path);

    put(&doc, "\"}\n ]}\n");
    path = harness_tempfile(doc.data, doc.len, 0);
    assert_int_equal(harness_open(C, path, "{\"records\": \"data\"}", &state, &err), 0);
    assert_int_equal(C->verify(state, &pos, &err), 0);
    n = 0;
    while ((rc = C->next(state, &rec, &pos, &raw, &err)) == 1) {
        json_decref(rec);
        n++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, N + 1);
    C->close(state);
    unlink(path);
    og_buf_free(&doc);
}

/* A file that cannot be read is an I/O error naming it, not an empty document. */
static void test_read_error(void **unused)
{
    (void)unused;
    void *state = NULL;
    struct og_error err;
    assert_int_equal(harness_open(C, "tests/fixtures/connectors", NULL, &state, &err), OG_EIO);
    assert_null(state);
    assert_non_null(strstr(err.message, "could not read \"tests/fixtures/connectors\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_array),
        cmocka_unit_test(test_records_path),
        cmocka_unit_test(test_records_path_errors),
        cmocka_unit_test(test_truncated_document),
        cmocka_unit_test(test_leading_zeros),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_open311_spec_example),
        cmocka_unit_test(test_chicago_open311),
        cmocka_unit_test_teardown(test_window_records_path_after_big_member, big_teardown),
        cmocka_unit_test(test_window_many_elements),
        cmocka_unit_test(test_window_block_ends),
        cmocka_unit_test(test_window_big_element),
        cmocka_unit_test(test_window_verify_truncated),
        cmocka_unit_test(test_read_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
