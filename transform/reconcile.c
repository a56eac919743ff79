/* reconcile.c - grid placement and the other reconciliations of a mapped record. */
#include "transform/reconcile.h"
#include "transform/geo.h"

#include "core/hmap.h"
#include "core/table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const STATUSES[] = {"reported", "dispatched", "in_progress", "resolved",
                                       "closed",   "void",       NULL};

struct grid_info {
    const char *grid_code; /* owned by codes[] */
    const char *community_code;
    const char *street_code;
    struct og_mpoly shape;
};

struct xw_best {
    const char *grid_code; /* borrowed from grid_info */
    double weight;
};

struct og_reconciler {
    struct grid_info *grids;
    size_t ngrids;
    char **strings; /* owned strings */
    size_t nstrings, capstrings;
    struct og_hmap *grid_by_code; /* grid_code -> grid_info */
    struct og_hmap *community;    /* 12-digit current community code -> street code string */
    struct og_hmap *alias;        /* old code -> current code */
    struct og_hmap *xwalk;        /* "DEPT\tcode" -> xw_best */
    struct og_hmap *xwalk_norm;   /* "DEPT\tnormalised name" -> xw_best */
    struct xw_best *bests;
    size_t nbests;
    struct og_hmap *category_name; /* code -> name */
    struct og_geo_index *index;
    struct og_id_hasher *hasher; /* the identity key set up; NULL: no key */
};

static const char *keep(struct og_reconciler *r, const char *s)
{
    if (!s)
        return NULL;
    if (r->nstrings == r->capstrings) {
        size_t cap = r->capstrings ? r->capstrings * 2 : 1024;
        char **p = realloc(r->strings, cap * sizeof(char *));
        if (!p)
            return NULL;
        r->strings = p;
        r->capstrings = cap;
    }
    char *d = strdup(s);
    if (d)
        r->strings[r->nstrings++] = d;
    return d;
}

void og_reconciler_destroy(struct og_reconciler *r)
{
    if (!r)
        return;
    og_geo_index_destroy(r->index);
    og_id_hasher_free(r->hasher);
    for (size_t i = 0; i < r->ngrids; i++)
        og_mpoly_free(&r->grids[i].shape);
    free(r->grids);
    for (size_t i = 0; i < r->nstrings; i++)
        free(r->strings[i]);
    free(r->strings);
    free(r->bests);
    og_hmap_destroy(r->grid_by_code);
    og_hmap_destroy(r->community);
    og_hmap_destroy(r->alias);
    og_hmap_destroy(r->xwalk);
    og_hmap_destroy(r->xwalk_norm);
    og_hmap_destroy(r->category_name);
    free(r);
}

size_t og_reconciler_grid_count(const struct og_reconciler *r)
{
    return r->ngrids;
}

/* Fire grid names: "小公园街道金凤社区" / "小公园金凤居委会" / "小公园街道 金凤社区" all normalise
 * to "小公园金凤". */
static void normalise_name(const char *in, char *out, size_t size)
{
    static const char *const drop[] = {"街道办事处", "街道", "社区居委会", "居委会",       "村委会",
                                       "社区",       "居委", " ",          "\xE3\x80\x80", NULL};
    size_t o = 0;
    const char *p = in;
    while (*p && o + 1 < size) {
        bool dropped = false;
        for (const char *const *d = drop; *d; d++) {
            size_t l = strlen(*d);
            if (strncmp(p, *d, l) == 0) {
                p += l;
                dropped = true;
                break;
            }
        }
        if (!dropped)
            out[o++] = *p++;
    }
    out[o] = '\0';
}

static int add_best(struct og_reconciler *r, struct og_hmap *map, const char *key,
                    const char *grid_code, double weight)
{
    struct xw_best *b = og_hmap_get(map, key);
    if (b) {
        if (weight > b->weight || (weight == b->weight && strcmp(grid_code, b->grid_code) < 0)) {
            b->weight = weight;
            b->grid_code = grid_code;
        }
        return 0;
    }
    b = &r->bests[r->nbests++];
    b->grid_code = grid_code;
    b->weight = weight;
    return og_hmap_put(map, key, b);
}

