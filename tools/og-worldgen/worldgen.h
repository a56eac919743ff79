/* worldgen.h - og-worldgen's world in memory and the steps that build and write it. */
#ifndef OG_TOOLS_WORLDGEN_H
#define OG_TOOLS_WORLDGEN_H

#include "core/buf.h"
#include "core/error.h"
#include "transform/geo.h"

#include <stdbool.h>
#include <stddef.h>

#define WG_COUNTY "440511"
#define WG_EDITION "2023"
#define WG_DIGITS 7            /* decimals kept in GeoJSON coordinates */
#define WG_PS_STEP 0.012       /* police beat lattice, degrees */
#define WG_UM_STEP 0.006       /* urban-management unit grid lattice, degrees */
#define WG_MIN_CELL_M2 1000.0  /* lattice cells smaller than this (after clipping) are dropped */
#define WG_MIN_WEIGHT 1e-4     /* crosswalk overlaps below this share are dropped */
#define WG_LINE_EPS 1e-9       /* degrees: a vertex this close to a cut line lies on it */
#define WG_SLIVER_M2 1e-3      /* pieces below this area are dropped */
#define WG_M_PER_DEG 111194.93 /* metres per degree of latitude, R = 6371008.8 m */
#define WG_SEED 440511u        /* PRNG seed of the synthetic community sizes */

struct wg_street {
    char code[10];
    char name[64];
    size_t first_comm, ncomms;
    struct og_mpoly area;
};

struct wg_comm {
    char code[13];
    char name[64];
    char code2016[13];
    size_t street;
    struct og_mpoly area;
    double area_m2;
    size_t first_grid, ngrids;
};

struct wg_grid {
    char code[16];
    char name[96];
    size_t comm;
    struct og_mpoly area;
    double area_m2, clng, clat;
    struct og_bbox bbox;
};

struct wg_xrow {
    size_t grid;
    double w;
    long micro; /* weight in millionths after rounding */
};

struct wg_dept {
    char dept[3];
    char code[160];
    char name[192];
    struct og_mpoly area; /* npolys == 0: no shape */
    struct wg_xrow *rows;
    size_t nrows;
};

struct wg_world {
    struct og_mpoly outline;
    struct wg_street *streets;
    size_t nstreets;
    struct wg_comm *comms;
    size_t ncomms;
    struct wg_grid *grids;
    size_t ngrids;
    struct wg_dept *depts;
    size_t ndepts, capdepts;
};

/* Each step below returns 0 or a negative OG_E* code with err filled; on failure the world holds
 * what was built so far (wg_world_free releases it). */

/* main.c: frees everything w holds and zeroes it. */
void wg_world_free(struct wg_world *w);

/* input.c: the district outline (GeoJSON in GCJ-02, converted to WGS-84), then the NBS streets and
 * communities of WG_COUNTY, sorted by code, communities attached to their streets. */
int wg_load_outline(struct wg_world *w, const char *path, struct og_error *err);
int wg_load_streets(struct wg_world *w, const char *path, struct og_error *err);
int wg_load_comms(struct wg_world *w, const char *path, struct og_error *err);

/* editions.c: the 2016 code of every community (the streets merged since then), and
 * division_alias.csv written into dir. */
int wg_assign_2016_codes(struct wg_world *w, struct og_error *err);
int wg_write_aliases(const struct wg_world *w, const char *dir, struct og_error *err);

/* clip.c: polygon cutting on top of geo.h. wg_mp_clip: the part of in where a*x + b*y + c >= 0
 * into *out (new), split into simple pieces; 0 or OG_ENOMEM. wg_partition: region cut into n parts
 * of weights w[0..n-1] by recursive area bisection (bit d of flip cuts the other axis at depth d);
 * parts[0..n-1] are new; 0 or OG_ENOMEM. */
int wg_mp_clip(const struct og_mpoly *in, double a, double b, double c, struct og_mpoly *out);
int wg_partition(const struct og_mpoly *region, const double *w, size_t n, unsigned flip,
                 struct og_mpoly *parts);
