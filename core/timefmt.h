/* timefmt.h - UTC instants (microseconds since 1970-01-01T00:00:00Z, int64) as text for PostgreSQL
 * and ISO 8601, and civil-date arithmetic. No global state (no TZ, no locale). */
#ifndef OG_TIMEFMT_H
#define OG_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* "2020-02-03 06:05:00+00" (UTC, microseconds only when non-zero, trailing zeros trimmed:
 * "...:00.123+00"; years before 1 as PostgreSQL writes them, "... BC"), PostgreSQL timestamptz
 * input. Returns out. size >= 40. */
char *og_time_format_pg(int64_t t, char *out, size_t size);
/* "2020-02-03T14:05:00+08:00" in the given offset (for NDJSON output of `onegrid map`); offset 0 is
 * written "+00:00"; a fraction only when non-zero, trailing zeros trimmed (".5"). size >= 40. */
char *og_time_format_iso(int64_t t, int offset_min, char *out, size_t size);
/* Days since 1970-01-01 for a civil date, and the reverse (proleptic Gregorian). */
int64_t og_days_from_civil(int y, int m, int d);
void og_civil_from_days(int64_t days, int *y, int *m, int *d);

#endif
