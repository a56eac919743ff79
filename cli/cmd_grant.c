/* cmd_grant.c - onegrid grant / onegrid revoke: which divisions an analyst role may see. */
#include "cli/commands.h"

#include "loader/pg.h"
#include "loader/scope.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void grant_help(FILE *out)
{
    fprintf(
        out,
        "usage: onegrid grant --role NAME --division CODE [OPTIONS]\n"
        "       onegrid grant --list [OPTIONS]\n\n"
        "Lets the PostgreSQL role NAME read the warehouse for the division CODE and everything\n"
        "inside it: a county (district, 6 digits: all its grids), a street (9 digits: the\n"
        "street's grids and nothing else) or a community (12 digits). Row-level security\n"
        "enforces it on every fact table (event, event_history, event_link, visit,\n"
        "visit_member, person, person_history, housing, health_code, health_code_change,\n"
        "grid) and through every view (grid_daily, community_daily, street_daily,\n"
        "grid_overview, grid_fragmentation), whatever SQL the analyst writes. A role may be\n"
        "granted several divisions. No analyst reads the raw text of rejected records.\n\n"
        "A missing role is created as a login role without a password (set one with\n"
        "ALTER ROLE NAME PASSWORD '...', or use your cluster's own authentication); the role\n"
        "is made a member of onegrid_analyst. Needs a connection (ONEGRID_DSN or the\n"
        "configuration's warehouse.dsn) as a role with CREATEROLE, or a superuser. Refused for\n"
        "a role that bypasses row-level security (superuser, BYPASSRLS, onegrid_loader).\n\n"
        "  --role NAME       the analyst's login role\n"
        "  --division CODE   a division of the world loaded (SELECT code, level, name FROM\n"
        "                    onegrid.division)\n"
        "  --list            print every grant: role, division, its level and name, grids\n\n"
        "Example: the analyst of 石炮台街道 sees its grids only:\n"
        "  onegrid grant --role analyst_shipaotai --division 440511001\n"
        "  psql \"host=... dbname=onegrid user=analyst_shipaotai\" -c 'SELECT * FROM "
        "onegrid.grid_overview'\n\n%s",
        OG_COMMON_HELP);
}

static void revoke_help(FILE *out)
{
    fprintf(out,
            "usage: onegrid revoke --role NAME (--division CODE | --all) [OPTIONS]\n\n"
            "Takes back a division granted with `onegrid grant` (or every one, with --all).\n"
            "A role with no division left sees no row of any fact table or view; the role itself\n"
            "and its membership of onegrid_analyst stay (DROP ROLE is yours to run).\n\n"
            "  --role NAME       the analyst's role\n"
            "  --division CODE   the division to take back\n"
            "  --all             every division of the role\n\n%s",
            OG_COMMON_HELP);
}

struct args {
    const char *role, *division;
    bool list, all;
};

static int on_option(void *ctx, int opt, const char *arg)
{
    struct args *a = ctx;
    switch (opt) {
    case 'r':
        a->role = arg;
        return 0;
    case 'd':
        a->division = arg;
        return 0;
    case 'l':
        a->list = true;
        return 0;
    case 'a':
        a->all = true;
        return 0;
    default:
        return OG_EXIT_USAGE;
    }
}

static const struct option OPTS[] = {{"role", required_argument, NULL, 'r'},
                                     {"division", required_argument, NULL, 'd'},
                                     {"list", no_argument, NULL, 'l'},
                                     {"all", no_argument, NULL, 'a'},
                                     {0, 0, 0, 0}};

static int finish(struct og_cli *cli, struct og_pg *pg, const char *name, int rc,
                  const struct og_error *err)
{
    og_pg_close(pg);
    if (rc < 0) {
        og_cli_report(cli, name, err);
        return rc == OG_ECONFIG ? OG_EXIT_USAGE : OG_EXIT_FAIL;
    }
    return OG_EXIT_OK;
}

static int grant_cmd(struct og_cli *cli, int argc, char **argv)
{
    struct args a = {0};
    int code = og_cli_parse(cli, grant_help, argc, argv, NULL, OPTS, on_option, &a);
    if (code != OG_CLI_GO)
        return code;
    if (optind < argc || a.all || (a.list ? a.role || a.division : !a.role || !a.division)) {
        fprintf(stderr, "onegrid grant: give --role NAME and --division CODE, or --list\n\n");
        grant_help(stderr);
        return OG_EXIT_USAGE;
    }
    struct og_pg *pg;
    if ((code = og_cli_connect(cli, &pg)) != OG_EXIT_OK)
        return code;
    struct og_error err;
    og_error_clear(&err);
    int rc;
    if (a.list)
        rc = og_pg_scope_print(pg, false, stdout, &err);
    else {
        struct og_scope_grant g;
        rc = og_pg_scope_grant(pg, a.role, a.division, &g, &err);
        if (rc == 0)
            printf("%s%s may see %s: %d division%s granted, %d grid%s\n", a.role,
                   g.created ? " (created now: a login role without a password)" : "", a.division,
                   g.divisions, g.divisions == 1 ? "" : "s", g.grids, g.grids == 1 ? "" : "s");
    }
    return finish(cli, pg, "grant", rc, &err);
}

static int revoke_cmd(struct og_cli *cli, int argc, char **argv)
{
    struct args a = {0};
    int code = og_cli_parse(cli, revoke_help, argc, argv, NULL, OPTS, on_option, &a);
    if (code != OG_CLI_GO)
        return code;
    if (optind < argc || a.list || !a.role || (a.all == (a.division != NULL))) {
        fprintf(stderr, "onegrid revoke: give --role NAME and --division CODE or --all\n\n");
        revoke_help(stderr);
        return OG_EXIT_USAGE;
    }
    struct og_pg *pg;
    if ((code = og_cli_connect(cli, &pg)) != OG_EXIT_OK)
        return code;
    struct og_error err;
    og_error_clear(&err);
    int removed = 0;
    int rc = og_pg_scope_revoke(pg, a.role, a.division, &removed, &err);
    if (rc == 0 && removed == 0) {
        og_error_set(&err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG, "%s has no grant of %s",
                     a.role, a.division ? a.division : "any division");
        og_error_hint(&err, "see the grants with `onegrid grant --list`");
        rc = OG_ECONFIG;
    }
    else if (rc == 0)
        printf("%s: %d grant%s taken back\n", a.role, removed, removed == 1 ? "" : "s");
    return finish(cli, pg, "revoke", rc, &err);
}

const struct og_command og_cmd_grant = {
    "grant", "let an analyst role see a division (row-level security); --list the grants",
    grant_cmd, grant_help};
const struct og_command og_cmd_revoke = {"revoke", "take back a division granted to an analyst",
                                         revoke_cmd, revoke_help};
