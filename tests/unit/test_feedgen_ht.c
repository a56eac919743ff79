/* test_feedgen_ht.c - the HT-1 sample (samples/ht/hotline_20200203.sql: the 12345 hotline's table
 * hotline.ticket as a SQL script) against the feed contract and samples/MANIFEST.json, re-derived
 * from the file alone (columns, values, defects, where each ticket lands, statuses, the watermark
 * a full pull ends at); and the generator itself (tools/og-feedgen/ht1.c, compiled in here: the
 * unit programs link only libonegrid) run twice over the Jinping world: the same bytes, equal to
 * the shipped file, counting what the manifest says. Run from the repository root. */
#include "tests/unit/feedgen_harness.h"

/* The generator's files in one translation unit: GCC inlines across them and then sees
 * truncations the bounded copies are written to allow (it does not in the tool's own build). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif
#include "tools/common/csv.c"
#include "tools/common/io.c"
#include "tools/common/mem.c"
#include "tools/common/rng.c"
#include "tools/common/text.c"
#include "tools/og-feedgen/feed.c"
#include "tools/og-feedgen/ht1.c"
#include "tools/og-feedgen/links.c"
#include "tools/og-feedgen/sample.c"
#include "tools/og-feedgen/world.c"
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#define HT_FILE SAMPLES "/ht/hotline_20200203.sql"
#define HT_COLS 14

/* The contract's columns, in the table's order, with the type each is declared with. */
static const char *const COLUMNS[HT_COLS][2] = {
    {"ticket_no", "text PRIMARY KEY"},
    {"created_at", "timestamp NOT NULL"},
    {"updated_at", "timestamp NOT NULL"},
    {"channel", "text NOT NULL"},
    {"category_code", "text"},
    {"category_name", "text"},
    {"request_type", "text"},
    {"content", "text"},
    {"address", "text"},
    {"community_code", "text"},
    {"bd_lng", "double precision"},
    {"bd_lat", "double precision"},
    {"status", "text NOT NULL"},
    {"assigned_dept", "text"},
};

static int index_of(const char *s, const char *const *set, int n)
{
    for (int i = 0; s && i < n; i++) {
        if (strcmp(s, set[i]) == 0) {
            return i;
        }
    }
    return -1;
}

/* The first column of a CSV file (header skipped) into a sorted set; with old, only the rows of
 * division_alias.csv whose old_code (col 0) differs from code (col 1) at level 5. */
static void load_codes(const char *path, struct strset *set, bool old)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    char *fld[8];
    bool header = true;
    while (fgets(line, sizeof line, f)) {
        size_t n = split_simple(line, fld, 8);
        if (header) {
            header = false;
            continue;
        }
        if (!old) {
            set_add(set, fld[0]);
        }
        else if (n >= 4 && strcmp(fld[0], fld[1]) != 0 && strcmp(fld[3], "5") == 0) {
            set_add(set, fld[0]);
        }
    }
    fclose(f);
    set_sort(set);
}

static int cmp_i64_asc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The script: header, the contract's table, one COPY, every row checked and counted against the
 * manifest's entry ht_tickets. */
