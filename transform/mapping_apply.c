/* mapping_apply.c - applying a loaded mapping to one raw record: its kind, each field through
 * its conversions and error policy, the members of a visit, the attrs. */
#include "transform/mapping_internal.h"
#include "transform/timeparse.h"

#include "core/timefmt.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const json_t *og_mapping_get_path(const json_t *doc, char **path, size_t n)
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
    bool b;
    const json_t *j;
};

static const char *num_text(struct og_arena *a, const json_t *j)
{
    if (json_is_integer(j))
        return og_arena_sprintf(a, "%lld", (long long)json_integer_value(j));
    return og_arena_sprintf(a, "%.17g", json_real_value(j));
}

/* How a field's first conversion takes its JSON value (from_json_as). */
enum {
    AS_NUMBER =
        1,       /* "number": a JSON number stays a number (w->f), not formatted and parsed back */
    AS_LIST = 2, /* "list": a JSON array is read element by element, not printed as JSON text */
};

/* Starts a working value from a JSON value, as the field's first conversion takes it (as). */
static int from_json_as(struct og_arena *a, const json_t *j, struct work *w, unsigned as)
{
    memset(w, 0, sizeof(*w));
    w->j = j;
    if (!j || json_is_null(j)) {
        w->type = OG_V_NULL;
        return 0;
    }
    if ((as & AS_NUMBER) && json_is_number(j)) {
        w->type = OG_V_NUM;
        w->f = json_number_value(j);
        return 0;
    }
    w->type = OG_V_TEXT;
    if ((as & AS_LIST) && json_is_array(j)) {
        w->s = "";
        return 0;
    }
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
    return from_json_as(a, j, w, 0);
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
    else if (w->type == OG_V_BOOL)
        snprintf(buf, size, "%s", w->b ? "true" : "false");
    else
        snprintf(buf, size, "(%s)", og_mapping_type_names[w->type]);
    return buf;
}

/* "split": the part st->index of w's text cut at every st->sep, without spaces or st->strip
 * characters at its ends. A text without that part fails (invalid_value). */
static int split_part(const struct step *st, struct og_arena *a, struct work *w, const char *field,
                      struct og_error *err)
{
    char sv[120];
    if (w->type != OG_V_TEXT)
        return og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_VALUE,
                            "field %s: %s is not a text to split", field, shown(w, sv, sizeof(sv)));
    size_t seplen = strlen(st->sep), nparts = 1;
    for (const char *p = strstr(w->s, st->sep); p; p = strstr(p + seplen, st->sep))
        nparts++;
    long want = st->index < 0 ? (long)nparts + st->index : st->index;
    if (want < 0 || (size_t)want >= nparts)
        return og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_VALUE,
                            "field %s: %s has no part %ld when split on \"%s\" (%zu part%s)", field,
                            shown(w, sv, sizeof(sv)), st->index, st->sep, nparts,
                            nparts == 1 ? "" : "s");
    const char *b = w->s;
    for (long k = 0; k < want; k++)
        b = strstr(b, st->sep) + seplen;
    const char *e = strstr(b, st->sep);
    size_t len = e ? (size_t)(e - b) : strlen(b), sp;
    /* strip spaces (ASCII, U+3000) and st->strip characters from both ends */
    bool more = true;
    while (more && len > 0) {
        more = false;
        if (is_space_at(b, &sp) && sp <= len) {
            b += sp;
            len -= sp;
            more = true;
        }
        else if (st->strip && strchr(st->strip, b[0])) {
            b++;
            len--;
            more = true;
        }
    }
    more = true;
    while (more && len > 0) {
        more = false;
        unsigned char c = (unsigned char)b[len - 1];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
            (st->strip && strchr(st->strip, c))) {
            len--;
            more = true;
        }
        else if (len >= 3 && !memcmp(b + len - 3, "\xE3\x80\x80", 3)) {
            len -= 3;
            more = true;
        }
    }
    w->s = og_arena_strndup(a, b, len);
    w->j = NULL;
    return w->s ? 0 : OG_ENOMEM;
}

/* Whether element e is selected by st->where_path / st->in: its value there is a string (or an
 * integer, by its digits) equal to one of st->in. */
static bool pick_selects(const struct step *st, const json_t *e)
{
    if (!st->where_path)
        return true;
    const json_t *v = og_mapping_get_path(e, st->where_path, st->nwhere_path);
    char num[32];
    const char *text = json_is_string(v) ? json_string_value(v) : NULL;
    if (json_is_integer(v)) {
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
        text = num;
    }
    size_t i;
    json_t *want;
    json_array_foreach(st->in, i,
                       want) if (text && !strcmp(json_string_value(want), text)) return true;
    return false;
}

