/* summary.c - printing a run's summary. */
#include "cli/summary.h"

void og_cli_print_run(FILE *out, const struct og_job_result *res)
{
    fprintf(out, "run %lld %s\n", res->run_id, og_job_status_name(res->status));
    fprintf(out, "%-16s %6s %7s %9s %9s %9s  %s\n", "source", "inputs", "skipped", "read", "loaded",
            "rejected", "rejects by reason");
    for (size_t i = 0; i < res->nstats; i++) {
        const struct og_source_stats *s = &res->stats[i];
        fprintf(out, "%-16s %6lld %7lld %9lld %9lld %9lld  ", s->name,
                s->inputs.files + s->inputs.partitions, s->inputs.files_skipped, s->read,
                s->records, s->rejected);
        for (int k = 0; k < s->nreasons; k++)
            fprintf(out, "%s%s=%lld", k ? ", " : "", og_reason_name(s->reasons[k].reason),
                    s->reasons[k].n);
        fputc('\n', out);
        if (s->unchanged > 0)
            fprintf(out,
                    "%-16s %lld records of changed files were loaded before from the same bytes: "
                    "not read again\n",
                    "", s->unchanged);
    }
    fprintf(out,
            "warehouse: %lld inserted, %lld updated, %lld unchanged, %lld history rows, %lld "
            "visit members, %lld reject rows\n",
            res->load.inserted, res->load.updated, res->load.unchanged, res->load.history,
            res->load.members, res->load.rejects);
}
