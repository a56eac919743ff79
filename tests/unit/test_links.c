/* test_links.c - unit tests for transform/links.c: the link rules file (sides, categories, place
 * tests, window), its errors with file and JSON path, and the shipped mappings/links.json. */
#include "transform/links.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static int from_text(const char *text, struct og_links *links, struct og_error *err)
{
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    if (!doc)
        fail_msg("test JSON does not parse: %s: %s", text, jerr.text);
    og_error_clear(err);
    int rc = og_links_from_json(doc, "links.json", links, err);
    json_decref(doc);
    return rc;
}

/* Asserts text is refused (OG_ECONFIG) with this position and a message containing what. */
static void refused(const char *text, const char *position, const char *what)
{
    struct og_links links;
    struct og_error err;
    assert_int_equal(from_text(text, &links, &err), OG_ECONFIG);
    assert_string_equal(err.position, position);
    if (!strstr(err.message, what))
        fail_msg("message \"%s\" does not contain \"%s\"", err.message, what);
    assert_int_equal(links.nrules, 0);
    assert_null(links.rules);
}

#define SIDES                                                                                      \
    "\"between\": [{\"department\": \"FR\", \"categories\": [\"0101\"]}, "                         \
    "{\"department\": \"UM\", \"categories\": [\"0101\", \"04\"]}]"

static void test_rules(void **unused)
{
    (void)unused;
    struct og_links links;
    struct og_error err;
    assert_int_equal(
        from_text("{\"description\": \"d\", \"rules\": ["
                  "{\"name\": \"fire_fr_um\", " SIDES ", \"within_m\": 80, \"window_hours\": 24},"
                  "{\"name\": \"any_grid\", \"between\": [{\"categories\": [\"01\"]}, "
                  "{\"department\": \"HT\", \"categories\": [\"0502\"]}], \"same_grid\": true, "
                  "\"window_hours\": 1.5}]}",
                  &links, &err),
        0);
    assert_int_equal(links.nrules, 2);
    assert_string_equal(links.path, "links.json");
    const struct og_link_rule *r = &links.rules[0];
    assert_string_equal(r->name, "fire_fr_um");
    assert_string_equal(r->side[0].department, "FR");
    assert_int_equal(r->side[0].nprefixes, 1);
    assert_string_equal(r->side[0].prefixes[0], "0101");
    assert_string_equal(r->side[1].department, "UM");
    assert_int_equal(r->side[1].nprefixes, 2);
    assert_string_equal(r->side[1].prefixes[1], "04");
    assert_false(r->same_grid);
    assert_true(r->within_m == 80);
    assert_int_equal(r->window_s, 24 * 3600);
    r = &links.rules[1];
    assert_string_equal(r->side[0].department, ""); /* any department */
    assert_true(r->same_grid);
    assert_true(r->within_m == 0);
    assert_int_equal(r->window_s, 5400);
    og_links_free(&links);
    assert_null(links.rules);
    og_links_free(&links); /* twice, and NULL, are harmless */
    og_links_free(NULL);
}

static void test_errors(void **unused)
{
    (void)unused;
    refused("[]", "links.json: $", "JSON object");
    refused("{\"rules\": []}", "links.json: rules", "non-empty list");
    refused("{\"rule\": []}", "links.json: $", "unknown key \"rule\"");
    refused("{\"rules\": [{\"name\": \"a\", " SIDES ", \"within_m\": 80, \"window_hours\": 24, "
            "\"windows\": 1}]}",
            "links.json: rules[0]", "unknown key \"windows\"");
    refused("{\"rules\": [{" SIDES ", \"within_m\": 80, \"window_hours\": 24}]}",
            "links.json: rules[0]", "\"name\" is required");
    refused("{\"rules\": [{\"name\": \"Fire\", " SIDES
            ", \"within_m\": 80, \"window_hours\": 24}]}",
            "links.json: rules[0].name", "rule name");
    refused("{\"rules\": [{\"name\": \"a\", " SIDES ", \"within_m\": 80, \"window_hours\": 24}, "
            "{\"name\": \"a\", " SIDES ", \"within_m\": 80, \"window_hours\": 24}]}",
            "links.json: rules[1].name", "used twice");
    refused("{\"rules\": [{\"name\": \"a\", \"between\": [{\"categories\": [\"01\"]}], "
            "\"within_m\": 80, \"window_hours\": 24}]}",
            "links.json: rules[0].between", "two sides");
    refused("{\"rules\": [{\"name\": \"a\", \"between\": [{\"department\": \"FR\", \"categories\": "
            "[\"0101\"]}, {\"department\": \"UM\", \"categories\": [\"01\", \"4x\"]}], "
            "\"within_m\": 80, \"window_hours\": 24}]}",
            "links.json: rules[0].between[1].categories[1]", "2 or 4 digits");
    refused("{\"rules\": [{\"name\": \"a\", \"between\": [{\"department\": \"FR\", \"categories\": "
            "[\"0101\"]}, {\"department\": \"UM\", \"categories\": []}], "
            "\"within_m\": 80, \"window_hours\": 24}]}",
            "links.json: rules[0].between[1].categories", "non-empty list");
    refused("{\"rules\": [{\"name\": \"a\", \"between\": [{\"department\": \"fr\", \"categories\": "
            "[\"0101\"]}, {\"department\": \"UM\", \"categories\": [\"01\"]}], "
            "\"within_m\": 80, \"window_hours\": 24}]}",
            "links.json: rules[0].between[0].department", "department code");
    refused("{\"rules\": [{\"name\": \"a\", \"between\": [{\"department\": \"FR\", \"categories\": "
            "[\"0101\"]}, {\"department\": \"FR\", \"categories\": [\"01\"]}], "
            "\"within_m\": 80, \"window_hours\": 24}]}",
            "links.json: rules[0].between", "different departments");
    refused("{\"rules\": [{\"name\": \"a\", " SIDES ", \"window_hours\": 24}]}",
            "links.json: rules[0]", "place test");
    refused("{\"rules\": [{\"name\": \"a\", " SIDES
            ", \"same_grid\": false, \"window_hours\": 24}]}",
            "links.json: rules[0]", "place test");
    refused("{\"rules\": [{\"name\": \"a\", " SIDES ", \"within_m\": 0, \"window_hours\": 24}]}",
            "links.json: rules[0].within_m", "above 0");
    refused("{\"rules\": [{\"name\": \"a\", " SIDES ", \"same_grid\": 1, \"window_hours\": 24}]}",
            "links.json: rules[0].same_grid", "true or false");
    refused("{\"rules\": [{\"name\": \"a\", " SIDES ", \"within_m\": 80}]}", "links.json: rules[0]",
            "\"window_hours\" is required");
    refused("{\"rules\": [{\"name\": \"a\", " SIDES ", \"within_m\": 80, \"window_hours\": -1}]}",
            "links.json: rules[0].window_hours", "above 0");
}

static void test_shipped(void **unused)
{
    (void)unused;
    struct og_links links;
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(og_links_load("mappings/links.json", &links, &err), 0);
    assert_int_equal(links.nrules, 4);
    assert_string_equal(links.rules[0].name, "fire_fr_um");
    og_links_free(&links);
    assert_int_equal(og_links_load("mappings/no-such-links.json", &links, &err), OG_ECONFIG);
    assert_non_null(strstr(err.position, "mappings/no-such-links.json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_shipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
