/* mapping.c - load and check declarative feed mappings (applying them: mapping_apply.c). */
#include "transform/mapping_internal.h"
#include "transform/timeparse.h"

#include "core/digest.h"
#include "core/options.h"
#include "core/table.h"
#include "core/timefmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EV (1u << OG_KIND_EVENT)
#define VI (1u << OG_KIND_VISIT)
#define PE (1u << OG_KIND_PERSON)
#define HO (1u << OG_KIND_HOUSING)

static const struct {
    const char *name;
    enum og_vtype type;
    unsigned targets;
} FIELDS[OG_F__COUNT] = {
    [OG_F_SOURCE_ID] = {"source_id", OG_V_TEXT, EV | VI | HO},
    [OG_F_CATEGORY_CODE] = {"category_code", OG_V_TEXT, EV},
    [OG_F_SOURCE_CATEGORY] = {"source_category", OG_V_TEXT, EV},
    [OG_F_STATUS] = {"status", OG_V_TEXT, EV},
    [OG_F_SOURCE_STATUS] = {"source_status", OG_V_TEXT, EV},
    [OG_F_REPORTED_AT] = {"reported_at", OG_V_TIME, EV},
    [OG_F_UPDATED_AT] = {"updated_at", OG_V_TIME, EV | PE | HO},
    [OG_F_CLOSED_AT] = {"closed_at", OG_V_TIME, EV},
    [OG_F_VISITED_AT] = {"visited_at", OG_V_TIME, VI},
    [OG_F_WORKER_ID] = {"worker_id", OG_V_TEXT, VI},
    [OG_F_ADDRESS] = {"address", OG_V_TEXT, EV | VI | PE | HO},
    [OG_F_SUMMARY] = {"summary", OG_V_TEXT, EV},
    [OG_F_LON] = {"lon", OG_V_NUM, EV | VI | HO},
    [OG_F_LAT] = {"lat", OG_V_NUM, EV | VI | HO},
    [OG_F_CRS] = {"crs", OG_V_TEXT, EV | VI | HO},
    [OG_F_GRID_CODE] = {"grid_code", OG_V_TEXT, EV | VI | PE | HO},
    [OG_F_COMMUNITY_CODE] = {"community_code", OG_V_TEXT, EV | VI | PE | HO},
    [OG_F_DEPT_GRID] = {"dept_grid", OG_V_TEXT, EV | VI | PE | HO},
    [OG_F_SUBJECT_ID] = {"subject_id", OG_V_TEXT, EV},
    [OG_F_SUBJECT_ID_TYPE] = {"subject_id_type", OG_V_TEXT, EV},
    [OG_F_HEALTH_COLOR] = {"health_color", OG_V_TEXT, EV},
    [OG_F_HEALTH_PREVIOUS_COLOR] = {"health_previous_color", OG_V_TEXT, EV},
    [OG_F_HEALTH_REASON] = {"health_reason", OG_V_TEXT, EV},
    [OG_F_ID_NO] = {"id_no", OG_V_TEXT, PE},
    [OG_F_NAME] = {"name", OG_V_TEXT, PE},
    [OG_F_BIRTH_DATE] = {"birth_date", OG_V_TIME, PE},
    [OG_F_SEX] = {"sex", OG_V_TEXT, PE},
    [OG_F_ETHNIC_CODE] = {"ethnic_code", OG_V_TEXT, PE},
    [OG_F_PERSON_TYPE] = {"person_type", OG_V_TEXT, PE},
    [OG_F_HUKOU_ADDRESS] = {"hukou_address", OG_V_TEXT, PE},
    [OG_F_REGISTERED_AT] = {"registered_at", OG_V_TIME, PE},
    [OG_F_DEREGISTERED] = {"deregistered", OG_V_BOOL, PE},
    [OG_F_OWNER_ID] = {"owner_id", OG_V_TEXT, HO},
    [OG_F_OWNER_NAME] = {"owner_name", OG_V_TEXT, HO},
    [OG_F_ROOMS] = {"rooms", OG_V_NUM, HO},
    [OG_F_TENANTS] = {"tenants", OG_V_NUM, HO},
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

const char *const og_mapping_type_names[] = {"null", "text", "number", "time", "list", "boolean"};

/* The targets by enum og_kind, and what a kind must give. */
static const struct {
    const char *name;
    enum og_field key; /* the field that identifies a record */
    const char *key_why;
} TARGETS[] = {
    [OG_KIND_EVENT] = {"event", OG_F_SOURCE_ID, "the source's own record id"},
    [OG_KIND_VISIT] = {"visit", OG_F_SOURCE_ID, "the source's own record id"},
    [OG_KIND_PERSON] = {"person", OG_F_ID_NO, "the identity number, the person's key"},
    [OG_KIND_HOUSING] = {"housing", OG_F_SOURCE_ID, "the house code"},
};

static bool identity_field(enum og_field f)
{
    return f == OG_F_SUBJECT_ID || f == OG_F_ID_NO || f == OG_F_OWNER_ID;
}

const char *og_field_name(enum og_field f)
{
    return (unsigned)f < OG_F__COUNT ? FIELDS[f].name : "?";
}

const char *og_mfield_name(enum og_mfield f)
{
    return (unsigned)f < OG_M__COUNT ? MFIELDS[f].name : "?";
}

/* ---------------------------------------------------------------- loading and checking */

int og_mapping_err(struct og_error *err, const struct og_mapping *m, const char *jpath,
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

/* A zone that does not open (zerr from og_zone_open), as a mapping error at jpath. */
int og_mapping_zone_err(struct og_error *err, const struct og_mapping *m, const char *jpath,
                        const struct og_error *zerr)
{
    og_mapping_err(err, m, jpath, "%s", zerr->message);
    if (zerr->detail[0])
        og_error_detail(err, "%s", zerr->detail);
    if (zerr->hint[0])
        og_error_hint(err, "%s", zerr->hint);
    return OG_ECONFIG;
}

void og_mapping_free_path(char **p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i]);
    free(p);
}

