/* world.c - og-feedgen's world: divisions, grids, UM unit grids, police beats and crosswalks from
 * og-worldgen. */
#include "tools/common/csv.h"
#include "tools/common/io.h"
#include "tools/common/mem.h"
#include "tools/common/text.h"
#include "tools/og-feedgen/feedgen.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_street(const void *a, const void *b)
{
    return strcmp(((const struct fg_street *)a)->code, ((const struct fg_street *)b)->code);
}

static int cmp_comm(const void *a, const void *b)
{
    return strcmp(((const struct fg_community *)a)->code, ((const struct fg_community *)b)->code);
}

static int cmp_grid(const void *a, const void *b)
{
    return strcmp(((const struct fg_grid *)a)->code, ((const struct fg_grid *)b)->code);
}

static int cmp_unit(const void *a, const void *b)
{
    return strcmp(((const struct fg_unit *)a)->code, ((const struct fg_unit *)b)->code);
}

static int cmp_beat(const void *a, const void *b)
{
    return strcmp(((const struct fg_beat *)a)->code, ((const struct fg_beat *)b)->code);
}

static int cmp_ps_xw(const void *a, const void *b)
{
    return strcmp(((const struct fg_ps_xw *)a)->code, ((const struct fg_ps_xw *)b)->code);
}

static int cmp_alias(const void *a, const void *b)
{
    return strcmp(((const struct fg_alias *)a)->old_code, ((const struct fg_alias *)b)->old_code);
}

