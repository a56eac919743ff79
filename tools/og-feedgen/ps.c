/* ps.c - og-feedgen's PS-2 feed: police incidents (警情) for the Kafka topic ps.incidents, written
 * as kcat lines "jqbh\t{json}", one message per status change, blocks of incidents in arrival
 * order. */
#include "tools/common/text.h"
#include "tools/og-feedgen/feedgen.h"

#include <stdio.h>
#include <string.h>

/* Incidents per block: the lines of a block are sorted by arrival before they are written. */
#define PS_BLOCK 4096

struct ps_type {
    const char *code;
    const char *name;
    int weight;
    const char *summary[2][2]; /* text before and after a road name */
};

/* The incident types (警情类别): 2 digits class + 2 subclass + 2 item. */
static const struct ps_type PS_TYPES[] = {
    {"010101",
     "盗窃",
     10,
     {{"报警人称其停放在", "的电动车被盗"}, {"报警人称在", "一商铺内手机被盗"}}},
    {"010201",
     "诈骗",
     8,
     {{"报警人称在", "附近被人以低价出售口罩为由骗取钱款"},
      {"报警人称在", "家中接到冒充客服电话被骗转账"}}},
    {"010301", "抢劫", 2, {{"报警人称在", "附近被人抢走挎包"}, {"报警人称夜间行经", "时手机被抢"}}},
    {"020101", "打架斗殴", 8, {{"", "一大排档有人打架"}, {"报警人称在", "附近与他人发生肢体冲突"}}},
    {"020201", "寻衅滋事", 4, {{"", "附近有人酒后滋事"}, {"报警人称在", "被人无故辱骂推搡"}}},
    {"030101",
     "交通事故",
     12,
     {{"", "路口两车相撞，无人员受伤"}, {"", "一电动车与行人相撞，一人受轻伤"}}},
    {"030201", "交通拥堵", 5, {{"", "路段车辆拥堵"}, {"", "附近车辆乱停放造成拥堵"}}},
    {"040101",
     "求助",
     12,
     {{"报警人称在", "家中钥匙反锁屋内求助"}, {"报警人称其家中老人在", "附近摔倒求助"}}},
    {"040201",
     "走失人员",
     4,
     {{"报警人称其家中老人在", "附近走失"}, {"报警人称其小孩在", "附近走失"}}},
    {"050101", "纠纷", 14, {{"", "两住户因漏水发生纠纷"}, {"报警人称与", "一商铺发生消费纠纷"}}},
    {"050201",
     "噪声扰民",
     6,
     {{"", "附近有人深夜播放音乐扰民"}, {"报警人称", "附近工地夜间施工扰民"}}},
    {"060101", "火警", 3, {{"", "附近一民房冒出浓烟"}, {"报警人称", "附近垃圾桶起火"}}},
};
#define PS_NTYPES (sizeof PS_TYPES / sizeof PS_TYPES[0])

/* The type the taxonomy does not know (the unknown_type defect). */
static const struct ps_type PS_UNKNOWN = {
    "990101",
    "其他警情",
    0,
    {{"报警人称", "附近有人聚集未戴口罩"}, {"报警人称", "附近有人聚集未戴口罩"}}};

const struct fg_code_name *fg_ps_types(void)
{
    static struct fg_code_name list[PS_NTYPES + 1];
    for (size_t i = 0; i < PS_NTYPES; i++) {
        list[i].code = PS_TYPES[i].code;
        list[i].name = PS_TYPES[i].name;
    }
    return list;
}

enum ps_class {
    PS_OK = 0,
    PS_BJSJ_INVALID,
    PS_JQBH_MISSING,
    PS_BAD_JSON,
    PS_COORDS_EMPTY,
    PS_COORDS_OUTSIDE,
    PS_UNKNOWN_BEAT,
    PS_UNKNOWN_TYPE,
};

/* One incident: what its messages share. */
struct ps_incident {
    char jqbh[48];
    char bjsj[24];
    const struct ps_type *type;
    char jyaq[256];
    char fadd[256];
    char jd[24], wd[24];
    bool gcj;
    char beat[16];
};

