/* fuzz_identity.c - libFuzzer target: identity numbers and name masking on arbitrary bytes.
 *
 * Build and run with tests/fuzz/Makefile.fuzz (`make -f tests/fuzz/Makefile.fuzz fuzz-run`).
 * Input: the text up to the first NUL is parsed as a resident ID, a USCC and an "other" number; the
 * text after it (or the same text) is masked as a name. Checks: og_id_parse never crashes; a mask
 * has as many characters as the normalised number and every kept character is the one at that
 * place; at most head + tail characters are kept (10 for an 18-character resident ID or USCC, the
 * point of masking); an OK resident ID is 17 digits + digit or X with a real birth date; a name
 * mask keeps at most its first character; normalising a normalised number changes nothing.
 */
#include "transform/identity.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Code points in s (a byte that does not start a valid sequence counts as one). Lenient on purpose:
 * norm is expected to be ASCII for resident IDs and USCCs. */
static size_t count_cps(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n;
}

static void check_mask(const struct og_id *id, size_t head, size_t tail)
{
    char mask[128];
    og_id_mask(id, mask, sizeof(mask));
    size_t kept = 0;
    for (const unsigned char *p = (const unsigned char *)mask; *p; p++)
        if (*p != '*' && (*p & 0xC0) != 0x80)
            kept++;
    if (kept > head + tail)
        abort(); /* more of the number shown than the masking rule allows */
    size_t ncp = count_cps(id->norm);
    if (ncp == 18 && kept > 10)
        abort(); /* an 18-character number must never show more than 10 characters */
    bool ascii = true;
    for (const unsigned char *p = (const unsigned char *)id->norm; *p; p++)
        if (*p >= 0x80)
            ascii = false;
    if (ascii) {
        size_t n = strlen(id->norm);
        if (strlen(mask) != n)
            abort(); /* one mask character per character of the number */
        for (size_t i = 0; i < n; i++) {
            if (mask[i] != '*' && mask[i] != id->norm[i])
                abort(); /* a kept character is the one at that place */
            if (mask[i] != '*' && i >= head && i < n - tail)
                abort(); /* the middle is always hidden */
        }
    }
}

static void check_one(const char *s, enum og_id_kind kind, size_t head, size_t tail)
{
    struct og_id id;
    memset(&id, 0xA5, sizeof(id));
    og_id_parse(s, kind, &id);
    if (memchr(id.norm, '\0', sizeof(id.norm)) == NULL)
        abort(); /* norm is always a string */
    if (id.kind != kind)
        abort();
    if (id.status < OG_ID_OK || id.status > OG_ID_EMPTY)
        abort();
    const char *st = og_id_status_name(id.status);
    if (!st || !*st)
        abort();
    if (kind == OG_ID_RESIDENT && id.status == OG_ID_OK) {
        if (strlen(id.norm) != 18)
            abort();
        for (int i = 0; i < 17; i++)
            if (id.norm[i] < '0' || id.norm[i] > '9')
                abort();
        if (!((id.norm[17] >= '0' && id.norm[17] <= '9') || id.norm[17] == 'X'))
            abort();
        if (id.birth_month < 1 || id.birth_month > 12 || id.birth_day < 1 || id.birth_day > 31 ||
            (id.sex != 1 && id.sex != 2))
            abort();
    }
    if (kind == OG_ID_USCC && id.status == OG_ID_OK && strlen(id.norm) != 18)
        abort();
    check_mask(&id, head, tail);
    /* Normalising is idempotent, and the verdict does not change. */
    if (id.status == OG_ID_OK) {
        struct og_id again;
        og_id_parse(id.norm, kind, &again);
        if (again.status != OG_ID_OK || strcmp(again.norm, id.norm) != 0) {
            fprintf(stderr, "not idempotent: \"%s\" -> \"%s\" -> %s \"%s\"\n", s, id.norm,
                    og_id_status_name(again.status), again.norm);
            abort();
        }
    }
}

static void check_name(const char *name, size_t outsize)
{
    char out[256];
    memset(out, 0x5A, sizeof(out));
    og_name_mask(name, out, outsize);
    if (outsize == 0)
        return;
    if (memchr(out, '\0', outsize) == NULL)
        abort(); /* always terminated within size */
    if (out[outsize] != 0x5A && outsize < sizeof(out))
        abort(); /* never written past size */
    /* Only the first character may be shown: everything after the first code point is '*'. */
    const unsigned char *p = (const unsigned char *)out;
    if (*p) {
        p++;
        while (*p && (*p & 0xC0) == 0x80)
            p++;
        for (; *p; p++)
            if (*p != '*')
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    const char *id = buf;
    size_t idlen = strlen(buf);
    const char *name = idlen < size ? buf + idlen + 1 : buf;
    check_one(id, OG_ID_RESIDENT, 6, 4);
    check_one(id, OG_ID_USCC, 8, 2);
    check_one(id, OG_ID_OTHER, 2, 2);
    check_name(name, 255);
    check_name(name, 1 + (size & 15));
    og_id_parse(NULL, OG_ID_RESIDENT, &(struct og_id){0});
    free(buf);
    return 0;
}
