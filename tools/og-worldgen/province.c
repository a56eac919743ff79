/* province.c - og-worldgen's synthetic province: a lng/lat box cut into cities, counties,
 * streets, communities and unified grids, with the four department schemes and crosswalks.
 *
 * The scale world of docs/scale.md: by default 11 cities, 90 counties, 1,300 streets, 20,000
 * communities and 61,000 unified grids (Zhejiang's count) over a box of about 125,000 km2. Every
 * area is a rectangle: a box is cut by recursive area bisection (the longer side in metres, the
 * first items west or north), with community sizes drawn like Jinping's (0.6 .. 1.4 from the code).
 * Codes follow GB/T 2260 / NBS shapes (2, 4, 6, 9, 12 digits; grid = community + 3 digits); names
 * are synthetic (示范...). Department schemes: PS beats and UM unit grids as lattices of
 * WG_PV_PS_STEP and WG_PV_UM_STEP degrees clipped to the box, FR one fire grid per community, HL
 * the unified codes and the community codes; crosswalk weights are exact rectangle overlaps. Same
 * arguments, same bytes. Not geography: nothing here is a real place. */
#include "tools/common/mem.h"
#include "tools/common/rng.h"
#include "tools/common/text.h"
#include "tools/og-worldgen/worldgen.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WG_PV_LNG0 118.5
#define WG_PV_LNG1 122.0
#define WG_PV_LAT0 27.3
#define WG_PV_LAT1 30.6
#define WG_PV_PS_STEP 0.035 /* police beats: about 12 km2 */
#define WG_PV_UM_STEP 0.018 /* unit grids: about 3.5 km2 */
#define WG_PV_R 6371008.8
#define WG_PV_RAD 0.017453292519943295 /* radians per degree */

/* Exact spherical area (m2) of a lng/lat rectangle. */
static double box_m2(const struct wg_box *b)
{
    double rad = WG_PV_RAD;
    return WG_PV_R * WG_PV_R * (b->x1 - b->x0) * rad * (sin(b->y1 * rad) - sin(b->y0 * rad));
}

/* The same size measure as cut.c's community weight: 0.6 .. 1.4 from the code, fixed seed. */
static double code_weight(const char *code)
{
    uint64_t x = WG_SEED;
    for (const char *p = code; *p; p++) {
        x = og_tool_splitmix64(x ^ (uint64_t)(unsigned char)*p);
    }
    return 0.6 + 0.8 * (double)(x >> 11) / 9007199254740992.0;
}

/* Cuts b into n boxes of weights w[0..n-1] (out[0..n-1]): the longer side (in metres) is cut so
 * that the first half of the items (first = west, or north) gets its share of the area. */
static void split_box(const struct wg_box *b, const double *w, size_t n, struct wg_box *out)
{
    if (n == 1) {
        out[0] = *b;
        return;
    }
    size_t m = n / 2;
    double all = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        all += w[i];
        first += i < m ? w[i] : 0;
    }
    double share = first / all, rad = WG_PV_RAD;
    double wide = (b->x1 - b->x0) * cos((b->y0 + b->y1) / 2 * rad);
    struct wg_box p = *b, q = *b;
    if (wide >= b->y1 - b->y0) {
        p.x1 = q.x0 = b->x0 + share * (b->x1 - b->x0); /* area is linear in lng */
    }
    else {
        double s0 = sin(b->y0 * rad), s1 = sin(b->y1 * rad);
        p.y0 = q.y1 = asin(s1 - share * (s1 - s0)) / rad; /* north part first */
    }
    split_box(&p, w, m, out);
    split_box(&q, w + m, n - m, out + m);
}

static int box_mpoly(const struct wg_box *b, struct og_mpoly *out)
{
    struct og_ring r = {malloc(8 * sizeof(double)), 4};
    if (r.xy == NULL) {
        return OG_ENOMEM;
    }
    double xy[8];
    struct og_ring tmp;
    wg_rect_ring(b->x0, b->y0, b->x1, b->y1, xy, &tmp);
    memcpy(r.xy, xy, sizeof xy);
    if (og_mpoly_from_ring(&r, out) < 0) {
        og_ring_free(&r);
        return OG_ENOMEM;
    }
    return 0;
}