int og_reconciler_create(const struct og_world *w, const char *taxonomy_csv,
                         const struct og_id_key *key, struct og_reconciler **out,
                         struct og_error *err)
{
    *out = NULL;
    struct og_reconciler *r = calloc(1, sizeof(*r));
    int rc = OG_ENOMEM;
    if (!r)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    r->grid_by_code = og_hmap_create();
    r->community = og_hmap_create();
    r->alias = og_hmap_create();
    r->xwalk = og_hmap_create();
    r->xwalk_norm = og_hmap_create();
    r->category_name = og_hmap_create();
    r->index = og_geo_index_create();
    r->grids = calloc(w->ngrids + 1, sizeof(struct grid_info));
    r->bests = calloc(2 * w->nxwalks + 1, sizeof(struct xw_best));
    if (!r->grid_by_code || !r->community || !r->alias || !r->xwalk || !r->xwalk_norm ||
        !r->category_name || !r->index || !r->grids || !r->bests)
        goto nomem;
    if (key) {
        int krc = og_id_hasher_new(key, &r->hasher);
        if (krc == OG_ENOMEM)
            goto nomem;
        if (krc < 0) {
            og_reconciler_destroy(r);
            return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_CRYPTO,
                                "could not set up the identity hashing key");
        }
    }
    for (size_t i = 0; i < w->ndivisions; i++) {
        const struct og_world_division *d = &w->divisions[i];
        if (d->level == 5) {
            const char *street = keep(r, d->parent_code ? d->parent_code : "");
            if (!street || og_hmap_put(r->community, d->code, (void *)street) < 0)
                goto nomem;
        }
    }
    for (size_t i = 0; i < w->naliases; i++)
        if (og_hmap_put(r->alias, w->aliases[i].old_code, (void *)keep(r, w->aliases[i].code)) < 0)
            goto nomem;
    for (size_t i = 0; i < w->ngrids; i++) {
        const struct og_world_grid *g = &w->grids[i];
        struct grid_info *gi = &r->grids[r->ngrids];
        json_error_t jerr;
        json_t *geom = json_loads(g->geojson, 0, &jerr);
        if (!geom) {
            rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_GEOMETRY,
                              "grid %s: geometry is not JSON: %s", g->grid_code, jerr.text);
            goto fail;
        }
        rc = og_mpoly_from_geojson(geom, &gi->shape, err);
        json_decref(geom);
        if (rc < 0) {
            og_error_prefix(err, "grid %s: ", g->grid_code);
            goto fail;
        }
        gi->grid_code = keep(r, g->grid_code);
        gi->community_code = keep(r, g->community_code);
        gi->street_code = keep(r, g->street_code);
        r->ngrids++;
        if (og_hmap_put(r->grid_by_code, gi->grid_code, gi) < 0)
            goto nomem;
    }
    for (size_t i = 0; i < r->ngrids; i++)
        if (og_geo_index_add(r->index, &r->grids[i].shape, (int)i) < 0)
            goto nomem;
    if (og_geo_index_build(r->index) < 0)
        goto nomem;
    for (size_t i = 0; i < w->nxwalks; i++) {
        const struct og_world_xwalk *x = &w->xwalks[i];
        struct grid_info *gi = og_hmap_get(r->grid_by_code, x->grid_code);
        if (!gi)
            continue; /* crosswalk to a grid not in this world: ignored (counted by world import) */
        char k[512], norm[400];
        snprintf(k, sizeof(k), "%s\t%s", x->department, x->dept_grid_code);
        if (add_best(r, r->xwalk, k, gi->grid_code, x->weight) < 0)
            goto nomem;
        normalise_name(x->dept_grid_code, norm, sizeof(norm));
        snprintf(k, sizeof(k), "%s\t%s", x->department, norm);
        if (add_best(r, r->xwalk_norm, k, gi->grid_code, x->weight) < 0)
            goto nomem;
    }
    if (taxonomy_csv) {
        struct og_table t;
        if ((rc = og_table_read(taxonomy_csv, &t, err)) < 0)
            goto fail;
        int cc = og_table_require_col(&t, "code", err), nc = og_table_require_col(&t, "name", err);
        if (cc < 0 || nc < 0) {
            og_table_free(&t);
            rc = OG_ECONFIG;
            goto fail;
        }
        for (size_t i = 0; i < t.nrows; i++)
            og_hmap_put(r->category_name, t.rows[i][cc], (void *)keep(r, t.rows[i][nc]));
        og_table_free(&t);
    }
    *out = r;
    return 0;
