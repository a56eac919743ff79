/* hl1.c - og-feedgen's HL-1 feed: health-code colour changes (健康码) for the Kafka topic
 * hl.healthcode, written as kcat lines "eventId\t{json}", blocks of persons in arrival order.
 *
 * A person has 1-6 colour changes over February; a quarter of the persons with two or more have
 * one change delivered late (read after the next one). About a third of the residents are members
 * of the HL-2 visits (same ID numbers), replayed from the HL-2 stream; the other ID numbers are
 * made unique by construction (a permutation of birth date and sequence number) and differ from
 * every HL-2 member's. */
#include "tools/common/text.h"
#include "tools/og-feedgen/feedgen.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Persons per block: the lines of a block are sorted by arrival before they are written. */
#define HL1_BLOCK 4096
#define HL1_MAX_CHANGES 6

static const char *const HC_NAMES[] = {"green", "yellow", "red"};

enum hl1_pclass {
    PC_NONE = 0,
    PC_PASSPORT,  /* idType 03 */
    PC_BAD_CHECK, /* every message: a wrong check character */
    PC_GRID_NULL, /* lives in a community without a unified grid code: gridCode null */
    PC_LEGACY,    /* some messages: the legacy 15-digit form */
    PC_LOWER_X,   /* some messages: a lower-case x check character */
    PC_FULLWIDTH, /* some messages: full-width digits */
};

enum hl1_form { F_PLAIN = 0, F_LEGACY, F_LOWER_X, F_FULLWIDTH };

enum hl1_class {
    M_OK = 0,
    M_CHANGED_AT_INVALID,
    M_EVENT_ID_MISSING,
    M_BAD_JSON,
    M_COLOR_INVALID,
};

struct hl1_person {
    enum hl1_pclass pc;
    bool shared;
    char id[20]; /* 18-digit resident ID (upper case) or passport number */
    char name[32];
    char phone[16];
    int grid;
    char addr[256];
    int n;
    int64_t at[HL1_MAX_CHANGES]; /* changedAt, epoch ms, strictly increasing */
    int color[HL1_MAX_CHANGES];
    const char *reason[HL1_MAX_CHANGES];
};

struct hl1_gen {
    const struct fg_world *w;
    struct og_tool_rng r;
    long n, lines, events;
    struct fg_people people; /* shared with HL-2, or fresh */
    uint64_t pass_k;
    struct fg_lines block;
    int block_persons;
    struct og_buf val;
    bool progress;
    struct fg_feed_stats *st;
    struct fg_hl1_outcome *out;
};

static int next_color(struct og_tool_rng *r, int c)
{
    double u = og_tool_rng_unit(r);
    switch (c) {
    case HC_GREEN:
        return u < 0.8 ? HC_YELLOW : HC_RED;
    case HC_YELLOW:
        return u < 0.6 ? HC_GREEN : HC_RED;
    default:
        return u < 0.7 ? HC_YELLOW : HC_GREEN;
    }
}

static const char *reason_for(struct og_tool_rng *r, int prev, int c)
{
    static const char *const first[] = {"首次申领", "14天内有湖北旅居史", "确诊病例密切接触者"};
    static const char *const to_yellow[] = {"出现发热症状", "14天内有湖北旅居史",
                                            "密切接触者的密切接触者"};
    static const char *const to_red[] = {"核酸检测阳性", "确诊病例密切接触者"};
    static const char *const to_green[] = {"隔离期满", "核酸检测阴性", "健康观察期满"};
    if (prev < 0) {
        return first[c];
    }
    if (c == HC_YELLOW) {
        return prev == HC_RED ? "解除集中隔离，转居家健康观察" : OG_TOOL_PICK(r, to_yellow);
    }
    return c == HC_RED ? OG_TOOL_PICK(r, to_red) : OG_TOOL_PICK(r, to_green);
}

