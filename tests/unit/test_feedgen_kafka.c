/* test_feedgen_kafka.c - the Kafka sample feeds (PS-2, HL-1: kcat lines "KEY\tVALUE") against the
 * feed contract and samples/MANIFEST.json, re-derived from the files alone: defects, rejects and
 * the warehouse outcome. Run from the repository root. */
#include "tests/unit/feedgen_harness.h"

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
        cmocka_unit_test(test_ps_incidents),
        cmocka_unit_test(test_hl_healthcode),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
