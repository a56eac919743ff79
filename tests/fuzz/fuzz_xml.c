/* fuzz_xml.c - libFuzzer target: the xml connector reads arbitrary bytes safely.
 *
 * Build and run with tests/fuzz/Makefile.fuzz (`make -f tests/fuzz/Makefile.fuzz fuzz-run`).
 * The first input byte picks one of a fixed set of options (paths with and without "//" and
 * prefixes, attributes on or off); the rest is the file. Checks: every record is an object with
 * a position inside the file, records and rejects are numbered 0, 1, 2, ..., every reject has a
 * reason (bad_xml or xml_doctype) and a position, at most one reject and nothing after it, no
 * other error than a reject (OG_EPARSE, class REJECT: it ends the file), and at the end the
 * progress counter is the whole file. Leaks are found by the sanitizer.
 * Bit 0x40 of the first byte sets a skip that calls every record with an odd digest unchanged
 * (the path of a changed file's records loaded before): such a record comes back unconverted, its
 * index in sequence.
 */
#include "connectors/xml.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/fuzz/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const OPTIONS[] = {
    "{\"records\": \"//*/*\"}",
    "{\"records\": \"list/item\"}",
    "{\"records\": \"//item\", \"attributes\": false}",
    "{\"records\": \"ps:SJBL/ps:RKXX\", \"namespaces\": {\"ps\": \"urn:gaj:syrk:1.0\"}}",
    "{\"records\": \"SJBL/RKXX\", \"namespaces\": {\"\": \"urn:gaj:syrk:1.0\", \"x\": \"urn:x\"}}",
    "{\"records\": \"/*\", \"namespaces\": {\"a\": \"urn:a\", \"b\": \"urn:b\"}}",
    "{\"records\": \"//a:r/*\", \"namespaces\": {\"a\": \"urn:a\", \"\": \"urn:a\"}}",
    "{\"records\": \"*/*/*\"}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned sel = size ? data[0] : 0;
    if (size) {
        data++;
        size--;
    }
    char path[64];
    int fd = fuzz_memfd("fuzz_xml", data, size, path);
    if (fd < 0)
        return 0;
    json_t *options = json_loads(OPTIONS[sel % (sizeof(OPTIONS) / sizeof(OPTIONS[0]))], 0, NULL);
    if (!options)
        abort();
    void *state = NULL;
    struct og_error err;
    if (og_connector_xml.open(path, options, &state, &err) != 0)
        abort(); /* the options are valid and the file is there */
    struct fuzz_skip skip;
    fuzz_skip_init(&skip);
    if (sel & 0x40) /* records with an odd digest are called unchanged */
        og_connector_xml.set_skip(state, &skip.skip);
    long long last_index = -1;
    int rejects = 0;
    for (;;) {
        json_t *doc = NULL;
        struct og_pos pos;
        char *raw = NULL;
        memset(&err, 0, sizeof(err));
        int rc = og_connector_xml.next(state, &doc, &pos, &raw, &err);
        if (rc == 1 && (!json_is_object(doc) || raw))
            abort(); /* a record is always an object, without raw text */
        if (rc == OG_EPARSE &&
            (doc || (err.reason != OG_R_BAD_XML && err.reason != OG_R_XML_DOCTYPE) ||
             err.klass != OG_CLASS_REJECT || !err.position[0] || !err.message[0]))
            abort(); /* a reject always says why and where */
        if (rc == OG_CONN_UNCHANGED && (doc || raw))
            abort(); /* an unchanged record is not converted */
        if (rc == 1 || rc == OG_EPARSE || rc == OG_CONN_UNCHANGED) {
            if (rejects > 0)
                abort(); /* nothing after the reject */
            if ((long long)pos.index != last_index + 1)
                abort(); /* records (rejects included) are numbered 0, 1, 2, ... */
            last_index = (long long)pos.index;
            if (pos.line < 1 || pos.offset < 0 || pos.offset > (long long)size)
                abort(); /* the record starts somewhere inside the file */
            if (pos.input != NULL && strcmp(pos.input, path) != 0)
                abort();
            if (raw && strlen(raw) > 64 * 1024 + 4)
                abort(); /* raw text is at most 64 KiB */
            rejects += rc == OG_EPARSE;
        }
        json_decref(doc);
        free(raw);
        if (rc != 1 && rc != OG_EPARSE && rc != OG_CONN_UNCHANGED) {
            if (rc != 0)
                abort(); /* reading a memfd: no I/O errors, no running out of memory */
            break;
        }
    }
    json_t *doc = NULL;
    struct og_pos pos;
    char *raw = NULL;
    if (og_connector_xml.next(state, &doc, &pos, &raw, &err) != 0)
        abort(); /* the end stays the end */
    long long done, total;
    og_connector_xml.progress(state, &done, &total);
    if (done != total || total != (long long)size)
        abort(); /* everything read must be accounted for */
    og_connector_xml.close(state);
    json_decref(options);
    close(fd);
    return 0;
}
