/* test_mapping.c - unit tests for transform/mapping.c: conversions and policies (data-driven from
 * tests/fixtures/mapping/cases.json), og_mapping_load's checks, and the shipped mappings on real
 * sample records. */
#include "transform/mapping.h"

#include "core/arena.h"
#include "core/error.h"

#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FIX "tests/fixtures/mapping/"

/* ---- helpers ------------------------------------------------------------------------------- */

static struct og_mapping *load_ok(const char *path)
{
    struct og_mapping *m = NULL;
    struct og_error err;
    og_error_clear(&err);
    int rc = og_mapping_load(path, &m, &err);
    if (rc != 0)
        fail_msg("loading %s: rc %d: %s", path, rc, err.message);
    assert_non_null(m);
    return m;
}

static int field_by_name(const char *name)
{
    for (int i = 0; i < OG_F__COUNT; i++)
        if (strcmp(og_field_name((enum og_field)i), name) == 0)
            return i;
    return -1;
}

static int mfield_by_name(const char *name)
{
    for (int i = 0; i < OG_M__COUNT; i++)
        if (strcmp(og_mfield_name((enum og_mfield)i), name) == 0)
            return i;
    return -1;
}

/* Compares a mapped value with its expectation: null, "text", number, {"us": time}, ["list"]. */
static void check_value(const char *cname, const char *fname, const struct og_mval *v,
                        const json_t *want)
{
    if (json_is_null(want)) {
        if (v->type != OG_V_NULL)
            fail_msg("%s: %s: expected null, got type %d (\"%s\")", cname, fname, v->type,
                     v->type == OG_V_TEXT ? v->s : "");
    }
    else if (json_is_string(want)) {
        if (v->type != OG_V_TEXT)
            fail_msg("%s: %s: expected text \"%s\", got type %d", cname, fname,
                     json_string_value(want), v->type);
        if (strcmp(v->s, json_string_value(want)) != 0)
            fail_msg("%s: %s: expected \"%s\", got \"%s\"", cname, fname, json_string_value(want),
                     v->s);
    }
    else if (json_is_number(want)) {
        if (v->type != OG_V_NUM)
            fail_msg("%s: %s: expected number %g, got type %d", cname, fname,
                     json_number_value(want), v->type);
        if (fabs(v->f - json_number_value(want)) > 1e-9)
            fail_msg("%s: %s: expected %.10g, got %.10g", cname, fname, json_number_value(want),
                     v->f);
    }
    else if (json_is_object(want)) {
        json_int_t us = json_integer_value(json_object_get(want, "us"));
        if (v->type != OG_V_TIME)
            fail_msg("%s: %s: expected a time, got type %d", cname, fname, v->type);
        if (v->t != (int64_t)us)
            fail_msg("%s: %s: expected %lld us, got %lld", cname, fname, (long long)us,
                     (long long)v->t);
    }
    else if (json_is_array(want)) {
        if (v->type != OG_V_LIST)
            fail_msg("%s: %s: expected a list, got type %d", cname, fname, v->type);
        if (v->n != json_array_size(want))
            fail_msg("%s: %s: expected %zu items, got %zu", cname, fname, json_array_size(want),
                     v->n);
        for (size_t i = 0; i < v->n; i++)
            if (strcmp(v->items[i], json_string_value(json_array_get(want, i))) != 0)
                fail_msg("%s: %s[%zu]: expected \"%s\", got \"%s\"", cname, fname, i,
                         json_string_value(json_array_get(want, i)), v->items[i]);
    }
    else
        fail_msg("%s: %s: bad expectation in cases.json", cname, fname);
}

/* attrs must equal want exactly, except "_notes" entries, which are compared on field/reason/action
 * and must carry a message naming the field. */
