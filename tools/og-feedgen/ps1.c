/* ps1.c - og-feedgen's PS-1 population: residents (实有人口) and rental houses (出租房屋) as the
 * police population registry holds them, their identity numbers, addresses, beats and times (the
 * records they become are written by ps1_xml.c).
 *
 * About half of the residents are members of the HL-2 visits (replayed from the HL-2 stream, as
 * HL-1 does); the other numbers are fresh, unique by construction (a permutation of birth day and
 * sequence number, as in hl1.c, with another permutation) and held by no HL-2 member. */
#include "tools/og-feedgen/ps1.h"

#include "tools/common/text.h"

#include <stdlib.h>
#include <string.h>

struct area_name {
    const char *code, *name;
};
static const struct area_name AREA_NAMES[] = {
    {"440511", "广东省汕头市金平区"}, {"440507", "广东省汕头市龙湖区"},
    {"440513", "广东省汕头市潮阳区"}, {"440514", "广东省汕头市潮南区"},
    {"440515", "广东省汕头市澄海区"}, {"440523", "广东省汕头市南澳县"},
    {"445102", "广东省潮州市湘桥区"}, {"445103", "广东省潮州市潮安区"},
    {"445122", "广东省潮州市饶平县"}, {"445202", "广东省揭阳市榕城区"},
    {"445224", "广东省揭阳市惠来县"}, {"445281", "广东省普宁市"},
    {"440106", "广东省广州市天河区"}, {"440304", "广东省深圳市福田区"},
    {"420106", "湖北省武汉市武昌区"}, {"350203", "福建省厦门市思明区"},
    {"430102", "湖南省长沙市芙蓉区"},
};
static const char *const HOME_ROADS[] = {"人民路", "解放路", "建设路", "新华路",
                                         "和平路", "胜利路", "环城路", "文化路"};
/* GB 3304 ethnic groups other than 汉 (01) that the registry sees most. */
static const char *const MZ_OTHER[] = {"03", "06", "08", "13", "15", "22"};
/* ---------- time ---------- */

int64_t ps1_secs(int y, int m, int d, int h, int mi, int s)
{
    return (fg_days_from_civil(y, m, d) - fg_days_from_civil(2020, 2, 1)) * PS1_DAY + h * 3600 +
           mi * 60 + s;
}

static void split_time(int64_t t, int *y, int *mo, int *d, int *h, int *mi, int *s)
{
    int64_t day = t >= 0 ? t / PS1_DAY : -((-t + PS1_DAY - 1) / PS1_DAY);
    int64_t rem = t - day * PS1_DAY;
    fg_civil_date(fg_days_from_civil(2020, 2, 1) + day, y, mo, d);
    *h = (int)(rem / 3600);
    *mi = (int)(rem / 60 % 60);
    *s = (int)(rem % 60);
}

void ps1_fmt_time(char out[15], int64_t t)
{
    int y, mo, d, h, mi, s;
    split_time(t, &y, &mo, &d, &h, &mi, &s);
    char tx[64];
    snprintf(tx, sizeof tx, "%04d%02d%02d%02d%02d%02d", y % 10000, mo, d, h, mi, s);
    og_tool_scopy(out, 15, tx);
}

void ps1_fmt_iso(char out[26], int64_t t)
{
    int y, mo, d, h, mi, s;
    split_time(t, &y, &mo, &d, &h, &mi, &s);
    char tx[64];
    snprintf(tx, sizeof tx, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y % 10000, mo, d, h, mi, s);
    og_tool_scopy(out, 26, tx);
}

int64_t ps1_time_in(struct ps1_gen *g, int64_t lo, int64_t hi)
{
    return hi <= lo ? lo : lo + (int64_t)(og_tool_rng_next(&g->r) % (uint64_t)(hi - lo + 1));
}

int64_t ps1_daytime(struct ps1_gen *g, int64_t lo, int64_t hi)
{
    int64_t t = ps1_time_in(g, lo, hi);
    int64_t day = t >= 0 ? t / PS1_DAY : -((-t + PS1_DAY - 1) / PS1_DAY);
    t = day * PS1_DAY + 8 * 3600 + (t - day * PS1_DAY) % (12 * 3600);
    return t < lo ? lo : t > hi ? hi : t;
}

