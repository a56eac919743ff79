/* cmd_source.c - onegrid source: the sources the warehouse knows, and renaming one. */
#include "cli/commands.h"

#include "loader/pg.h"
#include "loader/sources.h"

#include <stdio.h>
#include <string.h>

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: onegrid source list [OPTIONS]\n"
        "       onegrid source rename OLD NEW [OPTIONS]\n\n"
        "A source's name (in the configuration) is part of the warehouse keys of its rows\n"
        "(event_id and visit_id are DEPARTMENT:SOURCE:ID), of its ledger and of its rejects.\n"
        "A run refuses a source whose new name reads the feed of a source the configuration no\n"
        "longer names: it would load everything again as new rows.\n\n"
        "  list            the sources the warehouse knows: department, feed, when first\n"
        "                  loaded, inputs in the ledger, open rejects\n"
        "  rename OLD NEW  move OLD's events (history and links kept), visits (members kept),\n"
        "                  health-code rows, ledger and positions, rejects to NEW, in one\n"
        "                  transaction; refused while a run is loading either name, when NEW\n"
        "                  is not an identifier ([a-z][a-z0-9_]*) or already has rows. Rename\n"
        "                  the source in the configuration too, before the next run.\n\n%s",
        OG_COMMON_HELP);
}

static void moved(void *ctx, const char *what, long long n)
{
    (void)ctx;
    printf("%-18s %lld\n", what, n);
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    int code = og_cli_parse(cli, help, argc, argv, NULL, NULL, NULL, NULL);
    if (code != OG_CLI_GO)
        return code;
    const char *verb = optind < argc ? argv[optind] : NULL;
    bool list = verb && strcmp(verb, "list") == 0 && optind + 1 == argc;
    bool rename = verb && strcmp(verb, "rename") == 0 && optind + 3 == argc;
    if (!list && !rename) {
        fprintf(stderr, "onegrid source: say `list`, or `rename OLD NEW`\n\n");
        help(stderr);
        return OG_EXIT_USAGE;
    }
    struct og_pg *pg;
    if ((code = og_cli_connect(cli, &pg)) != OG_EXIT_OK)
        return code;
    struct og_error err;
    og_error_clear(&err);
    int rc;
    if (list)
        rc = og_pg_print_query(
            pg,
            "SELECT s.source, s.department, s.feed, s.first_run_id AS first_run, "
            "date_trunc('second', s.registered_at) AS registered, (SELECT count(*) FROM "
            "onegrid.etl_source_state st WHERE st.source = s.source) AS inputs, (SELECT "
            "count(*) FROM onegrid.etl_reject r WHERE r.source = s.source) AS rejects FROM "
            "onegrid.etl_source s ORDER BY s.source",
            0, NULL, false, stdout, &err);
    else {
        rc = og_pg_source_rename(pg, argv[optind + 1], argv[optind + 2], moved, NULL, &err);
        if (rc == 0)
            printf("source %s is now %s: rename it in the configuration before the next run\n",
                   argv[optind + 1], argv[optind + 2]);
    }
    og_pg_close(pg);
    if (rc < 0) {
        og_cli_report(cli, "source", &err);
        return rc == OG_EINVAL ? OG_EXIT_USAGE : rc == OG_EAGAIN ? OG_EXIT_LOCKED : OG_EXIT_FAIL;
    }
    return OG_EXIT_OK;
}

const struct og_command og_cmd_source = {
    "source", "the sources the warehouse knows; rename one (rows, ledger, positions)", run, help};
