/* ht1.c - og-feedgen's HT-1 feed: the 12345 hotline's tickets as the SQL script of its table
 * hotline.ticket (one row per ticket as it stands, updated in place), COPY text format, UTF-8. */
#include "tools/og-feedgen/ht1.h"
#include "tools/og-feedgen/links.h"

#include "loader/copy.h"

#include "tools/common/text.h"

#include <stdlib.h>
#include <string.h>

const char *const FG_HT_STATUS[HT_NSTATUS] = {"受理", "派单", "办理中", "已办结", "已回访"};
const char *const FG_HT_UNIFIED[HT_NSTATUS] = {"reported", "dispatched", "in_progress", "resolved",
                                               "closed"};

static const char *const HT_CHANNELS[] = {"电话", "网站", "微信", "APP"};
static const char *const HT_REQUESTS[] = {"咨询", "投诉", "建议", "求助"};
enum { RT_ASK = 0, RT_COMPLAIN, RT_SUGGEST, RT_HELP, RT_DRAW = -1 };

/* The hotline's own category table (code 2+2+2 digits, name, the department a ticket goes to, the
 * request type: RT_DRAW mostly complaints, what callers say). The first HT_KNOWN are the codes of
 * mappings/taxonomy/ht_category.csv; the rest are codes the taxonomy does not know. */
struct ht_cat {
    const char *code, *name, *dept;
    int rt;
    const char *say[2];
};

