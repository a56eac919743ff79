/* mapping_internal.h - a loaded mapping as mapping.c builds it and mapping_apply.c applies it.
 * Not for use outside transform/mapping*.c. */
#ifndef OG_MAPPING_INTERNAL_H
#define OG_MAPPING_INTERNAL_H

#include "transform/mapping.h"

#include "core/hmap.h"

#include <stdbool.h>
#include <stddef.h>

enum step_kind {
    ST_TRIM,
    ST_UPPER,
    ST_LOWER,
    ST_NUMBER,
    ST_LIST,
    ST_TIME,
    ST_CODE_TABLE,
    ST_ENUM,
    ST_REPLACE,
    ST_NULL_IF,
    ST_BOOLEAN
};

struct step {
    enum step_kind kind;
    const char *format; /* time */
    int offset_min;     /* time */
    bool has_after, has_before;
    int64_t after, before; /* time: accepted range (ISO 8601 bounds from the mapping) */
    struct og_hmap *table; /* code_table: key -> value (strings owned by tvalues) */
    char **tvalues;
    size_t ntvalues;
    const char *table_path;
    const json_t *arg; /* enum list / replace object / null_if list (borrowed from doc) */
};

enum policy { POL_NONE = 0, POL_REJECT, POL_NULL, POL_DEFAULT };

struct fspec {
    bool used;
    const char *name;
    enum og_vtype type;
    char **path; /* "from" split on '.' */
    size_t npath;
    const json_t *constant;
    struct step *steps;
    size_t nsteps;
    bool required;
    enum policy pol;
    const json_t *def;
    const char *id_kind; /* identity fields: "resident", "uscc", "other", "by_type" */
    bool require_valid;  /* identity fields: an invalid number rejects the record */
};

enum attrs_mode { ATTRS_NONE, ATTRS_REST, ATTRS_INCLUDE };

/* One kind of record of a feed: which records it is ("when"), the target they feed and how. */
struct og_mapping_kind {
    enum og_kind target;
    const char *when_from; /* "when.from" (borrowed), NULL: every record */
    char **when_path;      /* it split on '.' */
    size_t nwhen_path;
    const json_t *when_in; /* "when.in": the values that select the kind (borrowed) */
    struct fspec f[OG_F__COUNT];
    struct fspec mf[OG_M__COUNT];
    bool has_members;
    char **members_path;
    size_t nmembers_path;
    size_t max_members;
    enum attrs_mode attrs_mode;
    struct og_hmap *attrs_exclude; /* top-level keys left out of "rest" */
    char ***attr_paths;
    size_t *attr_npath;
    const char **attr_names;
    size_t nattr;
};

struct og_mapping {
    char *path;
    char *dir;
    json_t *doc;
    const char *feed, *department, *connector;
    json_t *input_opts;
    int zone_offset;
    struct og_mapping_kind *kinds;
    size_t nkinds;
};

/* "null", "text", "number", "time", "list", "boolean" by enum og_vtype. */
extern const char *const og_mapping_type_names[];

/* The value at a split dotted path of doc (array elements by index), or NULL. */
const json_t *og_mapping_get_path(const json_t *doc, char **path, size_t n);

#endif
