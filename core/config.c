/* config.c - reading and checking onegrid.json. */
#include "core/config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *resolve(const char *base, const char *p)
{
    if (!p)
        return NULL;
    if (p[0] == '/' || !base || !*base)
        return strdup(p);
    size_t n = strlen(base) + strlen(p) + 2;
    char *r = malloc(n);
    if (r)
        snprintf(r, n, "%s/%s", base, p);
    return r;
}

void og_config_free(struct og_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->nsources; i++) {
        struct og_source_cfg *s = &cfg->sources[i];
        free(s->name);
        free(s->connector);
        for (size_t k = 0; k < s->ninputs; k++)
            free(s->inputs[k]);
        free(s->inputs);
        free(s->mapping);
        json_decref(s->options);
    }
    free(cfg->sources);
    free(cfg->path);
    free(cfg->dsn);
    free(cfg->world_dir);
    free(cfg->crosswalk_dir);
    free(cfg->taxonomy);
    memset(cfg, 0, sizeof(*cfg));
}

static int unknown_keys(const json_t *obj, const char *const *known, const char *file,
                        const char *where, struct og_error *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool ok = false;
        for (const char *const *k = known; *k; k++)
            ok = ok || strcmp(*k, key) == 0;
        if (!ok) {
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, "bad_config",
                         "%s: %s: unknown key \"%s\"", file, where, key);
            char list[300] = "";
            for (const char *const *k = known; *k; k++) {
                strncat(list, *k, sizeof(list) - strlen(list) - 3);
                if (k[1])
                    strncat(list, ", ", sizeof(list) - strlen(list) - 1);
            }
            og_error_hint(err, "known keys here: %s", list);
            return OG_ECONFIG;
        }
    }
    return 0;
}

static int bad(struct og_error *err, const char *file, const char *where, const char *what)
{
    return og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, "bad_config", "%s: %s: %s", file, where,
                        what);
}