int og_mapping_split_path(const char *s, char ***out, size_t *n)
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
        if (!((*out)[*n] = strndup(p, len)))
            return OG_ENOMEM;
        (*n)++;
        if (!dot)
            break;
        p = dot + 1;
    }
    return 0;
}

static void free_fspec(struct fspec *f)
{
    og_mapping_free_path(f->path, f->npath);
    for (size_t i = 0; i < f->nsteps; i++)
        og_mapping_step_free(&f->steps[i]);
    free(f->steps);
    memset(f, 0, sizeof(*f));
}

static void free_kind(struct og_mapping_kind *k)
{
    for (int i = 0; i < OG_F__COUNT; i++)
        free_fspec(&k->f[i]);
    for (int i = 0; i < OG_M__COUNT; i++)
        free_fspec(&k->mf[i]);
    og_mapping_free_path(k->when_path, k->nwhen_path);
    og_mapping_free_path(k->members_path, k->nmembers_path);
    for (size_t i = 0; i < k->nattr; i++)
        og_mapping_free_path(k->attr_paths[i], k->attr_npath[i]);
    free(k->attr_paths);
    free(k->attr_npath);
    free(k->attr_names);
    og_hmap_destroy(k->attrs_exclude);
}

void og_mapping_destroy(struct og_mapping *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nkinds; i++)
        free_kind(&m->kinds[i]);
    free(m->kinds);
    json_decref(m->input_opts);
    json_decref(m->doc);
    og_zone_close(m->zone);
    free(m->path);
    free(m->dir);
    free(m->files_sha);
    free(m);
}

int og_mapping_check_keys(const json_t *obj, const char *const *known, const struct og_mapping *m,
                          const char *jpath, struct og_error *err)
{
    if (og_keys_check(obj, known, OG_R_BAD_MAPPING, err) == 0)
        return 0;
    og_error_position(err, "%s: %s", m->path, jpath);
    return OG_ECONFIG;
}

