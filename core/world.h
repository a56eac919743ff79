/* world.h - the world as plain data: divisions, unified grids, department grids, crosswalks.
 * Geometries are GeoJSON text (WGS-84), so that both the loader (import/fetch) and the transform
 * (spatial index) can use it without depending on each other. */
#ifndef OG_WORLD_H
#define OG_WORLD_H

#include "core/error.h"

#include <stddef.h>

struct og_world_division {
    char *code, *name, *parent_code, *edition;
    int level;
    char *geojson; /* MultiPolygon or NULL */
};
struct og_world_alias {
    char *old_code, *code, *edition, *old_name;
    int level;
};
struct og_world_grid {
    char *grid_code, *name, *community_code, *street_code, *county_code;
    char *geojson; /* MultiPolygon */
};
struct og_world_dept_grid {
    char *department, *dept_grid_code, *name;
    char *geojson; /* MultiPolygon or NULL */
};
struct og_world_xwalk {
    char *department, *dept_grid_code, *grid_code;
    double weight;
};

/* Everything owned by the struct (strings and arrays). */
struct og_world {
    struct og_world_division *divisions;
    size_t ndivisions;
    struct og_world_alias *aliases;
    size_t naliases;
    struct og_world_grid *grids;
    size_t ngrids;
    struct og_world_dept_grid *dept_grids;
    size_t ndept_grids;
    struct og_world_xwalk *xwalks;
    size_t nxwalks;
};

/* Reads a world folder (docs/world-format.md) and the crosswalk CSVs in xwalk_dir (every *.csv)
 * into *w (new; free with og_world_free). Errors name the file and line. */
int og_world_read_dir(const char *dir, const char *xwalk_dir, struct og_world *w,
                      struct og_error *err);
/* A SHA-256 of everything in w (records placed under another world are placed anew). 0 or
 * OG_ENOMEM. */
int og_world_digest(const struct og_world *w, unsigned char md[32]);
/* Frees everything; NULL allowed. */
void og_world_free(struct og_world *w);

/* Appending (used by readers and the warehouse fetch). Strings are copied; NULL stays NULL.
 * 0 or OG_ENOMEM. */
int og_world_add_division(struct og_world *w, const char *code, int level, const char *name,
                          const char *parent_code, const char *edition, const char *geojson);
int og_world_add_alias(struct og_world *w, const char *old_code, const char *code,
                       const char *edition, int level, const char *old_name);
int og_world_add_grid(struct og_world *w, const char *grid_code, const char *name,
                      const char *community_code, const char *street_code, const char *county_code,
                      const char *geojson);
int og_world_add_dept_grid(struct og_world *w, const char *department, const char *code,
                           const char *name, const char *geojson);
int og_world_add_xwalk(struct og_world *w, const char *department, const char *code,
                       const char *grid_code, double weight);

#endif
