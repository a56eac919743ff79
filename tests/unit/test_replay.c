/* test_replay.c - unit tests for pipeline/replay.c without a server: which rejects can be replayed
 * (held to what core/batch.c stores), and a reject's position rebuilt as the reader gave it. */
#include "core/batch.h"
#include "pipeline/replay.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

static void test_masked(void **unused)
{
    (void)unused;
    assert_true(og_replay_masked("{\"id\":\"440511********123X\"}"));
    assert_true(og_replay_masked("440511*****1234"));      /* 15 digits */
    assert_true(og_replay_masked("x 440511********1234")); /* 18 digits */
    assert_true(og_replay_masked("23.390121*****0001"));   /* a number written with 17 digits */
    assert_false(og_replay_masked(NULL));
    assert_false(og_replay_masked(""));
    assert_false(og_replay_masked("{\"name\":\"张*\",\"note\":\"*****\"}"));
    assert_false(og_replay_masked("44051****1234"));       /* 5 digits before */
    assert_false(og_replay_masked("440511****1234"));      /* 4 stars */
    assert_false(og_replay_masked("440511*********1234")); /* 9 stars */
    assert_false(og_replay_masked("440511********12"));    /* cut tail */
    assert_false(og_replay_masked("******"));
}

static void test_check(void **unused)
{
    (void)unused;
    json_t *doc = (json_t *)1;
    assert_int_equal(og_replay_check("read", "{\"a\":1}", &doc), OG_REPLAY_READ_STAGE);
    assert_null(doc);
    assert_int_equal(og_replay_check(NULL, "{\"a\":1}", NULL), OG_REPLAY_READ_STAGE);
    assert_int_equal(og_replay_check("map", NULL, NULL), OG_REPLAY_NO_RAW);
    assert_int_equal(og_replay_check("map", "", NULL), OG_REPLAY_NO_RAW);
    assert_int_equal(og_replay_check("map", "{\"id\":\"440511********123X\"}", NULL),
                     OG_REPLAY_MASKED);
    assert_int_equal(og_replay_check("map", "{\"a\":", NULL), OG_REPLAY_BAD_RAW);
    assert_int_equal(og_replay_check("map", "[1,2]", NULL), OG_REPLAY_BAD_RAW);
    assert_int_equal(og_replay_check("map", "{\"a\":1,\"a\":2}", NULL), OG_REPLAY_BAD_RAW);
    assert_int_equal(og_replay_check("reconcile", "{\"a\":[1,\"x\"]}", &doc), OG_REPLAY_OK);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(doc, "a"), 0)), 1);
    json_decref(doc);
    assert_int_equal(og_replay_check("load", "{}", NULL), OG_REPLAY_OK);
    for (int v = 1; v < OG_REPLAY__COUNT; v++) {
        assert_true(strlen(og_replay_verdict_name(v)) > 0);
        assert_true(strlen(og_replay_verdict_text(v)) > 10);
    }
    assert_string_equal(og_replay_verdict_name(OG_REPLAY_OK), "");
    assert_string_equal(og_replay_verdict_name(OG_REPLAY__COUNT), "?");
}

/* The raw text core/batch.c stores for a map-stage reject of doc (as pipeline/step.c makes it). */
static char *stored_raw(const json_t *doc)
{
    struct og_batch *b = og_batch_create();
    assert_non_null(b);
    struct og_pos pos = {.source = "s", .input = "f.ndjson", .line = 3, .partition = -1};
    struct og_error why;
    og_error_clear(&why);
    og_error_set(&why, OG_EREJECT, OG_CLASS_REJECT, OG_R_UNKNOWN_CODE, "unknown code");
    char *text = json_dumps(doc, JSON_COMPACT);
    assert_int_equal(og_batch_reject(b, &pos, OG_STAGE_MAP, &why, text), 0);
    free(text);
    char *raw = strdup(b->rejs[0].raw);
    og_batch_destroy(b);
    return raw;
}

