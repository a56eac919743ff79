/* main.c - onegrid: one binary, subcommands in the habits of git and psql. */
#include "cli/commands.h"

#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested; /* the only global: set by the signal handler */

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static const struct og_command *const COMMANDS[] = {
    &og_cmd_init,  &og_cmd_world,  &og_cmd_check,   &og_cmd_run,    &og_cmd_stream,
    &og_cmd_map,   &og_cmd_status, &og_cmd_rejects, &og_cmd_replay, &og_cmd_source,
    &og_cmd_grant, &og_cmd_revoke, &og_cmd_report,  &og_cmd_demo,   NULL};

const struct og_command *const *og_commands(void)
{
    return COMMANDS;
}

static void usage(FILE *out)
{
    fprintf(
        out,
        "onegrid %s - department feeds into one unified grid warehouse (一网统筹)\n\n"
        "usage: onegrid COMMAND [OPTIONS]\n       onegrid help COMMAND | onegrid COMMAND --help\n\n"
        "commands:\n",
        OG_VERSION);
    for (const struct og_command *const *c = COMMANDS; *c; c++)
        fprintf(out, "  %-9s %s\n", (*c)->name, (*c)->summary);
    fprintf(out,
            "\nA first look on a fresh machine: `onegrid demo` (a throwaway PostgreSQL, the "
            "Jinping world,\n"
            "the bundled sample feeds). For your own feeds: copy onegrid.example.json, then\n"
            "`onegrid init`, `onegrid world import`, `onegrid check`, `onegrid run`.\n\n%s",
            OG_COMMON_HELP);
}

static const struct og_command *find(const char *name)
{
    for (const struct og_command *const *c = COMMANDS; *c; c++)
        if (strcmp((*c)->name, name) == 0)
            return *c;
    return NULL;
}

int main(int argc, char **argv)
{
    /* Batches allocate and free megabytes each: keep freed memory for the next batch instead of
     * handing it back to the kernel and faulting it in again (measured: page faults were 10% of
     * a load's CPU). Peak memory is what the batches in flight need either way. */
    mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    struct og_cli cli;
    memset(&cli, 0, sizeof(cli));
    og_log_init(&cli.log, OG_LOG_INFO, false, stderr);
    cli.stop = &stop_requested;
    cli.argv0 = argv[0];
    og_cli_find_datadir(&cli);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (argc < 2) {
        usage(stderr);
        return OG_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--version") || !strcmp(name, "version")) {
        printf("onegrid %s\n", OG_VERSION);
        return OG_EXIT_OK;
    }
    if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
        usage(stdout);
        return OG_EXIT_OK;
    }
    if (!strcmp(name, "help")) {
        if (argc < 3) {
            usage(stdout);
            return OG_EXIT_OK;
        }
        const struct og_command *c = find(argv[2]);
        if (!c) {
            fprintf(stderr, "onegrid: no command \"%s\" (see onegrid --help)\n", argv[2]);
            return OG_EXIT_USAGE;
        }
        c->help(stdout);
        return OG_EXIT_OK;
    }
    const struct og_command *c = find(name);
    if (!c) {
        fprintf(stderr, "onegrid: no command \"%s\" (see onegrid --help)\n", name);
        return OG_EXIT_USAGE;
    }
    int code = c->run(&cli, argc - 1, argv + 1);
    og_log_fini(&cli.log);
    return code;
}
