/* hmap.c - open-addressing string hash map (FNV-1a, linear probing). */
#include "core/hmap.h"
#include "core/arena.h"
#include "core/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    char *key;
    void *value;
    uint64_t hash;
};

struct og_hmap {
    struct slot *slots;
    size_t cap;
    size_t count;
    struct og_arena *keys; /* the copies of the keys: one allocation per block, not per key */
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

struct og_hmap *og_hmap_create(void)
{
    struct og_hmap *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->cap = 64;
    m->slots = calloc(m->cap, sizeof(struct slot));
    m->keys = og_arena_create(16 * 1024);
    if (!m->slots || !m->keys) {
        og_hmap_destroy(m);
        return NULL;
    }
    return m;
}

void og_hmap_destroy(struct og_hmap *m)
{
    if (!m)
        return;
    og_arena_destroy(m->keys);
    free(m->slots);
    free(m);
}

static struct slot *find(struct slot *slots, size_t cap, const char *key, uint64_t h)
{
    size_t i = h & (cap - 1);
    for (;;) {
        struct slot *s = &slots[i];
        if (!s->key || (s->hash == h && strcmp(s->key, key) == 0))
            return s;
        i = (i + 1) & (cap - 1);
    }
}

static int grow(struct og_hmap *m)
{
    size_t cap = m->cap * 2;
    struct slot *slots = calloc(cap, sizeof(struct slot));
    if (!slots)
        return OG_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key)
            *find(slots, cap, m->slots[i].key, m->slots[i].hash) = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

int og_hmap_put(struct og_hmap *m, const char *key, void *value)
{
    if ((m->count + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return OG_ENOMEM;
    uint64_t h = fnv1a(key);
    struct slot *s = find(m->slots, m->cap, key, h);
    if (!s->key) {
        s->key = og_arena_strdup(m->keys, key);
        if (!s->key)
            return OG_ENOMEM;
        s->hash = h;
        m->count++;
    }
    s->value = value;
    return 0;
}

void *og_hmap_get(const struct og_hmap *m, const char *key)
{
    if (!m || !key)
        return NULL;
    struct slot *s = find(m->slots, m->cap, key, fnv1a(key));
    return s->key ? s->value : NULL;
}

size_t og_hmap_count(const struct og_hmap *m)
{
    return m ? m->count : 0;
}

int og_hmap_each(const struct og_hmap *m, int (*fn)(const char *key, void *value, void *ctx),
                 void *ctx)
{
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key) {
            int rc = fn(m->slots[i].key, m->slots[i].value, ctx);
            if (rc)
                return rc;
        }
    }
    return 0;
}
