/* mapping.c - load, check and apply declarative feed mappings. */
#include "transform/mapping.h"
#include "transform/timeparse.h"

#include "core/hmap.h"
#include "core/options.h"
#include "core/table.h"
#include "core/timefmt.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EV (1u << OG_KIND_EVENT)
#define VI (1u << OG_KIND_VISIT)

static const struct {
    const char *name;
    enum og_vtype type;
    unsigned targets;
} FIELDS[OG_F__COUNT] = {
    [OG_F_SOURCE_ID] = {"source_id", OG_V_TEXT, EV | VI},
    [OG_F_CATEGORY_CODE] = {"category_code", OG_V_TEXT, EV},
    [OG_F_SOURCE_CATEGORY] = {"source_category", OG_V_TEXT, EV},
    [OG_F_STATUS] = {"status", OG_V_TEXT, EV},
    [OG_F_SOURCE_STATUS] = {"source_status", OG_V_TEXT, EV},
    [OG_F_REPORTED_AT] = {"reported_at", OG_V_TIME, EV},
    [OG_F_UPDATED_AT] = {"updated_at", OG_V_TIME, EV},
    [OG_F_CLOSED_AT] = {"closed_at", OG_V_TIME, EV},
    [OG_F_VISITED_AT] = {"visited_at", OG_V_TIME, VI},
    [OG_F_WORKER_ID] = {"worker_id", OG_V_TEXT, VI},
    [OG_F_ADDRESS] = {"address", OG_V_TEXT, EV | VI},
    [OG_F_SUMMARY] = {"summary", OG_V_TEXT, EV},
    [OG_F_LON] = {"lon", OG_V_NUM, EV | VI},
    [OG_F_LAT] = {"lat", OG_V_NUM, EV | VI},
    [OG_F_CRS] = {"crs", OG_V_TEXT, EV | VI},
    [OG_F_GRID_CODE] = {"grid_code", OG_V_TEXT, EV | VI},
    [OG_F_COMMUNITY_CODE] = {"community_code", OG_V_TEXT, EV | VI},
    [OG_F_DEPT_GRID] = {"dept_grid", OG_V_TEXT, EV | VI},
    [OG_F_SUBJECT_ID] = {"subject_id", OG_V_TEXT, EV},
    [OG_F_SUBJECT_ID_TYPE] = {"subject_id_type", OG_V_TEXT, EV},
    [OG_F_HEALTH_COLOR] = {"health_color", OG_V_TEXT, EV},
    [OG_F_HEALTH_PREVIOUS_COLOR] = {"health_previous_color", OG_V_TEXT, EV},
    [OG_F_HEALTH_REASON] = {"health_reason", OG_V_TEXT, EV},
};

static const struct {
    const char *name;
    enum og_vtype type;
} MFIELDS[OG_M__COUNT] = {
    [OG_M_ID_NO] = {"id_no", OG_V_TEXT},
    [OG_M_NAME] = {"name", OG_V_TEXT},
    [OG_M_TEMPERATURE] = {"temperature", OG_V_NUM},
    [OG_M_SYMPTOMS] = {"symptoms", OG_V_LIST},
    [OG_M_TRAVEL] = {"travel", OG_V_LIST},
    [OG_M_HEALTH_CODE] = {"health_code", OG_V_TEXT},
};

static const char *const TYPE_NAMES[] = {"null", "text", "number", "time", "list"};

enum step_kind {
    ST_TRIM,
    ST_UPPER,
    ST_LOWER,
    ST_NUMBER,
    ST_LIST,
    ST_TIME,
    ST_CODE_TABLE,
    ST_ENUM,
    ST_REPLACE,
    ST_NULL_IF
};

struct step {
    enum step_kind kind;
    const char *format; /* time */
    int offset_min;     /* time */
    bool has_after, has_before;
    int64_t after, before; /* time: accepted range (ISO 8601 bounds from the mapping) */
    struct og_hmap *table; /* code_table: key -> value (strings owned by tvalues) */
    char **tvalues;
    size_t ntvalues;
    const char *table_path;
    const json_t *arg; /* enum list / replace object / null_if list (borrowed from doc) */
};

enum policy { POL_NONE = 0, POL_REJECT, POL_NULL, POL_DEFAULT };

struct fspec {
    bool used;
    const char *name;
    enum og_vtype type;
    char **path; /* "from" split on '.' */
    size_t npath;
    const json_t *constant;
    struct step *steps;
    size_t nsteps;
    bool required;
    enum policy pol;
    const json_t *def;
};

enum attrs_mode { ATTRS_NONE, ATTRS_REST, ATTRS_INCLUDE };

struct og_mapping {
    char *path;
    char *dir;
    json_t *doc;
    const char *feed, *department, *connector;
    enum og_kind target;
    json_t *input_opts;
    int zone_offset;
    struct fspec f[OG_F__COUNT];
    struct fspec mf[OG_M__COUNT];
    bool has_members;
    char **members_path;
    size_t nmembers_path;
    size_t max_members;
    enum attrs_mode attrs_mode;
    struct og_hmap *attrs_exclude; /* top-level keys left out of "rest" */
    char ***attr_paths;
    size_t *attr_npath;
    const char **attr_names;
    size_t nattr;
    const char *subject_kind;
    bool subject_require_valid;
    bool member_require_valid;
};

const char *og_field_name(enum og_field f)
{
    return (unsigned)f < OG_F__COUNT ? FIELDS[f].name : "?";
}
const char *og_mfield_name(enum og_mfield f)
{
    return (unsigned)f < OG_M__COUNT ? MFIELDS[f].name : "?";
}