/* What the replay reads back is the record as it was read, or it is refused as masked. */
static void test_round_trip(void **unused)
{
    (void)unused;
    json_t *plain = json_pack("{s:s, s:f, s:f, s:{s:s}, s:I, s:s}", "id", "UM-1", "lat", 23.375,
                              "long", 116.703125, "ext", "stage", "结案", "ts",
                              (json_int_t)1580529600000LL, "phone", "13800138000");
    char *raw = stored_raw(plain);
    json_t *doc = NULL;
    assert_int_equal(og_replay_check("map", raw, &doc), OG_REPLAY_OK);
    assert_true(json_equal(doc, plain));
    json_decref(doc);
    free(raw);

    json_t *id = json_pack("{s:s, s:s}", "id", "UM-2", "idNo", "44051119900101123X");
    raw = stored_raw(id);
    assert_int_equal(og_replay_check("map", raw, NULL), OG_REPLAY_MASKED);
    free(raw);

    /* a coordinate json_dumps writes with 17 digits (23.390121000000001) is not an ID number: it
     * is stored as it is and replays */
    json_t *lat = json_pack("{s:s, s:f}", "id", "UM-3", "lat", 23.390121);
    raw = stored_raw(lat);
    assert_int_equal(og_replay_check("map", raw, &doc), OG_REPLAY_OK);
    assert_true(json_equal(doc, lat));
    json_decref(doc);
    free(raw);
    json_decref(plain);
    json_decref(id);
    json_decref(lat);
}

static void test_pos_file(void **unused)
{
    (void)unused;
    char topic[64] = "";
    struct og_pos pos, want = {.input = "/d/feeds/a.ndjson",
                               .line = 12,
                               .offset = 900,
                               .index = 10,
                               .partition = -1,
                               .version = "abc"};
    char p1[256], p2[256];
    og_pos_format(&want, p1, sizeof(p1));
    og_replay_pos("/d/feeds/a.ndjson", "abc", p1, 12, 900, 10, topic, sizeof(topic), &pos);
    assert_string_equal(pos.input, "/d/feeds/a.ndjson");
    assert_string_equal(pos.version, "abc");
    assert_int_equal(pos.line, 12);
    assert_int_equal(pos.offset, 900);
    assert_int_equal(pos.index, 10);
    assert_int_equal(pos.partition, -1);
    assert_null(pos.source);
    assert_string_equal(og_pos_format(&pos, p2, sizeof(p2)), p1);
    /* a JSON array element has no line: "file#n" */
    want.line = 0;
    og_pos_format(&want, p1, sizeof(p1));
    og_replay_pos("/d/feeds/a.ndjson", "abc", p1, 0, 900, 10, topic, sizeof(topic), &pos);
    assert_string_equal(og_pos_format(&pos, p2, sizeof(p2)), p1);
    /* a file whose name has a colon and digits is still a file */
    og_replay_pos("x:3", "v", "x:3:7", 7, 0, 6, topic, sizeof(topic), &pos);
    assert_string_equal(pos.input, "x:3");
    assert_int_equal(pos.partition, -1);
    assert_int_equal(pos.line, 7);
}

static void test_pos_kafka(void **unused)
{
    (void)unused;
    char topic[64] = "";
    struct og_pos pos,
        want = {.input = "hl.healthcode", .offset = 88123, .index = 88123, .partition = 3};
    char p1[256], p2[256];
    og_pos_format(&want, p1, sizeof(p1));
    assert_string_equal(p1, "hl.healthcode[3]@88123");
    /* etl_reject.input of a Kafka reject is topic:partition (loader/merge.c) */
    og_replay_pos("hl.healthcode:3", "", p1, 0, 88123, 88123, topic, sizeof(topic), &pos);
    assert_string_equal(pos.input, "hl.healthcode");
    assert_int_equal(pos.partition, 3);
    assert_int_equal(pos.offset, 88123);
    assert_int_equal(pos.index, 88123);
    assert_string_equal(og_pos_format(&pos, p2, sizeof(p2)), p1);
    /* a topic too long for the buffer: left as the input it was */
    og_replay_pos("hl.healthcode:3", "", p1, 0, 88123, 88123, topic, 5, &pos);
    assert_int_equal(pos.partition, -1);
    assert_string_equal(pos.input, "hl.healthcode:3");
    /* a position that does not agree: not taken for Kafka */
    og_replay_pos("hl.healthcode:3", "", "hl.healthcode[3]@1", 0, 88123, 88123, topic,
                  sizeof(topic), &pos);
    assert_int_equal(pos.partition, -1);
    og_replay_pos("t:x", "", "t[0]@1", 0, 1, 1, topic, sizeof(topic), &pos);
    assert_int_equal(pos.partition, -1);
    og_replay_pos("t:", "", "t[0]@1", 0, 1, 1, topic, sizeof(topic), &pos);
    assert_int_equal(pos.partition, -1);
    og_replay_pos(NULL, NULL, NULL, 0, 0, 0, topic, sizeof(topic), &pos);
    assert_int_equal(pos.partition, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_masked),     cmocka_unit_test(test_check),
        cmocka_unit_test(test_round_trip), cmocka_unit_test(test_pos_file),
        cmocka_unit_test(test_pos_kafka),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
