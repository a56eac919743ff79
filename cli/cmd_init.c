/* cmd_init.c - onegrid init: create or migrate the warehouse schema. */
#include "cli/commands.h"

#include "loader/migrations.h"
#include "loader/pg.h"

#include <getopt.h>
#include <stdio.h>

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: onegrid init [OPTIONS]\n\n"
        "Creates the warehouse schema `onegrid` (PostGIS, tables, comments, roles onegrid_loader "
        "and\n"
        "onegrid_analyst) or brings it up to date by applying the numbered migrations not yet "
        "applied,\n"
        "each in its own transaction. Running it again is harmless. Needs a role that may create\n"
        "extensions and roles (a superuser) the first time.\n\n%s",
        OG_COMMON_HELP);
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {OG_COMMON_LONGOPTS, {0, 0, 0, 0}};
    int opt, code = OG_EXIT_OK;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (opt == 'h') {
            help(stdout);
            return OG_EXIT_OK;
        }
        if (!og_cli_common_option(cli, opt, optarg, &code)) {
            help(stderr);
            return OG_EXIT_USAGE;
        }
        if (code)
            return code;
    }
    struct og_pg *pg;
    if ((code = og_cli_connect(cli, &pg)) != OG_EXIT_OK)
        return code;
    struct og_error err;
    og_error_clear(&err);
    int applied = 0, version = 0;
    int rc = og_pg_migrate(pg, &applied, &version, &err);
    og_pg_close(pg);
    if (rc < 0) {
        og_cli_report(cli, "init", &err);
        return OG_EXIT_FAIL;
    }
    printf("warehouse schema at version %d (%d migration%s applied now, %d known)\n", version,
           applied, applied == 1 ? "" : "s", og_migrations_count);
    return OG_EXIT_OK;
}

const struct og_command og_cmd_init = {
    "init", "create or migrate the warehouse schema (safe to run again)", run, help};
