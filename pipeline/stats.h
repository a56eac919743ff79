/* stats.h - what happened to one source in a run: files, records, rejects by reason. */
#ifndef OG_STATS_H
#define OG_STATS_H

#include "core/reason.h"
#include "core/source.h"

#include <stdbool.h>
#include <stddef.h>

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
    long long unchanged; /* records of changed files read before from the same bytes: not read */
    long long rejected;  /* records rejected, at any stage */
    long long notes;     /* fields nulled or defaulted by policy */
    struct og_reason_count reasons[OG_R__COUNT]; /* in the order first seen */
    int nreasons;
    /* For the run's report (pipeline/report.c: og_report_sink and og_report_stats_free). */
    const char *connector;         /* the connector's name (static), or NULL */
    const char *mapping;           /* the mapping file (borrowed from the config) */
    char feed[64], department[32]; /* the mapping's feed and department */
    double started, finished;      /* unix time reading began and ended; 0: never */
    int rc; /* 0, the negative error it stopped with, or OG_EAGAIN: locked by another run */
    long long loaded;                    /* records in committed batches */
    long long committed_rejects[4];      /* rejects in committed batches, per enum og_stage */
    struct og_input_position *positions; /* owned: each input before and after the run */
    size_t npositions, cappositions;
    bool positions_incomplete; /* out of memory while recording them */
};

/* Counts one reject of reason (first seen = listed first). */
void og_stats_count(struct og_source_stats *st, enum og_reason reason);

#endif