/* Item i of n spread over parents: the first child of parent p of np is p * n / np. */
static size_t first_of(size_t p, size_t n, size_t np)
{
    return (size_t)((unsigned long long)p * n / np);
}

int wg_province_counts(size_t grids, struct wg_pv_counts *c)
{
    c->grids = grids;
    c->comms = grids * 20000 / 61000;
    c->streets = grids * 1300 / 61000;
    c->counties = grids * 90 / 61000;
    c->cities = 11;
    c->comms = c->comms ? c->comms : 1;
    c->streets = c->streets ? c->streets : 1;
    c->counties = c->counties ? c->counties : 1;
    c->cities = c->cities < c->counties ? c->cities : c->counties;
    /* per-parent limits of the code shapes: 99 cities / counties, 999 streets / communities /
     * grids per parent */
    if (grids < 1 || grids > 2000000 || c->streets / c->counties > 998 ||
        c->comms / c->streets > 998 || grids / c->comms > 998 || c->counties / c->cities > 98) {
        return OG_EINVAL;
    }
    return 0;
}

/* Cuts parent boxes into children: child k of parent p lies at first_of(p) .. first_of(p+1), its
 * weight from code(k). */
static void split_level(const struct wg_box *parents, size_t np, struct wg_box *children, size_t nc,
                        const double *w)
{
    for (size_t p = 0; p < np; p++) {
        size_t a = first_of(p, nc, np), b = first_of(p + 1, nc, np);
        split_box(&parents[p], w + a, b - a, children + a);
    }
}

struct pv_cell {
    struct wg_xrow *rows;
    size_t nrows, cap;
};

static int cell_add(struct pv_cell *c, size_t grid, double area)
{
    if (og_tool_grow((void **)&c->rows, &c->cap, c->nrows + 1, sizeof *c->rows) < 0) {
        return OG_ENOMEM;
    }
    c->rows[c->nrows++] = (struct wg_xrow){grid, area, 0};
    return 0;
}

/* A lattice scheme over the box: cells of step degrees aligned to multiples of step, clipped to
 * the box, kept above WG_MIN_CELL_M2, visited north->south, west->east. The owner (a street for
 * PS, a community for UM) is that of the grid holding the cell's centre; numbering per owner. */
