/* xml.c - the "xml" file connector: record elements streamed with xmlTextReader, bounded memory.
 *
 * The walk: xmlTextReaderRead goes down into elements that may hold records, xmlTextReaderNext
 * passes over the others (libxml2 frees what it passes). A record is expanded
 * (xmlTextReaderExpand), turned into JSON straight from its xmlNode tree, then passed over.
 *
 * Untrusted input: a small scanner looks at the bytes of the prolog before libxml2 does, so a
 * DOCTYPE with an internal subset or an external identifier never reaches the parser, and it
 * hands libxml2 the prolog only up to the end of the root start tag, so the first Read cannot
 * fail on something further on. When the parser fails later, it has usually built (in the same
 * chunk) records the reader has not reached yet: those whose end was parsed are read from the
 * tree that is there ("draining"), then the one reject follows. */
#include "connectors/xml.h"

#include "connectors/xml_internal.h"

#include "core/buf.h"
#include "core/options.h"
#include "core/utf8.h"

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct og_option_doc xml_options[] = {
    {"records", "string", NULL,
     "required: which elements are records, a path of element names from the root "
     "(\"SJBL/RKXX\" or \"/SJBL/RKXX\"), \"//RKXX\" at any depth; a name may be \"prefix:name\" "
     "(prefix from \"namespaces\") or \"*\""},
    {"namespaces", "object", NULL,
     "prefix -> namespace URI, for \"records\" and for keys; \"\" names the default namespace "
     "(its elements are keyed by local name)"},
    {"attributes", "boolean", "true", "include attributes as \"@name\" keys"},
    {"empty", "string", "text",
     "an empty element (no text, children or attributes) as \"\" (\"text\") or as null "
     "(\"null\", as Open311's XML means it)"},
    {NULL, NULL, NULL, NULL},
};

static long long count_lf(const char *p, size_t n)
{
    long long lines = 0;
    const char *end = p + n;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        lines++;
        p++;
    }
    return lines;
}

/* Appends to the window of recent bytes, cutting its oldest part when it is full. */
static int win_append(struct xml *st, const char *p, size_t n)
{
    if (st->win.len + n > XML_WIN_MAX && st->win.len > XML_WIN_KEEP) {
        size_t drop = st->win.len - XML_WIN_KEEP;
        st->win_line += count_lf(st->win.data, drop);
        st->win_at_line_start = st->win.data[drop - 1] == '\n';
        memmove(st->win.data, st->win.data + drop, st->win.len - drop);
        st->win.len -= drop;
        st->win_off += (long long)drop;
    }
    return og_buf_append(&st->win, p, n);
}

/* libxml2's read callback: bytes of the file, or -1 to stop the parse (read error, refused
 * DOCTYPE, no memory). Until the root start tag has ended the bytes go one at a time through the
 * prolog scanner, and no further. Never returns 0 before the end of the file. */
static int read_cb(void *ctx, char *buf, int len)
{
    struct xml *st = ctx;
    if (st->io_failed || st->nomem || st->hostile != HOSTILE_NONE || len <= 0)
        return -1;
    size_t got = 0;
    if (st->pro != PRO_DONE) {
        while (got < (size_t)len && st->pro != PRO_DONE) {
            size_t n;
            if (og_infile_read(&st->in, buf + got, 1, &n, st->pro_line, &st->io_err) < 0) {
                st->io_failed = true;
                return -1;
            }
            if (n == 0)
                break;
            unsigned char c = (unsigned char)buf[got++];
            if (c == 0) { /* UTF-16 or UCS-4: the scanner reads the ASCII bytes */
                st->wide = st->wide || st->bytes_read + (long long)got <= 4;
                continue;
            }
            if (og_xml_prolog_byte(st, c)) {
                /* a wide '>' is complete with the NUL bytes after it */
                for (int k = 0; st->wide && k < 3 && got < (size_t)len; k++) {
                    if (og_infile_read(&st->in, buf + got, 1, &n, st->pro_line, &st->io_err) < 0) {
                        st->io_failed = true;
                        return -1;
                    }
                    if (n == 0 || buf[got++] != 0)
                        break;
                }
                break;
            }
            if (st->hostile != HOSTILE_NONE)
                return -1;
        }
    }
    else if (og_infile_read(&st->in, buf, (size_t)len, &got, st->read_line, &st->io_err) < 0) {
        st->io_failed = true;
        return -1;
    }
    if (got > 0 && win_append(st, buf, got) < 0) {
        st->nomem = true;
        return -1;
    }
    st->read_line += count_lf(buf, got);
    st->bytes_read += (long long)got;
    return (int)got;
}

