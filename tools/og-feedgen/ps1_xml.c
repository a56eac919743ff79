/* ps1_xml.c - og-feedgen's PS-1 records as XML: a resident (<RKXX>) or a house (<CZFW>) one
 * element per line, what a correct load makes of each record and its tally, and the streamed file
 * of `--ps1 N --ps1-out FILE` (GB18030 through iconv, in blocks of whole records: bounded memory).
 */
#include "tools/og-feedgen/ps1.h"

#include "tools/common/text.h"
#include "transform/timeparse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* GXSJ values the registry should never have sent. */
static const char *const BAD_GXSJ[] = {"2020-13-45 25:61:00", "20201345256100", "20200230101500",
                                       "昨天", "2020/02/04 10:15"};

/* id (18 characters) in form f into out[64]. */
static void written_id(const char *id, enum ps1_form f, char out[64])
{
    switch (f) {
    case PF_LEGACY:
        snprintf(out, 64, "%.6s%.9s", id, id + 8);
        break;
    case PF_LOWER_X:
        snprintf(out, 64, "%.17sx", id);
        break;
    case PF_FULLWIDTH:
        fg_id_fullwidth(id, out, 64);
        break;
    default:
        og_tool_scopy(out, 64, id);
    }
}

/* ---------- XML ---------- */

/* Appends s as XML character data (&, <, > escaped). */
static int put_text(struct og_buf *b, const char *s)
{
    size_t plain = strcspn(s, "&<>");
    int rc = og_buf_append(b, s, plain);
    for (s += plain; rc == 0 && *s; s += plain) {
        rc = og_buf_puts(b, *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : "&gt;");
        s++;
        plain = strcspn(s, "&<>");
        rc = rc ? rc : og_buf_append(b, s, plain);
    }
    return rc;
}

/* "    <NAME>value</NAME>\n"; value NULL: nothing; raw: value is written as is. */
static int put_elem(struct og_buf *b, const char *name, const char *value, bool raw)
{
    if (!value) {
        return 0;
    }
    size_t n = strlen(name);
    int rc = og_buf_reserve(b, 2 * n + strlen(value) + 16);
    rc = rc ? rc : og_buf_append(b, "    <", 5);
    rc = rc ? rc : og_buf_append(b, name, n);
    rc = rc ? rc : og_buf_putc(b, '>');
    rc = rc ? rc : raw ? og_buf_puts(b, value) : put_text(b, value);
    rc = rc ? rc : og_buf_append(b, "</", 2);
    rc = rc ? rc : og_buf_append(b, name, n);
    return rc ? rc : og_buf_append(b, ">\n", 2);
}

/* The GXSJ text of a record of class cl updated at t into out[32]; NULL when absent. Checks it
 * with the library's time parser: a valid one must parse to t, an invalid one must not parse. */
static const char *gxsj_text(struct ps1_gen *g, enum ps1_class cl, int64_t t, char out[32], int *rc)
{
    if (cl == RC_GXSJ_MISSING) {
        return NULL;
    }
    if (cl == RC_GXSJ_INVALID) {
        og_tool_scopy(out, 32, OG_TOOL_PICK(&g->r, BAD_GXSJ));
    }
    else {
        ps1_fmt_time(out, t);
    }
    int64_t us = 0;
    bool ok = og_time_parse(out, "yyyyMMddHHmmss", 8 * 60, &us, NULL) == 0;
    int64_t epoch0 = fg_days_from_civil(2020, 2, 1) * PS1_DAY - 8 * 3600; /* 2020-02-01 local */
    if (ok != (cl != RC_GXSJ_INVALID) || (ok && us != (epoch0 + t) * 1000000)) {
        fprintf(stderr, "og-feedgen: GXSJ \"%s\" should be %s\n", out,
                cl != RC_GXSJ_INVALID ? "valid" : "invalid");
        *rc = OG_EINVAL;
    }
    return out;
}