bool ps1_form_ok(const struct ps1_person *p, enum ps1_form f)
{
    switch (f) {
    case PF_LEGACY:
        return !p->bad_check && memcmp(p->id + 6, "19", 2) == 0;
    case PF_LOWER_X:
        return p->id[17] == 'X';
    default:
        return true;
    }
}

/* ---------- generator ---------- */

int ps1_init(struct ps1_gen *g, const struct fg_world *w, uint64_t seed, long hl_n,
             struct fg_feed_stats *st)
{
    memset(g, 0, sizeof *g);
    g->w = w;
    g->st = st;
    og_tool_rng_seed(&g->r, seed, 0x505331); /* "PS1" */
    int rc = fg_people_init(&g->people, w, seed, hl_n, 0x85EBCA6Bu, &g->r);
    static const char *const dnames[] = {"gmsfhm_missing",       "fwbm_missing",
                                         "gxsj_invalid",         "gxsj_missing",
                                         "legacy_15_id",         "lowercase_x_id",
                                         "fullwidth_id",         "invalid_id_check",
                                         "id_form_changed",      "unknown_beat_community",
                                         "unknown_beat_no_sqbm", "sqbm_2016",
                                         "sqbm_15_digits",       "house_with_coords",
                                         "house_no_coords",      "house_unknown_beat",
                                         "owner_legacy_15_id",   "owner_lowercase_x_id",
                                         "owner_fullwidth_id",   "owner_invalid_id_check",
                                         "out_of_order_older",   "same_gxsj_later_wins",
                                         "bad_xml_cut",          "xml_doctype_hostile"};
    for (size_t i = 0; i < sizeof dnames / sizeof dnames[0]; i++) {
        fg_tally_add(&st->defects, dnames[i], 0);
    }
    fg_tally_add(&st->rejected, "missing_field", 0);
    fg_tally_add(&st->rejected, "invalid_time", 0);
    fg_tally_add(&st->rejected, "bad_xml", 0);
    fg_tally_add(&st->rejected, "xml_doctype", 0);
    return rc;
}

void ps1_free(struct ps1_gen *g)
{
    fg_people_free(&g->people);
    og_buf_free(&g->xml);
    memset(g, 0, sizeof *g);
}

/* A beat code the station never had: the station of beat + JW9NN (unknown to the crosswalk). */
static void unknown_beat_code(struct ps1_gen *g, const char *beat, char out[16])
{
    do {
        snprintf(out, 16, "%.8sJW9%02d", beat, og_tool_rng_range(&g->r, 0, 99));
    } while (fg_ps_xw_grid(g->w, out) >= 0);
}

/* A point in grid (random when < 0; another random grid after misses when grid < 0) that lies in
 * a police beat: its grid, beat (index) and printed CGCS2000 coordinates. -1 when none found. */
static int beat_point(struct ps1_gen *g, int grid, int *out_grid, char zbx[16], char zby[16])
{
    const struct fg_world *w = g->w;
    int beat = -1, gi = grid;
    for (int tries = 0; tries < 100 && beat < 0; tries++) {
        if (grid < 0) {
            gi = (int)og_tool_rng_below(&g->r, (uint32_t)w->ngrids);
        }
        double x, y, lng, lat;
        fg_grid_point(&g->r, &w->grids[gi], OG_CRS_CGCS2000, &x, &y, &lng, &lat);
        beat = fg_beat_at(w, lng, lat);
        snprintf(zbx, 16, "%.6f", x);
        snprintf(zby, 16, "%.6f", y);
    }
    *out_grid = gi;
    if (beat < 0) {
        fprintf(stderr, "og-feedgen: no police beat found for a point (dept_grids.geojson has "
                        "no PS beats?)\n");
    }
    return beat;
}

int ps1_move(struct ps1_gen *g, struct ps1_person *p, int grid)
{
    const struct fg_world *w = g->w;
    char zbx[16], zby[16];
    int beat = beat_point(g, grid, &p->grid, zbx, zby);
    if (beat < 0) {
        return OG_EINVAL;
    }
    fg_make_address(&g->r, w, w->grids[p->grid].community, true, p->xzz, sizeof p->xzz);
    if (p->unknown_beat) {
        unknown_beat_code(g, w->beats[beat].code, p->beat);
    }
    else {
        og_tool_scopy(p->beat, sizeof p->beat, w->beats[beat].code);
    }
    return 0;
}

