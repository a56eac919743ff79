/* ps1_outcome.c - what a correct load of the PS-1 sample files gives, computed from the records
 * as written with the loading rules (samples/README.md): one person per normalised ID number and
 * one house per FWBM, the latest GXSJ winning (ties: the record read later); a resident placed by
 * its beat through crosswalks/ps.csv, else by its community code (2016 codes through
 * division_alias, 15 digits cut to 12), else nowhere; a house by its point, else its beat. */
#include "tools/og-feedgen/ps1.h"

#include "tools/common/mem.h"
#include "tools/common/text.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A member of a loaded HL-2 visit with a valid number. */
struct hl_id {
    char norm[40];
    char written[24];
};

static int cmp_hl_id(const void *a, const void *b)
{
    return strcmp(((const struct hl_id *)a)->norm, ((const struct hl_id *)b)->norm);
}

static int collect_hl(const struct fg_world *w, uint64_t seed, long hl_n, struct hl_id **out,
                      size_t *n)
{
    *out = NULL;
    *n = 0;
    if (hl_n <= 0) {
        return 0;
    }
    struct fg_hl_iter *it = fg_hl_iter_create(w, seed, hl_n);
    if (!it) {
        return OG_ENOMEM;
    }
    size_t cap = 0;
    const struct fg_hl_visit *v = NULL;
    int rc;
    while ((rc = fg_hl_iter_next(it, &v)) == 1) {
        for (int m = 0; m < v->nmembers && !v->rejected; m++) {
            struct og_id id;
            og_id_parse(v->members[m].id, OG_ID_RESIDENT, &id);
            if (id.status != OG_ID_OK) {
                continue;
            }
            if (og_tool_grow((void **)out, &cap, *n + 1, sizeof **out)) {
                rc = OG_ENOMEM;
                break;
            }
            og_tool_scopy((*out)[*n].norm, sizeof(*out)[*n].norm, id.norm);
            og_tool_scopy((*out)[*n].written, sizeof(*out)[*n].written, v->members[m].id);
            (*n)++;
        }
        if (rc < 0) {
            break;
        }
    }
    fg_hl_iter_destroy(it);
    if (rc < 0) {
        return rc;
    }
    if (*n > 1) {
        qsort(*out, *n, sizeof **out, cmp_hl_id);
    }
    return 0;
}

