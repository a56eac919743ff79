/* unified.h - the unified "one grid" records the transform produces and the loader writes.
 * All strings and arrays live in the batch arena (borrowed; valid until the batch is reset). */
#ifndef OG_UNIFIED_H
#define OG_UNIFIED_H

#include "core/reason.h"
#include "core/record.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum og_kind { OG_KIND_EVENT = 1, OG_KIND_VISIT = 2, OG_KIND_PERSON = 3, OG_KIND_HOUSING = 4 };
/* "event", "visit", "person", "housing" (static). */
const char *og_kind_name(enum og_kind kind);

/* A time that may be absent. */
struct og_time {
    bool set;
    int64_t us; /* UTC microseconds since the epoch */
};

/* -1 unknown (NULL), 0 false, 1 true */
typedef signed char og_tristate;

/* Placement of a record on the unified grid (what reconcile decides). */
struct og_place {
    const char *grid_code;      /* 15 digits or NULL */
    const char *grid_method;    /* "source", "crosswalk", "point", "community", "none" */
    const char *community_code; /* 12 digits (current edition) or NULL */
    const char *street_code;    /* 9 digits or NULL */
    bool has_point;
    double lon, lat;        /* WGS-84 */
    const char *source_crs; /* "wgs84", "cgcs2000", "gcj02", "bd09" or NULL */
};

/* An event that is a health-code change (HL-1): rows of onegrid.health_code_change and, when it is
 * the person's latest, onegrid.health_code. The person is the event's subject_key, the time its
 * reported_at, the place its place. */
struct og_health_change {
    const char *color;          /* green, yellow, red */
    const char *previous_color; /* or NULL */
    const char *reason;         /* or NULL */
};

/* One row of onegrid.event. */
struct og_event {
    const char *event_id; /* department + ":" + source + ":" + source_id */
    const char *department;
    const char *source;
    const char *source_id;
    const char *category_code; /* unified taxonomy, "9999" when unmapped */
    const char *category_name;
    const char *source_category;
    const char *status; /* unified status */
    const char *source_status;
    struct og_time reported_at, updated_at, closed_at;
    struct og_place place;
    const char *address;
    const char *summary;
    const char *subject_key; /* HMAC of the normalised identity number, or NULL */
    const char *subject_masked;
    og_tristate subject_valid;
    const char *attrs;                     /* JSON object text */
    const struct og_health_change *health; /* a health-code change, or NULL (in the arena) */
};

struct og_visit_member {
    const char *person_key;
    const char *id_masked;
    og_tristate id_valid;
    const char *name_masked;
    bool has_temperature;
    double temperature;
    const char **symptoms;
    size_t nsymptoms;
    const char **travel;
    size_t ntravel;
    const char *health_code; /* green/yellow/red or NULL */
};

/* One row of onegrid.visit and its members. */
struct og_visit {
    const char *visit_id;
    const char *department;
    const char *source;
    const char *source_id;
    const char *worker_id;
    struct og_time visited_at;
    struct og_place place;
    const char *address;
    const char *attrs;
    struct og_visit_member *members;
    size_t nmembers;
};

/* One row of onegrid.person (a resident of the police population registry), keyed by the
 * identity number's keyed hash; the state as of updated_at. */
struct og_person {
    const char *person_key; /* HMAC of the normalised identity number */
    const char *id_masked;
    og_tristate id_valid;
    const char *name_masked;
    struct og_time birth_date; /* midnight UTC of the date */
    const char *sex;           /* 0, 1, 2, 9 */
    const char *ethnic_code;
    const char *person_type; /* registered, floating, foreign */
    const char *hukou_address;
    const char *address;
    const char *police_beat;
    struct og_place place;
    struct og_time registered_at, updated_at;
    bool active; /* false once deregistered */
    const char *department;
    const char *attrs;
};

/* One row of onegrid.housing (a rental house), the state as of updated_at. */
struct og_housing {
    const char *house_id; /* department + ":" + the house code */
    const char *department;
    const char *source_id;
    const char *address;
    const char *owner_key; /* HMAC of the owner's identity number, or NULL */
    const char *owner_masked;
    og_tristate owner_valid;
    const char *owner_name_masked;
    long long rooms, tenants; /* -1: unknown */
    const char *police_beat;
    struct og_place place;
    struct og_time updated_at;
    const char *attrs;
};

/* A unified record with where it came from. */
struct og_unified {
    enum og_kind kind;
    union {
        struct og_event event;
        struct og_visit visit;
        struct og_person person;
        struct og_housing housing;
    } u;
    struct og_pos pos;
    const char *position; /* og_pos_format text, in the arena */
};

/* The stage of the pipeline that rejected a record (etl_reject.stage). */
enum og_stage { OG_STAGE_READ = 0, OG_STAGE_MAP, OG_STAGE_RECONCILE, OG_STAGE_LOAD };
/* "read", "map", "reconcile", "load" (static). */
const char *og_stage_name(enum og_stage stage);

/* A record that could not be loaded. */
struct og_reject {
    struct og_pos pos;
    const char *position;
    enum og_stage stage;
    enum og_reason reason; /* never OG_R_NONE */
    const char *field;     /* the field concerned, or NULL */
    const char *message;
    const char *raw; /* raw text of the record (may be truncated), or NULL */
};

#endif