static const struct ht_cat HT_CATS[] = {
    {"010101",
     "市容环境/环境卫生/垃圾清运",
     "区城管局",
     RT_DRAW,
     {"小区门口垃圾桶满溢多日无人清运", "农贸市场周边垃圾堆积发臭"}},
    {"010102",
     "市容环境/环境卫生/卫生死角",
     "街道办事处",
     RT_DRAW,
     {"巷道内长期堆放建筑垃圾", "楼顶天台卫生死角蚊虫滋生"}},
    {"010201",
     "市容环境/违法建设/违章搭建",
     "区城管局",
     RT_DRAW,
     {"楼顶违规加建铁皮房", "一楼住户占用公共通道搭建雨棚"}},
    {"010301",
     "市容环境/占道经营/流动摊贩",
     "区城管局",
     RT_DRAW,
     {"学校门口流动摊贩占道经营", "夜市摊档占用人行道"}},
    {"010401",
     "市容环境/宣传广告/违规广告",
     "区城管局",
     RT_DRAW,
     {"电线杆上乱贴小广告", "店铺违规设置落地广告牌"}},
    {"010501",
     "市容环境/施工管理/施工扰民",
     "区住建局",
     RT_DRAW,
     {"工地夜间施工噪音扰民", "施工车辆带泥上路"}},
    {"010601",
     "市容环境/园林绿化/绿化损毁",
     "区城管局",
     RT_DRAW,
     {"行道树被私自砍伐", "绿化带被占用种菜"}},
    {"010701",
     "市容环境/市政设施/路灯",
     "区城管局",
     RT_DRAW,
     {"路灯不亮已一周", "路灯杆倾斜有倒塌危险"}},
    {"010702",
     "市容环境/市政设施/井盖道路",
     "区住建局",
     RT_DRAW,
     {"井盖缺失存在安全隐患", "路面塌陷雨后积水"}},
    {"020101",
     "矛盾纠纷/邻里纠纷/邻里",
     "街道办事处",
     RT_HELP,
     {"楼上住户漏水协商不成", "邻居在楼道堆放杂物引发纠纷"}},
    {"020201",
     "矛盾纠纷/婚姻家庭/家庭",
     "街道办事处",
     RT_HELP,
     {"家庭矛盾请求社区调解", "赡养老人问题引发家庭纠纷"}},
    {"020301",
     "矛盾纠纷/劳资纠纷/欠薪",
     "区人社局",
     RT_COMPLAIN,
     {"工厂拖欠工资两个月", "装修工人被拖欠工钱"}},
    {"020401",
     "矛盾纠纷/物业纠纷/物业服务",
     "区住建局",
     RT_COMPLAIN,
     {"物业擅自提高停车费", "小区电梯故障物业不维修"}},
    {"020501",
     "矛盾纠纷/其他纠纷/其他",
     "区司法局",
     RT_HELP,
     {"租房押金不退", "与商家消费纠纷请求调解"}},
    {"030101",
     "社会治安/治安问题/治安",
     "区公安分局",
     RT_DRAW,
     {"小区内电动车电瓶被盗", "夜间有人聚集酗酒滋事"}},
    {"030201",
     "社会治安/可疑情况/可疑人员",
     "区公安分局",
     RT_DRAW,
     {"出租屋内人员频繁进出形迹可疑", "有人冒充工作人员上门推销"}},
    {"040101",
     "安全隐患/消防安全/消防通道",
     "区消防救援大队",
     RT_DRAW,
     {"消防通道被车辆堵塞", "楼道内电动车违规充电"}},
    {"040201",
     "安全生产/安全生产/企业安全",
     "区应急管理局",
     RT_DRAW,
     {"作坊内存放大量易燃物品", "工厂员工未配备防护用品"}},
    {"040301",
     "安全隐患/交通安全/交通设施",
     "区交警大队",
     RT_DRAW,
     {"路口红绿灯故障", "交通标志被树枝遮挡"}},
    {"050101",
     "社情民意/咨询/政策咨询",
     "区政务服务中心",
     RT_ASK,
     {"咨询复工复产办理流程", "咨询社保缴费延期政策"}},
    {"050201",
     "社情民意/投诉/服务投诉",
     "区市场监管局",
     RT_COMPLAIN,
     {"药店口罩高价销售", "超市蔬菜价格上涨过快"}},
    {"050301",
     "社情民意/建议/意见建议",
     "区政务服务中心",
     RT_SUGGEST,
     {"建议增加社区便民服务点", "建议延长农贸市场营业时间"}},
    {"050401",
     "社情民意/求助/生活求助",
     "街道办事处",
     RT_HELP,
     {"独居老人需要代购生活物资", "居家隔离人员家中缺少食物"}},
    {"060201",
     "疫情防控/发热症状/发热报告",
     "区卫健局",
     RT_HELP,
     {"邻居出现发热咳嗽症状", "本人发热要求就医指引"}},
    {"060301",
     "疫情防控/重点人员/重点地区来人",
     "区卫健局",
     RT_DRAW,
     {"小区有从武汉返回人员未登记", "出租屋有湖北返汕人员"}},
    {"060401",
     "疫情防控/走访排查/排查",
     "街道办事处",
     RT_DRAW,
     {"小区未落实出入登记", "询问居家隔离排查安排"}},
    {"080101",
     "法律政策宣传/宣传活动/普法",
     "区司法局",
     RT_ASK,
     {"咨询劳动合同法律问题", "咨询租赁合同纠纷处理"}},
    /* not in the taxonomy: the unknown_category defect */
    {"070101",
     "城乡建设/公共交通/公交线路",
     "区交通运输局",
     RT_SUGGEST,
     {"建议调整公交线路站点", "公交车班次太少候车时间长"}},
    {"990101",
     "其他/其他/其他",
     "区政务服务中心",
     RT_DRAW,
     {"反映多项问题需协调处理", "来电反映问题未能归类"}},
};
#define HT_NCATS (sizeof HT_CATS / sizeof HT_CATS[0])
#define HT_KNOWN (HT_NCATS - 2)

/* What is special about a row (at most one class per row). */
enum ht_class {
    HT_OK = 0,
    HT_NO_COORDS_COMMUNITY, /* no coordinates, a 2023 community code: community */
    HT_NO_COORDS_2016,      /* no coordinates, the community's 2016 code: community (alias) */
    HT_NO_COORDS_NO_COMM,   /* neither: none */
    HT_COORDS_OUTSIDE,      /* the caller's phone placed the ticket in Beijing; 2023 code */
    HT_UNKNOWN_CATEGORY,    /* a category code the taxonomy does not know: 9999 */
    HT_FRACTION,            /* updated_at with microseconds (set by the application's now()) */
    HT_SAME_UPDATED,        /* moved in one go with the ticket before it: the same updated_at */
};

