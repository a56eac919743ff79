/* report_data.h - what `onegrid report` shows, read from the warehouse: the division, the unified
 * grids with their figures from onegrid.grid_overview and their outlines, the department grids
 * over them, and the last runs. Nothing here prints or writes files. */
#ifndef OG_REPORT_DATA_H
#define OG_REPORT_DATA_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

struct og_pg;
struct og_arena;

/* The measures a map can be coloured by (columns of onegrid.grid_overview). */
enum og_measure {
    OG_MEASURE_OPEN_HAZARDS = 0,
    OG_MEASURE_EVENTS_PER_1000,
    OG_MEASURE_RED_YELLOW,
    OG_MEASURE__COUNT
};

struct og_measure_def {
    const char *name;    /* as --measure takes it: "open_hazards" */
    const char *label;   /* short heading: "open hazards" */
    const char *meaning; /* one sentence: what is counted */
};

/* The table of measures, OG_MEASURE__COUNT entries in enum order (static). */
const struct og_measure_def *og_measure_defs(void);
/* The measure called name: 0 with *m set, or OG_EINVAL. */
int og_measure_parse(const char *name, enum og_measure *m);

/* One unified grid. Strings live in the overview's arena. */
struct og_overview_grid {
    const char *code, *name, *community_code, *community_name, *street_code, *street_name;
    long long residents, floating, rental_houses, open_hazards, open_events, events_30d, visits_7d,
        red_yellow;
    double per_1000;   /* events_per_1000 */
    bool has_per_1000; /* false: no residents, no rate */
    const char *svg;   /* ST_AsSVG(boundary, 0, 6): absolute, x = longitude, y = -latitude */
};

/* The grid's value of measure m; *present false when it has none (a rate with no residents). */
double og_overview_value(const struct og_overview_grid *g, enum og_measure m, bool *present);

/* One department grid that falls on the area. */
struct og_overview_shape {
    const char *department; /* PS, UM, FR, HL */
    const char *code, *name;
    const char *svg; /* its own boundary, or (derived) the union of the unified grids its crosswalk
                        rows name */
    bool derived;    /* the department keeps no geometry for it */
};

/* One row of etl_run (texts as PostgreSQL gives them, times in Asia/Shanghai; NULL when absent). */
struct og_overview_run {
    const char *run_id, *started, *finished, *status, *command, *read, *loaded, *rejected, *message;
};

struct og_overview_request {
    const char *division; /* a county, street or community code; NULL: the county of the grids */
    const char *as_of;    /* a time PostgreSQL reads (sets onegrid.as_of); NULL: see below */
    int runs;             /* how many recent runs (0: 10) */
};

struct og_overview {
    struct og_arena *arena;
    const char *division_code, *division_name, *parent_name; /* parent_name may be NULL */
    int division_level;                                      /* 3 county, 4 street, 5 community */
    const char *as_of;        /* onegrid.as_of() in Asia/Shanghai, "YYYY-MM-DD HH24:MI" */
    const char *as_of_note;   /* why that time (NULL when it is --as-of or now) */
    bool as_of_given;         /* --as-of */
    const char *generated_at; /* now(), Asia/Shanghai */
    struct og_overview_grid *grids;
    size_t ngrids;
    struct og_overview_shape *shapes;
    size_t nshapes;
    struct og_overview_run *runs;
    size_t nruns;
};

/* Reads the overview of rq->division from the warehouse into *ov (new: og_overview_free). When
 * rq->as_of is NULL and the latest event reported or visit made (not in the future) is more than 30
 * days old, the windows count back from that time instead of now (as_of_note says so), so that old
 * data still shows. The session setting onegrid.as_of stays set on pg. Errors: OG_ECONFIG for what
 * the user gave (an unknown division: the detail lists the levels and codes the warehouse has; a
 * division that is not a county, street or community; an --as-of that is not a time), OG_ENOTFOUND
 * when there are no grids to show, OG_EDB, OG_ENOMEM. */
int og_overview_fetch(struct og_pg *pg, const struct og_overview_request *rq,
                      struct og_overview *ov, struct og_error *err);
void og_overview_free(struct og_overview *ov); /* NULL and a zeroed overview are allowed */

#endif
