/* test_xml.c - unit tests of the xml connector: JSON shapes, namespaces, encodings, positions,
 * not-well-formed and hostile files, options, progress, and memory on a large file. */
#include "connectors/xml.h"

#include "core/buf.h"

#include "tests/unit/connector_harness.h"

#include <malloc.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#if defined(__SANITIZE_ADDRESS__)
#define XML_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XML_TEST_ASAN 1
#endif
#endif

static const struct og_connector *const C = &og_connector_xml;

#define XF FIXTURES "xml/"
#define PS1_NS "{\"\": \"urn:gaj:syrk:1.0\"}"
#define PS1_RKXX "{\"records\": \"SJBL/RKXX\", \"namespaces\": " PS1_NS "}"
#define PS1_CZFW "{\"records\": \"SJBL/CZFW\", \"namespaces\": " PS1_NS "}"

/* A value at a dotted path of object keys ("a.b.c") in record i, or NULL. */
static json_t *at(const struct harness_result *r, size_t i, const char *path)
{
    json_t *v = harness_doc(r, i);
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
        v = json_object_get(v, k);
    return v;
}

static const char *at_str(const struct harness_result *r, size_t i, const char *path)
{
    const char *s = json_string_value(at(r, i, path));
    if (!s)
        fail_msg("record %zu has no string at \"%s\"", i, path);
    return s;
}

static long long file_size(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return (long long)sb.st_size;
}

/* stderr redirected to a temporary file, to check that libxml2 prints nothing. */
struct quiet {
    int saved;
    FILE *tmp;
};

static void quiet_begin(struct quiet *q)
{
    fflush(stderr);
    q->tmp = tmpfile();
    assert_non_null(q->tmp);
    q->saved = dup(2);
    assert_true(q->saved >= 0);
    assert_true(dup2(fileno(q->tmp), 2) >= 0);
}

/* Restores stderr; fails when anything was written to it. */
static void quiet_end(struct quiet *q)
{
    fflush(stderr);
    long n = ftell(q->tmp);
    char text[200] = "";
    if (n > 0) {
        rewind(q->tmp);
        size_t got = fread(text, 1, sizeof(text) - 1, q->tmp);
        text[got] = '\0';
    }
    dup2(q->saved, 2);
    close(q->saved);
    fclose(q->tmp);
    if (n != 0)
        fail_msg("libxml2 wrote to stderr: %s", text);
}

/* PS-1: residents and houses interleaved under <SJBL> in the default namespace urn:gaj:syrk:1.0;
 * "RKXX" selects only the residents, "CZFW" only the houses. */
static void test_ps1_residents_and_houses(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, XF "ps1_utf8.xml", PS1_RKXX, &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 3);
    assert_string_equal(harness_str(&r, 0, "GMSFHM"), "11010519491231002X");
    assert_string_equal(harness_str(&r, 0, "XM"), "张三");
    assert_string_equal(harness_str(&r, 0, "HJDZ"), "广东省汕头市金平区金凤街道金凤社区");
    assert_string_equal(harness_str(&r, 0, "GXSJ"), "20200203101500");
    assert_int_equal(json_object_size(harness_doc(&r, 0)), 14); /* 13 fields and "#name" */
    assert_string_equal(harness_str(&r, 0, "#name"), "RKXX");
    assert_string_equal(harness_str(&r, 1, "GMSFHM"), "440511900101123"); /* legacy 15 digits */
    assert_string_equal(harness_str(&r, 1, "XM"), "𠮷祥");
    assert_string_equal(harness_str(&r, 1, "HJDZ"), ""); /* <HJDZ/> */
    assert_string_equal(harness_str(&r, 1, "SQBM"), "440511018008001");
    assert_string_equal(harness_str(&r, 2, "ZXBZ"), "1");
    /* the batch attributes of <SJBL> are not part of the records */
    assert_null(json_object_get(harness_doc(&r, 0), "@PCH"));
    /* lines and exact offsets of the <RKXX> start tags */
    assert_int_equal(harness_doc_num(&r, 0, "line"), 4);
    assert_int_equal(harness_doc_num(&r, 1, "line"), 31);
    assert_int_equal(harness_doc_num(&r, 2, "line"), 58);
    assert_int_equal(harness_doc_num(&r, 0, "offset"), 199 + 2);
    assert_int_equal(harness_doc_num(&r, 2, "index"), 2);
    assert_int_equal(r.total, file_size(XF "ps1_utf8.xml"));
    assert_int_equal(r.done, r.total);
    harness_free(&r);

    harness_read(C, XF "ps1_utf8.xml", PS1_CZFW, &r);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_string_equal(harness_str(&r, 0, "FWBM"), "FW440511000001");
    assert_string_equal(harness_str(&r, 0, "DZ"), "汕头市金平区金凤路12号301房");
    assert_string_equal(harness_str(&r, 0, "ZBX"), "116.6811");
    assert_string_equal(harness_str(&r, 1, "FZXM"), "张三");
    assert_null(json_object_get(harness_doc(&r, 0), "GMSFHM"));
    assert_int_equal(harness_doc_num(&r, 0, "line"), 19);
    assert_int_equal(harness_doc_num(&r, 1, "line"), 46);
    harness_free(&r);

    /* any depth, and the leading slash */
    harness_read(C, XF "ps1_utf8.xml", "{\"records\": \"//RKXX\", \"namespaces\": " PS1_NS "}", &r);
    assert_int_equal(json_array_size(r.docs), 3);
    harness_free(&r);
    harness_read(C, XF "ps1_utf8.xml", "{\"records\": \"/SJBL/CZFW\", \"namespaces\": " PS1_NS "}",
                 &r);
    assert_int_equal(json_array_size(r.docs), 2);
    harness_free(&r);
    /* unprefixed names match no namespace unless "" is bound: nothing here */
    harness_read(C, XF "ps1_utf8.xml", "{\"records\": \"SJBL/RKXX\"}", &r);
    assert_int_equal(json_array_size(r.docs), 0);
    assert_int_equal(json_array_size(r.rejects), 0);
    harness_free(&r);
    /* a prefix of the options (the file has none): keys carry it */
    harness_read(
        C, XF "ps1_utf8.xml",
        "{\"records\": \"ps:SJBL/ps:RKXX\", \"namespaces\": {\"ps\": \"urn:gaj:syrk:1.0\"}}", &r);
    assert_int_equal(json_array_size(r.docs), 3);
    assert_string_equal(harness_str(&r, 0, "ps:XM"), "张三");
    assert_null(json_object_get(harness_doc(&r, 0), "XM"));
    harness_free(&r);
}

