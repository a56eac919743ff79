/* test_feedgen_output.c - the shipped sample feeds (samples/) against the feed contract and
 * samples/MANIFEST.json. Run from the repository root. Reads world/jinping/grids.geojson, the
 * police beats of world/jinping/dept_grids.geojson and mappings/crosswalks/{um,fr}.csv to check
 * that every point lands where the record says it is. The Kafka samples (PS-2, HL-1: kcat lines
 * "KEY\tVALUE") are re-derived from the file alone: defects, rejects and the warehouse outcome.
 * The UM-1 XML is compared with the JSON element by element; the PS-1 XML exports (GB18030) are
 * read with libxml2's reader (no network, no entities) and loaded here by the contract's rules
 * (latest GXSJ wins, mappings/crosswalks/ps.csv, world/jinping/division_alias.csv) to re-derive
 * the manifest's outcome. */
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
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
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

/* ----------------------------------------------------------------------------------------------------------
 */
/* UM-1 as Open311 requests.xml: the same requests as the JSON file's well-formed objects */

/* The text of an element without element children ("" when empty). */
static char *node_text(xmlNode *n)
{
    xmlChar *t = xmlNodeGetContent(n);
    char *s = strdup(t ? (const char *)t : "");
    xmlFree(t);
    return s;
}

static bool has_element_children(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            return true;
        }
    }
    return false;
}

/* An XML element against a JSON value: an object has the same children in the same order, null
 * is an empty element, a string its text, a number the same number. */
static void same_value(const json_t *v, xmlNode *el, const char *id)
{
    const char *name = (const char *)el->name;
    if (json_is_object(v)) {
        xmlNode *c = el->children;
        const char *k;
        json_t *sub;
        json_object_foreach((json_t *)v, k, sub)
        {
            while (c && c->type != XML_ELEMENT_NODE) {
                c = c->next;
            }
            if (!c || strcmp((const char *)c->name, k) != 0) {
                fail_msg("%s: <%s> has <%s> where the JSON has \"%s\"", id, name,
                         c ? (const char *)c->name : "(nothing)", k);
            }
            same_value(sub, c, id);
            c = c->next;
        }
        while (c && c->type != XML_ELEMENT_NODE) {
            c = c->next;
        }
        assert_null(c); /* no element the JSON lacks */
        return;
    }
    assert_false(has_element_children(el));
    assert_null(el->properties);
    char *text = node_text(el);
    if (json_is_null(v)) {
        assert_null(el->children); /* <media_url/> */
    }
    else if (json_is_string(v)) {
        if (strcmp(text, json_string_value(v)) != 0) {
            fail_msg("%s: <%s> is \"%s\", the JSON \"%s\"", id, name, text, json_string_value(v));
        }
    }
    else {
        assert_true(json_is_number(v));
        char *end = NULL;
        double d = strtod(text, &end);
        assert_true(end && *end == '\0' && end != text);
        assert_true(d == json_number_value(v));
    }
    free(text);
}

static void test_um_cases_xml(void **state)
{
    const struct fixture *fx = *state;
    const json_t *fd = feed(fx, "um_cases");
    assert_string_equal(json_string_value(json_object_get(fd, "xml_file")),
                        "um/um_cases_20200203.xml");
    size_t len = 0, xlen = 0;
    char *text = slurp(SAMPLES "/um/um_cases_20200203.json", &len);
    char *xml = slurp(SAMPLES "/um/um_cases_20200203.xml", &xlen);
    assert_non_null(text);
    assert_non_null(xml);
    const char *prolog = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_requests>\n";
    assert_memory_equal(xml, prolog, strlen(prolog));

    size_t max = 100000;
    size_t *starts = calloc(max, sizeof *starts), *ends = calloc(max, sizeof *ends);
    size_t n = scan_elements(text, len, starts, ends, max);
    xmlDoc *doc = xmlReadMemory(xml, (int)xlen, "um.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    assert_non_null(doc);
    xmlNode *root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "service_requests");
    xmlNode *req = root->children;
    long objects = 0, left_out = 0;
    for (size_t e = 0; e < n; e++) {
        json_error_t jerr;
        json_t *el = json_loadb(text + starts[e], ends[e] - starts[e], 0, &jerr);
        if (!el) {
            left_out++;
            continue;
        }
        assert_true(json_is_object(el));
        while (req && req->type != XML_ELEMENT_NODE) {
            req = req->next;
        }
        assert_non_null(req);
        assert_string_equal((const char *)req->name, "request");
        /* the same request id (or the same lack of one), then every value */
        const char *id = json_string_value(json_object_get(el, "service_request_id"));
        xmlNode *first = req->children;
        while (first && first->type != XML_ELEMENT_NODE) {
            first = first->next;
        }
        if (id) {
            char *xid = node_text(first);
            assert_string_equal((const char *)first->name, "service_request_id");
            assert_string_equal(xid, id);
            free(xid);
        }
        else {
            assert_string_not_equal((const char *)first->name, "service_request_id");
        }
        same_value(el, req, id ? id : "(no id)");
        objects++;
        req = req->next;
        json_decref(el);
    }
    while (req && req->type != XML_ELEMENT_NODE) {
        req = req->next;
    }
    assert_null(req); /* no request the JSON lacks */
    assert_int_equal(objects, mnum(fd, "xml_records"));
    assert_int_equal(left_out, mnum(fd, "xml_left_out"));
    assert_int_equal(left_out, msub(fd, "defects", "bad_json"));
    assert_int_equal(objects + left_out, mnum(fd, "records_written"));
    xmlFreeDoc(doc);
    free(starts);
    free(ends);
    free(xml);
    free(text);
}