/* New UTF-8 copy of text in the document's encoding (invalid bytes become U+FFFD), at most
 * XML_RAW_MAX bytes. NULL when out of memory. */
static char *to_utf8(const struct xml *st, const char *text, size_t len)
{
    const char *enc = st->reader ? (const char *)xmlTextReaderConstEncoding(st->reader) : NULL;
    if (!enc || strcasecmp(enc, "UTF-8") == 0 || strcasecmp(enc, "UTF8") == 0 ||
        strcasecmp(enc, "US-ASCII") == 0 || strcasecmp(enc, "ASCII") == 0)
        return og_utf8_copy(text, len, XML_RAW_MAX);
    iconv_t cd = iconv_open("UTF-8", enc);
    if (cd == (iconv_t)-1)
        return og_utf8_copy(text, len, XML_RAW_MAX);
    struct og_buf out = OG_BUF_INIT;
    char *in = (char *)text;
    size_t left = len;
    while (left > 0 && out.len < XML_RAW_MAX) {
        if (og_buf_reserve(&out, left * 4 + 16) < 0)
            break;
        char *op = out.data + out.len;
        size_t ol = out.cap - out.len - 1;
        size_t r = iconv(cd, &in, &left, &op, &ol);
        int e = errno;
        out.len = (size_t)(op - out.data);
        out.data[out.len] = '\0';
        if (r != (size_t)-1 || e == E2BIG)
            continue;
        if (og_buf_puts(&out, "\xEF\xBF\xBD") < 0) /* EILSEQ or EINVAL: skip one byte */
            break;
        in++;
        left--;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    iconv_close(cd);
    char *res = out.data ? og_utf8_copy(out.data, out.len, XML_RAW_MAX) : og_utf8_copy("", 0, 1);
    og_buf_free(&out);
    return res;
}

/* Up to 64 KiB of the file from the start of `line`, as UTF-8 (new), or NULL when that line is
 * no longer in the window. *offset is set to where the line starts when it is found. */
static char *raw_from_line(const struct xml *st, long long line, long long *offset)
{
    if (!st->win.data || st->wide || line < st->win_line ||
        (line == st->win_line && !st->win_at_line_start))
        return NULL;
    const char *p = st->win.data, *end = st->win.data + st->win.len;
    for (long long l = st->win_line; l < line; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return NULL;
        p = nl + 1;
    }
    *offset = st->win_off + (long long)(p - st->win.data);
    size_t n = (size_t)(end - p);
    return to_utf8(st, p, n < XML_RAW_MAX ? n : XML_RAW_MAX);
}

/* ---------- the walk ---------- */

static bool step_match(const struct xml *st, const struct xml_step *step, const xmlNode *node)
{
    if (!step->local)
        return true;
    if (strcmp((const char *)node->name, step->local) != 0)
        return false;
    const char *href = node->ns ? (const char *)node->ns->href : NULL;
    if (step->prefixed)
        return href && strcmp(href, step->uri) == 0;
    return !href || (st->default_uri && strcmp(href, st->default_uri) == 0);
}

static size_t node_depth(const xmlNode *node)
{
    size_t depth = 0;
    for (const xmlNode *p = node->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent)
        depth++;
    return depth;
}

/* What an element reached in document order is: a record, an element that may hold records
 * (read into it), or one that cannot (pass over it). */
static enum xml_match path_match(const struct xml *st, const xmlNode *node)
{
    size_t n = st->nsteps, depth = node_depth(node);
    if (!st->anywhere) {
        if (depth >= n)
            return MATCH_SKIP;
        const xmlNode *cur = node;
        for (size_t i = depth + 1; i-- > 0; cur = cur->parent)
            if (!step_match(st, &st->steps[i], cur))
                return MATCH_SKIP;
        return depth == n - 1 ? MATCH_RECORD : MATCH_DESCEND;
    }
    if (depth + 1 < n)
        return MATCH_DESCEND;
    const xmlNode *cur = node;
    for (size_t i = n; i-- > 0; cur = cur->parent)
        if (!step_match(st, &st->steps[i], cur))
            return MATCH_DESCEND;
    return MATCH_RECORD;
}

/* The node after node and its subtree in document order, or NULL. */
static xmlNode *successor(xmlNode *node)
{
    for (; node; node = node->parent)
        if (node->next)
            return node->next;
    return NULL;
}

/* The line where a record starts. Elements keep their line in 16 bits (65535 means "or more");
 * text nodes keep the exact line (XML_PARSE_BIG_LINES) where they end, which for the whitespace
 * just before the record is the line of its '<'. */
static long long record_line(const struct xml *st, const xmlNode *node)
{
    if (node->line > 0 && node->line < 65535)
        return node->line;
    if (st->prev_text_line > 0)
        return st->prev_text_line;
    long line = xmlGetLineNo(node);
    return line > 0 ? line : 0;
}

static bool dtd_hostile(const xmlDtd *dtd)
{
    return dtd->ExternalID || dtd->SystemID || dtd->children || dtd->entities || dtd->pentities ||
           dtd->elements || dtd->attributes || dtd->notations;
}

/* The byte offset of a record's '<' when it is the first thing on its line and that line is
 * still in the window (as in any indented file); else -1. Lines are found with a cursor that
 * only moves forward, so the cost over a file is one pass over its bytes. */
static long long record_offset(struct xml *st, const xmlNode *node, long long line)
{
    if (line <= 0 || line == st->last_rec_line || !st->win.data || st->wide)
        return -1;
    const char *base = st->win.data, *end = st->win.data + st->win.len;
    if (st->cur_off < st->win_off || st->cur_line > line) {
        if (st->cur_line > line)
            return -1;
        const char *nl = st->win_at_line_start ? base - 1 : memchr(base, '\n', st->win.len);
        if (!nl)
            return -1;
        st->cur_line = st->win_line + (st->win_at_line_start ? 0 : 1);
        st->cur_off = st->win_off + (long long)(nl + 1 - base);
    }
    const char *p = base + (st->cur_off - st->win_off);
    while (st->cur_line < line) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return -1;
        p = nl + 1;
        st->cur_line++;
        st->cur_off = st->win_off + (long long)(p - base);
    }
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    const char *tag = p;
    if (p >= end || *p++ != '<')
        return -1;
    const char *prefix = node->ns && node->ns->prefix ? (const char *)node->ns->prefix : NULL;
    size_t plen = prefix ? strlen(prefix) : 0, nlen = strlen((const char *)node->name);
    if (prefix) {
        if ((size_t)(end - p) <= plen || memcmp(p, prefix, plen) != 0 || p[plen] != ':')
            return -1;
        p += plen + 1;
    }
    if ((size_t)(end - p) <= nlen || memcmp(p, node->name, nlen) != 0 ||
        !strchr(" \t\r\n/>", p[nlen]))
        return -1;
    return st->win_off + (long long)(tag - base);
}

