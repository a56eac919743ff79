/* keys.h - the warehouse rows a batch writes, as 64-bit hashes of their keys, so that two batches
 * can be told apart: batches with no key in common may be stored in parallel (pipeline/loop.c). A
 * hash collision only makes two batches look related, never the reverse. */
#ifndef OG_KEYS_H
#define OG_KEYS_H

#include "core/unified.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct og_keys {
    uint64_t *v;
    size_t n, cap;
    bool sealed; /* sorted, ready for og_keys_overlap */
};

/* Adds the keys record u writes: an event's id (and its subject's health_code row, for a
 * health-code change), a visit's id, a person's key, a house's id. 0 or OG_ENOMEM. */
int og_keys_add(struct og_keys *k, const struct og_unified *u);
/* Sorts the keys (idempotent); no key may be added afterwards until og_keys_clear. */
void og_keys_seal(struct og_keys *k);
/* Whether two sealed sets share a key. */
bool og_keys_overlap(const struct og_keys *a, const struct og_keys *b);
/* Empties k (its memory is kept). */
void og_keys_clear(struct og_keys *k);
void og_keys_free(struct og_keys *k);

#endif
