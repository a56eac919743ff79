/* test_feedgen_output.c - the shipped sample feeds (samples/) against the feed contract and
 * samples/MANIFEST.json. Run from the repository root. Reads world/jinping/grids.geojson, the
 * police beats of world/jinping/dept_grids.geojson and mappings/crosswalks/{um,fr}.csv to check
 * that every point lands where the record says it is. The Kafka samples (PS-2, HL-1: kcat lines
 * "KEY\tVALUE") are re-derived from the file alone: defects, rejects and the warehouse outcome. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "transform/geo.h"
#include "transform/identity.h"
#include "transform/timeparse.h"

#include <iconv.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLES "samples"
#define WORLD "world/jinping"
#define XWALK "mappings/crosswalks"
#define SHANGHAI (8 * 60)

/* ----------------------------------------------------------------------------------------------------------
 */
/* Helpers. */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        print_error("cannot open %s (run from the repository root)\n", path);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            char *p = realloc(buf, cap + 1);
            if (!p) {
                free(buf);
                buf = NULL;
            }
            buf = p;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

/* A sorted set of strings. */
struct strset {
    char **v;
    size_t n, cap;
};

static void set_add(struct strset *s, const char *str)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        assert_non_null(s->v);
    }
    s->v[s->n++] = strdup(str);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_sort(struct strset *s)
{
    qsort(s->v, s->n, sizeof *s->v, cmp_str);
}

static bool set_has(const struct strset *s, const char *str)
{
    return s->n && bsearch(&str, s->v, s->n, sizeof *s->v, cmp_str) != NULL;
}

static void set_free(struct strset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i]);
    }
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* Splits a CSV line without quotes-with-newlines in place (world and crosswalk files). */
static size_t split_simple(char *line, char **f, size_t max)
{
    size_t n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < max;) {
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c) {
            break;
        }
        *c = '\0';
        p = c + 1;
    }
    return n;
}

struct fixture {
    json_t *manifest;
    struct og_mpoly *grids;
    char (*codes)[16];
    size_t ngrids;
    struct og_geo_index *idx;
    struct og_bbox bbox;
    struct strset um_pairs, um_units, fr_pairs, fr_names, communities, grid_codes, service_codes;
    struct og_mpoly *beats; /* police beats (PS), in file order */
    char (*beat_codes)[16];
    size_t nbeats;
};

static void load_xwalk(const char *path, struct strset *pairs, struct strset *names)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    char *fld[8];
    bool header = true;
    while (fgets(line, sizeof line, f)) {
        if (header) {
            header = false;
            continue;
        }
        size_t n = split_simple(line, fld, 8);
        assert_int_equal(n, 4);
        char key[256];
        snprintf(key, sizeof key, "%s|%s", fld[1], fld[2]);
        set_add(pairs, key);
        set_add(names, fld[1]);
    }
    fclose(f);
    set_sort(pairs);
    set_sort(names);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    json_error_t jerr;
    fx->manifest = json_load_file(SAMPLES "/MANIFEST.json", 0, &jerr);
    if (!fx->manifest) {
        print_error("samples/MANIFEST.json: %s\n", jerr.text);
        return -1;
    }
    json_t *doc = json_load_file(WORLD "/grids.geojson", 0, &jerr);
    if (!doc) {
        print_error("grids.geojson: %s\n", jerr.text);
        return -1;
    }
    json_t *feats = json_object_get(doc, "features");
    fx->ngrids = json_array_size(feats);
    fx->grids = calloc(fx->ngrids, sizeof *fx->grids);
    fx->codes = calloc(fx->ngrids, sizeof *fx->codes);
    fx->idx = og_geo_index_create();
    for (size_t i = 0; i < fx->ngrids; i++) {
        json_t *feat = json_array_get(feats, i);
        const char *code =
            json_string_value(json_object_get(json_object_get(feat, "properties"), "grid_code"));
        if (!code ||
            og_mpoly_from_geojson(json_object_get(feat, "geometry"), &fx->grids[i], NULL) != 0) {
            return -1;
        }
        snprintf(fx->codes[i], sizeof fx->codes[i], "%s", code);
        set_add(&fx->grid_codes, code);
        char comm[13];
        snprintf(comm, sizeof comm, "%.12s", code);
        set_add(&fx->communities, comm);
        og_geo_index_add(fx->idx, &fx->grids[i], (int)i);
        struct og_bbox b = og_mpoly_bbox(&fx->grids[i]);
        if (i == 0) {
            fx->bbox = b;
        }
        fx->bbox.min_lng = b.min_lng < fx->bbox.min_lng ? b.min_lng : fx->bbox.min_lng;
        fx->bbox.min_lat = b.min_lat < fx->bbox.min_lat ? b.min_lat : fx->bbox.min_lat;
        fx->bbox.max_lng = b.max_lng > fx->bbox.max_lng ? b.max_lng : fx->bbox.max_lng;
        fx->bbox.max_lat = b.max_lat > fx->bbox.max_lat ? b.max_lat : fx->bbox.max_lat;
    }
    json_decref(doc);
    og_geo_index_build(fx->idx);

    doc = json_load_file(WORLD "/dept_grids.geojson", 0, &jerr);
    if (!doc) {
        print_error("dept_grids.geojson: %s\n", jerr.text);
        return -1;
    }
    feats = json_object_get(doc, "features");
    fx->beats = calloc(json_array_size(feats), sizeof *fx->beats);
    fx->beat_codes = calloc(json_array_size(feats), sizeof *fx->beat_codes);
    for (size_t i = 0; i < json_array_size(feats); i++) {
        json_t *feat = json_array_get(feats, i);
        json_t *props = json_object_get(feat, "properties");
        const char *dept = json_string_value(json_object_get(props, "department"));
        const char *code = json_string_value(json_object_get(props, "dept_grid_code"));
        if (!dept || strcmp(dept, "PS") != 0) {
            continue;
        }
        if (!code || og_mpoly_from_geojson(json_object_get(feat, "geometry"),
                                           &fx->beats[fx->nbeats], NULL) != 0) {
            return -1;
        }
        snprintf(fx->beat_codes[fx->nbeats], sizeof fx->beat_codes[0], "%s", code);
        fx->nbeats++;
    }
    json_decref(doc);
    set_sort(&fx->grid_codes);
    set_sort(&fx->communities);
    load_xwalk(XWALK "/um.csv", &fx->um_pairs, &fx->um_units);
    load_xwalk(XWALK "/fr.csv", &fx->fr_pairs, &fx->fr_names);

    FILE *f = fopen(SAMPLES "/um/service_codes.csv", "r");
    if (!f) {
        return -1;
    }
    char line[256];
    char *fld[4];
    while (fgets(line, sizeof line, f)) {
        if (split_simple(line, fld, 4) == 2 && strcmp(fld[0], "code") != 0) {
            set_add(&fx->service_codes, fld[0]);
        }
    }
    fclose(f);
    set_sort(&fx->service_codes);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    if (!fx) {
        return 0;
    }
    json_decref(fx->manifest);
    og_geo_index_destroy(fx->idx);
    for (size_t i = 0; i < fx->ngrids; i++) {
        og_mpoly_free(&fx->grids[i]);
    }
    free(fx->grids);
    free(fx->codes);
    for (size_t i = 0; i < fx->nbeats; i++) {
        og_mpoly_free(&fx->beats[i]);
    }
    free(fx->beats);
    free(fx->beat_codes);
    set_free(&fx->um_pairs);
    set_free(&fx->um_units);
    set_free(&fx->fr_pairs);
    set_free(&fx->fr_names);
    set_free(&fx->communities);
    set_free(&fx->grid_codes);
    set_free(&fx->service_codes);
    free(fx);
    return 0;
}

