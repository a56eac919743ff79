/* links.c - og-feedgen's planted link cases (groups and near misses) and their manifest entry. */
#include "tools/og-feedgen/links.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define M_PER_DEG_LAT 110574.0
#define M_PER_DEG_LNG_EQ 111320.0

void fg_plant_free(struct fg_plant *pl)
{
    if (!pl)
        return;
    free(pl->recs);
    free(pl->cases);
    memset(pl, 0, sizeof(*pl));
}

/* Metres between two WGS-84 points (equirectangular: exact enough at a few hundred metres). */
static double dist_m(double lng1, double lat1, double lng2, double lat2)
{
    double k = cos((lat1 + lat2) / 2 * M_PI / 180.0);
    double dx = (lng2 - lng1) * M_PER_DEG_LNG_EQ * k, dy = (lat2 - lat1) * M_PER_DEG_LAT;
    return sqrt(dx * dx + dy * dy);
}

/* A point of grid g between dmin and dmax metres from (lng, lat) into *out_lng, *out_lat; false
 * when none was found in a few thousand draws. */
static bool spot(struct og_tool_rng *r, const struct fg_grid *g, double lng, double lat,
                 double dmin, double dmax, double *out_lng, double *out_lat)
{
    double k = cos(lat * M_PI / 180.0);
    for (int i = 0; i < 4000; i++) {
        double a = og_tool_rng_unit(r) * 2 * M_PI;
        double d = dmin + og_tool_rng_unit(r) * (dmax - dmin);
        double x = lng + d * cos(a) / (M_PER_DEG_LNG_EQ * k), y = lat + d * sin(a) / M_PER_DEG_LAT;
        if (og_mpoly_contains(&g->mp, x, y) && dist_m(lng, lat, x, y) >= dmin &&
            dist_m(lng, lat, x, y) <= dmax) {
            *out_lng = x;
            *out_lat = y;
            return true;
        }
    }
    return false;
}

/* One member of a case template: department, category code, where and when relative to the
 * case's first record (metres: a distance band; minutes: an offset). */
struct member {
    enum fg_plant_dept dept;
    const char *code;
    double dmin, dmax;
    int tmin, tmax;
    bool void_case;
};

struct template
{
    const char *kind;
    int count;
    int n;
    struct member m[3];
};

/* The cases; the rules are those of mappings/links.json. */
static const struct template TEMPLATES[] = {
    /* fire_fr_um: a blocked fire lane and an illegal structure, 1 to 4 h apart */
    {"group",
     6,
     2,
     {{FG_PLANT_FR, "消防通道堵塞", 0, 0, 0, 0, false},
      {FG_PLANT_UM, "1201", 5, 30, 60, 240, false}}},
    /* all three about one hazard: e-bike charging, a broken hydrant, a fire-lane call */
    {"group",
     6,
     3,
     {{FG_PLANT_FR, "电动车违规充电", 0, 0, 0, 0, false},
      {FG_PLANT_UM, "0103", 5, 30, 30, 600, false},
      {FG_PLANT_HT, "040101", 5, 30, 600, 1800, false}}},
    /* fire_fr_ht: an expired extinguisher and a complaint a day later */
    {"group",
     5,
     2,
     {{FG_PLANT_FR, "灭火器失效", 0, 0, 0, 0, false},
      {FG_PLANT_HT, "050201", 5, 30, 1200, 2400, false}}},
    /* street_um_ht: a street stall and a call about it */
    {"group",
     5,
     2,
     {{FG_PLANT_UM, "1301", 0, 0, 0, 0, false}, {FG_PLANT_HT, "010301", 5, 40, 60, 600, false}}},
    /* fire_um_ht by the grid alone: a broken hydrant and a fire-lane call on the same grid, too
     * far apart for the distance */
    {"group",
     4,
     2,
     {{FG_PLANT_UM, "0103", 0, 0, 0, 0, false},
      {FG_PLANT_HT, "040101", 170, 400, 120, 1440, false}}},
    /* near misses: just outside fire_fr_um's 24 h, just beyond its 80 m */
    {"outside_window",
     4,
     2,
     {{FG_PLANT_FR, "消防通道堵塞", 0, 0, 0, 0, false},
      {FG_PLANT_UM, "1201", 5, 30, 24 * 60 + 10, 27 * 60, false}}},
    {"beyond_distance",
     4,
     2,
     {{FG_PLANT_FR, "疏散指示缺失", 0, 0, 0, 0, false},
      {FG_PLANT_UM, "0103", 95, 120, 30, 180, false}}},
    {"incompatible_category",
     4,
     3,
     {{FG_PLANT_FR, "灭火器失效", 0, 0, 0, 0, false},
      {FG_PLANT_UM, "0102", 5, 30, 30, 120, false},
      {FG_PLANT_HT, "010701", 5, 30, 60, 240, false}}},
    {"same_department",
     2,
     2,
     {{FG_PLANT_FR, "消防通道堵塞", 0, 0, 0, 0, false},
      {FG_PLANT_FR, "电动车违规充电", 5, 30, 30, 120, false}}},
    {"same_department",
     2,
     2,
     {{FG_PLANT_UM, "1201", 0, 0, 0, 0, false}, {FG_PLANT_UM, "1301", 5, 30, 30, 120, false}}},
    {"void",
     3,
     2,
     {{FG_PLANT_FR, "消防通道堵塞", 0, 0, 0, 0, false},
      {FG_PLANT_UM, "1201", 5, 30, 60, 180, true}}},
};
#define NTEMPLATES (sizeof TEMPLATES / sizeof TEMPLATES[0])