static int parse_field(struct og_mapping *m, bool identity, bool by_type_ok, const char *name,
                       enum og_vtype want, const json_t *spec, struct fspec *f, const char *jbase,
                       struct og_error *err)
{
    char jpath[200];
    snprintf(jpath, sizeof(jpath), "%s.%s", jbase, name);
    if (json_is_string(spec)) { /* shorthand: "field": "source.path" */
        f->used = true;
        f->name = name;
        f->type = want;
        if (og_mapping_split_path(json_string_value(spec), &f->path, &f->npath) < 0)
            return OG_ENOMEM;
        if (want != OG_V_TEXT)
            return og_mapping_err(
                err, m, jpath,
                "a %s field needs a conversion: write {\"from\": \"%s\", \"convert\": [...], "
                "\"on_error\": ...}",
                og_mapping_type_names[want], json_string_value(spec));
        return 0;
    }
    if (!json_is_object(spec))
        return og_mapping_err(
            err, m, jpath,
            "a field is a source path string or an object with \"from\" or \"value\"");
    static const char *const known[] = {"from",          "value",       "convert",
                                        "required",      "on_error",    "id",
                                        "require_valid", "description", NULL};
    if (og_mapping_check_keys(spec, known, m, jpath, err) < 0)
        return OG_ECONFIG;
    f->used = true;
    f->name = name;
    f->type = want;
    json_t *from = json_object_get(spec, "from"), *value = json_object_get(spec, "value");
    if (!!from == !!value)
        return og_mapping_err(
            err, m, jpath,
            "give exactly one of \"from\" (a source path) and \"value\" (a constant)");
    if (from) {
        if (!json_is_string(from) || !*json_string_value(from))
            return og_mapping_err(err, m, jpath,
                                  "\"from\" must be a non-empty dotted path like \"gps.lng\"");
        if (og_mapping_split_path(json_string_value(from), &f->path, &f->npath) < 0)
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
            return og_mapping_err(err, m, jpath, "\"convert\" must be a list of conversions");
        f->nsteps = json_array_size(conv);
        f->steps = calloc(f->nsteps ? f->nsteps : 1, sizeof(struct step));
        if (!f->steps)
            return OG_ENOMEM;
        for (size_t i = 0; i < f->nsteps; i++) {
            char sp[240];
            snprintf(sp, sizeof(sp), "%s.convert[%zu]", jpath, i);
            if (og_mapping_parse_step(m, json_array_get(conv, i), &f->steps[i], &type, &can_fail,
                                      sp, err) < 0)
                return OG_ECONFIG;
        }
    }
    if (type != want)
        return og_mapping_err(err, m, jpath,
                              "field \"%s\" is a %s, but the conversions give a %s%s", name,
                              og_mapping_type_names[want], og_mapping_type_names[type],
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
                return og_mapping_err(
                    err, m, jpath,
                    "on_error.default must be a %s value (times and lists take no default)",
                    og_mapping_type_names[want]);
        }
        else
            return og_mapping_err(err, m, jpath,
                                  "on_error must be \"reject\", \"null\" or {\"default\": VALUE}");
        if (!can_fail)
            return og_mapping_err(err, m, jpath,
                                  "on_error is given but no conversion here can fail");
    }
    else if (can_fail)
        return og_mapping_err(err, m, jpath,
                              "a conversion here can fail: say what to do with on_error "
                              "(\"reject\", \"null\" or {\"default\": VALUE})");
    json_t *id = json_object_get(spec, "id");
    json_t *rv = json_object_get(spec, "require_valid");
    if ((id || rv) && !identity)
        return og_mapping_err(
            err, m, jpath,
            "\"id\" and \"require_valid\" apply only to identity numbers (subject_id, "
            "id_no, owner_id, members' id_no)");
    f->id_kind = "resident";
    if (id) {
        const char *k = json_string_value(id);
        if (!k || (strcmp(k, "resident") && strcmp(k, "uscc") && strcmp(k, "other") &&
                   (strcmp(k, "by_type") || !by_type_ok)))
            return og_mapping_err(err, m, jpath,
                                  "\"id\" must be \"resident\", \"uscc\" or \"other\" (or, for "
                                  "subject_id, \"by_type\" with a subject_id_type field)");
        f->id_kind = k;
    }
    f->require_valid = json_is_true(rv);
    return 0;
}

