/* test_rows.c - unit tests for loader/rows.c and loader/columns.h: the COPY rows of events and
 * visits, their row hashes (which the warehouse stores, so they must not change between versions),
 * and the schema in loader/sql/002_facts.sql held to the one column list. */
#include "core/batch.h"
#include "loader/rows.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FACTS_SQL "loader/sql/002_facts.sql"
#define T_2020_02_03_0605Z INT64_C(1580709900000000)

/* An event with text, times, a place with a point, an escaped newline and attrs. */
static void fill_event(struct og_unified *u)
{
    u->kind = OG_KIND_EVENT;
    struct og_event *e = &u->u.event;
    e->event_id = "TT:src:1";
    e->department = "TT";
    e->source = "src";
    e->source_id = "1";
    e->category_code = "0101";
    e->category_name = "消防安全";
    e->status = "reported";
    e->reported_at = (struct og_time){true, T_2020_02_03_0605Z};
    e->place = (struct og_place){
        "440511001001001", "source", "440511001001", "440511001", true, 116.68, 23.35, "gcj02"};
    e->address = "金平区 1号";
    e->summary = "line1\nline2";
    e->subject_valid = -1;
    e->attrs = "{\"k\":\"v\"}";
    u->position = "f.csv:2";
}

/* Expected text and hash computed independently (Python hashlib over the same text): a change to
 * the encoding or the column order changes every stored row hash, so reruns would rewrite every
 * row. Append columns at the end of columns.h only. */
static void test_event_row(void **unused)
{
    (void)unused;
    struct og_batch *b = og_batch_create();
    fill_event(og_batch_add(b));
    struct og_pg_rows *rows = og_pg_rows_create();
    assert_non_null(rows);
    const struct og_row *row = og_rows_get(rows, b, 0);
    assert_non_null(row);
    const char *want = "TT:src:1\tTT\tsrc\t1\t0101\t消防安全\t\\N\treported\t\\N\t"
                       "2020-02-03 06:05:00+00\t\\N\t\\N\t440511001001001\tsource\t440511001001\t"
                       "440511001\t116.6800000000\t23.3500000000\tgcj02\t金平区 1号\t"
                       "line1\\nline2\t\\N\t\\N\t\\N\t{\"k\":\"v\"}";
    assert_string_equal(row->content, want);
    assert_int_equal(row->content_len, strlen(want));
    assert_string_equal(row->members, "");
    assert_string_equal(row->hash,
                        "2a92dd1385dd31cace77543b58d38257ba7375a93b7526efd1c403947b66ad74");
    og_pg_rows_destroy(rows);
    og_batch_destroy(b);
}

/* A visit's hash covers its content and its members; prepared ahead or made at commit, the same. */
static void test_visit_row(void **unused)
{
    (void)unused;
    struct og_batch *b = og_batch_create();
    struct og_unified *u = og_batch_add(b);
    u->kind = OG_KIND_VISIT;
    struct og_visit *v = &u->u.visit;
    v->visit_id = "HL:v:9";
    v->department = "HL";
    v->source = "v";
    v->source_id = "9";
    v->worker_id = "W1";
    v->visited_at = (struct og_time){true, T_2020_02_03_0605Z};
    v->place.grid_method = "none";
    static const char *symptoms[] = {"fever", "cough"}, *travel[] = {"武汉"};
    static struct og_visit_member members[2];
    members[0] = (struct og_visit_member){
        "pk1", "440511********123X", 1, "张*", true, 36.6, symptoms, 2, NULL, 0, "green"};
    members[1] = (struct og_visit_member){NULL, NULL, -1, NULL, false, 0, NULL, 0, travel, 1, NULL};
    v->members = members;
    v->nmembers = 2;
    struct og_pg_rows *rows = og_pg_rows_create();
    assert_int_equal(og_pg_rows_prepare(rows, b, 0), 0);
    const struct og_row *row = og_rows_get(rows, b, 0);
    assert_string_equal(row->content, "HL:v:9\tHL\tv\t9\tW1\t2020-02-03 06:05:00+00\t\\N\tnone\t\\N"
                                      "\t\\N\t\\N\t\\N\t\\N\t\\N\t2\t{}");
    assert_string_equal(row->members,
                        "\tHL:v:9\t1\tpk1\t440511********123X\tt\t张*\t36.6\t{\"fever\",\"cough\"}"
                        "\t{}\tgreen\n\tHL:v:9\t2\t\\N\t\\N\t\\N\t\\N\t\\N\t{}\t{\"武汉\"}\t\\N\n");
    assert_string_equal(row->hash,
                        "c89ab2bd2b23f73e0768651ba8be08d0a2b58e11320ea4dc7acdb272a279e393");
    char prepared[65];
    memcpy(prepared, row->hash, sizeof(prepared));
    og_pg_rows_reset(rows); /* forgotten: made again at commit, identical */
    row = og_rows_get(rows, b, 0);
    assert_string_equal(row->hash, prepared);
    og_pg_rows_destroy(rows);
    og_batch_destroy(b);
}