static void check_attrs(const char *cname, const char *attrs, const json_t *want)
{
    assert_non_null(attrs);
    json_error_t jerr;
    json_t *got = json_loads(attrs, 0, &jerr);
    if (!got)
        fail_msg("%s: attrs is not JSON: %s", cname, attrs);
    json_t *got_notes = json_incref(json_object_get(got, "_notes"));
    json_object_del(got, "_notes");
    json_t *want_copy = json_deep_copy(want);
    json_t *want_notes = json_incref(json_object_get(want_copy, "_notes"));
    json_object_del(want_copy, "_notes");
    if (!json_equal(got, want_copy))
        fail_msg("%s: attrs %s differs from the expected one", cname, attrs);
    if (!want_notes != !got_notes)
        fail_msg("%s: attrs %s: _notes %s expected", cname, attrs, want_notes ? "are" : "are not");
    if (want_notes) {
        if (json_array_size(got_notes) != json_array_size(want_notes))
            fail_msg("%s: attrs %s: expected %zu notes", cname, attrs, json_array_size(want_notes));
        size_t i;
        json_t *wn;
        json_array_foreach(want_notes, i, wn)
        {
            json_t *gn = json_array_get(got_notes, i);
            const char *k;
            json_t *wv;
            json_object_foreach(wn, k, wv)
            {
                if (!json_equal(json_object_get(gn, k), wv))
                    fail_msg("%s: note %zu: %s differs (attrs %s)", cname, i, k, attrs);
            }
            const char *msg = json_string_value(json_object_get(gn, "message"));
            const char *field = json_string_value(json_object_get(wn, "field"));
            if (!msg || !field || !strstr(msg, field))
                fail_msg("%s: note %zu: message should name the field (attrs %s)", cname, i, attrs);
        }
    }
    json_decref(want_notes);
    json_decref(want_copy);
    json_decref(got_notes);
    json_decref(got);
}

/* ---- data-driven apply cases --------------------------------------------------------------- */

static json_t *g_cases; /* loaded in main: read-only for the tests */

static void run_case(void **state)
{
    const json_t *c = *state;
    const char *cname = json_string_value(json_object_get(c, "name"));
    char path[512];
    snprintf(path, sizeof(path), FIX "%s", json_string_value(json_object_get(c, "mapping")));
    struct og_mapping *m = load_ok(path);
    struct og_arena *arena = og_arena_create(0);
    assert_non_null(arena);
    const json_t *expect = json_object_get(c, "expect");
    struct og_mapped out;
    struct og_error err;
    og_error_clear(&err);
    int rc = og_mapping_apply(m, json_object_get(c, "input"), arena, &out, &err);
    const char *want_rc = json_string_value(json_object_get(expect, "rc"));
    if (strcmp(want_rc, "ok") == 0) {
        if (rc != 0)
            fail_msg("%s: expected success, got rc %d reason %s: %s (%s)", cname, rc,
                     og_reason_name(err.reason), err.message, err.detail);
    }
    else {
        if (rc != OG_EREJECT)
            fail_msg("%s: expected OG_EREJECT, got %d", cname, rc);
        assert_int_equal(err.code, OG_EREJECT);
        assert_int_equal(err.klass, OG_CLASS_REJECT);
        const char *reason = json_string_value(json_object_get(expect, "reason"));
        if (strcmp(og_reason_name(err.reason), reason) != 0)
            fail_msg("%s: expected reason %s, got %s (%s)", cname, reason,
                     og_reason_name(err.reason), err.message);
        const char *field = json_string_value(json_object_get(expect, "field"));
        if (field && strcmp(err.field, field) != 0)
            fail_msg("%s: expected field \"%s\", got \"%s\"", cname, field, err.field);
        const char *detail = json_string_value(json_object_get(expect, "detail"));
        if (detail && strcmp(err.detail, detail) != 0)
            fail_msg("%s: expected detail \"%s\", got \"%s\"", cname, detail, err.detail);
        const char *msg = json_string_value(json_object_get(expect, "message"));
        if (msg && !strstr(err.message, msg))
            fail_msg("%s: message \"%s\" should quote \"%s\"", cname, err.message, msg);
    }
    const char *fname;
    json_t *want;
    json_object_foreach(json_object_get(expect, "fields"), fname, want)
    {
        int f = field_by_name(fname);
        if (f < 0)
            fail_msg("%s: unknown field %s in cases.json", cname, fname);
        check_value(cname, fname, &out.v[f], want);
    }
    json_t *notes = json_object_get(expect, "notes");
    if (notes && out.notes != (int)json_integer_value(notes))
        fail_msg("%s: expected %d notes, got %d", cname, (int)json_integer_value(notes), out.notes);
    json_t *members = json_object_get(expect, "members");
    if (members) {
        if (out.nmembers != json_array_size(members))
            fail_msg("%s: expected %zu members, got %zu", cname, json_array_size(members),
                     out.nmembers);
        size_t k;
        json_t *wm;
        json_array_foreach(members, k, wm)
        {
            json_object_foreach(wm, fname, want)
            {
                int f = mfield_by_name(fname);
                if (f < 0)
                    fail_msg("%s: unknown member field %s in cases.json", cname, fname);
                char label[64];
                snprintf(label, sizeof(label), "member %zu %s", k + 1, fname);
                check_value(cname, label, &out.members[k].v[f], want);
            }
        }
    }
    json_t *attrs = json_object_get(expect, "attrs");
    if (attrs)
        check_attrs(cname, out.attrs, attrs);
    og_arena_destroy(arena);
    og_mapping_destroy(m);
}