/* "pick": from w's JSON array (any other value counts as an array of that one value, as an XML
 * child element that occurs once), the first (st->last: the last) element selected, or the value at
 * the first of st->take_paths that has one (not absent, not null) in it. None, or nothing there: no
 * value. Cannot fail. */
static int pick(const struct step *st, struct og_arena *a, struct work *w)
{
    const json_t *found = NULL;
    if (w->j) {
        size_t n = json_is_array(w->j) ? json_array_size(w->j) : 1;
        for (size_t k = 0; k < n; k++) {
            size_t i = st->last ? n - 1 - k : k;
            const json_t *e = json_is_array(w->j) ? json_array_get(w->j, i) : w->j;
            if (pick_selects(st, e)) {
                found = e;
                break;
            }
        }
    }
    else if (!st->where_path && !st->ntake)
        return 0; /* a value without JSON (after split, replace...): itself */
    if (found && st->ntake) {
        const json_t *e = found;
        found = NULL;
        for (size_t i = 0; i < st->ntake && (!found || json_is_null(found)); i++)
            found = og_mapping_get_path(e, st->take_paths[i], st->take_npath[i]);
    }
    return from_json(a, found, w);
}

/* "join": the values at st->take_paths in w's JSON that are present and not empty (text, numbers,
 * booleans as text; objects and arrays as compact JSON), joined by st->sep; none: no value. Cannot
 * fail. */
static int join(const struct step *st, struct og_arena *a, struct work *w)
{
    const char *parts[16];
    size_t n = 0, len = 0, seplen = strlen(st->sep);
    for (size_t i = 0; w->j && i < st->ntake && n < sizeof(parts) / sizeof(parts[0]); i++) {
        struct work e;
        if (from_json(a, og_mapping_get_path(w->j, st->take_paths[i], st->take_npath[i]), &e) < 0)
            return OG_ENOMEM;
        if (e.type == OG_V_TEXT && *e.s) {
            parts[n++] = e.s;
            len += strlen(e.s) + (n > 1 ? seplen : 0);
        }
    }
    w->j = NULL;
    if (n == 0) {
        w->type = OG_V_NULL;
        return 0;
    }
    char *out = og_arena_alloc(a, len + 1), *p = out;
    if (!out)
        return OG_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            memcpy(p, st->sep, seplen);
            p += seplen;
        }
        size_t l = strlen(parts[i]);
        memcpy(p, parts[i], l);
        p += l;
    }
    *p = '\0';
    w->type = OG_V_TEXT;
    w->s = out;
    return 0;
}

/* Runs one step. Returns 0, or OG_EREJECT with err (reason + message) when the value does not
 * convert. */
static int run_step(const struct step *st, struct og_arena *a, struct work *w, const char *field,
                    struct og_error *err)
{
    char sv[120];
    if (w->type == OG_V_NULL)
        return 0;
    if ((st->kind == ST_TIME || st->kind == ST_CODE_TABLE || st->kind == ST_ENUM ||
         st->kind == ST_SPLIT) &&
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
            if (og_time_parse_zone(w->s, st->format, st->zone, &w->t, &terr) < 0)
                return og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_TIME,
                                    "field %s: %s", field, terr.message);
        }
        w->type = OG_V_TIME;
        if ((st->has_after && w->t < st->after) || (st->has_before && w->t >= st->before)) {
            char t[48];
            return og_error_set(
                err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_TIME,
                "field %s: %s is outside the accepted range", field,
                og_time_format_iso(w->t, og_zone_offset_at(st->zone, w->t), t, sizeof(t)));
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
    case ST_BOOLEAN: {
        if (w->type == OG_V_BOOL)
            return 0;
        if (w->j && json_is_boolean(w->j)) {
            w->b = json_is_true(w->j);
            w->type = OG_V_BOOL;
            return 0;
        }
        if (w->type == OG_V_NUM && (w->f == 0 || w->f == 1)) {
            w->b = w->f == 1;
            w->type = OG_V_BOOL;
            return 0;
        }
        const char *t = w->type == OG_V_TEXT ? trim(a, w->s) : NULL;
        if (t && !*t) {
            w->type = OG_V_NULL;
            return 0;
        }
        static const char *const yes[] = {"1", "true", "t", "yes", "y", "on", "是", NULL};
        static const char *const no[] = {"0", "false", "f", "no", "n", "off", "否", NULL};
        for (int i = 0; t && yes[i]; i++)
            if (strcasecmp(t, yes[i]) == 0 || strcasecmp(t, no[i]) == 0) {
                w->b = strcasecmp(t, yes[i]) == 0;
                w->type = OG_V_BOOL;
                return 0;
            }
        return og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_VALUE,
                            "field %s: %s is not a yes/no value (1/0, true/false, yes/no, 是/否)",
                            field, shown(w, sv, sizeof(sv)));
    }
    case ST_SPLIT:
        return split_part(st, a, w, field, err);
    case ST_PICK:
        return pick(st, a, w);
    case ST_JOIN:
        return join(st, a, w);
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
    unsigned as = f->nsteps == 0                  ? 0
                  : f->steps[0].kind == ST_NUMBER ? AS_NUMBER
                  : f->steps[0].kind == ST_LIST   ? AS_LIST
                                                  : 0;
    int rc = from_json_as(
        a, f->constant ? f->constant : og_mapping_get_path(rec, f->path, f->npath), &w, as);
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
                     "field %s: expected a %s, got a %s", f->name, og_mapping_type_names[f->type],
                     og_mapping_type_names[w.type]);
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
    out->b = w.b;
    return 0;
}