struct ps_gen {
    const struct fg_world *w;
    struct og_tool_rng r;
    long n;        /* messages wanted */
    long lines;    /* messages made so far */
    long incident; /* incidents started */
    int type_total;
    struct fg_lines block;
    int block_incidents;
    struct og_buf val;
    bool progress;
    struct fg_feed_stats *st;
    struct fg_ps_outcome *out;
};

static const struct ps_type *ps_pick_type(struct ps_gen *g)
{
    int k = (int)og_tool_rng_below(&g->r, (uint32_t)g->type_total);
    for (size_t i = 0; i < PS_NTYPES; i++) {
        if (k < PS_TYPES[i].weight) {
            return &PS_TYPES[i];
        }
        k -= PS_TYPES[i].weight;
    }
    return &PS_TYPES[PS_NTYPES - 1];
}

/* The value of message state zt (0-based) of incident c with class cl into g->val. */
static int ps_value(struct ps_gen *g, const struct ps_incident *c, int zt, enum ps_class cl)
{
    struct og_tool_rng *r = &g->r;
    struct og_buf *b = &g->val;
    og_buf_reset(b);
    int rc = og_buf_putc(b, '{');
    if (cl != PS_JQBH_MISSING) {
        rc = rc ? rc : og_buf_printf(b, "\"jqbh\": \"%s\", ", c->jqbh);
    }
    const char *bjsj = c->bjsj;
    if (cl == PS_BJSJ_INVALID) {
        static const char *const bad[] = {"2020-02-30 25:61:00", "20200203", "2020-02-31 10:15:00",
                                          "2020/02/03 14:05"};
        bjsj = OG_TOOL_PICK(r, bad);
    }
    const struct ps_type *t = cl == PS_UNKNOWN_TYPE ? &PS_UNKNOWN : c->type;
    rc = rc ? rc
            : og_buf_printf(b, "\"bjsj\": \"%s\", \"jqlbdm\": \"%s\", \"jqlbmc\": ", bjsj, t->code);
    rc = rc ? rc : fg_json_str(b, t->name);
    rc = rc ? rc : og_buf_puts(b, ", \"jyaq\": ");
    char unknown_text[256];
    if (cl == PS_UNKNOWN_TYPE) {
        snprintf(unknown_text, sizeof unknown_text, "%s%s%s", PS_UNKNOWN.summary[0][0],
                 fg_pick_road(r), PS_UNKNOWN.summary[0][1]);
    }
    rc = rc ? rc : fg_json_str(b, cl == PS_UNKNOWN_TYPE ? unknown_text : c->jyaq);
    rc = rc ? rc : og_buf_puts(b, ", \"fadd\": ");
    rc = rc ? rc : fg_json_str(b, c->fadd);
    char jd[24], wd[24], beat[16];
    og_tool_scopy(jd, sizeof jd, c->jd);
    og_tool_scopy(wd, sizeof wd, c->wd);
    og_tool_scopy(beat, sizeof beat, c->beat);
    if (cl == PS_COORDS_EMPTY || cl == PS_UNKNOWN_BEAT) {
        jd[0] = wd[0] = '\0';
    }
    if (cl == PS_UNKNOWN_BEAT) {
        /* a beat number the station never had */
        snprintf(beat, sizeof beat, "%.8sJW9%02d", c->beat, og_tool_rng_range(r, 0, 99));
    }
    if (cl == PS_COORDS_OUTSIDE) {
        /* a point in Guangzhou (Tianhe), far outside the district */
        double x = 113.3245 + (og_tool_rng_unit(r) - 0.5) * 0.06;
        double y = 23.1291 + (og_tool_rng_unit(r) - 0.5) * 0.06;
        snprintf(jd, sizeof jd, "%.6f", x);
        snprintf(wd, sizeof wd, "%.6f", y);
    }
    rc = rc ? rc
            : og_buf_printf(b,
                            ", \"jd\": \"%s\", \"wd\": \"%s\", \"zbxt\": \"%s\", \"jwwgbm\": "
                            "\"%s\", \"cjdwdm\": \"%.8s\", \"zt\": \"%d\"}",
                            jd, wd, c->gcj ? "GCJ02" : "CGCS2000", beat, beat, zt + 1);
    if (rc == 0 && cl == PS_BAD_JSON) {
        /* the producer sent half a message: cut at a comma in its first half */
        fg_cut_half(b);
    }
    return rc;
}

