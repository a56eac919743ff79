/* common.c - shared subcommand helpers. */
#include "cli/common.h"

#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef OG_DATADIR
#define OG_DATADIR "/usr/local/share/onegrid"
#endif

const char OG_COMMON_HELP[] =
    "Common options:\n"
    "  --config FILE        configuration file (default: $ONEGRID_CONFIG or ./onegrid.json)\n"
    "  --log-level LEVEL    error, warn, info (default), debug, trace\n"
    "  --log-format FORMAT  text (default) or json (one JSON object per line, for schedulers)\n"
    "  -h, --help           this help\n"
    "Environment: ONEGRID_DSN (warehouse conninfo, overrides the config), PG* (libpq defaults),\n"
    "  ONEGRID_ID_KEY or ONEGRID_ID_KEY_FILE (identity-hash key; the file must be mode 0600),\n"
    "  ONEGRID_DATADIR (where mappings/, world/, samples/ are).\n"
    "Exit codes: 0 success, 1 run failed, 2 usage or configuration error, 3 rejects over the "
    "threshold.\n";

int og_cli_common_option(struct og_cli *cli, int opt, const char *arg, int *exit_code)
{
    switch (opt) {
    case 'C':
        cli->config_path = arg;
        return 1;
    case 'L':
        if (og_log_level_parse(arg, &cli->log.level) < 0) {
            fprintf(stderr, "onegrid: unknown log level \"%s\" (error, warn, info, debug, trace)\n",
                    arg);
            *exit_code = OG_EXIT_USAGE;
        }
        return 1;
    case 'F':
        if (strcmp(arg, "json") == 0)
            cli->log.json = true;
        else if (strcmp(arg, "text") == 0)
            cli->log.json = false;
        else {
            fprintf(stderr, "onegrid: unknown log format \"%s\" (text or json)\n", arg);
            *exit_code = OG_EXIT_USAGE;
        }
        return 1;
    default:
        return 0;
    }
}

static bool has(const char *dir, const char *rel)
{
    char p[2 * PATH_MAX];
    snprintf(p, sizeof(p), "%s/%s", dir, rel);
    return access(p, R_OK) == 0;
}

void og_cli_find_datadir(struct og_cli *cli)
{
    const char *env = getenv("ONEGRID_DATADIR");
    if (env && *env) {
        snprintf(cli->datadir, sizeof(cli->datadir), "%s", env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *bin = dirname(exe); /* .../build/bin or .../bin */
        char cand[PATH_MAX + 32];
        snprintf(cand, sizeof(cand), "%s/../..", bin);
        if (has(cand, "mappings/taxonomy/categories.csv")) {
            char *real = realpath(cand, NULL);
            snprintf(cli->datadir, sizeof(cli->datadir), "%s", real ? real : cand);
            free(real);
            return;
        }
        snprintf(cand, sizeof(cand), "%s/../share/onegrid", bin);
        if (has(cand, "mappings/taxonomy/categories.csv")) {
            char *real = realpath(cand, NULL);
            snprintf(cli->datadir, sizeof(cli->datadir), "%s", real ? real : cand);
            free(real);
            return;
        }
    }
    snprintf(cli->datadir, sizeof(cli->datadir), "%s", OG_DATADIR);
}

void og_cli_report(struct og_cli *cli, const char *component, const struct og_error *err)
{
    char buf[2048];
    og_error_format(err, buf, sizeof(buf));
    og_error_log(&cli->log, component, "%s", buf);
}

int og_cli_exit_for(const struct og_error *err)
{
    return err->code == OG_ECONFIG ? OG_EXIT_USAGE : OG_EXIT_FAIL;
}

int og_cli_load_config(struct og_cli *cli, struct og_config *cfg)
{
    const char *path = cli->config_path;
    if (!path)
        path = getenv("ONEGRID_CONFIG");
    if (!path || !*path)
        path = "onegrid.json";
    if (access(path, R_OK) != 0) {
        og_error_log(
            &cli->log, "config",
            "cannot read the configuration \"%s\"\n  hint: pass --config FILE, or start from %s/"
            "onegrid.example.json (onegrid demo runs without one)",
            path, cli->datadir);
        return OG_EXIT_USAGE;
    }
    struct og_error err;
    og_error_clear(&err);
    if (og_config_load(path, cli->datadir, cfg, &err) < 0) {
        og_cli_report(cli, "config", &err);
        return OG_EXIT_USAGE;
    }
    return OG_EXIT_OK;
}

#include "loader/pg.h"

int og_cli_connect(struct og_cli *cli, struct og_pg **pg)
{
    char *dsn = NULL;
    const char *env = getenv("ONEGRID_DSN");
    if (env && *env)
        dsn = strdup(env);
    else {
        const char *path = cli->config_path ? cli->config_path : getenv("ONEGRID_CONFIG");
        if (!path && access("onegrid.json", R_OK) == 0)
            path = "onegrid.json";
        if (path) {
            struct og_config cfg;
            int code = og_cli_load_config(cli, &cfg);
            if (code != OG_EXIT_OK)
                return code;
            dsn = cfg.dsn ? strdup(cfg.dsn) : NULL;
            og_config_free(&cfg);
        }
    }
    struct og_error err;
    og_error_clear(&err);
    int rc = og_pg_connect(dsn, pg, &err);
    free(dsn);
    if (rc < 0) {
        og_cli_report(cli, "loader", &err);
        return OG_EXIT_FAIL;
    }
    return OG_EXIT_OK;
}
