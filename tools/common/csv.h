/* csv.h - reading CSV records in place from a text in memory, and writing CSV fields (RFC 4180). */
#ifndef OG_TOOLS_COMMON_CSV_H
#define OG_TOOLS_COMMON_CSV_H

#include "core/buf.h"

#include <stdbool.h>

/* Splits the record at *pos (no line breaks inside quotes; a record ends at "\n", "\r\n", "\r" or
 * the end of the text) into fields, in place: quotes are removed, "" becomes ", text after a
 * closing quote is kept, and each field is NUL-terminated. fields[0..max-1] receive pointers into
 * the text (borrowed, valid while the text is); fields beyond max are parsed but dropped. Advances
 * *pos past the record. Returns the number of fields stored (1..max), or 0 at the end of the text.
 * Cannot fail. */
int og_tool_csv_next(char **pos, char **fields, int max);

/* The index of the field equal to name among fields[0..n-1], or -1. */
int og_tool_csv_col(char *const *fields, int n, const char *name);

/* Appends s as one CSV field to b, preceded by ',' unless first; quoted (with "" for ") when it
 * holds a comma, a quote or a line break. The caller writes the record's line break.
 * 0 or OG_ENOMEM (b then holds part of the field). */
int og_tool_csv_field(struct og_buf *b, const char *s, bool first);

#endif
