/* commands.h - the subcommands of onegrid, one file each (cmd_*.c). */
#ifndef OG_COMMANDS_H
#define OG_COMMANDS_H

#include "cli/common.h"

extern const struct og_command og_cmd_init, og_cmd_world, og_cmd_check, og_cmd_run, og_cmd_map,
    og_cmd_stream, og_cmd_status, og_cmd_rejects, og_cmd_demo;

/* The table, NULL-terminated. */
const struct og_command *const *og_commands(void);

#endif
