/* batch.c - batches of unified records and rejects. */
#include "core/batch.h"
#include "core/error.h"
#include "core/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct og_batch *og_batch_create(void)
{
    struct og_batch *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->arena = og_arena_create(1 << 20);
    if (!b->arena) {
        free(b);
        return NULL;
    }
    return b;
}

void og_batch_destroy(struct og_batch *b)
{
    if (!b)
        return;
    og_arena_destroy(b->arena);
    free(b->recs);
    free(b->rejs);
    for (size_t i = 0; i < b->nmarks; i++)
        free(b->marks[i].digests);
    free(b->marks);
    free(b);
}

void og_batch_reset(struct og_batch *b)
{
    og_arena_reset(b->arena);
    b->nrecs = 0;
    b->nrejs = 0;
    for (size_t i = 0; i < b->nmarks; i++)
        free(b->marks[i].digests);
    b->nmarks = 0;
    b->notes = 0;
}

struct og_unified *og_batch_add(struct og_batch *b)
{
    if (b->nrecs == b->caprecs) {
        size_t cap = b->caprecs ? b->caprecs * 2 : 1024;
        struct og_unified *p = realloc(b->recs, cap * sizeof(*p));
        if (!p)
            return NULL;
        b->recs = p;
        b->caprecs = cap;
    }
    struct og_unified *u = &b->recs[b->nrecs++];
    memset(u, 0, sizeof(*u));
    return u;
}

void og_batch_drop_last(struct og_batch *b)
{
    if (b->nrecs)
        b->nrecs--;
}

static const char *adup(struct og_arena *a, const char *s, size_t max)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) /* do not cut a UTF-8 character */
            n--;
    }
    return og_arena_strndup(a, s, n);
}

/* Masks identity-number-like runs (15 to 18 digits, an optional X) in raw text, so that rejects
 * never store a raw ID number: first 6 and last 4 characters kept. The fraction of a decimal
 * number (digits after a digit and '.': a coordinate written 23.390121000000001) is not an ID
 * number and stays, so that the record can be replayed. Works in place. */
static void scrub_ids(char *s)
{
    for (char *p = s; *p;) {
        if (*p >= '0' && *p <= '9') {
            char *q = p;
            bool fraction = p - s >= 2 && p[-1] == '.' && p[-2] >= '0' && p[-2] <= '9';
            while (*q >= '0' && *q <= '9')
                q++;
            if (*q == 'X' || *q == 'x')
                q++;
            size_t n = (size_t)(q - p);
            if (n >= 15 && n <= 18 && !fraction)
                for (size_t i = 6; i + 4 < n; i++)
                    p[i] = '*';
            p = q;
        }
        else
            p++;
    }
}

/* A copy of s in the arena as valid UTF-8 (invalid bytes as U+FFFD: the loader stores it as text,
 * and a message may hold a cut character, from a fixed buffer or a library's "%.50s"), or NULL on
 * out of memory. */
static char *valid_dup(struct og_arena *a, const char *s)
{
    char *valid = og_utf8_copy(s, strlen(s), SIZE_MAX);
    char *copy = valid ? og_arena_strdup(a, valid) : NULL;
    free(valid);
    return copy;
}

/* A copy of s as valid UTF-8 with identity-number-like runs masked first, then cut to max bytes
 * (masking before cutting, so that a number the cut would split is never stored partly
 * unmasked). */
static const char *scrubbed(struct og_arena *a, const char *s, size_t max)
{
    if (!s)
        return NULL;
    char *full = valid_dup(a, s);
    if (!full)
        return NULL;
    scrub_ids(full);
    return adup(a, full, max);
}

