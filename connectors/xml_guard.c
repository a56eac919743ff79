/* xml_guard.c - what keeps untrusted XML harmless around libxml2: its errors captured (never
 * printed), and the prolog scanned before libxml2 sees it, so that a DOCTYPE with an internal
 * subset or an external identifier is refused unparsed. */
#include "connectors/xml_internal.h"

#include <libxml/globals.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---------- errors from libxml2 ---------- */

static bool entity_code(int code)
{
    switch (code) {
    case XML_ERR_UNDECLARED_ENTITY:
    case XML_WAR_UNDECLARED_ENTITY:
    case XML_ERR_UNPARSED_ENTITY:
    case XML_ERR_ENTITY_IS_EXTERNAL:
    case XML_ERR_ENTITY_IS_PARAMETER:
    case XML_ERR_EXT_ENTITY_STANDALONE:
    case XML_ERR_ENTITY_PE_INTERNAL:
    case XML_ERR_ENTITY_LOOP:
    case XML_ERR_ENTITY_BOUNDARY:
    case XML_ERR_ENTITY_PROCESSING:
    case XML_WAR_ENTITY_REDEFINED:
        return true;
    default:
        return false;
    }
}

/* Copies msg into dst on one line: runs of whitespace become one space, ends trimmed. */
static void one_line(char *dst, size_t size, const char *msg)
{
    size_t n = 0;
    bool space = false;
    for (const char *p = msg; *p && n + 1 < size; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            space = n > 0;
            continue;
        }
        if (space && n + 2 < size)
            dst[n++] = ' ';
        space = false;
        dst[n++] = *p;
    }
    dst[n] = '\0';
}

/* The structured error handler: records the first error that ends the parse; never prints. */
void og_xml_on_error(void *ctx, xmlErrorPtr e)
{
    struct xml *st = ctx;
    if (!st || !e)
        return;
    bool entity = entity_code(e->code);
    bool fatal =
        e->level == XML_ERR_FATAL || (e->level == XML_ERR_ERROR && e->domain != XML_FROM_NAMESPACE);
    if (!entity && !fatal)
        return; /* warnings, namespace errors: the parse goes on */
    if (e->code == XML_ERR_NO_MEMORY)
        st->nomem = true;
    if (st->stop)
        return;
    st->stop = true;
    if (entity && st->hostile == HOSTILE_NONE) {
        st->hostile = HOSTILE_ENTITY;
        st->hostile_line = e->line;
        st->hostile_col = e->int2;
    }
    st->xcode = e->code;
    st->xline = e->line;
    st->xcol = e->int2;
    one_line(st->xmsg, sizeof(st->xmsg), e->message ? e->message : "unknown error");
}

/* The generic handler: libxml2 prints a few messages with it directly ("xmlParseChunk: encoder
 * error"). Kept, on one line, for when the parse then fails without a structured error. */
static void on_generic(void *ctx, const char *msg, ...) __attribute__((format(printf, 2, 3)));
static void on_generic(void *ctx, const char *msg, ...)
{
    struct xml *st = ctx;
    if (!st || st->gmsg[0])
        return;
    char buf[sizeof(st->gmsg)];
    va_list ap;
    va_start(ap, msg);
    int n = vsnprintf(buf, sizeof(buf), msg, ap);
    va_end(ap);
    one_line(st->gmsg, sizeof(st->gmsg), n < 0 ? "unknown error" : buf);
}

void og_xml_scope_enter(struct xml *st, struct xml_errscope *s)
{
    s->fn = xmlStructuredError;
    s->ctx = xmlStructuredErrorContext;
    s->gfn = xmlGenericError;
    s->gctx = xmlGenericErrorContext;
    xmlSetStructuredErrorFunc(st, og_xml_on_error);
    xmlSetGenericErrorFunc(st, on_generic);
}

void og_xml_scope_leave(const struct xml_errscope *s)
{
    xmlSetGenericErrorFunc(s->gctx, s->gfn);
    xmlSetStructuredErrorFunc(s->ctx, s->fn);
}

