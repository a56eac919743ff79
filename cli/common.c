/* common.c - shared subcommand helpers. */
#include "cli/common.h"

#include "pipeline/report.h"

#include "cli/summary.h"
#include "core/buf.h"
#include "loader/pg.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef OG_DATADIR
#define OG_DATADIR "/usr/local/share/onegrid"
#endif

const char OG_COMMON_HELP[] =
    "Common options:\n"
    "  --config FILE        configuration file (default: $ONEGRID_CONFIG or ./onegrid.json)\n"
    "  --log-level LEVEL    error, warn, info (default), debug, trace\n"
    "  --log-format FORMAT  text (default) or json (one JSON object per line, for schedulers)\n"
    "  -h, --help           this help\n"
    "Environment: ONEGRID_DSN (warehouse conninfo, overrides the config), PG* (libpq defaults),\n"
    "  ONEGRID_ID_KEY or ONEGRID_ID_KEY_FILE (identity-hash key; the file must be mode 0600),\n"
    "  ONEGRID_DATADIR (where mappings/, world/, samples/ are).\n"
    "Exit codes: 0 success, 1 run failed, 2 usage or configuration error, 3 rejects over a\n"
    "  threshold or a file rejected as a whole, 4 a source left alone: another run was loading "
    "it.\n";

/* The common options' codes (outside the range of the commands' own short letters). */
enum { OPT_CONFIG = 0x100, OPT_LOG_LEVEL, OPT_LOG_FORMAT };
static const struct option COMMON_OPTIONS[] = {
    {"config", required_argument, NULL, OPT_CONFIG},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
    {"help", no_argument, NULL, 'h'},
};
#define NCOMMON (sizeof(COMMON_OPTIONS) / sizeof(COMMON_OPTIONS[0]))

/* A common option: 0, or an exit code for a bad value. */
static int common_option(struct og_cli *cli, int opt, const char *arg)
{
    switch (opt) {
    case OPT_CONFIG:
        cli->config_path = arg;
        return 0;
    case OPT_LOG_LEVEL:
        if (og_log_level_parse(arg, &cli->log.level) < 0) {
            fprintf(stderr, "onegrid: unknown log level \"%s\" (error, warn, info, debug, trace)\n",
                    arg);
            return OG_EXIT_USAGE;
        }
        return 0;
    default: /* OPT_LOG_FORMAT */
        if (strcmp(arg, "json") == 0 || strcmp(arg, "text") == 0) {
            cli->log.json = arg[0] == 'j';
            return 0;
        }
        fprintf(stderr, "onegrid: unknown log format \"%s\" (text or json)\n", arg);
        return OG_EXIT_USAGE;
    }
}

int og_cli_parse(struct og_cli *cli, void (*help)(FILE *out), int argc, char **argv,
                 const char *shortopts, const struct option *own,
                 int (*on_option)(void *ctx, int opt, const char *arg), void *ctx)
{
    struct option all[64];
    size_t n = 0;
    for (const struct option *o = own; o && o->name && n < 64 - NCOMMON - 1; o++)
        all[n++] = *o;
    for (size_t i = 0; i < NCOMMON; i++)
        all[n++] = COMMON_OPTIONS[i];
    memset(&all[n], 0, sizeof(all[n]));
    char shorts[64];
    snprintf(shorts, sizeof(shorts), "h%s", shortopts ? shortopts : "");
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
        int code;
        if (opt == 'h') {
            help(stdout);
            return OG_EXIT_OK;
        }
        if (opt == '?') {
            help(stderr);
            return OG_EXIT_USAGE;
        }
        code = opt >= OPT_CONFIG ? common_option(cli, opt, optarg)
               : on_option       ? on_option(ctx, opt, optarg)
                                 : OG_EXIT_USAGE;
        if (code)
            return code;
    }
    return OG_CLI_GO;
}

static bool has(const char *dir, const char *rel)
{
    char p[2 * PATH_MAX];
    snprintf(p, sizeof(p), "%s/%s", dir, rel);
    return access(p, R_OK) == 0;
}

