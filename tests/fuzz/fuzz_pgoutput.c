/* fuzz_pgoutput.c - libFuzzer target: og_pgo_parse (the pgsql source's pgoutput decoder) on
 * arbitrary bytes, as a department's replication stream could send them.
 *
 * Build and run with tests/fuzz/Makefile.fuzz. Input: one message's payload. Checks: the decoder
 * returns 0 or OG_EPARSE (with a message); on success every string and tuple column it hands out
 * lies inside the input (the decoder borrows them from it), names are NUL-terminated there, and the
 * counts agree with the arrays; release frees what it allocated (LeakSanitizer). A commit time (B,
 * C) goes through og_pgsql_commit_time as a record's _commit_time would: a time it formats is 27
 * characters, one it refuses leaves "" (any 64-bit value, UBSan watching the arithmetic). */
#include "connectors/pgsql_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const char *p, size_t n, const uint8_t *data, size_t size)
{
    if (p && ((const uint8_t *)p < data || (const uint8_t *)p + n > data + size))
        abort(); /* a borrowed pointer outside the message */
}

static void check_tuple(const struct og_pgo_tuple *t, const uint8_t *data, size_t size)
{
    if (t->ncols && !t->cols)
        abort();
    for (uint16_t i = 0; i < t->ncols; i++) {
        const struct og_pgo_col *c = &t->cols[i];
        if (c->kind != 'n' && c->kind != 'u' && c->kind != 't')
            abort();
        if (c->kind == 't')
            inside(c->data, c->len, data, size);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a private copy, so that reads past the end are caught by ASan */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    struct og_pgo_msg m;
    struct og_error err;
    og_error_clear(&err);
    memset(&m, 0, sizeof(m));
    int rc = og_pgo_parse(buf, size, &m, &err);
    const uint8_t *b = (const uint8_t *)buf;
    if (rc == 0) {
        if (m.type == 'R') {
            inside(m.nspname, m.nspname ? strlen(m.nspname) + 1 : 0, b, size);
            inside(m.relname, m.relname ? strlen(m.relname) + 1 : 0, b, size);
            if (m.natts && (!m.attnames || !m.attkey))
                abort();
            for (uint16_t i = 0; i < m.natts; i++)
                inside(m.attnames[i], strlen(m.attnames[i]) + 1, b, size);
        }
        check_tuple(&m.old, b, size);
        check_tuple(&m.new_, b, size);
        if (m.type == 'B' || m.type == 'C') {
            char when[96];
            bool ok = og_pgsql_commit_time(m.time_us, when, sizeof(when));
            if (strlen(when) != (ok ? 27u : 0u))
                abort();
        }
    }
    else if (rc != OG_EPARSE || !err.message[0]) {
        abort(); /* only a parse error, and it says what */
    }
    og_pgo_msg_release(&m);
    free(buf);
    return 0;
}
