/* options.c - checking JSON objects against known keys and option tables. */
#include "core/options.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* "a, b, c" of the names into buf (cut at a name when it does not fit). */
static void join(const char *const *names, size_t n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= size - used) {
            buf[used] = '\0';
            break;
        }
        used += (size_t)w;
    }
}

/* The first key of obj not in known[0..n), or NULL. */
static const char *first_unknown(const json_t *obj, const char *const *known, size_t n)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value)
    {
        bool ok = false;
        for (size_t i = 0; i < n && !ok; i++)
            ok = strcmp(known[i], key) == 0;
        if (!ok)
            return key;
    }
    return NULL;
}

int og_keys_check(const json_t *obj, const char *const *known, enum og_reason reason,
                  struct og_error *err)
{
    size_t n = 0;
    while (known[n])
        n++;
    const char *bad = first_unknown(obj, known, n);
    if (!bad)
        return 0;
    og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, reason, "unknown key \"%s\"", bad);
    char list[400];
    join(known, n, list, sizeof(list));
    og_error_detail(err, "known keys: %s", list);
    return OG_ECONFIG;
}

int og_json_bad(const struct og_json_at *at, const char *where, const char *what)
{
    og_error_set(at->err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG, "%s", what);
    og_error_position(at->err, "%s: %s", at->file, where);
    return OG_ECONFIG;
}

int og_json_keys(const struct og_json_at *at, const json_t *obj, const char *const *known,
                 const char *where)
{
    if (og_keys_check(obj, known, OG_R_BAD_CONFIG, at->err) == 0)
        return 0;
    og_error_position(at->err, "%s: %s", at->file, where);
    return OG_ECONFIG;
}

int og_options_check(const char *owner, const struct og_option_doc *docs, const json_t *options,
                     struct og_error *err)
{
    if (!options)
        return 0;
    if (!json_is_object(options))
        return og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                            "options for %s must be a JSON object", owner);
    const char *known[64] = {NULL};
    size_t n = 0;
    for (const struct og_option_doc *d = docs; d->key && n < 64; d++)
        known[n++] = d->key;
    const char *bad = first_unknown(options, known, n);
    if (bad) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     "unknown option \"%s\" for %s", bad, owner);
        char list[400];
        join(known, n, list, sizeof(list));
        og_error_detail(err, "known options: %s", n ? list : "(none)");
        return OG_ECONFIG;
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)options, key, value)
    {
        const struct og_option_doc *doc = docs;
        while (strcmp(doc->key, key) != 0)
            doc++;
        bool ok = (strcmp(doc->type, "integer") == 0 && json_is_integer(value)) ||
                  (strcmp(doc->type, "boolean") == 0 && json_is_boolean(value)) ||
                  (strcmp(doc->type, "string") == 0 && json_is_string(value)) ||
                  (strcmp(doc->type, "object") == 0 && json_is_object(value)) ||
                  (strcmp(doc->type, "array") == 0 && json_is_array(value));
        if (!ok)
            return og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                                "option \"%s\" for %s must be a%s %s", key, owner,
                                strchr("aio", doc->type[0]) ? "n" : "", doc->type);
    }
    return 0;
}