static int cmp_fire(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static int find_street(const struct fg_world *w, const char *code)
{
    struct fg_street key;
    og_tool_scopy(key.code, sizeof key.code, code);
    const struct fg_street *s = bsearch(&key, w->streets, w->nstreets, sizeof *s, cmp_street);
    return s ? (int)(s - w->streets) : -1;
}

static int find_comm(const struct fg_world *w, const char *code)
{
    struct fg_community key;
    og_tool_scopy(key.code, sizeof key.code, code);
    const struct fg_community *c = bsearch(&key, w->comms, w->ncomms, sizeof *c, cmp_comm);
    return c ? (int)(c - w->comms) : -1;
}

static int find_grid(const struct fg_world *w, const char *code)
{
    struct fg_grid key;
    og_tool_scopy(key.code, sizeof key.code, code);
    const struct fg_grid *g = bsearch(&key, w->grids, w->ngrids, sizeof *g, cmp_grid);
    return g ? (int)(g - w->grids) : -1;
}

static int find_unit(const struct fg_world *w, const char *code)
{
    struct fg_unit key;
    og_tool_scopy(key.code, sizeof key.code, code);
    const struct fg_unit *u = bsearch(&key, w->units, w->nunits, sizeof *u, cmp_unit);
    return u ? (int)(u - w->units) : -1;
}

static bool fire_name_known(const struct fg_world *w, const char *name)
{
    if (w->nfire == 0) {
        return true; /* no fr.csv: trust the rule */
    }
    char key[160];
    og_tool_scopy(key, sizeof key, name);
    return bsearch(key, w->fire_names, w->nfire, sizeof w->fire_names[0], cmp_fire) != NULL;
}

void fg_world_free(struct fg_world *w)
{
    for (size_t i = 0; i < w->ngrids; i++) {
        og_mpoly_free(&w->grids[i].mp);
        free(w->grids[i].cands);
    }
    for (size_t i = 0; i < w->nunits; i++) {
        og_mpoly_free(&w->units[i].mp);
    }
    og_geo_index_destroy(w->beat_idx);
    for (size_t i = 0; i < w->nbeats; i++) {
        og_mpoly_free(&w->beats[i].mp);
    }
    free(w->beats);
    free(w->streets);
    free(w->comms);
    free(w->grids);
    free(w->units);
    free(w->fire_names);
    free(w->um_grids);
    free(w->ps_xw);
    free(w->aliases);
    memset(w, 0, sizeof *w);
}

static int load_divisions(struct fg_world *w, const char *dir, struct og_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/divisions.csv", dir);
    struct og_buf text = OG_BUF_INIT;
    int rc = og_tool_read_file(path, &text, err);
    if (rc) {
        return rc;
    }
    char *pos = text.data, *fld[16];
    int ic = -1, il = -1, in = -1, ip = -1, n;
    size_t cap_s = 0, cap_c = 0;
    bool header = true;
    while ((n = og_tool_csv_next(&pos, fld, 16)) > 0) {
        if (header) {
            ic = og_tool_csv_col(fld, n, "code");
            il = og_tool_csv_col(fld, n, "level");
            in = og_tool_csv_col(fld, n, "name");
            ip = og_tool_csv_col(fld, n, "parent_code");
            header = false;
            if (ic < 0 || il < 0 || in < 0 || ip < 0) {
                rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_TABLE,
                                  "%s: header lacks code, level, name or parent_code", path);
                break;
            }
            continue;
        }
        if (n <= ic || n <= il || n <= in || n <= ip) {
            continue;
        }
        int level = atoi(fld[il]);
        if (level == 2 && strncmp(fld[ic], "4405", 4) == 0) {
            og_tool_scopy(w->city, sizeof w->city, fld[in]);
        }
        else if (level == 3 && strcmp(fld[ic], "440511") == 0) {
            og_tool_scopy(w->county, sizeof w->county, fld[in]);
        }
        else if (level == 4) {
            if (og_tool_grow((void **)&w->streets, &cap_s, w->nstreets + 1, sizeof *w->streets)) {
                rc = og_tool_nomem(err);
                break;
            }
            struct fg_street *s = &w->streets[w->nstreets++];
            og_tool_scopy(s->code, sizeof s->code, fld[ic]);
            og_tool_scopy(s->name, sizeof s->name, fld[in]);
        }
        else if (level == 5) {
            if (og_tool_grow((void **)&w->comms, &cap_c, w->ncomms + 1, sizeof *w->comms)) {
                rc = og_tool_nomem(err);
                break;
            }
            struct fg_community *c = &w->comms[w->ncomms++];
            memset(c, 0, sizeof *c);
            og_tool_scopy(c->code, sizeof c->code, fld[ic]);
            og_tool_scopy(c->name, sizeof c->name, fld[in]);
            og_tool_scopy(c->parent, sizeof c->parent, fld[ip]);
        }
    }
    og_buf_free(&text);
    if (rc) {
        return rc;
    }
    if (w->ncomms == 0 || w->nstreets == 0) {
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                            "%s: no streets or communities", path);
    }
    if (!w->city[0]) {
        snprintf(w->city, sizeof w->city, "汕头市");
    }
    if (!w->county[0]) {
        snprintf(w->county, sizeof w->county, "金平区");
    }
    qsort(w->streets, w->nstreets, sizeof *w->streets, cmp_street);
    qsort(w->comms, w->ncomms, sizeof *w->comms, cmp_comm);
    for (size_t i = 0; i < w->ncomms; i++) {
        struct fg_community *c = &w->comms[i];
        c->street = find_street(w, c->parent);
        og_tool_community_short_name(c->name, c->short_name, sizeof c->short_name);
        og_tool_fire_grid_name(c->street >= 0 ? w->streets[c->street].name : "", c->name, c->fire,
                               sizeof c->fire);
    }
    return 0;
}