static int parse_fields(struct og_mapping *m, struct og_mapping_kind *k, const json_t *fields,
                        bool members, const char *jbase, struct og_error *err)
{
    if (!json_is_object(fields))
        return og_mapping_err(err, m, jbase, "\"fields\" must be an object {unified field: spec}");
    const char *key;
    json_t *spec;
    json_object_foreach((json_t *)fields, key, spec)
    {
        int idx = -1;
        int n = members ? OG_M__COUNT : OG_F__COUNT;
        for (int i = 0; i < n; i++)
            if (strcmp(key, members ? MFIELDS[i].name : FIELDS[i].name) == 0)
                idx = i;
        if (idx < 0 || (!members && !(FIELDS[idx].targets & (1u << k->target)))) {
            char list[800] = "";
            for (int i = 0; i < n; i++) {
                if (!members && !(FIELDS[i].targets & (1u << k->target)))
                    continue;
                strncat(list, members ? MFIELDS[i].name : FIELDS[i].name,
                        sizeof(list) - strlen(list) - 3);
                strncat(list, " ", sizeof(list) - strlen(list) - 1);
            }
            char jp[200];
            snprintf(jp, sizeof(jp), "%s.%s", jbase, key);
            return og_mapping_err(err, m, jp, "unknown field \"%s\" for target %s (known: %s)", key,
                                  members ? "visit member" : og_kind_name(k->target), list);
        }
        struct fspec *f = members ? &k->mf[idx] : &k->f[idx];
        bool identity = members ? idx == OG_M_ID_NO : identity_field((enum og_field)idx);
        if (parse_field(m, identity, !members && idx == OG_F_SUBJECT_ID,
                        members ? MFIELDS[idx].name : FIELDS[idx].name,
                        members ? MFIELDS[idx].type : FIELDS[idx].type, spec, f, jbase, err) < 0)
            return OG_ECONFIG;
    }
    return 0;
}

static int parse_attrs(struct og_mapping *m, struct og_mapping_kind *k, const json_t *a,
                       const char *jbase, struct og_error *err)
{
    char jp[200];
    snprintf(jp, sizeof(jp), "%sattrs", jbase);
    k->attrs_exclude = og_hmap_create();
    if (!k->attrs_exclude)
        return OG_ENOMEM;
    if (!a)
        return 0;
    static const char *const known[] = {"rest", "include", "exclude", NULL};
    if (!json_is_object(a) || og_mapping_check_keys(a, known, m, jp, err) < 0)
        return err && err->code
                   ? OG_ECONFIG
                   : og_mapping_err(err, m, jp,
                                    "\"attrs\" must be {\"rest\": true, \"exclude\": [...]} "
                                    "or {\"include\": [paths]}");
    json_t *inc = json_object_get(a, "include");
    if (json_is_true(json_object_get(a, "rest"))) {
        if (inc)
            return og_mapping_err(err, m, jp, "give \"rest\" or \"include\", not both");
        k->attrs_mode = ATTRS_REST;
        json_t *exc = json_object_get(a, "exclude");
        size_t i;
        json_t *v;
        json_array_foreach(exc, i, v)
        {
            if (!json_is_string(v))
                return og_mapping_err(err, m, jp, "exclude: names must be strings");
            og_hmap_put(k->attrs_exclude, json_string_value(v), (void *)1);
        }
    }
    else if (inc) {
        if (!json_is_array(inc))
            return og_mapping_err(err, m, jp, "include: must be a list of source paths");
        k->attrs_mode = ATTRS_INCLUDE;
        k->nattr = json_array_size(inc);
        k->attr_paths = calloc(k->nattr + 1, sizeof(char **));
        k->attr_npath = calloc(k->nattr + 1, sizeof(size_t));
        k->attr_names = calloc(k->nattr + 1, sizeof(char *));
        if (!k->attr_paths || !k->attr_npath || !k->attr_names)
            return OG_ENOMEM;
        for (size_t i = 0; i < k->nattr; i++) {
            json_t *v = json_array_get(inc, i);
            if (!json_is_string(v))
                return og_mapping_err(err, m, jp, "include: paths must be strings");
            k->attr_names[i] = json_string_value(v);
            if (og_mapping_split_path(json_string_value(v), &k->attr_paths[i], &k->attr_npath[i]) <
                0)
                return OG_ENOMEM;
        }
    }
    return 0;
}

