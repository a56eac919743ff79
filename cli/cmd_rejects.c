/* cmd_rejects.c - onegrid rejects: list rejected records with where and why. */
#include "cli/commands.h"

#include "loader/pg.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: onegrid rejects [--run N] [--source NAME] [--stage S] [--reason CODE] [--limit N] "
        "[--raw] "
        "[--json]\n"
        "       onegrid rejects --reasons [--markdown]\n\n"
        "Lists rejected records: run, source, position (file:line), stage (read, map, "
        "reconcile, load),\n"
        "reason code, field and message. --raw adds the record's raw text (identity numbers in "
        "it are\n"
        "masked). Newest first.\n\n"
        "  --run N         only rejects first seen in run N\n"
        "  --source NAME   only this source\n"
        "  --stage STAGE   only this stage: read (a file rejected as a whole is one read reject),\n"
        "                  map, reconcile or load\n"
        "  --reason CODE   only this reason (e.g. invalid_time, bad_json, missing_field)\n"
        "  --limit N       at most N rows (default 50)\n"
        "  --raw           include the raw record\n"
        "  --json          one JSON object per line\n"
        "  --reasons       list every reason code and what it means (no warehouse needed);\n"
        "                  --markdown writes it as docs/reasons.md has it\n\n%s",
        OG_COMMON_HELP);
}

struct args {
    const char *runid, *source, *reason, *stage;
    char limit[16];
    bool raw, json, reasons, markdown;
};

/* The reason table (core/reason.h): as text, or as the Markdown page docs/reasons.md. */
static void print_reasons(FILE *out, bool markdown)
{
    if (markdown)
        fprintf(out,
                "# Reason codes\n\n"
                "Every rejected record is a row of `onegrid.etl_reject` whose `reason` is one of "
                "the codes of\nkind *record* below; the other codes name why a run, a command or "
                "a generator stopped (they\nare logged, not stored as rows). The codes are a "
                "contract: they are never renamed, and new\nones are added at the end of their "
                "group. This page is generated from `core/reason.h` by\n"
                "`onegrid rejects --reasons --markdown`; a test checks that the two agree.\n\n"
                "| code | kind | stages | meaning |\n| --- | --- | --- | --- |\n");
    for (int r = 1; r < OG_R__COUNT; r++) {
        const char *kind = og_reason_kind(r) == OG_RK_RECORD ? "record" : "error";
        if (markdown)
            fprintf(out, "| `%s` | %s | %s | %s |\n", og_reason_name(r), kind, og_reason_stages(r),
                    og_reason_meaning(r));
        else
            fprintf(out, "%-20s %-7s %-16s %s\n", og_reason_name(r), kind, og_reason_stages(r),
                    og_reason_meaning(r));
    }
}

static int on_option(void *ctx, int opt, const char *arg)
{
    struct args *a = ctx;
    switch (opt) {
    case 'r':
        a->runid = arg;
        return 0;
    case 's':
        a->source = arg;
        return 0;
    case 'R':
        a->reason = arg;
        return 0;
    case 'S':
        if (strcmp(arg, "read") && strcmp(arg, "map") && strcmp(arg, "reconcile") &&
            strcmp(arg, "load")) {
            fprintf(stderr, "rejects: --stage is read, map, reconcile or load, not \"%s\"\n", arg);
            return OG_EXIT_USAGE;
        }
        a->stage = arg;
        return 0;
    case 'n':
        snprintf(a->limit, sizeof(a->limit), "%d", atoi(arg));
        return 0;
    case 'w':
        a->raw = true;
        return 0;
    case 'j':
        a->json = true;
        return 0;
    case 'E':
        a->reasons = true;
        return 0;
    case 'M':
        a->markdown = true;
        return 0;
    default:
        return OG_EXIT_USAGE;
    }
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"run", required_argument, NULL, 'r'},    {"source", required_argument, NULL, 's'},
        {"reason", required_argument, NULL, 'R'}, {"stage", required_argument, NULL, 'S'},
        {"limit", required_argument, NULL, 'n'},  {"raw", no_argument, NULL, 'w'},
        {"json", no_argument, NULL, 'j'},         {"reasons", no_argument, NULL, 'E'},
        {"markdown", no_argument, NULL, 'M'},     {0, 0, 0, 0}};
    struct args a = {NULL, NULL, NULL, NULL, "50", false, false, false, false};
    int code = og_cli_parse(cli, help, argc, argv, NULL, opts, on_option, &a);
    if (code != OG_CLI_GO)
        return code;
    if (a.reasons) {
        print_reasons(stdout, a.markdown);
        return OG_EXIT_OK;
    }
    const char *runid = a.runid, *source = a.source, *reason = a.reason, *limit = a.limit;
    bool json = a.json, raw = a.raw;
    struct og_pg *pg;
    if ((code = og_cli_connect(cli, &pg)) != OG_EXIT_OK)
        return code;
    struct og_error err;
    og_error_clear(&err);
    const char *p[] = {runid, source, reason, limit, raw ? "t" : "f", a.stage};
    int rc = og_pg_print_query(
        pg,
        "SELECT run_id AS run, source, position, stage, reason, field, left(message, 120) AS "
        "message, "
        "CASE WHEN $5::boolean THEN raw END AS raw FROM onegrid.etl_reject "
        "WHERE ($1::bigint IS NULL OR run_id = $1::bigint) AND ($2::text IS NULL OR source = $2) "
        "AND ($3::text IS NULL OR reason = $3) AND ($6::text IS NULL OR stage = $6) "
        "ORDER BY reject_id DESC LIMIT $4::int",
        6, p, json, stdout, &err);
    og_pg_close(pg);
    if (rc < 0) {
        og_cli_report(cli, "rejects", &err);
        return OG_EXIT_FAIL;
    }
    return OG_EXIT_OK;
}

const struct og_command og_cmd_rejects = {
    "rejects", "list rejected records with position, stage, reason", run, help};