static int pv_lattice(struct wg_world *w, const struct wg_pv *pv, const char *dept, double step,
                      struct og_error *err)
{
    bool ps = strcmp(dept, "PS") == 0;
    const struct wg_box *all = &pv->box;
    long c0 = (long)floor(all->x0 / step), c1 = (long)ceil(all->x1 / step);
    long r0 = (long)floor(all->y0 / step), r1 = (long)ceil(all->y1 / step);
    size_t ncol = (size_t)(c1 - c0), nrow = (size_t)(r1 - r0);
    struct pv_cell *cells = calloc(ncol * nrow, sizeof *cells);
    unsigned *counter = calloc(ps ? w->nstreets : w->ncomms, sizeof *counter);
    int rc = 0;
    if (cells == NULL || counter == NULL) {
        rc = og_tool_nomem(err);
        goto done;
    }
    /* overlaps, grid by grid: each cell's rows come out in grid order */
    for (size_t g = 0; g < w->ngrids; g++) {
        const struct wg_box *gb = &pv->grid_box[g];
        long a0 = (long)floor(gb->x0 / step), a1 = (long)floor(gb->x1 / step);
        long b0 = (long)floor(gb->y0 / step), b1 = (long)floor(gb->y1 / step);
        for (long row = b0; row <= b1 && row < r1; row++) {
            for (long col = a0; col <= a1 && col < c1; col++) {
                struct wg_box o = {
                    fmax(gb->x0, (double)col * step), fmax(gb->y0, (double)row * step),
                    fmin(gb->x1, (double)(col + 1) * step), fmin(gb->y1, (double)(row + 1) * step)};
                if (o.x1 <= o.x0 || o.y1 <= o.y0) {
                    continue;
                }
                struct pv_cell *c = &cells[(size_t)(row - r0) * ncol + (size_t)(col - c0)];
                if (cell_add(c, g, box_m2(&o)) < 0) {
                    rc = og_tool_nomem(err);
                    goto done;
                }
            }
        }
    }
    for (long row = r1 - 1; row >= r0; row--) {
        for (long col = c0; col < c1; col++) {
            struct pv_cell *c = &cells[(size_t)(row - r0) * ncol + (size_t)(col - c0)];
            struct wg_box cb = {
                fmax(all->x0, (double)col * step), fmax(all->y0, (double)row * step),
                fmin(all->x1, (double)(col + 1) * step), fmin(all->y1, (double)(row + 1) * step)};
            if (c->nrows == 0 || cb.x1 <= cb.x0 || cb.y1 <= cb.y0 ||
                box_m2(&cb) <= WG_MIN_CELL_M2) {
                continue;
            }
            double cx = (cb.x0 + cb.x1) / 2, cy = (cb.y0 + cb.y1) / 2;
            size_t owner_grid = c->rows[0].grid;
            for (size_t k = 0; k < c->nrows; k++) {
                const struct wg_box *gb = &pv->grid_box[c->rows[k].grid];
                if (cx >= gb->x0 && cx <= gb->x1 && cy >= gb->y0 && cy <= gb->y1) {
                    owner_grid = c->rows[k].grid;
                    break;
                }
            }
            size_t comm = w->grids[owner_grid].comm, owner = ps ? w->comms[comm].street : comm;
            unsigned num = ++counter[owner];
            if (og_tool_grow((void **)&w->depts, &w->capdepts, w->ndepts + 1, sizeof *w->depts) <
                0) {
                rc = og_tool_nomem(err);
                goto done;
            }
            struct wg_dept *d = &w->depts[w->ndepts++];
            memset(d, 0, sizeof *d);
            snprintf(d->dept, sizeof d->dept, "%s", dept);
            d->rows = c->rows;
            d->nrows = c->nrows;
            c->rows = NULL;
            c->nrows = 0;
            if (box_mpoly(&cb, &d->area) < 0) {
                rc = og_tool_nomem(err);
                goto done;
            }
            if (ps) {
                const struct wg_street *st = &w->streets[owner];
                size_t nl = strlen(st->name);
                int base = (int)(nl > 6 && strcmp(st->name + nl - 6, "街道") == 0 ? nl - 6 : nl);
                /* station = the street's number in its county (01..), like Jinping's */
                unsigned station = (unsigned)atoi(st->code + 6);
                snprintf(d->code, sizeof d->code, "%.6s%02uJW%03u", st->code, station % 100u, num);
                snprintf(d->name, sizeof d->name, "%.*s派出所第%03u警务网格", base, st->name, num);
                if (num > 999 || station > 99) {
                    rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                                      "street %s: station or beat number out of range", st->code);
                    goto done;
                }
            }
            else {
                const struct wg_comm *cm = &w->comms[owner];
                snprintf(d->code, sizeof d->code, "%s%02u", cm->code, num % 100u);
                snprintf(d->name, sizeof d->name, "%s第%02u单元网格", cm->name, num % 100u);
                if (num > 99) {
                    rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                                      "more than 99 unit grids in community %s", cm->code);
                    goto done;
                }
            }
        }
    }
done:
    if (cells != NULL) {
        for (size_t i = 0; i < ncol * nrow; i++) {
            free(cells[i].rows);
        }
    }
    free(cells);
    free(counter);
    return rc;
}

