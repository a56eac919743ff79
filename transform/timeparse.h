/* timeparse.h - parsing source times into UTC instants (formatting them is core/timefmt.h).
 * An instant is microseconds since 1970-01-01T00:00:00Z (int64). No global state (no TZ, no
 * locale). */
#ifndef OG_TIMEPARSE_H
#define OG_TIMEPARSE_H

#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

/* Zone names accepted: "Asia/Shanghai" (and "PRC", "Asia/Chongqing", "CST8": +08:00, no DST as the
 * contract says), "UTC", "Z", and fixed offsets "+08:00", "+0800", "+08", "-05:00" (at most
 * +-18:00). Sets *offset_min. 0 or OG_EINVAL. */
int og_zone_offset(const char *zone, int *offset_min);

/* Parses text s by format into *out (UTC microseconds).
 * format:
 *   a pattern of yyyy, M/MM (month, 1-2 digits / exactly 2), d/dd, H/HH, m/mm, s/ss, SSS (millis),
 *   and literal characters ("yyyy-MM-dd HH:mm:ss", "yyyy/M/d H:mm", "yyyyMMddHHmmss", "yyyyMMdd",
 *   "yyyy年M月d日"); text in single quotes is literal ('T', '' is a quote); an unquoted T is
 * literal; any other ASCII letter is a format error; yyyy, M and d are required, the time defaults
 * to 00:00; "iso8601": YYYY-MM-DD[(T| )hh:mm[:ss[.fraction]]][Z|+hh:mm|+hhmm|+hh] (t, z also
 * accepted; fraction after '.' or ',', 1-9 digits, cut to microseconds); "epoch_ms", "epoch_s":
 * integer (or digits in a string). A time without an offset is local time at offset_min minutes
 * east of UTC. Surrounding spaces are ignored. Fields are range-checked (year 1-9999, month 1-12,
 * day within month incl. leap years, hour 0-23, minute and second 0-59: no leap second, no 24:00).
 * s == NULL is an empty time. Returns 0, or OG_EPARSE (err: reason "invalid_time", class
 * OG_CLASS_REJECT, message `invalid time "TEXT" for format "FORMAT": WHY`, TEXT cut at ~60 bytes,
 * control characters as '?'), or OG_EINVAL (reason "invalid_format", class OG_CLASS_FATAL) when
 * format fails og_time_format_check or offset_min is beyond +-18:00. *out is only written on
 * success. */
int og_time_parse(const char *s, const char *format, int offset_min, int64_t *out,
                  struct og_error *err);
/* Checks a format string is one of the above. 0 or OG_EINVAL with a message. */
int og_time_format_check(const char *format, struct og_error *err);

#endif