static void set_at(struct xml *st, xmlNode *node, enum xml_at mode)
{
    st->at = node;
    st->at_mode = mode;
}

static void start_pos(struct xml *st, struct og_pos *pos, long long line, long long offset)
{
    memset(pos, 0, sizeof(*pos));
    pos->input = st->in.path;
    pos->line = line;
    pos->offset = offset < 0 ? 0 : offset > st->bytes_read ? st->bytes_read : offset;
    pos->index = st->index++;
    pos->partition = -1;
}

static int nomem(struct xml *st, struct og_error *err)
{
    st->done = true;
    return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                        "out of memory reading \"%s\"", st->in.path);
}

/* What ends the file: OG_EPARSE with class REJECT (the file is not well-formed or not safe: *pos
 * and *raw say where, the records before it were handed on), or OG_EIO / OG_ENOMEM. line: the
 * failing record's line, or 0 when the failure is outside records. */
static int finish(struct xml *st, long long line, struct og_pos *pos, char **raw,
                  struct og_error *err)
{
    st->done = true;
    if (st->io_failed) {
        if (err)
            *err = st->io_err;
        return OG_EIO;
    }
    if (st->nomem)
        return nomem(st, err);
    const char *path = st->in.path;
    long long eline = st->xline, ecol = st->xcol;
    if (eline <= 0 && st->reader) {
        eline = xmlTextReaderGetParserLineNumber(st->reader);
        ecol = xmlTextReaderGetParserColumnNumber(st->reader);
    }
    if (st->hostile != HOSTILE_NONE) {
        long long hl = st->hostile_line > 0 ? st->hostile_line : eline > 0 ? eline : 1;
        long long hc = st->hostile_line > 0 ? st->hostile_col : ecol;
        long long offset = 0;
        free(raw_from_line(st, hl, &offset));
        start_pos(st, pos, hl, offset);
        switch (st->hostile) {
        case HOSTILE_SUBSET:
            og_error_set(err, OG_EPARSE, OG_CLASS_REJECT, OG_R_XML_DOCTYPE,
                         "cannot read \"%s\": its DOCTYPE has an internal subset", path);
            break;
        case HOSTILE_EXTERNAL:
            og_error_set(err, OG_EPARSE, OG_CLASS_REJECT, OG_R_XML_DOCTYPE,
                         "cannot read \"%s\": its DOCTYPE refers to an external DTD", path);
            break;
        case HOSTILE_DTD:
            og_error_set(err, OG_EPARSE, OG_CLASS_REJECT, OG_R_XML_DOCTYPE,
                         "cannot read \"%s\": it declares a DTD", path);
            break;
        default:
            og_error_set(err, OG_EPARSE, OG_CLASS_REJECT, OG_R_XML_DOCTYPE,
                         "cannot read \"%s\": it refers to an entity that is not predefined", path);
            break;
        }
        if (st->hostile == HOSTILE_ENTITY && st->xmsg[0])
            og_error_detail(err, "%s; untrusted XML is read without DTDs and entities", st->xmsg);
        else
            og_error_detail(err, "untrusted XML is read without DTDs, entity declarations or "
                                 "external references");
        og_error_hint(err, "export the file without a DOCTYPE (a bare <!DOCTYPE name> is allowed) "
                           "and without entities other than &lt; &gt; &amp; &quot; &apos;");
        og_error_position(err, "%s:%lld:%lld", path, hl, hc > 0 ? hc : 1);
        return OG_EPARSE;
    }
    if (eline <= 0)
        eline = 1;
    long long rline = line > 0 ? line : eline;
    long long offset = st->bytes_read;
    *raw = raw_from_line(st, rline, &offset);
    start_pos(st, pos, rline, offset);
    og_error_set(err, OG_EPARSE, OG_CLASS_REJECT, OG_R_BAD_XML, "\"%s\" is not well-formed XML: %s",
                 path,
                 st->bytes_read == 0 ? "the file is empty"
                 : st->xmsg[0]       ? st->xmsg
                 : st->gmsg[0]       ? st->gmsg
                                     : "the parser stopped");
    if (st->xcode)
        og_error_detail(err,
                        "libxml2 error %d at line %lld, column %lld; the rest of the file is "
                        "not read",
                        st->xcode, eline, ecol);
    og_error_position(err, "%s:%lld:%lld", path, eline, ecol > 0 ? ecol : 1);
    return OG_EPARSE;
}