/* ---- hand-written apply tests -------------------------------------------------------------- */

static int apply_text(const struct og_mapping *m, const char *text, struct og_arena *arena,
                      struct og_mapped *out, struct og_error *err)
{
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    if (!doc)
        fail_msg("bad test input %s: %s", text, jerr.text);
    og_error_clear(err);
    int rc = og_mapping_apply(m, doc, arena, out, err);
    json_decref(doc);
    return rc;
}

/* attrs "rest" never carries the subject's identity number, even when it sits in a nested object.
 */
static void test_rest_attrs_leave_out_subject(void **state)
{
    (void)state;
    struct og_mapping *m = load_ok(FIX "conv_reject.json");
    struct og_arena *arena = og_arena_create(0);
    struct og_mapped out;
    struct og_error err;
    assert_int_equal(apply_text(m,
                                "{\"id\": \"S1\", \"t\": \"2020-02-03 14:05:00\", "
                                "\"owner\": {\"uscc\": \"91110000600037341L\"}, \"kept\": 1}",
                                arena, &out, &err),
                     0);
    assert_string_equal(out.v[OG_F_SUBJECT_ID].s, "91110000600037341L");
    assert_null(strstr(out.attrs, "91110000600037341L"));
    assert_non_null(strstr(out.attrs, "\"kept\":1"));
    og_arena_destroy(arena);
    og_mapping_destroy(m);
}

/* The loaded mapping's settings. */
static void test_accessors(void **state)
{
    (void)state;
    struct og_mapping *m = load_ok(FIX "conv_reject.json");
    assert_string_equal(og_mapping_path(m), FIX "conv_reject.json");
    assert_string_equal(og_mapping_feed(m), "T-REJECT");
    assert_string_equal(og_mapping_department(m), "TT");
    assert_int_equal(og_mapping_target(m), OG_KIND_EVENT);
    assert_string_equal(og_mapping_connector(m), "json");
    const json_t *opts = og_mapping_input_options(m);
    assert_string_equal(json_string_value(json_object_get(opts, "records")), "items");
    assert_null(json_object_get(opts, "connector"));
    assert_string_equal(og_mapping_kind_id(og_mapping_kind_at(m, 0), OG_F_SUBJECT_ID), "uscc");
    assert_false(og_mapping_kind_id_require_valid(og_mapping_kind_at(m, 0), OG_F_SUBJECT_ID));
    assert_true(og_mapping_uses_identity(m));
    assert_int_equal(og_mapping_zone_offset(m), 480);
    og_mapping_destroy(m);

    m = load_ok(FIX "members.json");
    assert_int_equal(og_mapping_target(m), OG_KIND_VISIT);
    assert_null(og_mapping_connector(m));
    assert_true(og_mapping_kind_member_id_require_valid(og_mapping_kind_at(m, 0)));
    assert_true(og_mapping_uses_identity(m));
    assert_string_equal(og_mapping_kind_id(og_mapping_kind_at(m, 0), OG_F_SUBJECT_ID), "resident");
    og_mapping_destroy(m);

    m = load_ok(FIX "attrs_include.json");
    assert_false(og_mapping_uses_identity(m));
    og_mapping_destroy(m);
    og_mapping_destroy(NULL);
}