/* ---------------------------------------------------------------- loading and checking */

static int cfg_err(struct og_error *err, const struct og_mapping *m, const char *jpath,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int cfg_err(struct og_error *err, const struct og_mapping *m, const char *jpath,
                   const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_MAPPING, "%s", msg);
    og_error_position(err, "%s: %s", m->path, jpath);
    return OG_ECONFIG;
}

static void free_path(char **p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i]);
    free(p);
}

static int split_path(const char *s, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    const char *p = s;
    while (1) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (*n == cap) {
            cap = cap ? cap * 2 : 4;
            char **np = realloc(*out, cap * sizeof(char *));
            if (!np)
                return OG_ENOMEM;
            *out = np;
        }
        (*out)[(*n)++] = strndup(p, len);
        if (!dot)
            break;
        p = dot + 1;
    }
    return 0;
}

static void free_fspec(struct fspec *f)
{
    free_path(f->path, f->npath);
    for (size_t i = 0; i < f->nsteps; i++) {
        og_hmap_destroy(f->steps[i].table);
        for (size_t k = 0; k < f->steps[i].ntvalues; k++)
            free(f->steps[i].tvalues[k]);
        free(f->steps[i].tvalues);
    }
    free(f->steps);
    memset(f, 0, sizeof(*f));
}

void og_mapping_destroy(struct og_mapping *m)
{
    if (!m)
        return;
    for (int i = 0; i < OG_F__COUNT; i++)
        free_fspec(&m->f[i]);
    for (int i = 0; i < OG_M__COUNT; i++)
        free_fspec(&m->mf[i]);
    free_path(m->members_path, m->nmembers_path);
    for (size_t i = 0; i < m->nattr; i++)
        free_path(m->attr_paths[i], m->attr_npath[i]);
    free(m->attr_paths);
    free(m->attr_npath);
    free(m->attr_names);
    og_hmap_destroy(m->attrs_exclude);
    json_decref(m->input_opts);
    json_decref(m->doc);
    free(m->path);
    free(m->dir);
    free(m);
}

static int check_keys(const json_t *obj, const char *const *known, const struct og_mapping *m,
                      const char *jpath, struct og_error *err)
{
    if (og_keys_check(obj, known, OG_R_BAD_MAPPING, err) == 0)
        return 0;
    og_error_position(err, "%s: %s", m->path, jpath);
    return OG_ECONFIG;
}

