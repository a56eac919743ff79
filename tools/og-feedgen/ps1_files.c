/* ps1_files.c - og-feedgen's PS-1 sample files (samples/ps/RKXX_*.xml) and what loading them
 * gives, for MANIFEST.json.
 *
 * RKXX_20200203_001.xml is the first full export (every resident and house), RKXX_20200204_001.xml
 * a day of changes (moves, deregistrations, new residents, houses re-let, a few out-of-order older
 * updates and same-time repeats), RKXX_20200205_001.xml valid changes cut off in the middle of a
 * record, RKXX_20200205_002.xml a hostile file (a DOCTYPE declaring a "billion laughs" bomb and an
 * external entity). The expected outcome is computed from the records as written, by the loading
 * rules of samples/README.md: latest GXSJ wins per normalised ID number or FWBM (ties: read later),
 * the beat through crosswalks/ps.csv, else the community code, houses by point first. */
#include "tools/og-feedgen/ps1.h"

#include "tools/common/io.h"
#include "tools/common/mem.h"
#include "tools/common/text.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define PS1_NFILES 4

static const char *const FILE_NAMES[PS1_NFILES] = {"RKXX_20200203_001.xml", "RKXX_20200204_001.xml",
                                                   "RKXX_20200205_001.xml",
                                                   "RKXX_20200205_002.xml"};
static const char *const REASONS[4] = {"missing_field", "invalid_time", "bad_xml", "xml_doctype"};

struct file_stats {
    long written, loaded, rejected[4];
};

/* The run: population, records read, tallies. */
struct pf {
    struct ps1_gen g;
    struct fg_feed_stats st;
    struct ps1_person *P;
    size_t np;
    struct ps1_house *H;
    size_t nh;
    struct prec *recs;
    size_t nrec, caprec;
    struct file_stats fs[PS1_NFILES];
    long moved, deregistered, new_residents, houses_updated, new_houses;
};

static int reason_index(const char *reason)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(REASONS[i], reason) == 0) {
            return i;
        }
    }
    return 0;
}

/* Keeps a complete record of file `file`, counting it. */
static int add_rec(struct pf *s, int file, int owner, const struct ps1_rec *rec, struct prec **out)
{
    if (og_tool_grow((void **)&s->recs, &s->caprec, s->nrec + 1, sizeof *s->recs)) {
        return OG_ENOMEM;
    }
    struct prec *p = &s->recs[s->nrec];
    p->rec = *rec;
    p->file = file;
    p->seq = (long)s->nrec++;
    p->owner = owner;
    ps1_tally(&s->st, rec);
    s->fs[file].written++;
    if (rec->loaded) {
        s->fs[file].loaded++;
    }
    else {
        s->fs[file].rejected[reason_index(rec->reason)]++;
    }
    if (out) {
        *out = p;
    }
    return 0;
}

static int put_person(struct pf *s, int file, size_t i, enum ps1_form f, enum ps1_class cl,
                      struct prec **out)
{
    struct ps1_rec rec;
    int rc = ps1_put_person(&s->g, &s->P[i], f, cl, &rec);
    return rc ? rc : add_rec(s, file, (int)i, &rec, out);
}

static int put_house(struct pf *s, int file, size_t j, enum ps1_class cl, struct prec **out)
{
    struct ps1_rec rec;
    int rc = ps1_put_house(&s->g, &s->H[j], cl, &rec);
    return rc ? rc : add_rec(s, file, (int)j, &rec, out);
}

/* Writes the text in g.xml as GB18030 to dir/name and empties it. */
static int flush_file(struct pf *s, const char *dir, int file)
{
    char path[4096], *gb = NULL;
    size_t gblen = 0;
    struct og_error err;
    og_error_clear(&err);
    snprintf(path, sizeof path, "%s/%s", dir, FILE_NAMES[file]);
    int rc = fg_to_gb18030(s->g.xml.data, s->g.xml.len, &gb, &gblen, &err);
    rc = rc ? rc : og_tool_write_file(path, gb, gblen, &err);
    free(gb);
    og_buf_reset(&s->g.xml);
    if (rc) {
        char msg[1024];
        fprintf(stderr, "og-feedgen: %s\n", og_error_format(&err, msg, sizeof msg));
    }
    return rc;
}

