/* test_jsondoc.c - unit tests of the json connector: element scanning, paths, zeros, Open311. */
#include "connectors/jsondoc.h"

#include "tests/unit/connector_harness.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_array),           cmocka_unit_test(test_records_path),
        cmocka_unit_test(test_records_path_errors),  cmocka_unit_test(test_truncated_document),
        cmocka_unit_test(test_leading_zeros),        cmocka_unit_test(test_options),
        cmocka_unit_test(test_open311_spec_example), cmocka_unit_test(test_chicago_open311),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
