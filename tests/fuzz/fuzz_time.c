/* fuzz_time.c - libFuzzer target: og_time_parse on arbitrary text, and the ISO round trip.
 *
 * Build and run with tests/fuzz/Makefile.fuzz (`make -f tests/fuzz/Makefile.fuzz fuzz-run`).
 * Input: byte 0 picks the format (low 4 bits) and the local offset (high 4 bits); the rest is the
 * time text. Format index 15 means "the format is fuzzed too": the text up to the first '\n' is the
 * format, the rest the time. Check: whenever parsing succeeds, og_time_format_iso and parsing that
 * back with "iso8601" gives the same instant (for instants whose year in that offset is 1..9999,
 * the range og_time_parse accepts), and og_time_format_pg never overflows its buffer.
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
        "yyyy.M.d",
        "yyyy年M月d日 H时m分",
        "''yyyy''-MM-dd",
        "yyyy-M-d H:mm:ss",
    };
    static const int offsets[] = {480,   0,   -300, 60, 330, -720, 840, 1080,
                                  -1080, 345, 480,  0,  480, 0,    -60, 525};
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
    struct og_error err;
    int64_t t = 0x5a5a5a5a5a5a5a5aLL;
    int rc = og_time_parse(text, format, offset, &t, &err);
    if (rc == 0) {
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
            if (og_time_parse(iso, "iso8601", offset, &back, &err2) != 0 || back != t) {
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