static int load_code_table(struct og_mapping *m, struct step *st, const json_t *spec,
                           const char *jpath, struct og_error *err)
{
    const char *file = NULL, *keycol = "code", *valcol = "value";
    if (json_is_string(spec))
        file = json_string_value(spec);
    else if (json_is_object(spec)) {
        static const char *const known[] = {"file", "key", "value", NULL};
        if (check_keys(spec, known, m, jpath, err) < 0)
            return OG_ECONFIG;
        file = json_string_value(json_object_get(spec, "file"));
        if (json_is_string(json_object_get(spec, "key")))
            keycol = json_string_value(json_object_get(spec, "key"));
        if (json_is_string(json_object_get(spec, "value")))
            valcol = json_string_value(json_object_get(spec, "value"));
    }
    if (!file)
        return cfg_err(err, m, jpath,
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
        return cfg_err(err, m, jpath, "code table: %s", terr.message);
    int kc = og_table_col(&t, keycol), vc = og_table_col(&t, valcol);
    if (kc < 0 || vc < 0) {
        og_table_free(&t);
        return cfg_err(err, m, jpath, "code table %s has no column \"%s\"", full,
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
            return cfg_err(err, m, jpath, "code table %s:%ld: code \"%s\" appears twice", full,
                           line, key);
        }
        st->tvalues[st->ntvalues] = strdup(t.rows[r][vc]);
        og_hmap_put(st->table, t.rows[r][kc], st->tvalues[st->ntvalues]);
        st->ntvalues++;
    }
    og_table_free(&t);
    return 0;
}

/* Parses one conversion step; *type is the value type flowing through. */
static int parse_step(struct og_mapping *m, const json_t *s, struct step *st, enum og_vtype *type,
                      bool *can_fail, const char *jpath, struct og_error *err)
{
    memset(st, 0, sizeof(*st));
    const char *name = NULL;
    const json_t *arg = NULL;
    if (json_is_string(s))
        name = json_string_value(s);
    else if (json_is_object(s) && json_object_size(s) >= 1) {
        /* {"time": "fmt", "zone": "..."}: the first key that names a conversion */
        static const char *const names[] = {"time",    "code_table", "enum",
                                            "replace", "null_if",    NULL};
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
            return cfg_err(err, m, jpath,
                           "unknown conversion \"%s\" (known: trim, upper, lower, number, list, "
                           "time, code_table, enum, replace, null_if)",
                           first);
        }
    }
    else
        return cfg_err(err, m, jpath,
                       "a conversion is a name or an object like {\"time\": \"yyyy-MM-dd\"}");

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
        if (check_keys(s, known, m, jpath, err) < 0)
            return OG_ECONFIG;
        st->kind = ST_TIME;
        if (!json_is_string(arg))
            return cfg_err(
                err, m, jpath,
                "\"time\" needs a format string, e.g. \"yyyy-MM-dd HH:mm:ss\" or \"iso8601\"");
        st->format = json_string_value(arg);
        struct og_error terr;
        og_error_clear(&terr);
        if (og_time_format_check(st->format, &terr) < 0)
            return cfg_err(err, m, jpath, "%s", terr.message);
        st->offset_min = m->zone_offset;
        json_t *zone = json_object_get(s, "zone");
        if (zone &&
            (!json_is_string(zone) || og_zone_offset(json_string_value(zone), &st->offset_min) < 0))
            return cfg_err(
                err, m, jpath,
                "unknown zone (use \"Asia/Shanghai\", \"UTC\" or an offset like \"+08:00\")");
        static const char *const bounds[] = {"after", "before"};
        for (int b = 0; b < 2; b++) {
            json_t *bound = json_object_get(s, bounds[b]);
            if (!bound)
                continue;
            int64_t t;
            if (!json_is_string(bound) ||
                og_time_parse(json_string_value(bound), "iso8601", st->offset_min, &t, NULL) < 0)
                return cfg_err(err, m, jpath,
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
        if (check_keys(s, known, m, jpath, err) < 0)
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
        if (check_keys(s, known, m, jpath, err) < 0)
            return OG_ECONFIG;
        st->kind = ST_ENUM;
        st->arg = arg;
        if (!json_is_array(arg))
            return cfg_err(err, m, jpath, "\"enum\" needs a list of accepted values");
        *type = OG_V_TEXT;
        *can_fail = true;
    }
    else if (strcmp(name, "replace") == 0) {
        static const char *const known[] = {"replace", NULL};
        if (check_keys(s, known, m, jpath, err) < 0)
            return OG_ECONFIG;
        st->kind = ST_REPLACE;
        st->arg = arg;
        if (!json_is_object(arg))
            return cfg_err(err, m, jpath, "\"replace\" needs an object {\"from\": \"to\", ...}");
        *type = OG_V_TEXT;
    }
    else if (strcmp(name, "null_if") == 0) {
        static const char *const known[] = {"null_if", NULL};
        if (check_keys(s, known, m, jpath, err) < 0)
            return OG_ECONFIG;
        st->kind = ST_NULL_IF;
        st->arg = arg;
        if (!json_is_array(arg))
            return cfg_err(err, m, jpath,
                           "\"null_if\" needs a list of values that mean \"no value\"");
    }
    else
        return cfg_err(err, m, jpath,
                       "unknown conversion \"%s\" (known: trim, upper, lower, number, list, time, "
                       "code_table, enum, replace, null_if)",
                       name);
    return 0;
}

static int parse_field(struct og_mapping *m, const char *name, enum og_vtype want,
                       const json_t *spec, struct fspec *f, const char *jbase, struct og_error *err)
{
    char jpath[200];
    snprintf(jpath, sizeof(jpath), "%s.%s", jbase, name);
    if (json_is_string(spec)) { /* shorthand: "field": "source.path" */
        f->used = true;
        f->name = name;
        f->type = want;
        if (split_path(json_string_value(spec), &f->path, &f->npath) < 0)
            return OG_ENOMEM;
        if (want != OG_V_TEXT)
            return cfg_err(
                err, m, jpath,
                "a %s field needs a conversion: write {\"from\": \"%s\", \"convert\": [...], "
                "\"on_error\": ...}",
                TYPE_NAMES[want], json_string_value(spec));
        return 0;
    }
    if (!json_is_object(spec))
        return cfg_err(err, m, jpath,
                       "a field is a source path string or an object with \"from\" or \"value\"");
    static const char *const known[] = {"from",          "value",       "convert",
                                        "required",      "on_error",    "id",
                                        "require_valid", "description", NULL};
    if (check_keys(spec, known, m, jpath, err) < 0)
        return OG_ECONFIG;
    f->used = true;
    f->name = name;
    f->type = want;
    json_t *from = json_object_get(spec, "from"), *value = json_object_get(spec, "value");
    if (!!from == !!value)
        return cfg_err(err, m, jpath,
                       "give exactly one of \"from\" (a source path) and \"value\" (a constant)");
    if (from) {
        if (!json_is_string(from) || !*json_string_value(from))
            return cfg_err(err, m, jpath,
                           "\"from\" must be a non-empty dotted path like \"gps.lng\"");
        if (split_path(json_string_value(from), &f->path, &f->npath) < 0)
            return OG_ENOMEM;
    }
    else
        f->constant = value;
    f->required = json_is_true(json_object_get(spec, "required"));

    enum og_vtype type = OG_V_TEXT;
    if (value && json_is_number(value))
        type = OG_V_NUM;
    bool can_fail = false;
    json_t *conv = json_object_get(spec, "convert");
    if (conv) {
        if (!json_is_array(conv))
            return cfg_err(err, m, jpath, "\"convert\" must be a list of conversions");
        f->nsteps = json_array_size(conv);
        f->steps = calloc(f->nsteps ? f->nsteps : 1, sizeof(struct step));
        if (!f->steps)
            return OG_ENOMEM;
        for (size_t i = 0; i < f->nsteps; i++) {
            char sp[240];
            snprintf(sp, sizeof(sp), "%s.convert[%zu]", jpath, i);
            if (parse_step(m, json_array_get(conv, i), &f->steps[i], &type, &can_fail, sp, err) < 0)
                return OG_ECONFIG;
        }
    }
    if (type != want)
        return cfg_err(err, m, jpath, "field \"%s\" is a %s, but the conversions give a %s%s", name,
                       TYPE_NAMES[want], TYPE_NAMES[type],
                       want == OG_V_TIME   ? " (add {\"time\": \"<format>\"})"
                       : want == OG_V_NUM  ? " (add \"number\")"
                       : want == OG_V_LIST ? " (add \"list\")"
                                           : "");
    json_t *pol = json_object_get(spec, "on_error");
    if (pol) {
        if (json_is_string(pol) && strcmp(json_string_value(pol), "reject") == 0)
            f->pol = POL_REJECT;
        else if (json_is_string(pol) && strcmp(json_string_value(pol), "null") == 0)
            f->pol = POL_NULL;
        else if (json_is_object(pol) && json_object_get(pol, "default") &&
                 json_object_size(pol) == 1) {
            f->pol = POL_DEFAULT;
            f->def = json_object_get(pol, "default");
            if ((want == OG_V_TEXT && !json_is_string(f->def)) ||
                (want == OG_V_NUM && !json_is_number(f->def)) || want == OG_V_TIME ||
                want == OG_V_LIST)
                return cfg_err(
                    err, m, jpath,
                    "on_error.default must be a %s value (times and lists take no default)",
                    TYPE_NAMES[want]);
        }
        else
            return cfg_err(err, m, jpath,
                           "on_error must be \"reject\", \"null\" or {\"default\": VALUE}");
        if (!can_fail)
            return cfg_err(err, m, jpath, "on_error is given but no conversion here can fail");
    }
    else if (can_fail)
        return cfg_err(err, m, jpath,
                       "a conversion here can fail: say what to do with on_error "
                       "(\"reject\", \"null\" or {\"default\": VALUE})");
    json_t *id = json_object_get(spec, "id");
    json_t *rv = json_object_get(spec, "require_valid");
    if ((id || rv) && !(f == &m->f[OG_F_SUBJECT_ID] || f == &m->mf[OG_M_ID_NO]))
        return cfg_err(err, m, jpath,
                       "\"id\" and \"require_valid\" apply only to subject_id and members' id_no");
    if (id) {
        const char *k = json_string_value(id);
        if (!k || (strcmp(k, "resident") && strcmp(k, "uscc") && strcmp(k, "other") &&
                   (strcmp(k, "by_type") || f != &m->f[OG_F_SUBJECT_ID])))
            return cfg_err(err, m, jpath,
                           "\"id\" must be \"resident\", \"uscc\" or \"other\" (or, for "
                           "subject_id, \"by_type\" with a subject_id_type field)");
        if (f == &m->f[OG_F_SUBJECT_ID])
            m->subject_kind = k;
    }
    if (rv) {
        if (f == &m->f[OG_F_SUBJECT_ID])
            m->subject_require_valid = json_is_true(rv);
        else
            m->member_require_valid = json_is_true(rv);
    }
    return 0;
}

static int parse_fields(struct og_mapping *m, const json_t *fields, bool members, const char *jbase,
                        struct og_error *err)
{
    if (!json_is_object(fields))
        return cfg_err(err, m, jbase, "\"fields\" must be an object {unified field: spec}");
    const char *key;
    json_t *spec;
    json_object_foreach((json_t *)fields, key, spec)
    {
        int idx = -1;
        int n = members ? OG_M__COUNT : OG_F__COUNT;
        for (int i = 0; i < n; i++)
            if (strcmp(key, members ? MFIELDS[i].name : FIELDS[i].name) == 0)
                idx = i;
        if (idx < 0 || (!members && !(FIELDS[idx].targets & (1u << m->target)))) {
            char list[600] = "";
            for (int i = 0; i < n; i++) {
                if (!members && !(FIELDS[i].targets & (1u << m->target)))
                    continue;
                strncat(list, members ? MFIELDS[i].name : FIELDS[i].name,
                        sizeof(list) - strlen(list) - 3);
                strncat(list, " ", sizeof(list) - strlen(list) - 1);
            }
            char jp[200];
            snprintf(jp, sizeof(jp), "%s.%s", jbase, key);
            return cfg_err(
                err, m, jp, "unknown field \"%s\" for target %s (known: %s)", key,
                members ? "visit member" : (m->target == OG_KIND_EVENT ? "event" : "visit"), list);
        }
        struct fspec *f = members ? &m->mf[idx] : &m->f[idx];
        enum og_vtype want = members ? MFIELDS[idx].type : FIELDS[idx].type;
        if (parse_field(m, members ? MFIELDS[idx].name : FIELDS[idx].name, want, spec, f, jbase,
                        err) < 0)
            return OG_ECONFIG;
    }
    return 0;
}

static int parse_attrs(struct og_mapping *m, const json_t *a, struct og_error *err)
{
    m->attrs_exclude = og_hmap_create();
    if (!m->attrs_exclude)
        return OG_ENOMEM;
    if (!a)
        return 0;
    static const char *const known[] = {"rest", "include", "exclude", NULL};
    if (!json_is_object(a) || check_keys(a, known, m, "attrs", err) < 0)
        return err && err->code ? OG_ECONFIG
                                : cfg_err(err, m, "attrs",
                                          "\"attrs\" must be {\"rest\": true, \"exclude\": [...]} "
                                          "or {\"include\": [paths]}");
    json_t *inc = json_object_get(a, "include");
    if (json_is_true(json_object_get(a, "rest"))) {
        if (inc)
            return cfg_err(err, m, "attrs", "give \"rest\" or \"include\", not both");
        m->attrs_mode = ATTRS_REST;
        json_t *exc = json_object_get(a, "exclude");
        size_t i;
        json_t *v;
        json_array_foreach(exc, i, v)
        {
            if (!json_is_string(v))
                return cfg_err(err, m, "attrs.exclude", "names must be strings");
            og_hmap_put(m->attrs_exclude, json_string_value(v), (void *)1);
        }
    }
    else if (inc) {
        if (!json_is_array(inc))
            return cfg_err(err, m, "attrs.include", "must be a list of source paths");
        m->attrs_mode = ATTRS_INCLUDE;
        m->nattr = json_array_size(inc);
        m->attr_paths = calloc(m->nattr + 1, sizeof(char **));
        m->attr_npath = calloc(m->nattr + 1, sizeof(size_t));
        m->attr_names = calloc(m->nattr + 1, sizeof(char *));
        if (!m->attr_paths || !m->attr_npath || !m->attr_names)
            return OG_ENOMEM;
        for (size_t i = 0; i < m->nattr; i++) {
            json_t *v = json_array_get(inc, i);
            if (!json_is_string(v))
                return cfg_err(err, m, "attrs.include", "paths must be strings");
            m->attr_names[i] = json_string_value(v);
            if (split_path(json_string_value(v), &m->attr_paths[i], &m->attr_npath[i]) < 0)
                return OG_ENOMEM;
        }
    }
    return 0;
}

int og_mapping_load(const char *path, struct og_mapping **out, struct og_error *err)
{
    *out = NULL;
    struct og_mapping *m = calloc(1, sizeof(*m));
    if (!m)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    m->path = strdup(path);
    const char *slash = strrchr(path, '/');
    m->dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
    m->zone_offset = 480;
    m->max_members = 100;
    int rc;
    json_error_t jerr;
    m->doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!m->doc) {
        rc = og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_MAPPING, "%s", jerr.text);
        og_error_position(err, "%s:%d:%d", path, jerr.line, jerr.column);
        goto fail;
    }
    static const char *const known[] = {"feed",  "description", "department", "target", "zone",
                                        "input", "fields",      "members",    "attrs",  NULL};
    if (!json_is_object(m->doc)) {
        rc = cfg_err(err, m, "$", "a mapping is a JSON object");
        goto fail;
    }
    if ((rc = check_keys(m->doc, known, m, "$", err)) < 0)
        goto fail;
    m->feed = json_string_value(json_object_get(m->doc, "feed"));
    m->department = json_string_value(json_object_get(m->doc, "department"));
    if (!m->feed || !m->department) {
        rc = cfg_err(err, m, m->feed ? "department" : "feed", "required string is missing");
        goto fail;
    }
    const char *target = json_string_value(json_object_get(m->doc, "target"));
    if (target && strcmp(target, "event") == 0)
        m->target = OG_KIND_EVENT;
    else if (target && strcmp(target, "visit") == 0)
        m->target = OG_KIND_VISIT;
    else {
        rc = cfg_err(err, m, "target", "must be \"event\" or \"visit\"");
        goto fail;
    }
    json_t *zone = json_object_get(m->doc, "zone");
    if (zone &&
        (!json_is_string(zone) || og_zone_offset(json_string_value(zone), &m->zone_offset) < 0)) {
        rc = cfg_err(err, m, "zone", "unknown zone (use \"Asia/Shanghai\", \"UTC\" or \"+08:00\")");
        goto fail;
    }
    m->input_opts = json_object();
    json_t *input = json_object_get(m->doc, "input");
    if (input) {
        if (!json_is_object(input)) {
            rc = cfg_err(err, m, "input", "must be an object {\"connector\": ..., options...}");
            goto fail;
        }
        const char *key;
        json_t *v;
        json_object_foreach(input, key, v)
        {
            if (strcmp(key, "connector") == 0)
                m->connector = json_string_value(v);
            else
                json_object_set(m->input_opts, key, v);
        }
    }
    if ((rc = parse_fields(m, json_object_get(m->doc, "fields"), false, "fields", err)) < 0)
        goto fail;
    if (!m->f[OG_F_SOURCE_ID].used) {
        rc = cfg_err(err, m, "fields", "source_id is required: the source's own record id");
        goto fail;
    }
    json_t *members = json_object_get(m->doc, "members");
    if (members) {
        static const char *const mk[] = {"from", "fields", "max", NULL};
        if (m->target != OG_KIND_VISIT) {
            rc = cfg_err(err, m, "members", "only visits have members");
            goto fail;
        }
        if ((rc = check_keys(members, mk, m, "members", err)) < 0)
            goto fail;
        const char *from = json_string_value(json_object_get(members, "from"));
        if (!from) {
            rc = cfg_err(err, m, "members.from", "the path of the member array is required");
            goto fail;
        }
        m->has_members = true;
        split_path(from, &m->members_path, &m->nmembers_path);
        json_t *max = json_object_get(members, "max");
        if (max) {
            if (!json_is_integer(max) || json_integer_value(max) < 1) {
                rc = cfg_err(err, m, "members.max",
                             "must be a positive integer (the most members a record may have)");
                goto fail;
            }
            m->max_members = (size_t)json_integer_value(max);
        }
        if ((rc = parse_fields(m, json_object_get(members, "fields"), true, "members.fields",
                               err)) < 0)
            goto fail;
    }
    if ((rc = parse_attrs(m, json_object_get(m->doc, "attrs"), err)) < 0)
        goto fail;
    /* fields used by "from" at top level, and identity fields, never go into "rest" attrs */
    for (int i = 0; i < OG_F__COUNT; i++)
        if (m->f[i].used && m->f[i].npath == 1)
            og_hmap_put(m->attrs_exclude, m->f[i].path[0], (void *)1);
    if (m->f[OG_F_SUBJECT_ID].used && m->f[OG_F_SUBJECT_ID].npath)
        og_hmap_put(m->attrs_exclude, m->f[OG_F_SUBJECT_ID].path[0], (void *)1);
    if (m->has_members)
        og_hmap_put(m->attrs_exclude, m->members_path[0], (void *)1);
    if (!m->subject_kind)
        m->subject_kind = "resident";
    if (!strcmp(m->subject_kind, "by_type") && !m->f[OG_F_SUBJECT_ID_TYPE].used) {
        rc = cfg_err(err, m, "fields.subject_id",
                     "\"id\": \"by_type\" needs a subject_id_type field (the document type)");
        goto fail;
    }
    if (m->f[OG_F_HEALTH_COLOR].used && !m->f[OG_F_SUBJECT_ID].used) {
        rc = cfg_err(err, m, "fields.health_color",
                     "a health-code change needs subject_id (the person whose code it is)");
        goto fail;
    }
    *out = m;
    return 0;
