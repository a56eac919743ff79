/* cmd_check.c - onegrid check: validate the config and every mapping without touching data. */
#include "cli/commands.h"
#include "pipeline/registry.h"
#include "pipeline/step.h"

#include "transform/links.h"
#include "transform/mapping.h"

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
        "usage: onegrid check [--mapping FILE]... [OPTIONS]\n"
        "       onegrid check --connect [--records N] [--source NAME]... [OPTIONS]\n\n"
        "Validates the configuration and every source's mapping without reading any data or "
        "touching\n"
        "the warehouse: unknown keys, unknown unified fields, unknown conversions, a conversion "
        "that can\n"
        "fail with no on_error policy, code tables that are missing or have duplicate codes, "
        "unknown\n"
        "connectors and options. Errors name the file and the JSON path. Also warns about inputs "
        "that\n"
        "match no file. With --mapping, checks just those mapping files (no config needed).\n\n"
        "  --connect       then connect: to the warehouse (its schema), and read each source's\n"
        "                  first records from where the warehouse says it stands (the next files,\n"
        "                  Kafka partitions from their stored offsets under a group of its own,\n"
        "                  a pull from its watermark) through its mapping, and print them as\n"
        "                  `onegrid map` does (rejects on stderr); nothing is written. What to "
        "run\n"
        "                  before the first schedule.\n"
        "  --records N     how many records per source with --connect (default 5)\n"
        "  --source NAME   only this source with --connect (repeatable)\n\n");
    fprintf(out,
            "Connectors and their options (in a mapping's \"input\" or a source's \"options\"):\n");
    for (const struct og_connector *const *c = og_registry_all(); *c; c++) {
        fprintf(out, "  %-8s %s\n", (*c)->name, (*c)->summary);
        for (const struct og_option_doc *d = (*c)->options; d && d->key; d++)
            fprintf(out, "      %-22s %-8s default %-6s %s\n", d->key, d->type,
                    d->def ? d->def : "-", d->description);
    }
    fprintf(out, "\n%s", OG_COMMON_HELP);
}

/* Checks one mapping and how a source reads it; prints "ok ..." or logs the error. 0 or 1. */
static int check_mapping(struct og_cli *cli, const char *path, const char *connector,
                         const json_t *options, const char *label)
{
    struct og_error err;
    og_error_clear(&err);
    struct og_mapping *m = NULL;
    struct og_feed feed;
    memset(&feed, 0, sizeof(feed));
    int bad = 0;
    if (og_mapping_load(path, &m, &err) < 0 ||
        og_feed_resolve(m, connector, options, &feed, &err) < 0) {
        if (m)
            og_error_prefix(&err, "%s: ", label);
        og_cli_report(cli, "check", &err);
        bad = 1;
    }
    else {
        char targets[80] = "";
        for (size_t i = 0; i < og_mapping_nkinds(m); i++)
            snprintf(targets + strlen(targets), sizeof(targets) - strlen(targets), "%s%s",
                     i ? " + " : "",
                     og_kind_name(og_mapping_kind_target(og_mapping_kind_at(m, i))));
        printf("ok  %s  (%s feed %s -> %s, connector %s)\n", path, og_mapping_department(m),
               og_mapping_feed(m), targets, feed.name);
    }
    og_feed_release(&feed);
    og_mapping_destroy(m);
    return bad;
}

/* --mapping FILE: checked as it comes. */
struct args {
    struct og_cli *cli;
    int checked, bad;
    bool connect;
    long long records;
    char *only[OG_CLI_MAX_ONLY];
    size_t nonly;
};

static int on_option(void *ctx, int opt, const char *arg)
{
    struct args *a = ctx;
    switch (opt) {
    case 'm':
        a->checked++;
        a->bad += check_mapping(a->cli, arg, NULL, NULL, arg);
        return 0;
    case 'C':
        a->connect = true;
        return 0;
    case 'n':
        a->records = atoll(arg);
        if (a->records < 1) {
            fprintf(stderr, "onegrid check: --records is a number of records, 1 or more\n");
            return OG_EXIT_USAGE;
        }
        return 0;
    case 's':
        return og_cli_add_source("check", a->only, &a->nonly, arg);
    default:
        return OG_EXIT_USAGE;
    }
}

/* A Kafka source read by check --connect joins a consumer group of its own, so that running
 * streams of the source are not rebalanced (its positions are the warehouse's all the same). */