/* Draws person p: identity, residence and colour changes. */
static void hl1_make_person(struct hl1_gen *g, struct hl1_person *p)
{
    struct og_tool_rng *r = &g->r;
    const struct fg_world *w = g->w;
    memset(p, 0, sizeof *p);
    double u = og_tool_rng_unit(r);
    p->pc = u < 0.03    ? PC_PASSPORT
            : u < 0.05  ? PC_BAD_CHECK
            : u < 0.075 ? PC_GRID_NULL
            : u < 0.135 ? PC_LEGACY
            : u < 0.195 ? PC_LOWER_X
            : u < 0.245 ? PC_FULLWIDTH
                        : PC_NONE;
    const struct fg_hl_member *mb = NULL;
    int grid = -1;
    if (p->pc != PC_PASSPORT && p->pc != PC_BAD_CHECK && og_tool_rng_chance(r, 0.3) &&
        fg_people_next_shared(&g->people, false, &mb, &grid)) {
        p->shared = true;
        og_tool_scopy(p->id, sizeof p->id, mb->id);
        og_tool_scopy(p->name, sizeof p->name, mb->name);
        p->grid = grid;
        if ((p->pc == PC_LEGACY && strncmp(p->id + 6, "19", 2) != 0) ||
            (p->pc == PC_LOWER_X && p->id[17] != 'X')) {
            p->pc = PC_NONE; /* the number has no such form */
        }
    }
    else {
        if (p->pc == PC_PASSPORT) {
            uint64_t k = g->pass_k++;
            snprintf(p->id, sizeof p->id, "E%08" PRIu64, (k * 7368787u + 52718293u) % 100000000u);
        }
        else {
            fg_people_fresh_id(&g->people, &g->r, p->pc == PC_LEGACY, p->pc == PC_LOWER_X, p->id);
            if (p->pc == PC_BAD_CHECK) {
                static const char alt[] = "0123456789X";
                char good = p->id[17];
                while (p->id[17] == good) {
                    p->id[17] = alt[og_tool_rng_below(r, 11)];
                }
            }
        }
        fg_make_name(r, p->name, sizeof p->name);
        p->grid = (int)og_tool_rng_below(r, (uint32_t)w->ngrids);
    }
    static const char *const mobile[] = {"13", "15", "18", "17"};
    snprintf(p->phone, sizeof p->phone, "%s%09u", OG_TOOL_PICK(r, mobile),
             og_tool_rng_below(r, 1000000000u));
    fg_make_address(r, w, w->grids[p->grid].community, true, p->addr, sizeof p->addr);

    /* colour changes over February, the first by day 25 */
    int day0 = (int)((g->lines * 25) / g->n);
    int64_t end = fg_epoch_ms(29 * SPAN_DAY_MIN); /* 2020-03-01 00:00 local */
    int64_t t = fg_epoch_ms((int64_t)day0 * SPAN_DAY_MIN + og_tool_rng_range(r, 7 * 60, 23 * 60)) +
                og_tool_rng_range(r, 0, 59999);
    double c0 = og_tool_rng_unit(r);
    int c = c0 < 0.7 ? HC_GREEN : c0 < 0.9 ? HC_YELLOW : HC_RED;
    p->at[0] = t;
    p->color[0] = c;
    p->reason[0] = reason_for(r, -1, c);
    p->n = 1;
    while (p->n < HL1_MAX_CHANGES && og_tool_rng_chance(r, p->n == 1 ? 0.7 : 0.55)) {
        t += (int64_t)og_tool_rng_range(r, 1, 6) * 86400000 + og_tool_rng_range(r, 0, 86399999);
        if (t >= end) {
            break;
        }
        int nc = next_color(r, c);
        p->at[p->n] = t;
        p->color[p->n] = nc;
        p->reason[p->n] = reason_for(r, c, nc);
        c = nc;
        p->n++;
    }
}