static int pv_fire_and_health(struct wg_world *w, const struct wg_pv *pv, struct og_error *err)
{
    for (size_t ci = 0; ci < w->ncomms; ci++) {
        const struct wg_comm *cm = &w->comms[ci];
        size_t need = w->ndepts + 2 + cm->ngrids;
        if (og_tool_grow((void **)&w->depts, &w->capdepts, need, sizeof *w->depts) < 0) {
            return og_tool_nomem(err);
        }
        struct wg_dept *fr = &w->depts[w->ndepts++], *hl = &w->depts[w->ndepts++];
        memset(fr, 0, sizeof *fr);
        memset(hl, 0, sizeof *hl);
        snprintf(fr->dept, sizeof fr->dept, "FR");
        snprintf(hl->dept, sizeof hl->dept, "HL");
        og_tool_fire_grid_name(w->streets[cm->street].name, cm->name, fr->code, sizeof fr->code);
        snprintf(fr->name, sizeof fr->name, "%s", fr->code);
        snprintf(hl->code, sizeof hl->code, "%s", cm->code);
        snprintf(hl->name, sizeof hl->name, "%s", cm->name);
        fr->rows = calloc(cm->ngrids, sizeof *fr->rows);
        hl->rows = calloc(cm->ngrids, sizeof *hl->rows);
        if (fr->rows == NULL || hl->rows == NULL || box_mpoly(&pv->comm_box[ci], &fr->area) < 0) {
            return og_tool_nomem(err);
        }
        for (size_t g = cm->first_grid; g < cm->first_grid + cm->ngrids; g++) {
            fr->rows[fr->nrows++] = (struct wg_xrow){g, w->grids[g].area_m2, 0};
            hl->rows[hl->nrows++] = (struct wg_xrow){g, w->grids[g].area_m2, 0};
            struct wg_dept *hg = &w->depts[w->ndepts++];
            memset(hg, 0, sizeof *hg);
            snprintf(hg->dept, sizeof hg->dept, "HL");
            snprintf(hg->code, sizeof hg->code, "%s", w->grids[g].code);
            snprintf(hg->name, sizeof hg->name, "%s", w->grids[g].name);
            hg->rows = malloc(sizeof *hg->rows);
            if (hg->rows == NULL) {
                return og_tool_nomem(err);
            }
            hg->rows[0] = (struct wg_xrow){g, 1.0, 0};
            hg->nrows = 1;
        }
    }
    return 0;
}

static int cmp_cent(const void *a, const void *b)
{
    const struct wg_grid *x = a, *y = b;
    if (x->clat != y->clat) {
        return x->clat > y->clat ? -1 : 1; /* north first */
    }
    return (x->clng > y->clng) - (x->clng < y->clng);
}

/* Grids of one community: boxes, then numbered north->south rows, west->east (rows of a box cut
 * are exact: centroids of one row share their latitude). */
static int pv_grids(struct wg_world *w, struct wg_pv *pv, size_t ci, struct og_error *err)
{
    struct wg_comm *cm = &w->comms[ci];
    double wt[999];
    struct wg_box parts[999];
    for (size_t k = 0; k < 999; k++) {
        wt[k] = 1;
    }
    split_box(&pv->comm_box[ci], wt, cm->ngrids, parts);
    struct wg_grid *gs = &w->grids[cm->first_grid];
    for (size_t k = 0; k < cm->ngrids; k++) {
        gs[k].clng = (parts[k].x0 + parts[k].x1) / 2;
        gs[k].clat = (parts[k].y0 + parts[k].y1) / 2;
        gs[k].area_m2 = (double)k; /* the part, until sorted */
    }
    qsort(gs, cm->ngrids, sizeof *gs, cmp_cent);
    for (size_t k = 0; k < cm->ngrids; k++) {
        struct wg_grid *gr = &gs[k];
        const struct wg_box *b = &parts[(size_t)gr->area_m2];
        pv->grid_box[cm->first_grid + k] = *b;
        if (box_mpoly(b, &gr->area) < 0) {
            return og_tool_nomem(err);
        }
        snprintf(gr->code, sizeof gr->code, "%.12s%03u", cm->code, (unsigned)(k + 1) % 1000u);
        snprintf(gr->name, sizeof gr->name, "%s第%u网格", cm->name, (unsigned)(k + 1) % 1000u);
        gr->comm = ci;
        gr->area_m2 = box_m2(b);
        gr->bbox = (struct og_bbox){b->x0, b->y0, b->x1, b->y1};
    }
    return 0;
}

void wg_pv_free(struct wg_pv *pv)
{
    free(pv->city_box);
    free(pv->county_box);
    free(pv->street_box);
    free(pv->comm_box);
    free(pv->grid_box);
    free(pv->county_code);
    free(pv->county_name);
    memset(pv, 0, sizeof *pv);
}

