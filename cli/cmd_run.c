/* cmd_run.c - onegrid run: one batch run over the configured sources. */
#include "cli/commands.h"
#include "cli/job.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: onegrid run [--source NAME]... [--dry-run] [--no-progress] [OPTIONS]\n\n"
        "Loads every configured source (or only those named with --source) into the warehouse, in\n"
        "batches of batch_size records. Each batch is one transaction holding its rows, its "
        "rejects\n"
        "and the source position, so a crash or a rerun never loses or doubles a record: a file\n"
        "already loaded (same content hash) is skipped, a file cut short resumes after its last\n"
        "committed record, a changed file is loaded again and only changed rows are rewritten.\n"
        "Bad records become rows of onegrid.etl_reject (see `onegrid rejects`); the run goes "
        "on.\n\n"
        "  --source NAME   only this source (repeatable)\n"
        "  --dry-run       read, map and reconcile everything, write nothing\n"
        "  --no-progress   no progress line even on a terminal\n\n%s",
        OG_COMMON_HELP);
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"source", required_argument, NULL, 's'},
                                         {"dry-run", no_argument, NULL, 'n'},
                                         {"no-progress", no_argument, NULL, 'P'},
                                         OG_COMMON_LONGOPTS,
                                         {0, 0, 0, 0}};
    struct og_job_opts o = {NULL, 0, false, isatty(2) != 0, "run"};
    char *only[64];
    int opt, code = OG_EXIT_OK;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "hs:n", opts, NULL)) != -1) {
        if (opt == 'h') {
            help(stdout);
            return OG_EXIT_OK;
        }
        if (opt == 's') {
            if (o.nonly == 64) {
                fprintf(stderr, "onegrid run: at most 64 --source options\n");
                return OG_EXIT_USAGE;
            }
            only[o.nonly++] = optarg;
        }
        else if (opt == 'n')
            o.dry_run = true;
        else if (opt == 'P')
            o.progress = false;
        else if (!og_cli_common_option(cli, opt, optarg, &code)) {
            help(stderr);
            return OG_EXIT_USAGE;
        }
        if (code)
            return code;
    }
    if (optind < argc) {
        fprintf(stderr, "onegrid run: unexpected argument \"%s\"\n", argv[optind]);
        return OG_EXIT_USAGE;
    }
    o.only = only;
    if (cli->log.json)
        o.progress = false;
    struct og_config cfg;
    if ((code = og_cli_load_config(cli, &cfg)) != OG_EXIT_OK)
        return code;
    struct og_job_result res;
    code = og_job_run(cli, &cfg, &o, &res);
    if (res.nstats)
        og_job_print(stdout, &res);
    og_job_result_free(&res);
    og_config_free(&cfg);
    return code;
}

const struct og_command og_cmd_run = {
    "run", "load every configured source once (files; resumable, idempotent)", run, help};
