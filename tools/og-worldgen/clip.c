/* clip.c - og-worldgen's polygon cutting: split half-plane clips, weighted area bisection. */
#include "tools/og-worldgen/worldgen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Appends a one-ring polygon to mp, stealing ring->xy (ring is zeroed). 0 or OG_ENOMEM. */
static int mp_push(struct og_mpoly *mp, struct og_ring *ring)
{
    struct og_polygon *np = realloc(mp->polys, (mp->npolys + 1) * sizeof *np);
    if (np == NULL) {
        return OG_ENOMEM;
    }
    mp->polys = np;
    struct og_ring *rings = malloc(sizeof *rings);
    if (rings == NULL) {
        return OG_ENOMEM;
    }
    rings[0] = *ring;
    ring->xy = NULL;
    ring->n = 0;
    mp->polys[mp->npolys].rings = rings;
    mp->polys[mp->npolys].nrings = 1;
    mp->npolys++;
    return 0;
}

/* Drops the closing point and consecutive duplicates; makes the ring counter-clockwise. */
static void ring_tidy(struct og_ring *r)
{
    size_t m = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (m > 0 && r->xy[2 * i] == r->xy[2 * (m - 1)] &&
            r->xy[2 * i + 1] == r->xy[2 * (m - 1) + 1]) {
            continue;
        }
        r->xy[2 * m] = r->xy[2 * i];
        r->xy[2 * m + 1] = r->xy[2 * i + 1];
        m++;
    }
    while (m > 1 && r->xy[0] == r->xy[2 * (m - 1)] && r->xy[1] == r->xy[2 * (m - 1) + 1]) {
        m--;
    }
    r->n = m;
    double s = 0;
    for (size_t i = 0; i < m; i++) {
        size_t j = (i + 1) % m;
        s += r->xy[2 * i] * r->xy[2 * j + 1] - r->xy[2 * j] * r->xy[2 * i + 1];
    }
    if (s < 0) {
        for (size_t i = 0, j = m - 1; i < j; i++, j--) {
            double x = r->xy[2 * i], y = r->xy[2 * i + 1];
            r->xy[2 * i] = r->xy[2 * j];
            r->xy[2 * i + 1] = r->xy[2 * j + 1];
            r->xy[2 * j] = x;
            r->xy[2 * j + 1] = y;
        }
    }
}

/* Appends the tidied ring to out unless it is a sliver; steals ring. */
static int mp_push_piece(struct og_mpoly *out, struct og_ring *ring)
{
    ring_tidy(ring);
    if (ring->n < 3 || og_ring_area_m2(ring) < WG_SLIVER_M2) {
        og_ring_free(ring);
        return 0;
    }
    int rc = mp_push(out, ring);
    og_ring_free(ring);
    return rc;
}

struct wg_end {
    double t;
    size_t chain;
    bool start;
};