/* The value of change j of person p in form f with class cl into g->val. */
static int hl1_value(struct hl1_gen *g, const struct hl1_person *p, int j, enum hl1_form f,
                     enum hl1_class cl, const char *event_id)
{
    struct og_tool_rng *r = &g->r;
    const struct fg_grid *gr = &g->w->grids[p->grid];
    struct og_buf *b = &g->val;
    og_buf_reset(b);
    char idno[64];
    if (f == F_LEGACY) {
        snprintf(idno, sizeof idno, "%.6s%.9s", p->id, p->id + 8);
    }
    else if (f == F_FULLWIDTH) {
        fg_id_fullwidth(p->id, idno, sizeof idno);
    }
    else {
        og_tool_scopy(idno, sizeof idno, p->id);
        if (f == F_LOWER_X) {
            idno[17] = 'x';
        }
    }
    int rc = og_buf_putc(b, '{');
    if (cl != M_EVENT_ID_MISSING) {
        rc = rc ? rc : og_buf_printf(b, "\"eventId\": \"%s\", ", event_id);
    }
    rc = rc ? rc
            : og_buf_printf(b, "\"person\": {\"idType\": \"%s\", \"idNo\": ",
                            p->pc == PC_PASSPORT ? "03" : "01");
    rc = rc ? rc : fg_json_str(b, idno);
    rc = rc ? rc : og_buf_puts(b, ", \"name\": ");
    rc = rc ? rc : fg_json_str(b, p->name);
    rc = rc ? rc
            : og_buf_printf(b, ", \"phone\": \"%s\"}, \"code\": {\"color\": \"%s\", \"previous\": ",
                            p->phone, cl == M_COLOR_INVALID ? "blue" : HC_NAMES[p->color[j]]);
    if (j == 0) {
        rc = rc ? rc : og_buf_puts(b, "null");
    }
    else {
        rc = rc ? rc : og_buf_printf(b, "\"%s\"", HC_NAMES[p->color[j - 1]]);
    }
    rc = rc ? rc : og_buf_puts(b, ", \"reason\": ");
    rc = rc ? rc : fg_json_str(b, p->reason[j]);
    if (cl == M_CHANGED_AT_INVALID) {
        if (og_tool_rng_chance(r, 0.5)) {
            rc = rc ? rc : og_buf_puts(b, ", \"changedAt\": \"yesterday\"}");
        }
        else {
            rc = rc ? rc : og_buf_printf(b, ", \"changedAt\": %" PRId64 "}", -p->at[j]);
        }
    }
    else {
        rc = rc ? rc : og_buf_printf(b, ", \"changedAt\": %" PRId64 "}", p->at[j]);
    }
    rc = rc ? rc : og_buf_printf(b, ", \"residence\": {\"communityCode\": \"%.12s\", ", gr->code);
    if (p->pc == PC_GRID_NULL) {
        rc = rc ? rc : og_buf_puts(b, "\"gridCode\": null");
    }
    else {
        rc = rc ? rc : og_buf_printf(b, "\"gridCode\": \"%s\"", gr->code);
    }
    rc = rc ? rc : og_buf_puts(b, ", \"address\": ");
    rc = rc ? rc : fg_json_str(b, p->addr);
    rc = rc ? rc : og_buf_puts(b, "}}");
    if (rc == 0 && cl == M_BAD_JSON) {
        /* the producer sent half a message: cut at a comma in its first half */
        fg_cut_half(b);
    }
    return rc;
}

/* Adds one message line for block person owner, counting it. */
static int hl1_add(struct hl1_gen *g, const char *key, int64_t at, int owner, int64_t t,
                   bool counted)
{
    struct fg_line *l = NULL;
    int rc = fg_lines_add(&g->block, key, g->val.data, g->val.len, at, &l);
    if (rc == 0) {
        l->owner = owner;
        l->t = t;
        l->counted = counted;
        g->lines++;
        g->st->written++;
        if (g->progress && g->lines % 100000 == 0) {
            fprintf(stderr, "og-feedgen: hl1 %ld/%ld messages\n", g->lines, g->n);
        }
    }
    return rc;
}

