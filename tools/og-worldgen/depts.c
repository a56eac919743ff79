/* depts.c - og-worldgen's department grids (PS, UM, FR, HL) and their crosswalk rows. */
#include "tools/common/mem.h"
#include "tools/common/text.h"
#include "tools/og-worldgen/worldgen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct wg_dept *dept_new(struct wg_world *w, const char *dept, struct og_error *err)
{
    if (og_tool_grow((void **)&w->depts, &w->capdepts, w->ndepts + 1, sizeof *w->depts) < 0) {
        og_tool_nomem(err);
        return NULL;
    }
    struct wg_dept *d = &w->depts[w->ndepts++];
    memset(d, 0, sizeof *d);
    snprintf(d->dept, sizeof d->dept, "%s", dept);
    return d;
}

static int dept_add_row(struct wg_dept *d, size_t grid, double weight)
{
    struct wg_xrow *nr = realloc(d->rows, (d->nrows + 1) * sizeof *nr);
    if (nr == NULL) {
        return OG_ENOMEM;
    }
    d->rows = nr;
    d->rows[d->nrows++] = (struct wg_xrow){grid, weight, 0};
    return 0;
}

/* Drops shares below WG_MIN_WEIGHT, renormalises, rounds to millionths and gives the remainder to
 * the last row, so the written weights add up to exactly 1. Rows must be in grid order. */
int wg_dept_finish(struct wg_dept *d, struct og_error *err)
{
    double sum = 0;
    for (size_t i = 0; i < d->nrows; i++) {
        sum += d->rows[i].w;
    }
    if (!(sum > 0)) {
        return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                            "%s grid %s overlaps no unified grid", d->dept, d->code);
    }
    size_t m = 0;
    for (size_t i = 0; i < d->nrows; i++) {
        if (d->rows[i].w / sum >= WG_MIN_WEIGHT) {
            d->rows[m++] = d->rows[i];
        }
    }
    d->nrows = m;
    sum = 0;
    for (size_t i = 0; i < m; i++) {
        sum += d->rows[i].w;
    }
    long acc = 0;
    for (size_t i = 0; i < m; i++) {
        d->rows[i].w /= sum;
        d->rows[i].micro = lround(d->rows[i].w * 1e6);
        if (i + 1 < m) {
            acc += d->rows[i].micro;
        }
    }
    d->rows[m - 1].micro = 1000000 - acc;
    if (d->rows[m - 1].micro <= 0) {
        return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                            "%s grid %s: rounding left no weight for its last row", d->dept,
                            d->code);
    }
    return 0;
}

/* Overlap areas of each unified grid with the rectangle, as crosswalk rows of d (raw areas). */
static int lattice_overlaps(const struct wg_world *w, struct wg_dept *d, const struct og_ring *rect,
                            const struct og_bbox *rb)
{
    for (size_t g = 0; g < w->ngrids; g++) {
        const struct wg_grid *gr = &w->grids[g];
        if (!wg_bbox_overlap(&gr->bbox, rb)) {
            continue;
        }
        double area = 0;
        for (size_t p = 0; p < gr->area.npolys; p++) {
            struct og_ring r = {0};
            if (og_ring_clip_convex(&gr->area.polys[p].rings[0], rect, &r) < 0) {
                return OG_ENOMEM;
            }
            if (r.n > 0) {
                area += og_ring_area_m2(&r);
            }
            og_ring_free(&r);
        }
        if (area > 0 && dept_add_row(d, g, area) < 0) {
            return OG_ENOMEM;
        }
    }
    return 0;
}

/* The largest-weight row's grid (the owner when no area contains the centroid). */
static size_t dept_main_grid(const struct wg_dept *d)
{
    size_t best = 0;
    for (size_t i = 1; i < d->nrows; i++) {
        if (d->rows[i].w > d->rows[best].w) {
            best = i;
        }
    }
    return d->rows[best].grid;
}

/* A lattice scheme (PS or UM): cells of step degrees aligned to multiples of step, clipped to the
 * outline, kept above WG_MIN_CELL_M2, visited north->south, west->east. Each cell's owner (street
 * for PS, community for UM) is the one containing its centroid; numbering runs per owner. */
