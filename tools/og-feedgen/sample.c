/* sample.c - og-feedgen's sampled values: grid points, addresses, names, ID numbers, USCCs. */
#include "tools/og-feedgen/feedgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* v as it reads back after printing with %.6f (what a department file carries). */
static double round6(double v)
{
    char t[64];
    snprintf(t, sizeof t, "%.6f", v);
    return strtod(t, NULL);
}

/* A point inside grid g, written in crs (rounded to 6 decimals) into *out_lng, *out_lat, and its
 * WGS-84 image (converted back from the rounded value) into *wgs_lng, *wgs_lat. Rejection sampling
 * in the bbox keeps only points whose rounded, back-converted image is still inside g, so a reader
 * places it exactly in g. Falls back to the centroid if that keeps missing (not seen with real
 * grids). */
void fg_grid_point(struct og_tool_rng *r, const struct fg_grid *g, enum og_crs crs, double *out_lng,
                   double *out_lat, double *wgs_lng, double *wgs_lat)
{
    double x = 0, y = 0, a = 0, b = 0, bx = 0, by = 0;
    for (int i = 0; i < 1000; i++) {
        x = g->bb.min_lng + og_tool_rng_unit(r) * (g->bb.max_lng - g->bb.min_lng);
        y = g->bb.min_lat + og_tool_rng_unit(r) * (g->bb.max_lat - g->bb.min_lat);
        if (!og_mpoly_contains(&g->mp, x, y)) {
            continue;
        }
        og_geo_from_wgs84(crs, x, y, &a, &b);
        a = round6(a);
        b = round6(b);
        if (og_geo_to_wgs84(crs, a, b, &bx, &by) == 0 && og_mpoly_contains(&g->mp, bx, by)) {
            goto done;
        }
    }
    og_mpoly_centroid(&g->mp, &x, &y);
    og_geo_from_wgs84(crs, x, y, &a, &b);
    a = round6(a);
    b = round6(b);
    bx = x;
    by = y;
done:
    *out_lng = a;
    *out_lat = b;
    *wgs_lng = bx;
    *wgs_lat = by;
}

/* A point in Beijing (Dongcheng), far outside the district, in crs, rounded to 6 decimals. */
void fg_far_point(struct og_tool_rng *r, enum og_crs crs, double *lng, double *lat)
{
    double x = 116.3975 + (og_tool_rng_unit(r) - 0.5) * 0.04;
    double y = 39.9087 + (og_tool_rng_unit(r) - 0.5) * 0.04;
    og_geo_from_wgs84(crs, x, y, lng, lat);
    *lng = round6(*lng);
    *lat = round6(*lat);
}

/* The UM unit grid (index) a point of grid g falls in: the first candidate whose shape contains it,
 * else the candidate with the largest overlap weight. -1 when the grid has no unit grid. */
int fg_um_unit_for_point(const struct fg_world *w, const struct fg_grid *g, double lng, double lat)
{
    int best = -1;
    double bw = -1.0;
    for (size_t i = 0; i < g->ncands; i++) {
        const struct fg_cand *c = &g->cands[i];
        if (c->unit < 0) {
            continue;
        }
        if (w->units[c->unit].has_mp && og_mpoly_contains(&w->units[c->unit].mp, lng, lat)) {
            return c->unit;
        }
        if (c->weight > bw) {
            bw = c->weight;
            best = c->unit;
        }
    }
    return best;
}

/* Vocabulary: roads, surnames and given names. */

static const char *const ROADS[] = {
    "国平路", "升平路",   "永平路", "至平路", "商平路", "安平路", "镇邦路", "外马路",
    "中山路", "金新路",   "金砂路", "长平路", "汕樟路", "东厦路", "金环路", "华山路",
    "金陵路", "乌桥路",   "西堤路", "光华路", "岐山路", "月浦路", "大华路", "新兴路",
    "同益路", "红领巾路", "民族路", "海滨路", "德兴路", "跃进路",
};
const char *fg_pick_road(struct og_tool_rng *r)
{
    return OG_TOOL_PICK(r, ROADS);
}

static const char *const SURNAMES[] = {
    "陈", "林", "黄", "李", "张", "吴", "郑", "蔡", "许", "王", "刘", "杨", "谢", "周",
    "洪", "庄", "翁", "马", "方", "苏", "纪", "姚", "余", "詹", "柯", "卢", "魏", "辜",
};
static const char *const GIVEN[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "文", "辉", "玲", "鑫", "晓", "佳", "泽", "锐",
    "楚", "潮", "汉", "婷", "怡", "浩", "宇", "思", "雅", "俊", "欣", "宏", "炜", "钦", "鹏", "彬",
};

void fg_make_address(struct og_tool_rng *r, const struct fg_world *w, int comm, bool room,
                     char *out, size_t size)
{
    const struct fg_community *c = comm >= 0 ? &w->comms[comm] : NULL;
    const char *street = c && c->street >= 0 ? w->streets[c->street].name : "";
    const char *cname = c ? c->short_name : "";
    if (room) {
        snprintf(out, size, "%s%s%s%s%s%d号%d栋%d房", w->city, w->county, street, cname,
                 fg_pick_road(r), og_tool_rng_range(r, 1, 188), og_tool_rng_range(r, 1, 12),
                 og_tool_rng_range(r, 1, 7) * 100 + og_tool_rng_range(r, 1, 6));
    }
    else {
        snprintf(out, size, "%s%s%s%s%s%d号", w->city, w->county, street, cname, fg_pick_road(r),
                 og_tool_rng_range(r, 1, 188));
    }
}

