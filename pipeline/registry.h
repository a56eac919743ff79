/* registry.h - the static tables of connectors: file connectors (core/connector.h: csv, json,
 * ndjson, ...) and source kinds that are not files (core/source.h: kafka, ...). Adding one is one
 * file in connectors/ and one line in registry.c. */
#ifndef OG_REGISTRY_H
#define OG_REGISTRY_H

#include "core/connector.h"
#include "core/source.h"

#include <stddef.h>

/* The file connector called name (NULL allowed), or NULL. */
const struct og_connector *og_registry_connector(const char *name);
/* NULL-terminated list of all file connectors. */
const struct og_connector *const *og_registry_all(void);
/* The source kind called name (NULL allowed), or NULL. */
const struct og_source_ops *og_registry_source(const char *name);
/* NULL-terminated list of the source kinds that are not files. */
const struct og_source_ops *const *og_registry_sources(void);
/* "csv, json, ndjson, kafka": every connector's name, for messages. Returns buf. */
const char *og_registry_names(char *buf, size_t size);
/* Checks options (borrowed, may be NULL) against the connector's option table: unknown keys and
 * wrong JSON types are OG_ECONFIG errors naming the key, the known ones in err->detail. */
int og_registry_check_options(const struct og_connector *c, const json_t *options,
                              struct og_error *err);

#endif
