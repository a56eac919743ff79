/* config.c - reading and checking onegrid.json. */
#include "core/config.h"

#include "core/options.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A new string: p resolved against base (absolute paths and a NULL/empty base leave it as is), or
 * NULL on out of memory. */
static char *resolve(const char *base, const char *p)
{
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
    free(cfg->links);
    memset(cfg, 0, sizeof(*cfg));
}

/* Reading state: the file's name for positions, and the error. */
static int nomem(const struct og_json_at *r)
{
    return og_error_set(r->err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
}

/* Replaces *slot with a new copy of value (NULL stays NULL). 0 or OG_ENOMEM. */
static int set_str(char **slot, const char *value)
{
    char *c = value ? strdup(value) : NULL;
    if (value && !c)
        return OG_ENOMEM;
    free(*slot);
    *slot = c;
    return 0;
}

/* *slot = datadir + "/" + rel (datadir NULL: "."). */
static int set_default(char **slot, const char *datadir, const char *rel)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s/%s", datadir ? datadir : ".", rel);
    return set_str(slot, p);
}

/* *slot = the string at obj[key] resolved against base, when it is a string; untouched otherwise.
 */
static int set_path(char **slot, const json_t *obj, const char *key, const char *base)
{
    const char *v = json_string_value(json_object_get(obj, key));
    if (!v)
        return 0;
    char *p = resolve(base, v);
    if (!p)
        return OG_ENOMEM;
    free(*slot);
    *slot = p;
    return 0;
}

static int read_source(const struct og_json_at *r, const json_t *s, const char *where,
                       const char *base, struct og_config *cfg)
{
    static const char *const known[] = {
        "name",          "connector",   "inputs",           "mapping",     "options",
        "partial_files", "max_rejects", "max_reject_ratio", "description", NULL};
    if (!json_is_object(s))
        return og_json_bad(r, where,
                           "a source is an object {\"name\", \"inputs\", \"mapping\", ...}");
    if (og_json_keys(r, s, known, where) < 0)
        return OG_ECONFIG;
    const char *nm = json_string_value(json_object_get(s, "name"));
    const char *mp = json_string_value(json_object_get(s, "mapping"));
    json_t *inputs = json_object_get(s, "inputs");
    if (!nm)
        return og_json_bad(r, where, "\"name\" is required: an identifier like \"hl_visits\"");
    if (!og_config_name_ok(nm)) {
        og_error_set(r->err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     "source name \"%.80s\" is not an identifier", nm);
        og_error_detail(r->err, "a source name is a lower-case letter, then lower-case letters, "
                                "digits or _ (at most 63): it names the source in every report "
                                "and table");
        og_error_hint(r->err, "for example \"hl_visits\" or \"um_cases_2020\"");
        og_error_position(r->err, "%s: %s.name", r->file, where);
        return OG_ECONFIG;
    }
    for (size_t k = 0; k < cfg->nsources; k++)
        if (strcmp(cfg->sources[k].name, nm) == 0) {
            og_error_set(r->err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                         "source name \"%s\" is used twice", nm);
            og_error_position(r->err, "%s: %s", r->file, where);
            return OG_ECONFIG;
        }
    if (!mp)
        return og_json_bad(r, where, "\"mapping\" (the mapping file of this feed) is required");
    size_t nin = json_is_string(inputs) ? 1 : json_is_array(inputs) ? json_array_size(inputs) : 0;
    if (inputs && nin == 0)
        return og_json_bad(r, where, "\"inputs\" is a path or glob, or a non-empty list of them");
    json_t *opt = json_object_get(s, "options");
    if (opt && !json_is_object(opt))
        return og_json_bad(r, where, "\"options\" must be an object of connector options");
    const json_t *pf = json_object_get(s, "partial_files");
    if (pf && (!json_is_string(pf) || (strcmp(json_string_value(pf), "reject_file") != 0 &&
                                       strcmp(json_string_value(pf), "load_prefix") != 0)))
        return og_json_bad(
            r, where,
            "\"partial_files\" is \"reject_file\" (a file cut or broken part-way loads "
            "nothing) or \"load_prefix\" (the records before the break load)");
    const json_t *mx = json_object_get(s, "max_rejects");
    if (mx && (!json_is_integer(mx) || json_integer_value(mx) < 0))
        return og_json_bad(r, where,
                           "\"max_rejects\" is a count of rejects (an integer, 0 or more)");
    const json_t *mr = json_object_get(s, "max_reject_ratio");
    if (mr && (!json_is_number(mr) || json_number_value(mr) < 0 || json_number_value(mr) > 1))
        return og_json_bad(r, where, "\"max_reject_ratio\" is a number from 0 to 1");
    struct og_source_cfg *sc = &cfg->sources[cfg->nsources++];
    sc->load_prefix = pf && strcmp(json_string_value(pf), "load_prefix") == 0;
    sc->max_rejects = mx ? (long long)json_integer_value(mx) : -1;
    sc->max_reject_ratio = mr ? json_number_value(mr) : -1;
    sc->inputs = calloc(nin + 1, sizeof(char *));
    if (!sc->inputs || set_str(&sc->name, nm) < 0 || !(sc->mapping = resolve(base, mp)) ||
        set_str(&sc->connector, json_string_value(json_object_get(s, "connector"))) < 0)
        return nomem(r);
    for (size_t k = 0; k < nin; k++) {
        const json_t *in = json_is_string(inputs) ? inputs : json_array_get(inputs, k);
        if (!json_is_string(in))
            return og_json_bad(r, where, "\"inputs\" holds paths or globs (strings)");
        if (!(sc->inputs[sc->ninputs++] = resolve(base, json_string_value(in))))
            return nomem(r);
    }
    sc->options = json_incref(opt);
    return 0;
}

