/* fuzz_ndjson.c - libFuzzer target: the ndjson connector reads arbitrary bytes safely.
 *
 * Build and run with tests/fuzz/Makefile.fuzz (`make -f tests/fuzz/Makefile.fuzz fuzz-run`).
 * The first input byte picks max_line_bytes (small limits exercise "line_too_long"); the rest is
 * the file. Checks: every record is an object, every reject has a reason, and at the end the
 * progress counter has consumed the whole file.
 * Bit 0x40 of the first byte sets a skip that calls every record with an odd digest unchanged
 * (the path of a changed file's records loaded before): such a record comes back unconverted, its
 * index in sequence.
 */
#include "connectors/ndjson.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/fuzz/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const json_int_t limits[] = {16777216, 1, 2, 8, 16, 64, 100, 4096};
    unsigned sel = size ? data[0] : 0;
    if (size) {
        data++;
        size--;
    }
    char path[64];
    int fd = fuzz_memfd("fuzz_ndjson", data, size, path);
    if (fd < 0)
        return 0;
    json_t *options = (sel & 0x80) ? NULL : json_pack("{s:I}", "max_line_bytes", limits[sel & 7]);
    void *state = NULL;
    struct og_error err;
    struct fuzz_skip skip;
    fuzz_skip_init(&skip);
    if (og_connector_ndjson.open(path, options, &state, &err) == 0) {
        if (sel & 0x40) /* records with an odd digest are called unchanged */
            og_connector_ndjson.set_skip(state, &skip.skip);
        long long last_index = -1;
        for (;;) {
            json_t *doc = NULL;
            struct og_pos pos;
            char *raw = NULL;
            memset(&err, 0, sizeof(err));
            int rc = og_connector_ndjson.next(state, &doc, &pos, &raw, &err);
            if (rc == 1 && !json_is_object(doc))
                abort(); /* a record is always an object */
            if (rc == OG_EREJECT && err.reason == OG_R_NONE)
                abort(); /* a reject always says why */
            if (rc == OG_CONN_UNCHANGED && (doc || raw))
                abort(); /* an unchanged record is not converted */
            if (rc == 1 || rc == OG_EREJECT || rc == OG_CONN_UNCHANGED) {
                if ((long long)pos.index != last_index + 1)
                    abort(); /* records (rejects included) are numbered 0, 1, 2, ... */
                last_index = (long long)pos.index;
                if (pos.line < 1 || pos.offset < 0 || pos.offset >= (long long)size)
                    abort(); /* the record starts somewhere inside the file */
            }
            json_decref(doc);
            free(raw);
            if (rc != 1 && rc != OG_EREJECT && rc != OG_CONN_UNCHANGED)
                break;
        }
        long long done, total;
        og_connector_ndjson.progress(state, &done, &total);
        if (done != total)
            abort(); /* everything read must be accounted for */
        og_connector_ndjson.close(state);
    }
    json_decref(options);
    close(fd);
    return 0;
}
