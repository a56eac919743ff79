/* mapping_internal.h - a loaded mapping as mapping.c builds it and mapping_apply.c applies it.
 * Not for use outside transform/mapping*.c. */
#ifndef OG_MAPPING_INTERNAL_H
#define OG_MAPPING_INTERNAL_H

#include "transform/mapping.h"
#include "transform/timeparse.h"

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
    ST_BOOLEAN,
    ST_SPLIT,
    ST_PICK,
    ST_JOIN
};

struct step {
    enum step_kind kind;
    const char *format;         /* time */
    const struct og_zone *zone; /* time: own_zone, or the mapping's zone (borrowed) */
    struct og_zone *own_zone;   /* time: the step's own "zone" */
    bool has_after, has_before;
    int64_t after, before; /* time: accepted range (ISO 8601 bounds from the mapping) */
    struct og_hmap *table; /* code_table: key -> value (strings owned by tvalues) */
    char **tvalues;
    size_t ntvalues;
    const char *table_path;
    const json_t *arg; /* enum list / replace object / null_if list (borrowed from doc) */
    const char *sep;   /* split, join: the separator (borrowed from doc) */
    const char *strip; /* split: characters removed from both ends of the part, besides spaces */
    long index;        /* split: the part, from 0; negative from the end (-1 the last) */
    char **where_path; /* pick: the path in each element that selects it (NULL: every element) */
    size_t nwhere_path;
    const json_t *in;   /* pick: the values of where_path that select (borrowed from doc) */
    char ***take_paths; /* pick: paths to take from the element selected, the first present wins
                           (none: the element itself); join: the paths whose values are joined */
    size_t *take_npath;
    size_t ntake;
    bool last; /* pick: the last element selected, not the first */
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
    struct og_zone *zone; /* "zone": local times without an offset */
    int zone_offset;      /* its offset in minutes (fixed zones; persons need one) */
    struct og_mapping_kind *kinds;
    size_t nkinds;
    /* SHA-256 (hex) of each file it was read from: the mapping, then its code tables in the order
     * read, one per line (og_mapping_digest) */
    char *files_sha;
};

/* Appends the SHA-256 of the file at path to m->files_sha. 0, OG_EIO or OG_ENOMEM. */
int og_mapping_note_file(struct og_mapping *m, const char *path, struct og_error *err);

/* "null", "text", "number", "time", "list", "boolean" by enum og_vtype. */
extern const char *const og_mapping_type_names[];

/* The value at a split dotted path of doc (array elements by index), or NULL. */
const json_t *og_mapping_get_path(const json_t *doc, char **path, size_t n);

/* ---- shared by mapping.c and mapping_step.c (loading) ---- */

/* Sets err (reason bad_mapping, position "FILE: JPATH") to the formatted message; OG_ECONFIG. */
int og_mapping_err(struct og_error *err, const struct og_mapping *m, const char *jpath,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A zone that does not open (zerr from og_zone_open), as a mapping error at jpath; OG_ECONFIG. */
int og_mapping_zone_err(struct og_error *err, const struct og_mapping *m, const char *jpath,
                        const struct og_error *zerr);
/* Unknown keys of obj (known: NULL-terminated) as a mapping error at jpath: 0 or OG_ECONFIG. */
int og_mapping_check_keys(const json_t *obj, const char *const *known, const struct og_mapping *m,
                          const char *jpath, struct og_error *err);
/* Splits dotted path s into *out (n parts, each owned; free with og_mapping_free_path). 0 or
 * OG_ENOMEM (what was split so far is in *out, *n). */
int og_mapping_split_path(const char *s, char ***out, size_t *n);
void og_mapping_free_path(char **p, size_t n);
/* Parses conversion step s into st (zeroed by the caller; free with og_mapping_step_free even on
 * failure); *type is the value type flowing through, updated; *can_fail is set when the step can
 * fail on a value. 0, OG_ECONFIG (err names jpath) or OG_ENOMEM. */
int og_mapping_parse_step(struct og_mapping *m, const json_t *s, struct step *st,
                          enum og_vtype *type, bool *can_fail, const char *jpath,
                          struct og_error *err);
void og_mapping_step_free(struct step *st);

#endif
