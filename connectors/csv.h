/* csv.h - the "csv" file connector: RFC 4180 text in UTF-8 or GB18030, read in blocks. */
#ifndef OG_CONNECTOR_CSV_H
#define OG_CONNECTOR_CSV_H

#include "core/connector.h"

/* Reads an RFC 4180 file with bounded memory (64 KiB read blocks, one record at a time).
 * - Fields may be quoted; "" inside quotes is one quote; quoted fields may hold the delimiter,
 *   CR, LF and CRLF. Records end at CRLF, LF or a lone CR (mixed in one file is fine). Empty lines
 *   between records are skipped. Lenient where RFC 4180 is silent: a quote inside an unquoted
 *   field, or text after a closing quote, is kept as text.
 * - With "header": true (the default) the first record gives the field names (a duplicate name is
 *   OG_ECONFIG at open, naming the column); each later record becomes a JSON object
 *   {name: "text"} (every value a string, an empty field is ""). With "header": false the fields
 *   are named "1", "2", ... and the first record fixes the number of fields.
 * - "encoding": "utf-8", "gb18030" or "auto" (default). auto: a UTF-8 byte order mark means
 *   UTF-8; else valid UTF-8 in the first 64 KiB means UTF-8; else GB18030. A UTF-8 (or GB18030)
 *   byte order mark at the start of the file is skipped. GB18030 is decoded with iconv field by
 *   field, after the splitter has kept every multi-byte character whole (so a trail byte that
 *   looks like the delimiter, and a character cut by a read block, are handled).
 * Rejects (OG_EREJECT, reading goes on with the next record):
 *   "field_count"        the record does not have as many fields as the header (detail: counts)
 *   "bad_encoding"       a field is not valid text in the encoding (or holds a NUL byte)
 *   "unterminated_quote" a quoted field is still open at the end of the file (pos->line = the
 *                        line where the record started)
 *   "record_too_long"    a record longer than 16 MiB (skipped to its end)
 * pos->line is the physical line where the record starts, pos->offset its byte offset in the
 * file, pos->index the 0-based record number (header not counted), pos->input the path. *raw
 * is the record text converted to UTF-8 (undecodable bytes as U+FFFD), at most 64 KiB.
 * Open fails with OG_EIO (cannot read), OG_ECONFIG (bad options, duplicate header name) or
 * OG_EPARSE (unreadable header). Options: "encoding" (string), "delimiter" (string: one ASCII
 * character other than a quote, CR or LF; default ","), "header" (boolean, default true). */
extern const struct og_connector og_connector_csv;

#endif
