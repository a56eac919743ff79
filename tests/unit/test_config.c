/* test_config.c - unit tests for core/config.c: onegrid.json keys, paths, defaults, ranges,
 * sources. */
#include "core/config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define FIX "tests/fixtures/core/config/"
#define SRC "{\"name\": \"a\", \"inputs\": \"in.ndjson\", \"mapping\": \"m.json\"}"

/* og_config_from_json on JSON text as if read from "cfg.json" in folder "/etc/og". */
static int from_text(const char *text, struct og_config *cfg, struct og_error *err)
{
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    if (!doc)
        fail_msg("test JSON does not parse: %s: %s", text, jerr.text);
    og_error_clear(err);
    int rc = og_config_from_json(doc, "cfg.json", "/etc/og", "/usr/share/onegrid", cfg, err);
    json_decref(doc);
    return rc;
}

/* "position: message", as the user reads the first line of the error. */
static const char *first_line(const struct og_error *err, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", err->position, err->position[0] ? ": " : "", err->message);
    return buf;
}

/* Asserts the config text is refused with exactly this first line (position: message) and, when
 * not NULL, this detail. */
static void refused(const char *text, const char *message, const char *detail)
{
    struct og_config cfg;
    struct og_error err;
    char line[1024];
    assert_int_equal(from_text(text, &cfg, &err), OG_ECONFIG);
    assert_int_equal(err.code, OG_ECONFIG);
    assert_int_equal(err.reason, OG_R_BAD_CONFIG);
    if (strcmp(first_line(&err, line, sizeof(line)), message) != 0)
        fail_msg("config %s\n  message \"%s\"\n  want    \"%s\"", text, line, message);
    if (detail && strcmp(err.detail, detail) != 0)
        fail_msg("config %s\n  detail \"%s\"\n  want   \"%s\"", text, err.detail, detail);
    assert_null(cfg.sources); /* nothing left to free */
    assert_int_equal(cfg.nsources, 0);
    og_config_free(&cfg);
}

static void test_load_file(void **unused)
{
    (void)unused;
    struct og_config cfg;
    struct og_error err;
    og_error_clear(&err);
    int rc = og_config_load(FIX "onegrid.json", "/usr/share/onegrid", &cfg, &err);
    if (rc != 0)
        fail_msg("%s", err.message);
    assert_string_equal(cfg.path, FIX "onegrid.json");
    assert_string_equal(cfg.dsn, "host=/tmp dbname=onegrid_test");
    /* relative paths resolve against the folder of the config file, absolute ones stay */
    assert_string_equal(cfg.world_dir, FIX "world/small");
    assert_string_equal(cfg.crosswalk_dir, "/srv/onegrid/crosswalks");
    assert_string_equal(cfg.taxonomy, FIX "taxonomy/categories.csv");
    assert_int_equal(cfg.batch_size, 250);
    assert_true(cfg.max_reject_ratio == 0.05);
    assert_int_equal(cfg.nsources, 2);

    const struct og_source_cfg *um = og_config_source(&cfg, "um_cases");
    assert_ptr_equal(um, &cfg.sources[0]);
    assert_null(um->connector); /* the mapping's input.connector decides */
    assert_int_equal(um->ninputs, 1);
    assert_string_equal(um->inputs[0], FIX "feeds/um/*.ndjson");
    assert_string_equal(um->mapping, FIX "mappings/um_cases.json");
    assert_null(um->options);

    const struct og_source_cfg *fr = og_config_source(&cfg, "fire_calls");
    assert_non_null(fr);
    assert_string_equal(fr->connector, "csv");
    assert_int_equal(fr->ninputs, 2);
    assert_string_equal(fr->inputs[0], FIX "fr/a.csv");
    assert_string_equal(fr->inputs[1], "/data/fr/b.csv");
    assert_string_equal(fr->mapping, "/etc/onegrid/fr.json");
    assert_true(json_is_object(fr->options));
    assert_string_equal(json_string_value(json_object_get(fr->options, "delimiter")), ";");
    assert_null(og_config_source(&cfg, "nope"));
    og_config_free(&cfg);
    assert_null(cfg.sources);
    og_config_free(&cfg); /* twice is harmless */
    og_config_free(NULL);
}

/* A config named without a folder resolves against ".". The results are read before the assertions
 * so that the working directory is restored even when one fails. */