void fg_make_name(struct og_tool_rng *r, char *out, size_t size)
{
    if (og_tool_rng_chance(r, 0.3)) {
        snprintf(out, size, "%s%s", OG_TOOL_PICK(r, SURNAMES), OG_TOOL_PICK(r, GIVEN));
    }
    else {
        snprintf(out, size, "%s%s%s", OG_TOOL_PICK(r, SURNAMES), OG_TOOL_PICK(r, GIVEN),
                 OG_TOOL_PICK(r, GIVEN));
    }
}

/* Identity numbers. */

static const int ID_WEIGHTS[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};

char fg_id_check(const char *s17)
{
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        sum += (s17[i] - '0') * ID_WEIGHTS[i];
    }
    return "10X98765432"[sum % 11];
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

static const char *const ID_AREAS[] = {
    "440511", "440511", "440511", "440511", "440511", "440511", "440507",
    "440507", "440507", "440513", "440514", "440515", "445102", "445202",
    "440106", "440304", "420106", "350203", "430102",
};

/* A resident ID number of the given variant into out[19]. */
void fg_make_resident_id(struct og_tool_rng *r, enum id_variant v, char out[19])
{
    for (;;) {
        const char *area = OG_TOOL_PICK(r, ID_AREAS);
        int y =
            v == ID_LEGACY15 ? og_tool_rng_range(r, 1930, 1999) : og_tool_rng_range(r, 1930, 2019);
        int m = og_tool_rng_range(r, 1, 12);
        int d = og_tool_rng_range(r, 1, days_in_month(y, m));
        int seq = og_tool_rng_range(r, 0, 999);
        if (v == ID_LEGACY15) {
            snprintf(out, 19, "%s%02d%02d%02d%03d", area, y % 100, m, d, seq);
            return;
        }
        char s[24];
        snprintf(s, sizeof s, "%s%04d%02d%02d%03d", area, y, m, d, seq);
        char c = fg_id_check(s);
        if (v == ID_LOWER_X && c != 'X') {
            continue; /* draw again until the check character is X */
        }
        if (v == ID_BAD_CHECK) {
            static const char alt[] = "0123456789X";
            char bad = c;
            while (bad == c) {
                bad = alt[og_tool_rng_below(r, 11)];
            }
            c = bad;
        }
        s[17] = v == ID_LOWER_X ? 'x' : c;
        s[18] = '\0';
        memcpy(out, s, 19);
        return;
    }
}

/* Full-width forms: U+FF10 + digit is EF BC 90 + digit in UTF-8, U+FF38 (X) is EF BC B8. */
void fg_id_fullwidth(const char *in, char *out, size_t size)
{
    size_t k = 0;
    for (const char *p = in; *p && k + 4 <= size; p++) {
        out[k++] = (char)0xEF;
        out[k++] = (char)0xBC;
        out[k++] = (char)(*p == 'X' || *p == 'x' ? 0xB8 : 0x90 + (*p - '0'));
    }
    if (size > 0) {
        out[k < size ? k : size - 1] = '\0';
    }
}

static const char USCC_CHARS[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int uscc_value(char ch)
{
    const char *p = strchr(USCC_CHARS, ch);
    return p && ch ? (int)(p - USCC_CHARS) : 0;
}

/* GB 32100 check character of the first 17 characters. */
static char uscc_check(const char *s17)
{
    int sum = 0, wgt = 1;
    for (int i = 0; i < 17; i++) {
        sum += uscc_value(s17[i]) * wgt;
        wgt = wgt * 3 % 31;
    }
    return USCC_CHARS[(31 - sum % 31) % 31];
}

/* A USCC: 9 (market regulator) + 1 company / 2 individual business + area + GB 11714 organisation
 * code + check. */
void fg_make_uscc(struct og_tool_rng *r, bool individual, bool bad_check, char out[19])
{
    static const int ow[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    out[0] = '9';
    out[1] = individual ? '2' : '1';
    memcpy(out + 2, og_tool_rng_chance(r, 0.85) ? "440511" : "440500", 6);
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        int dgt = (int)og_tool_rng_below(r, 10);
        out[8 + i] = (char)('0' + dgt);
        sum += dgt * ow[i];
    }
    int c = 11 - sum % 11;
    out[16] = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
    out[17] = uscc_check(out);
    if (bad_check) {
        char good = out[17];
        while (out[17] == good) {
            out[17] = USCC_CHARS[og_tool_rng_below(r, 31)];
        }
    }
    out[18] = '\0';
}

/* Checks a generated number with the library's own validator: want_valid says what it must say.
 * Returns 0, or OG_EINVAL (and says so on stderr) when the generator and og_id_parse disagree. */
int fg_verify_id(const char *s, enum og_id_kind kind, bool want_valid)
{
    struct og_id id;
    og_id_parse(s, kind, &id);
    if ((id.status == OG_ID_OK) != want_valid) {
        fprintf(stderr, "og-feedgen: generated %s \"%s\" should be %s but og_id_parse says %s\n",
                kind == OG_ID_USCC ? "USCC" : "ID number", s, want_valid ? "valid" : "invalid",
                og_id_status_name(id.status));
        return OG_EINVAL;
    }
    return 0;
}