int wg_province_build(struct wg_world *w, struct wg_pv *pv, const char *prov, size_t grids,
                      struct og_error *err)
{
    struct wg_pv_counts *c = &pv->n;
    if (strlen(prov) != 2 || prov[0] < '1' || prov[0] > '9' || prov[1] < '0' || prov[1] > '9' ||
        wg_province_counts(grids, c) < 0) {
        return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                            "cannot make a province %s of %zu grids", prov, grids);
    }
    snprintf(pv->code, sizeof pv->code, "%s", prov);
    /* the full box for 61,000 grids; fewer grids, a box of the same centre and grid size */
    double f = sqrt((double)grids / 61000.0), mx = (WG_PV_LNG0 + WG_PV_LNG1) / 2,
           my = (WG_PV_LAT0 + WG_PV_LAT1) / 2;
    pv->box = (struct wg_box){mx - f * (mx - WG_PV_LNG0), my - f * (my - WG_PV_LAT0),
                              mx + f * (WG_PV_LNG1 - mx), my + f * (WG_PV_LAT1 - my)};
    size_t maxn = c->grids;
    double *wt = malloc(maxn * sizeof *wt);
    pv->city_box = calloc(c->cities, sizeof *pv->city_box);
    pv->county_box = calloc(c->counties, sizeof *pv->county_box);
    pv->street_box = calloc(c->streets, sizeof *pv->street_box);
    pv->comm_box = calloc(c->comms, sizeof *pv->comm_box);
    pv->grid_box = calloc(c->grids, sizeof *pv->grid_box);
    pv->county_code = calloc(c->counties, 7);
    pv->county_name = calloc(c->counties, 64);
    w->streets = calloc(c->streets, sizeof *w->streets);
    w->comms = calloc(c->comms, sizeof *w->comms);
    w->grids = calloc(c->grids, sizeof *w->grids);
    int rc = 0;
    if (wt == NULL || pv->city_box == NULL || pv->county_box == NULL || pv->street_box == NULL ||
        pv->comm_box == NULL || pv->grid_box == NULL || pv->county_code == NULL ||
        pv->county_name == NULL || w->streets == NULL || w->comms == NULL || w->grids == NULL) {
        rc = og_tool_nomem(err);
        goto done;
    }
    w->nstreets = c->streets;
    w->ncomms = c->comms;
    w->ngrids = c->grids;
    /* codes: city pp01.., county ppcc01.., street +001.., community +001.. */
    char code[16];
    for (size_t i = 0; i < c->cities; i++) {
        snprintf(code, sizeof code, "%s%02u", prov, (unsigned)(i + 1) % 100u);
        wt[i] = code_weight(code);
    }
    split_box(&pv->box, wt, c->cities, pv->city_box);
    for (size_t p = 0; p < c->cities; p++) {
        for (size_t k = first_of(p, c->counties, c->cities);
             k < first_of(p + 1, c->counties, c->cities); k++) {
            size_t seq = k - first_of(p, c->counties, c->cities) + 1;
            char *cc = pv->county_code + 7 * k;
            snprintf(cc, 7, "%.2s%02u%02u", prov, (unsigned)(p + 1) % 100u, (unsigned)seq % 100u);
            snprintf(pv->county_name + 64 * k, 64, "示范%s区", cc + 2);
            wt[k] = code_weight(cc);
        }
    }
    split_level(pv->city_box, c->cities, pv->county_box, c->counties, wt);
    for (size_t p = 0; p < c->counties; p++) {
        for (size_t k = first_of(p, c->streets, c->counties);
             k < first_of(p + 1, c->streets, c->counties); k++) {
            struct wg_street *st = &w->streets[k];
            size_t seq = k - first_of(p, c->streets, c->counties) + 1;
            snprintf(st->code, sizeof st->code, "%s%03zu", pv->county_code + 7 * p, seq % 1000u);
            snprintf(st->name, sizeof st->name, "示范%s街道", st->code + 2);
            st->first_comm = first_of(k, c->comms, c->streets);
            st->ncomms = first_of(k + 1, c->comms, c->streets) - st->first_comm;
            wt[k] = code_weight(st->code);
        }
    }
    split_level(pv->county_box, c->counties, pv->street_box, c->streets, wt);
    size_t ngrid = 0;
    for (size_t s = 0; s < c->streets; s++) {
        const struct wg_street *st = &w->streets[s];
        for (size_t k = st->first_comm; k < st->first_comm + st->ncomms; k++) {
            struct wg_comm *cm = &w->comms[k];
            snprintf(cm->code, sizeof cm->code, "%s%03zu", st->code,
                     (k - st->first_comm + 1) % 1000u);
            memcpy(cm->code2016, cm->code, sizeof cm->code);
            snprintf(cm->name, sizeof cm->name, "示范%s居委会", cm->code + 9);
            cm->street = s;
            cm->first_grid = first_of(k, c->grids, c->comms);
            cm->ngrids = first_of(k + 1, c->grids, c->comms) - cm->first_grid;
            ngrid += cm->ngrids;
            wt[k] = code_weight(cm->code);
        }
    }
    split_level(pv->street_box, c->streets, pv->comm_box, c->comms, wt);
    for (size_t k = 0; k < c->comms && rc == 0; k++) {
        struct wg_comm *cm = &w->comms[k];
        cm->area_m2 = box_m2(&pv->comm_box[k]);
        if (box_mpoly(&pv->comm_box[k], &cm->area) < 0) {
            rc = og_tool_nomem(err);
        }
        if (rc == 0) {
            rc = pv_grids(w, pv, k, err);
        }
    }
    if (rc == 0 && ngrid != c->grids) {
        rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                          "%zu grids made, %zu wanted", ngrid, c->grids);
    }
    if (rc == 0) {
        rc = pv_lattice(w, pv, "PS", WG_PV_PS_STEP, err);
    }
    if (rc == 0) {
        rc = pv_lattice(w, pv, "UM", WG_PV_UM_STEP, err);
    }
    if (rc == 0) {
        rc = pv_fire_and_health(w, pv, err);
    }
