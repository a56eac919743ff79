/* kafka.h - the "kafka" source: a member of a Kafka consumer group (librdkafka), whose offsets live
 * in the warehouse, not in Kafka. */
#ifndef OG_CONNECTOR_KAFKA_H
#define OG_CONNECTOR_KAFKA_H

#include "core/source.h"

#include <stddef.h>
#include <stdint.h>

/* Subscribes to the topics of option "topics" in the consumer group of kafka property "group.id"
 * (default "onegrid.<source name>"). On every assignment it asks the host where each partition
 * stands (kind "kafka", key "topic:partition") and seeks there (a partition never committed starts
 * at option "start": "earliest", the default, or "latest"); Kafka's own committed offsets are never
 * read, and offsets are not auto-committed (enable.auto.commit is forced off). Before partitions
 * are revoked it asks the host to flush, so that what was read from them is committed first.
 * Each message becomes a record: its value, a JSON object, with "_kafka": {"topic", "partition",
 * "offset", "key", "timestamp" (epoch ms)} added; r->next is offset + 1. A value that is not JSON
 * (reason bad_json) or not an object (not_object) is a reject at topic[partition]@offset, with the
 * value as raw text, and the partition moves on.
 * Run (not follow): reads each assigned partition to its end offset as of the assignment, then
 * ends; no assignment within option "assign_timeout_ms" (default 60000) is an error. Follow: reads
 * until stopped; returns OG_READ_IDLE when nothing came for a while. While the loop waits
 * (og_source_ops.wait) the partitions are paused and the consumer keeps serving the group.
 * Options: "topics" (array of strings, required), "kafka" (object of librdkafka properties, values
 * as strings, numbers or booleans; each checked with librdkafka's own error text), "secret_values"
 * (object of properties resolved by the command line from "secrets": never in a config file),
 * "start", "assign_timeout_ms". A property that holds a secret (sasl.password, ssl.key.password,
 * ...) in "kafka" is refused: secrets come from the environment or a 0600 file. */
extern const struct og_source_ops og_kafka_source;

/* One message as the source hands it on (exposed for tests and tests/fuzz/fuzz_kafka.c; no
 * librdkafka call): value (len bytes, NULL for a message without one) and key (key_len bytes, may
 * be NULL) of topic[partition]@offset with its timestamp (epoch ms). OG_READ_RECORD: *doc (new) is
 * the value, a JSON object (duplicate keys refused), with "_kafka": {"topic", "partition",
 * "offset", "key" (as UTF-8, invalid bytes replaced, at most 4096 bytes), "timestamp"} set.
 * OG_EREJECT: why says bad_json or not_object with the position, *raw (new, free(); NULL for no
 * value) is the value as UTF-8 text (invalid bytes and NULs replaced by U+FFFD), cut after 64 KiB.
 * OG_ENOMEM: why filled. */
int og_kafka_decode(const char *topic, int partition, int64_t offset, int64_t timestamp,
                    const void *payload, size_t len, const void *key, size_t key_len, json_t **doc,
                    char **raw, struct og_error *why);

/* Whether a librdkafka property holds a secret (and so must not be in a config file). */
bool og_kafka_secret_property(const char *name);

#endif
