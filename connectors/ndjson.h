/* ndjson.h - the "ndjson" file connector: one JSON object per line, read line by line. */
#ifndef OG_CONNECTOR_NDJSON_H
#define OG_CONNECTOR_NDJSON_H

#include "core/connector.h"

/* Reads a file holding one JSON object per line (LF or CRLF), with bounded memory: the file is
 * read in blocks and only the current line is kept (at most max_line_bytes of it).
 * - A UTF-8 byte order mark at the start of the file is skipped.
 * - Blank and whitespace-only lines are skipped: they are not records.
 * - A line that is not valid JSON is an OG_EREJECT with reason "bad_json"; valid JSON that is
 *   not an object (an array, a string, a number...) is reason "not_object". err->message holds
 *   Jansson's text and the column, err->position is "path:line:column"; pos->line is the line;
 *   *raw is the line text (new, at most 64 KiB of it).
 * - A line longer than max_line_bytes is an OG_EREJECT with reason "line_too_long"; reading goes
 *   on at the next line.
 * pos->line is the 1-based line, pos->offset the byte offset of the line in the file, pos->index
 * the 0-based number of the record (rejects included, blank lines not), pos->input the path.
 * A read error is OG_EIO (fatal).
 * Options: "max_line_bytes" (integer >= 1, default 16777216); "keyed" (boolean, default false):
 * each line is KEY<TAB>JSON, as `kcat -K'\t'` writes Kafka messages; the object gets
 * "_kafka": {"key": KEY, "offset": the record number, "timestamp": null}, as the kafka source gives
 * its messages, so a Kafka feed's mapping reads a file of its messages (onegrid map). */
extern const struct og_connector og_connector_ndjson;

#endif