static int broken(struct xml *st, json_t **doc, struct og_pos *pos, char **raw,
                  struct og_error *err);

/* Digests what a record element's conversion reads of node n, in document order: a header (type,
 * depth, whether it is an attribute, the lengths of its namespace, name and content: the tree's
 * shape follows from the depths) and those strings, then its attributes and its children one level
 * deeper. */
static void digest_node(const struct og_skip *s, const xmlNode *n, size_t depth, bool attr)
{
    const char *ns = n->ns && n->ns->href ? (const char *)n->ns->href : "";
    const char *name = n->name ? (const char *)n->name : "";
    const char *content = n->type != XML_ELEMENT_NODE && n->type != XML_ATTRIBUTE_NODE && n->content
                              ? (const char *)n->content
                              : "";
    size_t head[6] = {(size_t)n->type, depth, attr, strlen(ns), strlen(name), strlen(content)};
    og_skip_add(s, head, sizeof(head));
    og_skip_add(s, ns, head[3]);
    og_skip_add(s, name, head[4]);
    og_skip_add(s, content, head[5]);
    if (n->type == XML_ELEMENT_NODE) /* an xmlAttr starts like an xmlNode up to ns */
        for (const xmlNode *a = (const xmlNode *)n->properties; a; a = a->next)
            digest_node(s, a, depth + 1, true);
    if (n->type == XML_ELEMENT_NODE || n->type == XML_ATTRIBUTE_NODE)
        for (const xmlNode *c = n->children; c; c = c->next)
            digest_node(s, c, depth + 1, false);
}