nomem:
    rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                      "out of memory building the reconciler");
fail:
    og_reconciler_destroy(r);
    return rc;
}

static bool all_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* A community code as given (12 digits of any edition, or a 14-digit unit grid or 15-digit police
 * code whose first 12 digits are the community) -> the current code (in buf or the alias table) or
 * NULL. */
static const char *current_community(const struct og_reconciler *r, const char *code, char buf[13])
{
    if (!code)
        return NULL;
    if (all_digits(code, 15) || all_digits(code, 14)) {
        memcpy(buf, code, 12);
        buf[12] = '\0';
        code = buf;
    }
    if (!all_digits(code, 12))
        return NULL;
    if (og_hmap_get(r->community, code))
        return code;
    return og_hmap_get(r->alias, code);
}

static void place_from_grid(const struct grid_info *gi, const char *method, struct og_place *out)
{
    out->grid_code = gi->grid_code;
    out->grid_method = method;
    out->community_code = gi->community_code;
    out->street_code = gi->street_code;
}

int og_reconcile_place(const struct og_reconciler *r, const char *department, const char *grid_code,
                       const char *community_code, const char *dept_grid, bool has_point,
                       double lng, double lat, const char *crs, struct og_arena *arena,
                       struct og_place *out, struct og_error *err)
{
    memset(out, 0, sizeof(*out));
    out->grid_method = "none";
    /* the point is converted and kept whatever places the record */
    if (has_point) {
        enum og_crs c = OG_CRS_WGS84;
        if (crs && og_crs_parse(crs, &c) < 0)
            return og_error_set(
                err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_CRS,
                "unknown coordinate system \"%.40s\" (known: wgs84, cgcs2000, gcj02, bd09)", crs);
        if (!isfinite(lng) || !isfinite(lat) || lng < -180 || lng > 180 || lat < -90 || lat > 90)
            return og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_POINT,
                                "coordinates (%g, %g) are not a longitude/latitude", lng, lat);
        double wl, wa;
        if (og_geo_to_wgs84(c, lng, lat, &wl, &wa) < 0)
            return og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_POINT,
                                "coordinates (%g, %g) could not be converted from %s", lng, lat,
                                og_crs_name(c));
        out->has_point = true;
        out->lon = wl;
        out->lat = wa;
        out->source_crs = og_crs_name(c);
    }
    /* 1. the record's own unified grid code */
    if (grid_code) {
        const struct grid_info *gi = og_hmap_get(r->grid_by_code, grid_code);
        if (gi) {
            place_from_grid(gi, "source", out);
            return 0;
        }
        if (!community_code && all_digits(grid_code, 12))
            community_code = grid_code; /* a 12-digit "grid" code is a community */
    }
    /* 2. its point */
    if (out->has_point) {
        int id = og_geo_index_find(r->index, out->lon, out->lat);
        if (id >= 0) {
            place_from_grid(&r->grids[id], "point", out);
            return 0;
        }
    }
    /* 3. the department crosswalk */
    if (dept_grid && department) {
        char k[512];
        snprintf(k, sizeof(k), "%s\t%s", department, dept_grid);
        const struct xw_best *b = og_hmap_get(r->xwalk, k);
        if (!b) {
            char norm[400];
            normalise_name(dept_grid, norm, sizeof(norm));
            snprintf(k, sizeof(k), "%s\t%s", department, norm);
            b = og_hmap_get(r->xwalk_norm, k);
        }
        if (b) {
            place_from_grid(og_hmap_get(r->grid_by_code, b->grid_code), "crosswalk", out);
            return 0;
        }
        if (!community_code && (all_digits(dept_grid, 14) || all_digits(dept_grid, 12)))
            community_code = dept_grid; /* a unit grid's first 12 digits are its (2016) community */
    }
    /* 4. the community */
    char c12[13];
    const char *comm = current_community(r, community_code, c12);
    if (comm) {
        out->grid_method = "community";
        out->community_code = og_arena_strdup(arena, comm);
        out->street_code = og_arena_strndup(arena, comm, 9);
        return 0;
    }
    return 0;
}

