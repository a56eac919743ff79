/* hl.c - og-feedgen's HL-2 feed: household screening visits, NDJSON, streamed one per line; and
 * the replay of that stream that HL-1 draws its shared persons from. */
#include "tools/common/text.h"
#include "tools/og-feedgen/feedgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum hl_defect {
    HL_OK = 0,
    HL_COMMUNITY_WITH_GPS, /* a variant the contract allows, not a defect */
    HL_GPS_MISSING,
    HL_COMMUNITY_NO_GPS,
    HL_GPS_OUTSIDE,
    HL_UNKNOWN_GRID_NO_GPS,
    HL_INVALID_TIME,
    HL_BAD_JSON,
};

static const char *const HL_SYMPTOMS[] = {
    "fever", "cough", "fatigue", "sore_throat", "shortness_of_breath", "diarrhea"};

struct hl_gen {
    const struct fg_world *w;
    struct og_tool_rng r;
    long n;
    struct og_buf line;
    struct fg_feed_stats *st;
    struct fg_hl_visit *tap; /* when set, each visit is also described here (no extra draws) */
};

static void hl_init_stats(struct fg_feed_stats *st)
{
    const char *dnames[] = {"gps_missing",      "community_no_gps",
                            "gps_outside",      "unknown_grid_no_gps",
                            "invalid_time",     "bad_json",
                            "invalid_id_check", "legacy_15_id",
                            "lowercase_x_id",   "community_code_with_gps"};
    for (size_t i = 0; i < sizeof dnames / sizeof dnames[0]; i++) {
        fg_tally_add(&st->defects, dnames[i], 0);
    }
    fg_tally_add(&st->rejected, "bad_json", 0);
    fg_tally_add(&st->rejected, "invalid_time", 0);
}