static json_t *feed(const struct fixture *fx, const char *name)
{
    json_t *fd = json_object_get(json_object_get(fx->manifest, "feeds"), name);
    assert_non_null(fd);
    return fd;
}

static long mnum(const json_t *fd, const char *key)
{
    json_t *v = json_object_get(fd, key);
    assert_true(json_is_integer(v));
    return (long)json_integer_value(v);
}

static long msub(const json_t *fd, const char *obj, const char *key)
{
    json_t *v = json_object_get(json_object_get(fd, obj), key);
    assert_true(json_is_integer(v));
    return (long)json_integer_value(v);
}

static bool in_bbox(const struct fixture *fx, double lng, double lat)
{
    return lng >= fx->bbox.min_lng && lng <= fx->bbox.max_lng && lat >= fx->bbox.min_lat &&
           lat <= fx->bbox.max_lat;
}

/* The unified grid code containing a WGS-84 point, or NULL. */
static const char *grid_at(const struct fixture *fx, double lng, double lat)
{
    int id = og_geo_index_find(fx->idx, lng, lat);
    return id >= 0 ? fx->codes[id] : NULL;
}

static bool pair_in(const struct strset *pairs, const char *a, const char *b)
{
    char key[256];
    snprintf(key, sizeof key, "%s|%s", a, b);
    return set_has(pairs, key);
}

/* ----------------------------------------------------------------------------------------------------------
 */
/* UM-1 */

static int stage_index(const char *s)
{
    static const char *const stages[] = {"立案", "派遣", "处置", "核查", "结案", "作废"};
    for (int i = 0; s && i < 6; i++) {
        if (strcmp(s, stages[i]) == 0) {
            return i;
        }
    }
    return -1;
}

/* Top-level elements of a JSON array by a brace/bracket scan that respects strings. */
static size_t scan_elements(const char *s, size_t len, size_t *starts, size_t *ends, size_t max)
{
    size_t i = 0, n = 0;
    while (i < len && s[i] != '[') {
        i++;
    }
    int depth = 0;
    bool in_str = false;
    for (i++; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\') {
                i++;
            }
            else if (c == '"') {
                in_str = false;
            }
            continue;
        }
        if (c == '"') {
            in_str = true;
        }
        else if (c == '{' || c == '[') {
            if (depth++ == 0 && n < max) {
                starts[n] = i;
            }
        }
        else if (c == '}' || c == ']') {
            if (depth == 0) {
                break; /* the closing bracket of the array */
            }
            if (--depth == 0) {
                if (n < max) {
                    ends[n] = i + 1;
                }
                n++;
            }
        }
    }
    return n;
}

struct um_seen {
    char id[32];
    int64_t updated;
    int stage;
};

static void test_um_cases(void **state)
{
    const struct fixture *fx = *state;
    const json_t *fd = feed(fx, "um_cases");
    size_t len = 0;
    char *text = slurp(SAMPLES "/um/um_cases_20200203.json", &len);
    assert_non_null(text);
    assert_string_equal(json_string_value(json_object_get(fd, "file")),
                        "um/um_cases_20200203.json");

    size_t max = 100000;
    size_t *starts = calloc(max, sizeof *starts), *ends = calloc(max, sizeof *ends);
    size_t n = scan_elements(text, len, starts, ends, max);
    assert_int_equal(n, mnum(fd, "records_written"));
    /* the file as a whole is not JSON because of the one broken element */
    json_error_t jerr;
    assert_null(json_loadb(text, len, 0, &jerr));

    struct um_seen *seen = calloc(n, sizeof *seen);
    size_t nseen = 0;
    long bad_json = 0, missing = 0, bad_time = 0, updates = 0;
    long no_coords = 0, unknown_unit_no_coords = 0, outside = 0, inside = 0, unknown_code = 0;
    int64_t t_lo = 0, t_hi = 0;
    assert_int_equal(og_time_parse("2020-02-01T00:00:00+08:00", "iso8601", SHANGHAI, &t_lo, NULL),
                     0);
    assert_int_equal(og_time_parse("2020-04-01T00:00:00+08:00", "iso8601", SHANGHAI, &t_hi, NULL),
                     0);

    for (size_t e = 0; e < n; e++) {
        json_t *el =
            json_loadb(text + starts[e], ends[e] - starts[e], JSON_REJECT_DUPLICATES, &jerr);
        if (!el) {
            bad_json++;
            continue;
        }
        const char *id = json_string_value(json_object_get(el, "service_request_id"));
        const char *req = json_string_value(json_object_get(el, "requested_datetime"));
        const char *upd = json_string_value(json_object_get(el, "updated_datetime"));
        int64_t t_req = 0, t_upd = 0;
        if (!id || !*id) {
            missing++;
            json_decref(el);
            continue;
        }
        if (!req || og_time_parse(req, "iso8601", SHANGHAI, &t_req, NULL) != 0) {
            bad_time++;
            json_decref(el);
            continue;
        }
        assert_non_null(upd);
        assert_int_equal(og_time_parse(upd, "iso8601", SHANGHAI, &t_upd, NULL), 0);
        assert_true(t_req >= t_lo && t_req < t_hi);
        assert_true(t_upd >= t_req && t_upd < t_hi);
        assert_int_equal(strlen(id), 14);
        assert_memory_equal(id, "UM2020", 6);
        assert_non_null(strstr(req, "+08:00"));

        json_t *ext = json_object_get(el, "extended_attributes");
        const char *unit = json_string_value(json_object_get(ext, "unit_grid"));
        int stage = stage_index(json_string_value(json_object_get(ext, "stage")));
        const char *status = json_string_value(json_object_get(el, "status"));
        assert_non_null(unit);
        assert_int_equal(strlen(unit), 14);
        assert_true(stage >= 0);
        assert_non_null(status);
        assert_string_equal(status, stage >= 4 ? "closed" : "open");

        size_t k = 0;
        while (k < nseen && strcmp(seen[k].id, id) != 0) {
            k++;
        }
        if (k < nseen) {
            /* a later state of a case already in the file */
            assert_true(t_upd > seen[k].updated);
            assert_true(stage > seen[k].stage);
            seen[k].updated = t_upd;
            seen[k].stage = stage;
            updates++;
            json_decref(el);
            continue;
        }
        snprintf(seen[nseen].id, sizeof seen[nseen].id, "%s", id);
        seen[nseen].updated = t_upd;
        seen[nseen].stage = stage;
        nseen++;

        const char *code = json_string_value(json_object_get(el, "service_code"));
        assert_non_null(code);
        unknown_code += !set_has(&fx->service_codes, code);
        json_t *jlat = json_object_get(el, "lat"), *jlng = json_object_get(el, "long");
        if (json_is_number(jlat) && json_is_number(jlng)) {
            double lng, lat;
            assert_int_equal(og_geo_to_wgs84(OG_CRS_GCJ02, json_number_value(jlng),
                                             json_number_value(jlat), &lng, &lat) >= 0,
                             1);
            if (in_bbox(fx, lng, lat)) {
                inside++;
                const char *g = grid_at(fx, lng, lat);
                assert_non_null(g);
                /* the unit grid the case names overlaps the unified grid its point falls in */
                if (!pair_in(&fx->um_pairs, unit, g)) {
                    fail_msg("%s: point in grid %s, but unit grid %s does not overlap it", id, g,
                             unit);
                }
            }
            else {
                outside++;
            }
        }
        else {
            assert_true(jlat == NULL || json_is_null(jlat));
            no_coords++;
            unknown_unit_no_coords += !set_has(&fx->um_units, unit);
        }
        json_decref(el);
    }
    assert_int_equal(bad_json, 1);
    assert_int_equal(bad_json, msub(fd, "expected_rejected_by_reason", "bad_json"));
    assert_int_equal(missing, msub(fd, "expected_rejected_by_reason", "missing_field"));
    assert_int_equal(bad_time, msub(fd, "expected_rejected_by_reason", "invalid_time"));
    assert_int_equal((long)nseen, mnum(fd, "expected_loaded"));
    assert_int_equal(updates, mnum(fd, "updates"));
    assert_true(updates * 100 >= (long)nseen * 10 &&
                updates * 100 <= (long)nseen * 20); /* about 15% */
    assert_int_equal(outside, msub(fd, "defects", "coords_outside"));
    assert_int_equal(unknown_unit_no_coords, msub(fd, "defects", "unit_grid_unknown_no_coords"));
    assert_int_equal(no_coords - unknown_unit_no_coords, msub(fd, "defects", "coords_missing"));
    assert_int_equal(unknown_code, msub(fd, "defects", "unknown_service_code"));
    assert_true(inside > (long)nseen * 8 / 10);
    assert_true(missing > 0 && bad_time > 0 && outside > 0 && no_coords > 0 && unknown_code > 0);
    free(seen);
    free(starts);
    free(ends);
    free(text);
}

