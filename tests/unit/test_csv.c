/* test_csv.c - unit tests of the csv connector: quoting, line ends, GB18030, rejects, real data. */
#include "connectors/csv.h"

#include "tests/unit/connector_harness.h"

static const struct og_connector *const C = &og_connector_csv;

/* Quoted commas, "" escapes, CRLF and LF inside quotes, mixed line ends, empty fields, a blank
 * line, a short record, a last record without a line end. */
static void test_rfc4180_basic(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, FIXTURES "basic.csv", NULL, &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.docs), 5);
    assert_int_equal(json_array_size(r.rejects), 1);

    assert_string_equal(harness_str(&r, 0, "case_id"), "C001");
    assert_string_equal(harness_str(&r, 0, "address"), "12 Jinping Rd, Shantou");
    assert_string_equal(harness_str(&r, 0, "note"), "He said \"hello\"");
    assert_string_equal(harness_str(&r, 0, "category"), "road");
    assert_int_equal(harness_doc_num(&r, 0, "line"), 2);
    assert_int_equal(harness_doc_num(&r, 0, "offset"),
                     (long long)strlen("case_id,address,note,category\n"));
    assert_int_equal(json_object_size(harness_doc(&r, 0)), 4);

    assert_string_equal(harness_str(&r, 1, "case_id"), "C002");
    assert_string_equal(harness_str(&r, 1, "address"), "");
    assert_string_equal(harness_str(&r, 1, "note"), "first line\r\nsecond line");
    assert_string_equal(harness_str(&r, 1, "category"), "");
    assert_int_equal(harness_doc_num(&r, 1, "line"), 3);

    /* the record after the quoted CRLF starts on line 5 */
    assert_string_equal(harness_str(&r, 2, "case_id"), "C003");
    assert_string_equal(harness_str(&r, 2, "category"), "消防");
    assert_int_equal(harness_doc_num(&r, 2, "line"), 5);

    assert_string_equal(harness_rej_str(&r, 0, "reason"), "field_count");
    assert_int_equal(harness_rej_num(&r, 0, "line"), 7);
    assert_int_equal(harness_rej_num(&r, 0, "index"), 3);
    assert_string_equal(harness_rej_str(&r, 0, "message"), "record has 3 fields, expected 4");
    assert_non_null(strstr(harness_rej_str(&r, 0, "detail"), "expected 4"));
    assert_non_null(strstr(harness_rej_str(&r, 0, "detail"), "found 3"));
    assert_string_equal(harness_rej_str(&r, 0, "raw"), "C004,only,three");
    assert_non_null(strstr(harness_rej_str(&r, 0, "position"), "basic.csv:7"));

    assert_string_equal(harness_str(&r, 3, "address"), "a\nb\nc");
    assert_int_equal(harness_doc_num(&r, 3, "line"), 8);
    assert_string_equal(harness_str(&r, 4, "case_id"), "C006");
    assert_string_equal(harness_str(&r, 4, "category"), "q");
    assert_int_equal(harness_doc_num(&r, 4, "line"), 11);
    assert_int_equal(harness_doc_num(&r, 4, "index"), 5);
    assert_int_equal(r.done, r.total);
    harness_free(&r);
}

static void check_gb18030_records(const struct harness_result *r)
{
    assert_int_equal(r->end_rc, 0);
    assert_int_equal(json_array_size(r->rejects), 0);
    assert_int_equal(json_array_size(r->docs), 3);
    assert_string_equal(harness_str(r, 0, "检查编号"), "JC2024001");
    assert_string_equal(harness_str(r, 0, "单位名称"), "金平区某商场");
    assert_string_equal(harness_str(r, 0, "地址"), "金平区石炮台街道,长平路1号");
    assert_string_equal(harness_str(r, 0, "隐患类别"), "消防通道堵塞");
    assert_string_equal(harness_str(r, 0, "隐患描述"), "安全出口被货物堵塞\r\n需立即清理");
    assert_int_equal(harness_doc_num(r, 0, "line"), 2);
    assert_string_equal(harness_str(r, 1, "隐患类别"), "电动车违规充电");
    assert_string_equal(harness_str(r, 1, "隐患描述"), "楼道内充电,\"飞线\"充电");
    assert_int_equal(harness_doc_num(r, 1, "line"), 4);
    assert_string_equal(harness_str(r, 2, "隐患描述"), "灭火器过期");
    assert_int_equal(harness_doc_num(r, 2, "line"), 5);
}

