/* geo_internal.h - helpers shared by transform/geo*.c only; not part of the geo API (use geo.h). */
#ifndef OG_GEO_INTERNAL_H
#define OG_GEO_INTERNAL_H

#include <stddef.h>

/* Same literal as the reference implementations (coordtransform, eviltransform, PRCoords). */
#define GEO_PI 3.1415926535897932384626

/* Points closer than this (degrees, ~0.1 um) to an edge count as on the edge. */
#define GEO_EDGE_TOL 1e-12

/* Number of distinct vertices: drops a repeated closing point. */
static inline size_t geo_ring_len(const double *xy, size_t n)
{
    if (n >= 2 && xy[0] == xy[2 * (n - 1)] && xy[1] == xy[2 * (n - 1) + 1])
        return n - 1;
    return n;
}

#endif