static const char *const HL1_FORM_DEFECT[] = {NULL, "legacy_15_id", "lowercase_x_id",
                                              "fullwidth_id"};

/* Makes one person and writes their messages into the block (fewer when the file is full). */
static int hl1_person(struct hl1_gen *g)
{
    struct og_tool_rng *r = &g->r;
    struct hl1_person p;
    hl1_make_person(g, &p);
    int owner = g->block_persons++;

    /* delivery: a few seconds after the change; for a quarter of the persons with two changes or
     * more, one change is delivered late, after the next one */
    int64_t arrive[HL1_MAX_CHANGES];
    for (int j = 0; j < p.n; j++) {
        arrive[j] = p.at[j] + og_tool_rng_range(r, 0, 60000);
    }
    if (p.n >= 2 && og_tool_rng_chance(r, 0.25)) {
        int j = og_tool_rng_range(r, 1, p.n - 1);
        arrive[j - 1] = arrive[j] + og_tool_rng_range(r, 1000, 3600000);
    }

    int latest = -1, loaded = 0, rc = 0;
    for (int j = 0; j < p.n && g->lines < g->n && rc == 0; j++) {
        double u = og_tool_rng_unit(r);
        enum hl1_class cl = u < 0.015   ? M_CHANGED_AT_INVALID
                            : u < 0.030 ? M_EVENT_ID_MISSING
                            : u < 0.042 ? M_BAD_JSON
                            : u < 0.057 ? M_COLOR_INVALID
                                        : M_OK;
        enum hl1_form f = F_PLAIN;
        if (cl == M_OK) {
            f = p.pc == PC_LEGACY && og_tool_rng_chance(r, 0.5)      ? F_LEGACY
                : p.pc == PC_LOWER_X && og_tool_rng_chance(r, 0.6)   ? F_LOWER_X
                : p.pc == PC_FULLWIDTH && og_tool_rng_chance(r, 0.5) ? F_FULLWIDTH
                                                                     : F_PLAIN;
        }
        char event_id[32];
        snprintf(event_id, sizeof event_id, "HC2020%010ld", ++g->events);
        rc = hl1_value(g, &p, j, f, cl, event_id);
        rc = rc ? rc
                : hl1_add(g, cl == M_EVENT_ID_MISSING ? "-" : event_id, arrive[j], owner, p.at[j],
                          cl == M_OK);
        if (rc) {
            break;
        }
        switch (cl) {
        case M_CHANGED_AT_INVALID:
            fg_tally_add(&g->st->defects, "changed_at_invalid", 1);
            fg_tally_add(&g->st->rejected, "invalid_time", 1);
            break;
        case M_EVENT_ID_MISSING:
            fg_tally_add(&g->st->defects, "event_id_missing", 1);
            fg_tally_add(&g->st->rejected, "missing_field", 1);
            break;
        case M_BAD_JSON:
            fg_tally_add(&g->st->defects, "bad_json", 1);
            fg_tally_add(&g->st->rejected, "bad_json", 1);
            break;
        case M_COLOR_INVALID:
            fg_tally_add(&g->st->defects, "color_invalid", 1);
            fg_tally_add(&g->st->rejected, "unknown_code", 1);
            break;
        case M_OK:
            break;
        }
        if (cl != M_OK) {
            continue;
        }
        g->st->loaded++;
        g->out->changes++;
        loaded++;
        latest = j; /* changedAt grows with j */
        if (f != F_PLAIN) {
            fg_tally_add(&g->st->defects, HL1_FORM_DEFECT[f], 1);
        }
        else if (p.pc == PC_PASSPORT) {
            fg_tally_add(&g->st->defects, "passport_03", 1);
        }
        else if (p.pc == PC_BAD_CHECK) {
            fg_tally_add(&g->st->defects, "invalid_id_check", 1);
        }
        else if (p.pc == PC_GRID_NULL) {
            fg_tally_add(&g->st->defects, "grid_null_community_only", 1);
        }
        else if (g->lines < g->n && og_tool_rng_chance(r, 0.02)) {
            /* a producer retry: the same message again, later */
            rc = hl1_add(g, event_id, arrive[j] + og_tool_rng_range(r, 1000, 7200000), owner,
                         p.at[j], false);
            fg_tally_add(&g->st->defects, "resent_same_state", 1);
        }
    }
    if (loaded) {
        g->out->persons++;
        g->out->current[p.color[latest]]++;
        g->out->passports += p.pc == PC_PASSPORT;
        g->out->shared += p.shared;
    }
    return rc;
}

