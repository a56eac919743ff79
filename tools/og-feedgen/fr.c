/* fr.c - og-feedgen's FR-1 feed: fire-hazard inspections, GB18030 CSV with CRLF. */
#include "tools/common/csv.h"
#include "tools/common/text.h"
#include "tools/og-feedgen/feedgen.h"
#include "tools/og-feedgen/links.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const FR_HEADER[12] = {
    "检查编号", "单位名称", "统一社会信用代码", "地址",     "消防网格", "隐患类别",
    "隐患描述", "检查时间", "整改期限",         "整改状态", "经度",     "纬度",
};

struct fr_category {
    const char *name;
    const char *desc[3];
};

static const struct fr_category FR_CATS[] = {
    {"消防通道堵塞",
     {"楼梯间堆放杂物，堵塞疏散通道", "消防车通道被私家车占用", "安全出口被货物堵塞"}},
    {"电动车违规充电",
     {"电动自行车在楼道内充电", "私拉电线为电动车充电", "门厅内停放电动车并充电"}},
    {"灭火器失效", {"灭火器压力不足", "灭火器已过有效期", "未按要求配置灭火器"}},
    {"疏散指示缺失", {"安全出口指示标志损坏不亮", "疏散通道未设应急照明", "疏散指示标志被遮挡"}},
    {"违规用火用电", {"厨房私拉乱接电线", "仓库内使用大功率电器", "住人区域使用明火"}},
    {"其他", {"未建立消防安全管理制度", "员工未经消防安全培训", "消防设施未定期检测"}},
};
#define FR_NCATS (sizeof FR_CATS / sizeof FR_CATS[0])

static const char *const FR_TRICKY[] = {
    "店门口堆放纸箱,堵塞\"安全出口\"\r\n已当场责令清理",
    "楼道内停放电动车3辆,其中1辆正在充电\r\n业主称\"马上搬走\"",
    "厨房油烟管道积油严重,\"灭火毯\"缺失\r\n要求三日内清洗",
};
static const char *const FR_TRADE[] = {
    "鸿福", "金凤", "永兴", "华美", "新时代", "潮味", "德兴",   "利达", "顺发", "明珠",
    "汇丰", "盛源", "万和", "宏达", "金海湾", "振华", "好运来", "百佳", "顺景", "海利",
};
static const char *const FR_BIZ[] = {
    "五金店", "便利店",       "餐饮店", "服装厂", "玩具厂", "药店",       "宾馆",   "电动车行",
    "美发店", "小商品批发部", "茶行",   "网吧",   "印刷厂", "汽车修理厂", "幼儿园", "超市",
};
static const char *const FR_STATUS[] = {"未整改", "整改中", "已整改", "逾期"};

enum fr_defect {
    FR_OK = 0,
    FR_EMPTY_COORDS,
    FR_UNKNOWN_GRID_NO_COORDS,
    FR_INVALID_TIME,
    FR_FIELD_COUNT,
    FR_UNKNOWN_CATEGORY,
    FR_INVALID_USCC,
    FR_TRICKY_TEXT,
};

int fg_gen_fr(const struct fg_world *w, uint64_t seed, long n, struct og_buf *out,
              struct fg_feed_stats *st)
{
    struct og_tool_rng r;
    og_tool_rng_seed(&r, seed, 0x4652); /* "FR" */
    const char *dnames[] = {"invalid_uscc",      "empty_coords", "unknown_fire_grid_no_coords",
                            "invalid_time",      "field_count",  "unknown_category",
                            "quoted_description"};
    for (size_t i = 0; i < sizeof dnames / sizeof dnames[0]; i++) {
        fg_tally_add(&st->defects, dnames[i], 0);
    }
    fg_tally_add(&st->rejected, "field_count", 0);
    fg_tally_add(&st->rejected, "invalid_time", 0);