int wg_make_lattice(struct wg_world *w, const char *dept, double step, struct og_error *err)
{
    bool ps = strcmp(dept, "PS") == 0;
    size_t nowners = ps ? w->nstreets : w->ncomms;
    int rc = 0;
    unsigned *counter = calloc(nowners, sizeof *counter);
    struct og_geo_index *idx = og_geo_index_create();
    if (counter == NULL || idx == NULL) {
        rc = og_tool_nomem(err);
        goto done;
    }
    for (size_t i = 0; i < nowners; i++) {
        const struct og_mpoly *mp = ps ? &w->streets[i].area : &w->comms[i].area;
        if (og_geo_index_add(idx, mp, (int)i) < 0) {
            rc = og_tool_nomem(err);
            goto done;
        }
    }
    if (og_geo_index_build(idx) < 0) {
        rc = og_tool_nomem(err);
        goto done;
    }
    struct og_bbox bb = og_mpoly_bbox(&w->outline);
    long c0 = (long)floor(bb.min_lng / step), c1 = (long)ceil(bb.max_lng / step);
    long r0 = (long)floor(bb.min_lat / step), r1 = (long)ceil(bb.max_lat / step);
    for (long row = r1 - 1; row >= r0; row--) {
        for (long col = c0; col < c1; col++) {
            double x0 = (double)col * step, x1 = (double)(col + 1) * step;
            double y0 = (double)row * step, y1 = (double)(row + 1) * step;
            struct og_mpoly cell = {0}, tmp = {0};
            /* outline clipped by the four sides, each split into simple pieces */
            if (wg_mp_clip(&w->outline, 1, 0, -x0, &cell) < 0 ||
                wg_mp_clip(&cell, -1, 0, x1, &tmp) < 0) {
                og_mpoly_free(&cell);
                rc = og_tool_nomem(err);
                goto done;
            }
            og_mpoly_free(&cell);
            if (wg_mp_clip(&tmp, 0, 1, -y0, &cell) < 0) {
                og_mpoly_free(&tmp);
                rc = og_tool_nomem(err);
                goto done;
            }
            og_mpoly_free(&tmp);
            if (wg_mp_clip(&cell, 0, -1, y1, &tmp) < 0) {
                og_mpoly_free(&cell);
                rc = og_tool_nomem(err);
                goto done;
            }
            og_mpoly_free(&cell);
            cell = tmp;
            if (cell.npolys == 0 || og_mpoly_area_m2(&cell) <= WG_MIN_CELL_M2) {
                og_mpoly_free(&cell);
                continue;
            }
            struct wg_dept *d = dept_new(w, dept, err);
            if (d == NULL) {
                og_mpoly_free(&cell);
                rc = OG_ENOMEM;
                goto done;
            }
            d->area = cell;
            double xy[8], clng, clat;
            struct og_ring rect;
            wg_rect_ring(x0, y0, x1, y1, xy, &rect);
            struct og_bbox rb = {x0, y0, x1, y1};
            if (lattice_overlaps(w, d, &rect, &rb) < 0) {
                rc = og_tool_nomem(err);
                goto done;
            }
            if (d->nrows == 0) {
                rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                                  "%s cell at (%.3f, %.3f) overlaps no unified grid", dept, x0, y0);
                goto done;
            }
            og_mpoly_centroid(&d->area, &clng, &clat);
            int owner = og_geo_index_find(idx, clng, clat);
            if (owner < 0) {
                size_t g = dept_main_grid(d);
                owner = ps ? (int)w->comms[w->grids[g].comm].street : (int)w->grids[g].comm;
            }
            unsigned num = ++counter[owner];
            if (ps) {
                const struct wg_street *st = &w->streets[owner];
                size_t nl = strlen(st->name);
                int base = (int)(nl > 6 && strcmp(st->name + nl - 6, "街道") == 0 ? nl - 6 : nl);
                snprintf(d->code, sizeof d->code, "%s%02dJW%03u", WG_COUNTY, owner + 1, num);
                snprintf(d->name, sizeof d->name, "%.*s派出所第%03u警务网格", base, st->name, num);
                if (num > 999) {
                    rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                                      "more than 999 beats for station %02d", owner + 1);
                    goto done;
                }
            }
            else {
                const struct wg_comm *cm = &w->comms[owner];
                snprintf(d->code, sizeof d->code, "%s%02u", cm->code2016, num);
                snprintf(d->name, sizeof d->name, "%s第%02u单元网格", cm->name, num);
                if (num > 99) {
                    rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                                      "more than 99 unit grids in community %s", cm->code2016);
                    goto done;
                }
            }
        }
    }
done:
    og_geo_index_destroy(idx);
    free(counter);
    return rc;
}

int wg_dept_cmp(const void *a, const void *b)
{
    const struct wg_dept *x = a, *y = b;
    int c = strcmp(x->dept, y->dept);
    return c != 0 ? c : strcmp(x->code, y->code);
}

int wg_make_fire_and_health(struct wg_world *w, struct og_error *err)
{
    for (size_t ci = 0; ci < w->ncomms; ci++) {
        const struct wg_comm *cm = &w->comms[ci];
        struct wg_dept *fr = dept_new(w, "FR", err);
        if (fr == NULL) {
            return OG_ENOMEM;
        }
        og_tool_fire_grid_name(w->streets[cm->street].name, cm->name, fr->code, sizeof fr->code);
        snprintf(fr->name, sizeof fr->name, "%s", fr->code);
        if (og_mpoly_copy(&cm->area, &fr->area) < 0) {
            return og_tool_nomem(err);
        }
        struct wg_dept *hl = dept_new(w, "HL", err);
        if (hl == NULL) {
            return OG_ENOMEM;
        }
        fr = &w->depts[w->ndepts - 2]; /* dept_new may have moved the array */
        snprintf(hl->code, sizeof hl->code, "%s", cm->code);
        snprintf(hl->name, sizeof hl->name, "%s", cm->name);
        for (size_t g = cm->first_grid; g < cm->first_grid + cm->ngrids; g++) {
            if (dept_add_row(fr, g, w->grids[g].area_m2) < 0 ||
                dept_add_row(hl, g, w->grids[g].area_m2) < 0) {
                return og_tool_nomem(err);
            }
        }
        for (size_t g = cm->first_grid; g < cm->first_grid + cm->ngrids; g++) {
            struct wg_dept *hg = dept_new(w, "HL", err);
            if (hg == NULL) {
                return OG_ENOMEM;
            }
            snprintf(hg->code, sizeof hg->code, "%s", w->grids[g].code);
            snprintf(hg->name, sizeof hg->name, "%s", w->grids[g].name);
            if (dept_add_row(hg, g, 1.0) < 0) {
                return og_tool_nomem(err);
            }
        }
    }
    return 0;
}
