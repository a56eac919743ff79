/* cmd_rejects.c - onegrid rejects: list rejected records with where and why. */
#include "cli/commands.h"

#include "loader/pg.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void help(FILE *out)
{
    fprintf(out,
            "usage: onegrid rejects [--run N] [--source NAME] [--reason CODE] [--limit N] [--raw] "
            "[--json]\n\n"
            "Lists rejected records: run, source, position (file:line), stage (read, map, "
            "reconcile, load),\n"
            "reason code, field and message. --raw adds the record's raw text (identity numbers in "
            "it are\n"
            "masked). Newest first.\n\n"
            "  --run N         only rejects first seen in run N\n"
            "  --source NAME   only this source\n"
            "  --reason CODE   only this reason (e.g. invalid_time, bad_json, missing_field)\n"
            "  --limit N       at most N rows (default 50)\n"
            "  --raw           include the raw record\n"
            "  --json          one JSON object per line\n\n%s",
            OG_COMMON_HELP);
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"run", required_argument, NULL, 'r'},
                                         {"source", required_argument, NULL, 's'},
                                         {"reason", required_argument, NULL, 'R'},
                                         {"limit", required_argument, NULL, 'n'},
                                         {"raw", no_argument, NULL, 'w'},
                                         {"json", no_argument, NULL, 'j'},
                                         OG_COMMON_LONGOPTS,
                                         {0, 0, 0, 0}};
    const char *runid = NULL, *source = NULL, *reason = NULL;
    char limit[16] = "50";
    bool json = false, raw = false;
    int opt, code = OG_EXIT_OK;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            help(stdout);
            return OG_EXIT_OK;
        case 'r':
            runid = optarg;
            break;
        case 's':
            source = optarg;
            break;
        case 'R':
            reason = optarg;
            break;
        case 'n':
            snprintf(limit, sizeof(limit), "%d", atoi(optarg));
            break;
        case 'w':
            raw = true;
            break;
        case 'j':
            json = true;
            break;
        default:
            if (!og_cli_common_option(cli, opt, optarg, &code)) {
                help(stderr);
                return OG_EXIT_USAGE;
            }
            if (code)
                return code;
        }
    }
    struct og_pg *pg;
    if ((code = og_cli_connect(cli, &pg)) != OG_EXIT_OK)
        return code;
    struct og_error err;
    og_error_clear(&err);
    const char *p[] = {runid, source, reason, limit, raw ? "t" : "f"};
    int rc = og_pg_print_query(
        pg,
        "SELECT run_id AS run, source, position, stage, reason, field, left(message, 120) AS "
        "message, "
        "CASE WHEN $5::boolean THEN raw END AS raw FROM onegrid.etl_reject "
        "WHERE ($1::bigint IS NULL OR run_id = $1::bigint) AND ($2::text IS NULL OR source = $2) "
        "AND ($3::text IS NULL OR reason = $3) ORDER BY reject_id DESC LIMIT $4::int",
        5, p, json, stdout, &err);
    og_pg_close(pg);
    if (rc < 0) {
        og_cli_report(cli, "rejects", &err);
        return OG_EXIT_FAIL;
    }
    return OG_EXIT_OK;
}

const struct og_command og_cmd_rejects = {
    "rejects", "list rejected records with position, stage, reason", run, help};
