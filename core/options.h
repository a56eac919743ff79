/* options.h - option tables (key, type, default, description): checking a JSON object against one.
 */
#ifndef OG_OPTIONS_H
#define OG_OPTIONS_H

#include "core/error.h"

#include <jansson.h>

/* One option a component accepts: generated --help and unknown-key checks come from this table. */
struct og_option_doc {
    const char *key;
    const char *type; /* "string", "integer", "boolean" */
    const char *def;  /* default as text, or NULL */
    const char *description;
};

/* Checks options (borrowed; NULL is allowed) against docs (terminated by {NULL}): an unknown key or
 * a value of the wrong JSON type is OG_ECONFIG naming the key and owner ("connector csv"); for an
 * unknown key the known ones are listed in err->detail. */
int og_options_check(const char *owner, const struct og_option_doc *docs, const json_t *options,
                     struct og_error *err);

#endif
