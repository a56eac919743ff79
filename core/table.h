/* table.h - small UTF-8 CSV files read whole (code tables, world files): rows of named columns. */
#ifndef OG_TABLE_H
#define OG_TABLE_H

#include "core/error.h"

#include <stddef.h>

struct og_table {
    char *path;    /* owned copy, for messages */
    char **header; /* ncols names */
    size_t ncols;
    char ***rows; /* nrows x ncols, owned */
    size_t nrows;
    long *lines; /* line number of each row, for messages */
};

/* Reads path (UTF-8, optional BOM, LF or CRLF, RFC 4180 quotes, header row required) into *t (new).
 * Errors: OG_EIO (cannot open), OG_EPARSE (unterminated quote, field count) with file:line. */
int og_table_read(const char *path, struct og_table *t, struct og_error *err);
/* Frees; NULL allowed. */
void og_table_free(struct og_table *t);
/* Column index by name, or -1. */
int og_table_col(const struct og_table *t, const char *name);
/* Like og_table_col but fills err naming the file and the missing column. */
int og_table_require_col(const struct og_table *t, const char *name, struct og_error *err);

#endif