/* A GB18030 export (made with iconv -f utf-8 -t gb18030), CRLF, a Chinese header. */
static void test_gb18030(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, FIXTURES "gb18030.csv", NULL, &r); /* auto: not UTF-8, so GB18030 */
    check_gb18030_records(&r);
    harness_free(&r);
    harness_read(C, FIXTURES "gb18030.csv", "{\"encoding\": \"gb18030\"}", &r);
    check_gb18030_records(&r);
    harness_free(&r);

    /* read as UTF-8 the header is not text: the open fails and says so */
    void *state = NULL;
    struct og_error err;
    assert_int_equal(
        harness_open(C, FIXTURES "gb18030.csv", "{\"encoding\": \"utf-8\"}", &state, &err),
        OG_EPARSE);
    assert_string_equal(og_reason_name(err.reason), "bad_encoding");
    assert_non_null(strstr(err.message, "UTF-8"));
    assert_null(state);
}

/* Invalid byte sequences reject their record only; reading resynchronises at the next one. */
static void test_gb18030_bad_bytes(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, FIXTURES "gb18030_bad.csv", "{\"encoding\": \"gb18030\"}", &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_string_equal(harness_str(&r, 0, "编号"), "A1");
    assert_string_equal(harness_str(&r, 0, "类别"), "消防通道堵塞");
    assert_string_equal(harness_str(&r, 1, "编号"), "A4");
    assert_string_equal(harness_str(&r, 1, "名称"), "四号");
    assert_int_equal(harness_doc_num(&r, 1, "line"), 5);
    assert_int_equal(json_array_size(r.rejects), 2);
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(harness_rej_str(&r, i, "reason"), "bad_encoding");
        assert_int_equal(harness_rej_num(&r, i, "line"), (long long)i + 3);
        assert_non_null(strstr(harness_rej_str(&r, i, "message"), "\"名称\""));
    }
    /* raw is UTF-8 with the bad bytes replaced */
    assert_string_equal(harness_rej_str(&r, 0, "raw"), "A2,二\xEF\xBF\xBD,其他");
    assert_string_equal(harness_rej_str(&r, 1, "raw"), "A3,三\xEF\xBF\xBD号,其他");
    harness_free(&r);
}

/* A GB18030 trail byte equal to the delimiter ('|' in 墊 = 88 7C) stays inside its character;
 * four-byte sequences (ä, 😀) decode. */
static void test_gb18030_trail_byte_delimiter(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, FIXTURES "gb18030_pipe.csv", "{\"delimiter\": \"|\"}", &r);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_string_equal(harness_str(&r, 0, "name"), "墊子");
    assert_string_equal(harness_str(&r, 1, "name"), "ä😀");
    harness_free(&r);
}

/* Multi-byte characters cut by the 64 KiB read blocks: GB18030 two- and four-byte, UTF-8. */
/* Records and headers whose fields are all empty read as empty strings. (fuzz_csv found that they
 * were read through a NULL buffer: clang's UBSan aborts on it, gcc's does not; the clang replay of
 * tests/fuzz/regressions/fuzz_csv-* guards that, this test guards the values.) */
static void test_all_empty_fields(void **unused)
{
    (void)unused;
    struct harness_result r;
    const char *headerless = harness_tempfile(",\n1,2\n", 6, 0);
    harness_read(C, headerless, "{\"header\": false}", &r);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_string_equal(harness_str(&r, 0, "1"), "");
    assert_string_equal(harness_str(&r, 0, "2"), "");
    assert_string_equal(harness_str(&r, 1, "2"), "2");
    harness_free(&r);
    const char *empty_header = harness_tempfile(",\n1,2\n", 6, 0);
    void *state = NULL;
    struct og_error err;
    int rc = harness_open(C, empty_header, NULL, &state, &err);
    if (rc == 0)
        C->close(state);
    else
        assert_int_equal(rc, OG_ECONFIG); /* two columns named "" are a duplicate header */
}

