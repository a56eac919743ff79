/* cmd_replay.c - onegrid replay: rejected records again through the current mapping. */
#include "cli/commands.h"

#include "pipeline/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: onegrid replay --run RUN_ID | --source NAME [--reason CODE] "
        "[--stage map|reconcile|load]\n"
        "                      [--dry-run] [--no-progress] [OPTIONS]\n\n"
        "After a mapping or a code table was fixed, runs the open rejects of a run or of a "
        "source\n"
        "again, from the raw record etl_reject kept, through the source's CURRENT mapping and\n"
        "reconciliation. Records that pass are loaded as a run loads them (an older state never\n"
        "overwrites a newer one loaded since); each reject is settled in the same transaction\n"
        "(etl_reject.replayed_at, replay_run_id, replay_outcome loaded or rejected), so running "
        "it\n"
        "again loads nothing twice and finds nothing left but what still fails. A record that\n"
        "fails again gets a new reject of the replay run with its new reason (replay_of points "
        "to\n"
        "the old one): `onegrid rejects --run REPLAY_RUN` shows them. The replay is a run of "
        "its\n"
        "own (etl_run.command = 'replay').\n\n"
        "Rejects that cannot be replayed are listed with why: stage read (the record could "
        "not be\n"
        "read as sent), raw text with identity numbers (stored masked), raw cut at 64 KiB, or "
        "a\n"
        "source no longer configured. The department sends those records again.\n\n"
        "  --run RUN_ID    the open rejects written by this run (a run, or an earlier replay)\n"
        "  --source NAME   the open rejects of this configured source (both: those of both)\n"
        "  --reason CODE   only rejects with this reason (e.g. unknown_code; `onegrid rejects "
        "--reasons`)\n"
        "  --stage STAGE   only rejects of this stage: map, reconcile or load\n"
        "  --dry-run       map and reconcile them and say what would load; write nothing\n"
        "  --no-progress   no progress line even on a terminal\n\n"
        "Exit code 3 when the records rejected again are over max_reject_ratio of those "
        "replayed.\n\n%s",
        OG_COMMON_HELP);
}

struct args {
    struct og_replay_opts o;
};

