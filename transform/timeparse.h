/* timeparse.h - parsing source times into UTC instants (formatting them is core/timefmt.h).
 * An instant is microseconds since 1970-01-01T00:00:00Z (int64). No global state (no TZ, no
 * locale): a zone with daylight saving time is read from its tz database file once, when opened. */
#ifndef OG_TIMEPARSE_H
#define OG_TIMEPARSE_H

#include "core/error.h"
#include "transform/zone.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses text s by format into *out (UTC microseconds).
 * format:
 *   a pattern of yyyy, M/MM (month, 1-2 digits / exactly 2), d/dd, H/HH (hour 0-23), h/hh (hour
 *   1-12 of a 12-hour clock, with a), a (AM or PM, any case, or 上午 / 下午: 12 AM is 00, 12 PM is
 *   12), m/mm, s/ss, SSS (millis), and literal characters ("yyyy-MM-dd HH:mm:ss", "yyyy/M/d H:mm",
 *   "yyyyMMddHHmmss", "yyyyMMdd", "yyyy年M月d日", "MM/dd/yyyy hh:mm:ss a"); text in single quotes
 *   is literal ('T', '' is a quote); an unquoted T is literal; any other ASCII letter is a format
 *   error; yyyy, M and d are required, h and a go together and exclude H, the time defaults to
 *   00:00;
 *   "iso8601": YYYY-MM-DD[(T| )hh:mm[:ss[.fraction]]][Z|+hh:mm|+hhmm|+hh] (t, z also accepted;
 *   fraction after '.' or ',', 1-9 digits, cut to microseconds);
 *   "hl7_ts": the HL7 v2 DTM / v3 TS form YYYY[MM[DD[HH[MM[SS[.fraction]]]]]][+hhmm|-hhmm] (each
 *   part exactly 2 digits, fraction 1-9 digits after the seconds, cut to microseconds; a value
 *   given to the year, month, day, hour or minute is the start of that period);
 *   "epoch_ms", "epoch_s": integer (or digits in a string).
 * A time without an offset is local time in zone (og_time_parse: at offset_min minutes east of
 * UTC); in a zone with daylight saving time, a local time that does not exist (the hour skipped
 * when clocks move forward) is invalid_time, and one that occurs twice (when clocks move back) is
 * the earlier of the two instants (daylight time), as java.time does. Surrounding spaces are
 * ignored. Fields are range-checked (year 1-9999, month 1-12, day within month incl. leap years,
 * hour 0-23 (1-12 with a), minute and second 0-59: no leap second, no 24:00).
 * s == NULL is an empty time. Returns 0, or OG_EPARSE (err: reason "invalid_time", class
 * OG_CLASS_REJECT, message `invalid time "TEXT" for format "FORMAT": WHY`, TEXT cut at ~60 bytes,
 * control characters as '?'), or OG_EINVAL (reason "invalid_format", class OG_CLASS_FATAL) when
 * format fails og_time_format_check or offset_min is beyond +-18:00. *out is only written on
 * success. */
int og_time_parse(const char *s, const char *format, int offset_min, int64_t *out,
                  struct og_error *err);
/* og_time_parse with local times in zone (borrowed). */
int og_time_parse_zone(const char *s, const char *format, const struct og_zone *zone, int64_t *out,
                       struct og_error *err);
/* Checks a format string is one of the above. 0 or OG_EINVAL with a message. */
int og_time_format_check(const char *format, struct og_error *err);

#endif