int og_batch_reject(struct og_batch *b, const struct og_pos *pos, enum og_stage stage,
                    const struct og_error *why, const char *raw)
{
    if (why->reason == OG_R_NONE)
        return OG_EINVAL;
    if (b->nrejs == b->caprejs) {
        size_t cap = b->caprejs ? b->caprejs * 2 : 64;
        struct og_reject *p = realloc(b->rejs, cap * sizeof(*p));
        if (!p)
            return OG_ENOMEM;
        b->rejs = p;
        b->caprejs = cap;
    }
    struct og_reject *r = &b->rejs[b->nrejs];
    memset(r, 0, sizeof(*r));
    r->pos = *pos;
    r->pos.source = adup(b->arena, pos->source, 1000);
    r->pos.input = adup(b->arena, pos->input, 4000);
    r->pos.version = adup(b->arena, pos->version, 200);
    char pbuf[512];
    /* a position the reader knows better than a record number (a file rejected as a whole: where
     * it broke, file:line:column) */
    bool own = pos->line <= 0 && pos->partition < 0 && why->position[0];
    r->position = adup(b->arena, own ? why->position : og_pos_format(pos, pbuf, sizeof(pbuf)), 600);
    r->stage = stage;
    r->reason = why->reason;
    const char *field = why->field[0] ? valid_dup(b->arena, why->field) : NULL;
    r->field = field ? adup(b->arena, field, 200) : NULL;
    r->message = scrubbed(b->arena, why->message, 2000);
    r->raw = scrubbed(b->arena, raw, 65536);
    if (!r->message || (why->field[0] && !r->field))
        return OG_ENOMEM;
    b->nrejs++;
    return 0;
}

const char *og_kind_name(enum og_kind kind)
{
    static const char *const NAMES[] = {"?", "event", "visit", "person", "housing"};
    return (unsigned)kind < 5 ? NAMES[kind] : "?";
}

const char *og_stage_name(enum og_stage stage)
{
    static const char *const NAMES[] = {"read", "map", "reconcile", "load"};
    return (unsigned)stage < 4 ? NAMES[stage] : "?";
}

size_t og_batch_size(const struct og_batch *b)
{
    return b->nrecs + b->nrejs;
}

struct og_mark *og_batch_mark(struct og_batch *b, const char *kind, const char *key,
                              const char *version)
{
    version = version ? version : "";
    for (size_t i = b->nmarks; i-- > 0;) {
        struct og_mark *m = &b->marks[i];
        if (strcmp(m->key, key) == 0 && strcmp(m->kind, kind) == 0 &&
            strcmp(m->version, version) == 0)
            return m;
    }
    if (b->nmarks == b->capmarks) {
        size_t cap = b->capmarks ? b->capmarks * 2 : 8;
        struct og_mark *p = realloc(b->marks, cap * sizeof(*p));
        if (!p)
            return NULL;
        b->marks = p;
        b->capmarks = cap;
    }
    struct og_mark *m = &b->marks[b->nmarks];
    memset(m, 0, sizeof(*m));
    m->kind = og_arena_strdup(b->arena, kind);
    m->key = og_arena_strdup(b->arena, key);
    m->version = og_arena_strdup(b->arena, version);
    if (!m->kind || !m->key || !m->version)
        return NULL;
    b->nmarks++;
    return m;
}

int og_mark_digest(struct og_mark *m, long long index, uint64_t digest)
{
    if (m->ndigests == 0)
        m->first = index;
    if (index < m->first + (long long)m->ndigests)
        return 0; /* passed already (cannot happen: indexes only grow) */
    size_t need = (size_t)(index - m->first) + 1;
    if (need > m->capdigests) {
        size_t cap = m->capdigests ? m->capdigests * 2 : 1024;
        while (cap < need)
            cap *= 2;
        uint64_t *p = realloc(m->digests, cap * sizeof(*p));
        if (!p)
            return OG_ENOMEM;
        m->digests = p;
        m->capdigests = cap;
    }
    while (m->ndigests + 1 < need)
        m->digests[m->ndigests++] = 0;
    m->digests[m->ndigests++] = digest;
    return 0;
}
