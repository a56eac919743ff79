/* fuzz_jsonparse.c - libFuzzer target: core/jsonparse.c against Jansson, differentially.
 *
 * The first input byte picks the flags (bit 0: JSON_DECODE_ANY, bit 1: JSON_REJECT_DUPLICATES);
 * the rest is the text. Checks: whatever og_json_fast() reads, json_loadb() reads too, to an
 * equal value dumped alike (types, key order, duplicates); og_json_loadb() succeeds exactly when
 * json_loadb() does, with the same error text, line and column when it fails.
 */
#include "core/jsonparse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_dump(const json_t *a, const json_t *b)
{
    char *x = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
    char *y = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
    int same = x && y && strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned sel = size ? data[0] : 0;
    if (size) {
        data++;
        size--;
    }
    size_t flags = ((sel & 1) ? JSON_DECODE_ANY : 0) | ((sel & 2) ? JSON_REJECT_DUPLICATES : 0);
    /* an exact-size copy: reading past len would show under ASan */
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    json_error_t want, got;
    json_t *ref = json_loadb(text, size, flags, &want);
    json_t *fast = og_json_fast(text, size, flags);
    if (fast && (!ref || !json_equal(fast, ref) || !same_dump(fast, ref)))
        abort(); /* the fast reader accepted more than Jansson, or read it differently */
    json_t *both = og_json_loadb(text, size, flags, &got);
    if ((both == NULL) != (ref == NULL))
        abort();
    if (both && (!json_equal(both, ref) || !same_dump(both, ref)))
        abort();
    if (!both && (strcmp(want.text, got.text) != 0 || want.line != got.line ||
                  want.column != got.column || want.position != got.position))
        abort(); /* an invalid record is told Jansson's message */
    json_decref(both);
    json_decref(fast);
    json_decref(ref);
    free(text);
    return 0;
}