/* The source comment says list text is "comma or 、 separated". */
static void test_list_dunhao(void **state)
{
    (void)state;
    struct og_mapping *m = load_ok(FIX "members.json");
    struct og_arena *arena = og_arena_create(0);
    struct og_mapped out;
    struct og_error err;
    assert_int_equal(
        apply_text(m,
                   "{\"visitId\": \"V9\", \"at\": \"2020-02-03T14:05:00\", \"household\": "
                   "{\"people\": [{\"travel\": \"武汉、北京\"}]}}",
                   arena, &out, &err),
        0);
    assert_int_equal(out.members[0].v[OG_M_TRAVEL].n, 2);
    assert_string_equal(out.members[0].v[OG_M_TRAVEL].items[0], "武汉");
    assert_string_equal(out.members[0].v[OG_M_TRAVEL].items[1], "北京");
    og_arena_destroy(arena);
    og_mapping_destroy(m);
}

/* Empty strings are "no value" for every conversion, not only for "number": an empty optional time,
 * code or enum value is null, and an empty required time is missing_field, not invalid_time. */
static void test_empty_string_conversions(void **state)
{
    (void)state;
    struct og_mapping *m = load_ok(FIX "conv_reject.json");
    struct og_arena *arena = og_arena_create(0);
    struct og_mapped out;
    struct og_error err;
    int rc = apply_text(
        m,
        "{\"id\": \"E1\", \"t\": \"2020-02-03 14:05:00\", \"closed\": \"\", \"ums\": \" \", "
        "\"cat\": \"\", \"stage\": \" \", \"crs\": \"\"}",
        arena, &out, &err);
    if (rc != 0)
        fail_msg("rc %d %s: %s", rc, og_reason_name(err.reason), err.message);
    assert_int_equal(out.v[OG_F_CLOSED_AT].type, OG_V_NULL);
    assert_int_equal(out.v[OG_F_UPDATED_AT].type, OG_V_NULL);
    assert_int_equal(out.v[OG_F_CATEGORY_CODE].type, OG_V_NULL);
    assert_int_equal(out.v[OG_F_STATUS].type, OG_V_NULL);
    assert_int_equal(out.v[OG_F_CRS].type, OG_V_NULL);
    assert_int_equal(apply_text(m, "{\"id\": \"E2\", \"t\": \"\"}", arena, &out, &err), OG_EREJECT);
    assert_string_equal(og_reason_name(err.reason), "missing_field");
    og_arena_destroy(arena);
    og_mapping_destroy(m);
}

/* ---- og_mapping_load's checks -------------------------------------------------------------- */

struct bad_case {
    const char *file;  /* under tests/fixtures/mapping/bad/ */
    const char *where; /* the JSON path (or ":line:" for syntax errors) the message must name */
    const char *what;  /* a fragment of the message */
};

static const struct bad_case BAD[] = {
    {"unknown_key_top", ": $: ", "unknown key \"fileds\""},
    {"unknown_key_field", ": fields.address: ", "unknown key \"form\""},
    {"unknown_field", ": fields.visited_at: ", "unknown field \"visited_at\" for target event"},
    {"unknown_field_member",
     ": members.fields.age: ", "unknown field \"age\" for target visit member"},
    {"unknown_conversion", ": fields.reported_at.convert[1]: ", "unknown conversion \"tiem\""},
    {"unknown_conversion_obj", ": fields.lon.convert[0]: ", "unknown conversion \"numbr\""},
    {"missing_on_error", ": fields.lon: ", "a conversion here can fail"},
    {"on_error_cannot_fail", ": fields.address: ", "no conversion here can fail"},
    {"time_without_time",
     ": fields.reported_at: ", "\"reported_at\" is a time, but the conversions give a text"},
    {"number_shorthand", ": fields.lon: ", "a number field needs a conversion"},
    {"code_table_missing", ": fields.category_code.convert[0]: ", "no_such_table.csv"},
    {"code_table_duplicate",
     ": fields.category_code.convert[1]: ", "dup.csv:4: code \"A1\" appears twice"},
    {"code_table_no_column", ": fields.status.convert[0]: ", "has no column \"src\""},
    {"id_on_other_field",
     ": fields.address: ", "\"id\" and \"require_valid\" apply only to identity numbers"},
    {"require_valid_on_member_name", ": members.fields.name: ",
     "apply only to identity numbers (subject_id, id_no, owner_id, members' id_no)"},
    {"bad_id_kind", ": fields.subject_id: ", "\"id\" must be \"resident\", \"uscc\" or \"other\""},
    {"members_on_event", ": members: ", "only visits have members"},
    {"default_on_time", ": fields.reported_at: ", "on_error.default must be a time value"},
    {"default_wrong_type", ": fields.lon: ", "on_error.default must be a number value"},
    {"bad_policy",
     ": fields.lon: ", "on_error must be \"reject\", \"null\" or {\"default\": VALUE}"},
    {"bad_time_format", ": fields.reported_at.convert[0]: ", ""},
    {"from_and_value", ": fields.address: ", "exactly one of \"from\""},
    {"no_source_id", ": fields: ", "source_id is required"},
    {"bad_target", ": target: ", "must be \"event\", \"visit\", \"person\" or \"housing\""},
    {"syntax", ":5:", ""},
    {"duplicate_key", ":5:", "target"},
    {"split_empty_separator", ": fields.address.convert[0]: ", "\"split\" is {\"separator\": TEXT"},
    {"split_strip_not_ascii", ": fields.address.convert[0]: ", "printable ASCII"},
    {"split_missing_on_error", ": fields.address: ", "a conversion here can fail"},
    {"pick_where_without_in", ": fields.address.convert[0]: ", "where and in together"},
    {"pick_unknown_key", ": fields.address.convert[0]: ", "unknown key \"wher\""},
    {"join_without_take", ": fields.source_id.convert[0]: ", "\"join\" is {\"take\": [PATHS]"},
    {"zone_unknown", ": zone: ", "unknown time zone \"Mars/Olympus_Mons\""},
    {"zone_bad_rule",
     ": fields.reported_at.convert[0]: ", "\"EST5EDT,M3.2.0\" is not a POSIX TZ rule"},
    {"zone_dst_person", ": zone: ", "target person needs a zone with a fixed offset"},
    {"time_12h_without_a", ": fields.reported_at.convert[0]: ", "h (hour 1-12) and a (AM or PM)"},
};

