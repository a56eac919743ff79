/* cut.c - og-worldgen's street, community and unified-grid areas cut from the outline. */
#include "tools/common/mem.h"
#include "tools/common/rng.h"
#include "tools/og-worldgen/worldgen.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The synthetic size of a community inside its street: 0.6 .. 1.4, drawn from its code with a fixed
 * seed, so that community areas differ (equal weights would make every community the same size and
 * "the five largest" a matter of rounding) and do not depend on the other rows of the input. */
static double community_weight(const char *code)
{
    uint64_t x = WG_SEED;
    for (const char *p = code; *p; p++) {
        x = og_tool_splitmix64(x ^ (uint64_t)(unsigned char)*p);
    }
    return 0.6 + 0.8 * (double)(x >> 11) / 9007199254740992.0; /* 53 bits -> [0, 1) */
}

int wg_cut_streets_and_communities(struct wg_world *w, struct og_error *err)
{
    double *wt = malloc((w->ncomms + 1) * sizeof *wt);
    struct og_mpoly *parts = calloc(w->ncomms + 1, sizeof *parts);
    int rc = 0;
    if (wt == NULL || parts == NULL) {
        rc = og_tool_nomem(err);
        goto done;
    }
    for (size_t s = 0; s < w->nstreets; s++) {
        wt[s] = (double)w->streets[s].ncomms;
    }
    if (wg_partition(&w->outline, wt, w->nstreets, 0, parts) < 0) {
        rc = og_tool_nomem(err);
        goto done;
    }
    for (size_t s = 0; s < w->nstreets; s++) {
        w->streets[s].area = parts[s];
        memset(&parts[s], 0, sizeof parts[s]);
    }
    for (size_t s = 0; s < w->nstreets; s++) {
        struct wg_street *st = &w->streets[s];
        for (size_t i = 0; i < st->ncomms; i++) {
            wt[i] = community_weight(w->comms[st->first_comm + i].code);
        }
        if (wg_partition(&st->area, wt, st->ncomms, 0, parts) < 0) {
            rc = og_tool_nomem(err);
            goto done;
        }
        for (size_t i = 0; i < st->ncomms; i++) {
            struct wg_comm *cm = &w->comms[st->first_comm + i];
            cm->area = parts[i];
            memset(&parts[i], 0, sizeof parts[i]);
            cm->area_m2 = og_mpoly_area_m2(&cm->area);
            if (cm->area.npolys == 0) {
                rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                                  "community %s got an empty area", cm->code);
                goto done;
            }
        }
    }
done:
    if (parts != NULL) {
        for (size_t i = 0; i <= w->ncomms; i++) {
            og_mpoly_free(&parts[i]);
        }
    }
    free(parts);
    free(wt);
    return rc;
}

struct wg_by_area {
    double area_m2;
    const char *code;
    size_t comm;
};

static int cmp_by_area(const void *a, const void *b)
{
    const struct wg_by_area *x = a, *y = b;
    if (x->area_m2 != y->area_m2) {
        return x->area_m2 > y->area_m2 ? -1 : 1;
    }
    return strcmp(x->code, y->code);
}

struct wg_cent {
    size_t part;
    double lng, lat;
};

static int cmp_cent_lat(const void *a, const void *b)
{
    const struct wg_cent *x = a, *y = b;
    if (x->lat != y->lat) {
        return x->lat > y->lat ? -1 : 1;
    }
    return (x->lng > y->lng) - (x->lng < y->lng);
}

static int cmp_cent_lng(const void *a, const void *b)
{
    const struct wg_cent *x = a, *y = b;
    if (x->lng != y->lng) {
        return x->lng < y->lng ? -1 : 1;
    }
    return (x->lat < y->lat) - (x->lat > y->lat);
}

/* Orders centroids west->east, north->south: sorted north first; a row is every centroid within
 * tol degrees of latitude below the northernmost one not yet placed; each row west to east. */
static void order_rows(struct wg_cent *c, size_t n, double tol)
{
    qsort(c, n, sizeof *c, cmp_cent_lat);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && c[j].lat >= c[i].lat - tol) {
            j++;
        }
        qsort(c + i, j - i, sizeof *c, cmp_cent_lng);
        i = j;
    }
}