static const char *area_name(const char *id)
{
    for (size_t i = 0; i < sizeof AREA_NAMES / sizeof AREA_NAMES[0]; i++) {
        if (memcmp(id, AREA_NAMES[i].code, 6) == 0) {
            return AREA_NAMES[i].name;
        }
    }
    return "广东省";
}

int ps1_new_person(struct ps1_gen *g, double share_p, int grid, struct ps1_person *p)
{
    struct og_tool_rng *r = &g->r;
    const struct fg_world *w = g->w;
    memset(p, 0, sizeof *p);
    double u = og_tool_rng_unit(r);
    enum {
        C_PLAIN,
        C_BAD,
        C_LEGACY,
        C_LOWER_X,
        C_FULLWIDTH
    } pc = u < 0.02   ? C_BAD
           : u < 0.05 ? C_LEGACY
           : u < 0.07 ? C_LOWER_X
           : u < 0.09 ? C_FULLWIDTH
                      : C_PLAIN;
    const struct fg_hl_member *mb = NULL;
    int hgrid = -1;
    if (pc != C_BAD && og_tool_rng_chance(r, share_p) &&
        fg_people_next_shared(&g->people, true, &mb, &hgrid)) {
        p->shared = true;
        og_tool_scopy(p->hl_id, sizeof p->hl_id, mb->id);
        if (strlen(mb->id) == 15) {
            snprintf(p->id, sizeof p->id, "%.6s19%.9s", mb->id, mb->id + 6);
            p->id[17] = fg_id_check(p->id);
            p->id[18] = '\0';
        }
        else {
            og_tool_scopy(p->id, sizeof p->id, mb->id);
            p->id[17] = p->id[17] == 'x' ? 'X' : p->id[17];
        }
        og_tool_scopy(p->name, sizeof p->name, mb->name);
        grid = hgrid;
        enum ps1_form same = mb->v == ID_LEGACY15  ? PF_LEGACY
                             : mb->v == ID_LOWER_X ? PF_LOWER_X
                                                   : PF_PLAIN;
        p->form = same;
        if (og_tool_rng_chance(r, 0.2)) { /* PS-1 writes the number another way */
            if (same != PF_PLAIN) {
                p->form = PF_PLAIN;
            }
            else {
                enum ps1_form alt[3];
                int na = 0;
                alt[na++] = PF_FULLWIDTH;
                if (ps1_form_ok(p, PF_LEGACY)) {
                    alt[na++] = PF_LEGACY;
                }
                if (ps1_form_ok(p, PF_LOWER_X)) {
                    alt[na++] = PF_LOWER_X;
                }
                p->form = alt[og_tool_rng_below(r, (uint32_t)na)];
            }
        }
    }
    else {
        fg_people_fresh_id(&g->people, &g->r, pc == C_LEGACY, pc == C_LOWER_X, p->id);
        if (pc == C_BAD) {
            static const char alt[] = "0123456789X";
            char good = p->id[17];
            while (p->id[17] == good) {
                p->id[17] = alt[og_tool_rng_below(r, 11)];
            }
            p->bad_check = true;
        }
        p->form = pc == C_LEGACY      ? PF_LEGACY
                  : pc == C_LOWER_X   ? PF_LOWER_X
                  : pc == C_FULLWIDTH ? PF_FULLWIDTH
                                      : PF_PLAIN;
        fg_make_name(r, p->name, sizeof p->name);
    }
    int rc = fg_verify_id(p->id, OG_ID_RESIDENT, !p->bad_check);
    if (rc) {
        return rc;
    }
    double s = og_tool_rng_unit(r);
    og_tool_scopy(p->xbdm, sizeof p->xbdm,
                  s < 0.015               ? "0"
                  : s < 0.03              ? "9"
                  : (p->id[16] - '0') % 2 ? "1"
                                          : "2");
    snprintf(p->csrq, sizeof p->csrq, "%.8s", p->id + 6);
    og_tool_scopy(p->mzdm, sizeof p->mzdm,
                  og_tool_rng_chance(r, 0.93) ? "01" : OG_TOOL_PICK(r, MZ_OTHER));
    double t = og_tool_rng_unit(r);
    og_tool_scopy(p->rylbdm, sizeof p->rylbdm, t < 0.72 ? "01" : t < 0.98 ? "02" : "03");
    p->unknown_beat = og_tool_rng_chance(r, 0.04);
    p->no_sqbm = p->unknown_beat && og_tool_rng_chance(r, 0.25);
    rc = ps1_move(g, p, grid);
    if (rc) {
        return rc;
    }
    if (p->rylbdm[1] == '1') {
        if (og_tool_rng_chance(r, 0.6)) {
            og_tool_scopy(p->hjdz, sizeof p->hjdz, p->xzz);
        }
        else {
            fg_make_address(r, w, (int)og_tool_rng_below(r, (uint32_t)w->ncomms), true, p->hjdz,
                            sizeof p->hjdz);
        }
        p->djsj = ps1_daytime(g, ps1_secs(2000, 1, 1, 0, 0, 0), ps1_secs(2019, 12, 31, 0, 0, 0));
    }
    else if (p->rylbdm[1] == '2') {
        snprintf(p->hjdz, sizeof p->hjdz, "%s%s%d号", area_name(p->id), OG_TOOL_PICK(r, HOME_ROADS),
                 og_tool_rng_range(r, 1, 300));
        p->djsj = ps1_daytime(g, ps1_secs(2012, 1, 1, 0, 0, 0), ps1_secs(2020, 1, 31, 0, 0, 0));
    }
    else {
        og_tool_scopy(p->hjdz, sizeof p->hjdz, "境外");
        p->djsj = ps1_daytime(g, ps1_secs(2015, 1, 1, 0, 0, 0), ps1_secs(2020, 1, 31, 0, 0, 0));
    }
    p->gxsj = p->djsj;
    return 0;
}

