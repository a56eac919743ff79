/* test_ndjson.c - unit tests of the ndjson connector: lines, rejects, limits, FHIR bulk data. */
#include "connectors/ndjson.h"

#include "tests/unit/connector_harness.h"

static const struct og_connector *const C = &og_connector_ndjson;

/* A malformed line 3 among 5: 4 records and 1 reject at line 3, with the line as raw text. */
static void test_bad_line_three(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, FIXTURES "five_lines_bad3.ndjson", NULL, &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.docs), 4);
    assert_int_equal(json_array_size(r.rejects), 1);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "bad_json");
    assert_int_equal(harness_rej_num(&r, 0, "line"), 3);
    assert_int_equal(harness_rej_num(&r, 0, "index"), 2);
    assert_string_equal(harness_rej_str(&r, 0, "raw"), "{\"id\": 3, \"name\": \"three\"");
    assert_non_null(strstr(harness_rej_str(&r, 0, "message"), "column"));
    assert_non_null(strstr(harness_rej_str(&r, 0, "position"), "five_lines_bad3.ndjson:3:"));
    long long want_lines[] = {1, 2, 4, 5};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(harness_doc_num(&r, i, "line"), want_lines[i]);
    assert_string_equal(harness_str(&r, 0, "name"), "一号");
    assert_int_equal(json_integer_value(json_object_get(harness_doc(&r, 3), "id")), 5);
    /* offsets: line 2 starts after line 1 and its LF */
    assert_int_equal(harness_doc_num(&r, 1, "offset"),
                     (long long)strlen("{\"id\": 1, \"name\": \"一号\"}\n"));
    assert_int_equal(r.done, r.total);
    assert_int_equal(r.total, 119);
    harness_free(&r);
}

/* BOM, CRLF, blank and whitespace-only lines, arrays and scalars, a last line without LF. */
static void test_bom_crlf_blank_not_object(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, FIXTURES "bom_crlf.ndjson", NULL, &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.docs), 3);
    assert_string_equal(harness_str(&r, 0, "id"), "a");
    assert_int_equal(harness_doc_num(&r, 0, "line"), 1);
    assert_int_equal(harness_doc_num(&r, 0, "offset"), 0);
    assert_string_equal(harness_str(&r, 1, "id"), "b");
    assert_string_equal(harness_str(&r, 1, "s"), "x\ty");
    assert_int_equal(harness_doc_num(&r, 1, "line"), 4);
    assert_string_equal(harness_str(&r, 2, "id"), "c");
    assert_int_equal(harness_doc_num(&r, 2, "line"), 7);
    assert_int_equal(json_array_size(r.rejects), 2);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "not_object");
    assert_int_equal(harness_rej_num(&r, 0, "line"), 5);
    assert_string_equal(harness_rej_str(&r, 0, "raw"), "[1, 2]");
    assert_string_equal(harness_rej_str(&r, 1, "reason"), "not_object");
    assert_int_equal(harness_rej_num(&r, 1, "line"), 6);
    assert_string_equal(harness_rej_str(&r, 1, "raw"), "\"just a string\"");
    /* blank lines are not records: indexes run 0..4 over records and rejects */
    assert_int_equal(harness_doc_num(&r, 2, "index"), 4);
    assert_int_equal(r.done, r.total);
    harness_free(&r);
}

static void test_max_line_bytes(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, FIXTURES "long_line.ndjson", "{\"max_line_bytes\": 100}", &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_int_equal(harness_doc_num(&r, 1, "line"), 3);
    assert_int_equal(json_integer_value(json_object_get(harness_doc(&r, 1), "id")), 3);
    assert_int_equal(json_array_size(r.rejects), 1);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "line_too_long");
    assert_int_equal(harness_rej_num(&r, 0, "line"), 2);
    assert_int_equal(strlen(harness_rej_str(&r, 0, "raw")), 101); /* kept: the limit + 1 */
    harness_free(&r);

    harness_read(C, FIXTURES "long_line.ndjson", NULL, &r);
    assert_int_equal(json_array_size(r.docs), 3);
    assert_int_equal(json_array_size(r.rejects), 0);
    harness_free(&r);
}

/* Lines longer than the read block are joined; a too-long line is skipped to its LF even
 * when it spans several blocks; raw is cut at 64 KiB. */
static void test_lines_across_blocks(void **unused)
{
    (void)unused;
    size_t big = 200 * 1024, mid = 100 * 1024;
    char *text = malloc(big + mid + 64);
    size_t n = 0;
    n += (size_t)sprintf(text + n, "{\"v\":\"");
    memset(text + n, 'a', big);
    n += big;
    n += (size_t)sprintf(text + n, "\"}\n{\"w\":\"");
    memset(text + n, 'b', mid);
    n += mid;
    n += (size_t)sprintf(text + n, "\"}\n{\"id\":3}\n");
    const char *path = harness_tempfile(text, n, 0);

    struct harness_result r;
    harness_read(C, path, "{\"max_line_bytes\": 150000}", &r);
    assert_int_equal(json_array_size(r.rejects), 1);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "line_too_long");
    assert_int_equal(harness_rej_num(&r, 0, "line"), 1);
    assert_int_equal(strlen(harness_rej_str(&r, 0, "raw")), 64 * 1024);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_int_equal(strlen(harness_str(&r, 0, "w")), mid);
    assert_int_equal(harness_doc_num(&r, 0, "line"), 2);
    assert_int_equal(harness_doc_num(&r, 0, "offset"), (long long)big + 9);
    assert_int_equal(harness_doc_num(&r, 1, "line"), 3);
    harness_free(&r);

    harness_read(C, path, NULL, &r);
    assert_int_equal(json_array_size(r.docs), 3);
    assert_int_equal(strlen(harness_str(&r, 0, "v")), big);
    harness_free(&r);
    unlink(path);
    free(text);
}