static void check_bad(const struct bad_case *bc)
{
    char path[256];
    snprintf(path, sizeof(path), FIX "bad/%s.json", bc->file);
    struct og_mapping *m = (struct og_mapping *)&m; /* must be set to NULL */
    struct og_error err;
    og_error_clear(&err);
    int rc = og_mapping_load(path, &m, &err);
    if (rc != OG_ECONFIG) {
        og_mapping_destroy(rc == 0 ? m : NULL);
        fail_msg("%s: expected OG_ECONFIG, got %d (%s)", path, rc, err.message);
    }
    assert_null(m);
    assert_int_equal(err.code, OG_ECONFIG);
    assert_int_equal(err.klass, OG_CLASS_FATAL);
    assert_int_equal(err.reason, OG_R_BAD_MAPPING);
    /* as the user reads it: "<path>: <json path>: <message>" (syntax errors:
     * "<path>:<line>:<column>: ..."), then the detail and hint lines */
    char text[2048], want[512];
    og_error_format(&err, text, sizeof(text));
    snprintf(want, sizeof(want), "%s%s", path, bc->where);
    if (strncmp(text, want, strlen(want)) != 0)
        fail_msg("%s: message \"%s\" should start with \"%s\"", bc->file, text, want);
    if (!strstr(text, bc->what))
        fail_msg("%s: message \"%s\" should say \"%s\"", bc->file, text, bc->what);
}

static void test_load_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++)
        check_bad(&BAD[i]);
}

/* A conversion object's other keys are not checked (except for "time" and a code_table spec), so
 * an on_error written inside the step is silently ignored. */
static void test_load_error_step_extra_key(void **state)
{
    (void)state;
    static const struct bad_case bc = {"step_extra_key",
                                       ": fields.crs.convert[0]: ", "unknown key \"on_error\""};
    check_bad(&bc);
}

/* members.max that is not a positive integer is silently ignored (a string) or wraps to "no limit"
 * (a negative number). */
static void test_load_error_members_max(void **state)
{
    (void)state;
    static const struct bad_case bc = {"members_max_negative", ": members.max: ", ""};
    check_bad(&bc);
}

static void test_load_missing_file(void **state)
{
    (void)state;
    struct og_mapping *m = NULL;
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(og_mapping_load(FIX "no_such_mapping.json", &m, &err), OG_ECONFIG);
    assert_null(m);
    assert_non_null(strstr(err.message, FIX "no_such_mapping.json"));
}

/* Every valid fixture loads (so the bad ones fail for their one mistake only). */
static void test_load_good_fixtures(void **state)
{
    (void)state;
    static const char *const good[] = {"conv_reject.json",   "conv_null.json", "conv_default.json",
                                       "attrs_include.json", "members.json",   "conv_extract.json"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        char path[256];
        snprintf(path, sizeof(path), FIX "%s", good[i]);
        og_mapping_destroy(load_ok(path));
    }
}

