/* cmd_world.c - onegrid world import: divisions, grids, department grids and crosswalks. */
#include "cli/commands.h"

#include "core/world.h"
#include "loader/pg.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: onegrid world import [--dir DIR] [--crosswalks DIR] [OPTIONS]\n\n"
        "Loads a world into the warehouse: divisions (with 2016->2023 aliases), unified grids,\n"
        "department grids and their crosswalks to unified grids. Without --dir it loads the "
        "built-in\n"
        "Jinping world (Shantou 440511: 12 streets, 170 communities, 685 grids). The file formats "
        "are\n"
        "in docs/world-format.md; a deployment imports its own boundaries the same way. Importing "
        "the\n"
        "same files again changes nothing.\n\n"
        "  --dir DIR          world folder (divisions.csv, division_alias.csv, grids.geojson, "
        "...)\n"
        "  --crosswalks DIR   folder of crosswalk CSVs (default: mappings/crosswalks of the data "
        "folder)\n\n%s",
        OG_COMMON_HELP);
}

struct args {
    char dir[4300], xdir[4300];
};

static int on_option(void *ctx, int opt, const char *arg)
{
    struct args *a = ctx;
    if (opt == 'd')
        snprintf(a->dir, sizeof(a->dir), "%s", arg);
    else if (opt == 'x')
        snprintf(a->xdir, sizeof(a->xdir), "%s", arg);
    else
        return OG_EXIT_USAGE;
    return 0;
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
                                         {"crosswalks", required_argument, NULL, 'x'},
                                         {0, 0, 0, 0}};
    struct args a;
    snprintf(a.dir, sizeof(a.dir), "%s/world/jinping", cli->datadir);
    snprintf(a.xdir, sizeof(a.xdir), "%s/mappings/crosswalks", cli->datadir);
    int code = og_cli_parse(cli, help, argc, argv, NULL, opts, on_option, &a);
    if (code != OG_CLI_GO)
        return code;
    const char *dir = a.dir, *xdir = a.xdir;
    if (optind >= argc || strcmp(argv[optind], "import") != 0) {
        fprintf(stderr, "onegrid world: expected `import`\n");
        help(stderr);
        return OG_EXIT_USAGE;
    }
    struct og_error err;
    og_error_clear(&err);
    struct og_world w;
    if (og_world_read_dir(dir, xdir, &w, &err) < 0) {
        og_cli_report(cli, "world", &err);
        return OG_EXIT_USAGE;
    }
    struct og_pg *pg;
    if ((code = og_cli_connect(cli, &pg)) != OG_EXIT_OK) {
        og_world_free(&w);
        return code;
    }
    long long counts[5], skipped = 0;
    int rc = og_pg_world_import(pg, &w, counts, &skipped, &err);
    og_pg_close(pg);
    og_world_free(&w);
    if (rc < 0) {
        if (err.sqlstate[0] == '4' && err.sqlstate[1] == '2' && !err.hint[0])
            og_error_hint(&err, "run `onegrid init` first");
        og_cli_report(cli, "world", &err);
        return OG_EXIT_FAIL;
    }
    if (skipped)
        og_warn(&cli->log, "world",
                "%lld crosswalk rows name a grid that is not in the warehouse: left out", skipped);
    printf("world imported from %s: %lld divisions, %lld aliases, %lld grids, %lld department "
           "grids, %lld crosswalk "
           "rows\n",
           dir, counts[0], counts[1], counts[2], counts[3], counts[4]);
    return OG_EXIT_OK;
}

const struct og_command og_cmd_world = {
    "world", "import divisions, unified grids, department grids, crosswalks", run, help};