static void test_options_and_errors(void **unused)
{
    (void)unused;
    void *state = NULL;
    struct og_error err;
    assert_int_equal(
        harness_open(C, FIXTURES "five_lines_bad3.ndjson", "{\"max_line\": 5}", &state, &err),
        OG_ECONFIG);
    assert_null(state);
    assert_string_equal(err.message, "unknown option \"max_line\" for connector ndjson");
    assert_non_null(strstr(err.detail, "max_line_bytes"));
    assert_int_equal(harness_open(C, FIXTURES "five_lines_bad3.ndjson",
                                  "{\"max_line_bytes\": \"big\"}", &state, &err),
                     OG_ECONFIG);
    assert_int_equal(
        harness_open(C, FIXTURES "five_lines_bad3.ndjson", "{\"max_line_bytes\": 0}", &state, &err),
        OG_ECONFIG);
    assert_int_equal(harness_open(C, FIXTURES "no_such_file.ndjson", NULL, &state, &err), OG_EIO);
    assert_int_equal(err.klass, OG_CLASS_FATAL);
    assert_null(state);
    C->close(NULL);

    assert_string_equal(C->name, "ndjson");
    assert_string_equal(C->options[0].key, "max_line_bytes");
    assert_string_equal(C->options[0].type, "integer");
    assert_string_equal(C->options[1].key, "keyed");
    assert_string_equal(C->options[1].type, "boolean");
    assert_null(C->options[2].key);
}

/* Kafka messages as kcat writes them (KEY<TAB>JSON): the value is the record, with the key and the
 * record number under "_kafka" as the kafka source puts them; a line without a key is read as it
 * is; a bad value is a reject whose raw text is the whole line. */
static void test_keyed_lines(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, FIXTURES "keyed.kcat", "{\"keyed\": true}", &r);
    assert_int_equal(json_array_size(r.docs), 3);
    assert_int_equal(json_array_size(r.rejects), 1);
    const json_t *d0 = json_object_get(json_array_get(r.docs, 0), "doc");
    assert_string_equal(json_string_value(json_object_get(d0, "jqbh")), "J1");
    const json_t *meta = json_object_get(d0, "_kafka");
    assert_string_equal(json_string_value(json_object_get(meta, "key")), "J1");
    assert_int_equal(json_integer_value(json_object_get(meta, "offset")), 0);
    assert_true(json_is_null(json_object_get(meta, "timestamp")));
    const json_t *d1 = json_object_get(json_array_get(r.docs, 1), "doc");
    assert_string_equal(json_string_value(json_object_get(json_object_get(d1, "_kafka"), "key")),
                        "-");
    const json_t *d2 = json_object_get(json_array_get(r.docs, 2), "doc");
    assert_string_equal(json_string_value(json_object_get(d2, "jqbh")), "J3");
    assert_string_equal(json_string_value(json_object_get(json_object_get(d2, "_kafka"), "key")),
                        "");
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "bad_json");
    assert_int_equal(harness_rej_num(&r, 0, "line"), 4);
    /* without "keyed" the same file is not NDJSON */
    harness_free(&r);
    harness_read(C, FIXTURES "keyed.kcat", NULL, &r);
    assert_int_equal(json_array_size(r.docs), 1);
    assert_int_equal(json_array_size(r.rejects), 3);
    harness_free(&r);
}

/* A FHIR bulk-data export: 13 Patient resources, one per line. */
static void test_fhir_bulk_patients(void **unused)
{
    (void)unused;
    if (!harness_have_shared())
        skip();
    struct harness_result r;
    harness_read(C, SHARED_DATA "health/fhir/bulk10_Patient.000.ndjson", NULL, &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 13);
    assert_string_equal(harness_str(&r, 0, "resourceType"), "Patient");
    assert_string_equal(harness_str(&r, 0, "id"), "129c6ac7-8d06-89de-ad63-0204a93e76c3");
    assert_string_equal(harness_str(&r, 12, "id"), "fb7c882a-f897-e7c5-67e0-825e7fd55d15");
    assert_int_equal(harness_doc_num(&r, 12, "line"), 13);
    json_t *name = json_array_get(json_object_get(harness_doc(&r, 12), "name"), 0);
    assert_string_equal(json_string_value(json_object_get(name, "family")), "O'Keefe54");
    assert_int_equal(r.done, r.total);
    assert_int_equal(r.total, 43870);
    harness_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_line_three),     cmocka_unit_test(test_bom_crlf_blank_not_object),
        cmocka_unit_test(test_max_line_bytes),     cmocka_unit_test(test_lines_across_blocks),
        cmocka_unit_test(test_options_and_errors), cmocka_unit_test(test_fhir_bulk_patients),
        cmocka_unit_test(test_keyed_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