/* ----------------------------------------------------------------------------------------------------------
 */
/* PS-1: the population registry's XML exports (GB18030), read with libxml2's reader (no network,
 * no entity substitution, no DTD) and loaded here by the rules of samples/README.md */

static const char *const RK_FIELDS[] = {"GMSFHM", "XM",   "XBDM", "CSRQ", "MZDM",
                                        "RYLBDM", "HJDZ", "XZZ",  "SQBM", "JWWGBM",
                                        "DJSJ",   "ZXBZ", "GXSJ"};
static const char *const FW_FIELDS[] = {"FWBM", "DZ",     "FZGMSFHM", "FZXM", "CZJS",
                                        "ZHRS", "JWWGBM", "ZBX",      "ZBY",  "GXSJ"};
enum { RK_GMSFHM = 0, RK_XM, RK_XBDM, RK_CSRQ, RK_MZDM, RK_RYLBDM, RK_HJDZ, RK_XZZ, RK_SQBM };
enum { RK_JWWGBM = 9, RK_DJSJ, RK_ZXBZ, RK_GXSJ };
enum { FW_FWBM = 0, FW_DZ, FW_FZGMSFHM, FW_FZXM, FW_CZJS, FW_ZHRS, FW_JWWGBM, FW_ZBX, FW_ZBY };
enum { FW_GXSJ = 9 };
#define PS1_NS "urn:gaj:syrk:1.0"

struct px_rec {
    bool house;
    int file;
    long seq;    /* reading order: files in name order, records in file order */
    char *v[13]; /* by field index; NULL when absent, "" when empty */
};

struct px_set {
    struct px_rec *v;
    size_t n, cap;
};

static int px_field(bool house, const char *name)
{
    const char *const *names = house ? FW_FIELDS : RK_FIELDS;
    int n = house ? 10 : 13;
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

static void px_free(struct px_rec *r)
{
    for (int i = 0; i < 13; i++) {
        free(r->v[i]);
        r->v[i] = NULL;
    }
}

/* Appends the complete records of one PS-1 file to set; true when the file is well-formed to its
 * end. */
static bool read_ps1(const char *raw, size_t len, int file, struct px_set *set)
{
    xmlTextReaderPtr rd = xmlReaderForMemory(
        raw, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    assert_non_null(rd);
    struct px_rec cur;
    memset(&cur, 0, sizeof cur);
    int field = -1, ret;
    bool root = false;
    while ((ret = xmlTextReaderRead(rd)) == 1) {
        int type = xmlTextReaderNodeType(rd), depth = xmlTextReaderDepth(rd);
        const char *name = (const char *)xmlTextReaderConstLocalName(rd);
        const char *ns = (const char *)xmlTextReaderConstNamespaceUri(rd);
        if (type == XML_READER_TYPE_ELEMENT) {
            assert_true(ns && strcmp(ns, PS1_NS) == 0);
        }
        if (type == XML_READER_TYPE_ELEMENT && depth == 0) {
            assert_string_equal(name, "SJBL");
            xmlChar *pch = xmlTextReaderGetAttribute(rd, BAD_CAST "PCH");
            xmlChar *scsj = xmlTextReaderGetAttribute(rd, BAD_CAST "SCSJ");
            int64_t t = 0;
            assert_non_null(pch);
            assert_true(scsj && og_time_parse((const char *)scsj, "yyyyMMddHHmmss", SHANGHAI, &t,
                                              NULL) == 0);
            xmlFree(pch);
            xmlFree(scsj);
            root = true;
        }
        else if (type == XML_READER_TYPE_ELEMENT && depth == 1) {
            assert_true(strcmp(name, "RKXX") == 0 || strcmp(name, "CZFW") == 0);
            px_free(&cur);
            cur.house = strcmp(name, "CZFW") == 0;
        }
        else if (type == XML_READER_TYPE_ELEMENT && depth == 2) {
            field = px_field(cur.house, name);
            if (field < 0) {
                fail_msg("unknown element <%s> in a %s", name, cur.house ? "CZFW" : "RKXX");
            }
            assert_null(cur.v[field]); /* each field at most once */
            cur.v[field] = strdup("");
        }
        else if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) && depth == 3) {
            const char *t = (const char *)xmlTextReaderConstValue(rd);
            char *joined = malloc(strlen(cur.v[field]) + strlen(t) + 1);
            sprintf(joined, "%s%s", cur.v[field], t);
            free(cur.v[field]);
            cur.v[field] = joined;
        }
        else if (type == XML_READER_TYPE_ELEMENT || type == XML_READER_TYPE_ENTITY_REFERENCE) {
            fail_msg("unexpected node %s at depth %d", name, depth);
        }
        else if (type == XML_READER_TYPE_END_ELEMENT && depth == 1) {
            if (set->n == set->cap) {
                set->cap = set->cap ? set->cap * 2 : 1024;
                set->v = realloc(set->v, set->cap * sizeof *set->v);
                assert_non_null(set->v);
            }
            cur.file = file;
            cur.seq = (long)set->n;
            set->v[set->n++] = cur;
            memset(&cur, 0, sizeof cur);
        }
    }
    px_free(&cur);
    xmlFreeTextReader(rd);
    assert_true(root);
    return ret == 0;
}

