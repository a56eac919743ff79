/* zone.h - time zones for local times written without an offset: a fixed offset, or rules with
 * daylight saving time. No global state (no TZ): a zone with rules is read from its tz database
 * file once, when opened. */
#ifndef OG_ZONE_H
#define OG_ZONE_H

#include "core/error.h"

#include <stdbool.h>
#include <stdint.h>

/* Zone names accepted: "Asia/Shanghai" (and "PRC", "Asia/Chongqing", "CST8": +08:00, no DST as the
 * contract says), "UTC", "Z", and fixed offsets "+08:00", "+0800", "+08", "-05:00" (at most
 * +-18:00). Sets *offset_min. 0 or OG_EINVAL. */
int og_zone_offset(const char *zone, int *offset_min);

/* A zone for local times: a fixed offset, or rules with daylight saving time (an IANA zone of the
 * tz database, or a POSIX TZ rule). Immutable once opened: it may be shared between threads. */
struct og_zone;

/* Opens zone name:
 * - every name og_zone_offset accepts, as that fixed offset ("Asia/Shanghai" stays +08:00, with no
 *   daylight saving time, as the contract says);
 * - a POSIX TZ rule with daylight saving time, recognised by its ',' ("EST5EDT,M3.2.0,M11.1.0":
 *   std name, offset west of UTC, dst name [offset, default one hour ahead],
 * ",start[/time],end[/time]" with dates Mm.w.d, Jn or n and times [+-]h[:mm[:ss]] up to 167 h, as
 * RFC 8536 extends POSIX); the same rule applies to every year;
 * - an IANA zone name ("America/New_York"): the TZif file (RFC 8536, versions 1-4) of that name
 *   under /usr/share/zoneinfo (Debian's tzdata), with every historical transition, and the file's
 *   own POSIX rule for the times after its last transition.
 * *out (new, og_zone_close) is set on success. Returns 0, OG_EINVAL (err: unknown or malformed
 * zone, naming it; reason invalid_format, class fatal) or OG_ENOMEM. */
int og_zone_open(const char *name, struct og_zone **out, struct og_error *err);
/* Frees zone; NULL is allowed. */
void og_zone_close(struct og_zone *zone);
/* True when zone is a fixed offset (then *offset_min, if not NULL, is it); false when it has rules
 * (daylight saving time). */
bool og_zone_fixed(const struct og_zone *zone, int *offset_min);
/* The name zone was opened with. */
const char *og_zone_name(const struct og_zone *zone);
/* The UTC offset in effect in zone at instant t (UTC microseconds), in whole minutes east of UTC
 * (an offset with seconds, a 19th-century local mean time, is cut toward zero). */
int og_zone_offset_at(const struct og_zone *zone, int64_t t);

/* The UTC second of local second l (the local wall time counted as if it were UTC) into *t: 0, or
 * -1 when l does not exist in zone (the hour skipped when clocks move forward). Of two instants
 * (clocks moved back), the earlier. */
int og_zone_local_to_utc(const struct og_zone *zone, int64_t l, int64_t *t);

#endif