/* Writes visit i as one line (with "\n") into g->line. */
static int hl_visit(struct hl_gen *g, long i)
{
    struct og_tool_rng *r = &g->r;
    const struct fg_world *w = g->w;
    struct og_buf *b = &g->line;
    og_buf_reset(b);

    double u = og_tool_rng_unit(r);
    enum hl_defect d = u < 0.04    ? HL_COMMUNITY_WITH_GPS
                       : u < 0.08  ? HL_GPS_MISSING
                       : u < 0.10  ? HL_COMMUNITY_NO_GPS
                       : u < 0.115 ? HL_GPS_OUTSIDE
                       : u < 0.125 ? HL_UNKNOWN_GRID_NO_GPS
                       : u < 0.135 ? HL_INVALID_TIME
                       : u < 0.139 ? HL_BAD_JSON
                                   : HL_OK;
    size_t gi = og_tool_rng_below(r, (uint32_t)w->ngrids);
    const struct fg_grid *gr = &w->grids[gi];
    if (g->tap) {
        g->tap->index = i;
        g->tap->grid = (int)gi;
        g->tap->rejected = d == HL_INVALID_TIME || d == HL_BAD_JSON;
        g->tap->nmembers = 0;
    }
    double lng, lat, glng, glat;
    fg_grid_point(r, gr, OG_CRS_GCJ02, &glng, &glat, &lng, &lat);
    if (d == HL_GPS_OUTSIDE) {
        fg_far_point(r, OG_CRS_GCJ02, &glng, &glat);
    }

    char grid_code[24], ts[40];
    if (d == HL_COMMUNITY_WITH_GPS || d == HL_COMMUNITY_NO_GPS) {
        snprintf(grid_code, sizeof grid_code, "%.12s", gr->code);
    }
    else if (d == HL_UNKNOWN_GRID_NO_GPS) {
        snprintf(grid_code, sizeof grid_code, "%.9s%03d%03d", gr->code,
                 og_tool_rng_range(r, 900, 999), og_tool_rng_range(r, 1, 20));
    }
    else {
        og_tool_scopy(grid_code, sizeof grid_code, gr->code);
    }
    int64_t t = fg_slot_time(r, i, g->n, 0, 59, 8, 20);
    if (d == HL_INVALID_TIME) {
        og_tool_scopy(ts, sizeof ts, i % 2 ? "2020-02-30T09:15:00+08:00" : "2020/02/03 14:05");
    }
    else {
        fg_fmt_iso(ts, sizeof ts, t);
    }
    int rc = og_buf_printf(
        b,
        "{\"visitId\": \"HV2020%09ld\", \"workerId\": \"JPW%04zu\", \"gridCode\": \"%s\", "
        "\"visitedAt\": \"%s\", ",
        i + 1, gi + 1, grid_code, ts);
    bool no_gps = d == HL_GPS_MISSING || d == HL_COMMUNITY_NO_GPS || d == HL_UNKNOWN_GRID_NO_GPS;
    if (!no_gps) {
        rc = rc ? rc
                : og_buf_printf(b, "\"gps\": {\"lng\": %.6f, \"lat\": %.6f, \"crs\": \"gcj02\"}, ",
                                glng, glat);
    }
    else if (i % 2 == 0) {
        rc = rc ? rc : og_buf_puts(b, "\"gps\": null, ");
    }
    char addr[256];
    fg_make_address(r, w, gr->community, true, addr, sizeof addr);
    rc = rc ? rc : og_buf_puts(b, "\"household\": {\"address\": ");
    rc = rc ? rc : fg_json_str(b, addr);
    rc = rc ? rc : og_buf_puts(b, ", \"members\": [");

    bool rejected = d == HL_INVALID_TIME || d == HL_BAD_JSON;
    int nm = og_tool_rng_range(r, 1, 5);
    bool travelled = og_tool_rng_chance(r, 0.03); /* the household came back from Wuhan */
    for (int m = 0; m < nm && rc == 0; m++) {
        enum id_variant v = ID_NORMAL;
        double iu = og_tool_rng_unit(r);
        if (!rejected) {
            v = iu < 0.02   ? ID_BAD_CHECK
                : iu < 0.04 ? ID_LEGACY15
                : iu < 0.05 ? ID_LOWER_X
                            : ID_NORMAL;
        }
        char idno[20], name[32];
        fg_make_resident_id(r, v, idno);
        rc = fg_verify_id(idno, OG_ID_RESIDENT, v != ID_BAD_CHECK);
        fg_make_name(r, name, sizeof name);
        if (g->tap && g->tap->nmembers < 5) {
            struct fg_hl_member *mb = &g->tap->members[g->tap->nmembers++];
            og_tool_scopy(mb->id, sizeof mb->id, idno);
            og_tool_scopy(mb->name, sizeof mb->name, name);
            mb->v = v;
        }
        bool fever = og_tool_rng_chance(r, travelled ? 0.25 : 0.03);
        int temp10 = fever ? og_tool_rng_range(r, 373, 395) : og_tool_rng_range(r, 358, 372);
        rc = rc ? rc : og_buf_puts(b, m ? ", {\"idNo\": " : "{\"idNo\": ");
        rc = rc ? rc : fg_json_str(b, idno);
        rc = rc ? rc : og_buf_puts(b, ", \"name\": ");
        rc = rc ? rc : fg_json_str(b, name);
        rc = rc ? rc
                : og_buf_printf(b, ", \"temperature\": %d.%d, \"symptoms\": [", temp10 / 10,
                                temp10 % 10);
        int ns = 0;
        if (fever) {
            rc = rc ? rc : og_buf_puts(b, "\"fever\"");
            ns++;
        }
        if (og_tool_rng_chance(r, fever ? 0.5 : 0.02)) {
            const char *sym = HL_SYMPTOMS[1 + og_tool_rng_below(r, 5)];
            rc = rc ? rc : og_buf_printf(b, "%s\"%s\"", ns ? ", " : "", sym);
            ns++;
        }
        rc = rc ? rc
                : og_buf_printf(b, "], \"travel14d\": [%s], \"healthCode\": \"%s\"}",
                                travelled ? "\"武汉\"" : "",
                                travelled ? (fever ? "red" : "yellow")
                                : ns      ? "yellow"
                                          : "green");
        if (!rejected) {
            g->st->members++;
            if (v == ID_BAD_CHECK) {
                fg_tally_add(&g->st->defects, "invalid_id_check", 1);
            }
            else if (v == ID_LEGACY15) {
                fg_tally_add(&g->st->defects, "legacy_15_id", 1);
            }
            else if (v == ID_LOWER_X) {
                fg_tally_add(&g->st->defects, "lowercase_x_id", 1);
            }
        }
    }
    rc = rc ? rc : og_buf_puts(b, "]}}\n");
    if (rc) {
        return rc;
    }
    if (d == HL_BAD_JSON) {
        /* the app died mid-write: the line stops at a comma in its first half */
        fg_cut_half(b);
        rc = og_buf_putc(b, '\n');
    }
    g->st->written++;
    switch (d) {
    case HL_GPS_MISSING:
        fg_tally_add(&g->st->defects, "gps_missing", 1);
        break;
    case HL_COMMUNITY_NO_GPS:
        fg_tally_add(&g->st->defects, "community_no_gps", 1);
        break;
    case HL_GPS_OUTSIDE:
        fg_tally_add(&g->st->defects, "gps_outside", 1);
        break;
    case HL_UNKNOWN_GRID_NO_GPS:
        fg_tally_add(&g->st->defects, "unknown_grid_no_gps", 1);
        break;
    case HL_COMMUNITY_WITH_GPS:
        fg_tally_add(&g->st->defects, "community_code_with_gps", 1);
        break;
    case HL_INVALID_TIME:
        fg_tally_add(&g->st->defects, "invalid_time", 1);
        fg_tally_add(&g->st->rejected, "invalid_time", 1);
        break;
    case HL_BAD_JSON:
        fg_tally_add(&g->st->defects, "bad_json", 1);
        fg_tally_add(&g->st->rejected, "bad_json", 1);
        break;
    case HL_OK:
        break;
    }
    if (!rejected) {
        g->st->loaded++;
    }
    return rc;
}

