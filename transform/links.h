/* links.h - reading and checking the link rules file (mappings/links.json, docs/links.md) into the
 * rule set of core/links.h. */
#ifndef OG_TRANSFORM_LINKS_H
#define OG_TRANSFORM_LINKS_H

#include "core/error.h"
#include "core/links.h"

#include <jansson.h>

/* Reads the rules file at path into *links (new; og_links_free). Errors are OG_ECONFIG (reason
 * bad_config) naming the file and the JSON path ("links.json: rules[1].between[0].categories[2]"),
 * or OG_ENOMEM. On error *links is empty. */
int og_links_load(const char *path, struct og_links *links, struct og_error *err);

/* The same from a document already in memory (borrowed); name is the file named in errors. */
int og_links_from_json(const json_t *doc, const char *name, struct og_links *links,
                       struct og_error *err);

#endif