    int rc = 0;
    for (int k = 0; k < 12 && rc == 0; k++) {
        rc = og_tool_csv_field(out, FR_HEADER[k], k == 0);
    }
    rc = rc ? rc : og_buf_puts(out, "\r\n");
    for (long i = 0; i < n && rc == 0; i++) {
        double u = og_tool_rng_unit(&r);
        enum fr_defect d = u < 0.05    ? FR_EMPTY_COORDS
                           : u < 0.065 ? FR_UNKNOWN_GRID_NO_COORDS
                           : u < 0.08  ? FR_INVALID_TIME
                           : u < 0.09  ? FR_FIELD_COUNT
                           : u < 0.11  ? FR_UNKNOWN_CATEGORY
                           : u < 0.14  ? FR_INVALID_USCC
                           : u < 0.18  ? FR_TRICKY_TEXT
                                       : FR_OK;
        const struct fg_grid *g = &w->grids[og_tool_rng_below(&r, (uint32_t)w->ngrids)];
        double lng, lat, bd_lng, bd_lat;
        fg_grid_point(&r, g, OG_CRS_BD09, &bd_lng, &bd_lat, &lng, &lat);

        char f[12][320];
        snprintf(f[0], sizeof f[0], "XFJC2020%06ld", i + 1);
        bool individual = og_tool_rng_chance(&r, 0.6);
        snprintf(f[1], sizeof f[1], "%s%s%s", og_tool_rng_chance(&r, 0.5) ? "汕头市金平区" : "",
                 OG_TOOL_PICK(&r, FR_TRADE), OG_TOOL_PICK(&r, FR_BIZ));
        fg_make_uscc(&r, individual, d == FR_INVALID_USCC, f[2]);
        rc = fg_verify_id(f[2], OG_ID_USCC, d != FR_INVALID_USCC);
        if (rc) {
            break;
        }
        fg_make_address(&r, w, g->community, false, f[3], sizeof f[3]);
        if (d == FR_UNKNOWN_GRID_NO_COORDS) {
            const struct fg_community *c = g->community >= 0 ? &w->comms[g->community] : NULL;
            snprintf(f[4], sizeof f[4], "%s第%d消防网格",
                     c && c->street >= 0 ? w->streets[c->street].name : w->county,
                     og_tool_rng_range(&r, 11, 99));
        }
        else {
            og_tool_scopy(f[4], sizeof f[4], g->community >= 0 ? w->comms[g->community].fire : "");
        }
        const struct fr_category *cat = &FR_CATS[og_tool_rng_below(&r, (uint32_t)FR_NCATS)];
        og_tool_scopy(f[5], sizeof f[5], d == FR_UNKNOWN_CATEGORY ? "高空抛物" : cat->name);
        if (d == FR_TRICKY_TEXT) {
            og_tool_scopy(f[6], sizeof f[6], OG_TOOL_PICK(&r, FR_TRICKY));
        }
        else if (d == FR_UNKNOWN_CATEGORY) {
            og_tool_scopy(f[6], sizeof f[6], "巡查发现楼上住户向下抛掷杂物");
        }
        else {
            og_tool_scopy(f[6], sizeof f[6], cat->desc[og_tool_rng_below(&r, 3)]);
        }
        int64_t t = fg_slot_time(&r, i, n, 0, 43, 8, 17);
        if (d == FR_INVALID_TIME) {
            snprintf(f[7], sizeof f[7], "2020/2/30 %d:%02d", og_tool_rng_range(&r, 8, 17),
                     og_tool_rng_range(&r, 0, 59));
        }
        else {
            fg_fmt_fr_time(f[7], sizeof f[7], t);
        }
        fg_fmt_fr_date(f[8], sizeof f[8], t + (int64_t)SPAN_DAY_MIN * og_tool_rng_range(&r, 3, 15));
        og_tool_scopy(f[9], sizeof f[9], OG_TOOL_PICK(&r, FR_STATUS));
        if (d == FR_EMPTY_COORDS || d == FR_UNKNOWN_GRID_NO_COORDS) {
            f[10][0] = f[11][0] = '\0';
        }
        else {
            snprintf(f[10], sizeof f[10], "%.6f", bd_lng);
            snprintf(f[11], sizeof f[11], "%.6f", bd_lat);
        }
        for (int k = 0; k < 12 && rc == 0; k++) {
            if (d == FR_FIELD_COUNT && k == 6) {
                continue; /* the row lost its description column */
            }
            rc = og_tool_csv_field(out, f[k], k == 0);
        }
        rc = rc ? rc : og_buf_puts(out, "\r\n");
        st->written++;
        switch (d) {
        case FR_EMPTY_COORDS:
            fg_tally_add(&st->defects, "empty_coords", 1);
            break;
        case FR_UNKNOWN_GRID_NO_COORDS:
            fg_tally_add(&st->defects, "unknown_fire_grid_no_coords", 1);
            break;
        case FR_INVALID_TIME:
            fg_tally_add(&st->defects, "invalid_time", 1);
            fg_tally_add(&st->rejected, "invalid_time", 1);
            break;
        case FR_FIELD_COUNT:
            fg_tally_add(&st->defects, "field_count", 1);
            fg_tally_add(&st->rejected, "field_count", 1);
            break;
        case FR_UNKNOWN_CATEGORY:
            fg_tally_add(&st->defects, "unknown_category", 1);
            break;
        case FR_INVALID_USCC:
            fg_tally_add(&st->defects, "invalid_uscc", 1);
            break;
        case FR_TRICKY_TEXT:
            fg_tally_add(&st->defects, "quoted_description", 1);
            break;
        case FR_OK:
            break;
        }
        if (d != FR_INVALID_TIME && d != FR_FIELD_COUNT) {
            st->loaded++;
        }
    }
    return rc;
}