/* A record element reached: expand it (unless draining), convert it. */
static int take(struct xml *st, xmlNode *node, json_t **doc, struct og_pos *pos, char **raw,
                struct og_error *err)
{
    long long line = record_line(st, node);
    long long offset = record_offset(st, node, line);
    if (offset < 0 && st->reader)
        offset = xmlTextReaderByteConsumed(st->reader);
    if (!st->draining) {
        const xmlNode *el = xmlTextReaderExpand(st->reader);
        if (!el || st->stop || st->io_failed || st->nomem || st->hostile != HOSTILE_NONE) {
            set_at(st, node, AT_SELF);
            return broken(st, doc, pos, raw, err);
        }
    }
    else if (!successor(node)) {
        return finish(st, line, pos, raw, err); /* its end was never parsed */
    }
    if (st->unchanged && !st->draining) {
        og_skip_begin(st->unchanged);
        digest_node(st->unchanged, node, 0, false);
        if (og_skip_end(st->unchanged)) {
            set_at(st, node, AT_AFTER);
            st->skip = true;
            st->prev_text_line = 0;
            st->last_rec_line = line;
            start_pos(st, pos, line, offset);
            return OG_CONN_UNCHANGED;
        }
    }
    json_t *obj = NULL;
    st->ns_last = NULL;
    int rc = og_xml_element_value(st, node, true, &obj);
    if (rc == CONV_ENTITY) {
        st->hostile = HOSTILE_ENTITY;
        st->hostile_line = line;
        st->hostile_col = 1;
        return finish(st, line, pos, raw, err);
    }
    const char *name = rc == 0 ? og_xml_make_key(st, node->ns, node->name, false) : NULL;
    if (rc == 0 && (!name || json_object_set_new(obj, "#name", json_string(name)) < 0))
        rc = OG_ENOMEM;
    if (rc < 0) {
        json_decref(obj);
        return nomem(st, err);
    }
    set_at(st, node, AT_AFTER);
    st->skip = true;
    st->prev_text_line = 0;
    st->last_rec_line = line;
    start_pos(st, pos, line, offset);
    *doc = obj;
    return 1;
}

/* Decides about a node reached in document order. 1 with a record, a negative code, or 0 to go
 * on (st->at and st->skip say how). */
static int visit(struct xml *st, xmlNode *node, json_t **doc, struct og_pos *pos, char **raw,
                 struct og_error *err)
{
    switch (node->type) {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        st->prev_text_line = xmlGetLineNo(node);
        set_at(st, node, AT_AFTER);
        return 0;
    case XML_ELEMENT_NODE: {
        enum xml_match m = path_match(st, node);
        if (m == MATCH_RECORD)
            return take(st, node, doc, pos, raw, err);
        set_at(st, node, m == MATCH_DESCEND ? AT_INTO : AT_AFTER);
        st->skip = m == MATCH_SKIP;
        break;
    }
    case XML_DTD_NODE:
        if (dtd_hostile((const xmlDtd *)node)) {
            st->hostile = HOSTILE_DTD;
            st->hostile_line = st->dt_line;
            st->hostile_col = st->dt_col;
            return finish(st, 0, pos, raw, err);
        }
        set_at(st, node, AT_AFTER);
        break;
    case XML_ENTITY_REF_NODE:
        st->hostile = HOSTILE_ENTITY;
        st->hostile_line = xmlGetLineNo(node);
        st->hostile_col = 1;
        return finish(st, 0, pos, raw, err);
    default:
        set_at(st, node, AT_AFTER);
        break;
    }
    st->prev_text_line = 0;
    return 0;
}

