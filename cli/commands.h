/* commands.h - the subcommands of onegrid, one file each (cmd_*.c). */
#ifndef OG_COMMANDS_H
#define OG_COMMANDS_H

#include "analysis/report_data.h"
#include "cli/common.h"

extern const struct og_command og_cmd_init, og_cmd_world, og_cmd_check, og_cmd_run, og_cmd_map,
    og_cmd_stream, og_cmd_status, og_cmd_rejects, og_cmd_replay, og_cmd_source, og_cmd_grant,
    og_cmd_revoke, og_cmd_report, og_cmd_demo;

/* Prints batch b as `onegrid map` does: its unified records as JSON lines on stdout, its rejects
 * ("position: rejected: reason: message") on stderr. ctx is unused. 0. */
int og_cli_print_batch(void *ctx, const struct og_batch *b, struct og_error *err);

/* Reads the overview of rq from pg and writes its page coloured by m into the folder dir (created
 * when missing) as dir/onegrid-report-CODE-MEASURE.html, atomically; the path goes into path (size
 * bytes). Logs what it wrote, or the error. Returns an exit code. */
int og_cli_write_overview(struct og_cli *cli, struct og_pg *pg, const char *dir,
                          const struct og_overview_request *rq, enum og_measure m, char *path,
                          size_t size);

/* The table, NULL-terminated. */
const struct og_command *const *og_commands(void);

#endif