static void test_characters_across_blocks(void **unused)
{
    (void)unused;
    const size_t block = 64 * 1024;
    char *text = malloc(3 * block);
    size_t n = (size_t)sprintf(text, "id,text\n1,");
    memset(text + n, 'a', block - 1 - n); /* 消 (CF FB) starts at block - 1 */
    n = block - 1;
    memcpy(text + n, "\xCF\xFB\xB7\xC0\n2,", 7); /* 消防 */
    n += 7;
    memset(text + n, 'b', 2 * block - 2 - n); /* 😀 (94 39 FC 36) starts at 2 * block - 2 */
    n = 2 * block - 2;
    memcpy(text + n, "\x94\x39\xFC\x36\n", 5);
    n += 5;
    const char *path = harness_tempfile(text, n, 0);
    struct harness_result r;
    harness_read(C, path, "{\"encoding\": \"gb18030\"}", &r);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 2);
    const char *t0 = harness_str(&r, 0, "text");
    assert_int_equal(strlen(t0), block - 11 + 6);
    assert_string_equal(t0 + block - 11, "消防");
    const char *t1 = harness_str(&r, 1, "text");
    assert_string_equal(t1 + strlen(t1) - 4, "😀");
    assert_int_equal(harness_doc_num(&r, 1, "line"), 3);
    assert_int_equal(harness_doc_num(&r, 1, "offset"),
                     (long long)block + 4); /* after 消防 (4 bytes from block - 1) and its LF */
    harness_free(&r);
    unlink(path);

    /* UTF-8 消 (E6 B6 88) cut after its first byte, at the end of the detection sample */
    n = (size_t)sprintf(text, "id,text\n1,");
    memset(text + n, 'a', block - 1 - n);
    n = block - 1;
    memcpy(text + n, "\xE6\xB6\x88\n", 4);
    n += 4;
    path = harness_tempfile(text, n, 0);
    harness_read(C, path, NULL, &r); /* auto must still say UTF-8 */
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 1);
    assert_string_equal(harness_str(&r, 0, "text") + block - 11, "消");
    harness_free(&r);
    unlink(path);
    free(text);
}

static void test_unterminated_quote(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, FIXTURES "unterminated.csv", NULL, &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.docs), 1);
    assert_string_equal(harness_str(&r, 0, "text"), "ok");
    assert_int_equal(json_array_size(r.rejects), 1);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "unterminated_quote");
    assert_int_equal(harness_rej_num(&r, 0, "line"), 3);
    assert_non_null(strstr(harness_rej_str(&r, 0, "message"), "line 3"));
    assert_string_equal(harness_rej_str(&r, 0, "raw"), "2,\"never closed\n3,more");
    harness_free(&r);
}

static void test_header_variants(void **unused)
{
    (void)unused;
    void *state = NULL;
    struct og_error err;
    assert_int_equal(harness_open(C, FIXTURES "dup_header.csv", NULL, &state, &err), OG_ECONFIG);
    assert_null(state);
    assert_non_null(strstr(err.message, "duplicate column \"name\""));
    assert_non_null(strstr(err.detail, "columns 2 and 4"));

    struct harness_result r;
    harness_read(C, FIXTURES "bom.csv", NULL, &r);
    assert_int_equal(json_array_size(r.docs), 1);
    assert_string_equal(harness_str(&r, 0, "id"), "7"); /* the key has no BOM */
    assert_string_equal(harness_str(&r, 0, "name"), "seven");
    assert_int_equal(harness_doc_num(&r, 0, "line"), 2);
    assert_int_equal(harness_doc_num(&r, 0, "offset"), 3 + 9);
    harness_free(&r);

    harness_read(C, FIXTURES "noheader.csv", "{\"header\": false}", &r);
    assert_int_equal(json_array_size(r.docs), 3);
    assert_string_equal(harness_str(&r, 0, "1"), "1");
    assert_string_equal(harness_str(&r, 0, "2"), "a");
    assert_int_equal(harness_doc_num(&r, 0, "line"), 1);
    assert_string_equal(harness_str(&r, 2, "2"), "d");
    assert_int_equal(json_array_size(r.rejects), 1);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "field_count");
    assert_int_equal(harness_rej_num(&r, 0, "line"), 3);
    harness_free(&r);

    harness_read(C, FIXTURES "semicolon.csv", "{\"delimiter\": \";\"}", &r);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_string_equal(harness_str(&r, 0, "text"), "a;b");
    assert_string_equal(harness_str(&r, 1, "text"), "c,d");
    harness_free(&r);

    const char *path = harness_tempfile("", 0, 0);
    harness_read(C, path, NULL, &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.docs) + json_array_size(r.rejects), 0);
    harness_free(&r);
    unlink(path);
}