/* The GB18030 twin (declared in the prologue) gives the same records, in UTF-8. */
static void test_ps1_gb18030_twin(void **unused)
{
    (void)unused;
    const char *opts[] = {PS1_RKXX, PS1_CZFW};
    for (size_t k = 0; k < 2; k++) {
        struct harness_result u, g;
        harness_read(C, XF "ps1_utf8.xml", opts[k], &u);
        harness_read(C, XF "ps1_gb18030.xml", opts[k], &g);
        assert_int_equal(json_array_size(g.rejects), 0);
        assert_int_equal(json_array_size(g.docs), json_array_size(u.docs));
        for (size_t i = 0; i < json_array_size(u.docs); i++) {
            assert_true(json_equal(harness_doc(&u, i), harness_doc(&g, i)));
            assert_int_equal(harness_doc_num(&g, i, "line"), harness_doc_num(&u, i, "line"));
        }
        assert_int_equal(g.done, file_size(XF "ps1_gb18030.xml"));
        harness_free(&u);
        harness_free(&g);
    }
    struct harness_result g;
    harness_read(C, XF "ps1_gb18030.xml", PS1_RKXX, &g);
    assert_string_equal(harness_str(&g, 1, "XM"), "\xF0\xA0\xAE\xB7\xE7\xA5\xA5"); /* 𠮷祥 */
    assert_string_equal(harness_str(&g, 0, "XZZ"), "汕头市金平区金砂路88号");
    assert_int_equal(harness_doc_num(&g, 0, "offset"), 191 + 2);
    harness_free(&g);
}

/* UM-1: Open311 GeoReport v2 requests.xml (no namespace), with the extension block. */
static void test_open311_requests(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, XF "open311_requests.xml", "{\"records\": \"service_requests/request\"}", &r);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_string_equal(harness_str(&r, 0, "service_request_id"), "UM202002030001");
    assert_string_equal(harness_str(&r, 0, "service_code"), "0102"); /* text, zeros kept */
    assert_string_equal(harness_str(&r, 0, "status_notes"), "");
    assert_string_equal(harness_str(&r, 0, "lat"), "23.3702");
    assert_string_equal(at_str(&r, 0, "extended_attributes.unit_grid"), "44051101400103");
    assert_string_equal(at_str(&r, 0, "extended_attributes.stage"), "派遣");
    assert_string_equal(at_str(&r, 0, "extended_attributes.component_id"), "");
    assert_string_equal(harness_str(&r, 1, "status_notes"), "已处置 & 核查");
    assert_string_equal(harness_str(&r, 1, "description"), "");
    assert_string_equal(harness_str(&r, 1, "media_url"), "");
    assert_int_equal(harness_doc_num(&r, 0, "line"), 3);
    assert_int_equal(harness_doc_num(&r, 1, "line"), 23);
    harness_free(&r);
}

/* The GeoReport v2 specification's own requests.xml sample. */
static void test_open311_spec_sample(void **unused)
{
    (void)unused;
    const char *path = SHARED_DATA "urban/open311_spec/georeport_v2_requests.xml";
    if (access(path, R_OK) != 0) {
        print_message("skipped: %s is not here\n", path);
        skip();
    }
    struct harness_result r;
    harness_read(C, path, "{\"records\": \"service_requests/request\"}", &r);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_string_equal(harness_str(&r, 0, "service_request_id"), "638344");
    assert_string_equal(harness_str(&r, 0, "service_code"), "006");
    assert_string_equal(harness_str(&r, 0, "requested_datetime"), "2010-04-14T06:37:38-08:00");
    /* the sample's trailing space is XML whitespace: trimmed */
    assert_string_equal(harness_str(&r, 0, "media_url"),
                        "http://city.gov.s3.amazonaws.com/requests/media/638344.jpg");
    assert_string_equal(harness_str(&r, 1, "status"), "open");
    assert_string_equal(harness_str(&r, 1, "description"), "");
    assert_int_equal(r.done, r.total);
    harness_free(&r);
}

#define NIBRS_NS                                                                                   \
    "\"nibrs\": \"http://fbi.gov/cjis/nibrs/4.2\", "                                               \
    "\"nc\": \"http://release.niem.gov/niem/niem-core/4.0/\", "                                    \
    "\"j\": \"http://release.niem.gov/niem/domains/jxdm/6.1/\""

/* Several namespaces: keys take the options' prefixes (the file says niem:, the options nc:),
 * whatever prefix or default namespace the file uses; an undeclared namespace gives {uri}. */
