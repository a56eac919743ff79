/* test_pgsql.c - unit tests for the pgsql source (connectors/pgsql*.c) without a server: option
 * checking, watermark and LSN state as JSON, pgoutput messages decoded from byte buffers. */
#include "connectors/pgsql.h"
#include "connectors/pgsql_internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

/* og_pgsql_source.check on a JSON text: its return code; the message in err. */
static int check_text(const char *text, struct og_error *err)
{
    og_error_clear(err);
    json_t *o = json_loads(text, 0, NULL);
    assert_non_null(o);
    int rc = og_pgsql_source.check(o, err);
    json_decref(o);
    return rc;
}

#define CI "\"conninfo\": \"host=db dbname=hotline user=r\""

static void test_options_ok(void **unused)
{
    (void)unused;
    struct og_error err;
    assert_int_equal(check_text("{" CI ", \"table\": \"hotline.ticket\", \"watermark\": "
                                "[\"updated_at\", \"ticket_no\"], \"batch_size\": 2}",
                                &err),
                     0);
    /* a mapping alone has no conninfo: still checked */
    assert_int_equal(
        check_text("{\"table\": \"t\", \"watermark\": [\"updated_at\", \"id\"]}", &err), 0);
    assert_int_equal(check_text("{" CI ", \"query\": \"SELECT * FROM a JOIN b USING (id);\", "
                                "\"query_name\": \"ab\", \"watermark\": [\"id\"]}",
                                &err),
                     0);
    assert_int_equal(check_text("{" CI ", \"table\": \"hotline.ticket\", \"mode\": "
                                "\"replication\", \"slot\": \"s\", \"publication\": \"p\"}",
                                &err),
                     0);
    /* the mapping's watermark does not hinder a source in mode replication */
    assert_int_equal(check_text("{" CI ", \"table\": \"t\", \"watermark\": [\"u\"], \"mode\": "
                                "\"replication\", \"slot\": \"s\", \"publication\": \"p\"}",
                                &err),
                     0);
    assert_int_equal(check_text("{" CI ", \"table\": \"t\", \"watermark\": [\"u\"], \"secrets\": "
                                "{\"password\": \"env:X\"}}",
                                &err),
                     0);
}