/* A change to write: what and to whom. */
enum item_kind { IT_PERSON, IT_HOUSE, IT_MOVE, IT_DEREG, IT_OOO, IT_TIE, IT_HOUSE_UPD };
struct item {
    enum item_kind kind;
    size_t idx;
};

static void shuffle(struct og_tool_rng *r, struct item *v, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = og_tool_rng_below(r, (uint32_t)i);
        struct item t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

static int push(struct item **v, size_t *n, size_t *cap, enum item_kind kind, size_t idx)
{
    if (og_tool_grow((void **)v, cap, *n + 1, sizeof **v)) {
        return OG_ENOMEM;
    }
    (*v)[(*n)++] = (struct item){kind, idx};
    return 0;
}

/* Day d of February 2020, between hours h0 and h1 (local). */
static int64_t on_day(struct pf *s, int d, int h0, int h1)
{
    return ps1_time_in(&s->g, ps1_secs(2020, 2, d, h0, 0, 0), ps1_secs(2020, 2, d, h1, 0, 0));
}

/* Writes one change item into file `file` (day d). */
static int put_item(struct pf *s, int file, int d, const struct item *it, bool may_reject)
{
    struct og_tool_rng *r = &s->g.r;
    enum ps1_class cl = may_reject ? ps1_pick_class(&s->g) : RC_OK;
    struct prec *pr = NULL;
    int rc = 0;
    switch (it->kind) {
    case IT_PERSON: { /* a new resident */
        rc = put_person(s, file, it->idx, s->P[it->idx].form, cl, &pr);
        s->new_residents += rc == 0 && pr->rec.loaded;
        break;
    }
    case IT_HOUSE:
        rc = put_house(s, file, it->idx, cl, &pr);
        s->new_houses += rc == 0 && pr->rec.loaded;
        break;
    case IT_MOVE: {
        struct ps1_person *p = &s->P[it->idx];
        rc = ps1_move(&s->g, p, -1);
        p->gxsj = on_day(s, d, 8, 20);
        enum ps1_form f = p->form;
        bool changed = false;
        if (!p->shared && !p->bad_check && f == PF_PLAIN && og_tool_rng_chance(r, 0.3)) {
            f = ps1_form_ok(p, PF_LEGACY) ? PF_LEGACY : PF_FULLWIDTH; /* written another way */
            changed = true;
        }
        rc = rc ? rc : put_person(s, file, it->idx, f, cl, &pr);
        if (rc == 0 && pr->rec.loaded) {
            s->moved++;
            fg_tally_add(&s->st.defects, "id_form_changed", changed);
        }
        break;
    }
    case IT_DEREG:
        s->P[it->idx].zxbz = true;
        s->P[it->idx].gxsj = on_day(s, d, 8, 20);
        rc = put_person(s, file, it->idx, s->P[it->idx].form, cl, &pr);
        s->deregistered += rc == 0 && pr->rec.loaded;
        break;
    case IT_OOO: { /* a station's delayed sync: older than the export of Feb 3, another address */
        struct ps1_person q = s->P[it->idx];
        rc = ps1_move(&s->g, &q, -1);
        int64_t back = q.gxsj - q.djsj - 1;
        q.gxsj -= ps1_time_in(&s->g, 3600, back < 10 * PS1_DAY ? back : 10 * PS1_DAY);
        struct ps1_rec rec;
        rc = rc ? rc : ps1_put_person(&s->g, &q, q.form, RC_OK, &rec);
        rc = rc ? rc : add_rec(s, file, (int)it->idx, &rec, &pr);
        if (rc == 0) {
            pr->ooo = true;
            fg_tally_add(&s->st.defects, "out_of_order_older", 1);
        }
        break;
    }
    case IT_TIE: { /* moved twice at the same GXSJ: the record read later wins */
        struct ps1_person *p = &s->P[it->idx];
        int64_t t = on_day(s, d, 8, 20);
        for (int k = 0; k < 2 && rc == 0; k++) {
            rc = ps1_move(&s->g, p, -1);
            p->gxsj = t;
            rc = rc ? rc : put_person(s, file, it->idx, p->form, RC_OK, &pr);
        }
        if (rc == 0) {
            pr->tie = true;
            s->moved += 2;
            fg_tally_add(&s->st.defects, "same_gxsj_later_wins", 1);
        }
        break;
    }
    case IT_HOUSE_UPD: { /* re-let: other tenants */
        struct ps1_house *h = &s->H[it->idx];
        int old = h->zhrs;
        if (og_tool_rng_chance(r, 0.3)) {
            h->czjs = og_tool_rng_range(r, 1, 4);
        }
        while (h->zhrs == old) {
            h->zhrs = og_tool_rng_range(r, 0, h->czjs * 3);
        }
        h->gxsj = on_day(s, d, 8, 20);
        rc = put_house(s, file, it->idx, cl, &pr);
        s->houses_updated += rc == 0 && pr->rec.loaded;
        break;
    }
    }
    return rc;
}

/* The file of Feb 3: every resident and house. */
static int file_full(struct pf *s, const char *dir, size_t n, size_t nh)
{
    struct item *v = NULL;
    size_t nv = 0, cap = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = push(&v, &nv, &cap, IT_PERSON, i);
    }
    for (size_t j = 0; j < nh && rc == 0; j++) {
        rc = push(&v, &nv, &cap, IT_HOUSE, j);
    }
    if (rc == 0) {
        shuffle(&s->g.r, v, nv);
    }
    rc = rc ? rc
            : ps1_open_root(&s->g.xml, "GA440511-20200203-001", ps1_secs(2020, 2, 3, 23, 30, 0));
    for (size_t k = 0; k < nv && rc == 0; k++) {
        enum ps1_class cl = ps1_pick_class(&s->g);
        rc = v[k].kind == IT_PERSON ? put_person(s, 0, v[k].idx, s->P[v[k].idx].form, cl, NULL)
                                    : put_house(s, 0, v[k].idx, cl, NULL);
    }
    free(v);
    rc = rc ? rc : ps1_close_root(&s->g.xml);
    return rc ? rc : flush_file(s, dir, 0);
}

