/* place.c - og-worldgen --place: times the product's point placement over a world
 * (ops/bench/province).
 *
 * Reads a world folder the way `onegrid map --world` does (og_world_read_dir), builds the
 * reconciler (og_reconciler_create: the grids' spatial index) and places every point of a CSV
 * (columns lng, lat; WGS-84) with og_reconcile_place, the call `run`, `stream` and `map` make for
 * each record, in rounds. Only the placement is timed (CPU time of the thread), so the figure is
 * free of mapping, JSON output and PostgreSQL, and two worlds can be compared on a shared machine.
 */
#include "core/arena.h"
#include "core/table.h"
#include "core/world.h"
#include "tools/common/mem.h"
#include "tools/og-worldgen/worldgen.h"
#include "transform/reconcile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WG_PLACE_ROUNDS 5

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Reads the lng and lat columns of path into *xy (new, 2 doubles a point) and *n. */
static int read_points(const char *path, double **xy, size_t *n, struct og_error *err)
{
    struct og_table t;
    int rc = og_table_read(path, &t, err);
    if (rc < 0) {
        return rc;
    }
    int cx = og_table_require_col(&t, "lng", err), cy = og_table_require_col(&t, "lat", err);
    if (cx < 0 || cy < 0) {
        og_table_free(&t);
        return OG_EINVAL;
    }
    *xy = malloc((t.nrows ? t.nrows : 1) * 2 * sizeof(double));
    if (*xy == NULL) {
        og_table_free(&t);
        return og_tool_nomem(err);
    }
    for (size_t i = 0; i < t.nrows; i++) {
        (*xy)[2 * i] = strtod(t.rows[i][cx], NULL);
        (*xy)[2 * i + 1] = strtod(t.rows[i][cy], NULL);
    }
    *n = t.nrows;
    og_table_free(&t);
    return 0;
}

int wg_place_bench(const char *world_dir, const char *xwalk_dir, const char *points,
                   struct og_error *err)
{
    struct og_world w;
    struct og_reconciler *rec = NULL;
    struct og_arena *arena = og_arena_create(1 << 16);
    double *xy = NULL, secs[WG_PLACE_ROUNDS];
    size_t n = 0, placed = 0;
    int rc = arena == NULL ? og_tool_nomem(err) : read_points(points, &xy, &n, err);
    if (rc < 0) {
        og_arena_destroy(arena);
        return rc;
    }
    double t0 = cpu_now();
    rc = og_world_read_dir(world_dir, xwalk_dir, &w, err);
    if (rc < 0) {
        free(xy);
        og_arena_destroy(arena);
        return rc;
    }
    double t1 = cpu_now();
    rc = og_reconciler_create(&w, NULL, NULL, &rec, err);
    double t2 = cpu_now();
    for (int r = 0; r < WG_PLACE_ROUNDS && rc == 0; r++) {
        size_t in_round = 0;
        double a = cpu_now();
        for (size_t i = 0; i < n && rc == 0; i++) {
            struct og_place pl;
            rc = og_reconcile_place(rec, "UM", NULL, NULL, NULL, true, xy[2 * i], xy[2 * i + 1],
                                    "wgs84", arena, &pl, err);
            in_round += rc == 0 && strcmp(pl.grid_method, "point") == 0;
            if ((i & 4095) == 4095) {
                og_arena_reset(arena);
            }
        }
        secs[r] = cpu_now() - a;
        placed = in_round;
    }
    if (rc == 0) {
        qsort(secs, WG_PLACE_ROUNDS, sizeof secs[0], cmp_double);
        double med = secs[WG_PLACE_ROUNDS / 2];
        printf("og-worldgen: place: %zu grids; world read in %.2f s, index built in %.2f s (CPU); "
               "%zu points x %d rounds, %zu placed by point; median %.0f points/s (%.1f ns a "
               "point), best %.0f points/s\n",
               og_reconciler_grid_count(rec), t1 - t0, t2 - t1, n, WG_PLACE_ROUNDS, placed,
               med > 0 ? (double)n / med : 0, n ? med * 1e9 / (double)n : 0,
               secs[0] > 0 ? (double)n / secs[0] : 0);
    }
    og_reconciler_destroy(rec);
    og_world_free(&w);
    free(xy);
    og_arena_destroy(arena);
    return rc;
}
