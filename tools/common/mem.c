/* mem.c - array growth and the out-of-memory error shared by the generators. */
#include "tools/common/mem.h"

#include <stdlib.h>
#include <string.h>

int og_tool_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) {
        return 0;
    }
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need) {
        ncap *= 2;
    }
    void *np = realloc(*p, ncap * elem);
    if (np == NULL) {
        return OG_ENOMEM;
    }
    memset((char *)np + *cap * elem, 0, (ncap - *cap) * elem);
    *p = np;
    *cap = ncap;
    return 0;
}

int og_tool_nomem(struct og_error *err)
{
    return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
}