/* ----------------------------------------------------------------------------------------------------------
 */
/* FR-1 */

static const char *const FR_HEADER =
    "检查编号,单位名称,统一社会信用代码,地址,消防网格,隐患类别,隐患描述,检查时间,整改期限,"
    "整改状态,经度,纬度";

static char *iconv_all(const char *from, const char *to, const char *in, size_t inlen,
                       size_t *outlen)
{
    iconv_t cd = iconv_open(to, from);
    assert_true(cd != (iconv_t)-1);
    size_t cap = inlen * 2 + 16;
    char *out = malloc(cap + 1);
    char *src = (char *)in, *dst = out;
    size_t left = inlen, room = cap;
    size_t r = iconv(cd, &src, &left, &dst, &room);
    iconv_close(cd);
    if (r == (size_t)-1 || left != 0) {
        free(out);
        return NULL;
    }
    *outlen = cap - room;
    out[*outlen] = '\0';
    return out;
}

/* RFC 4180 with CRLF records; fields may hold CRLF inside quotes. Calls back per record. */
struct csv_row {
    char *f[16];
    size_t n;
};

static size_t parse_csv(char *s, size_t len, struct csv_row *rows, size_t max)
{
    size_t nrows = 0, i = 0;
    while (i < len && nrows < max) {
        struct csv_row *row = &rows[nrows];
        row->n = 0;
        for (;;) {
            char *w = s + i;
            if (row->n < 16) {
                row->f[row->n] = w;
            }
            row->n++;
            if (s[i] == '"') {
                i++;
                for (; i < len; i++) {
                    if (s[i] == '"' && i + 1 < len && s[i + 1] == '"') {
                        *w++ = '"';
                        i++;
                    }
                    else if (s[i] == '"') {
                        i++;
                        break;
                    }
                    else {
                        *w++ = s[i];
                    }
                }
            }
            else {
                while (i < len && s[i] != ',' && s[i] != '\r' && s[i] != '\n') {
                    *w++ = s[i++];
                }
            }
            char c = i < len ? s[i] : '\0';
            *w = '\0';
            if (c == ',') {
                i++;
                continue;
            }
            if (c == '\r') {
                i++;
            }
            if (i < len && s[i] == '\n') {
                i++;
            }
            break;
        }
        nrows++;
    }
    return nrows;
}