fail:
    og_mapping_destroy(m);
    return rc < 0 ? rc : OG_ECONFIG;
}

const char *og_mapping_path(const struct og_mapping *m)
{
    return m->path;
}
const char *og_mapping_feed(const struct og_mapping *m)
{
    return m->feed;
}
const char *og_mapping_department(const struct og_mapping *m)
{
    return m->department;
}
enum og_kind og_mapping_target(const struct og_mapping *m)
{
    return m->target;
}
const char *og_mapping_connector(const struct og_mapping *m)
{
    return m->connector;
}
const json_t *og_mapping_input_options(const struct og_mapping *m)
{
    return m->input_opts;
}
const char *og_mapping_subject_kind(const struct og_mapping *m)
{
    return m->subject_kind;
}
bool og_mapping_subject_require_valid(const struct og_mapping *m)
{
    return m->subject_require_valid;
}
bool og_mapping_member_id_require_valid(const struct og_mapping *m)
{
    return m->member_require_valid;
}
int og_mapping_zone_offset(const struct og_mapping *m)
{
    return m->zone_offset;
}
bool og_mapping_uses_identity(const struct og_mapping *m)
{
    return m->f[OG_F_SUBJECT_ID].used || m->mf[OG_M_ID_NO].used;
}

/* ---------------------------------------------------------------- applying */