#define US_PER_S 1000000LL

struct ht_gen {
    const struct fg_world *w;
    struct og_tool_rng r;
    FILE *f;
    struct og_buf line;
    int64_t *updated; /* every row's updated_at (microseconds), to count the shared ones */
    int64_t prev_updated;
    int prev_status;
    int64_t last_updated; /* of the watermark in out */
};

/* "2020-02-03 14:05:09" or "2020-02-03 14:05:09.123456" (as PostgreSQL prints a timestamp) of us
 * microseconds since 2020-02-01 00:00:00 local. */
static void ht_fmt_ts(char *out, size_t size, int64_t us)
{
    int64_t s = us / US_PER_S;
    int frac = (int)(us % US_PER_S);
    fg_fmt_local(out, size, s / 60, (int)(s % 60));
    if (frac) {
        size_t len = strlen(out);
        snprintf(out + len, size - len, ".%06d", frac);
    }
}

static const char HT_DDL[] =
    "-- HT-1: the 12345 hotline's tickets (contracts/feeds.md), the table hotline.ticket of the\n"
    "-- hotline's own PostgreSQL as it stands: one row per ticket, updated in place as the ticket\n"
    "-- moves. Synthetic data written by og-feedgen. Load it into an empty database:\n"
    "--   psql -X -v ON_ERROR_STOP=1 -d hotline -f FILE\n"
    "SET client_encoding = 'UTF8';\n"
    "SET standard_conforming_strings = on;\n"
    "CREATE SCHEMA hotline;\n"
    "CREATE TABLE hotline.ticket (\n"
    "    ticket_no text PRIMARY KEY,\n"
    "    created_at timestamp NOT NULL,\n"
    "    updated_at timestamp NOT NULL,\n"
    "    channel text NOT NULL,\n"
    "    category_code text,\n"
    "    category_name text,\n"
    "    request_type text,\n"
    "    content text,\n"
    "    address text,\n"
    "    community_code text,\n"
    "    bd_lng double precision,\n"
    "    bd_lat double precision,\n"
    "    status text NOT NULL,\n"
    "    assigned_dept text\n"
    ");\n"
    "COPY hotline.ticket (ticket_no, created_at, updated_at, channel, category_code, "
    "category_name, request_type, content, address, community_code, bd_lng, bd_lat, status, "
    "assigned_dept) FROM stdin;\n";

static const char HT_TAIL[] = "\\.\n"
                              "CREATE INDEX ticket_watermark ON hotline.ticket (updated_at, "
                              "ticket_no);\n";

static void ht_init_stats(struct fg_feed_stats *st)
{
    const char *dnames[] = {"coords_missing_community", "community_2016_no_coords",
                            "no_coords_no_community",   "coords_outside",
                            "unknown_category",         "updated_at_fraction",
                            "same_updated_at",          "community_with_coords"};
    for (size_t i = 0; i < sizeof dnames / sizeof dnames[0]; i++) {
        fg_tally_add(&st->defects, dnames[i], 0);
    }
    fg_tally_add(&st->rejected, "missing_field", 0);
    fg_tally_add(&st->rejected, "invalid_time", 0);
}

static enum ht_class ht_pick_class(struct og_tool_rng *r)
{
    double u = og_tool_rng_unit(r);
    return u < 0.06   ? HT_NO_COORDS_COMMUNITY
           : u < 0.10 ? HT_NO_COORDS_2016
           : u < 0.14 ? HT_NO_COORDS_NO_COMM
           : u < 0.16 ? HT_COORDS_OUTSIDE
           : u < 0.19 ? HT_UNKNOWN_CATEGORY
           : u < 0.22 ? HT_FRACTION
           : u < 0.27 ? HT_SAME_UPDATED
                      : HT_OK;
}