static void test_load_in_cwd(void **unused)
{
    (void)unused;
    char old[4096];
    assert_non_null(getcwd(old, sizeof(old)));
    assert_int_equal(chdir(FIX), 0);
    struct og_config cfg;
    struct og_error err;
    og_error_clear(&err);
    int rc = og_config_load("onegrid.json", NULL, &cfg, &err);
    int back = chdir(old);
    assert_int_equal(back, 0);
    if (rc != 0)
        fail_msg("%s", err.message);
    assert_string_equal(cfg.sources[0].mapping, "./mappings/um_cases.json");
    assert_string_equal(cfg.world_dir, "./world/small");
    og_config_free(&cfg);
}

/* The command line passes $ONEGRID_DSN to og_config_set_dsn: it wins over warehouse.dsn; NULL or
 * "" leaves the config's own. */
static void test_dsn_override(void **unused)
{
    (void)unused;
    struct og_config cfg;
    struct og_error err;
    assert_int_equal(og_config_load(FIX "onegrid.json", NULL, &cfg, &err), 0);
    assert_int_equal(og_config_set_dsn(&cfg, "host=db.example port=6543"), 0);
    assert_string_equal(cfg.dsn, "host=db.example port=6543");
    og_config_free(&cfg);
    /* also when the file has no warehouse at all */
    assert_int_equal(from_text("{\"sources\": [" SRC "]}", &cfg, &err), 0);
    assert_null(cfg.dsn);
    assert_int_equal(og_config_set_dsn(&cfg, "host=db.example port=6543"), 0);
    assert_string_equal(cfg.dsn, "host=db.example port=6543");
    og_config_free(&cfg);
    /* an empty or absent value does not override */
    assert_int_equal(
        from_text("{\"warehouse\": {\"dsn\": \"dbname=x\"}, \"sources\": [" SRC "]}", &cfg, &err),
        0);
    assert_int_equal(og_config_set_dsn(&cfg, ""), 0);
    assert_int_equal(og_config_set_dsn(&cfg, NULL), 0);
    assert_string_equal(cfg.dsn, "dbname=x");
    og_config_free(&cfg);
}

/* Without world/taxonomy keys the paths come from datadir; batch_size 2000, 2 loaders; no reject
 * limit; no DSN (libpq's PG* variables then apply). */
static void test_defaults(void **unused)
{
    (void)unused;
    struct og_config cfg;
    struct og_error err;
    assert_int_equal(from_text("{\"sources\": [" SRC "]}", &cfg, &err), 0);
    assert_null(cfg.dsn);
    assert_string_equal(cfg.path, "cfg.json");
    assert_string_equal(cfg.world_dir, "/usr/share/onegrid/world/jinping");
    assert_string_equal(cfg.crosswalk_dir, "/usr/share/onegrid/mappings/crosswalks");
    assert_string_equal(cfg.taxonomy, "/usr/share/onegrid/mappings/taxonomy/categories.csv");
    assert_int_equal(cfg.batch_size, 2000);
    assert_int_equal(cfg.loaders, 2);
    assert_true(cfg.max_reject_ratio < 0);
    assert_string_equal(cfg.sources[0].inputs[0], "/etc/og/in.ndjson");
    assert_string_equal(cfg.sources[0].mapping, "/etc/og/m.json");
    og_config_free(&cfg);

    /* built-in config: no name, no base (paths stay as written), no datadir (".") */
    json_t *doc = json_loads("{\"sources\": [" SRC "]}", 0, NULL);
    assert_int_equal(og_config_from_json(doc, NULL, NULL, NULL, &cfg, &err), 0);
    assert_null(cfg.path);
    assert_string_equal(cfg.world_dir, "./world/jinping");
    assert_string_equal(cfg.sources[0].mapping, "m.json");
    og_config_free(&cfg);
    /* errors of a built-in config say so */
    json_t *bad = json_loads("{\"sources\": []}", 0, NULL);
    og_error_clear(&err);
    assert_int_equal(og_config_from_json(bad, NULL, NULL, NULL, &cfg, &err), OG_ECONFIG);
    char line[1024];
    assert_string_equal(first_line(&err, line, sizeof(line)),
                        "(built-in config): sources: a non-empty list of sources is required");
    json_decref(bad);
    json_decref(doc);
}