static const json_t *get_path(const json_t *doc, char **path, size_t n)
{
    const json_t *v = doc;
    for (size_t i = 0; i < n && v; i++) {
        if (json_is_object(v))
            v = json_object_get(v, path[i]);
        else if (json_is_array(v) && isdigit((unsigned char)path[i][0]))
            v = json_array_get(v, strtoul(path[i], NULL, 10));
        else
            v = NULL;
    }
    return v;
}

struct work {
    enum og_vtype type;
    const char *s;
    double f;
    int64_t t;
    const char **items;
    size_t n;
    const json_t *j;
};

static const char *num_text(struct og_arena *a, const json_t *j)
{
    if (json_is_integer(j))
        return og_arena_sprintf(a, "%lld", (long long)json_integer_value(j));
    return og_arena_sprintf(a, "%.17g", json_real_value(j));
}

/* Starts a working value from a JSON value. With numbers_as_is, a JSON number stays a number (w->f)
 * for a field whose first conversion is "number", instead of being formatted as text and parsed
 * back. */
static int from_json_as(struct og_arena *a, const json_t *j, struct work *w, bool numbers_as_is)
{
    memset(w, 0, sizeof(*w));
    w->j = j;
    if (!j || json_is_null(j)) {
        w->type = OG_V_NULL;
        return 0;
    }
    if (numbers_as_is && json_is_number(j)) {
        w->type = OG_V_NUM;
        w->f = json_number_value(j);
        return 0;
    }
    w->type = OG_V_TEXT;
    if (json_is_string(j))
        w->s = og_arena_strndup(a, json_string_value(j), json_string_length(j));
    else if (json_is_number(j))
        w->s = num_text(a, j);
    else if (json_is_true(j))
        w->s = "true";
    else if (json_is_false(j))
        w->s = "false";
    else {
        char *d = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
        w->s = d ? og_arena_strdup(a, d) : NULL;
        free(d);
    }
    return w->s ? 0 : OG_ENOMEM;
}