/* ---- shipped mappings on real sample records ----------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    char *buf = NULL;
    size_t cap = 0, n = 0;
    while (1) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void expect_text(const struct og_mapped *out, enum og_field f, const char *want)
{
    if (out->v[f].type != OG_V_TEXT)
        fail_msg("%s: expected text \"%s\", got type %d", og_field_name(f), want, out->v[f].type);
    assert_string_equal(out->v[f].s, want);
}

static void expect_num(const struct og_mapped *out, enum og_field f, double want)
{
    if (out->v[f].type != OG_V_NUM)
        fail_msg("%s: expected a number, got type %d", og_field_name(f), out->v[f].type);
    assert_true(fabs(out->v[f].f - want) < 1e-9);
}

static void expect_time(const struct og_mapped *out, enum og_field f, int64_t us)
{
    if (out->v[f].type != OG_V_TIME)
        fail_msg("%s: expected a time, got type %d", og_field_name(f), out->v[f].type);
    assert_int_equal(out->v[f].t, us);
}

static void test_shipped_um(void **state)
{
    (void)state;
    struct og_mapping *m = load_ok("mappings/urban/um_cases.json");
    assert_string_equal(og_mapping_department(m), "UM");
    assert_string_equal(og_mapping_connector(m), "json");
    size_t len;
    char *text = read_file("samples/um/um_cases_20200203.json", &len);
    /* the first element of the array (the file as a whole holds a bad_json defect on purpose) */
    char *first = strchr(text, '{');
    assert_non_null(first);
    json_error_t jerr;
    json_t *doc = json_loadb(first, len - (size_t)(first - text), JSON_DISABLE_EOF_CHECK, &jerr);
    if (!doc)
        fail_msg("sample element: %s", jerr.text);
    assert_string_equal(json_string_value(json_object_get(doc, "service_request_id")),
                        "UM202000010001");

    struct og_arena *arena = og_arena_create(0);
    struct og_mapped out;
    struct og_error err;
    og_error_clear(&err);
    int rc = og_mapping_apply(m, doc, arena, &out, &err);
    if (rc != 0)
        fail_msg("um: %s", err.message);
    expect_text(&out, OG_F_SOURCE_ID, "UM202000010001");
    expect_text(&out, OG_F_SOURCE_CATEGORY, "0401");
    expect_text(&out, OG_F_CATEGORY_CODE, "0406"); /* um_category.csv: 0401 -> 0406 */
    expect_text(&out, OG_F_SOURCE_STATUS, "立案");
    expect_text(&out, OG_F_STATUS, "reported");
    expect_time(&out, OG_F_REPORTED_AT, 1580554140LL * 1000000); /* 2020-02-01T18:49:00+08:00 */
    expect_time(&out, OG_F_UPDATED_AT, 1580554140LL * 1000000);
    expect_text(&out, OG_F_ADDRESS, "汕头市金平区岐山街道马西社区升平路151号");
    expect_text(&out, OG_F_SUMMARY, "网格员巡查发现同益路附近绿地损坏，请尽快处理。");
    expect_num(&out, OG_F_LON, 116.702552);
    expect_num(&out, OG_F_LAT, 23.390121);
    expect_text(&out, OG_F_CRS, "gcj02");
    expect_text(&out, OG_F_DEPT_GRID, "44051101300702");
    assert_int_equal(out.v[OG_F_GRID_CODE].type, OG_V_NULL);
    assert_int_equal(out.v[OG_F_SUBJECT_ID].type, OG_V_NULL);
    assert_int_equal(out.notes, 0);
    json_t *attrs = json_loads(out.attrs, 0, &jerr);
    json_t *want =
        json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "status", "open", "status_notes",
                  "已立案，待派遣", "service_name", "绿地损坏", "expected_datetime",
                  "2020-02-04T18:49:00+08:00", "extended_attributes", "unit_grid", "44051101300702",
                  "stage", "立案", "component_id", "04010070297074");
    if (!json_equal(attrs, want))
        fail_msg("um attrs: %s", out.attrs);
    json_decref(want);
    json_decref(attrs);
    json_decref(doc);
    free(text);
    og_arena_destroy(arena);
    og_mapping_destroy(m);
}