/* Reads on in the tree the parser built before it failed: records whose end was parsed, then
 * the reject. */
static int drain(struct xml *st, json_t **doc, struct og_pos *pos, char **raw, struct og_error *err)
{
    for (;;) {
        xmlNode *node = NULL;
        if (st->at && st->at_mode == AT_SELF)
            node = st->at;
        else if (st->at && st->at_mode == AT_INTO)
            node = st->at->children ? st->at->children : successor(st->at);
        else if (st->at)
            node = successor(st->at);
        if (!node)
            return finish(st, 0, pos, raw, err);
        set_at(st, node, AT_SELF);
        int rc = visit(st, node, doc, pos, raw, err);
        if (rc != 0)
            return rc;
    }
}

/* The reader failed (or an error was recorded). The reader never frees its current node nor
 * its ancestors, and frees a node passed over only when it moves on to the next one: so st->at
 * is valid when it is the current node or one of its ancestors; otherwise the current node is
 * one the reader reached after it and that was not decided on yet. */
static int broken(struct xml *st, json_t **doc, struct og_pos *pos, char **raw,
                  struct og_error *err)
{
    if (st->io_failed || st->nomem ||
        (st->hostile != HOSTILE_NONE && st->hostile != HOSTILE_ENTITY))
        return finish(st, 0, pos, raw, err);
    st->draining = true;
    st->skip = false;
    xmlNode *cur = xmlTextReaderCurrentNode(st->reader);
    if (!cur) {
        st->at = NULL;
        return finish(st, 0, pos, raw, err);
    }
    const xmlNode *p = cur;
    while (p && p != st->at)
        p = p->parent;
    if (!p || (p != cur && st->at_mode != AT_AFTER))
        set_at(st, cur, AT_SELF);
    return drain(st, doc, pos, raw, err);
}

static int walk(struct xml *st, json_t **doc, struct og_pos *pos, char **raw, struct og_error *err)
{
    for (;;) {
        int ret = st->skip ? xmlTextReaderNext(st->reader) : xmlTextReaderRead(st->reader);
        st->skip = false;
        if (ret < 0 || st->stop || st->io_failed || st->nomem || st->hostile != HOSTILE_NONE)
            return broken(st, doc, pos, raw, err);
        if (ret == 0) {
            st->done = true;
            return 0;
        }
        xmlNode *node = xmlTextReaderCurrentNode(st->reader);
        if (!node)
            continue;
        if (xmlTextReaderNodeType(st->reader) == XML_READER_TYPE_END_ELEMENT) {
            set_at(st, node, AT_AFTER);
            st->prev_text_line = 0;
            continue;
        }
        int rc = visit(st, node, doc, pos, raw, err);
        if (rc != 0)
            return rc;
    }
}

/* ---------- the connector ---------- */

static void xml_close(void *state)
{
    struct xml *st = state;
    if (!st)
        return;
    if (st->reader) {
        struct xml_errscope scope;
        og_xml_scope_enter(st, &scope);
        xmlFreeTextReader(st->reader);
        og_xml_scope_leave(&scope);
    }
    og_infile_close(&st->in);
    for (size_t i = 0; i < st->nns; i++) {
        free(st->ns[i].prefix);
        free(st->ns[i].uri);
    }
    free(st->ns);
    for (size_t i = 0; i < st->nsteps; i++)
        free(st->steps[i].local);
    free(st->steps);
    og_buf_free(&st->win);
    og_buf_free(&st->text);
    og_buf_free(&st->key);
    json_decref(st->opts);
    free(st);
}

static int config_error(struct og_error *err, const char *what, const char *value)
{
    og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                 "option \"%s\" for connector xml is not valid: %s", what, value);
    return OG_ECONFIG;
}