static void test_multi_namespace(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, XF "nibrs_like.xml",
                 "{\"records\": \"nibrs:Submission/nibrs:Report\", \"namespaces\": {" NIBRS_NS "}}",
                 &r);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_string_equal(at_str(&r, 0, "nibrs:ReportHeader.nibrs:NIBRSReportCategoryCode"),
                        "GROUP A INCIDENT REPORT");
    assert_string_equal(at_str(&r, 0, "nc:Incident.nc:ActivityIdentification.nc:IdentificationID"),
                        "000054236732");
    json_t *offenses = at(&r, 0, "j:Offense");
    assert_true(json_is_array(offenses));
    assert_int_equal(json_array_size(offenses), 2);
    json_t *o2 = json_array_get(offenses, 1);
    assert_string_equal(json_string_value(json_object_get(o2, "nibrs:OffenseUCRCode")), "23H");
    assert_string_equal(
        json_string_value(json_object_get(o2, "@{http://release.niem.gov/niem/structures/4.0/}id")),
        "Offense2");
    /* the second report uses a default namespace for the same URI */
    assert_string_equal(at_str(&r, 1, "nibrs:ReportHeader.nibrs:NIBRSReportCategoryCode"),
                        "ZERO REPORT");
    assert_int_equal(harness_doc_num(&r, 0, "line"), 11);
    assert_int_equal(harness_doc_num(&r, 1, "line"), 29);
    harness_free(&r);

    /* with "s" declared, and the any-depth form with a prefixed step */
    harness_read(C, XF "nibrs_like.xml",
                 "{\"records\": \"//j:Offense\", \"namespaces\": {" NIBRS_NS
                 ", \"s\": \"http://release.niem.gov/niem/structures/4.0/\"}}",
                 &r);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_string_equal(harness_str(&r, 0, "@s:id"), "Offense1");
    assert_string_equal(harness_str(&r, 1, "j:OffenseAttemptedIndicator"), "true");
    harness_free(&r);

    /* "nibrs" bound to "": its elements are keyed by local name */
    harness_read(C, XF "nibrs_like.xml",
                 "{\"records\": \"Submission/Report\", \"namespaces\": "
                 "{\"\": \"http://fbi.gov/cjis/nibrs/4.2\"}}",
                 &r);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_string_equal(at_str(&r, 1, "ReportHeader.NIBRSReportCategoryCode"), "ZERO REPORT");
    assert_non_null(json_object_get(harness_doc(&r, 1),
                                    "{http://release.niem.gov/niem/niem-core/4.0/}Incident"));
    harness_free(&r);
}

/* The FBI's NIBRS 4.2 samples (namespaces of NIEM 3.0). */
static void test_nibrs_samples(void **unused)
{
    (void)unused;
    const char *path = SHARED_DATA "police/nibrs/nibrs_GroupAIncident_Sample.xml";
    if (access(path, R_OK) != 0) {
        print_message("skipped: %s is not here\n", path);
        skip();
    }
    const char *opts = "{\"records\": \"nibrs:Submission/nibrs:Report\", \"namespaces\": {"
                       "\"nibrs\": \"http://fbi.gov/cjis/nibrs/4.2\", "
                       "\"nc\": \"http://release.niem.gov/niem/niem-core/3.0/\", "
                       "\"j\": \"http://release.niem.gov/niem/domains/jxdm/5.2/\", "
                       "\"s\": \"http://release.niem.gov/niem/structures/3.0/\", "
                       "\"cjis\": \"http://fbi.gov/cjis/1.0\"}}";
    struct harness_result r;
    harness_read(C, path, opts, &r);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 1);
    assert_string_equal(at_str(&r, 0, "nc:Incident.nc:ActivityIdentification.nc:IdentificationID"),
                        "000054236732");
    assert_string_equal(at_str(&r, 0, "nc:Incident.nc:ActivityDate.nc:DateTime"),
                        "2016-02-19T10:00:00");
    assert_string_equal(at_str(&r, 0, "j:Offense.@s:id"), "Offense1");
    assert_string_equal(at_str(&r, 0, "j:Offense.nibrs:OffenseUCRCode"), "13A");
    json_t *items = at(&r, 0, "nc:Item");
    assert_true(json_is_array(items));
    assert_int_equal(json_array_size(items), 5);
    harness_free(&r);
}

#define CCDA_NS "{\"\": \"urn:hl7-org:v3\", \"xsi\": \"http://www.w3.org/2001/XMLSchema-instance\"}"
#define CCDA_SECTIONS                                                                              \
    "{\"records\": \"ClinicalDocument/component/structuredBody/component/section\", "              \
    "\"namespaces\": " CCDA_NS "}"

/* C-CDA: default namespace urn:hl7-org:v3, attributes, repeated children, mixed content. */
static void test_ccda_default_namespace(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, XF "ccda_like.xml", CCDA_SECTIONS, &r);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_string_equal(harness_str(&r, 0, "title"), "ALLERGIES AND ADVERSE REACTIONS");
    assert_string_equal(at_str(&r, 0, "templateId.@root"), "2.16.840.1.113883.10.20.22.2.6.1");
    assert_string_equal(at_str(&r, 0, "code.@code"), "48765-2");
    assert_string_equal(at_str(&r, 0, "entry.act.value.@xsi:type"), "CD");
    assert_string_equal(at_str(&r, 0, "entry.@typeCode"), "DRIV");
    /* mixed content: the element's own text, concatenated, then trimmed */
    assert_string_equal(at_str(&r, 0, "text.#text"), "No known  on file.");
    assert_string_equal(at_str(&r, 0, "text.content.@ID"), "a1");
    assert_string_equal(at_str(&r, 0, "text.content.#text"), "allergies");
    json_t *tids = at(&r, 1, "templateId");
    assert_true(json_is_array(tids));
    assert_int_equal(json_array_size(tids), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tids, 1), "@extension")),
                        "2014-06-09");
    assert_int_equal(json_array_size(at(&r, 1, "entry")), 2);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_array_get(at(&r, 1, "entry"), 1), "substanceAdministration"),
            "@moodCode")),
        "EVN");
    assert_int_equal(harness_doc_num(&r, 0, "line"), 23);
    assert_int_equal(harness_doc_num(&r, 1, "line"), 36);
    harness_free(&r);

    harness_read(C, XF "ccda_like.xml",
                 "{\"records\": \"//recordTarget/patientRole\", \"namespaces\": " CCDA_NS "}", &r);
    assert_int_equal(json_array_size(r.docs), 1);
    json_t *given = at(&r, 0, "patient.name.given");
    assert_int_equal(json_array_size(given), 2);
    assert_string_equal(json_string_value(json_array_get(given, 0)), "Isabella");
    assert_string_equal(json_string_value(json_array_get(given, 1)), "Isa");
    assert_string_equal(at_str(&r, 0, "patient.name.family"), "Jones");
    assert_string_equal(at_str(&r, 0, "patient.name.@use"), "L");
    assert_string_equal(at_str(&r, 0, "id.@extension"), "998991");
    assert_string_equal(at_str(&r, 0, "patient.{urn:hl7-org:sdtc}deceasedInd.@value"), "false");
    harness_free(&r);

    const char *path = SHARED_DATA "health/ccda/ccda_CCD_2.xml";
    if (access(path, R_OK) != 0) {
        print_message("skipped the shared C-CDA sample: %s is not here\n", path);
        return;
    }
    harness_read(C, path, CCDA_SECTIONS, &r);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 7);
    assert_string_equal(harness_str(&r, 0, "title"), "ALLERGIES AND ADVERSE REACTIONS");
    assert_string_equal(harness_str(&r, 1, "@nullFlavor"), "NI");
    assert_string_equal(harness_str(&r, 6, "title"), "Vital Signs (Last Filed)");
    assert_int_equal(harness_doc_num(&r, 0, "line"), 433);
    assert_int_equal(harness_doc_num(&r, 6, "line"), 826);
    assert_int_equal(r.done, r.total);
    harness_free(&r);
}