int ps1_new_house(struct ps1_gen *g, struct ps1_house *h)
{
    struct og_tool_rng *r = &g->r;
    const struct fg_world *w = g->w;
    memset(h, 0, sizeof *h);
    double u = og_tool_rng_unit(r);
    h->hc = u < 0.04 ? HC_UNKNOWN_BEAT : u < 0.40 ? HC_NO_COORDS : HC_COORDS;
    int beat = beat_point(g, -1, &h->grid, h->zbx, h->zby);
    if (beat < 0) {
        return OG_EINVAL;
    }
    if (h->hc == HC_UNKNOWN_BEAT) {
        unknown_beat_code(g, w->beats[beat].code, h->beat);
    }
    else {
        og_tool_scopy(h->beat, sizeof h->beat, w->beats[beat].code);
    }
    if (h->hc != HC_COORDS) {
        h->zbx[0] = h->zby[0] = '\0';
    }
    snprintf(h->fwbm, sizeof h->fwbm, "FW%.12s%05ld", w->grids[h->grid].code, ++g->houses % 100000);
    fg_make_address(r, w, w->grids[h->grid].community, true, h->dz, sizeof h->dz);
    double v = og_tool_rng_unit(r);
    h->owner_v = v < 0.02 ? 4 : v < 0.07 ? 1 : v < 0.09 ? 2 : v < 0.12 ? 3 : 0;
    static const enum id_variant idv[5] = {ID_NORMAL, ID_LEGACY15, ID_LOWER_X, ID_NORMAL,
                                           ID_BAD_CHECK};
    char id[20];
    do { /* an owner of age */
        fg_make_resident_id(r, idv[h->owner_v], id);
    } while (strlen(id) == 18 && memcmp(id + 6, "1998", 4) > 0);
    int rc = fg_verify_id(id, OG_ID_RESIDENT, h->owner_v != 4);
    if (h->owner_v == 3) {
        fg_id_fullwidth(id, h->owner, sizeof h->owner);
    }
    else {
        og_tool_scopy(h->owner, sizeof h->owner, id);
    }
    fg_make_name(r, h->fzxm, sizeof h->fzxm);
    h->czjs = og_tool_rng_range(r, 1, 4);
    h->zhrs = og_tool_rng_range(r, 0, h->czjs * 3);
    return rc;
}

enum ps1_class ps1_pick_class(struct ps1_gen *g)
{
    double u = og_tool_rng_unit(&g->r);
    return u < 0.008   ? RC_KEY_MISSING
           : u < 0.018 ? RC_GXSJ_INVALID
           : u < 0.026 ? RC_GXSJ_MISSING
                       : RC_OK;
}