static int parse_namespaces(struct xml *st, const json_t *obj, struct og_error *err)
{
    size_t n = json_object_size(obj);
    st->ns = calloc(n ? n : 1, sizeof(*st->ns));
    if (!st->ns)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    const char *prefix;
    json_t *uri;
    json_object_foreach((json_t *)obj, prefix, uri)
    {
        if (!json_is_string(uri) || json_string_length(uri) == 0) {
            config_error(err, "namespaces", "a namespace URI must be a non-empty string");
            og_error_detail(err, "prefix \"%s\"", prefix);
            return OG_ECONFIG;
        }
        if (strpbrk(prefix, ":/ \t\r\n*{}@#")) {
            config_error(err, "namespaces", "a prefix must be a name without ':'");
            og_error_detail(err, "prefix \"%s\"", prefix);
            return OG_ECONFIG;
        }
        struct xml_ns *ns = &st->ns[st->nns];
        ns->prefix = strdup(prefix);
        ns->uri = strdup(json_string_value(uri));
        st->nns++;
        if (!ns->prefix || !ns->uri)
            return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        if (prefix[0] == '\0')
            st->default_uri = ns->uri;
    }
    return 0;
}

static const char *ns_uri(const struct xml *st, const char *prefix, size_t len)
{
    for (size_t i = 0; i < st->nns; i++)
        if (strlen(st->ns[i].prefix) == len && memcmp(st->ns[i].prefix, prefix, len) == 0)
            return st->ns[i].uri;
    return NULL;
}

/* Compiles "a/b", "/a/b", "//a/b" (steps "name", "prefix:name" or "*") into st->steps. */
static int compile_records(struct xml *st, const char *path, struct og_error *err)
{
    const char *p = path;
    if (strncmp(p, "//", 2) == 0) {
        st->anywhere = true;
        p += 2;
    }
    else if (*p == '/')
        p++;
    size_t n = 1;
    for (const char *q = p; *q; q++)
        n += *q == '/';
    st->steps = calloc(n, sizeof(*st->steps));
    if (!st->steps)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        struct xml_step *step = &st->steps[st->nsteps];
        const char *local = colon ? colon + 1 : p;
        size_t local_len = len - (size_t)(local - p);
        if (local_len == 0 || memchr(local, ':', local_len) || (colon && colon == p)) {
            config_error(err, "records", "each step must be a name, \"prefix:name\" or \"*\"");
            og_error_detail(err, "path \"%s\"", path);
            og_error_hint(err, "write it like \"SJBL/RKXX\", \"/ps:SJBL/ps:RKXX\" or \"//RKXX\"");
            return OG_ECONFIG;
        }
        if (colon) {
            step->prefixed = true;
            step->uri = ns_uri(st, p, (size_t)(colon - p));
            if (!step->uri) {
                config_error(err, "records", "a prefix is not declared in \"namespaces\"");
                og_error_detail(err, "prefix \"%.*s\" in \"%s\"", (int)(colon - p), p, path);
                og_error_hint(err, "add it to \"namespaces\": {\"%.*s\": \"<namespace URI>\"}",
                              (int)(colon - p), p);
                return OG_ECONFIG;
            }
        }
        if (!(local_len == 1 && local[0] == '*' && !colon)) {
            step->local = strndup(local, local_len);
            if (!step->local)
                return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                                    "out of memory");
        }
        st->nsteps++;
        if (!slash)
            return 0;
        p = slash + 1;
    }
}

static int xml_open(const char *path, const json_t *options, void **state, struct og_error *err)
{
    *state = NULL;
    int rc = og_options_check("connector xml", xml_options, options, err);
    if (rc < 0)
        return rc;
    const json_t *records = options ? json_object_get(options, "records") : NULL;
    if (!records) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     "option \"records\" for connector xml is required");
        og_error_hint(err, "name the record elements, e.g. \"records\": \"SJBL/RKXX\" or "
                           "\"//request\"");
        return OG_ECONFIG;
    }
    struct xml *st = calloc(1, sizeof(*st));
    if (!st)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    st->attributes = true;
    st->opts = json_incref((json_t *)options);
    st->read_line = st->pro_line = st->pro_col = st->win_line = st->cur_line = 1;
    st->win_at_line_start = true;
    const json_t *v = json_object_get(options, "attributes");
    if (v)
        st->attributes = json_is_true(v);
    v = json_object_get(options, "empty");
    if (v && (!json_is_string(v) || (strcmp(json_string_value(v), "text") != 0 &&
                                     strcmp(json_string_value(v), "null") != 0))) {
        rc = config_error(err, "empty", "it is \"text\" or \"null\"");
        goto fail;
    }
    st->empty_null = v && strcmp(json_string_value(v), "null") == 0;
    v = json_object_get(options, "namespaces");
    if (v && (rc = parse_namespaces(st, v, err)) < 0)
        goto fail;
    if ((rc = compile_records(st, json_string_value(records), err)) < 0)
        goto fail;
    if ((rc = og_infile_open(&st->in, path, err)) < 0)
        goto fail;

    xmlInitParser();
    struct xml_errscope scope;
    og_xml_scope_enter(st, &scope);
    st->reader = xmlReaderForIO(read_cb, NULL, st, path, NULL, XML_READER_OPTIONS);
    if (st->reader)
        xmlTextReaderSetStructuredErrorHandler(st->reader, og_xml_on_error, st);
    og_xml_scope_leave(&scope);
    if (st->io_failed) {
        if (err)
            *err = st->io_err;
        rc = OG_EIO;
        goto fail;
    }
    if (!st->reader) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                          "could not create an XML reader for \"%s\"", path);
        goto fail;
    }
    *state = st;
    return 0;