static void test_fr_inspections(void **state)
{
    const struct fixture *fx = *state;
    const json_t *fd = feed(fx, "fr_inspections");
    size_t len = 0;
    char *raw = slurp(SAMPLES "/fr/fr_inspections_20200203.csv", &len);
    assert_non_null(raw);

    /* CRLF everywhere: every LF preceded by CR, every CR followed by LF */
    long lf = 0;
    for (size_t i = 0; i < len; i++) {
        if (raw[i] == '\n') {
            assert_true(i > 0 && raw[i - 1] == '\r');
            lf++;
        }
        else if (raw[i] == '\r') {
            assert_true(i + 1 < len && raw[i + 1] == '\n');
        }
    }
    assert_true(lf > 0);
    /* GB18030 bytes: the header is the GB18030 encoding of the Chinese header, and the whole file
     * decodes */
    size_t hlen = 0;
    char *hdr_gb = iconv_all("UTF-8", "GB18030", FR_HEADER, strlen(FR_HEADER), &hlen);
    assert_non_null(hdr_gb);
    assert_true(len > hlen + 2);
    assert_memory_equal(raw, hdr_gb, hlen);
    assert_memory_equal(raw + hlen, "\r\n", 2);
    free(hdr_gb);
    size_t ulen = 0;
    char *text = iconv_all("GB18030", "UTF-8", raw, len, &ulen);
    assert_non_null(text);
    assert_int_not_equal(memcmp(raw, text, hlen < ulen ? hlen : ulen),
                         0); /* not UTF-8 passed through */

    size_t max = 200000;
    struct csv_row *rows = calloc(max, sizeof *rows);
    size_t nrows = parse_csv(text, ulen, rows, max);
    assert_true(nrows >= 1);
    assert_int_equal(rows[0].n, 12);
    assert_int_equal((long)nrows - 1, mnum(fd, "records_written"));

    static const char *const cats[] = {"消防通道堵塞", "电动车违规充电", "灭火器失效",
                                       "疏散指示缺失", "违规用火用电",   "其他"};
    static const char *const statuses[] = {"未整改", "整改中", "已整改", "逾期"};
    long field_count = 0, bad_time = 0, loaded = 0, bad_uscc = 0, tricky = 0, unknown_cat = 0;
    long empty_coords = 0, unknown_grid_no_coords = 0, with_coords = 0;
    for (size_t r = 1; r < nrows; r++) {
        struct csv_row *row = &rows[r];
        if (row->n != 12) {
            field_count++;
            continue;
        }
        int64_t t = 0;
        if (og_time_parse(row->f[7], "yyyy/M/d H:mm", SHANGHAI, &t, NULL) != 0) {
            bad_time++;
            continue;
        }
        loaded++;
        assert_null(strstr(row->f[7], "/0")); /* no leading zeros */
        assert_null(strstr(row->f[7], " 0"));
        assert_int_equal(og_time_parse(row->f[8], "yyyy/M/d", SHANGHAI, &t, NULL), 0);
        bool status_ok = false;
        for (size_t k = 0; k < 4; k++) {
            status_ok |= strcmp(row->f[9], statuses[k]) == 0;
        }
        assert_true(status_ok);
        struct og_id id;
        og_id_parse(row->f[2], OG_ID_USCC, &id);
        assert_true(id.status == OG_ID_OK || id.status == OG_ID_BAD_CHECK);
        bad_uscc += id.status == OG_ID_BAD_CHECK;
        if (strstr(row->f[6], "\r\n")) {
            assert_non_null(strchr(row->f[6], ','));
            assert_non_null(strchr(row->f[6], '"'));
            tricky++;
        }
        bool known_cat = false;
        for (size_t k = 0; k < 6; k++) {
            known_cat |= strcmp(row->f[5], cats[k]) == 0;
        }
        unknown_cat += !known_cat;
        if (!*row->f[10] && !*row->f[11]) {
            if (set_has(&fx->fr_names, row->f[4])) {
                empty_coords++;
            }
            else {
                unknown_grid_no_coords++;
            }
            continue;
        }
        double lng, lat;
        assert_true(og_geo_to_wgs84(OG_CRS_BD09, strtod(row->f[10], NULL), strtod(row->f[11], NULL),
                                    &lng, &lat) >= 0);
        assert_true(in_bbox(fx, lng, lat));
        const char *g = grid_at(fx, lng, lat);
        assert_non_null(g);
        /* the fire grid named by the row covers the unified grid its point falls in */
        if (!pair_in(&fx->fr_pairs, row->f[4], g)) {
            fail_msg("%s: point in grid %s, but fire grid %s does not cover it", row->f[0], g,
                     row->f[4]);
        }
        with_coords++;
    }
    assert_int_equal(field_count, msub(fd, "expected_rejected_by_reason", "field_count"));
    assert_int_equal(bad_time, msub(fd, "expected_rejected_by_reason", "invalid_time"));
    assert_int_equal(loaded, mnum(fd, "expected_loaded"));
    assert_int_equal(bad_uscc, msub(fd, "defects", "invalid_uscc"));
    assert_int_equal(tricky, msub(fd, "defects", "quoted_description"));
    assert_int_equal(unknown_cat, msub(fd, "defects", "unknown_category"));
    assert_int_equal(empty_coords, msub(fd, "defects", "empty_coords"));
    assert_int_equal(unknown_grid_no_coords, msub(fd, "defects", "unknown_fire_grid_no_coords"));
    assert_true(field_count > 0 && bad_time > 0 && bad_uscc > 0 && tricky > 0 &&
                unknown_grid_no_coords > 0);
    assert_true(with_coords > loaded * 8 / 10);
    free(rows);
    free(text);
    free(raw);
}

/* ----------------------------------------------------------------------------------------------------------
 */
/* HL-2 */