static int ps_flush(struct ps_gen *g, FILE *f)
{
    fg_lines_sort(&g->block);
    int rc = fg_lines_write(&g->block, f);
    fg_lines_reset(&g->block);
    g->block_incidents = 0;
    return rc;
}

static const char *const PS_CLASS_DEFECT[] = {
    NULL,           "bjsj_invalid",   "jqbh_missing",           "bad_json",
    "coords_empty", "coords_outside", "unknown_beat_no_coords", "unknown_type",
};

/* Adds one message line, counting it. */
static int ps_add(struct ps_gen *g, const char *key, int64_t at)
{
    int rc = fg_lines_add(&g->block, key, g->val.data, g->val.len, at, NULL);
    if (rc == 0) {
        g->lines++;
        g->st->written++;
        if (g->progress && g->lines % 100000 == 0) {
            fprintf(stderr, "og-feedgen: ps2 %ld/%ld messages\n", g->lines, g->n);
        }
    }
    return rc;
}

/* Makes one incident and its 1-3 messages (fewer when the file is full). */
static int ps_incident(struct ps_gen *g)
{
    struct og_tool_rng *r = &g->r;
    const struct fg_world *w = g->w;
    long idx = g->incident++;
    struct ps_incident c;
    memset(&c, 0, sizeof c);

    int day = (int)((g->lines * 29) / g->n); /* 0..28: February 1..29 */
    int64_t minutes = (int64_t)day * SPAN_DAY_MIN + og_tool_rng_range(r, 0, SPAN_DAY_MIN - 1);
    int sec = og_tool_rng_range(r, 0, 59);
    fg_fmt_local(c.bjsj, sizeof c.bjsj, minutes, sec);
    snprintf(c.jqbh, sizeof c.jqbh, "J2002%02d%07ld", day + 1, idx + 1);
    c.gcj = og_tool_rng_chance(r, 0.12);

    const struct fg_grid *gr = NULL;
    int beat = -1;
    double jd = 0, wd = 0, lng = 0, lat = 0;
    for (int tries = 0; tries < 100 && beat < 0; tries++) {
        gr = &w->grids[og_tool_rng_below(r, (uint32_t)w->ngrids)];
        fg_grid_point(r, gr, c.gcj ? OG_CRS_GCJ02 : OG_CRS_CGCS2000, &jd, &wd, &lng, &lat);
        beat = fg_beat_at(w, lng, lat);
    }
    if (beat < 0) {
        fprintf(stderr, "og-feedgen: no police beat found for a point (dept_grids.geojson has "
                        "no PS beats?)\n");
        return OG_EINVAL;
    }
    snprintf(c.jd, sizeof c.jd, "%.6f", jd);
    snprintf(c.wd, sizeof c.wd, "%.6f", wd);
    og_tool_scopy(c.beat, sizeof c.beat, w->beats[beat].code);
    c.type = ps_pick_type(g);
    const char *const *sm = c.type->summary[og_tool_rng_below(r, 2)];
    snprintf(c.jyaq, sizeof c.jyaq, "%s%s%s", sm[0], fg_pick_road(r), sm[1]);
    fg_make_address(r, w, gr->community, false, c.fadd, sizeof c.fadd);

    /* most incidents are closed; some stop at received or dispatched */
    double u = og_tool_rng_unit(r);
    int nstates = u < 0.78 ? 3 : u < 0.90 ? 2 : 1;
    int64_t at[3];
    at[0] = (minutes * 60 + sec) + og_tool_rng_range(r, 5, 120);
    at[1] = at[0] + og_tool_rng_range(r, 120, 1800);
    at[2] = at[1] + og_tool_rng_range(r, 900, 6 * 3600);

    unsigned loaded = 0;
    int rc = 0;
    for (int s = 0; s < nstates && g->lines < g->n && rc == 0; s++) {
        enum ps_class cl = PS_OK;
        if (!c.gcj) {
            double v = og_tool_rng_unit(r);
            cl = v < 0.015   ? PS_BJSJ_INVALID
                 : v < 0.030 ? PS_JQBH_MISSING
                 : v < 0.042 ? PS_BAD_JSON
                 : v < 0.067 ? PS_COORDS_EMPTY
                 : v < 0.082 ? PS_COORDS_OUTSIDE
                 : v < 0.097 ? PS_UNKNOWN_BEAT
                 : v < 0.117 ? PS_UNKNOWN_TYPE
                             : PS_OK;
        }
        rc = ps_value(g, &c, s, cl);
        rc = rc ? rc : ps_add(g, cl == PS_JQBH_MISSING ? "-" : c.jqbh, at[s]);
        if (rc) {
            break;
        }
        if (cl != PS_OK) {
            fg_tally_add(&g->st->defects, PS_CLASS_DEFECT[cl], 1);
        }
        if (c.gcj) {
            fg_tally_add(&g->st->defects, "gcj02", 1);
        }
        if (cl == PS_BJSJ_INVALID) {
            fg_tally_add(&g->st->rejected, "invalid_time", 1);
        }
        else if (cl == PS_JQBH_MISSING) {
            fg_tally_add(&g->st->rejected, "missing_field", 1);
        }
        else if (cl == PS_BAD_JSON) {
            fg_tally_add(&g->st->rejected, "bad_json", 1);
        }
        else {
            loaded |= 1u << s;
            g->st->loaded++;
        }
        /* a producer retry: the same message again, before the next state is sent */
        if (cl == PS_OK && !c.gcj && g->lines < g->n && og_tool_rng_chance(r, 0.02)) {
            int64_t gap = s + 1 < nstates ? at[s + 1] - at[s] : 600;
            rc = ps_add(g, c.jqbh, at[s] + og_tool_rng_range(r, 1, (int)gap - 1));
            fg_tally_add(&g->st->defects, "resent_same_state", 1);
        }
    }
    if (loaded) {
        g->out->incidents++;
        for (int s = 0; s < 3; s++) {
            g->out->history_rows += (loaded >> s) & 1u;
        }
        g->out->final_status[loaded & 4u ? PS_CLOSED : loaded & 2u ? PS_DISPATCHED : PS_REPORTED]++;
    }
    g->block_incidents++;
    return rc;
}