done:
    free(wt);
    return rc;
}

int wg_province_write_divisions(const struct wg_world *w, const struct wg_pv *pv, const char *dir,
                                struct og_error *err)
{
    struct og_buf b = OG_BUF_INIT;
    char code[8], name[64], parent[8];
    int rc = wg_csv_row(&b, 5, "code", "level", "name", "parent_code", "edition");
    snprintf(name, sizeof name, "示范%s省", pv->code);
    rc = rc ? rc : wg_csv_row(&b, 5, pv->code, "1", name, "", WG_EDITION);
    for (size_t i = 0; i < pv->n.cities && rc == 0; i++) {
        snprintf(code, sizeof code, "%.2s%02u", pv->code, (unsigned)(i + 1) % 100u);
        snprintf(name, sizeof name, "示范%s市", code + 2);
        rc = wg_csv_row(&b, 5, code, "2", name, pv->code, WG_EDITION);
    }
    for (size_t k = 0; k < pv->n.counties && rc == 0; k++) {
        snprintf(parent, sizeof parent, "%.4s", pv->county_code + 7 * k);
        rc = wg_csv_row(&b, 5, pv->county_code + 7 * k, "3", pv->county_name + 64 * k, parent,
                        WG_EDITION);
    }
    for (size_t s = 0; s < w->nstreets && rc == 0; s++) {
        snprintf(parent, sizeof parent, "%.6s", w->streets[s].code);
        rc = wg_csv_row(&b, 5, w->streets[s].code, "4", w->streets[s].name, parent, WG_EDITION);
    }
    for (size_t i = 0; i < w->ncomms && rc == 0; i++) {
        const struct wg_comm *cm = &w->comms[i];
        rc = wg_csv_row(&b, 5, cm->code, "5", cm->name, w->streets[cm->street].code, WG_EDITION);
    }
    rc = rc < 0 ? og_tool_nomem(err) : wg_write_atomic(dir, "divisions.csv", &b, err);
    og_buf_reset(&b);
    /* no earlier edition: the alias file holds its header only */
    if (rc == 0) {
        rc = wg_csv_row(&b, 5, "old_code", "code", "edition", "level", "old_name");
        rc = rc < 0 ? og_tool_nomem(err) : wg_write_atomic(dir, "division_alias.csv", &b, err);
    }
    og_buf_free(&b);
    return rc;
}