/* The reject reason of a complete record, or NULL when it loads (*t: its GXSJ). */
static const char *px_reason(const struct px_rec *r, int64_t *t)
{
    const char *key = r->v[0]; /* GMSFHM or FWBM */
    const char *gx = r->v[r->house ? FW_GXSJ : RK_GXSJ];
    if (!key || !*key || !gx) {
        return "missing_field";
    }
    if (og_time_parse(gx, "yyyyMMddHHmmss", SHANGHAI, t, NULL) != 0) {
        return "invalid_time";
    }
    return NULL;
}

static long count_str(const char *s, const char *needle)
{
    long n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

/* crosswalks/ps.csv: per beat the grid of its highest-weight row (the first on a tie). */
struct xw_best {
    char beat[16], grid[16];
    double w;
};

static size_t load_ps_best(struct xw_best **out)
{
    FILE *f = fopen(XWALK "/ps.csv", "r");
    assert_non_null(f);
    char line[256];
    char *fld[8];
    size_t n = 0, cap = 256;
    struct xw_best *v = calloc(cap, sizeof *v);
    bool header = true;
    while (fgets(line, sizeof line, f)) {
        if (header) {
            header = false;
            continue;
        }
        assert_int_equal(split_simple(line, fld, 8), 4);
        assert_string_equal(fld[0], "PS");
        double w = strtod(fld[3], NULL);
        size_t k = 0;
        while (k < n && strcmp(v[k].beat, fld[1]) != 0) {
            k++;
        }
        if (k == n) {
            assert_true(n < cap);
            snprintf(v[k].beat, sizeof v[k].beat, "%s", fld[1]);
            n++;
        }
        else if (w <= v[k].w) {
            continue;
        }
        snprintf(v[k].grid, sizeof v[k].grid, "%s", fld[2]);
        v[k].w = w;
    }
    fclose(f);
    *out = v;
    return n;
}

static const char *best_grid(const struct xw_best *v, size_t n, const char *beat)
{
    for (size_t k = 0; beat && k < n; k++) {
        if (strcmp(v[k].beat, beat) == 0) {
            return v[k].grid;
        }
    }
    return NULL;
}

/* division_alias.csv: 2016 community code -> 2023 code ("old|new" strings). */
static void load_aliases(struct strset *out)
{
    FILE *f = fopen(WORLD "/division_alias.csv", "r");
    assert_non_null(f);
    char line[256];
    char *fld[8];
    bool header = true;
    while (fgets(line, sizeof line, f)) {
        if (header) {
            header = false;
            continue;
        }
        if (split_simple(line, fld, 8) >= 4 && strcmp(fld[3], "5") == 0 &&
            strcmp(fld[0], fld[1]) != 0) {
            char key[64];
            snprintf(key, sizeof key, "%s|%s", fld[0], fld[1]);
            set_add(out, key);
        }
    }
    fclose(f);
    set_sort(out);
}

/* The 2023 community a SQBM names (12 digits of 2023 or 2016, or 15 digits), into out[13]; false
 * when none. *old: it was a 2016 code. */
static bool px_community(const struct fixture *fx, const struct strset *aliases, const char *sqbm,
                         char out[13], bool *old)
{
    *old = false;
    if (!sqbm || !(all_digits(sqbm, 12) || all_digits(sqbm, 15))) {
        return false;
    }
    snprintf(out, 13, "%.12s", sqbm);
    if (set_has(&fx->communities, out)) {
        return true;
    }
    for (size_t i = 0; i < aliases->n; i++) {
        if (strncmp(aliases->v[i], out, 12) == 0 && aliases->v[i][12] == '|') {
            snprintf(out, 13, "%.12s", aliases->v[i] + 13);
            *old = true;
            return true;
        }
    }
    return false;
}

/* Members of the loaded HL-2 visits with a valid number: normalised, as written, name. */
struct hl_member {
    char norm[40], written[64], name[32];
};

static int cmp_hl_member(const void *a, const void *b)
{
    return strcmp(((const struct hl_member *)a)->norm, ((const struct hl_member *)b)->norm);
}

static size_t hl_member_forms(struct hl_member **out)
{
    size_t len = 0, n = 0, cap = 8192;
    char *text = slurp(SAMPLES "/hl/hl_visits_20200203.ndjson", &len);
    assert_non_null(text);
    struct hl_member *v = calloc(cap, sizeof *v);
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        json_t *j = json_loads(line, 0, NULL);
        line = nl + 1;
        int64_t t = 0;
        if (!j || og_time_parse(json_string_value(json_object_get(j, "visitedAt")), "iso8601",
                                SHANGHAI, &t, NULL) != 0) {
            json_decref(j);
            continue;
        }
        json_t *ms = json_object_get(json_object_get(j, "household"), "members");
        for (size_t k = 0; k < json_array_size(ms); k++) {
            json_t *m = json_array_get(ms, k);
            const char *idno = json_string_value(json_object_get(m, "idNo"));
            struct og_id id;
            og_id_parse(idno, OG_ID_RESIDENT, &id);
            if (id.status != OG_ID_OK) {
                continue;
            }
            if (n == cap) {
                cap *= 2;
                v = realloc(v, cap * sizeof *v);
                assert_non_null(v);
            }
            snprintf(v[n].norm, sizeof v[n].norm, "%s", id.norm);
            snprintf(v[n].written, sizeof v[n].written, "%s", idno);
            snprintf(v[n].name, sizeof v[n].name, "%s",
                     json_string_value(json_object_get(m, "name")));
            n++;
        }
        json_decref(j);
    }
    free(text);
    qsort(v, n, sizeof *v, cmp_hl_member);
    *out = v;
    return n;
}

