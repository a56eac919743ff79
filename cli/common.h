/* common.h - what every subcommand shares: argument parsing, the environment, the data folder,
 * the config, the warehouse connection, exit codes, reporting errors. The only place below main
 * that reads the environment. */
#ifndef OG_CLI_COMMON_H
#define OG_CLI_COMMON_H

#include "core/config.h"
#include "core/log.h"
#include "pipeline/job.h"
#include "transform/identity.h"

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

enum og_exit {
    OG_EXIT_OK = 0,
    OG_EXIT_FAIL = 1,
    OG_EXIT_USAGE = 2,
    OG_EXIT_REJECTS = 3,
    OG_EXIT_LOCKED = 4, /* another run was loading a source: it was left alone */
};

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

extern const char OG_COMMON_HELP[];

/* Returned by og_cli_parse when the command goes on. */
#define OG_CLI_GO (-1)

/* Parses argv (argv[0] = the subcommand): the command's own long options (own, ended by {0}; NULL
 * when none) and short ones (shortopts, without "h"), each passed to on_option (may be NULL when
 * there are none), which returns 0 or an exit code; and the common options (--config, --log-level,
 * --log-format, -h/--help). Returns OG_CLI_GO with optind at the first operand, or the exit code to
 * return now: 0 after --help (help on stdout), 2 for a usage error (help on stderr). */
int og_cli_parse(struct og_cli *cli, void (*help)(FILE *out), int argc, char **argv,
                 const char *shortopts, const struct option *own,
                 int (*on_option)(void *ctx, int opt, const char *arg), void *ctx);

/* Finds the folder holding mappings/, world/ and samples/: $ONEGRID_DATADIR, else the source tree
 * the binary was built in (bin/../..), else <prefix>/share/onegrid next to an installed binary,
 * else the compile-time OG_DATADIR. */
void og_cli_find_datadir(struct og_cli *cli);
/* Loads the config (--config, $ONEGRID_CONFIG or ./onegrid.json) with $ONEGRID_DSN over its
 * warehouse.dsn. Returns an exit code; the failure is logged. */
int og_cli_load_config(struct og_cli *cli, struct og_config *cfg);
/* The config path the command would use, or NULL when none is given and ./onegrid.json is absent
 * (then only the environment says where the warehouse is). */
const char *og_cli_config_path(const struct og_cli *cli);
/* The identity-hashing key from $ONEGRID_ID_KEY or $ONEGRID_ID_KEY_FILE: 0 with *key set, or
 * OG_ECONFIG with err saying why there is none (also when neither is set). */
int og_cli_id_key(struct og_id_key *key, struct og_error *err);
/* The job's environment: the log, the stop flag, and the key (or why there is none), borrowed from
 * the arguments, which must outlive the job. */
void og_cli_job_env(struct og_cli *cli, struct og_job_env *env, struct og_id_key *key,
                    struct og_error *key_err);

/* Runs a job with the environment's identity key, reports its error as component and prints its
 * table of sources; returns its status. res is the caller's to free (og_job_result_free). */
enum og_job_status og_cli_run_job(struct og_cli *cli, const char *component,
                                  const struct og_config *cfg, const struct og_job_opts *o,
                                  struct og_job_result *res);

/* Logs an error (once), with its position, detail and hint. */
void og_cli_report(struct og_cli *cli, const char *component, const struct og_error *err);
/* Exit code for an error: OG_ECONFIG -> 2, others -> 1. */
int og_cli_exit_for(const struct og_error *err);
/* Exit code for a job's status: 0, 1, 2, 3. */
int og_cli_exit_job(enum og_job_status status);
/* --summary FILE and --metrics-file FILE of a run or stream (either may be NULL), its wall-clock
 * start and monotonic start. */
struct og_cli_report_files {
    const char *summary, *metrics_file;
    double started, t0;
};
/* Writes them for command ("run", "stream"): cfg, res and error may be NULL. Returns the exit code:
 * code, or 1 instead of 0 when a file cannot be written (said). */
int og_cli_write_report(struct og_cli *cli, const char *command,
                        const struct og_cli_report_files *f, const struct og_job_opts *o,
                        const struct og_config *cfg, const struct og_job_result *res,
                        const struct og_error *error, int code);
/* How many --source NAME options a command takes. */
#define OG_CLI_MAX_ONLY 64
/* --source NAME of command cmd appended to only (*n names so far, at most OG_CLI_MAX_ONLY). 0, or
 * OG_EXIT_USAGE (said on stderr). */
int og_cli_add_source(const char *cmd, char **only, size_t *n, const char *arg);
/* --lock-wait SECONDS of command cmd into *out (0 to 86400). 0, or OG_EXIT_USAGE (said on stderr).
 */
int og_cli_lock_wait(const char *cmd, const char *arg, int *out);

struct og_pg;
/* Connects to the warehouse: $ONEGRID_DSN, else the config's warehouse.dsn (when a config is given
 * or ./onegrid.json exists), else the PG* variables. Returns an exit code; logs failures. */
int og_cli_connect(struct og_cli *cli, struct og_pg **pg);

#endif