struct mask_ent {
    char mask[24];
    size_t idx;
};

static int cmp_mask(const void *a, const void *b)
{
    return strcmp(((const struct mask_ent *)a)->mask, ((const struct mask_ent *)b)->mask);
}

/* Marks in uniq[i] the persons whose masked number no other person of the population shares. */
static int unique_masks(const struct pf *s, bool *uniq)
{
    struct mask_ent *m = calloc(s->np ? s->np : 1, sizeof *m);
    if (!m) {
        return OG_ENOMEM;
    }
    for (size_t i = 0; i < s->np; i++) {
        struct og_id id;
        og_id_parse(s->P[i].id, OG_ID_RESIDENT, &id);
        og_id_mask(&id, m[i].mask, sizeof m[i].mask);
        m[i].idx = i;
    }
    qsort(m, s->np, sizeof *m, cmp_mask);
    for (size_t i = 0; i < s->np; i++) {
        bool dup = (i > 0 && strcmp(m[i].mask, m[i - 1].mask) == 0) ||
                   (i + 1 < s->np && strcmp(m[i].mask, m[i + 1].mask) == 0);
        uniq[m[i].idx] = !dup;
    }
    free(m);
    return 0;
}

/* The files of Feb 4 (changes) and Feb 5 (changes cut off; hostile). */
static int file_changes(struct pf *s, const char *dir, size_t n, size_t nh, size_t n2, size_t n3,
                        size_t nh2)
{
    struct og_tool_rng *r = &s->g.r;
    bool *loaded1 = calloc(n + nh + 1, sizeof *loaded1), *busy = calloc(n + 1, sizeof *busy);
    bool *uniq = calloc(s->np + 1, sizeof *uniq);
    struct item *v = NULL;
    size_t nv = 0, cap = 0;
    int rc = loaded1 && busy && uniq ? unique_masks(s, uniq) : OG_ENOMEM;
    for (size_t k = 0; rc == 0 && k < s->nrec; k++) {
        const struct prec *p = &s->recs[k];
        if (p->rec.loaded) {
            loaded1[p->rec.house ? n + (size_t)p->owner : (size_t)p->owner] = true;
        }
    }
    /* a few out-of-order older updates (persons with a unique mask) and two same-time repeats */
    size_t nooo = n / 250 > 3 ? n / 250 : 3, got = 0;
    for (long tries = 0; rc == 0 && got < nooo + 2 && tries < 100000 && n > 0; tries++) {
        size_t i = og_tool_rng_below(r, (uint32_t)n);
        const struct ps1_person *p = &s->P[i];
        if (!loaded1[i] || busy[i] || p->zxbz || (got < nooo && !uniq[i]) ||
            p->gxsj - p->djsj < 7200) {
            continue;
        }
        busy[i] = true;
        rc = push(&v, &nv, &cap, got < nooo ? IT_OOO : IT_TIE, i);
        got++;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        double u = og_tool_rng_unit(r);
        if (loaded1[i] && !busy[i] && !s->P[i].zxbz && u < 0.06) {
            rc = push(&v, &nv, &cap, u < 0.04 ? IT_MOVE : IT_DEREG, i);
        }
    }
    for (size_t j = 0; j < nh && rc == 0; j++) {
        if (og_tool_rng_chance(r, 0.10) && loaded1[n + j]) {
            rc = push(&v, &nv, &cap, IT_HOUSE_UPD, j);
        }
    }
    for (size_t i = n; i < n + n2 && rc == 0; i++) {
        rc = push(&v, &nv, &cap, IT_PERSON, i);
    }
    for (size_t j = nh; j < nh + nh2 && rc == 0; j++) {
        rc = push(&v, &nv, &cap, IT_HOUSE, j);
    }
    if (rc == 0) {
        shuffle(r, v, nv);
    }
    rc = rc ? rc
            : ps1_open_root(&s->g.xml, "GA440511-20200204-001", ps1_secs(2020, 2, 4, 23, 30, 0));
    for (size_t k = 0; k < nv && rc == 0; k++) {
        rc = put_item(s, 1, 4, &v[k], v[k].kind != IT_OOO && v[k].kind != IT_TIE);
    }
    rc = rc ? rc : ps1_close_root(&s->g.xml);
    rc = rc ? rc : flush_file(s, dir, 1);

    /* Feb 5: valid changes, then the export stops in the middle of a record */
    nv = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (loaded1[i] && !busy[i] && !s->P[i].zxbz && og_tool_rng_chance(r, 0.006)) {
            rc = push(&v, &nv, &cap, IT_MOVE, i);
        }
    }
    for (size_t j = 0; j < nh && rc == 0; j++) {
        if (loaded1[n + j] && og_tool_rng_chance(r, 0.02)) {
            rc = push(&v, &nv, &cap, IT_HOUSE_UPD, j);
        }
    }
    for (size_t i = n + n2; i < n + n2 + n3 && rc == 0; i++) {
        rc = push(&v, &nv, &cap, IT_PERSON, i);
    }
    if (rc == 0) {
        shuffle(r, v, nv);
    }
    rc =
        rc ? rc : ps1_open_root(&s->g.xml, "GA440511-20200205-001", ps1_secs(2020, 2, 5, 12, 0, 0));
    for (size_t k = 0; k < nv && rc == 0; k++) {
        rc = put_item(s, 2, 5, &v[k], false);
    }
    if (rc == 0) {
        size_t start = s->g.xml.len, cut = n + n2 + n3;
        struct ps1_rec rec;
        rc = ps1_put_person(&s->g, &s->P[cut], s->P[cut].form, RC_OK, &rec);
        const char *xzz = rc ? NULL : strstr(s->g.xml.data + start, "<XZZ>");
        if (!xzz) {
            rc = rc ? rc : OG_EINVAL;
        }
        else {
            /* "<XZZ>" and the city's name (汕头市, 9 bytes): a character boundary */
            s->g.xml.len = (size_t)(xzz - s->g.xml.data) + 5 + 9;
            s->g.xml.data[s->g.xml.len] = '\0';
        }
        s->st.written++;
        s->fs[2].written++;
        s->fs[2].rejected[2]++;
        fg_tally_add(&s->st.rejected, "bad_xml", 1);
        fg_tally_add(&s->st.defects, "bad_xml_cut", 1);
    }
    rc = rc ? rc : flush_file(s, dir, 2);

    /* Feb 5, file 2: a DOCTYPE with an entity bomb and an external entity before the records */
    rc = rc ? rc
            : og_buf_puts(&s->g.xml, "<?xml version=\"1.0\" encoding=\"GB18030\"?>\n"
                                     "<!DOCTYPE SJBL [\n  <!ENTITY lol \"lol\">\n");
    for (int k = 1; k <= 9 && rc == 0; k++) {
        rc = og_buf_printf(&s->g.xml, "  <!ENTITY lol%d \"", k);
        for (int j = 0; j < 10 && rc == 0; j++) {
            rc = k == 1 ? og_buf_puts(&s->g.xml, "&lol;")
                        : og_buf_printf(&s->g.xml, "&lol%d;", k - 1);
        }
        rc = rc ? rc : og_buf_puts(&s->g.xml, "\">\n");
    }
    rc = rc ? rc
            : og_buf_puts(&s->g.xml,
                          "  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n"
                          "<SJBL xmlns=\"urn:gaj:syrk:1.0\" PCH=\"GA440511-20200205-002\" "
                          "SCSJ=\"20200205233500\">\n");
    for (size_t i = n + n2 + n3 + 1; i < s->np && rc == 0; i++) {
        rc = ps1_put_hostile(&s->g, &s->P[i]);
        s->st.written++;
        s->fs[3].written++;
    }
    rc = rc ? rc : ps1_close_root(&s->g.xml);
    s->fs[3].rejected[3] = 1;
    fg_tally_add(&s->st.rejected, "xml_doctype", 1);
    fg_tally_add(&s->st.defects, "xml_doctype_hostile", 1);
    rc = rc ? rc : flush_file(s, dir, 3);
    free(v);
    free(loaded1);
    free(busy);
    free(uniq);
    return rc;
}