static int id_form(const char *written, const struct og_id *id)
{
    return id->upgraded                  ? FORM_LEGACY
           : strstr(written, "\xEF\xBC") ? FORM_FULLWIDTH
           : strchr(written, 'x')        ? FORM_LOWER_X
                                         : FORM_PLAIN;
}

/* "2020-02-03T10:00:00+08:00" of a UTC instant in microseconds. */
static void fmt_local_iso(int64_t us, char out[32])
{
    int64_t s = us / 1000000 + SHANGHAI * 60;
    int64_t z = s / 86400 + 719468, rem = s % 86400;
    int64_t era = z / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int y = (int)(yoe + era * 400 + (m <= 2));
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y % 10000, m % 100, d % 100,
             (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
}

/* A loaded record, for the latest-wins resolution. */
struct px_load {
    const struct px_rec *r;
    char key[40];
    int64_t t;
    int form;
};

static int cmp_px_load(const void *a, const void *b)
{
    const struct px_load *x = a, *y = b;
    if (x->r->house != y->r->house) {
        return x->r->house ? 1 : -1;
    }
    int c = strcmp(x->key, y->key);
    if (c) {
        return c;
    }
    if (x->t != y->t) {
        return x->t < y->t ? -1 : 1;
    }
    return x->r->seq < y->r->seq ? -1 : x->r->seq > y->r->seq;
}

static void json_add(json_t *o, const char *key, long k)
{
    json_t *v = json_object_get(o, key);
    json_object_set_new(o, key, json_integer((v ? json_integer_value(v) : 0) + k));
}

static void expect_json(const json_t *fd, const char *key, const json_t *got)
{
    json_t *want = json_object_get(fd, key);
    if (!json_equal(want, (json_t *)got)) {
        char *a = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
        char *b = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
        fail_msg("%s: manifest %s, files %s", key, a, b);
    }
}

/* Indented, one element per line: the prologue, the root, record tags at 2 spaces, fields at 4. */
static void check_lines(char *text)
{
    long n = 0;
    for (char *line = text; *line; n++) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        size_t len = strlen(line);
        if (n == 0) {
            assert_memory_equal(line, "<?xml ", 6);
        }
        else if (n == 1) {
            assert_memory_equal(line, "<SJBL xmlns=", 12);
        }
        else if (!strncmp(line, "    <", 5)) {
            assert_true(line[5] != '/' && line[len - 1] == '>');
            assert_true(count_str(line, "<") == (strstr(line, "/>") ? 1 : 2));
        }
        else if (strcmp(line, "</SJBL>") != 0) {
            assert_true(!strcmp(line, "  <RKXX>") || !strcmp(line, "  </RKXX>") ||
                        !strcmp(line, "  <CZFW>") || !strcmp(line, "  </CZFW>"));
        }
        *nl = '\n';
        line = nl + 1;
    }
}

