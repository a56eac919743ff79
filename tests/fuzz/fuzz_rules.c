/* fuzz_rules.c - libFuzzer target: the operator-written JSON files read at start, from arbitrary
 * documents: the link rules (og_links_from_json, mappings/links.json) and the run configuration
 * (og_config_from_json, onegrid.json). Mapping files have fuzz_mapping.
 *
 * Build and run with tests/fuzz/Makefile.fuzz. Input: byte 0 picks the reader (even: link rules,
 * odd: configuration); the rest is the JSON text (decoded with Jansson, duplicates refused, as the
 * files are read). Checks: 0, or OG_ECONFIG / OG_ENOMEM with a message, a position naming the
 * file and nothing handed out; read rules have a name ([a-z][a-z0-9_]*), a window > 0, a distance
 * >= 0 and category prefixes of 2 or 4 digits; a read configuration has sources with valid,
 * distinct names and a mapping, and batch_size > 0. Leaks are found by the sanitizer. */
#include "core/config.h"
#include "core/links.h"
#include "transform/links.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void need(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_rules: %s\n", what);
        abort();
    }
}

static int digits_only(const char *s)
{
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static void links(const json_t *doc)
{
    struct og_links l;
    struct og_error err;
    og_error_clear(&err);
    int rc = og_links_from_json(doc, "links.json", &l, &err);
    if (rc != 0) {
        need(rc == OG_ECONFIG || rc == OG_ENOMEM, "an undocumented error");
        need(err.message[0] && (strstr(err.position, "links.json") || rc == OG_ENOMEM),
             "an error without a message or a position naming the file");
        need(!l.rules && !l.nrules && !l.path, "rules handed out on error");
        return;
    }
    need(l.nrules > 0 && l.rules != NULL, "no rules read");
    for (size_t i = 0; i < l.nrules; i++) {
        const struct og_link_rule *r = &l.rules[i];
        need(memchr(r->name, 0, sizeof(r->name)) && r->name[0] >= 'a' && r->name[0] <= 'z',
             "a rule name that is not [a-z][a-z0-9_]*");
        need(r->window_s > 0, "a window that is not > 0");
        need(isfinite(r->within_m) && r->within_m >= 0, "a distance that is not >= 0");
        for (int s = 0; s < 2; s++) {
            const struct og_link_side *side = &r->side[s];
            need(memchr(side->department, 0, sizeof(side->department)) != NULL,
                 "a department not terminated");
            need(!side->nprefixes || side->prefixes, "prefixes counted but absent");
            for (size_t k = 0; k < side->nprefixes; k++) {
                const char *p = side->prefixes[k];
                size_t n = strnlen(p, OG_LINK_CODE_MAX);
                need((n == 2 || n == 4) && digits_only(p), "a prefix not of 2 or 4 digits");
            }
        }
    }
    og_links_free(&l);
}

static void config(const json_t *doc)
{
    struct og_config cfg;
    struct og_error err;
    og_error_clear(&err);
    int rc = og_config_from_json(doc, "onegrid.json", "/base", "/data", &cfg, &err);
    if (rc != 0) {
        need(rc == OG_ECONFIG || rc == OG_ENOMEM, "an undocumented error");
        need(err.message[0] && (strstr(err.position, "onegrid.json") || rc == OG_ENOMEM),
             "an error without a message or a position naming the file");
        need(!cfg.sources && !cfg.nsources && !cfg.path, "a configuration handed out on error");
        og_config_free(&cfg);
        return;
    }
    need(cfg.batch_size > 0, "batch_size not > 0");
    need(cfg.world_dir && cfg.crosswalk_dir && cfg.taxonomy, "a default path missing");
    for (size_t i = 0; i < cfg.nsources; i++) {
        const struct og_source_cfg *s = &cfg.sources[i];
        need(og_config_name_ok(s->name), "a source name that is not a name");
        need(s->mapping != NULL, "a source without a mapping");
        need(!s->ninputs || s->inputs, "inputs counted but absent");
        for (size_t k = 0; k < s->ninputs; k++)
            need(s->inputs[k] != NULL, "an input that is NULL");
        need(og_config_source(&cfg, s->name) == s, "two sources of one name");
    }
    og_config_free(&cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    json_t *doc = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
    if (!doc)
        return 0;
    if (data[0] & 1)
        config(doc);
    else
        links(doc);
    json_decref(doc);
    return 0;
}
