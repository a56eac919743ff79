/* cmd_check.c - onegrid check: validate the config and every mapping without touching data. */
#include "cli/commands.h"
#include "cli/registry.h"

#include "transform/mapping.h"

#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <unistd.h>

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: onegrid check [--mapping FILE]... [OPTIONS]\n\n"
        "Validates the configuration and every source's mapping without reading any data or "
        "touching\n"
        "the warehouse: unknown keys, unknown unified fields, unknown conversions, a conversion "
        "that can\n"
        "fail with no on_error policy, code tables that are missing or have duplicate codes, "
        "unknown\n"
        "connectors and options. Errors name the file and the JSON path. Also warns about inputs "
        "that\n"
        "match no file. With --mapping, checks just those mapping files (no config needed).\n\n");
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

static int check_mapping(struct og_cli *cli, const char *path, const char *connector,
                         const json_t *options, const char *label)
{
    struct og_error err;
    og_error_clear(&err);
    struct og_mapping *m;
    if (og_mapping_load(path, &m, &err) < 0) {
        og_cli_report(cli, "check", &err);
        return 1;
    }
    int bad = 0;
    const char *cname = connector ? connector : og_mapping_connector(m);
    const struct og_connector *c = og_registry_connector(cname);
    if (!c) {
        og_error_log(&cli->log, "check", "%s: unknown connector \"%s\" (known: csv, json, ndjson)",
                     label, cname ? cname : "(none given)");
        bad = 1;
    }
    else if (og_registry_check_options(c, og_mapping_input_options(m), &err) < 0 ||
             og_registry_check_options(c, options, &err) < 0) {
        og_error_prefix(&err, "%s: ", label);
        og_cli_report(cli, "check", &err);
        bad = 1;
    }
    if (!bad)
        printf("ok  %s  (%s feed %s -> %s, connector %s)\n", path, og_mapping_department(m),
               og_mapping_feed(m), og_mapping_target(m) == OG_KIND_EVENT ? "event" : "visit",
               c->name);
    og_mapping_destroy(m);
    return bad;
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"mapping", required_argument, NULL, 'm'}, OG_COMMON_LONGOPTS, {0, 0, 0, 0}};
    int opt, code = OG_EXIT_OK, bad = 0, nmap = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "hm:", opts, NULL)) != -1) {
        if (opt == 'h') {
            help(stdout);
            return OG_EXIT_OK;
        }
        if (opt == 'm') {
            nmap++;
            bad += check_mapping(cli, optarg, NULL, NULL, optarg);
        }
        else if (!og_cli_common_option(cli, opt, optarg, &code)) {
            help(stderr);
            return OG_EXIT_USAGE;
        }
        if (code)
            return code;
    }
    if (nmap)
        return bad ? OG_EXIT_USAGE : OG_EXIT_OK;
    struct og_config cfg;
    if ((code = og_cli_load_config(cli, &cfg)) != OG_EXIT_OK)
        return code;
    if (access(cfg.taxonomy, R_OK) != 0) {
        og_error_log(&cli->log, "check", "cannot read the taxonomy table \"%s\"", cfg.taxonomy);
        bad++;
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
    og_config_free(&cfg);
    return bad ? OG_EXIT_USAGE : OG_EXIT_OK;
}

const struct og_command og_cmd_check = {
    "check", "validate the config and every mapping, touching no data", run, help};