/* Makes the population: n residents of the first export, n2 new on Feb 4, n3 new on Feb 5, the one
 * the cut file stops in, three of the hostile file; nh houses and nh2 new ones. */
static int populate(struct pf *s, size_t n, size_t n2, size_t n3, size_t nh, size_t nh2)
{
    s->np = n + n2 + n3 + 1 + 3;
    s->nh = nh + nh2;
    s->P = calloc(s->np, sizeof *s->P);
    s->H = calloc(s->nh ? s->nh : 1, sizeof *s->H);
    if (!s->P || !s->H) {
        return OG_ENOMEM;
    }
    int64_t lo = ps1_secs(2018, 1, 1, 0, 0, 0), day3 = ps1_secs(2020, 2, 3, 8, 0, 0);
    int64_t end1 = ps1_secs(2020, 2, 3, 21, 0, 0);
    int rc = 0;
    for (size_t i = 0; i < s->np && rc == 0; i++) {
        struct ps1_person *p = &s->P[i];
        rc = ps1_new_person(&s->g, i < n + n2 + n3 ? 0.5 : 0.0, -1, p);
        if (i < n) {
            bool today = og_tool_rng_chance(&s->g.r, 0.2);
            int64_t from = today ? day3 : lo;
            p->gxsj = ps1_daytime(&s->g, p->djsj > from ? p->djsj : from, end1);
            p->zxbz = og_tool_rng_chance(&s->g.r, 0.01);
        }
        else {
            p->gxsj = on_day(s, i < n + n2 ? 4 : 5, 8, i < n + n2 ? 20 : 11);
            p->djsj = p->gxsj - ps1_time_in(&s->g, 0, 3600);
        }
    }
    for (size_t j = 0; j < s->nh && rc == 0; j++) {
        rc = ps1_new_house(&s->g, &s->H[j]);
        s->H[j].gxsj =
            j < nh ? ps1_daytime(&s->g, ps1_secs(2019, 1, 1, 0, 0, 0), end1) : on_day(s, 4, 8, 20);
    }
    return rc;
}

