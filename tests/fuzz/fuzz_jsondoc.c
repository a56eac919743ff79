/* fuzz_jsondoc.c - libFuzzer target: the json (array document) connector reads arbitrary bytes
 * safely.
 *
 * Build and run with tests/fuzz/Makefile.fuzz (`make -f tests/fuzz/Makefile.fuzz fuzz-run`).
 * The first input byte picks the options: bits 0-2 the "records" path ("", "data", "data.items",
 * "a.b.c", "requests", "x", "data.", ".") and bit 3 "repair_leading_zeros"; the rest is the file.
 * Checks: records are objects, rejects have a reason, elements are numbered 0, 1, 2, ...
 * Bit 0x10 of the first byte sets a skip that calls every record with an odd digest unchanged
 * (the path of a changed file's records loaded before): such a record comes back unconverted, its
 * index in sequence.
 */
#include "connectors/jsondoc.h"

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
    static const char *const paths[] = {"",         "data", "data.items", "a.b.c",
                                        "requests", "x",    "data.",      "."};
    unsigned sel = size ? data[0] : 0;
    if (size) {
        data++;
        size--;
    }
    char path[64];
    int fd = fuzz_memfd("fuzz_jsondoc", data, size, path);
    if (fd < 0)
        return 0;
    json_t *options =
        json_pack("{s:s, s:b}", "records", paths[sel & 7], "repair_leading_zeros", (sel & 8) != 0);
    void *state = NULL;
    struct og_error err;
    struct fuzz_skip skip;
    fuzz_skip_init(&skip);
    if (og_connector_json.open(path, options, &state, &err) == 0) {
        if (sel & 0x10) /* records with an odd digest are called unchanged */
            og_connector_json.set_skip(state, &skip.skip);
        long long last_index = -1;
        for (;;) {
            json_t *doc = NULL;
            struct og_pos pos;
            char *raw = NULL;
            memset(&err, 0, sizeof(err));
            int rc = og_connector_json.next(state, &doc, &pos, &raw, &err);
            if (rc == 1 && !json_is_object(doc))
                abort(); /* a record is always an object */
            if (rc == OG_EREJECT && err.reason == OG_R_NONE)
                abort(); /* a reject always says why */
            if (rc == OG_CONN_UNCHANGED && (doc || raw))
                abort(); /* an unchanged record is not converted */
            if (rc == 1 || rc == OG_EREJECT || rc == OG_CONN_UNCHANGED) {
                if (pos.index != last_index + 1)
                    abort(); /* elements are numbered 0, 1, 2, ... */
                last_index = pos.index;
                if (pos.line < 1 || pos.offset < 0 || pos.offset >= (long long)size)
                    abort(); /* the element starts somewhere inside the file */
            }
            if (rc == 1 && (sel & 8)) {
                /* repaired numbers come back as strings; the record must still serialise */
                char *text = json_dumps(doc, JSON_COMPACT);
                if (!text)
                    abort();
                free(text);
            }
            json_decref(doc);
            free(raw);
            if (rc != 1 && rc != OG_EREJECT && rc != OG_CONN_UNCHANGED)
                break;
        }
        long long done, total;
        og_connector_json.progress(state, &done, &total);
        if (done < 0 || done > total)
            abort();
        og_connector_json.close(state);
    }
    json_decref(options);
    close(fd);
    return 0;
}
