/* registry.c - the connector table. */
#include "registry.h"

#include "../connectors/csv.h"
#include "../connectors/jsondoc.h"
#include "../connectors/ndjson.h"

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

const struct og_connector *const *og_registry_all(void) { return CONNECTORS; }

int og_registry_check_options(const struct og_connector *c, const json_t *options, struct og_error *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)options, key, v)
    {
        const struct og_option_doc *d = c->options;
        while (d && d->key && strcmp(d->key, key) != 0)
            d++;
        if (!d || !d->key) {
            char list[300] = "";
            for (d = c->options; d && d->key; d++) {
                strncat(list, d->key, sizeof(list) - strlen(list) - 3);
                if (d[1].key)
                    strncat(list, ", ", sizeof(list) - strlen(list) - 1);
            }
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, "bad_option", "unknown option \"%s\" for connector %s", key,
                         c->name);
            og_error_hint(err, "options of %s: %s", c->name, list[0] ? list : "(none)");
            return OG_ECONFIG;
        }
        bool ok = (!strcmp(d->type, "string") && json_is_string(v)) ||
                  (!strcmp(d->type, "integer") && json_is_integer(v)) ||
                  (!strcmp(d->type, "boolean") && json_is_boolean(v));
        if (!ok)
            return og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, "bad_option",
                                "option \"%s\" of connector %s must be a %s", key, c->name, d->type);
    }
    return 0;
}
