/* arena.h - a per-batch bump allocator: record data lives here, freed in one call after commit. */
#ifndef OG_ARENA_H
#define OG_ARENA_H

#include <stddef.h>

struct og_arena;

/* New arena; chunk is the block size (0 = 64 KiB). NULL when out of memory. */
struct og_arena *og_arena_create(size_t chunk);
/* NULL is allowed. */
void og_arena_destroy(struct og_arena *a);
/* Frees every allocation at once; keeps the first block for reuse. Pointers from it become invalid.
 */
void og_arena_reset(struct og_arena *a);
/* Memory valid until reset/destroy; aligned for any type. NULL when out of memory. */
void *og_arena_alloc(struct og_arena *a, size_t n);
void *og_arena_calloc(struct og_arena *a, size_t n);
char *og_arena_strdup(struct og_arena *a, const char *s);
char *og_arena_strndup(struct og_arena *a, const char *s, size_t n);
char *og_arena_sprintf(struct og_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Bytes handed out since the last reset (for metrics). */
size_t og_arena_used(const struct og_arena *a);

#endif