static json_t *load_features(const char *path, struct og_error *err)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc) {
        og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                     "could not read \"%s\": %s (line %d)", path, jerr.text, jerr.line);
        return NULL;
    }
    if (!json_is_array(json_object_get(doc, "features"))) {
        og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_GEOMETRY, "%s: no features array",
                     path);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static int load_grids(struct fg_world *w, const char *dir, struct og_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/grids.geojson", dir);
    json_t *doc = load_features(path, err);
    if (!doc) {
        return err ? err->code : OG_EPARSE;
    }
    json_t *feats = json_object_get(doc, "features");
    size_t n = json_array_size(feats);
    w->grids = calloc(n ? n : 1, sizeof *w->grids);
    if (!w->grids) {
        json_decref(doc);
        return og_tool_nomem(err);
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_t *feat = json_array_get(feats, i);
        json_t *props = json_object_get(feat, "properties");
        const char *code = json_string_value(json_object_get(props, "grid_code"));
        const char *comm = json_string_value(json_object_get(props, "community_code"));
        if (!code || strlen(code) != 15) {
            rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_GEOMETRY,
                              "%s: feature %zu has no 15-digit grid_code", path, i);
            break;
        }
        struct fg_grid *g = &w->grids[w->ngrids];
        og_tool_scopy(g->code, sizeof g->code, code);
        g->community = find_comm(w, comm ? comm : "");
        rc = og_mpoly_from_geojson(json_object_get(feat, "geometry"), &g->mp, err);
        if (rc == 0) {
            g->bb = og_mpoly_bbox(&g->mp);
            w->ngrids++;
            if (g->community < 0) {
                fprintf(stderr, "og-feedgen: warning: grid %s: community %s not in divisions.csv\n",
                        code, comm ? comm : "(none)");
            }
        }
        else {
            og_error_prefix(err, "%s: grid %s: ", path, code);
        }
    }
    json_decref(doc);
    if (rc) {
        return rc;
    }
    if (w->ngrids == 0) {
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD, "%s: no grids", path);
    }
    qsort(w->grids, w->ngrids, sizeof *w->grids, cmp_grid);
    w->bbox = w->grids[0].bb;
    for (size_t i = 1; i < w->ngrids; i++) {
        const struct og_bbox *b = &w->grids[i].bb;
        w->bbox.min_lng = b->min_lng < w->bbox.min_lng ? b->min_lng : w->bbox.min_lng;
        w->bbox.min_lat = b->min_lat < w->bbox.min_lat ? b->min_lat : w->bbox.min_lat;
        w->bbox.max_lng = b->max_lng > w->bbox.max_lng ? b->max_lng : w->bbox.max_lng;
        w->bbox.max_lat = b->max_lat > w->bbox.max_lat ? b->max_lat : w->bbox.max_lat;
    }
    return 0;
}

/* UM unit grids: shapes from dept_grids.geojson (may be null), codes and weights from
 * crosswalks/um.csv. */
struct xw_row {
    char unit[16];
    int grid;
    double weight;
};

static int add_unit(struct fg_world *w, size_t *cap, const char *code, const json_t *geometry,
                    struct og_error *err)
{
    if (og_tool_grow((void **)&w->units, cap, w->nunits + 1, sizeof *w->units)) {
        return og_tool_nomem(err);
    }
    struct fg_unit *u = &w->units[w->nunits];
    memset(u, 0, sizeof *u);
    og_tool_scopy(u->code, sizeof u->code, code);
    if (geometry && !json_is_null(geometry)) {
        int rc = og_mpoly_from_geojson(geometry, &u->mp, err);
        if (rc) {
            og_error_prefix(err, "unit grid %s: ", code);
            return rc;
        }
        u->has_mp = true;
    }
    w->nunits++;
    return 0;
}

/* A police beat from a PS feature of dept_grids.geojson. */
static int add_beat(struct fg_world *w, size_t *cap, const char *code, const json_t *geometry,
                    struct og_error *err)
{
    if (og_tool_grow((void **)&w->beats, cap, w->nbeats + 1, sizeof *w->beats)) {
        return og_tool_nomem(err);
    }
    struct fg_beat *bt = &w->beats[w->nbeats];
    memset(bt, 0, sizeof *bt);
    og_tool_scopy(bt->code, sizeof bt->code, code);
    int rc = og_mpoly_from_geojson(geometry, &bt->mp, err);
    if (rc) {
        og_error_prefix(err, "police beat %s: ", code);
        return rc;
    }
    w->nbeats++;
    return 0;
}

/* Sorts the beats by code and indexes their shapes. */
static int index_beats(struct fg_world *w, struct og_error *err)
{
    if (w->nbeats == 0) {
        return 0;
    }
    qsort(w->beats, w->nbeats, sizeof *w->beats, cmp_beat);
    w->beat_idx = og_geo_index_create();
    if (!w->beat_idx) {
        return og_tool_nomem(err);
    }
    for (size_t i = 0; i < w->nbeats; i++) {
        if (og_geo_index_add(w->beat_idx, &w->beats[i].mp, (int)i) != 0) {
            return og_tool_nomem(err);
        }
    }
    return og_geo_index_build(w->beat_idx) != 0 ? og_tool_nomem(err) : 0;
}

int fg_beat_at(const struct fg_world *w, double lng, double lat)
{
    return w->beat_idx ? og_geo_index_find(w->beat_idx, lng, lat) : -1;
}

