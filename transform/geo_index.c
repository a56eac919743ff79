/* geo_index.c - spatial index: a uniform bucket grid over multipolygon bboxes, exact test after. */
#include "transform/geo.h"
#include "transform/geo_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Spatial index                                                                              */
/* ------------------------------------------------------------------------------------------ */

#define INDEX_PER_BUCKET 4
#define INDEX_MAX_SIDE 2048

struct geo_entry {
    const struct og_mpoly *mp; /* borrowed */
    struct og_bbox bb;
    int id;
    size_t seq; /* insertion order, for a stable sort */
};

/* One polygon as listed in a bucket: its bbox, id and shape copied in, so that a lookup reads one
 * bucket's items in a row and follows no pointer but the vertices of a candidate. With 61,000 grids
 * the polygons no longer fit in the caches, and each pointer followed (entry, polygon, ring) was a
 * cache miss. A polygon of one ring without holes (nearly every grid) is tested through ring
 * directly, by the same rule as og_mpoly_contains; any other through mp. */
struct geo_item {
    struct og_bbox bb;
    struct og_ring ring;       /* borrowed from mp; ring.xy NULL: use mp */
    const struct og_mpoly *mp; /* borrowed */
    int id;
};

struct og_geo_index {
    struct geo_entry *entries;
    size_t n, cap;
    bool built;
    struct og_bbox bb;      /* over all entries */
    int nx, ny;             /* buckets per axis */
    double sx, sy;          /* buckets per degree */
    size_t *start;          /* nx*ny + 1 offsets into items */
    struct geo_item *items; /* ascending id within a bucket */
};

struct og_geo_index *og_geo_index_create(void)
{
    return calloc(1, sizeof(struct og_geo_index));
}

static void index_clear_grid(struct og_geo_index *idx)
{
    free(idx->start);
    free(idx->items);
    idx->start = NULL;
    idx->items = NULL;
    idx->built = false;
}

void og_geo_index_destroy(struct og_geo_index *idx)
{
    if (!idx)
        return;
    index_clear_grid(idx);
    free(idx->entries);
    free(idx);
}

