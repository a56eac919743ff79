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
    int code = og_cli_parse(cli, help, argc, argv, NULL, NULL, NULL, NULL);
    if (code != OG_CLI_GO)
        return code;
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