int ps1_put_person(struct ps1_gen *g, const struct ps1_person *p, enum ps1_form f,
                   enum ps1_class cl, struct ps1_rec *rec)
{
    struct og_tool_rng *r = &g->r;
    const struct fg_world *w = g->w;
    struct og_buf *b = &g->xml;
    memset(rec, 0, sizeof *rec);
    if (!ps1_form_ok(p, f)) {
        f = PF_PLAIN;
    }
    written_id(p->id, f, rec->written);
    /* SQBM: the community of the address, as 12 digits, its 2016 code or 15 digits */
    int comm = w->grids[p->grid].community;
    const struct fg_community *c = &w->comms[comm >= 0 ? comm : 0];
    double u = og_tool_rng_unit(r);
    int kind = p->no_sqbm || comm < 0                                  ? -1
               : u < (p->unknown_beat ? 0.30 : 0.06) && c->old_code[0] ? 1
               : u > (p->unknown_beat ? 0.60 : 0.95)                   ? 2
                                                                       : 0;
    if (kind == 0) {
        og_tool_scopy(rec->sqbm, sizeof rec->sqbm, c->code);
    }
    else if (kind == 1) {
        og_tool_scopy(rec->sqbm, sizeof rec->sqbm, c->old_code);
    }
    else if (kind == 2) {
        snprintf(rec->sqbm, sizeof rec->sqbm, "%s%03d", c->code, og_tool_rng_range(r, 1, 30));
    }
    char gx[32], dj[16];
    int rc = 0;
    const char *gxsj = gxsj_text(g, cl, p->gxsj, gx, &rc);
    ps1_fmt_time(dj, p->djsj);
    rc = rc ? rc : og_buf_puts(b, "  <RKXX>\n");
    if (cl == RC_KEY_MISSING) {
        rc = rc ? rc : og_tool_rng_below(r, 2) ? og_buf_puts(b, "    <GMSFHM/>\n") : 0;
    }
    else {
        rc = rc ? rc : put_elem(b, "GMSFHM", rec->written, false);
    }
    rc = rc ? rc : put_elem(b, "XM", p->name, false);
    rc = rc ? rc : put_elem(b, "XBDM", p->xbdm, false);
    rc = rc ? rc : put_elem(b, "CSRQ", p->csrq, false);
    rc = rc ? rc : put_elem(b, "MZDM", p->mzdm, false);
    rc = rc ? rc : put_elem(b, "RYLBDM", p->rylbdm, false);
    rc = rc ? rc : put_elem(b, "HJDZ", p->hjdz, false);
    rc = rc ? rc : put_elem(b, "XZZ", p->xzz, false);
    rc = rc ? rc : put_elem(b, "SQBM", kind >= 0 ? rec->sqbm : NULL, false);
    rc = rc ? rc : put_elem(b, "JWWGBM", p->beat, false);
    rc = rc ? rc : put_elem(b, "DJSJ", dj, false);
    rc = rc ? rc : put_elem(b, "ZXBZ", p->zxbz ? "1" : "0", false);
    rc = rc ? rc : put_elem(b, "GXSJ", gxsj, false);
    rc = rc ? rc : og_buf_puts(b, "  </RKXX>\n");

    rec->cl = cl;
    rec->loaded = cl == RC_OK;
    rec->reason = cl == RC_OK ? NULL : cl == RC_GXSJ_INVALID ? "invalid_time" : "missing_field";
    rec->gxsj = p->gxsj;
    rec->zxbz = p->zxbz;
    og_tool_scopy(rec->xzz, sizeof rec->xzz, p->xzz);
    og_tool_scopy(rec->beat, sizeof rec->beat, p->beat);
    rec->point_grid = -1;
    rec->form = f;
    rec->sqbm_kind = kind;
    rec->bad_check = p->bad_check;
    rec->unknown_beat = p->unknown_beat;
    if (cl != RC_KEY_MISSING) {
        struct og_id id;
        og_id_parse(rec->written, OG_ID_RESIDENT, &id);
        og_tool_scopy(rec->key, sizeof rec->key, id.norm);
        if (strcmp(id.norm, p->id) != 0 ||
            (id.status == OG_ID_OK) == p->bad_check) { /* the generator and the library agree */
            fprintf(stderr, "og-feedgen: \"%s\" normalises to \"%s\" (%s), not %s\n", rec->written,
                    id.norm, og_id_status_name(id.status), p->id);
            rc = rc ? rc : OG_EINVAL;
        }
    }
    return rc;
}