/* Repeated children become arrays, attributes "@name", text with attributes "#text", CDATA,
 * references, trimming, comments and PIs left out, the record's own attributes and text. */
static void test_json_shapes(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, XF "shapes.xml", "{\"records\": \"root/rec\"}", &r);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 3);
    json_t *want = json_loads(
        "{\"@id\": \"r1\", \"@xml:lang\": \"zh\", \"tag\": [\"a\", \"b\", \"c\"], "
        "\"single\": \"only\", \"amount\": {\"@currency\": \"CNY\", \"#text\": \"12.50\"}, "
        "\"flag\": {\"@on\": \"1\"}, \"empty\": \"\", \"blank\": \"\", \"padded\": \"two  words\", "
        "\"para\": {\"b\": \"world\", \"i\": \"more\", \"#text\": \"Hello  and !\"}, "
        "\"cdata\": \"<not> a tag & no entity\", \"refs\": \"<>&\\\"' 中文\", "
        "\"nested\": {\"inner\": [{\"leaf\": \"deep\"}, {\"leaf\": \"second\"}]}, "
        "\"#name\": \"rec\"}",
        0, NULL);
    assert_non_null(want);
    if (!json_equal(harness_doc(&r, 0), want)) {
        char *got = json_dumps(harness_doc(&r, 0), JSON_COMPACT);
        fail_msg("record 0 is %s", got);
    }
    json_decref(want);
    /* key order: attributes, then children in document order, then #text */
    const char *first = json_object_iter_key(json_object_iter(harness_doc(&r, 0)));
    assert_string_equal(first, "@id");
    assert_string_equal(harness_str(&r, 1, "@id"), "r2");
    assert_string_equal(harness_str(&r, 1, "#text"), "plain text record");
    assert_int_equal(json_object_size(harness_doc(&r, 2)), 1); /* <rec/> is {"#name": "rec"} */
    assert_int_equal(harness_doc_num(&r, 0, "line"), 3);
    assert_int_equal(harness_doc_num(&r, 1, "line"), 22);
    assert_int_equal(harness_doc_num(&r, 2, "line"), 23);
    harness_free(&r);

    /* without attributes: elements with attributes and text are strings */
    harness_read(C, XF "shapes.xml", "{\"records\": \"root/rec\", \"attributes\": false}", &r);
    assert_int_equal(json_array_size(r.docs), 3);
    assert_string_equal(harness_str(&r, 0, "amount"), "12.50");
    assert_string_equal(harness_str(&r, 0, "flag"), "");
    assert_null(json_object_get(harness_doc(&r, 0), "@id"));
    assert_null(json_object_get(harness_doc(&r, 1), "@id"));
    harness_free(&r);

    /* "//rec" also finds the <rec> nested in <other>; a "*" step takes every child of the root */
    harness_read(C, XF "shapes.xml", "{\"records\": \"//rec\"}", &r);
    assert_int_equal(json_array_size(r.docs), 4);
    assert_string_equal(harness_str(&r, 3, "@id"), "nested-not-a-record");
    assert_int_equal(harness_doc_num(&r, 3, "line"), 24);
    harness_free(&r);
    harness_read(C, XF "shapes.xml", "{\"records\": \"root/*\"}", &r);
    assert_int_equal(json_array_size(r.docs), 4);
    assert_string_equal(at_str(&r, 3, "rec.@id"), "nested-not-a-record");
    assert_string_equal(harness_str(&r, 3, "#name"), "other"); /* which element each record is */
    harness_free(&r);

    /* "empty": "null": empty (and blank) elements are null, as Open311's XML means them;
     * elements with attributes or text are as before */
    harness_read(C, XF "shapes.xml", "{\"records\": \"root/rec\", \"empty\": \"null\"}", &r);
    assert_int_equal(json_array_size(r.docs), 3);
    assert_true(json_is_null(json_object_get(harness_doc(&r, 0), "empty")));
    assert_true(json_is_null(json_object_get(harness_doc(&r, 0), "blank")));
    assert_string_equal(harness_str(&r, 0, "single"), "only");
    assert_string_equal(at_str(&r, 0, "flag.@on"), "1");
    harness_free(&r);
}