static void test_ht_sample(void **state)
{
    const struct fixture *fx = *state;
    const json_t *fd = feed(fx, "ht_tickets");
    assert_string_equal(json_string_value(json_object_get(fd, "file")), "ht/hotline_20200203.sql");
    assert_string_equal(json_string_value(json_object_get(fd, "table")), "hotline.ticket");
    size_t len = 0;
    char *text = slurp(HT_FILE, &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len); /* no NUL inside */

    /* the DDL: exactly the contract's columns and types, in order */
    assert_non_null(strstr(text, "\nCREATE SCHEMA hotline;\n"));
    char *ddl = strstr(text, "\nCREATE TABLE hotline.ticket (\n");
    assert_non_null(ddl);
    char *p = ddl + strlen("\nCREATE TABLE hotline.ticket (\n");
    for (int c = 0; c < HT_COLS; c++) {
        char want[96];
        snprintf(want, sizeof want, "    %s %s%s\n", COLUMNS[c][0], COLUMNS[c][1],
                 c + 1 < HT_COLS ? "," : "");
        if (strncmp(p, want, strlen(want)) != 0) {
            fail_msg("column %d: expected \"%s\"", c, COLUMNS[c][0]);
        }
        p += strlen(want);
    }
    assert_true(strncmp(p, ");\n", 3) == 0);
    char *copy = strstr(p, "\nCOPY hotline.ticket (");
    assert_non_null(copy);
    char *rows = strstr(copy + 1, "FROM stdin;\n");
    assert_non_null(rows);
    rows += strlen("FROM stdin;\n");
    char *end = strstr(rows, "\n\\.\n");
    assert_non_null(end);
    assert_non_null(strstr(end, "CREATE INDEX ticket_watermark ON hotline.ticket (updated_at, "
                                "ticket_no);"));
    end[1] = '\0';

    struct strset ht_codes = {0}, old_codes = {0}, tickets = {0};
    load_codes("mappings/taxonomy/ht_category.csv", &ht_codes, false);
    load_codes(WORLD "/division_alias.csv", &old_codes, true);
    static const char *const CHANNELS[] = {"电话", "网站", "微信", "APP"};
    static const char *const REQUESTS[] = {"咨询", "投诉", "建议", "求助"};
    static const char *const STATUSES[] = {"受理", "派单", "办理中", "已办结", "已回访"};
    static const char *const UNIFIED[] = {"reported", "dispatched", "in_progress", "resolved",
                                          "closed"};
    long n = 0, method[3] = {0}, status[5] = {0}, unmapped = 0, fraction = 0, outside = 0;
    long no_coords_comm = 0, no_coords_2016 = 0, none = 0, comm_with_coords = 0;
    long cap = 1024;
    int64_t *updated = calloc((size_t)cap, sizeof *updated);
    int64_t wm_t = 0;
    char wm_no[64] = "", wm_text[64] = "";
    for (char *line = rows; *line;) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        char *f[HT_COLS + 1];
        int nf = 0;
        for (char *q = line; nf <= HT_COLS;) {
            f[nf++] = q;
            char *tab = strchr(q, '\t');
            if (!tab) {
                break;
            }
            *tab = '\0';
            q = tab + 1;
        }
        assert_int_equal(nf, HT_COLS);
        for (int c = 0; c < HT_COLS; c++) {
            /* nothing to unescape: a backslash only in NULL */
            assert_true(!strchr(f[c], '\\') || strcmp(f[c], "\\N") == 0);
            if (strcmp(f[c], "\\N") == 0) {
                f[c] = NULL;
            }
        }
        assert_non_null(f[0]);
        assert_false(set_has(&tickets, f[0])); /* the primary key */
        set_add(&tickets, f[0]);
        set_sort(&tickets);

        int64_t created = 0, upd = 0;
        assert_int_equal(og_time_parse(f[1], "iso8601", SHANGHAI, &created, NULL), 0);
        assert_int_equal(og_time_parse(f[2], "iso8601", SHANGHAI, &upd, NULL), 0);
        assert_true(created <= upd);
        fraction += strchr(f[2], '.') != NULL;
        assert_true(strchr(f[1], '.') == NULL && strchr(f[1], 'T') == NULL);
        if (n == cap) {
            cap *= 2;
            updated = realloc(updated, (size_t)cap * sizeof *updated);
            assert_non_null(updated);
        }
        updated[n] = upd;
        if (n == 0 || upd > wm_t || (upd == wm_t && strcmp(f[0], wm_no) > 0)) {
            wm_t = upd;
            snprintf(wm_no, sizeof wm_no, "%s", f[0]);
            snprintf(wm_text, sizeof wm_text, "%s", f[2]);
        }

        assert_true(index_of(f[3], CHANNELS, 4) >= 0);
        assert_true(all_digits(f[4], 6));
        assert_non_null(f[5]);
        unmapped += !set_has(&ht_codes, f[4]);
        assert_true(index_of(f[6], REQUESTS, 4) >= 0);
        assert_true(f[7] && *f[7] && f[8] && *f[8]);
        int s = index_of(f[12], STATUSES, 5);
        assert_true(s >= 0);
        status[s]++;
        assert_true((f[13] == NULL) == (s == 0)); /* assigned once dispatched */

        /* the community code: a 2023 community of the world, or a 2016 code the alias knows */
        bool comm23 = f[9] && set_has(&fx->communities, f[9]);
        bool comm16 = f[9] && !comm23 && set_has(&old_codes, f[9]);
        assert_true(!f[9] || comm23 || comm16);
        /* both coordinates or neither; BD-09 */
        assert_true((f[10] == NULL) == (f[11] == NULL));
        const char *grid = NULL;
        if (f[10]) {
            double bl = strtod(f[10], NULL), bb = strtod(f[11], NULL), lng = 0, lat = 0;
            assert_int_equal(og_geo_to_wgs84(OG_CRS_BD09, bl, bb, &lng, &lat), 0);
            grid = grid_at(fx, lng, lat);
            if (!grid) {
                assert_false(in_bbox(fx, lng, lat)); /* far away, not at the edge */
                assert_non_null(f[9]);
                outside++;
            }
            else if (f[9]) {
                comm_with_coords++;
                /* the code names the community the point is in (in either edition) */
                assert_true(strncmp(f[9], grid, 12) == 0 || comm16);
            }
        }
        else if (comm16) {
            no_coords_2016++;
        }
        else if (comm23) {
            no_coords_comm++;
        }
        else {
            none++;
        }
        method[grid ? 0 : f[9] ? 1 : 2]++;
        n++;
        line = nl + 1;
    }

    qsort(updated, (size_t)n, sizeof *updated, cmp_i64_asc);
    long shared = 0;
    for (long i = 0; i < n; i++) {
        shared +=
            (i > 0 && updated[i] == updated[i - 1]) || (i + 1 < n && updated[i] == updated[i + 1]);
    }

    assert_int_equal(n, mnum(fd, "records_written"));
    assert_int_equal(n,
                     mnum(fd, "expected_loaded")); /* the table's types leave nothing to reject */
    assert_int_equal(n, mnum(fd, "tickets"));
    assert_int_equal(0, msub(fd, "expected_rejected_by_reason", "missing_field"));
    assert_int_equal(0, msub(fd, "expected_rejected_by_reason", "invalid_time"));
    assert_int_equal(method[0], msub(fd, "grid_method_counts", "point"));
    assert_int_equal(method[1], msub(fd, "grid_method_counts", "community"));
    assert_int_equal(method[2], msub(fd, "grid_method_counts", "none"));
    for (int s = 0; s < 5; s++) {
        assert_int_equal(status[s], msub(fd, "final_status_counts", UNIFIED[s]));
        assert_true(status[s] > 0);
    }
    assert_int_equal(unmapped, mnum(fd, "unmapped_category"));
    assert_int_equal(unmapped, msub(fd, "defects", "unknown_category"));
    assert_int_equal(fraction, msub(fd, "defects", "updated_at_fraction"));
    assert_int_equal(shared, msub(fd, "defects", "same_updated_at"));
    assert_int_equal(outside, msub(fd, "defects", "coords_outside"));
    assert_int_equal(no_coords_comm, msub(fd, "defects", "coords_missing_community"));
    assert_int_equal(no_coords_2016, msub(fd, "defects", "community_2016_no_coords"));
    assert_int_equal(none, msub(fd, "defects", "no_coords_no_community"));
    assert_int_equal(comm_with_coords, msub(fd, "defects", "community_with_coords"));
    /* the defects the department really has, each present */
    assert_true(unmapped >= 3 && shared >= 4 && none >= 3 && no_coords_2016 >= 3 && outside >= 3);
    assert_true(fraction >= 3 && no_coords_comm >= 3);
    json_t *wm = json_object_get(fd, "watermark_end");
    assert_string_equal(json_string_value(json_object_get(wm, "updated_at")), wm_text);
    assert_string_equal(json_string_value(json_object_get(wm, "ticket_no")), wm_no);

    free(updated);
    set_free(&ht_codes);
    set_free(&old_codes);
    set_free(&tickets);
    free(text);
}