static int parse_members(struct og_mapping *m, struct og_mapping_kind *k, const json_t *members,
                         const char *jbase, struct og_error *err)
{
    char jp[200];
    snprintf(jp, sizeof(jp), "%smembers", jbase);
    static const char *const mk[] = {"from", "fields", "max", NULL};
    if (k->target != OG_KIND_VISIT)
        return og_mapping_err(err, m, jp, "only visits have members");
    if (og_mapping_check_keys(members, mk, m, jp, err) < 0)
        return OG_ECONFIG;
    const char *from = json_string_value(json_object_get(members, "from"));
    if (!from)
        return og_mapping_err(err, m, jp, "the path of the member array (\"from\") is required");
    k->has_members = true;
    if (og_mapping_split_path(from, &k->members_path, &k->nmembers_path) < 0)
        return OG_ENOMEM;
    json_t *max = json_object_get(members, "max");
    if (max) {
        char jm[220];
        snprintf(jm, sizeof(jm), "%s.max", jp);
        if (!json_is_integer(max) || json_integer_value(max) < 1)
            return og_mapping_err(
                err, m, jm, "must be a positive integer (the most members a record may have)");
        k->max_members = (size_t)json_integer_value(max);
    }
    char jf[220];
    snprintf(jf, sizeof(jf), "%s.fields", jp);
    return parse_fields(m, k, json_object_get(members, "fields"), true, jf, err);
}

static int parse_when(struct og_mapping *m, struct og_mapping_kind *k, const json_t *when,
                      const char *jbase, struct og_error *err)
{
    char jp[200];
    snprintf(jp, sizeof(jp), "%swhen", jbase);
    static const char *const known[] = {"from", "in", NULL};
    if (!json_is_object(when) || og_mapping_check_keys(when, known, m, jp, err) < 0)
        return err && err->code
                   ? OG_ECONFIG
                   : og_mapping_err(err, m, jp, "\"when\" is {\"from\": PATH, \"in\": [values]}");
    const char *from = json_string_value(json_object_get(when, "from"));
    const json_t *in = json_object_get(when, "in");
    if (!from || !*from || !json_is_array(in) || json_array_size(in) == 0)
        return og_mapping_err(err, m, jp,
                              "\"when\" needs \"from\" (a source path, e.g. \"#name\" for an XML "
                              "record's element) and \"in\" (a non-empty list of strings)");
    size_t i;
    json_t *v;
    json_array_foreach(in, i, v) if (!json_is_string(v)) return og_mapping_err(
        err, m, jp, "\"when.in\" lists strings (the values that select this kind)");
    k->when_in = in;
    k->when_from = from;
    return og_mapping_split_path(from, &k->when_path, &k->nwhen_path) < 0 ? OG_ENOMEM : 0;
}

/* One kind of record from obj (the mapping itself, or an element of "kinds"); jbase is "" or
 * "kinds[i].". */
static int parse_kind(struct og_mapping *m, struct og_mapping_kind *k, const json_t *obj,
                      const char *jbase, struct og_error *err)
{
    char jp[200];
    k->max_members = 100;
    const char *target = json_string_value(json_object_get(obj, "target"));
    for (int t = OG_KIND_EVENT; t <= OG_KIND_HOUSING && target; t++)
        if (strcmp(target, TARGETS[t].name) == 0)
            k->target = (enum og_kind)t;
    snprintf(jp, sizeof(jp), "%starget", jbase);
    if (!k->target)
        return og_mapping_err(err, m, jp,
                              "must be \"event\", \"visit\", \"person\" or \"housing\"");
    const json_t *when = json_object_get(obj, "when");
    if (when && parse_when(m, k, when, jbase, err) < 0)
        return OG_ECONFIG;
    snprintf(jp, sizeof(jp), "%sfields", jbase);
    if (parse_fields(m, k, json_object_get(obj, "fields"), false, jp, err) < 0)
        return OG_ECONFIG;
    enum og_field key = TARGETS[k->target].key;
    if (!k->f[key].used)
        return og_mapping_err(err, m, jp, "%s is required for target %s: %s", FIELDS[key].name,
                              TARGETS[k->target].name, TARGETS[k->target].key_why);
    const json_t *members = json_object_get(obj, "members");
    if (members && parse_members(m, k, members, jbase, err) < 0)
        return OG_ECONFIG;
    int rc = parse_attrs(m, k, json_object_get(obj, "attrs"), jbase, err);
    if (rc < 0)
        return rc;
    /* fields used by "from" at top level, identity fields and record meta (an XML record's
     * "#name") never go into "rest" attrs */
    for (int i = 0; i < OG_F__COUNT; i++)
        if (k->f[i].used && (k->f[i].npath == 1 || (k->f[i].npath && identity_field(i))))
            og_hmap_put(k->attrs_exclude, k->f[i].path[0], (void *)1);
    if (k->has_members)
        og_hmap_put(k->attrs_exclude, k->members_path[0], (void *)1);
    og_hmap_put(k->attrs_exclude, "#name", (void *)1);
    if (!strcmp(k->f[OG_F_SUBJECT_ID].id_kind ? k->f[OG_F_SUBJECT_ID].id_kind : "", "by_type") &&
        !k->f[OG_F_SUBJECT_ID_TYPE].used)
        return og_mapping_err(
            err, m, jp,
            "subject_id with \"id\": \"by_type\" needs a subject_id_type field (the "
            "document type)");
    if (k->f[OG_F_HEALTH_COLOR].used && !k->f[OG_F_SUBJECT_ID].used)
        return og_mapping_err(
            err, m, jp,
            "a health-code change (health_color) needs subject_id (the person whose "
            "code it is)");
    return 0;
}

