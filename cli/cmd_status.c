/* cmd_status.c - onegrid status: recent runs, per-source positions, reject counts. */
#include "commands.h"

#include "../loader/pg.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void help(FILE *out)
{
    fprintf(out, "usage: onegrid status [--runs N] [--json] [OPTIONS]\n\n"
                 "Shows the most recent runs (status, duration, records), where each source stands (files\n"
                 "loaded, partly loaded, records and rejects), and reject counts per source and reason.\n\n"
                 "  --runs N   how many recent runs (default 10)\n"
                 "  --json     one JSON object per row instead of tables\n\n%s",
            OG_COMMON_HELP);
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"runs", required_argument, NULL, 'r'}, {"json", no_argument, NULL, 'j'},
                                         OG_COMMON_LONGOPTS, {0, 0, 0, 0}};
    char runs[16] = "10";
    bool json = false;
    int opt, code = OG_EXIT_OK;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (opt == 'h') {
            help(stdout);
            return OG_EXIT_OK;
        }
        if (opt == 'r')
            snprintf(runs, sizeof(runs), "%d", atoi(optarg));
        else if (opt == 'j')
            json = true;
        else if (!og_cli_common_option(cli, opt, optarg, &code)) {
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
    const char *p[] = {runs};
    if (!json)
        printf("Recent runs\n");
    int rc = og_pg_print_query(
        pg,
        "SELECT run_id AS run, status, to_char(started_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') "
        "AS started, round(extract(epoch FROM coalesce(finished_at, now()) - started_at)::numeric, 1) AS seconds, "
        "counts->>'read' AS read, counts->>'records' AS loaded, counts->>'rejected' AS rejected, "
        "counts->>'inserted' AS inserted, counts->>'updated' AS updated, counts->>'unchanged' AS unchanged, "
        "left(message, 60) AS message FROM onegrid.etl_run ORDER BY run_id DESC LIMIT $1::int",
        1, p, json, stdout, &err);
    if (rc >= 0) {
        if (!json)
            printf("\nSources\n");
        rc = og_pg_print_query(pg,
                               "SELECT source, kind, count(*) FILTER (WHERE done) AS loaded, "
                               "count(*) FILTER (WHERE NOT done) AS partial, sum(records) AS records, "
                               "sum(rejects) AS rejects, max(run_id) AS last_run, "
                               "to_char(max(updated_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') AS "
                               "updated FROM onegrid.etl_source_state GROUP BY source, kind ORDER BY source",
                               0, NULL, json, stdout, &err);
    }
    if (rc >= 0) {
        if (!json)
            printf("\nRejects by reason\n");
        rc = og_pg_print_query(pg,
                               "SELECT source, stage, reason, count(*) AS rejects, max(run_id) AS last_run "
                               "FROM onegrid.etl_reject GROUP BY source, stage, reason ORDER BY source, 4 DESC",
                               0, NULL, json, stdout, &err);
    }
    og_pg_close(pg);
    if (rc < 0) {
        og_cli_report(cli, "status", &err);
        return OG_EXIT_FAIL;
    }
    return OG_EXIT_OK;
}

const struct og_command og_cmd_status = {"status", "recent runs, per-source positions, reject counts", run, help};
