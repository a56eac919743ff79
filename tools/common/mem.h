/* mem.h - growing arrays and reporting allocation failure, for the generators. */
#ifndef OG_TOOLS_COMMON_MEM_H
#define OG_TOOLS_COMMON_MEM_H

#include "core/error.h"

#include <stddef.h>

/* Makes the array *p (of *cap elements of elem bytes) hold at least need elements: doubles the
 * capacity (from 16) and zeroes the new elements. On success *p and *cap may change (pointers into
 * the old array stop being valid). 0, or OG_ENOMEM with *p and *cap unchanged. */
int og_tool_grow(void **p, size_t *cap, size_t need, size_t elem);

/* Fills err (NULL allowed) with "out of memory", reason "nomem", fatal; returns OG_ENOMEM. */
int og_tool_nomem(struct og_error *err);

#endif
