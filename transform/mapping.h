/* mapping.h - declarative feed mappings (mappings/<dept>/<feed>.json): load, check, apply.
 *
 * A mapping file says which connector reads the feed and where the records are ("input"), which
 * unified target it feeds ("event", "visit", "person" or "housing"), and for every unified field
 * where its value comes from ("from": a dotted path, or "value": a constant), through which
 * conversions ("convert"), and what to do when a conversion fails ("on_error": "reject" | "null" |
 * {"default": V}). A feed whose files hold records of several kinds (PS-1: residents and rental
 * houses) has "kinds": each with a "when" that picks its records, its own target and fields. See
 * docs/mappings.md for the full reference. Files: mapping.c loads and checks, mapping_apply.c
 * applies. */
#ifndef OG_MAPPING_H
#define OG_MAPPING_H

#include "core/arena.h"
#include "core/error.h"
#include "core/unified.h"

#include <jansson.h>
#include <stdint.h>

/* Unified input fields a mapping can fill (record level). */
enum og_field {
    OG_F_SOURCE_ID = 0,
    OG_F_CATEGORY_CODE,
    OG_F_SOURCE_CATEGORY,
    OG_F_STATUS,
    OG_F_SOURCE_STATUS,
    OG_F_REPORTED_AT,
    OG_F_UPDATED_AT,
    OG_F_CLOSED_AT,
    OG_F_VISITED_AT,
    OG_F_WORKER_ID,
    OG_F_ADDRESS,
    OG_F_SUMMARY,
    OG_F_LON,
    OG_F_LAT,
    OG_F_CRS,
    OG_F_GRID_CODE,
    OG_F_COMMUNITY_CODE,
    OG_F_DEPT_GRID,
    OG_F_SUBJECT_ID,
    OG_F_SUBJECT_ID_TYPE,       /* the document type of subject_id, with "id": "by_type" */
    OG_F_HEALTH_COLOR,          /* an event that is a health-code change: the colour now */
    OG_F_HEALTH_PREVIOUS_COLOR, /* and before */
    OG_F_HEALTH_REASON,         /* why it changed */
    OG_F_ID_NO,                 /* person: the identity number (the key) */
    OG_F_NAME,                  /* person: the name (stored masked) */
    OG_F_BIRTH_DATE,            /* person */
    OG_F_SEX,                   /* person: GB/T 2261.1 code 0, 1, 2, 9 */
    OG_F_ETHNIC_CODE,           /* person: GB 3304 code */
    OG_F_PERSON_TYPE,           /* person: registered, floating, foreign */
    OG_F_HUKOU_ADDRESS,         /* person: household-registration address */
    OG_F_REGISTERED_AT,         /* person */
    OG_F_DEREGISTERED,          /* person: true once moved away or deceased (a boolean) */
    OG_F_OWNER_ID,              /* housing: the owner's identity number */
    OG_F_OWNER_NAME,            /* housing */
    OG_F_ROOMS,                 /* housing: rooms let */
    OG_F_TENANTS,               /* housing */
    OG_F__COUNT
};

/* Member fields (visit members). */
enum og_mfield {
    OG_M_ID_NO = 0,
    OG_M_NAME,
    OG_M_TEMPERATURE,
    OG_M_SYMPTOMS,
    OG_M_TRAVEL,
    OG_M_HEALTH_CODE,
    OG_M__COUNT
};

enum og_vtype { OG_V_NULL = 0, OG_V_TEXT, OG_V_NUM, OG_V_TIME, OG_V_LIST, OG_V_BOOL };

/* A mapped value (strings and lists in the arena). */
struct og_mval {
    enum og_vtype type;
    const char *s;
    double f;
    int64_t t;
    const char **items;
    size_t n;
    bool b;
};

struct og_mapped_member {
    struct og_mval v[OG_M__COUNT];
};

struct og_mapping_kind;

/* The result of applying a mapping to one raw record. */
struct og_mapped {
    const struct og_mapping_kind *kind; /* the kind of record it is (its target, its identities) */
    struct og_mval v[OG_F__COUNT];
    struct og_mapped_member *members;
    size_t nmembers;
    const char *attrs; /* JSON object text: the source's remaining fields and conversion notes */
    int notes;         /* fields nulled or defaulted by policy */
};

struct og_mapping;

/* Loads and checks the mapping at path (new; og_mapping_destroy). Code tables named in it are read
 * relative to the mapping file's folder. Every mistake found is an OG_ECONFIG error naming the file
 * and the JSON path ("mappings/x.json: fields.reported_at.convert[0]: unknown conversion
 * \"tiem\""); the first one is returned. */
int og_mapping_load(const char *path, struct og_mapping **out, struct og_error *err);
void og_mapping_destroy(struct og_mapping *m);

const char *og_mapping_path(const struct og_mapping *m);
/* A SHA-256 of the content of every file the mapping was read from (itself and its code tables):
 * records converted under another digest may convert otherwise. 0 or OG_ENOMEM. */
int og_mapping_digest(const struct og_mapping *m, unsigned char md[32]);
const char *og_mapping_feed(const struct og_mapping *m);
const char *og_mapping_department(const struct og_mapping *m);
/* The target of the mapping's first (or only) kind. */
enum og_kind og_mapping_target(const struct og_mapping *m);
/* The connector named by "input.connector" (may be NULL), and the other "input" keys as connector
 * options (borrowed, valid until destroy). */
const char *og_mapping_connector(const struct og_mapping *m);
const json_t *og_mapping_input_options(const struct og_mapping *m);
/* True when the mapping reads identity numbers (any kind's subject_id, id_no, owner_id or members'
 * id_no): runs need the key. */
bool og_mapping_uses_identity(const struct og_mapping *m);
/* The kinds of record ("kinds", or the one a mapping without it describes), in file order. */
size_t og_mapping_nkinds(const struct og_mapping *m);
const struct og_mapping_kind *og_mapping_kind_at(const struct og_mapping *m, size_t i);
enum og_kind og_mapping_kind_target(const struct og_mapping_kind *k);
/* An identity field's kind of number (OG_F_SUBJECT_ID, OG_F_ID_NO, OG_F_OWNER_ID): "resident",
 * "uscc", "other", or for subject_id "by_type" (each record's subject_id_type says: "01" or
 * "resident" a resident ID, "uscc" a credit code, anything else a document of its own type), and
 * whether an invalid number rejects the record. The same for the members' id_no. */
const char *og_mapping_kind_id(const struct og_mapping_kind *k, enum og_field f);
bool og_mapping_kind_id_require_valid(const struct og_mapping_kind *k, enum og_field f);
bool og_mapping_kind_member_id_require_valid(const struct og_mapping_kind *k);
/* "Asia/Shanghai" offset etc. used for local times: minutes east of UTC of the mapping's "zone". */
int og_mapping_zone_offset(const struct og_mapping *m);

/* Applies m to doc (borrowed): the first kind whose "when" selects the record, out->kind. Values
 * are allocated in arena. Returns 0, or OG_EREJECT with err filled: its reason (missing_field,
 * invalid_time, invalid_number, unknown_code, invalid_value, too_many_members, unknown_record when
 * no kind selects the record), err->field, and a message quoting the value; or OG_ENOMEM. */
int og_mapping_apply(const struct og_mapping *m, const json_t *doc, struct og_arena *arena,
                     struct og_mapped *out, struct og_error *err);

/* Name of a field (for messages). */
const char *og_field_name(enum og_field f);
const char *og_mfield_name(enum og_mfield f);

#endif