int fg_gen_ps2(const struct fg_world *w, uint64_t seed, long n, FILE *f, bool progress,
               struct fg_feed_stats *st, struct fg_ps_outcome *out)
{
    struct ps_gen g = {.w = w,
                       .n = n,
                       .block = {.text = OG_BUF_INIT},
                       .val = OG_BUF_INIT,
                       .progress = progress,
                       .st = st,
                       .out = out};
    og_tool_rng_seed(&g.r, seed, 0x5053); /* "PS" */
    for (size_t i = 0; i < PS_NTYPES; i++) {
        g.type_total += PS_TYPES[i].weight;
    }
    for (size_t i = 1; i < sizeof PS_CLASS_DEFECT / sizeof PS_CLASS_DEFECT[0]; i++) {
        fg_tally_add(&st->defects, PS_CLASS_DEFECT[i], 0);
    }
    fg_tally_add(&st->defects, "gcj02", 0);
    fg_tally_add(&st->defects, "resent_same_state", 0);
    fg_tally_add(&st->rejected, "bad_json", 0);
    fg_tally_add(&st->rejected, "missing_field", 0);
    fg_tally_add(&st->rejected, "invalid_time", 0);

    int rc = 0;
    while (g.lines < n && rc == 0) {
        rc = ps_incident(&g);
        if (rc == 0 && (g.block_incidents >= PS_BLOCK || g.lines >= n)) {
            rc = ps_flush(&g, f);
        }
    }
    fg_lines_free(&g.block);
    og_buf_free(&g.val);
    return rc;
}
