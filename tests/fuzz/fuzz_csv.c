/* fuzz_csv.c - libFuzzer target: the csv connector reads arbitrary bytes safely.
 *
 * Not part of the default build; with clang, from the repo root:
 *   clang -g -O1 -std=c17 -D_GNU_SOURCE -I. -fsanitize=fuzzer,address,undefined \
 *     tests/fuzz/fuzz_csv.c connectors/csv.c core/buf.c core/error.c \
 *     $(pkg-config --cflags --libs jansson) -o build/fuzz_csv
 *   ./build/fuzz_csv -max_len=4096 CORPUS_DIR
 * The first input byte picks the options (encoding, delimiter, header); the rest is the file.
 * Bit 0x20 of the first byte sets a skip that calls every record with an odd digest unchanged
 * (the path of a changed file's records loaded before): such a record comes back unconverted, its
 * index in sequence.
 */
#include "connectors/csv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/fuzz/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const encodings[] = {"auto", "utf-8", "gb18030", "auto"};
    static const char delimiters[] = {',', ';', '|', '\t'};
    unsigned sel = size ? data[0] : 0;
    if (size) {
        data++;
        size--;
    }
    char path[64];
    int fd = fuzz_memfd("fuzz_csv", data, size, path);
    if (fd < 0)
        return 0;
    char delim[2] = {delimiters[(sel >> 2) & 3], '\0'};
    json_t *options = json_pack("{s:s, s:s, s:b}", "encoding", encodings[sel & 3], "delimiter",
                                delim, "header", !(sel & 0x10));
    void *state = NULL;
    struct og_error err;
    struct fuzz_skip skip;
    fuzz_skip_init(&skip);
    if (og_connector_csv.open(path, options, &state, &err) == 0) {
        if (sel & 0x20) /* records with an odd digest are called unchanged */
            og_connector_csv.set_skip(state, &skip.skip);
        for (;;) {
            json_t *doc = NULL;
            struct og_pos pos;
            char *raw = NULL;
            int rc = og_connector_csv.next(state, &doc, &pos, &raw, &err);
            bool converted = doc || raw;
            json_decref(doc);
            free(raw);
            if (rc == OG_CONN_UNCHANGED && converted)
                abort(); /* an unchanged record is not converted */
            if (rc != 1 && rc != OG_EREJECT && rc != OG_CONN_UNCHANGED)
                break;
        }
        long long done, total;
        og_connector_csv.progress(state, &done, &total);
        if (done != total)
            abort(); /* everything read must be accounted for */
        og_connector_csv.close(state);
    }
    json_decref(options);
    close(fd);
    return 0;
}