static int cmp_end(const void *a, const void *b)
{
    const struct wg_end *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* A half-plane clip of a concave ring comes back as one ring whose pieces are joined by zero-width
 * bridges along the cut line a*x + b*y + c = 0. This splits it: the ring is cut into chains between
 * edges lying on the line; the chain ends, sorted along the line, pair up (1st-2nd, 3rd-4th, ...)
 * as the true boundary segments (for a simple ring); following end -> paired start closes each
 * piece. When the pattern is not that simple one (touching vertices, ties) the ring is kept as it
 * is. Steals ring; appends to out. 0 or OG_ENOMEM. */
static int split_on_line(struct og_ring *ring, double a, double b, double c, struct og_mpoly *out)
{
    int rc = 0;
    bool *on = NULL;
    size_t *edges = NULL;
    struct wg_end *ends = NULL;
    size_t *partner = NULL;
    bool *seen = NULL;
    struct og_mpoly pieces = {0};

    ring_tidy(ring);
    size_t n = ring->n;
    if (n < 3) {
        og_ring_free(ring);
        return 0;
    }
    const double *xy = ring->xy;
    on = malloc(n * sizeof *on);
    edges = malloc(n * sizeof *edges);
    if (on == NULL || edges == NULL) {
        rc = OG_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        on[i] = fabs(a * xy[2 * i] + b * xy[2 * i + 1] + c) <= WG_LINE_EPS;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (on[i] && on[(i + 1) % n]) {
            edges[k++] = i;
        }
    }
    if (k <= 1) {
        goto keep;
    }
    /* chain j runs from edges[j]+1 to edges[j+1] */
    ends = malloc(2 * k * sizeof *ends);
    partner = malloc(k * sizeof *partner);
    seen = calloc(k, sizeof *seen);
    if (ends == NULL || partner == NULL || seen == NULL) {
        rc = OG_ENOMEM;
        goto done;
    }
    for (size_t j = 0; j < k; j++) {
        size_t s = (edges[j] + 1) % n, e = edges[(j + 1) % k];
        if (s == e) {
            goto keep;
        }
        ends[2 * j] = (struct wg_end){-b * xy[2 * s] + a * xy[2 * s + 1], j, true};
        ends[2 * j + 1] = (struct wg_end){-b * xy[2 * e] + a * xy[2 * e + 1], j, false};
    }
    qsort(ends, 2 * k, sizeof *ends, cmp_end);
    for (size_t i = 0; i + 1 < 2 * k; i++) {
        if (ends[i + 1].t - ends[i].t <= WG_LINE_EPS) {
            goto keep;
        }
    }
    for (size_t i = 0; i < 2 * k; i += 2) {
        if (ends[i].start == ends[i + 1].start) {
            goto keep;
        }
        const struct wg_end *e = ends[i].start ? &ends[i + 1] : &ends[i];
        const struct wg_end *s = ends[i].start ? &ends[i] : &ends[i + 1];
        partner[e->chain] = s->chain;
    }
    for (size_t j0 = 0; j0 < k; j0++) {
        if (seen[j0]) {
            continue;
        }
        struct og_ring piece = {malloc(2 * n * sizeof(double)), 0};
        if (piece.xy == NULL) {
            rc = OG_ENOMEM;
            goto done;
        }
        size_t j = j0;
        for (;;) {
            if (seen[j] || piece.n >= n) {
                og_ring_free(&piece);
                goto keep;
            }
            seen[j] = true;
            size_t s = (edges[j] + 1) % n, e = edges[(j + 1) % k];
            for (size_t i = s;; i = (i + 1) % n) {
                piece.xy[2 * piece.n] = xy[2 * i];
                piece.xy[2 * piece.n + 1] = xy[2 * i + 1];
                piece.n++;
                if (i == e) {
                    break;
                }
            }
            j = partner[j];
            if (j == j0) {
                break;
            }
        }
        if ((rc = mp_push(&pieces, &piece)) < 0) {
            og_ring_free(&piece);
            goto done;
        }
    }
    /* the pieces must add up to the ring */
    double whole = og_ring_area_m2(ring), sum = og_mpoly_area_m2(&pieces);
    if (fabs(whole - sum) > 1e-7 * whole + 1e-6) {
        goto keep;
    }
    for (size_t p = 0; p < pieces.npolys; p++) {
        if ((rc = mp_push_piece(out, &pieces.polys[p].rings[0])) < 0) {
            goto done;
        }
    }
    og_ring_free(ring);
    goto done;
keep:
    rc = mp_push_piece(out, ring);
done:
    og_mpoly_free(&pieces);
    og_ring_free(ring);
    free(on);
    free(edges);
    free(ends);
    free(partner);
    free(seen);
    return rc;
}

/* The part of in where a*x + b*y + c >= 0 -> *out (new), split into simple pieces. 0 or OG_ENOMEM.
 */
int wg_mp_clip(const struct og_mpoly *in, double a, double b, double c, struct og_mpoly *out)
{
    memset(out, 0, sizeof *out);
    for (size_t p = 0; p < in->npolys; p++) {
        struct og_ring r = {0};
        int rc = og_ring_clip_halfplane(&in->polys[p].rings[0], a, b, c, &r);
        if (rc == 0 && r.n > 0) {
            rc = split_on_line(&r, a, b, c, out);
        }
        og_ring_free(&r);
        if (rc < 0) {
            og_mpoly_free(out);
            return rc;
        }
    }
    return 0;
}

/* Area of the part of in where a*x + b*y + c >= 0 (bridges have no area, no split needed). */
static int mp_clip_area(const struct og_mpoly *in, double a, double b, double c, double *area)
{
    *area = 0;
    for (size_t p = 0; p < in->npolys; p++) {
        struct og_ring r = {0};
        if (og_ring_clip_halfplane(&in->polys[p].rings[0], a, b, c, &r) < 0) {
            return OG_ENOMEM;
        }
        if (r.n > 0) {
            *area += og_ring_area_m2(&r);
        }
        og_ring_free(&r);
    }
    return 0;
}

/* The two sides of a cut at coordinate s: axis 0 cuts a longitude (first side = west, x <= s),
 * axis 1 a latitude (first side = north, y >= s). */
static void cut_side(int axis, double s, bool first, double *a, double *b, double *c)
{
    double sign = first ? 1.0 : -1.0;
    if (axis == 0) {
        *a = -sign, *b = 0, *c = sign * s;
    }
    else {
        *a = 0, *b = sign, *c = -sign * s;
    }
}

/* Cuts region into n parts with weights w[0..n-1] by recursive area bisection: the longer bbox axis
 * (in metres) is cut where the first side holds the share of the first m parts; the first parts go
 * west (or north). Bit d of flip cuts the other axis at depth d instead. parts[0..n-1] are new.
 * 0 or OG_ENOMEM. */
int wg_partition(const struct og_mpoly *region, const double *w, size_t n, unsigned flip,
                 struct og_mpoly *parts)
{
    if (n == 1) {
        return og_mpoly_copy(region, &parts[0]);
    }
    double total = 0, prefix = 0, best = INFINITY;
    size_t m = 1;
    for (size_t i = 0; i < n; i++) {
        total += w[i];
    }
    for (size_t i = 1; i < n; i++) {
        prefix += w[i - 1];
        if (fabs(prefix - total / 2) < best - 1e-12) {
            best = fabs(prefix - total / 2);
            m = i;
        }
    }
    prefix = 0;
    for (size_t i = 0; i < m; i++) {
        prefix += w[i];
    }
    double ratio = prefix / total;
    struct og_bbox bb = og_mpoly_bbox(region);
    double coslat = cos((bb.min_lat + bb.max_lat) / 2 * M_PI / 180);
    int axis = (bb.max_lng - bb.min_lng) * coslat >= (bb.max_lat - bb.min_lat) ? 0 : 1;
    axis ^= (int)(flip & 1u);
    double lo = axis == 0 ? bb.min_lng : bb.min_lat, hi = axis == 0 ? bb.max_lng : bb.max_lat;
    double whole = og_mpoly_area_m2(region);
    for (int it = 0; it < 100 && hi - lo > 1e-13; it++) {
        double mid = (lo + hi) / 2, a, b, c, area;
        cut_side(axis, mid, true, &a, &b, &c);
        if (mp_clip_area(region, a, b, c, &area) < 0) {
            return OG_ENOMEM;
        }
        /* west side grows with s; north side shrinks with s */
        bool too_small = area / whole < ratio;
        if ((axis == 0) == too_small) {
            lo = mid;
        }
        else {
            hi = mid;
        }
    }
    double s = (lo + hi) / 2, a, b, c;
    struct og_mpoly first = {0}, second = {0};
    cut_side(axis, s, true, &a, &b, &c);
    int rc = wg_mp_clip(region, a, b, c, &first);
    if (rc == 0) {
        cut_side(axis, s, false, &a, &b, &c);
        rc = wg_mp_clip(region, a, b, c, &second);
    }
    if (rc == 0) {
        rc = wg_partition(&first, w, m, flip >> 1, parts);
    }
    if (rc == 0) {
        rc = wg_partition(&second, w + m, n - m, flip >> 1, parts + m);
    }
    og_mpoly_free(&first);
    og_mpoly_free(&second);
    return rc;
}

/* A one-ring polygon for the rectangle (counter-clockwise). */
void wg_rect_ring(double x0, double y0, double x1, double y1, double xy[8], struct og_ring *r)
{
    xy[0] = x0, xy[1] = y0, xy[2] = x1, xy[3] = y0, xy[4] = x1, xy[5] = y1, xy[6] = x0, xy[7] = y1;
    r->xy = xy;
    r->n = 4;
}

bool wg_bbox_overlap(const struct og_bbox *p, const struct og_bbox *q)
{
    return p->min_lng <= q->max_lng && q->min_lng <= p->max_lng && p->min_lat <= q->max_lat &&
           q->min_lat <= p->max_lat;
}