static void test_unknown_keys(void **unused)
{
    (void)unused;
    refused("{\"batchsize\": 10, \"sources\": [" SRC "]}", "cfg.json: $: unknown key \"batchsize\"",
            "known keys: warehouse, world, taxonomy, batch_size, max_reject_ratio, sources, "
            "description, links, loaders");
    refused("{\"warehouse\": {\"dns\": \"x\"}, \"sources\": [" SRC "]}",
            "cfg.json: warehouse: unknown key \"dns\"", "known keys: dsn");
    refused("{\"world\": {\"dir\": \"w\", \"crosswalk\": \"x\"}, \"sources\": [" SRC "]}",
            "cfg.json: world: unknown key \"crosswalk\"", "known keys: dir, crosswalks");
    refused("{\"sources\": [" SRC
            ", {\"name\": \"b\", \"inputs\": \"x\", \"maping\": \"m.json\"}]}",
            "cfg.json: sources[1]: unknown key \"maping\"",
            "known keys: name, connector, inputs, mapping, options, partial_files, max_rejects, "
            "max_reject_ratio, description");
    /* NULL err is allowed */
    json_t *doc = json_loads("{\"x\": 1}", 0, NULL);
    struct og_config cfg;
    assert_int_equal(og_config_from_json(doc, "cfg.json", ".", NULL, &cfg, NULL), OG_ECONFIG);
    json_decref(doc);
}

static void test_wrong_types(void **unused)
{
    (void)unused;
    refused("[1, 2]", "cfg.json: $: the configuration is a JSON object", NULL);
    refused("{\"warehouse\": \"dbname=x\", \"sources\": [" SRC "]}",
            "cfg.json: warehouse: must be an object {\"dsn\": \"...\"}", NULL);
    refused("{\"world\": \"w\", \"sources\": [" SRC "]}",
            "cfg.json: world: must be an object {\"dir\": ..., \"crosswalks\": ...}", NULL);
    refused("{\"sources\": {\"a\": 1}}",
            "cfg.json: sources: a non-empty list of sources is required", NULL);
    refused("{}", "cfg.json: sources: a non-empty list of sources is required", NULL);
    refused("{\"sources\": [\"a\"]}",
            "cfg.json: sources[0]: a source is an object {\"name\", \"inputs\", \"mapping\", ...}",
            NULL);
    refused("{\"sources\": [{\"name\": \"a\", \"inputs\": \"x\", \"mapping\": \"m\", \"options\": "
            "[1]}]}",
            "cfg.json: sources[0]: \"options\" must be an object of connector options", NULL);
}

static void test_batch_size_range(void **unused)
{
    (void)unused;
    static const char *const bad[] = {"0", "-1", "1000001", "2.5", "\"100\"", "null"};
    char text[256];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "{\"batch_size\": %s, \"sources\": [" SRC "]}", bad[i]);
        refused(text, "cfg.json: batch_size: must be an integer from 1 to 1000000", NULL);
    }
    struct og_config cfg;
    struct og_error err;
    assert_int_equal(from_text("{\"batch_size\": 1, \"sources\": [" SRC "]}", &cfg, &err), 0);
    assert_int_equal(cfg.batch_size, 1);
    og_config_free(&cfg);
    assert_int_equal(from_text("{\"batch_size\": 1000000, \"sources\": [" SRC "]}", &cfg, &err), 0);
    assert_int_equal(cfg.batch_size, 1000000);
    og_config_free(&cfg);
}

static void test_loaders_range(void **unused)
{
    (void)unused;
    static const char *const bad[] = {"0", "9", "1.5", "\"2\"", "null"};
    char text[256];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "{\"loaders\": %s, \"sources\": [" SRC "]}", bad[i]);
        refused(text, "cfg.json: loaders: must be an integer from 1 to 8 (warehouse connections)",
                NULL);
    }
    struct og_config cfg;
    struct og_error err;
    assert_int_equal(from_text("{\"loaders\": 1, \"sources\": [" SRC "]}", &cfg, &err), 0);
    assert_int_equal(cfg.loaders, 1);
    og_config_free(&cfg);
    assert_int_equal(from_text("{\"loaders\": 8, \"sources\": [" SRC "]}", &cfg, &err), 0);
    assert_int_equal(cfg.loaders, 8);
    og_config_free(&cfg);
}

