/* fuzz_time.c - libFuzzer target: og_time_parse on arbitrary text, and the ISO round trip.
 *
 * Build and run with tests/fuzz/Makefile.fuzz (`make -f tests/fuzz/Makefile.fuzz fuzz-run`).
 * Input: byte 0 picks the format (low 4 bits) and the local offset or zone (high 4 bits: 14 is the
 * POSIX rule EST5EDT,M3.2.0,M11.1.0, 15 the IANA zone America/New_York, read with
 * og_time_parse_zone); the rest is the time text. Format index 15 means "the format is fuzzed too":
 * the text up to the first '\n' is the format, the rest the time. Check: whenever parsing succeeds,
 * og_time_format_iso and parsing that back with "iso8601" gives the same instant (for instants
 * whose year in that offset is 1..9999, the range og_time_parse accepts; in a zone with daylight
 * saving time, at the offset in effect then, within the minute that offsets in seconds of local
 * mean times lose), and og_time_format_pg never overflows its buffer.
 */
#include "core/timefmt.h"
#include "transform/timeparse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define US_PER_DAY 86400000000LL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const formats[] = {
        "iso8601",
        "epoch_ms",
        "epoch_s",
        "yyyy-MM-dd HH:mm:ss",
        "yyyy/M/d H:mm",
        "yyyyMMddHHmmss",
        "yyyyMMdd",
        "yyyy年M月d日",
        "yyyy-MM-dd'T'HH:mm:ss.SSS",
        "yyyy/MM/dd HH:mm",
        "d/M/yyyy H:m:s",
        "hl7_ts",
        "yyyy年M月d日 H时m分",
        "MM/dd/yyyy hh:mm:ss a",
        "yyyy-M-d h:mm a",
    };
    static const int offsets[] = {480,   0,   -300, 60, 330, -720, 840, 1080,
                                  -1080, 345, 480,  0,  480, 0,    0,   0};
    static struct og_zone *zones[2]; /* 14, 15: opened once, kept for the process */
    if (!zones[0]) {
        struct og_error zerr;
        if (og_zone_open("EST5EDT,M3.2.0,M11.1.0", &zones[0], &zerr) != 0 ||
            og_zone_open("America/New_York", &zones[1], &zerr) != 0) {
            fprintf(stderr, "fuzz_time: %s\n", zerr.message);
            abort();
        }
    }
    if (size == 0)
        return 0;
    unsigned sel = data[0];
    data++;
    size--;
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    const char *format, *text;
    if ((sel & 15) == 15) {
        char *nl = memchr(buf, '\n', size);
        if (!nl) {
            free(buf);
            return 0;
        }
        *nl = '\0';
        format = buf;
        text = nl + 1;
    }
    else {
        format = formats[sel & 15];
        text = buf;
    }
    int offset = offsets[sel >> 4];
    const struct og_zone *zone = (sel >> 4) >= 14 ? zones[(sel >> 4) - 14] : NULL;
    struct og_error err;
    int64_t t = 0x5a5a5a5a5a5a5a5aLL;
    int rc = zone ? og_time_parse_zone(text, format, zone, &t, &err)
                  : og_time_parse(text, format, offset, &t, &err);
    if (rc == 0) {
        if (zone)
            offset = og_zone_offset_at(zone, t);
        char iso[64], pg[64];
        og_time_format_pg(t, pg, sizeof(pg));
        if (strlen(pg) >= 40)
            abort(); /* the contract says 40 bytes are enough */
        og_time_format_iso(t, offset, iso, sizeof(iso));
        if (strlen(iso) >= 40)
            abort();
        /* the local civil year, to know whether the ISO text is in the parseable range */
        int64_t local = t + (int64_t)offset * 60000000LL;
        int64_t days = local / US_PER_DAY - (local % US_PER_DAY < 0);
        int y, m, d;
        og_civil_from_days(days, &y, &m, &d);
        if (y >= 1 && y <= 9999) {
            int64_t back = 0;
            struct og_error err2;
            int64_t slack = zone ? 60000000LL : 0; /* local mean time: seconds in the offset */
            if (og_time_parse(iso, "iso8601", offset, &back, &err2) != 0 || back - t > slack ||
                t - back > slack) {
                fprintf(stderr, "round trip: \"%s\" (%s) -> %lld -> \"%s\" -> %s %lld\n", text,
                        format, (long long)t, iso, err2.message, (long long)back);
                abort();
            }
        }
    }
    else if (rc != OG_EPARSE && rc != OG_EINVAL) {
        abort(); /* only the two documented errors */
    }
    else if (t != 0x5a5a5a5a5a5a5a5aLL) {
        abort(); /* *out is only written on success */
    }
    free(buf);
    return 0;
}
