/* scope.h - the analysts' side of the warehouse that the loader maintains: folding the day counts
 * behind grid_daily, community_daily and street_daily (migration 010), and which divisions each
 * analyst role may see (analyst_scope, enforced by row-level security). */
#ifndef OG_LOADER_SCOPE_H
#define OG_LOADER_SCOPE_H

#include "loader/pg.h"

#include <stdbool.h>
#include <stdio.h>

/* Folds the day-count changes the loads since the last call left in event_daily_delta into
 * event_daily, in a transaction of its own (call it outside a batch). *folded = changes folded.
 * 0 or OG_EDB. */
int og_pg_fold_daily(struct og_pg *pg, long long *folded, struct og_error *err);

/* What a grant left: whether the role was created now, how many divisions and grids it sees. */
struct og_scope_grant {
    bool created;
    int divisions;
    int grids;
};

/* Lets role (created as a login role when missing, made a member of onegrid_analyst) see division
 * and everything inside it. Needs CREATEROLE or a superuser. 0, OG_ECONFIG (unknown division, or a
 * role that bypasses row-level security: err says which and what to do) or OG_EDB. */
int og_pg_scope_grant(struct og_pg *pg, const char *role, const char *division,
                      struct og_scope_grant *out, struct og_error *err);
/* Removes role's grant of division (every grant when division is NULL). *removed = how many.
 * 0 or OG_EDB. */
int og_pg_scope_revoke(struct og_pg *pg, const char *role, const char *division, int *removed,
                       struct og_error *err);
/* Prints every grant (role, division, its level and name, grids it opens) to out as an aligned
 * table (JSON lines when json). The number of grants, or a negative error. */
int og_pg_scope_print(struct og_pg *pg, bool json, FILE *out, struct og_error *err);

#endif