static const char *text_or_null(const struct og_mval *v)
{
    return v->type == OG_V_TEXT ? v->s : NULL;
}

static void set_time(struct og_time *t, const struct og_mval *v)
{
    t->set = v->type == OG_V_TIME;
    t->us = v->t;
}

static const char *masked_name(struct og_arena *a, const char *name)
{
    if (!name)
        return NULL;
    char masked[256];
    og_name_mask(name, masked, sizeof(masked));
    return og_arena_strdup(a, masked);
}

/* Validates, hashes and masks one identity number. */
static int identity(const struct og_reconciler *r, const char *raw, const char *kind_name,
                    bool require_valid, const char *field, struct og_arena *a, const char **key_out,
                    const char **masked_out, og_tristate *valid_out, struct og_error *err)
{
    *key_out = *masked_out = NULL;
    *valid_out = -1;
    if (!raw)
        return 0;
    enum og_id_kind kind = OG_ID_RESIDENT;
    const char *type = NULL; /* a document type of its own */
    if (og_id_kind_parse(kind_name, &kind) < 0) {
        kind = OG_ID_OTHER;
        type = kind_name;
    }
    struct og_id id;
    og_id_parse(raw, kind, &id);
    if (type)
        snprintf(id.type, sizeof(id.type), "%s", type);
    if (id.status == OG_ID_EMPTY)
        return 0;
    if (id.status != OG_ID_OK && require_valid) {
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_ID,
                     "field %s: identity number is invalid (%s)", field,
                     og_id_status_name(id.status));
        og_error_field(err, field);
        return OG_EREJECT;
    }
    char hex[65], masked[64];
    if (r->hasher) { /* without a key (onegrid map) the hash is left out; `run` requires the key */
        if (og_id_hasher_hash(r->hasher, &id, hex) < 0)
            return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_CRYPTO,
                                "could not compute the identity hash");
        *key_out = og_arena_strdup(a, hex);
    }
    og_id_mask(&id, masked, sizeof(masked));
    *masked_out = og_arena_strdup(a, masked);
    *valid_out = id.status == OG_ID_OK;
    return 0;
}

/* A valid health-code colour, or NULL. */
static const char *colour(const char *s)
{
    static const char *const COLOURS[] = {"green", "yellow", "red", NULL};
    for (const char *const *c = COLOURS; s && *c; c++)
        if (strcmp(*c, s) == 0)
            return *c;
    return NULL;
}

/* The health-code change an event carries: a colour, the one before, why; for a person at a time.
 */
static int reconcile_health(const struct og_mapped *in, struct og_arena *a, struct og_event *ev,
                            struct og_error *err)
{
    const struct og_mval *v = in->v;
    struct og_health_change *h = og_arena_calloc(a, sizeof(*h));
    if (!h)
        return OG_ENOMEM;
    const char *now = text_or_null(&v[OG_F_HEALTH_COLOR]);
    const char *before = text_or_null(&v[OG_F_HEALTH_PREVIOUS_COLOR]);
    h->color = colour(now);
    h->previous_color = colour(before);
    h->reason = text_or_null(&v[OG_F_HEALTH_REASON]);
    if (!h->color || (before && !h->previous_color)) {
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_VALUE,
                     "health-code colour \"%.20s\" is not green, yellow or red",
                     h->color ? before : now);
        og_error_field(err, h->color ? "health_previous_color" : "health_color");
        return OG_EREJECT;
    }
    if (!ev->subject_key && !ev->subject_masked) {
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_MISSING_FIELD,
                     "a health-code change without the person's identity number");
        og_error_field(err, "subject_id");
        return OG_EREJECT;
    }
    if (!ev->reported_at.set) {
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_MISSING_FIELD,
                     "a health-code change without the time it took effect (reported_at)");
        og_error_field(err, "reported_at");
        return OG_EREJECT;
    }
    ev->health = h;
    return 0;
}