/* A record over 16 MiB is rejected and skipped; the next one reads, on the right line. */
static void test_record_too_long(void **unused)
{
    (void)unused;
    size_t big = 17u * 1024 * 1024;
    char *text = malloc(big + 64);
    size_t n = (size_t)sprintf(text, "id,text\n1,\"");
    memset(text + n, 'x', big);
    memcpy(text + n + big / 2, "\n\n", 2); /* line breaks inside the quoted field */
    n += big;
    n += (size_t)sprintf(text + n, "\"\n2,short\n");
    const char *path = harness_tempfile(text, n, 0);
    struct harness_result r;
    harness_read(C, path, NULL, &r);
    assert_int_equal(json_array_size(r.rejects), 1);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "record_too_long");
    assert_int_equal(harness_rej_num(&r, 0, "line"), 2);
    assert_int_equal(strlen(harness_rej_str(&r, 0, "raw")), 64 * 1024);
    assert_int_equal(json_array_size(r.docs), 1);
    assert_string_equal(harness_str(&r, 0, "text"), "short");
    assert_int_equal(harness_doc_num(&r, 0, "line"), 5);
    harness_free(&r);
    unlink(path);
    free(text);
}

static void test_options(void **unused)
{
    (void)unused;
    void *state = NULL;
    struct og_error err;
    assert_int_equal(harness_open(C, FIXTURES "basic.csv", "{\"sep\": \";\"}", &state, &err),
                     OG_ECONFIG);
    assert_string_equal(err.message, "unknown option \"sep\" for connector csv");
    assert_string_equal(err.detail, "known options: encoding, delimiter, header");
    assert_int_equal(
        harness_open(C, FIXTURES "basic.csv", "{\"encoding\": \"latin1\"}", &state, &err),
        OG_ECONFIG);
    assert_non_null(strstr(err.message, "latin1"));
    assert_int_equal(harness_open(C, FIXTURES "basic.csv", "{\"delimiter\": \"ab\"}", &state, &err),
                     OG_ECONFIG);
    assert_int_equal(
        harness_open(C, FIXTURES "basic.csv", "{\"delimiter\": \"\\\"\"}", &state, &err),
        OG_ECONFIG);
    assert_int_equal(harness_open(C, FIXTURES "basic.csv", "{\"header\": \"yes\"}", &state, &err),
                     OG_ECONFIG);
    assert_int_equal(harness_open(C, FIXTURES "missing.csv", NULL, &state, &err), OG_EIO);
    assert_null(state);
    C->close(NULL);

    assert_string_equal(C->name, "csv");
    size_t n = 0;
    while (C->options[n].key)
        n++;
    assert_int_equal(n, 3);
}

/* NYC 311 service requests: 924 records, quoted commas in the Location column. */
static void test_nyc311_sample(void **unused)
{
    (void)unused;
    if (!harness_have_shared())
        skip();
    struct harness_result r;
    harness_read(C, SHARED_DATA "urban/nyc311_sr_2022-05-01_sample.csv", NULL, &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 924);
    assert_string_equal(harness_str(&r, 0, "Unique Key"), "54049402");
    assert_string_equal(harness_str(&r, 0, "Agency"), "NYPD");
    assert_string_equal(harness_str(&r, 0, "Closed Date"), "");
    assert_string_equal(harness_str(&r, 0, "Location"), "(40.83065331987539, -73.92308231033165)");
    assert_string_equal(harness_str(&r, 923, "Unique Key"), "54048300");
    assert_int_equal(harness_doc_num(&r, 923, "line"), 925);
    assert_int_equal(r.done, r.total);
    harness_free(&r);
}

/* Pittsburgh fire incidents: a CRLF header then LF rows, 2000 records. */
static void test_pittsburgh_fire_sample(void **unused)
{
    (void)unused;
    if (!harness_have_shared())
        skip();
    struct harness_result r;
    harness_read(C, SHARED_DATA "fire/pittsburgh_wprdc_fire_incidents_sample.csv", NULL, &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 2000);
    assert_string_equal(harness_str(&r, 0, "call_no"), "F160029985");
    assert_string_equal(harness_str(&r, 0, "address"), "800 BLOCK CENTER ST, WILKINSBURG PA 15221");
    assert_string_equal(harness_str(&r, 0, "type_description"), "Building fire");
    assert_string_equal(harness_str(&r, 1999, "call_no"), "F180033366");
    assert_string_equal(harness_str(&r, 1999, "longitude"),
                        "-79.9855198585981"); /* last column: no CR */
    assert_int_equal(harness_doc_num(&r, 1, "line"), 3);
    harness_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4180_basic),
        cmocka_unit_test(test_gb18030),
        cmocka_unit_test(test_gb18030_bad_bytes),
        cmocka_unit_test(test_gb18030_trail_byte_delimiter),
        cmocka_unit_test(test_all_empty_fields),
        cmocka_unit_test(test_characters_across_blocks),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_header_variants),
        cmocka_unit_test(test_record_too_long),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_nyc311_sample),
        cmocka_unit_test(test_pittsburgh_fire_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
