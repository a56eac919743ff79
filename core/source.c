/* source.c - what every source shares: releasing a record read. */
#include "core/source.h"

#include <stdlib.h>

void og_read_release(struct og_read *r)
{
    json_decref(r->doc);
    free(r->raw);
    r->doc = NULL;
    r->raw = NULL;
}
