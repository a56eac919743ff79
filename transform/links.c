/* links.c - reading and checking mappings/links.json: named rules that link events of different
 * departments (sides: department and category prefixes; same grid and/or a distance; a window). */
#include "transform/links.h"

#include "core/options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The file's name for positions, and the error. */
/* A rule name: a lower-case letter, then lower-case letters, digits or _. */
static bool name_ok(const char *s)
{
    if (!(s[0] >= 'a' && s[0] <= 'z') || strlen(s) >= OG_LINK_NAME_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* A department code: 2 to 7 upper-case letters (PS, UM, FR, HL, HT). */
static bool dept_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n >= OG_LINK_DEPT_MAX)
        return false;
    for (; *s; s++)
        if (!(*s >= 'A' && *s <= 'Z'))
            return false;
    return true;
}

/* A unified category code or prefix: 2 or 4 digits. */
static bool code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n != 2 && n != 4)
        return false;
    for (; *s; s++)
        if (!(*s >= '0' && *s <= '9'))
            return false;
    return true;
}

static int read_side(const struct og_json_at *r, const json_t *s, const char *where,
                     struct og_link_side *side)
{
    static const char *const known[] = {"department", "categories", "description", NULL};
    char at[256];
    if (!json_is_object(s))
        return og_json_bad(
            r, where, "a side is an object {\"department\": \"FR\", \"categories\": [\"0101\"]}");
    if (og_json_keys(r, s, known, where) < 0)
        return OG_ECONFIG;
    const json_t *d = json_object_get(s, "department");
    if (d) {
        snprintf(at, sizeof(at), "%s.department", where);
        if (!json_is_string(d) || !dept_ok(json_string_value(d)))
            return og_json_bad(r, at,
                               "\"department\" is a department code like \"FR\" (2 to 7 upper-case "
                               "letters); leave it out for any department");
        snprintf(side->department, sizeof(side->department), "%s", json_string_value(d));
    }
    const json_t *cats = json_object_get(s, "categories");
    snprintf(at, sizeof(at), "%s.categories", where);
    if (!json_is_array(cats) || json_array_size(cats) == 0)
        return og_json_bad(
            r, cats ? at : where,
            "\"categories\" is a non-empty list of unified category codes or prefixes "
            "(2 or 4 digits, e.g. [\"0101\", \"04\"])");
    side->prefixes = calloc(json_array_size(cats), sizeof(*side->prefixes));
    if (!side->prefixes)
        return og_error_set(r->err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    size_t i;
    const json_t *c;
    json_array_foreach(cats, i, c)
    {
        snprintf(at, sizeof(at), "%s.categories[%zu]", where, i);
        if (!json_is_string(c) || !code_ok(json_string_value(c)))
            return og_json_bad(r, at,
                               "a category is a unified code or prefix of 2 or 4 digits (see "
                               "mappings/taxonomy/categories.csv), e.g. \"0101\" or \"04\"");
        const char *v = json_string_value(c); /* 2 or 4 digits: fits */
        memcpy(side->prefixes[side->nprefixes++], v, strlen(v) + 1);
    }
    return 0;
}

static int read_rule(const struct og_json_at *r, const json_t *o, const char *where,
                     struct og_links *links)
{
    static const char *const known[] = {"name",     "description",  "between", "same_grid",
                                        "within_m", "window_hours", NULL};
    char at[128];
    if (!json_is_object(o))
        return og_json_bad(
            r, where,
            "a rule is an object {\"name\", \"between\", \"same_grid\" or \"within_m\", "
            "\"window_hours\"}");
    if (og_json_keys(r, o, known, where) < 0)
        return OG_ECONFIG;
    struct og_link_rule *rule = &links->rules[links->nrules++];
    const json_t *nm = json_object_get(o, "name");
    snprintf(at, sizeof(at), "%s.name", where);
    if (!nm)
        return og_json_bad(r, where, "\"name\" is required: an identifier like \"fire_fr_um\"");
    if (!json_is_string(nm) || !name_ok(json_string_value(nm)))
        return og_json_bad(
            r, at,
            "a rule name is a lower-case letter, then lower-case letters, digits or _ (at "
            "most 63): event_link.rule holds it");
    for (size_t k = 0; k + 1 < links->nrules; k++)
        if (strcmp(links->rules[k].name, json_string_value(nm)) == 0) {
            char msg[128];
            snprintf(msg, sizeof(msg), "rule name \"%s\" is used twice", json_string_value(nm));
            return og_json_bad(r, at, msg);
        }
    snprintf(rule->name, sizeof(rule->name), "%s", json_string_value(nm));
    const json_t *bw = json_object_get(o, "between");
    snprintf(at, sizeof(at), "%s.between", where);
    if (!json_is_array(bw) || json_array_size(bw) != 2)
        return og_json_bad(
            r, bw ? at : where,
            "\"between\" is a list of two sides [{\"department\", \"categories\"}, {...}]");
    for (size_t k = 0; k < 2; k++) {
        snprintf(at, sizeof(at), "%s.between[%zu]", where, k);
        int rc = read_side(r, json_array_get(bw, k), at, &rule->side[k]);
        if (rc < 0)
            return rc;
    }
    snprintf(at, sizeof(at), "%s.between", where);
    if (rule->side[0].department[0] &&
        strcmp(rule->side[0].department, rule->side[1].department) == 0) {
        char msg[128];
        snprintf(msg, sizeof(msg),
                 "both sides are department %s: a rule links events of different departments",
                 rule->side[0].department);
        return og_json_bad(r, at, msg);
    }
    const json_t *sg = json_object_get(o, "same_grid");
    snprintf(at, sizeof(at), "%s.same_grid", where);
    if (sg && !json_is_boolean(sg))
        return og_json_bad(r, at, "\"same_grid\" is true or false");
    rule->same_grid = json_is_true(sg);
    const json_t *wm = json_object_get(o, "within_m");
    snprintf(at, sizeof(at), "%s.within_m", where);
    if (wm &&
        (!json_is_number(wm) || !(json_number_value(wm) > 0) || json_number_value(wm) > 100000))
        return og_json_bad(r, at, "\"within_m\" is a distance in metres, above 0, at most 100000");
    rule->within_m = wm ? json_number_value(wm) : 0;
    if (!rule->same_grid && rule->within_m <= 0)
        return og_json_bad(
            r, where,
            "a rule needs a place test: \"same_grid\": true, \"within_m\": METRES, or "
            "both (either then suffices)");
    const json_t *wh = json_object_get(o, "window_hours");
    snprintf(at, sizeof(at), "%s.window_hours", where);
    if (!wh)
        return og_json_bad(
            r, where,
            "\"window_hours\" is required: how far apart in hours the two events may be "
            "reported");
    if (!json_is_number(wh) || !(json_number_value(wh) > 0) || json_number_value(wh) > 8760)
        return og_json_bad(r, at, "\"window_hours\" is a number of hours, above 0, at most 8760");
    rule->window_s = llround(json_number_value(wh) * 3600.0);
    return 0;
}

int og_links_from_json(const json_t *doc, const char *name, struct og_links *links,
                       struct og_error *err)
{
    memset(links, 0, sizeof(*links));
    const struct og_json_at r = {name ? name : "(built-in links)", err};
    static const char *const top[] = {"description", "rules", NULL};
    int rc = OG_ECONFIG;
    if (!json_is_object(doc)) {
        og_json_bad(&r, "$", "the link rules are a JSON object {\"rules\": [...]}");
        goto fail;
    }
    if (og_json_keys(&r, doc, top, "$") < 0)
        goto fail;
    const json_t *rules = json_object_get(doc, "rules");
    if (!json_is_array(rules) || json_array_size(rules) == 0) {
        og_json_bad(&r, rules ? "rules" : "$", "\"rules\" is a non-empty list of rules");
        goto fail;
    }
    links->path = strdup(r.file);
    links->rules = calloc(json_array_size(rules), sizeof(*links->rules));
    if (!links->path || !links->rules) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        goto fail;
    }
    size_t i;
    const json_t *o;
    json_array_foreach(rules, i, o)
    {
        char where[32];
        snprintf(where, sizeof(where), "rules[%zu]", i);
        if ((rc = read_rule(&r, o, where, links)) < 0)
            goto fail;
    }
    return 0;
fail:
    og_links_free(links);
    return rc == OG_ENOMEM ? rc : OG_ECONFIG;
}

int og_links_load(const char *path, struct og_links *links, struct og_error *err)
{
    memset(links, 0, sizeof(*links));
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG, "%s", jerr.text);
        og_error_position(err, "%s:%d:%d", path, jerr.line, jerr.column);
        og_error_prefix(err, "cannot read the link rules: ");
        return OG_ECONFIG;
    }
    int rc = og_links_from_json(doc, path, links, err);
    json_decref(doc);
    return rc;
}