static int load_um(struct fg_world *w, const char *dir, const char *xwdir, struct og_error *err)
{
    char path[4096];
    size_t cap = 0, cap_beats = 0;
    int rc = 0;
    snprintf(path, sizeof path, "%s/dept_grids.geojson", dir);
    if (og_tool_file_readable(path)) {
        json_t *doc = load_features(path, err);
        if (!doc) {
            return err ? err->code : OG_EPARSE;
        }
        json_t *feats = json_object_get(doc, "features");
        for (size_t i = 0; i < json_array_size(feats) && rc == 0; i++) {
            json_t *feat = json_array_get(feats, i);
            json_t *props = json_object_get(feat, "properties");
            const char *dept = json_string_value(json_object_get(props, "department"));
            const char *code = json_string_value(json_object_get(props, "dept_grid_code"));
            if (dept && code && strcmp(dept, "UM") == 0) {
                rc = add_unit(w, &cap, code, json_object_get(feat, "geometry"), err);
            }
            else if (dept && code && strcmp(dept, "PS") == 0) {
                rc = add_beat(w, &cap_beats, code, json_object_get(feat, "geometry"), err);
            }
        }
        json_decref(doc);
        rc = rc ? rc : index_beats(w, err);
        if (rc) {
            return rc;
        }
    }
    qsort(w->units, w->nunits, sizeof *w->units, cmp_unit);

    snprintf(path, sizeof path, "%s/um.csv", xwdir);
    struct og_buf text = OG_BUF_INIT;
    if ((rc = og_tool_read_file(path, &text, err)) != 0) {
        return rc;
    }
    struct xw_row *rows = NULL;
    size_t nrows = 0, caprows = 0;
    char *pos = text.data, *fld[8];
    int idept = -1, icode = -1, igrid = -1, iw = -1, n;
    bool header = true;
    while (rc == 0 && (n = og_tool_csv_next(&pos, fld, 8)) > 0) {
        if (header) {
            idept = og_tool_csv_col(fld, n, "department");
            icode = og_tool_csv_col(fld, n, "dept_grid_code");
            igrid = og_tool_csv_col(fld, n, "grid_code");
            iw = og_tool_csv_col(fld, n, "weight");
            header = false;
            if (icode < 0 || igrid < 0 || iw < 0) {
                rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_TABLE,
                                  "%s: header lacks dept_grid_code, grid_code or weight", path);
            }
            continue;
        }
        if (n <= icode || n <= igrid || n <= iw) {
            continue;
        }
        if (idept >= 0 && idept < n && strcmp(fld[idept], "UM") != 0) {
            continue;
        }
        int g = find_grid(w, fld[igrid]);
        if (g < 0) {
            continue;
        }
        if (og_tool_grow((void **)&rows, &caprows, nrows + 1, sizeof *rows)) {
            rc = og_tool_nomem(err);
            break;
        }
        og_tool_scopy(rows[nrows].unit, sizeof rows[nrows].unit, fld[icode]);
        rows[nrows].grid = g;
        rows[nrows].weight = strtod(fld[iw], NULL);
        nrows++;
    }
    og_buf_free(&text);
    /* unit grids named by the crosswalk but without a feature: known, shapeless */
    size_t known = w->nunits;
    for (size_t i = 0; i < nrows && rc == 0; i++) {
        struct fg_unit key;
        og_tool_scopy(key.code, sizeof key.code, rows[i].unit);
        if (!bsearch(&key, w->units, known, sizeof key, cmp_unit)) {
            bool dup = false;
            for (size_t j = known; j < w->nunits && !dup; j++) {
                dup = strcmp(w->units[j].code, rows[i].unit) == 0;
            }
            if (!dup) {
                rc = add_unit(w, &cap, rows[i].unit, NULL, err);
            }
        }
    }
    if (rc == 0) {
        qsort(w->units, w->nunits, sizeof *w->units, cmp_unit);
    }
    for (size_t i = 0; i < nrows && rc == 0; i++) {
        struct fg_grid *g = &w->grids[rows[i].grid];
        void *p = realloc(g->cands, (g->ncands + 1) * sizeof *g->cands);
        if (!p) {
            rc = og_tool_nomem(err);
            break;
        }
        g->cands = p;
        g->cands[g->ncands].unit = find_unit(w, rows[i].unit);
        g->cands[g->ncands].weight = rows[i].weight;
        g->ncands++;
    }
    free(rows);
    if (rc) {
        return rc;
    }
    w->um_grids = calloc(w->ngrids, sizeof *w->um_grids);
    if (!w->um_grids) {
        return og_tool_nomem(err);
    }
    for (size_t i = 0; i < w->ngrids; i++) {
        if (w->grids[i].ncands > 0) {
            w->um_grids[w->num_grids++] = (int)i;
        }
    }
    if (w->num_grids == 0) {
        return og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                            "%s: no UM rows matching a grid", path);
    }
    return 0;
}