/* A grid whose community has a 2016 code of its own (a few draws; any grid when none has). */
static const struct fg_grid *ht_grid_2016(struct og_tool_rng *r, const struct fg_world *w)
{
    const struct fg_grid *g = NULL;
    for (int k = 0; k < 64; k++) {
        g = &w->grids[og_tool_rng_below(r, (uint32_t)w->ngrids)];
        if (g->community >= 0 && w->comms[g->community].old_code[0]) {
            break;
        }
    }
    return g;
}

/* The status a ticket has reached (its draw) and the time of each step after created (us). */
static int ht_status_times(struct og_tool_rng *r, int64_t created, int64_t at[HT_NSTATUS])
{
    double u = og_tool_rng_unit(r);
    int s = u < 0.08   ? HT_ACCEPTED
            : u < 0.20 ? HT_DISPATCHED
            : u < 0.40 ? HT_IN_PROGRESS
            : u < 0.65 ? HT_RESOLVED
                       : HT_CLOSED;
    static const int lo_s[HT_NSTATUS] = {0, 5 * 60, 30 * 60, 4 * 3600, 20 * 3600};
    static const int hi_s[HT_NSTATUS] = {0, 2 * 3600, 8 * 3600, 72 * 3600, 48 * 3600};
    at[0] = created;
    for (int k = 1; k < HT_NSTATUS; k++) {
        at[k] = at[k - 1] + (int64_t)og_tool_rng_range(r, lo_s[k], hi_s[k]) * US_PER_S;
    }
    return s;
}

/* The columns of a hotline.ticket COPY row, in the table's order. */
#define HT_NCOLS 14

/* Writes one COPY row of hotline.ticket (row[c] NULL: \N) to the output. 0, OG_ENOMEM or OG_EIO. */
static int ht_put_row(struct ht_gen *g, const char *const row[HT_NCOLS])
{
    struct og_buf *b = &g->line;
    og_buf_reset(b);
    int rc = 0;
    for (int c = 0; c < HT_NCOLS && rc == 0; c++)
        rc = og_copy_text(b, c == 0, row[c]);
    rc = rc ? rc : og_buf_putc(b, '\n');
    if (rc)
        return rc;
    return fwrite(b->data, 1, b->len, g->f) == b->len ? 0 : OG_EIO;
}

/* Moves the watermark (the latest updated_at, then ticket number) the pull ends at to ticket no
 * when it is later (or when first). */
static void ht_watermark(struct ht_gen *g, bool first, int64_t updated, const char *up,
                         const char *no, struct fg_ht_outcome *out)
{
    if (first || updated > g->last_updated ||
        (updated == g->last_updated && strcmp(no, out->last_ticket_no) > 0)) {
        g->last_updated = updated;
        og_tool_scopy(out->last_updated_at, sizeof out->last_updated_at, up);
        og_tool_scopy(out->last_ticket_no, sizeof out->last_ticket_no, no);
    }
}

/* Writes ticket i (0-based) of n as one COPY row into g->line and to g->f, counting it. */
static int ht_ticket(struct ht_gen *g, long i, long n, struct fg_feed_stats *st,
                     struct fg_ht_outcome *out)
{
    struct og_tool_rng *r = &g->r;
    const struct fg_world *w = g->w;
    enum ht_class cl = ht_pick_class(r);
    const struct fg_grid *gr = cl == HT_NO_COORDS_2016
                                   ? ht_grid_2016(r, w)
                                   : &w->grids[og_tool_rng_below(r, (uint32_t)w->ngrids)];
    const struct fg_community *comm = gr->community >= 0 ? &w->comms[gr->community] : NULL;
    if (cl == HT_NO_COORDS_2016 && (!comm || !comm->old_code[0])) {
        cl = HT_NO_COORDS_COMMUNITY; /* a world without 2016 codes */
    }
    double lng, lat, bd_lng, bd_lat;
    fg_grid_point(r, gr, OG_CRS_BD09, &bd_lng, &bd_lat, &lng, &lat);
    if (cl == HT_COORDS_OUTSIDE) {
        fg_far_point(r, OG_CRS_BD09, &bd_lng, &bd_lat);
    }
    bool coords =
        cl != HT_NO_COORDS_COMMUNITY && cl != HT_NO_COORDS_2016 && cl != HT_NO_COORDS_NO_COMM;

