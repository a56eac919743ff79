/* options.h - checking JSON objects against what they may hold: a list of known keys (config and
 * mapping files) or an option table (key, type, default, description) that also makes --help. */
#ifndef OG_OPTIONS_H
#define OG_OPTIONS_H

#include "core/error.h"

#include <jansson.h>

/* One option a component accepts: generated --help and unknown-key checks come from this table. */
struct og_option_doc {
    const char *key;
    const char *type; /* "string", "integer", "boolean", "object", "array" */
    const char *def;  /* default as text, or NULL */
    const char *description;
};

/* Checks that every key of obj (a JSON object, borrowed) is in known (NULL-terminated). An unknown
 * key is OG_ECONFIG with the given reason, message `unknown key "KEY"` and detail `known keys: a,
 * b, c`; err->position is left as it was, for the caller to set. 0 when all are known. */
int og_keys_check(const json_t *obj, const char *const *known, enum og_reason reason,
                  struct og_error *err);

/* Where a JSON configuration file (onegrid.json, the link rules) is being read: its errors are
 * OG_ECONFIG (reason bad_config) positioned "FILE: JSON.PATH". */
struct og_json_at {
    const char *file;
    struct og_error *err;
};
/* Sets at->err to what (a message) at where (a JSON path). Returns OG_ECONFIG. */
int og_json_bad(const struct og_json_at *at, const char *where, const char *what);
/* og_keys_check of obj at where. 0 or OG_ECONFIG. */
int og_json_keys(const struct og_json_at *at, const json_t *obj, const char *const *known,
                 const char *where);

/* Checks options (borrowed; NULL is allowed) against docs (terminated by {NULL}): an unknown key
 * or a value of the wrong JSON type is OG_ECONFIG (reason bad_config) naming the key and owner
 * ("connector csv"); for an unknown key the known ones are listed in err->detail. */
int og_options_check(const char *owner, const struct og_option_doc *docs, const json_t *options,
                     struct og_error *err);

#endif