/* Each wrong combination is OG_ECONFIG, and the message names the option. */
static void test_options_bad(void **unused)
{
    (void)unused;
    static const struct {
        const char *json, *expect;
    } cases[] = {
        {"{" CI ", \"watermark\": [\"u\"]}", "give one of the options \"table\" and \"query\""},
        {"{" CI ", \"table\": \"t\", \"query\": \"SELECT 1\", \"watermark\": [\"u\"]}",
         "give one of the options \"table\" and \"query\""},
        {"{" CI ", \"table\": \"t\"}", "option \"watermark\""},
        {"{" CI ", \"table\": \"t\", \"watermark\": []}", "option \"watermark\""},
        {"{" CI ", \"table\": \"t\", \"watermark\": [\"a\", \"a\"]}",
         "names the column \"a\" twice"},
        {"{" CI ", \"table\": \"t\", \"watermark\": [\"\"]}", "non-empty strings"},
        {"{" CI ", \"table\": \"a.b.c\", \"watermark\": [\"u\"]}", "option \"table\""},
        {"{" CI ", \"table\": \".b\", \"watermark\": [\"u\"]}", "option \"table\""},
        {"{" CI ", \"query\": \"SELECT 1\", \"watermark\": [\"u\"]}", "needs \"query_name\""},
        {"{" CI ", \"table\": \"t\", \"query_name\": \"q\", \"watermark\": [\"u\"]}",
         "option \"query_name\" goes with \"query\""},
        {"{" CI ", \"table\": \"t\", \"watermark\": [\"u\"], \"mode\": \"cdc\"}",
         "option \"mode\""},
        {"{" CI ", \"table\": \"t\", \"watermark\": [\"u\"], \"batch_size\": 0}",
         "option \"batch_size\""},
        {"{" CI ", \"table\": \"t\", \"watermark\": [\"u\"], \"poll_interval_ms\": 5}",
         "option \"poll_interval_ms\""},
        {"{" CI ", \"table\": \"t\", \"watermark\": [\"u\"], \"slot\": \"s\"}",
         "options \"slot\" and \"publication\" are for mode replication"},
        {"{" CI ", \"table\": \"t\", \"mode\": \"replication\", \"slot\": \"s\"}",
         "needs the options \"slot\" and \"publication\""},
        {"{" CI ", \"query\": \"SELECT 1\", \"query_name\": \"q\", \"mode\": \"replication\", "
         "\"slot\": \"s\", \"publication\": \"p\"}",
         "option \"query\" is for mode watermark"},
        {"{\"conninfo\": \"host=db password=x\", \"table\": \"t\", \"watermark\": [\"u\"]}",
         "option \"conninfo\" holds a password"},
        {"{\"conninfo\": \"host=db replication=database\", \"table\": \"t\", \"watermark\": "
         "[\"u\"]}",
         "option \"conninfo\" cannot set \"replication\""},
        {"{\"conninfo\": \"host=db nosuchkey=1\", \"table\": \"t\", \"watermark\": [\"u\"]}",
         "option \"conninfo\" is not a libpq connection string"},
        {"{" CI ", \"table\": \"t\", \"watermark\": [\"u\"], \"secrets\": {\"user\": \"env:X\"}}",
         "option \"secrets\" holds only \"password\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct og_error err;
        int rc = check_text(cases[i].json, &err);
        if (rc != OG_ECONFIG || !strstr(err.message, cases[i].expect))
            fail_msg("case %zu: rc %d, message \"%s\", expected \"%s\"", i, rc, err.message,
                     cases[i].expect);
        assert_int_equal(err.reason, OG_R_BAD_CONFIG);
    }
    /* the password in conninfo says where it goes instead */
    struct og_error err;
    check_text("{\"conninfo\": \"password=x\", \"table\": \"t\", \"watermark\": [\"u\"]}", &err);
    assert_non_null(strstr(err.hint, "\"secrets\""));
    /* open (not check) needs conninfo */
    struct og_pgsql_opts o;
    json_t *opts = json_pack("{s:s, s:[s]}", "table", "t", "watermark", "u");
    assert_int_equal(og_pgsql_opts_read(opts, true, &o, &err), OG_ECONFIG);
    assert_non_null(strstr(err.message, "option \"conninfo\""));
    json_decref(opts);
}

/* The options table documents every option and the source is registered under "pgsql". */
static void test_options_table(void **unused)
{
    (void)unused;
    assert_string_equal(og_pgsql_source.name, "pgsql");
    size_t n = 0;
    for (const struct og_option_doc *d = og_pgsql_source.options; d->key; d++, n++) {
        assert_non_null(d->description);
        assert_true(strlen(d->description) > 10);
    }
    assert_true(n >= 12);
}

static void test_watermark_json(void **unused)
{
    (void)unused;
    const char *cols[] = {"updated_at", "ticket_no"};
    const char *vals[] = {"2020-02-03 10:00:00.123456", "T\"0001"};
    char *text = og_pgsql_wm_encode(cols, vals, 2);
    assert_non_null(text);
    assert_string_equal(text, "{\"updated_at\":\"2020-02-03 10:00:00.123456\",\"ticket_no\":"
                              "\"T\\\"0001\"}");
    char *back[2];
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(og_pgsql_wm_decode(text, cols, 2, back, &err), 0);
    assert_string_equal(back[0], vals[0]);
    assert_string_equal(back[1], vals[1]);
    free(back[0]);
    free(back[1]);
    free(text);
    /* as the warehouse's jsonb gives it back: other key order, spaces */
    assert_int_equal(og_pgsql_wm_decode("{\"ticket_no\": \"T1\", \"updated_at\": \"2020-02-03 "
                                        "10:00:00\"}",
                                        cols, 2, back, &err),
                     0);
    assert_string_equal(back[0], "2020-02-03 10:00:00");
    assert_string_equal(back[1], "T1");
    free(back[0]);
    free(back[1]);
    /* other columns, a missing one, an extra one, not an object: refused, nothing returned */
    static const char *const bad[] = {
        "{\"updated_at\": \"x\", \"id\": \"1\"}",
        "{\"updated_at\": \"x\"}",
        "{\"updated_at\": \"x\", \"ticket_no\": \"1\", \"more\": \"2\"}",
        "{\"updated_at\": 5, \"ticket_no\": \"1\"}",
        "{\"lsn\": \"0/16B3748\"}",
        "[1]",
        "not json",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        og_error_clear(&err);
        assert_int_equal(og_pgsql_wm_decode(bad[i], cols, 2, back, &err), OG_ECONFIG);
        assert_null(back[0]);
        assert_null(back[1]);
        assert_non_null(strstr(err.message, "stored watermark"));
        assert_non_null(strstr(err.hint, "etl_source_state"));
    }
}

static void test_lsn(void **unused)
{
    (void)unused;
    uint64_t lsn = 0;
    assert_true(og_pgsql_lsn_parse("0/16B3748", &lsn));
    assert_true(lsn == 0x16B3748);
    assert_true(og_pgsql_lsn_parse("1A/0", &lsn));
    assert_true(lsn == 0x1AULL << 32);
    assert_false(og_pgsql_lsn_parse("0/16B3748x", &lsn));
    assert_false(og_pgsql_lsn_parse("16B3748", &lsn));
    assert_false(og_pgsql_lsn_parse(NULL, &lsn));
    char buf[32];
    assert_string_equal(og_pgsql_lsn_format(0xFFFFFFFF00000010ULL, buf, sizeof(buf)),
                        "FFFFFFFF/10");
    char *text = og_pgsql_lsn_encode(0x100000016B3748ULL);
    assert_string_equal(text, "{\"lsn\":\"100000/16B3748\"}");
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(og_pgsql_lsn_decode(text, &lsn, &err), 0);
    assert_true(lsn == 0x100000016B3748ULL);
    free(text);
    assert_int_equal(og_pgsql_lsn_decode("{\"updated_at\": \"x\", \"id\": \"1\"}", &lsn, &err),
                     OG_ECONFIG);
    assert_non_null(strstr(err.message, "replication position"));
}

/* A growing byte buffer for building pgoutput messages. */
struct bytes {
    char b[512];
    size_t n;
};
static void b_int(struct bytes *b, uint64_t v, int len)
{
    for (int i = len - 1; i >= 0; i--)
        b->b[b->n++] = (char)((v >> (8 * i)) & 0xff);
}
static void b_str(struct bytes *b, const char *s)
{
    memcpy(b->b + b->n, s, strlen(s) + 1);
    b->n += strlen(s) + 1;
}
static void b_text(struct bytes *b, const char *s)
{
    b->b[b->n++] = 't';
    b_int(b, strlen(s), 4);
    memcpy(b->b + b->n, s, strlen(s));
    b->n += strlen(s);
}

/* Commit times as the server sends them: microseconds since 2000-01-01 UTC, any 64-bit value. */
static void test_commit_time(void **unused)
{
    (void)unused;
    char buf[64];
    assert_true(og_pgsql_commit_time(0, buf, sizeof(buf)));
    assert_string_equal(buf, "2000-01-01T00:00:00.000000Z");
    assert_true(og_pgsql_commit_time(634017906000007LL, buf, sizeof(buf)));
    assert_string_equal(buf, "2020-02-03T04:05:06.000007Z");
    /* before 1970: the microseconds count forward from the second before */
    assert_true(og_pgsql_commit_time(-946684800000001LL, buf, sizeof(buf)));
    assert_string_equal(buf, "1969-12-31T23:59:59.999999Z");
    assert_true(og_pgsql_commit_time(-946684800000000LL - 1500000, buf, sizeof(buf)));
    assert_string_equal(buf, "1969-12-31T23:59:58.500000Z");
    /* out of range, or overflowing the epoch shift: no time, never a crash */
    assert_false(og_pgsql_commit_time(INT64_MAX, buf, sizeof(buf)));
    assert_string_equal(buf, "");
    assert_false(og_pgsql_commit_time(INT64_MIN, buf, sizeof(buf)));
    assert_false(og_pgsql_commit_time(INT64_MAX / 2, buf, sizeof(buf)));
    assert_false(og_pgsql_commit_time(-63113904000000000LL, buf, sizeof(buf))); /* year 0 */
}

static void test_pgoutput_messages(void **unused)
{
    (void)unused;
    struct og_error err;
    og_error_clear(&err);
    struct og_pgo_msg m;
    /* Begin: final LSN, commit time, xid */
    struct bytes b = {.n = 0};
    b.b[b.n++] = 'B';
    b_int(&b, 0x16B3748, 8);
    b_int(&b, 634000000000000ULL, 8);
    b_int(&b, 742, 4);
    assert_int_equal(og_pgo_parse(b.b, b.n, &m, &err), 0);
    assert_int_equal(m.type, 'B');
    assert_true(m.lsn == 0x16B3748);
    assert_true(m.time_us == 634000000000000LL);
    og_pgo_msg_release(&m);
    /* Commit: flags, commit LSN, end LSN (the state), time */
    b.n = 0;
    b.b[b.n++] = 'C';
    b_int(&b, 0, 1);
    b_int(&b, 0x16B3700, 8);
    b_int(&b, 0x16B3780, 8);
    b_int(&b, 5, 8);
    assert_int_equal(og_pgo_parse(b.b, b.n, &m, &err), 0);
    assert_true(m.lsn == 0x16B3780);
    og_pgo_msg_release(&m);
    /* Relation: id, namespace, name, identity, columns (flags, name, type, typmod) */
    b.n = 0;
    b.b[b.n++] = 'R';
    b_int(&b, 16385, 4);
    b_str(&b, "hotline");
    b_str(&b, "ticket");
    b_int(&b, 'f', 1);
    b_int(&b, 2, 2);
    b_int(&b, 1, 1);
    b_str(&b, "ticket_no");
    b_int(&b, 25, 4);
    b_int(&b, 0xffffffff, 4);
    b_int(&b, 0, 1);
    b_str(&b, "status");
    b_int(&b, 25, 4);
    b_int(&b, 0xffffffff, 4);
    assert_int_equal(og_pgo_parse(b.b, b.n, &m, &err), 0);
    assert_int_equal(m.relid, 16385);
    assert_string_equal(m.nspname, "hotline");
    assert_string_equal(m.relname, "ticket");
    assert_int_equal(m.natts, 2);
    assert_string_equal(m.attnames[0], "ticket_no");
    assert_string_equal(m.attnames[1], "status");
    assert_true(m.attkey[0] && !m.attkey[1]);
    og_pgo_msg_release(&m);
    /* Insert: a text and a null */
    b.n = 0;
    b.b[b.n++] = 'I';
    b_int(&b, 16385, 4);
    b.b[b.n++] = 'N';
    b_int(&b, 2, 2);
    b_text(&b, "T001");
    b.b[b.n++] = 'n';
    assert_int_equal(og_pgo_parse(b.b, b.n, &m, &err), 0);
    assert_int_equal(m.new_.ncols, 2);
    assert_int_equal(m.new_.cols[0].kind, 't');
    assert_int_equal(m.new_.cols[0].len, 4);
    assert_memory_equal(m.new_.cols[0].data, "T001", 4);
    assert_int_equal(m.new_.cols[1].kind, 'n');
    og_pgo_msg_release(&m);
    /* Update with the old row (REPLICA IDENTITY FULL) and an unchanged TOAST value */
    b.n = 0;
    b.b[b.n++] = 'U';
    b_int(&b, 16385, 4);
    b.b[b.n++] = 'O';
    b_int(&b, 2, 2);
    b_text(&b, "T001");
    b_text(&b, "受理");
    b.b[b.n++] = 'N';
    b_int(&b, 2, 2);
    b.b[b.n++] = 'u';
    b_text(&b, "派单");
    assert_int_equal(og_pgo_parse(b.b, b.n, &m, &err), 0);
    assert_int_equal(m.old_kind, 'O');
    assert_int_equal(m.old.ncols, 2);
    assert_int_equal(m.new_.cols[0].kind, 'u');
    assert_memory_equal(m.new_.cols[1].data, "派单", strlen("派单"));
    og_pgo_msg_release(&m);
    /* Delete with the key only */
    b.n = 0;
    b.b[b.n++] = 'D';
    b_int(&b, 16385, 4);
    b.b[b.n++] = 'K';
    b_int(&b, 2, 2);
    b_text(&b, "T002");
    b.b[b.n++] = 'n';
    assert_int_equal(og_pgo_parse(b.b, b.n, &m, &err), 0);
    assert_int_equal(m.type, 'D');
    assert_int_equal(m.old_kind, 'K');
    assert_memory_equal(m.old.cols[0].data, "T002", 4);
    og_pgo_msg_release(&m);
    /* every message cut short at every length is an error, never a read past the end */
    size_t full = b.n;
    for (size_t n = 1; n < full; n++) {
        og_error_clear(&err);
        assert_int_equal(og_pgo_parse(b.b, n, &m, &err), OG_EPARSE);
        assert_non_null(strstr(err.message, "cut or malformed"));
        og_pgo_msg_release(&m);
    }
    /* a delete without its old row, a bad column kind, an unknown type */
    static const char nokey[] = {'D', 0, 0, 0x40, 1, 'N', 0, 0};
    assert_int_equal(og_pgo_parse(nokey, sizeof(nokey), &m, &err), OG_EPARSE);
    og_pgo_msg_release(&m);
    static const char badkind[] = {'I', 0, 0, 0x40, 1, 'N', 0, 1, 'x'};
    assert_int_equal(og_pgo_parse(badkind, sizeof(badkind), &m, &err), OG_EPARSE);
    og_pgo_msg_release(&m);
    static const char unknown[] = {'Z', 1, 2};
    assert_int_equal(og_pgo_parse(unknown, sizeof(unknown), &m, &err), OG_EPARSE);
    assert_non_null(strstr(err.message, "unknown pgoutput message type 0x5a"));
    og_pgo_msg_release(&m);
    /* truncate, type, origin and message are skipped */
    static const char trunc[] = {'T', 0, 0, 0, 1, 0, 0, 0, 0x40, 1};
    assert_int_equal(og_pgo_parse(trunc, sizeof(trunc), &m, &err), 0);
    assert_int_equal(m.type, 'T');
    og_pgo_msg_release(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_ok),    cmocka_unit_test(test_options_bad),
        cmocka_unit_test(test_options_table), cmocka_unit_test(test_watermark_json),
        cmocka_unit_test(test_lsn),           cmocka_unit_test(test_pgoutput_messages),
        cmocka_unit_test(test_commit_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
