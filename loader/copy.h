/* copy.h - encoding values for PostgreSQL COPY ... FROM STDIN in text format. */
#ifndef OG_COPY_H
#define OG_COPY_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Each appends one column (with a leading tab unless first is true). 0 or OG_ENOMEM. */
int og_copy_text(struct og_buf *b, bool first, const char *s); /* NULL -> \N */
int og_copy_double(struct og_buf *b, bool first, bool set, double v);
/* v as printf's "%.<digits>f" writes it (digits 0..10; set false -> \N) */
int og_copy_decimal(struct og_buf *b, bool first, bool set, double v, int digits);
int og_copy_int(struct og_buf *b, bool first, long long v);
int og_copy_bool(struct og_buf *b, bool first, signed char v); /* -1 -> \N */
int og_copy_time(struct og_buf *b, bool first, bool set, int64_t us);
/* The UTC date of us, "2020-02-03" ("0044-03-15 BC" before year 1), PostgreSQL date input. */
int og_copy_date(struct og_buf *b, bool first, bool set, int64_t us);
/* A PostGIS geometry column: the WGS-84 point (SRID 4326) as hex EWKB, which the server reads
 * several times faster than text; lon and lat rounded as og_copy_double writes them, so that the
 * point equals ST_MakePoint of those columns. \N when set is false. */
int og_copy_point(struct og_buf *b, bool first, bool set, double lon, double lat);
/* Appends one element of a text[] literal, quoted for the array ("a\"b"), with a ',' before it
 * unless first. 0 or OG_ENOMEM. */
int og_array_item(struct og_buf *b, bool first, const char *s);
/* A text[] column: {"a","b"} with array quoting, then COPY escaping. */
int og_copy_text_array(struct og_buf *b, bool first, const char *const *items, size_t n);
int og_copy_end_row(struct og_buf *b);

#endif
