/* cmd_run.c - onegrid run: one batch run over the configured sources. */
#include "cli/commands.h"
#include "pipeline/report.h"

#include <stdio.h>
#include <unistd.h>

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: onegrid run [--source NAME]... [--dry-run] [--no-progress] [--summary FILE]\n"
        "                   [--metrics-file FILE] [--lock-wait SECONDS] [--convert-all]\n"
        "                   [OPTIONS]\n\n"
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
        "In a changed file, a record whose bytes are those of the record at the same place "
        "in the\n"
        "version loaded before (same mapping, world, options and onegrid version) is not "
        "converted\n"
        "again: the run costs what changed (docs/loading.md).\n"
        "Bad records become rows of onegrid.etl_reject (see `onegrid rejects`); the run goes "
        "on.\n\n"
        "  --source NAME   only this source (repeatable)\n"
        "  --dry-run       read, map and reconcile everything, write nothing\n"
        "  --no-progress   no progress line even on a terminal\n"
        "  --convert-all   convert every record of a changed file, also those loaded before\n"
        "                  from the same bytes\n"
        "  --lock-wait S   a source another run or stream is loading is waited for S seconds\n"
        "                  (default 0); still held then, it is left alone and the run exits 4\n"
        "                  after loading the others (the message names the holder's PID)\n"
        "  --summary FILE  write the run's summary to FILE as one JSON document (counts per\n"
        "                  source and stage, rejects by reason, positions before and after,\n"
        "                  timings, the exit code and the error; docs/run-summary.md), also when\n"
        "                  the run fails\n"
        "  --metrics-file FILE\n"
        "                  write the run's figures to FILE in Prometheus text format, for\n"
        "                  node-exporter's textfile collector (FILE ending in .prom)\n"
        "Both files are replaced atomically (written next to FILE, then renamed); when one\n"
        "cannot be written the run says why and exits 1 instead of 0.\n\n%s",
        OG_COMMON_HELP);
}

struct args {
    struct og_job_opts o;
    char *only[OG_CLI_MAX_ONLY];
    const char *summary;      /* --summary FILE, or NULL */
    const char *metrics_file; /* --metrics-file FILE, or NULL */
};

static int on_option(void *ctx, int opt, const char *arg)
{
    struct args *a = ctx;
    switch (opt) {
    case 's':
        return og_cli_add_source("run", a->only, &a->o.nonly, arg);
    case 'n':
        a->o.dry_run = true;
        return 0;
    case 'P':
        a->o.progress = false;
        return 0;
    case 'A':
        a->o.convert_all = true;
        return 0;
    case 'S':
        a->summary = arg;
        return 0;
    case 'F':
        a->metrics_file = arg;
        return 0;
    case 'L':
        return og_cli_lock_wait("run", arg, &a->o.lock_wait_s);
    default:
        return OG_EXIT_USAGE;
    }
}

/* --summary and --metrics-file: the run as a scheduler keeps it (cfg, res and error may be NULL).
 * Returns the exit code: code, or 1 instead of 0 when a file cannot be written. */
static int report(struct og_cli *cli, const struct args *a, const struct og_config *cfg,
                  const struct og_job_result *res, const struct og_error *error, int code,
                  double started, double t0)
{
    const struct og_cli_report_files f = {a->summary, a->metrics_file, started, t0};
    return og_cli_write_report(cli, "run", &f, &a->o, cfg, res, error, code);
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    double started = og_report_now(), t0 = og_report_monotonic();
    static const struct option opts[] = {
        {"source", required_argument, NULL, 's'},    {"dry-run", no_argument, NULL, 'n'},
        {"no-progress", no_argument, NULL, 'P'},     {"convert-all", no_argument, NULL, 'A'},
        {"summary", required_argument, NULL, 'S'},   {"metrics-file", required_argument, NULL, 'F'},
        {"lock-wait", required_argument, NULL, 'L'}, {0, 0, 0, 0}};
    struct args a = {{.progress = isatty(2) != 0, .command = "run"}, {NULL}, NULL, NULL};
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
    if ((code = og_cli_load_config(cli, &cfg)) != OG_EXIT_OK) {
        struct og_error err;
        og_error_clear(&err);
        og_error_set(&err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     "cannot load the configuration");
        og_error_hint(&err, "the log says why");
        return report(cli, &a, NULL, NULL, &err, code, started, t0);
    }
    struct og_job_result res;
    enum og_job_status status = og_cli_run_job(cli, "run", &cfg, &a.o, &res);
    code = report(cli, &a, &cfg, &res, NULL, og_cli_exit_job(status), started, t0);
    og_job_result_free(&res);
    og_config_free(&cfg);
    return code;
}

const struct og_command og_cmd_run = {
    "run",
    "load every configured source once (files, Kafka to its current end; resumable, idempotent)",
    run, help};