/* Many records: the rows grow with the batch and each keeps its own encoding. */
static void test_many(void **unused)
{
    (void)unused;
    struct og_batch *b = og_batch_create();
    struct og_pg_rows *rows = og_pg_rows_create();
    char ids[3000][16];
    for (int i = 0; i < 3000; i++) {
        struct og_unified *u = og_batch_add(b);
        fill_event(u);
        snprintf(ids[i], sizeof(ids[i]), "TT:src:%d", i);
        u->u.event.event_id = ids[i];
        if (i % 2 == 0)
            assert_int_equal(og_pg_rows_prepare(rows, b, (size_t)i), 0);
    }
    for (int i = 0; i < 3000; i++) {
        const struct og_row *row = og_rows_get(rows, b, (size_t)i);
        assert_int_equal(strncmp(row->content, ids[i], strlen(ids[i])), 0);
        assert_int_equal(row->content[strlen(ids[i])], '\t');
    }
    og_pg_rows_destroy(rows);
    og_pg_rows_destroy(NULL);
    og_batch_destroy(b);
}

/* The base type of an SQL column type as columns.h spells it. */
static const char *base_type(const char *sql)
{
    if (!strncmp(sql, "double precision", 16))
        return "float8";
    if (!strncmp(sql, "timestamptz", 11))
        return "timestamptz";
    static char word[32];
    size_t n = 0;
    while (sql[n] && (isalnum((unsigned char)sql[n]) || sql[n] == '_') && n < sizeof(word) - 1)
        n++;
    memcpy(word, sql, n);
    word[n] = '\0';
    return word;
}

/* Every column the loader writes exists in the CREATE TABLE of 002_facts.sql with the same type,
 * and in the same order. */
static void check_table(const char *table, const struct og_pg_column *cols, size_t n)
{
    FILE *fp = fopen(FACTS_SQL, "r");
    assert_non_null(fp);
    char line[512], head[128];
    snprintf(head, sizeof(head), "CREATE TABLE onegrid.%s (", table);
    bool in = false;
    size_t next = 0;
    while (fgets(line, sizeof(line), fp)) {
        if (!in) {
            in = strncmp(line, head, strlen(head)) == 0;
            continue;
        }
        if (line[0] == ')')
            break;
        char name[64];
        int used = 0;
        if (sscanf(line, " %63[a-z_]%n", name, &used) != 1)
            continue;
        const char *type = line + used;
        while (*type == ' ')
            type++;
        if (next < n && strcmp(name, cols[next].name) == 0) {
            if (strcmp(base_type(type), cols[next].type) != 0)
                fail_msg("%s.%s is %s in %s but %s in loader/columns.h", table, name,
                         base_type(type), FACTS_SQL, cols[next].type);
            next++;
        }
        else
            for (size_t k = next; k < n; k++)
                if (strcmp(name, cols[k].name) == 0)
                    fail_msg("%s.%s comes before %s in %s", table, name, cols[next].name,
                             FACTS_SQL);
    }
    fclose(fp);
    assert_true(in);
    if (next != n)
        fail_msg("%s.%s (loader/columns.h) is not in %s", table, cols[next].name, FACTS_SQL);
}

static void test_schema(void **unused)
{
    (void)unused;
    size_t n;
    const struct og_pg_column *ev = og_pg_columns(OG_KIND_EVENT, &n);
    assert_int_equal(n, 25);
    assert_string_equal(ev[0].name, "event_id");
    check_table("event", ev, n);
    const struct og_pg_column *vi = og_pg_columns(OG_KIND_VISIT, &n);
    assert_string_equal(vi[0].name, "visit_id");
    check_table("visit", vi, n);
    const struct og_pg_column *pe = og_pg_columns(OG_KIND_PERSON, &n);
    assert_string_equal(pe[0].name, "person_key");
    check_table("person", pe, n);
    const struct og_pg_column *ho = og_pg_columns(OG_KIND_HOUSING, &n);
    assert_string_equal(ho[0].name, "house_id");
    check_table("housing", ho, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_row),
        cmocka_unit_test(test_visit_row),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
