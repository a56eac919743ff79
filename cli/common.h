/* common.h - what every subcommand shares: options, data folder, config, exit codes. */
#ifndef OG_CLI_COMMON_H
#define OG_CLI_COMMON_H

#include "core/config.h"
#include "core/log.h"

#include <signal.h>
#include <stdbool.h>

enum og_exit { OG_EXIT_OK = 0, OG_EXIT_FAIL = 1, OG_EXIT_USAGE = 2, OG_EXIT_REJECTS = 3 };

struct og_cli {
    struct og_log log;
    const char *config_path;     /* --config, else $ONEGRID_CONFIG, else ./onegrid.json */
    char datadir[4200];          /* mappings/, world/, samples/ (see og_cli_find_datadir) */
    volatile sig_atomic_t *stop; /* set on SIGINT/SIGTERM */
    const char *argv0;
};

/* A subcommand: run(cli, argc, argv) with argv[0] = the subcommand name; returns an exit code. */
struct og_command {
    const char *name;
    const char *summary;
    int (*run)(struct og_cli *cli, int argc, char **argv);
    void (*help)(FILE *out);
};

/* Common long options every subcommand accepts; returns 1 when it handled opt. */
#define OG_COMMON_LONGOPTS                                                                         \
    {"config", required_argument, NULL, 'C'}, {"log-level", required_argument, NULL, 'L'},         \
        {"log-format", required_argument, NULL, 'F'},                                              \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }
int og_cli_common_option(struct og_cli *cli, int opt, const char *arg, int *exit_code);
extern const char OG_COMMON_HELP[];

/* Finds the folder holding mappings/, world/ and samples/: $ONEGRID_DATADIR, else the source tree
 * the binary was built in (bin/../..), else <prefix>/share/onegrid next to an installed binary,
 * else the compile-time OG_DATADIR. */
void og_cli_find_datadir(struct og_cli *cli);
/* Loads the config (exit code on failure, message logged). */
int og_cli_load_config(struct og_cli *cli, struct og_config *cfg);
/* Logs an error (once), with detail and hint. */
void og_cli_report(struct og_cli *cli, const char *component, const struct og_error *err);
/* Exit code for an error: OG_ECONFIG -> 2, others -> 1. */
int og_cli_exit_for(const struct og_error *err);

struct og_pg;
/* Connects to the warehouse: ONEGRID_DSN, else the config's warehouse.dsn (when a config is given
 * or
 * ./onegrid.json exists), else the PG* variables. Returns an exit code; logs failures. */
int og_cli_connect(struct og_cli *cli, struct og_pg **pg);
#endif