    /* the community code: always with the classes that need one, else for about a third */
    const char *comm_code = NULL;
    bool with_comm = og_tool_rng_chance(r, 0.35);
    if (comm && (cl == HT_NO_COORDS_COMMUNITY || cl == HT_COORDS_OUTSIDE)) {
        comm_code = comm->code;
    }
    else if (comm && cl == HT_NO_COORDS_2016) {
        comm_code = comm->old_code;
    }
    else if (comm && cl != HT_NO_COORDS_NO_COMM && with_comm) {
        comm_code = comm->old_code[0] && og_tool_rng_chance(r, 0.2) ? comm->old_code : comm->code;
    }

    const struct ht_cat *cat = cl == HT_UNKNOWN_CATEGORY
                                   ? &HT_CATS[HT_KNOWN + og_tool_rng_below(r, 2)]
                                   : &HT_CATS[og_tool_rng_below(r, (uint32_t)HT_KNOWN)];
    int rt = cat->rt;
    if (rt == RT_DRAW) {
        double u = og_tool_rng_unit(r);
        rt = u < 0.70 ? RT_COMPLAIN : u < 0.90 ? RT_HELP : RT_ASK;
    }
    double uc = og_tool_rng_unit(r);
    const char *channel = uc < 0.55   ? HT_CHANNELS[0]
                          : uc < 0.65 ? HT_CHANNELS[1]
                          : uc < 0.85 ? HT_CHANNELS[2]
                                      : HT_CHANNELS[3];
    char content[320], addr[256];
    fg_make_address(r, w, gr->community, false, addr, sizeof addr);
    snprintf(content, sizeof content, "市民反映：%s附近%s，请尽快处理。", fg_pick_road(r),
             cat->say[og_tool_rng_below(r, 2)]);
    if (cat->rt == RT_ASK || cat->rt == RT_SUGGEST) {
        snprintf(content, sizeof content, "市民%s：%s。", HT_REQUESTS[rt],
                 cat->say[og_tool_rng_below(r, 2)]);
    }

    /* times: created on slot i of n over February, then the steps it has gone through */
    int64_t created = fg_slot_time(r, i, n, 0, 28, 7, 22) * 60 * US_PER_S +
                      (int64_t)og_tool_rng_range(r, 0, 59) * US_PER_S;
    int64_t at[HT_NSTATUS];
    int status = ht_status_times(r, created, at);
    int64_t updated = at[status];
    int frac = og_tool_rng_range(r, 1, 999999);
    if (cl == HT_FRACTION) {
        updated += frac;
    }
    else if (cl == HT_SAME_UPDATED && g->prev_status > HT_ACCEPTED &&
             g->prev_updated > created + 60 * US_PER_S) {
        updated = g->prev_updated; /* dispatched or closed together with the ticket before */
        status = g->prev_status;
    }
    g->prev_updated = updated;
    g->prev_status = status;
    g->updated[i] = updated;

    char no[48], cr[40], up[40], slng[24], slat[24];
    ht_fmt_ts(cr, sizeof cr, created);
    snprintf(no, sizeof no, "GD%.4s%.2s%.2s%05ld", cr, cr + 5, cr + 8, i + 1);
    ht_fmt_ts(up, sizeof up, updated);
    snprintf(slng, sizeof slng, "%.6f", bd_lng);
    snprintf(slat, sizeof slat, "%.6f", bd_lat);

    const char *row[HT_NCOLS] = {no,
                                 cr,
                                 up,
                                 channel,
                                 cat->code,
                                 cat->name,
                                 HT_REQUESTS[rt],
                                 content,
                                 addr,
                                 comm_code,
                                 coords ? slng : NULL,
                                 coords ? slat : NULL,
                                 FG_HT_STATUS[status],
                                 status == HT_ACCEPTED ? NULL : cat->dept};
    int rc = ht_put_row(g, row);
    if (rc) {
        return rc;
    }

