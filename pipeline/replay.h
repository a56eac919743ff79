/* replay.h - `onegrid replay`: the open rejects of a run or a source read again from etl_reject.raw
 * and sent through the source's CURRENT mapping and reconciliation (after a mapping or a code table
 * was fixed), by the run loop (loop.h) into the warehouse sink, as a run with command "replay".
 * Records that pass are loaded by the same merges as in a run (an older state never overwrites a
 * newer one); each reject read again is settled in the transaction of its batch (loader/pg.h:
 * OG_PG_REPLAY_KIND), a record that fails again getting a new reject of the replay run. Rejects
 * that cannot be replayed are listed with why, never skipped silently. Prints nothing, exits
 * nothing: the command line (cli/cmd_replay.c) prints the result. */
#ifndef OG_REPLAY_H
#define OG_REPLAY_H

#include "core/config.h"
#include "core/record.h"
#include "loader/pg.h"
#include "pipeline/job.h"
#include "pipeline/stats.h"

#include <jansson.h>
#include <stdbool.h>

/* Which open rejects to replay: those matching every filter given (run_id or source at least). */
struct og_replay_opts {
    long long run_id;   /* rejects written by this run; 0: any run */
    const char *source; /* rejects of this configured source; NULL: any */
    const char *reason; /* rejects with this reason code; NULL: any */
    const char *stage;  /* "map", "reconcile" or "load"; NULL: any */
    bool dry_run;       /* map and reconcile them, write nothing (no run is recorded) */
    bool progress;      /* a progress line on stderr */
};

/* Why a reject cannot be replayed. */
enum og_replay_verdict {
    OG_REPLAY_OK = 0,
    OG_REPLAY_READ_STAGE, /* stage read: the record could not be read as sent */
    OG_REPLAY_NO_RAW,     /* no raw text was kept */
    OG_REPLAY_MASKED,     /* identity-number-like digits in raw were masked when it was stored */
    OG_REPLAY_BAD_RAW,    /* raw is not a JSON object (cut at 64 KiB) */
    OG_REPLAY_NO_SOURCE,  /* its source is not in the configuration */
    OG_REPLAY__COUNT
};

/* A reject listed as not replayable (strings cut to fit). */
struct og_replay_skip {
    long long reject_id, run_id;
    char source[64];
    char position[200];
    char stage[16];
    char reason[32];
    enum og_replay_verdict why;
};

/* At most this many skips are listed; all are counted. */
#define OG_REPLAY_MAX_LISTED 1000

/* One source's replay. st.read = rejects read again, st.records = those that passed (loaded, or
 * would be in a dry run), st.rejected and st.reasons = those rejected again. */
struct og_replay_source {
    char name[64];
    long long selected;       /* open rejects matching the filters */
    long long not_replayable; /* of them, listed as not replayable */
    struct og_source_stats st;
};

struct og_replay_result {
    enum og_job_status status;
    long long run_id; /* the replay run; 0 for a dry run or when there was nothing to replay */
    struct og_replay_source *sources; /* owned: each source with rejects selected */
    size_t nsources;
    struct og_replay_skip *skips; /* owned: the first OG_REPLAY_MAX_LISTED not replayable */
    size_t nskips;
    long long selected, not_replayable, by_verdict[OG_REPLAY__COUNT];
    long long replayed, loaded, rejected; /* summed over the sources */
    struct og_load_stats load;
};

/* Replays the open rejects o selects. Fills *res (og_replay_result_free) and, unless the status is
 * SUCCEEDED, err: BAD_CONFIG for a bad filter, a source's mapping or a missing identity key (before
 * anything is written), FAILED when the warehouse fails (nothing past the last committed batch),
 * REJECTS_EXCEEDED when the records rejected again are over the config's max_reject_ratio of those
 * replayed. Nothing selected, or nothing replayable, is a success with no run recorded. */
enum og_job_status og_replay_run(const struct og_job_env *env, const struct og_config *cfg,
                                 const struct og_replay_opts *o, struct og_replay_result *res,
                                 struct og_error *err);
void og_replay_result_free(struct og_replay_result *res); /* NULL allowed */

/* Whether a reject of stage (etl_reject.stage) with raw text raw (NULL allowed) can be replayed;
 * with OG_REPLAY_OK and doc not NULL, *doc is the record (new reference). Never
 * OG_REPLAY_NO_SOURCE. */
enum og_replay_verdict og_replay_check(const char *stage, const char *raw, json_t **doc);
/* True when text holds a run masked the way rejects mask identity numbers (6 digits, 5 to 8 '*',
 * 3 digits and a digit or X). */
bool og_replay_masked(const char *text);
/* "read_stage", "no_raw", "masked", "bad_raw", "no_source" ("" for OK), and one sentence saying
 * why and what to do. */
const char *og_replay_verdict_name(enum og_replay_verdict v);
const char *og_replay_verdict_text(enum og_replay_verdict v);

/* Where a reject's record was read, from its etl_reject columns (line, byte_offset: 0 for NULL),
 * so that a record rejected again gets the same input, version, record_index, line and position:
 * a Kafka reject (input "topic:partition", position "topic[partition]@offset") gives the topic
 * (copied into topic, size bytes), the partition and the offset; anything else is a file record.
 * pos's strings are borrowed from the arguments and topic; pos->source is left NULL. */
void og_replay_pos(const char *input, const char *version, const char *position, long long line,
                   long long byte_offset, long long record_index, char *topic, size_t size,
                   struct og_pos *pos);

#endif