/* Not well-formed at record 3: records 1 and 2 load, then one bad_xml reject, then the end. */
static void test_bad_xml_third_record(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, XF "bad_third.xml", "{\"records\": \"list/item\"}", &r);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_string_equal(harness_str(&r, 0, "name"), "one");
    assert_string_equal(harness_str(&r, 1, "name"), "two");
    assert_int_equal(json_array_size(r.rejects), 1);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "bad_xml");
    assert_int_equal(harness_rej_num(&r, 0, "index"), 2);
    assert_int_equal(harness_rej_num(&r, 0, "line"), 5);
    assert_string_equal(harness_rej_str(&r, 0, "position"), XF "bad_third.xml:5:37");
    const char *msg = harness_rej_str(&r, 0, "message");
    assert_non_null(strstr(msg, "bad_third.xml"));
    assert_non_null(strstr(msg, "Opening and ending tag mismatch"));
    assert_null(strchr(msg, '\n'));
    const char *raw = harness_rej_str(&r, 0, "raw");
    assert_non_null(raw);
    assert_int_equal(strncmp(raw, "  <item><id>3</id><name>three</nmae>", 36), 0);
    assert_int_equal(r.done, r.total);
    harness_free(&r);

    /* every later next() returns 0 */
    void *state = NULL;
    struct og_error err;
    assert_int_equal(
        harness_open(C, XF "bad_third.xml", "{\"records\": \"list/item\"}", &state, &err), 0);
    int rcs[6];
    for (size_t i = 0; i < 6; i++) {
        json_t *doc = NULL;
        struct og_pos pos;
        char *raw2 = NULL;
        rcs[i] = C->next(state, &doc, &pos, &raw2, &err);
        json_decref(doc);
        free(raw2);
    }
    C->close(state);
    assert_int_equal(rcs[0], 1);
    assert_int_equal(rcs[1], 1);
    assert_int_equal(rcs[2], OG_EPARSE); /* the break ends the file: class REJECT */
    assert_int_equal(rcs[3], 0);
    assert_int_equal(rcs[4], 0);
    assert_int_equal(rcs[5], 0);
}

/* Writes n records, then (when `bad` is not NULL) that text, then 10 more records. */
static const char *write_items(int n, const char *bad, int slot)
{
    size_t cap = (size_t)(n + 20) * 64 + 256, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text + len, cap - len, "<?xml version=\"1.0\"?>\n<list>\n");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, cap - len, "  <item><id>%d</id></item>\n", i);
    if (bad) {
        len += (size_t)snprintf(text + len, cap - len, "%s", bad);
        for (int i = 0; i < 10; i++)
            len += (size_t)snprintf(text + len, cap - len, "  <item><id>x%d</id></item>\n", i);
        len += (size_t)snprintf(text + len, cap - len, "</list>\n");
    }
    const char *path = harness_tempfile(text, len, slot);
    free(text);
    return path;
}

/* Failures deep in a file: every record before the failing one loads, whatever the chunk the
 * parser was in; a file cut in the middle of a record; a file with a second root. */
static void test_bad_xml_in_large_files(void **unused)
{
    (void)unused;
    const char *bad[] = {"  <item><id>5000</id></itme>\n", "  <item a=\"1\" a=\"2\"/>\n",
                         "  <item><id>5000</id></item>\x01\n", "</list><list>\n"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        const char *path = write_items(5000, bad[k], 0);
        struct harness_result r;
        harness_read(C, path, "{\"records\": \"list/item\"}", &r);
        size_t want = 5000; /* k == 2: <item>5000</item> has nothing after it: not taken */
        if (json_array_size(r.docs) != want)
            fail_msg("case %zu: %zu records, want %zu", k, json_array_size(r.docs), want);
        assert_int_equal(json_array_size(r.rejects), 1);
        assert_string_equal(harness_rej_str(&r, 0, "reason"), "bad_xml");
        assert_int_equal(harness_rej_num(&r, 0, "line"), 5003);
        assert_int_equal(harness_doc_num(&r, 4999, "line"), 5002);
        assert_string_equal(at_str(&r, 4999, "id"), "4999");
        harness_free(&r);
        unlink(path);
    }

    /* cut in the middle of record 3001 (index 3000) */
    const char *path = write_items(6000, NULL, 0);
    long long size = file_size(path), cut = 29 + 10;
    for (int i = 0; i < 3000; i++)
        cut += 25 + (i < 10 ? 1 : i < 100 ? 2 : i < 1000 ? 3 : 4);
    assert_int_equal(truncate(path, cut), 0);
    struct harness_result r;
    harness_read(C, path, "{\"records\": \"list/item\"}", &r);
    assert_int_equal(json_array_size(r.docs), 3000);
    assert_int_equal(json_array_size(r.rejects), 1);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "bad_xml");
    assert_int_equal(harness_rej_num(&r, 0, "line"), 3003);
    assert_true(r.total < size);
    harness_free(&r);
    unlink(path);
}

/* Not XML at all, and an empty file: one bad_xml reject, then the end. */
static void test_not_xml_and_empty(void **unused)
{
    (void)unused;
    const char *files[] = {XF "not_xml.xml", XF "empty.xml"};
    for (size_t k = 0; k < 2; k++) {
        struct harness_result r;
        harness_read(C, files[k], "{\"records\": \"list/item\"}", &r);
        assert_int_equal(r.end_rc, 0);
        assert_int_equal(json_array_size(r.docs), 0);
        assert_int_equal(json_array_size(r.rejects), 1);
        assert_string_equal(harness_rej_str(&r, 0, "reason"), "bad_xml");
        assert_int_equal(harness_rej_num(&r, 0, "line"), 1);
        assert_non_null(strstr(harness_rej_str(&r, 0, "position"), ":1:"));
        if (k == 0)
            assert_string_equal(harness_rej_str(&r, 0, "raw"),
                                "{\"this\": \"is JSON\", \"not\": [\"XML\"]}\n");
        else
            assert_non_null(strstr(harness_rej_str(&r, 0, "message"), "the file is empty"));
        harness_free(&r);
    }
}

