/* options.c - checking JSON options against an option table. */
#include "core/options.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int og_options_check(const char *owner, const struct og_option_doc *docs, const json_t *options,
                     struct og_error *err)
{
    if (!options)
        return 0;
    if (!json_is_object(options))
        return og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, "config",
                            "options for %s must be a JSON object", owner);
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)options, key, value)
    {
        const struct og_option_doc *doc = docs;
        while (doc->key && strcmp(doc->key, key) != 0)
            doc++;
        if (!doc->key) {
            char known[256] = "";
            size_t used = 0;
            for (doc = docs; doc->key; doc++) {
                int n = snprintf(known + used, sizeof(known) - used, "%s%s", used ? ", " : "",
                                 doc->key);
                if (n < 0 || (size_t)n >= sizeof(known) - used)
                    break;
                used += (size_t)n;
            }
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, "config", "unknown option \"%s\" for %s",
                         key, owner);
            og_error_detail(err, "known options: %s", used ? known : "(none)");
            return OG_ECONFIG;
        }
        bool ok = (strcmp(doc->type, "integer") == 0 && json_is_integer(value)) ||
                  (strcmp(doc->type, "boolean") == 0 && json_is_boolean(value)) ||
                  (strcmp(doc->type, "string") == 0 && json_is_string(value));
        if (!ok)
            return og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, "config",
                                "option \"%s\" for %s must be a %s", key, owner, doc->type);
    }
    return 0;
}
