/* fuzz_kafka.c - libFuzzer target: og_kafka_decode (the kafka source's message decoding: value
 * and key to a record or a reject) on arbitrary messages, as any producer on a topic could send.
 *
 * Build and run with tests/fuzz/Makefile.fuzz. Input: one message, written as kcat -K'\t' prints
 * it: the bytes up to the first TAB are the key, the rest the value; without a TAB there is no
 * key; an empty input is a message with neither key nor value (a tombstone). librdkafka is not
 * called (the decoding is split from the consumer for this); message headers are not read by the
 * source, so there is nothing of them to decode.
 * Checks: the result is a record or a reject (bad_json, not_object) with its position; a record is
 * the value (a JSON object without duplicate keys, decoded here independently) with "_kafka" set
 * to the topic, partition, offset, timestamp and the key as valid UTF-8 of at most 4096 bytes; a
 * reject's raw text is there when the message has a value, is about 64 KiB at most and is valid
 * UTF-8 (the loader copies it into a text column). Leaks are found by the sanitizer. */
#include "connectors/kafka.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_record(json_t *doc, const char *value, size_t len)
{
    json_t *meta = json_object_get(doc, "_kafka");
    const char *key = json_string_value(json_object_get(meta, "key"));
    if (!json_is_object(doc) || !json_is_object(meta) || json_object_size(meta) != 5 || !key ||
        strcmp(json_string_value(json_object_get(meta, "topic")), "fuzz.topic") != 0 ||
        json_integer_value(json_object_get(meta, "partition")) != 7 ||
        json_integer_value(json_object_get(meta, "offset")) != 123456789012LL ||
        json_integer_value(json_object_get(meta, "timestamp")) != 1580516856365LL)
        abort(); /* "_kafka" says where the message came from */
    if (strlen(key) > 4096 || !fuzz_text_ok(key))
        abort();
    json_t *want = json_loadb(value, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(want))
        abort(); /* a record only from a value that is a JSON object */
    json_object_del(want, "_kafka");
    json_t *got = json_deep_copy(doc);
    if (!got)
        abort();
    json_object_del(got, "_kafka");
    if (!json_equal(want, got))
        abort(); /* the rest of the record is the value as it was sent */
    json_decref(want);
    json_decref(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *tab = size ? memchr(in, '\t', size) : NULL;
    const char *key = tab ? in : NULL;
    size_t key_len = tab ? (size_t)(tab - in) : 0;
    const char *value = size == 0 ? NULL : tab ? tab + 1 : in;
    size_t len = size == 0 ? 0 : tab ? size - key_len - 1 : size;
    json_t *doc = NULL;
    char *raw = NULL;
    struct og_error why;
    og_error_clear(&why);
    int rc = og_kafka_decode("fuzz.topic", 7, 123456789012LL, 1580516856365LL, value, len, key,
                             key_len, &doc, &raw, &why);
    if (rc == OG_READ_RECORD) {
        if (!doc || raw)
            abort();
        check_record(doc, value, len);
    }
    else if (rc == OG_EREJECT) {
        if (doc || (why.reason != OG_R_BAD_JSON && why.reason != OG_R_NOT_OBJECT) ||
            why.klass != OG_CLASS_REJECT || !why.message[0] ||
            strcmp(why.position, "fuzz.topic[7]@123456789012") != 0)
            abort(); /* a reject says why and where */
        if (!value != !raw)
            abort(); /* the value is kept as raw text when there is one */
        if (raw && (strlen(raw) > 65536 + 3 || !fuzz_text_ok(raw))) {
            /* raw goes into a text column: valid UTF-8, cut at 64 KiB (and a character) */
            fprintf(stderr, "fuzz_kafka: the reject's raw text is not valid UTF-8 or too long\n");
            abort();
        }
        if (why.reason == OG_R_NOT_OBJECT) {
            json_t *v = json_loadb(value, len, JSON_REJECT_DUPLICATES, NULL);
            if (!v || json_is_object(v))
                abort(); /* not_object: JSON, but not an object */
            json_decref(v);
        }
    }
    else if (rc != OG_ENOMEM) {
        abort();
    }
    json_decref(doc);
    free(raw);
    return 0;
}