static void test_hl_visits(void **state)
{
    const struct fixture *fx = *state;
    const json_t *fd = feed(fx, "hl_visits");
    size_t len = 0;
    char *text = slurp(SAMPLES "/hl/hl_visits_20200203.ndjson", &len);
    assert_non_null(text);
    assert_true(len > 0 && text[len - 1] == '\n');

    long lines = 0, bad_json = 0, bad_time = 0, loaded = 0, members = 0;
    long gps_missing = 0, community_no_gps = 0, outside = 0, unknown_no_gps = 0,
         community_with_gps = 0;
    long bad_check = 0, legacy = 0, lower_x = 0;
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        lines++;
        json_error_t jerr;
        json_t *v = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
        line = nl + 1;
        if (!v) {
            bad_json++;
            continue;
        }
        const char *at = json_string_value(json_object_get(v, "visitedAt"));
        int64_t t = 0;
        if (!at || og_time_parse(at, "iso8601", SHANGHAI, &t, NULL) != 0) {
            bad_time++;
            json_decref(v);
            continue;
        }
        loaded++;
        const char *gc = json_string_value(json_object_get(v, "gridCode"));
        assert_non_null(gc);
        assert_true(strlen(gc) == 15 || strlen(gc) == 12);
        assert_non_null(json_string_value(json_object_get(v, "visitId")));
        assert_non_null(json_string_value(json_object_get(v, "workerId")));
        json_t *gps = json_object_get(v, "gps");
        if (json_is_object(gps)) {
            assert_string_equal(json_string_value(json_object_get(gps, "crs")), "gcj02");
            double lng, lat;
            assert_true(
                og_geo_to_wgs84(OG_CRS_GCJ02, json_number_value(json_object_get(gps, "lng")),
                                json_number_value(json_object_get(gps, "lat")), &lng, &lat) >= 0);
            if (in_bbox(fx, lng, lat)) {
                const char *g = grid_at(fx, lng, lat);
                assert_non_null(g);
                if (strlen(gc) == 15) {
                    assert_string_equal(g, gc); /* the point falls in the grid the record names */
                }
                else {
                    assert_memory_equal(g, gc, 12);
                    community_with_gps++;
                }
            }
            else {
                assert_int_equal(strlen(gc), 15);
                assert_true(set_has(&fx->grid_codes, gc));
                outside++;
            }
        }
        else {
            assert_true(gps == NULL || json_is_null(gps));
            if (strlen(gc) == 12) {
                assert_true(set_has(&fx->communities, gc));
                community_no_gps++;
            }
            else if (set_has(&fx->grid_codes, gc)) {
                gps_missing++;
            }
            else {
                unknown_no_gps++;
            }
        }
        json_t *ms = json_object_get(json_object_get(v, "household"), "members");
        assert_true(json_array_size(ms) >= 1 && json_array_size(ms) <= 5);
        for (size_t k = 0; k < json_array_size(ms); k++) {
            json_t *m = json_array_get(ms, k);
            const char *idno = json_string_value(json_object_get(m, "idNo"));
            const char *name = json_string_value(json_object_get(m, "name"));
            const char *hc = json_string_value(json_object_get(m, "healthCode"));
            double temp = json_number_value(json_object_get(m, "temperature"));
            assert_non_null(idno);
            assert_non_null(name);
            assert_true(strlen(name) == 6 || strlen(name) == 9); /* 2 or 3 CJK characters */
            assert_true(temp >= 35.8 - 1e-9 && temp <= 39.5 + 1e-9);
            assert_true(json_is_array(json_object_get(m, "symptoms")));
            assert_true(json_is_array(json_object_get(m, "travel14d")));
            assert_non_null(hc);
            assert_true(strcmp(hc, "green") == 0 || strcmp(hc, "yellow") == 0 ||
                        strcmp(hc, "red") == 0);
            struct og_id id;
            og_id_parse(idno, OG_ID_RESIDENT, &id);
            assert_true(id.status == OG_ID_OK || id.status == OG_ID_BAD_CHECK);
            if (id.status == OG_ID_OK) {
                assert_true(id.birth_year >= 1930 && id.birth_year <= 2019);
            }
            bad_check += id.status == OG_ID_BAD_CHECK;
            legacy += id.upgraded;
            lower_x += id.status == OG_ID_OK && strchr(idno, 'x') != NULL;
            members++;
        }
        json_decref(v);
    }
    assert_int_equal(lines, mnum(fd, "records_written"));
    assert_int_equal(loaded, mnum(fd, "expected_loaded"));
    assert_int_equal(members, mnum(fd, "members"));
    assert_int_equal(bad_json, msub(fd, "expected_rejected_by_reason", "bad_json"));
    assert_int_equal(bad_time, msub(fd, "expected_rejected_by_reason", "invalid_time"));
    assert_int_equal(gps_missing, msub(fd, "defects", "gps_missing"));
    assert_int_equal(community_no_gps, msub(fd, "defects", "community_no_gps"));
    assert_int_equal(outside, msub(fd, "defects", "gps_outside"));
    assert_int_equal(unknown_no_gps, msub(fd, "defects", "unknown_grid_no_gps"));
    assert_int_equal(community_with_gps, msub(fd, "defects", "community_code_with_gps"));
    assert_int_equal(bad_check, msub(fd, "defects", "invalid_id_check"));
    assert_int_equal(legacy, msub(fd, "defects", "legacy_15_id"));
    assert_int_equal(lower_x, msub(fd, "defects", "lowercase_x_id"));
    assert_true(bad_json > 0 && bad_time > 0 && outside > 0 && unknown_no_gps > 0 && legacy > 0 &&
                lower_x > 0);
    free(text);
}

/* ----------------------------------------------------------------------------------------------------------
 */
/* Kafka samples: kcat lines "KEY\tVALUE\n" */

struct kline {
    char *key, *value;
    bool resent; /* the same key and value as an earlier line */
};

/* Splits text into lines at "\n" and each line at its only tab, in place; marks exact repeats. */
static size_t split_kcat(char *text, size_t len, struct kline **out)
{
    assert_true(len > 0 && text[len - 1] == '\n');
    size_t n = 0, cap = 1024;
    struct kline *v = calloc(cap, sizeof *v);
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        assert_null(strchr(line, '\r'));
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = '\0';
        assert_null(strchr(tab + 1, '\t')); /* no tab inside the value */
        if (n == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
            assert_non_null(v);
        }
        v[n] = (struct kline){line, tab + 1, false};
        for (size_t k = 0; k < n; k++) {
            if (!v[k].resent && strcmp(v[k].value, v[n].value) == 0 &&
                strcmp(v[k].key, v[n].key) == 0) {
                v[n].resent = true;
                break;
            }
        }
        n++;
        line = nl + 1;
    }
    *out = v;
    return n;
}