int fg_gen_ps1_files(const struct fg_world *w, uint64_t seed, long n, long hl_n, const char *dir,
                     struct json_t **manifest)
{
    struct pf s;
    memset(&s, 0, sizeof s);
    *manifest = NULL;
    size_t nr = (size_t)n, nh = nr / 5, n2 = nr * 4 / 100 + 1, n3 = nr / 100 + 1;
    size_t nh2 = nh * 2 / 100 + 1;
    int rc = ps1_init(&s.g, w, seed, hl_n, &s.st);
    rc = rc ? rc : populate(&s, nr, n2, n3, nh, nh2);
    rc = rc ? rc : file_full(&s, dir, nr, nh);
    rc = rc ? rc : file_changes(&s, dir, nr, nh, n2, n3, nh2);
    json_t *o = NULL;
    rc = rc ? rc : ps1_outcome(w, seed, hl_n, s.recs, s.nrec, &o);
    if (o) {
        json_t *files = json_array(), *changes = json_object();
        for (int f = 0; f < PS1_NFILES; f++) {
            char path[64];
            snprintf(path, sizeof path, "ps/%s", FILE_NAMES[f]);
            json_t *fo = json_object(), *rj = json_object();
            json_object_set_new(fo, "name", json_string(FILE_NAMES[f]));
            json_object_set_new(fo, "file", json_string(path));
            json_object_set_new(fo, "records_written", json_integer(s.fs[f].written));
            json_object_set_new(fo, "expected_loaded", json_integer(s.fs[f].loaded));
            for (int k = 0; k < 4; k++) {
                json_object_set_new(rj, REASONS[k], json_integer(s.fs[f].rejected[k]));
            }
            json_object_set_new(fo, "expected_rejected_by_reason", rj);
            json_array_append_new(files, fo);
        }
        json_object_set_new(changes, "moved", json_integer(s.moved));
        json_object_set_new(changes, "deregistered", json_integer(s.deregistered));
        json_object_set_new(changes, "new_residents", json_integer(s.new_residents));
        json_object_set_new(changes, "houses_updated", json_integer(s.houses_updated));
        json_object_set_new(changes, "new_houses", json_integer(s.new_houses));
        json_t *m = json_object(), *rj = json_object(), *dj = json_object();
        for (size_t k = 0; k < s.st.rejected.n; k++) {
            json_object_set_new(rj, s.st.rejected.names[k], json_integer(s.st.rejected.counts[k]));
        }
        for (size_t k = 0; k < s.st.defects.n; k++) {
            json_object_set_new(dj, s.st.defects.names[k], json_integer(s.st.defects.counts[k]));
        }
        json_object_set_new(m, "encoding", json_string("GB18030"));
        json_object_set_new(m, "namespace", json_string("urn:gaj:syrk:1.0"));
        json_object_set_new(m, "files", files);
        json_object_set_new(m, "records_written", json_integer(s.st.written));
        json_object_set_new(m, "expected_loaded", json_integer(s.st.loaded));
        json_object_set_new(m, "expected_rejected_by_reason", rj);
        json_object_set_new(m, "defects", dj);
        json_object_set_new(m, "changes", changes);
        json_object_update(m, o);
        json_decref(o);
        *manifest = m;
    }
    free(s.P);
    free(s.H);
    free(s.recs);
    ps1_free(&s.g);
    return rc;
}
