/* cmd_status.c - onegrid status: recent runs, per-source positions, reject counts. */
#include "cli/commands.h"

#include "loader/pg.h"

#include "core/buf.h"

#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: onegrid status [--runs N] [--json] [OPTIONS]\n\n"
        "Shows the most recent runs (status, duration, records), where each source stands (files\n"
        "loaded, rejected as a whole - not read again until they change - and partly loaded;\n"
        "records and rejects; its last run and last successful run; a pull's watermark and how\n"
        "long since it moved), reject counts per source, stage and reason (open: not in the\n"
        "warehouse; replayed: loaded since by `onegrid replay`), and - with a config -\n"
        "the lag: input files the sources match that are not loaded yet.\n\n"
        "  --runs N   how many recent runs (default 10)\n"
        "  --json     one JSON object per row instead of tables\n\n%s",
        OG_COMMON_HELP);
}

/* Lag of file sources: input files the config's globs match that the ledger has not seen done (by
 * path). */
static int pending(struct og_cli *cli, struct og_pg *pg, bool json, struct og_error *err)
{
    if (!og_cli_config_path(cli))
        return 0;
    struct og_config cfg;
    if (og_cli_load_config(cli, &cfg) != OG_EXIT_OK)
        return 0;
    if (!json)
        printf("\nInput files (lag)\n%-20s %8s %8s %8s\n", "source", "matched", "loaded",
               "pending");
    int rc = 0;
    for (size_t i = 0; i < cfg.nsources && rc == 0; i++) {
        struct og_buf paths = OG_BUF_INIT;
        long matched = 0;
        for (size_t k = 0; k < cfg.sources[i].ninputs; k++) {
            glob_t g;
            if (glob(cfg.sources[i].inputs[k], 0, NULL, &g) == 0) {
                for (size_t j = 0; j < g.gl_pathc; j++) {
                    char *real = realpath(g.gl_pathv[j], NULL);
                    og_buf_printf(&paths, "%s%s", matched ? "\n" : "", real ? real : g.gl_pathv[j]);
                    free(real);
                    matched++;
                }
                globfree(&g);
            }
        }
        char *loaded = NULL;
        const char *p[] = {cfg.sources[i].name, paths.data ? paths.data : ""};
        rc = og_pg_query_value(
            pg,
            "SELECT count(DISTINCT key) FROM onegrid.etl_source_state WHERE source = $1 AND done "
            "AND key = ANY (string_to_array($2, E'\\n'))",
            2, p, &loaded, err);
        if (rc == 0) {
            long l = loaded ? atol(loaded) : 0;
            if (json)
                printf("{\"source\":\"%s\",\"matched\":%ld,\"loaded\":%ld,\"pending\":%ld}\n",
                       cfg.sources[i].name, matched, l, matched - l);
            else
                printf("%-20s %8ld %8ld %8ld\n", cfg.sources[i].name, matched, l, matched - l);
        }
        free(loaded);
        og_buf_free(&paths);
    }
    og_config_free(&cfg);
    return rc;
}

/* Where each source stands: its inputs (files loaded, rejected as a whole and not read again until
 * they change, partly loaded; partitions; pulled tables), records and rejects, its last run and
 * its last successful one, and a pull's watermark with the time since it last moved. */
static const char SOURCES_SQL[] =
    "WITH st AS (SELECT source, kind, count(*) FILTER (WHERE done AND state->>'failed' IS NULL) "
    "AS loaded, count(*) FILTER (WHERE done AND state->>'failed' IS NOT NULL) AS failed, "
    "count(*) FILTER (WHERE NOT done) AS partial, sum(records) AS records, sum(rejects) AS "
    "rejects, max(run_id) AS last_run, max(updated_at) AS updated, (array_agg(state::text ORDER "
    "BY updated_at DESC) FILTER (WHERE kind = 'pgsql'))[1] AS watermark FROM "
    "onegrid.etl_source_state GROUP BY source, kind) "
    "SELECT st.source, st.kind, st.loaded, st.failed, st.partial, st.records, st.rejects, "
    "st.last_run, (SELECT max(r.run_id) FROM onegrid.etl_run r WHERE r.status = 'succeeded' "
    "AND r.counts->'sources' ? st.source) AS last_success, to_char(st.updated AT TIME ZONE "
    "'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') AS updated, st.watermark, CASE WHEN "
    "st.watermark IS NOT NULL THEN justify_interval(date_trunc('second', now() - st.updated))"
    "::text END AS watermark_age FROM st ORDER BY st.source, st.kind";

struct args {
    char runs[16];
    bool json;
};

static int on_option(void *ctx, int opt, const char *arg)
{
    struct args *a = ctx;
    if (opt == 'r')
        snprintf(a->runs, sizeof(a->runs), "%d", atoi(arg));
    else if (opt == 'j')
        a->json = true;
    else
        return OG_EXIT_USAGE;
    return 0;
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"runs", required_argument, NULL, 'r'}, {"json", no_argument, NULL, 'j'}, {0, 0, 0, 0}};
    struct args a = {"10", false};
    int code = og_cli_parse(cli, help, argc, argv, NULL, opts, on_option, &a);
    if (code != OG_CLI_GO)
        return code;
    const char *runs = a.runs;
    bool json = a.json;
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
        "SELECT run_id AS run, status, to_char(started_at AT TIME ZONE 'Asia/Shanghai', "
        "'YYYY-MM-DD HH24:MI:SS') "
        "AS started, round(extract(epoch FROM coalesce(finished_at, now()) - started_at)::numeric, "
        "1) AS seconds, "
        "counts->>'read' AS read, counts->>'records' AS loaded, counts->>'rejected' AS rejected, "
        "counts->>'inserted' AS inserted, counts->>'updated' AS updated, counts->>'unchanged' AS "
        "unchanged, "
        "left(message, 60) AS message FROM onegrid.etl_run ORDER BY run_id DESC LIMIT $1::int",
        1, p, json, stdout, &err);
    if (rc >= 0) {
        if (!json)
            printf("\nSources\n");
        rc = og_pg_print_query(pg, SOURCES_SQL, 0, NULL, json, stdout, &err);
    }
    if (rc >= 0) {
        if (!json)
            printf("\nRejects by reason\n");
        rc = og_pg_print_query(
            pg,
            "SELECT source, stage, reason, count(*) FILTER (WHERE replayed_at IS NULL) AS open, "
            "count(*) FILTER (WHERE replay_outcome = 'loaded') AS replayed, max(run_id) AS "
            "last_run FROM onegrid.etl_reject GROUP BY source, stage, reason ORDER BY source, 4 "
            "DESC",
            0, NULL, json, stdout, &err);
    }
    if (rc >= 0)
        rc = pending(cli, pg, json, &err);
    og_pg_close(pg);
    if (rc < 0) {
        og_cli_report(cli, "status", &err);
        return OG_EXIT_FAIL;
    }
    return OG_EXIT_OK;
}

const struct og_command og_cmd_status = {
    "status", "recent runs, per-source positions, reject counts", run, help};
