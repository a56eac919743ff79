/* mapping_step.c - the conversions of a mapping field ("convert"): parsing and checking each step
 * when a mapping loads, and freeing it (applying them: mapping_apply.c). */
#include "transform/mapping_internal.h"

#include "core/options.h"
#include "core/table.h"
#include "core/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int load_code_table(struct og_mapping *m, struct step *st, const json_t *spec,
                           const char *jpath, struct og_error *err)
{
    const char *file = NULL, *keycol = "code", *valcol = "value";
    if (json_is_string(spec))
        file = json_string_value(spec);
    else if (json_is_object(spec)) {
        static const char *const known[] = {"file", "key", "value", NULL};
        if (og_mapping_check_keys(spec, known, m, jpath, err) < 0)
            return OG_ECONFIG;
        file = json_string_value(json_object_get(spec, "file"));
        if (json_is_string(json_object_get(spec, "key")))
            keycol = json_string_value(json_object_get(spec, "key"));
        if (json_is_string(json_object_get(spec, "value")))
            valcol = json_string_value(json_object_get(spec, "value"));
    }
    if (!file)
        return og_mapping_err(err, m, jpath,
                              "code_table needs a file name (a string, or {\"file\": ...})");
    char full[4096];
    if (file[0] == '/')
        snprintf(full, sizeof(full), "%s", file);
    else
        snprintf(full, sizeof(full), "%s/%s", m->dir, file);
    struct og_table t;
    struct og_error terr;
    og_error_clear(&terr);
    if (og_table_read(full, &t, &terr) < 0)
        return og_mapping_err(err, m, jpath, "code table: %s", terr.message);
    if (og_mapping_note_file(m, full, &terr) < 0) {
        og_table_free(&t);
        return terr.code == OG_ENOMEM
                   ? og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory")
                   : og_mapping_err(err, m, jpath, "code table: %s", terr.message);
    }
    int kc = og_table_col(&t, keycol), vc = og_table_col(&t, valcol);
    if (kc < 0 || vc < 0) {
        og_table_free(&t);
        return og_mapping_err(err, m, jpath, "code table %s has no column \"%s\"", full,
                              kc < 0 ? keycol : valcol);
    }
    st->table_path = file;
    st->table = og_hmap_create();
    st->tvalues = calloc(t.nrows + 1, sizeof(char *));
    if (!st->table || !st->tvalues) {
        og_table_free(&t);
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    }
    for (size_t r = 0; r < t.nrows; r++) {
        if (og_hmap_get(st->table, t.rows[r][kc])) {
            char key[128];
            snprintf(key, sizeof(key), "%s", t.rows[r][kc]);
            long line = t.lines[r];
            og_table_free(&t);
            return og_mapping_err(err, m, jpath, "code table %s:%ld: code \"%s\" appears twice",
                                  full, line, key);
        }
        st->tvalues[st->ntvalues] = strdup(t.rows[r][vc]);
        og_hmap_put(st->table, t.rows[r][kc], st->tvalues[st->ntvalues]);
        st->ntvalues++;
    }
    og_table_free(&t);
    return 0;
}

/* Splits "take" (a path, or a list of paths: checked by the caller) into st->take_paths. */
static int take_paths(struct step *st, const json_t *take)
{
    size_t n = json_is_array(take) ? json_array_size(take) : 1;
    st->take_paths = calloc(n, sizeof(*st->take_paths));
    st->take_npath = calloc(n, sizeof(*st->take_npath));
    if (!st->take_paths || !st->take_npath)
        return OG_ENOMEM;
    for (; st->ntake < n; st->ntake++) {
        const json_t *tp = json_is_array(take) ? json_array_get(take, st->ntake) : take;
        if (og_mapping_split_path(json_string_value(tp), &st->take_paths[st->ntake],
                                  &st->take_npath[st->ntake]) < 0)
            return OG_ENOMEM;
    }
    return 0;
}

/* Parses one conversion step; *type is the value type flowing through. */
int og_mapping_parse_step(struct og_mapping *m, const json_t *s, struct step *st,
                          enum og_vtype *type, bool *can_fail, const char *jpath,
                          struct og_error *err)
{
    memset(st, 0, sizeof(*st));
    const char *name = NULL;
    const json_t *arg = NULL;
    if (json_is_string(s))
        name = json_string_value(s);
    else if (json_is_object(s) && json_object_size(s) >= 1) {
        /* {"time": "fmt", "zone": "..."}: the first key that names a conversion */
        static const char *const names[] = {"time",  "code_table", "enum", "replace", "null_if",
                                            "split", "pick",       "join", NULL};
        for (const char *const *k = names; *k && !name; k++)
            if (json_object_get(s, *k)) {
                name = *k;
                arg = json_object_get(s, *k);
            }
        if (!name) {
            const char *first = "";
            void *it = json_object_iter((json_t *)s);
            if (it)
                first = json_object_iter_key(it);
            return og_mapping_err(
                err, m, jpath,
                "unknown conversion \"%s\" (known: trim, upper, lower, number, list, "
                "time, code_table, enum, replace, null_if, boolean, split, pick, join)",
                first);
        }
    }
    else
        return og_mapping_err(
            err, m, jpath, "a conversion is a name or an object like {\"time\": \"yyyy-MM-dd\"}");

