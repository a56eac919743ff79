/* reconcile.h - turns a mapped record into a unified one: grid placement, 2016 codes, fire grid
 * names, taxonomy names, statuses, identities (validated, hashed, masked).
 * Pure: the world and the taxonomy are given at creation; no I/O afterwards. */
#ifndef OG_RECONCILE_H
#define OG_RECONCILE_H

#include "transform/identity.h"
#include "transform/mapping.h"

#include "core/arena.h"
#include "core/error.h"
#include "core/unified.h"
#include "core/world.h"

struct og_reconciler;

/* Builds the spatial index and lookup tables from w (borrowed during the call only) and the unified
 * taxonomy table at taxonomy_csv (columns code,name,parent). key is copied; NULL means identity
 * numbers are validated and masked but not hashed (subject_key/person_key stay NULL).
 * Returns 0 or an error (bad geometry names the grid; unreadable taxonomy names the file). */
int og_reconciler_create(const struct og_world *w, const char *taxonomy_csv,
                         const struct og_id_key *key, struct og_reconciler **out,
                         struct og_error *err);
void og_reconciler_destroy(struct og_reconciler *r);

/* Number of unified grids indexed. */
size_t og_reconciler_grid_count(const struct og_reconciler *r);

/* Reconciles one mapped record of mapping m, read by the source named source_name at pos (borrowed,
 * copied into the arena). Fills *out (strings in arena).
 * Returns 0, or OG_EREJECT with err (reason "invalid_id", "invalid_status", "invalid_category",
 * "invalid_point", "invalid_crs", "invalid_value") or OG_ENOMEM. */
int og_reconcile(const struct og_reconciler *r, const struct og_mapping *m, const char *source_name,
                 const struct og_mapped *in, const struct og_pos *pos, struct og_arena *arena,
                 struct og_unified *out, struct og_error *err);

/* Placement alone (exposed for tests): given the inputs, decides grid/method/community/street. */
int og_reconcile_place(const struct og_reconciler *r, const char *department, const char *grid_code,
                       const char *community_code, const char *dept_grid, bool has_point,
                       double lng, double lat, const char *crs, struct og_arena *arena,
                       struct og_place *out, struct og_error *err);

#endif
