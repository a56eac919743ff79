/* editions.c - og-worldgen's 2016 edition: merged streets, 2016 codes, division_alias.csv. */
#include "tools/common/mem.h"
#include "tools/og-worldgen/worldgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2016 edition: the seven streets merged away, and the 2023 community ranges they became. */
static const struct wg_merge {
    const char *new_street; /* 2023 street, last 3 digits */
    unsigned first, last;   /* 2023 community sequence range */
    const char *old_street; /* 2016 street, last 3 digits */
    const char *old_name;
} wg_merges[] = {
    {"018", 1, 8, "014", "永祥街道"},   {"018", 9, 15, "010", "海安街道"},
    {"018", 16, 22, "011", "新福街道"}, {"018", 23, 29, "012", "乌桥街道"},
    {"019", 1, 7, "003", "金厦街道"},   {"019", 8, 13, "006", "同益街道"},
    {"019", 14, 19, "008", "东墩街道"},
};
#define WG_NMERGES (sizeof wg_merges / sizeof wg_merges[0])

int wg_assign_2016_codes(struct wg_world *w, struct og_error *err)
{
    for (size_t i = 0; i < w->ncomms; i++) {
        struct wg_comm *cm = &w->comms[i];
        const char *street3 = cm->code + 6;
        unsigned seq = (unsigned)atoi(cm->code + 9);
        memcpy(cm->code2016, cm->code, 13);
        bool merged_street = false;
        for (size_t m = 0; m < WG_NMERGES; m++) {
            if (strncmp(street3, wg_merges[m].new_street, 3) != 0) {
                continue;
            }
            merged_street = true;
            if (seq >= wg_merges[m].first && seq <= wg_merges[m].last) {
                snprintf(cm->code2016, sizeof cm->code2016, "%s%s%03u", WG_COUNTY,
                         wg_merges[m].old_street, seq - wg_merges[m].first + 1);
            }
        }
        if (merged_street && strcmp(cm->code2016, cm->code) == 0) {
            return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                                "community %s is outside the 2016 ranges of its street", cm->code);
        }
    }
    return 0;
}

struct wg_alias {
    char old_code[13], code[13], level[2], old_name[64];
};

static int cmp_alias(const void *a, const void *b)
{
    return strcmp(((const struct wg_alias *)a)->old_code, ((const struct wg_alias *)b)->old_code);
}

int wg_write_aliases(const struct wg_world *w, const char *dir, struct og_error *err)
{
    size_t cap = w->nstreets + WG_NMERGES + w->ncomms, n = 0;
    struct wg_alias *al = calloc(cap, sizeof *al);
    struct og_buf b = OG_BUF_INIT;
    int rc = 0;
    if (al == NULL) {
        return og_tool_nomem(err);
    }
    for (size_t s = 0; s < w->nstreets; s++) {
        const struct wg_street *st = &w->streets[s];
        bool merged = false;
        for (size_t m = 0; m < WG_NMERGES; m++) {
            if (strcmp(st->code + 6, wg_merges[m].new_street) != 0) {
                continue;
            }
            merged = true;
            struct wg_alias *a = &al[n++];
            snprintf(a->old_code, sizeof a->old_code, "%s%s", WG_COUNTY, wg_merges[m].old_street);
            snprintf(a->code, sizeof a->code, "%s", st->code);
            snprintf(a->level, sizeof a->level, "4");
            snprintf(a->old_name, sizeof a->old_name, "%s", wg_merges[m].old_name);
        }
        if (!merged) {
            struct wg_alias *a = &al[n++];
            snprintf(a->old_code, sizeof a->old_code, "%s", st->code);
            snprintf(a->code, sizeof a->code, "%s", st->code);
            snprintf(a->level, sizeof a->level, "4");
            snprintf(a->old_name, sizeof a->old_name, "%s", st->name);
        }
    }
    for (size_t i = 0; i < w->ncomms; i++) {
        struct wg_alias *a = &al[n++];
        snprintf(a->old_code, sizeof a->old_code, "%s", w->comms[i].code2016);
        snprintf(a->code, sizeof a->code, "%s", w->comms[i].code);
        snprintf(a->level, sizeof a->level, "5");
        snprintf(a->old_name, sizeof a->old_name, "%s", w->comms[i].name);
    }
    qsort(al, n, sizeof *al, cmp_alias);
    rc = wg_csv_row(&b, 5, "old_code", "code", "edition", "level", "old_name");
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i > 0 && strcmp(al[i - 1].old_code, al[i].old_code) == 0) {
            rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                              "2016 code %s mapped twice", al[i].old_code);
            break;
        }
        rc = wg_csv_row(&b, 5, al[i].old_code, al[i].code, "2016", al[i].level, al[i].old_name);
    }
    if (rc == OG_ENOMEM) {
        rc = og_tool_nomem(err);
    }
    if (rc == 0) {
        rc = wg_write_atomic(dir, "division_alias.csv", &b, err);
    }
    og_buf_free(&b);
    free(al);
    return rc;
}
