/* test_feedgen_output.c - the shipped sample file feeds (samples/: UM-1 JSON, FR-1 CSV, HL-2
 * NDJSON) against the feed contract and samples/MANIFEST.json. Run from the repository root. Reads
 * world/jinping/grids.geojson, the police beats of world/jinping/dept_grids.geojson and
 * mappings/crosswalks/{um,fr}.csv to check that every point lands where the record says it is. */
#include "tests/unit/feedgen_harness.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_um_cases),
        cmocka_unit_test(test_fr_inspections),
        cmocka_unit_test(test_hl_visits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