void og_cli_find_datadir(struct og_cli *cli)
{
    const char *env = getenv("ONEGRID_DATADIR");
    if (env && *env) {
        snprintf(cli->datadir, sizeof(cli->datadir), "%s", env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *bin = dirname(exe); /* .../build/bin or .../bin */
        static const char *const ups[] = {"../..", "../share/onegrid"};
        for (size_t i = 0; i < 2; i++) {
            char cand[PATH_MAX + 32];
            snprintf(cand, sizeof(cand), "%s/%s", bin, ups[i]);
            if (has(cand, "mappings/taxonomy/categories.csv")) {
                char *real = realpath(cand, NULL);
                snprintf(cli->datadir, sizeof(cli->datadir), "%s", real ? real : cand);
                free(real);
                return;
            }
        }
    }
    snprintf(cli->datadir, sizeof(cli->datadir), "%s", OG_DATADIR);
}

void og_cli_report(struct og_cli *cli, const char *component, const struct og_error *err)
{
    char buf[2048];
    og_error_format(err, buf, sizeof(buf));
    og_error_log(&cli->log, component, "%s", buf);
}

int og_cli_exit_for(const struct og_error *err)
{
    return err->code == OG_ECONFIG ? OG_EXIT_USAGE : OG_EXIT_FAIL;
}

int og_cli_exit_job(enum og_job_status status)
{
    switch (status) {
    case OG_JOB_SUCCEEDED:
        return OG_EXIT_OK;
    case OG_JOB_BAD_CONFIG:
        return OG_EXIT_USAGE;
    case OG_JOB_REJECTS_EXCEEDED:
        return OG_EXIT_REJECTS;
    case OG_JOB_LOCKED:
        return OG_EXIT_LOCKED;
    default:
        return OG_EXIT_FAIL;
    }
}

int og_cli_write_report(struct og_cli *cli, const char *command,
                        const struct og_cli_report_files *f, const struct og_job_opts *o,
                        const struct og_config *cfg, const struct og_job_result *res,
                        const struct og_error *error, int code)
{
    if (!f->summary && !f->metrics_file)
        return code;
    struct og_report_run r = {.version = OG_VERSION,
                              .command = command,
                              .config_path = cfg ? cfg->path : og_cli_config_path(cli),
                              .cfg = cfg,
                              .opts = o,
                              .res = res,
                              .error = error,
                              .started = f->started,
                              .finished = og_report_now(),
                              .seconds = og_report_monotonic() - f->t0,
                              .exit_code = code};
    struct og_error err;
    og_error_clear(&err);
    if (og_report_write(&r, f->summary, f->metrics_file, &err) < 0) {
        og_cli_report(cli, "report", &err);
        return code == OG_EXIT_OK ? OG_EXIT_FAIL : code;
    }
    return code;
}

int og_cli_add_source(const char *cmd, char **only, size_t *n, const char *arg)
{
    if (*n == OG_CLI_MAX_ONLY) {
        fprintf(stderr, "onegrid %s: at most %d --source options\n", cmd, OG_CLI_MAX_ONLY);
        return OG_EXIT_USAGE;
    }
    only[(*n)++] = (char *)arg;
    return 0;
}

int og_cli_lock_wait(const char *cmd, const char *arg, int *out)
{
    char *end = NULL;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || v < 0 || v > 86400) {
        fprintf(stderr,
                "onegrid %s: --lock-wait is a number of seconds from 0 to 86400, not \"%s\"\n", cmd,
                arg);
        return OG_EXIT_USAGE;
    }
    *out = (int)v;
    return 0;
}

const char *og_cli_config_path(const struct og_cli *cli)
{
    const char *path = cli->config_path ? cli->config_path : getenv("ONEGRID_CONFIG");
    if (path && *path)
        return path;
    return access("onegrid.json", R_OK) == 0 ? "onegrid.json" : NULL;
}

/* The value of one secret reference: "env:VARIABLE" or "file:/path" (a regular file readable only
 * by its owner; a trailing newline is dropped). New string, or NULL with err set. */
static char *secret_value(const char *ref, struct og_error *err)
{
    if (ref && !strncmp(ref, "env:", 4)) {
        const char *v = getenv(ref + 4);
        if (!v || !*v) {
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                         "the environment variable %s is not set", ref + 4);
            return NULL;
        }
        return strdup(v);
    }
    if (ref && !strncmp(ref, "file:", 5)) {
        struct og_buf b = OG_BUF_INIT;
        const char *path = ref + 5;
        struct stat st;
        FILE *fp = NULL;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || !(fp = fopen(path, "r"))) {
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                         "cannot read the secret file \"%s\"", path);
            return NULL;
        }
        if (st.st_mode & 077) {
            fclose(fp);
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                         "the secret file \"%s\" is readable by group or others", path);
            og_error_hint(err, "run: chmod 600 %s", path);
            return NULL;
        }
        char chunk[256];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
            og_buf_append(&b, chunk, n);
        fclose(fp);
        while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
            b.data[--b.len] = '\0';
        return b.data ? og_buf_steal(&b) : strdup("");
    }
    og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                 "a secret is \"env:VARIABLE\" or \"file:/path\", not \"%.40s\"",
                 ref ? ref : "(not a string)");
    return NULL;
}