int og_config_from_json(const json_t *doc, const char *name, const char *base, const char *datadir,
                        struct og_config *cfg, struct og_error *err)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->batch_size = 5000;
    cfg->max_reject_ratio = -1;
    cfg->path = name ? strdup(name) : NULL;
    const char *file = name ? name : "(built-in config)";
    int rc = OG_ECONFIG;
    static const char *const top[] = {"warehouse",        "world",   "taxonomy",    "batch_size",
                                      "max_reject_ratio", "sources", "description", NULL};
    if (!json_is_object(doc)) {
        bad(err, file, "$", "the configuration is a JSON object");
        goto fail;
    }
    if (unknown_keys(doc, top, file, "$", err) < 0)
        goto fail;
    json_t *wh = json_object_get(doc, "warehouse");
    if (wh) {
        static const char *const k[] = {"dsn", NULL};
        if (!json_is_object(wh) || unknown_keys(wh, k, file, "warehouse", err) < 0) {
            if (!json_is_object(wh))
                bad(err, file, "warehouse", "must be an object {\"dsn\": \"...\"}");
            goto fail;
        }
        const char *dsn = json_string_value(json_object_get(wh, "dsn"));
        if (dsn)
            cfg->dsn = strdup(dsn);
    }
    const char *env = getenv("ONEGRID_DSN");
    if (env && *env) {
        free(cfg->dsn);
        cfg->dsn = strdup(env);
    }
    json_t *world = json_object_get(doc, "world");
    char def[4096];
    snprintf(def, sizeof(def), "%s/world/jinping", datadir ? datadir : ".");
    cfg->world_dir = strdup(def);
    snprintf(def, sizeof(def), "%s/mappings/crosswalks", datadir ? datadir : ".");
    cfg->crosswalk_dir = strdup(def);
    snprintf(def, sizeof(def), "%s/mappings/taxonomy/categories.csv", datadir ? datadir : ".");
    cfg->taxonomy = strdup(def);
    if (world) {
        static const char *const k[] = {"dir", "crosswalks", NULL};
        if (!json_is_object(world)) {
            bad(err, file, "world", "must be an object {\"dir\": ..., \"crosswalks\": ...}");
            goto fail;
        }
        if (unknown_keys(world, k, file, "world", err) < 0)
            goto fail;
        if (json_is_string(json_object_get(world, "dir"))) {
            free(cfg->world_dir);
            cfg->world_dir = resolve(base, json_string_value(json_object_get(world, "dir")));
        }
        if (json_is_string(json_object_get(world, "crosswalks"))) {
            free(cfg->crosswalk_dir);
            cfg->crosswalk_dir =
                resolve(base, json_string_value(json_object_get(world, "crosswalks")));
        }
    }
    if (json_is_string(json_object_get(doc, "taxonomy"))) {
        free(cfg->taxonomy);
        cfg->taxonomy = resolve(base, json_string_value(json_object_get(doc, "taxonomy")));
    }
    json_t *bs = json_object_get(doc, "batch_size");
    if (bs) {
        if (!json_is_integer(bs) || json_integer_value(bs) < 1 ||
            json_integer_value(bs) > 1000000) {
            bad(err, file, "batch_size", "must be an integer from 1 to 1000000");
            goto fail;
        }
        cfg->batch_size = (int)json_integer_value(bs);
    }
    json_t *mr = json_object_get(doc, "max_reject_ratio");
    if (mr) {
        if (!json_is_number(mr) || json_number_value(mr) < 0 || json_number_value(mr) > 1) {
            bad(err, file, "max_reject_ratio", "must be a number from 0 to 1");
            goto fail;
        }
        cfg->max_reject_ratio = json_number_value(mr);
    }
    json_t *sources = json_object_get(doc, "sources");
    if (!json_is_array(sources) || json_array_size(sources) == 0) {
        bad(err, file, "sources", "a non-empty list of sources is required");
        goto fail;
    }
    cfg->sources = calloc(json_array_size(sources), sizeof(struct og_source_cfg));
    if (!cfg->sources) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory");
        goto fail;
    }
    size_t i;
    json_t *s;
    json_array_foreach(sources, i, s)
    {
        char where[64];
        snprintf(where, sizeof(where), "sources[%zu]", i);
        static const char *const k[] = {"name",    "connector",   "inputs", "mapping",
                                        "options", "description", NULL};
        if (!json_is_object(s)) {
            bad(err, file, where, "a source is an object {\"name\", \"inputs\", \"mapping\", ...}");
            goto fail;
        }
        if (unknown_keys(s, k, file, where, err) < 0)
            goto fail;
        struct og_source_cfg *sc = &cfg->sources[cfg->nsources++];
        const char *nm = json_string_value(json_object_get(s, "name"));
        const char *mp = json_string_value(json_object_get(s, "mapping"));
        json_t *inputs = json_object_get(s, "inputs");
        if (!nm || !*nm || strchr(nm, '/') || strchr(nm, ':')) {
            bad(err, file, where, "\"name\" is required (letters, digits, _ or -; no / or :)");
            goto fail;
        }
        for (size_t k2 = 0; k2 + 1 < cfg->nsources; k2++)
            if (strcmp(cfg->sources[k2].name, nm) == 0) {
                og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, "bad_config",
                             "%s: %s: source name \"%s\" is used twice", file, where, nm);
                goto fail;
            }
        sc->name = strdup(nm);
        if (!mp) {
            bad(err, file, where, "\"mapping\" (the mapping file of this feed) is required");
            goto fail;
        }
        sc->mapping = resolve(base, mp);
        if (json_is_string(json_object_get(s, "connector")))
            sc->connector = strdup(json_string_value(json_object_get(s, "connector")));
        if (json_is_string(inputs)) {
            sc->inputs = calloc(1, sizeof(char *));
            sc->inputs[sc->ninputs++] = resolve(base, json_string_value(inputs));
        }
        else if (json_is_array(inputs) && json_array_size(inputs) > 0) {
            sc->inputs = calloc(json_array_size(inputs), sizeof(char *));
            size_t k3;
            json_t *in;
            json_array_foreach(inputs, k3, in)
            {
                if (!json_is_string(in)) {
                    bad(err, file, where, "\"inputs\" holds paths or globs (strings)");
                    goto fail;
                }
                sc->inputs[sc->ninputs++] = resolve(base, json_string_value(in));
            }
        }
        else {
            bad(err, file, where, "\"inputs\" (a path or glob, or a list of them) is required");
            goto fail;
        }
        json_t *opt = json_object_get(s, "options");
        if (opt && !json_is_object(opt)) {
            bad(err, file, where, "\"options\" must be an object of connector options");
            goto fail;
        }
        sc->options = json_incref(opt);
    }
    return 0;
fail:
    og_config_free(cfg);
    return rc == OG_ENOMEM ? rc : OG_ECONFIG;
}

int og_config_load(const char *path, const char *datadir, struct og_config *cfg,
                   struct og_error *err)
{
    memset(cfg, 0, sizeof(*cfg));
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, "bad_config", "%s:%d:%d: %s", path, jerr.line,
                     jerr.column, jerr.text);
        return OG_ECONFIG;
    }
    char *base = strdup(path);
    char *slash = base ? strrchr(base, '/') : NULL;
    if (slash)
        *slash = '\0';
    int rc = og_config_from_json(doc, path, slash ? base : ".", datadir, cfg, err);
    free(base);
    json_decref(doc);
    return rc;
}

const struct og_source_cfg *og_config_source(const struct og_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nsources; i++)
        if (strcmp(cfg->sources[i].name, name) == 0)
            return &cfg->sources[i];
    return NULL;
}
