/* jsonparse.h - JSON text to Jansson values, fast, for the record paths.
 *
 * Jansson's json_loadb() reads a byte at a time through a stream of callbacks and spends about
 * 11 s of CPU on the million HL-2 visits of the benchmark (684 MB), most of onegrid's parsing
 * time. og_json_loadb() builds the same values in a single pass over the buffer (2.4 s for the
 * same lines), and hands every text it does not read in that pass to json_loadb(), so that what
 * a record reads as, and what an invalid record is told, stay Jansson's:
 *
 *   - og_json_fast() reads the common shape: objects, arrays, strings in valid UTF-8 with the
 *     usual escapes (\uXXXX and surrogate pairs included), true/false/null, integers of at most
 *     18 digits and decimal reals, nested at most OG_JSON_FAST_DEPTH deep. On anything else
 *     (an error, but also a rare form it leaves to Jansson: a longer integer, a real out of
 *     range, deeper nesting, "\u0000") it returns NULL and builds nothing.
 *   - Whatever og_json_fast() returns is what json_loadb() returns for the same text and flags:
 *     same types (integer or real), same values, same key order, later duplicate keys replacing
 *     earlier ones (without JSON_REJECT_DUPLICATES). tests/unit/test_jsonparse.c and the
 *     differential fuzz target tests/fuzz/fuzz_jsonparse.c hold it to that.
 *
 * Flags: 0, JSON_DECODE_ANY and JSON_REJECT_DUPLICATES, as for json_loadb(); with any other flag
 * og_json_loadb() is json_loadb(). Without JSON_DECODE_ANY a top-level scalar is Jansson's error.
 * Ownership: the caller owns the value returned (json_decref); the buffer is only read and need
 * not end with a NUL. Thread-safe (no state between calls). */
#ifndef OG_CORE_JSONPARSE_H
#define OG_CORE_JSONPARSE_H

#include <jansson.h>
#include <stddef.h>

/* deepest nesting og_json_fast() reads itself (Jansson's own limit is 2048) */
#define OG_JSON_FAST_DEPTH 256

/* The value of buf[0..len), or NULL when the text is not one it reads (see above). */
json_t *og_json_fast(const char *buf, size_t len, size_t flags);

/* json_loadb(buf, len, flags, error), through og_json_fast() first. On success error is left
 * as it was; on failure it holds Jansson's message, line and column. */
json_t *og_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *error);

#endif