int og_geo_index_add(struct og_geo_index *idx, const struct og_mpoly *mp, int id)
{
    if (!idx || !mp || id < 0)
        return OG_EINVAL;
    if (idx->n >= UINT32_MAX)
        return OG_ENOMEM;
    if (idx->n == idx->cap) {
        size_t cap = idx->cap ? 2 * idx->cap : 64;
        struct geo_entry *e = realloc(idx->entries, cap * sizeof(*e));
        if (!e)
            return OG_ENOMEM;
        idx->entries = e;
        idx->cap = cap;
    }
    idx->entries[idx->n] = (struct geo_entry){.mp = mp, .id = id, .seq = idx->n};
    idx->n++;
    idx->built = false;
    return 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
    const struct geo_entry *a = pa, *b = pb;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool bbox_valid(const struct og_bbox *bb)
{
    return isfinite(bb->min_lng) && isfinite(bb->max_lng) && isfinite(bb->min_lat) &&
           isfinite(bb->max_lat) && bb->min_lng <= bb->max_lng && bb->min_lat <= bb->max_lat;
}

/* Bucket column/row. Monotone in the coordinate, so a point inside a bbox always maps between
 * the buckets of the bbox corners. */
static inline int bucket_x(const struct og_geo_index *idx, double lng)
{
    double f = (lng - idx->bb.min_lng) * idx->sx;
    int i = f > 0 ? (int)f : 0;
    return i < idx->nx ? i : idx->nx - 1;
}

static inline int bucket_y(const struct og_geo_index *idx, double lat)
{
    double f = (lat - idx->bb.min_lat) * idx->sy;
    int i = f > 0 ? (int)f : 0;
    return i < idx->ny ? i : idx->ny - 1;
}

int og_geo_index_build(struct og_geo_index *idx)
{
    if (!idx)
        return OG_EINVAL;
    index_clear_grid(idx);
    if (idx->n > 1)
        qsort(idx->entries, idx->n, sizeof(*idx->entries), entry_cmp);
    struct og_bbox all = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    size_t nvalid = 0;
    for (size_t i = 0; i < idx->n; i++) {
        struct geo_entry *e = &idx->entries[i];
        e->bb = og_mpoly_bbox(e->mp);
        if (!bbox_valid(&e->bb))
            continue;
        /* Widen by the on-edge tolerance so that every point og_mpoly_contains accepts is inside.
         */
        e->bb.min_lng -= GEO_EDGE_TOL;
        e->bb.min_lat -= GEO_EDGE_TOL;
        e->bb.max_lng += GEO_EDGE_TOL;
        e->bb.max_lat += GEO_EDGE_TOL;
        nvalid++;
        all.min_lng = fmin(all.min_lng, e->bb.min_lng);
        all.min_lat = fmin(all.min_lat, e->bb.min_lat);
        all.max_lng = fmax(all.max_lng, e->bb.max_lng);
        all.max_lat = fmax(all.max_lat, e->bb.max_lat);
    }
    if (nvalid == 0) {
        all = (struct og_bbox){1, 1, 0, 0}; /* empty: find rejects every point */
    }
    idx->bb = all;

    /* Grid shape: about INDEX_PER_BUCKET polygons per bucket, cells roughly square in degrees. */
    double nb = (double)(nvalid / INDEX_PER_BUCKET);
    if (nb < 1)
        nb = 1;
    double w = all.max_lng - all.min_lng, h = all.max_lat - all.min_lat;
    double fx;
    if (nvalid == 0 || (w <= 0 && h <= 0))
        fx = 1;
    else if (h <= 0)
        fx = nb;
    else if (w <= 0)
        fx = 1;
    else
        fx = round(sqrt(nb * w / h));
    fx = fmin(fmax(fx, 1), fmin(nb, INDEX_MAX_SIDE));
    double fy = fmin(fmax(ceil(nb / fx), 1), INDEX_MAX_SIDE);
    if (nvalid > 0 && h <= 0)
        fy = 1;
    idx->nx = (int)fx;
    idx->ny = (int)fy;
    idx->sx = w > 0 ? idx->nx / w : 0;
    idx->sy = h > 0 ? idx->ny / h : 0;

    size_t nbuckets = (size_t)idx->nx * (size_t)idx->ny;
    idx->start = calloc(nbuckets + 1, sizeof(*idx->start));
    if (!idx->start)
        return OG_ENOMEM;
    /* Count, prefix-sum, fill (in id order, so each bucket lists ascending ids). */
    for (size_t i = 0; i < idx->n; i++) {
        const struct geo_entry *e = &idx->entries[i];
        if (!bbox_valid(&e->bb))
            continue;
        int x0 = bucket_x(idx, e->bb.min_lng), x1 = bucket_x(idx, e->bb.max_lng);
        int y0 = bucket_y(idx, e->bb.min_lat), y1 = bucket_y(idx, e->bb.max_lat);
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
                idx->start[(size_t)y * (size_t)idx->nx + (size_t)x + 1]++;
    }
    for (size_t b = 0; b < nbuckets; b++)
        idx->start[b + 1] += idx->start[b];
    size_t total = idx->start[nbuckets];
    idx->items = malloc((total ? total : 1) * sizeof(*idx->items));
    size_t *fill = malloc((nbuckets ? nbuckets : 1) * sizeof(*fill));
    if (!idx->items || !fill) {
        free(fill);
        index_clear_grid(idx);
        return OG_ENOMEM;
    }
    memcpy(fill, idx->start, nbuckets * sizeof(*fill));
    for (size_t i = 0; i < idx->n; i++) {
        const struct geo_entry *e = &idx->entries[i];
        if (!bbox_valid(&e->bb))
            continue;
        int x0 = bucket_x(idx, e->bb.min_lng), x1 = bucket_x(idx, e->bb.max_lng);
        int y0 = bucket_y(idx, e->bb.min_lat), y1 = bucket_y(idx, e->bb.max_lat);
        bool single = e->mp->npolys == 1 && e->mp->polys[0].nrings == 1;
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++) {
                size_t k = fill[(size_t)y * (size_t)idx->nx + (size_t)x]++;
                idx->items[k] = (struct geo_item){.bb = e->bb,
                                                  .ring = single ? e->mp->polys[0].rings[0]
                                                                 : (struct og_ring){NULL, 0},
                                                  .mp = e->mp,
                                                  .id = e->id};
            }
    }
    free(fill);
    idx->built = true;
    return 0;
}

int og_geo_index_find(const struct og_geo_index *idx, double lng, double lat)
{
    if (!idx || !idx->built)
        return -1;
    const struct og_bbox *all = &idx->bb;
    if (!(lng >= all->min_lng && lng <= all->max_lng && lat >= all->min_lat && lat <= all->max_lat))
        return -1; /* also rejects NaN */
    size_t b = (size_t)bucket_y(idx, lat) * (size_t)idx->nx + (size_t)bucket_x(idx, lng);
    for (size_t k = idx->start[b]; k < idx->start[b + 1]; k++) {
        const struct geo_item *it = &idx->items[k];
        if (lng < it->bb.min_lng || lng > it->bb.max_lng || lat < it->bb.min_lat ||
            lat > it->bb.max_lat)
            continue;
        if (it->ring.xy ? og_ring_contains(&it->ring, lng, lat)
                        : og_mpoly_contains(it->mp, lng, lat))
            return it->id;
    }
    return -1;
}
