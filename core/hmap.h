/* hmap.h - a string-keyed hash map (open addressing) for lookup tables built at start. */
#ifndef OG_HMAP_H
#define OG_HMAP_H

#include <stddef.h>

struct og_hmap;

/* New empty map, NULL on out of memory. Keys are copied; values are borrowed pointers. */
struct og_hmap *og_hmap_create(void);
/* NULL allowed. Does not free values. */
void og_hmap_destroy(struct og_hmap *m);
/* Inserts or replaces. 0 or OG_ENOMEM. */
int og_hmap_put(struct og_hmap *m, const char *key, void *value);
/* The value (borrowed) or NULL. */
void *og_hmap_get(const struct og_hmap *m, const char *key);
size_t og_hmap_count(const struct og_hmap *m);
/* Iterates in unspecified order; stops early when fn returns non-zero (returned). */
int og_hmap_each(const struct og_hmap *m, int (*fn)(const char *key, void *value, void *ctx),
                 void *ctx);

#endif