static int reconcile_event(const struct og_reconciler *r, const struct og_mapped *in,
                           struct og_arena *a, struct og_event *ev, struct og_error *err)
{
    const struct og_mval *v = in->v;
    ev->category_code = text_or_null(&v[OG_F_CATEGORY_CODE]);
    if (!ev->category_code)
        ev->category_code = "9999";
    ev->category_name = og_hmap_get(r->category_name, ev->category_code);
    if (!ev->category_name) {
        if (og_hmap_count(r->category_name) > 0)
            return og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_CATEGORY,
                                "category code \"%.20s\" (from the mapping's code table) is not in "
                                "the unified taxonomy",
                                ev->category_code);
    }
    ev->source_category = text_or_null(&v[OG_F_SOURCE_CATEGORY]);
    ev->status = text_or_null(&v[OG_F_STATUS]);
    if (!ev->status)
        ev->status = "reported";
    bool ok = false;
    for (const char *const *s = STATUSES; *s; s++)
        ok = ok || strcmp(*s, ev->status) == 0;
    if (!ok)
        return og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_STATUS,
                            "status \"%.30s\" is not a unified status (reported, dispatched, "
                            "in_progress, resolved, "
                            "closed, void)",
                            ev->status);
    ev->source_status = text_or_null(&v[OG_F_SOURCE_STATUS]);
    set_time(&ev->reported_at, &v[OG_F_REPORTED_AT]);
    set_time(&ev->updated_at, &v[OG_F_UPDATED_AT]);
    set_time(&ev->closed_at, &v[OG_F_CLOSED_AT]);
    if (!ev->updated_at.set)
        ev->updated_at = ev->reported_at;
    if (!ev->closed_at.set &&
        (strcmp(ev->status, "closed") == 0 || strcmp(ev->status, "resolved") == 0))
        ev->closed_at = ev->updated_at;
    ev->address = text_or_null(&v[OG_F_ADDRESS]);
    ev->summary = text_or_null(&v[OG_F_SUMMARY]);
    const char *kind = og_mapping_kind_id(in->kind, OG_F_SUBJECT_ID);
    if (!strcmp(kind, "by_type")) {
        kind = text_or_null(&v[OG_F_SUBJECT_ID_TYPE]);
        if (!kind)
            kind = "resident";
    }
    int rc = identity(r, text_or_null(&v[OG_F_SUBJECT_ID]), kind,
                      og_mapping_kind_id_require_valid(in->kind, OG_F_SUBJECT_ID), "subject_id", a,
                      &ev->subject_key, &ev->subject_masked, &ev->subject_valid, err);
    if (rc < 0 || v[OG_F_HEALTH_COLOR].type == OG_V_NULL)
        return rc;
    return reconcile_health(in, a, ev, err);
}

static int reconcile_visit(const struct og_reconciler *r, const struct og_mapped *in,
                           struct og_arena *a, struct og_visit *vi, struct og_error *err)
{
    const struct og_mval *v = in->v;
    vi->worker_id = text_or_null(&v[OG_F_WORKER_ID]);
    set_time(&vi->visited_at, &v[OG_F_VISITED_AT]);
    vi->address = text_or_null(&v[OG_F_ADDRESS]);
    vi->nmembers = in->nmembers;
    if (!in->nmembers)
        return 0;
    vi->members = og_arena_calloc(a, in->nmembers * sizeof(*vi->members));
    if (!vi->members)
        return OG_ENOMEM;
    for (size_t k = 0; k < in->nmembers; k++) {
        const struct og_mval *mv = in->members[k].v;
        struct og_visit_member *mem = &vi->members[k];
        int rc = identity(r, text_or_null(&mv[OG_M_ID_NO]), "resident",
                          og_mapping_kind_member_id_require_valid(in->kind), "id_no", a,
                          &mem->person_key, &mem->id_masked, &mem->id_valid, err);
        if (rc < 0) {
            og_error_prefix(err, "member %zu: ", k + 1);
            return rc;
        }
        mem->name_masked = masked_name(a, text_or_null(&mv[OG_M_NAME]));
        mem->has_temperature = mv[OG_M_TEMPERATURE].type == OG_V_NUM;
        mem->temperature = mv[OG_M_TEMPERATURE].f;
        if (mem->has_temperature && !(mem->temperature >= 25.0 && mem->temperature <= 45.0)) {
            og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_VALUE,
                         "member %zu: temperature %.1f is outside 25-45 degrees Celsius", k + 1,
                         mem->temperature);
            og_error_field(err, "temperature");
            return OG_EREJECT;
        }
        if (mv[OG_M_SYMPTOMS].type == OG_V_LIST) {
            mem->symptoms = mv[OG_M_SYMPTOMS].items;
            mem->nsymptoms = mv[OG_M_SYMPTOMS].n;
        }
        if (mv[OG_M_TRAVEL].type == OG_V_LIST) {
            mem->travel = mv[OG_M_TRAVEL].items;
            mem->ntravel = mv[OG_M_TRAVEL].n;
        }
        mem->health_code = text_or_null(&mv[OG_M_HEALTH_CODE]);
    }
    return 0;
}