int ps1_put_house(struct ps1_gen *g, const struct ps1_house *h, enum ps1_class cl,
                  struct ps1_rec *rec)
{
    struct og_buf *b = &g->xml;
    memset(rec, 0, sizeof *rec);
    char gx[32], n1[8], n2[8];
    int rc = 0;
    const char *gxsj = gxsj_text(g, cl, h->gxsj, gx, &rc);
    snprintf(n1, sizeof n1, "%d", h->czjs);
    snprintf(n2, sizeof n2, "%d", h->zhrs);
    rc = rc ? rc : og_buf_puts(b, "  <CZFW>\n");
    rc = rc ? rc : put_elem(b, "FWBM", cl == RC_KEY_MISSING ? NULL : h->fwbm, false);
    rc = rc ? rc : put_elem(b, "DZ", h->dz, false);
    rc = rc ? rc : put_elem(b, "FZGMSFHM", h->owner, false);
    rc = rc ? rc : put_elem(b, "FZXM", h->fzxm, false);
    rc = rc ? rc : put_elem(b, "CZJS", n1, false);
    rc = rc ? rc : put_elem(b, "ZHRS", n2, false);
    rc = rc ? rc : put_elem(b, "JWWGBM", h->beat, false);
    if (h->hc == HC_COORDS || h->fwbm[strlen(h->fwbm) - 1] % 2 == 0) {
        /* coordinates, or empty elements for half of the houses without them */
        rc = rc ? rc : put_elem(b, "ZBX", h->zbx, false);
        rc = rc ? rc : put_elem(b, "ZBY", h->zby, false);
    }
    rc = rc ? rc : put_elem(b, "GXSJ", gxsj, false);
    rc = rc ? rc : og_buf_puts(b, "  </CZFW>\n");

    rec->house = true;
    rec->cl = cl;
    rec->loaded = cl == RC_OK;
    rec->reason = cl == RC_OK ? NULL : cl == RC_GXSJ_INVALID ? "invalid_time" : "missing_field";
    if (cl != RC_KEY_MISSING) {
        og_tool_scopy(rec->key, sizeof rec->key, h->fwbm);
    }
    og_tool_scopy(rec->written, sizeof rec->written, h->owner);
    rec->gxsj = h->gxsj;
    og_tool_scopy(rec->beat, sizeof rec->beat, h->beat);
    rec->point_grid = h->hc == HC_COORDS ? h->grid : -1;
    rec->hc = h->hc;
    rec->owner_v = h->owner_v;
    rec->sqbm_kind = -1;
    return rc;
}

int ps1_put_hostile(struct ps1_gen *g, const struct ps1_person *p)
{
    struct og_buf *b = &g->xml;
    char gx[16], dj[16];
    ps1_fmt_time(gx, p->gxsj);
    ps1_fmt_time(dj, p->djsj);
    int rc = og_buf_puts(b, "  <RKXX>\n");
    rc = rc ? rc : put_elem(b, "GMSFHM", p->id, false);
    rc = rc ? rc : put_elem(b, "XM", "&lol9;", true);
    rc = rc ? rc : put_elem(b, "XBDM", p->xbdm, false);
    rc = rc ? rc : put_elem(b, "CSRQ", p->csrq, false);
    rc = rc ? rc : put_elem(b, "MZDM", p->mzdm, false);
    rc = rc ? rc : put_elem(b, "RYLBDM", p->rylbdm, false);
    rc = rc ? rc : put_elem(b, "HJDZ", "&xxe;", true);
    rc = rc ? rc : put_elem(b, "XZZ", p->xzz, false);
    int comm = g->w->grids[p->grid].community;
    rc = rc ? rc : put_elem(b, "SQBM", comm >= 0 ? g->w->comms[comm].code : NULL, false);
    rc = rc ? rc : put_elem(b, "JWWGBM", p->beat, false);
    rc = rc ? rc : put_elem(b, "DJSJ", dj, false);
    rc = rc ? rc : put_elem(b, "ZXBZ", "0", false);
    rc = rc ? rc : put_elem(b, "GXSJ", gx, false);
    return rc ? rc : og_buf_puts(b, "  </RKXX>\n");
}

void ps1_tally(struct fg_feed_stats *st, const struct ps1_rec *rec)
{
    st->written++;
    if (!rec->loaded) {
        fg_tally_add(&st->rejected, rec->reason, 1);
        fg_tally_add(&st->defects,
                     rec->cl == RC_GXSJ_INVALID   ? "gxsj_invalid"
                     : rec->cl == RC_GXSJ_MISSING ? "gxsj_missing"
                     : rec->house                 ? "fwbm_missing"
                                                  : "gmsfhm_missing",
                     1);
        return;
    }
    st->loaded++;
    if (rec->house) {
        static const char *const hc[] = {"house_with_coords", "house_no_coords",
                                         "house_unknown_beat"};
        static const char *const ov[] = {NULL, "owner_legacy_15_id", "owner_lowercase_x_id",
                                         "owner_fullwidth_id", "owner_invalid_id_check"};
        fg_tally_add(&st->defects, hc[rec->hc], 1);
        if (rec->owner_v) {
            fg_tally_add(&st->defects, ov[rec->owner_v], 1);
        }
        return;
    }
    static const char *const forms[] = {NULL, "legacy_15_id", "lowercase_x_id", "fullwidth_id"};
    if (rec->form != PF_PLAIN) {
        fg_tally_add(&st->defects, forms[rec->form], 1);
    }
    if (rec->bad_check) {
        fg_tally_add(&st->defects, "invalid_id_check", 1);
    }
    if (rec->unknown_beat) {
        fg_tally_add(&st->defects,
                     rec->sqbm_kind < 0 ? "unknown_beat_no_sqbm" : "unknown_beat_community", 1);
    }
    if (rec->sqbm_kind == 1) {
        fg_tally_add(&st->defects, "sqbm_2016", 1);
    }
    else if (rec->sqbm_kind == 2) {
        fg_tally_add(&st->defects, "sqbm_15_digits", 1);
    }
}