/* Fire grid names from crosswalks/fr.csv, only to check the naming rule against it (optional file).
 */
static int load_fire_names(struct fg_world *w, const char *xwdir, struct og_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/fr.csv", xwdir);
    if (!og_tool_file_readable(path)) {
        return 0;
    }
    struct og_buf text = OG_BUF_INIT;
    int rc = og_tool_read_file(path, &text, err);
    if (rc) {
        return rc;
    }
    size_t cap = 0;
    char *pos = text.data, *fld[8];
    int icode = -1, n;
    bool header = true;
    while ((n = og_tool_csv_next(&pos, fld, 8)) > 0) {
        if (header) {
            icode = og_tool_csv_col(fld, n, "dept_grid_code");
            header = false;
            if (icode < 0) {
                break;
            }
            continue;
        }
        if (n <= icode) {
            continue;
        }
        if (og_tool_grow((void **)&w->fire_names, &cap, w->nfire + 1, sizeof w->fire_names[0])) {
            rc = og_tool_nomem(err);
            break;
        }
        og_tool_scopy(w->fire_names[w->nfire++], sizeof w->fire_names[0], fld[icode]);
    }
    og_buf_free(&text);
    if (rc == 0 && w->nfire > 0) {
        qsort(w->fire_names, w->nfire, sizeof w->fire_names[0], cmp_fire);
        long missing = 0;
        for (size_t i = 0; i < w->ncomms; i++) {
            missing += !fire_name_known(w, w->comms[i].fire);
        }
        if (missing) {
            fprintf(stderr, "og-feedgen: warning: %ld community fire-grid names not in %s\n",
                    missing, path);
        }
    }
    return rc;
}

/* 2016 community codes from division_alias.csv (optional): level-5 rows whose old_code differs
 * from a 2023 code of divisions.csv. */
static int load_aliases(struct fg_world *w, const char *dir, struct og_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/division_alias.csv", dir);
    if (!og_tool_file_readable(path)) {
        return 0;
    }
    struct og_buf text = OG_BUF_INIT;
    int rc = og_tool_read_file(path, &text, err);
    if (rc) {
        return rc;
    }
    size_t cap = 0;
    char *pos = text.data, *fld[8];
    int iold = -1, icode = -1, ilevel = -1, n;
    bool header = true;
    while (rc == 0 && (n = og_tool_csv_next(&pos, fld, 8)) > 0) {
        if (header) {
            iold = og_tool_csv_col(fld, n, "old_code");
            icode = og_tool_csv_col(fld, n, "code");
            ilevel = og_tool_csv_col(fld, n, "level");
            header = false;
            if (iold < 0 || icode < 0) {
                rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_TABLE,
                                  "%s: header lacks old_code or code", path);
            }
            continue;
        }
        if (n <= iold || n <= icode || (ilevel >= 0 && (n <= ilevel || atoi(fld[ilevel]) != 5))) {
            continue;
        }
        int comm = find_comm(w, fld[icode]);
        if (comm < 0 || strcmp(fld[iold], fld[icode]) == 0 || find_comm(w, fld[iold]) >= 0) {
            continue; /* unknown, unchanged, or a code that is also a 2023 community */
        }
        if (og_tool_grow((void **)&w->aliases, &cap, w->naliases + 1, sizeof *w->aliases)) {
            rc = og_tool_nomem(err);
            break;
        }
        struct fg_alias *a = &w->aliases[w->naliases++];
        og_tool_scopy(a->old_code, sizeof a->old_code, fld[iold]);
        a->comm = comm;
        if (!w->comms[comm].old_code[0]) {
            og_tool_scopy(w->comms[comm].old_code, sizeof w->comms[comm].old_code, fld[iold]);
        }
    }
    og_buf_free(&text);
    if (rc == 0 && w->naliases > 1) {
        qsort(w->aliases, w->naliases, sizeof *w->aliases, cmp_alias);
    }
    return rc;
}

