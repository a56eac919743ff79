/* links.c - the link rule set: freeing it (reading it is transform/links.c). */
#include "core/links.h"

#include <stdlib.h>
#include <string.h>

void og_links_free(struct og_links *links)
{
    if (!links)
        return;
    for (size_t i = 0; i < links->nrules; i++)
        for (int k = 0; k < 2; k++)
            free(links->rules[i].side[k].prefixes);
    free(links->rules);
    free(links->path);
    memset(links, 0, sizeof(*links));
}