static void make_id(struct fg_plant_rec *rec, long k, int64_t minutes)
{
    switch (rec->dept) {
    case FG_PLANT_FR:
        snprintf(rec->id, sizeof rec->id, "XFJC2020%06ld", 900001 + k);
        break;
    case FG_PLANT_UM:
        snprintf(rec->id, sizeof rec->id, "UM2020%08ld", 90000001 + k);
        break;
    case FG_PLANT_HT: {
        char ts[40];
        fg_fmt_local(ts, sizeof ts, minutes, 0);
        snprintf(rec->id, sizeof rec->id, "GD%.4s%.2s%.2s%05ld", ts, ts + 5, ts + 8, 90001 + k);
        break;
    }
    }
}

int fg_plant_make(const struct fg_world *w, uint64_t seed, struct fg_plant *pl)
{
    memset(pl, 0, sizeof(*pl));
    size_t ncases = 0, nrecs = 0;
    for (size_t t = 0; t < NTEMPLATES; t++) {
        ncases += (size_t)TEMPLATES[t].count;
        nrecs += (size_t)TEMPLATES[t].count * (size_t)TEMPLATES[t].n;
    }
    pl->recs = calloc(nrecs, sizeof(*pl->recs));
    pl->cases = calloc(ncases, sizeof(*pl->cases));
    double *at = calloc(ncases * 3 + 1, sizeof(double)); /* per case: centroid, day */
    if (!pl->recs || !pl->cases || !at || w->num_grids == 0) {
        free(at);
        return OG_ENOMEM;
    }
    struct og_tool_rng r;
    og_tool_rng_seed(&r, seed, 0x4C4B); /* "LK" */
    long per_dept[3] = {0, 0, 0};
    size_t c = 0;
    for (size_t t = 0; t < NTEMPLATES; t++) {
        const struct template *tp = &TEMPLATES[t];
        for (int k = 0; k < tp->count; k++, c++) {
            /* days 3 to 25, 8:00 to 16:00 */
            int day = 3 + (int)((c * 22) / ncases);
            int64_t t0 = (int64_t)day * SPAN_DAY_MIN + og_tool_rng_range(&r, 8 * 60, 16 * 60);
            /* a grid 1.5 km from the grid of every case less than a week apart: cases stay
             * apart */
            int gi = 0;
            double cx = 0, cy = 0;
            for (int tries = 0; tries < 1000; tries++) {
                gi = w->um_grids[og_tool_rng_below(&r, (uint32_t)w->num_grids)];
                og_mpoly_centroid(&w->grids[gi].mp, &cx, &cy);
                bool far = true;
                for (size_t o = 0; o < c && far; o++)
                    far = fabs(at[3 * o + 2] - day) >= 7 ||
                          dist_m(at[3 * o], at[3 * o + 1], cx, cy) >= 1500;
                if (far)
                    break;
            }
            at[3 * c] = cx, at[3 * c + 1] = cy, at[3 * c + 2] = day;
            const struct fg_grid *g = &w->grids[gi];
            pl->cases[c] = (struct fg_plant_case){tp->kind, pl->nrecs, (size_t)tp->n};
            double lng0 = 0, lat0 = 0;
            for (int m = 0; m < tp->n; m++) {
                const struct member *mb = &tp->m[m];
                struct fg_plant_rec *rec = &pl->recs[pl->nrecs++];
                double gl, gb, wl = 0, wb = 0;
                if (m == 0) {
                    fg_grid_point(&r, g, OG_CRS_WGS84, &gl, &gb, &wl, &wb);
                    lng0 = wl, lat0 = wb;
                }
                else if (!spot(&r, g, lng0, lat0, mb->dmin, mb->dmax, &wl, &wb)) {
                    wl = lng0, wb = lat0; /* a grid too small for the band: same spot */
                }
                rec->dept = mb->dept;
                rec->grid = gi;
                rec->lng = wl;
                rec->lat = wb;
                rec->minutes = t0 + (m ? og_tool_rng_range(&r, mb->tmin, mb->tmax) : 0);
                rec->code = mb->code;
                rec->void_case = mb->void_case;
                make_id(rec, per_dept[mb->dept]++, rec->minutes);
            }
        }
    }
    pl->ncases = c;
    free(at);
    return 0;
}

