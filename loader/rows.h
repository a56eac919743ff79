/* rows.h - the loader's encoding of unified records as COPY text rows, with their row hashes
 * (what loader/pg.h's struct og_pg_rows holds; merge.c and visits.c read it). */
#ifndef OG_ROWS_H
#define OG_ROWS_H

#include "loader/pg.h"

#include <stdbool.h>
#include <stddef.h>

/* One record encoded. Strings live in the rows' arena until og_pg_rows_reset. */
struct og_row {
    const char *content; /* the content columns (columns.h), tab-separated, no newline */
    size_t content_len;
    const char *members; /* visits: one "\tvisit_id\tseq\t...\n" line per member; else "" */
    size_t members_len;
    char hash[65]; /* SHA-256 hex over content (visits: content "\n" members) */
};

/* The encoding of b->recs[i]: the one prepared on the reading thread, or made now. Borrowed until
 * og_pg_rows_reset; NULL on out of memory. */
const struct og_row *og_rows_get(struct og_pg_rows *rows, const struct og_batch *b, size_t i);

#endif
