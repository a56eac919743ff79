/* xml.h - the "xml" file connector: record elements of an XML file, streamed with libxml2. */
#ifndef OG_CONNECTOR_XML_H
#define OG_CONNECTOR_XML_H

#include "core/connector.h"

/* Reads an XML file of any size with bounded memory: libxml2's xmlTextReader walks the file, each
 * record element is expanded on its own, turned into a JSON object, then passed over so that
 * libxml2 frees it. Memory grows with the largest record, never with the file.
 *
 * Options:
 * - "records" (string, required): which elements are records, as a path of element names from
 *   the root: "SJBL/RKXX" (or "/SJBL/RKXX"); "//RKXX" or "//SJBL/RKXX" for that path at any
 *   depth. A step is a name, "prefix:name" with the prefix declared in "namespaces", or "*" (any
 *   element). An unprefixed name matches an element in no namespace or in the namespace bound to
 *   "" in "namespaces". Records do not nest: a matching element inside a record is part of it.
 *   A bad path (empty step, undeclared prefix) is OG_ECONFIG at open.
 * - "namespaces" (object, default none): prefix -> namespace URI, e.g. {"": "urn:gaj:syrk:1.0"}
 *   or {"nc": "http://release.niem.gov/niem/niem-core/4.0/"}; prefixes are those of the options,
 *   not of the file (a file may use any prefix, or a default namespace, for the same URI).
 * - "attributes" (boolean, default true): include attributes.
 * - "empty" ("text" or "null", default "text"): what an empty element (no text, no children, no
 *   attributes) is: "" or null (as Open311's XML, where an empty element means null).
 *
 * How a record element becomes JSON:
 * - The record is always an object. Its attributes are "@name" keys, its child elements are keys,
 *   its own non-blank text is "#text", and "#name" is its own element name, keyed like a child
 *   (so that a mapping can tell records of several kinds apart: "RKXX", "CZFW").
 * - Names: an element or attribute in no namespace, or in the namespace bound to "", is keyed by
 *   its local name; one in a namespace bound to a prefix in "namespaces" is "prefix:local" (the
 *   first such prefix in option order); the XML namespace is always "xml:" ("@xml:lang"); any
 *   other namespace gives "{uri}local". The file's own prefixes never appear in keys. xmlns
 *   declarations are not attributes.
 * - A child element with neither child elements nor attributes is a string: its text and CDATA,
 *   concatenated, trimmed of XML whitespace (space, tab, CR, LF); an empty element is "".
 *   Characters are as libxml2 decodes them: character references and the five predefined
 *   entities resolved. Attribute values are kept as the parser normalised them (not trimmed).
 * - A child element with child elements and/or attributes is an object, keys in this order:
 *   "@name" for the attributes, the children in document order, then "#text" for its own text
 *   (mixed content: the text pieces between the children concatenated, then trimmed) when that
 *   is not empty. With "attributes": false attributes are left out, so an element with
 *   attributes and text is a string.
 * - A key that repeats (a repeated child) is an array of the values in document order; a key
 *   that occurs once is never an array.
 * - Comments and processing instructions are left out. Elements of any other vocabulary
 *   (xi:include...) are plain elements: nothing is resolved or fetched.
 *
 * Positions: pos->line is the line of the record's start tag (exact beyond line 65535 when the
 * record is preceded by text or whitespace, as in any indented file); pos->offset the byte offset
 * of its '<' when the record is the first thing on its line (as in indented files), else where
 * the parser stood when it reached the record (approximate: at or up to a few KiB after the
 * start); pos->index the 0-based record number (rejects included); pos->input the path (owned by
 * the connector, valid until close). progress() reports the bytes read from the file and its
 * size (done == total once the end, or a reject that ends the file, is reached).
 *
 * Encoding: the encoding declared in the XML prologue (or a byte order mark) is honoured, GB18030
 * included; JSON strings are UTF-8.
 *
 * Untrusted input: the file is parsed with XML_PARSE_NONET | NOERROR | NOWARNING, never with
 * entity substitution, DTD loading or XInclude; libxml2's errors go to the connector, never to
 * stderr (for the duration of each call the thread's structured and generic error handlers are
 * the connector's, then restored: libxml2 reports encoding errors through them). The DOCTYPE is
 * judged from the bytes before libxml2 parses it, so a refused subset is never parsed.
 * Rejects (OG_EREJECT, err->klass OG_CLASS_REJECT); after either one every next() returns 0:
 * - "xml_doctype": the DOCTYPE has an internal subset (even "[]") or an external identifier
 *   (SYSTEM/PUBLIC), or the file uses an entity other than the five predefined ones: the whole
 *   file is refused. A DOCTYPE sits before the first record, so no record of such a file is
 *   returned; an undeclared entity reference further on ends the file there (the records before
 *   it are returned, as for "bad_xml"). A bare <!DOCTYPE name> is allowed. err->position is
 *   "path:line:column" of the DOCTYPE (or of the reference).
 * - "bad_xml": the file is not well-formed XML from some point on (XML cannot resynchronise): the
 *   records whose end tag was parsed before that point are returned (a record followed directly
 *   by the error, with not even whitespace between, goes with the reject), then this one reject;
 *   a file that is not XML at all, or is empty, is one such reject. err->message holds libxml2's
 *   message (one line), err->position "path:line:column", pos->line the line of the failing
 *   record (or of the error outside records), *raw (new, or NULL) up to 64 KiB of the text from
 *   the start of that line, as UTF-8 (NULL for UTF-16 or UCS-4 files).
 * Open fails with OG_ECONFIG (bad options), OG_EIO (cannot open or read, naming the file) or
 * OG_ENOMEM; next() fails with OG_EIO on a read error or OG_ENOMEM. */
extern const struct og_connector og_connector_xml;

#endif