    st->written++;
    st->loaded++;
    out->tickets++;
    out->status[status]++;
    static const char *const dname[] = {
        [HT_NO_COORDS_COMMUNITY] = "coords_missing_community",
        [HT_NO_COORDS_2016] = "community_2016_no_coords",
        [HT_NO_COORDS_NO_COMM] = "no_coords_no_community",
        [HT_COORDS_OUTSIDE] = "coords_outside",
        [HT_UNKNOWN_CATEGORY] = "unknown_category",
    };
    if (cl > HT_OK && cl < HT_FRACTION) {
        fg_tally_add(&st->defects, dname[cl], 1);
    }
    if (updated % US_PER_S) { /* its own, or the one it shares with the ticket before */
        fg_tally_add(&st->defects, "updated_at_fraction", 1);
    }
    if (coords && comm_code && cl != HT_COORDS_OUTSIDE) {
        fg_tally_add(&st->defects, "community_with_coords", 1);
    }
    out->unmapped += cl == HT_UNKNOWN_CATEGORY;
    /* placement: a point inside the district, else the community code (2016 through the alias
     * table), else none */
    out->by_method[cl == HT_COORDS_OUTSIDE || (!coords && comm_code) ? 1 : !coords ? 2 : 0]++;
    /* the watermark a full pull ends at: the greatest (updated_at, ticket_no) */
    ht_watermark(g, i == 0, updated, up, no, out);
    return 0;
}

/* Writes planted ticket p (k-th of the HT ones) as one COPY row: dispatched half an hour after it
 * was created, placed by its point. */
static int ht_planted(struct ht_gen *g, const struct fg_plant_rec *p, long k,
                      struct fg_feed_stats *st, struct fg_ht_outcome *out)
{
    struct og_tool_rng *r = &g->r;
    const struct ht_cat *cat = &HT_CATS[0];
    for (size_t i = 0; i < HT_NCATS; i++) {
        if (strcmp(HT_CATS[i].code, p->code) == 0) {
            cat = &HT_CATS[i];
        }
    }
    int rt = cat->rt == RT_DRAW ? RT_COMPLAIN : cat->rt;
    int64_t created = p->minutes * 60 * US_PER_S + (int64_t)og_tool_rng_range(r, 0, 59) * US_PER_S;
    int64_t updated = created + (int64_t)og_tool_rng_range(r, 20 * 60, 40 * 60) * US_PER_S;
    g->updated[k] = updated;
    double bd_lng, bd_lat;
    og_geo_from_wgs84(OG_CRS_BD09, p->lng, p->lat, &bd_lng, &bd_lat);
    char content[320], addr[256], cr[40], up[40], slng[24], slat[24];
    fg_make_address(r, g->w, g->w->grids[p->grid].community, false, addr, sizeof addr);
    snprintf(content, sizeof content, "市民反映：%s附近%s，请尽快处理。", fg_pick_road(r),
             cat->say[og_tool_rng_below(r, 2)]);
    ht_fmt_ts(cr, sizeof cr, created);
    ht_fmt_ts(up, sizeof up, updated);
    snprintf(slng, sizeof slng, "%.6f", bd_lng);
    snprintf(slat, sizeof slat, "%.6f", bd_lat);
    const char *row[HT_NCOLS] = {p->id,
                                 cr,
                                 up,
                                 HT_CHANNELS[0],
                                 cat->code,
                                 cat->name,
                                 HT_REQUESTS[rt],
                                 content,
                                 addr,
                                 NULL,
                                 slng,
                                 slat,
                                 FG_HT_STATUS[HT_DISPATCHED],
                                 cat->dept};
    int rc = ht_put_row(g, row);
    if (rc) {
        return rc;
    }
    st->written++;
    st->loaded++;
    out->tickets++;
    out->status[HT_DISPATCHED]++;
    out->by_method[0]++;
    ht_watermark(g, false, updated, up, p->id, out);
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int fg_gen_ht(const struct fg_world *w, uint64_t seed, long n, FILE *f, struct fg_feed_stats *st,
              struct fg_ht_outcome *out)
{
    return fg_gen_ht_planted(w, seed, n, NULL, f, st, out);
}

int fg_gen_ht_planted(const struct fg_world *w, uint64_t seed, long n, const struct fg_plant *pl,
                      FILE *f, struct fg_feed_stats *st, struct fg_ht_outcome *out)
{
    struct ht_gen g = {.w = w, .f = f, .line = OG_BUF_INIT, .prev_status = HT_ACCEPTED};
    og_tool_rng_seed(&g.r, seed, 0x4854); /* "HT" */
    ht_init_stats(st);
    memset(out, 0, sizeof *out);
    long nplanted = 0;
    for (size_t i = 0; pl && i < pl->nrecs; i++) {
        nplanted += pl->recs[i].dept == FG_PLANT_HT;
    }
    g.updated = calloc(n + nplanted > 0 ? (size_t)(n + nplanted) : 1, sizeof *g.updated);
    if (!g.updated) {
        return OG_ENOMEM;
    }
    int rc = fputs(HT_DDL, f) < 0 ? OG_EIO : 0;
    for (long i = 0; i < n && rc == 0; i++) {
        rc = ht_ticket(&g, i, n, st, out);
    }
    if (nplanted > 0 && rc == 0) { /* their own random stream: the tickets above stay as they are */
        og_tool_rng_seed(&g.r, seed, 0x4C4B4854); /* "LKHT" */
        long k = n;
        for (size_t i = 0; i < pl->nrecs && rc == 0; i++) {
            if (pl->recs[i].dept == FG_PLANT_HT) {
                rc = ht_planted(&g, &pl->recs[i], k++, st, out);
            }
        }
        n += nplanted;
    }
    rc = rc ? rc : fputs(HT_TAIL, f) < 0 ? OG_EIO : 0;
    if (rc == 0 && n > 0) {
        qsort(g.updated, (size_t)n, sizeof *g.updated, cmp_i64);
        long shared = 0;
        for (long i = 0; i < n; i++) {
            bool same = (i > 0 && g.updated[i] == g.updated[i - 1]) ||
                        (i + 1 < n && g.updated[i] == g.updated[i + 1]);
            shared += same;
        }
        fg_tally_add(&st->defects, "same_updated_at", shared);
    }
    free(g.updated);
    og_buf_free(&g.line);
    return rc;
}

static json_t *ht_tally_json(const struct fg_tally *t)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < t->n; i++) {
        json_object_set_new(o, t->names[i], json_integer(t->counts[i]));
    }
    return o;
}