static const char *dept_code(enum fg_plant_dept d)
{
    return d == FG_PLANT_FR ? "FR" : d == FG_PLANT_UM ? "UM" : "HT";
}

/* The rule of mappings/links.json that links two records of a group. */
static const char *pair_rule(const struct fg_plant_rec *a, const struct fg_plant_rec *b)
{
    if (a->dept > b->dept) {
        const struct fg_plant_rec *t = a;
        a = b;
        b = t;
    }
    if (a->dept == FG_PLANT_FR)
        return b->dept == FG_PLANT_UM ? "fire_fr_um" : "fire_fr_ht";
    return strcmp(a->code, "0103") == 0 ? "fire_um_ht" : "street_um_ht";
}

static json_t *member_id(const struct fg_plant_rec *rec)
{
    char s[48];
    snprintf(s, sizeof s, "%s:%s", dept_code(rec->dept), rec->id);
    return json_string(s);
}

json_t *fg_plant_manifest(const struct fg_plant *pl)
{
    json_t *o = json_object(), *groups = json_array(), *misses = json_array();
    if (!o || !groups || !misses) {
        json_decref(o);
        json_decref(groups);
        json_decref(misses);
        return NULL;
    }
    json_object_set_new(o, "rules", json_string("mappings/links.json"));
    json_object_set_new(o, "members_are", json_string("DEPARTMENT:source_id"));
    long npairs = 0;
    for (size_t c = 0; c < pl->ncases; c++) {
        const struct fg_plant_case *pc = &pl->cases[c];
        json_t *e = json_object(), *mem = json_array();
        for (size_t i = 0; i < pc->n; i++)
            json_array_append_new(mem, member_id(&pl->recs[pc->first + i]));
        json_object_set_new(e, "members", mem);
        if (strcmp(pc->kind, "group") == 0) {
            json_t *pairs = json_array();
            for (size_t i = 0; i < pc->n; i++)
                for (size_t j = i + 1; j < pc->n; j++) {
                    const struct fg_plant_rec *a = &pl->recs[pc->first + i],
                                              *b = &pl->recs[pc->first + j];
                    json_array_append_new(
                        pairs, json_pack("[o, o, s]", member_id(a), member_id(b), pair_rule(a, b)));
                    npairs++;
                }
            json_object_set_new(e, "pairs", pairs);
            json_array_append_new(groups, e);
        }
        else {
            json_object_set_new(e, "kind", json_string(pc->kind));
            json_array_append_new(misses, e);
        }
    }
    json_object_set_new(o, "group_pairs", json_integer(npairs));
    json_object_set_new(o, "groups", groups);
    json_object_set_new(o, "near_misses", misses);
    return o;
}