static int from_json(struct og_arena *a, const json_t *j, struct work *w)
{
    return from_json_as(a, j, w, false);
}

static bool is_space_at(const char *s, size_t *len)
{
    unsigned char c = (unsigned char)s[0];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        *len = 1;
        return true;
    }
    if (c == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80) { /* U+3000 */
        *len = 3;
        return true;
    }
    return false;
}

static const char *trim(struct og_arena *a, const char *s)
{
    size_t l;
    while (*s && is_space_at(s, &l))
        s += l;
    size_t n = strlen(s);
    while (n > 0) {
        if (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')
            n--;
        else if (n >= 3 && (unsigned char)s[n - 3] == 0xE3 && (unsigned char)s[n - 2] == 0x80 &&
                 (unsigned char)s[n - 1] == 0x80)
            n -= 3;
        else
            break;
    }
    return og_arena_strndup(a, s, n);
}

/* Quote a value for a message (truncated). */
static const char *shown(const struct work *w, char *buf, size_t size)
{
    if (w->type == OG_V_TEXT && w->s)
        snprintf(buf, size, "\"%.80s\"", w->s);
    else if (w->type == OG_V_NUM)
        snprintf(buf, size, "%g", w->f);
    else
        snprintf(buf, size, "(%s)", TYPE_NAMES[w->type]);
    return buf;
}

/* Runs one step. Returns 0, or OG_EREJECT with err (reason + message) when the value does not
 * convert. */
static int run_step(const struct step *st, struct og_arena *a, struct work *w, const char *field,
                    struct og_error *err)
{
    char sv[120];
    if (w->type == OG_V_NULL)
        return 0;
    if ((st->kind == ST_TIME || st->kind == ST_CODE_TABLE || st->kind == ST_ENUM) &&
        w->type == OG_V_TEXT && !(w->j && json_is_integer(w->j))) {
        const char *t = trim(a, w->s);
        if (!*t) { /* blank text is no value, not a bad one */
            w->type = OG_V_NULL;
            return 0;
        }
    }
    switch (st->kind) {
    case ST_TRIM:
    case ST_UPPER:
    case ST_LOWER:
        if (w->type != OG_V_TEXT)
            return 0;
        if (st->kind == ST_TRIM)
            w->s = trim(a, w->s);
        else {
            char *c = og_arena_strdup(a, w->s);
            for (char *p = c; *p; p++)
                *p = (char)(st->kind == ST_UPPER ? toupper((unsigned char)*p)
                                                 : tolower((unsigned char)*p));
            w->s = c;
        }
        return 0;
    case ST_NUMBER: {
        if (w->j && json_is_number(w->j) && w->type == OG_V_TEXT) {
            w->f = json_number_value(w->j);
            w->type = OG_V_NUM;
            return 0;
        }
        if (w->type == OG_V_NUM)
            return 0;
        const char *s = trim(a, w->s);
        if (!*s) {
            w->type = OG_V_NULL;
            return 0;
        }
        char *end;
        errno = 0;
        double d = strtod(s, &end);
        if (end == s || *end || errno || !isfinite(d))
            return og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_NUMBER,
                                "field %s: %s is not a number", field, shown(w, sv, sizeof(sv)));
        w->f = d;
        w->type = OG_V_NUM;
        return 0;
    }
    case ST_LIST: {
        if (w->j && json_is_array(w->j)) {
            size_t n = json_array_size(w->j);
            w->items = og_arena_alloc(a, (n ? n : 1) * sizeof(char *));
            w->n = 0;
            for (size_t i = 0; i < n; i++) {
                struct work e;
                if (from_json(a, json_array_get(w->j, i), &e) < 0)
                    return OG_ENOMEM;
                if (e.type == OG_V_TEXT && *e.s)
                    w->items[w->n++] = e.s;
            }
        }
        else { /* a text: separated by ',' or '、' (U+3001) */
            const char *s = w->s;
            size_t cap = 1;
            for (const char *p = s; *p; p++)
                cap += *p == ',' || (unsigned char)*p == 0xE3;
            w->items = og_arena_alloc(a, cap * sizeof(char *) + 8);
            if (!w->items)
                return OG_ENOMEM;
            w->n = 0;
            while (*s) {
                size_t len = 0, sep = 0;
                while (s[len] && !sep) {
                    if (s[len] == ',')
                        sep = 1;
                    else if (!strncmp(s + len, "\xE3\x80\x81", 3))
                        sep = 3;
                    else
                        len++;
                }
                const char *it = trim(a, og_arena_strndup(a, s, len));
                if (*it && w->n < cap)
                    w->items[w->n++] = it;
                s += len + sep;
            }
        }
        w->type = OG_V_LIST;
        return 0;
    }
    case ST_TIME: {
        bool ms = strcmp(st->format, "epoch_ms") == 0;
        if (w->j && json_is_integer(w->j) && w->type == OG_V_TEXT &&
            (ms || strcmp(st->format, "epoch_s") == 0)) {
            long long v = json_integer_value(w->j), unit = ms ? 1000LL : 1000000LL;
            if (v > INT64_MAX / unit || v < INT64_MIN / unit)
                return og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_TIME,
                                    "field %s: %lld is out of range for %s", field, v, st->format);
            w->t = v * unit;
        }
        else if (w->type != OG_V_TEXT)
            return og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_TIME,
                                "field %s: %s is not a time", field, shown(w, sv, sizeof(sv)));
        else {
            struct og_error terr;
            og_error_clear(&terr);
            if (og_time_parse(w->s, st->format, st->offset_min, &w->t, &terr) < 0)
                return og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_TIME,
                                    "field %s: %s", field, terr.message);
        }
        w->type = OG_V_TIME;
        if ((st->has_after && w->t < st->after) || (st->has_before && w->t >= st->before)) {
            char t[48];
            return og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_TIME,
                                "field %s: %s is outside the accepted range", field,
                                og_time_format_iso(w->t, st->offset_min, t, sizeof(t)));
        }
        return 0;
    }
    case ST_CODE_TABLE: {
        const char *v = w->type == OG_V_TEXT ? og_hmap_get(st->table, w->s) : NULL;
        if (!v)
            return og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_UNKNOWN_CODE,
                                "field %s: code %s is not in %s", field, shown(w, sv, sizeof(sv)),
                                st->table_path ? st->table_path : "the code table");
        w->s = v;
        w->j = NULL;
        return 0;
    }
    case ST_ENUM: {
        size_t i;
        json_t *v;
        json_array_foreach(st->arg, i, v) if (json_is_string(v) && w->s &&
                                              strcmp(json_string_value(v), w->s) == 0) return 0;
        return og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_VALUE,
                            "field %s: %s is not an accepted value", field,
                            shown(w, sv, sizeof(sv)));
    }
    case ST_REPLACE: {
        json_t *v = w->s ? json_object_get(st->arg, w->s) : NULL;
        if (json_is_string(v)) {
            w->s = json_string_value(v);
            w->j = NULL;
        }
        return 0;
    }
    case ST_NULL_IF: {
        size_t i;
        json_t *v;
        json_array_foreach(st->arg, i, v) if (json_is_string(v) && w->s &&
                                              strcmp(json_string_value(v), w->s) == 0)
        {
            w->type = OG_V_NULL;
            return 0;
        }
        return 0;
    }
    }
    return 0;
}

