/* stats.h - what happened to one source in a run: files, records, rejects by reason. */
#ifndef OG_STATS_H
#define OG_STATS_H

#include "core/reason.h"
#include "core/source.h"

/* One reason and how many records it rejected. */
struct og_reason_count {
    enum og_reason reason;
    long long n;
};

struct og_source_stats {
    const char *name;              /* the source (borrowed from the config) */
    struct og_input_counts inputs; /* files read, skipped, resumed; Kafka partitions */
    long long read;                /* records the connector produced (including malformed ones) */
    long long records;             /* unified records handed to the loader */
    long long rejected;            /* records rejected, at any stage */
    long long notes;               /* fields nulled or defaulted by policy */
    struct og_reason_count reasons[OG_R__COUNT]; /* in the order first seen */
    int nreasons;
};

/* Counts one reject of reason (first seen = listed first). */
void og_stats_count(struct og_source_stats *st, enum og_reason reason);

#endif
