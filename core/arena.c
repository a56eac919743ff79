/* arena.c - bump allocator in linked blocks. */
#include "core/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct block {
    struct block *next;
    size_t size;
    size_t used;
    max_align_t data[];
};

struct og_arena {
    struct block *head;
    size_t chunk;
    size_t total;
};

static struct block *block_new(size_t size)
{
    struct block *b = malloc(sizeof(*b) + size);
    if (!b)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

struct og_arena *og_arena_create(size_t chunk)
{
    struct og_arena *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->chunk = chunk ? chunk : 64 * 1024;
    return a;
}

void og_arena_destroy(struct og_arena *a)
{
    if (!a)
        return;
    struct block *b = a->head;
    while (b) {
        struct block *n = b->next;
        free(b);
        b = n;
    }
    free(a);
}

void og_arena_reset(struct og_arena *a)
{
    if (!a || !a->head)
        return;
    /* keep the last block in the list (the first one allocated), free the others */
    struct block *b = a->head, *keep = NULL;
    while (b) {
        struct block *n = b->next;
        if (!n)
            keep = b;
        else
            free(b);
        b = n;
    }
    keep->used = 0;
    a->head = keep;
    a->total = 0;
}

void *og_arena_alloc(struct og_arena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    if (n > SIZE_MAX - align - sizeof(struct block))
        return NULL;
    n = (n + align - 1) & ~(align - 1);
    if (n == 0)
        n = align;
    struct block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > a->chunk ? n : a->chunk;
        struct block *nb = block_new(size);
        if (!nb)
            return NULL;
        nb->next = a->head;
        a->head = nb;
        b = nb;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    a->total += n;
    return p;
}

void *og_arena_calloc(struct og_arena *a, size_t n)
{
    void *p = og_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *og_arena_strndup(struct og_arena *a, const char *s, size_t n)
{
    char *p = og_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *og_arena_strdup(struct og_arena *a, const char *s)
{
    return og_arena_strndup(a, s, strlen(s));
}

char *og_arena_sprintf(struct og_arena *a, const char *fmt, ...)
{
    char tmp[256]; /* most texts fit: formatted once */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    if ((size_t)n < sizeof(tmp))
        return og_arena_strndup(a, tmp, (size_t)n);
    char *p = og_arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

size_t og_arena_used(const struct og_arena *a)
{
    return a ? a->total : 0;
}