/* The files one by one: encoding, record counts, the cut file and the hostile one. */
static void read_ps1_files(const json_t *fd, struct px_set *set)
{
    const json_t *files = json_object_get(fd, "files");
    assert_int_equal(json_array_size(files), 4);
    const char *prolog = "<?xml version=\"1.0\" encoding=\"GB18030\"?>\n";
    size_t gblen = 0;
    char *gb_city = iconv_all("UTF-8", "GB18030", "汕头市", strlen("汕头市"), &gblen);
    assert_non_null(gb_city);
    long written = 0, rejected[4] = {0, 0, 0, 0}, loaded = 0;
    const char *prev = "";
    for (size_t f = 0; f < json_array_size(files); f++) {
        const json_t *fo = json_array_get(files, f);
        const char *name = json_string_value(json_object_get(fo, "name"));
        char path[256], rel[128];
        assert_non_null(name);
        assert_true(strcmp(prev, name) < 0); /* listed in reading (name) order */
        prev = name;
        snprintf(rel, sizeof rel, "ps/%s", name);
        assert_string_equal(json_string_value(json_object_get(fo, "file")), rel);
        snprintf(path, sizeof path, SAMPLES "/%s", rel);
        size_t len = 0, ulen = 0;
        char *raw = slurp(path, &len);
        assert_non_null(raw);
        assert_memory_equal(raw, prolog, strlen(prolog));
        char *text = iconv_all("GB18030", "UTF-8", raw, len, &ulen);
        assert_non_null(text);
        /* GB18030 bytes, not UTF-8 passed through */
        assert_non_null(memmem(raw, len, gb_city, gblen));
        assert_null(memmem(raw, len, "汕头市", strlen("汕头市")));
        long starts = count_str(text, "<RKXX>") + count_str(text, "<CZFW>");
        assert_int_equal(starts, mnum(fo, "records_written"));
        written += starts;
        long want_missing = msub(fo, "expected_rejected_by_reason", "missing_field");
        long want_time = msub(fo, "expected_rejected_by_reason", "invalid_time");
        long bad_xml = msub(fo, "expected_rejected_by_reason", "bad_xml");
        long doctype = msub(fo, "expected_rejected_by_reason", "xml_doctype");
        if (doctype) {
            /* hostile: a DOCTYPE with an internal subset declaring an entity bomb and an
             * external entity, before the first record; refused whole, never parsed here */
            const char *dt = strstr(text, "<!DOCTYPE"), *first = strstr(text, "<RKXX>");
            assert_int_equal(doctype, 1);
            assert_true(dt && first && dt < first);
            assert_non_null(strstr(dt, "["));
            assert_non_null(strstr(text, "<!ENTITY lol9 \"&lol8;"));
            assert_non_null(strstr(text, "SYSTEM \"file:///etc/passwd\""));
            assert_non_null(strstr(first, "&lol9;"));
            assert_true(want_missing == 0 && want_time == 0 && bad_xml == 0);
            assert_int_equal(mnum(fo, "expected_loaded"), 0);
            rejected[3]++;
            free(text);
            free(raw);
            continue;
        }
        assert_null(strstr(text, "<!DOCTYPE"));
        assert_null(strstr(text, "<!ENTITY"));
        size_t before = set->n;
        bool wellformed = read_ps1(raw, len, (int)f, set);
        long complete = (long)(set->n - before);
        if (bad_xml) {
            /* cut in the middle of a record: the records before it are complete */
            assert_int_equal(bad_xml, 1);
            assert_false(wellformed);
            assert_int_equal(complete, starts - 1);
            assert_null(strstr(text, "</SJBL>"));
            assert_true(ulen > 0 && text[ulen - 1] != '\n');
            rejected[2]++;
        }
        else {
            assert_true(wellformed);
            assert_int_equal(complete, starts);
            check_lines(text);
        }
        long missing = 0, bad_time = 0, ok = 0;
        for (size_t k = before; k < set->n; k++) {
            int64_t t = 0;
            const char *why = px_reason(&set->v[k], &t);
            missing += why && strcmp(why, "missing_field") == 0;
            bad_time += why && strcmp(why, "invalid_time") == 0;
            ok += !why;
        }
        assert_int_equal(missing, want_missing);
        assert_int_equal(bad_time, want_time);
        assert_int_equal(ok, mnum(fo, "expected_loaded"));
        rejected[0] += missing;
        rejected[1] += bad_time;
        loaded += ok;
        free(text);
        free(raw);
    }
    assert_int_equal(written, mnum(fd, "records_written"));
    assert_int_equal(loaded, mnum(fd, "expected_loaded"));
    static const char *const reasons[] = {"missing_field", "invalid_time", "bad_xml",
                                          "xml_doctype"};
    assert_int_equal(json_object_size(json_object_get(fd, "expected_rejected_by_reason")), 4);
    for (int k = 0; k < 4; k++) {
        assert_int_equal(rejected[k], msub(fd, "expected_rejected_by_reason", reasons[k]));
    }
    assert_int_equal(msub(fd, "defects", "bad_xml_cut"), 1);
    assert_int_equal(msub(fd, "defects", "xml_doctype_hostile"), 1);
    free(gb_city);
}

