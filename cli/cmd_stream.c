/* cmd_stream.c - onegrid stream: the long-running member of the Kafka consumer groups. */
#include "cli/commands.h"
#include "pipeline/report.h"

#include <stdio.h>
#include <string.h>

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: onegrid stream [--source NAME]... [--metrics-listen HOST:PORT] [--summary FILE]\n"
        "                      [--metrics-file FILE] [--lock-wait SECONDS] [OPTIONS]\n\n"
        "Consumes the configured Kafka sources (connector kafka) until SIGTERM or SIGINT, as one\n"
        "member of each source's consumer group: run as many as there are partitions, on any\n"
        "number of hosts, and Kafka splits the partitions among them. Each batch's rows, rejects\n"
        "and the next offset of every partition it covers are committed in ONE warehouse\n"
        "transaction; on every assignment the consumer seeks to the offsets the warehouse holds\n"
        "(Kafka's own committed offsets are never used), and before partitions are taken away\n"
        "what was read from them is committed. So a crash, a rebalance or a restart neither loses\n"
        "nor doubles a record. A message that cannot be read or mapped becomes a row of\n"
        "onegrid.etl_reject and its partition moves on. Batches are committed when full\n"
        "(batch_size) or one second after their first record. While PostgreSQL is away the\n"
        "partitions are paused and the commit is retried with backoff (up to 30 s), without\n"
        "losing the place. SIGTERM commits the batch in hand (or leaves it uncommitted, to be\n"
        "read again) and exits 0.\n\n"
        "  --source NAME            only this Kafka source (repeatable)\n"
        "  --lock-wait SECONDS      wait that long for a source another run is loading (default\n"
        "                           0: left alone, the stream exits 4)\n"
        "  --metrics-listen H:P     serve Prometheus metrics on http://H:P/metrics: records,\n"
        "                           rejects, batches, commit latency, last commit time, lag per\n"
        "                           partition (e.g. 127.0.0.1:9464; port 0 picks a free one)\n"
        "  --summary FILE           when the stream stops, write what it did to FILE as one JSON\n"
        "                           document (counts per source and stage, rejects by reason,\n"
        "                           offsets per partition before and after, timings, the exit\n"
        "                           code and the error; docs/run-summary.md)\n"
        "  --metrics-file FILE      when the stream stops, write its figures to FILE in "
        "Prometheus\n"
        "                           text format (node-exporter's textfile collector)\n"
        "Both files are replaced atomically; when one cannot be written the stream says why and\n"
        "exits 1 instead of 0.\n\n"
        "`onegrid run` reads the same sources up to the end offsets as of its start and stops.\n\n"
        "%s",
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
    if (opt == 's') {
        return og_cli_add_source("stream", a->only, &a->o.nonly, arg);
    }
    if (opt == 'M') {
        a->o.metrics_listen = arg;
        return 0;
    }
    if (opt == 'L')
        return og_cli_lock_wait("stream", arg, &a->o.lock_wait_s);
    if (opt == 'S' || opt == 'F') {
        *(opt == 'S' ? &a->summary : &a->metrics_file) = arg;
        return 0;
    }
    return OG_EXIT_USAGE;
}

/* --summary and --metrics-file: the stream as a scheduler keeps it (cfg, res and error may be
 * NULL). Returns the exit code: code, or 1 instead of 0 when a file cannot be written. */
static int report(struct og_cli *cli, const struct args *a, const struct og_config *cfg,
                  const struct og_job_result *res, const struct og_error *error, int code,
                  double started, double t0)
{
    const struct og_cli_report_files f = {a->summary, a->metrics_file, started, t0};
    return og_cli_write_report(cli, "stream", &f, &a->o, cfg, res, error, code);
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    double started = og_report_now(), t0 = og_report_monotonic();
    static const struct option opts[] = {{"source", required_argument, NULL, 's'},
                                         {"metrics-listen", required_argument, NULL, 'M'},
                                         {"summary", required_argument, NULL, 'S'},
                                         {"metrics-file", required_argument, NULL, 'F'},
                                         {"lock-wait", required_argument, NULL, 'L'},
                                         {0, 0, 0, 0}};
    struct args a = {{.follow = true, .command = "stream"}, {NULL}, NULL, NULL};
    int code = og_cli_parse(cli, help, argc, argv, "s:", opts, on_option, &a);
    if (code != OG_CLI_GO)
        return code;
    if (optind < argc) {
        fprintf(stderr, "onegrid stream: unexpected argument \"%s\"\n", argv[optind]);
        return OG_EXIT_USAGE;
    }
    struct og_config cfg;
    struct og_error err;
    og_error_clear(&err);
    if ((code = og_cli_load_config(cli, &cfg)) != OG_EXIT_OK) {
        og_error_set(&err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     "cannot load the configuration");
        og_error_hint(&err, "the log says why");
        return report(cli, &a, NULL, NULL, &err, code, started, t0);
    }
    /* without --source: every source that is not files */
    if (a.o.nonly == 0)
        for (size_t i = 0; i < cfg.nsources && a.o.nonly < OG_CLI_MAX_ONLY; i++)
            if (cfg.sources[i].ninputs == 0)
                a.only[a.o.nonly++] = cfg.sources[i].name;
    if (a.o.nonly == 0) {
        og_error_set(&err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     "%s has no source to stream (a source with a kafka connector and no inputs)",
                     cfg.path);
        og_cli_report(cli, "stream", &err);
        code = report(cli, &a, &cfg, NULL, &err, OG_EXIT_USAGE, started, t0);
        og_config_free(&cfg);
        return code;
    }
    a.o.only = a.only;
    struct og_job_result res;
    enum og_job_status status = og_cli_run_job(cli, "stream", &cfg, &a.o, &res);
    code = report(cli, &a, &cfg, &res, NULL, og_cli_exit_job(status), started, t0);
    og_job_result_free(&res);
    og_config_free(&cfg);
    return code;
}

const struct og_command og_cmd_stream = {
    "stream", "consume the Kafka sources until stopped (one member of their consumer groups)", run,
    help};