static int own_group(struct og_source_cfg *sc)
{
    struct og_mapping *m = NULL;
    struct og_error err;
    og_error_clear(&err);
    if (og_mapping_load(sc->mapping, &m, &err) < 0)
        return 0; /* the job reports it */
    const char *connector = sc->connector ? sc->connector : og_mapping_connector(m);
    int rc = 0;
    if (connector && strcmp(connector, "kafka") == 0) {
        if (!sc->options && !(sc->options = json_object()))
            rc = OG_ENOMEM;
        json_t *k = rc ? NULL : json_object_get(sc->options, "kafka");
        if (rc == 0 && !k) { /* the source's "kafka" replaces the mapping's: start from a copy */
            const json_t *mk = json_object_get(og_mapping_input_options(m), "kafka");
            k = mk ? json_deep_copy(mk) : json_object();
            if (!k || json_object_set_new(sc->options, "kafka", k) < 0)
                rc = OG_ENOMEM;
        }
        char group[128];
        snprintf(group, sizeof(group), "onegrid.%s.check", sc->name);
        if (rc == 0 && json_object_set_new(k, "group.id", json_string(group)) < 0)
            rc = OG_ENOMEM;
    }
    og_mapping_destroy(m);
    return rc;
}

/* --connect: the job in preview mode. */
static int connect_all(struct og_cli *cli, struct og_config *cfg, const struct args *a)
{
    for (size_t i = 0; i < cfg->nsources; i++)
        if (own_group(&cfg->sources[i]) < 0) {
            og_error_log(&cli->log, "check", "out of memory");
            return OG_EXIT_FAIL;
        }
    struct og_job_opts o = {.only = (char **)a->only,
                            .nonly = a->nonly,
                            .command = "check",
                            .preview = a->records,
                            .preview_commit = og_cli_print_batch};
    struct og_job_result res;
    enum og_job_status status = og_cli_run_job(cli, "check", cfg, &o, &res);
    og_job_result_free(&res);
    return og_cli_exit_job(status);
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"mapping", required_argument, NULL, 'm'},
                                         {"connect", no_argument, NULL, 'C'},
                                         {"records", required_argument, NULL, 'n'},
                                         {"source", required_argument, NULL, 's'},
                                         {0, 0, 0, 0}};
    struct args a = {cli, 0, 0, false, 5, {NULL}, 0};
    int code = og_cli_parse(cli, help, argc, argv, "m:", opts, on_option, &a);
    if (code != OG_CLI_GO)
        return code;
    if (a.checked)
        return a.bad ? OG_EXIT_USAGE : OG_EXIT_OK;
    struct og_config cfg;
    if ((code = og_cli_load_config(cli, &cfg)) != OG_EXIT_OK)
        return code;
    int bad = 0;
    if (access(cfg.taxonomy, R_OK) != 0) {
        og_error_log(&cli->log, "check", "cannot read the taxonomy table \"%s\"", cfg.taxonomy);
        bad++;
    }
    if (cfg.links) {
        struct og_links links;
        struct og_error err;
        og_error_clear(&err);
        if (og_links_load(cfg.links, &links, &err) < 0) {
            og_cli_report(cli, "check", &err);
            bad++;
        }
        else
            printf("ok  %s  (%zu link rule%s)\n", cfg.links, links.nrules,
                   links.nrules == 1 ? "" : "s");
        og_links_free(&links);
    }
    for (size_t i = 0; i < cfg.nsources; i++) {
        const struct og_source_cfg *sc = &cfg.sources[i];
        char label[300];
        snprintf(label, sizeof(label), "source %s", sc->name);
        bad += check_mapping(cli, sc->mapping, sc->connector, sc->options, label);
        for (size_t k = 0; k < sc->ninputs; k++) {
            glob_t g;
            if (glob(sc->inputs[k], 0, NULL, &g) != 0)
                og_warn(&cli->log, "check", "source %s: input \"%s\" matches no file (yet)",
                        sc->name, sc->inputs[k]);
            else
                printf("    %s: %zu file%s\n", sc->inputs[k], g.gl_pathc,
                       g.gl_pathc == 1 ? "" : "s");
            globfree(&g);
        }
    }
    printf("%s: %zu source%s, %d problem%s\n", cfg.path, cfg.nsources, cfg.nsources == 1 ? "" : "s",
           bad, bad == 1 ? "" : "s");
    code = bad ? OG_EXIT_USAGE : OG_EXIT_OK;
    if (code == OG_EXIT_OK && a.connect) {
        fflush(stdout);
        code = connect_all(cli, &cfg, &a);
    }
    og_config_free(&cfg);
    return code;
}

const struct og_command og_cmd_check = {
    "check", "validate the config and every mapping, touching no data", run, help};