static void test_reject_ratio_range(void **unused)
{
    (void)unused;
    static const char *const bad[] = {"-0.1", "1.01", "2", "\"0.1\"", "true"};
    char text[256];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "{\"max_reject_ratio\": %s, \"sources\": [" SRC "]}", bad[i]);
        refused(text, "cfg.json: max_reject_ratio: must be a number from 0 to 1", NULL);
    }
    static const struct {
        const char *text;
        double want;
    } good[] = {{"0", 0}, {"0.0", 0}, {"1", 1}, {"0.25", 0.25}};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        snprintf(text, sizeof(text), "{\"max_reject_ratio\": %s, \"sources\": [" SRC "]}",
                 good[i].text);
        struct og_config cfg;
        struct og_error err;
        assert_int_equal(from_text(text, &cfg, &err), 0);
        assert_true(cfg.max_reject_ratio == good[i].want);
        og_config_free(&cfg);
    }
}

static void test_sources(void **unused)
{
    (void)unused;
    refused("{\"sources\": [" SRC ", " SRC "]}",
            "cfg.json: sources[1]: source name \"a\" is used twice", NULL);
    refused("{\"sources\": [{\"name\": \"a\", \"inputs\": \"x\"}]}",
            "cfg.json: sources[0]: \"mapping\" (the mapping file of this feed) is required", NULL);
    static const char *const no_inputs[] = {
        "{\"sources\": [{\"name\": \"a\", \"mapping\": \"m\", \"inputs\": []}]}",
        "{\"sources\": [{\"name\": \"a\", \"mapping\": \"m\", \"inputs\": 3}]}",
    };
    for (size_t i = 0; i < 2; i++)
        refused(no_inputs[i],
                "cfg.json: sources[0]: \"inputs\" is a path or glob, or a non-empty list of them",
                NULL);
    /* a source that is not files (Kafka, a database) has no inputs: the job decides */
    struct og_config cfg;
    struct og_error err;
    assert_int_equal(from_text("{\"sources\": [{\"name\": \"k\", \"mapping\": \"m\", "
                               "\"connector\": \"kafka\"}]}",
                               &cfg, &err),
                     0);
    assert_int_equal(cfg.sources[0].ninputs, 0);
    og_config_free(&cfg);
    refused("{\"sources\": [{\"name\": \"a\", \"mapping\": \"m\", \"inputs\": [\"x\", 3]}]}",
            "cfg.json: sources[0]: \"inputs\" holds paths or globs (strings)", NULL);
    refused("{\"sources\": [{\"inputs\": \"x\", \"mapping\": \"m\"}]}",
            "cfg.json: sources[0]: \"name\" is required: an identifier like \"hl_visits\"", NULL);
    refused("{\"sources\": [{\"name\": 7, \"inputs\": \"x\", \"mapping\": \"m\"}]}",
            "cfg.json: sources[0]: \"name\" is required: an identifier like \"hl_visits\"", NULL);
    /* source names are identifiers: they name the source in every report and table */
    static const char *const bad_names[] = {"",          "a/b",  "a:b",    "HL_visits",
                                            "hl-visits", "1st",  "_x",     "a b",
                                            "x'; drop",  "访问", "a\\\"b", "hl.visits"};
    char text[256], want[256];
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        snprintf(text, sizeof(text),
                 "{\"sources\": [{\"name\": \"%s\", \"inputs\": \"x\", \"mapping\": \"m\"}]}",
                 bad_names[i]);
        json_t *j = json_loads(text, 0, NULL);
        assert_non_null(j);
        snprintf(want, sizeof(want),
                 "cfg.json: sources[0].name: source name \"%s\" is not an identifier",
                 json_string_value(
                     json_object_get(json_array_get(json_object_get(j, "sources"), 0), "name")));
        json_decref(j);
        refused(text, want, NULL);
    }
    static const char *const good_names[] = {"a", "hl_visits", "um_cases_2020", "x9_"};
    for (size_t i = 0; i < sizeof(good_names) / sizeof(good_names[0]); i++)
        assert_true(og_config_name_ok(good_names[i]));
    assert_false(
        og_config_name_ok("a234567890123456789012345678901234567890123456789012345678901234"));
    assert_true(
        og_config_name_ok("a23456789012345678901234567890123456789012345678901234567890123"));
    /* per-source policy: partial files and reject thresholds */
    assert_int_equal(
        from_text("{\"sources\": [{\"name\": \"a\", \"mapping\": \"m\", \"inputs\": \"x\"},"
                  "{\"name\": \"b\", \"mapping\": \"m\", \"inputs\": \"y\", "
                  "\"partial_files\": \"load_prefix\", \"max_rejects\": 10, "
                  "\"max_reject_ratio\": 0.25}]}",
                  &cfg, &err),
        0);
    assert_false(cfg.sources[0].load_prefix);
    assert_true(cfg.sources[0].max_rejects < 0 && cfg.sources[0].max_reject_ratio < 0);
    assert_true(cfg.sources[1].load_prefix);
    assert_int_equal(cfg.sources[1].max_rejects, 10);
    assert_true(cfg.sources[1].max_reject_ratio == 0.25);
    og_config_free(&cfg);
    refused("{\"sources\": [{\"name\": \"a\", \"mapping\": \"m\", \"partial_files\": \"keep\"}]}",
            "cfg.json: sources[0]: \"partial_files\" is \"reject_file\" (a file cut or broken "
            "part-way loads nothing) or \"load_prefix\" (the records before the break load)",
            NULL);
    refused("{\"sources\": [{\"name\": \"a\", \"mapping\": \"m\", \"max_rejects\": -1}]}",
            "cfg.json: sources[0]: \"max_rejects\" is a count of rejects (an integer, 0 or more)",
            NULL);
    refused("{\"sources\": [{\"name\": \"a\", \"mapping\": \"m\", \"max_reject_ratio\": 2}]}",
            "cfg.json: sources[0]: \"max_reject_ratio\" is a number from 0 to 1", NULL);
    /* inputs as a string and as a list */
    assert_int_equal(
        from_text("{\"sources\": [{\"name\": \"a\", \"mapping\": \"m\", \"inputs\": \"x/*.csv\"},"
                  "{\"name\": \"b\", \"mapping\": \"m\", \"inputs\": [\"p\", \"/q\", \"r\"]}]}",
                  &cfg, &err),
        0);
    assert_int_equal(cfg.sources[0].ninputs, 1);
    assert_string_equal(cfg.sources[0].inputs[0], "/etc/og/x/*.csv");
    assert_int_equal(cfg.sources[1].ninputs, 3);
    assert_string_equal(cfg.sources[1].inputs[0], "/etc/og/p");
    assert_string_equal(cfg.sources[1].inputs[1], "/q");
    assert_string_equal(cfg.sources[1].inputs[2], "/etc/og/r");
    og_config_free(&cfg);
}