/* Reads a hostile file: no record, one xml_doctype reject at the DOCTYPE, nothing on stderr. */
static void expect_doctype(const char *path, const char *position, const char *msg_part)
{
    struct quiet q;
    struct harness_result r;
    quiet_begin(&q);
    clock_t t0 = clock();
    harness_read(C, path, "{\"records\": \"list/item\"}", &r);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    quiet_end(&q);
    assert_true(secs < 1.0);
    assert_int_equal(r.end_rc, 0);
    assert_int_equal(json_array_size(r.docs), 0);
    assert_int_equal(json_array_size(r.rejects), 1);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "xml_doctype");
    assert_string_equal(harness_rej_str(&r, 0, "position"), position);
    assert_non_null(strstr(harness_rej_str(&r, 0, "message"), path));
    assert_non_null(strstr(harness_rej_str(&r, 0, "message"), msg_part));
    harness_free(&r);
}

/* An external entity, a billion-laughs bomb, external DTDs, an empty internal subset: refused as
 * a whole; the klass is REJECT. */
static void test_hostile_doctype(void **unused)
{
    (void)unused;
    expect_doctype(XF "xxe.xml", XF "xxe.xml:2:1", "internal subset");
    expect_doctype(XF "laughs.xml", XF "laughs.xml:2:1", "internal subset");
    expect_doctype(XF "dtd_system.xml", XF "dtd_system.xml:3:1", "external DTD");
    expect_doctype(XF "dtd_public.xml", XF "dtd_public.xml:2:1", "external DTD");
    expect_doctype(XF "dtd_empty_subset.xml", XF "dtd_empty_subset.xml:2:1", "internal subset");

    void *state = NULL;
    struct og_error err;
    assert_int_equal(harness_open(C, XF "xxe.xml", "{\"records\": \"//item\"}", &state, &err), 0);
    json_t *doc = NULL;
    struct og_pos pos;
    char *raw = NULL;
    og_error_clear(&err);
    assert_int_equal(C->next(state, &doc, &pos, &raw, &err), OG_EPARSE);
    assert_int_equal(err.code, OG_EPARSE);
    assert_int_equal(err.klass, OG_CLASS_REJECT);
    assert_int_equal(err.reason, OG_R_XML_DOCTYPE);
    assert_null(doc);
    assert_int_equal(C->next(state, &doc, &pos, &raw, &err), 0);
    C->close(state);

    /* a bare DOCTYPE is allowed */
    struct harness_result r;
    harness_read(C, XF "dtd_bare.xml", "{\"records\": \"list/item\"}", &r);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 2);
    assert_string_equal(harness_str(&r, 1, "id"), "2");
    harness_free(&r);
}

/* An entity that is not one of the five predefined: the records before it load, then one
 * xml_doctype reject where it is; also in an attribute of the root. */
static void test_undeclared_entity(void **unused)
{
    (void)unused;
    struct quiet q;
    struct harness_result r;
    quiet_begin(&q);
    harness_read(C, XF "undeclared_entity.xml", "{\"records\": \"list/item\"}", &r);
    quiet_end(&q);
    assert_int_equal(json_array_size(r.docs), 1);
    assert_string_equal(harness_str(&r, 0, "id"), "1");
    assert_int_equal(json_array_size(r.rejects), 1);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "xml_doctype");
    assert_string_equal(harness_rej_str(&r, 0, "position"), XF "undeclared_entity.xml:4:31");
    assert_non_null(strstr(harness_rej_str(&r, 0, "detail"), "nbsp"));
    harness_free(&r);

    const char text[] =
        "<?xml version=\"1.0\"?>\n<list a=\"&ext;\"><item><id>1</id></item></list>\n";
    const char *path = harness_tempfile(text, sizeof(text) - 1, 0);
    harness_read(C, path, "{\"records\": \"list/item\"}", &r);
    assert_int_equal(json_array_size(r.docs), 0);
    assert_int_equal(json_array_size(r.rejects), 1);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "xml_doctype");
    harness_free(&r);
    unlink(path);
}

/* An XInclude element is a plain element: never resolved. */
static void test_xinclude_is_plain(void **unused)
{
    (void)unused;
    struct harness_result r;
    harness_read(C, XF "xinclude.xml", "{\"records\": \"list/item\"}", &r);
    assert_int_equal(json_array_size(r.rejects), 0);
    assert_int_equal(json_array_size(r.docs), 1);
    json_t *inc = json_object_get(harness_doc(&r, 0), "{http://www.w3.org/2001/XInclude}include");
    assert_string_equal(json_string_value(json_object_get(inc, "@href")), "file:///etc/passwd");
    char *all = json_dumps(r.docs, 0);
    assert_null(strstr(all, "root:"));
    free(all);
    harness_free(&r);
    harness_read(C, XF "xinclude.xml",
                 "{\"records\": \"list/item\", \"namespaces\": "
                 "{\"xi\": \"http://www.w3.org/2001/XInclude\"}}",
                 &r);
    assert_string_equal(at_str(&r, 0, "xi:include.@parse"), "text");
    assert_string_equal(harness_str(&r, 0, "id"), "1");
    harness_free(&r);
}

/* Bytes that are not GB18030 in a file that declares it, and nesting past libxml2's limit:
 * bad_xml rejects, nothing printed. */