json_t *fg_ht_manifest(const char *file, const struct fg_feed_stats *st,
                       const struct fg_ht_outcome *out)
{
    json_t *o = json_object();
    json_t *gm = json_object(), *sc = json_object(), *wm = json_object();
    if (!o || !gm || !sc || !wm) {
        json_decref(o);
        json_decref(gm);
        json_decref(sc);
        json_decref(wm);
        return NULL;
    }
    json_object_set_new(o, "file", json_string(file));
    json_object_set_new(o, "table", json_string("hotline.ticket"));
    json_object_set_new(o, "records_written", json_integer(st->written));
    json_object_set_new(o, "expected_loaded", json_integer(st->loaded));
    json_object_set_new(o, "expected_rejected_by_reason", ht_tally_json(&st->rejected));
    json_object_set_new(o, "defects", ht_tally_json(&st->defects));
    json_object_set_new(o, "tickets", json_integer(out->tickets));
    json_object_set_new(gm, "point", json_integer(out->by_method[0]));
    json_object_set_new(gm, "community", json_integer(out->by_method[1]));
    json_object_set_new(gm, "none", json_integer(out->by_method[2]));
    json_object_set_new(o, "grid_method_counts", gm);
    for (int k = 0; k < HT_NSTATUS; k++) {
        json_object_set_new(sc, FG_HT_UNIFIED[k], json_integer(out->status[k]));
    }
    json_object_set_new(o, "final_status_counts", sc);
    json_object_set_new(o, "unmapped_category", json_integer(out->unmapped));
    json_object_set_new(wm, "updated_at", json_string(out->last_updated_at));
    json_object_set_new(wm, "ticket_no", json_string(out->last_ticket_no));
    json_object_set_new(o, "watermark_end", wm);
    return o;
}