fail:
    xml_close(st);
    return rc;
}

static int xml_next(void *state, json_t **doc, struct og_pos *pos, char **raw, struct og_error *err)
{
    struct xml *st = state;
    *doc = NULL;
    *raw = NULL;
    if (st->done)
        return 0;
    struct xml_errscope scope;
    og_xml_scope_enter(st, &scope);
    int rc = st->draining ? drain(st, doc, pos, raw, err) : walk(st, doc, pos, raw, err);
    og_xml_scope_leave(&scope);
    return rc;
}

/* The file read to its end by a second reader of its own (no record expanded, nothing converted):
 * 0 when it is well-formed and safe, else the reject the walk would end the file with. */
static int xml_verify(void *state, struct og_pos *where, struct og_error *err)
{
    const struct xml *st = state;
    void *vs = NULL;
    int rc = xml_open(st->in.path, st->opts, &vs, err);
    if (rc < 0)
        return rc;
    struct xml *v = vs;
    struct xml_errscope scope;
    og_xml_scope_enter(v, &scope);
    int ret;
    while ((ret = xmlTextReaderRead(v->reader)) == 1 && !v->stop && !v->io_failed && !v->nomem &&
           v->hostile == HOSTILE_NONE) {
        int type = xmlTextReaderNodeType(v->reader);
        xmlNode *node = xmlTextReaderCurrentNode(v->reader);
        if (type == XML_READER_TYPE_ENTITY_REFERENCE) {
            v->hostile = HOSTILE_ENTITY;
            v->hostile_line = node ? xmlGetLineNo(node) : 0;
            v->hostile_col = 1;
        }
        else if (type == XML_READER_TYPE_DOCUMENT_TYPE && node &&
                 dtd_hostile((const xmlDtd *)node)) {
            v->hostile = HOSTILE_DTD;
            v->hostile_line = v->dt_line;
            v->hostile_col = v->dt_col;
        }
    }
    rc = 0;
    if (ret != 0 || v->stop || v->io_failed || v->nomem || v->hostile != HOSTILE_NONE) {
        struct og_pos pos;
        char *raw = NULL;
        memset(&pos, 0, sizeof(pos));
        rc = finish(v, 0, &pos, &raw, err);
        free(raw);
        where->line = pos.line;
        where->offset = pos.offset;
    }
    og_xml_scope_leave(&scope);
    xml_close(v);
    return rc;
}

static void xml_progress(void *state, long long *done, long long *total)
{
    const struct xml *st = state;
    *total = st ? st->in.size : 0;
    *done = !st ? 0 : st->done && st->in.size > 0 ? st->in.size : st->bytes_read;
}

static void xml_set_skip(void *state, const struct og_skip *skip)
{
    ((struct xml *)state)->unchanged = skip;
}

const struct og_connector og_connector_xml = {
    .name = "xml",
    .summary = "XML: the elements named by \"records\", streamed one record at a time",
    .options = xml_options,
    .open = xml_open,
    .next = xml_next,
    .progress = xml_progress,
    .verify = xml_verify,
    .close = xml_close,
    .set_skip = xml_set_skip,
};