bool og_config_name_ok(const char *name)
{
    if (!name || !(name[0] >= 'a' && name[0] <= 'z'))
        return false;
    size_t n = 0;
    for (const char *p = name; *p; p++, n++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return n <= 63;
}

int og_config_from_json(const json_t *doc, const char *name, const char *base, const char *datadir,
                        struct og_config *cfg, struct og_error *err)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->batch_size = 2000;
    cfg->loaders = 2;
    cfg->max_reject_ratio = -1;
    const struct og_json_at r = {name ? name : "(built-in config)", err};
    int rc = OG_ECONFIG;
    static const char *const top[] = {"warehouse",        "world",   "taxonomy",    "batch_size",
                                      "max_reject_ratio", "sources", "description", "links",
                                      "loaders",          NULL};
    if (!json_is_object(doc)) {
        og_json_bad(&r, "$", "the configuration is a JSON object");
        goto fail;
    }
    if (og_json_keys(&r, doc, top, "$") < 0)
        goto fail;
    if (set_str(&cfg->path, name) < 0 ||
        set_default(&cfg->world_dir, datadir, "world/jinping") < 0 ||
        set_default(&cfg->crosswalk_dir, datadir, "mappings/crosswalks") < 0 ||
        set_default(&cfg->taxonomy, datadir, "mappings/taxonomy/categories.csv") < 0)
        goto nomem;
    json_t *wh = json_object_get(doc, "warehouse");
    if (wh) {
        static const char *const k[] = {"dsn", NULL};
        if (!json_is_object(wh)) {
            og_json_bad(&r, "warehouse", "must be an object {\"dsn\": \"...\"}");
            goto fail;
        }
        if (og_json_keys(&r, wh, k, "warehouse") < 0)
            goto fail;
        if (set_str(&cfg->dsn, json_string_value(json_object_get(wh, "dsn"))) < 0)
            goto nomem;
    }
    json_t *world = json_object_get(doc, "world");
    if (world) {
        static const char *const k[] = {"dir", "crosswalks", NULL};
        if (!json_is_object(world)) {
            og_json_bad(&r, "world", "must be an object {\"dir\": ..., \"crosswalks\": ...}");
            goto fail;
        }
        if (og_json_keys(&r, world, k, "world") < 0)
            goto fail;
        if (set_path(&cfg->world_dir, world, "dir", base) < 0 ||
            set_path(&cfg->crosswalk_dir, world, "crosswalks", base) < 0)
            goto nomem;
    }
    if (set_path(&cfg->taxonomy, doc, "taxonomy", base) < 0)
        goto nomem;
    json_t *links = json_object_get(doc, "links");
    if (links && (!json_is_string(links) || !*json_string_value(links))) {
        og_json_bad(&r, "links",
                    "must be the path of a link rules file, e.g. \"mappings/links.json\"");
        goto fail;
    }
    if (set_path(&cfg->links, doc, "links", base) < 0)
        goto nomem;
    json_t *bs = json_object_get(doc, "batch_size");
    if (bs) {
        if (!json_is_integer(bs) || json_integer_value(bs) < 1 ||
            json_integer_value(bs) > 1000000) {
            og_json_bad(&r, "batch_size", "must be an integer from 1 to 1000000");
            goto fail;
        }
        cfg->batch_size = (int)json_integer_value(bs);
    }
    json_t *ld = json_object_get(doc, "loaders");
    if (ld) {
        if (!json_is_integer(ld) || json_integer_value(ld) < 1 || json_integer_value(ld) > 8) {
            og_json_bad(&r, "loaders", "must be an integer from 1 to 8 (warehouse connections)");
            goto fail;
        }
        cfg->loaders = (int)json_integer_value(ld);
    }
    json_t *mr = json_object_get(doc, "max_reject_ratio");
    if (mr) {
        if (!json_is_number(mr) || json_number_value(mr) < 0 || json_number_value(mr) > 1) {
            og_json_bad(&r, "max_reject_ratio", "must be a number from 0 to 1");
            goto fail;
        }
        cfg->max_reject_ratio = json_number_value(mr);
    }
    json_t *sources = json_object_get(doc, "sources");
    if (!json_is_array(sources) || json_array_size(sources) == 0) {
        og_json_bad(&r, "sources", "a non-empty list of sources is required");
        goto fail;
    }
    cfg->sources = calloc(json_array_size(sources), sizeof(struct og_source_cfg));
    if (!cfg->sources)
        goto nomem;
    size_t i;
    json_t *s;
    json_array_foreach(sources, i, s)
    {
        char where[64];
        snprintf(where, sizeof(where), "sources[%zu]", i);
        if ((rc = read_source(&r, s, where, base, cfg)) < 0)
            goto fail;
    }
    return 0;
nomem:
    rc = nomem(&r);
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
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG, "%s", jerr.text);
        og_error_position(err, "%s:%d:%d", path, jerr.line, jerr.column);
        return OG_ECONFIG;
    }
    char *base = strdup(path);
    if (!base) {
        json_decref(doc);
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    }
    char *slash = strrchr(base, '/');
    if (slash)
        *slash = '\0';
    int rc = og_config_from_json(doc, path, slash ? base : ".", datadir, cfg, err);
    free(base);
    json_decref(doc);
    return rc;
}

int og_config_set_dsn(struct og_config *cfg, const char *dsn)
{
    if (!dsn || !*dsn)
        return 0;
    return set_str(&cfg->dsn, dsn);
}

const struct og_source_cfg *og_config_source(const struct og_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nsources; i++)
        if (strcmp(cfg->sources[i].name, name) == 0)
            return &cfg->sources[i];
    return NULL;
}
