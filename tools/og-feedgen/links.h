/* links.h - og-feedgen's planted link cases: groups of FR-1, UM-1 and HT-1 records that are the
 * same thing on the ground (mappings/links.json should link them) and near misses that it must not
 * link (just outside the window, just beyond the distance, an incompatible category, the same
 * department twice, a void case). Each feed writes its own records of the plan after its ordinary
 * ones, from random streams of their own, so the ordinary records stay as they were. */
#ifndef OG_TOOLS_FEEDGEN_LINKS_H
#define OG_TOOLS_FEEDGEN_LINKS_H

#include "tools/og-feedgen/feedgen.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum fg_plant_dept { FG_PLANT_FR = 0, FG_PLANT_UM, FG_PLANT_HT };

/* One planted record. */
struct fg_plant_rec {
    enum fg_plant_dept dept;
    char id[32];      /* its source id as the feed writes it */
    int grid;         /* index into w->grids of the grid its point is in */
    double lng, lat;  /* WGS-84 */
    int64_t minutes;  /* reported at: minutes since 2020-02-01 00:00 local */
    const char *code; /* FR: the hazard category name; UM: service_code; HT: category_code */
    bool void_case;   /* UM: the case is void (stage 作废) */
};

/* A planted case: records [first, first + n) of the plan. */
struct fg_plant_case {
    const char *kind; /* a group: "group"; a near miss: what makes it one */
    size_t first, n;
};

struct fg_plant {
    struct fg_plant_rec *recs;
    size_t nrecs;
    struct fg_plant_case *cases;
    size_t ncases;
};

/* Plans the cases over w (grids with UM unit grids, days 3 to 25 of February) from seed. 0 or
 * OG_ENOMEM (fg_plant_free in both cases). */
int fg_plant_make(const struct fg_world *w, uint64_t seed, struct fg_plant *pl);
void fg_plant_free(struct fg_plant *pl); /* NULL allowed */

/* The manifest's "links" object: the rules file, the groups (members as "DEPT:source_id", the
 * pairs the rules should make with their rule) and the near misses. New reference, NULL on out of
 * memory. */
json_t *fg_plant_manifest(const struct fg_plant *pl);

/* fg_gen_um (feedgen.h) with the UM-1 records of pl appended (NULL: none). */
int fg_gen_um_planted(const struct fg_world *w, uint64_t seed, long n, const struct fg_plant *pl,
                      struct og_buf *out, struct og_buf *xml, struct fg_feed_stats *st);
/* Appends the FR-1 rows of pl (UTF-8, CRLF) to out, after fg_gen_fr's, counting into st. 0,
 * OG_ENOMEM or OG_EINVAL. */
int fg_gen_fr_planted(const struct fg_world *w, uint64_t seed, const struct fg_plant *pl,
                      struct og_buf *out, struct fg_feed_stats *st);

#endif