static bool all_digits(const char *s, size_t n)
{
    if (!s || strlen(s) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

/* Each defect class: at least 5 and about 1-3% of the messages. */
static void check_share(const json_t *fd, const char *name, long lines)
{
    long k = msub(fd, "defects", name);
    if (k < 5 || k * 100 > lines * 4) {
        fail_msg("defect %s: %ld of %ld messages", name, k, lines);
    }
}

/* PS-2 */

struct ps_seen {
    char jqbh[32];
    char bjsj[24];
    unsigned mask; /* loaded states */
    int last;      /* last loaded zt in file order */
};

static void test_ps_incidents(void **state)
{
    const struct fixture *fx = *state;
    const json_t *fd = feed(fx, "ps_incidents");
    assert_string_equal(json_string_value(json_object_get(fd, "file")),
                        "ps/ps_incidents_20200203.kcat");
    assert_string_equal(json_string_value(json_object_get(fd, "topic")), "ps.incidents");
    const json_t *cats = json_object_get(fd, "categories");
    assert_true(json_object_size(cats) >= 10);
    const char *ck;
    json_t *cv;
    json_object_foreach((json_t *)cats, ck, cv)
    {
        assert_true(all_digits(ck, 6));
        assert_true(json_is_string(cv));
    }
    size_t len = 0;
    char *text = slurp(SAMPLES "/ps/ps_incidents_20200203.kcat", &len);
    assert_non_null(text);
    struct kline *lines = NULL;
    size_t n = split_kcat(text, len, &lines);
    assert_int_equal((long)n, mnum(fd, "messages_written"));

    int64_t t_lo = 0, t_hi = 0;
    assert_int_equal(
        og_time_parse("2020-02-01 00:00:00", "yyyy-MM-dd HH:mm:ss", SHANGHAI, &t_lo, NULL), 0);
    assert_int_equal(
        og_time_parse("2020-03-01 00:00:00", "yyyy-MM-dd HH:mm:ss", SHANGHAI, &t_hi, NULL), 0);
    struct ps_seen *seen = calloc(n, sizeof *seen);
    size_t nseen = 0;
    long resent = 0, bad_json = 0, missing = 0, bad_time = 0, loaded = 0;
    long empty = 0, unknown_beat = 0, outside = 0, unknown_type = 0, gcj = 0, inside = 0;
    static const char *const keys[] = {"jqbh", "bjsj", "jqlbdm", "jqlbmc", "jyaq",   "fadd",
                                       "jd",   "wd",   "zbxt",   "jwwgbm", "cjdwdm", "zt"};
    for (size_t i = 0; i < n; i++) {
        if (lines[i].resent) {
            resent++;
            continue;
        }
        json_error_t jerr;
        json_t *v = json_loads(lines[i].value, JSON_REJECT_DUPLICATES, &jerr);
        if (!v) {
            assert_memory_equal(lines[i].value, "{\"jqbh\": \"", 10);
            bad_json++;
            continue;
        }
        assert_true(json_is_object(v));
        const char *k;
        json_t *fv;
        json_object_foreach(v, k, fv)
        {
            assert_true(json_is_string(fv)); /* every value a string */
        }
        for (size_t f = 1; f < sizeof keys / sizeof keys[0]; f++) {
            assert_non_null(json_object_get(v, keys[f]));
        }
        const char *jqbh = json_string_value(json_object_get(v, "jqbh"));
        if (!jqbh) {
            assert_string_equal(lines[i].key, "-");
            missing++;
            json_decref(v);
            continue;
        }
        assert_string_equal(lines[i].key, jqbh);
        const char *bjsj = json_string_value(json_object_get(v, "bjsj"));
        int64_t t = 0;
        if (strlen(bjsj) != 19 || og_time_parse(bjsj, "yyyy-MM-dd HH:mm:ss", SHANGHAI, &t, NULL)) {
            bad_time++;
            json_decref(v);
            continue;
        }
        loaded++;
        assert_true(t >= t_lo && t < t_hi);
        const char *code = json_string_value(json_object_get(v, "jqlbdm"));
        assert_true(all_digits(code, 6));
        const char *cname = json_string_value(json_object_get(cats, code));
        if (cname) {
            assert_string_equal(cname, json_string_value(json_object_get(v, "jqlbmc")));
        }
        else {
            unknown_type++;
        }
        assert_true(strlen(json_string_value(json_object_get(v, "jyaq"))) > 0);
        assert_memory_equal(json_string_value(json_object_get(v, "fadd")), "汕头市金平区",
                            strlen("汕头市金平区"));
        const char *zt = json_string_value(json_object_get(v, "zt"));
        assert_true(strcmp(zt, "1") == 0 || strcmp(zt, "2") == 0 || strcmp(zt, "3") == 0);
        const char *beat = json_string_value(json_object_get(v, "jwwgbm"));
        assert_true(strlen(beat) == 13 && all_digits(beat + 10, 3) &&
                    memcmp(beat + 8, "JW", 2) == 0);
        assert_memory_equal(beat, "440511", 6);
        const char *station = json_string_value(json_object_get(v, "cjdwdm"));
        assert_true(all_digits(station, 8));
        assert_memory_equal(station, beat, 8); /* the station of the beat */
        size_t b = 0;
        while (b < fx->nbeats && strcmp(fx->beat_codes[b], beat) != 0) {
            b++;
        }
        const char *zbxt = json_string_value(json_object_get(v, "zbxt"));
        enum og_crs crs = OG_CRS_UNKNOWN;
        if (strcmp(zbxt, "GCJ02") == 0) {
            crs = OG_CRS_GCJ02;
            gcj++;
        }
        else {
            assert_string_equal(zbxt, "CGCS2000");
            crs = OG_CRS_CGCS2000;
        }
        const char *jd = json_string_value(json_object_get(v, "jd"));
        const char *wd = json_string_value(json_object_get(v, "wd"));
        if (!*jd && !*wd) {
            if (b < fx->nbeats) {
                empty++;
            }
            else {
                unknown_beat++;
            }
        }
        else {
            assert_true(b < fx->nbeats);
            char *e1 = NULL, *e2 = NULL;
            double x = strtod(jd, &e1), y = strtod(wd, &e2);
            assert_true(*e1 == '\0' && *e2 == '\0');
            double lng, lat;
            assert_true(og_geo_to_wgs84(crs, x, y, &lng, &lat) >= 0);
            if (in_bbox(fx, lng, lat)) {
                /* the point, converted from its system, is in the beat the message names */
                assert_non_null(grid_at(fx, lng, lat));
                if (!og_mpoly_contains(&fx->beats[b], lng, lat)) {
                    fail_msg("%s: point %s,%s (%s) not in beat %s", jqbh, jd, wd, zbxt, beat);
                }
                inside++;
            }
            else {
                assert_true(crs == OG_CRS_CGCS2000);
                outside++;
            }
        }
        /* states in order, one bjsj per incident */
        size_t s = nseen;
        while (s > 0 && strcmp(seen[s - 1].jqbh, jqbh) != 0) {
            s--;
        }
        int z = zt[0] - '0';
        if (s == 0) {
            s = nseen++;
            snprintf(seen[s].jqbh, sizeof seen[s].jqbh, "%s", jqbh);
            snprintf(seen[s].bjsj, sizeof seen[s].bjsj, "%s", bjsj);
        }
        else {
            s--;
            assert_string_equal(seen[s].bjsj, bjsj);
            assert_true(z > seen[s].last);
        }
        assert_int_equal(seen[s].mask & (1u << (z - 1)), 0);
        seen[s].mask |= 1u << (z - 1);
        seen[s].last = z;
        json_decref(v);
    }
    long history = 0, final[3] = {0, 0, 0}, all_three = 0;
    for (size_t s = 0; s < nseen; s++) {
        history += __builtin_popcount(seen[s].mask);
        final[seen[s].last - 1]++;
        all_three += seen[s].mask == 7u;
    }
    assert_int_equal(loaded, mnum(fd, "expected_loaded"));
    assert_int_equal(loaded + bad_json + missing + bad_time + resent, (long)n);
    assert_int_equal(bad_json, msub(fd, "expected_rejected_by_reason", "bad_json"));
    assert_int_equal(missing, msub(fd, "expected_rejected_by_reason", "missing_field"));
    assert_int_equal(bad_time, msub(fd, "expected_rejected_by_reason", "invalid_time"));
    assert_int_equal(json_object_size(json_object_get(fd, "expected_rejected_by_reason")), 3);
    assert_int_equal(bad_json, msub(fd, "defects", "bad_json"));
    assert_int_equal(missing, msub(fd, "defects", "jqbh_missing"));
    assert_int_equal(bad_time, msub(fd, "defects", "bjsj_invalid"));
    assert_int_equal(empty, msub(fd, "defects", "coords_empty"));
    assert_int_equal(outside, msub(fd, "defects", "coords_outside"));
    assert_int_equal(unknown_beat, msub(fd, "defects", "unknown_beat_no_coords"));
    assert_int_equal(unknown_type, msub(fd, "defects", "unknown_type"));
    assert_int_equal(gcj, msub(fd, "defects", "gcj02"));
    assert_int_equal(resent, msub(fd, "defects", "resent_same_state"));
    static const char *const classes[] = {
        "bjsj_invalid",   "jqbh_missing",           "bad_json",     "coords_empty",
        "coords_outside", "unknown_beat_no_coords", "unknown_type", "resent_same_state"};
    for (size_t c = 0; c < sizeof classes / sizeof classes[0]; c++) {
        check_share(fd, classes[c], (long)n);
    }
    assert_true(gcj > 0);
    assert_true(inside > loaded * 8 / 10);
    assert_int_equal((long)nseen, mnum(fd, "incidents"));
    assert_int_equal(history, mnum(fd, "history_rows"));
    assert_int_equal(history, loaded); /* one history row per loaded message */
    assert_int_equal(final[0], msub(fd, "final_status_counts", "reported"));
    assert_int_equal(final[1], msub(fd, "final_status_counts", "dispatched"));
    assert_int_equal(final[2], msub(fd, "final_status_counts", "closed"));
    assert_true(all_three * 100 >= (long)nseen * 60); /* most incidents go 1 -> 2 -> 3 */
    assert_true(final[0] > 0 && final[1] > 0);
    free(seen);
    free(lines);
    free(text);
}

/* HL-1 */

enum { FORM_PLAIN = 1, FORM_LEGACY = 2, FORM_LOWER_X = 4, FORM_FULLWIDTH = 8 };

struct hc_rec {
    char *person; /* "01:" + normalised ID, or "03:" + passport number */
    int64_t at;
    int color, previous; /* -1: null */
    size_t pos;
    int form;
};

static int color_index(const char *s)
{
    static const char *const names[] = {"green", "yellow", "red"};
    for (int i = 0; s && i < 3; i++) {
        if (strcmp(s, names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

static int cmp_hc_time(const void *a, const void *b)
{
    const struct hc_rec *x = a, *y = b;
    int c = strcmp(x->person, y->person);
    if (c) {
        return c;
    }
    return x->at < y->at ? -1 : x->at > y->at;
}

static int cmp_hc_pos(const void *a, const void *b)
{
    const struct hc_rec *x = a, *y = b;
    int c = strcmp(x->person, y->person);
    if (c) {
        return c;
    }
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The normalised IDs of the members of the HL-2 visits that load. */
static void hl_visit_members(struct strset *out)
{
    size_t len = 0;
    char *text = slurp(SAMPLES "/hl/hl_visits_20200203.ndjson", &len);
    assert_non_null(text);
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        json_t *v = json_loads(line, 0, NULL);
        line = nl + 1;
        int64_t t = 0;
        if (!v || og_time_parse(json_string_value(json_object_get(v, "visitedAt")), "iso8601",
                                SHANGHAI, &t, NULL) != 0) {
            json_decref(v);
            continue;
        }
        json_t *ms = json_object_get(json_object_get(v, "household"), "members");
        for (size_t k = 0; k < json_array_size(ms); k++) {
            struct og_id id;
            og_id_parse(json_string_value(json_object_get(json_array_get(ms, k), "idNo")),
                        OG_ID_RESIDENT, &id);
            if (id.status == OG_ID_OK) {
                char key[64];
                snprintf(key, sizeof key, "01:%s", id.norm);
                set_add(out, key);
            }
        }
        json_decref(v);
    }
    set_sort(out);
    free(text);
}

static void test_hl_healthcode(void **state)
{
    const struct fixture *fx = *state;
    const json_t *fd = feed(fx, "hl_healthcode");
    assert_string_equal(json_string_value(json_object_get(fd, "file")),
                        "hl/hl_healthcode_20200203.kcat");
    assert_string_equal(json_string_value(json_object_get(fd, "topic")), "hl.healthcode");
    size_t len = 0;
    char *text = slurp(SAMPLES "/hl/hl_healthcode_20200203.kcat", &len);
    assert_non_null(text);
    struct kline *lines = NULL;
    size_t n = split_kcat(text, len, &lines);
    assert_int_equal((long)n, mnum(fd, "messages_written"));

    int64_t t_lo = 0, t_hi = 0;
    assert_int_equal(og_time_parse("2020-02-01T00:00:00+08:00", "iso8601", 0, &t_lo, NULL), 0);
    assert_int_equal(og_time_parse("2020-03-01T00:00:00+08:00", "iso8601", 0, &t_hi, NULL), 0);
    struct hc_rec *recs = calloc(n, sizeof *recs);
    size_t nrec = 0;
    struct strset events = {0};
    long resent = 0, bad_json = 0, missing = 0, bad_time = 0, bad_color = 0;
    long bad_check = 0, legacy = 0, lower_x = 0, fullwidth = 0, passport = 0, grid_null = 0;
    for (size_t i = 0; i < n; i++) {
        if (lines[i].resent) {
            resent++;
            continue;
        }
        json_error_t jerr;
        json_t *v = json_loads(lines[i].value, JSON_REJECT_DUPLICATES, &jerr);
        if (!v) {
            bad_json++;
            continue;
        }
        const char *eid = json_string_value(json_object_get(v, "eventId"));
        json_t *code = json_object_get(v, "code");
        json_t *at = json_object_get(code, "changedAt");
        int color = color_index(json_string_value(json_object_get(code, "color")));
        if (!eid) {
            assert_string_equal(lines[i].key, "-");
            missing++;
        }
        else if (!json_is_integer(at) || json_integer_value(at) <= 0) {
            bad_time++;
        }
        else if (color < 0) {
            bad_color++;
        }
        if (!eid || !json_is_integer(at) || json_integer_value(at) <= 0 || color < 0) {
            json_decref(v);
            continue;
        }
        assert_string_equal(lines[i].key, eid);
        set_add(&events, eid);
        struct hc_rec *r = &recs[nrec];
        r->pos = i;
        r->at = (int64_t)json_integer_value(at);
        assert_true(r->at * 1000 >= t_lo && r->at * 1000 < t_hi);
        r->color = color;
        json_t *prev = json_object_get(code, "previous");
        assert_non_null(prev);
        r->previous = json_is_null(prev) ? -1 : color_index(json_string_value(prev));
        assert_true(json_is_null(prev) || (r->previous >= 0 && r->previous != color));
        assert_true(strlen(json_string_value(json_object_get(code, "reason"))) > 0);

        json_t *person = json_object_get(v, "person");
        const char *type = json_string_value(json_object_get(person, "idType"));
        const char *idno = json_string_value(json_object_get(person, "idNo"));
        const char *name = json_string_value(json_object_get(person, "name"));
        assert_non_null(type);
        assert_non_null(idno);
        assert_true(name && (strlen(name) == 6 || strlen(name) == 9));
        assert_true(all_digits(json_string_value(json_object_get(person, "phone")), 11));
        char key[96];
        if (strcmp(type, "03") == 0) {
            /* a passport: not a resident ID, identified by its number */
            assert_true(idno[0] == 'E' && all_digits(idno + 1, 8));
            snprintf(key, sizeof key, "03:%s", idno);
            passport++;
            r->form = FORM_PLAIN;
        }
        else {
            assert_string_equal(type, "01");
            struct og_id id;
            og_id_parse(idno, OG_ID_RESIDENT, &id);
            assert_true(id.status == OG_ID_OK || id.status == OG_ID_BAD_CHECK);
            assert_int_equal(strlen(id.norm), 18);
            snprintf(key, sizeof key, "01:%s", id.norm);
            bool fw = strstr(idno, "\xEF\xBC") != NULL;
            r->form = id.upgraded         ? FORM_LEGACY
                      : fw                ? FORM_FULLWIDTH
                      : strchr(idno, 'x') ? FORM_LOWER_X
                                          : FORM_PLAIN;
            if (id.status == OG_ID_BAD_CHECK) {
                assert_int_equal(r->form, FORM_PLAIN);
                bad_check++;
            }
            legacy += r->form == FORM_LEGACY;
            fullwidth += r->form == FORM_FULLWIDTH;
            lower_x += r->form == FORM_LOWER_X;
        }
        r->person = strdup(key);
        json_t *res = json_object_get(v, "residence");
        const char *comm = json_string_value(json_object_get(res, "communityCode"));
        json_t *grid = json_object_get(res, "gridCode");
        assert_true(comm && set_has(&fx->communities, comm));
        assert_non_null(grid);
        if (json_is_null(grid)) {
            grid_null++;
        }
        else {
            const char *gc = json_string_value(grid);
            assert_true(gc && set_has(&fx->grid_codes, gc));
            assert_memory_equal(gc, comm, 12);
        }
        assert_true(strlen(json_string_value(json_object_get(res, "address"))) > 0);
        nrec++;
        json_decref(v);
    }
    /* event ids are unique among the messages that load */
    set_sort(&events);
    for (size_t i = 1; i < events.n; i++) {
        assert_string_not_equal(events.v[i - 1], events.v[i]);
    }

    /* per person, in changedAt order */
    struct strset members = {0};
    hl_visit_members(&members);
    qsort(recs, nrec, sizeof *recs, cmp_hc_time);
    long persons = 0, current[3] = {0, 0, 0}, passports = 0, shared = 0, chained = 0, pairs = 0;
    int mixed = 0; /* forms seen together for one person */
    for (size_t a = 0; a < nrec;) {
        size_t b = a + 1;
        int forms = recs[a].form;
        while (b < nrec && strcmp(recs[b].person, recs[a].person) == 0) {
            assert_true(recs[b].at > recs[b - 1].at); /* strictly increasing */
            assert_true(recs[b].previous >= 0);       /* only the first has no previous colour */
            chained += recs[b].previous == recs[b - 1].color;
            pairs++;
            forms |= recs[b].form;
            b++;
        }
        if (forms != FORM_PLAIN && (forms & FORM_PLAIN)) {
            mixed |= forms;
        }
        persons++;
        current[recs[b - 1].color]++; /* the latest changedAt, not the last in the file */
        passports += recs[a].person[1] == '3';
        shared += set_has(&members, recs[a].person);
        a = b;
    }
    assert_true(chained * 100 >= pairs * 85);
    /* the 15-digit, lower-case x and full-width forms of a number are the same person as its
     * plain 18-digit form */
    assert_true((mixed & FORM_LEGACY) && (mixed & FORM_LOWER_X) && (mixed & FORM_FULLWIDTH));

    /* out of order: messages read before an earlier change of the same person */
    qsort(recs, nrec, sizeof *recs, cmp_hc_pos);
    long ooo = 0, ooo_persons = 0, multi = 0;
    for (size_t a = 0; a < nrec;) {
        size_t b = a;
        bool any = false;
        while (b < nrec && strcmp(recs[b].person, recs[a].person) == 0) {
            for (size_t c = b + 1; c < nrec && strcmp(recs[c].person, recs[a].person) == 0; c++) {
                if (recs[c].at < recs[b].at) {
                    ooo++;
                    any = true;
                    break;
                }
            }
            b++;
        }
        multi += b - a >= 2;
        ooo_persons += any;
        a = b;
    }
    assert_true(ooo_persons * 100 >= multi * 12 && ooo_persons * 100 <= multi * 35);

    assert_int_equal((long)nrec, mnum(fd, "expected_loaded"));
    assert_int_equal((long)nrec, mnum(fd, "changes"));
    assert_int_equal((long)nrec + bad_json + missing + bad_time + bad_color + resent, (long)n);
    assert_int_equal(json_object_size(json_object_get(fd, "expected_rejected_by_reason")), 4);
    assert_int_equal(bad_json, msub(fd, "expected_rejected_by_reason", "bad_json"));
    assert_int_equal(missing, msub(fd, "expected_rejected_by_reason", "missing_field"));
    assert_int_equal(bad_time, msub(fd, "expected_rejected_by_reason", "invalid_time"));
    assert_int_equal(bad_color, msub(fd, "expected_rejected_by_reason", "unknown_code"));
    assert_int_equal(bad_json, msub(fd, "defects", "bad_json"));
    assert_int_equal(missing, msub(fd, "defects", "event_id_missing"));
    assert_int_equal(bad_time, msub(fd, "defects", "changed_at_invalid"));
    assert_int_equal(bad_color, msub(fd, "defects", "color_invalid"));
    assert_int_equal(bad_check, msub(fd, "defects", "invalid_id_check"));
    assert_int_equal(legacy, msub(fd, "defects", "legacy_15_id"));
    assert_int_equal(lower_x, msub(fd, "defects", "lowercase_x_id"));
    assert_int_equal(fullwidth, msub(fd, "defects", "fullwidth_id"));
    assert_int_equal(passport, msub(fd, "defects", "passport_03"));
    assert_int_equal(grid_null, msub(fd, "defects", "grid_null_community_only"));
    assert_int_equal(ooo, msub(fd, "defects", "out_of_order"));
    assert_int_equal(resent, msub(fd, "defects", "resent_same_state"));
    static const char *const classes[] = {"changed_at_invalid", "event_id_missing",
                                          "bad_json",           "color_invalid",
                                          "invalid_id_check",   "legacy_15_id",
                                          "lowercase_x_id",     "fullwidth_id",
                                          "passport_03",        "grid_null_community_only",
                                          "resent_same_state"};
    for (size_t c = 0; c < sizeof classes / sizeof classes[0]; c++) {
        check_share(fd, classes[c], (long)n);
    }
    assert_int_equal(persons, mnum(fd, "persons"));
    assert_int_equal(current[0], msub(fd, "current_color_counts", "green"));
    assert_int_equal(current[1], msub(fd, "current_color_counts", "yellow"));
    assert_int_equal(current[2], msub(fd, "current_color_counts", "red"));
    assert_int_equal(passports, mnum(fd, "passports"));
    assert_int_equal(shared, mnum(fd, "shared_persons_with_hl_visits"));
    assert_true(shared > 0 && passports > 0);

    for (size_t i = 0; i < nrec; i++) {
        free(recs[i].person);
    }
    free(recs);
    set_free(&events);
    set_free(&members);
    free(lines);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_um_cases),      cmocka_unit_test(test_fr_inspections),
        cmocka_unit_test(test_hl_visits),     cmocka_unit_test(test_ps_incidents),
        cmocka_unit_test(test_hl_healthcode),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