int ps1_open_root(struct og_buf *b, const char *pch, int64_t scsj)
{
    char t[16];
    ps1_fmt_time(t, scsj);
    return og_buf_printf(b,
                         "<?xml version=\"1.0\" encoding=\"GB18030\"?>\n"
                         "<SJBL xmlns=\"urn:gaj:syrk:1.0\" PCH=\"%s\" SCSJ=\"%s\">\n",
                         pch, t);
}

int ps1_close_root(struct og_buf *b)
{
    return og_buf_puts(b, "</SJBL>\n");
}

/* ---------- the streamed file ---------- */

/* Converts the UTF-8 text of whole records in b to GB18030, writes it to f and empties b. */
static int sink_flush(iconv_t cd, struct og_buf *b, struct og_buf *out, FILE *f)
{
    if (b->len == 0) {
        return 0;
    }
    out->len = 0;
    if (og_buf_reserve(out, b->len + 64) != 0) {
        return OG_ENOMEM;
    }
    char *src = b->data, *dst = out->data;
    size_t left = b->len, room = out->cap - 1;
    if (iconv(cd, &src, &left, &dst, &room) == (size_t)-1) {
        fprintf(stderr, "og-feedgen: could not convert to GB18030: %s\n", strerror(errno));
        return OG_EINVAL;
    }
    size_t n = (size_t)(dst - out->data);
    og_buf_reset(b);
    return fwrite(out->data, 1, n, f) == n ? 0 : OG_EIO;
}

int fg_gen_ps1_stream(const struct fg_world *w, uint64_t seed, long n, long hl_n, FILE *f,
                      bool progress, struct fg_feed_stats *st, struct fg_ps1_stream_outcome *out)
{
    struct ps1_gen g;
    struct og_buf gb = OG_BUF_INIT;
    int rc = ps1_init(&g, w, seed, hl_n, st);
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    if (cd == (iconv_t)-1) {
        fprintf(stderr, "og-feedgen: cannot convert to GB18030: %s\n", strerror(errno));
        rc = rc ? rc : OG_EINVAL;
    }
    int64_t lo = ps1_secs(2019, 1, 1, 0, 0, 0), hi = ps1_secs(2020, 2, 3, 21, 0, 0);
    rc = rc ? rc : ps1_open_root(&g.xml, "GA440511-20200203-001", ps1_secs(2020, 2, 3, 23, 30, 0));
    struct ps1_person p;
    struct ps1_house h;
    struct ps1_rec rec;
    for (long i = 0; i < n && rc == 0; i++) {
        if (og_tool_rng_below(&g.r, 6) == 0) {
            rc = ps1_new_house(&g, &h);
            h.gxsj = ps1_daytime(&g, lo, hi);
            rc = rc ? rc : ps1_put_house(&g, &h, ps1_pick_class(&g), &rec);
            out->houses += rec.loaded;
        }
        else {
            rc = ps1_new_person(&g, 0.5, -1, &p);
            p.gxsj = ps1_daytime(&g, p.djsj > lo ? p.djsj : lo, hi);
            p.zxbz = og_tool_rng_chance(&g.r, 0.01);
            rc = rc ? rc : ps1_put_person(&g, &p, p.form, ps1_pick_class(&g), &rec);
            out->residents += rec.loaded;
            out->shared += rec.loaded && p.shared;
        }
        if (rc == 0) {
            ps1_tally(st, &rec);
        }
        if (rc == 0 && g.xml.len >= (1u << 18)) {
            rc = sink_flush(cd, &g.xml, &gb, f);
        }
        if (progress && (i + 1) % 100000 == 0) {
            fprintf(stderr, "og-feedgen: ps1 %ld/%ld records\n", i + 1, n);
        }
    }
    rc = rc ? rc : ps1_close_root(&g.xml);
    rc = rc ? rc : sink_flush(cd, &g.xml, &gb, f);
    if (cd != (iconv_t)-1) {
        iconv_close(cd);
    }
    og_buf_free(&gb);
    ps1_free(&g);
    return rc;
}