/* The text of v when it is one of allowed (NULL-terminated), NULL when v has no value; a reject
 * (invalid_value) otherwise, so that the warehouse's CHECK never fails a whole batch. */
static int one_of(const struct og_mval *v, const char *const *allowed, const char *field,
                  const char **out, struct og_error *err)
{
    *out = text_or_null(v);
    for (const char *const *p = allowed; *out && *p; p++)
        if (strcmp(*p, *out) == 0) {
            *out = *p;
            return 0;
        }
    if (!*out)
        return 0;
    char list[120] = "";
    for (const char *const *p = allowed; *p; p++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", p == allowed ? "" : ", ",
                 *p);
    og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_VALUE,
                 "field %s: \"%.40s\" is not one of %s", field, *out, list);
    og_error_field(err, field);
    return OG_EREJECT;
}

/* A count (rooms, tenants): a whole number from 0 (-1 when there is none), or a reject. */
static int count(const struct og_mval *v, const char *field, long long *out, struct og_error *err)
{
    *out = -1;
    if (v->type != OG_V_NUM)
        return 0;
    if (!(v->f >= 0 && v->f <= 1e9 && v->f == (double)(long long)v->f)) {
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_INVALID_VALUE,
                     "field %s: %g is not a count (a whole number from 0)", field, v->f);
        og_error_field(err, field);
        return OG_EREJECT;
    }
    *out = (long long)v->f;
    return 0;
}

static int reconcile_person(const struct og_reconciler *r, const struct og_mapped *in, int zone_min,
                            struct og_arena *a, struct og_person *p, struct og_error *err)
{
    static const char *const SEXES[] = {"0", "1", "2", "9", NULL};
    static const char *const TYPES[] = {"registered", "floating", "foreign", NULL};
    const struct og_mval *v = in->v;
    int rc = identity(r, text_or_null(&v[OG_F_ID_NO]), og_mapping_kind_id(in->kind, OG_F_ID_NO),
                      og_mapping_kind_id_require_valid(in->kind, OG_F_ID_NO), "id_no", a,
                      &p->person_key, &p->id_masked, &p->id_valid, err);
    if (rc < 0)
        return rc;
    if (!p->id_masked) {
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_MISSING_FIELD,
                     "a person without an identity number (id_no is empty)");
        og_error_field(err, "id_no");
        return OG_EREJECT;
    }
    if ((rc = one_of(&v[OG_F_SEX], SEXES, "sex", &p->sex, err)) < 0 ||
        (rc = one_of(&v[OG_F_PERSON_TYPE], TYPES, "person_type", &p->person_type, err)) < 0)
        return rc;
    p->name_masked = masked_name(a, text_or_null(&v[OG_F_NAME]));
    set_time(&p->birth_date, &v[OG_F_BIRTH_DATE]);
    if (p->birth_date.set) /* the date as written (in the mapping's zone), kept as that UTC date */
        p->birth_date.us += (int64_t)zone_min * 60 * 1000000;
    p->ethnic_code = text_or_null(&v[OG_F_ETHNIC_CODE]);
    p->hukou_address = text_or_null(&v[OG_F_HUKOU_ADDRESS]);
    p->address = text_or_null(&v[OG_F_ADDRESS]);
    p->police_beat = text_or_null(&v[OG_F_DEPT_GRID]);
    set_time(&p->registered_at, &v[OG_F_REGISTERED_AT]);
    set_time(&p->updated_at, &v[OG_F_UPDATED_AT]);
    p->active = !(v[OG_F_DEREGISTERED].type == OG_V_BOOL && v[OG_F_DEREGISTERED].b);
    p->attrs = in->attrs;
    return 0;
}