/* Orders records by kind, key, GXSJ, reading order: the last of a key is the one that wins. */
static int cmp_prec(const void *a, const void *b)
{
    const struct prec *x = *(const struct prec *const *)a, *y = *(const struct prec *const *)b;
    if (x->rec.house != y->rec.house) {
        return x->rec.house ? 1 : -1;
    }
    int c = strcmp(x->rec.key, y->rec.key);
    if (c) {
        return c;
    }
    if (x->rec.gxsj != y->rec.gxsj) {
        return x->rec.gxsj < y->rec.gxsj ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct mask {
    char s[24];
};

static int cmp_masks(const void *a, const void *b)
{
    return strcmp(((const struct mask *)a)->s, ((const struct mask *)b)->s);
}

static void mask_of(const char *norm, char out[24])
{
    struct og_id id;
    og_id_parse(norm, OG_ID_RESIDENT, &id);
    og_id_mask(&id, out, 24);
}

/* Whether a shared person's PS-1 records [a, b) write the number other than every HL-2 member with
 * that number does (hl[h0, h1)). */
static bool written_differently(struct prec *const *v, size_t a, size_t b, const struct hl_id *hl,
                                size_t h0, size_t h1)
{
    for (size_t k = a; k < b; k++) {
        bool same = false;
        for (size_t h = h0; h < h1 && !same; h++) {
            same = strcmp(v[k]->rec.written, hl[h].written) == 0;
        }
        if (!same) {
            return true;
        }
    }
    return false;
}

static json_t *counts_by_grid(const struct fg_world *w, const long *by_grid)
{
    json_t *o = json_object();
    for (size_t g = 0; g < w->ngrids; g++) {
        if (by_grid[g]) {
            json_object_set_new(o, w->grids[g].code, json_integer(by_grid[g]));
        }
    }
    return o;
}

static json_t *counts_by_street(const struct fg_world *w, const long *by_street)
{
    json_t *o = json_object();
    for (size_t k = 0; k < w->nstreets; k++) {
        json_object_set_new(o, w->streets[k].code, json_integer(by_street[k]));
    }
    return o;
}

static int street_of_grid(const struct fg_world *w, int g)
{
    int c = w->grids[g].community;
    return c >= 0 ? w->comms[c].street : -1;
}

int ps1_outcome(const struct fg_world *w, uint64_t seed, long hl_n, const struct prec *recs,
                size_t nrec, struct json_t **out)
{
    *out = NULL;
    struct hl_id *hl = NULL;
    size_t nhl = 0;
    int rc = collect_hl(w, seed, hl_n, &hl, &nhl);
    struct prec **v = calloc(nrec + 1, sizeof *v);
    struct mask *masks = calloc(nrec + 1, sizeof *masks);
    long *res_grid = calloc(w->ngrids, sizeof *res_grid);
    long *house_grid = calloc(w->ngrids, sizeof *house_grid);
    long *res_street = calloc(w->nstreets + 1, sizeof *res_street);
    long *house_street = calloc(w->nstreets + 1, sizeof *house_street);
    json_t *ooo = json_array();
    if (!v || !masks || !res_grid || !house_grid || !res_street || !house_street || !ooo) {
        rc = rc ? rc : OG_ENOMEM;
    }
    size_t nv = 0, nmasks = 0;
    for (size_t k = 0; rc == 0 && k < nrec; k++) {
        if (recs[k].rec.loaded) {
            v[nv++] = (struct prec *)&recs[k];
        }
    }
    if (rc == 0 && nv > 1) {
        qsort(v, nv, sizeof *v, cmp_prec);
    }
    long residents = 0, inactive = 0, community_only = 0, unplaced = 0, shared = 0, differently = 0;
    long houses = 0, by_method[3] = {0, 0, 0};
    for (size_t a = 0; rc == 0 && a < nv;) {
        size_t b = a + 1;
        while (b < nv && v[b]->rec.house == v[a]->rec.house &&
               strcmp(v[b]->rec.key, v[a]->rec.key) == 0) {
            b++;
        }
        const struct ps1_rec *win = &v[b - 1]->rec;
        if (win->house) {
            houses++;
            int g = win->point_grid >= 0 ? win->point_grid : fg_ps_xw_grid(w, win->beat);
            by_method[win->point_grid >= 0 ? 0 : g >= 0 ? 1 : 2]++;
            if (g >= 0) {
                house_grid[g]++;
                int st = street_of_grid(w, g);
                house_street[st >= 0 ? (size_t)st : w->nstreets]++;
            }
            a = b;
            continue;
        }
        residents++;
        mask_of(win->key, masks[nmasks++].s);
        if (win->zxbz) {
            inactive++;
        }
        else {
            int g = fg_ps_xw_grid(w, win->beat);
            int c = g < 0 && win->sqbm[0] ? fg_community_for_code(w, win->sqbm) : -1;
            if (g >= 0) {
                res_grid[g]++;
                int st = street_of_grid(w, g);
                res_street[st >= 0 ? (size_t)st : w->nstreets]++;
            }
            else if (c >= 0) {
                community_only++;
                int st = w->comms[c].street;
                res_street[st >= 0 ? (size_t)st : w->nstreets]++;
            }
            else {
                unplaced++;
            }
        }
        struct hl_id key;
        og_tool_scopy(key.norm, sizeof key.norm, win->key);
        const struct hl_id *h = nhl ? bsearch(&key, hl, nhl, sizeof key, cmp_hl_id) : NULL;
        if (h) {
            size_t h0 = (size_t)(h - hl), h1 = h0 + 1;
            while (h0 > 0 && strcmp(hl[h0 - 1].norm, key.norm) == 0) {
                h0--;
            }
            while (h1 < nhl && strcmp(hl[h1].norm, key.norm) == 0) {
                h1++;
            }
            shared++;
            differently += written_differently(v, a, b, hl, h0, h1);
        }
        for (size_t k = a; k < b; k++) {
            if (!v[k]->ooo) {
                continue;
            }
            if (k == b - 1 || win->gxsj <= v[k]->rec.gxsj) {
                fprintf(stderr, "og-feedgen: the out-of-order update of %s would win\n", win->key);
                rc = OG_EINVAL;
                break;
            }
            char m[24], t1[26], t2[26];
            mask_of(win->key, m);
            ps1_fmt_iso(t1, win->gxsj);
            ps1_fmt_iso(t2, v[k]->rec.gxsj);
            json_t *e = json_object();
            json_object_set_new(e, "id_masked", json_string(m));
            json_object_set_new(e, "address", json_string(win->xzz));
            json_object_set_new(e, "updated_at", json_string(t1));
            json_object_set_new(e, "stale_address", json_string(v[k]->rec.xzz));
            json_object_set_new(e, "stale_updated_at", json_string(t2));
            json_array_append_new(ooo, e);
        }
        a = b;
    }
    /* each out-of-order entry's mask names one resident */
    if (rc == 0 && nmasks > 1) {
        qsort(masks, nmasks, sizeof *masks, cmp_masks);
    }
    for (size_t k = 0; rc == 0 && k < json_array_size(ooo); k++) {
        struct mask key;
        og_tool_scopy(key.s, sizeof key.s,
                      json_string_value(json_object_get(json_array_get(ooo, k), "id_masked")));
        const struct mask *m = bsearch(&key, masks, nmasks, sizeof key, cmp_masks);
        if (!m || (m > masks && strcmp(m[-1].s, key.s) == 0) ||
            (m + 1 < masks + nmasks && strcmp(m[1].s, key.s) == 0)) {
            fprintf(stderr, "og-feedgen: masked number %s is not unique among residents\n", key.s);
            rc = OG_EINVAL;
        }
    }
    if (rc == 0) {
        json_t *o = json_object(), *hm = json_object();
        json_object_set_new(o, "residents", json_integer(residents));
        json_object_set_new(o, "residents_active", json_integer(residents - inactive));
        json_object_set_new(o, "residents_inactive", json_integer(inactive));
        json_object_set_new(o, "deregistered", json_integer(inactive));
        json_object_set_new(o, "active_residents_by_grid", counts_by_grid(w, res_grid));
        json_object_set_new(o, "active_residents_community_only", json_integer(community_only));
        json_object_set_new(o, "active_residents_unplaced", json_integer(unplaced));
        json_object_set_new(o, "residents_by_street", counts_by_street(w, res_street));
        json_object_set_new(o, "houses", json_integer(houses));
        json_object_set_new(hm, "point", json_integer(by_method[0]));
        json_object_set_new(hm, "crosswalk", json_integer(by_method[1]));
        json_object_set_new(hm, "none", json_integer(by_method[2]));
        json_object_set_new(o, "houses_by_method", hm);
        json_object_set_new(o, "houses_by_grid", counts_by_grid(w, house_grid));
        json_object_set_new(o, "houses_by_street", counts_by_street(w, house_street));
        json_object_set_new(o, "out_of_order", ooo);
        ooo = NULL;
        json_object_set_new(o, "shared_with_hl_visits", json_integer(shared));
        json_object_set_new(o, "shared_written_differently", json_integer(differently));
        *out = o;
    }
    json_decref(ooo);
    free(hl);
    free(v);
    free(masks);
    free(res_grid);
    free(house_grid);
    free(res_street);
    free(house_street);
    return rc;
}
