/* test_feedgen_xml.c - the XML sample feeds against samples/MANIFEST.json: the UM-1 XML compared
 * with the JSON element by element; the PS-1 exports (GB18030) read with libxml2's reader (no
 * network, no entities) and loaded here by the contract's rules (latest GXSJ wins,
 * mappings/crosswalks/ps.csv, world/jinping/division_alias.csv) to re-derive the manifest's
 * outcome. Run from the repository root. */
#include "tests/unit/feedgen_harness.h"

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
        cmocka_unit_test(test_um_cases_xml),
        cmocka_unit_test(test_ps_population),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
