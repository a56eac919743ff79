/* registry.c - the connector table. */
#include "pipeline/registry.h"

#include "connectors/csv.h"
#include "connectors/jsondoc.h"
#include "connectors/kafka.h"
#include "connectors/ndjson.h"
#include "connectors/pgsql.h"
#include "connectors/xml.h"

#include <stdio.h>
#include <string.h>

static const struct og_connector *const CONNECTORS[] = {
    &og_connector_csv, &og_connector_json, &og_connector_ndjson, &og_connector_xml, NULL,
};

static const struct og_source_ops *const SOURCES[] = {
    &og_kafka_source,
    &og_pgsql_source,
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

const struct og_source_ops *og_registry_source(const char *name)
{
    for (const struct og_source_ops *const *s = SOURCES; name && *s; s++)
        if (strcmp((*s)->name, name) == 0)
            return *s;
    return NULL;
}

const struct og_source_ops *const *og_registry_sources(void)
{
    return SOURCES;
}

const char *og_registry_names(char *buf, size_t size)
{
    size_t used = 0, nfiles = sizeof(CONNECTORS) / sizeof(CONNECTORS[0]) - 1;
    buf[0] = '\0';
    for (size_t i = 0; i < nfiles + sizeof(SOURCES) / sizeof(SOURCES[0]) - 1; i++) {
        const char *name = i < nfiles ? CONNECTORS[i]->name : SOURCES[i - nfiles]->name;
        int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", name);
        if (n < 0 || (size_t)n >= size - used) {
            buf[used] = '\0'; /* whole names only */
            break;
        }
        used += (size_t)n;
    }
    return buf;
}

int og_registry_check_options(const struct og_connector *c, const json_t *options,
                              struct og_error *err)
{
    char owner[64];
    snprintf(owner, sizeof(owner), "connector %s", c->name);
    return og_options_check(owner, c->options, options, err);
}