/* Runs the generator over the world into memory: the script (new, free it) and its outcome; with
 * pl, its planted link tickets after the n others. */
static char *generate_planted(const struct fg_world *w, long n, const struct fg_plant *pl,
                              size_t *len, struct fg_feed_stats *st, struct fg_ht_outcome *out)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    assert_non_null(f);
    assert_int_equal(fg_gen_ht_planted(w, 20200203, n, pl, f, st, out), 0);
    assert_int_equal(fclose(f), 0);
    return buf;
}

/* The same without planted tickets. */
static char *generate(const struct fg_world *w, long n, size_t *len, struct fg_feed_stats *st,
                      struct fg_ht_outcome *out)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    assert_non_null(f);
    assert_int_equal(fg_gen_ht(w, 20200203, n, f, st, out), 0);
    assert_int_equal(fclose(f), 0);
    return buf;
}

/* The generator: deterministic, equal to the shipped file, its counts the manifest's; another seed
 * or count gives another file. */
static void test_ht_generator(void **state)
{
    const struct fixture *fx = *state;
    const json_t *fd = feed(fx, "ht_tickets");
    struct fg_world w;
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(fg_world_load(&w, WORLD, XWALK, &err), 0);
    /* the shipped file: the ordinary tickets, then the planted link cases' */
    struct fg_plant pl;
    assert_int_equal(fg_plant_make(&w, 20200203, &pl), 0);
    long n = mnum(fd, "records_written");
    for (size_t i = 0; i < pl.nrecs; i++)
        n -= pl.recs[i].dept == FG_PLANT_HT;
    struct fg_feed_stats st1 = {0}, st2 = {0}, st3 = {0};
    struct fg_ht_outcome o1, o2, o3;
    size_t len1 = 0, len2 = 0, len3 = 0, flen = 0;
    char *a = generate_planted(&w, n, &pl, &len1, &st1, &o1);
    char *b = generate_planted(&w, n, &pl, &len2, &st2, &o2);
    fg_plant_free(&pl);
    assert_int_equal(len1, len2);
    assert_memory_equal(a, b, len1);
    char *shipped = slurp(HT_FILE, &flen);
    assert_non_null(shipped);
    assert_int_equal(len1, flen);
    assert_memory_equal(a, shipped, len1);

    json_t *man = fg_ht_manifest("ht/hotline_20200203.sql", &st1, &o1);
    assert_non_null(man);
    if (!json_equal(man, (json_t *)fd)) {
        char *got = json_dumps(man, JSON_PRESERVE_ORDER);
        fail_msg("the generator's manifest entry differs from samples/MANIFEST.json: %s", got);
    }
    json_decref(man);

    /* fewer tickets: a prefix of the same stream is not promised, but the same table */
    char *c = generate(&w, 50, &len3, &st3, &o3);
    assert_int_equal(o3.tickets, 50);
    assert_int_equal(o3.by_method[0] + o3.by_method[1] + o3.by_method[2], 50);
    assert_true(len3 < len1);
    assert_memory_equal(c, a, (size_t)(strstr(a, "FROM stdin;\n") - a));
    free(a);
    free(b);
    free(c);
    free(shipped);
    fg_world_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ht_sample),
        cmocka_unit_test(test_ht_generator),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