/* ---------- the prolog ---------- */

static void set_hostile(struct xml *st, enum xml_hostile kind)
{
    st->hostile = kind;
    st->hostile_line = st->dt_line;
    st->hostile_col = st->dt_col;
    st->pro = PRO_DONE;
}

/* Feeds one byte of the prolog to the scanner. Returns true when it ends the root start tag. */
bool og_xml_prolog_byte(struct xml *st, unsigned char c)
{
    bool ws = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    bool end = false;
    switch (st->pro) {
    case PRO_OUT:
        if (c == '<') {
            st->pro = PRO_LT;
            st->lt_line = st->pro_line;
            st->lt_col = st->pro_col;
        }
        break;
    case PRO_LT:
        st->pro = c == '?' ? PRO_PI : c == '!' ? PRO_BANG : PRO_ROOT;
        if (c == '>') {
            st->pro = PRO_DONE;
            end = true;
        }
        break;
    case PRO_PI:
        if (c == '?')
            st->pro = PRO_PI_Q;
        break;
    case PRO_PI_Q:
        st->pro = c == '>' ? PRO_OUT : c == '?' ? PRO_PI_Q : PRO_PI;
        break;
    case PRO_BANG:
        if (c == '-')
            st->pro = PRO_BANG_DASH;
        else if (c == 'D') {
            st->pro = PRO_DT_KW;
            st->dt_line = st->lt_line;
            st->dt_col = st->lt_col;
        }
        else
            st->pro = PRO_DONE; /* not XML: libxml2 will say so */
        break;
    case PRO_BANG_DASH:
        st->pro = c == '-' ? PRO_COMMENT : PRO_DONE;
        break;
    case PRO_COMMENT:
        if (c == '-')
            st->pro = PRO_COMMENT_D1;
        break;
    case PRO_COMMENT_D1:
        st->pro = c == '-' ? PRO_COMMENT_D2 : PRO_COMMENT;
        break;
    case PRO_COMMENT_D2:
        st->pro = c == '>' ? PRO_OUT : c == '-' ? PRO_COMMENT_D2 : PRO_COMMENT;
        break;
    case PRO_DT_KW:
        if (c == '[')
            set_hostile(st, HOSTILE_SUBSET);
        else if (c == '>')
            st->pro = PRO_OUT;
        else if (ws)
            st->pro = PRO_DT_WS1;
        break;
    case PRO_DT_WS1:
        if (c == '[')
            set_hostile(st, HOSTILE_SUBSET);
        else if (c == '>')
            st->pro = PRO_OUT;
        else if (!ws)
            st->pro = PRO_DT_NAME;
        break;
    case PRO_DT_NAME:
        if (c == '[')
            set_hostile(st, HOSTILE_SUBSET);
        else if (c == '>')
            st->pro = PRO_OUT;
        else if (ws)
            st->pro = PRO_DT_WS2;
        break;
    case PRO_DT_WS2:
        if (c == '[')
            set_hostile(st, HOSTILE_SUBSET);
        else if (c == '>')
            st->pro = PRO_OUT;
        else if (!ws)
            set_hostile(st, HOSTILE_EXTERNAL);
        break;
    case PRO_ROOT:
        if (c == '"')
            st->pro = PRO_ROOT_DQ;
        else if (c == '\'')
            st->pro = PRO_ROOT_SQ;
        else if (c == '>') {
            st->pro = PRO_DONE;
            end = true;
        }
        break;
    case PRO_ROOT_DQ:
        if (c == '"')
            st->pro = PRO_ROOT;
        break;
    case PRO_ROOT_SQ:
        if (c == '\'')
            st->pro = PRO_ROOT;
        break;
    case PRO_DONE:
        break;
    }
    if (c == '\n') {
        st->pro_line++;
        st->pro_col = 1;
    }
    else if ((c & 0xC0) != 0x80)
        st->pro_col++;
    return end;
}