struct notes {
    json_t *arr; /* new, or NULL */
    int count;
};

static int note(struct notes *n, const char *field, const struct og_error *e, const char *action)
{
    if (!n->arr)
        n->arr = json_array();
    n->count++;
    return json_array_append_new(n->arr, json_pack("{s:s, s:s, s:s, s:s}", "field", field, "reason",
                                                   og_reason_name(e->reason), "action", action,
                                                   "message", e->message));
}

/* Computes one field's value into *out. */
static int eval_field(const struct fspec *f, const json_t *rec, struct og_arena *a,
                      struct og_mval *out, struct notes *notes, struct og_error *err)
{
    memset(out, 0, sizeof(*out));
    if (!f->used)
        return 0;
    struct work w;
    bool numbers_as_is = f->nsteps > 0 && f->steps[0].kind == ST_NUMBER;
    int rc = from_json_as(a, f->constant ? f->constant : get_path(rec, f->path, f->npath), &w,
                          numbers_as_is);
    if (rc < 0)
        return rc;
    if (w.type == OG_V_TEXT && f->constant && json_is_number(f->constant)) {
        w.type = OG_V_NUM;
        w.f = json_number_value(f->constant);
    }
    for (size_t i = 0; i < f->nsteps && rc == 0; i++)
        rc = run_step(&f->steps[i], a, &w, f->name, err);
    if (rc == OG_EREJECT) {
        if (f->pol == POL_NULL) {
            note(notes, f->name, err, "null");
            og_error_clear(err);
            w.type = OG_V_NULL;
            rc = 0;
        }
        else if (f->pol == POL_DEFAULT) {
            note(notes, f->name, err, "default");
            og_error_clear(err);
            if (json_is_string(f->def)) {
                w.type = OG_V_TEXT;
                w.s = json_string_value(f->def);
            }
            else {
                w.type = OG_V_NUM;
                w.f = json_number_value(f->def);
            }
            rc = 0;
        }
        else {
            og_error_field(err, f->name);
            return rc;
        }
    }
    if (rc < 0)
        return rc;
    if (w.type == OG_V_TEXT && w.s && !*w.s)
        w.type = OG_V_NULL;
    if (w.type != OG_V_NULL && w.type != f->type) {
        /* e.g. a text value reached a number field with no conversion: the check makes this rare */
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_VALUE,
                     "field %s: expected a %s, got a %s", f->name, TYPE_NAMES[f->type],
                     TYPE_NAMES[w.type]);
        og_error_field(err, f->name);
        return OG_EREJECT;
    }
    if (w.type == OG_V_NULL && f->required) {
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_MISSING_FIELD,
                     "field %s is required but %s", f->name,
                     f->npath ? "absent or empty in the record" : "empty");
        og_error_field(err, f->name);
        return OG_EREJECT;
    }
    out->type = w.type;
    out->s = w.s;
    out->f = w.f;
    out->t = w.t;
    out->items = w.items;
    out->n = w.n;
    return 0;
}