struct ooo_key {
    int owner;
    size_t pos;
    int64_t t;
};

static int cmp_ooo(const void *a, const void *b)
{
    const struct ooo_key *x = a, *y = b;
    if (x->owner != y->owner) {
        return x->owner < y->owner ? -1 : 1;
    }
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Sorts the block by arrival, counts the messages read before an earlier change of the same person
 * (among the messages that load, resends left out), writes it and empties it. */
static int hl1_flush(struct hl1_gen *g, FILE *f)
{
    struct fg_lines *ls = &g->block;
    fg_lines_sort(ls);
    struct ooo_key *k = malloc((ls->n ? ls->n : 1) * sizeof *k);
    if (!k) {
        return OG_ENOMEM;
    }
    size_t nk = 0;
    for (size_t i = 0; i < ls->n; i++) {
        if (ls->v[i].counted) {
            k[nk++] = (struct ooo_key){ls->v[i].owner, i, ls->v[i].t};
        }
    }
    qsort(k, nk, sizeof *k, cmp_ooo);
    long ooo = 0;
    for (size_t a = 0; a < nk; a++) {
        for (size_t b = a + 1; b < nk && k[b].owner == k[a].owner; b++) {
            if (k[b].t < k[a].t) {
                ooo++;
                break;
            }
        }
    }
    free(k);
    fg_tally_add(&g->st->defects, "out_of_order", ooo);
    int rc = fg_lines_write(ls, f);
    fg_lines_reset(ls);
    g->block_persons = 0;
    return rc;
}

int fg_gen_hl1(const struct fg_world *w, uint64_t seed, long n, long hl_n, FILE *f, bool progress,
               struct fg_feed_stats *st, struct fg_hl1_outcome *out)
{
    struct hl1_gen g = {.w = w,
                        .n = n,
                        .block = {.text = OG_BUF_INIT},
                        .val = OG_BUF_INIT,
                        .progress = progress,
                        .st = st,
                        .out = out};
    og_tool_rng_seed(&g.r, seed, 0x484C31); /* "HL1" */
    int rc = fg_people_init(&g.people, w, seed, hl_n, 0x9E3779B1u, &g.r);
    const char *dnames[] = {"changed_at_invalid", "event_id_missing",
                            "bad_json",           "color_invalid",
                            "invalid_id_check",   "legacy_15_id",
                            "lowercase_x_id",     "fullwidth_id",
                            "passport_03",        "grid_null_community_only",
                            "out_of_order",       "resent_same_state"};
    for (size_t i = 0; i < sizeof dnames / sizeof dnames[0]; i++) {
        fg_tally_add(&st->defects, dnames[i], 0);
    }
    fg_tally_add(&st->rejected, "bad_json", 0);
    fg_tally_add(&st->rejected, "missing_field", 0);
    fg_tally_add(&st->rejected, "invalid_time", 0);
    fg_tally_add(&st->rejected, "unknown_code", 0);

    while (rc == 0 && g.lines < n) {
        rc = hl1_person(&g);
        if (rc == 0 && (g.block_persons >= HL1_BLOCK || g.lines >= n)) {
            rc = hl1_flush(&g, f);
        }
    }
    fg_people_free(&g.people);
    fg_lines_free(&g.block);
    og_buf_free(&g.val);
    return rc;
}