static void test_encoding_error_and_depth(void **unused)
{
    (void)unused;
    const char gb[] = "<?xml version=\"1.0\" encoding=\"GB18030\"?>\n<list>\n"
                      "  <item><id>1</id><name>\xD5\xC5\xC8\xFD</name></item>\n"
                      "  <item><id>2</id><name>\x81\x20\xFF\xFF</name></item>\n</list>\n";
    const char *path = harness_tempfile(gb, sizeof(gb) - 1, 0);
    struct quiet q;
    struct harness_result r;
    quiet_begin(&q);
    harness_read(C, path, "{\"records\": \"list/item\"}", &r);
    quiet_end(&q);
    assert_int_equal(json_array_size(r.rejects), 1);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "bad_xml");
    assert_true(json_array_size(r.docs) <= 1);
    if (json_array_size(r.docs) == 1)
        assert_string_equal(harness_str(&r, 0, "name"), "张三");
    harness_free(&r);
    unlink(path);

    /* found by fuzz_xml: libxml2 printed "xmlParseChunk: encoder error" on stderr */
    const char ff[] = "<?xml version=\"1.0\" encoding=\"GB18030\"?>\n<list>x"
                      "\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\n";
    path = harness_tempfile(ff, sizeof(ff) - 1, 0);
    quiet_begin(&q);
    harness_read(C, path, "{\"records\": \"list/item\"}", &r);
    quiet_end(&q);
    assert_int_equal(json_array_size(r.rejects), 1);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "bad_xml");
    assert_null(strstr(harness_rej_str(&r, 0, "message"), "the parser stopped"));
    harness_free(&r);
    unlink(path);

    struct og_buf deep = OG_BUF_INIT;
    og_buf_puts(&deep, "<list><item>");
    for (int i = 0; i < 300; i++)
        og_buf_puts(&deep, "<d>");
    og_buf_puts(&deep, "x");
    for (int i = 0; i < 300; i++)
        og_buf_puts(&deep, "</d>");
    og_buf_puts(&deep, "</item></list>\n");
    path = harness_tempfile(deep.data, deep.len, 0);
    og_buf_free(&deep);
    quiet_begin(&q);
    harness_read(C, path, "{\"records\": \"list/item\"}", &r);
    quiet_end(&q);
    assert_int_equal(json_array_size(r.docs), 0);
    assert_int_equal(json_array_size(r.rejects), 1);
    assert_string_equal(harness_rej_str(&r, 0, "reason"), "bad_xml");
    harness_free(&r);
    unlink(path);
}

static void expect_config_error(const char *options, const char *msg_part)
{
    void *state = NULL;
    struct og_error err;
    int rc = harness_open(C, XF "ps1_utf8.xml", options, &state, &err);
    if (rc != OG_ECONFIG)
        fail_msg("options %s: open gave %d, want OG_ECONFIG", options, rc);
    assert_null(state);
    assert_int_equal(err.reason, OG_R_BAD_CONFIG);
    assert_int_equal(err.klass, OG_CLASS_FATAL);
    if (!strstr(err.message, msg_part) && !strstr(err.detail, msg_part))
        fail_msg("options %s: \"%s\" / \"%s\" lacks \"%s\"", options, err.message, err.detail,
                 msg_part);
}

static void test_options_and_errors(void **unused)
{
    (void)unused;
    expect_config_error("{\"records\": \"SJBL/RKXX\", \"record\": 1}",
                        "unknown option \"record\" for connector xml");
    expect_config_error("{\"namespaces\": {}}", "\"records\" for connector xml is required");
    expect_config_error("{\"records\": \"a/b\", \"empty\": \"zero\"}", "\"empty\"");
    expect_config_error(NULL, "\"records\" for connector xml is required");
    expect_config_error("{\"records\": 5}", "must be a string");
    expect_config_error("{\"records\": \"a\", \"attributes\": \"yes\"}", "must be a boolean");
    expect_config_error("{\"records\": \"a\", \"namespaces\": []}", "must be an object");
    expect_config_error("{\"records\": \"ps:SJBL/ps:RKXX\"}", "prefix \"ps\"");
    expect_config_error("{\"records\": \"SJBL//RKXX\"}", "each step");
    expect_config_error("{\"records\": \"\"}", "each step");
    expect_config_error("{\"records\": \"SJBL/\"}", "each step");
    expect_config_error("{\"records\": \"a:b:c\", \"namespaces\": {\"a\": \"urn:a\"}}", "step");
    expect_config_error("{\"records\": \"a\", \"namespaces\": {\"a\": 1}}", "URI");
    expect_config_error("{\"records\": \"a\", \"namespaces\": {\"a\": \"\"}}", "URI");
    expect_config_error("{\"records\": \"a\", \"namespaces\": {\"a:b\": \"urn:x\"}}", "prefix");

    void *state = NULL;
    struct og_error err;
    assert_int_equal(harness_open(C, XF "no_such_file.xml", "{\"records\": \"a/b\"}", &state, &err),
                     OG_EIO);
    assert_int_equal(err.klass, OG_CLASS_FATAL);
    assert_non_null(strstr(err.message, "no_such_file.xml"));
    assert_null(state);
    /* a read error (a directory opens, and cannot be read) names the file */
    assert_int_equal(harness_open(C, XF, "{\"records\": \"a/b\"}", &state, &err), OG_EIO);
    assert_int_equal(err.reason, OG_R_IO);
    assert_string_equal(err.message, "could not read \"" XF "\": Is a directory");
    assert_null(state);
    C->close(NULL);

    assert_string_equal(C->name, "xml");
    assert_non_null(C->summary);
    assert_string_equal(C->options[0].key, "records");
    assert_string_equal(C->options[1].key, "namespaces");
    assert_string_equal(C->options[1].type, "object");
    assert_string_equal(C->options[2].key, "attributes");
    assert_string_equal(C->options[2].def, "true");
    assert_string_equal(C->options[3].key, "empty");
    assert_string_equal(C->options[3].def, "text");
    assert_null(C->options[4].key);
}