static int build_attrs(const struct og_mapping *m, const json_t *rec, struct notes *notes,
                       struct og_arena *a, const char **out)
{
    json_t *o = json_object();
    if (!o)
        return OG_ENOMEM;
    if (m->attrs_mode == ATTRS_REST && json_is_object(rec)) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)rec, key, v) if (!og_hmap_get(m->attrs_exclude, key) &&
                                                       !json_is_null(v)) json_object_set(o, key, v);
    }
    else if (m->attrs_mode == ATTRS_INCLUDE) {
        for (size_t i = 0; i < m->nattr; i++) {
            const json_t *v = get_path(rec, m->attr_paths[i], m->attr_npath[i]);
            if (v && !json_is_null(v))
                json_object_set(o, m->attr_names[i], (json_t *)v);
        }
    }
    if (notes->arr) {
        json_object_set_new(o, "_notes", notes->arr);
        notes->arr = NULL;
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (!s)
        return OG_ENOMEM;
    *out = og_arena_strdup(a, s);
    free(s);
    return *out ? 0 : OG_ENOMEM;
}

int og_mapping_apply(const struct og_mapping *m, const json_t *doc, struct og_arena *arena,
                     struct og_mapped *out, struct og_error *err)
{
    memset(out, 0, sizeof(*out));
    struct notes notes = {NULL, 0};
    int rc = 0;
    for (int i = 0; i < OG_F__COUNT && rc == 0; i++)
        rc = eval_field(&m->f[i], doc, arena, &out->v[i], &notes, err);
    if (rc == 0 && m->has_members) {
        const json_t *arr = get_path(doc, m->members_path, m->nmembers_path);
        size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
        if (n > m->max_members) {
            rc = og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_TOO_MANY_MEMBERS,
                              "%zu members where at most %zu are accepted", n, m->max_members);
        }
        else if (n) {
            out->members = og_arena_calloc(arena, n * sizeof(*out->members));
            if (!out->members)
                rc = OG_ENOMEM;
            for (size_t k = 0; k < n && rc == 0; k++) {
                const json_t *mem = json_array_get(arr, k);
                for (int i = 0; i < OG_M__COUNT && rc == 0; i++)
                    rc = eval_field(&m->mf[i], mem, arena, &out->members[k].v[i], &notes, err);
                if (rc == OG_EREJECT) {
                    char d[sizeof(err->detail)];
                    snprintf(d, sizeof(d), "%s", err->detail);
                    og_error_detail(err, "member %zu%s%s", k + 1, d[0] ? ": " : "", d);
                }
            }
            out->nmembers = n;
        }
    }
    if (rc == 0)
        rc = build_attrs(m, doc, &notes, arena, &out->attrs);
    out->notes = notes.count;
    json_decref(notes.arr);
    return rc;
}