/* Splits one CSV line without quotes (the first sample row has none) into a JSON object by header.
 */
static json_t *csv_row(char *header, char *row)
{
    json_t *o = json_object();
    char *hs = NULL, *rs = NULL;
    char *h = strtok_r(header, ",", &hs);
    char *r = strtok_r(row, ",", &rs);
    while (h && r) {
        json_object_set_new(o, h, json_string(r));
        h = strtok_r(NULL, ",", &hs);
        r = strtok_r(NULL, ",", &rs);
    }
    assert_null(h);
    assert_null(r);
    return o;
}

static void test_shipped_fr(void **state)
{
    (void)state;
    struct og_mapping *m = load_ok("mappings/fire/fr_inspections.json");
    assert_string_equal(og_mapping_department(m), "FR");
    assert_string_equal(og_mapping_kind_id(og_mapping_kind_at(m, 0), OG_F_SUBJECT_ID), "uscc");
    size_t len;
    char *raw = read_file("samples/fr/fr_inspections_20200203.csv", &len);
    /* the header and the first row, GB18030 -> UTF-8 */
    char *end = strstr(raw, "\r\n");
    assert_non_null(end);
    end = strstr(end + 2, "\r\n");
    assert_non_null(end);
    size_t in_left = (size_t)(end - raw), out_size = in_left * 2 + 1, out_left = out_size - 1;
    char *utf8 = calloc(1, out_size), *in = raw, *outp = utf8;
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    assert_true(cd != (iconv_t)-1);
    assert_true(iconv(cd, &in, &in_left, &outp, &out_left) != (size_t)-1);
    iconv_close(cd);
    char *row = strstr(utf8, "\r\n");
    *row = '\0';
    row += 2;
    json_t *doc = csv_row(utf8, row);

    struct og_arena *arena = og_arena_create(0);
    struct og_mapped out;
    struct og_error err;
    og_error_clear(&err);
    int rc = og_mapping_apply(m, doc, arena, &out, &err);
    if (rc != 0)
        fail_msg("fr: %s", err.message);
    expect_text(&out, OG_F_SOURCE_ID, "XFJC2020000001");
    expect_text(&out, OG_F_SOURCE_CATEGORY, "疏散指示缺失");
    expect_text(&out, OG_F_CATEGORY_CODE, "0101");
    expect_text(&out, OG_F_SOURCE_STATUS, "未整改");
    expect_text(&out, OG_F_STATUS, "reported");
    expect_time(&out, OG_F_REPORTED_AT, 1580526600LL * 1000000); /* 2020/2/1 11:10 at +08:00 */
    assert_int_equal(out.v[OG_F_UPDATED_AT].type, OG_V_NULL);
    expect_text(&out, OG_F_ADDRESS, "汕头市金平区光华街道新乡社区长平路27号");
    expect_text(&out, OG_F_SUMMARY, "安全出口指示标志损坏不亮");
    expect_num(&out, OG_F_LON, 116.663615);
    expect_num(&out, OG_F_LAT, 23.411549);
    expect_text(&out, OG_F_CRS, "bd09");
    expect_text(&out, OG_F_DEPT_GRID, "光华街道新乡社区");
    expect_text(&out, OG_F_SUBJECT_ID, "92440511168668434T");
    json_error_t jerr;
    json_t *attrs = json_loads(out.attrs, 0, &jerr);
    json_t *want =
        json_pack("{s:s, s:s}", "单位名称", "汕头市金平区金海湾印刷厂", "整改期限", "2020/2/10");
    if (!json_equal(attrs, want))
        fail_msg("fr attrs: %s", out.attrs);
    json_decref(want);
    json_decref(attrs);
    json_decref(doc);
    free(utf8);
    free(raw);
    og_arena_destroy(arena);
    og_mapping_destroy(m);
}