/* The rectangle as a counter-clockwise ring over xy[8] (borrowed by r). */
void wg_rect_ring(double x0, double y0, double x1, double y1, double xy[8], struct og_ring *r);
bool wg_bbox_overlap(const struct og_bbox *p, const struct og_bbox *q);

/* cut.c: street and community areas cut from the outline, then the unified grids (4 per
 * community, 5 for the five_count largest), numbered west->east, north->south. */
int wg_cut_streets_and_communities(struct wg_world *w, struct og_error *err);
int wg_cut_grids(struct wg_world *w, size_t five_count, struct og_error *err);

/* depts.c: the department grids. wg_make_lattice adds a PS or UM lattice of step degrees;
 * wg_make_fire_and_health the FR and HL grids; wg_dept_cmp orders by department then code;
 * wg_dept_finish turns a grid's raw overlap areas into weights adding up to exactly 1. */
int wg_make_lattice(struct wg_world *w, const char *dept, double step, struct og_error *err);
int wg_make_fire_and_health(struct wg_world *w, struct og_error *err);
int wg_dept_cmp(const void *a, const void *b);
int wg_dept_finish(struct wg_dept *d, struct og_error *err);

/* output.c: divisions.csv, the three .geojson files (into dir) and the four crosswalk CSVs (into
 * xwdir). wg_csv_row appends one record of n fields (const char *) ending in "\n" (0 or
 * OG_ENOMEM); wg_write_atomic writes content as dir/name atomically. */
int wg_csv_row(struct og_buf *b, int n, ...);
int wg_write_atomic(const char *dir, const char *name, const struct og_buf *content,
                    struct og_error *err);
int wg_write_divisions(const struct wg_world *w, const char *dir, struct og_error *err);
int wg_write_geojson(const struct wg_world *w, const char *dir, struct og_error *err);
int wg_write_crosswalks(const struct wg_world *w, const char *dir, struct og_error *err);

/* province.c: the synthetic province of docs/scale.md (a box cut into cities, counties, streets,
 * communities and grids; department lattices; see the file's top comment). */
struct wg_box {
    double x0, y0, x1, y1; /* lng west, lat south, lng east, lat north */
};
struct wg_pv_counts {
    size_t cities, counties, streets, comms, grids;
};
struct wg_pv {
    char code[3]; /* province, 2 digits */
    struct wg_pv_counts n;
    struct wg_box box;
    struct wg_box *city_box, *county_box, *street_box, *comm_box, *grid_box;
    char *county_code; /* n.counties codes of 7 bytes */
    char *county_name; /* n.counties names of 64 bytes */
};
/* The counts for a number of grids, in Zhejiang's proportions (61,000 grids: 11 cities, 90
 * counties, 1,300 streets, 20,000 communities). 0, or OG_EINVAL when a code shape would overflow.
 */
int wg_province_counts(size_t grids, struct wg_pv_counts *c);
/* Fills w (streets, communities, grids, department grids with raw crosswalk rows) and pv. 0 or a
 * negative OG_E* with err filled; w and pv then hold what was built (wg_world_free, wg_pv_free). */
int wg_province_build(struct wg_world *w, struct wg_pv *pv, const char *prov, size_t grids,
                      struct og_error *err);
/* divisions.csv (province, cities, counties, streets, communities) and a division_alias.csv
 * holding only its header, into dir. */
int wg_province_write_divisions(const struct wg_world *w, const struct wg_pv *pv, const char *dir,
                                struct og_error *err);
void wg_pv_free(struct wg_pv *pv); /* frees what pv holds and zeroes it */

/* place.c: reads the world in world_dir (+ xwalk_dir), builds the reconciler and times
 * og_reconcile_place over the lng,lat points of the CSV points, printing one summary line. 0 or a
 * negative OG_E* with err filled. */
int wg_place_bench(const char *world_dir, const char *xwalk_dir, const char *points,
                   struct og_error *err);

#endif