/* Streams n visits to f (constant memory). progress: report every 100k visits on stderr. */
int fg_gen_hl(const struct fg_world *w, uint64_t seed, long n, FILE *f, bool progress,
              struct fg_feed_stats *st)
{
    struct hl_gen g = {.w = w, .n = n, .line = OG_BUF_INIT, .st = st};
    og_tool_rng_seed(&g.r, seed, 0x484C); /* "HL" */
    hl_init_stats(st);
    int rc = 0;
    for (long i = 0; i < n && rc == 0; i++) {
        rc = hl_visit(&g, i);
        if (rc == 0 && fwrite(g.line.data, 1, g.line.len, f) != g.line.len) {
            rc = OG_EIO;
        }
        if (progress && (i + 1) % 100000 == 0) {
            fprintf(stderr, "og-feedgen: hl %ld/%ld visits\n", i + 1, n);
        }
    }
    og_buf_free(&g.line);
    return rc;
}

/* The replay: the same generator writing into a buffer it throws away. */
struct fg_hl_iter {
    struct hl_gen g;
    struct fg_feed_stats st;
    struct fg_hl_visit visit;
    long next;
};

struct fg_hl_iter *fg_hl_iter_create(const struct fg_world *w, uint64_t seed, long n)
{
    struct fg_hl_iter *it = calloc(1, sizeof *it);
    if (!it) {
        return NULL;
    }
    it->g.w = w;
    it->g.n = n;
    it->g.st = &it->st;
    it->g.tap = &it->visit;
    og_tool_rng_seed(&it->g.r, seed, 0x484C); /* the HL-2 stream */
    hl_init_stats(&it->st);
    return it;
}

int fg_hl_iter_next(struct fg_hl_iter *it, const struct fg_hl_visit **visit)
{
    if (it->next >= it->g.n) {
        return 0;
    }
    int rc = hl_visit(&it->g, it->next++);
    if (rc) {
        return rc;
    }
    *visit = &it->visit;
    return 1;
}

void fg_hl_iter_destroy(struct fg_hl_iter *it)
{
    if (it) {
        og_buf_free(&it->g.line);
        free(it);
    }
}