/* Progress counts the bytes read: it grows while reading and is the size at the end. */
static void test_progress(void **unused)
{
    (void)unused;
    const char *path = write_items(20000, NULL, 0);
    FILE *fp = fopen(path, "a");
    fputs("</list>\n", fp);
    fclose(fp);
    long long size = file_size(path);
    void *state = NULL;
    struct og_error err;
    assert_int_equal(harness_open(C, path, "{\"records\": \"list/item\"}", &state, &err), 0);
    long long done = -1, total = -1, last = 0, n = 0;
    C->progress(state, &done, &total);
    assert_int_equal(total, size);
    assert_true(done >= 0 && done < size);
    for (;;) {
        json_t *doc = NULL;
        struct og_pos pos;
        char *raw = NULL;
        int rc = C->next(state, &doc, &pos, &raw, &err);
        json_decref(doc);
        if (rc != 1)
            break;
        n++;
        C->progress(state, &done, &total);
        assert_true(done >= last);
        assert_true(done <= total);
        if (n == 100)
            assert_true(done < size / 2);
        last = done;
    }
    C->progress(state, &done, &total);
    assert_int_equal(n, 20000);
    assert_int_equal(done, size);
    C->close(state);
    unlink(path);
}

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Under AddressSanitizer or valgrind freed memory is held back (quarantine), so RSS says nothing
 * about the connector: the file is smaller there and memory is not asserted. */
static bool instrumented(void)
{
#ifdef XML_TEST_ASAN
    return true;
#else
    const char *preload = getenv("LD_PRELOAD");
    return preload && strstr(preload, "vgpreload");
#endif
}

/* 200,000 PS-1 residents (~90 MB, 3 million lines): the peak RSS grows by less than 16 MB, so does
 * the heap in use, and line numbers stay exact past 65535. */
static void test_large_file_bounded_memory(void **unused)
{
    (void)unused;
    char dir[] = "/tmp/og_test_xml_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof(path), "%s/big.xml", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    setvbuf(fp, NULL, _IOFBF, 1 << 16);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<SJBL xmlns=\"urn:gaj:syrk:1.0\" PCH=\"1\" SCSJ=\"20200203235959\">\n",
          fp);
    const int n_records = instrumented() ? 20000 : 200000;
    for (int i = 0; i < n_records; i++)
        fprintf(fp,
                "  <RKXX>\n    <GMSFHM>4405111990%08d</GMSFHM>\n    <XM>张三%d</XM>\n"
                "    <XBDM>1</XBDM>\n    <CSRQ>19900101</CSRQ>\n    <MZDM>01</MZDM>\n"
                "    <RYLBDM>01</RYLBDM>\n    <HJDZ>广东省汕头市金平区金凤街道金凤社区</HJDZ>\n"
                "    <XZZ>汕头市金平区金砂路%d号</XZZ>\n    <SQBM>440511018008</SQBM>\n"
                "    <JWWGBM>44051103JW012</JWWGBM>\n    <DJSJ>20200101080000</DJSJ>\n"
                "    <ZXBZ>0</ZXBZ>\n    <GXSJ>20200203101500</GXSJ>\n  </RKXX>\n",
                i, i, i);
    fputs("</SJBL>\n", fp);
    assert_int_equal(fclose(fp), 0);
    long long size = file_size(path);

    long before = max_rss_kb();
    size_t heap_base = mallinfo2().uordblks, heap_peak = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    void *state = NULL;
    struct og_error err;
    assert_int_equal(harness_open(C, path, PS1_RKXX, &state, &err), 0);
    long long n = 0, last_line = 0, last_offset = 0;
    json_t *last = NULL;
    for (;;) {
        json_t *doc = NULL;
        struct og_pos pos;
        char *raw = NULL;
        int rc = C->next(state, &doc, &pos, &raw, &err);
        if (rc != 1) {
            assert_int_equal(rc, 0);
            break;
        }
        assert_int_equal(pos.index, n);
        n++;
        last_line = pos.line;
        last_offset = pos.offset;
        json_decref(last);
        last = doc;
        if (n % 1000 == 0) {
            size_t heap = mallinfo2().uordblks;
            if (heap > heap_base && heap - heap_base > heap_peak)
                heap_peak = heap - heap_base;
        }
    }
    long long done, total;
    C->progress(state, &done, &total);
    C->close(state);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long growth = max_rss_kb() - before;
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("large file: %lld records, %lld bytes in %.2f s; peak RSS growth %ld KiB, "
                  "peak heap in use %zu KiB\n",
                  n, size, secs, growth, heap_peak / 1024);

    assert_int_equal(n, n_records);
    assert_int_equal(done, size);
    assert_int_equal(last_line, 3 + (long long)(n_records - 1) * 15);
    assert_true(last_offset > size - 1000 && last_offset < size);
    char want[32];
    snprintf(want, sizeof(want), "张三%d", n_records - 1);
    assert_string_equal(json_string_value(json_object_get(last, "XM")), want);
    json_decref(last);
    if (!instrumented()) {
        assert_true(growth < 16 * 1024);
        assert_true(heap_peak < (size_t)16 * 1024 * 1024);
    }
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_large_file_bounded_memory),
        cmocka_unit_test(test_ps1_residents_and_houses),
        cmocka_unit_test(test_ps1_gb18030_twin),
        cmocka_unit_test(test_open311_requests),
        cmocka_unit_test(test_open311_spec_sample),
        cmocka_unit_test(test_multi_namespace),
        cmocka_unit_test(test_nibrs_samples),
        cmocka_unit_test(test_ccda_default_namespace),
        cmocka_unit_test(test_json_shapes),
        cmocka_unit_test(test_bad_xml_third_record),
        cmocka_unit_test(test_bad_xml_in_large_files),
        cmocka_unit_test(test_not_xml_and_empty),
        cmocka_unit_test(test_hostile_doctype),
        cmocka_unit_test(test_undeclared_entity),
        cmocka_unit_test(test_xinclude_is_plain),
        cmocka_unit_test(test_encoding_error_and_depth),
        cmocka_unit_test(test_options_and_errors),
        cmocka_unit_test(test_progress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
