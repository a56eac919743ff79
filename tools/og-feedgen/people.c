/* people.c - HL-2's people in the other feeds (PS-1, HL-1): the members they share with HL-2,
 * replayed from its stream, and fresh resident numbers that no HL-2 member holds, unique by
 * construction (a permutation of birth day and sequence number; each feed its own multiplier). */
#include "tools/og-feedgen/feedgen.h"

#include <stdlib.h>
#include <string.h>

/* Birth places of the fresh numbers, weighted by repetition (as in the HL-2 members). */
static const char *const FRESH_AREAS[] = {
    "440511", "440511", "440511", "440511", "440511", "440511", "440507",
    "440507", "440507", "440513", "440514", "440515", "445102", "445202",
    "440106", "440304", "420106", "350203", "430102",
};
/* Further birth places, used only after 32,871,000 fresh persons. */
static const char *const FRESH_MORE_AREAS[] = {"440523", "445103", "445122", "445224", "445281"};

/* The first 17 digits of a resident ID (15-digit numbers upgraded), or 0. */
static uint64_t prefix17(const char *id)
{
    char s[18];
    size_t len = strlen(id);
    if (len == 15) {
        memcpy(s, id, 6);
        memcpy(s + 6, "19", 2);
        memcpy(s + 8, id + 6, 9);
    }
    else if (len == 18) {
        memcpy(s, id, 17);
    }
    else {
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 17; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    return v;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* How many HL-2 members have prefix v: 0, 1, or 2 for several. */
static int hl2_count(const struct fg_people *g, uint64_t v)
{
    const uint64_t *p = g->nhl2 ? bsearch(&v, g->hl2, g->nhl2, sizeof v, cmp_u64) : NULL;
    if (!p) {
        return 0;
    }
    bool before = p > g->hl2 && p[-1] == v;
    bool after = p + 1 < g->hl2 + g->nhl2 && p[1] == v;
    return before || after ? 2 : 1;
}

/* Collects the prefixes of all members of the first hl_n HL-2 visits, sorted. */
static int hl2_collect(struct fg_people *g, const struct fg_world *w, uint64_t seed, long hl_n)
{
    struct fg_hl_iter *it = fg_hl_iter_create(w, seed, hl_n);
    if (!it) {
        return OG_ENOMEM;
    }
    size_t cap = 0;
    const struct fg_hl_visit *v = NULL;
    int rc;
    while ((rc = fg_hl_iter_next(it, &v)) == 1) {
        for (int m = 0; m < v->nmembers; m++) {
            if (g->nhl2 == cap) {
                cap = cap ? cap * 2 : 4096;
                uint64_t *p = realloc(g->hl2, cap * sizeof *p);
                if (!p) {
                    fg_hl_iter_destroy(it);
                    return OG_ENOMEM;
                }
                g->hl2 = p;
            }
            g->hl2[g->nhl2++] = prefix17(v->members[m].id);
        }
    }
    fg_hl_iter_destroy(it);
    if (rc < 0) {
        return rc;
    }
    if (g->nhl2 > 1) {
        qsort(g->hl2, g->nhl2, sizeof *g->hl2, cmp_u64);
    }
    return 0;
}

bool fg_people_next_shared(struct fg_people *g, bool any_form, const struct fg_hl_member **mb,
                           int *grid)
{
    while (g->share) {
        if (g->visit && g->visit_m < g->visit->nmembers) {
            const struct fg_hl_member *m = &g->visit->members[g->visit_m++];
            bool form_ok = any_form ? m->v != ID_BAD_CHECK : m->v == ID_NORMAL;
            if (!g->visit->rejected && form_ok && hl2_count(g, prefix17(m->id)) == 1) {
                *mb = m;
                *grid = g->visit->grid;
                return true;
            }
            continue;
        }
        g->visit_m = 0;
        if (fg_hl_iter_next(g->share, &g->visit) != 1) {
            fg_hl_iter_destroy(g->share);
            g->share = NULL;
            g->visit = NULL;
        }
    }
    return false;
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

void fg_people_fresh_id(struct fg_people *g, struct og_tool_rng *r, bool legacy, bool want_x,
                        char id[20])
{
    for (;;) {
        uint64_t k = g->fresh_k++;
        uint64_t j = k / g->perm_m;
        uint64_t p = (g->perm_a * (k % g->perm_m) + g->perm_b) % g->perm_m;
        const char *area = j == 0 ? OG_TOOL_PICK(r, FRESH_AREAS)
                                  : FRESH_MORE_AREAS[(j - 1) % (sizeof FRESH_MORE_AREAS /
                                                                sizeof FRESH_MORE_AREAS[0])];
        int y, m, d;
        fg_civil_date(g->birth0 + (int64_t)(p / 1000), &y, &m, &d);
        snprintf(id, 20, "%s%04d%02d%02d%03u", area, y, m, d, (unsigned)(p % 1000));
        id[17] = fg_id_check(id);
        id[18] = '\0';
        if ((legacy && y >= 2000) || (want_x && id[17] != 'X')) {
            continue;
        }
        if (hl2_count(g, prefix17(id)) == 0) {
            return;
        }
    }
}

int fg_people_init(struct fg_people *pp, const struct fg_world *w, uint64_t seed, long hl_n,
                   uint64_t perm_mult, struct og_tool_rng *r)
{
    memset(pp, 0, sizeof *pp);
    pp->birth0 = fg_days_from_civil(1930, 1, 1);
    pp->perm_m = (uint64_t)(fg_days_from_civil(2019, 12, 31) - pp->birth0 + 1) * 1000u;
    pp->perm_a = perm_mult % pp->perm_m;
    while (gcd_u64(pp->perm_a, pp->perm_m) != 1) {
        pp->perm_a++;
    }
    pp->perm_b = og_tool_rng_next(r) % pp->perm_m;
    int rc = hl_n > 0 ? hl2_collect(pp, w, seed, hl_n) : 0;
    if (rc == 0 && hl_n > 0) {
        pp->share = fg_hl_iter_create(w, seed, hl_n);
        rc = pp->share ? 0 : OG_ENOMEM;
    }
    return rc;
}

void fg_people_free(struct fg_people *pp)
{
    fg_hl_iter_destroy(pp->share);
    free(pp->hl2);
    memset(pp, 0, sizeof *pp);
}
