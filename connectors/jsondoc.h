/* jsondoc.h - the "json" file connector: the records of one JSON document's array. */
#ifndef OG_CONNECTOR_JSONDOC_H
#define OG_CONNECTOR_JSONDOC_H

#include "core/connector.h"

#include <stddef.h>

/* The file is read in blocks of this many bytes, each read ending at a multiple of it in the file
 * (or at the end of the file); the reader holds two blocks, or more while one element needs it. */
#define OG_JSONDOC_BLOCK ((size_t)256 * 1024)

/* Reads a JSON document that holds an array of records through a sliding window over the file:
 * memory follows the largest element (a root object: the whole object), not the document. The
 * members skipped on the way to the "records" array are scanned, not kept. verify reads the file
 * a second time through a window of its own. A failed read is OG_EIO naming the file.
 * - Option "records" (string, default ""): a dotted path of object keys to the array
 *   ("data.items"); "" means the root. With "" a root object is one record. A path that does not
 *   lead to an array (a missing key, or a value of another type) is OG_EPARSE at open, naming
 *   the path and what was found instead.
 * - Each element is delimited by a small scanner (strings with escapes, nesting) and decoded on
 *   its own, so one bad element is one OG_EREJECT with reason "bad_json" (or "not_object" for an
 *   element that is not an object) and the others still load. err->message holds Jansson's text,
 *   err->position "path:line:column"; *raw is the element text (new, at most 64 KiB).
 *   Because extents are found by counting brackets, an element with unbalanced brackets can take
 *   the elements after it into the same reject (and holds them while they are read). An array not
 * closed by the end of the file is OG_EPARSE after its last element.
 * - Option "repair_leading_zeros" (boolean, default false): numbers written with leading zeros
 *   (`"service_code":001`, as in the Open311 GeoReport v2 examples) are read as the string "001".
 * pos->line is the line where the element starts, pos->offset its byte offset, pos->index the
 * 0-based element index, pos->input the path. A UTF-8 byte order mark is skipped. */
extern const struct og_connector og_connector_json;

#endif