/* File-level errors name the file with line and column. */
static void test_file_errors(void **unused)
{
    (void)unused;
    struct og_config cfg;
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(og_config_load(FIX "syntax_error.json", NULL, &cfg, &err), OG_ECONFIG);
    /* the stray '}' after the comma is on line 3 */
    assert_true(
        strncmp(err.position, FIX "syntax_error.json:3:", strlen(FIX "syntax_error.json:3:")) == 0);
    og_config_free(&cfg);

    og_error_clear(&err);
    assert_int_equal(og_config_load(FIX "duplicate_key.json", NULL, &cfg, &err), OG_ECONFIG);
    assert_true(strncmp(err.position,
                        FIX "duplicate_key.json:3:", strlen(FIX "duplicate_key.json:3:")) == 0);
    assert_non_null(strstr(err.message, "duplicate"));
    assert_non_null(strstr(err.message, "batch_size"));
    og_config_free(&cfg);

    og_error_clear(&err);
    assert_int_equal(og_config_load(FIX "no-such.json", NULL, &cfg, &err), OG_ECONFIG);
    assert_non_null(strstr(err.message, FIX "no-such.json"));
    og_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_file),          cmocka_unit_test(test_load_in_cwd),
        cmocka_unit_test(test_dsn_override),       cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_unknown_keys),       cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_batch_size_range),   cmocka_unit_test(test_loaders_range),
        cmocka_unit_test(test_reject_ratio_range), cmocka_unit_test(test_sources),
        cmocka_unit_test(test_file_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
