/* keys.c - key hashes of a batch's rows and their overlap. */
#include "pipeline/keys.h"

#include "core/error.h"

#include <stdlib.h>

/* FNV-1a, 64 bits, over a kind tag and the key. */
static uint64_t hash(char tag, const char *key)
{
    uint64_t h = 1469598103934665603ULL;
    h = (h ^ (unsigned char)tag) * 1099511628211ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static int push(struct og_keys *k, char tag, const char *key)
{
    if (!key)
        return 0;
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 1024;
        uint64_t *v = realloc(k->v, cap * sizeof(*v));
        if (!v)
            return OG_ENOMEM;
        k->v = v;
        k->cap = cap;
    }
    k->v[k->n++] = hash(tag, key);
    k->sealed = false;
    return 0;
}

int og_keys_add(struct og_keys *k, const struct og_unified *u)
{
    switch (u->kind) {
    case OG_KIND_EVENT: {
        int rc = push(k, 'e', u->u.event.event_id);
        return rc ? rc : u->u.event.health ? push(k, 'c', u->u.event.subject_key) : 0;
    }
    case OG_KIND_VISIT:
        return push(k, 'v', u->u.visit.visit_id);
    case OG_KIND_PERSON:
        return push(k, 'p', u->u.person.person_key);
    case OG_KIND_HOUSING:
        return push(k, 'h', u->u.housing.house_id);
    }
    return 0;
}

static int cmp(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

void og_keys_seal(struct og_keys *k)
{
    if (!k->sealed && k->n > 1)
        qsort(k->v, k->n, sizeof(*k->v), cmp);
    k->sealed = true;
}

bool og_keys_overlap(const struct og_keys *a, const struct og_keys *b)
{
    size_t i = 0, j = 0;
    while (i < a->n && j < b->n) {
        if (a->v[i] == b->v[j])
            return true;
        if (a->v[i] < b->v[j])
            i++;
        else
            j++;
    }
    return false;
}

void og_keys_clear(struct og_keys *k)
{
    k->n = 0;
    k->sealed = false;
}

void og_keys_free(struct og_keys *k)
{
    free(k->v);
    k->v = NULL;
    k->n = k->cap = 0;
}
