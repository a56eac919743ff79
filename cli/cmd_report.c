/* cmd_report.c - onegrid report: one self-contained HTML page of a county's or a street's unified
 * grids coloured by a measure, with department grids over them, the worst grids and the last runs.
 */
#include "cli/commands.h"

#include "analysis/report_page.h"
#include "loader/pg.h"
#include "pipeline/report.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: onegrid report --out DIR [--division CODE] [--measure NAME] [--as-of TIME] "
        "[OPTIONS]\n\n"
        "Writes one HTML page, DIR/onegrid-report-CODE-MEASURE.html (its path on stdout), that "
        "opens\n"
        "in any browser with no network: the unified grids of a county (district) or a street\n"
        "coloured in five classes as Zhejiang's five-colour map has them, by a measure; the\n"
        "department grids (police PS, urban management UM, fire FR, health HL) drawn over them\n"
        "with one checkbox each; hover text per grid (name, code, community, every figure); the\n"
        "20 grids with the most of the measure; and the last runs. The file is written\n"
        "atomically (a temporary file renamed over it). See docs/report.md.\n\n"
        "  --out DIR         the folder to write into (created when missing)\n"
        "  --division CODE   a county (6 digits), street (9) or community (12) code\n"
        "                    (default: the county whose unified grids the warehouse holds)\n"
        "  --measure NAME    what colours the grids (default open_hazards):\n"
        "      open_hazards      safety hazards (category 01: fire, production, public\n"
        "                        facilities, traffic) reported and not yet resolved or closed\n"
        "      events_per_1000   events of every department reported in the last 30 days per\n"
        "                        1,000 active residents (grey: no residents, no rate)\n"
        "      red_yellow        people whose current health code is red or yellow\n"
        "  --as-of TIME      the time \"the last 30 days\" count back from (onegrid.as_of), e.g.\n"
        "                    '2020-02-06 00:00+08'. Default: now, or, when nothing was reported\n"
        "                    or visited in the last 30 days, the latest report or visit in the\n"
        "                    warehouse (the page says so)\n\n"
        "Classes: green is 0; the grids with a value above 0 are split at their quartiles into\n"
        "blue, yellow, orange and red (the legend gives each class's range).\n\n"
        "Examples:\n"
        "  onegrid report --out reports/\n"
        "  onegrid report --out reports/ --division 440511001 --measure events_per_1000\n"
        "  onegrid report --out reports/ --measure red_yellow --as-of '2020-02-06 00:00+08'\n"
        "  xdg-open reports/onegrid-report-440511-open_hazards.html\n\n%s",
        OG_COMMON_HELP);
}

int og_cli_write_overview(struct og_cli *cli, struct og_pg *pg, const char *dir,
                          const struct og_overview_request *rq, enum og_measure m, char *path,
                          size_t size)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct og_error err;
    og_error_clear(&err);
    struct og_overview ov;
    struct og_buf page = OG_BUF_INIT;
    int rc = og_overview_fetch(pg, rq, &ov, &err);
    if (rc < 0) {
        og_cli_report(cli, "report", &err);
        return og_cli_exit_for(&err);
    }
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        og_error_set(&err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "cannot create the folder \"%s\"", dir);
        og_error_detail(&err, "%s", strerror(errno));
        rc = OG_EIO;
    }
    if (rc == 0 && snprintf(path, size, "%s/onegrid-report-%s-%s.html", dir, ov.division_code,
                            og_measure_defs()[m].name) >= (int)size)
        rc = og_error_set(&err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                          "the folder name \"%.200s\" is too long", dir);
    if (rc == 0)
        rc = og_report_page(&ov, m, OG_VERSION, &page, &err);
    if (rc == 0)
        rc = og_report_write_file(path, page.data, page.len, &err);
    if (rc == 0) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        og_info(&cli->log, "report",
                "division=%s grids=%zu department_grids=%zu runs=%zu bytes=%zu seconds=%.2f",
                ov.division_code, ov.ngrids, ov.nshapes, ov.nruns, page.len,
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    }
    else
        og_cli_report(cli, "report", &err);
    og_buf_free(&page);
    og_overview_free(&ov);
    return rc == 0 ? OG_EXIT_OK : og_cli_exit_for(&err);
}

struct args {
    const char *out, *division, *measure, *as_of;
};

static int on_option(void *ctx, int opt, const char *arg)
{
    struct args *a = ctx;
    switch (opt) {
    case 'o':
        a->out = arg;
        return 0;
    case 'd':
        a->division = arg;
        return 0;
    case 'm':
        a->measure = arg;
        return 0;
    case 'a':
        a->as_of = arg;
        return 0;
    default:
        return OG_EXIT_USAGE;
    }
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {"division", required_argument, NULL, 'd'},
                                         {"measure", required_argument, NULL, 'm'},
                                         {"as-of", required_argument, NULL, 'a'},
                                         {0, 0, 0, 0}};
    struct args a = {NULL, NULL, "open_hazards", NULL};
    int code = og_cli_parse(cli, help, argc, argv, NULL, opts, on_option, &a);
    if (code != OG_CLI_GO)
        return code;
    if (optind < argc) {
        fprintf(stderr, "onegrid report: unexpected argument \"%s\" (see onegrid report --help)\n",
                argv[optind]);
        return OG_EXIT_USAGE;
    }
    if (!a.out || !*a.out) {
        fprintf(stderr, "onegrid report: --out DIR is required: the folder to write the page "
                        "into (see onegrid report --help)\n");
        return OG_EXIT_USAGE;
    }
    enum og_measure m;
    if (og_measure_parse(a.measure, &m) < 0) {
        fprintf(stderr, "onegrid report: unknown measure \"%s\"; the measures are:\n", a.measure);
        for (int i = 0; i < OG_MEASURE__COUNT; i++)
            fprintf(stderr, "  %-16s %s\n", og_measure_defs()[i].name,
                    og_measure_defs()[i].meaning);
        return OG_EXIT_USAGE;
    }
    struct og_pg *pg;
    if ((code = og_cli_connect(cli, &pg)) != OG_EXIT_OK)
        return code;
    struct og_overview_request rq = {a.division, a.as_of, 10};
    char path[PATH_MAX + 256];
    code = og_cli_write_overview(cli, pg, a.out, &rq, m, path, sizeof(path));
    og_pg_close(pg);
    if (code == OG_EXIT_OK)
        printf("%s\n", path);
    return code;
}

const struct og_command og_cmd_report = {
    "report", "an HTML page: the grids of a district or street coloured by a measure", run, help};
