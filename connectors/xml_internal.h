/* xml_internal.h - the xml connector's state, shared by its files: xml.c (reading, the walk, the
 * connector), xml_guard.c (libxml2's errors, the prolog scanner) and xml_json.c (records as JSON).
 * Not for use outside connectors/xml*.c. */
#ifndef OG_CONNECTOR_XML_INTERNAL_H
#define OG_CONNECTOR_XML_INTERNAL_H

#include "connectors/infile.h"

#include "core/buf.h"
#include "core/connector.h"
#include "core/error.h"

#include <jansson.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include <stdbool.h>

#define XML_RAW_MAX ((size_t)64 * 1024)   /* raw text kept for a reject */
#define XML_WIN_MAX ((size_t)256 * 1024)  /* recent bytes of the file, for *raw */
#define XML_WIN_KEEP ((size_t)128 * 1024) /* what is kept when the window is cut */

/* Never NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE or HUGE. BIG_LINES keeps text nodes' line
 * numbers beyond 65535 (see record_line). */
#define XML_READER_OPTIONS                                                                         \
    (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_COMPACT |               \
     XML_PARSE_BIG_LINES)

struct xml_ns {
    char *prefix; /* "" for the default namespace */
    char *uri;
};

struct xml_step {
    char *local;     /* NULL for "*" */
    const char *uri; /* of a prefixed step (borrowed from the namespaces) */
    bool prefixed;
};

/* The prolog scanner's states: before the root start tag ends. */
enum xml_prolog {
    PRO_OUT,        /* between constructs */
    PRO_LT,         /* after '<' */
    PRO_PI,         /* in <?...?> */
    PRO_PI_Q,       /* after '?' in a PI */
    PRO_BANG,       /* after "<!" */
    PRO_BANG_DASH,  /* after "<!-" */
    PRO_COMMENT,    /* in <!-- --> */
    PRO_COMMENT_D1, /* after '-' in a comment */
    PRO_COMMENT_D2, /* after "--" in a comment */
    PRO_DT_KW,      /* in "<!DOCTYPE" */
    PRO_DT_WS1,     /* before the DOCTYPE name */
    PRO_DT_NAME,    /* in the DOCTYPE name */
    PRO_DT_WS2,     /* after the name: '>' is a bare DOCTYPE, anything else is refused */
    PRO_ROOT,       /* in the root start tag */
    PRO_ROOT_DQ,    /* in a "..." attribute value of the root start tag */
    PRO_ROOT_SQ,    /* in a '...' attribute value of the root start tag */
    PRO_DONE,       /* the root start tag has ended (or the scanner gave up) */
};

enum xml_hostile {
    HOSTILE_NONE,
    HOSTILE_SUBSET,   /* <!DOCTYPE x [ ... ]> */
    HOSTILE_EXTERNAL, /* <!DOCTYPE x SYSTEM|PUBLIC ...> */
    HOSTILE_DTD,      /* a DTD node with declarations (seen by libxml2, not by the scanner) */
    HOSTILE_ENTITY,   /* a reference to an entity that is not predefined */
};

/* Where the walk stands: the last node decided on, and what comes after it. */
enum xml_at {
    AT_SELF,  /* the node itself is still to be decided on */
    AT_INTO,  /* its children come next */
    AT_AFTER, /* the node after it (and its subtree) comes next */
};

enum xml_match { MATCH_SKIP, MATCH_DESCEND, MATCH_RECORD };

#define CONV_ENTITY 1 /* an element_value result: an entity reference was found */

struct xml {
    struct og_infile in;
    json_t *opts; /* the options it was opened with (a reference), for verify's second reader */
    xmlTextReaderPtr reader;

    struct xml_ns *ns; /* the "namespaces" option, in option order */
    size_t nns;
    const char *default_uri; /* bound to "" (borrowed from ns), or NULL */
    struct xml_step *steps;
    size_t nsteps;

    long long bytes_read; /* handed to libxml2 */
    long long read_line;  /* 1 + line feeds read */
    long long index;      /* records and rejects returned */
    long long prev_text_line;
    xmlNode *at; /* last node decided on (valid: see broken()) */
    enum xml_at at_mode;

    enum xml_prolog pro;
    long long pro_line, pro_col; /* position of the next prolog byte */
    long long lt_line, lt_col;   /* of the last '<' */
    long long dt_line, dt_col;   /* of "<!DOCTYPE", 0 when none */

    enum xml_hostile hostile;
    long long hostile_line, hostile_col;
    struct og_error io_err;
    int xcode;
    long long xline, xcol;
    char xmsg[400]; /* libxml2's first message, on one line */
    char gmsg[200]; /* its first message through the generic handler */

    struct og_buf win; /* the file's bytes [win_off, win_off + win.len) */
    long long win_off, win_line;
    long long cur_line, cur_off; /* a line start found in the window (cursor for records) */
    long long last_rec_line;

    struct og_buf text, key; /* scratch */
    const xmlNs *ns_last;    /* cache of ns_prefix(), valid for one record */
    const char *ns_last_prefix;

    bool anywhere;   /* "//": the steps match at any depth */
    bool attributes; /* the "attributes" option */
    bool empty_null; /* the "empty" option is "null" */
    bool skip;       /* pass over the current element on the next move */
    const struct og_skip
        *unchanged; /* records loaded before are not converted; borrowed, or NULL */
    bool draining;  /* the parser failed: reading on in the tree already built */
    bool done;
    bool stop;  /* libxml2 reported an error that ends the parse */
    bool nomem; /* an allocation failed (ours or libxml2's) */
    bool io_failed;
    bool win_at_line_start;
    bool wide; /* UTF-16 or UCS-4: lines of the window cannot be found (no raw, offsets) */
    bool ns_last_clark;
};

/* libxml2 reports some errors (encoding conversion, I/O) without a parser context, through the
 * thread's structured and generic handlers: for the duration of each call they are ours, then
 * restored, so that nothing is printed. */
struct xml_errscope {
    xmlStructuredErrorFunc fn;
    void *ctx;
    xmlGenericErrorFunc gfn;
    void *gctx;
};

/* xml_guard.c: the structured error handler (records the first error that ends the parse, never
 * prints), the thread's handlers swapped for ours around each call, and the prolog scanner: feeds
 * one byte of the prolog, true when it ends the root start tag. */
void og_xml_on_error(void *ctx, xmlErrorPtr e);
void og_xml_scope_enter(struct xml *st, struct xml_errscope *s);
void og_xml_scope_leave(const struct xml_errscope *s);
bool og_xml_prolog_byte(struct xml *st, unsigned char c);

/* xml_json.c: the JSON value of an element (see xml.h); top: the record itself, always an object.
 * *out is new. 0, CONV_ENTITY or OG_ENOMEM. */
int og_xml_element_value(struct xml *st, const xmlNode *el, bool top, json_t **out);
/* The key of an element or attribute: borrowed, valid until the next call; NULL: out of memory. */
const char *og_xml_make_key(struct xml *st, const xmlNs *ns, const xmlChar *name, bool attr);

#endif
