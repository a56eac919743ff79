/* summary.h - the human summary of a run (stdout), shared by `run` and `demo`. */
#ifndef OG_SUMMARY_H
#define OG_SUMMARY_H

#include "pipeline/job.h"

#include <stdio.h>

/* "run N succeeded", then a line per source (inputs: files read or Kafka partitions assigned,
 * files skipped, read, loaded, rejected, rejects by reason), then what the warehouse did. */
void og_cli_print_run(FILE *out, const struct og_job_result *res);

#endif