static int build_attrs(const struct og_mapping_kind *m, const json_t *rec, struct notes *notes,
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
            const json_t *v = og_mapping_get_path(rec, m->attr_paths[i], m->attr_npath[i]);
            if (v && !json_is_null(v))
                json_object_set(o, m->attr_names[i], (json_t *)v);
        }
    }
    if (notes->arr) {
        json_object_set_new(o, "_notes", notes->arr);
        notes->arr = NULL;
    }
    if (json_object_size(o) == 0) { /* most records: everything mapped, no notes */
        json_decref(o);
        *out = "{}";
        return 0;
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (!s)
        return OG_ENOMEM;
    *out = og_arena_strdup(a, s);
    free(s);
    return *out ? 0 : OG_ENOMEM;
}

/* The first kind whose "when" selects rec, or NULL. */
static const struct og_mapping_kind *select_kind(const struct og_mapping *m, const json_t *rec)
{
    for (size_t i = 0; i < m->nkinds; i++) {
        const struct og_mapping_kind *k = &m->kinds[i];
        if (!k->when_path)
            return k;
        const json_t *v = og_mapping_get_path(rec, k->when_path, k->nwhen_path);
        size_t n;
        json_t *want;
        if (json_is_string(v))
            json_array_foreach(k->when_in, n, want) if (strcmp(json_string_value(want),
                                                               json_string_value(v)) == 0) return k;
    }
    return NULL;
}

int og_mapping_apply(const struct og_mapping *m, const json_t *doc, struct og_arena *arena,
                     struct og_mapped *out, struct og_error *err)
{
    memset(out, 0, sizeof(*out));
    const struct og_mapping_kind *k = select_kind(m, doc);
    if (!k) {
        const struct og_mapping_kind *first = &m->kinds[0];
        const json_t *v = og_mapping_get_path(doc, first->when_path, first->nwhen_path);
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_UNKNOWN_RECORD,
                     "the record is of none of the kinds the mapping lists: its %s is %s%.60s%s",
                     first->when_from, json_is_string(v) ? "\"" : "",
                     json_is_string(v) ? json_string_value(v) : "absent",
                     json_is_string(v) ? "\"" : "");
        og_error_field(err, first->when_from);
        return OG_EREJECT;
    }
    out->kind = k;
    struct notes notes = {NULL, 0};
    int rc = 0;
    for (int i = 0; i < OG_F__COUNT && rc == 0; i++)
        rc = eval_field(&k->f[i], doc, arena, &out->v[i], &notes, err);
    if (rc == 0 && k->has_members) {
        const json_t *arr = og_mapping_get_path(doc, k->members_path, k->nmembers_path);
        size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
        if (n > k->max_members) {
            rc = og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_TOO_MANY_MEMBERS,
                              "%zu members where at most %zu are accepted", n, k->max_members);
        }
        else if (n) {
            out->members = og_arena_calloc(arena, n * sizeof(*out->members));
            if (!out->members)
                rc = OG_ENOMEM;
            for (size_t j = 0; j < n && rc == 0; j++) {
                const json_t *mem = json_array_get(arr, j);
                for (int i = 0; i < OG_M__COUNT && rc == 0; i++)
                    rc = eval_field(&k->mf[i], mem, arena, &out->members[j].v[i], &notes, err);
                if (rc == OG_EREJECT) {
                    char d[sizeof(err->detail)];
                    snprintf(d, sizeof(d), "%s", err->detail);
                    og_error_detail(err, "member %zu%s%s", j + 1, d[0] ? ": " : "", d);
                }
            }
            out->nmembers = n;
        }
    }
    if (rc == 0)
        rc = build_attrs(k, doc, &notes, arena, &out->attrs);
    out->notes = notes.count;
    json_decref(notes.arr);
    return rc;
}