/* Field shapes and the defects of the records, counted as the manifest counts them. */
static void check_ps1_records(const struct fixture *fx, const json_t *fd, const struct px_set *set,
                              const struct xw_best *xw, size_t nxw, const struct strset *aliases)
{
    json_t *d = json_object();
    static const char *const forms[] = {NULL, NULL, "legacy_15_id", NULL,          "lowercase_x_id",
                                        NULL, NULL, NULL,           "fullwidth_id"};
    for (size_t k = 0; k < set->n; k++) {
        const struct px_rec *r = &set->v[k];
        int64_t t = 0;
        const char *why = px_reason(r, &t);
        if (why) {
            json_add(d,
                     strcmp(why, "invalid_time") == 0                  ? "gxsj_invalid"
                     : r->v[0] && *r->v[0] && !r->v[r->house ? 9 : 12] ? "gxsj_missing"
                     : r->house                                        ? "fwbm_missing"
                                                                       : "gmsfhm_missing",
                     1);
            continue;
        }
        const char *beat = r->v[r->house ? FW_JWWGBM : RK_JWWGBM];
        assert_true(beat && strlen(beat) == 13 && all_digits(beat + 10, 3) &&
                    memcmp(beat, "440511", 6) == 0 && memcmp(beat + 8, "JW", 2) == 0);
        bool known = best_grid(xw, nxw, beat) != NULL;
        if (r->house) {
            assert_true(r->v[FW_FWBM][0] && r->v[FW_DZ] && r->v[FW_FZXM]);
            assert_memory_equal(r->v[FW_DZ], "汕头市金平区", strlen("汕头市金平区"));
            assert_true(all_digits(r->v[FW_CZJS], 1));
            assert_true(all_digits(r->v[FW_ZHRS], 1) || all_digits(r->v[FW_ZHRS], 2));
            struct og_id id;
            og_id_parse(r->v[FW_FZGMSFHM], OG_ID_RESIDENT, &id);
            assert_true(id.status == OG_ID_OK || id.status == OG_ID_BAD_CHECK);
            int form = id_form(r->v[FW_FZGMSFHM], &id);
            static const char *const owner[] = {
                NULL, NULL, "owner_legacy_15_id", NULL, "owner_lowercase_x_id", NULL,
                NULL, NULL, "owner_fullwidth_id"};
            if (form != FORM_PLAIN) {
                json_add(d, owner[form], 1);
            }
            if (id.status == OG_ID_BAD_CHECK) {
                json_add(d, "owner_invalid_id_check", 1);
            }
            const char *x = r->v[FW_ZBX], *y = r->v[FW_ZBY];
            assert_true((x == NULL) == (y == NULL));
            if (x && *x) {
                double lng, lat;
                assert_true(y && *y);
                assert_true(og_geo_to_wgs84(OG_CRS_CGCS2000, strtod(x, NULL), strtod(y, NULL), &lng,
                                            &lat) >= 0);
                assert_non_null(grid_at(fx, lng, lat)); /* inside a unified grid */
                size_t b = 0;
                while (b < fx->nbeats && strcmp(fx->beat_codes[b], beat) != 0) {
                    b++;
                }
                assert_true(b < fx->nbeats && og_mpoly_contains(&fx->beats[b], lng, lat));
                json_add(d, "house_with_coords", 1);
            }
            else {
                assert_true(!y || !*y);
                json_add(d, known ? "house_no_coords" : "house_unknown_beat", 1);
            }
            continue;
        }
        struct og_id id;
        const char *idno = r->v[RK_GMSFHM];
        og_id_parse(idno, OG_ID_RESIDENT, &id);
        assert_true(id.status == OG_ID_OK || id.status == OG_ID_BAD_CHECK);
        int form = id_form(idno, &id);
        if (form != FORM_PLAIN) {
            json_add(d, forms[form], 1);
        }
        if (id.status == OG_ID_BAD_CHECK) {
            assert_int_equal(form, FORM_PLAIN);
            json_add(d, "invalid_id_check", 1);
        }
        char csrq[16];
        snprintf(csrq, sizeof csrq, "%04d%02d%02d", id.birth_year % 10000, id.birth_month % 100,
                 id.birth_day % 100);
        assert_string_equal(r->v[RK_CSRQ], csrq);
        const char *xb = r->v[RK_XBDM];
        assert_true(xb && strlen(xb) == 1 && strchr("0129", xb[0]));
        assert_true(all_digits(r->v[RK_MZDM], 2));
        const char *lb = r->v[RK_RYLBDM];
        assert_true(lb && (!strcmp(lb, "01") || !strcmp(lb, "02") || !strcmp(lb, "03")));
        assert_true(strlen(r->v[RK_XM]) == 6 || strlen(r->v[RK_XM]) == 9);
        assert_true(r->v[RK_HJDZ] && *r->v[RK_HJDZ]);
        assert_memory_equal(r->v[RK_XZZ], "汕头市金平区", strlen("汕头市金平区"));
        int64_t dj = 0;
        assert_int_equal(og_time_parse(r->v[RK_DJSJ], "yyyyMMddHHmmss", SHANGHAI, &dj, NULL), 0);
        assert_true(dj <= t);
        const char *zx = r->v[RK_ZXBZ];
        assert_true(zx && (!strcmp(zx, "0") || !strcmp(zx, "1")));
        const char *sq = r->v[RK_SQBM];
        char comm[13];
        bool old = false;
        if (sq) {
            assert_true(px_community(fx, aliases, sq, comm, &old)); /* names a community */
            if (old) {
                assert_int_equal(strlen(sq), 12);
                json_add(d, "sqbm_2016", 1);
            }
            else if (strlen(sq) == 15) {
                json_add(d, "sqbm_15_digits", 1);
            }
        }
        if (!known) {
            json_add(d, sq ? "unknown_beat_community" : "unknown_beat_no_sqbm", 1);
        }
        else {
            assert_non_null(sq);
        }
    }
    const char *k;
    json_t *v;
    json_object_foreach(d, k, v)
    {
        if (json_integer_value(v) != msub(fd, "defects", k)) {
            fail_msg("defect %s: %ld in the files, %ld in the manifest", k,
                     (long)json_integer_value(v), msub(fd, "defects", k));
        }
    }
    /* every defect present, at a few percent of the records at most */
    static const char *const all[] = {"gmsfhm_missing",       "gxsj_invalid",
                                      "gxsj_missing",         "legacy_15_id",
                                      "lowercase_x_id",       "fullwidth_id",
                                      "invalid_id_check",     "unknown_beat_community",
                                      "unknown_beat_no_sqbm", "sqbm_2016",
                                      "sqbm_15_digits",       "house_no_coords",
                                      "house_unknown_beat",   "owner_legacy_15_id",
                                      "owner_fullwidth_id",   "owner_invalid_id_check",
                                      "fwbm_missing",         "owner_lowercase_x_id"};
    long n = mnum(fd, "records_written");
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        long c = msub(fd, "defects", all[i]);
        assert_int_equal(c, json_integer_value(json_object_get(d, all[i])));
        if (c < 1 || c * 100 > n * 8) {
            fail_msg("defect %s: %ld of %ld records", all[i], c, n);
        }
    }
    json_decref(d);
}