static void test_shipped_hl(void **state)
{
    (void)state;
    struct og_mapping *m = load_ok("mappings/health/hl_visits.json");
    assert_int_equal(og_mapping_target(m), OG_KIND_VISIT);
    assert_true(og_mapping_uses_identity(m));
    size_t len;
    char *text = read_file("samples/hl/hl_visits_20200203.ndjson", &len);
    char *nl = strchr(text, '\n');
    assert_non_null(nl);
    json_error_t jerr;
    json_t *doc = json_loadb(text, (size_t)(nl - text), 0, &jerr);
    if (!doc)
        fail_msg("sample line: %s", jerr.text);

    struct og_arena *arena = og_arena_create(0);
    struct og_mapped out;
    struct og_error err;
    og_error_clear(&err);
    int rc = og_mapping_apply(m, doc, arena, &out, &err);
    if (rc != 0)
        fail_msg("hl: %s", err.message);
    expect_text(&out, OG_F_SOURCE_ID, "HV2020000000001");
    expect_text(&out, OG_F_WORKER_ID, "JPW0472");
    expect_time(&out, OG_F_VISITED_AT, 1580549520LL * 1000000); /* 2020-02-01T17:32:00+08:00 */
    expect_text(&out, OG_F_GRID_CODE, "440511017004");
    expect_num(&out, OG_F_LON, 116.621508);
    expect_num(&out, OG_F_LAT, 23.361616);
    expect_text(&out, OG_F_CRS, "gcj02");
    expect_text(&out, OG_F_ADDRESS, "汕头市金平区月浦街道月浦社区镇邦路183号11栋602房");
    assert_int_equal(out.nmembers, 4);
    static const char *const ids[] = {"440511201102183290", "440515194901291098",
                                      "440507196712083416", "445202195805228196"};
    static const char *const names[] = {"苏宇玲", "蔡涛", "林强", "吴玲"};
    static const double temps[] = {37.0, 36.4, 36.2, 36.2};
    for (size_t k = 0; k < 4; k++) {
        const struct og_mval *v = out.members[k].v;
        assert_int_equal(v[OG_M_ID_NO].type, OG_V_TEXT);
        assert_string_equal(v[OG_M_ID_NO].s, ids[k]);
        assert_string_equal(v[OG_M_NAME].s, names[k]);
        assert_int_equal(v[OG_M_TEMPERATURE].type, OG_V_NUM);
        assert_true(fabs(v[OG_M_TEMPERATURE].f - temps[k]) < 1e-9);
        assert_int_equal(v[OG_M_SYMPTOMS].type, OG_V_LIST);
        assert_int_equal(v[OG_M_SYMPTOMS].n, 0);
        assert_int_equal(v[OG_M_TRAVEL].type, OG_V_LIST);
        assert_int_equal(v[OG_M_TRAVEL].n, 0);
        assert_string_equal(v[OG_M_HEALTH_CODE].s, "green");
    }
    assert_string_equal(out.attrs, "{}");
    json_decref(doc);
    free(text);
    og_arena_destroy(arena);
    og_mapping_destroy(m);
}

/* ---- main ---------------------------------------------------------------------------------- */

/* Runs every case of FIX name as a cmocka test; the number that failed (1 when the file is bad). */
static int run_cases_file(const char *name)
{
    char path[256], group[300];
    snprintf(path, sizeof(path), FIX "%s", name);
    snprintf(group, sizeof(group), "mapping cases (%s)", name);
    json_error_t jerr;
    g_cases = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!g_cases) {
        fprintf(stderr, "%s:%d:%d: %s\n", path, jerr.line, jerr.column, jerr.text);
        return 1;
    }
    size_t n = json_array_size(g_cases);
    struct CMUnitTest *cases = calloc(n ? n : 1, sizeof(*cases));
    if (!cases) {
        json_decref(g_cases);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(g_cases, i);
        cases[i].name = json_string_value(json_object_get(c, "name"));
        cases[i].test_func = run_case;
        cases[i].initial_state = c;
    }
    int failed = _cmocka_run_group_tests(group, cases, n, NULL, NULL);
    free(cases);
    json_decref(g_cases);
    g_cases = NULL;
    return failed;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rest_attrs_leave_out_subject),
        cmocka_unit_test(test_accessors),
        cmocka_unit_test(test_list_dunhao),
        cmocka_unit_test(test_empty_string_conversions),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_load_error_step_extra_key),
        cmocka_unit_test(test_load_error_members_max),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_load_good_fixtures),
        cmocka_unit_test(test_shipped_um),
        cmocka_unit_test(test_shipped_fr),
        cmocka_unit_test(test_shipped_hl),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    failed += run_cases_file("cases.json");
    failed += run_cases_file("cases_extract.json");
    return failed ? 1 : 0;
}