int fg_gen_fr_planted(const struct fg_world *w, uint64_t seed, const struct fg_plant *pl,
                      struct og_buf *out, struct fg_feed_stats *st)
{
    struct og_tool_rng r;
    og_tool_rng_seed(&r, seed, 0x4C4B4652); /* "LKFR" */
    int rc = 0;
    for (size_t i = 0; i < pl->nrecs && rc == 0; i++) {
        const struct fg_plant_rec *p = &pl->recs[i];
        if (p->dept != FG_PLANT_FR) {
            continue;
        }
        const struct fg_grid *g = &w->grids[p->grid];
        const struct fr_category *cat = &FR_CATS[0];
        for (size_t k = 0; k < FR_NCATS; k++) {
            if (strcmp(FR_CATS[k].name, p->code) == 0) {
                cat = &FR_CATS[k];
            }
        }
        double bd_lng, bd_lat;
        og_geo_from_wgs84(OG_CRS_BD09, p->lng, p->lat, &bd_lng, &bd_lat);
        char f[12][320];
        og_tool_scopy(f[0], sizeof f[0], p->id);
        snprintf(f[1], sizeof f[1], "%s%s", OG_TOOL_PICK(&r, FR_TRADE), OG_TOOL_PICK(&r, FR_BIZ));
        fg_make_uscc(&r, true, false, f[2]);
        rc = fg_verify_id(f[2], OG_ID_USCC, true);
        if (rc) {
            break;
        }
        fg_make_address(&r, w, g->community, false, f[3], sizeof f[3]);
        og_tool_scopy(f[4], sizeof f[4], g->community >= 0 ? w->comms[g->community].fire : "");
        og_tool_scopy(f[5], sizeof f[5], cat->name);
        og_tool_scopy(f[6], sizeof f[6], cat->desc[og_tool_rng_below(&r, 3)]);
        fg_fmt_fr_time(f[7], sizeof f[7], p->minutes);
        fg_fmt_fr_date(f[8], sizeof f[8], p->minutes + (int64_t)SPAN_DAY_MIN * 7);
        og_tool_scopy(f[9], sizeof f[9], FR_STATUS[0]);
        snprintf(f[10], sizeof f[10], "%.6f", bd_lng);
        snprintf(f[11], sizeof f[11], "%.6f", bd_lat);
        for (int k = 0; k < 12 && rc == 0; k++) {
            rc = og_tool_csv_field(out, f[k], k == 0);
        }
        rc = rc ? rc : og_buf_puts(out, "\r\n");
        st->written++;
        st->loaded++;
    }
    return rc;
}

/* UTF-8 -> GB18030 with iconv. *out is new (free it). */
int fg_to_gb18030(const char *in, size_t inlen, char **out, size_t *outlen, struct og_error *err)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    if (cd == (iconv_t)-1) {
        return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_ENCODING,
                            "cannot convert to GB18030: %s", strerror(errno));
    }
    size_t cap = inlen + 16;
    char *buf = malloc(cap);
    if (!buf) {
        iconv_close(cd);
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    }
    char *src = (char *)in, *dst = buf;
    size_t left = inlen, room = cap;
    int rc = 0;
    if (iconv(cd, &src, &left, &dst, &room) == (size_t)-1) {
        rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_ENCODING,
                          "could not convert to GB18030 at byte %zu: %s", inlen - left,
                          strerror(errno));
    }
    iconv_close(cd);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *outlen = cap - room;
    return 0;
}
