/* test_table.c - unit tests for core/table.c: BOM, CRLF, RFC 4180 quotes, blank lines, errors with
 * file:line. */
#include "core/table.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* Each test writes its CSV bytes to a file in a temporary folder, so the exact bytes are visible
 * here. */
static char tmpdir[64];
static char made[32][128];
static int nmade;

static int setup(void **unused)
{
    (void)unused;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/og-test-table-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **unused)
{
    (void)unused;
    for (int i = 0; i < nmade; i++)
        unlink(made[i]);
    return rmdir(tmpdir);
}

/* Writes n bytes to tmpdir/name; returns the path (static storage, one per file). */
static const char *write_csv(const char *name, const char *bytes, size_t n)
{
    assert_true(nmade < 32);
    char *path = made[nmade++];
    snprintf(path, sizeof(made[0]), "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(bytes, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
    return path;
}
#define WRITE(name, lit) write_csv((name), (lit), sizeof(lit) - 1)

static void read_ok(const char *path, struct og_table *t)
{
    struct og_error err;
    og_error_clear(&err);
    int rc = og_table_read(path, t, &err);
    if (rc != 0)
        fail_msg("%s: rc %d: %s", path, rc, err.message);
}

static void test_basic(void **unused)
{
    (void)unused;
    const char *path = WRITE("basic.csv", "code,level,name\n"
                                          "44,1,广东省\n"
                                          "4405,2,汕头市\n");
    struct og_table t;
    read_ok(path, &t);
    assert_string_equal(t.path, path);
    assert_int_equal(t.ncols, 3);
    assert_string_equal(t.header[0], "code");
    assert_string_equal(t.header[2], "name");
    assert_int_equal(t.nrows, 2);
    assert_string_equal(t.rows[0][0], "44");
    assert_string_equal(t.rows[0][2], "广东省");
    assert_string_equal(t.rows[1][1], "2");
    assert_int_equal(t.lines[0], 2);
    assert_int_equal(t.lines[1], 3);
    assert_int_equal(og_table_col(&t, "level"), 1);
    assert_int_equal(og_table_col(&t, "Level"), -1); /* names are exact */
    og_table_free(&t);
    assert_null(t.rows); /* free leaves an empty table: freeing again is harmless */
    og_table_free(&t);
    og_table_free(NULL);
}

/* A UTF-8 BOM is not part of the first column name; CRLF line ends leave no \r in values. */
static void test_bom_crlf(void **unused)
{
    (void)unused;
    const char *path = WRITE("bom.csv", "\xEF\xBB\xBF"
                                        "code,name\r\n"
                                        "440511,金平区\r\n"
                                        "440512,龙湖区\r\n");
    struct og_table t;
    read_ok(path, &t);
    assert_string_equal(t.header[0], "code");
    assert_int_equal(og_table_col(&t, "code"), 0);
    assert_string_equal(t.header[1], "name");
    assert_int_equal(t.nrows, 2);
    assert_string_equal(t.rows[0][1], "金平区");
    assert_string_equal(t.rows[1][0], "440512");
    assert_string_equal(t.rows[1][1], "龙湖区");
    assert_int_equal(t.lines[1], 3);
    og_table_free(&t);
}

/* RFC 4180: commas, doubled quotes and line breaks inside quotes; empty fields; line numbers count
 * the physical lines, so the record after a two-line value starts two lines later. */
static void test_quotes(void **unused)
{
    (void)unused;
    const char *path =
        WRITE("quotes.csv", "id,address,note\n"                                 /* line 1 */
                            "1,\"12 Jinping Rd, Shantou\",\"say \"\"hi\"\"\"\n" /* 2 */
                            "2,\"two\nlines\",\n"                               /* 3-4 */
                            "3,,\"\"\n"                                         /* 5 */
                            "4,\"a\r\nb\",x"); /* 6-7, no final LF */
    struct og_table t;
    read_ok(path, &t);
    assert_int_equal(t.nrows, 4);
    assert_string_equal(t.rows[0][1], "12 Jinping Rd, Shantou");
    assert_string_equal(t.rows[0][2], "say \"hi\"");
    assert_string_equal(t.rows[1][1], "two\nlines");
    assert_string_equal(t.rows[1][2], ""); /* trailing comma: an empty last field */
    assert_string_equal(t.rows[2][1], "");
    assert_string_equal(t.rows[2][2], "");
    assert_string_equal(t.rows[3][1], "a\r\nb"); /* a line break inside quotes is kept as written */
    assert_string_equal(t.rows[3][2], "x");
    assert_int_equal(t.lines[0], 2);
    assert_int_equal(t.lines[1], 3);
    assert_int_equal(t.lines[2], 5);
    assert_int_equal(t.lines[3], 6);
    og_table_free(&t);
}

/* Blank lines (LF or CRLF) are skipped but counted. A header with no rows is a valid empty table.
 */
static void test_blank_lines(void **unused)
{
    (void)unused;
    const char *path = WRITE("blank.csv", "a,b\n" /* 1 */
                                          "\n"    /* 2 */
                                          "1,2\n" /* 3 */
                                          "\r\n"  /* 4 */
                                          "\n"    /* 5 */
                                          "3,4\n" /* 6 */
                                          "\n");  /* 7 */
    struct og_table t;
    read_ok(path, &t);
    assert_int_equal(t.nrows, 2);
    assert_string_equal(t.rows[0][0], "1");
    assert_string_equal(t.rows[1][1], "4");
    assert_int_equal(t.lines[0], 3);
    assert_int_equal(t.lines[1], 6);
    og_table_free(&t);

    path = WRITE("header_only.csv", "a,b\n");
    read_ok(path, &t);
    assert_int_equal(t.ncols, 2);
    assert_int_equal(t.nrows, 0);
    og_table_free(&t);
}

/* Asserts og_table_read fails with code and the exact message; the table is left empty. */
static void read_bad(const char *path, int code, const char *reason, const char *message)
{
    struct og_table t;
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(og_table_read(path, &t, &err), code);
    assert_int_equal(err.code, code);
    assert_string_equal(og_reason_name(err.reason), reason);
    assert_string_equal(err.message, message);
    assert_int_equal(t.nrows, 0);
    assert_null(t.rows);
    assert_null(t.header);
    og_table_free(&t);
}

static void test_field_count_error(void **unused)
{
    (void)unused;
    const char *path =
        WRITE("count.csv", "a,b,c\n"
                           "1,2,3\n"
                           "\"x,y\",2\n" /* line 3: 2 fields (the quoted comma is no separator) */
                           "4,5,6\n");
    char want[256];
    snprintf(want, sizeof(want), "%s:3: 2 fields where the header has 3", path);
    read_bad(path, OG_EPARSE, "bad_table", want);

    path = WRITE("count_more.csv", "a,b\n"
                                   "1,2\n"
                                   "\"multi\nline\",2\n" /* 3-4 */
                                   "1,2,3\n");           /* line 5: one field too many */
    snprintf(want, sizeof(want), "%s:5: 3 fields where the header has 2", path);
    read_bad(path, OG_EPARSE, "bad_table", want);
}

static void test_unterminated_quote_header(void **unused)
{
    (void)unused;
    const char *path = WRITE("unterminated_header.csv", "a,\"b\n1,2\n");
    char want[256];
    snprintf(want, sizeof(want), "%s:1: cannot read the header row", path);
    read_bad(path, OG_EPARSE, "bad_table", want);
}

/* An unterminated quote in a data row is an error naming the line, and leaks nothing (it once
 * leaked the fields collected before the quote: LeakSanitizer caught it). */
static void test_unterminated_quote_row(void **unused)
{
    (void)unused;
    const char *path =
        WRITE("unterminated.csv", "a,b\n"
                                  "1,2\n"
                                  "3,\"open\n" /* line 3 starts a quote that never ends */
                                  "4,5\n");
    char want[256];
    snprintf(want, sizeof(want), "%s:3: unterminated quoted field", path);
    read_bad(path, OG_EPARSE, "bad_table", want);
}

static void test_missing_file(void **unused)
{
    (void)unused;
    char path[128];
    snprintf(path, sizeof(path), "%s/no-such-file.csv", tmpdir);
    struct og_table t;
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(og_table_read(path, &t, &err), OG_EIO);
    assert_non_null(strstr(err.message, "could not open"));
    assert_non_null(strstr(err.message, path));
    assert_non_null(strstr(err.message, "No such file"));
    og_table_free(&t);
    /* a NULL err is allowed */
    assert_int_equal(og_table_read(path, &t, NULL), OG_EIO);
}

static void test_require_col(void **unused)
{
    (void)unused;
    const char *path = WRITE("req.csv", "department,dept_grid_code,grid_code,weight\nUM,1,2,0.5\n");
    struct og_table t;
    read_ok(path, &t);
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(og_table_require_col(&t, "weight", &err), 3);
    assert_int_equal(err.code, 0); /* untouched on success */
    assert_int_equal(og_table_require_col(&t, "edition", &err), -1);
    assert_int_equal(err.code, OG_ECONFIG);
    char want[256];
    snprintf(want, sizeof(want), "%s: no column \"edition\" in the header", path);
    assert_string_equal(err.message, want);
    assert_int_equal(og_table_require_col(&t, "edition", NULL), -1);
    og_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_bom_crlf),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_blank_lines),
        cmocka_unit_test(test_field_count_error),
        cmocka_unit_test(test_unterminated_quote_header),
        cmocka_unit_test(test_unterminated_quote_row),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_require_col),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