static int parse_kinds(struct og_mapping *m, const json_t *kinds, struct og_error *err)
{
    if (!json_is_array(kinds) || json_array_size(kinds) == 0)
        return og_mapping_err(
            err, m, "kinds",
            "\"kinds\" is a non-empty list of {\"when\", \"target\", \"fields\", ...}");
    m->nkinds = json_array_size(kinds);
    m->kinds = calloc(m->nkinds, sizeof(*m->kinds));
    if (!m->kinds)
        return OG_ENOMEM;
    static const char *const known[] = {"when",  "description", "target", "fields",
                                        "attrs", "members",     NULL};
    for (size_t i = 0; i < m->nkinds; i++) {
        const json_t *obj = json_array_get(kinds, i);
        char jb[40];
        snprintf(jb, sizeof(jb), "kinds[%zu].", i);
        char jp[40];
        snprintf(jp, sizeof(jp), "kinds[%zu]", i);
        if (!json_is_object(obj))
            return og_mapping_err(err, m, jp,
                                  "a kind is an object {\"when\", \"target\", \"fields\"}");
        if (og_mapping_check_keys(obj, known, m, jp, err) < 0)
            return OG_ECONFIG;
        int rc = parse_kind(m, &m->kinds[i], obj, jb, err);
        if (rc < 0)
            return rc;
        if (!m->kinds[i].when_path && i + 1 < m->nkinds)
            return og_mapping_err(
                err, m, jp,
                "only the last kind may go without \"when\" (it takes every record, "
                "so the kinds after it would never be used)");
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
    int rc;
    json_error_t jerr;
    if (!m->path || !m->dir) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        goto fail;
    }
    m->doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!m->doc) {
        rc = og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_MAPPING, "%s", jerr.text);
        og_error_position(err, "%s:%d:%d", path, jerr.line, jerr.column);
        goto fail;
    }
    if ((rc = og_mapping_note_file(m, path, err)) < 0)
        goto fail;
    static const char *const known[] = {"feed",  "description", "department", "target",
                                        "zone",  "input",       "fields",     "members",
                                        "attrs", "kinds",       NULL};
    if (!json_is_object(m->doc)) {
        rc = og_mapping_err(err, m, "$", "a mapping is a JSON object");
        goto fail;
    }
    if ((rc = og_mapping_check_keys(m->doc, known, m, "$", err)) < 0)
        goto fail;
    m->feed = json_string_value(json_object_get(m->doc, "feed"));
    m->department = json_string_value(json_object_get(m->doc, "department"));
    if (!m->feed || !m->department) {
        rc = og_mapping_err(err, m, m->feed ? "department" : "feed", "required string is missing");
        goto fail;
    }
    json_t *zone = json_object_get(m->doc, "zone");
    struct og_error zerr;
    og_error_clear(&zerr);
    if (zone && !json_is_string(zone)) {
        rc = og_mapping_err(err, m, "zone", "\"zone\" is a string, e.g. \"Asia/Shanghai\"");
        goto fail;
    }
    if (og_zone_open(zone ? json_string_value(zone) : "Asia/Shanghai", &m->zone, &zerr) < 0) {
        rc = zerr.code == OG_ENOMEM ? OG_ENOMEM : og_mapping_zone_err(err, m, "zone", &zerr);
        goto fail;
    }
    if (!og_zone_fixed(m->zone, &m->zone_offset))
        m->zone_offset = og_zone_offset_at(m->zone, 0);
    m->input_opts = json_object();
    json_t *input = json_object_get(m->doc, "input");
    if (input) {
        if (!json_is_object(input)) {
            rc = og_mapping_err(err, m, "input",
                                "must be an object {\"connector\": ..., options...}");
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
    const json_t *kinds = json_object_get(m->doc, "kinds");
    if (kinds) {
        static const char *const single[] = {"target", "fields", "members", "attrs"};
        for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++)
            if (json_object_get(m->doc, single[i])) {
                rc = og_mapping_err(err, m, single[i],
                                    "with \"kinds\", \"%s\" belongs inside each kind", single[i]);
                goto fail;
            }
        rc = parse_kinds(m, kinds, err);
    }
    else {
        m->kinds = calloc(1, sizeof(*m->kinds));
        m->nkinds = m->kinds ? 1 : 0;
        rc = m->kinds ? parse_kind(m, m->kinds, m->doc, "", err) : OG_ENOMEM;
    }
    if (rc < 0)
        goto fail;
    for (size_t i = 0; i < m->nkinds; i++)
        if (m->kinds[i].target == OG_KIND_PERSON && !og_zone_fixed(m->zone, NULL)) {
            rc = og_mapping_err(
                err, m, "zone",
                "target person needs a zone with a fixed offset (\"%s\" has daylight "
                "saving time, and a birth date is kept as the date written)",
                og_zone_name(m->zone));
            goto fail;
        }
    *out = m;
    return 0;
fail:
    if (rc == OG_ENOMEM && err && !err->code)
        og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    og_mapping_destroy(m);
    return rc < 0 ? rc : OG_ECONFIG;
}

