/* cmd_run.c - onegrid run: one batch run over the configured sources. */
#include "cli/commands.h"

#include <stdio.h>
#include <unistd.h>

static void help(FILE *out)
{
    fprintf(out,
            "usage: onegrid run [--source NAME]... [--dry-run] [--no-progress] [OPTIONS]\n\n"
            "Loads every configured source (or only those named with --source) into the "
            "warehouse, in\n"
            "batches of batch_size records. Each batch is one transaction holding its rows, its "
            "rejects\n"
            "and the source position, so a crash or a rerun never loses or doubles a record: a "
            "file\n"
            "already loaded (same content hash) is skipped, a file cut short resumes after its "
            "last\n"
            "committed record, a changed file is loaded again and only changed rows are "
            "rewritten.\n"
            "Bad records become rows of onegrid.etl_reject (see `onegrid rejects`); the run goes "
            "on.\n\n"
            "  --source NAME   only this source (repeatable)\n"
            "  --dry-run       read, map and reconcile everything, write nothing\n"
            "  --no-progress   no progress line even on a terminal\n\n%s",
            OG_COMMON_HELP);
}

#define MAX_ONLY 64

struct args {
    struct og_job_opts o;
    char *only[MAX_ONLY];
};

static int on_option(void *ctx, int opt, const char *arg)
{
    struct args *a = ctx;
    switch (opt) {
    case 's':
        if (a->o.nonly == MAX_ONLY) {
            fprintf(stderr, "onegrid run: at most %d --source options\n", MAX_ONLY);
            return OG_EXIT_USAGE;
        }
        a->only[a->o.nonly++] = (char *)arg;
        return 0;
    case 'n':
        a->o.dry_run = true;
        return 0;
    case 'P':
        a->o.progress = false;
        return 0;
    default:
        return OG_EXIT_USAGE;
    }
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"source", required_argument, NULL, 's'},
                                         {"dry-run", no_argument, NULL, 'n'},
                                         {"no-progress", no_argument, NULL, 'P'},
                                         {0, 0, 0, 0}};
    struct args a = {{.progress = isatty(2) != 0, .command = "run"}, {NULL}};
    int code = og_cli_parse(cli, help, argc, argv, "s:n", opts, on_option, &a);
    if (code != OG_CLI_GO)
        return code;
    if (optind < argc) {
        fprintf(stderr, "onegrid run: unexpected argument \"%s\"\n", argv[optind]);
        return OG_EXIT_USAGE;
    }
    a.o.only = a.only;
    if (cli->log.json)
        a.o.progress = false;
    struct og_config cfg;
    if ((code = og_cli_load_config(cli, &cfg)) != OG_EXIT_OK)
        return code;
    struct og_job_result res;
    enum og_job_status status = og_cli_run_job(cli, "run", &cfg, &a.o, &res);
    og_job_result_free(&res);
    og_config_free(&cfg);
    return og_cli_exit_job(status);
}

const struct og_command og_cmd_run = {
    "run",
    "load every configured source once (files, Kafka to its current end; resumable, idempotent)",
    run, help};