    if (strcmp(name, "trim") == 0 || strcmp(name, "upper") == 0 || strcmp(name, "lower") == 0) {
        st->kind = name[0] == 't' ? ST_TRIM : name[0] == 'u' ? ST_UPPER : ST_LOWER;
        *type = OG_V_TEXT;
    }
    else if (strcmp(name, "number") == 0) {
        st->kind = ST_NUMBER;
        *type = OG_V_NUM;
        *can_fail = true;
    }
    else if (strcmp(name, "list") == 0) {
        st->kind = ST_LIST;
        *type = OG_V_LIST;
    }
    else if (strcmp(name, "time") == 0) {
        static const char *const known[] = {"time", "zone", "after", "before", NULL};
        if (og_mapping_check_keys(s, known, m, jpath, err) < 0)
            return OG_ECONFIG;
        st->kind = ST_TIME;
        if (!json_is_string(arg))
            return og_mapping_err(
                err, m, jpath,
                "\"time\" needs a format string, e.g. \"yyyy-MM-dd HH:mm:ss\" or \"iso8601\"");
        st->format = json_string_value(arg);
        struct og_error terr;
        og_error_clear(&terr);
        if (og_time_format_check(st->format, &terr) < 0)
            return og_mapping_err(err, m, jpath, "%s", terr.message);
        st->zone = m->zone;
        json_t *zone = json_object_get(s, "zone");
        if (zone) {
            struct og_error zerr;
            og_error_clear(&zerr);
            if (!json_is_string(zone))
                return og_mapping_err(err, m, jpath,
                                      "\"zone\" is a string, e.g. \"America/New_York\"");
            if (og_zone_open(json_string_value(zone), &st->own_zone, &zerr) < 0)
                return zerr.code == OG_ENOMEM ? OG_ENOMEM
                                              : og_mapping_zone_err(err, m, jpath, &zerr);
            st->zone = st->own_zone;
        }
        static const char *const bounds[] = {"after", "before"};
        for (int b = 0; b < 2; b++) {
            json_t *bound = json_object_get(s, bounds[b]);
            if (!bound)
                continue;
            int64_t t;
            if (!json_is_string(bound) ||
                og_time_parse_zone(json_string_value(bound), "iso8601", st->zone, &t, NULL) < 0)
                return og_mapping_err(
                    err, m, jpath,
                    "\"%s\" is an ISO 8601 time, e.g. \"2000-01-01\" (times outside "
                    "the range are rejected as invalid_time)",
                    bounds[b]);
            if (b == 0) {
                st->has_after = true;
                st->after = t;
            }
            else {
                st->has_before = true;
                st->before = t;
            }
        }
        *type = OG_V_TIME;
        *can_fail = true;
    }
    else if (strcmp(name, "code_table") == 0) {
        static const char *const known[] = {"code_table", NULL};
        if (og_mapping_check_keys(s, known, m, jpath, err) < 0)
            return OG_ECONFIG;
        st->kind = ST_CODE_TABLE;
        st->arg = arg;
        if (load_code_table(m, st, arg, jpath, err) < 0)
            return OG_ECONFIG;
        *type = OG_V_TEXT;
        *can_fail = true;
    }
    else if (strcmp(name, "enum") == 0) {
        static const char *const known[] = {"enum", NULL};
        if (og_mapping_check_keys(s, known, m, jpath, err) < 0)
            return OG_ECONFIG;
        st->kind = ST_ENUM;
        st->arg = arg;
        if (!json_is_array(arg))
            return og_mapping_err(err, m, jpath, "\"enum\" needs a list of accepted values");
        *type = OG_V_TEXT;
        *can_fail = true;
    }
    else if (strcmp(name, "replace") == 0) {
        static const char *const known[] = {"replace", NULL};
        if (og_mapping_check_keys(s, known, m, jpath, err) < 0)
            return OG_ECONFIG;
        st->kind = ST_REPLACE;
        st->arg = arg;
        if (!json_is_object(arg))
            return og_mapping_err(err, m, jpath,
                                  "\"replace\" needs an object {\"from\": \"to\", ...}");
        *type = OG_V_TEXT;
    }
    else if (strcmp(name, "boolean") == 0) {
        st->kind = ST_BOOLEAN;
        *type = OG_V_BOOL;
        *can_fail = true;
    }
    else if (strcmp(name, "split") == 0) {
        static const char *const known[] = {"split", NULL};
        static const char *const args[] = {"separator", "index", "strip", NULL};
        if (og_mapping_check_keys(s, known, m, jpath, err) < 0 ||
            (json_is_object(arg) && og_mapping_check_keys(arg, args, m, jpath, err) < 0))
            return OG_ECONFIG;
        st->kind = ST_SPLIT;
        const json_t *sep = json_object_get(arg, "separator"),
                     *index = json_object_get(arg, "index"), *strip = json_object_get(arg, "strip");
        if (!json_is_object(arg) || !json_is_string(sep) || !*json_string_value(sep) ||
            !json_is_integer(index) || json_integer_value(index) > 1000 ||
            json_integer_value(index) < -1000)
            return og_mapping_err(
                err, m, jpath,
                "\"split\" is {\"separator\": TEXT (not empty), \"index\": N (0 the "
                "first part, -1 the last), \"strip\": CHARACTERS (optional)}");
        if (strip) {
            const char *c = json_string_value(strip);
            for (; c && *c; c++)
                if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7E)
                    break;
            if (!c || *c)
                return og_mapping_err(
                    err, m, jpath,
                    "\"split.strip\" lists printable ASCII characters to remove from "
                    "both ends of the part, e.g. \"()\" "
                    "(spaces always are)");
            st->strip = json_string_value(strip);
        }
        st->sep = json_string_value(sep);
        st->index = (long)json_integer_value(index);
        *type = OG_V_TEXT;
        *can_fail = true;
    }
    else if (strcmp(name, "pick") == 0) {
        static const char *const known[] = {"pick", NULL};
        static const char *const args[] = {"where", "in", "take", "last", NULL};
        if (og_mapping_check_keys(s, known, m, jpath, err) < 0 ||
            (json_is_object(arg) && og_mapping_check_keys(arg, args, m, jpath, err) < 0))
            return OG_ECONFIG;
        st->kind = ST_PICK;
        const json_t *where = json_object_get(arg, "where"), *in = json_object_get(arg, "in"),
                     *take = json_object_get(arg, "take"), *last = json_object_get(arg, "last");
        bool ok = json_is_object(arg) && !where == !in && (!last || json_is_boolean(last)) &&
                  (!take || (json_is_string(take) && *json_string_value(take)) ||
                   (json_is_array(take) && json_array_size(take) > 0)) &&
                  (!where || (json_is_string(where) && *json_string_value(where) &&
                              json_is_array(in) && json_array_size(in) > 0));
        size_t i;
        json_t *v;
        json_array_foreach(in, i, v) ok = ok && json_is_string(v);
        json_array_foreach(take, i, v) ok = ok && json_is_string(v) && *json_string_value(v);
        if (!ok)
            return og_mapping_err(
                err, m, jpath,
                "\"pick\" is {\"where\": PATH, \"in\": [strings], \"take\": PATH or "
                "[PATHS], \"last\": true|false}: where and in together, each part "
                "optional");
        if (where &&
            og_mapping_split_path(json_string_value(where), &st->where_path, &st->nwhere_path) < 0)
            return OG_ENOMEM;
        if (take && take_paths(st, take) < 0)
            return OG_ENOMEM;
        st->in = in;
        st->last = json_is_true(last);
        *type = OG_V_TEXT;
    }
    else if (strcmp(name, "join") == 0) {
        static const char *const known[] = {"join", NULL};
        static const char *const args[] = {"take", "separator", NULL};
        if (og_mapping_check_keys(s, known, m, jpath, err) < 0 ||
            (json_is_object(arg) && og_mapping_check_keys(arg, args, m, jpath, err) < 0))
            return OG_ECONFIG;
        st->kind = ST_JOIN;
        const json_t *take = json_object_get(arg, "take"), *sep = json_object_get(arg, "separator");
        bool ok = json_is_array(take) && json_array_size(take) > 0 && json_array_size(take) <= 16 &&
                  (!sep || json_is_string(sep));
        size_t i;
        json_t *v;
        json_array_foreach(take, i, v) ok = ok && json_is_string(v) && *json_string_value(v);
        if (!ok)
            return og_mapping_err(
                err, m, jpath,
                "\"join\" is {\"take\": [PATHS] (1 to 16), \"separator\": TEXT}: the "
                "values present at the paths, joined");
        if (take_paths(st, take) < 0)
            return OG_ENOMEM;
        st->sep = sep ? json_string_value(sep) : "";
        *type = OG_V_TEXT;
    }
    else if (strcmp(name, "null_if") == 0) {
        static const char *const known[] = {"null_if", NULL};
        if (og_mapping_check_keys(s, known, m, jpath, err) < 0)
            return OG_ECONFIG;
        st->kind = ST_NULL_IF;
        st->arg = arg;
        if (!json_is_array(arg))
            return og_mapping_err(err, m, jpath,
                                  "\"null_if\" needs a list of values that mean \"no value\"");
    }
    else
        return og_mapping_err(
            err, m, jpath,
            "unknown conversion \"%s\" (known: trim, upper, lower, number, list, time, "
            "code_table, enum, replace, null_if, boolean, split, pick, join)",
            name);
    return 0;
}

void og_mapping_step_free(struct step *st)
{
    og_hmap_destroy(st->table);
    for (size_t k = 0; k < st->ntvalues; k++)
        free(st->tvalues[k]);
    free(st->tvalues);
    og_zone_close(st->own_zone);
    og_mapping_free_path(st->where_path, st->nwhere_path);
    for (size_t k = 0; k < st->ntake; k++)
        og_mapping_free_path(st->take_paths[k], st->take_npath[k]);
    free(st->take_paths);
    free(st->take_npath);
}
