/* registry.c - the connector table. */
#include "cli/registry.h"

#include "connectors/csv.h"
#include "connectors/jsondoc.h"
#include "connectors/ndjson.h"

#include <stdio.h>
#include <string.h>

static const struct og_connector *const CONNECTORS[] = {
    &og_connector_csv,
    &og_connector_json,
    &og_connector_ndjson,
    NULL,
};

const struct og_connector *og_registry_connector(const char *name)
{
    for (const struct og_connector *const *c = CONNECTORS; name && *c; c++)
        if (strcmp((*c)->name, name) == 0)
            return *c;
    return NULL;
}

const struct og_connector *const *og_registry_all(void)
{
    return CONNECTORS;
}

int og_registry_check_options(const struct og_connector *c, const json_t *options,
                              struct og_error *err)
{
    char owner[64];
    snprintf(owner, sizeof(owner), "connector %s", c->name);
    int rc = og_options_check(owner, c->options, options, err);
    if (rc < 0 && err && err->detail[0])
        og_error_hint(err, "%s", err->detail);
    return rc;
}