int og_mapping_note_file(struct og_mapping *m, const char *path, struct og_error *err)
{
    char hex[65];
    int rc = og_file_sha256(path, hex, err);
    if (rc < 0)
        return rc;
    size_t have = m->files_sha ? strlen(m->files_sha) : 0;
    char *more = realloc(m->files_sha, have + 66);
    if (!more)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    snprintf(more + have, 66, "%s\n", hex);
    m->files_sha = more;
    return 0;
}

int og_mapping_digest(const struct og_mapping *m, unsigned char md[32])
{
    struct og_sha256 d;
    int rc = og_sha256_begin(&d);
    og_sha256_add(&d, m->files_sha ? m->files_sha : "", m->files_sha ? strlen(m->files_sha) : 0);
    og_sha256_end(&d, md);
    return rc;
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
    return m->kinds[0].target;
}
const char *og_mapping_connector(const struct og_mapping *m)
{
    return m->connector;
}
const json_t *og_mapping_input_options(const struct og_mapping *m)
{
    return m->input_opts;
}
int og_mapping_zone_offset(const struct og_mapping *m)
{
    return m->zone_offset;
}
bool og_mapping_uses_identity(const struct og_mapping *m)
{
    for (size_t i = 0; i < m->nkinds; i++) {
        const struct og_mapping_kind *k = &m->kinds[i];
        if (k->f[OG_F_SUBJECT_ID].used || k->f[OG_F_ID_NO].used || k->f[OG_F_OWNER_ID].used ||
            k->mf[OG_M_ID_NO].used)
            return true;
    }
    return false;
}
size_t og_mapping_nkinds(const struct og_mapping *m)
{
    return m->nkinds;
}
const struct og_mapping_kind *og_mapping_kind_at(const struct og_mapping *m, size_t i)
{
    return i < m->nkinds ? &m->kinds[i] : NULL;
}
enum og_kind og_mapping_kind_target(const struct og_mapping_kind *k)
{
    return k->target;
}
const char *og_mapping_kind_id(const struct og_mapping_kind *k, enum og_field f)
{
    return identity_field(f) && k->f[f].id_kind ? k->f[f].id_kind : "resident";
}
bool og_mapping_kind_id_require_valid(const struct og_mapping_kind *k, enum og_field f)
{
    return identity_field(f) && k->f[f].require_valid;
}
bool og_mapping_kind_member_id_require_valid(const struct og_mapping_kind *k)
{
    return k->mf[OG_M_ID_NO].require_valid;
}