/* The police-beat crosswalk crosswalks/ps.csv (optional): per beat, the grid of its
 * highest-weight row, the first such row on a tie. */
static int load_ps_xw(struct fg_world *w, const char *xwdir, struct og_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/ps.csv", xwdir);
    if (!og_tool_file_readable(path)) {
        return 0;
    }
    struct og_buf text = OG_BUF_INIT;
    int rc = og_tool_read_file(path, &text, err);
    if (rc) {
        return rc;
    }
    size_t cap = 0;
    char *pos = text.data, *fld[8];
    int idept = -1, icode = -1, igrid = -1, iw = -1, n;
    bool header = true;
    while (rc == 0 && (n = og_tool_csv_next(&pos, fld, 8)) > 0) {
        if (header) {
            idept = og_tool_csv_col(fld, n, "department");
            icode = og_tool_csv_col(fld, n, "dept_grid_code");
            igrid = og_tool_csv_col(fld, n, "grid_code");
            iw = og_tool_csv_col(fld, n, "weight");
            header = false;
            if (icode < 0 || igrid < 0 || iw < 0) {
                rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_TABLE,
                                  "%s: header lacks dept_grid_code, grid_code or weight", path);
            }
            continue;
        }
        if (n <= icode || n <= igrid || n <= iw ||
            (idept >= 0 && (n <= idept || strcmp(fld[idept], "PS") != 0))) {
            continue;
        }
        int g = find_grid(w, fld[igrid]);
        if (g < 0) {
            continue;
        }
        double weight = strtod(fld[iw], NULL);
        size_t k = 0;
        while (k < w->nps_xw && strcmp(w->ps_xw[k].code, fld[icode]) != 0) {
            k++;
        }
        if (k == w->nps_xw) {
            if (og_tool_grow((void **)&w->ps_xw, &cap, w->nps_xw + 1, sizeof *w->ps_xw)) {
                rc = og_tool_nomem(err);
                break;
            }
            og_tool_scopy(w->ps_xw[k].code, sizeof w->ps_xw[k].code, fld[icode]);
            w->ps_xw[k].grid = g;
            w->ps_xw[k].weight = weight;
            w->nps_xw++;
        }
        else if (weight > w->ps_xw[k].weight) {
            w->ps_xw[k].grid = g;
            w->ps_xw[k].weight = weight;
        }
    }
    og_buf_free(&text);
    if (rc == 0 && w->nps_xw > 1) {
        qsort(w->ps_xw, w->nps_xw, sizeof *w->ps_xw, cmp_ps_xw);
    }
    return rc;
}

int fg_ps_xw_grid(const struct fg_world *w, const char *beat)
{
    struct fg_ps_xw key;
    og_tool_scopy(key.code, sizeof key.code, beat);
    const struct fg_ps_xw *x =
        w->nps_xw ? bsearch(&key, w->ps_xw, w->nps_xw, sizeof *x, cmp_ps_xw) : NULL;
    return x ? x->grid : -1;
}

static bool digits_only(const char *s, size_t n)
{
    if (strlen(s) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

int fg_community_for_code(const struct fg_world *w, const char *code)
{
    char c12[16];
    if (!code || !(digits_only(code, 12) || digits_only(code, 15))) {
        return -1;
    }
    snprintf(c12, sizeof c12, "%.12s", code);
    int comm = find_comm(w, c12);
    if (comm >= 0 || w->naliases == 0) {
        return comm;
    }
    struct fg_alias key;
    og_tool_scopy(key.old_code, sizeof key.old_code, c12);
    const struct fg_alias *a = bsearch(&key, w->aliases, w->naliases, sizeof *a, cmp_alias);
    return a ? a->comm : -1;
}

int fg_world_load(struct fg_world *w, const char *dir, const char *xwdir, struct og_error *err)
{
    memset(w, 0, sizeof *w);
    int rc = load_divisions(w, dir, err);
    rc = rc ? rc : load_aliases(w, dir, err);
    rc = rc ? rc : load_grids(w, dir, err);
    rc = rc ? rc : load_um(w, dir, xwdir, err);
    rc = rc ? rc : load_fire_names(w, xwdir, err);
    rc = rc ? rc : load_ps_xw(w, xwdir, err);
    if (rc) {
        fg_world_free(w);
    }
    return rc;
}