/* Every source's options.secrets resolved into options.secret_values (in memory only). */
static int resolve_secrets(struct og_config *cfg, struct og_error *err)
{
    for (size_t i = 0; i < cfg->nsources; i++) {
        json_t *opts = cfg->sources[i].options;
        json_t *secrets = opts ? json_object_get(opts, "secrets") : NULL;
        if (!secrets)
            continue;
        json_t *values = json_object();
        const char *key;
        json_t *ref;
        json_object_foreach(secrets, key, ref)
        {
            char *v = secret_value(json_string_value(ref), err);
            if (!v) {
                json_decref(values);
                og_error_prefix(err, "source %s: secret \"%s\": ", cfg->sources[i].name, key);
                return OG_ECONFIG;
            }
            json_object_set_new(values, key, json_string(v));
            explicit_bzero(v, strlen(v));
            free(v);
        }
        json_object_set_new(opts, "secret_values", values);
    }
    return 0;
}

int og_cli_load_config(struct og_cli *cli, struct og_config *cfg)
{
    const char *path = og_cli_config_path(cli);
    struct og_error err;
    og_error_clear(&err);
    if (!path || access(path, R_OK) != 0) {
        og_error_set(&err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                     "cannot read the configuration \"%s\"", path ? path : "onegrid.json");
        og_error_hint(&err,
                      "pass --config FILE, or start from %s/onegrid.example.json (onegrid demo "
                      "runs without one)",
                      cli->datadir);
        og_cli_report(cli, "config", &err);
        return OG_EXIT_USAGE;
    }
    if (og_config_load(path, cli->datadir, cfg, &err) < 0 ||
        og_config_set_dsn(cfg, getenv("ONEGRID_DSN")) < 0 || resolve_secrets(cfg, &err) < 0) {
        if (!err.code)
            og_error_set(&err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        og_cli_report(cli, "config", &err);
        bool loaded = cfg->nsources > 0;
        if (loaded)
            og_config_free(cfg);
        return og_cli_exit_for(&err);
    }
    return OG_EXIT_OK;
}

int og_cli_id_key(struct og_id_key *key, struct og_error *err)
{
    return og_id_key_load(key, getenv("ONEGRID_ID_KEY"), getenv("ONEGRID_ID_KEY_FILE"), err);
}

void og_cli_job_env(struct og_cli *cli, struct og_job_env *env, struct og_id_key *key,
                    struct og_error *key_err)
{
    og_error_clear(key_err);
    bool have = og_cli_id_key(key, key_err) == 0;
    *env = (struct og_job_env){&cli->log, cli->stop, have ? key : NULL, have ? NULL : key_err};
}

enum og_job_status og_cli_run_job(struct og_cli *cli, const char *component,
                                  const struct og_config *cfg, const struct og_job_opts *o,
                                  struct og_job_result *res)
{
    struct og_id_key key;
    struct og_error key_err, err;
    struct og_job_env env;
    og_cli_job_env(cli, &env, &key, &key_err);
    og_error_clear(&err);
    enum og_job_status status = og_job_run(&env, cfg, o, res, &err);
    if (status != OG_JOB_SUCCEEDED)
        og_cli_report(cli, component, &err);
    if (res->nstats)
        og_cli_print_run(stdout, res);
    return status;
}

int og_cli_connect(struct og_cli *cli, struct og_pg **pg)
{
    char *dsn = NULL;
    const char *env = getenv("ONEGRID_DSN");
    if (env && *env)
        dsn = strdup(env);
    else if (og_cli_config_path(cli)) {
        struct og_config cfg;
        int code = og_cli_load_config(cli, &cfg);
        if (code != OG_EXIT_OK)
            return code;
        dsn = cfg.dsn ? strdup(cfg.dsn) : NULL;
        og_config_free(&cfg);
    }
    struct og_error err;
    og_error_clear(&err);
    int rc = og_pg_connect(dsn, pg, &err);
    free(dsn);
    if (rc < 0) {
        og_cli_report(cli, "loader", &err);
        return OG_EXIT_FAIL;
    }
    return OG_EXIT_OK;
}