static void test_ps_population(void **state)
{
    const struct fixture *fx = *state;
    const json_t *fd = feed(fx, "ps_population");
    assert_string_equal(json_string_value(json_object_get(fd, "encoding")), "GB18030");
    assert_string_equal(json_string_value(json_object_get(fd, "namespace")), PS1_NS);
    struct px_set set = {0};
    read_ps1_files(fd, &set);
    struct xw_best *xw = NULL;
    size_t nxw = load_ps_best(&xw);
    struct strset aliases = {0};
    load_aliases(&aliases);
    check_ps1_records(fx, fd, &set, xw, nxw, &aliases);

    /* the loaded records, by person or house, latest GXSJ last (ties: read later) */
    struct px_load *L = calloc(set.n + 1, sizeof *L);
    size_t nl = 0;
    for (size_t k = 0; k < set.n; k++) {
        int64_t t = 0;
        if (px_reason(&set.v[k], &t)) {
            continue;
        }
        struct px_load *l = &L[nl++];
        l->r = &set.v[k];
        l->t = t;
        if (set.v[k].house) {
            snprintf(l->key, sizeof l->key, "%s", set.v[k].v[FW_FWBM]);
        }
        else {
            struct og_id id;
            og_id_parse(set.v[k].v[RK_GMSFHM], OG_ID_RESIDENT, &id);
            snprintf(l->key, sizeof l->key, "%s", id.norm);
            l->form = id_form(set.v[k].v[RK_GMSFHM], &id);
        }
    }
    qsort(L, nl, sizeof *L, cmp_px_load);

    struct hl_member *hm = NULL;
    size_t nhm = hl_member_forms(&hm);
    json_t *by_grid = json_object(), *by_street = json_object(), *h_grid = json_object();
    json_t *h_street = json_object(), *h_method = json_object(), *ooo = json_object();
    for (size_t g = 0; g < fx->grid_codes.n; g++) {
        char st[10];
        snprintf(st, sizeof st, "%.9s", fx->grid_codes.v[g]);
        json_object_set_new(by_street, st, json_integer(0));
        json_object_set_new(h_street, st, json_integer(0));
    }
    json_object_set_new(h_method, "point", json_integer(0));
    json_object_set_new(h_method, "crosswalk", json_integer(0));
    json_object_set_new(h_method, "none", json_integer(0));
    long residents = 0, inactive = 0, community = 0, unplaced = 0, houses = 0, shared = 0;
    long differently = 0, n_ooo = 0, ties = 0, form_changed = 0;
    int diff_kinds = 0; /* 1: 15 in PS-1, 18 in HL-2; 2: 18 vs 15; 4: full-width; 8: x vs X */
    struct strset masks = {0};
    for (size_t a = 0; a < nl;) {
        size_t b = a + 1;
        while (b < nl && L[b].r->house == L[a].r->house && strcmp(L[b].key, L[a].key) == 0) {
            b++;
        }
        const struct px_load *win = &L[b - 1];
        if (win->r->house) {
            houses++;
            const char *x = win->r->v[FW_ZBX], *y = win->r->v[FW_ZBY];
            const char *g = NULL;
            if (x && *x) {
                double lng, lat;
                og_geo_to_wgs84(OG_CRS_CGCS2000, strtod(x, NULL), strtod(y, NULL), &lng, &lat);
                g = grid_at(fx, lng, lat);
                json_add(h_method, "point", 1);
            }
            else {
                g = best_grid(xw, nxw, win->r->v[FW_JWWGBM]);
                json_add(h_method, g ? "crosswalk" : "none", 1);
            }
            if (g) {
                char st[10];
                snprintf(st, sizeof st, "%.9s", g);
                json_add(h_grid, g, 1);
                json_add(h_street, st, 1);
            }
            a = b;
            continue;
        }
        residents++;
        struct og_id id;
        og_id_parse(win->key, OG_ID_RESIDENT, &id);
        char mask[32];
        og_id_mask(&id, mask, sizeof mask);
        set_add(&masks, mask);
        if (strcmp(win->r->v[RK_ZXBZ], "1") == 0) {
            inactive++;
        }
        else {
            const char *g = best_grid(xw, nxw, win->r->v[RK_JWWGBM]);
            char comm[13], st[10];
            bool old;
            if (g) {
                json_add(by_grid, g, 1);
                snprintf(st, sizeof st, "%.9s", g);
                json_add(by_street, st, 1);
            }
            else if (px_community(fx, &aliases, win->r->v[RK_SQBM], comm, &old)) {
                community++;
                snprintf(st, sizeof st, "%.9s", comm);
                json_add(by_street, st, 1);
            }
            else {
                unplaced++;
            }
        }
        /* in reading order: a record older than one read before it is out of order */
        size_t first = a;
        for (size_t i = a; i < b; i++) {
            first = L[i].r->seq < L[first].r->seq ? i : first;
        }
        for (size_t i = a; i < b; i++) {
            form_changed += L[i].form != L[first].form;
            if (i > a && L[i].t == L[i - 1].t) {
                ties++;
                assert_true(L[i].r->seq > L[i - 1].r->seq);
                assert_string_not_equal(L[i].r->v[RK_XZZ], L[i - 1].r->v[RK_XZZ]);
            }
            for (size_t j = a; j < b; j++) {
                if (L[j].r->seq < L[i].r->seq && L[j].t > L[i].t) {
                    /* it must not win: the winner is newer, with other content */
                    char t1[32], t2[32];
                    fmt_local_iso(win->t, t1);
                    fmt_local_iso(L[i].t, t2);
                    assert_true(win->t > L[i].t && L[i].r->file > 0);
                    assert_string_not_equal(win->r->v[RK_XZZ], L[i].r->v[RK_XZZ]);
                    json_t *e = json_object();
                    json_object_set_new(e, "address", json_string(win->r->v[RK_XZZ]));
                    json_object_set_new(e, "updated_at", json_string(t1));
                    json_object_set_new(e, "stale_updated_at", json_string(t2));
                    json_object_set_new(ooo, mask, e);
                    n_ooo++;
                    break;
                }
            }
        }
        /* shared with the HL-2 visits */
        struct hl_member key;
        snprintf(key.norm, sizeof key.norm, "%s", win->key);
        const struct hl_member *h = bsearch(&key, hm, nhm, sizeof key, cmp_hl_member);
        if (h) {
            shared++;
            assert_string_equal(h->name, win->r->v[RK_XM]); /* the same person */
            struct og_id hid;
            og_id_parse(h->written, OG_ID_RESIDENT, &hid);
            int hform = id_form(h->written, &hid);
            bool diff = false;
            for (size_t i = a; i < b; i++) {
                if (strcmp(L[i].r->v[RK_GMSFHM], h->written) != 0) {
                    diff = true;
                    diff_kinds |= L[i].form == FORM_LEGACY && hform == FORM_PLAIN      ? 1
                                  : L[i].form == FORM_PLAIN && hform == FORM_LEGACY    ? 2
                                  : L[i].form == FORM_FULLWIDTH                        ? 4
                                  : (L[i].form | hform) == (FORM_PLAIN | FORM_LOWER_X) ? 8
                                                                                       : 0;
                }
            }
            differently += diff;
        }
        a = b;
    }
    set_sort(&masks);
    assert_int_equal(residents, mnum(fd, "residents"));
    assert_int_equal(residents - inactive, mnum(fd, "residents_active"));
    assert_int_equal(inactive, mnum(fd, "residents_inactive"));
    assert_int_equal(inactive, mnum(fd, "deregistered"));
    expect_json(fd, "active_residents_by_grid", by_grid);
    assert_int_equal(community, mnum(fd, "active_residents_community_only"));
    assert_int_equal(unplaced, mnum(fd, "active_residents_unplaced"));
    expect_json(fd, "residents_by_street", by_street);
    assert_int_equal(houses, mnum(fd, "houses"));
    expect_json(fd, "houses_by_grid", h_grid);
    expect_json(fd, "houses_by_method", h_method);
    expect_json(fd, "houses_by_street", h_street);
    assert_int_equal(shared, mnum(fd, "shared_with_hl_visits"));
    assert_int_equal(differently, mnum(fd, "shared_written_differently"));
    assert_int_equal(ties, msub(fd, "defects", "same_gxsj_later_wins"));
    assert_int_equal(form_changed, msub(fd, "defects", "id_form_changed"));
    assert_true(shared * 100 >= residents * 30);                          /* a good share */
    assert_true(differently * 100 >= shared * 5 && differently < shared); /* some */
    assert_int_equal(diff_kinds, 15); /* 15/18 both ways, full-width, x/X */
    assert_true(community > 0 && unplaced > 0 && inactive > 0 && ties > 0 && form_changed > 0);
    assert_true(json_integer_value(json_object_get(h_method, "none")) > 0);

    /* the out-of-order updates: each in the manifest, by a mask unique among residents */
    const json_t *list = json_object_get(fd, "out_of_order");
    assert_true(json_array_size(list) >= 3);
    assert_int_equal((long)json_array_size(list), n_ooo);
    assert_int_equal(n_ooo, msub(fd, "defects", "out_of_order_older"));
    assert_int_equal(json_object_size(ooo), n_ooo);
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        const char *m = json_string_value(json_object_get(e, "id_masked"));
        assert_true(m && strlen(m) == 18 && !strncmp(m + 6, "********", 8));
        size_t lo = 0;
        while (lo < masks.n && strcmp(masks.v[lo], m) != 0) {
            lo++;
        }
        assert_true(lo < masks.n && (lo + 1 == masks.n || strcmp(masks.v[lo + 1], m) != 0));
        const json_t *got = json_object_get(ooo, m);
        assert_non_null(got);
        assert_string_equal(json_string_value(json_object_get(e, "address")),
                            json_string_value(json_object_get(got, "address")));
        assert_string_equal(json_string_value(json_object_get(e, "updated_at")),
                            json_string_value(json_object_get(got, "updated_at")));
        assert_string_equal(json_string_value(json_object_get(e, "stale_updated_at")),
                            json_string_value(json_object_get(got, "stale_updated_at")));
        assert_true(strcmp(json_string_value(json_object_get(e, "stale_updated_at")),
                           json_string_value(json_object_get(e, "updated_at"))) < 0);
    }

    json_decref(by_grid);
    json_decref(by_street);
    json_decref(h_grid);
    json_decref(h_street);
    json_decref(h_method);
    json_decref(ooo);
    set_free(&masks);
    set_free(&aliases);
    free(hm);
    free(xw);
    free(L);
    for (size_t k = 0; k < set.n; k++) {
        px_free(&set.v[k]);
    }
    free(set.v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_um_cases),      cmocka_unit_test(test_fr_inspections),
        cmocka_unit_test(test_hl_visits),     cmocka_unit_test(test_ps_incidents),
        cmocka_unit_test(test_hl_healthcode), cmocka_unit_test(test_um_cases_xml),
        cmocka_unit_test(test_ps_population),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