static int on_option(void *ctx, int opt, const char *arg)
{
    struct args *a = ctx;
    char *end;
    switch (opt) {
    case 'r':
        a->o.run_id = strtoll(arg, &end, 10);
        if (*arg == '\0' || *end || a->o.run_id <= 0) {
            fprintf(stderr,
                    "onegrid replay: --run takes a run number (etl_run.run_id), not \"%s\"\n", arg);
            return OG_EXIT_USAGE;
        }
        return 0;
    case 's':
        a->o.source = arg;
        return 0;
    case 'R':
        a->o.reason = arg;
        return 0;
    case 'S':
        a->o.stage = arg;
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

/* A line per source: selected, not replayable, replayed, loaded, rejected again (by reason). */
static void print_sources(FILE *out, const struct og_replay_result *res)
{
    fprintf(out, "%-16s %9s %9s %9s %9s %9s  %s\n", "source", "selected", "not_repl", "replayed",
            "loaded", "rejected", "rejected again by reason");
    for (size_t i = 0; i < res->nsources; i++) {
        const struct og_replay_source *s = &res->sources[i];
        fprintf(out, "%-16s %9lld %9lld %9lld %9lld %9lld  ", s->name, s->selected,
                s->not_replayable, s->st.read, s->st.records, s->st.rejected);
        for (int k = 0; k < s->st.nreasons; k++)
            fprintf(out, "%s%s=%lld", k ? ", " : "", og_reason_name(s->st.reasons[k].reason),
                    s->st.reasons[k].n);
        fputc('\n', out);
    }
}

/* The rejects that cannot be replayed, each with why. */
static void print_skips(FILE *out, const struct og_replay_result *res)
{
    if (!res->not_replayable)
        return;
    fprintf(out, "\nnot replayable: %lld reject%s (left open)\n", res->not_replayable,
            res->not_replayable == 1 ? "" : "s");
    for (int v = 1; v < OG_REPLAY__COUNT; v++)
        if (res->by_verdict[v])
            fprintf(out, "  %-10s %6lld  %s\n", og_replay_verdict_name(v), res->by_verdict[v],
                    og_replay_verdict_text(v));
    fprintf(out, "%9s %6s %-16s %-10s %-18s %-10s %s\n", "reject", "run", "source", "stage",
            "reason", "why", "position");
    for (size_t i = 0; i < res->nskips; i++) {
        const struct og_replay_skip *k = &res->skips[i];
        fprintf(out, "%9lld %6lld %-16s %-10s %-18s %-10s %s\n", k->reject_id, k->run_id, k->source,
                k->stage, k->reason, og_replay_verdict_name(k->why), k->position);
    }
    if ((long long)res->nskips < res->not_replayable)
        fprintf(out, "... and %lld more (`onegrid rejects` lists them)\n",
                res->not_replayable - (long long)res->nskips);
}

static void print_result(FILE *out, const struct og_replay_result *res, bool dry_run)
{
    if (res->selected == 0) {
        fprintf(out, "nothing to replay: no open rejects match\n");
        return;
    }
    if (res->selected == res->not_replayable)
        fprintf(out, "nothing to replay: none of the %lld open rejects selected can be replayed\n",
                res->selected);
    else if (dry_run)
        fprintf(out,
                "dry run (nothing was written): %lld would load, %lld would be rejected "
                "again\n",
                res->loaded, res->rejected);
    else
        fprintf(out, "replay run %lld %s: %lld loaded, %lld rejected again\n", res->run_id,
                og_job_status_name(res->status), res->loaded, res->rejected);
    print_sources(out, res);
    if (res->replayed && !dry_run) {
        fprintf(out,
                "warehouse: %lld inserted, %lld updated, %lld unchanged (a newer or the same "
                "state there), %lld history rows, %lld reject rows\n",
                res->load.inserted, res->load.updated, res->load.unchanged, res->load.history,
                res->load.rejects);
        if (res->rejected)
            fprintf(out, "rejected again: `onegrid rejects --run %lld`\n", res->run_id);
    }
    print_skips(out, res);
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"run", required_argument, NULL, 'r'},
                                         {"source", required_argument, NULL, 's'},
                                         {"reason", required_argument, NULL, 'R'},
                                         {"stage", required_argument, NULL, 'S'},
                                         {"dry-run", no_argument, NULL, 'n'},
                                         {"no-progress", no_argument, NULL, 'P'},
                                         {0, 0, 0, 0}};
    struct args a = {{.progress = isatty(2) != 0}};
    int code = og_cli_parse(cli, help, argc, argv, "n", opts, on_option, &a);
    if (code != OG_CLI_GO)
        return code;
    if (optind < argc) {
        fprintf(stderr, "onegrid replay: unexpected argument \"%s\"\n", argv[optind]);
        return OG_EXIT_USAGE;
    }
    if (a.o.run_id <= 0 && !a.o.source) {
        fprintf(stderr, "onegrid replay: say which rejects to replay: --run RUN_ID or --source "
                        "NAME\n\n");
        help(stderr);
        return OG_EXIT_USAGE;
    }
    if (cli->log.json)
        a.o.progress = false;
    struct og_config cfg;
    if ((code = og_cli_load_config(cli, &cfg)) != OG_EXIT_OK)
        return code;
    struct og_id_key key;
    struct og_error key_err, err;
    struct og_job_env env;
    og_cli_job_env(cli, &env, &key, &key_err);
    og_error_clear(&err);
    struct og_replay_result res;
    enum og_job_status status = og_replay_run(&env, &cfg, &a.o, &res, &err);
    if (status != OG_JOB_SUCCEEDED)
        og_cli_report(cli, "replay", &err);
    if (status == OG_JOB_SUCCEEDED || status == OG_JOB_REJECTS_EXCEEDED || res.replayed)
        print_result(stdout, &res, a.o.dry_run);
    og_replay_result_free(&res);
    og_config_free(&cfg);
    return og_cli_exit_job(status);
}

const struct og_command og_cmd_replay = {
    "replay", "run rejects again through the current mapping after a fix; loads each once", run,
    help};