/* Cuts a community into its ngrids equal-area grids. The plain bisection is tried first, then the
 * variants cutting the other axis at some depths; the first whose grid centroids all lie inside
 * their own grid is taken, else the first whose centroids lie inside the community (the importer
 * places a grid by its centroid), else an error. parts[] and cent[] (centroids, part = index) are
 * filled. */
static int cut_community(const struct wg_comm *cm, struct og_mpoly parts[5], struct wg_cent cent[5],
                         struct og_error *err)
{
    static const double wt[5] = {1, 1, 1, 1, 1};
    int fallback = -1;
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned flip = 0; flip < 8; flip++) {
            if (pass == 1 && (int)flip != fallback) {
                continue;
            }
            bool in_grid = true, in_comm = true;
            if (wg_partition(&cm->area, wt, cm->ngrids, flip, parts) < 0) {
                return og_tool_nomem(err);
            }
            for (size_t g = 0; g < cm->ngrids; g++) {
                cent[g].part = g;
                og_mpoly_centroid(&parts[g], &cent[g].lng, &cent[g].lat);
                in_grid = in_grid && og_mpoly_contains(&parts[g], cent[g].lng, cent[g].lat);
                in_comm = in_comm && og_mpoly_contains(&cm->area, cent[g].lng, cent[g].lat);
            }
            if (in_grid || pass == 1) {
                return 0;
            }
            if (in_comm && fallback < 0) {
                fallback = (int)flip;
            }
            for (size_t g = 0; g < 5; g++) {
                og_mpoly_free(&parts[g]);
            }
        }
        if (fallback < 0) {
            break;
        }
    }
    return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                        "community %s: no cut keeps every grid centroid inside it", cm->code);
}

int wg_cut_grids(struct wg_world *w, size_t five_count, struct og_error *err)
{
    int rc = 0;
    struct wg_by_area *order = malloc(w->ncomms * sizeof *order);
    if (order == NULL) {
        return og_tool_nomem(err);
    }
    for (size_t i = 0; i < w->ncomms; i++) {
        order[i] = (struct wg_by_area){w->comms[i].area_m2, w->comms[i].code, i};
        w->comms[i].ngrids = 4;
    }
    qsort(order, w->ncomms, sizeof *order, cmp_by_area);
    for (size_t i = 0; i < five_count && i < w->ncomms; i++) {
        w->comms[order[i].comm].ngrids = 5;
    }
    free(order);
    size_t total = 0;
    for (size_t i = 0; i < w->ncomms; i++) {
        w->comms[i].first_grid = total;
        total += w->comms[i].ngrids;
    }
    w->grids = calloc(total, sizeof *w->grids);
    if (w->grids == NULL) {
        return og_tool_nomem(err);
    }
    w->ngrids = total;
    for (size_t ci = 0; ci < w->ncomms; ci++) {
        struct wg_comm *cm = &w->comms[ci];
        struct og_mpoly parts[5] = {{0}};
        struct wg_cent cent[5];
        if ((rc = cut_community(cm, parts, cent, err)) < 0) {
            return rc;
        }
        double tol = sqrt(cm->area_m2 / (double)cm->ngrids) / WG_M_PER_DEG / 2;
        order_rows(cent, cm->ngrids, tol);
        for (size_t g = 0; g < cm->ngrids; g++) {
            struct wg_grid *gr = &w->grids[cm->first_grid + g];
            gr->area = parts[cent[g].part];
            memset(&parts[cent[g].part], 0, sizeof parts[0]);
            unsigned seq = (unsigned)(g + 1) % 1000u; /* g < 5 */
            snprintf(gr->code, sizeof gr->code, "%.12s%03u", cm->code, seq);
            snprintf(gr->name, sizeof gr->name, "%s第%u网格", cm->name, seq);
            gr->comm = ci;
            gr->area_m2 = og_mpoly_area_m2(&gr->area);
            gr->clng = cent[g].lng;
            gr->clat = cent[g].lat;
            gr->bbox = og_mpoly_bbox(&gr->area);
            if (gr->area.npolys == 0) {
                rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                                  "grid %s got an empty area", gr->code);
            }
        }
        for (size_t g = 0; g < 5; g++) {
            og_mpoly_free(&parts[g]);
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}