static int reconcile_housing(const struct og_reconciler *r, const struct og_mapped *in,
                             struct og_arena *a, struct og_housing *h, struct og_error *err)
{
    const struct og_mval *v = in->v;
    int rc =
        identity(r, text_or_null(&v[OG_F_OWNER_ID]), og_mapping_kind_id(in->kind, OG_F_OWNER_ID),
                 og_mapping_kind_id_require_valid(in->kind, OG_F_OWNER_ID), "owner_id", a,
                 &h->owner_key, &h->owner_masked, &h->owner_valid, err);
    if (rc < 0 || (rc = count(&v[OG_F_ROOMS], "rooms", &h->rooms, err)) < 0 ||
        (rc = count(&v[OG_F_TENANTS], "tenants", &h->tenants, err)) < 0)
        return rc;
    h->owner_name_masked = masked_name(a, text_or_null(&v[OG_F_OWNER_NAME]));
    h->address = text_or_null(&v[OG_F_ADDRESS]);
    h->police_beat = text_or_null(&v[OG_F_DEPT_GRID]);
    set_time(&h->updated_at, &v[OG_F_UPDATED_AT]);
    h->attrs = in->attrs;
    return 0;
}

int og_reconcile(const struct og_reconciler *r, const struct og_mapping *m, const char *source_name,
                 const struct og_mapped *in, const struct og_pos *pos, struct og_arena *a,
                 struct og_unified *out, struct og_error *err)
{
    memset(out, 0, sizeof(*out));
    out->kind = og_mapping_kind_target(in->kind);
    out->pos = *pos;
    const char *dept = og_mapping_department(m);
    const struct og_mval *v = in->v;
    const char *source_id = text_or_null(&v[OG_F_SOURCE_ID]);
    if (!source_id && out->kind != OG_KIND_PERSON)
        return og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_MISSING_FIELD,
                            "the record has no source_id");
    bool has_point = v[OG_F_LON].type == OG_V_NUM && v[OG_F_LAT].type == OG_V_NUM;
    struct og_place place;
    int rc = og_reconcile_place(r, dept, text_or_null(&v[OG_F_GRID_CODE]),
                                text_or_null(&v[OG_F_COMMUNITY_CODE]),
                                text_or_null(&v[OG_F_DEPT_GRID]), has_point, v[OG_F_LON].f,
                                v[OG_F_LAT].f, text_or_null(&v[OG_F_CRS]), a, &place, err);
    if (rc < 0)
        return rc;
    if (out->kind == OG_KIND_PERSON) {
        out->u.person.department = dept;
        out->u.person.place = place;
        return reconcile_person(r, in, og_mapping_zone_offset(m), a, &out->u.person, err);
    }
    if (out->kind == OG_KIND_HOUSING) {
        struct og_housing *h = &out->u.housing;
        h->house_id = og_arena_sprintf(a, "%s:%s", dept, source_id);
        if (!h->house_id)
            return OG_ENOMEM;
        h->department = dept;
        h->source_id = source_id;
        h->place = place;
        return reconcile_housing(r, in, a, h, err);
    }
    const char *id = og_arena_sprintf(a, "%s:%s:%s", dept, source_name, source_id);
    const char *src = og_arena_strdup(a, source_name);
    if (!id || !src)
        return OG_ENOMEM;
    if (out->kind == OG_KIND_EVENT) {
        struct og_event *ev = &out->u.event;
        ev->event_id = id;
        ev->department = dept;
        ev->source = src;
        ev->source_id = source_id;
        ev->place = place;
        ev->attrs = in->attrs;
        rc = reconcile_event(r, in, a, ev, err);
    }
    else {
        struct og_visit *vi = &out->u.visit;
        vi->visit_id = id;
        vi->department = dept;
        vi->source = src;
        vi->source_id = source_id;
        vi->place = place;
        vi->attrs = in->attrs;
        rc = reconcile_visit(r, in, a, vi, err);
    }
    return rc;
}
